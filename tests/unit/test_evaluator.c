/*  Tests of the evaluator actor on a real city store (a temporary LMDB) and
    a real PUB socket (ipc, plain text): marks left before it starts are
    evaluated without a kick; a kick after a store makes it evaluate, queue
    for the province, clear the mark, publish "pool" and "unit" events and
    tell the run loop; stopping it leaves later marks for the next start.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "cityconf.h"
#include "evaluator.h"
#include "evaluation.h"
#include "outbox.h"
#include "transport.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 10000

typedef struct {
    char dir[64];
    char endpoint[128];
    citydb_t *db;
    cityconf_t conf;
    transport_server_t *pub;
    zsock_t *sub;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_evaluator.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    cityconf_init(&f->conf);
    snprintf(f->conf.city, sizeof f->conf.city, "513300");
    snprintf(f->conf.name, sizeof f->conf.name, "甘孜州");
    assert_int_equal(cityconf_save(&f->conf, citydb_store(f->db)), 0);
    snprintf(f->endpoint, sizeof f->endpoint, "ipc://%s/feed", f->dir);
    f->pub = transport_server_new(ZMQ_PUB, f->endpoint, NULL, NULL);
    assert_non_null(f->pub);
    f->sub = zsock_new_sub(f->endpoint, "");
    assert_non_null(f->sub);
    zclock_sleep(100); //  the subscription reaches the PUB
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    zsock_destroy(&f->sub);
    transport_server_destroy(&f->pub);
    citydb_destroy(&f->db);
    cityconf_clear(&f->conf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void s_accept(fixture_t *f, const char *unit, const char *period, uint32_t revision)
{
    report_t *r = report_new(unit, period, "resident");
    assert_non_null(r);
    r->revision = revision;
    assert_int_equal(report_add(r, "income.total", "100.00", "yuan", "", 2), 0);
    citydb_outcome_t outcome;
    assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
    assert_int_equal(outcome, CITYDB_STORED);
    report_destroy(&r);
}

static int s_count_mark(const citydb_mark_t *mark, void *arg)
{
    (void)mark;
    (*(int *)arg)++;
    return 0;
}

static int s_marks(fixture_t *f)
{
    int n = 0;
    assert_int_equal(citydb_each_mark(f->db, s_count_mark, &n), 0);
    return n;
}

static int s_count_entry(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    (void)key;
    (void)entry;
    (*(int *)arg)++;
    return 0;
}

static int s_outbox(fixture_t *f)
{
    int n = 0;
    assert_int_equal(outbox_each(citydb_store(f->db), true, s_count_entry, &n), 0);
    return n;
}

//  Waits until the evaluator says it queued a round; fails after WAIT_MS.
static void s_wait_news(evaluator_t *evaluator)
{
    zpoller_t *poller = zpoller_new(evaluator_sock(evaluator), NULL);
    int64_t end = zclock_mono() + WAIT_MS;
    int queued = 0;
    while (queued == 0 && zclock_mono() < end)
        if (zpoller_wait(poller, 100))
            queued = evaluator_take_news(evaluator);
    zpoller_destroy(&poller);
    assert_true(queued > 0);
}

//  Reads the events waiting on the feed: counts pools and units.
static void s_events(fixture_t *f, int *pools, int *units)
{
    *pools = *units = 0;
    zpoller_t *poller = zpoller_new(f->sub, NULL);
    while (zpoller_wait(poller, 300)) {
        zmsg_t *msg = zmsg_recv(f->sub);
        assert_non_null(msg);
        assert_int_equal(zmsg_size(msg), 2); //  the kind, then the Evaluation
        char *kind = zmsg_popstr(msg);
        zframe_t *body = zmsg_pop(msg);
        Fundchain__Evaluation *eval = evaluation_decode(zframe_data(body), zframe_size(body));
        assert_non_null(eval);
        assert_int_equal(eval->level, !strcmp(kind, "pool") ? FUNDCHAIN__EVALUATION__LEVEL__POOL
                                                            : FUNDCHAIN__EVALUATION__LEVEL__UNIT);
        *pools += !strcmp(kind, "pool");
        *units += !strcmp(kind, "unit");
        evaluation_free(eval);
        zframe_destroy(&body);
        zstr_free(&kind);
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
}

//  Marks left before the start (a crash) are evaluated without a kick.
static void test_marks_at_start(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", 1);
    s_accept(f, "513331", "2023", 1);
    s_accept(f, "513322", "2023-01", 1);
    evaluator_t *evaluator = evaluator_new(f->dir, "513300", &f->pub);
    assert_non_null(evaluator);
    assert_null(f->pub); //  taken over
    s_wait_news(evaluator);
    evaluator_destroy(&evaluator);
    assert_null(evaluator);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(s_outbox(f), 5); //  2 pools, 3 units
    int pools, units;
    s_events(f, &pools, &units);
    assert_int_equal(pools, 2);
    assert_int_equal(units, 3);
}

//  A kick after a store: evaluated, queued, published, the mark cleared;
//  what is marked after the evaluator stops stays marked.
static void test_kick(void **state)
{
    fixture_t *f = *state;
    evaluator_t *evaluator = evaluator_new(f->dir, "513300", &f->pub);
    assert_non_null(evaluator);
    zclock_sleep(200); //  its first round found nothing
    assert_int_equal(evaluator_take_news(evaluator), 0);
    s_accept(f, "513322", "2023", 1);
    evaluator_kick(evaluator);
    s_wait_news(evaluator);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(s_outbox(f), 2);
    int pools, units;
    s_events(f, &pools, &units);
    assert_int_equal(pools, 1);
    assert_int_equal(units, 1);
    evaluator_destroy(&evaluator);
    s_accept(f, "513322", "2023", 2);
    assert_int_equal(s_marks(f), 1);
}

//  A new revision of one unit of a pair: the feed and the outbox get the
//  pool and that unit again, not the units that did not change.
static void test_changed_units_only(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", 1);
    s_accept(f, "513331", "2023", 1);
    evaluator_t *evaluator = evaluator_new(f->dir, "513300", &f->pub);
    assert_non_null(evaluator);
    s_wait_news(evaluator);
    int pools, units;
    s_events(f, &pools, &units);
    assert_int_equal(pools, 1);
    assert_int_equal(units, 2);
    s_accept(f, "513331", "2023", 2);
    evaluator_kick(evaluator);
    s_wait_news(evaluator);
    s_events(f, &pools, &units);
    assert_int_equal(pools, 1);
    assert_int_equal(units, 1);
    assert_int_equal(s_outbox(f), 3); //  the pool and 513331 replaced their entries
    evaluator_destroy(&evaluator);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_marks_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_units_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
