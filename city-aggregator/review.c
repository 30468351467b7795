/*  review - the city's review commands (SPEC 9.3): approve and unapprove a
    unit's report or, with --pool of the city's own code, the pool; unlock
    one (unit, period, fund) past --lock-after until a date; and history,
    the audit trail of every revision received (time, sending key,
    revision, item-level changes) and every approval, unapproval and
    unlock. They write and read the LMDB that run writes, while it runs:
    an approval and the storing of a revision are transactions of the same
    store, so no revision slips between them.
*/
#include "adcode.h"
#include "city.h"
#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "cityreview.h"
#include "cli.h"
#include "evalview.h"
#include "period.h"
#include "table.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY_SPECS                                                                                \
    {"data", true, false, "the city's data directory"},                                            \
        {"unit", true, false,                                                                      \
         "the unit's 6-digit code (the city's own code: the 市本级 or pool)"},                     \
        {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},                                       \
    {                                                                                              \
        "fund", true, false, "resident, employee, maternity or dept"                               \
    }

static const opt_spec_t s_approve_specs[] = {
    S_KEY_SPECS,
    {"pool", false, false, "the pool (--unit is the city's code; every known unit approved)"},
    {"by", true, false, "who approves (default: the login name)"},
    {NULL, false, false, NULL}};

static const opt_spec_t s_unlock_specs[] = {
    S_KEY_SPECS,
    {"until", true, false, "the last day revisions are taken, YYYY-MM-DD"},
    {"by", true, false, "who grants it (default: the login name)"},
    {NULL, false, false, NULL}};

static const opt_spec_t s_history_specs[] = {
    S_KEY_SPECS,
    {"pool", false, false, "the pool's trail (its approvals; --unit is the city's code)"},
    {"format", true, false, "table (default), csv or json"},
    {NULL, false, false, NULL}};

//  Checks --unit, --period and --fund. Returns 0, or -1 with a message.
static int s_check(const opts_t *opts, const char *command)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "city-aggregator %s", command);
    const char *need[] = {"data", "unit", "period", "fund",
                          !strcmp(command, "unlock") ? "until" : NULL};
    if (opts_require(opts, prefix, need, sizeof need / sizeof need[0]) != 0)
        return -1;
    period_t p;
    const char *why;
    if (!adcode_valid(opts_get(opts, "unit"))) {
        fprintf(stderr, "%s: --unit must be a 6-digit code\n", prefix);
        return -1;
    }
    if (period_parse(opts_get(opts, "period"), &p, &why) != 0) {
        fprintf(stderr, "%s: --period %s: %s\n", prefix, opts_get(opts, "period"), why);
        return -1;
    }
    if (!period_fund_valid(opts_get(opts, "fund"))) {
        fprintf(stderr, "%s: --fund must be resident, employee, maternity or dept\n", prefix);
        return -1;
    }
    return 0;
}

//  Applies an operation; returns the exit code.
static int s_apply(citydb_t *db, const cityconf_t *conf, cityreview_op_t *op, const char *what)
{
    char(*codes)[8] = NULL;
    int n = op->pool ? cityeval_known(db, conf, op->fund, &codes) : 0;
    const char **known = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *known);
    for (int i = 0; known && i < n; i++)
        known[i] = codes[i];
    char why[CITYREVIEW_WHY] = "";
    int rc = n < 0 || !known
                 ? -1
                 : citydb_review(db, op, known, (size_t)(n > 0 ? n : 0), why, sizeof why);
    free(known);
    free(codes);
    if (rc < 0) {
        fprintf(stderr, "cannot write the city's store: %s\n", store_error(citydb_store(db)));
        return EXIT_RUNTIME;
    }
    if (rc > 0) {
        fprintf(stderr, "city-aggregator %s: %s %s %s%s: %s\n", what, op->unit, op->period,
                op->fund, op->pool ? " (pool)" : "", why);
        return EXIT_USAGE;
    }
    char at[32];
    printf("%s %s %s %s%s by %s at %s\n", what, op->unit, op->period, op->fund,
           op->pool ? " (pool)" : "", op->by, cityreview_iso(op->at, at, sizeof at));
    return EXIT_OK;
}

