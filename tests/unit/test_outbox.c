/*  Tests of the generic outbox (libfund/outbox.c) on real LMDB files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "outbox.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    store_t *store;
} fixture_t;

static const char *const s_dbs[] = {OUTBOX_DBS, NULL};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_outbox.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    const char *err = NULL;
    f->store = store_open(f->dir, s_dbs, &err);
    assert_non_null(f->store);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_destroy(&f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

typedef struct {
    const char *keys[2];
} put_t;

static int s_put_two(store_txn_t *txn, void *arg)
{
    put_t *put = arg;
    Fundchain__Report report = FUNDCHAIN__REPORT__INIT;
    report.unit = "513331";
    report.period = "2023";
    report.fund = "resident";
    Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    entry.report = &report;
    for (int i = 0; i < 2; i++) {
        int rc = outbox_put(txn, put->keys[i], &entry);
        if (rc != 0)
            return rc;
    }
    return 0;
}

typedef struct {
    int n;
    int state[4];
    char reason[4][64];
    uint32_t attempts[4];
} seen_t;

static int s_seen(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    (void)key;
    seen_t *s = arg;
    if (s->n < 4) {
        s->state[s->n] = e->state;
        snprintf(s->reason[s->n], 64, "%s", e->reason ? e->reason : "");
        s->attempts[s->n] = e->attempts;
    }
    s->n++;
    return 0;
}

//  Acks and rejections are recorded durably and leave the pending index;
//  a late change to a finished entry changes nothing.
static void test_states_are_durable(void **state)
{
    fixture_t *f = *state;
    char k1[OUTBOX_KEY_MAX], k2[OUTBOX_KEY_MAX];
    outbox_key_report(k1, "2023", "resident", 1);
    outbox_key_report(k2, "2024", "resident", 1);
    put_t put = {{k1, k2}};
    assert_int_equal(store_write(f->store, s_put_two, &put), 0);
    outbox_change_t changes[4] = {
        {"", FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, "", 1000, 0},
        {"", FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED, "", 0, 0},
        {"", FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED, "jurisdiction", 0, 0},
        {"", FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, "", 2000, 0}};
    strcpy(changes[0].key, k1);
    strcpy(changes[1].key, k1);
    strcpy(changes[2].key, k2);
    strcpy(changes[3].key, k1);
    assert_int_equal(outbox_update(f->store, changes, 4), 0);
    store_destroy(&f->store);
    const char *err = NULL;
    f->store = store_open(f->dir, s_dbs, &err);
    seen_t all = {0}, pending = {0};
    assert_int_equal(outbox_each(f->store, false, s_seen, &all), 0);
    assert_int_equal(outbox_each(f->store, true, s_seen, &pending), 0);
    assert_int_equal(all.n, 2);
    assert_int_equal(pending.n, 0);
    assert_int_equal(all.state[0], FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED);
    assert_int_equal(all.attempts[0], 1);
    assert_int_equal(all.state[1], FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED);
    assert_string_equal(all.reason[1], "jurisdiction");
}

//  An acknowledgement names the key of what it acknowledges.
static void test_ack_keys(void **state)
{
    (void)state;
    char key[OUTBOX_KEY_MAX], want[OUTBOX_KEY_MAX];
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.period = "2023";
    ack.fund = "resident";
    ack.revision = 7;
    ack.kind = "report";
    assert_int_equal(outbox_key_ack(key, &ack), 0);
    assert_string_equal(key, "2023|resident|0000000007");
    ack.kind = "evaluation";
    ack.code = "510900";
    ack.version = 42;
    ack.level = FUNDCHAIN__EVALUATION__LEVEL__POOL;
    assert_int_equal(outbox_key_ack(key, &ack), 0);
    outbox_key_evaluation(want, 42, FUNDCHAIN__EVALUATION__LEVEL__POOL, "510900", "2023",
                          "resident");
    assert_string_equal(key, want);
    ack.kind = "something";
    assert_int_equal(outbox_key_ack(key, &ack), -1);
    ack.kind = NULL;
    assert_int_equal(outbox_key_ack(key, &ack), -1);
    assert_string_equal(outbox_state_name(FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD), "dead");
}

typedef struct {
    const char *key;
    const void *val;
    size_t len;
    uint8_t copy[512];
    size_t copied;
} raw_t;

//  Copies the raw record of an entry (its bytes as stored).
static int s_raw(store_txn_t *txn, void *arg)
{
    raw_t *raw = arg;
    if (store_get(txn, "outbox", raw->key, strlen(raw->key), &raw->val, &raw->len) != 0 ||
        raw->len > sizeof raw->copy)
        return -1;
    memcpy(raw->copy, raw->val, raw->len);
    raw->copied = raw->len;
    return 0;
}

static int s_empty_progress(store_txn_t *txn, void *arg)
{
    const char *key = arg;
    return store_put(txn, "pending", key, strlen(key), "", 0);
}

static outbox_change_t s_sent(const char *key, int64_t when)
{
    outbox_change_t c = {.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, .when = when};
    snprintf(c.key, sizeof c.key, "%s", key);
    return c;
}

//  A send rewrites the entry's small progress only: the entry's bytes stay
//  as queued, and every reader sees it sent, with its attempts, until an
//  acknowledgement appends the final state (and the attempts) to the
//  entry's record. An entry of a store from before progress records (an empty
//  pending value) is rewritten whole instead, and reads the same.
static void test_progress(void **state)
{
    fixture_t *f = *state;
    put_t put = {{"r|a", "r|b"}};
    assert_int_equal(store_write(f->store, s_put_two, &put), 0);
    assert_int_equal(store_write(f->store, s_empty_progress, (void *)"r|b"), 0);
    raw_t before_a = {.key = "r|a"}, before_b = {.key = "r|b"};
    assert_int_equal(store_read(f->store, s_raw, &before_a), 0);
    assert_int_equal(store_read(f->store, s_raw, &before_b), 0);
    outbox_change_t sent[] = {s_sent("r|a", 100), s_sent("r|b", 100), s_sent("r|a", 200)};
    assert_int_equal(outbox_update(f->store, sent, 3), 0);
    raw_t after_a = {.key = "r|a"}, after_b = {.key = "r|b"};
    assert_int_equal(store_read(f->store, s_raw, &after_a), 0);
    assert_int_equal(store_read(f->store, s_raw, &after_b), 0);
    assert_int_equal(after_a.copied, before_a.copied);
    assert_memory_equal(after_a.copy, before_a.copy, before_a.copied); //  untouched
    assert_true(after_b.copied != before_b.copied ||
                memcmp(after_b.copy, before_b.copy, before_b.copied) != 0); //  rewritten
    seen_t all = {0}, pending = {0};
    assert_int_equal(outbox_each(f->store, false, s_seen, &all), 0);
    assert_int_equal(outbox_each(f->store, true, s_seen, &pending), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(all.state[i], FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
        assert_int_equal(pending.state[i], FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT);
        assert_int_equal(all.attempts[i], i == 0 ? 2 : 1);
        assert_int_equal(pending.attempts[i], all.attempts[i]);
    }
    outbox_change_t acked = {.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED, .key = "r|a"};
    assert_int_equal(outbox_update(f->store, &acked, 1), 0);
    assert_int_equal(outbox_update(f->store, sent, 1), 0); //  a late send of an acked entry
    seen_t done = {0}, left = {0};
    assert_int_equal(outbox_each(f->store, false, s_seen, &done), 0);
    assert_int_equal(done.state[0], FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED);
    assert_int_equal(done.attempts[0], 2); //  the progress went into the entry
    raw_t final = {.key = "r|a"};          //  appended to, never decoded and packed again
    assert_int_equal(store_read(f->store, s_raw, &final), 0);
    assert_true(final.copied > before_a.copied);
    assert_memory_equal(final.copy, before_a.copy, before_a.copied);
    assert_int_equal(outbox_each(f->store, true, s_seen, &left), 0);
    assert_int_equal(left.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_states_are_durable, setup, teardown),
        cmocka_unit_test(test_ack_keys),
        cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
