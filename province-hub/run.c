/*  run - the province hub daemon.

    The loop (in the manner of Redis's ae.c) serves two sockets. On the
    cities' socket the inbox (inbox.c) takes every waiting message as one
    batch (up to INBOX_BATCH_MAX, and up to INBOX_PEER_MAX from one city,
    so that a flood cannot make the others wait long): each is examined
    (hubingest.c; the inbox itself drops malformed multipart,
    unauthenticated and oversize messages with their reason), the accepted
    evaluations are stored in ONE LMDB transaction (group commit, newest
    version kept), and only after that commit are they acknowledged;
    refusals are answered with their reason. If the commit fails nothing
    accepted is acknowledged and the cities send again.
    On the query socket each question (rank or show) is answered with the
    text the command line would print. SIGTERM, SIGINT, SIGUSR1,
    SIGUSR2 or SIGALRM ends the loop between batches (signals.c; SIGPIPE
    is ignored); SIGHUP reads the allow directory again (s_reload).
*/
#include "adcode.h"
#include "cli.h"
#include "envelope.h"
#include "evaluation.h"
#include "hub.h"
#include "hubdb.h"
#include "hubingest.h"
#include "hubquery.h"
#include "hubreport.h"
#include "inbox.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "sdnotify.h"
#include "signals.h"
#include "transport.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 500

