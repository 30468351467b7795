/*  query - the city's read-only commands: pool, show and status. They read
    the LMDB that run writes, and work while it runs.
*/
#include "adcode.h"
#include "city.h"
#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "cli.h"
#include "evalview.h"
#include "linkwatch.h"
#include "outfile.h"
#include "period.h"
#include "xlsx.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_eval_specs[] = {
    {"data", true, false, "the city's data directory"},
    {"unit", true, false, "the unit's 6-digit code (show only)"},
    {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
    {"fund", true, false, "resident, employee, maternity or dept"},
    {"format", true, false, "table (default), csv, json or xlsx (a workbook: needs --out)"},
    {"out", true, false, "the file to write (whole or not at all) instead of standard output"},
    {NULL, false, false, NULL}};

typedef struct {
    opts_t *opts;
    citydb_t *db;
    cityconf_t conf;
    format_t format;
    outfile_t *out; //  the text formats' output (standard output without --out)
} query_t;

//  Parses the options and opens the store. Returns true when the command
//  goes on; false with *code the exit code when it must stop (EXIT_OK after
//  --help or --version).
static bool s_open(query_t *q, const char *command, const opt_spec_t *specs, const char *usage,
                   int argc, char **argv, int *code)
{
    memset(q, 0, sizeof *q);
    cityconf_init(&q->conf);
    q->format = FORMAT_TABLE;
    q->opts = cli_parse(command, specs, usage, argc, argv, code);
    if (!q->opts)
        return false;
    *code = EXIT_USAGE;
    bool status = !strcmp(command, "status"), show = !strcmp(command, "show");
    const char *need[] = {"data", show ? "unit" : NULL, status ? NULL : "period",
                          status ? NULL : "fund"};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "city-aggregator %s", command);
    if (opts_require(q->opts, prefix, need, sizeof need / sizeof need[0]) != 0)
        return false;
    const char *format = opts_get(q->opts, "format");
    if (format && table_format_parse_query(format, &q->format) != 0) {
        fprintf(stderr, "city-aggregator %s: --format must be table, csv, json or xlsx\n", command);
        return false;
    }
    if (q->format == FORMAT_XLSX && !opts_get(q->opts, "out")) {
        fprintf(stderr, "city-aggregator %s: --format xlsx needs --out FILE\n", command);
        return false;
    }
    *code = EXIT_RUNTIME;
    if (q->format != FORMAT_XLSX && !(q->out = outfile_new(opts_get(q->opts, "out"))))
        return false;
    q->db = citydb_open(opts_get(q->opts, "data"), NULL);
    if (!q->db || cityconf_load(&q->conf, citydb_store(q->db)) != 0)
        return false;
    *code = EXIT_OK;
    return true;
}

//  Puts the text output in place when the command succeeded; returns the
//  exit code.
static int s_finish(query_t *q, int code)
{
    if (!q->out)
        return code;
    if (code != EXIT_OK) {
        outfile_destroy(&q->out);
        return code;
    }
    return outfile_commit(&q->out) == 0 ? code : EXIT_RUNTIME;
}

static void s_close(query_t *q)
{
    outfile_destroy(&q->out);
    cityconf_clear(&q->conf);
    citydb_destroy(&q->db);
    opts_destroy(&q->opts);
}

//  Checks --period and --fund; returns 0 or -1 with a message.
static int s_period_fund(const query_t *q, const char *command, const char **period,
                         const char **fund)
{
    *period = opts_need(q->opts, "period");
    *fund = opts_need(q->opts, "fund");
    if (!*period || !*fund)
        return -1;
    period_t p;
    const char *why = NULL;
    if (period_parse(*period, &p, &why) != 0) {
        fprintf(stderr, "city-aggregator %s: --period %s: %s\n", command, *period, why);
        return -1;
    }
    if (!period_fund_valid(*fund)) {
        fprintf(stderr,
                "city-aggregator %s: --fund must be resident, employee, maternity or dept\n",
                command);
        return -1;
    }
    return 0;
}

