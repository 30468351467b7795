/*  rational - exact rational numbers on 128-bit integers.

    Indicators and scores are computed exactly and rounded half-up (away
    from zero) once, when shown. Overflow is detected, never silent: an
    operation that would overflow sets the result's ok flag to 0.
*/
#ifndef RATIONAL_H_INCLUDED
#define RATIONAL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __int128 i128;

typedef struct {
    i128 num;
    i128 den; /* always > 0 when ok */
    bool ok;  /* false after overflow or division by zero */
} rational_t;

/* Makes num/den in lowest terms; den == 0 gives ok == false. */
rational_t rational_make(i128 num, i128 den);

/* Makes an integer. */
rational_t rational_int(int64_t n);

rational_t rational_add(rational_t a, rational_t b);
rational_t rational_sub(rational_t a, rational_t b);
rational_t rational_mul(rational_t a, rational_t b);
/* Division by zero gives ok == false. */
rational_t rational_div(rational_t a, rational_t b);

/* Returns -1, 0 or 1; both must be ok. */
int rational_cmp(rational_t a, rational_t b);

/* Returns the smallest integer >= a. */
i128 rational_ceil(rational_t a);

/* Rounds half-up (away from zero) to hundredths: 99.975 -> 9998. */
int64_t rational_centi(rational_t a);

/* Formats hundredths as "99.98" / "-0.05". Returns buf (>= 32 bytes). */
char *rational_centi_format(int64_t centi, char *buf, size_t size);

#endif
