/*  consolidate - the city pool of SPEC 3: sums, elimination of intra-pool
    transfers, reconciliation and completeness.
*/
#include "consolidate.h"
#include "adcode.h"
#include "catalog.h"
#include "decimal.h"
#include "poolmember.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _consolidate_t {
    char city[8];
    const poolmember_t **members; /* newest report of each unit, by unit code */
    size_t n;
    const poolmember_t *own; /* the 市本级's, or NULL */
    poolmember_t **owned;    /* made by consolidate_new from its reports */
    size_t n_owned;
    int64_t *sums; /* per catalogue entry */
    bool *has;     /* per catalogue entry: some unit contributes */
    diag_t *warnings;
    bool complete;
};

/* Head counts summed over the units (standards are not). */
static const char *s_summed_stats[] = {"stat.enrolled", "stat.population", "stat.beneficiaries"};

/* Returns true when the pool sums this catalogue entry. */
static bool s_summed(const catalog_entry_t *entry)
{
    if (entry->kind == ITEM_MONEY)
        return true;
    for (size_t i = 0; i < sizeof s_summed_stats / sizeof s_summed_stats[0]; i++)
        if (strcmp(entry->code, s_summed_stats[i]) == 0)
            return true;
    return false;
}

/* Returns the catalogue index of a code, or -1 (the catalogue's hash). */
static long s_index(const char *code)
{
    return catalog_index(catalog_lookup(code));
}

/* Returns true when the member's item is an intra-pool transfer. */
static bool s_eliminated(const consolidate_t *self, const poolmember_t *member,
                         const catalog_entry_t *entry)
{
    bool own = strcmp(poolmember_unit(member), self->city) == 0;
    return (entry->pool_role == POOL_COUNTY_INTRA && !own) ||
           (entry->pool_role == POOL_CITY_INTRA && own);
}

/* Adds amount to entry k; an overflow makes the entry absent for good. */
static void s_add(consolidate_t *self, long k, int64_t amount, bool *broken)
{
    if (__builtin_add_overflow(self->sums[k], amount, &self->sums[k]))
        broken[k] = true;
    self->has[k] = true;
}

/* Takes an eliminated amount out of every total the entry is part of. */
static void s_take_out(consolidate_t *self, const catalog_entry_t *entry, int64_t amount,
                       bool *broken)
{
    for (const char *parent = entry->parent; parent;) {
        long k = s_index(parent);
        if (k < 0)
            break;
        if (self->has[k] && __builtin_sub_overflow(self->sums[k], amount, &self->sums[k]))
            broken[k] = true;
        parent = catalog_at((size_t)k)->parent;
    }
}

/* Sums every item over the members, then eliminates intra-pool transfers. */
static void s_sum(consolidate_t *self, bool *broken)
{
    size_t n = catalog_size();
    for (size_t k = 0; k < n; k++) {
        const catalog_entry_t *entry = catalog_at(k);
        for (size_t m = 0; s_summed(entry) && m < self->n; m++) {
            int64_t amount;
            if (!s_eliminated(self, self->members[m], entry) &&
                poolmember_amount(self->members[m], k, &amount))
                s_add(self, (long)k, amount, broken);
        }
    }
    for (size_t k = 0; k < n; k++) {
        const catalog_entry_t *entry = catalog_at(k);
        for (size_t m = 0; entry->pool_role != POOL_KEEP && m < self->n; m++) {
            int64_t amount;
            if (s_eliminated(self, self->members[m], entry) &&
                poolmember_amount(self->members[m], k, &amount))
                s_take_out(self, entry, amount, broken);
        }
    }
    for (size_t k = 0; k < n; k++)
        if (broken[k])
            self->has[k] = false;
}

/* One side of a reconciliation: a sum, its tolerance, whether reported. */
typedef struct {
    i128 sum;
    i128 tolerance;
    bool reported;
} s_side_t;

/* Adds a member's item to one side of a reconciliation. */
static void s_side_add(s_side_t *side, const poolmember_t *member, const char *code)
{
    int64_t amount;
    long k = s_index(code);
    if (k < 0 || !poolmember_amount(member, (size_t)k, &amount))
        return;
    side->sum += amount;
    side->tolerance += poolmember_tolerance(member, (size_t)k);
    side->reported = true;
}

/* Returns a sum clamped to the int64 range (for messages only). */
static int64_t s_clamp(i128 sum)
{
    return sum > INT64_MAX ? INT64_MAX : sum < INT64_MIN ? INT64_MIN : (int64_t)sum;
}

