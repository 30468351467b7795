/*  hubfill - fills a hub store with generated evaluations.

    Each report is built from one template (a county's yearly resident
    report), its money scaled and its scores and reported indicators moved
    by a hash of (unit, period, fund), so that rankings have spread and
    ties. It is validated and evaluated as a city would; its evaluation
    goes to the hub through hubdb_accept, a batch at a time. Errors: a bad
    spec, a report the validator refuses or a store error stop the fill
    with a message on stderr; what was committed stays.
*/
#include "hubfill.h"
#include "diag.h"
#include "evaluation.h"
#include "report.h"
#include "validate.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUBFILL_MAX_UNITS 1000

static const char *const s_funds[] = {"resident", "employee", "maternity", "dept"};

//  The template: money in fen, quantities as given.
typedef struct {
    const char *code;
    int64_t fen; //  money items; 0 for the others
    const char *text;
    const char *uom;
    const char *target;
} s_item_t;

static const s_item_t s_items[] = {
    {"balance.closing", 6971064620, NULL, "yuan", NULL},
    {"balance.opening", 8712685500, NULL, "yuan", NULL},
    {"budget.expense", 25663803948, NULL, "yuan", NULL},
    {"budget.income", 20447258577, NULL, "yuan", NULL},
    {"expense.benefit", 16347513000, NULL, "yuan", NULL},
    {"expense.benefit.inpatient", 13401367800, NULL, "yuan", NULL},
    {"expense.benefit.outpatient_chronic", 1419179700, NULL, "yuan", NULL},
    {"expense.benefit.outpatient_general", 1526965500, NULL, "yuan", NULL},
    {"expense.other", 17878200, NULL, "yuan", NULL},
    {"expense.total", 24211135800, NULL, "yuan", NULL},
    {"expense.upper_remit", 7845744600, NULL, "yuan", NULL},
    {"income.interest", 246780000, NULL, "yuan", NULL},
    {"income.other", 6175700, NULL, "yuan", NULL},
    {"income.premium", 6689905320, NULL, "yuan", NULL},
    {"income.subsidy", 11497152000, NULL, "yuan", NULL},
    {"income.subsidy.central", 6898291200, NULL, "yuan", NULL},
    {"income.subsidy.city", 1149715200, NULL, "yuan", NULL},
    {"income.subsidy.county", 1149715200, NULL, "yuan", NULL},
    {"income.subsidy.provincial", 2299430400, NULL, "yuan", NULL},
    {"income.total", 22469514920, NULL, "yuan", NULL},
    {"income.upper_grant", 4029501900, NULL, "yuan", NULL},
    {"stat.enrolled", 0, "179643", "person", NULL},
    {"stat.population", 0, "200126", "person", NULL},
    {"stat.subsidy_standard", 0, "640", "yuan", NULL},
    {"stat.contribution_standard", 0, "380", "yuan", NULL},
    {"ind.inpatient_reimbursement", 0, "74.00", "%", ">=70"},
    {"ind.outpatient_reimbursement", 0, "54.01", "%", ">=50"},
    {"ind.satisfaction", 0, "87.27", "%", ">=90"},
    {"score.policy_formulation", 0, "3", "points", NULL},
    {"score.management_system", 0, "1", "points", NULL},
    {"score.budget_management", 0, "4", "points", NULL},
    {"score.performance_management", 0, "4", "points", NULL},
    {"score.policy_execution", 0, "3", "points", NULL},
    {"score.organization", 0, "8", "points", NULL},
    {"score.financial_management", 0, "4", "points", NULL},
    {"score.fund_supervision", 0, "9", "points", NULL},
    {"score.risk_prevention", 0, "1", "points", NULL},
    {"score.contribution_policy", 0, "10", "points", NULL},
    {"score.premium_share", 0, "0", "points", NULL},
    {"score.benefit_share", 0, "1", "points", NULL},
    {"score.other_expense_share", 0, "0", "points", NULL},
    {"score.payment_timeliness", 0, "5", "points", NULL},
    {"score.honours", 0, "5", "points", NULL},
};

#define S_N_ITEMS (sizeof s_items / sizeof s_items[0])

//  What one generation keeps.
typedef struct {
    const hubfill_spec_t *spec;
    eval_cfg_t cfg;
    diag_t *diag;
    hubfill_fn *fn;
    void *arg;
} s_gen_t;

