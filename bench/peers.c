/*  peers - in-process CURVE peers (see peers.h). One thread drives every
    peer's socket with zmq_poll; a send that would block is retried after
    the next poll, never dropped. A peer whose key cannot be loaded or
    whose socket cannot be made fails the whole run (-1, message on
    stderr).
*/
#include "peers.h"
#include "bench.h"
#include "evaluation.h"
#include "keys.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEERS_WINDOW 2000   //  messages unanswered, shared by the peers
#define PEERS_MIN_WINDOW 16 //  ... but at least this many a peer
/* and at most this many: a ROUTER drops (silently) what it sends to a peer
   whose 1,000 (ZMQ_SNDHWM) answers are still unread */
#define PEERS_MAX_WINDOW 500
#define PEERS_LINGER_US 30000000
#define PEERS_WARMUP_US 60000000

typedef struct {
    zsock_t *sock;
    const char *code;
    char county[8];              //  PEERS_EVALS: the county evaluated
    Fundchain__Evaluation *eval; //  PEERS_EVALS: its evaluation
    long k;                      //  messages made
    long inflight;
} peer_t;

typedef struct {
    const peers_cfg_t *cfg;
    peer_t *peers;
    zmq_pollitem_t *items;
    long window;
    zsock_t *pipe; //  background: the actor's pipe (a message stops sending)
    bool stopped;
    peers_result_t res;
    int64_t last_ack;
} run_t;

const char *peers_load_name(peers_load_t load)
{
    return load == PEERS_REVISIONS ? "revisions"
           : load == PEERS_PERIODS ? "periods"
                                   : "evaluations";
}

//  Builds the peer's next message.
static zframe_t *s_next(run_t *self, peer_t *p)
{
    const peers_cfg_t *cfg = self->cfg;
    uint32_t first = cfg->first_revision ? cfg->first_revision : 1000;
    long k = p->k++;
    if (cfg->load == PEERS_EVALS)
        return msgs_eval_frame(p->eval, first + (uint64_t)k);
    const report_t *t = msgs_report(cfg->msgs);
    if (cfg->load == PEERS_REVISIONS)
        return msgs_report_frame(cfg->msgs, p->code, t->period, t->fund, first + (uint32_t)k);
    char period[16];
    const char *fund;
    long round = msgs_pair(k, period, &fund);
    return msgs_report_frame(cfg->msgs, p->code, period, fund, first + (uint32_t)(k / round));
}

//  Opens one peer's socket (and its evaluation). Returns 0 or -1.
static int s_open(run_t *self, peer_t *p, const char *code)
{
    const peers_cfg_t *cfg = self->cfg;
    p->code = code;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.key", cfg->keys, code);
    zcert_t *cert = keys_load_secret(path);
    if (!cert)
        return -1;
    p->sock = transport_client_new(ZMQ_DEALER, cfg->endpoint, cert, cfg->server_pub);
    zcert_destroy(&cert);
    if (cfg->load == PEERS_PERIODS) { //  evenly spaced starts
        char period[16];
        const char *fund;
        long round = msgs_pair(0, period, &fund);
        p->k = round * (long)(p - self->peers) / (long)cfg->n;
    }
    if (cfg->load == PEERS_EVALS) {
        snprintf(p->county, sizeof p->county, "%.4s01", code);
        p->eval = msgs_eval(cfg->msgs, code, p->county, "2023-01", "resident");
    }
    return p->sock && (cfg->load != PEERS_EVALS || p->eval) ? 0 : -1;
}

//  Sends one message of peer p without blocking. Returns 0 or -1 (full).
static int s_send(run_t *self, peer_t *p)
{
    zframe_t *frame = s_next(self, p);
    if (frame && zframe_send(&frame, p->sock, ZFRAME_DONTWAIT) == 0) {
        p->inflight++;
        self->res.sent++;
        return 0;
    }
    zframe_destroy(&frame);
    p->k--;
    return -1;
}

//  Reads the answers waiting on peer p's socket; counted when count.
static void s_take(run_t *self, peer_t *p, bool count)
{
    zframe_t *frame;
    while ((frame = zframe_recv_nowait(p->sock))) {
        Fundchain__Envelope *env =
            fundchain__envelope__unpack(NULL, zframe_size(frame), zframe_data(frame));
        if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK) {
            p->inflight--;
            bool rejected = env->ack->status == FUNDCHAIN__ACK__STATUS__REJECTED;
            if (count && rejected && !self->res.rejected)
                snprintf(self->res.reason, sizeof self->res.reason, "%s", env->ack->reason);
            if (count) {
                self->res.rejected += rejected;
                self->res.acked += !rejected;
                self->last_ack = bench_now_us();
            }
        }
        fundchain__envelope__free_unpacked(env, NULL);
        zframe_destroy(&frame);
    }
}

