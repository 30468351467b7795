/*  target - a comparison target such as ">=95", "<3", "=0" or "90..110".

    Used by reported indicators (their own target column) and by the rules
    of an evaluation framework. Bounds are kept exactly in 1/QTY_SCALE units.
*/
#ifndef TARGET_H_INCLUDED
#define TARGET_H_INCLUDED

#include "rational.h"
#include <stdint.h>

typedef enum {
    TARGET_NONE,
    TARGET_GE,
    TARGET_LE,
    TARGET_GT,
    TARGET_LT,
    TARGET_EQ,
    TARGET_RANGE
} target_op_t;

typedef struct {
    target_op_t op;
    int64_t lo; /* the bound (1/QTY_SCALE); for a range the lower bound */
    int64_t hi; /* for a range the upper bound (inclusive) */
} target_t;

/* Parses ">=X", "<=X", ">X", "<X", "=X" or "LO..HI"; "" gives TARGET_NONE.
   Returns 0, or -1 with a static reason in *why. */
int target_parse(const char *text, target_t *target, const char **why);

/* Returns true when the exact value meets the target (always for NONE). */
bool target_met(const target_t *target, rational_t value);

/* Returns how far the value falls short of a one-sided target (>= or >:
   bound - value; <= or <: value - bound), or 0 when met. For = and ranges
   it is the distance to the nearest bound. */
rational_t target_shortfall(const target_t *target, rational_t value);

/* Formats the target back as text (">=95", "90..110"). Returns buf. */
char *target_format(const target_t *target, char *buf, size_t size);

#endif