//  What one fill keeps between batches.
typedef struct {
    hubdb_t *db;
    hubfill_stats_t *stats;
    Fundchain__Evaluation **batch;
    hubdb_outcome_t *outcomes;
    size_t n, cap;
} s_fill_t;

//  Fills the defaults of the benchmark's size.
void hubfill_spec_defaults(hubfill_spec_t *spec)
{
    *spec = (hubfill_spec_t){20, 10, 2015, 10, 12, 4, 1000, 1};
}

//  Writes the code of unit u of city c.
void hubfill_code(int c, int u, char *buf)
{
    unsigned block = u > 0 ? (unsigned)(u - 1) / 99 : 0,
             county = u > 0 ? (unsigned)(u - 1) % 99 + 1 : 0;
    snprintf(buf, 7, "%02u%02u%02u", (51 + block) % 100, (unsigned)(c + 1) % 100, county % 100);
}

//  A hash of the unit, period and fund: the spread of the figures.
static uint32_t s_hash(const char *code, const char *period, const char *fund)
{
    uint32_t h = 2166136261u;
    for (const char *parts[] = {code, period, fund}, **p = parts; p < parts + 3; p++)
        for (const char *s = *p; *s; s++)
            h = (h ^ (uint8_t)*s) * 16777619u;
    return h ^ (h >> 15);
}

//  Writes one item's text, moved by the hash.
static void s_value(const s_item_t *it, uint32_t h, char *buf, size_t size)
{
    if (it->fen) {
        int64_t fen = it->fen / 100 * (80 + (int64_t)(h % 41));
        snprintf(buf, size, "%" PRId64 ".%02d", fen / 100, (int)(fen % 100));
    } else if (!strncmp(it->code, "score.", 6)) {
        int points = atoi(it->text) - (int)((h >> 8) % 2);
        snprintf(buf, size, "%d", points > 0 ? points : 0);
    } else if (!strncmp(it->code, "ind.", 4))
        snprintf(buf, size, "%d.%02d", 50 + (int)((h >> 4) % 45), (int)((h >> 12) % 100));
    else
        snprintf(buf, size, "%s", it->text);
}

//  Builds and validates the report of one unit; NULL with a message.
static report_t *s_report(s_gen_t *g, const char *code, const char *period, const char *fund)
{
    report_t *r = report_new(code, period, fund);
    uint32_t h = s_hash(code, period, fund);
    for (size_t i = 0; r && i < S_N_ITEMS; i++) {
        char value[48];
        s_value(&s_items[i], h * (uint32_t)(i + 1), value, sizeof value);
        if (report_add(r, s_items[i].code, value, s_items[i].uom, s_items[i].target, 0) != 0)
            report_destroy(&r);
    }
    diag_clear(g->diag);
    if (r && validate_report(r, code, g->cfg.fw, g->diag, NULL) != 0) {
        char why[256];
        fprintf(stderr, "hubfill: the report of %s %s %s is refused: %s\n", code, period, fund,
                diag_first_error(g->diag, why, sizeof why));
        report_destroy(&r);
    }
    return r;
}

//  Stores the batch in one transaction.
static int s_flush(s_fill_t *f)
{
    int rc = hubdb_accept(f->db, f->batch, f->n, f->outcomes);
    if (rc != 0)
        fprintf(stderr, "hubfill: cannot store %zu evaluations: %s\n", f->n,
                store_error(hubdb_store(f->db)));
    for (size_t i = 0; i < f->n; i++) {
        Fundchain__Evaluation *e = f->batch[i];
        if (rc == 0 && f->outcomes[i] == HUBDB_STORED) {
            size_t len = 0;
            uint8_t *bytes = evaluation_encode(e, &len);
            free(bytes);
            f->stats->bytes += len;
            if (e->level == FUNDCHAIN__EVALUATION__LEVEL__POOL)
                f->stats->pools++;
            else
                f->stats->units++;
        }
        evaluation_free(e);
    }
    f->n = 0;
    return rc;
}

