/*  dossier - gathers the evaluations of one fund, of every stored period
    with the length of the one shown, into the document dossier.h
    describes. The city and the province feed it what their stores hold
    (citydossier.c, hubdossier.c); everything derived (the matrix, the
    trend, the ranks, the composition) is derived here, once, for both.

    Every figure is copied from evalview_json's object of an evaluation,
    the document `show` and `pool` print, so a report cannot disagree with
    them. Failures are out of memory only: each function returns -1 (or
    NULL) and the caller gives up the whole document.
*/
#include "dossier.h"
#include "decimal.h"
#include "evalview.h"
#include "framework.h"
#include "indicator.h"
#include "rank.h"
#include "target.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _dossier_t {
    json_t *doc;        //  the document under construction
    json_t *periods;    //  period -> true
    json_t *rows;       //  unit code -> timeliness row {code, name, cells}
    json_t *seats;      //  unit code -> true for a 市本级
    json_t *pool_trend; //  pool code -> series
    json_t *unit_trend; //  unit code -> series
    json_t *centi;      //  "P|code" or "U|code" -> the total in hundredths (shown period)
    char *indicator;    //  the trend's indicator
};

//  Formats unix seconds as ISO 8601 UTC.
static json_t *s_iso(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

//  Returns the framework item's parameters as the framework CSV spells them.
static void s_params(const fw_item_t *item, char *buf, size_t size)
{
    char target[64] = "", step[32], deduct[32];
    if (item->rule == RULE_MANUAL || item->rule == RULE_BONUS) {
        snprintf(buf, size, "%s", "");
        return;
    }
    target_format(&item->target, target, sizeof target);
    if (item->rule == RULE_LINEAR)
        snprintf(buf, size, "%s;step=%s;deduct=%s", target,
                 decimal_format_qty(item->step, step, sizeof step),
                 decimal_format_qty(item->deduct, deduct, sizeof deduct));
    else
        snprintf(buf, size, "%s", target);
}

static const char *s_rule_name(rule_t rule)
{
    static const char *names[] = {"manual", "threshold", "range", "linear", "bonus"};
    return (unsigned)rule < sizeof names / sizeof names[0] ? names[rule] : "manual";
}

//  The framework as a list of its items.
static json_t *s_framework(const framework_t *fw)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < framework_size(fw); i++) {
        const fw_item_t *item = framework_at(fw, i);
        char params[160];
        s_params(item, params, sizeof params);
        if (json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:f, s:s, s:s, s:s}", "code", item->code, "name",
                                item->name, "category", item->category, "max",
                                (double)item->max / QTY_SCALE, "rule", s_rule_name(item->rule),
                                "metric", item->metric, "params", params)) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *s_risk(const risk_cfg_t *risk)
{
    return json_pack("{s:f, s:f, s:f, s:f}", "level1", (double)risk->level1 / QTY_SCALE, "level2",
                     (double)risk->level2 / QTY_SCALE, "level3", (double)risk->level3 / QTY_SCALE,
                     "excess", (double)risk->normal / QTY_SCALE);
}

//  Builds the document's fixed members and its empty lists.
static json_t *s_head(const dossier_about_t *about)
{
    time_t now = time(NULL);
    eval_cfg_t defaults;
    evaluation_cfg_defaults(&defaults);
    const framework_t *fw = about->fw ? about->fw : framework_default();
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:[], s:[], s:{}, "
                     "s:[], s:[], s:{}, s:n}",
                     "dossier", DOSSIER_VERSION, "level", about->level, "code", about->code, "name",
                     about->name, "period", about->period, "fund", about->fund, "made_at",
                     s_iso((int64_t)now), "source", about->source, "framework", s_framework(fw),
                     "risk", s_risk(about->risk ? about->risk : &defaults.risk), "pools", "units",
                     "rank", "periods", "timeliness", "trend", "composition");
}

//  Creates a dossier.
dossier_t *dossier_new(const dossier_about_t *about)
{
    dossier_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->doc = s_head(about);
    self->periods = json_object();
    self->rows = json_object();
    self->seats = json_object();
    self->pool_trend = json_object();
    self->unit_trend = json_object();
    self->centi = json_object();
    self->indicator = strdup(about->indicator ? about->indicator : "months_payable");
    if (!self->doc || !self->periods || !self->rows || !self->seats || !self->pool_trend ||
        !self->unit_trend || !self->centi || !self->indicator)
        dossier_destroy(&self);
    return self;
}

