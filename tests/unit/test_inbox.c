/*  Tests of libfund/inbox.c on real sockets: a CURVE ROUTER with its ZAP
    handler (transport.c) on 127.0.0.1, DEALERs with allowed keys. The
    handlers take the payload as text: "accept X" is stored (by a commit
    that the test can make fail), "refuse X" is answered with a reason,
    "drop X" is dropped. With metrics, every batch is counted: its
    messages by outcome and reason, its size and its commit's duration;
    the tally handler counts "refuse q..." as a question answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "inbox.h"
#include "keys.h"
#include "metrics.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SILENCE_MS 500  //  How long "no answer comes" is watched.
#define ARRIVAL_MS 5000 //  How long an expected message may take.
#define SETTLE_MS 300   //  Time for sent messages to reach the ROUTER's queue.
#define MAX_LOG 256     //  Items the fixture remembers.

typedef struct {
    char text[32];
} item_t;

typedef struct {
    char root[64];
    char keys[96];
    char allow[96];
    char server_pub[128];
    zcert_t *server_cert;
    transport_server_t *server;
    zsock_t *clients[2];
    inbox_t *inbox;
    metrics_t *metrics; //  NULL unless a test counts
    //  What the handlers saw.
    int commit_rc; //  what the commit returns
    bool insecure; //  the inbox takes messages without a code
    size_t examined, commits, afters, clears;
    size_t committed_n[MAX_LOG]; //  items of each commit call
    char committed[MAX_LOG][32]; //  the texts of every committed item, in order
    size_t n_committed;
} fixture_t;

//  ---- the handlers ----

static inbox_verdict_t s_examine(void *arg, void *item, zframe_t *payload, const char *peer,
                                 char *reason)
{
    fixture_t *f = arg;
    item_t *it = item;
    f->examined++;
    if (!f->insecure)
        assert_non_null(peer); //  the inbox lets no unauthenticated message through
    size_t len =
        zframe_size(payload) < sizeof it->text - 1 ? zframe_size(payload) : sizeof it->text - 1;
    memcpy(it->text, zframe_data(payload), len);
    if (!strncmp(it->text, "accept ", 7))
        return INBOX_ACCEPT;
    if (!strncmp(it->text, "refuse ", 7))
        return INBOX_ANSWER;
    snprintf(reason, INBOX_REASON, "not a test message");
    return INBOX_DROP;
}

static int s_commit(void *arg, void **items, size_t n)
{
    fixture_t *f = arg;
    assert_true(n > 0);
    if (f->commits < MAX_LOG)
        f->committed_n[f->commits] = n;
    f->commits++;
    for (size_t k = 0; f->commit_rc == 0 && k < n && f->n_committed < MAX_LOG; k++)
        snprintf(f->committed[f->n_committed++], 32, "%s", ((item_t *)items[k])->text);
    return f->commit_rc;
}

static zframe_t *s_answer(void *arg, void *item, zframe_t *identity)
{
    (void)arg;
    assert_non_null(identity);
    const item_t *it = item;
    char text[64];
    if (!strncmp(it->text, "accept ", 7))
        snprintf(text, sizeof text, "stored %s", it->text + 7);
    else
        snprintf(text, sizeof text, "refused %s: no reason but a test", it->text + 7);
    return zframe_new(text, strlen(text));
}

static void s_after(void *arg, void **items, size_t n)
{
    fixture_t *f = arg;
    (void)items;
    (void)n;
    f->afters++;
}

static void s_clear(void *arg, void *item)
{
    fixture_t *f = arg;
    (void)item;
    f->clears++;
}

//  Counts "refuse q..." as a question answered; leaves the rest as is.
static void s_tally(void *arg, const void *item, const char **outcome, const char **reason)
{
    (void)arg;
    if (!strncmp(((const item_t *)item)->text, "refuse q", 8)) {
        *outcome = "answered";
        *reason = "question";
    }
}

//  ---- fixture ----

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_inbox.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
    snprintf(f->allow, sizeof f->allow, "%s/allow", f->root);
    assert_int_equal(mkdir(f->allow, 0700), 0);
    const char *codes[] = {"513300", "513331", "513332", NULL};
    for (int i = 0; codes[i]; i++)
        assert_int_equal(keys_generate(f->keys, codes[i]), 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s/513331.pub' '%s/513332.pub' '%s/'", f->keys, f->keys,
             f->allow);
    assert_int_equal(system(cmd), 0);
    snprintf(f->server_pub, sizeof f->server_pub, "%s/513300.pub", f->keys);
    char path[160];
    snprintf(path, sizeof path, "%s/513300.key", f->keys);
    f->server_cert = keys_load_secret(path);
    assert_non_null(f->server_cert);
    setenv("TMPDIR", f->root, 1); //  transport's checked copy of the allow directory
    f->server = transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", f->server_cert, f->allow);
    assert_non_null(f->server);
    const char *endpoint = zsock_endpoint(transport_server_sock(f->server));
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.key", f->keys, codes[i + 1]);
        zcert_t *cert = keys_load_secret(path);
        assert_non_null(cert);
        f->clients[i] = transport_client_new(ZMQ_DEALER, endpoint, cert, f->server_pub);
        zcert_destroy(&cert);
        assert_non_null(f->clients[i]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    inbox_destroy(&f->inbox);
    metrics_destroy(&f->metrics);
    for (int i = 0; i < 2; i++)
        zsock_destroy(&f->clients[i]);
    transport_server_destroy(&f->server);
    zcert_destroy(&f->server_cert);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Makes the inbox with the test's handlers and limits.
static void s_inbox(fixture_t *f, size_t batch_max, size_t peer_max)
{
    inbox_spec_t spec = {.batch_max = batch_max,
                         .peer_max = peer_max,
                         .item_size = sizeof(item_t),
                         .insecure = f->insecure,
                         .arg = f,
                         .examine = s_examine,
                         .commit = s_commit,
                         .answer = s_answer,
                         .after = s_after,
                         .clear = s_clear,
                         .tally = s_tally};
    f->inbox = inbox_new(transport_server_sock(f->server), &spec);
    assert_non_null(f->inbox);
}

//  Counts the inbox's batches into a new metrics registry.
static void s_count_into_metrics(fixture_t *f)
{
    f->metrics = metrics_new("http://127.0.0.1:0");
    assert_non_null(f->metrics);
    inbox_set_metrics(f->inbox, f->metrics);
}

//  Checks that the metrics hold line as a whole line.
static void s_assert_metric(fixture_t *f, const char *line)
{
    char *text = metrics_text(f->metrics);
    assert_non_null(text);
    size_t len = strlen(line);
    bool found = false;
    for (const char *p = strstr(text, line); p && !found; p = strstr(p + 1, line))
        found = (p == text || p[-1] == '\n') && p[len] == '\n';
    if (!found)
        fail_msg("no line %s in:\n%s", line, text);
    free(text);
}

//  Sends count messages "PREFIX i" from client c.
static void s_send(fixture_t *f, int c, const char *prefix, int count)
{
    for (int i = 0; i < count; i++)
        assert_int_equal(zstr_sendf(f->clients[c], "%s %d", prefix, i), 0);
}

//  Waits until the ROUTER has a message, then a little longer, so that
//  what was sent before is queued there.
static void s_settle(fixture_t *f)
{
    zpoller_t *poller = zpoller_new(transport_server_sock(f->server), NULL);
    assert_non_null(poller);
    assert_ptr_equal(zpoller_wait(poller, ARRIVAL_MS), transport_server_sock(f->server));
    zpoller_destroy(&poller);
    zclock_sleep(SETTLE_MS);
}

//  Receives one answer on client c within timeout ms; returns it (static
//  copy) or NULL.
static const char *s_answer_of(fixture_t *f, int c, int timeout)
{
    static char text[128];
    zpoller_t *poller = zpoller_new(f->clients[c], NULL);
    assert_non_null(poller);
    bool ready = zpoller_wait(poller, timeout) == f->clients[c];
    zpoller_destroy(&poller);
    if (!ready)
        return NULL;
    char *got = zstr_recv(f->clients[c]);
    assert_non_null(got);
    snprintf(text, sizeof text, "%s", got);
    zstr_free(&got);
    return text;
}

//  Returns how many answers client c gets until none comes for SILENCE_MS.
static size_t s_count_answers(fixture_t *f, int c)
{
    size_t n = 0;
    while (s_answer_of(f, c, SILENCE_MS))
        n++;
    return n;
}

//  ---- tests ----

//  A batch takes what is waiting up to its limit; each batch is one commit,
//  and every stored message is answered after it.
static void test_batch_limit(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 8, 100);
    assert_int_equal(inbox_batch(f->inbox), 0); //  nothing waiting
    assert_int_equal(f->commits, 0);
    s_send(f, 0, "accept", 20);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 8);
    assert_int_equal(inbox_batch(f->inbox), 8);
    assert_int_equal(inbox_batch(f->inbox), 4);
    assert_int_equal(inbox_batch(f->inbox), 0);
    assert_int_equal(f->commits, 3);
    assert_int_equal(f->committed_n[0], 8);
    assert_int_equal(f->committed_n[1], 8);
    assert_int_equal(f->committed_n[2], 4);
    assert_int_equal(f->afters, 3);
    assert_int_equal(f->clears, 20);
    //  In the order sent, each answered once.
    for (int i = 0; i < 20; i++) {
        char expected[32];
        snprintf(expected, sizeof expected, "accept %d", i);
        assert_string_equal(f->committed[i], expected);
        snprintf(expected, sizeof expected, "stored %d", i);
        const char *got = s_answer_of(f, 0, ARRIVAL_MS);
        assert_non_null(got);
        assert_string_equal(got, expected);
    }
    assert_null(s_answer_of(f, 0, SILENCE_MS));
}

//  A flooding peer cannot make another wait: the batch ends when the
//  flooder has had its share, and the other's message is in that batch.
static void test_peer_share(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 4);
    s_send(f, 0, "accept flood", 40);
    s_settle(f);
    s_send(f, 1, "accept other", 1);
    zclock_sleep(SETTLE_MS);
    //  libzmq takes the two connections in turn: the other's message comes
    //  in among the flooder's first four, where the flooder's share ends it.
    assert_int_equal(inbox_batch(f->inbox), 5);
    assert_int_equal(f->commits, 1);
    assert_int_equal(f->committed_n[0], 5);
    bool other_in = false;
    for (size_t k = 0; k < f->n_committed; k++)
        other_in = other_in || !strcmp(f->committed[k], "accept other 0");
    assert_true(other_in);
    const char *got = s_answer_of(f, 1, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "stored other 0");
    //  The flood goes on in batches of its share.
    size_t taken = 5, n;
    while ((n = inbox_batch(f->inbox)) > 0) {
        assert_true(n <= 4);
        taken += n;
    }
    assert_int_equal(taken, 41);
    assert_int_equal(s_count_answers(f, 0), 40);
}

//  Without a share (one as large as the batch) the flood fills the batch:
//  the share above is what bounded it.
static void test_without_share_the_flood_fills_the_batch(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 64);
    s_send(f, 0, "accept flood", 40);
    s_settle(f);
    s_send(f, 1, "accept other", 1);
    zclock_sleep(SETTLE_MS);
    assert_int_equal(inbox_batch(f->inbox), 41);
}

//  Peers without a code (--insecure) are told apart by their connection:
//  two of them each have their own share.
static void test_codeless_peers_by_connection(void **state)
{
    fixture_t *f = *state;
    //  One ZAP handler per process: plain text only once CURVE is gone.
    for (int i = 0; i < 2; i++)
        zsock_destroy(&f->clients[i]);
    transport_server_destroy(&f->server);
    f->server = transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", NULL, NULL);
    assert_non_null(f->server);
    const char *endpoint = zsock_endpoint(transport_server_sock(f->server));
    for (int i = 0; i < 2; i++) {
        f->clients[i] = transport_client_new(ZMQ_DEALER, endpoint, NULL, NULL);
        assert_non_null(f->clients[i]);
    }
    f->insecure = true;
    s_inbox(f, 64, 4);
    s_send(f, 0, "accept a", 40);
    s_send(f, 1, "accept b", 40);
    s_settle(f);
    zclock_sleep(SETTLE_MS);
    //  Taken in turn (about a b a b ...), the fourth of one ends the batch:
    //  more than four messages, at most 4 + 3. Were both one peer, it
    //  would end after four.
    size_t n = inbox_batch(f->inbox);
    assert_in_range(n, 5, 7);
    assert_int_equal(s_count_answers(f, 0) + s_count_answers(f, 1), n);
}

//  When the commit fails nothing accepted is answered (the senders send
//  again), and no after-commit work runs; refusals are answered all the same.
static void test_failed_commit_answers_nothing_accepted(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 64);
    f->commit_rc = -1;
    assert_int_equal(zstr_send(f->clients[0], "accept a"), 0);
    assert_int_equal(zstr_send(f->clients[0], "refuse b"), 0);
    assert_int_equal(zstr_send(f->clients[0], "accept c"), 0);
    assert_int_equal(zstr_send(f->clients[0], "drop d"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 4);
    assert_int_equal(f->commits, 1);
    assert_int_equal(f->committed_n[0], 2);
    assert_int_equal(f->afters, 0);
    assert_int_equal(f->clears, 4);
    const char *got = s_answer_of(f, 0, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "refused b: no reason but a test");
    assert_null(s_answer_of(f, 0, SILENCE_MS));

    //  The sender sends again; now the commit succeeds and both are answered.
    f->commit_rc = 0;
    assert_int_equal(zstr_send(f->clients[0], "accept a"), 0);
    assert_int_equal(zstr_send(f->clients[0], "accept c"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 2);
    assert_int_equal(f->afters, 1);
    got = s_answer_of(f, 0, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "stored a");
    got = s_answer_of(f, 0, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "stored c");
}

//  Refusals are answered with their reason, without a commit when nothing
//  was accepted; a drop is never answered.
static void test_refusals_answered(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 64);
    assert_int_equal(zstr_send(f->clients[1], "refuse x"), 0);
    assert_int_equal(zstr_send(f->clients[1], "drop y"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 2);
    assert_int_equal(f->commits, 0);
    assert_int_equal(f->afters, 1);
    const char *got = s_answer_of(f, 1, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "refused x: no reason but a test");
    assert_null(s_answer_of(f, 1, SILENCE_MS));
    assert_null(s_answer_of(f, 0, 0)); //  answers go to their sender only
}

//  What no handler should see is dropped by the inbox itself, unanswered:
//  a multipart message, one larger than the limit, one whose key was
//  revoked (no authenticated code). The next good message goes through.
static void test_inbox_drops_before_examining(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 64);
    s_count_into_metrics(f);
    assert_int_equal(zstr_sendx(f->clients[0], "accept one", "accept two", NULL), 0);
    zframe_t *big = zframe_new(NULL, transport_max_msg() + 1);
    assert_non_null(big);
    memcpy(zframe_data(big), "accept big", 10);
    assert_int_equal(zframe_send(&big, f->clients[0], 0), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 2);
    assert_int_equal(f->examined, 0);
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"malformed\"} 1");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"oversize\"} 1");

    //  The key of 513332 removed and reloaded: its connection has no code.
    char path[160];
    snprintf(path, sizeof path, "%s/513332.pub", f->allow);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(transport_server_reload(f->server), 0);
    assert_int_equal(zstr_send(f->clients[1], "accept revoked"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 1);
    assert_int_equal(f->examined, 0);
    assert_int_equal(f->commits, 0);
    s_assert_metric(f,
                    "fundchain_messages_total{outcome=\"dropped\",reason=\"unauthenticated\"} 1");
    assert_null(s_answer_of(f, 1, SILENCE_MS));
    assert_null(s_answer_of(f, 0, 0));

    assert_int_equal(zstr_send(f->clients[0], "accept good"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 1);
    assert_int_equal(f->examined, 1);
    const char *got = s_answer_of(f, 0, ARRIVAL_MS);
    assert_non_null(got);
    assert_string_equal(got, "stored good");
}

//  With metrics, each batch counts its messages by outcome and reason (an
//  accepted one whose commit failed as dropped, not_stored; what the tally
//  handler names), its size, and its commit's duration when it committed.
static void test_metrics_count_each_batch(void **state)
{
    fixture_t *f = *state;
    s_inbox(f, 64, 64);
    s_count_into_metrics(f);
    s_assert_metric(f, "fundchain_messages_total{outcome=\"accepted\",reason=\"\"} 0");
    f->commit_rc = -1;
    assert_int_equal(zstr_send(f->clients[0], "accept a"), 0);
    assert_int_equal(zstr_send(f->clients[0], "refuse b"), 0);
    assert_int_equal(zstr_send(f->clients[0], "accept c"), 0);
    assert_int_equal(zstr_send(f->clients[0], "drop d"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 4);
    s_assert_metric(f, "fundchain_messages_total{outcome=\"accepted\",reason=\"\"} 0");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"not_stored\"} 2");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"unreadable\"} 1");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"rejected\",reason=\"refused\"} 1");
    s_assert_metric(f, "fundchain_batch_messages_bucket{le=\"2\"} 0");
    s_assert_metric(f, "fundchain_batch_messages_bucket{le=\"4\"} 1");
    s_assert_metric(f, "fundchain_batch_messages_count 1");
    s_assert_metric(f, "fundchain_batch_messages_sum 4");
    s_assert_metric(f, "fundchain_commit_duration_seconds_count 1");

    //  Committed: accepted; a question; what the inbox drops itself.
    f->commit_rc = 0;
    assert_int_equal(zstr_send(f->clients[0], "accept a"), 0);
    assert_int_equal(zstr_send(f->clients[0], "accept c"), 0);
    assert_int_equal(zstr_send(f->clients[0], "refuse q1"), 0);
    assert_int_equal(zstr_send(f->clients[0], "refuse b"), 0);
    assert_int_equal(zstr_sendx(f->clients[0], "accept one", "accept two", NULL), 0);
    zframe_t *big = zframe_new(NULL, transport_max_msg() + 1);
    assert_non_null(big);
    assert_int_equal(zframe_send(&big, f->clients[0], 0), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 6);
    s_assert_metric(f, "fundchain_messages_total{outcome=\"accepted\",reason=\"\"} 2");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"answered\",reason=\"question\"} 1");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"malformed\"} 1");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"not_stored\"} 2");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"dropped\",reason=\"oversize\"} 1");
    s_assert_metric(f, "fundchain_messages_total{outcome=\"rejected\",reason=\"refused\"} 2");
    s_assert_metric(f, "fundchain_batch_messages_count 2");
    s_assert_metric(f, "fundchain_batch_messages_sum 10");
    s_assert_metric(f, "fundchain_commit_duration_seconds_count 2");

    //  Nothing accepted: no commit to time; nothing waiting: no batch.
    assert_int_equal(zstr_send(f->clients[1], "refuse x"), 0);
    s_settle(f);
    assert_int_equal(inbox_batch(f->inbox), 1);
    assert_int_equal(inbox_batch(f->inbox), 0);
    s_assert_metric(f, "fundchain_messages_total{outcome=\"rejected\",reason=\"refused\"} 3");
    s_assert_metric(f, "fundchain_batch_messages_count 3");
    s_assert_metric(f, "fundchain_commit_duration_seconds_count 2");
}

//  An inbox without its limits or handlers is refused.
static void test_new_refuses_an_incomplete_spec(void **state)
{
    fixture_t *f = *state;
    zsock_t *router = transport_server_sock(f->server);
    inbox_spec_t spec = {.batch_max = 8,
                         .peer_max = 8,
                         .item_size = sizeof(item_t),
                         .arg = f,
                         .examine = s_examine,
                         .commit = s_commit,
                         .answer = s_answer};
    inbox_t *inbox = inbox_new(router, &spec);
    assert_non_null(inbox);
    inbox_destroy(&inbox);
    assert_null(inbox);
    inbox_destroy(NULL);
    spec.commit = NULL;
    assert_null(inbox_new(router, &spec));
    spec.commit = s_commit;
    spec.peer_max = 0;
    assert_null(inbox_new(router, &spec));
    spec.peer_max = 8;
    assert_null(inbox_new(NULL, &spec));
    assert_null(inbox_new(router, NULL));
}

int main(void)
{
    //  A low limit, so that an oversize message is cheap to send.
    setenv("FUNDCHAIN_MAX_MSG", "1024", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batch_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_share_the_flood_fills_the_batch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_codeless_peers_by_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit_answers_nothing_accepted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refusals_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox_drops_before_examining, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_count_each_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_refuses_an_incomplete_spec, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
