/*  hostile - a hostile peer for the integration tests.

    It connects to a receiver as a DEALER (a CURVE client with a given key,
    or plain text) and sends one kind of bad or misdirected message, or
    writes random bytes to a TCP port without speaking ZMTP at all. It
    prints what happened, one line each, for the tests to grep:

        handshake ok | handshake refused: auth STATUS | handshake failed: ...
        disconnected by the receiver
        ack accepted|rejected kind=K unit=U period=P fund=F revision=R
            version=V reason=TEXT
        reply exit=N output=TEXT error=TEXT
        answer of N bytes that is not an Envelope(ack or reply)
        message N not sent within N ms: no connection
        no answer within N ms
        raw: wrote N bytes, read M bytes, closed by the peer|still open

    Kinds (--send): garbage (random bytes), empty (a zero-length frame),
    multipart (two junk frames, then a report), oversize (a frame one byte
    over the limit, or --size), report (a valid Envelope(report), from --csv
    and/or --set, with any unit, period, fund and revision), truncated and
    bitflip (of that report, cut or flipped at random for each message),
    ack, query and evaluation (an Envelope of that type; an evaluation of
    any code, city, level, version and number of indicators).

    Exit code: 0 when it ran (whatever came back), 2 on bad usage, 1 when it
    could not connect or build the message.
*/
#include "csvimport.h"
#include "envelope.h"
#include "keys.h"
#include "opts.h"
#include "report.h"
#include "transport.h"
#include "fundchain.pb-c.h"
#include <czmq.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOSTILE_WAIT_MS 1000
#define HOSTILE_GARBAGE 256
#define HOSTILE_EVENT_GRACE_MS 300 //  How long to wait for a handshake event.

static const opt_spec_t s_specs[] = {
    {"connect", true, false, "the receiver's endpoint (a DEALER connects)"},
    {"raw", true, false, "tcp://HOST:PORT: write random bytes, no ZMTP"},
    {"key", true, false, "the client's secret key file (CURVE); plain text without"},
    {"server-pub", true, false, "the receiver's public key file (CURVE)"},
    {"send", true, false,
     "garbage|empty|multipart|oversize|report|truncated|bitflip|ack|query|"
     "evaluation"},
    {"size", true, false, "bytes of garbage (raw, garbage) or of the oversize frame"},
    {"greeting", false, false, "raw: start with a valid ZMTP 3.0 CURVE greeting"},
    {"csv", true, false, "report: the first report of this CSV file (validated)"},
    {"unit", true, false, "report: the unit (any text)"},
    {"period", true, false, "report, evaluation, query: the period"},
    {"fund", true, false, "report, evaluation, query: the fund"},
    {"revision", true, false, "report: the revision (default 1)"},
    {"set", true, true, "report: CODE=VALUE[:UOM], set or add an item without validation"},
    {"cut", true, false, "truncated: bytes kept (default random, for each message)"},
    {"flip", true, false, "bitflip: the bit flipped (default random, for each message)"},
    {"code", true, false, "evaluation: the unit or city evaluated"},
    {"city", true, false, "evaluation: the city"},
    {"level", true, false, "evaluation: unit or pool"},
    {"version", true, false, "evaluation: the version (default 1)"},
    {"name", true, false, "evaluation: the name"},
    {"parts", true, false, "evaluation: the number of indicators (default 0)"},
    {"count", true, false, "messages to send (default 1)"},
    {"wait", true, false, "milliseconds to wait for answers (default 1000)"},
    {"seed", true, false, "seed of the random bytes (default: the time)"},
    {NULL, false, false, NULL}};

static const char *s_usage = "hostile --connect ENDPOINT [--key FILE --server-pub FILE] --send "
                             "KIND [options]\n       hostile --raw tcp://HOST:PORT [--size N] "
                             "[--greeting]";

static uint64_t s_rand_state = 88172645463325252ULL;

//  Returns the next pseudo-random number (xorshift64).
static uint64_t s_rand(void)
{
    s_rand_state ^= s_rand_state << 13;
    s_rand_state ^= s_rand_state >> 7;
    s_rand_state ^= s_rand_state << 17;
    return s_rand_state;
}

