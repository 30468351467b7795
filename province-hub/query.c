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
#include "outfile.h"
#include "transport.h"
#include "xlsx.h"
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
    {"format", true, false, "table (default), csv, json or xlsx (a workbook: needs --out)"},
    {"out", true, false, "the file to write (whole or not at all) instead of standard output"},
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

//  Answers from the local store into out. The format was checked.
static int s_local(const opts_t *opts, const Fundchain__Query *q, FILE *out)
{
    hubquery_t hq = {q->period, q->fund, q->level, q->by, q->unit, FORMAT_TABLE};
    if (q->format)
        table_format_parse(q->format, &hq.format);
    hubdb_t *db = hubdb_open(opts_get(opts, "data"), NULL);
    if (!db)
        return EXIT_RUNTIME;
    int code = q->kind == FUNDCHAIN__QUERY__KIND__SHOW ? hubquery_show(db, &hq, out, stderr)
                                                       : hubquery_rank(db, &hq, out, stderr);
    hubdb_destroy(&db);
    return code;
}

//  Asks the store or the remote hub for the JSON of a question; *doc gets
//  it. Returns the exit code.
static int s_ask_json(const opts_t *opts, Fundchain__Query *q, json_t **doc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return EXIT_RUNTIME;
    q->format = "json";
    int code = opts_get(opts, "data") ? s_local(opts, q, mem) : hub_remote(opts, q, mem);
    fclose(mem);
    json_error_t err;
    *doc = code == EXIT_OK ? json_loadb(text, len, 0, &err) : NULL;
    if (code == EXIT_OK && !*doc) {
        fprintf(stderr, "the answer is not JSON: %s\n", err.text);
        code = EXIT_RUNTIME;
    }
    free(text);
    return code;
}

//  Writes the workbook of a question: both levels of a ranking, or an
//  evaluation.
static int s_workbook(const opts_t *opts, Fundchain__Query *q, const char *name)
{
    char program[64];
    snprintf(program, sizeof program, "province-hub %s", name);
    xlsx_about_t about = {
        program, "省", opts_get(opts, "data") ? opts_get(opts, "data") : opts_get(opts, "query")};
    json_t *docs[2] = {NULL, NULL};
    int code;
    if (q->kind == FUNDCHAIN__QUERY__KIND__SHOW) {
        code = s_ask_json(opts, q, &docs[0]);
        if (code == EXIT_OK && xlsx_write_eval(docs[0], &about, opts_get(opts, "out")) != 0)
            code = EXIT_RUNTIME;
    } else {
        q->level = "city";
        code = s_ask_json(opts, q, &docs[0]);
        q->level = "county";
        if (code == EXIT_OK)
            code = s_ask_json(opts, q, &docs[1]);
        if (code == EXIT_OK &&
            xlsx_write_rank(docs[0], docs[1], &about, opts_get(opts, "out")) != 0)
            code = EXIT_RUNTIME;
    }
    json_decref(docs[0]);
    json_decref(docs[1]);
    return code;
}

//  Answers in a text format into --out (whole or not at all) or stdout.
static int s_text(const opts_t *opts, Fundchain__Query *q)
{
    outfile_t *out = outfile_new(opts_get(opts, "out"));
    if (!out)
        return EXIT_RUNTIME;
    int code = opts_get(opts, "data") ? s_local(opts, q, outfile_stream(out))
                                      : hub_remote(opts, q, outfile_stream(out));
    if (code != EXIT_OK)
        outfile_destroy(&out);
    else if (outfile_commit(&out) != 0)
        code = EXIT_RUNTIME;
    return code;
}

//  Checks --format and --out. Returns 0, or -1 with a message.
static int s_check_format(const opts_t *opts, const char *name, format_t *format)
{
    *format = FORMAT_TABLE;
    const char *text = opts_get(opts, "format");
    if (text && table_format_parse_query(text, format) != 0) {
        fprintf(stderr, "province-hub %s: --format must be table, csv, json or xlsx\n", name);
        return -1;
    }
    if (*format == FORMAT_XLSX && !opts_get(opts, "out")) {
        fprintf(stderr, "province-hub %s: --format xlsx needs --out FILE\n", name);
        return -1;
    }
    return 0;
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
    format_t format;
    if (data == query) {
        fprintf(stderr, "province-hub %s: give either --data DIR or --query ENDPOINT\n", name);
        code = EXIT_USAGE;
    } else if (s_check_format(opts, name, &format) != 0)
        code = EXIT_USAGE;
    else
        code = format == FORMAT_XLSX ? s_workbook(opts, &q, name) : s_text(opts, &q);
    opts_destroy(&opts);
    return code;
}

//  The rank command.
int hub_rank(int argc, char **argv)
{
    return s_command(
        "rank", FUNDCHAIN__QUERY__KIND__RANK,
        "--data DIR | --query ENDPOINT --query-pub FILE --key FILE --period P "
        "--fund F [--level city|county] [--by total|INDICATOR] [--format F] [--out FILE]",
        argc, argv);
}

//  The show command.
int hub_show(int argc, char **argv)
{
    return s_command("show", FUNDCHAIN__QUERY__KIND__SHOW,
                     "--data DIR | --query ENDPOINT ... --unit CODE --period P --fund F "
                     "[--format F] [--out FILE]",
                     argc, argv);
}
