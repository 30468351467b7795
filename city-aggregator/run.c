/*  run - the city aggregator daemon.

    The loop (in the manner of Redis's ae.c) waits for county messages.
    When some arrive it takes every message already waiting (up to
    BATCH_MAX, and up to PEER_BATCH_MAX from one sender, so that a flood
    cannot make the others wait long) as one batch: each is examined
    (ingest.c), the accepted reports are stored in ONE LMDB transaction
    (group commit), and only after that commit are they acknowledged;
    refusals are answered with their reason. If the commit fails nothing
    is acknowledged, so the counties send again: nothing accepted is ever
    lost. A report the city did not store (it holds a higher revision, or
    the same revision with other figures) is refused with the revision it
    holds, never acknowledged as accepted. A HeldQuery (county-agent sync)
    is answered with the revisions held of the key's unit (held.c). Then
    each changed pool, and each changed unit's evaluation, is published on
    the PUB feed.

    Forwarding: the transaction that stores a report also marks its
    (period, fund) dirty. After the commit (and at start, for marks left by
    a crash) every dirty pair is evaluated again, pool and units, and the
    evaluations get the next version and enter the outbox for the province
    in transactions that clear the marks (cityeval_forward: up to 256 pairs
    in one; a new version replaces the older entry). The sender (sender.c)
    delivers the outbox to the hub and resends until the hub acknowledges.
    SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 or SIGALRM ends the loop
    between batches (signals.c; SIGPIPE is ignored).
*/
#include "adcode.h"
#include "city.h"
#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "cli.h"
#include "evalview.h"
#include "held.h"
#include "ingest.h"
#include "keys.h"
#include "linkwatch.h"
#include "log.h"
#include "signals.h"
#include "sender.h"
#include "transport.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 4096
#define PEER_BATCH_MAX 512 //  messages of one peer in a batch: a flood cannot fill it
#define TICK_MS 200        //  the longest wait: link checks, the sender's losses