//  Fills buf with pseudo-random bytes.
static void s_random_bytes(byte *buf, size_t size)
{
    for (size_t i = 0; i < size; i++)
        buf[i] = (byte)(s_rand() >> 24);
}

//  Reads a decimal number flag into *value. Returns 0, or -1 with a message.
static int s_number(const opts_t *opts, const char *name, unsigned long long *value)
{
    const char *text = opts_get(opts, name);
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno) {
        fprintf(stderr, "hostile: --%s must be a number, not '%s'\n", name, text);
        return -1;
    }
    *value = n;
    return 0;
}

//  ---- raw TCP ----

//  Connects a plain TCP socket to tcp://HOST:PORT. Returns the fd, or -1.
static int s_tcp_connect(const char *endpoint)
{
    char host[256];
    const char *rest = strncmp(endpoint, "tcp://", 6) ? NULL : endpoint + 6;
    const char *colon = rest ? strrchr(rest, ':') : NULL;
    if (!colon || (size_t)(colon - rest) >= sizeof host) {
        fprintf(stderr, "hostile: --raw must be tcp://HOST:PORT, not '%s'\n", endpoint);
        return -1;
    }
    memcpy(host, rest, (size_t)(colon - rest));
    host[colon - rest] = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0 || !found) {
        fprintf(stderr, "hostile: cannot resolve %s\n", endpoint);
        return -1;
    }
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        fprintf(stderr, "hostile: cannot connect to %s: %s\n", endpoint, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

//  Writes a ZMTP 3.0 greeting that asks for CURVE. Returns 0 or -1.
static int s_tcp_greeting(int fd)
{
    byte greeting[64] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0};
    memcpy(greeting + 12, "CURVE", 5);
    return write(fd, greeting, sizeof greeting) == (ssize_t)sizeof greeting ? 0 : -1;
}

//  Reads what the peer sends until it closes or wait_ms passes. Returns the
//  bytes read; *closed tells whether the peer closed the connection.
static size_t s_tcp_drain(int fd, int wait_ms, bool *closed)
{
    size_t total = 0;
    int64_t deadline = zclock_mono() + wait_ms;
    *closed = false;
    while (!*closed && zclock_mono() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(deadline - zclock_mono())) <= 0)
            continue;
        byte buf[4096];
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0)
            total += (size_t)got;
        else
            *closed = true;
    }
    return total;
}

//  The raw mode: random bytes to a port, then what came back.
static int s_raw(const opts_t *opts, size_t size, int wait_ms)
{
    int fd = s_tcp_connect(opts_get(opts, "raw"));
    if (fd < 0)
        return 1;
    byte *junk = malloc(size ? size : 1);
    size_t wrote = 0;
    if (junk && (!opts_has(opts, "greeting") || s_tcp_greeting(fd) == 0)) {
        s_random_bytes(junk, size);
        for (ssize_t n = 1; wrote < size && n > 0; wrote += n > 0 ? (size_t)n : 0)
            n = send(fd, junk + wrote, size - wrote, MSG_NOSIGNAL);
    }
    free(junk);
    bool closed;
    size_t got = s_tcp_drain(fd, wait_ms, &closed);
    close(fd);
    printf("raw: wrote %zu bytes, read %zu bytes, %s\n", wrote, got,
           closed ? "closed by the peer" : "still open");
    return 0;
}

//  ---- messages ----

//  Sets (or adds) one item from CODE=VALUE[:UOM] without validation.
static int s_set_item(report_t *r, const char *spec)
{
    char code[64], value[48], uom[16] = "yuan";
    const char *eq = strchr(spec, '=');
    const char *colon = eq ? strchr(eq, ':') : NULL;
    size_t code_len = eq ? (size_t)(eq - spec) : 0;
    size_t value_len = eq ? (colon ? (size_t)(colon - eq - 1) : strlen(eq + 1)) : 0;
    if (!eq || code_len >= sizeof code || value_len >= sizeof value ||
        (colon && strlen(colon + 1) >= sizeof uom)) {
        fprintf(stderr, "hostile: --set must be CODE=VALUE[:UOM], not '%s'\n", spec);
        return -1;
    }
    memcpy(code, spec, code_len);
    code[code_len] = 0;
    memcpy(value, eq + 1, value_len);
    value[value_len] = 0;
    if (colon)
        snprintf(uom, sizeof uom, "%s", colon + 1);
    for (size_t i = 0; i < r->n_items; i++)
        if (!strcmp(r->items[i].code, code)) {
            snprintf(r->items[i].value, sizeof r->items[i].value, "%s", value);
            if (colon)
                snprintf(r->items[i].uom, sizeof r->items[i].uom, "%s", uom);
            return 0;
        }
    return report_add(r, code, value, uom, NULL, 0);
}

