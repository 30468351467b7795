/*  sync - learns which revisions the city holds of this unit's reports.

    An agent installed again (a new data directory) would number its next
    submit from revision 1, below what the city holds. sync asks the city
    (a HeldQuery; the city answers for the unit bound to our key) and
    records each revision it holds, so that the next submit of each
    (period, fund) numbers after it. Nothing is sent but the question;
    nothing already queued changes.
*/
#include "adcode.h"
#include "agent.h"
#include "agentdb.h"
#include "citylink.h"
#include "fundchain.pb-c.h"
#include "cli.h"
#include "envelope.h"
#include "log.h"
#include "period.h"
#include "transport.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNC_TIMEOUT 10 /* seconds to wait for the city's answer by default */

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (created when new)"},
    {"city", true, false, "the city aggregator's endpoint, e.g. tcp://city.example:7001"},
    {"city-pub", true, false, "the city's public key file"},
    {"key", true, false, "this agent's secret key file (NAME.key)"},
    {"timeout", true, false, "seconds to wait for the city's answer (default 10)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {NULL, false, false, NULL}};

typedef struct {
    agentdb_held_t *held;
    size_t n, cap;
    char error[256];
    bool done;
} answer_t;

//  Keeps one entry of the answer; one that is not a period and fund is skipped.
static int s_keep(answer_t *answer, const Fundchain__Held *h)
{
    period_t period;
    const char *why = NULL;
    if (!h->period || !h->fund || strlen(h->period) >= sizeof answer->held->period ||
        period_parse(h->period, &period, &why) != 0 || !period_fund_valid(h->fund) ||
        h->revision == 0) {
        log_warn("skipped an entry of the city's answer that is not a report's revision");
        return 0;
    }
    if (answer->n == answer->cap) {
        size_t cap = answer->cap ? answer->cap * 2 : 64;
        agentdb_held_t *grown = realloc(answer->held, cap * sizeof *grown);
        if (!grown)
            return -1;
        answer->held = grown;
        answer->cap = cap;
    }
    agentdb_held_t *to = &answer->held[answer->n++];
    snprintf(to->period, sizeof to->period, "%s", h->period);
    snprintf(to->fund, sizeof to->fund, "%s", h->fund);
    to->revision = h->revision;
    return 0;
}

//  Takes one message from the city into the answer; ignores any other.
static int s_take(answer_t *answer, zframe_t *frame, const char *unit)
{
    Fundchain__Envelope *env = envelope_unpack(frame, transport_max_msg(), NULL, 0);
    int rc = 0;
    if (!env || env->body_case != FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY || !env->held_reply->unit ||
        strcmp(env->held_reply->unit, unit)) {
        log_warn("ignored a message from the city that is not the answer to our question");
    } else if (env->held_reply->error && *env->held_reply->error) {
        snprintf(answer->error, sizeof answer->error, "%s", env->held_reply->error);
        answer->done = true;
    } else {
        for (size_t i = 0; rc == 0 && i < env->held_reply->n_held; i++)
            rc = s_keep(answer, env->held_reply->held[i]);
        answer->done = !env->held_reply->more;
    }
    envelope_destroy(&env);
    return rc;
}

//  Asks the city and waits for its whole answer; returns 0, or -1 on timeout.
static int s_ask(zsock_t *sock, const char *unit, int timeout_s, answer_t *answer)
{
    Fundchain__HeldQuery query = FUNDCHAIN__HELD_QUERY__INIT;
    query.unit = (char *)unit;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY;
    env.held_query = &query;
    zframe_t *frame = envelope_pack(&env);
    if (!frame)
        return -1;
    if (zframe_send(&frame, sock, 0) != 0) {
        zframe_destroy(&frame);
        return -1;
    }
    zpoller_t *poller = zpoller_new(sock, NULL);
    int64_t deadline = zclock_mono() + (int64_t)timeout_s * 1000;
    while (poller && !answer->done && !zsys_interrupted && zclock_mono() < deadline) {
        if (zpoller_wait(poller, (int)(deadline - zclock_mono())) != sock)
            continue;
        zframe_t *reply = zframe_recv(sock);
        int rc = reply ? s_take(answer, reply, unit) : 0;
        zframe_destroy(&reply);
        if (rc != 0)
            break;
    }
    zpoller_destroy(&poller);
    return answer->done ? 0 : -1;
}

//  Prints what was learned: each revision the city holds and the next one.
static void s_print(agentdb_t *db, const char *unit, const answer_t *answer)
{
    if (answer->n == 0)
        printf("the city holds no report of %s\n", unit);
    for (size_t i = 0; i < answer->n; i++) {
        const agentdb_held_t *h = &answer->held[i];
        uint32_t own = 0, next = 0;
        agentdb_revisions(db, h->period, h->fund, &own, &next);
        printf("the city holds %s %s %s revision %u: the next submit sends revision %u\n", unit,
               h->period, h->fund, h->revision, next);
    }
}

//  Reads --timeout; returns the seconds, or -1 (message on stderr).
static int s_timeout(const opts_t *opts)
{
    const char *text = opts_get(opts, "timeout");
    if (!text)
        return SYNC_TIMEOUT;
    char *end;
    long value = strtol(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || value < 1 || value > 3600) {
        log_error("--timeout must be a number of seconds from 1 to 3600, not '%s'", text);
        return -1;
    }
    return (int)value;
}

//  Says that the city did not answer, and what the link's watcher saw.
static void s_say_no_answer(const opts_t *opts, const char *unit, int timeout_s, linkwatch_t *watch)
{
    linkwatch_condition_t cond = {0};
    char seen[2 * LINKWATCH_TEXT_MAX + 128] = "";
    if (watch) {
        linkwatch_condition(watch, &cond);
        linkwatch_describe(&cond, seen, sizeof seen);
    }
    log_error("no answer from the city at %s within %d s: is it running, and does it allow "
              "the key of %s? Nothing was recorded%s%s",
              opts_get(opts, "city"), timeout_s, unit, seen[0] ? ". The link: " : "", seen);
}

//  Asks, records and prints; returns an exit code.
static int s_sync(const opts_t *opts, const char *unit, const char *data, int timeout_s)
{
    linkwatch_t *watch = NULL;
    zsock_t *sock = citylink_connect(opts, unit, &watch);
    if (!sock)
        return EXIT_USAGE;
    int code = EXIT_RUNTIME;
    answer_t answer = {0};
    agentdb_t *db = NULL;
    if (s_ask(sock, unit, timeout_s, &answer) != 0)
        s_say_no_answer(opts, unit, timeout_s, watch);
    else if (answer.error[0]) {
        log_error("the city refused to answer: %s", answer.error);
        code = EXIT_USAGE;
    } else if ((db = agentdb_open(data, unit)) && agentdb_learn(db, answer.held, answer.n) == 0) {
        s_print(db, unit, &answer);
        code = EXIT_OK;
    }
    free(answer.held);
    agentdb_destroy(&db);
    linkwatch_destroy(&watch);
    zsock_destroy(&sock);
    return code;
}

//  The sync command.
int agent_sync(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("sync", s_specs,
                             "--unit CODE --data DIR --city ENDPOINT --city-pub FILE --key FILE "
                             "[--timeout SECONDS]",
                             argc, argv, &code);
    if (!opts)
        return code;
    log_setup("county-agent", LOGL_INFO);
    const char *unit = opts_get(opts, "unit");
    const char *data = opts_get(opts, "data");
    code = EXIT_USAGE;
    int timeout_s = citylink_require(opts, "county-agent sync") == 0 ? s_timeout(opts) : -1;
    if (timeout_s > 0) {
        if (!adcode_valid(unit))
            log_error("--unit must be a 6-digit code, not '%s'", unit);
        else
            code = s_sync(opts, unit, data, timeout_s);
    }
    opts_destroy(&opts);
    return code;
}
