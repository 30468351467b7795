/*  target - a comparison target such as ">=95", "<3", "=0" or "90..110".

    Bounds are parsed exactly with decimal_parse_qty (1/QTY_SCALE units) and compared
    with exact rational values, so that 94.995 never meets ">=95".
*/
#include "target.h"
#include "decimal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *text;
    target_op_t op;
} s_ops[] = {
    {">=", TARGET_GE}, {"<=", TARGET_LE}, {">", TARGET_GT}, {"<", TARGET_LT}, {"=", TARGET_EQ},
};

/* Parses a range "LO..HI" with LO <= HI; returns 0 or -1 with a reason. */
static int s_range(const char *text, target_t *t, const char **why)
{
    const char *dots = strstr(text, "..");
    char lo[48];
    size_t n = dots ? (size_t)(dots - text) : 0;
    if (!dots || n >= sizeof lo) {
        *why = dots ? "target bound too long" : "not a target (>=X, <=X, >X, <X, =X or LO..HI)";
        return -1;
    }
    memcpy(lo, text, n);
    lo[n] = '\0';
    if (decimal_parse_qty(lo, 1, &t->lo, why) != 0 ||
        decimal_parse_qty(dots + 2, 1, &t->hi, why) != 0)
        return -1;
    if (t->lo > t->hi) {
        *why = "range with LO above HI";
        return -1;
    }
    t->op = TARGET_RANGE;
    return 0;
}

/* Parses ">=X", "<=X", ">X", "<X", "=X" or "LO..HI"; "" gives TARGET_NONE.
   Returns 0, or -1 with a static reason in *why. */
int target_parse(const char *text, target_t *target, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    target_t t = {TARGET_NONE, 0, 0};
    if (!text || !*text) {
        *target = t;
        return 0;
    }
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops[0]; i++) {
        size_t n = strlen(s_ops[i].text);
        if (strncmp(text, s_ops[i].text, n) == 0) {
            if (decimal_parse_qty(text + n, 1, &t.lo, why) != 0)
                return -1;
            t.op = s_ops[i].op;
            t.hi = t.lo;
            *target = t;
            return 0;
        }
    }
    if (s_range(text, &t, why) != 0)
        return -1;
    *target = t;
    return 0;
}

static rational_t s_bound(int64_t b)
{
    return rational_make(b, QTY_SCALE);
}

/* Returns true when the exact value meets the target (always for NONE;
   never for a value that is not ok). */
bool target_met(const target_t *target, rational_t value)
{
    if (!target || target->op == TARGET_NONE)
        return true;
    if (!value.ok)
        return false;
    int lo = rational_cmp(value, s_bound(target->lo));
    switch (target->op) {
    case TARGET_GE:
        return lo >= 0;
    case TARGET_LE:
        return lo <= 0;
    case TARGET_GT:
        return lo > 0;
    case TARGET_LT:
        return lo < 0;
    case TARGET_EQ:
        return lo == 0;
    case TARGET_RANGE:
        return lo >= 0 && rational_cmp(value, s_bound(target->hi)) <= 0;
    default:
        return true;
    }
}

/* Returns how far the value falls short of a one-sided target (>= or >:
   bound - value; <= or <: value - bound), or 0 when met. For = and ranges
   it is the distance to the nearest bound. */
rational_t target_shortfall(const target_t *target, rational_t value)
{
    if (target_met(target, value))
        return rational_int(0);
    rational_t lo = rational_sub(s_bound(target->lo), value);
    rational_t hi = rational_sub(value, s_bound(target->hi));
    switch (target->op) {
    case TARGET_GE:
    case TARGET_GT:
        return lo;
    case TARGET_LE:
    case TARGET_LT:
        return hi;
    default:
        /* Outside a range (or off an =): one of the two is positive. */
        return rational_cmp(lo, rational_int(0)) > 0 ? lo : hi;
    }
}

/* Formats the target back as text (">=95", "90..110"); "" for NONE. Returns buf. */
char *target_format(const target_t *target, char *buf, size_t size)
{
    char lo[32], hi[32];
    if (!target || target->op == TARGET_NONE) {
        snprintf(buf, size, "%s", "");
        return buf;
    }
    decimal_format_qty(target->lo, lo, sizeof lo);
    if (target->op == TARGET_RANGE) {
        snprintf(buf, size, "%s..%s", lo, decimal_format_qty(target->hi, hi, sizeof hi));
        return buf;
    }
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops[0]; i++)
        if (s_ops[i].op == target->op)
            snprintf(buf, size, "%s%s", s_ops[i].text, lo);
    return buf;
}
