/*  Tests of transport (libfund/transport.c) and its allow table
    (libfund/allowdir.c): real sockets on 127.0.0.1, real CURVE, real zauth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "allowdir.h"
#include "keys.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#define SILENCE_MS 1000 //  How long "nothing gets through" is watched.
#define ARRIVAL_MS 5000 //  How long an expected message may take.

typedef struct {
    char root[64];
    char keys[96];  //  Every generated key pair.
    char allow[96]; //  The server's allow directory.
    char server_pub[128];
    zcert_t *server_cert;
    transport_server_t *server;
    transport_server_t *server2;
    zsock_t *client;
    zsock_t *client2;
} fixture_t;

//  Copies DIR/keys/CODE.pub into the allow directory.
static void s_allow(fixture_t *f, const char *code)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s/%s.pub' '%s/'", f->keys, code, f->allow);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_transport.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
    snprintf(f->allow, sizeof f->allow, "%s/allow", f->root);
    assert_int_equal(mkdir(f->allow, 0700), 0);
    const char *codes[] = {"510400", "513331", "513332", "513333", NULL};
    for (int i = 0; codes[i]; i++)
        assert_int_equal(keys_generate(f->keys, codes[i]), 0);
    snprintf(f->server_pub, sizeof f->server_pub, "%s/510400.pub", f->keys);
    char path[160];
    snprintf(path, sizeof path, "%s/510400.key", f->keys);
    f->server_cert = keys_load_secret(path);
    assert_non_null(f->server_cert);
    s_allow(f, "513331");
    //  The checked copies of allow directories are made here.
    setenv("TMPDIR", f->root, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    zsock_destroy(&f->client);
    zsock_destroy(&f->client2);
    transport_server_destroy(&f->server);
    transport_server_destroy(&f->server2);
    zcert_destroy(&f->server_cert);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Loads the secret key of a generated pair (caller destroys it).
static zcert_t *s_cert(fixture_t *f, const char *code)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s.key", f->keys, code);
    zcert_t *cert = keys_load_secret(path);
    assert_non_null(cert);
    return cert;
}

//  Binds a CURVE ROUTER on an ephemeral loopback port.
static transport_server_t *s_router(fixture_t *f)
{
    transport_server_t *server =
        transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", f->server_cert, f->allow);
    assert_non_null(server);
    return server;
}

//  Connects a DEALER with the key of code (NULL: plain text) to server.
static zsock_t *s_dealer(fixture_t *f, transport_server_t *server, const char *code)
{
    zcert_t *cert = code ? s_cert(f, code) : NULL;
    const char *endpoint = zsock_endpoint(transport_server_sock(server));
    zsock_t *sock = transport_client_new(ZMQ_DEALER, endpoint, cert, f->server_pub);
    zcert_destroy(&cert);
    assert_non_null(sock);
    return sock;
}

//  Waits up to timeout ms for a message on sock; returns it or NULL.
static zmsg_t *s_wait(zsock_t *sock, int timeout)
{
    zpoller_t *poller = zpoller_new(sock, NULL);
    assert_non_null(poller);
    zmsg_t *msg = zpoller_wait(poller, timeout) == sock ? zmsg_recv(sock) : NULL;
    zpoller_destroy(&poller);
    return msg;
}

//  Receives one report on a ROUTER; returns the sender's peer code
//  (static copy, "" when none) and checks the payload.
static const char *s_receive(zsock_t *router, const char *payload, int timeout)
{
    static char code[16];
    zmsg_t *msg = s_wait(router, timeout);
    if (!msg)
        return NULL;
    assert_int_equal(zmsg_size(msg), 2);
    zframe_t *body = zmsg_last(msg);
    assert_true(zframe_streq(body, payload));
    const char *peer = transport_peer_code(body);
    snprintf(code, sizeof code, "%s", peer ? peer : "");
    zmsg_destroy(&msg);
    return code;
}

//  Returns how many staged allow directories exist under root.
static size_t s_staged_dirs(fixture_t *f)
{
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s/fundchain-allow-*", f->root);
    glob_t found;
    size_t count = glob(pattern, 0, NULL, &found) == 0 ? found.gl_pathc : 0;
    globfree(&found);
    return count;
}

static void test_allowed_key_gets_through(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    //  zauth loaded the checked copy, which is gone already.
    assert_int_equal(s_staged_dirs(f), 0);
    f->client = s_dealer(f, f->server, "513331");
    assert_int_equal(zstr_send(f->client, "report"), 0);
    zsock_t *router = transport_server_sock(f->server);
    zmsg_t *msg = s_wait(router, ARRIVAL_MS);
    assert_non_null(msg);
    zframe_t *body = zmsg_last(msg);
    assert_true(zframe_streq(body, "report"));
    assert_string_equal(transport_peer_code(body), "513331");
    //  The routing frame is made locally and carries no code.
    assert_null(transport_peer_code(zmsg_first(msg)));
    //  The reply goes back over the same secured connection.
    zframe_t *identity = zframe_dup(zmsg_first(msg));
    zmsg_destroy(&msg);
    zmsg_t *reply = zmsg_new();
    zmsg_append(reply, &identity);
    zmsg_addstr(reply, "ack");
    assert_int_equal(zmsg_send(&reply, router), 0);
    zmsg_t *ack = s_wait(f->client, ARRIVAL_MS);
    assert_non_null(ack);
    assert_true(zframe_streq(zmsg_first(ack), "ack"));
    zmsg_destroy(&ack);
    //  A frame made locally has no peer.
    zframe_t *local = zframe_new("x", 1);
    assert_null(transport_peer_code(local));
    zframe_destroy(&local);
    assert_null(transport_peer_code(NULL));
}

static void test_refused_peers_get_nothing_through(void **state)
{
    fixture_t *f = *state;
    //  A key file in the allow directory without a 6-digit code.
    zcert_t *coded = s_cert(f, "513333");
    zcert_t *codeless = zcert_new_from(zcert_public_key(coded), zcert_secret_key(coded));
    zcert_destroy(&coded);
    char path[160];
    snprintf(path, sizeof path, "%s/codeless.pub", f->allow);
    assert_int_equal(zcert_save_public(codeless, path), 0);
    zcert_destroy(&codeless);
    f->server = s_router(f);
    zsock_t *router = transport_server_sock(f->server);

    //  A key not in the allow directory.
    f->client = s_dealer(f, f->server, "513332");
    assert_int_equal(zstr_send(f->client, "stranger"), 0);
    assert_null(s_receive(router, "stranger", SILENCE_MS));
    zsock_destroy(&f->client);

    //  The key whose file has no code.
    f->client = s_dealer(f, f->server, "513333");
    assert_int_equal(zstr_send(f->client, "codeless"), 0);
    assert_null(s_receive(router, "codeless", SILENCE_MS));
    zsock_destroy(&f->client);

    //  A plain-text client.
    f->client = s_dealer(f, f->server, NULL);
    assert_int_equal(zstr_send(f->client, "plain"), 0);
    assert_null(s_receive(router, "plain", SILENCE_MS));

    //  Meanwhile the allowed key still gets through.
    f->client2 = s_dealer(f, f->server, "513331");
    assert_int_equal(zstr_send(f->client2, "allowed"), 0);
    assert_string_equal(s_receive(router, "allowed", ARRIVAL_MS), "513331");
}

static void test_wrong_server_key(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    //  The client trusts another key than the server's: no handshake.
    zcert_t *cert = s_cert(f, "513331");
    char other_pub[160];
    snprintf(other_pub, sizeof other_pub, "%s/513332.pub", f->keys);
    const char *endpoint = zsock_endpoint(transport_server_sock(f->server));
    f->client = transport_client_new(ZMQ_DEALER, endpoint, cert, other_pub);
    assert_non_null(f->client);
    assert_int_equal(zstr_send(f->client, "misled"), 0);
    assert_null(s_receive(transport_server_sock(f->server), "misled", SILENCE_MS));
    //  No server key at all is refused before connecting.
    assert_null(transport_client_new(ZMQ_DEALER, endpoint, cert, "/nonexistent.pub"));
    assert_null(transport_client_new(ZMQ_DEALER, endpoint, cert, NULL));
    zcert_destroy(&cert);
}

//  Sends a frame of size bytes from the client; returns the size of what
//  the router received, or 0 when nothing came.
static size_t s_send_size(fixture_t *f, zsock_t *client, size_t size)
{
    zframe_t *big = zframe_new(NULL, size);
    assert_non_null(big);
    memset(zframe_data(big), 'x', size);
    assert_int_equal(zframe_send(&big, client, 0), 0);
    zmsg_t *msg = s_wait(transport_server_sock(f->server), SILENCE_MS);
    size_t got = msg ? zframe_size(zmsg_last(msg)) : 0;
    zmsg_destroy(&msg);
    return got;
}

static void test_message_size_limit(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    f->client = s_dealer(f, f->server, "513331");
    //  A message of the limit passes, although CURVE makes its frame on the
    //  wire longer; one a little larger reaches the receiver's explicit check.
    assert_int_equal(transport_max_msg(), TRANSPORT_MAX_MSG);
    assert_int_equal(s_send_size(f, f->client, TRANSPORT_MAX_MSG), TRANSPORT_MAX_MSG);
    assert_int_equal(s_send_size(f, f->client, TRANSPORT_MAX_MSG + 1), TRANSPORT_MAX_MSG + 1);
    //  Beyond the slack libzmq drops the message (and the connection).
    assert_int_equal(s_send_size(f, f->client, TRANSPORT_MAX_MSG + TRANSPORT_WIRE_SLACK), 0);
    zsock_t *router = transport_server_sock(f->server);
    //  The connection is dropped, not the server: a new client gets through.
    f->client2 = s_dealer(f, f->server, "513331");
    assert_int_equal(zstr_send(f->client2, "small"), 0);
    assert_string_equal(s_receive(router, "small", ARRIVAL_MS), "513331");
}

//  Publishes until sub receives or time runs out; returns true on arrival.
static bool s_feed_reaches(zsock_t *pub, zsock_t *sub, int timeout)
{
    for (int waited = 0; waited < timeout; waited += 100) {
        zstr_send(pub, "update");
        zmsg_t *msg = s_wait(sub, 100);
        if (msg) {
            bool ok = zframe_streq(zmsg_first(msg), "update");
            zmsg_destroy(&msg);
            return ok;
        }
    }
    return false;
}

static void test_pub_sub_with_curve(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    //  A second CURVE server of the process shares the allow directory.
    f->server2 = transport_server_new(ZMQ_PUB, "tcp://127.0.0.1:*", f->server_cert, f->allow);
    assert_non_null(f->server2);
    const char *endpoint = zsock_endpoint(transport_server_sock(f->server2));
    zcert_t *allowed = s_cert(f, "513331");
    zcert_t *stranger = s_cert(f, "513332");
    f->client = transport_client_new(ZMQ_SUB, endpoint, allowed, f->server_pub);
    f->client2 = transport_client_new(ZMQ_SUB, endpoint, stranger, f->server_pub);
    zcert_destroy(&allowed);
    zcert_destroy(&stranger);
    assert_non_null(f->client);
    assert_non_null(f->client2);
    zsock_set_subscribe(f->client, "");
    zsock_set_subscribe(f->client2, "");
    zsock_t *pub = transport_server_sock(f->server2);
    assert_true(s_feed_reaches(pub, f->client, ARRIVAL_MS));
    assert_false(s_feed_reaches(pub, f->client2, SILENCE_MS));
}

static void test_one_allow_directory_per_process(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    char other[128];
    snprintf(other, sizeof other, "%s/other-allow", f->root);
    assert_int_equal(mkdir(other, 0700), 0);
    assert_null(transport_server_new(ZMQ_PUB, "tcp://127.0.0.1:*", f->server_cert, other));
    assert_null(transport_server_new(ZMQ_PUB, "tcp://127.0.0.1:*", f->server_cert, "/nonexistent"));
    //  A plain-text receiver would let unauthenticated frames look coded.
    assert_null(transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", NULL, NULL));
    //  A plain-text feed on loopback is fine beside CURVE servers.
    f->server2 = transport_server_new(ZMQ_PUB, "tcp://127.0.0.1:*", NULL, NULL);
    assert_non_null(f->server2);
    //  After the last CURVE server, another allow directory may be used.
    transport_server_destroy(&f->server);
    assert_null(f->server);
    f->server = transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", f->server_cert, other);
    assert_non_null(f->server);
    transport_server_destroy(&f->server);
    transport_server_destroy(NULL);
}

static void test_reload(void **state)
{
    fixture_t *f = *state;
    f->server = s_router(f);
    zsock_t *router = transport_server_sock(f->server);
    f->client = s_dealer(f, f->server, "513332");
    assert_int_equal(zstr_send(f->client, "early"), 0);
    assert_null(s_receive(router, "early", SILENCE_MS));
    zsock_destroy(&f->client);

    s_allow(f, "513332");
    assert_int_equal(transport_server_reload(f->server), 0);
    f->client = s_dealer(f, f->server, "513332");
    assert_int_equal(zstr_send(f->client, "late"), 0);
    assert_string_equal(s_receive(router, "late", ARRIVAL_MS), "513332");

    //  A key removed and reloaded loses its code at once, even on a
    //  connection made before: the message arrives (the handshake is done)
    //  but carries no code, so no receiver takes it for the unit's.
    char path[160];
    snprintf(path, sizeof path, "%s/513332.pub", f->allow);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(transport_server_reload(f->server), 0);
    assert_int_equal(zstr_send(f->client, "revoked"), 0);
    const char *code = s_receive(router, "revoked", ARRIVAL_MS);
    assert_non_null(code);
    assert_string_equal(code, "");
    zsock_destroy(&f->client);
    f->client = s_dealer(f, f->server, "513332");
    assert_int_equal(zstr_send(f->client, "after"), 0);
    assert_null(s_receive(router, "after", SILENCE_MS));

    //  A plain-text server has nothing to reload.
    assert_int_equal(transport_server_reload(NULL), -1);
}

static void test_insecure(void **state)
{
    fixture_t *f = *state;
    assert_null(transport_server_new(ZMQ_ROUTER, "tcp://0.0.0.0:*", NULL, NULL));
    assert_null(transport_server_new(ZMQ_ROUTER, "tcp://*:*", NULL, NULL));
    assert_null(transport_client_new(ZMQ_DEALER, "tcp://10.1.2.3:5555", NULL, NULL));
    assert_null(transport_server_new(ZMQ_REQ, "tcp://127.0.0.1:*", NULL, NULL));
    assert_null(transport_server_new(ZMQ_ROUTER, NULL, NULL, NULL));
    assert_null(transport_client_new(ZMQ_PUSH, "tcp://127.0.0.1:5555", NULL, NULL));
    //  A certificate without its secret key cannot serve.
    zcert_t *pub = keys_load_public(f->server_pub);
    assert_non_null(pub);
    assert_null(transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", pub, f->allow));
    zcert_destroy(&pub);

    //  Plain text on loopback works, and carries no authenticated code.
    f->server = transport_server_new(ZMQ_ROUTER, "tcp://127.0.0.1:*", NULL, NULL);
    assert_non_null(f->server);
    assert_int_equal(transport_server_reload(f->server), 0);
    const char *endpoint = zsock_endpoint(transport_server_sock(f->server));
    f->client = transport_client_new(ZMQ_DEALER, endpoint, NULL, NULL);
    assert_non_null(f->client);
    assert_int_equal(zstr_send(f->client, "plain"), 0);
    assert_string_equal(s_receive(transport_server_sock(f->server), "plain", ARRIVAL_MS), "");
    //  While a plain-text receiver runs, no CURVE server may start.
    assert_null(transport_server_new(ZMQ_PUB, "tcp://127.0.0.1:*", f->server_cert, f->allow));
}

static void test_is_loopback(void **state)
{
    (void)state;
    const char *yes[] = {
        "tcp://127.0.0.1:5555", "tcp://127.8.9.10:1", "tcp://localhost:80", "tcp://[::1]:7000",
        "tcp://127.0.0.1:*",    "ipc:///tmp/feed",    "ipc://@abstract",    NULL};
    const char *no[] = {"tcp://127.evil.example:5555",
                        "tcp://128.0.0.1:5555",
                        "tcp://0.0.0.0:5555",
                        "tcp://*:5555",
                        "tcp://10.0.0.1:5555;127.0.0.1:5555",
                        "tcp://192.168.1.1;127.0.0.1:5555",
                        "tcp://localhost.example.com:80",
                        "tcp://[::2]:7000",
                        "tcp://[::1]",
                        "tcp://127.0.0.1",
                        "tcp://127.0.0.1:",
                        "tcp://127.0.0.1:12a",
                        "tcp://lo:5555",
                        "tcp://127.1:5555",
                        "ipc://",
                        "inproc://x",
                        "udp://127.0.0.1:5555",
                        "pgm://127.0.0.1;239.192.1.1:5555",
                        "TCP://127.0.0.1:5555",
                        "",
                        NULL};
    for (int i = 0; yes[i]; i++)
        if (!transport_is_loopback(yes[i]))
            fail_msg("%s should be loopback", yes[i]);
    for (int i = 0; no[i]; i++)
        if (transport_is_loopback(no[i]))
            fail_msg("%s should not be loopback", no[i]);
    assert_false(transport_is_loopback(NULL));
}

static void test_allowdir_table(void **state)
{
    fixture_t *f = *state;
    //  The same key under two codes is allowed under neither.
    zcert_t *cert = s_cert(f, "513332");
    char path[160];
    snprintf(path, sizeof path, "%s/a.pub", f->allow);
    assert_int_equal(zcert_save_public(cert, path), 0);
    zcert_t *twin = zcert_new_from(zcert_public_key(cert), zcert_secret_key(cert));
    zcert_set_meta(twin, "code", "%s", "519999");
    snprintf(path, sizeof path, "%s/b.pub", f->allow);
    assert_int_equal(zcert_save_public(twin, path), 0);
    zcert_destroy(&twin);
    snprintf(path, sizeof path, "%s/README", f->allow);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("not a key\n", file);
    fclose(file);
    snprintf(path, sizeof path, "%s/junk.pub", f->allow);
    file = fopen(path, "w");
    assert_non_null(file);
    for (int i = 0; i < 2000; i++)
        fputc((i * 37) & 0xff, file);
    fclose(file);

    allowdir_t *allow = allowdir_new(f->allow);
    assert_non_null(allow);
    assert_int_equal(allowdir_size(allow), 1);
    assert_null(allowdir_code(allow, zcert_public_txt(cert)));
    zcert_t *good = s_cert(f, "513331");
    assert_string_equal(allowdir_code(allow, zcert_public_txt(good)), "513331");
    assert_null(allowdir_code(allow, NULL));
    //  The staged copy is private and holds exactly the allowed key.
    char staged[256];
    snprintf(staged, sizeof staged, "%s", allowdir_staged(allow));
    struct stat st;
    assert_int_equal(stat(staged, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    zdir_t *dir = zdir_new(staged, NULL);
    assert_non_null(dir);
    assert_int_equal(zdir_count(dir), 1);
    zdir_destroy(&dir);
    allowdir_unstage(allow);
    assert_int_equal(stat(staged, &st), -1);
    assert_null(allowdir_staged(allow));
    assert_int_equal(allowdir_size(allow), 1);
    assert_null(allowdir_code(allow, zcert_public_txt(cert)));
    assert_string_equal(allowdir_code(allow, zcert_public_txt(good)), "513331");
    zcert_destroy(&good);
    allowdir_destroy(&allow);
    assert_null(allow);
    assert_int_equal(s_staged_dirs(f), 0);
    allowdir_destroy(NULL);
    assert_null(allowdir_new("/nonexistent/allow"));
    assert_null(allowdir_new(NULL));
    zcert_destroy(&cert);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_allowed_key_gets_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_peers_get_nothing_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_server_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pub_sub_with_curve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_allow_directory_per_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insecure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_is_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowdir_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
