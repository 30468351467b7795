/*  validate - the rules of SPEC 2.3 for one report.

    First every item is checked and parsed (errors), then, when the report
    has no error, the identities between items are checked (warnings):
    totals against their parts, the balance identity, the subsidy standard,
    the indicators' own targets, and the codes of the reported indicators
    (unknown_indicator). Columns follow the import format:
    1 unit, 2 period, 3 fund, 4 item, 5 value, 6 unit_of_measure, 7 target.
*/
#include "validate.h"
#include "adcode.h"
#include "catalog.h"
#include "decimal.h"
#include "indicator.h"
#include "period.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { COL_UNIT = 1, COL_PERIOD, COL_FUND, COL_ITEM, COL_VALUE, COL_UOM, COL_TARGET };

typedef struct {
    report_t *report;
    const framework_t *fw;
    diag_t *diag;
    const char *file;
    size_t errors;
    int at[CATALOG_FIXED_MAX]; /* first item of each fixed entry, + 1; 0: none */
} s_ctx_t;

/* Adds a diagnostic and counts the errors. */
static void s_emit(s_ctx_t *c, diag_level_t level, const char *code, int line, int column,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void s_emit(s_ctx_t *c, diag_level_t level, const char *code, int line, int column,
                   const char *fmt, ...)
{
    char message[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    c->errors += level == DIAG_ERROR;
    diag_add(c->diag, level, code, c->file, line, column, "%s", message);
}

/* Returns the line of the report's first item, where its header fields are. */
static int s_first_line(const report_t *r)
{
    return r->n_items ? r->items[0].line : 0;
}

/* Checks the unit, period and fund of the report. */
static void s_check_header(s_ctx_t *c, const char *expected_unit)
{
    report_t *r = c->report;
    int line = s_first_line(r);
    period_t period;
    const char *why = NULL;
    if (!adcode_valid(r->unit))
        s_emit(c, DIAG_ERROR, "bad_unit", line, COL_UNIT, "unit code '%s' is not 6 digits",
               r->unit);
    else if (expected_unit && strcmp(r->unit, expected_unit) != 0)
        s_emit(c, DIAG_ERROR, "wrong_unit", line, COL_UNIT, "unit %s is not this agent's unit %s",
               r->unit, expected_unit);
    if (period_parse(r->period, &period, &why) != 0)
        s_emit(c, DIAG_ERROR, "bad_period", line, COL_PERIOD, "bad period '%s': %s", r->period,
               why);
    if (!period_fund_valid(r->fund))
        s_emit(c, DIAG_ERROR, "bad_fund", line, COL_FUND,
               "unknown fund '%s' (resident, employee, maternity or dept)", r->fund);
}

/* Writes the units of measure an entry accepts into text, for messages. */
static const char *s_allowed(const catalog_entry_t *e, char *text, size_t size)
{
    const char *all[] = {"%", "points", "months", "count", "person", "wan-person", "yuan", "wan"};
    size_t n = 0;
    text[0] = '\0';
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (catalog_uom_ok(e, all[i]))
            n += snprintf(text + n, size - n, "%s%s", n ? ", " : "", all[i]);
    return text;
}

/* Parses an item's value by its unit of measure; returns 0 or -1 with why. */
static int s_parse_value(report_item_t *item, const char **why)
{
    int64_t fen_per_unit;
    if (catalog_uom_money(item->uom, &fen_per_unit))
        return decimal_parse_money(item->value, fen_per_unit, &item->amount, &item->tolerance, why);
    item->tolerance = 0;
    return decimal_parse_qty(item->value, catalog_uom_factor(item->uom), &item->amount, why);
}

/* Returns the index of an earlier item with the same code, or -1; records
   item i as the first of a fixed entry e (NULL: not known). */
static int s_earlier(s_ctx_t *c, size_t i, const catalog_entry_t *e)
{
    int fixed = catalog_index(e);
    if (fixed >= 0) {
        int first = c->at[fixed] - 1;
        if (first < 0)
            c->at[fixed] = (int)i + 1;
        return first;
    }
    if (!e)
        return -1;
    const report_item_t *first = report_find(c->report, c->report->items[i].code);
    return first && first != &c->report->items[i] ? (int)(first - c->report->items) : -1;
}

/* Returns the (first) item of a fixed entry, or NULL when absent. */
static const report_item_t *s_item(const s_ctx_t *c, const catalog_entry_t *e)
{
    int fixed = catalog_index(e);
    return fixed >= 0 && c->at[fixed] ? &c->report->items[c->at[fixed] - 1] : NULL;
}

/* Returns the (first) item of a fixed code, or NULL when absent. */
static const report_item_t *s_item_code(const s_ctx_t *c, const char *code)
{
    return s_item(c, catalog_lookup(code));
}

/* Checks what makes an item unusable: unknown, duplicate, out of its fund,
   bad unit of measure or bad number. Returns its entry, or NULL after an error. */
static const catalog_entry_t *s_check_identity(s_ctx_t *c, size_t i)
{
    report_item_t *item = &c->report->items[i];
    const catalog_entry_t *e = catalog_lookup(item->code);
    const char *why = NULL;
    char allowed[128];
    int first = s_earlier(c, i, e);
    if (!e) {
        const char *near = catalog_suggest(item->code);
        s_emit(c, DIAG_ERROR, "unknown_item", item->line, COL_ITEM, "unknown item '%s'%s%s%s",
               item->code, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    } else if (first >= 0) {
        s_emit(c, DIAG_ERROR, "duplicate_item", item->line, COL_ITEM,
               "duplicate item %s (first given on line %d)", item->code,
               c->report->items[first].line);
    } else if (e->dept_only && strcmp(c->report->fund, "dept") != 0) {
        s_emit(c, DIAG_ERROR, "dept_item", item->line, COL_ITEM,
               "item %s %s belongs to fund dept only, not %s", item->code, e->name,
               c->report->fund);
    } else if (!catalog_uom_ok(e, item->uom)) {
        s_emit(c, DIAG_ERROR, "bad_uom", item->line, COL_UOM,
               "unit of measure '%s' not allowed for %s %s (%s)", item->uom, item->code, e->name,
               s_allowed(e, allowed, sizeof allowed));
    } else if (s_parse_value(item, &why) != 0) {
        s_emit(c, DIAG_ERROR, "bad_number", item->line, COL_VALUE, "bad number '%s' for %s: %s",
               item->value, item->code, why);
    } else {
        return e;
    }
    return NULL;
}

/* Checks a score against the maximum of its framework item. */
static void s_check_score(s_ctx_t *c, const report_item_t *item)
{
    const char *code = item->code + strlen("score.");
    const fw_item_t *fw_item = framework_find(c->fw, code);
    if (strcmp(code, "total") == 0 || !fw_item || item->amount <= fw_item->max)
        return;
    char max[32];
    s_emit(c, DIAG_ERROR, "score_above_max", item->line, COL_VALUE,
           "%s %s points above the maximum %s of %s %s", item->code, item->value,
           decimal_format_qty(fw_item->max, max, sizeof max), code, fw_item->name);
}

/* Checks the sign, the target and the score maximum of a parsed item. */
static void s_check_value(s_ctx_t *c, report_item_t *item, const catalog_entry_t *e)
{
    const char *why = NULL;
    if (item->amount < 0 && !e->negative_ok)
        s_emit(c, DIAG_ERROR, "negative", item->line, COL_VALUE, "%s %s may not be negative (%s)",
               item->code, e->name, item->value);
    if (item->target[0] && e->kind != ITEM_IND)
        s_emit(c, DIAG_ERROR, "target_not_allowed", item->line, COL_TARGET,
               "%s %s may not carry a target (only ind.* items do)", item->code, e->name);
    else if (target_parse(item->target, &item->tgt, &why) != 0)
        s_emit(c, DIAG_ERROR, "bad_target", item->line, COL_TARGET, "bad target '%s' for %s: %s",
               item->target, item->code, why);
    if (e->kind == ITEM_SCORE)
        s_check_score(c, item);
}

/* Checks and parses every item. */
/* Refuses more reported indicators or scores than any real report has:
   a pool's indicators grow with them, and the hub takes 10000 parts at most. */
static void s_check_free_counts(s_ctx_t *c)
{
    size_t n_ind = 0, n_score = 0;
    for (size_t i = 0; i < c->report->n_items; i++) {
        const char *code = c->report->items[i].code;
        n_ind += !strncmp(code, "ind.", 4);
        n_score += !strncmp(code, "score.", 6);
        if (n_ind == VALIDATE_MAX_FREE + 1 || n_score == VALIDATE_MAX_FREE + 1)
            s_emit(c, DIAG_ERROR, "too_many_items", c->report->items[i].line, COL_ITEM,
                   "more than %d %s items in one report", VALIDATE_MAX_FREE,
                   n_ind > VALIDATE_MAX_FREE ? "ind.*" : "score.*");
    }
}

static void s_check_items(s_ctx_t *c)
{
    s_check_free_counts(c);
    for (size_t i = 0; i < c->report->n_items; i++) {
        report_item_t *item = &c->report->items[i];
        item->parsed = false;
        item->amount = 0;
        item->tolerance = 0;
        item->tgt = (target_t){TARGET_NONE, 0, 0};
        const catalog_entry_t *e = s_check_identity(c, i);
        if (!e)
            continue;
        item->parsed = true;
        s_check_value(c, item, e);
    }
}

static bool s_children(const s_ctx_t *c, const catalog_entry_t *e, int64_t *sum, int64_t *tol);

/* Gets the effective amount and tolerance of an item: as given, or for a
   total given without itself, the sums over its children present. */
static bool s_effective(const s_ctx_t *c, const catalog_entry_t *e, int64_t *amount, int64_t *tol)
{
    const report_item_t *item = s_item(c, e);
    if (!item)
        return s_children(c, e, amount, tol);
    *amount = item->amount;
    *tol = item->tolerance;
    return item->parsed;
}

/* Sums the effective amounts and tolerances of the children of a total;
   returns true when at least one child is present (false on overflow). */
static bool s_children(const s_ctx_t *c, const catalog_entry_t *e, int64_t *sum, int64_t *tol)
{
    bool any = false;
    *sum = 0;
    *tol = 0;
    for (const catalog_entry_t *part = catalog_child(e, NULL); part;
         part = catalog_child(e, part)) {
        int64_t a, t;
        if (!s_effective(c, part, &a, &t))
            continue;
        if (__builtin_add_overflow(*sum, a, sum) || __builtin_add_overflow(*tol, t, tol))
            return false;
        any = true;
    }
    return any;
}

/* Returns |a - b|, or -1 when it does not fit. */
static int64_t s_gap(int64_t a, int64_t b)
{
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d) || d == INT64_MIN)
        return -1;
    return d < 0 ? -d : d;
}

/* Warns when a total given differs from the sum of its parts present. */
static void s_check_total(s_ctx_t *c, const catalog_entry_t *e)
{
    const report_item_t *item = s_item(c, e);
    int64_t sum, tol, total_tol;
    if (!item || !item->parsed || !s_children(c, e, &sum, &tol))
        return;
    int64_t gap = s_gap(item->amount, sum);
    if (gap < 0 || __builtin_add_overflow(tol, item->tolerance, &total_tol) || gap <= total_tol)
        return;
    char given[40], parts[40], diff[40];
    s_emit(c, DIAG_WARNING, "total_mismatch", item->line, COL_VALUE,
           "%s %s %s differs from the sum of its parts %s by %s", e->code, e->name,
           decimal_format_money_grouped(item->amount, given, sizeof given),
           decimal_format_money_grouped(sum, parts, sizeof parts),
           decimal_format_money_grouped(gap, diff, sizeof diff));
}

/* Warns when 三公经费 (part_code) exceeds the 公用经费 (whole_code) it is a
   part of, in dept.budget or dept.final. */
static void s_check_three_public(s_ctx_t *c, const char *part_code, const char *whole_code)
{
    const report_item_t *part = s_item_code(c, part_code);
    const report_item_t *whole = s_item_code(c, whole_code);
    if (!part || !whole || !part->parsed || !whole->parsed)
        return;
    int64_t gap;
    if (__builtin_sub_overflow(part->amount, whole->amount, &gap) ||
        gap <= part->tolerance + whole->tolerance)
        return;
    char a[40], b[40], d[40];
    s_emit(c, DIAG_WARNING, "total_mismatch", part->line, COL_VALUE,
           "%s %s %s exceeds %s %s %s it is a part of by %s", part_code,
           catalog_lookup(part_code)->name, decimal_format_money_grouped(part->amount, a, sizeof a),
           whole_code, catalog_lookup(whole_code)->name,
           decimal_format_money_grouped(whole->amount, b, sizeof b),
           decimal_format_money_grouped(gap, d, sizeof d));
}

/* Warns when closing != opening + income.total - expense.total. */
static void s_check_balance(s_ctx_t *c)
{
    int64_t open, open_t, in, in_t, out, out_t, close, close_t, expected, tol;
    if (!s_effective(c, catalog_lookup("balance.opening"), &open, &open_t) ||
        !s_effective(c, catalog_lookup("income.total"), &in, &in_t) ||
        !s_effective(c, catalog_lookup("expense.total"), &out, &out_t) ||
        !s_effective(c, catalog_lookup("balance.closing"), &close, &close_t))
        return;
    if (__builtin_add_overflow(open, in, &expected) ||
        __builtin_sub_overflow(expected, out, &expected))
        return;
    tol = open_t + in_t + out_t + close_t;
    int64_t gap = s_gap(close, expected);
    if (gap <= tol)
        return;
    char a[40], b[40], d[40];
    s_emit(c, DIAG_WARNING, "balance_identity", s_item_code(c, "balance.closing")->line, COL_VALUE,
           "balance.closing 年末滚存结余 %s differs from balance.opening + income.total - "
           "expense.total %s by %s",
           decimal_format_money_grouped(close, a, sizeof a),
           decimal_format_money_grouped(expected, b, sizeof b),
           decimal_format_money_grouped(gap, d, sizeof d));
}

/* Warns when income.subsidy differs from stat.enrolled x stat.subsidy_standard
   by more than 0.5 % of the product, in exact integer arithmetic. */
static void s_check_subsidy(s_ctx_t *c)
{
    const report_item_t *enrolled = s_item_code(c, "stat.enrolled");
    const report_item_t *standard = s_item_code(c, "stat.subsidy_standard");
    int64_t subsidy, tol;
    if (!enrolled || !standard || !enrolled->parsed || !standard->parsed ||
        !s_effective(c, catalog_lookup("income.subsidy"), &subsidy, &tol))
        return;
    /* Both sides in fen x QTY_SCALE. */
    i128 expected, given, gap, scaled_gap;
    if (__builtin_mul_overflow((i128)enrolled->amount, (i128)standard->amount, &expected) ||
        __builtin_mul_overflow((i128)subsidy, (i128)QTY_SCALE, &given) ||
        __builtin_sub_overflow(given, expected, &gap))
        return;
    gap = gap < 0 ? -gap : gap;
    i128 bound = expected < 0 ? -expected : expected;
    if (__builtin_mul_overflow(gap, (i128)200, &scaled_gap) || scaled_gap <= bound)
        return;
    int64_t expected_fen = rational_centi(rational_make(expected, (i128)QTY_SCALE * 100));
    const report_item_t *at = s_item_code(c, "income.subsidy");
    char a[40], b[40], d[40];
    s_emit(c, DIAG_WARNING, "subsidy_standard", at ? at->line : standard->line, COL_VALUE,
           "income.subsidy 财政补贴收入 %s differs from stat.enrolled x stat.subsidy_standard "
           "(%s x %s) %s by %s, more than 0.5 %%",
           decimal_format_money_grouped(subsidy, a, sizeof a), enrolled->value, standard->value,
           decimal_format_money_grouped(expected_fen, b, sizeof b),
           decimal_format_money_grouped(s_gap(subsidy, expected_fen), d, sizeof d));
}

/* Returns an item's exact value in its own unit of measure. */
static rational_t s_value_in_uom(const report_item_t *item)
{
    int64_t unit;
    if (!catalog_uom_money(item->uom, &unit))
        unit = catalog_uom_factor(item->uom) * QTY_SCALE;
    return rational_make(item->amount, unit);
}

/* Warns for every reported indicator that misses its own target. */
static void s_check_targets(s_ctx_t *c)
{
    for (size_t i = 0; i < c->report->n_items; i++) {
        const report_item_t *item = &c->report->items[i];
        if (!item->parsed || item->tgt.op == TARGET_NONE ||
            target_met(&item->tgt, s_value_in_uom(item)))
            continue;
        s_emit(c, DIAG_WARNING, "target_missed", item->line, COL_VALUE,
               "%s %s %s misses its target %s", item->code, item->value, item->uom, item->target);
    }
}

/* Warns for every reported indicator that neither the framework nor SPEC 4
   uses: most often a typo, that would make a framework item score 0. */
static void s_check_indicator_codes(s_ctx_t *c)
{
    for (size_t i = 0; i < c->report->n_items; i++) {
        const report_item_t *item = &c->report->items[i];
        const char *code = item->code + 4;
        char near[64];
        if (strncmp(item->code, "ind.", 4) != 0 || indicator_known(code, c->fw))
            continue;
        bool has_near = indicator_suggest(code, c->fw, near, sizeof near) != NULL;
        s_emit(c, DIAG_WARNING, "unknown_indicator", item->line, COL_ITEM,
               "unknown indicator %s%s%s%s: neither the framework nor SPEC 4 uses it, so it is "
               "kept but no framework item reads it",
               item->code, has_near ? " (did you mean ind." : "", has_near ? near : "",
               has_near ? "?)" : "");
    }
}

/* Checks the identities between items (warnings). */
static void s_check_identities(s_ctx_t *c)
{
    for (size_t i = 0; i < catalog_size(); i++)
        if (catalog_child(catalog_at(i), NULL))
            s_check_total(c, catalog_at(i));
    s_check_three_public(c, "dept.budget.expense.three_public", "dept.budget.expense.public");
    s_check_three_public(c, "dept.final.expense.three_public", "dept.final.expense.public");
    s_check_balance(c);
    s_check_subsidy(c);
    s_check_targets(c);
    s_check_indicator_codes(c);
}

/* Checks the header and every item (errors), then, when warnings is true
   and there is no error, the identities (warnings). */
static int s_validate(report_t *report, const char *expected_unit, const framework_t *fw,
                      diag_t *diag, const char *file, bool warnings)
{
    if (!report)
        return -1;
    s_ctx_t c = {report, fw ? fw : framework_default(), diag, file, 0, {0}};
    s_check_header(&c, expected_unit);
    s_check_items(&c);
    if (c.errors == 0 && warnings)
        s_check_identities(&c);
    return c.errors ? -1 : 0;
}

/* Parses and checks every item of the report, setting each item's amount.
   expected_unit (may be NULL) must equal the report's unit; fw (may be NULL:
   the default framework) gives score maxima. The warnings are checked only
   when there is no error. Returns 0 when there is no error, -1 otherwise. */
int validate_report(report_t *report, const char *expected_unit, const framework_t *fw,
                    diag_t *diag, const char *file)
{
    return s_validate(report, expected_unit, fw, diag, file, true);
}

/* Checks and parses like validate_report, but looks for the errors only:
   no warning is checked. Returns 0 when there is no error, -1 otherwise. */
int validate_errors(report_t *report, const char *expected_unit, const framework_t *fw,
                    diag_t *diag, const char *file)
{
    return s_validate(report, expected_unit, fw, diag, file, false);
}

/* Returns the first second (UTC) of a parsed period. */
static int64_t s_period_start(const period_t *p)
{
    struct tm tm = {0};
    tm.tm_year = p->year - 1900;
    tm.tm_mon = p->kind == PERIOD_MONTH     ? p->index - 1
                : p->kind == PERIOD_QUARTER ? (p->index - 1) * 3
                                            : 0;
    tm.tm_mday = 1;
    return (int64_t)timegm(&tm);
}

/* Checks the rules a receiver applies to a report beyond validate_report:
   its period must have begun by now, give or take VALIDATE_CLOCK_SKEW. A
   period that does not parse is left to validate_report. Errors go to diag.
   Returns 0 when there is no error, -1 otherwise. */
int validate_receivable(const report_t *report, int64_t now, diag_t *diag, const char *file)
{
    if (!report)
        return -1;
    period_t period;
    const char *why = NULL;
    if (period_parse(report->period, &period, &why) != 0)
        return 0;
    int64_t start = s_period_start(&period);
    if (start <= now + VALIDATE_CLOCK_SKEW)
        return 0;
    char day[16];
    time_t t = (time_t)start;
    struct tm tm;
    strftime(day, sizeof day, "%Y-%m-%d", gmtime_r(&t, &tm));
    diag_add(diag, DIAG_ERROR, "period_not_begun", file, s_first_line(report), COL_PERIOD,
             "period %s has not begun (it begins on %s): the city refuses it", report->period, day);
    return -1;
}
