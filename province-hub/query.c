/*  query - the hub's rank and show commands: from the store (--data), also
    while run runs, or from a remote hub's query endpoint (--query), which
    answers with exactly the text and exit code the store would give.
*/
#include "cli.h"
#include "envelope.h"
#include "hub.h"
#include "hubdb.h"
#include "hubquery.h"
#include "keys.h"
#include "linkwatch.h"
#include "log.h"
#include "transport.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_TIMEOUT_MS 10000
#define QUERY_POLL_MS 50 //  How often the link's condition is looked at.

static const opt_spec_t s_specs[] = {
    {"data", true, false, "the hub's data directory"},
    {"query", true, false, "a remote hub's query endpoint (instead of --data)"},
    {"query-pub", true, false, "the remote hub's public key file"},
    {"key", true, false, "your secret key file (its public key in the hub's allow directory)"},
    {"insecure", false, false, "plain text to a loopback hub"},
    {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
    {"fund", true, false, "resident, employee, maternity or dept"},
    {"level", true, false, "rank: city (default) or county"},
    {"by", true, false, "rank: total (default) or an indicator code"},
    {"unit", true, false, "show: a county code, or a city code for its pool"},
    {"format", true, false, "table (default), csv or json"},
    {NULL, false, false, NULL}};

//  Waits up to QUERY_TIMEOUT_MS for the hub's answer. Gives up at once,
//  saying why, when the handshake fails (a key the hub refuses, a wrong
//  --query-pub, plain text against CURVE); at the timeout it says what it
//  knows of the link. Returns the answer, or NULL.
static zframe_t *s_wait_answer(zsock_t *sock, linkwatch_t *watch, const char *endpoint)
{
    zpoller_t *poller = zpoller_new(sock, NULL);
    int64_t deadline = zclock_mono() + QUERY_TIMEOUT_MS;
    linkwatch_condition_t cond = {0};
    zframe_t *answer = NULL;
    while (poller && !answer && !zsys_interrupted && zclock_mono() < deadline) {
        if (zpoller_wait(poller, QUERY_POLL_MS) == sock)
            answer = zframe_recv(sock);
        if (watch)
            linkwatch_condition(watch, &cond);
        if (!answer && linkwatch_is_handshake_failure(cond.state))
            break;
    }
    zpoller_destroy(&poller);
    if (answer)
        return answer;
    if (linkwatch_is_handshake_failure(cond.state) || cond.state == LINKWATCH_UNREACHABLE)
        fprintf(stderr, "no answer from %s: %s\n", endpoint, cond.text);
    else
        fprintf(stderr, "no answer from %s within %d s (%s)\n", endpoint, QUERY_TIMEOUT_MS / 1000,
                cond.state == LINKWATCH_UP ? "connected, but the hub did not answer"
                                           : "the hub is down or slow");
    return NULL;
}

//  Asks a remote hub; prints its answer; returns its exit code.
int hub_remote(const opts_t *opts, Fundchain__Query *q, FILE *out)
{
    zcert_t *cert = NULL;
    if (!opts_has(opts, "insecure")) {
        const char *key = opts_need(opts, "key");
        if (!key || !opts_need(opts, "query-pub") || !(cert = keys_load_secret(key)))
            return EXIT_USAGE;
    }
    const char *endpoint = opts_get(opts, "query");
    linkwatch_about_t about = {"the hub", cert ? opts_get(opts, "key") : NULL, "--query-pub",
                               opts_get(opts, "query-pub")};
    linkwatch_t *watch = NULL;
    log_setup("province-hub", LOGL_ERROR); //  The watcher's log lines: the message below says it.
    zsock_t *sock = transport_client_watched(ZMQ_DEALER, endpoint, cert,
                                             opts_get(opts, "query-pub"), &about, &watch);
    zcert_destroy(&cert);
    if (!sock)
        return EXIT_RUNTIME;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_QUERY;
    env.query = q;
    zframe_t *frame = envelope_pack(&env);
    zsock_set_sndtimeo(sock, QUERY_TIMEOUT_MS);
    int code = EXIT_RUNTIME;
    zframe_t *answer = NULL;
    if (!frame || zframe_send(&frame, sock, 0) != 0)
        fprintf(stderr, "cannot send the query to %s within %d s\n", endpoint,
                QUERY_TIMEOUT_MS / 1000);
    else if ((answer = s_wait_answer(sock, watch, endpoint))) {
        Fundchain__Envelope *reply = envelope_unpack(answer, SIZE_MAX, NULL, 0);
        if (!reply || reply->body_case != FUNDCHAIN__ENVELOPE__BODY_REPLY)
            fprintf(stderr, "malformed answer from %s\n", endpoint);
        else {
            fputs(reply->reply->output ? reply->reply->output : "", out);
            fputs(reply->reply->error ? reply->reply->error : "", stderr);
            code = reply->reply->exit_code;
        }
        envelope_destroy(&reply);
    }
    zframe_destroy(&frame);
    zframe_destroy(&answer);
    linkwatch_destroy(&watch);
    zsock_destroy(&sock);
    return code;
}

//  Answers from the local store.
static int s_local(const opts_t *opts, const Fundchain__Query *q)
{
    hubquery_t hq = {q->period, q->fund, q->level, q->by, q->unit, FORMAT_TABLE};
    if (q->format && table_format_parse(q->format, &hq.format) != 0) {
        fprintf(stderr, "--format must be table, csv or json\n");
        return EXIT_USAGE;
    }
    hubdb_t *db = hubdb_open(opts_get(opts, "data"), NULL);
    if (!db)
        return EXIT_RUNTIME;
    int code = q->kind == FUNDCHAIN__QUERY__KIND__SHOW ? hubquery_show(db, &hq, stdout, stderr)
                                                       : hubquery_rank(db, &hq, stdout, stderr);
    hubdb_destroy(&db);
    return code;
}

static int s_command(const char *name, Fundchain__Query__Kind kind, const char *usage, int argc,
                     char **argv)
{
    int code;
    opts_t *opts = cli_parse(name, s_specs, usage, argc, argv, &code);
    if (!opts)
        return code;
    Fundchain__Query q = FUNDCHAIN__QUERY__INIT;
    q.kind = kind;
    q.period = (char *)opts_get(opts, "period");
    q.fund = (char *)opts_get(opts, "fund");
    q.level = (char *)opts_get(opts, "level");
    q.by = (char *)opts_get(opts, "by");
    q.unit = (char *)opts_get(opts, "unit");
    q.format = (char *)opts_get(opts, "format");
    bool data = opts_get(opts, "data"), query = opts_get(opts, "query");
    if (data == query) {
        fprintf(stderr, "province-hub %s: give either --data DIR or --query ENDPOINT\n", name);
        code = EXIT_USAGE;
    } else
        code = data ? s_local(opts, &q) : hub_remote(opts, &q, stdout);
    opts_destroy(&opts);
    return code;
}

//  The rank command.
int hub_rank(int argc, char **argv)
{
    return s_command("rank", FUNDCHAIN__QUERY__KIND__RANK,
                     "--data DIR | --query ENDPOINT --query-pub FILE --key FILE --period P "
                     "--fund F [--level city|county] [--by total|INDICATOR] [--format F]",
                     argc, argv);
}

//  The show command.
int hub_show(int argc, char **argv)
{
    return s_command("show", FUNDCHAIN__QUERY__KIND__SHOW,
                     "--data DIR | --query ENDPOINT ... --unit CODE --period P --fund F "
                     "[--format F]",
                     argc, argv);
}
