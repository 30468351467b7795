/*  fuzz_decimal - libFuzzer target for the exact number and period parsers.

    The input, as a string, goes through decimal_parse, decimal_parse_money (yuan
    and 万元), decimal_parse_qty (persons and 万人), target_parse, period_parse and
    period_deadline_parse. What parses must format back to text that parses to
    the same value (as long as it fits the 18 digits a decimal may have).
*/
#include "decimal.h"
#include "evaluation.h"
#include "period.h"
#include "target.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_EXACT 1000000000000000000LL /* 10^18: 18 significant digits */

static int64_t s_mag(int64_t n)
{
    return n == INT64_MIN ? INT64_MAX : n < 0 ? -n : n;
}

//  Money: formatted plainly and grouped, both must read back in yuan.
static void s_money(const char *text, int64_t fen_per_unit)
{
    int64_t fen = 0, tolerance = -1, again = 0;
    const char *why = NULL;
    if (decimal_parse_money(text, fen_per_unit, &fen, &tolerance, &why) != 0) {
        FUZZ_CHECK(why != NULL);
        return;
    }
    FUZZ_CHECK(tolerance >= 0 && tolerance < fen_per_unit);
    char buf[32], grouped[48];
    decimal_format_money(fen, buf, sizeof buf);
    decimal_format_money_grouped(fen, grouped, sizeof grouped);
    if (s_mag(fen) >= MAX_EXACT)
        return;
    FUZZ_CHECK(decimal_parse_money(buf, FEN_PER_YUAN, &again, NULL, &why) == 0 && again == fen);
    FUZZ_CHECK(decimal_parse_money(grouped, FEN_PER_YUAN, &again, NULL, &why) == 0 && again == fen);
}

//  Quantities: the shortest exact text must read back.
static void s_qty(const char *text, int64_t factor)
{
    int64_t qty = 0, again = 0;
    const char *why = NULL;
    if (decimal_parse_qty(text, factor, &qty, &why) != 0) {
        FUZZ_CHECK(why != NULL);
        return;
    }
    char buf[32];
    decimal_format_qty(qty, buf, sizeof buf);
    if (s_mag(qty) < MAX_EXACT)
        FUZZ_CHECK(decimal_parse_qty(buf, 1, &again, &why) == 0 && again == qty);
}

//  Targets: formatted back, the same target; met and shortfall agree.
static void s_target(const char *text)
{
    target_t t, again;
    const char *why = NULL;
    if (target_parse(text, &t, &why) != 0)
        return;
    char buf[96];
    target_format(&t, buf, sizeof buf);
    if (s_mag(t.lo) < MAX_EXACT && s_mag(t.hi) < MAX_EXACT) {
        FUZZ_CHECK(target_parse(buf, &again, &why) == 0);
        FUZZ_CHECK(again.op == t.op && again.lo == t.lo && again.hi == t.hi);
    }
    rational_t values[] = {rational_make(t.lo, QTY_SCALE), rational_make(t.hi, QTY_SCALE),
                           rational_make((i128)t.lo - 1, QTY_SCALE),
                           rational_make((i128)t.hi + 1, QTY_SCALE), rational_int(0)};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        bool met = target_met(&t, values[i]);
        rational_t shortfall = target_shortfall(&t, values[i]);
        FUZZ_CHECK(shortfall.ok);
        int sign = rational_cmp(shortfall, rational_int(0));
        FUZZ_CHECK(met ? sign == 0 : sign >= 0);
    }
}

//  Periods and deadlines.
static void s_period(const char *text)
{
    period_t p;
    const char *why = NULL;
    if (period_parse(text, &p, &why) == 0) {
        FUZZ_CHECK(p.year >= 1900 && p.year <= 9999);
        int months = period_months(&p);
        FUZZ_CHECK(months == 1 || months == 3 || months == 12);
        FUZZ_CHECK(period_deadline(&p, NULL) > period_deadline(&p, &(deadline_cfg_t){0, 0, 0}));
    }
    deadline_cfg_t cfg;
    period_deadline_defaults(&cfg);
    period_deadline_parse(text, &cfg, &why);
    risk_cfg_t risk;
    evaluation_risk_parse(text, &risk, &why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    int64_t mantissa = 0;
    int decimals = -1;
    const char *why = NULL;
    if (decimal_parse(text, &mantissa, &decimals, &why) == 0)
        FUZZ_CHECK(decimals >= 0 && decimals <= 18 && s_mag(mantissa) < MAX_EXACT);
    s_money(text, FEN_PER_YUAN);
    s_money(text, FEN_PER_WAN);
    s_qty(text, 1);
    s_qty(text, 10000);
    s_target(text);
    s_period(text);
    free(text);
    return 0;
}
