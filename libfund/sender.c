/*  sender - delivers an outbox to one receiver and records its answers. */
#include "sender.h"
#include "envelope.h"
#include "log.h"
#include "outbox.h"
#include "transport.h"
#include <stdlib.h>
#include <string.h>

#define SEND_BATCH 256 /* entries sent in one pass */
#define ACK_BATCH 1024 /* acknowledgements applied in one transaction */

struct _sender_t {
    store_t *store;
    zsock_t *sock;
    char peer[64];
    outbox_change_t *changes;
    size_t n_changes;
    int64_t now;
};

//  Creates a sender of store's outbox over sock.
sender_t *sender_new(store_t *store, zsock_t *sock, const char *peer)
{
    sender_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->changes = calloc(ACK_BATCH, sizeof *self->changes);
    if (!self->changes) {
        free(self);
        return NULL;
    }
    self->store = store;
    self->sock = sock;
    snprintf(self->peer, sizeof self->peer, "%s", peer);
    return self;
}

//  Destroys the sender and nulls the pointer.
void sender_destroy(sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->changes);
    free(*self_p);
    *self_p = NULL;
}

//  Returns the seconds to wait before resending after attempts sends.
int64_t sender_backoff(uint32_t attempts)
{
    int64_t wait = SENDER_BACKOFF_FIRST;
    for (uint32_t i = 1; i < attempts && wait < SENDER_BACKOFF_MAX; i++)
        wait *= 2;
    return wait < SENDER_BACKOFF_MAX ? wait : SENDER_BACKOFF_MAX;
}

static void s_change(sender_t *self, const char *key, Fundchain__OutboxEntry__State state,
                     const char *reason)
{
    outbox_change_t *c = &self->changes[self->n_changes++];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    c->state = state;
    snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
    //  A reason cut short must not end in half a UTF-8 character.
    size_t len = strlen(c->reason);
    if (len == sizeof c->reason - 1) {
        size_t start = len;
        while (start > 0 && ((unsigned char)c->reason[start - 1] & 0xC0) == 0x80)
            start--;
        if (start > 0 && ((unsigned char)c->reason[start - 1] & 0x80)) {
            unsigned char lead = (unsigned char)c->reason[start - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (len - (start - 1) < need)
                c->reason[start - 1] = 0;
        }
    }
    c->when = self->now;
}

//  Wraps the entry's message in an Envelope; body_case NOT_SET when empty.
static void s_envelope(const Fundchain__OutboxEntry *entry, Fundchain__Envelope *env)
{
    fundchain__envelope__init(env);
    if (entry->report) {
        env->body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
        env->report = entry->report;
    } else if (entry->evaluation) {
        env->body_case = FUNDCHAIN__ENVELOPE__BODY_EVALUATION;
        env->evaluation = entry->evaluation;
    }
}

//  Sends one entry when it is due; records the change to make.
static int s_send_entry(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    sender_t *self = arg;
    if (self->n_changes >= SEND_BATCH)
        return 1;
    //  sent_at is read from the store: compared without adding to it, so
    //  that a damaged record cannot overflow.
    if (entry->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT &&
        self->now - sender_backoff(entry->attempts) < entry->sent_at)
        return 0;
    Fundchain__Envelope env;
    s_envelope(entry, &env);
    zframe_t *frame = envelope_pack(&env);
    if (!frame)
        return -1;
    size_t size = zframe_size(frame);
    if (env.body_case == FUNDCHAIN__ENVELOPE__BODY__NOT_SET || size > transport_max_msg()) {
        zframe_destroy(&frame);
        char reason[128];
        if (env.body_case == FUNDCHAIN__ENVELOPE__BODY__NOT_SET)
            snprintf(reason, sizeof reason, "an empty entry: nothing to send");
        else
            snprintf(reason, sizeof reason,
                     "%zu bytes, larger than the %zu bytes the receiver accepts", size,
                     transport_max_msg());
        log_error("%s for %s: %s: dead", key, self->peer, reason);
        s_change(self, key, FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD, reason);
        return 0;
    }
    if (zframe_send(&frame, self->sock, ZFRAME_DONTWAIT) != 0) {
        zframe_destroy(&frame);
        return 1; //  no link or a full one: try again on the next pass
    }
    log_debug("sent %s to %s (attempt %u)", key, self->peer, entry->attempts + 1);
    s_change(self, key, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, NULL);
    return 0;
}

//  Sends what is due.
int sender_send_due(sender_t *self)
{
    self->n_changes = 0;
    self->now = (int64_t)time(NULL);
    if (outbox_each(self->store, true, s_send_entry, self) != 0) {
        log_error("cannot read the outbox: %s", store_error(self->store));
        return -1;
    }
    if (outbox_update(self->store, self->changes, self->n_changes) != 0) {
        log_error("cannot record %zu sends (they will be sent again): %s", self->n_changes,
                  store_error(self->store));
        return -1;
    }
    return (int)self->n_changes;
}

//  Turns one received message into a change; ignores anything but an Ack.
static void s_take_ack(sender_t *self, zframe_t *frame)
{
    Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
    char key[OUTBOX_KEY_MAX];
    if (!env || env->body_case != FUNDCHAIN__ENVELOPE__BODY_ACK ||
        outbox_key_ack(key, env->ack) != 0) {
        log_warn("ignored a message from %s that is not an acknowledgement", self->peer);
        envelope_destroy(&env);
        return;
    }
    Fundchain__Ack *ack = env->ack;
    bool rejected = ack->status == FUNDCHAIN__ACK__STATUS__REJECTED;
    s_change(self, key,
             rejected ? FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED
                      : FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED,
             ack->reason);
    //  The revision the receiver holds: the agent numbers its next one after it.
    self->changes[self->n_changes - 1].receiver_revision = ack->stored_revision;
    if (rejected)
        log_warn("%s rejected %s: %s", self->peer, key, ack->reason ? ack->reason : "");
    else
        log_info("%s acknowledged %s", self->peer, key);
    envelope_destroy(&env);
}

//  Applies the acknowledgements waiting on the socket.
int sender_take_acks(sender_t *self)
{
    self->n_changes = 0;
    self->now = (int64_t)time(NULL);
    while (self->n_changes < ACK_BATCH && (zsock_events(self->sock) & ZMQ_POLLIN)) {
        zframe_t *frame = zframe_recv(self->sock);
        if (!frame)
            break;
        if (zframe_size(frame) <= transport_max_msg())
            s_take_ack(self, frame);
        zframe_destroy(&frame);
    }
    if (outbox_update(self->store, self->changes, self->n_changes) != 0) {
        log_error("cannot record %zu acknowledgements (they will come again): %s", self->n_changes,
                  store_error(self->store));
        return -1;
    }
    return (int)self->n_changes;
}
