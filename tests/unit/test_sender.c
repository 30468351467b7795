/*  Tests of the sender (libfund/sender.c): a real DEALER/ROUTER pair over
    inproc and a real LMDB outbox.
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
    report.unit = "513331";
    report.period = "2023";
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
        cmocka_unit_test(test_backoff_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