static const opt_spec_t s_specs[] = {
    {"city", true, false, "this city's 6-digit code (PPCC00)"},
    {"name", true, false, "this city's name, e.g. 攀枝花市"},
    {"data", true, false, "the city's data directory (LMDB)"},
    {"bind", true, false, "endpoint for county reports, e.g. tcp://*:7001"},
    {"pub", true, false, "endpoint of the live feed of pool and evaluation updates"},
    {"key", true, false, "this city's secret key file"},
    {"allow", true, false, "directory of the counties' public key files"},
    {"units", true, false, "CSV code,name of the city's known units"},
    {"province", true, false, "the province hub's endpoint"},
    {"province-pub", true, false, "the province hub's public key file"},
    {"framework", true, false, "evaluation framework CSV (default: built in)"},
    {"deadline", true, false, "days after period end: month=10,quarter=5,year=15"},
    {"risk", true, false, "months_payable thresholds of risk_level (default 3,6,9,15)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {NULL, false, false, NULL}};

typedef struct {
    cityconf_t conf;
    citydb_t *db;
    transport_server_t *router;
    transport_server_t *pub;
    zsock_t *province;           //  DEALER to the hub, NULL without --province
    linkwatch_t *province_watch; //  Logs why the link to the hub fails.
    sender_t *sender;
    bool insecure;
    ingest_t *batch;
    zframe_t **identities;
    report_t **accepted;
    size_t *accepted_at; //  batch index of each accepted report
    citydb_outcome_t *outcomes;
    uint32_t *held;   //  the revision stored of each accepted report's (unit, period, fund)
    char (*peers)[8]; //  the authenticated code of each message's sender, or ""
} city_t;

//  Answers one report: accepted, or refused with in->reason; stored_revision
//  is the revision the city holds of it (0: not looked up).
static void s_send_ack(city_t *self, zframe_t *identity, const ingest_t *in, bool accepted,
                       uint32_t stored_revision)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.unit = (char *)in->unit;
    ack.period = (char *)in->period;
    ack.fund = (char *)in->fund;
    ack.revision = in->revision;
    ack.kind = "report";
    ack.status = accepted ? FUNDCHAIN__ACK__STATUS__ACCEPTED : FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = accepted ? "" : (char *)in->reason;
    ack.stored_revision = stored_revision;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    zmsg_t *msg = zmsg_new();
    zframe_t *body = zframe_new(NULL, fundchain__envelope__get_packed_size(&env));
    fundchain__envelope__pack(&env, zframe_data(body));
    zmsg_append(msg, &(zframe_t *){zframe_dup(identity)});
    zmsg_append(msg, &body);
    if (zmsg_send(&msg, transport_server_sock(self->router)) != 0) {
        log_warn("could not answer %s (it will send again)", in->unit);
        zmsg_destroy(&msg);
    }
}

//  Publishes one evaluation as JSON on the feed, tagged with its kind.
static void s_publish(city_t *self, Fundchain__Evaluation *eval, const char *kind)
{
    if (!self->pub || !eval)
        return;
    json_t *doc = evalview_json(eval);
    if (doc) {
        json_object_set_new(doc, "event", json_string(kind));
        char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
        if (text)
            zstr_sendx(transport_server_sock(self->pub), kind, text, NULL);
        free(text);
    }
    json_decref(doc);
}

//  Publishes the pool of each changed (period, fund) once, and each stored unit.
static void s_publish_changes(city_t *self, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (self->outcomes[i] != CITYDB_STORED)
            continue;
        const report_t *r = self->accepted[i];
        Fundchain__Evaluation *unit =
            cityeval_unit(self->db, &self->conf, r->unit, r->period, r->fund);
        s_publish(self, unit, "unit");
        evaluation_free(unit);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = self->outcomes[k] == CITYDB_STORED &&
                   !strcmp(self->accepted[k]->period, r->period) &&
                   !strcmp(self->accepted[k]->fund, r->fund);
        if (seen)
            continue;
        Fundchain__Evaluation *pool = cityeval_pool(self->db, &self->conf, r->period, r->fund);
        s_publish(self, pool, "pool");
        if (pool)
            log_info("pool %s %s: %zu units, %s, total %.2f", r->period, r->fund, pool->n_units,
                     pool->complete ? "complete" : "incomplete", pool->total_centi / 100.0);
        evaluation_free(pool);
    }
}

//  Evaluates and queues every dirty (period, fund), many per transaction.
static void s_forward_dirty(city_t *self)
{
    cityeval_forward(self->db, &self->conf); //  logs what it did and what failed
}

//  Receives one message into the batch; returns false when none is waiting.
static bool s_receive(city_t *self, size_t i)
{
    zsock_t *sock = transport_server_sock(self->router);
    if (!(zsock_events(sock) & ZMQ_POLLIN))
        return false;
    zmsg_t *msg = zmsg_recv(sock);
    self->identities[i] = msg ? zmsg_pop(msg) : NULL;
    zframe_t *payload = msg ? zmsg_pop(msg) : NULL;
    ingest_t *in = &self->batch[i];
    memset(in, 0, sizeof *in);
    in->verdict = INGEST_DROP;
    const char *peer = payload ? transport_peer_code(payload) : NULL;
    snprintf(self->peers[i], sizeof self->peers[i], "%s", peer ? peer : "");
    if (!payload || zmsg_size(msg) != 0)
        snprintf(in->reason, sizeof in->reason, "malformed multipart message (%zu frames)",
                 msg ? zmsg_size(msg) + (payload != NULL) : 0);
    else if (!peer && !self->insecure)
        snprintf(in->reason, sizeof in->reason, "no authenticated code on the connection");
    else
        ingest_examine(&self->conf, payload, peer, in);
    //  A dropped message names no unit: the log names the sender's key.
    if (in->verdict == INGEST_DROP && peer)
        snprintf(in->unit, sizeof in->unit, "%s", peer);
    zframe_destroy(&payload);
    zmsg_destroy(&msg);
    return true;
}

