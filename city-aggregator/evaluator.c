/*  evaluator - evaluates the city's dirty (period, fund) pairs off the
    ingest path, in a CZMQ actor (see evaluator.h).

    The actor owns its own citydb handle (libfund/store.c shares the one
    LMDB environment of the process between handles, and its transactions
    are not bound to a thread), its own copy of the configuration, and the
    PUB socket; the run loop only kicks it and reads its news. Messages on
    the pipe are single frames: "KICK" from the run loop, "QUEUED" from the
    actor; both are sent without blocking, and a full pipe drops them (the
    other side has enough waiting). A failure to evaluate, queue or publish
    is logged, and the pairs stay marked, to be tried again.
*/
#include "evaluator.h"
#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "evaluation.h"
#include "log.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct _evaluator_t {
    zactor_t *actor;
    //  What follows belongs to the actor while it runs.
    citydb_t *db;
    cityconf_t conf;
    transport_server_t *pub;
    cityeval_round_t round;
    bool pending;       //  marks may be waiting
    int64_t next_round; //  zclock_mono() ms: the earliest start of the next round
    int64_t trimmed;    //  zclock_mono() ms: the last s_trim that gave memory back
    //  Shared with the run loop: since when (unix ms) the oldest change not
    //  yet evaluated waits, as the last round's snapshot showed it; 0 when
    //  that round caught up or failed.
    _Atomic int64_t waiting_since;
};

//  Sends one frame without blocking; a full pipe drops it.
static void s_say(zsock_t *sock, const char *word)
{
    zmq_send(zsock_resolve(sock), word, strlen(word), ZMQ_DONTWAIT);
}

//  Publishes one evaluation on the feed: its kind, then the Evaluation as
//  protobuf (the bytes the province gets; watch renders them as JSON, so
//  the city spends no time on text a subscriber may never read).
static void s_publish(evaluator_t *self, const Fundchain__Evaluation *eval, const char *kind)
{
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(eval, &len);
    zmsg_t *msg = bytes ? zmsg_new() : NULL;
    if (msg && (zmsg_addstr(msg, kind) != 0 || zmsg_addmem(msg, bytes, len) != 0))
        zmsg_destroy(&msg);
    if (!msg || zmsg_send(&msg, transport_server_sock(self->pub)) != 0)
        log_warn("could not publish the %s evaluation of %s %s %s on the feed", kind, eval->code,
                 eval->period, eval->fund);
    zmsg_destroy(&msg);
    free(bytes);
}

//  Publishes every evaluation of a queued round: the pool, then its units.
static void s_publish_round(evaluator_t *self)
{
    for (size_t i = 0; i < self->round.n; i++) {
        const cityeval_pair_t *pair = &self->round.pairs[i];
        for (size_t k = 0; self->pub && k < pair->n; k++)
            s_publish(self, pair->evals[k], k == 0 ? "pool" : "unit");
        const Fundchain__Evaluation *pool = pair->n ? pair->evals[0] : NULL;
        if (pool)
            log_info("pool %s %s: %zu units, %s, total %.2f", pair->period, pair->fund,
                     pool->n_units, pool->complete ? "complete" : "incomplete",
                     pool->total_centi / 100.0);
    }
}

