/*  Tests of the province's store (province-hub/hubdb.c) on real LMDB
    files: what accept does with new, duplicate, older and newer versions
    (alone and within one batch), the scans by (period, fund, level) and
    what they read of each record, records that cannot be read, and which
    stores open.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "evaluation.h"
#include "hubdb.h"
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

static int s_list_peek(const hubpeek_t *p, void *arg)
{
    list_t *l = arg;
    size_t at = strlen(l->text);
    snprintf(l->text + at, sizeof l->text - at, "%.*s@%llu=%s%lld ", (int)p->code_len, p->code,
             (unsigned long long)p->version, p->has_value ? "" : "none:", (long long)p->centi);
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

//  A scan visits one (period, fund) at one level, in code order, and
//  stops when asked; the peeking scan reads the same records.
static void test_each_level(void **state)
{
    fixture_t *f = *state;
    s_fill(f);
    list_t units = {"", 0}, pools = {"", 0}, peeks = {"", 0}, none = {"", 0};
    assert_int_equal(hubdb_each(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                s_list_eval, &units),
                     0);
    assert_string_equal(units.text, "510402@2 510403@4 510411@1 ");
    assert_int_equal(hubdb_each(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__POOL,
                                s_list_eval, &pools),
                     0);
    assert_string_equal(pools.text, "510400@3 510500@5 ");
    assert_int_equal(hubdb_each_peek(f->db, "2023-01", "resident",
                                     FUNDCHAIN__EVALUATION__LEVEL__UNIT, "total", s_list_peek,
                                     &peeks),
                     0);
    assert_string_equal(peeks.text, "510402@2=2000 510403@4=4000 510411@1=1000 ");
    assert_int_equal(hubdb_each_peek(f->db, "2023", "dept", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                     "total", s_list_peek, &none),
                     0);
    assert_int_equal(none.n, 0);
}

//  What a ranking reads: the value by an indicator, none for a text one or
//  one the evaluation lacks.
static void test_each_peek_by(void **state)
{
    fixture_t *f = *state;
    s_fill(f);
    list_t months = {"", 0}, risk = {"", 0};
    Fundchain__Evaluation__Level unit = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    assert_int_equal(
        hubdb_each_peek(f->db, "2023", "resident", unit, "months_payable", s_list_peek, &months),
        0);
    assert_string_equal(months.text, "510402@2=200 510403@4=400 510411@1=100 ");
    assert_int_equal(
        hubdb_each_peek(f->db, "2023", "resident", unit, "risk_level", s_list_peek, &risk), 0);
    assert_string_equal(risk.text, "510402@2=none:0 510403@4=none:0 510411@1=none:0 ");
}

static int s_stop(const hubpeek_t *p, void *arg)
{
    (void)p;
    ++*(int *)arg;
    return 1;
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
    list_t units = {"", 0}, peeks = {"", 0};
    Fundchain__Evaluation__Level unit = FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    assert_int_equal(hubdb_each(f->db, "2023", "resident", unit, s_list_eval, &units), 0);
    assert_int_equal(units.n, 3);
    assert_int_equal(hubdb_each_peek(f->db, "2023", "resident", unit, NULL, s_list_peek, &peeks),
                     0);
    assert_int_equal(peeks.n, 3);
    assert_null(hubdb_get(f->db, "2023", "resident", unit, "510405"));
    s_eval_t e;
    s_eval(&e, "510405", "2023", 1, 500);
    assert_int_equal(s_accept(f, &e), HUBDB_STORED);
    int64_t total;
    assert_int_equal(s_stored(f, "510405", &total), 1);
    int visits = 0;
    assert_int_equal(hubdb_each_peek(f->db, "2023", "resident", unit, NULL, s_stop, &visits), 0);
    assert_int_equal(visits, 1);
}

static int s_put_raw(store_txn_t *txn, void *arg)
{
    s_eval_t *e = arg;
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(&e->eval, &len);
    static const char key[] = "2023|resident|U|510407";
    int rc = bytes ? store_put(txn, "evals", key, strlen(key), bytes, len) : -1;
    free(bytes);
    return rc;
}

//  The layout is the one earlier versions wrote (an Evaluation's protobuf
//  under "period|fund|U|code"): such a record, put there directly, is read
//  by every path after the store is closed and opened again read-only.
static void test_earlier_layout(void **state)
{
    fixture_t *f = *state;
    s_eval_t e;
    s_eval(&e, "510407", "2023", 9, 4321);
    assert_int_equal(store_write(hubdb_store(f->db), s_put_raw, &e), 0);
    hubdb_destroy(&f->db);
    f->db = hubdb_open(f->dir, NULL);
    assert_non_null(f->db);
    int64_t total;
    assert_int_equal(s_stored(f, "510407", &total), 9);
    list_t peeks = {"", 0};
    assert_int_equal(hubdb_each_peek(f->db, "2023", "resident", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                     NULL, s_list_peek, &peeks),
                     0);
    assert_string_equal(peeks.text, "510407@9=4321 ");
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
        cmocka_unit_test_setup_teardown(test_each_peek_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