static const opt_spec_t s_specs[] = {
    {"province", true, false, "this province's 6-digit code (PP0000)"},
    {"name", true, false, "this province's name, e.g. 四川省"},
    {"data", true, false, "the hub's data directory (LMDB)"},
    {"bind", true, false, "endpoint for the cities' evaluations"},
    {"query-bind", true, false, "endpoint for remote rank and show"},
    {"key", true, false, "the hub's secret key file"},
    {"allow", true, false, "directory of the cities' public key files"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {"metrics", true, false, "serve Prometheus metrics at http://HOST:PORT/metrics (loopback)"},
    {NULL, false, false, NULL}};

typedef struct {
    char province[8];
    hubdb_t *db;
    transport_server_t *cities;
    transport_server_t *queries;
    bool insecure;
    inbox_t *inbox; //  takes the cities' messages in batches (inbox.c)
    //  The commit's arguments and results, in the order of the accepted evaluations.
    hubdb_record_t *accepted;
    hubdb_outcome_t *outcomes;
    sdnotify_t *sd;     //  tells systemd: ready, alive (watchdog), stopping
    metrics_t *metrics; //  --metrics: served at /metrics, NULL without
} hub_t;

//  One city message of a batch, as examined.
typedef struct {
    hubingest_t in;
    hubdb_outcome_t outcome; //  HUBINGEST_ACCEPT: what the commit did with it
} hub_msg_t;

static void s_reply(zsock_t *sock, zframe_t *identity, zframe_t **body)
{
    zmsg_t *msg = zmsg_new();
    zframe_t *to = zframe_dup(identity);
    zmsg_append(msg, &to);
    zmsg_append(msg, body);
    if (zmsg_send(&msg, sock) != 0)
        zmsg_destroy(&msg);
}

//  Examines one city message (inbox.c checked its frames and sender).
static inbox_verdict_t s_examine(void *arg, void *item, zframe_t *payload, const char *peer,
                                 char *reason)
{
    hub_t *self = arg;
    hubingest_t *in = &((hub_msg_t *)item)->in;
    hubingest_examine(self->province, payload, peer, in);
    if (in->verdict == HUBINGEST_DROP) {
        snprintf(reason, INBOX_REASON, "%s", in->reason);
        return INBOX_DROP;
    }
    return in->verdict == HUBINGEST_ACCEPT ? INBOX_ACCEPT : INBOX_ANSWER;
}

//  Stores the accepted evaluations of a batch in ONE transaction.
static int s_commit(void *arg, void **items, size_t n)
{
    hub_t *self = arg;
    for (size_t k = 0; k < n; k++) {
        const hubingest_t *in = &((hub_msg_t *)items[k])->in;
        self->accepted[k] = (hubdb_record_t){in->eval, in->bytes, in->len};
    }
    if (hubdb_accept_records(self->db, self->accepted, n, self->outcomes) != 0) {
        log_error("could not store %zu evaluations: %s (not acknowledged; they will come again)", n,
                  store_error(hubdb_store(self->db)));
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        ((hub_msg_t *)items[k])->outcome = self->outcomes[k];
    return 0;
}

//  Answers a city's review poll: records its results and sends what is
//  still pending for it (the province's approvals and their withdrawals).
static zframe_t *s_answer_poll(hub_t *self, hubingest_t *in)
{
    Fundchain__ReviewOrders orders;
    if (hubdb_review_poll(self->db, in->city, in->poll->results, in->poll->n_results,
                          (int64_t)time(NULL), &orders) != 0) {
        log_error("cannot record the review results of %s: %s (it will ask again)", in->city,
                  store_error(hubdb_store(self->db)));
        return NULL;
    }
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REVIEW_ORDERS;
    env.review_orders = &orders;
    zframe_t *frame = envelope_pack(&env);
    hubdb_orders_clear(&orders);
    return frame;
}

//  Answers one message after the commit: stored (or kept), or refused.
static zframe_t *s_answer(void *arg, void *item, zframe_t *identity)
{
    (void)identity;
    hub_msg_t *msg = item;
    if (msg->in.verdict == HUBINGEST_POLL)
        return s_answer_poll(arg, &msg->in);
    const Fundchain__Evaluation *e = msg->in.eval;
    if (msg->in.verdict == HUBINGEST_REJECT)
        log_warn("rejected %s %s %s version %llu: %s", e->code, e->period, e->fund,
                 (unsigned long long)e->version, msg->in.reason);
    else {
        static const char *what[] = {"stored", "duplicate of", "older than stored:"};
        log_info("%s %s %s %s %s version %llu", what[msg->outcome], e->level ? "pool" : "unit",
                 e->code, e->period, e->fund, (unsigned long long)e->version);
    }
    return hubingest_ack(&msg->in);
}

//  Names a review poll in the metrics as answered, not refused.
static void s_tally(void *arg, const void *item, const char **outcome, const char **reason)
{
    (void)arg;
    if (((const hub_msg_t *)item)->in.verdict == HUBINGEST_POLL) {
        *outcome = "answered";
        *reason = "review_poll";
    }
}

static void s_clear(void *arg, void *item)
{
    (void)arg;
    hubingest_clear(&((hub_msg_t *)item)->in);
}

//  Unpacks the query in payload (msg holds the frames after it). Returns
//  it, or NULL with the reason in why.
static Fundchain__Envelope *s_query_unpack(zframe_t *payload, zmsg_t *msg, char *why, size_t size)
{
    if (!payload || zmsg_size(msg) != 0) {
        snprintf(why, size, "malformed multipart message");
        return NULL;
    }
    Fundchain__Envelope *env = envelope_unpack(payload, transport_max_msg(), why, size);
    if (env && env->body_case != FUNDCHAIN__ENVELOPE__BODY_QUERY) {
        snprintf(why, size, "unexpected message type %d: this endpoint answers queries only",
                 (int)env->body_case);
        envelope_destroy(&env);
    }
    return env;
}

//  Answers one query with what the command would print.
static void s_query(hub_t *self)
{
    zsock_t *sock = transport_server_sock(self->queries);
    zmsg_t *msg = zmsg_recv(sock);
    zframe_t *identity = msg ? zmsg_pop(msg) : NULL;
    zframe_t *payload = msg ? zmsg_pop(msg) : NULL;
    char why[160] = "";
    Fundchain__Envelope *env = s_query_unpack(payload, msg, why, sizeof why);
    if (!env) {
        const char *peer = payload ? transport_peer_code(payload) : NULL;
        log_warn("dropped a query from %s: %s", peer ? peer : "an unauthenticated peer", why);
    } else {
        Fundchain__Query *q = env->query;
        hubquery_t hq = {q->period, q->fund, q->level, q->by, q->unit, FORMAT_TABLE};
        char *out = NULL, *err = NULL;
        size_t out_len = 0, err_len = 0;
        FILE *o = open_memstream(&out, &out_len), *e = open_memstream(&err, &err_len);
        int code = EXIT_USAGE;
        if (!o || !e)
            code = EXIT_RUNTIME;
        else if (q->kind <= FUNDCHAIN__QUERY__KIND__SHOW && q->format && *q->format &&
                 table_format_parse(q->format, &hq.format) != 0)
            fprintf(e, "--format must be table, csv or json\n");
        else if (q->kind == FUNDCHAIN__QUERY__KIND__REPORT ||
                 q->kind == FUNDCHAIN__QUERY__KIND__NARRATIVE)
            code = hubreport_answer(self->db, q, self->province, o, e);
        else
            code = q->kind == FUNDCHAIN__QUERY__KIND__SHOW ? hubquery_show(self->db, &hq, o, e)
                                                           : hubquery_rank(self->db, &hq, o, e);
        if (o)
            fclose(o);
        if (e)
            fclose(e);
        Fundchain__QueryReply reply = FUNDCHAIN__QUERY_REPLY__INIT;
        reply.exit_code = code;
        reply.output = out ? out : "";
        reply.error = err ? err : "";
        char too_big[200];
        if (out_len + err_len + 1024 > transport_max_msg()) {
            //  The client would drop it unseen: say why instead.
            snprintf(too_big, sizeof too_big,
                     "the answer is %zu bytes, more than a query link carries (%zu): run the "
                     "command with --data on the hub's machine\n",
                     out_len, transport_max_msg());
            log_warn("query: an answer of %zu bytes is over the link's limit; refused", out_len);
            reply.exit_code = EXIT_RUNTIME;
            reply.output = "";
            reply.error = too_big;
        }
        Fundchain__Envelope answer = FUNDCHAIN__ENVELOPE__INIT;
        answer.body_case = FUNDCHAIN__ENVELOPE__BODY_REPLY;
        answer.reply = &reply;
        zframe_t *body = envelope_pack(&answer);
        if (body)
            s_reply(sock, identity, &body);
        free(out);
        free(err);
    }
    envelope_destroy(&env);
    zframe_destroy(&identity);
    zframe_destroy(&payload);
    zmsg_destroy(&msg);
}

//  SIGHUP: reads the allow directory again (one table serves both
//  endpoints) and logs what changed; a removed city key is refused from its
//  next message or query on. Nothing stored is touched.
static void s_reload(hub_t *self)
{
    if (self->insecure)
        log_info("SIGHUP: --insecure: no allow directory to read again");
    else {
        log_info("SIGHUP: reading the allow directory again");
        transport_server_reload(self->cities);
    }
}

static void s_loop(hub_t *self)
{
    zsock_t *cities = transport_server_sock(self->cities);
    zsock_t *queries = transport_server_sock(self->queries);
    zpoller_t *poller = zpoller_new(cities, queries, NULL);
    while (!zsys_interrupted) {
        sdnotify_tick(self->sd);
        if (signals_reload_asked())
            s_reload(self);
        void *which = zpoller_wait(poller, TICK_MS);
        if (signals_poller_ended(poller))
            break;
        if (which == cities)
            inbox_batch(self->inbox);
        else if (which == queries)
            s_query(self);
    }
    zpoller_destroy(&poller);
}

//  Binds both endpoints, CURVE unless --insecure.
static int s_bind(hub_t *self, const opts_t *opts)
{
    const char *bind = opts_need(opts, "bind");
    const char *query = opts_need(opts, "query-bind");
    if (!bind || !query)
        return -1;
    zcert_t *cert = NULL;
    const char *allow = NULL;
    if (!self->insecure) {
        const char *key = opts_need(opts, "key");
        allow = opts_need(opts, "allow");
        if (!key || !allow || !(cert = keys_load_secret(key)))
            return -1;
        const char *bound = keys_code(cert);
        if (bound && strcmp(bound, self->province)) {
            log_error("the key %s is bound to %s, not to province %s", key, bound, self->province);
            zcert_destroy(&cert);
            return -1;
        }
    }
    self->cities = transport_server_new(ZMQ_ROUTER, bind, cert, allow);
    self->queries = transport_server_new(ZMQ_ROUTER, query, cert, allow);
    zcert_destroy(&cert);
    return self->cities && self->queries ? 0 : -1;
}

//  Makes the inbox of the cities' socket and the commit's arrays.
static int s_alloc(hub_t *self)
{
    inbox_spec_t spec = {.batch_max = INBOX_BATCH_MAX,
                         .peer_max = INBOX_PEER_MAX,
                         .item_size = sizeof(hub_msg_t),
                         .insecure = self->insecure,
                         .arg = self,
                         .examine = s_examine,
                         .commit = s_commit,
                         .answer = s_answer,
                         .tally = s_tally,
                         .clear = s_clear};
    self->inbox = inbox_new(transport_server_sock(self->cities), &spec);
    inbox_set_metrics(self->inbox, self->metrics);
    self->accepted = calloc(INBOX_BATCH_MAX, sizeof *self->accepted);
    self->outcomes = calloc(INBOX_BATCH_MAX, sizeof *self->outcomes);
    return self->inbox && self->accepted && self->outcomes ? 0 : -1;
}

static void s_free(hub_t *self)
{
    inbox_destroy(&self->inbox);
    free(self->accepted);
    free(self->outcomes);
    transport_server_destroy(&self->queries);
    transport_server_destroy(&self->cities);
    hubdb_destroy(&self->db);
    sdnotify_destroy(&self->sd);
    transport_set_metrics(NULL);
    metrics_destroy(&self->metrics);
}

//  Checks that every flag run needs was given; names all the missing ones.
static int s_require(const opts_t *opts)
{
    bool secure = !opts_has(opts, "insecure");
    const char *need[] = {"province",
                          "name",
                          "data",
                          "bind",
                          "query-bind",
                          secure ? "key" : NULL,
                          secure ? "allow" : NULL};
    return opts_require(opts, "province-hub run", need, sizeof need / sizeof need[0]);
}

//  The run command.
int hub_run(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("run", s_specs,
                             "--province CODE --name NAME --data DIR --bind ENDPOINT "
                             "--query-bind ENDPOINT --key FILE --allow DIR",
                             argc, argv, &code);
    if (!opts)
        return code;
    log_setup("province-hub", LOGL_INFO);
    signals_install();
    hub_t self = {0};
    self.insecure = opts_has(opts, "insecure");
    const char *province = opts_get(opts, "province");
    const char *name = opts_get(opts, "name");
    const char *data = opts_get(opts, "data");
    code = EXIT_USAGE;
    if (s_require(opts) != 0 ||
        (opts_get(opts, "metrics") && metrics_check_url(opts_get(opts, "metrics")) != 0))
        goto done;
    if (!adcode_is_province(province)) {
        log_error("--province must be a province code PP0000, not '%s'", province);
        goto done;
    }
    snprintf(self.province, sizeof self.province, "%s", province);
    if (s_bind(&self, opts) != 0)
        goto done;
    code = EXIT_RUNTIME;
    if (opts_get(opts, "metrics") && !(self.metrics = metrics_new(opts_get(opts, "metrics"))))
        goto done;
    transport_set_metrics(self.metrics);
    if (s_alloc(&self) != 0 || !(self.db = hubdb_open(data, province)))
        goto done;
    if (name && store_meta_set(hubdb_store(self.db), "hub.name", name) != 0) //  for report
        log_warn("cannot record the province's name in %s: %s", data,
                 store_error(hubdb_store(self.db)));
    if (self.insecure)
        log_warn("--insecure: links are plain text and peers are not authenticated");
    log_info("province %s %s receiving on %s, queries on %s", province, name,
             opts_get(opts, "bind"), opts_get(opts, "query-bind"));
    signals_unblock(); //  every thread is started: this one takes the signals
    self.sd = sdnotify_new();
    sdnotify_ready(self.sd, "receiving city evaluations and queries");
    s_loop(&self);
    sdnotify_stopping(self.sd, "stopping");
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    s_free(&self);
    opts_destroy(&opts);
    return code;
}
