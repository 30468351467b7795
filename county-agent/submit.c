/*  submit - validates CSV files and enqueues their reports. */
#include "agent.h"
#include "adcode.h"
#include "cli.h"
#include "csvimport.h"
#include "framework.h"
#include "agentdb.h"
#include <stdio.h>
#include <stdlib.h>

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (LMDB outbox)"},
    {"framework", true, false, "evaluation framework CSV for score maxima (default: built in)"},
    {NULL, false, false, NULL}};

//  Imports every file; returns 0 when all were accepted, -1 otherwise.
static int s_import_all(const opts_t *opts, const char *unit, const framework_t *fw,
                        csvimport_result_t *all)
{
    int failed = 0;
    for (int i = 0; i < opts_npos(opts); i++) {
        const char *path = opts_pos(opts, i);
        csvimport_result_t one = {0};
        diag_t *diag = diag_new();
        int rc = csvimport_file(path, unit, fw, &one, diag);
        diag_print(diag, stderr);
        diag_destroy(&diag);
        if (rc != 0) {
            fprintf(stderr, "%s: rejected: nothing from this file was queued\n", path);
            failed = 1;
            continue;
        }
        report_t **grown = realloc(all->reports, (all->n_reports + one.n_reports) * sizeof *grown);
        if (!grown) {
            csvimport_result_clear(&one);
            failed = 1;
            continue;
        }
        all->reports = grown;
        for (size_t k = 0; k < one.n_reports; k++)
            all->reports[all->n_reports++] = one.reports[k];
        free(one.reports);
    }
    return failed ? -1 : 0;
}

static int s_submit(const opts_t *opts, const char *unit, const char *data, const framework_t *fw)
{
    csvimport_result_t all = {0};
    if (s_import_all(opts, unit, fw, &all) != 0) {
        csvimport_result_clear(&all);
        return EXIT_USAGE;
    }
    agentdb_t *db = agentdb_open(data, unit);
    int code = EXIT_RUNTIME;
    if (db && agentdb_enqueue(db, all.reports, all.n_reports) == 0) {
        for (size_t i = 0; i < all.n_reports; i++) {
            const report_t *r = all.reports[i];
            printf("queued %s %s %s revision %u\n", r->unit, r->period, r->fund, r->revision);
        }
        code = EXIT_OK;
    }
    agentdb_destroy(&db);
    csvimport_result_clear(&all);
    return code;
}

//  The submit command.
int agent_submit(int argc, char **argv)
{
    int code;
    opts_t *opts =
        cli_parse("submit", s_specs, "--unit CODE --data DIR FILE.csv...", argc, argv, &code);
    if (!opts)
        return code;
    const char *unit = opts_get(opts, "unit");
    const char *data = opts_get(opts, "data");
    const char *need[] = {"unit", "data"};
    framework_t *loaded = NULL;
    code = EXIT_USAGE;
    if (opts_require(opts, "county-agent submit", need, 2) != 0)
        goto done;
    if (!code_valid(unit)) {
        fprintf(stderr, "county-agent submit: --unit must be a 6-digit code, not '%s'\n", unit);
        goto done;
    }
    if (opts_npos(opts) == 0) {
        fprintf(stderr, "county-agent submit: no CSV file given\n");
        goto done;
    }
    if (opts_get(opts, "framework")) {
        diag_t *diag = diag_new();
        loaded = framework_load(opts_get(opts, "framework"), diag);
        diag_print(diag, stderr);
        diag_destroy(&diag);
        if (!loaded)
            goto done;
    }
    code = s_submit(opts, unit, data, loaded ? loaded : framework_default());
done:
    framework_destroy(&loaded);
    opts_destroy(&opts);
    return code;
}
