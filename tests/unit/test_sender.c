/*  Tests of the sender (libfund/sender.c): a real DEALER/ROUTER pair over
    inproc and a real LMDB outbox. The loss tests wait out real backoffs
    (a few seconds).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "envelope.h"
#include "outbox.h"
#include "sender.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    store_t *store;
    zsock_t *router;
    zsock_t *dealer;
    sender_t *sender;
} fixture_t;

static const char *const s_dbs[] = {OUTBOX_DBS, NULL};
static int s_count;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_sender.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    const char *err = NULL;
    f->store = store_open(f->dir, s_dbs, &err);
    assert_non_null(f->store);
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://sender-%d", s_count++);
    f->router = zsock_new_router(ep);
    f->dealer = zsock_new_dealer(ep);
    assert_non_null(f->router);
    assert_non_null(f->dealer);
    f->sender = sender_new(f->store, f->dealer, "test");
    assert_non_null(f->sender);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sender_destroy(&f->sender);
    zsock_destroy(&f->dealer);
    zsock_destroy(&f->router);
    store_destroy(&f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

typedef struct {
    const char *key;
    const char *value; //  the one item's value text
} put_t;

static int s_put(store_txn_t *txn, void *arg)
{
    put_t *put = arg;
    Fundchain__Item item = FUNDCHAIN__ITEM__INIT;
    Fundchain__Item *items[] = {&item};
    item.code = "income.total";
    item.value = (char *)put->value;
    item.uom = "yuan";
    Fundchain__Report report = FUNDCHAIN__REPORT__INIT;
    char period[16]; //  the key's: "period|fund|revision"
    snprintf(period, sizeof period, "%.*s", (int)strcspn(put->key, "|"), put->key);
    report.unit = "513331";
    report.period = period;
    report.fund = "resident";
    report.revision = 1;
    report.n_items = 1;
    report.items = items;
    Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    entry.report = &report;
    return outbox_put(txn, put->key, &entry);
}

typedef struct {
    int state;
    uint32_t attempts;
    char reason[512];
} one_t;

static int s_one(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    (void)key;
    one_t *one = arg;
    one->state = e->state;
    one->attempts = e->attempts;
    snprintf(one->reason, sizeof one->reason, "%s", e->reason ? e->reason : "");
    return 1;
}

//  A queued report is sent once, not again before its backoff, and is acked
//  by the receiver's acknowledgement.
static void test_send_and_ack(void **state)
{
    fixture_t *f = *state;
    char key[OUTBOX_KEY_MAX];
    outbox_key_report(key, "2023", "resident", 1);
    put_t put = {key, "100.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    assert_int_equal(sender_send_due(f->sender), 0); //  not due again yet

    zmsg_t *msg = zmsg_recv(f->router);
    assert_non_null(msg);
    zframe_t *identity = zmsg_pop(msg);
    zframe_t *body = zmsg_pop(msg);
    Fundchain__Envelope *env = envelope_unpack(body, transport_max_msg(), NULL, 0);
    assert_non_null(env);
    assert_int_equal(env->body_case, FUNDCHAIN__ENVELOPE__BODY_REPORT);
    assert_string_equal(env->report->items[0]->value, "100.00");
    envelope_destroy(&env);

    one_t one = {0};
    assert_int_equal(outbox_each(f->store, true, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
    assert_int_equal(one.attempts, 1);

    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    ack.period = "2023";
    ack.fund = "resident";
    ack.revision = 1;
    zframe_t *out = envelope_ack_frame(&ack);
    assert_non_null(out);
    zframe_send(&identity, f->router, ZFRAME_MORE);
    zframe_send(&out, f->router, 0);
    zframe_destroy(&body);
    zmsg_destroy(&msg);
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), 1);
    memset(&one, 0, sizeof one);
    assert_int_equal(outbox_each(f->store, false, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED);
}

//  A message larger than any receiver accepts is dead, never sent or retried.
static void test_oversize_is_dead(void **state)
{
    fixture_t *f = *state;
    size_t size = TRANSPORT_MAX_MSG + 16;
    char *huge = malloc(size + 1);
    memset(huge, '9', size);
    huge[size] = 0;
    put_t put = {"2023|resident|0000000001", huge};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    free(huge);
    assert_int_equal(sender_send_due(f->sender), 1); //  one change: dead
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, false, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD);
    assert_non_null(strstr(one.reason, "larger"));
    assert_int_equal(zsock_events(f->router) & ZMQ_POLLIN, 0);
}

//  Garbage from the receiver is ignored; the entry stays to deliver.
static void test_garbage_reply_ignored(void **state)
{
    fixture_t *f = *state;
    put_t put = {"2023|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    zmsg_t *msg = zmsg_recv(f->router);
    zframe_t *identity = zmsg_pop(msg);
    zframe_t *junk = zframe_new("\x0a\xff\xff", 3);
    zframe_send(&identity, f->router, ZFRAME_MORE);
    zframe_send(&junk, f->router, 0);
    zmsg_destroy(&msg);
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), 0);
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, true, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
}

//  An entry whose record says it was sent at the end of time (a damaged
//  store) is not due, and its backoff does not overflow (UBSan).
static void test_sent_at_end_of_time(void **state)
{
    fixture_t *f = *state;
    put_t put = {"2023|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    outbox_change_t change = {.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, .when = INT64_MAX};
    snprintf(change.key, sizeof change.key, "%s", put.key);
    assert_int_equal(outbox_update(f->store, &change, 1), 0);
    assert_int_equal(sender_send_due(f->sender), 0);
    assert_int_equal(zsock_events(f->router) & ZMQ_POLLIN, 0);
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, true, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
}

static void test_backoff_doubles(void **state)
{
    (void)state;
    assert_int_equal(sender_backoff(1), 2);
    assert_int_equal(sender_backoff(2), 4);
    assert_int_equal(sender_backoff(3), 8);
    assert_int_equal(sender_backoff(10), 60);
    assert_int_equal(sender_backoff(4000000000u), 60);
}

//  A long rejection reason in Chinese is cut on a character boundary: the
//  stored reason stays valid UTF-8 (status prints it as JSON).
static void test_long_reason_stays_utf8(void **state)
{
    fixture_t *f = *state;
    put_t put = {"2023|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    zmsg_t *msg = zmsg_recv(f->router);
    zframe_t *identity = zmsg_pop(msg);
    char reason[400] = "x"; //  1 + 3k bytes: a cut at 255 splits a character
    for (int i = 0; i < 130; i++)
        strcat(reason, "中");
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    ack.period = "2023";
    ack.fund = "resident";
    ack.revision = 1;
    ack.status = FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = reason;
    zframe_t *out = envelope_ack_frame(&ack);
    assert_non_null(out);
    zframe_send(&identity, f->router, ZFRAME_MORE);
    zframe_send(&out, f->router, 0);
    zmsg_destroy(&msg);
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), 1);
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, false, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED);
    size_t len = strlen(one.reason);
    assert_int_equal(len, 1 + 84 * 3); //  not 255: the last, partial character is gone
    assert_int_equal(memcmp(one.reason, reason, len), 0);
}

static int s_receiver_revision(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    (void)key;
    *(uint32_t *)arg = e->receiver_revision;
    return 1;
}

//  A report the receiver did not store because it holds a newer revision is
//  rejected, never acked, and the entry keeps the receiver's revision.
static void test_superseded_keeps_the_receivers_revision(void **state)
{
    fixture_t *f = *state;
    put_t put = {"2023|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    zmsg_t *msg = zmsg_recv(f->router);
    zframe_t *identity = zmsg_pop(msg);
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    ack.period = "2023";
    ack.fund = "resident";
    ack.revision = 1;
    ack.status = FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = "the city holds revision 3, newer than revision 1, and kept it";
    ack.stored_revision = 3;
    zframe_t *out = envelope_ack_frame(&ack);
    assert_non_null(out);
    zframe_send(&identity, f->router, ZFRAME_MORE);
    zframe_send(&out, f->router, 0);
    zmsg_destroy(&msg);
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), 1);
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, false, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED);
    assert_non_null(strstr(one.reason, "holds revision 3"));
    uint32_t held = 0;
    assert_int_equal(outbox_each(f->store, false, s_receiver_revision, &held), 0);
    assert_int_equal(held, 3);
}

//  Queues n reports (periods 1900-01 on, in key order) in one transaction.
static int s_put_many(store_txn_t *txn, void *arg)
{
    int n = *(int *)arg;
    for (int i = 0; i < n; i++) {
        char key[OUTBOX_KEY_MAX];
        char period[16];
        snprintf(period, sizeof period, "%04d-%02d", 1900 + i / 12, 1 + i % 12);
        outbox_key_report(key, period, "resident", 1);
        put_t put = {key, "1.00"};
        int rc = s_put(txn, &put);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Receives every message waiting at the router (waiting up to wait_ms for
//  the first); keeps up to max of their keys' periods and identities.
static int s_drain(fixture_t *f, int wait_ms, char (*periods)[16], zframe_t **ids, int max)
{
    int n = 0;
    zpoller_t *poller = zpoller_new(f->router, NULL);
    while (zpoller_wait(poller, n ? 50 : wait_ms) == f->router) {
        zmsg_t *msg = zmsg_recv(f->router);
        zframe_t *identity = zmsg_pop(msg);
        zframe_t *body = zmsg_pop(msg);
        Fundchain__Envelope *env =
            fundchain__envelope__unpack(NULL, zframe_size(body), zframe_data(body));
        assert_non_null(env);
        if (n < max && periods)
            snprintf(periods[n], 16, "%s", env->report->period);
        if (n < max && ids)
            ids[n] = zframe_dup(identity);
        fundchain__envelope__free_unpacked(env, NULL);
        zframe_destroy(&identity);
        zframe_destroy(&body);
        zmsg_destroy(&msg);
        n++;
    }
    zpoller_destroy(&poller);
    return n;
}

//  Acknowledges the report of period (fund resident, revision 1).
static void s_ack(fixture_t *f, zframe_t *identity, const char *period)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    ack.period = (char *)period;
    ack.fund = "resident";
    ack.revision = 1;
    Fundchain__Envelope reply = FUNDCHAIN__ENVELOPE__INIT;
    reply.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    reply.ack = &ack;
    zframe_t *out = zframe_new(NULL, fundchain__envelope__get_packed_size(&reply));
    fundchain__envelope__pack(&reply, zframe_data(out));
    zframe_t *id = zframe_dup(identity);
    zframe_send(&id, f->router, ZFRAME_MORE);
    zframe_send(&out, f->router, 0);
}

typedef struct {
    int queued, sent, acked;
} counts_t;

static int s_count_states(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    (void)key;
    counts_t *c = arg;
    c->queued += e->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED;
    c->sent += e->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT;
    c->acked += e->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED;
    return 0;
}

#define EXTRA 10

//  A backlog goes out at once up to the window, in key order, and no
//  further: neither the entries beyond it nor those in flight again.
//  Acknowledgements refill the window at once, with the next keys, and
//  are recorded with the sends.
static void test_window_and_refill(void **state)
{
    fixture_t *f = *state;
    int n = SENDER_WINDOW + EXTRA;
    assert_int_equal(store_write(f->store, s_put_many, &n), 0);
    assert_int_equal(sender_send_due(f->sender), SENDER_WINDOW);
    assert_int_equal(sender_in_flight(f->sender), SENDER_WINDOW);
    assert_int_equal(sender_send_due(f->sender), 0); //  window full: nothing more
    sender_rescan(f->sender);
    assert_int_equal(sender_send_due(f->sender), 0); //  nor the ones in flight again
    static char periods[SENDER_WINDOW + EXTRA][16];
    static zframe_t *ids[SENDER_WINDOW + EXTRA];
    assert_int_equal(s_drain(f, 1000, periods, ids, n), SENDER_WINDOW);
    assert_string_equal(periods[0], "1900-01");
    assert_string_equal(periods[13], "1901-02");
    for (int i = 1; i < SENDER_WINDOW; i++)
        assert_true(strcmp(periods[i - 1], periods[i]) < 0); //  in key order
    counts_t c = {0};
    assert_int_equal(outbox_each(f->store, false, s_count_states, &c), 0);
    assert_int_equal(c.sent, SENDER_WINDOW);
    assert_int_equal(c.queued, EXTRA);

    for (int i = 0; i < EXTRA + 5; i++)
        s_ack(f, ids[0], periods[i]);
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), EXTRA + 5);
    assert_int_equal(sender_in_flight(f->sender), SENDER_WINDOW - 5); //  the backlog is all out
    char more[EXTRA + 5][16];
    assert_int_equal(s_drain(f, 1000, more, NULL, EXTRA + 5), EXTRA);
    for (int i = 0; i < EXTRA; i++)
        assert_true(strcmp(more[i], periods[SENDER_WINDOW - 1]) > 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(outbox_each(f->store, false, s_count_states, &c), 0);
    assert_int_equal(c.acked, EXTRA + 5);
    assert_int_equal(c.sent, SENDER_WINDOW - 5);
    assert_int_equal(c.queued, 0);
    for (int i = 0; i < SENDER_WINDOW; i++)
        zframe_destroy(&ids[i]);
}

//  Round after round of sends and acknowledgements, some acknowledged
//  twice and some never sent, the sender keeps in memory only what is in
//  flight: nothing once all is acknowledged (a regression test for memory
//  that grows with the acknowledgements).
static void test_acked_flights_are_forgotten(void **state)
{
    fixture_t *f = *state;
    int n = 3 * SENDER_WINDOW;
    assert_int_equal(store_write(f->store, s_put_many, &n), 0);
    static char periods[SENDER_WINDOW][16];
    static zframe_t *ids[SENDER_WINDOW];
    for (int round = 0; round < 3; round++) {
        if (round == 0)
            assert_int_equal(sender_send_due(f->sender), SENDER_WINDOW);
        assert_int_equal(sender_tracked(f->sender), SENDER_WINDOW);
        int got = s_drain(f, 1000, periods, ids, SENDER_WINDOW);
        assert_int_equal(got, SENDER_WINDOW);
        for (int i = 0; i < got; i++)
            s_ack(f, ids[0], periods[i]);
        s_ack(f, ids[0], periods[0]); //  again
        s_ack(f, ids[0], "1899-01");  //  never sent
        zclock_sleep(100);
        int acked = 0, taken;
        while ((taken = sender_take_acks(f->sender)) > 0) {
            acked += taken;
            assert_int_equal(sender_tracked(f->sender), sender_in_flight(f->sender));
        }
        assert_int_equal(taken, 0);
        assert_int_equal(acked, SENDER_WINDOW + 2);
        for (int i = 0; i < got; i++)
            zframe_destroy(&ids[i]);
    }
    assert_int_equal(sender_in_flight(f->sender), 0);
    assert_int_equal(sender_tracked(f->sender), 0);
    counts_t c = {0};
    assert_int_equal(outbox_each(f->store, false, s_count_states, &c), 0);
    assert_int_equal(c.acked, n);
}

//  An entry committed behind the cursor (another process, in the middle of
//  the key order) waits for sender_rescan, then goes at once; an entry
//  after the cursor goes without one.
static void test_rescan_finds_entries_behind_the_cursor(void **state)
{
    fixture_t *f = *state;
    put_t late = {"2030|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &late), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    put_t early = {"2020|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &early), 0);
    assert_int_equal(sender_send_due(f->sender), 0); //  behind the cursor
    sender_rescan(f->sender);
    assert_int_equal(sender_send_due(f->sender), 1);
    put_t later = {"2031|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &later), 0);
    assert_int_equal(sender_send_due(f->sender), 1); //  after the cursor
    assert_int_equal(s_drain(f, 1000, NULL, NULL, 0), 3);
    assert_int_equal(sender_in_flight(f->sender), 3);
}

//  An entry whose acknowledgement does not come within its backoff (2 s)
//  from a silent receiver is lost: sent again, as attempt 2, and then not
//  again before its doubled backoff.
static void test_loss_resent_with_backoff(void **state)
{
    fixture_t *f = *state;
    put_t put = {"2023|resident|0000000001", "1.00"};
    assert_int_equal(store_write(f->store, s_put, &put), 0);
    assert_int_equal(sender_send_due(f->sender), 1);
    assert_int_equal(s_drain(f, 1000, NULL, NULL, 0), 1);
    zclock_sleep(1000);
    assert_int_equal(sender_send_due(f->sender), 0); //  not yet lost
    zclock_sleep(1200);
    assert_int_equal(sender_send_due(f->sender), 1); //  lost: sent again
    assert_int_equal(s_drain(f, 1000, NULL, NULL, 0), 1);
    one_t one = {0};
    assert_int_equal(outbox_each(f->store, true, s_one, &one), 0);
    assert_int_equal(one.state, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
    assert_int_equal(one.attempts, 2);
    zclock_sleep(2200); //  past the first backoff, not the second (4 s)
    assert_int_equal(sender_send_due(f->sender), 0);
    assert_int_equal(s_drain(f, 100, NULL, NULL, 0), 0);
}

//  Acknowledgements that keep coming for other entries do not make one
//  that was dropped wait forever: once answers to later sends came 2 s
//  ago, it is lost and sent again.
static void test_overtaken_entry_is_lost(void **state)
{
    fixture_t *f = *state;
    int n = 2;
    assert_int_equal(store_write(f->store, s_put_many, &n), 0);
    assert_int_equal(sender_send_due(f->sender), 2);
    zframe_t *ids[2] = {NULL, NULL};
    char periods[2][16];
    assert_int_equal(s_drain(f, 1000, periods, ids, 2), 2);
    s_ack(f, ids[0], periods[1]); //  the second is answered, the first not
    zclock_sleep(50);
    assert_int_equal(sender_take_acks(f->sender), 1);
    //  A trickle of new entries, each answered: the receiver is never silent.
    int64_t start = zclock_mono();
    bool resent = false;
    for (int i = 0; !resent && zclock_mono() - start < 5000; i++) {
        char key[OUTBOX_KEY_MAX];
        char period[16];
        snprintf(period, sizeof period, "%04d-01", 2000 + i);
        outbox_key_report(key, period, "resident", 1);
        put_t put = {key, "1.00"};
        assert_int_equal(store_write(f->store, s_put, &put), 0);
        sender_rescan(f->sender);
        sender_send_due(f->sender);
        char got[4][16];
        int k = s_drain(f, 300, got, NULL, 4);
        for (int j = 0; j < k && j < 4; j++) {
            if (!strcmp(got[j], periods[0]))
                resent = true;
            else
                s_ack(f, ids[0], got[j]);
        }
        zclock_sleep(20);
        sender_take_acks(f->sender);
    }
    assert_true(resent);
    assert_true(zclock_mono() - start >= 1500); //  not before its backoff
    zframe_destroy(&ids[0]);
    zframe_destroy(&ids[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_send_and_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_is_dead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_reply_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_reason_stays_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent_at_end_of_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_superseded_keeps_the_receivers_revision, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_window_and_refill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acked_flights_are_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rescan_finds_entries_behind_the_cursor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_loss_resent_with_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overtaken_entry_is_lost, setup, teardown),
        cmocka_unit_test(test_backoff_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
