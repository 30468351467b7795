/*  run - sends the outbox to the city until every report is acknowledged.

    The loop (in the manner of Redis's ae.c) waits at most TICK_MS for an
    acknowledgement, applies every acknowledgement that is waiting in one
    transaction, then sends what is due: queued entries at once, sent ones
    again after a backoff that doubles with each attempt up to BACKOFF_MAX.
    A report the city will never accept (too large to send) goes to the
    dead state with its reason instead of being retried forever. SIGTERM or
    SIGINT ends the loop after the current transaction; nothing is lost,
    since every entry stays in LMDB until its acknowledgement is recorded.
*/
#include "adcode.h"
#include "agent.h"
#include "cli.h"
#include "keys.h"
#include "log.h"
#include "outbox.h"
#include "transport.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 200
#define BACKOFF_FIRST 2     /* seconds before the first resend */
#define BACKOFF_MAX 60      /* seconds, the longest wait between resends */
#define SEND_BATCH 256      /* entries sent in one pass */
#define ACK_BATCH 1024      /* acknowledgements applied in one transaction */

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (LMDB outbox)"},
    {"city", true, false, "the city aggregator's endpoint, e.g. tcp://city.example:7001"},
    {"city-pub", true, false, "the city's public key file"},
    {"key", true, false, "this agent's secret key file (NAME.key)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {NULL, false, false, NULL}};

typedef struct {
    outbox_t *outbox;
    zsock_t *sock;
    outbox_change_t *changes;
    size_t n_changes;
    int64_t now;
} agent_t;

static int64_t
s_backoff (uint32_t attempts)
{
    int64_t wait = BACKOFF_FIRST;
    for (uint32_t i = 1; i < attempts && wait < BACKOFF_MAX; i++)
        wait *= 2;
    return wait < BACKOFF_MAX ? wait : BACKOFF_MAX;
}

static outbox_change_t *
s_change (agent_t *self, const Fundchain__Report *r, Fundchain__OutboxEntry__State state,
          const char *reason)
{
    outbox_change_t *c = &self->changes[self->n_changes++];
    memset (c, 0, sizeof *c);
    snprintf (c->period, sizeof c->period, "%s", r->period);
    snprintf (c->fund, sizeof c->fund, "%s", r->fund);
    c->revision = r->revision;
    c->state = state;
    snprintf (c->reason, sizeof c->reason, "%s", reason ? reason : "");
    c->when = self->now;
    return c;
}

//  Sends one entry when it is due; records the change to make.
static int
s_send_entry (const Fundchain__OutboxEntry *entry, void *arg)
{
    agent_t *self = arg;
    if (self->n_changes >= SEND_BATCH)
        return 1;
    if (!entry->report)
        return 0;
    if (entry->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT
        && self->now < entry->sent_at + s_backoff (entry->attempts))
        return 0;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = entry->report;
    size_t size = fundchain__envelope__get_packed_size (&env);
    if (size > TRANSPORT_MAX_MSG) {
        log_error ("report %s %s revision %u is %zu bytes, more than the city accepts: dead",
                   entry->report->period, entry->report->fund, entry->report->revision, size);
        s_change (self, entry->report, FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD,
                  "larger than the receiver accepts");
        return 0;
    }
    zframe_t *frame = zframe_new (NULL, size);
    if (!frame)
        return -1;
    fundchain__envelope__pack (&env, zframe_data (frame));
    if (zframe_send (&frame, self->sock, ZFRAME_DONTWAIT) != 0) {
        zframe_destroy (&frame);
        return 1;   //  the link is full: try again on the next tick
    }
    log_debug ("sent %s %s revision %u (attempt %u)", entry->report->period, entry->report->fund,
               entry->report->revision, entry->attempts + 1);
    s_change (self, entry->report, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, NULL);
    return 0;
}

static void
s_send_due (agent_t *self)
{
    self->n_changes = 0;
    self->now = (int64_t) time (NULL);
    if (outbox_each_pending (self->outbox, s_send_entry, self) != 0)
        log_error ("cannot read the outbox");
    if (outbox_update (self->outbox, self->changes, self->n_changes) != 0)
        log_error ("cannot record %zu sent reports (they will be sent again)", self->n_changes);
}

//  Turns one received message into a change; ignores anything but an Ack.
static void
s_take_ack (agent_t *self, zframe_t *frame)
{
    Fundchain__Envelope *env =
        fundchain__envelope__unpack (NULL, zframe_size (frame), zframe_data (frame));
    if (!env || env->body_case != FUNDCHAIN__ENVELOPE__BODY_ACK || !env->ack->period
        || !env->ack->fund) {
        log_warn ("ignored a message from the city that is not an acknowledgement");
        fundchain__envelope__free_unpacked (env, NULL);
        return;
    }
    Fundchain__Ack *ack = env->ack;
    Fundchain__Report r = FUNDCHAIN__REPORT__INIT;
    r.period = ack->period;
    r.fund = ack->fund;
    r.revision = ack->revision;
    bool rejected = ack->status == FUNDCHAIN__ACK__STATUS__REJECTED;
    s_change (self, &r,
              rejected ? FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED
                       : FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED,
              ack->reason);
    if (rejected)
        log_warn ("city rejected %s %s revision %u: %s", ack->period, ack->fund, ack->revision,
                  ack->reason ? ack->reason : "");
    else
        log_info ("city acknowledged %s %s revision %u", ack->period, ack->fund, ack->revision);
    fundchain__envelope__free_unpacked (env, NULL);
}

static void
s_drain_acks (agent_t *self)
{
    self->n_changes = 0;
    self->now = (int64_t) time (NULL);
    while (self->n_changes < ACK_BATCH && (zsock_events (self->sock) & ZMQ_POLLIN)) {
        zframe_t *frame = zframe_recv (self->sock);
        if (!frame)
            break;
        s_take_ack (self, frame);
        zframe_destroy (&frame);
    }
    if (outbox_update (self->outbox, self->changes, self->n_changes) != 0)
        log_error ("cannot record %zu acknowledgements (the reports will be resent)",
                   self->n_changes);
}

static void
s_loop (agent_t *self)
{
    zpoller_t *poller = zpoller_new (self->sock, NULL);
    int64_t next_send = 0;
    while (!zsys_interrupted) {
        void *which = zpoller_wait (poller, TICK_MS);
        if (zpoller_terminated (poller))
            break;
        if (which == self->sock)
            s_drain_acks (self);
        if (zclock_mono () >= next_send) {
            s_send_due (self);
            next_send = zclock_mono () + TICK_MS;
        }
    }
    zpoller_destroy (&poller);
}

//  Opens the socket to the city, CURVE unless --insecure.
static zsock_t *
s_connect (const opts_t *opts, const char *unit)
{
    const char *city = opts_get (opts, "city");
    if (opts_has (opts, "insecure"))
        return transport_client_new (ZMQ_DEALER, city, NULL, NULL);
    const char *key = opts_need (opts, "key");
    const char *city_pub = opts_need (opts, "city-pub");
    if (!key || !city_pub)
        return NULL;
    zcert_t *cert = keys_load_secret (key);
    if (!cert)
        return NULL;
    zsock_t *sock = NULL;
    const char *bound = keys_code (cert);
    if (bound && strcmp (bound, unit))
        log_error ("the key %s is bound to %s, not to unit %s", key, bound, unit);
    else
        sock = transport_client_new (ZMQ_DEALER, city, cert, city_pub);
    zcert_destroy (&cert);
    return sock;
}

//  The run command.
int
agent_run (int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse ("run", s_specs,
                              "--unit CODE --data DIR --city ENDPOINT --city-pub FILE --key FILE",
                              argc, argv, &code);
    if (!opts)
        return code;
    log_setup ("county-agent", LOGL_INFO);
    const char *unit = opts_need (opts, "unit");
    const char *data = opts_need (opts, "data");
    const char *city = opts_need (opts, "city");
    agent_t self = {0};
    code = EXIT_USAGE;
    if (!unit || !data || !city)
        goto done;
    if (!code_valid (unit)) {
        log_error ("--unit must be a 6-digit code, not '%s'", unit);
        goto done;
    }
    self.sock = s_connect (opts, unit);
    if (!self.sock)
        goto done;
    code = EXIT_RUNTIME;
    self.outbox = outbox_open (data, unit);
    self.changes = calloc (ACK_BATCH, sizeof *self.changes);
    if (!self.outbox || !self.changes)
        goto done;
    log_info ("unit %s sending to %s", unit, city);
    s_loop (&self);
    log_info ("stopped");
    code = EXIT_OK;
done:
    free (self.changes);
    outbox_destroy (&self.outbox);
    zsock_destroy (&self.sock);
    opts_destroy (&opts);
    return code;
}
