/*  hubcost - the cost of the hub's rank and show, in CPU time of this
    process (CLOCK_PROCESS_CPUTIME_ID), on a hub store it fills first
    (hubfill) unless --no-fill: as the benchmark measures them.

        hubcost --data DIR [--cities 20] [--units 10] [--years 10]
                [--months 12] [--funds 4] [--calls 2000] [--no-fill]

    It prints one line a question, e.g.
        rank city   2019-06 resident  rows 20    12.3 us/call
    Exit code: 0 when it ran, 2 on bad usage, 1 when the store or a
    question failed.
*/
#include "hubdb.h"
#include "hubfill.h"
#include "hubquery.h"
#include "opts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {
    {"data", true, false, "the hub store to fill and query (created)"},
    {"cities", true, false, "cities (default 20)"},
    {"units", true, false, "counties a city (default 10)"},
    {"years", true, false, "years from 2015 (default 10)"},
    {"months", true, false, "months a year (default 12)"},
    {"funds", true, false, "funds (default 4)"},
    {"calls", true, false, "calls of each question (default 2000)"},
    {"no-fill", false, false, "query the store as it is"},
    {NULL, false, false, NULL}};

static double s_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double s_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

//  Times one question over calls calls; prints the cost. Returns 0 or -1.
static int s_time(hubdb_t *db, const char *what, const hubquery_t *q, long calls)
{
    char *out = NULL;
    size_t len = 0;
    int rc = 0;
    double start = s_cpu_us();
    for (long i = 0; rc == 0 && i < calls; i++) {
        FILE *o = open_memstream(&out, &len);
        rc = o && (!strcmp(what, "show") ? hubquery_show(db, q, o, stderr)
                                         : hubquery_rank(db, q, o, stderr)) == 0
                 ? 0
                 : -1;
        if (o)
            fclose(o);
        if (i + 1 < calls) {
            free(out);
            out = NULL;
        }
    }
    double us = (s_cpu_us() - start) / (double)calls;
    size_t rows = 0;
    for (const char *p = out; p && *p; p++)
        rows += *p == '\n';
    const char *fmt[] = {"table", "csv", "json"};
    printf("%-4s %-7s %-6s %s %-9s lines %-5zu %9.1f us/call\n", what,
           q->level ? q->level : q->unit, fmt[q->format], q->period, q->fund, rows, us);
    free(out);
    return rc;
}

//  Fills the store as the flags say; prints what it took.
static int s_fill(hubdb_t *db, const opts_t *opts, hubfill_spec_t *spec)
{
    long v;
    const char *flags[] = {"cities", "units", "years", "months", "funds"};
    int *fields[] = {&spec->cities, &spec->units, &spec->years, &spec->months, &spec->funds};
    for (int i = 0; i < 5; i++) {
        if (opts_number(opts, flags[i], 1, 1000, &v) < 0)
            return -1;
        if (opts_has(opts, flags[i]))
            *fields[i] = (int)v;
    }
    if (opts_has(opts, "no-fill"))
        return 0;
    hubfill_stats_t stats;
    double start = s_wall_s();
    if (hubfill_populate(db, spec, &stats) != 0)
        return -1;
    printf("filled %zu unit and %zu pool evaluations (%.1f MB encoded) in %.1f s\n", stats.units,
           stats.pools, (double)stats.bytes / 1e6, s_wall_s() - start);
    return 0;
}

int main(int argc, char **argv)
{
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    long calls = 2000;
    if (!opts || !opts_get(opts, "data") || opts_number(opts, "calls", 1, 10000000, &calls) < 0) {
        fprintf(stderr, "usage: hubcost --data DIR [--cities N] [--units N] [--years N] "
                        "[--months N] [--funds N] [--calls N] [--no-fill]\n");
        opts_destroy(&opts);
        return 2;
    }
    hubfill_spec_t spec;
    hubfill_spec_defaults(&spec);
    hubdb_t *db = hubdb_open(opts_get(opts, "data"), "510000");
    int rc = db ? s_fill(db, opts, &spec) : -1;
    char period[24], city[8], county[8];
    snprintf(period, sizeof period, "%04d-%02d", (spec.first_year + spec.years / 2) % 10000,
             ((spec.months + 1) / 2) % 100);
    hubfill_code(spec.cities / 2, 0, city);
    hubfill_code(spec.cities / 2, spec.units / 2 + 1, county);
    hubquery_t qs[] = {{period, "resident", "city", NULL, NULL, FORMAT_TABLE},
                       {period, "resident", "county", NULL, NULL, FORMAT_TABLE},
                       {period, "resident", "county", NULL, NULL, FORMAT_JSON},
                       {period, "resident", "county", "months_payable", NULL, FORMAT_CSV},
                       {period, "resident", NULL, NULL, city, FORMAT_TABLE},
                       {period, "resident", NULL, NULL, county, FORMAT_JSON}};
    for (size_t i = 0; rc == 0 && i < sizeof qs / sizeof qs[0]; i++)
        rc = s_time(db, qs[i].unit ? "show" : "rank", &qs[i], calls);
    hubdb_destroy(&db);
    opts_destroy(&opts);
    return rc == 0 ? 0 : 1;
}