//  Loads the base report: the first of --csv, or an empty one.
static report_t *s_base_report(const opts_t *opts)
{
    const char *csv = opts_get(opts, "csv");
    if (!csv)
        return report_new("000000", "2023", "resident");
    csvimport_result_t result = {0};
    diag_t *diag = diag_new();
    report_t *r = NULL;
    if (diag && csvimport_file(csv, NULL, NULL, &result, diag) == 0 && result.n_reports > 0) {
        r = result.reports[0];
        result.reports[0] = NULL;
    } else if (diag)
        diag_print(diag, stderr);
    csvimport_result_clear(&result);
    diag_destroy(&diag);
    return r;
}

//  Copies a text flag into a report field; refuses what does not fit.
static int s_override(const opts_t *opts, const char *name, char *field, size_t size)
{
    const char *text = opts_get(opts, name);
    if (!text)
        return 0;
    if (strlen(text) >= size) {
        fprintf(stderr, "hostile: --%s '%s' is longer than %zu bytes\n", name, text, size - 1);
        return -1;
    }
    snprintf(field, size, "%s", text);
    return 0;
}

//  Builds the report to send from the flags. Returns it, or NULL.
static report_t *s_report(const opts_t *opts)
{
    report_t *r = s_base_report(opts);
    unsigned long long revision = 1;
    int rc = r ? 0 : -1;
    if (rc == 0)
        rc = s_override(opts, "unit", r->unit, sizeof r->unit) |
             s_override(opts, "period", r->period, sizeof r->period) |
             s_override(opts, "fund", r->fund, sizeof r->fund) |
             s_number(opts, "revision", &revision);
    for (int i = 0; rc == 0 && i < opts_count(opts, "set"); i++)
        rc = s_set_item(r, opts_at(opts, "set", i));
    if (rc != 0 || revision > UINT32_MAX) {
        fprintf(stderr, "hostile: cannot build the report\n");
        report_destroy(&r);
        return NULL;
    }
    r->revision = (uint32_t)revision;
    r->submitted_at = (int64_t)time(NULL);
    return r;
}

//  Builds the frame of a valid Envelope(report).
static zframe_t *s_report_frame(const opts_t *opts)
{
    report_t *r = s_report(opts);
    Fundchain__Report *pb = r ? report_to_pb(r) : NULL;
    zframe_t *frame = NULL;
    if (pb) {
        Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
        env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
        env.report = pb;
        frame = envelope_pack(&env);
    }
    report_pb_free(&pb);
    report_destroy(&r);
    return frame;
}

//  Builds the frame of an Envelope(ack) that accepts the report of the flags.
static zframe_t *s_ack_frame(const opts_t *opts)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.unit = (char *)(opts_get(opts, "unit") ? opts_get(opts, "unit") : "000000");
    ack.period = (char *)(opts_get(opts, "period") ? opts_get(opts, "period") : "2023");
    ack.fund = (char *)(opts_get(opts, "fund") ? opts_get(opts, "fund") : "resident");
    ack.revision = 1;
    ack.kind = "report";
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    env.ack = &ack;
    return envelope_pack(&env);
}

//  Builds the frame of an Envelope(query): rank the cities.
static zframe_t *s_query_frame(const opts_t *opts)
{
    Fundchain__Query query = FUNDCHAIN__QUERY__INIT;
    query.kind = FUNDCHAIN__QUERY__KIND__RANK;
    query.period = (char *)(opts_get(opts, "period") ? opts_get(opts, "period") : "2023");
    query.fund = (char *)(opts_get(opts, "fund") ? opts_get(opts, "fund") : "resident");
    query.format = "json";
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_QUERY;
    env.query = &query;
    return envelope_pack(&env);
}

