/*  Tests of the county agent's store (county-agent/agentdb.c) on real LMDB files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "agentdb.h"
#include "outbox.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char top[64];
    char dir[80];
    agentdb_t *db;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->top, sizeof f->top, "/tmp/test_agentdb.XXXXXX");
    assert_non_null(mkdtemp(f->top));
    snprintf(f->dir, sizeof f->dir, "%s/db", f->top);
    f->db = agentdb_open(f->dir, "513331");
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    agentdb_destroy(&f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->top);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Makes a validated report; its diagnostics go to *checks (NULL: dropped).
static report_t *s_report(const char *period, const char *premium, diag_t **checks)
{
    report_t *r = report_new("513331", period, "resident");
    assert_non_null(r);
    assert_int_equal(report_add(r, "income.premium", premium, "wan", "", 2), 0);
    assert_int_equal(report_add(r, "income.total", "100.00", "wan", "", 3), 0);
    diag_t *diag = diag_new();
    assert_int_equal(validate_report(r, "513331", NULL, diag, NULL), 0);
    if (checks)
        *checks = diag;
    else
        diag_destroy(&diag);
    return r;
}

typedef struct {
    int n;
    char key[8][OUTBOX_KEY_MAX];
    uint32_t revision[8];
    size_t warnings[8];
    char warning[8][40]; //  the code of the first warning
    int state[8];
} seen_t;

static int s_seen(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    seen_t *s = arg;
    if (s->n < 8) {
        snprintf(s->key[s->n], OUTBOX_KEY_MAX, "%s", key);
        s->revision[s->n] = e->report ? e->report->revision : 0;
        s->warnings[s->n] = e->n_warnings;
        snprintf(s->warning[s->n], sizeof s->warning[s->n], "%s",
                 e->n_warnings ? e->warnings[0]->code : "");
        s->state[s->n] = e->state;
    }
    s->n++;
    return 0;
}

//  Each new submit of the same (period, fund) gets the next revision.
static void test_revisions_increase(void **state)
{
    fixture_t *f = *state;
    diag_t *checks[3];
    report_t *a = s_report("2023", "100.00", &checks[0]);
    report_t *b = s_report("2023", "90.00", &checks[1]);
    report_t *c = s_report("2024", "100.00", &checks[2]);
    assert_int_equal(agentdb_enqueue(f->db, &a, &checks[0], 1), 0);
    assert_int_equal(agentdb_enqueue(f->db, &b, &checks[1], 1), 0);
    assert_int_equal(agentdb_enqueue(f->db, &c, NULL, 1), 0); //  no warnings given: none kept
    assert_int_equal(a->revision, 1);
    assert_int_equal(b->revision, 2);
    assert_int_equal(c->revision, 1);
    seen_t seen = {0};
    assert_int_equal(outbox_each(agentdb_store(f->db), true, s_seen, &seen), 0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.key[1], "2023|resident|0000000002");
    assert_int_equal(seen.revision[1], 2);
    assert_int_equal(seen.state[0], FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED);
    //  90 of a declared 100 万元 is a total that differs from its parts: kept as a warning.
    assert_int_equal(seen.warnings[0], 0);
    assert_int_equal(seen.warnings[1], 1);
    assert_string_equal(seen.warning[1], "total_mismatch");
    assert_int_equal(seen.warnings[2], 0);
    for (int i = 0; i < 3; i++)
        diag_destroy(&checks[i]);
    report_destroy(&a);
    report_destroy(&b);
    report_destroy(&c);
}

//  What is stored is the warnings given (those submit printed, with the
//  framework it validated with), never a validation of its own: the errors
//  of the list are not kept either.
static void test_keeps_the_warnings_given(void **state)
{
    fixture_t *f = *state;
    report_t *a = s_report("2023", "100.00", NULL);
    diag_t *checks = diag_new();
    diag_add(checks, DIAG_WARNING, "unknown_indicator", "t.csv", 4, 4, "unknown indicator x");
    diag_add(checks, DIAG_ERROR, "bad_number", "t.csv", 5, 5, "not kept");
    diag_add(checks, DIAG_WARNING, "target_missed", "t.csv", 6, 5, "misses its target");
    assert_int_equal(agentdb_enqueue(f->db, &a, &checks, 1), 0);
    seen_t seen = {0};
    assert_int_equal(outbox_each(agentdb_store(f->db), true, s_seen, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.warnings[0], 2);
    assert_string_equal(seen.warning[0], "unknown_indicator");
    diag_destroy(&checks);
    report_destroy(&a);
}

//  Several reports enqueued together get their revisions in one transaction;
//  the revision counter survives reopening.
static void test_batch_and_reopen(void **state)
{
    fixture_t *f = *state;
    report_t *two[2] = {s_report("2023", "100.00", NULL), s_report("2023-Q1", "100.00", NULL)};
    assert_int_equal(agentdb_enqueue(f->db, two, NULL, 2), 0);
    agentdb_destroy(&f->db);
    f->db = agentdb_open(f->dir, "513331");
    assert_non_null(f->db);
    report_t *again = s_report("2023", "100.00", NULL);
    assert_int_equal(agentdb_enqueue(f->db, &again, NULL, 1), 0);
    assert_int_equal(again->revision, 2);
    report_destroy(&two[0]);
    report_destroy(&two[1]);
    report_destroy(&again);
}

//  A data directory bound to one unit refuses another; reading needs no unit.
static void test_other_unit_refused(void **state)
{
    fixture_t *f = *state;
    assert_null(agentdb_open(f->dir, "513322"));
    agentdb_t *reader = agentdb_open(f->dir, NULL);
    assert_non_null(reader);
    assert_string_equal(agentdb_unit(reader), "513331");
    agentdb_destroy(&reader);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none", f->top);
    assert_null(agentdb_open(missing, NULL));
    struct stat st;
    assert_int_equal(stat(missing, &st), -1); //  Reading never creates a store.
}

static int s_put_meta(store_txn_t *txn, void *arg)
{
    const char *const *kv = arg;
    return store_put(txn, "meta", kv[0], strlen(kv[0]), kv[1], strlen(kv[1]));
}

//  Makes, at dir, a store as older versions did (no identity record).
static void s_make_legacy(const char *dir, const char *const *dbs, const char *key, const char *val)
{
    const char *err = NULL;
    store_t *store = store_open(dir, dbs, &err);
    assert_non_null(store);
    const char *kv[2] = {key, val};
    assert_int_equal(store_write(store, s_put_meta, kv), 0);
    store_destroy(&store);
}

//  A store made before identity records is adopted by its own unit only;
//  a city's store is not taken for an agent's.
static void test_legacy_store(void **state)
{
    fixture_t *f = *state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/legacy", f->top);
    static const char *const agent_dbs[] = {OUTBOX_DBS, "revs", "meta", NULL};
    s_make_legacy(dir, agent_dbs, "unit", "513331");
    assert_null(agentdb_open(dir, "513322"));
    agentdb_t *db = agentdb_open(dir, NULL);
    assert_non_null(db);
    agentdb_destroy(&db);
    db = agentdb_open(dir, "513331");
    assert_non_null(db);
    agentdb_destroy(&db);
    assert_null(agentdb_open(dir, "513322"));

    snprintf(dir, sizeof dir, "%s/city", f->top);
    static const char *const city_dbs[] = {"reports", "meta", OUTBOX_DBS, NULL};
    s_make_legacy(dir, city_dbs, "known-indexed", "");
    assert_null(agentdb_open(dir, NULL));
    assert_null(agentdb_open(dir, "513331"));
}

//  A revision the city refused because it holds a newer one (an agent
//  installed again): the next submit numbers after the city's revision.
static void test_numbers_after_the_city(void **state)
{
    fixture_t *f = *state;
    report_t *a = s_report("2023", "100.00", NULL);
    assert_int_equal(agentdb_enqueue(f->db, &a, NULL, 1), 0);
    assert_int_equal(a->revision, 1);
    outbox_change_t change = {.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED,
                              .receiver_revision = 3};
    outbox_key_report(change.key, "2023", "resident", 1);
    snprintf(change.reason, sizeof change.reason, "the city holds revision 3");
    assert_int_equal(outbox_update(agentdb_store(f->db), &change, 1), 0);
    uint32_t own = 0, next = 0;
    assert_int_equal(agentdb_revisions(f->db, "2023", "resident", &own, &next), 0);
    assert_int_equal(own, 1);
    assert_int_equal(next, 4);
    assert_int_equal(agentdb_revisions(f->db, "2023-Q1", "resident", &own, &next), 0);
    assert_int_equal(own, 0);
    assert_int_equal(next, 1);
    report_t *b = s_report("2023", "100.00", NULL);
    assert_int_equal(agentdb_enqueue(f->db, &b, NULL, 1), 0);
    assert_int_equal(b->revision, 4);
    report_destroy(&a);
    report_destroy(&b);
}

//  What sync learns raises the next revision, never lowers it.
static void test_learn(void **state)
{
    fixture_t *f = *state;
    agentdb_held_t held[] = {{"2023", "resident", 5}, {"2022", "resident", 2}};
    assert_int_equal(agentdb_learn(f->db, held, 2), 0);
    agentdb_held_t lower = {"2023", "resident", 1};
    assert_int_equal(agentdb_learn(f->db, &lower, 1), 0);
    uint32_t own = 0, next = 0;
    assert_int_equal(agentdb_revisions(f->db, "2023", "resident", &own, &next), 0);
    assert_int_equal(own, 0);
    assert_int_equal(next, 6);
    report_t *two[2] = {s_report("2023", "100.00", NULL), s_report("2022", "100.00", NULL)};
    assert_int_equal(agentdb_enqueue(f->db, two, NULL, 2), 0);
    assert_int_equal(two[0]->revision, 6);
    assert_int_equal(two[1]->revision, 3);
    report_destroy(&two[0]);
    report_destroy(&two[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_revisions_increase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keeps_the_warnings_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_unit_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_after_the_city, setup, teardown),
        cmocka_unit_test_setup_teardown(test_learn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