//  Answers a committed report: accepted only when the city holds its figures
//  (stored now, or the same figures already); otherwise refused with the
//  revision the city kept, so that the agent never shows acked for figures
//  the city does not hold, and numbers its next revision after the kept one.
static void s_answer_stored(city_t *self, ingest_t *in, citydb_outcome_t outcome, uint32_t held,
                            zframe_t *identity)
{
    static const char *what[] = {"stored", "duplicate of",
                                 "older than stored:", "other figures than stored:"};
    bool accepted = outcome == CITYDB_STORED || outcome == CITYDB_DUPLICATE;
    log_info("%s %s %s %s revision %u%s", what[outcome], in->unit, in->period, in->fund,
             in->revision, accepted ? "" : " (refused: the city keeps what it holds)");
    if (outcome == CITYDB_OLDER)
        snprintf(in->reason, sizeof in->reason,
                 "the city holds revision %u, newer than revision %u, and kept it", held,
                 in->revision);
    else if (outcome == CITYDB_CONFLICT)
        snprintf(in->reason, sizeof in->reason,
                 "the city holds revision %u with other figures, and kept them", held);
    s_send_ack(self, identity, in, accepted, held);
}

static void s_answer(city_t *self, size_t n, size_t n_accepted, bool committed)
{
    for (size_t i = 0; i < n; i++) {
        ingest_t *in = &self->batch[i];
        if (in->verdict == INGEST_DROP)
            log_warn("dropped a message from %s: %s",
                     in->unit[0] ? in->unit : "an unauthenticated peer", in->reason);
        else if (in->verdict == INGEST_REJECT) {
            log_warn("rejected %s %s %s revision %u: %s", in->unit, in->period, in->fund,
                     in->revision, in->reason);
            s_send_ack(self, self->identities[i], in, false, 0);
        } else if (in->verdict == INGEST_HELD)
            held_answer(self->db, transport_server_sock(self->router), self->identities[i],
                        in->unit, in->reason);
    }
    for (size_t k = 0; committed && k < n_accepted; k++)
        s_answer_stored(self, &self->batch[self->accepted_at[k]], self->outcomes[k], self->held[k],
                        self->identities[self->accepted_at[k]]);
}

//  Counts message i against its sender (its code, or its connection when
//  it has none); returns true when the sender has had its share of the batch.
static bool s_peer_full(city_t *self, zhash_t *counts, size_t i)
{
    char *hex =
        self->peers[i][0] || !self->identities[i] ? NULL : zframe_strhex(self->identities[i]);
    const char *key = hex ? hex : self->peers[i];
    uintptr_t count = (uintptr_t)zhash_lookup(counts, key) + 1;
    zhash_update(counts, key, (void *)count);
    free(hex);
    return count >= PEER_BATCH_MAX;
}

//  Takes the waiting messages as one batch, commits once, then answers.
//  libzmq fair-queues the senders; a batch ends when one of them has sent
//  PEER_BATCH_MAX, so that a flood delays the others by one short batch.
static void s_batch(city_t *self)
{
    size_t n = 0, n_accepted = 0;
    zhash_t *counts = zhash_new();
    bool full = !counts;
    while (!full && n < BATCH_MAX && s_receive(self, n)) {
        if (self->batch[n].verdict == INGEST_ACCEPT) {
            self->accepted[n_accepted] = self->batch[n].report;
            self->accepted_at[n_accepted++] = n;
        }
        full = s_peer_full(self, counts, n);
        n++;
    }
    zhash_destroy(&counts);
    bool committed = citydb_accept(self->db, self->accepted, n_accepted, (int64_t)time(NULL),
                                   self->outcomes, self->held) == 0;
    if (!committed)
        log_error("could not store %zu reports: %s (not acknowledged; they will come again)",
                  n_accepted, store_error(citydb_store(self->db)));
    s_answer(self, n, n_accepted, committed);
    if (committed) {
        s_publish_changes(self, n_accepted);
        s_forward_dirty(self);
    }
    for (size_t i = 0; i < n; i++) {
        report_destroy(&self->batch[i].report);
        zframe_destroy(&self->identities[i]);
    }
}

