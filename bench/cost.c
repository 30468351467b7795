/*  cost - query costs (see cost.h). The hub store is filled one (period,
    fund) a transaction. CPU time is this thread's (CLOCK_THREAD_CPUTIME_ID)
    over repeated calls whose output goes to /dev/null. A store that cannot
    be filled, or a query that does not answer 0, fails the measure.
*/
#include "cost.h"
#include "evaluation.h"
#include "hubquery.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COST_CITIES 20
#define COST_FIRST_YEAR 2014

static const char *s_funds[] = {"resident", "employee", "maternity", "dept"};

typedef struct {
    int cities, units, years, funds;
    int first; //  the units are PPCC<first>..: 1, counties only; 0, the city's own code too
    long stored;
} hubsize_t;

//  Stores every city's units and pool for one (period, fund). Returns 0 or -1.
static int s_fill_pair(bench_t *bench, hubdb_t *db, hubsize_t *size, const char *period,
                       const char *fund)
{
    size_t n = (size_t)size->cities * (size_t)(size->units + 1), k = 0;
    Fundchain__Evaluation **evals = calloc(n, sizeof *evals);
    hubdb_outcome_t *outcomes = calloc(n, sizeof *outcomes);
    char(*codes)[8] = calloc((size_t)(size->units + size->first), 8);
    char(*units)[8] = codes ? codes + size->first : NULL;
    for (int c = 0; evals && outcomes && units && c < size->cities; c++) {
        char city[8];
        snprintf(city, sizeof city, "51%02d00", (c + 1) % 100);
        bench_city_units(city, codes, (size_t)(size->units + size->first));
        for (int u = 0; u < size->units; u++)
            evals[k++] = msgs_eval(bench->msgs, city, units[u], period, fund);
        evals[k++] = msgs_pool(bench->msgs, city, period, fund, units, (size_t)size->units);
    }
    bool built = k == n;
    for (size_t i = 0; built && i < n; i++)
        built = evals[i] != NULL;
    int rc = built && hubdb_accept(db, evals, n, outcomes) == 0 ? 0 : -1;
    for (size_t i = 0; evals && i < k; i++)
        evaluation_free(evals[i]);
    free(evals), free(outcomes), free(codes);
    size->stored += rc == 0 ? (long)n : 0;
    return rc;
}

//  Makes and fills a hub store of the given size. Returns it, or NULL.
static hubdb_t *s_fill(bench_t *bench, hubsize_t *size)
{
    char *dir = bench_path(bench, "hubcost-%d", bench_seq(bench));
    hubdb_t *db = hubdb_open(dir, "510000");
    free(dir);
    int rc = db ? 0 : -1;
    for (int y = 0; rc == 0 && y < size->years; y++)
        for (int m = 1; rc == 0 && m <= 12; m++)
            for (int f = 0; rc == 0 && f < size->funds; f++) {
                char period[16];
                snprintf(period, sizeof period, "%04d-%02d", COST_FIRST_YEAR + y, m);
                rc = s_fill_pair(bench, db, size, period, s_funds[f]);
            }
    if (rc != 0) {
        bench_fail(bench, "cost: cannot fill the hub store");
        hubdb_destroy(&db);
    }
    return db;
}

//  Returns this thread's CPU time in microseconds.
static double s_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

//  Returns the CPU microseconds of one query (the mean of reps), or NAN.
static double s_time(hubdb_t *db, const hubquery_t *q, bool rank, int reps)
{
    FILE *null = fopen("/dev/null", "w");
    int rc = null ? 0 : -1;
    double t0 = s_cpu_us();
    for (int i = 0; rc == 0 && i < reps; i++)
        rc = rank ? hubquery_rank(db, q, null, null) : hubquery_show(db, q, null, null);
    double us = (s_cpu_us() - t0) / reps;
    if (null)
        fclose(null);
    return rc == 0 ? us : NAN;
}

//  Adds a row of one query's cost; a query that fails is a failure.
static void s_row(bench_t *bench, const char *section, const char *what, double us, double limit_us,
                  const char *note)
{
    if (isnan(us) || us <= 0)
        bench_fail(bench, "cost: %s did not answer", what);
    char target[48];
    results_add(bench->results, section, what, us, "us CPU", NAN, NAN,
                limit_us > 0 ? bench_verdict(target, sizeof target, "< 1000 us", us < limit_us)
                             : NULL,
                note);
}

int cost_measure(bench_t *self)
{
    hubsize_t size =
        self->smoke ? (hubsize_t){2, 3, 1, 2, 1, 0} : (hubsize_t){COST_CITIES, 10, 10, 4, 1, 0};
    hubdb_t *db = s_fill(self, &size);
    if (!db)
        return -1;
    int reps = self->smoke ? 5 : 200;
    char note[128];
    snprintf(note, sizeof note,
             "hub of %d cities x %d counties x %d years x 12 months x %d funds "
             "(%ld evaluations)",
             size.cities, size.units, size.years, size.funds, size.stored);
    char period[16];
    snprintf(period, sizeof period, "%04d-06", COST_FIRST_YEAR + size.years - 1);
    hubquery_t q = {.period = period, .fund = "resident", .level = "city", .by = "total"};
    s_row(self, "cost", "rank, city level", s_time(db, &q, true, reps), 1000, note);
    q.level = "county";
    s_row(self, "cost", "rank, county level", s_time(db, &q, true, reps), 1000, note);
    q.unit = "510101";
    s_row(self, "cost", "show, a county", s_time(db, &q, false, reps), 0, note);
    q.unit = "510100";
    s_row(self, "cost", "show, a city's pool", s_time(db, &q, false, reps), 0, note);
    hubdb_destroy(&db);
    return 0;
}

int cost_growth(bench_t *self)
{
    static const int full[] = {10, 100}, smoke[] = {10};
    int n = self->smoke ? 1 : 2;
    for (int i = 0; i < n; i++) {
        int units = self->smoke ? smoke[i] : full[i];
        hubsize_t size = {self->smoke ? 2 : COST_CITIES, units, 1, 1, units < 100, 0};
        hubdb_t *db = s_fill(self, &size);
        if (!db)
            return -1;
        hubquery_t q = {.period = "2014-06", .fund = "resident", .level = "county", .by = "total"};
        char what[64], note[96];
        snprintf(what, sizeof what, "rank, county level, %d units a city", units);
        snprintf(note, sizeof note, "%d cities; the hub holds this one (period, fund) only",
                 size.cities);
        s_row(self, "growth", what, s_time(db, &q, true, self->smoke ? 5 : 200), 0, note);
        hubdb_destroy(&db);
    }
    results_note(self->results, "growth", "rank, county level, 1,000 units a city",
                 "cannot exist: a city has at most 100 unit codes (PPCC00-PPCC99)");
    return 0;
}
