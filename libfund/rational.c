/*  rational - exact rational numbers on 128-bit integers.

    Every operation reduces its result to lowest terms and checks each
    multiplication and addition with the compiler's overflow builtins: a
    result that does not fit has ok == false and must not be used.
*/
#include "rational.h"

#include <stdio.h>

typedef unsigned __int128 u128;

static const rational_t s_bad = {0, 1, false};

/* Returns the magnitude of n as an unsigned value (exact for the minimum). */
static u128 s_abs(i128 n)
{
    return n < 0 ? (u128)0 - (u128)n : (u128)n;
}

static u128 s_gcd(u128 a, u128 b)
{
    while (b != 0) {
        u128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Makes num/den in lowest terms; den == 0 gives ok == false. */
rational_t rational_make(i128 num, i128 den)
{
    if (den == 0)
        return s_bad;
    u128 g = s_gcd(s_abs(num), s_abs(den));
    u128 un = s_abs(num) / g;
    u128 ud = s_abs(den) / g;
    bool negative = (num < 0) != (den < 0) && num != 0;
    u128 limit = ~(u128)0 >> 1;
    if (un > limit || ud > limit)
        return s_bad;
    rational_t r = {negative ? -(i128)un : (i128)un, (i128)ud, true};
    return r;
}

/* Makes an integer. */
rational_t rational_int(int64_t n)
{
    rational_t r = {n, 1, true};
    return r;
}

/* Adds or subtracts (sign -1) over the least common denominator. */
static rational_t s_add(rational_t a, rational_t b, int sign)
{
    if (!a.ok || !b.ok)
        return s_bad;
    i128 g = (i128)s_gcd((u128)a.den, (u128)b.den);
    i128 left, right, num, den;
    if (__builtin_mul_overflow(a.num, b.den / g, &left) ||
        __builtin_mul_overflow(b.num, a.den / g, &right) ||
        __builtin_mul_overflow(a.den, b.den / g, &den))
        return s_bad;
    bool over = sign > 0 ? __builtin_add_overflow(left, right, &num)
                         : __builtin_sub_overflow(left, right, &num);
    return over ? s_bad : rational_make(num, den);
}

rational_t rational_add(rational_t a, rational_t b)
{
    return s_add(a, b, 1);
}

rational_t rational_sub(rational_t a, rational_t b)
{
    return s_add(a, b, -1);
}

/* Multiplies after cross-cancelling, so that no product grows needlessly. */
rational_t rational_mul(rational_t a, rational_t b)
{
    if (!a.ok || !b.ok)
        return s_bad;
    if (a.num == 0 || b.num == 0)
        return rational_int(0);
    i128 g1 = (i128)s_gcd(s_abs(a.num), (u128)b.den);
    i128 g2 = (i128)s_gcd(s_abs(b.num), (u128)a.den);
    i128 num, den;
    if (__builtin_mul_overflow(a.num / g1, b.num / g2, &num) ||
        __builtin_mul_overflow(a.den / g2, b.den / g1, &den))
        return s_bad;
    return rational_make(num, den);
}

/* Division by zero gives ok == false. */
rational_t rational_div(rational_t a, rational_t b)
{
    if (!a.ok || !b.ok || b.num == 0)
        return s_bad;
    return rational_mul(a, rational_make(b.den, b.num));
}

/* Floor division for a positive denominator. */
static i128 s_floor_div(i128 num, i128 den)
{
    i128 q = num / den;
    if (num % den != 0 && num < 0)
        q--;
    return q;
}

/* Compares an/ad with bn/bd (positive denominators) without overflow:
   directly when the cross products fit, else by continued fractions. */
static int s_cmp(i128 an, i128 ad, i128 bn, i128 bd)
{
    i128 left, right;
    if (!__builtin_mul_overflow(an, bd, &left) && !__builtin_mul_overflow(bn, ad, &right))
        return left < right ? -1 : left > right ? 1 : 0;
    i128 qa = s_floor_div(an, ad);
    i128 qb = s_floor_div(bn, bd);
    if (qa != qb)
        return qa < qb ? -1 : 1;
    i128 ra = an % ad;
    i128 rb = bn % bd;
    ra += ra < 0 ? ad : 0;
    rb += rb < 0 ? bd : 0;
    if (ra == 0 || rb == 0)
        return ra == rb ? 0 : ra == 0 ? -1 : 1;
    /* ra/ad < rb/bd exactly when bd/rb < ad/ra. */
    return s_cmp(bd, rb, ad, ra);
}

/* Returns -1, 0 or 1; both must be ok (0 otherwise). */
int rational_cmp(rational_t a, rational_t b)
{
    if (!a.ok || !b.ok)
        return 0;
    return s_cmp(a.num, a.den, b.num, b.den);
}

/* Returns the smallest integer >= a (0 when a is not ok). */
i128 rational_ceil(rational_t a)
{
    if (!a.ok)
        return 0;
    return -s_floor_div(-a.num, a.den);
}

/* Computes floor(10 r / d) and leaves 10 r mod d in *r, for 0 <= r < d,
   by repeated addition so that nothing can overflow. */
static int s_next_digit(u128 *r, u128 d)
{
    u128 acc = 0;
    int digit = 0;
    for (int i = 0; i < 10; i++) {
        acc += *r;
        if (acc >= d) {
            acc -= d;
            digit++;
        }
    }
    *r = acc;
    return digit;
}

/* Rounds half-up (away from zero) to hundredths: 99.975 -> 9998.
   Saturates at the int64 limits; 0 when a is not ok. */
int64_t rational_centi(rational_t a)
{
    if (!a.ok)
        return 0;
    u128 d = (u128)a.den;
    u128 n = s_abs(a.num);
    u128 whole = n / d;
    u128 r = n % d;
    int tenths = s_next_digit(&r, d);
    int hundredths = s_next_digit(&r, d);
    u128 centi = (u128)tenths * 10 + (u128)hundredths;
    if (r >= d - r)
        centi++;
    if (whole > (u128)INT64_MAX / 100)
        return a.num < 0 ? INT64_MIN : INT64_MAX;
    centi += whole * 100;
    if (centi > (u128)INT64_MAX)
        return a.num < 0 ? INT64_MIN : INT64_MAX;
    return a.num < 0 ? -(int64_t)centi : (int64_t)centi;
}

/* Formats hundredths as "99.98" / "-0.05". Returns buf (>= 32 bytes). */
char *rational_centi_format(int64_t centi, char *buf, size_t size)
{
    uint64_t mag = centi < 0 ? (uint64_t)0 - (uint64_t)centi : (uint64_t)centi;
    snprintf(buf, size, "%s%llu.%02llu", centi < 0 ? "-" : "", (unsigned long long)(mag / 100),
             (unsigned long long)(mag % 100));
    return buf;
}