//  Gives the memory the rounds freed back to the system, at most once per
//  EVALUATOR_TRIM_MS. glibc keeps what is freed in each thread's arena, so
//  RSS would keep the largest round's working set (and the run loop's
//  largest batch) and move with them, although little stays in use after
//  a round. Measured at 6,400 reports/s: RssAnon 6.6-7.9 MiB without,
//  4.1-4.7 MiB with a trim after every round. A trim takes about 0.1 ms.
static void s_trim(evaluator_t *self)
{
    int64_t now = zclock_mono();
    if (now - self->trimmed < EVALUATOR_TRIM_MS)
        return;
    self->trimmed = now;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

//  Evaluates, queues and publishes one round; decides when the next is due.
static void s_round(evaluator_t *self, zsock_t *pipe)
{
    int64_t start = zclock_mono();
    int n = cityeval_take(self->db, &self->conf, &self->round);
    bool queued = n > 0 && cityeval_queue(self->db, &self->round) == 0;
    if (queued) {
        s_publish_round(self);
        s_say(pipe, "QUEUED");
    }
    bool failed = n < 0 || (n > 0 && !queued) || self->round.failed > 0;
    bool more = queued && self->round.more;
    //  A round that caught up leaves only what was marked after its
    //  snapshot; a failing one is logged, and nothing waits for it.
    atomic_store(&self->waiting_since, !failed && more ? self->round.oldest_ms : 0);
    self->pending = failed || more;
    self->next_round = failed ? start + EVALUATOR_RETRY_MS : more ? 0 : start + EVALUATOR_GAP_MS;
    cityeval_round_clear(&self->round);
    s_trim(self);
}

//  Reads the configuration the run loop stored again, and forgets what it
//  knew of the units (evaluated with the old one). On failure the old
//  configuration stays, logged.
static void s_reload(evaluator_t *self)
{
    cityconf_t conf;
    cityconf_init(&conf);
    if (cityconf_load(&conf, citydb_store(self->db)) != 0) {
        log_error("the evaluator cannot read the new configuration: it evaluates with the old");
        cityconf_clear(&conf);
        return;
    }
    cityconf_clear(&self->conf);
    self->conf = conf;
    cityeval_round_free(&self->round);
    self->round.incremental = true;
    self->pending = true;
}

//  Reads every command waiting. Returns -1 when told to stop, else 0.
static int s_commands(evaluator_t *self, zsock_t *pipe)
{
    while (zsock_events(pipe) & ZMQ_POLLIN) {
        char *command = zstr_recv(pipe);
        bool stop = !command || !strcmp(command, "$TERM");
        if (command && !strcmp(command, "KICK"))
            self->pending = true;
        if (command && !strcmp(command, "RELOAD"))
            s_reload(self);
        zstr_free(&command);
        if (stop)
            return -1;
    }
    return 0;
}

static void s_actor(zsock_t *pipe, void *args)
{
    evaluator_t *self = args;
    zpoller_t *poller = zpoller_new(pipe, NULL);
    if (poller)
        zpoller_set_nonstop(poller, true); //  the run loop says when to stop
    zsock_signal(pipe, 0);
    self->pending = true; //  the marks a crash left
    while (poller) {
        int64_t wait = self->pending ? self->next_round - zclock_mono() : -1;
        zpoller_wait(poller, self->pending && wait < 0 ? 0 : (int)wait);
        if (s_commands(self, pipe) != 0)
            break;
        if (self->pending && zclock_mono() >= self->next_round)
            s_round(self, pipe);
    }
    zpoller_destroy(&poller);
}

//  Starts the evaluator.
evaluator_t *evaluator_new(const char *dir, const char *city, transport_server_t **pub_p)
{
    evaluator_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    cityconf_init(&self->conf);
    self->round.incremental = true;
    self->db = citydb_open(dir, city);
    if (!self->db || cityconf_load(&self->conf, citydb_store(self->db)) != 0) {
        log_error("the evaluator cannot open the city store %s", dir);
        evaluator_destroy(&self);
        return NULL;
    }
    self->pub = pub_p ? *pub_p : NULL;
    if (pub_p)
        *pub_p = NULL;
    self->actor = zactor_new(s_actor, self);
    if (!self->actor) {
        log_error("cannot start the evaluator");
        evaluator_destroy(&self);
    }
    return self;
}

//  Stops the actor after its round and frees everything.
void evaluator_destroy(evaluator_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    evaluator_t *self = *self_p;
    zactor_destroy(&self->actor);
    cityeval_round_free(&self->round);
    transport_server_destroy(&self->pub);
    cityconf_clear(&self->conf);
    citydb_destroy(&self->db);
    free(self);
    *self_p = NULL;
}

//  Tells the evaluator that reports were stored.
void evaluator_kick(evaluator_t *self)
{
    if (self && self->actor)
        s_say(zactor_sock(self->actor), "KICK");
}

//  Tells the evaluator to read the stored configuration again.
void evaluator_reload(evaluator_t *self)
{
    if (self && self->actor) //  blocking: unlike a kick, a reload must not be dropped
        zstr_send(zactor_sock(self->actor), "RELOAD");
}

//  The socket to poll for the evaluator's news.
zsock_t *evaluator_sock(evaluator_t *self)
{
    return zactor_sock(self->actor);
}

//  How long the oldest change not yet evaluated has waited.
int64_t evaluator_waiting_ms(evaluator_t *self)
{
    int64_t since = self ? atomic_load(&self->waiting_since) : 0;
    return since ? zclock_time() - since : 0;
}

//  Reads the evaluator's news; returns the rounds queued.
int evaluator_take_news(evaluator_t *self)
{
    zsock_t *sock = zactor_sock(self->actor);
    int queued = 0;
    while (zsock_events(sock) & ZMQ_POLLIN) {
        char *news = zstr_recv(sock);
        queued += news && !strcmp(news, "QUEUED");
        zstr_free(&news);
    }
    return queued;
}
