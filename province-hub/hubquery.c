/*  hubquery - the hub's answers to rank and show.

    A ranking reads only its candidates, and of each only its rank index
    entry (hubdb_each_rank: code, name, total and numeric indicators): no
    evaluation is decoded, so its cost is the rows it prints. Only a --by
    code outside the catalogue makes it read the evaluations in full, to
    check that one of them holds it. Errors go to err with the exit code of
    SPEC 7: 2 for a bad question, 1 when the store cannot be read or the
    evaluation asked for is absent.
*/
#include "hubquery.h"
#include "adcode.h"
#include "cli.h"
#include "evaluation.h"
#include "evalview.h"
#include "period.h"
#include "rank.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

//  Checks period and fund; returns 0 or -1 with a message on err.
static int s_check(const hubquery_t *q, FILE *err)
{
    period_t p;
    const char *why = NULL;
    if (!q->period || period_parse(q->period, &p, &why) != 0) {
        fprintf(err, "--period %s: %s\n", q->period ? q->period : "(missing)",
                why ? why : "required");
        return -1;
    }
    if (!q->fund || !period_fund_valid(q->fund)) {
        fprintf(err, "--fund must be resident, employee, maternity or dept\n");
        return -1;
    }
    return 0;
}

typedef struct {
    bool county;
    zhashx_t *present; //  every indicator code of the evaluations ranked
} present_t;

//  Notes the indicator codes of an evaluation ranked.
static int s_note_present(const Fundchain__Evaluation *eval, void *arg)
{
    present_t *c = arg;
    if (c->county && adcode_is_city(eval->code))
        return 0; //  a 市本级 is part of its city, not a county
    for (size_t i = 0; i < eval->n_indicators; i++) {
        const char *code = eval->indicators[i]->code;
        if (code && *code && !zhashx_lookup(c->present, code) &&
            zhashx_insert(c->present, code, (void *)"") != 0)
            return -1;
    }
    return 0;
}

//  Checks --by against the codes the evaluations hold (sorted, n of them).
static int s_check_codes(const char *by, zhashx_t *present, FILE *err)
{
    zlistx_t *keys = zhashx_keys(present);
    if (!keys)
        return -1;
    zlistx_set_comparator(keys, (zlistx_comparator_fn *)strcmp);
    zlistx_sort(keys);
    size_t n = zlistx_size(keys), i = 0;
    const char **codes = calloc(n ? n : 1, sizeof *codes);
    for (const char *k = zlistx_first(keys); codes && k; k = zlistx_next(keys))
        codes[i++] = k;
    char why[2048];
    int rc = codes ? rank_by_check(by, codes, n, why, sizeof why) : -1;
    if (rc != 0)
        fprintf(err, "%s\n", codes ? why : "out of memory");
    free(codes);
    zlistx_destroy(&keys);
    return rc;
}

//  Checks --by: total and the indicators the product knows at once; any
//  other code must be one the evaluations ranked hold, so only then are
//  they read in full. Returns 0, EXIT_USAGE or EXIT_RUNTIME.
static int s_check_by(hubdb_t *db, const hubquery_t *q, const char *by, bool county,
                      Fundchain__Evaluation__Level lv, FILE *err)
{
    char why[8];
    if (rank_by_check(by, NULL, 0, why, sizeof why) == 0)
        return 0;
    present_t c = {county, zhashx_new()};
    int code = EXIT_USAGE;
    if (!c.present || hubdb_each(db, q->period, q->fund, lv, s_note_present, &c) != 0) {
        fprintf(err, "cannot read the hub's store\n");
        code = EXIT_RUNTIME;
    } else if (s_check_codes(by, c.present, err) == 0)
        code = 0;
    zhashx_destroy(&c.present);
    return code;
}

typedef struct {
    rank_row_t *rows;
    size_t n, cap;
    bool county;
    const char *by;
} collect_t;

