/*  cityreport - the city's printed outputs (SPEC 9.2): report, the HTML
    report of a (period, fund) with league tables and charts, and
    narrative, one unit's or the pool's self-evaluation report. Both read
    the store as pool and show do (also while run runs) into one dossier
    and write it whole to --out, or not at all.
*/
#include "adcode.h"
#include "city.h"
#include "citydb.h"
#include "citydossier.h"
#include "cityconf.h"
#include "cli.h"
#include "period.h"
#include "printout.h"
#include <stdio.h>
#include <string.h>

static const opt_spec_t s_report_specs[] = {
    {"data", true, false, "the city's data directory"},
    {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
    {"fund", true, false, "resident, employee, maternity or dept"},
    {"out", true, false, "the file to write (standard output when absent)"},
    {"format", true, false, "html (default) or json (the dossier the report is made from)"},
    {"indicator", true, false, "the indicator whose trend is drawn (default months_payable)"},
    {NULL, false, false, NULL}};

static const opt_spec_t s_narrative_specs[] = {
    {"data", true, false, "the city's data directory"},
    {"unit", true, false, "the unit's 6-digit code (the city's own code: the pool)"},
    {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
    {"fund", true, false, "resident, employee, maternity or dept"},
    {"out", true, false, "the file to write (standard output when absent)"},
    {"format", true, false, "html (default) or md"},
    {NULL, false, false, NULL}};

//  Checks the flags both commands share. Returns 0, or -1 with a message.
static int s_check(const char *command, const opts_t *opts, printout_kind_t kind)
{
    const char *need[] = {"data", "period", "fund", kind == PRINTOUT_NARRATIVE ? "unit" : NULL};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "city-aggregator %s", command);
    if (opts_require(opts, prefix, need, sizeof need / sizeof need[0]) != 0)
        return -1;
    period_t p;
    const char *why = NULL, *period = opts_get(opts, "period");
    if (period_parse(period, &p, &why) != 0) {
        fprintf(stderr, "%s: --period %s: %s\n", prefix, period, why);
        return -1;
    }
    if (!period_fund_valid(opts_get(opts, "fund"))) {
        fprintf(stderr, "%s: --fund must be resident, employee, maternity or dept\n", prefix);
        return -1;
    }
    const char *unit = opts_get(opts, "unit");
    if (unit && !adcode_valid(unit)) {
        fprintf(stderr, "%s: --unit must be a 6-digit code\n", prefix);
        return -1;
    }
    if (printout_check(kind, opts_get(opts, "format"), stderr) != 0)
        return -1;
    return 0;
}

//  Builds the dossier and writes it. Returns the exit code.
static int s_print(const opts_t *opts, printout_kind_t kind)
{
    cityconf_t conf;
    cityconf_init(&conf);
    const char *data = opts_get(opts, "data");
    citydb_t *db = citydb_open(data, NULL);
    int code = 1;
    if (db && cityconf_load(&conf, citydb_store(db)) == 0) {
        json_t *dossier =
            citydossier_build(db, &conf, opts_get(opts, "period"), opts_get(opts, "fund"),
                              opts_get(opts, "indicator"), data);
        if (dossier)
            code = printout_file(kind, dossier, opts_get(opts, "unit"), opts_get(opts, "format"),
                                 opts_get(opts, "out"));
        json_decref(dossier);
    }
    cityconf_clear(&conf);
    citydb_destroy(&db);
    return code;
}

static int s_command(const char *name, printout_kind_t kind, const opt_spec_t *specs,
                     const char *usage, int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse(name, specs, usage, argc, argv, &code);
    if (!opts)
        return code;
    code = s_check(name, opts, kind) != 0 ? EXIT_USAGE : s_print(opts, kind);
    opts_destroy(&opts);
    return code;
}

//  The report command.
int city_report(int argc, char **argv)
{
    return s_command("report", PRINTOUT_REPORT, s_report_specs,
                     "--data DIR --period P --fund F [--out FILE.html] [--format html|json] "
                     "[--indicator CODE]",
                     argc, argv);
}

//  The narrative command.
int city_narrative(int argc, char **argv)
{
    return s_command("narrative", PRINTOUT_NARRATIVE, s_narrative_specs,
                     "--data DIR --unit CODE --period P --fund F [--out FILE.html] "
                     "[--format html|md]",
                     argc, argv);
}