//  Prints an evaluation, or writes its workbook.
static int s_print(query_t *q, Fundchain__Evaluation *eval, const char *command, const char *what)
{
    if (!eval) {
        fprintf(stderr, "%s: nothing reported\n", what);
        return EXIT_RUNTIME;
    }
    int rc;
    if (q->format == FORMAT_XLSX) {
        char program[64];
        snprintf(program, sizeof program, "city-aggregator %s", command);
        xlsx_about_t about = {program, "市", opts_get(q->opts, "data")};
        json_t *doc = evalview_json(eval);
        rc = doc ? xlsx_write_eval(doc, &about, opts_get(q->opts, "out")) : -1;
        json_decref(doc);
    } else
        rc = evalview_print(eval, q->format, outfile_stream(q->out));
    evaluation_free(eval);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

//  The pool command.
int city_pool(int argc, char **argv)
{
    query_t q;
    const char *period, *fund;
    int code;
    if (s_open(&q, "pool", s_eval_specs, "--data DIR --period P --fund F [--format F] [--out FILE]",
               argc, argv, &code)) {
        if (s_period_fund(&q, "pool", &period, &fund) != 0)
            code = EXIT_USAGE;
        else {
            char what[64];
            snprintf(what, sizeof what, "pool %s %s %s", q.conf.city, period, fund);
            code =
                s_finish(&q, s_print(&q, cityeval_pool(q.db, &q.conf, period, fund), "pool", what));
        }
    }
    s_close(&q);
    return code;
}

//  The show command.
int city_show(int argc, char **argv)
{
    query_t q;
    const char *period, *fund;
    int code;
    if (s_open(&q, "show", s_eval_specs,
               "--data DIR --unit CODE --period P --fund F [--format F] [--out FILE]", argc, argv,
               &code)) {
        const char *unit = opts_need(q.opts, "unit");
        if (!unit || s_period_fund(&q, "show", &period, &fund) != 0)
            code = EXIT_USAGE;
        else if (!adcode_valid(unit)) {
            fprintf(stderr, "city-aggregator show: --unit must be a 6-digit code\n");
            code = EXIT_USAGE;
        } else {
            char what[64];
            snprintf(what, sizeof what, "unit %s %s %s", unit, period, fund);
            code = s_finish(
                &q, s_print(&q, cityeval_unit(q.db, &q.conf, unit, period, fund), "show", what));
        }
    }
    s_close(&q);
    return code;
}

/* ---- status ---------------------------------------------------------- */

static const opt_spec_t s_status_specs[] = {
    {"data", true, false, "the city's data directory"},
    {"format", true, false, "table (default), csv, json or xlsx (a workbook: needs --out)"},
    {"out", true, false, "the file to write (whole or not at all) instead of standard output"},
    {NULL, false, false, NULL}};

typedef struct {
    query_t *q;
    json_t *reports;
    json_t *pairs; //  "period|fund" -> true, in order of first appearance
} status_t;

static char *s_iso(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "invalid"); //  a damaged record, never written so
    return buf;
}

static int s_status_report(const Fundchain__StoredReport *stored, void *arg)
{
    status_t *s = arg;
    const Fundchain__Report *r = stored->report;
    period_t p;
    const char *why;
    bool on_time = period_parse(r->period, &p, &why) == 0 &&
                   stored->first_received_at <= (int64_t)period_deadline(&p, &s->q->conf.deadline);
    char when[32], pair[64];
    json_array_append_new(s->reports, json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "unit", r->unit,
                                                "period", r->period, "fund", r->fund, "revision",
                                                (json_int_t)r->revision, "received_at",
                                                s_iso(stored->first_received_at, when, sizeof when),
                                                "on_time", on_time));
    snprintf(pair, sizeof pair, "%s|%s", r->period, r->fund);
    json_object_set_new(s->pairs, pair, json_true());
    return 0;
}