//  The approve, unapprove and unlock commands.
static int s_review_command(const char *command, cityreview_kind_t kind, int argc, char **argv)
{
    int code;
    bool unlock = kind == CITYREVIEW_UNLOCK;
    opts_t *opts = cli_parse(command, unlock ? s_unlock_specs : s_approve_specs,
                             unlock ? "--data DIR --unit CODE --period P --fund F --until "
                                      "YYYY-MM-DD [--by NAME]"
                                    : "--data DIR --unit CODE --period P --fund F [--pool] "
                                      "[--by NAME]",
                             argc, argv, &code);
    if (!opts)
        return code;
    cityconf_t conf;
    cityconf_init(&conf);
    citydb_t *db = NULL;
    code = EXIT_USAGE;
    cityreview_op_t op = {kind,
                          opts_get(opts, "period"),
                          opts_get(opts, "fund"),
                          opts_get(opts, "unit"),
                          opts_has(opts, "pool"),
                          cli_operator(opts),
                          (int64_t)time(NULL),
                          0,
                          0};
    if (s_check(opts, command) != 0)
        goto done;
    if (kind == CITYREVIEW_UNLOCK && cityreview_date_end(opts_get(opts, "until"), &op.until) != 0) {
        fprintf(stderr, "city-aggregator unlock: --until must be a date YYYY-MM-DD\n");
        goto done;
    }
    code = EXIT_RUNTIME;
    if (!(db = citydb_open(opts_get(opts, "data"), NULL)) ||
        cityconf_load(&conf, citydb_store(db)) != 0)
        goto done;
    code = EXIT_USAGE;
    if (op.pool && strcmp(op.unit, conf.city)) {
        fprintf(stderr, "city-aggregator %s: --pool takes the city's own code %s, not %s\n",
                command, conf.city, op.unit);
        goto done;
    }
    if (!adcode_in_city(op.unit, conf.city)) {
        fprintf(stderr, "city-aggregator %s: %s is not a unit of city %s\n", command, op.unit,
                conf.city);
        goto done;
    }
    code = s_apply(db, &conf, &op, command);
done:
    cityconf_clear(&conf);
    citydb_destroy(&db);
    opts_destroy(&opts);
    return code;
}

//  The approve command.
int city_approve(int argc, char **argv)
{
    return s_review_command("approve", CITYREVIEW_APPROVE, argc, argv);
}

//  The unapprove command.
int city_unapprove(int argc, char **argv)
{
    return s_review_command("unapprove", CITYREVIEW_UNAPPROVE, argc, argv);
}

//  The unlock command.
int city_unlock(int argc, char **argv)
{
    return s_review_command("unlock", CITYREVIEW_UNLOCK, argc, argv);
}

/* ---- history ---------------------------------------------------------------- */

typedef struct {
    json_t *entries;
    json_t *last; //  the items of the last revision stored: item -> "value uom"
} trail_t;

static const char *s_kind_name(Fundchain__HistoryEntry__Kind kind)
{
    static const char *names[] = {"revision", "refused", "approve", "unapprove", "unlock"};
    return (unsigned)kind < 5 ? names[kind] : "unknown";
}

//  The items of a report: code -> "value uom".
static json_t *s_items(const Fundchain__Report *r)
{
    json_t *items = json_object();
    for (size_t i = 0; r && i < r->n_items; i++) {
        char text[160];
        snprintf(text, sizeof text, "%s %s", r->items[i]->value ? r->items[i]->value : "",
                 r->items[i]->uom ? r->items[i]->uom : "");
        json_object_set_new(items, r->items[i]->code ? r->items[i]->code : "", json_string(text));
    }
    return items;
}

//  The items of a revision stored as a delta: the last revision's, with the
//  entry's items set and its removed items taken out.
static json_t *s_items_after(json_t *last, const Fundchain__HistoryEntry *e)
{
    json_t *items = last ? json_copy(last) : json_object();
    json_t *changed = s_items(e->report);
    json_object_update(items, changed);
    json_decref(changed);
    for (size_t i = 0; i < e->n_removed; i++)
        json_object_del(items, e->removed[i] ? e->removed[i] : "");
    return items;
}

//  The item-level changes from the last revision to this one.
static json_t *s_changes(json_t *last, json_t *now)
{
    json_t *changes = json_array();
    const char *code;
    json_t *v;
    json_object_foreach(now, code, v)
    {
        json_t *old = last ? json_object_get(last, code) : NULL;
        if (!old || !json_equal(old, v))
            json_array_append_new(changes, json_pack("{s:s, s:O, s:O}", "item", code, "old",
                                                     old ? old : json_null(), "new", v));
    }
    json_object_foreach(last, code, v)
    {
        if (!json_object_get(now, code))
            json_array_append_new(changes,
                                  json_pack("{s:s, s:O, s:n}", "item", code, "old", v, "new"));
    }
    return changes;
}