//  Destroys a dossier.
void dossier_destroy(dossier_t **self_p)
{
    dossier_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    json_decref(self->doc);
    json_decref(self->periods);
    json_decref(self->rows);
    json_decref(self->seats);
    json_decref(self->pool_trend);
    json_decref(self->unit_trend);
    json_decref(self->centi);
    free(self->indicator);
    free(self);
    *self_p = NULL;
}

//  Returns the timeliness row of a unit, made when new; NULL when out of memory.
static json_t *s_row(dossier_t *self, const char *code, const char *name)
{
    json_t *row = json_object_get(self->rows, code);
    if (!row && json_object_set_new(self->rows, code,
                                    json_pack("{s:s, s:s, s:{}}", "code", code, "name",
                                              name && *name ? name : code, "cells")) == 0)
        row = json_object_get(self->rows, code);
    return row;
}

//  Names a unit expected every period.
int dossier_expect(dossier_t *self, const char *code, const char *name, bool seat)
{
    if (seat && json_object_set_new(self->seats, code, json_true()) != 0)
        return -1;
    return s_row(self, code, name) ? 0 : -1;
}

//  Returns the trend's value in an evaluation's JSON, or NULL.
static json_t *s_trend_value(const dossier_t *self, json_t *view)
{
    if (!strcmp(self->indicator, "total"))
        return json_object_get(view, "total");
    json_t *v = json_object_get(json_object_get(view, "indicators"), self->indicator);
    return json_is_number(v) ? v : NULL;
}

//  Adds a period's value to a unit's or a pool's trend series.
static int s_trend(dossier_t *self, const Fundchain__Evaluation *eval, json_t *view)
{
    json_t *value = s_trend_value(self, view);
    bool pool = eval->level == FUNDCHAIN__EVALUATION__LEVEL__POOL;
    json_t *map = pool ? self->pool_trend : self->unit_trend;
    json_t *series = json_object_get(map, eval->code);
    if (!series) {
        const char *name = eval->name && *eval->name ? eval->name : eval->code;
        if (json_object_set_new(
                map, eval->code,
                json_pack("{s:s, s:s, s:{}}", "code", eval->code, "name", name, "values")) != 0)
            return -1;
        series = json_object_get(map, eval->code);
    }
    if (!value)
        return 0;
    return json_object_set(json_object_get(series, "values"), eval->period, value);
}

//  Records a unit's cell of the timeliness matrix.
static int s_cell(dossier_t *self, const Fundchain__Evaluation *eval)
{
    json_t *row = s_row(self, eval->code, eval->name);
    const char *state = eval->received_at <= 0 ? "reported" : eval->on_time ? "on_time" : "late";
    return row ? json_object_set_new(json_object_get(row, "cells"), eval->period,
                                     json_string(state))
               : -1;
}

//  Adds an evaluation of the dossier's period to pools or units.
static int s_current(dossier_t *self, const Fundchain__Evaluation *eval, json_t *view, bool seat)
{
    bool pool = eval->level == FUNDCHAIN__EVALUATION__LEVEL__POOL;
    int rc = json_object_set_new(view, "city", json_string(eval->city ? eval->city : ""));
    if (!pool) {
        rc |= json_object_set_new(view, "seat", json_boolean(seat));
        rc |= json_object_set_new(view, "received_at", s_iso(eval->received_at));
        rc |= json_object_set_new(
            view, "on_time", eval->received_at > 0 ? json_boolean(eval->on_time) : json_null());
    }
    char key[16];
    snprintf(key, sizeof key, "%c|%.8s", pool ? 'P' : 'U', eval->code);
    if (eval->has_total)
        rc |= json_object_set_new(self->centi, key, json_integer(eval->total_centi));
    json_t *list = json_object_get(self->doc, pool ? "pools" : "units");
    return rc == 0 ? json_array_append(list, view) : -1;
}

//  Adds an evaluation of any stored period.
int dossier_add(dossier_t *self, const Fundchain__Evaluation *eval, bool seat)
{
    json_t *view = evalview_json(eval);
    if (!view)
        return -1;
    if (!json_object_get(view, "name") || !*json_string_value(json_object_get(view, "name")))
        json_object_set_new(view, "name", json_string(eval->code));
    bool pool = eval->level == FUNDCHAIN__EVALUATION__LEVEL__POOL;
    int rc = json_object_set_new(self->periods, eval->period, json_true());
    if (seat)
        rc |= json_object_set_new(self->seats, eval->code, json_true());
    if (rc == 0 && !pool)
        rc = s_cell(self, eval);
    if (rc == 0)
        rc = s_trend(self, eval, view);
    const char *period = json_string_value(json_object_get(self->doc, "period"));
    if (rc == 0 && !strcmp(eval->period, period))
        rc = s_current(self, eval, view, seat);
    json_decref(view);
    return rc == 0 ? 0 : -1;
}

