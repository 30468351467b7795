/*  Tests of linkwatch (libfund/linkwatch.c): real client and server sockets
    on 127.0.0.1 with real CURVE and zauth (transport), real LMDB (store). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "keys.h"
#include "linkwatch.h"
#include "store.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#define WAIT_MS 5000    //  How long an expected condition may take.
#define RETRIES_MS 1000 //  Long enough for libzmq to retry about ten times.

typedef struct {
    char root[64];
    char keys[96];
    char allow[96];
    char server_pub[128];
    char other_pub[128];
    zcert_t *server_cert;
    transport_server_t *server;
    zsock_t *client;
    linkwatch_t *watch;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_linkwatch.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
    snprintf(f->allow, sizeof f->allow, "%s/allow", f->root);
    assert_int_equal(mkdir(f->allow, 0700), 0);
    const char *codes[] = {"510400", "510500", "510402", "510403", NULL};
    for (int i = 0; codes[i]; i++)
        assert_int_equal(keys_generate(f->keys, codes[i]), 0);
    snprintf(f->server_pub, sizeof f->server_pub, "%s/510400.pub", f->keys);
    snprintf(f->other_pub, sizeof f->other_pub, "%s/510500.pub", f->keys);
    char path[256];
    snprintf(path, sizeof path, "%s/510400.key", f->keys);
    f->server_cert = keys_load_secret(path);
    assert_non_null(f->server_cert);
    snprintf(path, sizeof path, "cp '%s/510403.pub' '%s/'", f->keys, f->allow);
    assert_int_equal(system(path), 0);
    setenv("TMPDIR", f->root, 1); //  transport's checked copy of the allow directory.
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    linkwatch_destroy(&f->watch);
    zsock_destroy(&f->client);
    transport_server_destroy(&f->server);
    zcert_destroy(&f->server_cert);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Binds the CURVE server (or a plain-text one) on an ephemeral port.
static const char *s_serve(fixture_t *f, bool curve)
{
    f->server = transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", curve ? f->server_cert : NULL,
                                     curve ? f->allow : NULL);
    assert_non_null(f->server);
    return zsock_endpoint(transport_server_sock(f->server));
}

//  Connects a watched DEALER to endpoint with the key of code (NULL: plain
//  text), trusting server_pub.
static void s_connect(fixture_t *f, const char *endpoint, const char *code, const char *server_pub)
{
    char key[160];
    snprintf(key, sizeof key, "%s/%s.key", f->keys, code ? code : "");
    zcert_t *cert = code ? keys_load_secret(key) : NULL;
    linkwatch_about_t about = {"the city", code ? key : NULL, "--city-pub", server_pub};
    f->client = transport_client_watched(ZMQ_DEALER, endpoint, cert, code ? server_pub : NULL,
                                         &about, &f->watch);
    zcert_destroy(&cert);
    assert_non_null(f->client);
    assert_non_null(f->watch);
}

//  Waits up to WAIT_MS for the link to reach state; returns its condition.
static linkwatch_condition_t s_wait(fixture_t *f, linkwatch_state_t state)
{
    linkwatch_condition_t cond;
    int64_t end = zclock_mono() + WAIT_MS;
    do {
        linkwatch_condition(f->watch, &cond);
        if (cond.state == state)
            break;
        zclock_sleep(20);
    } while (zclock_mono() < end);
    assert_string_equal(linkwatch_state_name(cond.state), linkwatch_state_name(state));
    return cond;
}

//  Returns the number of changes of condition so far.
static uint64_t s_serial(fixture_t *f)
{
    linkwatch_condition_t cond;
    linkwatch_condition(f->watch, &cond);
    return cond.serial;
}

static void test_refused_key(void **state)
{
    fixture_t *f = *state;
    const char *endpoint = s_serve(f, true);
    s_connect(f, endpoint, "510402", f->server_pub);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_REFUSED);
    char expected[320];
    snprintf(expected, sizeof expected,
             "the city refused our key: is %s/510402.pub in the city's allow directory?", f->keys);
    assert_string_equal(cond.text, expected);
    assert_string_equal(cond.problem, expected);
    assert_string_equal(cond.endpoint, endpoint);
    assert_true(cond.since > 0 && cond.problem_at == cond.since);
    assert_true(linkwatch_is_handshake_failure(cond.state));
    assert_int_equal(cond.serial, 1);
}

static void test_wrong_server_key_once(void **state)
{
    fixture_t *f = *state;
    const char *endpoint = s_serve(f, true);
    s_connect(f, endpoint, "510403", f->other_pub);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_SERVER_KEY);
    assert_non_null(strstr(cond.text, "the city's public key (--city-pub "));
    assert_non_null(strstr(cond.text, f->other_pub));
    uint64_t serial = s_serial(f);
    zclock_sleep(RETRIES_MS); //  libzmq retries every 100 ms: one condition all along.
    assert_int_equal(s_serial(f), serial);
    assert_int_equal(s_wait(f, LINKWATCH_SERVER_KEY).serial, serial);
}

static void test_plain_against_curve(void **state)
{
    fixture_t *f = *state;
    const char *endpoint = s_serve(f, true);
    s_connect(f, endpoint, NULL, NULL);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_MISMATCH);
    assert_string_equal(cond.text, "handshake failed: the city uses CURVE and we run --insecure: "
                                   "give --key and --city-pub instead");
    zclock_sleep(RETRIES_MS);
    assert_int_equal(s_wait(f, LINKWATCH_MISMATCH).serial, 1);
}

static void test_curve_against_plain(void **state)
{
    fixture_t *f = *state;
    const char *endpoint = s_serve(f, false);
    s_connect(f, endpoint, "510403", f->server_pub);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_MISMATCH);
    assert_non_null(strstr(cond.text, "the city runs plain text (--insecure) and we use CURVE"));
}

static void test_unreachable_then_up_then_down(void **state)
{
    fixture_t *f = *state;
    //  An ipc endpoint in the fixture's own directory: no other process,
    //  test or daemon can take it while nothing listens there.
    char copy[PATH_MAX + 16];
    snprintf(copy, sizeof copy, "ipc://%s/unreachable.sock", f->root);
    f->server = transport_server_new(ZMQ_ROUTER, copy, f->server_cert, f->allow);
    assert_non_null(f->server);
    transport_server_destroy(&f->server); //  Nothing listens there now.
    s_connect(f, copy, "510403", f->server_pub);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_UNREACHABLE);
    assert_non_null(strstr(cond.text, "nothing accepts connections there"));
    //  libzmq retries every 100 ms: one condition all along, not one a retry.
    uint64_t serial = s_serial(f);
    zclock_sleep(RETRIES_MS);
    assert_int_equal(s_serial(f), serial);
    f->server = transport_server_new(ZMQ_ROUTER, copy, f->server_cert, f->allow);
    assert_non_null(f->server);
    cond = s_wait(f, LINKWATCH_UP);
    assert_string_equal(cond.text, "connected to the city");
    assert_non_null(strstr(cond.problem, "nothing accepts connections there"));
    assert_false(linkwatch_is_handshake_failure(cond.state));
    transport_server_destroy(&f->server);
    s_wait(f, LINKWATCH_UNREACHABLE); //  Lost, then nothing listening.
}

static void test_save_load(void **state)
{
    fixture_t *f = *state;
    const char *endpoint = s_serve(f, true);
    s_connect(f, endpoint, "510402", f->server_pub);
    linkwatch_condition_t cond = s_wait(f, LINKWATCH_REFUSED);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/store", f->root);
    static const char *const dbs[] = {"meta", NULL};
    const char *err = NULL;
    store_t *store = store_open(dir, dbs, &err);
    assert_non_null(store);
    linkwatch_condition_t loaded;
    assert_int_equal(linkwatch_load(store, &loaded), 1); //  Nothing saved yet.
    assert_int_equal(linkwatch_save(f->watch, store), 0);
    assert_int_equal(linkwatch_load(store, &loaded), 0);
    assert_int_equal(loaded.state, LINKWATCH_REFUSED);
    assert_string_equal(loaded.endpoint, cond.endpoint);
    assert_string_equal(loaded.text, cond.text);
    assert_string_equal(loaded.problem, cond.problem);
    assert_int_equal(loaded.since, cond.since);
    char line[3 * LINKWATCH_TEXT_MAX];
    linkwatch_describe(&loaded, line, sizeof line);
    assert_int_equal(strncmp(line, "link to ", 8), 0);
    assert_non_null(strstr(line, "refused our key"));
    json_t *doc = linkwatch_json(&loaded);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "key_refused");
    json_decref(doc);
    assert_int_equal(linkwatch_save(NULL, store), 0);
    store_destroy(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_server_key_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_against_curve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_curve_against_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_then_up_then_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
