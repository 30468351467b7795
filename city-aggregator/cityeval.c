/*  cityeval - evaluates a unit or the city pool from what the city stored. */
#include "cityeval.h"
#include "evaluation.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORWARD_CHUNK 256 /* (period, fund) pairs queued in one transaction */

typedef struct {
    report_t **reports;
    size_t n;
    const framework_t *fw;
    const char *unit; //  only this unit, or NULL for all
    int failed;
} collect_t;

static int s_collect(const Fundchain__StoredReport *stored, void *arg)
{
    collect_t *c = arg;
    if (c->unit && strcmp(stored->report->unit, c->unit))
        return 0;
    report_t **grown = realloc(c->reports, (c->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    c->reports = grown;
    report_t *report = citydb_report(stored, c->fw);
    if (!report)
        return 0; //  cannot happen for a report validated when accepted
    c->reports[c->n++] = report;
    return 0;
}

static void s_collect_clear(collect_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        report_destroy(&c->reports[i]);
    free(c->reports);
}

typedef struct {
    char (*codes)[8];
    size_t n;
} known_t;

static int s_add_code(known_t *k, const char *code)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->codes[i], code))
            return 0;
    char(*grown)[8] = realloc(k->codes, (k->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    k->codes = grown;
    snprintf(k->codes[k->n++], 8, "%s", code);
    return 0;
}

static int s_add_reporter(const char *unit, void *arg)
{
    return s_add_code(arg, unit);
}

static int s_cmp_code(const void *a, const void *b)
{
    return strcmp(a, b);
}

//  The known units of a fund.
int cityeval_known(citydb_t *db, const cityconf_t *conf, const char *fund, char (**codes)[8])
{
    known_t k = {NULL, 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < conf->n_units; i++)
        rc = s_add_code(&k, conf->units[i].code);
    if (rc == 0)
        rc = citydb_each_known(db, fund, s_add_reporter, &k);
    if (rc != 0) {
        free(k.codes);
        return -1;
    }
    if (k.n)
        qsort(k.codes, k.n, sizeof *k.codes, s_cmp_code);
    *codes = k.codes;
    return (int)k.n;
}

//  Evaluates the pool of (period, fund).
Fundchain__Evaluation *cityeval_pool(citydb_t *db, const cityconf_t *conf, const char *period,
                                     const char *fund)
{
    eval_cfg_t cfg;
    cityconf_eval_cfg(conf, &cfg);
    collect_t c = {NULL, 0, cfg.fw, NULL, 0};
    char(*codes)[8] = NULL;
    Fundchain__Evaluation *eval = NULL;
    int n_known = cityeval_known(db, conf, fund, &codes);
    if (n_known >= 0 && citydb_each(db, period, fund, s_collect, &c) == 0 && c.n > 0) {
        const char **known = calloc((size_t)n_known + 1, sizeof *known);
        for (int i = 0; known && i < n_known; i++)
            known[i] = codes[i];
        if (known)
            eval = evaluation_pool(conf->city, conf->name, period, fund, c.reports, c.n, known,
                                   (size_t)n_known, &cfg);
        free(known);
    }
    free(codes);
    s_collect_clear(&c);
    return eval;
}

//  Evaluates one unit's own newest report of (period, fund).
Fundchain__Evaluation *cityeval_unit(citydb_t *db, const cityconf_t *conf, const char *unit,
                                     const char *period, const char *fund)
{
    eval_cfg_t cfg;
    cityconf_eval_cfg(conf, &cfg);
    collect_t c = {NULL, 0, cfg.fw, unit, 0};
    Fundchain__Evaluation *eval = NULL;
    if (citydb_each(db, period, fund, s_collect, &c) == 0 && c.n == 1)
        eval = evaluation_unit(c.reports[0], conf->city, cityconf_unit_name(conf, unit), &cfg);
    s_collect_clear(&c);
    return eval;
}

//  Evaluates the pool of (period, fund) and every unit that reported for it.
int cityeval_all(citydb_t *db, const cityconf_t *conf, const char *period, const char *fund,
                 Fundchain__Evaluation ***evals)
{
    eval_cfg_t cfg;
    cityconf_eval_cfg(conf, &cfg);
    collect_t c = {NULL, 0, cfg.fw, NULL, 0};
    *evals = NULL;
    if (citydb_each(db, period, fund, s_collect, &c) != 0) {
        s_collect_clear(&c);
        return -1;
    }
    Fundchain__Evaluation **list = calloc(c.n + 1, sizeof *list);
    Fundchain__Evaluation *pool = list ? cityeval_pool(db, conf, period, fund) : NULL;
    int n = 0;
    if (pool) {
        list[n++] = pool;
        for (size_t i = 0; i < c.n; i++) {
            const report_t *r = c.reports[i];
            Fundchain__Evaluation *unit =
                evaluation_unit(r, conf->city, cityconf_unit_name(conf, r->unit), &cfg);
            if (unit)
                list[n++] = unit;
        }
    }
    int want = (int)c.n + 1;
    s_collect_clear(&c);
    if (n != want) {
        for (int i = 0; i < n; i++)
            evaluation_free(list[i]);
        free(list);
        return -1;
    }
    *evals = list;
    return n;
}

typedef struct {
    char (*pairs)[2][16];
    size_t n;
} dirty_list_t;

static int s_add_dirty(const char *period, const char *fund, void *arg)
{
    dirty_list_t *list = arg;
    char(*grown)[2][16] = realloc(list->pairs, (list->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    list->pairs = grown;
    snprintf(grown[list->n][0], 16, "%s", period);
    snprintf(grown[list->n][1], 16, "%s", fund);
    list->n++;
    return 0;
}

static void s_pairs_free(citydb_pair_t *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < pairs[i].n; k++)
            evaluation_free(pairs[i].evals[k]);
        free(pairs[i].evals);
    }
}

//  Evaluates and queues one chunk of dirty pairs in one transaction.
//  Returns the number of pairs queued, or -1.
static int s_forward_chunk(citydb_t *db, const cityconf_t *conf, char (*dirty)[2][16], size_t n)
{
    citydb_pair_t pairs[FORWARD_CHUNK];
    size_t done = 0, evals = 0;
    for (size_t i = 0; i < n; i++) {
        citydb_pair_t *pair = &pairs[done];
        int count = cityeval_all(db, conf, dirty[i][0], dirty[i][1], &pair->evals);
        if (count < 0) {
            log_error("cannot evaluate %s %s (it stays marked and is tried again)", dirty[i][0],
                      dirty[i][1]);
            continue;
        }
        pair->period = dirty[i][0];
        pair->fund = dirty[i][1];
        pair->n = (size_t)count;
        evals += pair->n;
        done++;
    }
    int rc = citydb_commit_pairs(db, pairs, done, true);
    if (rc != 0)
        log_error("cannot queue the evaluations of %zu changed periods: %s", done,
                  store_error(citydb_store(db)));
    else if (done > 0)
        log_info("queued %zu evaluations of %zu changed periods (%s %s ...), version %llu", evals,
                 done, pairs[0].period, pairs[0].fund,
                 (unsigned long long)(pairs[0].n ? pairs[0].evals[0]->version : 0));
    s_pairs_free(pairs, done);
    return rc == 0 ? (int)done : -1;
}

//  Evaluates and queues every dirty pair, FORWARD_CHUNK per transaction.
int cityeval_forward(citydb_t *db, const cityconf_t *conf)
{
    dirty_list_t list = {NULL, 0};
    if (citydb_each_dirty(db, s_add_dirty, &list) != 0) {
        log_error("cannot read the changed periods: %s", store_error(citydb_store(db)));
        free(list.pairs);
        return -1;
    }
    int total = 0;
    for (size_t at = 0; at < list.n; at += FORWARD_CHUNK) {
        size_t n = list.n - at < FORWARD_CHUNK ? list.n - at : FORWARD_CHUNK;
        int done = s_forward_chunk(db, conf, list.pairs + at, n);
        if (done < 0) {
            total = -1;
            break;
        }
        total += done;
    }
    free(list.pairs);
    return total;
}