static int s_entry(const Fundchain__HistoryEntry *e, void *arg)
{
    trail_t *t = arg;
    char at[32], until[32];
    json_t *j = json_pack("{s:s, s:s}", "kind", s_kind_name(e->kind), "at",
                          cityreview_iso(e->at, at, sizeof at));
    if (e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__REVISION ||
        e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__REFUSED) {
        json_object_set_new(j, "revision", json_integer(e->revision));
        json_object_set_new(j, "sender", json_string(e->sender ? e->sender : ""));
    } else
        json_object_set_new(j, "by", json_string(e->by ? e->by : ""));
    if (e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__REVISION) {
        json_t *items = e->delta ? s_items_after(t->last, e) : s_items(e->report);
        json_object_set_new(j, "changes", s_changes(t->last, items));
        json_decref(t->last);
        t->last = items;
    }
    if (e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__REFUSED)
        json_object_set_new(j, "reason", json_string(e->reason ? e->reason : ""));
    if (e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__APPROVE ||
        e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__UNAPPROVE)
        json_object_set_new(j, "level", json_string(e->level ? e->level : ""));
    if (e->kind == FUNDCHAIN__HISTORY_ENTRY__KIND__UNLOCK)
        json_object_set_new(j, "until", json_string(cityreview_iso(e->until, until, 32)));
    return json_array_append_new(t->entries, j);
}

//  Prints the trail as a table or CSV: one row per entry, one per change.
static int s_history_table(json_t *entries, format_t format, FILE *out)
{
    static const char *headers[] = {"at", "kind", "revision", "who", "item", "old", "new"};
    table_t *t = table_new(headers, 7);
    size_t i, k;
    json_t *e, *c;
    json_array_foreach(entries, i, e)
    {
        char rev[16] = "";
        if (json_is_integer(json_object_get(e, "revision")))
            snprintf(rev, sizeof rev, "%lld",
                     (long long)json_integer_value(json_object_get(e, "revision")));
        const char *who =
            json_string_value(json_object_get(e, json_object_get(e, "by") ? "by" : "sender"));
        const char *detail = json_string_value(json_object_get(e, "reason"));
        if (!detail)
            detail = json_string_value(json_object_get(e, "until"));
        if (!detail)
            detail = json_string_value(json_object_get(e, "level"));
        const char *row[] = {json_string_value(json_object_get(e, "at")),
                             json_string_value(json_object_get(e, "kind")),
                             rev,
                             who,
                             detail,
                             NULL,
                             NULL};
        table_add(t, row);
        json_array_foreach(json_object_get(e, "changes"), k, c)
        {
            const char *change[] = {"",
                                    "",
                                    "",
                                    "",
                                    json_string_value(json_object_get(c, "item")),
                                    json_string_value(json_object_get(c, "old")),
                                    json_string_value(json_object_get(c, "new"))};
            table_add(t, change);
        }
    }
    int rc = table_print(t, format, out);
    table_destroy(&t);
    return rc;
}

//  The history command.
int city_history(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("history", s_history_specs,
                             "--data DIR --unit CODE --period P --fund F [--pool] [--format F]",
                             argc, argv, &code);
    if (!opts)
        return code;
    format_t format = FORMAT_TABLE;
    code = EXIT_USAGE;
    citydb_t *db = NULL;
    trail_t t = {json_array(), NULL};
    if (s_check(opts, "history") != 0)
        goto done;
    if (opts_get(opts, "format") && table_format_parse(opts_get(opts, "format"), &format) != 0) {
        fprintf(stderr, "city-aggregator history: --format must be table, csv or json\n");
        goto done;
    }
    code = EXIT_RUNTIME;
    if (!(db = citydb_open(opts_get(opts, "data"), NULL)))
        goto done;
    bool pool = opts_has(opts, "pool");
    if (pool && strcmp(opts_get(opts, "unit"), citydb_city(db))) {
        fprintf(stderr, "city-aggregator history: --pool takes the city's own code %s\n",
                citydb_city(db));
        code = EXIT_USAGE;
        goto done;
    }
    if (citydb_history(db, opts_get(opts, "period"), opts_get(opts, "fund"),
                       pool ? citydb_pool_key(db) : opts_get(opts, "unit"), s_entry, &t) != 0)
        goto done;
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:O}", "unit", opts_get(opts, "unit"), "period",
                  opts_get(opts, "period"), "fund", opts_get(opts, "fund"), "entries", t.entries);
    int rc = format == FORMAT_JSON ? json_dumpf(doc, stdout, EVALVIEW_JSON_FLAGS)
                                   : s_history_table(t.entries, format, stdout);
    if (format == FORMAT_JSON)
        printf("\n");
    json_decref(doc);
    code = rc == 0 ? EXIT_OK : EXIT_RUNTIME;
done:
    json_decref(t.entries);
    json_decref(t.last);
    citydb_destroy(&db);
    opts_destroy(&opts);
    return code;
}
