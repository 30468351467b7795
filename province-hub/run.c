/*  run - the province hub daemon.

    The loop (in the manner of Redis's ae.c) serves two sockets. On the
    cities' socket it takes every waiting message as one batch: each is
    examined (hubingest.c), the accepted evaluations are stored in ONE LMDB
    transaction (group commit, newest version kept), and only after that
    commit are they acknowledged; refusals are answered with their reason.
    If the commit fails nothing is acknowledged and the cities send again.
    On the query socket each question (rank or show) is answered with the
    text the command line would print. SIGTERM, SIGINT, SIGHUP, SIGUSR1,
    SIGUSR2 or SIGALRM ends the loop between batches (signals.c; SIGPIPE
    is ignored).
*/
#include "adcode.h"
#include "cli.h"
#include "evaluation.h"
#include "hub.h"
#include "hubdb.h"
#include "hubingest.h"
#include "hubquery.h"
#include "keys.h"
#include "log.h"
#include "signals.h"
#include "transport.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 4096
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
    {NULL, false, false, NULL}};

typedef struct {
    char province[8];
    hubdb_t *db;
    transport_server_t *cities;
    transport_server_t *queries;
    bool insecure;
    hubingest_t *batch;
    zframe_t **identities;
    hubdb_record_t *accepted;
    size_t *accepted_at;
    hubdb_outcome_t *outcomes;
} hub_t;

static void s_reply(zsock_t *sock, zframe_t *identity, zframe_t **body)
{
    zmsg_t *msg = zmsg_new();
    zframe_t *to = zframe_dup(identity);
    zmsg_append(msg, &to);
    zmsg_append(msg, body);
    if (zmsg_send(&msg, sock) != 0)
        zmsg_destroy(&msg);
}

//  Puts "from PEER: " before the reason (when it fits).
static void s_prefix(char *reason, size_t size, const char *peer)
{
    char prefix[48];
    int n = snprintf(prefix, sizeof prefix, "from %s: ", peer ? peer : "an unauthenticated peer");
    size_t len = strlen(reason);
    if (n > 0 && (size_t)n + len < size) {
        memmove(reason + n, reason, len + 1);
        memcpy(reason, prefix, (size_t)n);
    }
}

//  Receives one message into the batch; returns false when none is waiting.
static bool s_receive(hub_t *self, size_t i)
{
    zsock_t *sock = transport_server_sock(self->cities);
    if (!(zsock_events(sock) & ZMQ_POLLIN))
        return false;
    zmsg_t *msg = zmsg_recv(sock);
    self->identities[i] = msg ? zmsg_pop(msg) : NULL;
    zframe_t *payload = msg ? zmsg_pop(msg) : NULL;
    hubingest_t *in = &self->batch[i];
    memset(in, 0, sizeof *in);
    in->verdict = HUBINGEST_DROP;
    const char *peer = payload ? transport_peer_code(payload) : NULL;
    if (!payload || zmsg_size(msg) != 0)
        snprintf(in->reason, sizeof in->reason, "malformed multipart message (%zu frames)",
                 msg ? zmsg_size(msg) + (payload != NULL) : 0);
    else if (!peer && !self->insecure)
        snprintf(in->reason, sizeof in->reason, "no authenticated code on the connection");
    else
        hubingest_examine(self->province, payload, peer, in);
    if (in->verdict == HUBINGEST_DROP) //  the log names the sender's key
        s_prefix(in->reason, sizeof in->reason, peer);
    zframe_destroy(&payload);
    zmsg_destroy(&msg);
    return true;
}

static void s_answer(hub_t *self, size_t n, bool committed)
{
    zsock_t *sock = transport_server_sock(self->cities);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        hubingest_t *in = &self->batch[i];
        if (in->verdict == HUBINGEST_DROP) {
            log_warn("dropped a message %s", in->reason);
            continue;
        }
        if (in->verdict == HUBINGEST_ACCEPT && !committed)
            continue;
        if (in->verdict == HUBINGEST_REJECT)
            log_warn("rejected %s %s %s version %llu: %s", in->eval->code, in->eval->period,
                     in->eval->fund, (unsigned long long)in->eval->version, in->reason);
        else {
            static const char *what[] = {"stored", "duplicate of", "older than stored:"};
            log_info("%s %s %s %s %s version %llu", what[self->outcomes[k++]],
                     in->eval->level ? "pool" : "unit", in->eval->code, in->eval->period,
                     in->eval->fund, (unsigned long long)in->eval->version);
        }
        zframe_t *ack = hubingest_ack(in);
        if (ack)
            s_reply(sock, self->identities[i], &ack);
    }
}