//  Waits up to timeout_ms for answers (and the pipe) and reads them.
static void s_poll(run_t *self, long timeout_ms, bool count)
{
    size_t n = self->cfg->n;
    if (zmq_poll(self->items, (int)n + (self->pipe ? 1 : 0), timeout_ms) <= 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (self->items[i].revents & ZMQ_POLLIN)
            s_take(self, &self->peers[i], count);
    if (self->pipe && (self->items[n].revents & ZMQ_POLLIN)) {
        zmsg_t *msg = zmsg_recv(self->pipe);
        zmsg_destroy(&msg);
        self->stopped = true;
    }
}

//  Sends one message a peer and waits for every answer. Returns 0 or -1.
static int s_warmup(run_t *self)
{
    for (size_t i = 0; i < self->cfg->n; i++)
        while (s_send(self, &self->peers[i]) != 0)
            s_poll(self, 10, false);
    int64_t end = bench_now_us() + PEERS_WARMUP_US;
    long waiting = (long)self->cfg->n;
    while (waiting > 0 && bench_now_us() < end && !self->stopped) {
        s_poll(self, 100, false);
        waiting = 0;
        for (size_t i = 0; i < self->cfg->n; i++)
            waiting += self->peers[i].inflight;
    }
    self->res.sent = 0;
    if (waiting)
        fprintf(stderr, "bench: %ld of %zu peers got no answer from %s\n", waiting, self->cfg->n,
                self->cfg->endpoint);
    return waiting ? -1 : 0;
}

//  Sends what the window and the rate allow. Returns true while sending.
static bool s_feed(run_t *self, int64_t t0)
{
    const peers_cfg_t *cfg = self->cfg;
    int64_t now = bench_now_us();
    if (self->stopped || now - t0 > (int64_t)(cfg->seconds * 1e6) ||
        (cfg->max_msgs && self->res.sent >= cfg->max_msgs))
        return false;
    long budget = cfg->rate > 0   ? (long)(cfg->rate * (double)(now - t0) / 1e6) - self->res.sent
                  : cfg->max_msgs ? cfg->max_msgs - self->res.sent
                                  : 1L << 40;
    for (size_t i = 0; budget > 0 && i < cfg->n; i++) {
        peer_t *p = &self->peers[(i + (size_t)self->res.sent) % cfg->n];
        while (budget > 0 && p->inflight < self->window && s_send(self, p) == 0)
            budget--;
    }
    return true;
}

//  The timed part: sends, reads answers, lingers for the last ones.
static void s_drive(run_t *self)
{
    int64_t t0 = bench_now_us(), stop = 0;
    self->last_ack = t0;
    while (true) {
        bool sending = s_feed(self, t0);
        long inflight = 0;
        for (size_t i = 0; i < self->cfg->n; i++)
            inflight += self->peers[i].inflight;
        if (!sending && !stop)
            stop = bench_now_us();
        if (!sending && (inflight == 0 || bench_now_us() - stop > PEERS_LINGER_US)) {
            self->res.missing = inflight;
            break;
        }
        s_poll(self, sending ? 2 : 100, true);
    }
    self->res.last_ack_us = self->last_ack;
    self->res.seconds = (double)(self->last_ack - t0) / 1e6;
    self->res.rate = self->res.seconds > 0 ? (double)self->res.acked / self->res.seconds : 0;
}

//  Opens the peers, runs them and closes them.
static int s_run(const peers_cfg_t *cfg, zsock_t *pipe, peers_result_t *out)
{
    run_t self = {.cfg = cfg, .pipe = pipe};
    self.peers = calloc(cfg->n, sizeof(peer_t));
    self.items = calloc(cfg->n + 1, sizeof(zmq_pollitem_t));
    self.window = PEERS_WINDOW / (long)(cfg->n ? cfg->n : 1);
    self.window = self.window < PEERS_MIN_WINDOW ? PEERS_MIN_WINDOW : self.window;
    self.window = self.window > PEERS_MAX_WINDOW ? PEERS_MAX_WINDOW : self.window;
    int rc = self.peers && self.items ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < cfg->n; i++) {
        rc = s_open(&self, &self.peers[i], cfg->codes[i]);
        self.items[i] = (zmq_pollitem_t){zsock_resolve(self.peers[i].sock), 0, ZMQ_POLLIN, 0};
    }
    if (pipe)
        self.items[cfg->n] = (zmq_pollitem_t){zsock_resolve(pipe), 0, ZMQ_POLLIN, 0};
    if (rc == 0 && (rc = s_warmup(&self)) == 0)
        s_drive(&self);
    for (size_t i = 0; self.peers && i < cfg->n; i++) {
        zsock_destroy(&self.peers[i].sock);
        evaluation_free(self.peers[i].eval);
    }
    free(self.peers);
    free(self.items);
    *out = self.res;
    return rc;
}

int peers_run(const peers_cfg_t *cfg, peers_result_t *out)
{
    return s_run(cfg, NULL, out);
}

struct _peers_t {
    zactor_t *actor;
    peers_cfg_t cfg;
    peers_result_t res;
    int rc;
};

//  The background thread: runs until a message on the pipe.
static void s_actor(zsock_t *pipe, void *arg)
{
    peers_t *self = arg;
    zsock_signal(pipe, 0);
    self->rc = s_run(&self->cfg, pipe, &self->res);
    if (!self->res.seconds && self->rc == 0)
        self->rc = -1;
    zsock_signal(pipe, 0);      //  done: peers_stop may read the result
    while (!zsys_interrupted) { //  wait for $TERM
        char *cmd = zstr_recv(pipe);
        bool term = !cmd || !strcmp(cmd, "$TERM");
        zstr_free(&cmd);
        if (term)
            break;
    }
}

peers_t *peers_start(const peers_cfg_t *cfg)
{
    peers_t *self = calloc(1, sizeof(peers_t));
    if (!self)
        return NULL;
    self->cfg = *cfg;
    self->cfg.seconds = cfg->seconds > 0 ? cfg->seconds : 1e9;
    self->actor = zactor_new(s_actor, self);
    if (!self->actor) {
        free(self);
        return NULL;
    }
    return self;
}

int peers_stop(peers_t **self_p, peers_result_t *out)
{
    peers_t *self = *self_p;
    zstr_send(self->actor, "STOP");
    zsock_wait(self->actor);
    zactor_destroy(&self->actor);
    *out = self->res;
    int rc = self->rc;
    free(self);
    *self_p = NULL;
    return rc;
}