static json_t *s_pool_status(query_t *q, const char *period, const char *fund)
{
    Fundchain__Evaluation *pool = cityeval_pool(q->db, &q->conf, period, fund);
    if (!pool)
        return NULL;
    json_t *missing = json_array(), *warnings = json_array();
    char(*codes)[8] = NULL;
    int n = cityeval_known(q->db, &q->conf, fund, &codes);
    for (int i = 0; i < n; i++) {
        bool reported = false;
        for (size_t k = 0; k < pool->n_units && !reported; k++)
            reported = !strcmp(pool->units[k], codes[i]);
        if (!reported)
            json_array_append_new(missing, json_string(codes[i]));
    }
    free(codes);
    for (size_t i = 0; i < pool->n_warnings; i++)
        json_array_append_new(warnings, json_pack("{s:s, s:s}", "code", pool->warnings[i]->code,
                                                  "message", pool->warnings[i]->message));
    json_t *doc = json_pack("{s:s, s:s, s:b, s:o, s:o}", "period", period, "fund", fund, "complete",
                            pool->complete, "missing", missing, "warnings", warnings);
    evaluation_free(pool);
    return doc;
}

//  The evaluation lag: the pairs waiting to be evaluated, and for how long
//  the oldest has waited (null when none, or none says since when).
static json_t *s_lag_json(query_t *q)
{
    size_t pairs = 0;
    int64_t age_ms = -1;
    if (citydb_lag(q->db, &pairs, &age_ms) != 0)
        return NULL;
    return json_pack("{s:I, s:o}", "dirty_pairs", (json_int_t)pairs, "oldest_dirty_s",
                     age_ms >= 0 ? json_real((double)age_ms / 1000.0) : json_null());
}

//  Adds who approved each report and each pool (SPEC 9.3).
static void s_status_approvals(query_t *q, json_t *reports, json_t *pools)
{
    size_t i;
    json_t *r;
    json_array_foreach(reports, i, r)
    {
        Fundchain__Review *review = NULL;
        citydb_review_get(q->db, json_string_value(json_object_get(r, "period")),
                          json_string_value(json_object_get(r, "fund")),
                          json_string_value(json_object_get(r, "unit")), &review);
        json_object_set_new(r, "approval", evalview_approval_json(review));
        fundchain__review__free_unpacked(review, NULL);
    }
    json_array_foreach(pools, i, r)
    {
        Fundchain__Review *review = NULL;
        citydb_review_get(q->db, json_string_value(json_object_get(r, "period")),
                          json_string_value(json_object_get(r, "fund")), citydb_pool_key(q->db),
                          &review);
        json_object_set_new(r, "approval", evalview_approval_json(review));
        fundchain__review__free_unpacked(review, NULL);
    }
}

static json_t *s_status_json(query_t *q)
{
    status_t s = {q, json_array(), json_object()};
    json_t *pools = json_array();
    if (citydb_each(q->db, NULL, NULL, s_status_report, &s) != 0) {
        json_decref(s.reports);
        json_decref(s.pairs);
        json_decref(pools);
        return NULL;
    }
    const char *pair;
    json_t *unused;
    json_object_foreach(s.pairs, pair, unused)
    {
        char period[16] = "", fund[16] = "";
        sscanf(pair, "%15[^|]|%15s", period, fund);
        json_t *p = s_pool_status(q, period, fund);
        if (p)
            json_array_append_new(pools, p);
    }
    json_decref(s.pairs);
    s_status_approvals(q, s.reports, pools);
    json_t *doc = json_pack("{s:s, s:s, s:o, s:o}", "city", q->conf.city, "name", q->conf.name,
                            "reports", s.reports, "pools", pools);
    json_t *lag = doc ? s_lag_json(q) : NULL;
    if (!lag) {
        json_decref(doc);
        return NULL;
    }
    json_object_set_new(doc, "evaluation", lag);
    linkwatch_condition_t link;
    if (linkwatch_load(citydb_store(q->db), &link) == 0)
        json_object_set_new(doc, "link", linkwatch_json(&link));
    return doc;
}

//  Prints the evaluation lag: what waits to be evaluated, and since when.
static void s_print_lag(json_t *doc, FILE *out)
{
    json_t *lag = json_object_get(doc, "evaluation");
    json_int_t n = json_integer_value(json_object_get(lag, "dirty_pairs"));
    json_t *age = json_object_get(lag, "oldest_dirty_s");
    if (n == 0)
        fprintf(out, "\nevaluation: up to date (no changed period waits)\n");
    else if (json_is_real(age))
        fprintf(out, "\nevaluation: %lld changed periods wait, the oldest for %.1f s\n",
                (long long)n, json_real_value(age));
    else
        fprintf(out, "\nevaluation: %lld changed periods wait\n", (long long)n);
}