//  Fills an evaluation's n indicators (codes i1, i2, ...); frees nothing:
//  the caller frees shown, its codes and ptrs. Returns 0 or -1.
static int s_indicators(Fundchain__Evaluation *e, size_t n, Fundchain__Shown **shown,
                        Fundchain__Shown ***ptrs)
{
    *shown = calloc(n + 1, sizeof **shown);
    *ptrs = calloc(n + 1, sizeof **ptrs);
    if (!*shown || !*ptrs)
        return -1;
    for (size_t i = 0; i < n; i++) {
        fundchain__shown__init(&(*shown)[i]);
        (*shown)[i].code = zsys_sprintf("i%zu", i + 1);
        (*shown)[i].centi = (int64_t)i;
        (*ptrs)[i] = &(*shown)[i];
    }
    e->n_indicators = n;
    e->indicators = *ptrs;
    return 0;
}

//  Builds the frame of an Envelope(evaluation) from the flags.
static zframe_t *s_evaluation_frame(const opts_t *opts)
{
    unsigned long long version = 1, parts = 0;
    if (s_number(opts, "version", &version) != 0 || s_number(opts, "parts", &parts) != 0 ||
        parts > 1000000)
        return NULL;
    const char *level = opts_get(opts, "level");
    Fundchain__Evaluation e = FUNDCHAIN__EVALUATION__INIT;
    e.code = (char *)(opts_get(opts, "code") ? opts_get(opts, "code") : "000000");
    e.city = (char *)(opts_get(opts, "city") ? opts_get(opts, "city") : "000000");
    e.period = (char *)(opts_get(opts, "period") ? opts_get(opts, "period") : "2023");
    e.fund = (char *)(opts_get(opts, "fund") ? opts_get(opts, "fund") : "resident");
    e.level = level && !strcmp(level, "pool") ? FUNDCHAIN__EVALUATION__LEVEL__POOL
                                              : FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    e.version = version;
    e.name = (char *)(opts_get(opts, "name") ? opts_get(opts, "name") : "");
    e.total_centi = 9999;
    e.has_total = true;
    e.grade = "优";
    Fundchain__Shown *shown = NULL, **ptrs = NULL;
    zframe_t *frame = NULL;
    if (s_indicators(&e, (size_t)parts, &shown, &ptrs) == 0) {
        Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
        env.body_case = FUNDCHAIN__ENVELOPE__BODY_EVALUATION;
        env.evaluation = &e;
        frame = envelope_pack(&env);
    }
    for (size_t i = 0; shown && i < parts; i++)
        zstr_free(&shown[i].code);
    free(shown);
    free(ptrs);
    return frame;
}

//  Cuts a valid report to --cut bytes (default a random length).
static zframe_t *s_truncated_frame(const opts_t *opts)
{
    zframe_t *whole = s_report_frame(opts);
    unsigned long long cut = whole ? s_rand() % zframe_size(whole) : 0;
    if (!whole || s_number(opts, "cut", &cut) != 0 || cut > zframe_size(whole)) {
        zframe_destroy(&whole);
        return NULL;
    }
    zframe_t *part = zframe_new(zframe_data(whole), (size_t)cut);
    zframe_destroy(&whole);
    return part;
}

//  Flips bit --flip (default a random one) of a valid report.
static zframe_t *s_bitflip_frame(const opts_t *opts)
{
    zframe_t *frame = s_report_frame(opts);
    size_t bits = frame ? zframe_size(frame) * 8 : 0;
    unsigned long long bit = bits ? s_rand() % bits : 0;
    if (!frame || s_number(opts, "flip", &bit) != 0 || bit >= bits) {
        zframe_destroy(&frame);
        return NULL;
    }
    zframe_data(frame)[bit / 8] ^= (byte)(1u << (bit % 8));
    return frame;
}

//  Builds a frame of random bytes.
static zframe_t *s_garbage_frame(size_t size)
{
    zframe_t *frame = zframe_new(NULL, size);
    if (frame)
        s_random_bytes(zframe_data(frame), size);
    return frame;
}

