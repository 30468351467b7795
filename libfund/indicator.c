/*  indicator - the indicators of SPEC 4 for one unit or one pool.

    Every value is an exact rational built from integer amounts (fen or
    1/QTY_SCALE units); an input that is absent, or a zero denominator, makes
    the indicator absent, never zero.
*/
#include "indicator.h"
#include "catalog.h"
#include "decimal.h"
#include "period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _indicator_set_t {
    indicator_t *items; /* sorted by code */
    size_t n;
    size_t cap;
};

static const struct {
    const char *code;
    const char *name;
    const char *unit; /* what a value is written with: "%", "元", "个月", "分" */
} s_names[] = {
    {"income_budget_rate", "收入预算完成率", "%"},
    {"expense_budget_rate", "支出预算完成率", "%"},
    {"current_balance", "当期结余", "元"},
    {"months_payable", "累计结余可支付月数", "个月"},
    {"risk_level", "基金运行风险预警", ""},
    {"premium_share", "保险费收入占基金收入比重", "%"},
    {"benefit_share", "待遇支出占基金支出比重", "%"},
    {"other_expense_share", "其他支出占基金支出比重", "%"},
    {"enrollment_rate", "参保率", "%"},
    {"interest_yield", "利息收益率", "%"},
    {"subsidy_per_capita", "人均财政补助", "元"},
    {"inpatient_reimbursement", "政策范围内住院费用报销比例", "%"},
    {"outpatient_reimbursement", "门诊费用报销比例", "%"},
    {"satisfaction", "满意度", "%"},
    {"supervision_score", "基金监管综合评价得分", "分"},
};

#define DEPT_BUDGET "dept.budget."
#define DEPT_FINAL "dept.final."

/* Creates an empty set; NULL when out of memory. */
indicator_set_t *indicator_set_new(void)
{
    return calloc(1, sizeof(indicator_set_t));
}

/* Destroys the set and nulls the pointer; safe on NULL. */
void indicator_set_destroy(indicator_set_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->items);
    free(*self_p);
    *self_p = NULL;
}