/* Compares the counties' county_code with the 市本级's city_code. */
static void s_reconcile(consolidate_t *self, const char *county_code, const char *city_code)
{
    s_side_t counties = {0, 0, false}, own = {0, 0, false};
    for (size_t m = 0; m < self->n; m++) {
        if (self->members[m] == self->own)
            s_side_add(&own, self->members[m], city_code);
        else
            s_side_add(&counties, self->members[m], county_code);
    }
    i128 diff = counties.sum - own.sum;
    if (diff < 0)
        diff = -diff;
    if (!(counties.reported || own.reported) || diff <= counties.tolerance + own.tolerance)
        return;
    char a[48], b[48];
    decimal_format_money_grouped(s_clamp(counties.sum), a, sizeof a);
    decimal_format_money_grouped(s_clamp(own.sum), b, sizeof b);
    diag_add(self->warnings, DIAG_WARNING, "transfer_unreconciled", self->city, 0, 0,
             "the counties' %s total %s yuan but the 市本级's %s is %s yuan", county_code, a,
             city_code, b);
}

/* Returns true when a member reported for unit code (the members are in
   unit order: a binary search). */
static bool s_reported(const consolidate_t *self, const char *code)
{
    size_t lo = 0, hi = self->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(code, poolmember_unit(self->members[mid]));
        if (cmp == 0)
            return true;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* Marks the pool complete, or lists the known units that did not report. */
static void s_completeness(consolidate_t *self, const char *const *known, size_t n_known)
{
    char missing[400] = "";
    size_t n_missing = 0, len = 0;
    for (size_t i = 0; i < n_known; i++) {
        const char *code = known[i];
        if (!code || s_reported(self, code))
            continue;
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; j++)
            repeated = known[j] && strcmp(known[j], code) == 0;
        if (repeated)
            continue;
        n_missing++;
        if (len + strlen(code) + 3 < sizeof missing)
            len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s",
                                    n_missing > 1 ? ", " : "", code);
    }
    self->complete = n_missing == 0;
    if (!self->complete)
        diag_add(self->warnings, DIAG_WARNING, "pool_incomplete", self->city, 0, 0,
                 "%zu known unit(s) have not reported: %s", n_missing, missing);
}

/* A member with its place among those given, for s_select's sort. */
typedef struct {
    const poolmember_t *member;
    size_t at;
} s_ranked_t;

/* Orders by unit code, then the highest revision first, then as given. */
static int s_by_unit_newest(const void *a, const void *b)
{
    const s_ranked_t *x = a, *y = b;
    int cmp = strcmp(poolmember_unit(x->member), poolmember_unit(y->member));
    if (cmp)
        return cmp;
    uint32_t rx = poolmember_revision(x->member), ry = poolmember_revision(y->member);
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Keeps the newest member of each unit of the city for period and fund
   (of one revision given twice, the first): sorted by unit, the first of
   each unit kept. Returns 0, or -1 when out of memory. */
static int s_select(consolidate_t *self, const char *period, const char *fund,
                    const poolmember_t *const *members, size_t n_members)
{
    s_ranked_t *ranked = calloc(n_members ? n_members : 1, sizeof *ranked);
    if (!ranked)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < n_members; i++) {
        const poolmember_t *r = members[i];
        if (r && strcmp(poolmember_period(r), period) == 0 &&
            strcmp(poolmember_fund(r), fund) == 0 && adcode_in_city(poolmember_unit(r), self->city))
            ranked[n++] = (s_ranked_t){r, i};
    }
    qsort(ranked, n, sizeof *ranked, s_by_unit_newest);
    for (size_t m = 0; m < n; m++)
        if (self->n == 0 || strcmp(poolmember_unit(ranked[m].member),
                                   poolmember_unit(self->members[self->n - 1])) != 0)
            self->members[self->n++] = ranked[m].member;
    free(ranked);
    for (size_t m = 0; m < self->n; m++)
        if (strcmp(poolmember_unit(self->members[m]), self->city) == 0)
            self->own = self->members[m];
    return 0;
}

/* Consolidates the members of city for period and fund. */
consolidate_t *consolidate_new_members(const char *city, const char *period, const char *fund,
                                       const poolmember_t *const *members, size_t n_members,
                                       const char *const *known, size_t n_known)
{
    if (!city || !period || !fund || (n_members && !members) || (n_known && !known) ||
        strlen(city) >= sizeof((consolidate_t *)0)->city)
        return NULL;
    consolidate_t *self = calloc(1, sizeof(consolidate_t));
    if (!self)
        return NULL;
    strcpy(self->city, city);
    size_t n = catalog_size();
    bool *broken = calloc(n, sizeof(bool));
    self->members = calloc(n_members ? n_members : 1, sizeof *self->members);
    self->sums = calloc(n, sizeof(int64_t));
    self->has = calloc(n, sizeof(bool));
    self->warnings = diag_new();
    if (!broken || !self->members || !self->sums || !self->has || !self->warnings) {
        free(broken);
        consolidate_destroy(&self);
        return NULL;
    }
    if (s_select(self, period, fund, members, n_members) != 0) {
        free(broken);
        consolidate_destroy(&self);
        return NULL;
    }
    s_sum(self, broken);
    free(broken);
    s_completeness(self, known, n_known);
    s_reconcile(self, "expense.upper_remit", "income.lower_remit");
    s_reconcile(self, "income.upper_grant", "expense.lower_grant");
    return self;
}

