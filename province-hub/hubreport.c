/*  hubreport - checks a report or narrative question, builds the hub's
    dossier and hands it to printout, which writes it.
*/
#include "hubreport.h"
#include "adcode.h"
#include "cli.h"
#include "hub.h"
#include "outfile.h"
#include "hubdossier.h"
#include "period.h"
#include "printout.h"
#include <string.h>

//  Checks the question. Returns 0, or -1 with a message on err.
static int s_check(const Fundchain__Query *q, printout_kind_t kind, FILE *err)
{
    period_t p;
    const char *why = "missing";
    if (!q->period || !*q->period || period_parse(q->period, &p, &why) != 0) {
        fprintf(err, "--period %s: %s\n", q->period ? q->period : "", why);
        return -1;
    }
    if (!q->fund || !period_fund_valid(q->fund)) {
        fprintf(err, "--fund must be resident, employee, maternity or dept\n");
        return -1;
    }
    if (kind == PRINTOUT_NARRATIVE && (!q->unit || !adcode_valid(q->unit))) {
        fprintf(err, "--unit must be a 6-digit code\n");
        return -1;
    }
    const char *format = q->format && *q->format ? q->format : NULL;
    return printout_check(kind, format, err);
}

//  Answers a report or narrative question.
int hubreport_answer(hubdb_t *db, const Fundchain__Query *q, const char *source, FILE *out,
                     FILE *err)
{
    printout_kind_t kind =
        q->kind == FUNDCHAIN__QUERY__KIND__NARRATIVE ? PRINTOUT_NARRATIVE : PRINTOUT_REPORT;
    if (s_check(q, kind, err) != 0)
        return 2;
    char code[64] = "", name[256] = "";
    store_meta_text(hubdb_store(db), "store.owner", code, sizeof code);
    store_meta_text(hubdb_store(db), "hub.name", name, sizeof name);
    hubdossier_about_t about = {code,
                                *name ? name : code,
                                q->period,
                                q->fund,
                                q->indicator && *q->indicator ? q->indicator : NULL,
                                source};
    json_t *dossier = hubdossier_build(db, &about, err);
    if (!dossier)
        return 1;
    int rc = printout_write(kind, dossier, q->unit, q->format && *q->format ? q->format : NULL, out,
                            err);
    json_decref(dossier);
    return rc;
}

/* ---- the report and narrative commands ------------------------------- */

#define S_REMOTE_SPECS                                                                             \
    {"data", true, false, "the hub's data directory"},                                             \
        {"query", true, false, "a remote hub's query endpoint (instead of --data)"},               \
        {"query-pub", true, false, "the remote hub's public key file"},                            \
        {"key", true, false,                                                                       \
         "your secret key file (its public key in the hub's allow directory)"},                    \
        {"insecure", false, false, "plain text to a loopback hub"},                                \
        {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},                                       \
        {"fund", true, false, "resident, employee, maternity or dept"},                            \
    {                                                                                              \
        "out", true, false, "the file to write (standard output when absent)"                      \
    }

static const opt_spec_t s_report_specs[] = {
    S_REMOTE_SPECS,
    {"format", true, false, "html (default) or json (the dossier the report is made from)"},
    {"indicator", true, false, "the indicator whose trend is drawn (default months_payable)"},
    {NULL, false, false, NULL}};

static const opt_spec_t s_narrative_specs[] = {
    S_REMOTE_SPECS,
    {"unit", true, false, "a county code, or a city code for its pool"},
    {"format", true, false, "html (default) or md"},
    {NULL, false, false, NULL}};

//  Answers from the local store into out.
static int s_local(const opts_t *opts, const Fundchain__Query *q, FILE *out)
{
    hubdb_t *db = hubdb_open(opts_get(opts, "data"), NULL);
    if (!db)
        return EXIT_RUNTIME;
    int code = hubreport_answer(db, q, opts_get(opts, "data"), out, stderr);
    hubdb_destroy(&db);
    return code;
}

//  Checks the question, then answers it into --out, whole or not at all.
static int s_answer(const opts_t *opts, Fundchain__Query *q)
{
    printout_kind_t kind =
        q->kind == FUNDCHAIN__QUERY__KIND__NARRATIVE ? PRINTOUT_NARRATIVE : PRINTOUT_REPORT;
    if (s_check(q, kind, stderr) != 0)
        return EXIT_USAGE;
    outfile_t *out = outfile_new(opts_get(opts, "out"));
    if (!out)
        return EXIT_RUNTIME;
    int code = opts_get(opts, "data") ? s_local(opts, q, outfile_stream(out))
                                      : hub_remote(opts, q, outfile_stream(out));
    if (code != EXIT_OK)
        outfile_destroy(&out);
    else if (outfile_commit(&out) != 0)
        code = EXIT_RUNTIME;
    return code;
}

static int s_command(const char *name, Fundchain__Query__Kind kind, const char *usage, int argc,
                     char **argv)
{
    int code;
    const opt_spec_t *specs =
        kind == FUNDCHAIN__QUERY__KIND__NARRATIVE ? s_narrative_specs : s_report_specs;
    opts_t *opts = cli_parse(name, specs, usage, argc, argv, &code);
    if (!opts)
        return code;
    Fundchain__Query q = FUNDCHAIN__QUERY__INIT;
    q.kind = kind;
    q.period = (char *)opts_get(opts, "period");
    q.fund = (char *)opts_get(opts, "fund");
    q.unit = (char *)opts_get(opts, "unit");
    q.format = (char *)opts_get(opts, "format");
    q.indicator = (char *)opts_get(opts, "indicator");
    const char *need[] = {"period", "fund",
                          kind == FUNDCHAIN__QUERY__KIND__NARRATIVE ? "unit" : NULL};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "province-hub %s", name);
    bool data = opts_get(opts, "data"), query = opts_get(opts, "query");
    if (opts_require(opts, prefix, need, sizeof need / sizeof need[0]) != 0)
        code = EXIT_USAGE;
    else if (data == query) {
        fprintf(stderr, "%s: give either --data DIR or --query ENDPOINT\n", prefix);
        code = EXIT_USAGE;
    } else
        code = s_answer(opts, &q);
    opts_destroy(&opts);
    return code;
}

//  The report command.
int hub_report(int argc, char **argv)
{
    return s_command("report", FUNDCHAIN__QUERY__KIND__REPORT,
                     "--data DIR | --query ENDPOINT --query-pub FILE --key FILE --period P "
                     "--fund F [--out FILE.html] [--format html|json] [--indicator CODE]",
                     argc, argv);
}

//  The narrative command.
int hub_narrative(int argc, char **argv)
{
    return s_command("narrative", FUNDCHAIN__QUERY__KIND__NARRATIVE,
                     "--data DIR | --query ENDPOINT ... --unit CODE --period P --fund F "
                     "[--out FILE.html] [--format html|md]",
                     argc, argv);
}