static int s_cmp_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

//  Returns the keys of an object in ascending order (free the array only).
static const char **s_sorted_keys(json_t *object, size_t *n)
{
    *n = json_object_size(object);
    const char **keys = calloc(*n + 1, sizeof *keys);
    size_t i = 0;
    const char *key;
    json_t *unused;
    json_object_foreach(object, key, unused)
    {
        if (keys)
            keys[i++] = key;
    }
    if (keys)
        qsort(keys, *n, sizeof *keys, s_cmp_string);
    return keys;
}

//  The values of an object as a list, in key order.
static json_t *s_sorted_values(json_t *object)
{
    size_t n;
    const char **keys = s_sorted_keys(object, &n);
    json_t *list = keys ? json_array() : NULL;
    for (size_t i = 0; list && i < n; i++)
        if (json_array_append(list, json_object_get(object, keys[i])) != 0)
            json_decref(list), list = NULL;
    free(keys);
    return list;
}

//  Sorts pools and units by code (the stores visit them so already, but
//  the order is the document's promise).
static int s_cmp_eval(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "code")),
                  json_string_value(json_object_get(*(json_t *const *)b, "code")));
}

static int s_sort_evals(json_t *list)
{
    size_t n = json_array_size(list);
    json_t **items = calloc(n + 1, sizeof *items);
    if (!items)
        return -1;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(list, i));
    qsort(items, n, sizeof *items, s_cmp_eval);
    json_array_clear(list);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc |= json_array_append_new(list, items[i]);
    free(items);
    return rc;
}

//  Fills the missing cells of the timeliness matrix and lists its rows.
static json_t *s_timeliness(dossier_t *self, json_t *periods)
{
    json_t *rows = s_sorted_values(self->rows);
    size_t i, k;
    json_t *row, *p;
    json_array_foreach(rows, i, row)
    {
        json_t *cells = json_object_get(row, "cells"), *ordered = json_object();
        json_array_foreach(periods, k, p)
        {
            json_t *cell = json_object_get(cells, json_string_value(p));
            json_object_set_new(ordered, json_string_value(p),
                                cell ? json_incref(cell) : json_string("missing"));
        }
        json_object_set_new(row, "cells", ordered);
    }
    return rows;
}

//  The trend: pools first, then units, each in code order.
static json_t *s_trend_json(dossier_t *self)
{
    json_t *series = s_sorted_values(self->pool_trend);
    json_t *units = s_sorted_values(self->unit_trend);
    if (!series || !units || json_array_extend(series, units) != 0)
        json_decref(series), series = NULL;
    json_decref(units);
    const char *name = !strcmp(self->indicator, "total") ? "总分" : indicator_name(self->indicator);
    return series ? json_pack("{s:s, s:s, s:o}", "indicator", self->indicator, "name",
                              name ? name : self->indicator, "series", series)
                  : NULL;
}

//  Ranks a list of evaluations by total (SPEC 6), leaving out seats.
static json_t *s_rank(dossier_t *self, json_t *evals, const char *level)
{
    size_t n = json_array_size(evals), used = 0, i;
    rank_row_t *rows = calloc(n + 1, sizeof *rows);
    json_t *e;
    if (!rows)
        return NULL;
    json_array_foreach(evals, i, e)
    {
        if (json_is_true(json_object_get(e, "seat")))
            continue;
        rank_row_t *r = &rows[used++];
        snprintf(r->code, sizeof r->code, "%s", json_string_value(json_object_get(e, "code")));
        snprintf(r->name, sizeof r->name, "%s", json_string_value(json_object_get(e, "name")));
        char key[16];
        snprintf(key, sizeof key, "%c|%.8s", !strcmp(level, "city") ? 'P' : 'U', r->code);
        json_t *centi = json_object_get(self->centi, key);
        r->has_value = centi != NULL;
        r->centi = json_integer_value(centi);
    }
    rank_sort(rows, used, false);
    json_t *doc = self->doc;
    json_t *rank =
        rank_json(json_string_value(json_object_get(doc, "period")),
                  json_string_value(json_object_get(doc, "fund")), level, "total", rows, used);
    free(rows);
    //  Who approved each, as its evaluation says (rank prints the same).
    json_t *row;
    json_array_foreach(json_object_get(rank, "rows"), i, row)
    {
        size_t k;
        json_array_foreach(evals, k, e)
        {
            if (!strcmp(json_string_value(json_object_get(e, "code")),
                        json_string_value(json_object_get(row, "code"))) &&
                json_object_get(e, "approval"))
                json_object_set(row, "approval", json_object_get(e, "approval"));
        }
    }
    return rank;
}

