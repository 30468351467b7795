/*  baseline - the raw baseline (see baseline.h). The server runs in a
    thread of the bench (a zactor) while the peers run in the main thread.
    A failed commit acknowledges nothing (the peers then miss answers and
    the run fails); a server that cannot start fails the measure (-1).
*/
#include "baseline.h"
#include "keys.h"
#include "peers.h"
#include "store.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASELINE_BATCH 1000
#define BASELINE_PEERS 10

typedef struct {
    const char *endpoint, *key, *allow, *data;
    zmsg_t *batch[BASELINE_BATCH];
    size_t n;
    uint64_t seq;
    bool failed;
    bool ready; //  set before the actor signals that it started
} server_t;

//  Stores the batch's payloads under increasing keys, in one transaction.
static int s_put(store_txn_t *txn, void *arg)
{
    server_t *self = arg;
    for (size_t i = 0; i < self->n; i++) {
        zframe_t *body = zmsg_last(self->batch[i]);
        uint64_t key = self->seq + i;
        int rc = store_put(txn, "messages", &key, sizeof key, zframe_data(body), zframe_size(body));
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Acknowledges each message of the batch (routing frame kept) and frees it.
static void s_ack(server_t *self, zsock_t *sock)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    for (size_t i = 0; i < self->n; i++) {
        zmsg_t *msg = self->batch[i];
        zframe_t *body = zmsg_last(msg);
        zmsg_remove(msg, body);
        zframe_destroy(&body);
        zframe_t *reply = zframe_new(NULL, fundchain__envelope__get_packed_size(&env));
        fundchain__envelope__pack(&env, zframe_data(reply));
        zmsg_append(msg, &reply);
        if (zmsg_send(&msg, sock) != 0)
            zmsg_destroy(&msg);
        self->batch[i] = NULL;
    }
}

//  Takes every waiting message (up to the batch), commits, acknowledges.
static void s_batch(server_t *self, store_t *store, zsock_t *sock)
{
    self->n = 0;
    while (self->n < BASELINE_BATCH && (zsock_events(sock) & ZMQ_POLLIN)) {
        zmsg_t *msg = zmsg_recv(sock);
        if (!msg)
            break;
        self->batch[self->n++] = msg;
    }
    if (store_write(store, s_put, self) == 0) {
        self->seq += self->n;
        s_ack(self, sock);
        return;
    }
    fprintf(stderr, "bench: baseline commit failed: %s\n", store_error(store));
    self->failed = true;
    for (size_t i = 0; i < self->n; i++)
        zmsg_destroy(&self->batch[i]);
}

//  The server thread: binds, then serves until $TERM.
static void s_server(zsock_t *pipe, void *arg)
{
    server_t *self = arg;
    static const char *const dbs[] = {"messages", NULL};
    const char *err = NULL;
    zcert_t *cert = keys_load_secret(self->key);
    transport_server_t *server =
        cert ? transport_server_new(ZMQ_ROUTER, self->endpoint, cert, self->allow) : NULL;
    store_t *store = server ? store_open(self->data, dbs, &err) : NULL;
    self->ready = store != NULL;
    zsock_signal(pipe, 0);
    zpoller_t *poller = store ? zpoller_new(pipe, transport_server_sock(server), NULL) : NULL;
    while (poller) {
        void *which = zpoller_wait(poller, -1);
        if (which != transport_server_sock(server))
            break; //  $TERM or interrupted
        s_batch(self, store, which);
    }
    if (server && !store)
        fprintf(stderr, "bench: baseline store: %s\n", err ? err : "?");
    zpoller_destroy(&poller);
    store_destroy(&store);
    transport_server_destroy(&server);
    zcert_destroy(&cert);
}

int baseline_measure(bench_t *self)
{
    char codes[BASELINE_PEERS][8];
    bench_city_units("510400", codes, BASELINE_PEERS);
    char *key = bench_key(self, "510400");
    char *pub = bench_pub(self, "510400");
    char *allow = bench_allow(self, codes, BASELINE_PEERS);
    char *endpoint = bench_endpoint();
    char *data = bench_path(self, "baseline-%d", bench_seq(self));
    server_t server = {.endpoint = endpoint, .key = key, .allow = allow, .data = data};
    zactor_t *actor = key && allow ? zactor_new(s_server, &server) : NULL;
    peers_cfg_t cfg = {.endpoint = endpoint,
                       .server_pub = pub,
                       .keys = self->keys,
                       .codes = codes,
                       .n = BASELINE_PEERS,
                       .load = PEERS_REVISIONS,
                       .msgs = self->msgs,
                       .seconds = self->smoke ? 1.5 : 8,
                       .max_msgs = self->smoke ? 3000 : 400000};
    peers_result_t res = {0};
    int rc = actor && server.ready ? peers_run(&cfg, &res) : -1;
    zactor_destroy(&actor);
    if (rc == 0 && !server.failed && res.missing == 0 && res.rejected == 0 && res.rate > 0) {
        self->baseline = res.rate;
        char note[128];
        snprintf(note, sizeof note, "%d peers, %ld messages of %zu B", BASELINE_PEERS, res.acked,
                 msgs_report_size(self->msgs));
        results_add(self->results, "baseline", "CURVE+ZAP ROUTER, LMDB fsync per batch", res.rate,
                    "msg/s", 1.0, NAN, NULL, note);
    } else {
        bench_fail(self, "baseline: %ld sent, %ld acked, %ld missing", res.sent, res.acked,
                   res.missing);
        rc = -1;
    }
    free(key), free(pub), free(allow), free(endpoint), free(data);
    return rc;
}
