/*  evalcost - the CPU a city spends evaluating a round of dirty pairs: a
    temporary city store is filled with PAIRS (period, fund) pairs of UNITS
    units each (the first report of --csv, copied to every unit and pair),
    then each of ROUNDS rounds stores a new revision of every report (not
    timed) and times cityeval_take and cityeval_queue over all the pairs.

        evalcost --csv FILE --data DIR [--pairs N] [--units U] [--rounds R]
                 [--changed K]

    With --changed, the rounds are the evaluator's (incremental): a first
    round, not timed, evaluates every unit, then each timed round stores a
    new revision of K units of each pair only, so that it shows what a pair
    costs when few of its units changed. It prints one line:
        pairs N units U changed K take X us/pair Y us/evaluation queue Z us/pair
    and exits 0; 1 when the store or a round failed, 2 on bad usage.
*/
#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "csvimport.h"
#include "opts.h"
#include "report.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {
    {"csv", true, false, "a CSV file whose first report is copied"},
    {"data", true, false, "a data directory for the city's LMDB (created)"},
    {"pairs", true, false, "(period, fund) pairs (default 10)"},
    {"units", true, false, "units per pair, at most 100 (default 100)"},
    {"rounds", true, false, "timed rounds (default 5)"},
    {"changed", true, false, "units of each pair a timed round changes (default: all)"},
    {NULL, false, false, NULL}};

static double s_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

//  Loads the first report of the CSV file. NULL on error.
static report_t *s_load(const char *csv)
{
    csvimport_result_t result = {0};
    diag_t *diag = diag_new();
    report_t *report = NULL;
    if (diag && csvimport_file(csv, "513322", NULL, &result, diag) == 0 && result.n_reports > 0) {
        report = result.reports[0];
        result.reports[0] = NULL;
    } else if (diag)
        diag_print(diag, stderr);
    csvimport_result_clear(&result);
    diag_destroy(&diag);
    return report;
}

//  Stores revision rev of every unit of every pair. Returns 0 or -1.
static int s_fill(citydb_t *db, const report_t *model, size_t pairs, size_t units, uint32_t rev)
{

    report_t **batch = calloc(units, sizeof *batch);
    citydb_outcome_t *outcomes = calloc(units, sizeof *outcomes);
    int rc = batch && outcomes ? 0 : -1;
    for (size_t p = 0; rc == 0 && p < pairs; p++) {
        for (size_t u = 0; rc == 0 && u < units; u++) {
            if (!(batch[u] = report_dup(model)))
                rc = -1;
            else {
                snprintf(batch[u]->unit, sizeof batch[u]->unit, "5133%02u", (unsigned)(u % 100));
                snprintf(batch[u]->period, sizeof batch[u]->period, "%04u-%02u",
                         (unsigned)(2000 + p / 12 % 1000), (unsigned)(p % 12 + 1));
                batch[u]->revision = rev;
            }
        }
        if (rc == 0)
            rc = citydb_accept(db, batch, units, (int64_t)time(NULL), outcomes, NULL);
        for (size_t u = 0; u < units; u++)
            report_destroy(&batch[u]);
    }
    free(batch);
    free(outcomes);
    return rc;
}

//  Runs the rounds and prints the figures. Returns the exit code.
static int s_run(citydb_t *db, const cityconf_t *conf, const report_t *model, size_t pairs,
                 size_t units, size_t rounds, size_t changed)
{
    double take = 0, queue = 0;
    size_t evals = 0, taken = 0;
    cityeval_round_t round = {.max_pairs = pairs,
                              .max_reports = 2 * pairs * (units + 1) + 1,
                              .incremental = changed < units};
    if (round.incremental &&
        (s_fill(db, model, pairs, units, 1) != 0 || cityeval_take(db, conf, &round) != (int)pairs ||
         cityeval_queue(db, &round) != 0))
        return 1;
    cityeval_round_clear(&round);
    for (size_t r = 0; r < rounds; r++) {
        if (s_fill(db, model, pairs, changed, (uint32_t)(r + 2)) != 0)
            return 1;
        double t0 = s_cpu();
        int n = cityeval_take(db, conf, &round);
        double t1 = s_cpu();
        if (n != (int)pairs || cityeval_queue(db, &round) != 0) {
            fprintf(stderr, "evalcost: the round took %d pairs or failed\n", n);
            return 1;
        }
        double t2 = s_cpu();
        take += t1 - t0;
        queue += t2 - t1;
        taken += (size_t)n;
        for (size_t i = 0; i < round.n; i++)
            evals += round.pairs[i].n;
        cityeval_round_clear(&round);
    }
    cityeval_round_free(&round);
    printf("pairs %zu units %zu changed %zu take %.1f us/pair %.2f us/evaluation queue %.1f "
           "us/pair\n",
           pairs, units, changed, take * 1e6 / (double)taken, take * 1e6 / (double)evals,
           queue * 1e6 / (double)taken);
    return 0;
}

int main(int argc, char **argv)
{
    zsys_init();
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    if (!opts)
        return 2;
    size_t pairs = opts_get(opts, "pairs") ? strtoul(opts_get(opts, "pairs"), NULL, 10) : 10;
    size_t units = opts_get(opts, "units") ? strtoul(opts_get(opts, "units"), NULL, 10) : 100;
    size_t rounds = opts_get(opts, "rounds") ? strtoul(opts_get(opts, "rounds"), NULL, 10) : 5;
    size_t changed =
        opts_get(opts, "changed") ? strtoul(opts_get(opts, "changed"), NULL, 10) : units;
    int code = 2;
    cityconf_t conf;
    cityconf_init(&conf);
    snprintf(conf.city, sizeof conf.city, "513300");
    citydb_t *db = NULL;
    report_t *model = NULL;
    if (!opts_get(opts, "csv") || !opts_get(opts, "data") || !pairs || pairs > 10000 || !units ||
        units > 100 || !rounds || !changed || changed > units) {
        fprintf(stderr, "usage: evalcost --csv FILE --data DIR [--pairs N] [--units U] "
                        "[--rounds R] [--changed K]\n");
        goto done;
    }
    code = 1;
    if ((model = s_load(opts_get(opts, "csv"))) &&
        (db = citydb_open(opts_get(opts, "data"), conf.city)))
        code = s_run(db, &conf, model, pairs, units, rounds, changed);
done:
    citydb_destroy(&db);
    report_destroy(&model);
    cityconf_clear(&conf);
    opts_destroy(&opts);
    return code;
}
