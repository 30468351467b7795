/*  poolmember - one unit's part in a city pool (see poolmember.h). The
    amounts are dense, one slot per fixed catalogue entry, so that the pool
    sums them by index; the ind.* and score.* items are sorted by code (the
    first of a code kept, as report_find finds it) and found by binary
    search. Everything lives in one allocation.
*/
#include "poolmember.h"
#include "catalog.h"
#include "decimal.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *code; //  into the member's allocation
    int64_t amount;
    uint32_t at; //  its place in the report: of one code, the first is kept
    bool parsed, money;
} item_t;

struct _poolmember_t {
    char unit[8], period[16], fund[16];
    uint32_t revision;
    size_t n_fixed;
    int64_t *amounts, *tolerances;
    bool *has;
    item_t *items;
    size_t n_items;
    size_t bytes;
};

static bool s_reported(const char *code)
{
    return strncmp(code, "ind.", 4) == 0 || strncmp(code, "score.", 6) == 0;
}

static int s_by_code(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    int cmp = strcmp(x->code, y->code);
    return cmp ? cmp : (x->at < y->at ? -1 : x->at > y->at);
}

//  Copies the report's ind.* and score.* items (their codes after the
//  items), sorted by code with repeats dropped after the first.
static void s_items(poolmember_t *self, const report_t *report, char *codes)
{
    for (size_t i = 0; i < report->n_items; i++) {
        const report_item_t *item = &report->items[i];
        if (!s_reported(item->code))
            continue;
        size_t len = strlen(item->code) + 1;
        memcpy(codes, item->code, len);
        self->items[self->n_items++] = (item_t){codes, item->amount, (uint32_t)i, item->parsed,
                                                catalog_uom_money(item->uom, NULL)};
        codes += len;
    }
    qsort(self->items, self->n_items, sizeof *self->items, s_by_code);
    size_t kept = 0;
    for (size_t i = 0; i < self->n_items; i++)
        if (kept == 0 || strcmp(self->items[i].code, self->items[kept - 1].code) != 0)
            self->items[kept++] = self->items[i];
    self->n_items = kept;
}

//  Makes the member of a validated report.
poolmember_t *poolmember_new(const report_t *report)
{
    if (!report)
        return NULL;
    size_t n_fixed = catalog_size(), n_items = 0, text = 0;
    for (size_t i = 0; i < report->n_items; i++)
        if (s_reported(report->items[i].code)) {
            n_items++;
            text += strlen(report->items[i].code) + 1;
        }
    size_t bytes = sizeof(poolmember_t) + n_fixed * (2 * sizeof(int64_t) + sizeof(bool)) +
                   n_items * sizeof(item_t) + text + 16;
    poolmember_t *self = calloc(1, bytes);
    if (!self)
        return NULL;
    self->bytes = bytes;
    self->amounts = (int64_t *)(self + 1);
    self->tolerances = self->amounts + n_fixed;
    self->items = (item_t *)(self->tolerances + n_fixed);
    self->has = (bool *)(self->items + n_items);
    char *codes = (char *)(self->has + n_fixed);
    memcpy(self->unit, report->unit, sizeof self->unit);
    memcpy(self->period, report->period, sizeof self->period);
    memcpy(self->fund, report->fund, sizeof self->fund);
    self->revision = report->revision;
    self->n_fixed = n_fixed;
    for (size_t k = 0; k < n_fixed; k++) {
        const char *code = catalog_at(k)->code;
        self->has[k] = report_amount(report, code, &self->amounts[k]);
        const report_item_t *item = report_find(report, code);
        self->tolerances[k] = item ? item->tolerance : 0;
    }
    s_items(self, report, codes);
    return self;
}

//  Destroys the member.
void poolmember_destroy(poolmember_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

const char *poolmember_unit(const poolmember_t *self)
{
    return self->unit;
}

const char *poolmember_period(const poolmember_t *self)
{
    return self->period;
}

const char *poolmember_fund(const poolmember_t *self)
{
    return self->fund;
}

uint32_t poolmember_revision(const poolmember_t *self)
{
    return self->revision;
}

//  The effective amount of fixed entry k.
bool poolmember_amount(const poolmember_t *self, size_t k, int64_t *amount)
{
    if (k >= self->n_fixed || !self->has[k])
        return false;
    *amount = self->amounts[k];
    return true;
}

//  The tolerance of the item of fixed entry k as given.
int64_t poolmember_tolerance(const poolmember_t *self, size_t k)
{
    return k < self->n_fixed ? self->tolerances[k] : 0;
}

//  The value of an ind.* or score.* item.
bool poolmember_value(const poolmember_t *self, const char *code, rational_t *value)
{
    size_t lo = 0, hi = self->n_items;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(code, self->items[mid].code);
        if (cmp == 0) {
            const item_t *item = &self->items[mid];
            if (!item->parsed)
                return false;
            *value = rational_make(item->amount, item->money ? FEN_PER_YUAN : QTY_SCALE);
            return value->ok;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

size_t poolmember_items(const poolmember_t *self)
{
    return self->n_items;
}

const char *poolmember_item_code(const poolmember_t *self, size_t i)
{
    return i < self->n_items ? self->items[i].code : NULL;
}

size_t poolmember_bytes(const poolmember_t *self)
{
    return self ? self->bytes : 0;
}