//  Prints the link to the hub as city-aggregator run last saw it, if any.
static void s_print_link(query_t *q, FILE *out)
{
    linkwatch_condition_t link;
    char text[3 * LINKWATCH_TEXT_MAX];
    if (linkwatch_load(citydb_store(q->db), &link) != 0)
        return;
    linkwatch_describe(&link, text, sizeof text);
    fprintf(out, "\n%s\n", text);
}

static int s_status_table(json_t *doc, format_t format, FILE *out)
{
    static const char *rh[] = {"unit",     "name",        "period", "fund",
                               "revision", "received_at", "on_time"};
    table_t *t = table_new(rh, 7);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "reports"), i, r)
    {
        char rev[16];
        snprintf(rev, sizeof rev, "%lld",
                 (long long)json_integer_value(json_object_get(r, "revision")));
        const char *cells[] = {json_string_value(json_object_get(r, "unit")),
                               json_string_value(json_object_get(r, "name")),
                               json_string_value(json_object_get(r, "period")),
                               json_string_value(json_object_get(r, "fund")),
                               rev,
                               json_string_value(json_object_get(r, "received_at")),
                               json_is_true(json_object_get(r, "on_time")) ? "yes" : "late"};
        table_add(t, cells);
    }
    int rc = table_print(t, format, out);
    table_destroy(&t);
    static const char *ph[] = {"period", "fund", "complete", "missing", "warnings"};
    t = table_new(ph, 5);
    json_array_foreach(json_object_get(doc, "pools"), i, r)
    {
        char *missing = json_dumps(json_object_get(r, "missing"), JSON_COMPACT);
        char codes[512] = "";
        size_t k;
        json_t *w;
        json_array_foreach(json_object_get(r, "warnings"), k, w)
        {
            size_t used = strlen(codes);
            snprintf(codes + used, sizeof codes - used, "%s%s", k ? " " : "",
                     json_string_value(json_object_get(w, "code")));
        }
        const char *cells[] = {json_string_value(json_object_get(r, "period")),
                               json_string_value(json_object_get(r, "fund")),
                               json_is_true(json_object_get(r, "complete")) ? "yes" : "no", missing,
                               codes};
        table_add(t, cells);
        free(missing);
    }
    if (rc == 0) {
        fputc('\n', out);
        rc = table_print(t, format, out);
    }
    table_destroy(&t);
    return rc;
}

//  Prints the status document in the format, or writes its workbook.
static int s_status_print(query_t *q, json_t *doc)
{
    if (q->format == FORMAT_XLSX) {
        xlsx_about_t about = {"city-aggregator status", "市", opts_get(q->opts, "data")};
        return xlsx_write_city_status(doc, &about, opts_get(q->opts, "out")) == 0 ? EXIT_OK
                                                                                  : EXIT_RUNTIME;
    }
    FILE *out = outfile_stream(q->out);
    int rc = q->format == FORMAT_JSON ? json_dumpf(doc, out, EVALVIEW_JSON_FLAGS)
                                      : s_status_table(doc, q->format, out);
    if (rc == 0 && q->format != FORMAT_JSON) {
        s_print_lag(doc, q->format == FORMAT_TABLE ? out : stderr);
        s_print_link(q, q->format == FORMAT_TABLE ? out : stderr);
    }
    if (q->format == FORMAT_JSON)
        fputc('\n', out);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

//  The status command.
int city_status(int argc, char **argv)
{
    query_t q;
    int code;
    if (s_open(&q, "status", s_status_specs, "--data DIR [--format F] [--out FILE]", argc, argv,
               &code)) {
        json_t *doc = s_status_json(&q);
        code = EXIT_RUNTIME;
        if (doc) {
            size_t i;
            json_t *r;
            json_array_foreach(json_object_get(doc, "reports"), i, r)
                json_object_set_new(r, "name",
                                    json_string(cityconf_unit_name(
                                        &q.conf, json_string_value(json_object_get(r, "unit")))));
            code = s_finish(&q, s_status_print(&q, doc));
        }
        json_decref(doc);
    }
    s_close(&q);
    return code;
}
