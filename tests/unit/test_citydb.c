/*  Tests of citydb's indexes and of forwarding in bulk, on real LMDB files:
    the units known for a fund (kept on accept, rebuilt for an older store),
    several (period, fund) pairs committed in one transaction, and an
    evaluation's new version replacing the older one in the outbox.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "outbox.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    citydb_t *db;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_citydb.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    citydb_destroy(&f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Stores one report of unit for (period, fund) at a revision.
static void s_accept(fixture_t *f, const char *unit, const char *period, const char *fund,
                     uint32_t revision)
{
    report_t *r = report_new(unit, period, fund);
    r->revision = revision;
    assert_int_equal(report_add(r, "income.total", "100.00", "yuan", "", 2), 0);
    citydb_outcome_t outcome;
    assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
    assert_int_equal(outcome, CITYDB_STORED);
    report_destroy(&r);
}

typedef struct {
    char text[256];
    int n;
} list_t;

static int s_list_unit(const char *unit, void *arg)
{
    list_t *list = arg;
    size_t len = strlen(list->text);
    snprintf(list->text + len, sizeof list->text - len, "%s%s", list->n++ ? "," : "", unit);
    return 0;
}

static const char *s_known(fixture_t *f, const char *fund, list_t *list)
{
    memset(list, 0, sizeof *list);
    assert_int_equal(citydb_each_known(f->db, fund, s_list_unit, list), 0);
    return list->text;
}

//  Every unit that reported for a fund is known for it once, in code order.
static void test_known_units(void **state)
{
    fixture_t *f = *state;
    list_t list;
    assert_string_equal(s_known(f, "resident", &list), "");
    s_accept(f, "513331", "2023", "resident", 1);
    s_accept(f, "513322", "2023-01", "resident", 1);
    s_accept(f, "513331", "2023", "resident", 2);
    s_accept(f, "513336", "2023", "employee", 1);
    assert_string_equal(s_known(f, "resident", &list), "513322,513331");
    assert_string_equal(s_known(f, "employee", &list), "513336");
    assert_string_equal(s_known(f, "maternity", &list), "");
    assert_int_equal(citydb_each_known(f->db, NULL, s_list_unit, &list), -1);
}

//  Empties "known" and its flag, as in a store made before the index.
static int s_forget_index(store_txn_t *txn, void *arg)
{
    (void)arg;
    const char *keys[] = {"resident|513322", "resident|513331", "employee|513336"};
    for (size_t i = 0; i < 3; i++)
        if (store_del(txn, "known", keys[i], strlen(keys[i])) != 0)
            return -1;
    return store_del(txn, "meta", "indexed-known-series", strlen("indexed-known-series"));
}

//  A store without the index gets it when opened.
static void test_known_rebuilt(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513331", "2023", "resident", 1);
    s_accept(f, "513322", "2023", "resident", 1);
    s_accept(f, "513336", "2023", "employee", 1);
    assert_int_equal(store_write(citydb_store(f->db), s_forget_index, NULL), 0);
    list_t list;
    assert_string_equal(s_known(f, "resident", &list), "");
    citydb_destroy(&f->db);
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    assert_string_equal(s_known(f, "resident", &list), "513322,513331");
    assert_string_equal(s_known(f, "employee", &list), "513336");
}

//  A minimal evaluation of (code, period, fund) at a level.
static Fundchain__Evaluation *s_eval(const char *code, const char *period, const char *fund,
                                     int level)
{
    Fundchain__Evaluation *e = calloc(1, sizeof *e);
    fundchain__evaluation__init(e);
    e->code = strdup(code);
    e->city = strdup("513300");
    e->period = strdup(period);
    e->fund = strdup(fund);
    e->level = level;
    return e;
}

static void s_eval_free(Fundchain__Evaluation *e)
{
    free(e->code);
    free(e->city);
    free(e->period);
    free(e->fund);
    free(e);
}

typedef struct {
    char keys[16][OUTBOX_KEY_MAX];
    uint64_t versions[16];
    int n;
} entries_t;

static int s_entry(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    entries_t *all = arg;
    assert_true(all->n < 16);
    snprintf(all->keys[all->n], OUTBOX_KEY_MAX, "%s", key);
    all->versions[all->n++] = entry->evaluation ? entry->evaluation->version : 0;
    return 0;
}

static int s_count_dirty(const char *period, const char *fund, void *arg)
{
    (void)period;
    (void)fund;
    (*(int *)arg)++;
    return 0;
}

//  Commits the evaluations of two pairs (a pool and a unit each) at once.
static void s_commit_two(fixture_t *f, Fundchain__Evaluation **a, Fundchain__Evaluation **b)
{
    citydb_pair_t pairs[] = {{"2023", "resident", a, 2, 0, 0}, {"2023-01", "resident", b, 2, 0, 0}};
    assert_int_equal(citydb_commit_pairs(f->db, pairs, 2, true), 0);
}

//  Several pairs in one transaction: a version each, every mark cleared.
static void test_commit_pairs(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1);
    s_accept(f, "513322", "2023-01", "resident", 1);
    int dirty = 0;
    assert_int_equal(citydb_each_dirty(f->db, s_count_dirty, &dirty), 0);
    assert_int_equal(dirty, 2);
    Fundchain__Evaluation *a[] = {s_eval("513300", "2023", "resident", 1),
                                  s_eval("513322", "2023", "resident", 0)};
    Fundchain__Evaluation *b[] = {s_eval("513300", "2023-01", "resident", 1),
                                  s_eval("513322", "2023-01", "resident", 0)};
    s_commit_two(f, a, b);
    dirty = 0;
    assert_int_equal(citydb_each_dirty(f->db, s_count_dirty, &dirty), 0);
    assert_int_equal(dirty, 0);
    assert_int_equal(a[0]->version, 1);
    assert_int_equal(a[1]->version, 1);
    assert_int_equal(b[0]->version, 2);
    entries_t pending = {0};
    assert_int_equal(outbox_each(citydb_store(f->db), true, s_entry, &pending), 0);
    assert_int_equal(pending.n, 4);
    assert_string_equal(pending.keys[0], "00000000000000000001|0|513322|2023|resident");
    assert_int_equal(pending.versions[3], 2);
    for (int i = 0; i < 2; i++) {
        s_eval_free(a[i]);
        s_eval_free(b[i]);
    }
}

//  A new version replaces the older entry, pending or acknowledged.
static void test_new_version_replaces_older(void **state)
{
    fixture_t *f = *state;
    Fundchain__Evaluation *a[] = {s_eval("513300", "2023", "resident", 1),
                                  s_eval("513322", "2023", "resident", 0)};
    Fundchain__Evaluation *b[] = {s_eval("513300", "2023-01", "resident", 1),
                                  s_eval("513322", "2023-01", "resident", 0)};
    s_commit_two(f, a, b); //  versions 1 and 2
    outbox_change_t acked = {.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED};
    outbox_key_evaluation(acked.key, 2, 1, "513300", "2023-01", "resident");
    assert_int_equal(outbox_update(citydb_store(f->db), &acked, 1), 0);
    s_commit_two(f, a, b); //  versions 3 and 4
    entries_t all = {0}, pending = {0};
    assert_int_equal(outbox_each(citydb_store(f->db), false, s_entry, &all), 0);
    assert_int_equal(outbox_each(citydb_store(f->db), true, s_entry, &pending), 0);
    assert_int_equal(all.n, 4);
    assert_int_equal(pending.n, 4);
    for (int i = 0; i < 4; i++)
        assert_true(all.versions[i] == 3 || all.versions[i] == 4);
    assert_string_equal(all.keys[0], "00000000000000000003|0|513322|2023|resident");
    assert_string_equal(all.keys[3], "00000000000000000004|1|513300|2023-01|resident");
    for (int i = 0; i < 2; i++) {
        s_eval_free(a[i]);
        s_eval_free(b[i]);
    }
}

static int s_put_config(store_txn_t *txn, void *arg)
{
    return store_put(txn, "meta", "config", 6, arg, strlen(arg));
}

//  A store made before identity records is adopted only by the city its
//  configuration names; a read-only open needs no code; another city is
//  refused after adoption too.
static void test_legacy_store(void **state)
{
    fixture_t *f = *state;
    citydb_destroy(&f->db);
    char dir[96];
    snprintf(dir, sizeof dir, "%s/legacy", f->dir);
    static const char *const dbs[] = {"reports", "meta", "evals", "outbox", NULL};
    const char *err = NULL;
    store_t *store = store_open(dir, dbs, &err);
    assert_non_null(store);
    assert_int_equal(store_write(store, s_put_config, "{\"city\":\"510400\"}"), 0);
    store_destroy(&store);
    assert_null(citydb_open(dir, "510500"));
    f->db = citydb_open(dir, NULL);
    assert_non_null(f->db);
    citydb_destroy(&f->db);
    f->db = citydb_open(dir, "510400");
    assert_non_null(f->db);
    citydb_destroy(&f->db);
    assert_null(citydb_open(dir, "510500"));
    f->db = citydb_open(dir, NULL);
    assert_non_null(f->db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_known_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_known_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_version_replaces_older, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