//  Sets the row's value: the total, or the first numeric indicator coded by.
static void s_value(const Fundchain__RankEntry *entry, const char *by, rank_row_t *row)
{
    if (!strcmp(by, "total")) {
        row->has_value = entry->has_total;
        row->centi = entry->total_centi;
        return;
    }
    for (size_t i = 0; i < entry->n_values; i++)
        if (!strcmp(entry->values[i]->code, by)) {
            row->has_value = true;
            row->centi = entry->values[i]->centi;
            return;
        }
}

//  Copies what is ranked of one evaluation into a row.
static int s_collect(const Fundchain__RankEntry *entry, void *arg)
{
    collect_t *c = arg;
    rank_row_t row = {.has_value = false};
    snprintf(row.code, sizeof row.code, "%s", entry->code);
    if (entry->review) {
        snprintf(row.approved_by, sizeof row.approved_by, "%s", entry->review->approved_by);
        snprintf(row.province_by, sizeof row.province_by, "%s", entry->review->province_by);
        row.approved_at = entry->review->approved_at;
        row.province_at = entry->review->province_at;
    }
    if (c->county && adcode_is_city(row.code))
        return 0; //  a 市本级 is part of its city, not a county
    snprintf(row.name, sizeof row.name, "%s", *entry->name ? entry->name : row.code);
    s_value(entry, c->by, &row);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        rank_row_t *grown = realloc(c->rows, cap * sizeof *grown);
        if (!grown)
            return -1;
        c->rows = grown;
        c->cap = cap;
    }
    c->rows[c->n++] = row;
    return 0;
}

//  Ranks cities or counties.
int hubquery_rank(hubdb_t *db, const hubquery_t *q, FILE *out, FILE *err)
{
    //  Over the wire an absent option arrives as "" (proto3): the same default applies.
    const char *level = q->level && *q->level ? q->level : "city";
    const char *by = q->by && *q->by ? q->by : "total";
    if (s_check(q, err) != 0)
        return EXIT_USAGE;
    if (strcmp(level, "city") && strcmp(level, "county")) {
        fprintf(err, "--level must be city or county\n");
        return EXIT_USAGE;
    }
    collect_t c = {NULL, 0, 0, !strcmp(level, "county"), by};
    Fundchain__Evaluation__Level lv =
        c.county ? FUNDCHAIN__EVALUATION__LEVEL__UNIT : FUNDCHAIN__EVALUATION__LEVEL__POOL;
    int code = s_check_by(db, q, by, c.county, lv, err);
    if (code != 0)
        return code;
    if (hubdb_each_rank(db, q->period, q->fund, lv, s_collect, &c) != 0) {
        fprintf(err, "cannot read the hub's store\n");
        code = EXIT_RUNTIME;
    } else {
        rank_sort(c.rows, c.n, rank_ascending(by));
        code = rank_print(q->period, q->fund, level, by, c.rows, c.n, q->format, out) == 0
                   ? EXIT_OK
                   : EXIT_RUNTIME;
    }
    free(c.rows);
    return code;
}

//  Shows one evaluation.
int hubquery_show(hubdb_t *db, const hubquery_t *q, FILE *out, FILE *err)
{
    if (s_check(q, err) != 0)
        return EXIT_USAGE;
    if (!q->unit || !adcode_valid(q->unit)) {
        fprintf(err, "--unit must be a 6-digit code\n");
        return EXIT_USAGE;
    }
    Fundchain__Evaluation__Level lv = adcode_is_city(q->unit) ? FUNDCHAIN__EVALUATION__LEVEL__POOL
                                                              : FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    Fundchain__Evaluation *eval = hubdb_get(db, q->period, q->fund, lv, q->unit);
    if (!eval) {
        fprintf(err, "no evaluation of %s for %s %s\n", q->unit, q->period, q->fund);
        return EXIT_RUNTIME;
    }
    int rc = evalview_print(eval, q->format, out);
    evaluation_free(eval);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
