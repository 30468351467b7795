/*  Tests of the province's store (province-hub/hubdb.c) on real LMDB
    files: what accept does with new, duplicate, older and newer versions
    (alone and within one batch), the scans by (period, fund, level) and
    what they read of each record (the rank index entry: total and numeric
    indicators, replaced by a newer version), records that cannot be read,
    a store made before the rank index, and which stores open.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "evaluation.h"
#include "hubdb.h"
#include "hubfill.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    hubdb_t *db;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_hubdb.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = hubdb_open(f->dir, "510000");
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    hubdb_destroy(&f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  An evaluation on the stack: its strings are literals, its indicators
//  (months_payable and risk_level) point into *ind.
typedef struct {
    Fundchain__Evaluation eval;
    Fundchain__Shown shown[2];
    Fundchain__Shown *ind[2];
} s_eval_t;

static void s_eval(s_eval_t *e, const char *code, const char *period, uint64_t version,
                   int64_t total)
{
    fundchain__evaluation__init(&e->eval);
    e->eval.code = (char *)code;
    e->eval.city = code[4] == '0' && code[5] == '0' ? (char *)code : "510400";
    e->eval.period = (char *)period;
    e->eval.fund = "resident";
    e->eval.level = strcmp(code, e->eval.city) ? FUNDCHAIN__EVALUATION__LEVEL__UNIT
                                               : FUNDCHAIN__EVALUATION__LEVEL__POOL;
    e->eval.version = version;
    e->eval.name = "东区";
    e->eval.total_centi = total;
    e->eval.has_total = true;
    for (int i = 0; i < 2; i++) {
        fundchain__shown__init(&e->shown[i]);
        e->ind[i] = &e->shown[i];
    }
    e->shown[0].code = "months_payable";
    e->shown[0].centi = total / 10;
    e->shown[1].code = "risk_level";
    e->shown[1].text = "normal";
    e->eval.indicators = e->ind;
    e->eval.n_indicators = 2;
}

//  Accepts one evaluation; returns its outcome.
static hubdb_outcome_t s_accept(fixture_t *f, s_eval_t *e)
{
    Fundchain__Evaluation *list[] = {&e->eval};
    hubdb_outcome_t outcome = (hubdb_outcome_t)-1;
    assert_int_equal(hubdb_accept(f->db, list, 1, &outcome), 0);
    return outcome;
}

//  The version and total stored for a unit of 2023, or 0 and 0.
static uint64_t s_stored(fixture_t *f, const char *code, int64_t *total)
{
    Fundchain__Evaluation *got =
        hubdb_get(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__UNIT, code);
    uint64_t version = got ? got->version : 0;
    *total = got ? got->total_centi : 0;
    evaluation_free(got);
    return version;
}

//  New, duplicate, older and newer versions of one unit.
static void test_accept_outcomes(void **state)
{
    fixture_t *f = *state;
    s_eval_t e;
    int64_t total;
    s_eval(&e, "510402", "2023", 5, 9000);
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    assert_int_equal(s_accept(f, &e), HUBDB_DUPLICATE);
    s_eval(&e, "510402", "2023", 4, 1000);
    assert_int_equal(s_accept(f, &e), HUBDB_OLDER);
    assert_int_equal(s_stored(f, "510402", &total), 5);
    assert_int_equal(total, 9000);
    s_eval(&e, "510402", "2023", 6, 7000);
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    assert_int_equal(s_stored(f, "510402", &total), 6);
    assert_int_equal(total, 7000);
    assert_int_equal(s_stored(f, "510403", &total), 0);
}

//  Within one batch each evaluation is compared with what the batch stored
//  before it; an empty batch commits nothing and succeeds.
static void test_accept_batch(void **state)
{
    fixture_t *f = *state;
    s_eval_t a, b, c, d;
    s_eval(&a, "510402", "2023", 2, 200);
    s_eval(&b, "510402", "2023", 1, 100);
    s_eval(&c, "510402", "2023", 3, 300);
    s_eval(&d, "510402", "2023", 3, 999);
    Fundchain__Evaluation *list[] = {&a.eval, &b.eval, &c.eval, &d.eval};
    hubdb_outcome_t outcomes[4];
    assert_int_equal(hubdb_accept(f->db, list, 4, outcomes), 0);
    assert_int_equal(outcomes[0], HUBDB_STORED);
    assert_int_equal(outcomes[1], HUBDB_OLDER);
    assert_int_equal(outcomes[2], HUBDB_STORED);
    assert_int_equal(outcomes[3], HUBDB_DUPLICATE);
    int64_t total;
    assert_int_equal(s_stored(f, "510402", &total), 3);
    assert_int_equal(total, 300);
    assert_int_equal(hubdb_accept(f->db, list, 0, outcomes), 0);
}

typedef struct {
    char text[512];
    int n;
} list_t;

static int s_list_eval(const Fundchain__Evaluation *eval, void *arg)
{
    list_t *l = arg;
    size_t at = strlen(l->text);
    snprintf(l->text + at, sizeof l->text - at, "%s@%llu ", eval->code,
             (unsigned long long)eval->version);
    l->n++;
    return 0;
}

static int s_list_entry(const Fundchain__RankEntry *e, void *arg)
{
    list_t *l = arg;
    size_t at = strlen(l->text);
    at += (size_t)snprintf(l->text + at, sizeof l->text - at, "%s@%llu=%s%lld", e->code,
                           (unsigned long long)e->version,
                           e->has_total ? "" : "none:", (long long)e->total_centi);
    for (size_t i = 0; i < e->n_values && at < sizeof l->text; i++)
        at += (size_t)snprintf(l->text + at, sizeof l->text - at, ",%s:%lld", e->values[i]->code,
                               (long long)e->values[i]->centi);
    if (at < sizeof l->text)
        snprintf(l->text + at, sizeof l->text - at, " ");
    l->n++;
    return 0;
}

//  Stores units and pools of two periods.
static void s_fill(fixture_t *f)
{
    const char *codes[] = {"510411", "510402", "510400", "510403", "510500"};
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 5; i++) {
            s_eval_t e;
            s_eval(&e, codes[i], p ? "2023-01" : "2023", (uint64_t)(i + 1), 1000 * (i + 1));
            if (i == 1)
                e.eval.n_indicators = 1; //  510402 has no risk_level
            assert_int_equal(s_accept(f, &e), HUBDB_STORED);
        }
}

//  A scan visits one (period, fund) at one level, in code order; the scan
//  of the rank index reads the same records.
static void test_each_level(void **state)
{
    fixture_t *f = *state;
    s_fill(f);
    list_t units = {"", 0}, pools = {"", 0}, entries = {"", 0}, none = {"", 0};
    assert_int_equal(hubdb_each(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                s_list_eval, &units),
                     0);
    assert_string_equal(units.text, "510402@2 510403@4 510411@1 ");
    assert_int_equal(hubdb_each(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__POOL,
                                s_list_eval, &pools),
                     0);
    assert_string_equal(pools.text, "510400@3 510500@5 ");
    assert_int_equal(hubdb_each_rank(f->db, "2023-01", "resident",
                                     FUNDCHAIN__EVALUATION__LEVEL__UNIT, s_list_entry, &entries),
                     0);
    assert_string_equal(entries.text, "510402@2=2000,months_payable:200 "
                                      "510403@4=4000,months_payable:400 "
                                      "510411@1=1000,months_payable:100 ");
    assert_int_equal(hubdb_each_rank(f->db, "2023", "dept", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                     s_list_entry, &none),
                     0);
    assert_int_equal(none.n, 0);
}

//  What a ranking reads: the total and the numeric indicators (a text one
//  is not a number), none when the evaluation has no total; a newer
//  version replaces the entry, an older one leaves it.
static void test_rank_entry(void **state)
{
    fixture_t *f = *state;
    s_fill(f);
    s_eval_t e;
    s_eval(&e, "510403", "2023", 10, 7770);
    e.eval.has_total = false;
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    s_eval(&e, "510403", "2023", 9, 1);
    assert_int_equal(s_accept(f, &e), HUBDB_OLDER);
    list_t entries = {"", 0};
    Fundchain__Evaluation__Level unit = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    assert_int_equal(hubdb_each_rank(f->db, "2023", "resident", unit, s_list_entry, &entries), 0);
    assert_string_equal(entries.text, "510402@2=2000,months_payable:200 "
                                      "510403@10=none:7770,months_payable:777 "
                                      "510411@1=1000,months_payable:100 ");
}

static int s_stop(const Fundchain__RankEntry *e, void *arg)
{
    (void)e;
    ++*(int *)arg;
    return 1;
}

//  Checks a rank index entry against the full decode of its evaluation:
//  every field, and the numeric indicators in order (text ones left out).
typedef struct {
    hubdb_t *db;
    int n;
} same_t;

static int s_same(const Fundchain__RankEntry *entry, void *arg)
{
    same_t *same = arg;
    hubdb_t *db = same->db;
    Fundchain__Evaluation *eval = hubdb_get(
        db, "2023-01", "employee", (Fundchain__Evaluation__Level)entry->level, entry->code);
    assert_non_null(eval);
    assert_string_equal(entry->code, eval->code);
    assert_string_equal(entry->name, eval->name);
    assert_int_equal(entry->version, eval->version);
    assert_int_equal(entry->has_total, eval->has_total);
    assert_int_equal(entry->total_centi, eval->total_centi);
    assert_true(eval->n_indicators > 10);
    size_t v = 0;
    for (size_t i = 0; i < eval->n_indicators; i++) {
        const Fundchain__Shown *shown = eval->indicators[i];
        if (shown->text && *shown->text)
            continue;
        assert_true(v < entry->n_values);
        assert_string_equal(entry->values[v]->code, shown->code);
        assert_int_equal(entry->values[v]->centi, shown->centi);
        v++;
    }
    assert_int_equal(v, entry->n_values);
    assert_true(v < eval->n_indicators); //  risk_level is text
    evaluation_free(eval);
    same->n++;
    return 0;
}

//  On the evaluations the product's evaluator makes (units and pools),
//  every rank index entry holds what a full decode gives.
static void test_rank_entry_as_decoded(void **state)
{
    fixture_t *f = *state;
    hubfill_spec_t spec = {2, 3, 2023, 1, 1, 2, 100, 7};
    hubfill_stats_t stats;
    assert_int_equal(hubfill_populate(f->db, &spec, &stats), 0);
    same_t arg = {f->db, 0};
    Fundchain__Evaluation__Level levels[] = {FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                             FUNDCHAIN__EVALUATION__LEVEL__POOL};
    for (int i = 0; i < 2; i++)
        assert_int_equal(hubdb_each_rank(f->db, "2023-01", "employee", levels[i], s_same, &arg), 0);
    assert_int_equal(arg.n, 2 * 4 + 2);
}

static int s_put_garbage(store_txn_t *txn, void *arg)
{
    (void)arg;
    static const char key[] = "2023|resident|U|510405";
    return store_put(txn, "evals", key, strlen(key), "\x0a\x7f", 2); //  a length past the end
}

//  A record that cannot be read is skipped by the scans, is absent for
//  get, and is replaced by the next version; a visitor can stop a scan.
static void test_unreadable_record(void **state)
{
    fixture_t *f = *state;
    s_fill(f);
    assert_int_equal(store_write(hubdb_store(f->db), s_put_garbage, NULL), 0);
    list_t units = {"", 0}, entries = {"", 0};
    Fundchain__Evaluation__Level unit = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    assert_int_equal(hubdb_each(f->db, "2023", "resident", unit, s_list_eval, &units), 0);
    assert_int_equal(units.n, 3);
    assert_int_equal(hubdb_each_rank(f->db, "2023", "resident", unit, s_list_entry, &entries), 0);
    assert_int_equal(entries.n, 3);
    assert_null(hubdb_get(f->db, "2023", "resident", unit, "510405"));
    s_eval_t e;
    s_eval(&e, "510405", "2023", 1, 500);
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    int64_t total;
    assert_int_equal(s_stored(f, "510405", &total), 1);
    int visits = 0;
    assert_int_equal(hubdb_each_rank(f->db, "2023", "resident", unit, s_stop, &visits), 0);
    assert_int_equal(visits, 1);
}

//  Makes the store as the version before the rank index left it: the
//  evaluation under "evals" only, and no record that the index was built.
static int s_put_raw(store_txn_t *txn, void *arg)
{
    s_eval_t *e = arg;
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(&e->eval, &len);
    static const char key[] = "2023|resident|U|510407", built[] = "rankidx-built";
    int rc = bytes ? store_put(txn, "evals", key, strlen(key), bytes, len) : -1;
    free(bytes);
    if (rc == 0)
        rc = store_del(txn, "rankidx", key, strlen(key));
    return rc == 0 ? store_del(txn, "meta", built, strlen(built)) : rc;
}

//  The layout is the one earlier versions wrote (an Evaluation's protobuf
//  under "period|fund|U|code", no rank index): such a store is given its
//  index when it is opened again (read-only), and every path reads it.
static void test_earlier_layout(void **state)
{
    fixture_t *f = *state;
    s_eval_t e;
    s_eval(&e, "510407", "2023", 9, 4321);
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    assert_int_equal(store_write(hubdb_store(f->db), s_put_raw, &e), 0);
    list_t entries = {"", 0};
    Fundchain__Evaluation__Level unit = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    assert_int_equal(hubdb_each_rank(f->db, "2023", "resident", unit, s_list_entry, &entries), 0);
    assert_int_equal(entries.n, 0); //  the earlier layout indeed
    hubdb_destroy(&f->db);
    f->db = hubdb_open(f->dir, NULL);
    assert_non_null(f->db);
    int64_t total;
    assert_int_equal(s_stored(f, "510407", &total), 9);
    assert_int_equal(hubdb_each_rank(f->db, "2023", "resident", unit, s_list_entry, &entries), 0);
    assert_string_equal(entries.text, "510407@9=4321,months_payable:432 ");
    s_eval(&e, "510407", "2023", 9, 1);
    assert_int_equal(s_accept(f, &e), HUBDB_DUPLICATE); //  the version check reads the index
}

//  The store of another province is refused; a read-only open never
//  creates a store.
static void test_open_refusals(void **state)
{
    fixture_t *f = *state;
    hubdb_destroy(&f->db);
    assert_null(hubdb_open(f->dir, "520000"));
    char empty[96];
    snprintf(empty, sizeof empty, "%s/none", f->dir);
    assert_null(hubdb_open(empty, NULL));
    f->db = hubdb_open(f->dir, "510000");
    assert_non_null(f->db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accept_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_entry_as_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