//  Builds the message of a kind. Returns it, or NULL on a bad kind or flag.
static zmsg_t *s_message(const opts_t *opts, const char *kind, size_t size)
{
    zmsg_t *msg = zmsg_new();
    zframe_t *frame = NULL;
    if (!strcmp(kind, "garbage") || !strcmp(kind, "oversize"))
        frame = s_garbage_frame(size);
    else if (!strcmp(kind, "empty"))
        frame = zframe_new_empty();
    else if (!strcmp(kind, "multipart")) {
        for (int i = 0; i < 2; i++) {
            zframe_t *junk = s_garbage_frame(16);
            zmsg_append(msg, &junk);
        }
        frame = s_report_frame(opts);
    } else if (!strcmp(kind, "report"))
        frame = s_report_frame(opts);
    else if (!strcmp(kind, "truncated"))
        frame = s_truncated_frame(opts);
    else if (!strcmp(kind, "bitflip"))
        frame = s_bitflip_frame(opts);
    else if (!strcmp(kind, "ack"))
        frame = s_ack_frame(opts);
    else if (!strcmp(kind, "query"))
        frame = s_query_frame(opts);
    else if (!strcmp(kind, "evaluation"))
        frame = s_evaluation_frame(opts);
    else
        fprintf(stderr, "hostile: unknown kind '%s'\n", kind);
    if (!frame)
        zmsg_destroy(&msg);
    else
        zmsg_append(msg, &frame);
    return msg;
}

//  ---- the ZMTP client ----

//  Prints one answer.
static void s_print_answer(zframe_t *frame)
{
    Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
    if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK) {
        Fundchain__Ack *a = env->ack;
        printf("ack %s kind=%s unit=%s period=%s fund=%s revision=%u version=%llu reason=%s\n",
               a->status == FUNDCHAIN__ACK__STATUS__REJECTED ? "rejected" : "accepted", a->kind,
               a->unit, a->period, a->fund, a->revision, (unsigned long long)a->version, a->reason);
    } else if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_REPLY)
        printf("reply exit=%d output=%s error=%s\n", env->reply->exit_code, env->reply->output,
               env->reply->error);
    else
        printf("answer of %zu bytes that is not an Envelope(ack or reply)\n", zframe_size(frame));
    envelope_destroy(&env);
}

//  Prints a monitor event: the first handshake event and the first
//  disconnection. Returns true when it was a handshake event.
static bool s_print_event(zactor_t *monitor, bool *handshake, bool *disconnected)
{
    zmsg_t *msg = zmsg_recv(monitor);
    char *event = msg ? zmsg_popstr(msg) : NULL;
    char *value = msg ? zmsg_popstr(msg) : NULL;
    bool is_handshake = event && strncmp(event, "HANDSHAKE_", 10) == 0;
    if (!event || (is_handshake && *handshake))
        ;
    else if (!strcmp(event, "DISCONNECTED")) {
        if (!*disconnected)
            printf("disconnected by the receiver\n");
        *disconnected = true;
    } else if (!strcmp(event, "HANDSHAKE_SUCCEEDED"))
        printf("handshake ok\n");
    else if (!strcmp(event, "HANDSHAKE_FAILED_AUTH"))
        printf("handshake refused: auth %s\n", value ? value : "?");
    else if (!strcmp(event, "HANDSHAKE_FAILED_PROTOCOL"))
        printf("handshake failed: protocol 0x%lx\n", value ? strtoul(value, NULL, 10) : 0UL);
    else
        printf("handshake failed: no detail (%s)\n", strerror(value ? atoi(value) : 0));
    *handshake |= is_handshake;
    fflush(stdout);
    zstr_free(&event);
    zstr_free(&value);
    zmsg_destroy(&msg);
    return is_handshake;
}

//  Creates the DEALER, CURVE with --key and --server-pub, or plain.
static zsock_t *s_dealer(const opts_t *opts)
{
    zsock_t *sock = zsock_new(ZMQ_DEALER);
    const char *key = opts_get(opts, "key");
    if (!sock || !key)
        return sock;
    zcert_t *cert = keys_load_secret(key);
    zcert_t *server = cert ? keys_load_public(opts_get(opts, "server-pub")) : NULL;
    if (server) {
        zcert_apply(cert, sock);
        zsock_set_curve_serverkey(sock, zcert_public_txt(server));
    } else
        zsock_destroy(&sock);
    zcert_destroy(&cert);
    zcert_destroy(&server);
    return sock;
}

