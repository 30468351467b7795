/*  Tests of the city's answer to a HeldQuery (city-aggregator/held.c): a
    real ROUTER/DEALER pair over inproc and a real LMDB store, with a small
    message limit so that the answer is cut into several messages.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "envelope.h"
#include "held.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    citydb_t *db;
    zsock_t *router, *dealer;
    zframe_t *identity;
} fixture_t;

static int s_count;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_held.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://held-%d", s_count++);
    f->router = zsock_new_router(ep);
    f->dealer = zsock_new_dealer(ep);
    assert_non_null(f->router);
    assert_non_null(f->dealer);
    zstr_send(f->dealer, "hello"); //  the router learns the dealer's identity
    zmsg_t *msg = zmsg_recv(f->router);
    f->identity = zmsg_pop(msg);
    zmsg_destroy(&msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    zframe_destroy(&f->identity);
    zsock_destroy(&f->dealer);
    zsock_destroy(&f->router);
    citydb_destroy(&f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void s_store(fixture_t *f, const char *unit, const char *period, uint32_t revision)
{
    report_t *r = report_new(unit, period, "resident");
    r->revision = revision;
    assert_int_equal(report_add(r, "income.total", "1.00", "yuan", "", 2), 0);
    citydb_outcome_t outcome;
    assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
    report_destroy(&r);
}

//  Receives one HeldReply; NULL when none came within a second.
static Fundchain__HeldReply *s_reply(fixture_t *f, Fundchain__Envelope **env)
{
    zsock_set_rcvtimeo(f->dealer, 1000);
    zframe_t *frame = zframe_recv(f->dealer);
    if (!frame)
        return NULL;
    assert_true(zframe_size(frame) <= transport_max_msg());
    *env = envelope_unpack(frame, transport_max_msg(), NULL, 0);
    zframe_destroy(&frame);
    assert_non_null(*env);
    assert_int_equal((*env)->body_case, FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY);
    return (*env)->held_reply;
}

//  Every revision of the unit, and none of another, in messages that fit the
//  limit, the last one not marked more.
static void test_answer_in_parts(void **state)
{
    fixture_t *f = *state;
    char period[16];
    for (int m = 0; m < 50; m++) {
        snprintf(period, sizeof period, "%d-%02d", 1990 + m / 12, m % 12 + 1);
        s_store(f, "513322", period, (uint32_t)m + 1);
    }
    s_store(f, "513331", "2023", 7);
    assert_int_equal(held_answer(f->db, f->router, f->identity, "513322", NULL), 0);
    size_t total = 0, messages = 0;
    uint32_t sum = 0;
    bool more = true;
    while (more) {
        Fundchain__Envelope *env = NULL;
        Fundchain__HeldReply *reply = s_reply(f, &env);
        assert_non_null(reply);
        assert_string_equal(reply->unit, "513322");
        assert_string_equal(reply->error, "");
        for (size_t i = 0; i < reply->n_held; i++)
            sum += reply->held[i]->revision;
        total += reply->n_held;
        messages++;
        more = reply->more;
        envelope_destroy(&env);
    }
    assert_int_equal(total, 50);
    assert_int_equal(sum, 50 * 51 / 2);
    assert_true(messages > 1);
}

//  A unit the city holds nothing of gets one empty answer; a refusal its reason.
static void test_empty_and_refused(void **state)
{
    fixture_t *f = *state;
    Fundchain__Envelope *env = NULL;
    assert_int_equal(held_answer(f->db, f->router, f->identity, "513336", NULL), 0);
    Fundchain__HeldReply *reply = s_reply(f, &env);
    assert_non_null(reply);
    assert_int_equal(reply->n_held, 0);
    assert_false(reply->more);
    envelope_destroy(&env);
    assert_int_equal(held_answer(f->db, f->router, f->identity, "510904", "not inside city"), 0);
    reply = s_reply(f, &env);
    assert_non_null(reply);
    assert_string_equal(reply->error, "not inside city");
    assert_int_equal(reply->n_held, 0);
    envelope_destroy(&env);
}

int main(void)
{
    setenv("FUNDCHAIN_MAX_MSG", "1024", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answer_in_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
