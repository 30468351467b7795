/*  decimal - exact decimal parsing and formatting, never through a binary float.

    A decimal is read digit by digit into an integer mantissa and a count of
    fraction digits; money and quantities are then scaled by exact integer
    multiplication and division, with every step checked for overflow.
*/
#include "decimal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DIGITS 18 /* significant digits: the mantissa stays below 10^18 */

typedef struct {
    int64_t mantissa;
    int digits;   /* significant digits read so far */
    int decimals; /* fraction digits read so far */
} s_acc_t;

/* Adds one digit to the mantissa; returns -1 when too many are significant. */
static int s_push(s_acc_t *acc, char c)
{
    if (acc->mantissa == 0 && c == '0')
        return 0;
    if (++acc->digits > MAX_DIGITS)
        return -1;
    acc->mantissa = acc->mantissa * 10 + (c - '0');
    return 0;
}

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads the integer part with optional thousands separators: a first group of
   1 to 3 digits, then groups of exactly 3 after each ','. Returns the text
   after it, or NULL with a reason. */
static const char *s_integer(const char *p, s_acc_t *acc, const char **why)
{
    int group = 0;
    bool grouped = false;
    for (; s_digit(*p) || *p == ','; p++) {
        if (*p == ',') {
            if (group == 0 || group > 3 || (grouped && group != 3)) {
                *why = "misplaced thousands separator";
                return NULL;
            }
            grouped = true;
            group = 0;
            continue;
        }
        group++;
        if (s_push(acc, *p) != 0) {
            *why = "too many digits (18 at most)";
            return NULL;
        }
    }
    if (group == 0 || (grouped && group != 3)) {
        *why = group == 0 && !grouped ? "no digits" : "misplaced thousands separator";
        return NULL;
    }
    return p;
}

/* Reads the fraction digits after '.'; returns the text after them, or NULL. */
static const char *s_fraction(const char *p, s_acc_t *acc, const char **why)
{
    if (!s_digit(*p)) {
        *why = "no digits after the decimal point";
        return NULL;
    }
    for (; s_digit(*p); p++) {
        if (s_push(acc, *p) != 0 || ++acc->decimals > MAX_DIGITS) {
            *why = "too many digits (18 at most)";
            return NULL;
        }
    }
    return p;
}

/* Parses an exact decimal: optional '-', digits with optional well-placed
   thousands separators, optional '.' and fraction digits. Returns 0, or -1
   with a static reason in *why (bad syntax, too long, overflow). */
int decimal_parse(const char *text, int64_t *mantissa, int *decimals, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    if (!text || !*text) {
        *why = "empty number";
        return -1;
    }
    s_acc_t acc = {0, 0, 0};
    bool negative = *text == '-';
    const char *p = s_integer(text + negative, &acc, why);
    if (p && *p == '.')
        p = s_fraction(p + 1, &acc, why);
    if (!p)
        return -1;
    if (*p) {
        *why = "not a number";
        return -1;
    }
    *mantissa = negative ? -acc.mantissa : acc.mantissa;
    *decimals = acc.decimals;
    return 0;
}

/* Returns 10^n for 0 <= n <= 18. */
static int64_t s_pow10(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* Returns the number of decimal places a power of ten has, or -1 when
   unit is not a power of ten. */
static int s_places(int64_t unit)
{
    int places = 0;
    for (; unit > 1 && unit % 10 == 0; unit /= 10)
        places++;
    return unit == 1 ? places : -1;
}

/* Parses money given in yuan (multiplier FEN_PER_YUAN) or 万元 (FEN_PER_WAN)
   into fen. *tolerance gets half a unit of the last decimal given, in fen,
   for 万元 figures, and 0 for yuan figures. Returns 0, or -1 with a reason
   (syntax, finer than a fen, overflow). */
int decimal_parse_money(const char *text, int64_t fen_per_unit, int64_t *fen, int64_t *tolerance,
                        const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    int64_t m;
    int d;
    int places = s_places(fen_per_unit);
    if (places < 0) {
        *why = "bad money unit";
        return -1;
    }
    if (decimal_parse(text, &m, &d, why) != 0)
        return -1;
    if (d > places) {
        *why = "finer than a fen";
        return -1;
    }
    int64_t step = fen_per_unit / s_pow10(d);
    int64_t value;
    if (__builtin_mul_overflow(m, step, &value)) {
        *why = "amount too large";
        return -1;
    }
    *fen = value;
    if (tolerance)
        *tolerance = fen_per_unit > FEN_PER_YUAN ? step / 2 : 0;
    return 0;
}

/* Parses a quantity into units of 1/QTY_SCALE after multiplying by factor
   (1 for persons, 10000 for 万人). Returns 0, or -1 with a reason
   (syntax, more decimals than kept, overflow). */
int decimal_parse_qty(const char *text, int64_t factor, int64_t *qty, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    int64_t m;
    int d;
    if (decimal_parse(text, &m, &d, why) != 0)
        return -1;
    __int128 scaled;
    if (__builtin_mul_overflow((__int128)m, (__int128)factor * QTY_SCALE, &scaled)) {
        *why = "quantity too large";
        return -1;
    }
    __int128 p = s_pow10(d);
    if (scaled % p != 0) {
        *why = "more decimals than kept (4)";
        return -1;
    }
    scaled /= p;
    if (scaled > INT64_MAX || scaled < INT64_MIN) {
        *why = "quantity too large";
        return -1;
    }
    *qty = (int64_t)scaled;
    return 0;
}

/* Returns the magnitude of n without overflow for the minimum. */
static uint64_t s_mag(int64_t n)
{
    return n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
}

/* Formats fen as yuan with exactly 2 decimals ("703250200.00", "-1.05").
   Returns buf. A buffer of 32 bytes always suffices. */
char *decimal_format_money(int64_t fen, char *buf, size_t size)
{
    uint64_t mag = s_mag(fen);
    snprintf(buf, size, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(mag / 100),
             (unsigned long long)(mag % 100));
    return buf;
}

/* Writes the digits of n with a ',' between groups of three into out. */
static void s_grouped(uint64_t n, char *out, size_t size)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t j = 0;
    for (int i = 0; i < len && j + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && j + 2 < size)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
}

/* Formats fen as yuan with thousands separators ("703,250,200.00"). Returns buf. */
char *decimal_format_money_grouped(int64_t fen, char *buf, size_t size)
{
    uint64_t mag = s_mag(fen);
    char whole[32];
    s_grouped(mag / 100, whole, sizeof whole);
    snprintf(buf, size, "%s%s.%02llu", fen < 0 ? "-" : "", whole, (unsigned long long)(mag % 100));
    return buf;
}

/* Formats a quantity (1/QTY_SCALE units) with the fewest decimals that are
   exact ("88.56", "5", "0.5"). Returns buf. */
char *decimal_format_qty(int64_t qty, char *buf, size_t size)
{
    uint64_t mag = s_mag(qty);
    uint64_t frac = mag % QTY_SCALE;
    int places = 4;
    while (places > 0 && frac % 10 == 0) {
        frac /= 10;
        places--;
    }
    if (places == 0)
        snprintf(buf, size, "%s%llu", qty < 0 ? "-" : "", (unsigned long long)(mag / QTY_SCALE));
    else
        snprintf(buf, size, "%s%llu.%0*llu", qty < 0 ? "-" : "",
                 (unsigned long long)(mag / QTY_SCALE), places, (unsigned long long)frac);
    return buf;
}
