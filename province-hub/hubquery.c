/*  hubquery - the hub's answers to rank and show. */
#include "hubquery.h"
#include "adcode.h"
#include "cli.h"
#include "evaluation.h"
#include "evalview.h"
#include "period.h"
#include "rank.h"
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
    if (!q->fund || !fund_valid(q->fund)) {
        fprintf(err, "--fund must be resident, employee, maternity or dept\n");
        return -1;
    }
    return 0;
}

typedef struct {
    rank_row_t *rows;
    size_t n;
    const char *by;
    bool county;
} collect_t;

//  The value an evaluation is ranked on, as shown; false when it has none.
static bool s_value(const Fundchain__Evaluation *eval, const char *by, int64_t *centi)
{
    if (!strcmp(by, "total")) {
        *centi = eval->total_centi;
        return eval->has_total;
    }
    for (size_t i = 0; i < eval->n_indicators; i++) {
        const Fundchain__Shown *s = eval->indicators[i];
        if (s->code && !strcmp(s->code, by) && !(s->text && *s->text)) {
            *centi = s->centi;
            return true;
        }
    }
    return false;
}

static int s_collect(const Fundchain__Evaluation *eval, void *arg)
{
    collect_t *c = arg;
    if (c->county && code_is_city(eval->code))
        return 0; //  a 市本级 is part of its city, not a county
    rank_row_t *grown = realloc(c->rows, (c->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    c->rows = grown;
    rank_row_t *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->code, sizeof r->code, "%s", eval->code);
    snprintf(r->name, sizeof r->name, "%s", eval->name && *eval->name ? eval->name : eval->code);
    r->has_value = s_value(eval, c->by, &r->centi);
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
    collect_t c = {NULL, 0, by, !strcmp(level, "county")};
    Fundchain__Evaluation__Level lv =
        c.county ? FUNDCHAIN__EVALUATION__LEVEL__UNIT : FUNDCHAIN__EVALUATION__LEVEL__POOL;
    int code = EXIT_RUNTIME;
    if (hubdb_each(db, q->period, q->fund, lv, s_collect, &c) != 0)
        fprintf(err, "cannot read the hub's store\n");
    else {
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
    if (!q->unit || !code_valid(q->unit)) {
        fprintf(err, "--unit must be a 6-digit code\n");
        return EXIT_USAGE;
    }
    Fundchain__Evaluation__Level lv = code_is_city(q->unit) ? FUNDCHAIN__EVALUATION__LEVEL__POOL
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
