/*  submit - validates CSV files and enqueues their reports. */
#include "agent.h"
#include "adcode.h"
#include "cli.h"
#include "csvimport.h"
#include "framework.h"
#include "agentdb.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (LMDB outbox)"},
    {"framework", true, false, "evaluation framework CSV for score maxima (default: built in)"},
    {NULL, false, false, NULL}};

//  Says in which encoding a file was read, when it was not plain UTF-8.
static void s_say_encoding(const char *path, const csvimport_result_t *one)
{
    if (one->encoding && (strcmp(one->encoding, "UTF-8") != 0 || one->both_valid))
        fprintf(stderr, "%s: read as %s%s\n", path, one->encoding,
                one->both_valid ? " (its bytes are valid in UTF-8 and GB18030 both)" : "");
}

//  Applies the city's rules of a report alone to every report of a file.
static int s_receivable(const csvimport_result_t *one, const char *path, diag_t *diag)
{
    int64_t now = (int64_t)time(NULL);
    int rc = 0;
    for (size_t k = 0; k < one->n_reports; k++)
        if (validate_receivable(one->reports[k], now, diag, path) != 0)
            rc = -1;
    return rc;
}

//  Moves the reports of one file, and the warnings of their validation, to
//  the end of all; returns 0, or -1 when out of memory (one is left alone).
static int s_append(csvimport_result_t *all, csvimport_result_t *one)
{
    size_t n = all->n_reports + one->n_reports;
    report_t **reports = realloc(all->reports, (n ? n : 1) * sizeof *reports);
    if (reports)
        all->reports = reports;
    diag_t **warnings = reports ? realloc(all->warnings, (n ? n : 1) * sizeof *warnings) : NULL;
    if (!warnings)
        return -1;
    all->warnings = warnings;
    for (size_t k = 0; k < one->n_reports; k++) {
        all->reports[all->n_reports] = one->reports[k];
        all->warnings[all->n_reports++] = one->warnings ? one->warnings[k] : NULL;
    }
    free(one->reports);
    free(one->warnings);
    *one = (csvimport_result_t){0};
    return 0;
}

//  Imports every file; returns 0 when all were accepted, -1 otherwise
//  (then nothing from any of them is queued, and it says so).
static int s_import_all(const opts_t *opts, const char *unit, const framework_t *fw,
                        csvimport_result_t *all)
{
    int failed = 0, n = opts_npos(opts);
    for (int i = 0; i < n; i++) {
        const char *path = opts_pos(opts, i);
        csvimport_result_t one = {0};
        diag_t *diag = diag_new();
        int rc = csvimport_file(path, unit, fw, &one, diag);
        s_say_encoding(path, &one);
        if (rc == 0 && s_receivable(&one, path, diag) != 0) {
            csvimport_result_clear(&one);
            rc = -1;
        }
        diag_print(diag, stderr);
        diag_destroy(&diag);
        if (rc != 0) {
            fprintf(stderr, "%s: rejected: nothing from this file was queued\n", path);
            failed++;
            continue;
        }
        if (s_append(all, &one) != 0) {
            fprintf(stderr, "%s: out of memory\n", path);
            csvimport_result_clear(&one);
            failed++;
        }
    }
    if (failed && n > 1)
        fprintf(stderr,
                "county-agent submit: %d of %d files rejected: nothing from any of them was "
                "queued (a submit is all or nothing)\n",
                failed, n);
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
    if (db && agentdb_enqueue(db, all.reports, all.warnings, all.n_reports) == 0) {
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
    if (!adcode_valid(unit)) {
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