//  Takes every waiting message as one batch, commits once, then answers.
static void s_batch(hub_t *self)
{
    size_t n = 0, n_accepted = 0;
    while (n < BATCH_MAX && s_receive(self, n)) {
        hubingest_t *in = &self->batch[n];
        if (in->verdict == HUBINGEST_ACCEPT)
            self->accepted[n_accepted++] = (hubdb_record_t){in->eval, in->bytes, in->len};
        n++;
    }
    bool committed =
        hubdb_accept_records(self->db, self->accepted, n_accepted, self->outcomes) == 0;
    if (!committed)
        log_error("could not store %zu evaluations: %s (not acknowledged; they will come again)",
                  n_accepted, store_error(hubdb_store(self->db)));
    s_answer(self, n, committed);
    for (size_t i = 0; i < n; i++) {
        hubingest_clear(&self->batch[i]);
        zframe_destroy(&self->identities[i]);
    }
}

//  Unpacks the query in payload (msg holds the frames after it). Returns
//  it, or NULL with the reason in why.
static Fundchain__Envelope *s_query_unpack(zframe_t *payload, zmsg_t *msg, char *why, size_t size)
{
    size_t bytes = payload ? zframe_size(payload) : 0;
    Fundchain__Envelope *env = NULL;
    if (!payload || zmsg_size(msg) != 0)
        snprintf(why, size, "malformed multipart message");
    else if (bytes > transport_max_msg())
        snprintf(why, size, "message of %zu bytes is larger than %zu", bytes, transport_max_msg());
    else if (!(env = fundchain__envelope__unpack(NULL, bytes, zframe_data(payload))))
        snprintf(why, size, "malformed message of %zu bytes", bytes);
    else if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_QUERY) {
        snprintf(why, size, "unexpected message type %d: this endpoint answers queries only",
                 (int)env->body_case);
        fundchain__envelope__free_unpacked(env, NULL);
        env = NULL;
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
        else if (q->format && *q->format && table_format_parse(q->format, &hq.format) != 0)
            fprintf(e, "--format must be table, csv or json\n");
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
        Fundchain__Envelope answer = FUNDCHAIN__ENVELOPE__INIT;
        answer.body_case = FUNDCHAIN__ENVELOPE__BODY_REPLY;
        answer.reply = &reply;
        zframe_t *body = zframe_new(NULL, fundchain__envelope__get_packed_size(&answer));
        fundchain__envelope__pack(&answer, zframe_data(body));
        s_reply(sock, identity, &body);
        free(out);
        free(err);
    }
    fundchain__envelope__free_unpacked(env, NULL);
    zframe_destroy(&identity);
    zframe_destroy(&payload);
    zmsg_destroy(&msg);
}

static void s_loop(hub_t *self)
{
    zsock_t *cities = transport_server_sock(self->cities);
    zsock_t *queries = transport_server_sock(self->queries);
    zpoller_t *poller = zpoller_new(cities, queries, NULL);
    while (!zsys_interrupted) {
        void *which = zpoller_wait(poller, TICK_MS);
        if (zpoller_terminated(poller))
            break;
        if (which == cities)
            s_batch(self);
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

static int s_alloc(hub_t *self)
{
    self->batch = calloc(BATCH_MAX, sizeof *self->batch);
    self->identities = calloc(BATCH_MAX, sizeof *self->identities);
    self->accepted = calloc(BATCH_MAX, sizeof *self->accepted);
    self->outcomes = calloc(BATCH_MAX, sizeof *self->outcomes);
    return self->batch && self->identities && self->accepted && self->outcomes ? 0 : -1;
}

static void s_free(hub_t *self)
{
    free(self->batch);
    free(self->identities);
    free(self->accepted);
    free(self->outcomes);
    transport_server_destroy(&self->queries);
    transport_server_destroy(&self->cities);
    hubdb_destroy(&self->db);
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
    if (s_require(opts) != 0)
        goto done;
    if (!adcode_is_province(province)) {
        log_error("--province must be a province code PP0000, not '%s'", province);
        goto done;
    }
    snprintf(self.province, sizeof self.province, "%s", province);
    if (s_bind(&self, opts) != 0)
        goto done;
    code = EXIT_RUNTIME;
    if (s_alloc(&self) != 0 || !(self.db = hubdb_open(data, province)))
        goto done;
    if (self.insecure)
        log_warn("--insecure: links are plain text and peers are not authenticated");
    log_info("province %s %s receiving on %s, queries on %s", province, name,
             opts_get(opts, "bind"), opts_get(opts, "query-bind"));
    s_loop(&self);
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    s_free(&self);
    opts_destroy(&opts);
    return code;
}