//  Parses a yuan string of the document into fen; 0 when absent.
static int64_t s_fen(json_t *yuan)
{
    int64_t fen = 0, tolerance;
    const char *why;
    if (!json_is_string(yuan) ||
        decimal_parse_money(json_string_value(yuan), FEN_PER_YUAN, &fen, &tolerance, &why) != 0)
        return 0;
    return fen;
}

static json_t *s_yuan(int64_t fen)
{
    char buf[40];
    return json_string(decimal_format_money(fen, buf, sizeof buf));
}

static const char *s_item_name(const char *code)
{
    const char *name = evalview_item_name(code);
    return *name ? name : code;
}

//  The pool's items, income.* and expense.*, with each unit's own figure.
static json_t *s_composition_items(json_t *pool, json_t *units)
{
    json_t *list = json_array();
    const char *code;
    json_t *yuan;
    json_object_foreach(json_object_get(pool, "items"), code, yuan)
    {
        if (strncmp(code, "income.", 7) && strncmp(code, "expense.", 8))
            continue;
        json_t *per = json_object();
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            json_t *v = json_object_get(json_object_get(u, "items"), code);
            if (v)
                json_object_set(per, json_string_value(json_object_get(u, "code")), v);
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:O, s:o}", "code", code, "name",
                                              s_item_name(code), "pool", yuan, "units", per));
    }
    return list;
}

//  The intra-pool transfers, per unit and in total.
static json_t *s_transfers(json_t *units)
{
    static const char *codes[] = {"expense.upper_remit", "income.lower_remit", "income.upper_grant",
                                  "expense.lower_grant"};
    json_t *list = json_array();
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        json_t *per = json_object();
        int64_t total = 0;
        size_t i;
        json_t *u;
        json_array_foreach(units, i, u)
        {
            json_t *v = json_object_get(json_object_get(u, "items"), codes[k]);
            if (!v)
                continue;
            json_object_set(per, json_string_value(json_object_get(u, "code")), v);
            total += s_fen(v);
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}", "code", codes[k], "name",
                                              s_item_name(codes[k]), "units", per, "total",
                                              s_yuan(total)));
    }
    return list;
}

//  The city pool's composition and the reconciliation of its transfers.
static json_t *s_composition(json_t *doc)
{
    json_t *pool = json_array_get(json_object_get(doc, "pools"), 0);
    json_t *units = json_object_get(doc, "units");
    if (!pool)
        return json_null();
    json_t *warnings = json_array();
    bool reconciled = true;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(pool, "warnings"), i, w)
    {
        const char *code = json_string_value(json_object_get(w, "code"));
        if (code && !strncmp(code, "transfer", 8)) {
            json_array_append(warnings, w);
            reconciled = reconciled && strcmp(code, "transfer_unreconciled");
        }
    }
    return json_pack("{s:o, s:o, s:b, s:o}", "items", s_composition_items(pool, units), "transfers",
                     s_transfers(units), "reconciled", reconciled, "warnings", warnings);
}

//  Finishes and returns the document.
json_t *dossier_json(dossier_t *self)
{
    json_t *doc = self->doc;
    size_t i;
    json_t *u;
    //  A unit fed before its seat was known to be one gets it now.
    json_array_foreach(json_object_get(doc, "units"), i, u)
    {
        if (json_object_get(self->seats, json_string_value(json_object_get(u, "code"))))
            json_object_set_new(u, "seat", json_true());
    }
    size_t n;
    const char **keys = s_sorted_keys(self->periods, &n);
    json_t *periods = json_array();
    for (size_t k = 0; keys && k < n; k++)
        json_array_append_new(periods, json_string(keys[k]));
    free(keys);
    int rc =
        s_sort_evals(json_object_get(doc, "pools")) | s_sort_evals(json_object_get(doc, "units"));
    rc |= json_object_set_new(doc, "periods", periods);
    rc |= json_object_set_new(doc, "timeliness", s_timeliness(self, periods));
    rc |= json_object_set_new(doc, "trend", s_trend_json(self));
    json_t *rank =
        json_pack("{s:o, s:o}", "city", s_rank(self, json_object_get(doc, "pools"), "city"),
                  "county", s_rank(self, json_object_get(doc, "units"), "county"));
    rc |= json_object_set_new(doc, "rank", rank);
    if (!strcmp(json_string_value(json_object_get(doc, "level")), "city"))
        rc |= json_object_set_new(doc, "composition", s_composition(doc));
    return rc == 0 ? json_incref(doc) : NULL;
}