//  Hands one evaluation (taken) to the visitor.
static int s_give(s_gen_t *g, Fundchain__Evaluation *e)
{
    if (!e) {
        fprintf(stderr, "hubfill: out of memory\n");
        return -1;
    }
    e->version = g->spec->version ? g->spec->version : 1;
    return g->fn(e, g->arg);
}

//  Evaluates the units and the pool of one city for (period, fund).
static int s_city(s_gen_t *g, int c, const char *period, const char *fund)
{
    size_t n = (size_t)g->spec->units + 1;
    report_t **reports = calloc(n, sizeof *reports);
    char(*codes)[8] = calloc(n, sizeof *codes);
    const char **known = calloc(n, sizeof *known);
    char city[8], name[32];
    hubfill_code(c, 0, city);
    snprintf(name, sizeof name, "城市%02d", c + 1);
    int rc = reports && codes && known ? 0 : -1;
    for (size_t u = 0; rc == 0 && u < n; u++) {
        char unit_name[32];
        hubfill_code(c, (int)u, codes[u]);
        known[u] = codes[u];
        snprintf(unit_name, sizeof unit_name, "县%s", codes[u]);
        reports[u] = s_report(g, codes[u], period, fund);
        rc = reports[u]
                 ? s_give(g, evaluation_unit(reports[u], city, u ? unit_name : name, &g->cfg))
                 : -1;
    }
    if (rc == 0)
        rc = s_give(g, evaluation_pool(city, name, period, fund, reports, n, known, n, &g->cfg));
    for (size_t u = 0; reports && u < n; u++)
        report_destroy(&reports[u]);
    free(reports);
    free(codes);
    free(known);
    return rc;
}

//  Checks the spec; returns 0 or -1 with a message.
static int s_check(const hubfill_spec_t *s)
{
    if (s->cities >= 1 && s->cities <= 20 && s->units >= 1 && s->units <= HUBFILL_MAX_UNITS &&
        s->first_year >= 2000 && s->years >= 1 && s->first_year + s->years <= 2100 &&
        s->months >= 1 && s->months <= 12 && s->funds >= 1 && s->funds <= 4 && s->batch <= 4096)
        return 0;
    fprintf(stderr,
            "hubfill: cities 1..20, units 1..%d, years from 2000, months 1..12, funds "
            "1..4, batch up to 4096\n",
            HUBFILL_MAX_UNITS);
    return -1;
}

//  Generates every evaluation the spec asks for.
int hubfill_each(const hubfill_spec_t *spec, hubfill_fn *fn, void *arg)
{
    if (s_check(spec) != 0)
        return -1;
    s_gen_t g = {.spec = spec, .fn = fn, .arg = arg};
    evaluation_cfg_defaults(&g.cfg);
    g.diag = diag_new();
    int rc = g.diag ? 0 : -1;
    for (int y = 0; rc == 0 && y < spec->years; y++)
        for (int m = 1; rc == 0 && m <= spec->months; m++)
            for (int k = 0; rc == 0 && k < spec->funds; k++) {
                char period[16];
                snprintf(period, sizeof period, "%04d-%02d", spec->first_year + y, m);
                for (int c = 0; rc == 0 && c < spec->cities; c++)
                    rc = s_city(&g, c, period, s_funds[k]);
            }
    diag_destroy(&g.diag);
    return rc;
}

//  Adds one evaluation to the batch (taking it); stores a full batch.
static int s_add(Fundchain__Evaluation *e, void *arg)
{
    s_fill_t *f = arg;
    f->batch[f->n++] = e;
    return f->n == f->cap ? s_flush(f) : 0;
}

//  Generates and stores every evaluation the spec asks for.
int hubfill_populate(hubdb_t *db, const hubfill_spec_t *spec, hubfill_stats_t *stats)
{
    s_fill_t f = {.db = db, .stats = stats, .cap = spec->batch ? spec->batch : 1000};
    memset(stats, 0, sizeof *stats);
    f.batch = calloc(f.cap, sizeof *f.batch);
    f.outcomes = calloc(f.cap, sizeof *f.outcomes);
    int rc = f.batch && f.outcomes ? hubfill_each(spec, s_add, &f) : -1;
    if (rc == 0 && f.n)
        rc = s_flush(&f);
    for (size_t i = 0; i < f.n; i++)
        evaluation_free(f.batch[i]);
    free(f.batch);
    free(f.outcomes);
    return rc;
}