static void s_loop(city_t *self)
{
    zsock_t *sock = transport_server_sock(self->router);
    zpoller_t *poller = zpoller_new(sock, NULL);
    if (self->province)
        zpoller_add(poller, self->province);
    while (!zsys_interrupted) {
        void *which = zpoller_wait(poller, TICK_MS);
        if (zpoller_terminated(poller))
            break;
        if (which == sock)
            s_batch(self);
        //  Acknowledgements refill the window in the transaction that
        //  records them; otherwise what was queued goes at once (cheap when
        //  nothing was: the sender reads at its cursor).
        if (self->sender && which == self->province)
            sender_take_acks(self->sender);
        else if (self->sender)
            sender_send_due(self->sender);
        linkwatch_tick(self->province_watch);
        //  What the link to the hub last was, for city-aggregator status; a
        //  failed save is tried again at the next change or turn.
        linkwatch_save(self->province_watch, citydb_store(self->db));
    }
    zpoller_destroy(&poller);
}

//  Reads the settings from the flags into self->conf.
static int s_configure(city_t *self, const opts_t *opts)
{
    cityconf_t *conf = &self->conf;
    const char *city = opts_need(opts, "city");
    const char *name = opts_need(opts, "name");
    if (!city || !name)
        return -1;
    if (!adcode_is_city(city)) {
        log_error("--city must be a city code PPCC00, not '%s'", city);
        return -1;
    }
    snprintf(conf->city, sizeof conf->city, "%s", city);
    snprintf(conf->name, sizeof conf->name, "%s", name);
    const char *why = NULL;
    if (opts_get(opts, "units") && cityconf_load_units(conf, opts_get(opts, "units")) != 0)
        return -1;
    if (opts_get(opts, "framework") &&
        cityconf_load_framework(conf, opts_get(opts, "framework")) != 0)
        return -1;
    if (opts_get(opts, "deadline") &&
        period_deadline_parse(opts_get(opts, "deadline"), &conf->deadline, &why) != 0) {
        log_error("--deadline: %s", why);
        return -1;
    }
    if (opts_get(opts, "risk") &&
        evaluation_risk_parse(opts_get(opts, "risk"), &conf->risk, &why) != 0) {
        log_error("--risk: %s", why);
        return -1;
    }
    return 0;
}

//  Binds the report endpoint and the feed, CURVE unless --insecure.
static int s_bind(city_t *self, const opts_t *opts)
{
    const char *bind = opts_need(opts, "bind");
    const char *pub = opts_need(opts, "pub");
    if (!bind || !pub)
        return -1;
    zcert_t *cert = NULL;
    const char *allow = NULL;
    if (!self->insecure) {
        const char *key = opts_need(opts, "key");
        allow = opts_need(opts, "allow");
        if (!key || !allow || !(cert = keys_load_secret(key)))
            return -1;
    }
    const char *bound = cert ? keys_code(cert) : NULL;
    if (bound && strcmp(bound, self->conf.city)) {
        log_error("the key %s is bound to %s, not to city %s", opts_get(opts, "key"), bound,
                  self->conf.city);
        zcert_destroy(&cert);
        return -1;
    }
    self->router = transport_server_new(ZMQ_ROUTER, bind, cert, allow);
    //  The feed is plain text on loopback (watch needs no key there), CURVE elsewhere.
    bool local_feed = transport_is_loopback(pub);
    self->pub = transport_server_new(ZMQ_PUB, pub, local_feed ? NULL : cert, allow);
    int rc = self->router && self->pub ? 0 : -1;
    const char *province = opts_get(opts, "province");
    if (rc == 0 && province) {
        const char *province_pub = self->insecure ? NULL : opts_need(opts, "province-pub");
        if (!self->insecure && !province_pub)
            rc = -1;
        else {
            linkwatch_about_t about = {"the hub", opts_get(opts, "key"), "--province-pub",
                                       province_pub};
            if (self->insecure)
                about.key_file = NULL;
            self->province = transport_client_watched(ZMQ_DEALER, province, cert, province_pub,
                                                      &about, &self->province_watch);
            rc = self->province ? 0 : -1;
        }
    }
    zcert_destroy(&cert);
    return rc;
}