/* Returns the position of code, or where it would be inserted (*found false). */
static size_t s_search(const indicator_set_t *self, const char *code, bool *found)
{
    size_t lo = 0, hi = self->n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(code, self->items[mid].code);
        if (cmp == 0) {
            *found = true;
            return mid;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Returns the slot of code, inserting an empty one; NULL on a bad code or
   out of memory. */
static indicator_t *s_slot(indicator_set_t *self, const char *code)
{
    if (!self || !code || code[0] == '\0' || strlen(code) >= sizeof self->items[0].code)
        return NULL;
    bool found;
    size_t at = s_search(self, code, &found);
    if (found)
        return &self->items[at];
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        indicator_t *grown = realloc(self->items, cap * sizeof(indicator_t));
        if (!grown)
            return NULL;
        self->items = grown;
        self->cap = cap;
    }
    memmove(&self->items[at + 1], &self->items[at], (self->n - at) * sizeof(indicator_t));
    self->n++;
    indicator_t *slot = &self->items[at];
    memset(slot, 0, sizeof *slot);
    strcpy(slot->code, code);
    return slot;
}

/* Sets a numeric indicator; returns 0, or -1 when refused or out of memory. */
int indicator_set_put(indicator_set_t *self, const char *code, rational_t value)
{
    if (!value.ok)
        return -1;
    indicator_t *slot = s_slot(self, code);
    if (!slot)
        return -1;
    slot->value = value;
    slot->text[0] = '\0';
    return 0;
}

/* Sets a text indicator; returns 0, or -1 on a bad argument or out of memory. */
int indicator_set_put_text(indicator_set_t *self, const char *code, const char *text)
{
    if (!text || text[0] == '\0' || strlen(text) >= sizeof self->items[0].text)
        return -1;
    indicator_t *slot = s_slot(self, code);
    if (!slot)
        return -1;
    slot->value = rational_int(0);
    strcpy(slot->text, text);
    return 0;
}

/* Returns the indicator of that code, or NULL. */
const indicator_t *indicator_set_find(const indicator_set_t *self, const char *code)
{
    if (!self || !code)
        return NULL;
    bool found;
    size_t at = s_search(self, code, &found);
    return found ? &self->items[at] : NULL;
}

/* Gets the exact value of a numeric indicator; false when absent or text. */
bool indicator_set_value(const indicator_set_t *self, const char *code, rational_t *value)
{
    const indicator_t *ind = indicator_set_find(self, code);
    if (!ind || ind->text[0] != '\0')
        return false;
    *value = ind->value;
    return true;
}

/* Returns the number of indicators. */
size_t indicator_set_size(const indicator_set_t *self)
{
    return self ? self->n : 0;
}

/* Returns indicator i in code order, or NULL when out of range. */
const indicator_t *indicator_set_at(const indicator_set_t *self, size_t i)
{
    return self && i < self->n ? &self->items[i] : NULL;
}

/* Gets the exact value of a report item (money as yuan, else the quantity). */
bool indicator_item_value(const report_t *report, const char *code, rational_t *value)
{
    const report_item_t *item = report ? report_find(report, code) : NULL;
    if (!item || !item->parsed)
        return false;
    bool money = catalog_uom_money(item->uom, NULL);
    *value = rational_make(item->amount, money ? FEN_PER_YUAN : QTY_SCALE);
    return value->ok;
}

/* Adds every ind.X of the report as indicator X; returns 0, or -1 when out of memory. */
int indicator_set_add_reported(indicator_set_t *self, const report_t *report)
{
    if (!self || !report)
        return -1;
    for (size_t i = 0; i < report->n_items; i++) {
        const char *code = report->items[i].code;
        rational_t value;
        if (strncmp(code, "ind.", 4) != 0 || code[4] == '\0')
            continue;
        if (!indicator_item_value(report, code, &value))
            continue;
        if (indicator_set_put(self, code + 4, value) != 0)
            return -1;
    }
    return 0;
}

/* The amounts of one computation. */
typedef struct {
    amount_fn_t amount;
    const void *src;
    indicator_set_t *out;
    int failed; /* out of memory */
} s_calc_t;

/* Gets an amount as a 128-bit integer; false when absent. */
static bool s_get(s_calc_t *calc, const char *code, i128 *value)
{
    int64_t amount = 0;
    if (!calc->amount(calc->src, code, &amount))
        return false;
    *value = amount;
    return true;
}

/* Stores num/den when den != 0 (absent otherwise). */
static void s_put(s_calc_t *calc, const char *code, i128 num, i128 den)
{
    if (den == 0)
        return;
    rational_t value = rational_make(num, den);
    if (value.ok && indicator_set_put(calc->out, code, value) != 0)
        calc->failed = 1;
}

/* Stores scale * a / b as code when both items are present. */
static void s_ratio(s_calc_t *calc, const char *code, const char *a, const char *b, i128 scale)
{
    i128 num, den;
    if (s_get(calc, a, &num) && s_get(calc, b, &den))
        s_put(calc, code, num * scale, den);
}

/* Budget completion, current balance and the shares of the fund. */
static void s_fund_rates(s_calc_t *calc)
{
    s_ratio(calc, "income_budget_rate", "income.total", "budget.income", 100);
    s_ratio(calc, "expense_budget_rate", "expense.total", "budget.expense", 100);
    s_ratio(calc, "premium_share", "income.premium", "income.total", 100);
    s_ratio(calc, "benefit_share", "expense.benefit", "expense.total", 100);
    s_ratio(calc, "other_expense_share", "expense.other", "expense.total", 100);
    s_ratio(calc, "enrollment_rate", "stat.enrolled", "stat.population", 100);
    i128 income, expense;
    if (s_get(calc, "income.total", &income) && s_get(calc, "expense.total", &expense))
        s_put(calc, "current_balance", income - expense, FEN_PER_YUAN);
}

/* Months payable, interest yield and subsidy per capita. */
static void s_balance_rates(s_calc_t *calc, const char *period)
{
    i128 opening, closing, benefit, interest, subsidy, enrolled;
    period_t p;
    const char *why = NULL;
    bool has_closing = s_get(calc, "balance.closing", &closing);
    if (has_closing && s_get(calc, "expense.benefit", &benefit) && period &&
        period_parse(period, &p, &why) == 0)
        s_put(calc, "months_payable", closing * period_months(&p), benefit);
    if (has_closing && s_get(calc, "balance.opening", &opening) &&
        s_get(calc, "income.interest", &interest))
        s_put(calc, "interest_yield", interest * 200, opening + closing);
    if (s_get(calc, "income.subsidy", &subsidy) && s_get(calc, "stat.enrolled", &enrolled))
        s_put(calc, "subsidy_per_capita", subsidy * QTY_SCALE, enrolled * FEN_PER_YUAN);
}

/* variance.X for every X with dept.budget.X and dept.final.X. */
static void s_variances(s_calc_t *calc)
{
    size_t prefix = strlen(DEPT_BUDGET);
    for (size_t i = 0; i < catalog_size(); i++) {
        const catalog_entry_t *entry = catalog_at(i);
        if (!entry || strncmp(entry->code, DEPT_BUDGET, prefix) != 0)
            continue;
        const char *x = entry->code + prefix;
        char final[96], code[96];
        snprintf(final, sizeof final, "%s%s", DEPT_FINAL, x);
        snprintf(code, sizeof code, "variance.%s", x);
        i128 budget, actual;
        if (s_get(calc, entry->code, &budget) && s_get(calc, final, &actual))
            s_put(calc, code, (actual - budget) * 100, budget);
    }
}

/* Computes the indicators of SPEC 4 over the reported ones already in self. */
int indicator_set_compute(indicator_set_t *self, amount_fn_t amount, const void *src,
                          const char *period, const char *fund, const risk_cfg_t *risk)
{
    if (!self || !amount || !risk)
        return -1;
    s_calc_t calc = {amount, src, self, 0};
    s_fund_rates(&calc);
    s_balance_rates(&calc, period);
    if (fund && strcmp(fund, "dept") == 0)
        s_variances(&calc);
    rational_t months;
    if (indicator_set_value(self, "months_payable", &months) &&
        indicator_set_put_text(self, "risk_level", indicator_risk_level(months, risk)) != 0)
        calc.failed = 1;
    return calc.failed ? -1 : 0;
}

/* Returns true when months < bound (1/QTY_SCALE units). */
static bool s_below(rational_t months, int64_t bound)
{
    return rational_cmp(months, rational_make(bound, QTY_SCALE)) < 0;
}

/* Returns the risk level of an exact months_payable. */
const char *indicator_risk_level(rational_t months, const risk_cfg_t *risk)
{
    if (s_below(months, risk->level1))
        return "level1";
    if (s_below(months, risk->level2))
        return "level2";
    if (s_below(months, risk->level3))
        return "level3";
    if (rational_cmp(months, rational_make(risk->normal, QTY_SCALE)) <= 0)
        return "normal";
    return "excess";
}

//  Returns what a value of the indicator is written with.
const char *indicator_unit(const char *code)
{
    if (code && !strncmp(code, "variance.", 9))
        return "%";
    for (size_t i = 0; code && i < sizeof s_names / sizeof s_names[0]; i++)
        if (strcmp(code, s_names[i].code) == 0)
            return s_names[i].unit;
    return "";
}

//  Returns the Chinese name of an indicator code.
const char *indicator_name(const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        if (strcmp(code, s_names[i].code) == 0)
            return s_names[i].name;
    if (strncmp(code, "variance.", 9) == 0)
        return "差异率";
    return NULL;
}

/* Returns true when X of variance.X is a dept.budget.X item. */
static bool s_variance_known(const char *x)
{
    char budget[96];
    return strlen(x) < sizeof budget - strlen(DEPT_BUDGET) &&
           snprintf(budget, sizeof budget, "%s%s", DEPT_BUDGET, x) > 0 && catalog_lookup(budget);
}

/* Returns true when code is the metric of an item of fw before item n. */
static bool s_metric_before(const framework_t *fw, const char *code, size_t n)
{
    for (size_t i = 0; i < n && i < framework_size(fw); i++)
        if (strcmp(framework_at(fw, i)->metric, code) == 0)
            return true;
    return false;
}

/* Returns true when code is an indicator the product knows. */
bool indicator_known(const char *code, const framework_t *fw)
{
    if (!code || !*code)
        return false;
    if (indicator_name(code) && strncmp(code, "variance.", 9) != 0)
        return true;
    if (strncmp(code, "variance.", 9) == 0 && s_variance_known(code + 9))
        return true;
    fw = fw ? fw : framework_default();
    return s_metric_before(fw, code, framework_size(fw));
}

/* Writes the known indicator code nearest to code into buf; NULL when none. */
const char *indicator_suggest(const char *code, const framework_t *fw, char *buf, size_t size)
{
    if (!buf || size == 0)
        return NULL;
    buf[0] = '\0';
    catalog_near_t near;
    catalog_near_start(&near, code);
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        if (catalog_near_offer(&near, s_names[i].code))
            snprintf(buf, size, "%s", near.best);
    fw = fw ? fw : framework_default();
    for (size_t i = 0; i < framework_size(fw); i++)
        if (catalog_near_offer(&near, framework_at(fw, i)->metric))
            snprintf(buf, size, "%s", near.best);
    for (size_t i = 0; i < catalog_size(); i++) {
        const char *item = catalog_at(i)->code;
        char variance[96];
        if (strncmp(item, DEPT_BUDGET, strlen(DEPT_BUDGET)) != 0)
            continue;
        snprintf(variance, sizeof variance, "variance.%s", item + strlen(DEPT_BUDGET));
        if (catalog_near_offer(&near, variance))
            snprintf(buf, size, "%s", variance);
    }
    return near.best ? buf : NULL;
}

/* Appends ", code" (or "code" first) to buf, keeping room for ", ...";
   once one does not fit, the list ends there with ", ...". */
static void s_append(char *buf, size_t size, size_t *at, const char *code)
{
    const size_t more = strlen(", ...");
    if (*at >= size)
        return; //  full
    int n = snprintf(buf + *at, size - *at, "%s%s", *at ? ", " : "", code);
    if (n > 0 && *at + (size_t)n + more < size) {
        *at += (size_t)n;
        return;
    }
    buf[*at] = '\0';
    if (*at + more < size)
        strcat(buf, *at ? ", ..." : "...");
    *at = size;
}

/* Writes the known codes, comma separated, into buf. */
const char *indicator_list(const framework_t *fw, char *buf, size_t size)
{
    if (!buf || size == 0)
        return "";
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        s_append(buf, size, &at, s_names[i].code);
    fw = fw ? fw : framework_default();
    for (size_t i = 0; i < framework_size(fw); i++) {
        const char *metric = framework_at(fw, i)->metric;
        if (*metric && !indicator_name(metric) && !s_metric_before(fw, metric, i))
            s_append(buf, size, &at, metric);
    }
    s_append(buf, size, &at, "variance.<item>");
    return buf;
}