/* Consolidates the reports of city for period and fund, through members
   made of them (owned by the pool). */
consolidate_t *consolidate_new(const char *city, const char *period, const char *fund,
                               report_t *const *reports, size_t n_reports, const char *const *known,
                               size_t n_known)
{
    if (n_reports && !reports)
        return NULL;
    poolmember_t **owned = calloc(n_reports ? n_reports : 1, sizeof *owned);
    size_t n = 0;
    bool ok = owned != NULL;
    for (size_t i = 0; ok && i < n_reports; i++)
        if (reports[i])
            ok = (owned[n++] = poolmember_new(reports[i])) != NULL;
    consolidate_t *self =
        ok ? consolidate_new_members(city, period, fund, (const poolmember_t *const *)owned, n,
                                     known, n_known)
           : NULL;
    if (self) {
        self->owned = owned;
        self->n_owned = n;
        return self;
    }
    for (size_t i = 0; owned && i < n; i++)
        poolmember_destroy(&owned[i]);
    free(owned);
    return NULL;
}

/* Destroys the pool and nulls the pointer; safe on NULL. */
void consolidate_destroy(consolidate_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    consolidate_t *self = *self_p;
    for (size_t i = 0; i < self->n_owned; i++)
        poolmember_destroy(&self->owned[i]);
    free(self->owned);
    free(self->members);
    free(self->sums);
    free(self->has);
    diag_destroy(&self->warnings);
    free(self);
    *self_p = NULL;
}

/* Gets the consolidated amount of a money item or a summed head count. */
bool consolidate_amount(const consolidate_t *self, const char *code, int64_t *amount)
{
    if (!self || !code)
        return false;
    long k = s_index(code);
    if (k < 0 || !self->has[k])
        return false;
    *amount = self->sums[k];
    return true;
}

/* The enrollment-weighted mean of the counties' values of one item. */
typedef struct {
    rational_t weighted; /* sum of weight x value */
    rational_t plain;    /* sum of values */
    i128 weights;
    size_t count;
    bool all_weighted;
} s_mean_t;

/* Adds one county's value to the mean. */
static void s_mean_add(s_mean_t *mean, const poolmember_t *county, rational_t value)
{
    int64_t enrolled;
    long k = s_index("stat.enrolled");
    if (k >= 0 && poolmember_amount(county, (size_t)k, &enrolled) && enrolled > 0) {
        mean->weighted = rational_add(mean->weighted, rational_mul(value, rational_int(enrolled)));
        mean->weights += enrolled;
    } else
        mean->all_weighted = false;
    mean->plain = rational_add(mean->plain, value);
    mean->count++;
}

/* Gets the pool's value of a reported item (ind.X, score.X). */
bool consolidate_reported(const consolidate_t *self, const char *code, rational_t *value)
{
    if (!self || !code || !value)
        return false;
    if (self->own && poolmember_value(self->own, code, value))
        return true;
    s_mean_t mean = {rational_int(0), rational_int(0), 0, 0, true};
    for (size_t m = 0; m < self->n; m++) {
        rational_t one;
        if (self->members[m] != self->own && poolmember_value(self->members[m], code, &one))
            s_mean_add(&mean, self->members[m], one);
    }
    if (mean.count == 0)
        return false;
    if (mean.all_weighted)
        *value = rational_div(mean.weighted, rational_make(mean.weights, 1));
    else
        *value = rational_div(mean.plain, rational_int((int64_t)mean.count));
    return value->ok;
}

/* Adds every ind.X reported in the pool as indicator X with its pool value. */
int consolidate_add_reported(const consolidate_t *self, indicator_set_t *ind)
{
    if (!self || !ind)
        return -1;
    for (size_t m = 0; m < self->n; m++) {
        const poolmember_t *r = self->members[m];
        for (size_t i = 0; i < poolmember_items(r); i++) {
            const char *code = poolmember_item_code(r, i);
            rational_t value;
            if (strncmp(code, "ind.", 4) != 0 || code[4] == '\0' ||
                indicator_set_find(ind, code + 4))
                continue;
            if (consolidate_reported(self, code, &value) &&
                indicator_set_put(ind, code + 4, value) != 0)
                return -1;
        }
    }
    return 0;
}

/* Returns the number of units that reported. */
size_t consolidate_size(const consolidate_t *self)
{
    return self ? self->n : 0;
}

/* Returns the code of reporting unit i, in code order, or NULL. */
const char *consolidate_unit_at(const consolidate_t *self, size_t i)
{
    return self && i < self->n ? poolmember_unit(self->members[i]) : NULL;
}

/* Returns true when every known unit reported. */
bool consolidate_complete(const consolidate_t *self)
{
    return self && self->complete;
}

/* Returns the pool's findings. */
const diag_t *consolidate_warnings(const consolidate_t *self)
{
    return self ? self->warnings : NULL;
}