static int s_alloc(city_t *self)
{
    self->batch = calloc(BATCH_MAX, sizeof *self->batch);
    self->identities = calloc(BATCH_MAX, sizeof *self->identities);
    self->accepted = calloc(BATCH_MAX, sizeof *self->accepted);
    self->accepted_at = calloc(BATCH_MAX, sizeof *self->accepted_at);
    self->outcomes = calloc(BATCH_MAX, sizeof *self->outcomes);
    self->held = calloc(BATCH_MAX, sizeof *self->held);
    self->peers = calloc(BATCH_MAX, sizeof *self->peers);
    return self->batch && self->identities && self->accepted && self->accepted_at &&
                   self->outcomes && self->held && self->peers
               ? 0
               : -1;
}

static void s_free(city_t *self)
{
    free(self->batch);
    free(self->identities);
    free(self->accepted);
    free(self->accepted_at);
    free(self->outcomes);
    free(self->held);
    free(self->peers);
    sender_destroy(&self->sender);
    linkwatch_destroy(&self->province_watch);
    zsock_destroy(&self->province);
    transport_server_destroy(&self->pub);
    transport_server_destroy(&self->router);
    citydb_destroy(&self->db);
    cityconf_clear(&self->conf);
}

//  Checks that every flag run needs was given; names all the missing ones.
static int s_require(const opts_t *opts)
{
    bool secure = !opts_has(opts, "insecure"), up = secure && opts_get(opts, "province");
    const char *need[] = {"city",
                          "name",
                          "data",
                          "bind",
                          "pub",
                          secure ? "key" : NULL,
                          secure ? "allow" : NULL,
                          up ? "province-pub" : NULL};
    return opts_require(opts, "city-aggregator run", need, sizeof need / sizeof need[0]);
}

//  The run command.
int city_run(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("run", s_specs,
                             "--city CODE --name NAME --data DIR --bind ENDPOINT --pub ENDPOINT "
                             "--key FILE --allow DIR [--units FILE] [--framework FILE]",
                             argc, argv, &code);
    if (!opts)
        return code;
    log_setup("city-aggregator", LOGL_INFO);
    signals_install();
    city_t self = {0};
    cityconf_init(&self.conf);
    self.insecure = opts_has(opts, "insecure");
    const char *data = opts_get(opts, "data");
    code = EXIT_USAGE;
    if (s_require(opts) != 0 || s_configure(&self, opts) != 0 || s_bind(&self, opts) != 0)
        goto done;
    code = EXIT_RUNTIME;
    if (s_alloc(&self) != 0 || !(self.db = citydb_open(data, self.conf.city)) ||
        cityconf_save(&self.conf, citydb_store(self.db)) != 0)
        goto done;
    if (self.province && !(self.sender = sender_new(citydb_store(self.db), self.province,
                                                    opts_get(opts, "province"))))
        goto done;
    if (self.sender)
        sender_set_linkwatch(self.sender, self.province_watch);
    s_forward_dirty(&self); //  changes a crash left unforwarded
    if (self.insecure)
        log_warn("--insecure: links are plain text and peers are not authenticated");
    log_info("city %s %s receiving on %s", self.conf.city, self.conf.name, opts_get(opts, "bind"));
    s_loop(&self);
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    s_free(&self);
    opts_destroy(&opts);
    return code;
}
