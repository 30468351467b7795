/*  hubhistory - province-hub history: every version of one evaluation the
    hub stored (a city's pool for a city code, else a county's), oldest
    first, with when the hub stored it and what changed from the version
    before: each item, indicator and score (old -> new), the total, the
    grade, the units and the approval, so that an auditor sees every
    figure that ever reached the province. Reads the LMDB that run writes,
    while it runs.
*/
#include "adcode.h"
#include "cli.h"
#include "evalview.h"
#include "hub.h"
#include "hubdb.h"
#include "period.h"
#include "table.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {
    {"data", true, false, "the hub's data directory"},
    {"unit", true, false, "a county code, or a city code for its pool"},
    {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
    {"fund", true, false, "resident, employee, maternity or dept"},
    {"format", true, false, "table (default), csv or json"},
    {NULL, false, false, NULL}};

typedef struct {
    json_t *entries;
    json_t *last; //  the previous version's evalview_json
} trail_t;

//  Appends the changes of one member (a map, or a value) between versions.
static void s_diff_map(json_t *changes, const char *section, json_t *old, json_t *now)
{
    const char *key;
    json_t *v;
    char field[160];
    json_object_foreach(now, key, v)
    {
        json_t *was = old ? json_object_get(old, key) : NULL;
        if (was && json_equal(was, v))
            continue;
        snprintf(field, sizeof field, "%s.%s", section, key);
        json_array_append_new(changes, json_pack("{s:s, s:O, s:O}", "field", field, "old",
                                                 was ? was : json_null(), "new", v));
    }
    json_object_foreach(old, key, v)
    {
        if (json_object_get(now, key))
            continue;
        snprintf(field, sizeof field, "%s.%s", section, key);
        json_array_append_new(changes,
                              json_pack("{s:s, s:O, s:n}", "field", field, "old", v, "new"));
    }
}

static json_t *s_changes(json_t *old, json_t *now)
{
    json_t *changes = json_array();
    const char *maps[] = {"items", "indicators", "scores"};
    for (size_t i = 0; i < 3; i++)
        s_diff_map(changes, maps[i], old ? json_object_get(old, maps[i]) : NULL,
                   json_object_get(now, maps[i]));
    const char *values[] = {"total", "grade", "complete", "units", "approval"};
    for (size_t i = 0; i < 5; i++) {
        json_t *was = old ? json_object_get(old, values[i]) : NULL;
        json_t *v = json_object_get(now, values[i]);
        if (!was || !json_equal(was, v))
            json_array_append_new(changes, json_pack("{s:s, s:O, s:O}", "field", values[i], "old",
                                                     was ? was : json_null(), "new", v));
    }
    return changes;
}

static int s_version(const Fundchain__Evaluation *eval, int64_t stored_at, void *arg)
{
    trail_t *t = arg;
    json_t *now = evalview_json(eval);
    if (!now)
        return -1;
    char at[32];
    time_t tt = (time_t)stored_at;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(at, sizeof at, "%lld", (long long)stored_at);
    json_array_append_new(t->entries,
                          json_pack("{s:I, s:s, s:o}", "version", (json_int_t)eval->version, "at",
                                    at, "changes", s_changes(t->last, now)));
    json_decref(t->last);
    t->last = now;
    return 0;
}

//  A value of a change as one line of text.
static char *s_text(json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

static int s_table(json_t *entries, format_t format, FILE *out)
{
    static const char *headers[] = {"version", "at", "field", "old", "new"};
    table_t *t = table_new(headers, 5);
    size_t i, k;
    json_t *e, *c;
    json_array_foreach(entries, i, e)
    {
        char version[24];
        snprintf(version, sizeof version, "%lld",
                 (long long)json_integer_value(json_object_get(e, "version")));
        json_array_foreach(json_object_get(e, "changes"), k, c)
        {
            char *old = s_text(json_object_get(c, "old")), *now = s_text(json_object_get(c, "new"));
            const char *row[] = {k ? "" : version,
                                 k ? "" : json_string_value(json_object_get(e, "at")),
                                 json_string_value(json_object_get(c, "field")), old, now};
            table_add(t, row);
            free(old);
            free(now);
        }
    }
    int rc = table_print(t, format, out);
    table_destroy(&t);
    return rc;
}

//  Checks the flags. Returns 0, or -1 with a message.
static int s_check(const opts_t *opts, format_t *format)
{
    const char *need[] = {"data", "unit", "period", "fund"};
    if (opts_require(opts, "province-hub history", need, 4) != 0)
        return -1;
    period_t p;
    const char *why;
    if (!adcode_valid(opts_get(opts, "unit"))) {
        fprintf(stderr, "province-hub history: --unit must be a 6-digit code\n");
        return -1;
    }
    if (period_parse(opts_get(opts, "period"), &p, &why) != 0) {
        fprintf(stderr, "province-hub history: --period %s: %s\n", opts_get(opts, "period"), why);
        return -1;
    }
    if (!period_fund_valid(opts_get(opts, "fund"))) {
        fprintf(stderr, "province-hub history: --fund must be resident, employee, maternity or "
                        "dept\n");
        return -1;
    }
    if (opts_get(opts, "format") && table_format_parse(opts_get(opts, "format"), format) != 0) {
        fprintf(stderr, "province-hub history: --format must be table, csv or json\n");
        return -1;
    }
    return 0;
}

//  The history command.
int hub_history(int argc, char **argv)
{
    int code;
    opts_t *opts =
        cli_parse("history", s_specs, "--data DIR --unit CODE --period P --fund F [--format F]",
                  argc, argv, &code);
    if (!opts)
        return code;
    format_t format = FORMAT_TABLE;
    trail_t t = {json_array(), NULL};
    hubdb_t *db = NULL;
    code = EXIT_USAGE;
    if (s_check(opts, &format) != 0)
        goto done;
    code = EXIT_RUNTIME;
    const char *unit = opts_get(opts, "unit"), *period = opts_get(opts, "period"),
               *fund = opts_get(opts, "fund");
    if (!(db = hubdb_open(opts_get(opts, "data"), NULL)))
        goto done;
    //  A city's code: its pool (as show), when the hub has one.
    Fundchain__Evaluation__Level level = FUNDCHAIN__EVALUATION__LEVEL__POOL;
    if (!adcode_is_city(unit) ||
        (hubdb_each_version(db, period, fund, level, unit, s_version, &t) == 0 &&
         json_array_size(t.entries) == 0))
        level = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    if (level == FUNDCHAIN__EVALUATION__LEVEL__UNIT &&
        hubdb_each_version(db, period, fund, level, unit, s_version, &t) != 0)
        goto done;
    if (json_array_size(t.entries) == 0) {
        fprintf(stderr, "province-hub history: no evaluation of %s for %s %s\n", unit, period,
                fund);
        goto done;
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:O}", "unit", unit, "level",
                            level == FUNDCHAIN__EVALUATION__LEVEL__POOL ? "pool" : "unit", "period",
                            period, "fund", fund, "entries", t.entries);
    int rc = format == FORMAT_JSON ? json_dumpf(doc, stdout, EVALVIEW_JSON_FLAGS)
                                   : s_table(t.entries, format, stdout);
    if (format == FORMAT_JSON)
        printf("\n");
    json_decref(doc);
    code = rc == 0 ? EXIT_OK : EXIT_RUNTIME;
done:
    json_decref(t.entries);
    json_decref(t.last);
    hubdb_destroy(&db);
    opts_destroy(&opts);
    return code;
}