//  Starts a monitor of the handshake events of sock.
static zactor_t *s_monitor(zsock_t *sock)
{
    zactor_t *monitor = zactor_new(zmonitor, sock);
    if (monitor) {
        zstr_sendx(monitor, "LISTEN", "HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_AUTH",
                   "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_NO_DETAIL", "DISCONNECTED", NULL);
        zstr_send(monitor, "START");
        zsock_wait(monitor);
    }
    return monitor;
}

//  Waits for the answers and the handshake event; prints them.
static void s_listen(zsock_t *sock, zactor_t *monitor, int count, int wait_ms)
{
    zpoller_t *poller = zpoller_new(sock, monitor, NULL);
    int answers = 0;
    bool handshake = false, disconnected = false;
    int64_t deadline = zclock_mono() + wait_ms;
    while (zclock_mono() < deadline && !(answers >= count && handshake)) {
        void *which = zpoller_wait(poller, (int)(deadline - zclock_mono()));
        if (which == monitor)
            s_print_event(monitor, &handshake, &disconnected);
        else if (which == sock) {
            zframe_t *frame = zframe_recv(sock);
            if (frame && !zframe_more(frame))
                answers++, s_print_answer(frame);
            zframe_destroy(&frame);
        }
        //  The handshake event comes right after an answer: do not wait long.
        if (answers >= count && zclock_mono() + HOSTILE_EVENT_GRACE_MS < deadline)
            deadline = zclock_mono() + HOSTILE_EVENT_GRACE_MS;
    }
    if (answers == 0)
        printf("no answer within %d ms\n", wait_ms);
    zpoller_destroy(&poller);
}

//  The ZMTP mode: connect, send count messages of a kind, print the answers.
static int s_zmtp(const opts_t *opts, const char *kind, size_t size, int count, int wait_ms)
{
    zsock_t *sock = s_dealer(opts);
    zactor_t *monitor = sock ? s_monitor(sock) : NULL;
    int rc = 1;
    if (!monitor)
        fprintf(stderr, "hostile: cannot make the socket (key files?)\n");
    else if (zsock_connect(sock, "%s", opts_get(opts, "connect")) != 0)
        fprintf(stderr, "hostile: cannot connect to %s\n", opts_get(opts, "connect"));
    else {
        zsock_set_sndtimeo(sock, wait_ms);
        zsock_set_linger(sock, 0);
        rc = 0;
    }
    for (int i = 0; rc == 0 && i < count; i++) {
        zmsg_t *msg = s_message(opts, kind, size);
        if (!msg) {
            fprintf(stderr, "hostile: cannot build message %d\n", i + 1);
            rc = 1;
        } else if (zmsg_send(&msg, sock) != 0) { //  No connection took it.
            printf("message %d not sent within %d ms: no connection\n", i + 1, wait_ms);
            zmsg_destroy(&msg);
            break;
        }
    }
    if (rc == 0)
        s_listen(sock, monitor, count, wait_ms);
    zactor_destroy(&monitor);
    zsock_destroy(&sock);
    return rc;
}

int main(int argc, char **argv)
{
    zsys_init();
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    unsigned long long size = HOSTILE_GARBAGE, count = 1, wait = HOSTILE_WAIT_MS, seed = 0;
    if (opts && opts_has(opts, "send") && !strcmp(opts_get(opts, "send"), "oversize"))
        size = transport_max_msg() + 1;
    seed = (unsigned long long)time(NULL);
    if (!opts || s_number(opts, "size", &size) || s_number(opts, "count", &count) ||
        s_number(opts, "wait", &wait) || s_number(opts, "seed", &seed) || count == 0 ||
        count > 100000 || wait > 600000 || size > 64 * 1024 * 1024 ||
        (!opts_has(opts, "raw") && (!opts_has(opts, "connect") || !opts_has(opts, "send")))) {
        opts_usage(s_specs, s_usage, stderr);
        opts_destroy(&opts);
        return 2;
    }
    s_rand_state ^= seed * 0x9E3779B97F4A7C15ULL;
    s_rand_state = s_rand_state ? s_rand_state : 1;
    int rc = opts_has(opts, "raw")
                 ? s_raw(opts, (size_t)size, (int)wait)
                 : s_zmtp(opts, opts_get(opts, "send"), (size_t)size, (int)count, (int)wait);
    opts_destroy(&opts);
    return rc;
}
