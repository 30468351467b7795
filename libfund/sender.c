/*  sender - delivers an outbox to one receiver and records its answers.

    What is in flight is kept in memory (key -> flight_t): the cursor scan
    skips those keys without reading their entries, and the loss check
    (at most once a second) walks them. An acknowledgement marks its flight
    acked; acked flights stay until the transaction that records them has
    committed, so that the refill of the same round does not send them
    again. If a record fails, the cursor is reset and the entries are
    found again as the store holds them (queued, or sent and due).
*/
#include "sender.h"
#include "envelope.h"
#include "log.h"
#include "outbox.h"
#include "transport.h"
#include <stdlib.h>
#include <string.h>

#define ACK_BATCH 1024                          /* acknowledgements applied in one transaction */
#define CHANGES_MAX (ACK_BATCH + SENDER_WINDOW) /* changes recorded in one transaction */
#define CHECK_MS 1000                           /* how often flights are checked for loss */

typedef struct {
    int64_t sent_ms;      //  zclock_mono at the send
    int64_t wait_ms;      //  its backoff
    int64_t overtaken_ms; //  when a later send was seen acknowledged, 0 not yet
    uint64_t seq;         //  the send's number, in send order
    bool acked;           //  settled this round (acknowledged, dead): goes after the commit
} flight_t;

struct _sender_t {
    store_t *store;
    zsock_t *sock;
    sender_other_fn *other; //  takes a message that is not an acknowledgement
    void *other_arg;
    char peer[64];
    linkwatch_t *watch;
    outbox_change_t *changes;
    size_t n_changes;
    int64_t now;    //  seconds since the epoch (sent_at)
    int64_t now_ms; //  zclock_mono
    zhashx_t *flights;
    size_t n_flying;             //  flights not acked
    char cursor[OUTBOX_KEY_MAX]; //  the last pending key passed, "" none
    bool rescan;                 //  something may wait behind the cursor
    bool blocked;                //  the socket took no more this round
    int64_t behind_due;          //  when an entry passed as not due is due
    uint64_t seq;                //  the last send's number
    uint64_t acked_seq;          //  the highest number acknowledged
    int64_t progress_ms;         //  the last acknowledgement, or start of waiting
    int64_t relinked_ms;         //  when the link came up again, 0 never
    int64_t next_check_ms;
    uint64_t link_serial;
    bool link_was_up;
};

static void s_flight_destroy(void **item)
{
    free(*item);
    *item = NULL;
}

//  Creates a sender of store's outbox over sock.
sender_t *sender_new(store_t *store, zsock_t *sock, const char *peer)
{
    sender_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->changes = calloc(CHANGES_MAX, sizeof *self->changes);
    self->flights = zhashx_new();
    if (!self->changes || !self->flights) {
        sender_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->flights, s_flight_destroy);
    self->store = store;
    self->sock = sock;
    self->behind_due = INT64_MAX;
    snprintf(self->peer, sizeof self->peer, "%s", peer);
    return self;
}

//  Destroys the sender and nulls the pointer.
void sender_destroy(sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->flights);
    free((*self_p)->changes);
    free(*self_p);
    *self_p = NULL;
}

//  Watches the link through watch.
void sender_set_linkwatch(sender_t *self, linkwatch_t *watch)
{
    self->watch = watch;
}

//  Looks behind the cursor once the current pass ends.
void sender_rescan(sender_t *self)
{
    self->rescan = true;
}

//  Returns the number of messages in flight.
size_t sender_in_flight(sender_t *self)
{
    return self->n_flying;
}

//  Returns the number of keys kept in memory.
size_t sender_tracked(sender_t *self)
{
    return zhashx_size(self->flights);
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

//  Returns true when the link is up (always without a linkwatch); notes
//  when it came up again, since what was in flight then may be lost.
static bool s_link_up(sender_t *self)
{
    if (!self->watch)
        return true;
    linkwatch_condition_t cond;
    linkwatch_condition(self->watch, &cond);
    bool up = cond.state == LINKWATCH_UP;
    if (cond.serial != self->link_serial) {
        self->link_serial = cond.serial;
        if (up && self->link_was_up && self->n_flying > 0) {
            log_info("the link to %s is up again: %zu messages in flight may be lost", self->peer,
                     self->n_flying);
            self->relinked_ms = self->now_ms;
        }
        self->link_was_up |= up;
    }
    return up;
}

//  Returns true for a flight whose acknowledgement will not come: none
//  within its wait, and the receiver silent as long, or answering later
//  sends as long, or the link made again since.
static bool s_lost(sender_t *self, flight_t *flight)
{
    int64_t now = self->now_ms, wait = flight->wait_ms;
    if (flight->seq < self->acked_seq && !flight->overtaken_ms)
        flight->overtaken_ms = now;
    if (now - flight->sent_ms < wait)
        return false;
    return now - self->progress_ms >= wait ||
           (flight->overtaken_ms && now - flight->overtaken_ms >= wait) ||
           flight->sent_ms < self->relinked_ms;
}

//  Drops the lost flights (at most once a second), so that they are sent again.
static void s_check(sender_t *self)
{
    if (self->now_ms < self->next_check_ms)
        return;
    self->next_check_ms = self->now_ms + CHECK_MS;
    if (self->now >= self->behind_due) {
        self->behind_due = INT64_MAX;
        self->rescan = true;
    }
    size_t lost = 0;
    zlistx_t *keys = self->n_flying ? zhashx_keys(self->flights) : NULL;
    for (const char *key = keys ? zlistx_first(keys) : NULL; key; key = zlistx_next(keys)) {
        flight_t *flight = zhashx_lookup(self->flights, key);
        if (flight && !flight->acked && s_lost(self, flight)) {
            zhashx_delete(self->flights, key);
            self->n_flying--;
            lost++;
        }
    }
    zlistx_destroy(&keys);
    if (lost) {
        log_warn("%zu messages to %s were not acknowledged in time (lost with the link, or "
                 "dropped): sending them again",
                 lost, self->peer);
        self->rescan = true;
    }
}

//  Passes the keys in flight (or acknowledged this round) without reading them.
static bool s_skip(const char *key, void *arg)
{
    sender_t *self = arg;
    if (!zhashx_lookup(self->flights, key))
        return false;
    snprintf(self->cursor, sizeof self->cursor, "%s", key);
    return true;
}

//  Returns true for an entry sent before (by an earlier run) whose backoff
//  has not passed; notes when it will be due.
static bool s_not_due(sender_t *self, const Fundchain__OutboxEntry *entry)
{
    if (entry->state != FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT)
        return false;
    //  sent_at is read from the store: compared without adding to it, so
    //  that a damaged record cannot overflow.
    int64_t wait = sender_backoff(entry->attempts);
    if (self->now - wait >= entry->sent_at)
        return false;
    int64_t due = entry->sent_at > INT64_MAX - wait ? INT64_MAX : entry->sent_at + wait;
    if (due < self->behind_due)
        self->behind_due = due;
    return true;
}

//  Keeps key as settled this round (acknowledged, or dead), in flight or
//  not, so that no pass of this round sends it; forgotten after the commit.
//  Returns the flight, or NULL when out of memory.
static flight_t *s_settled(sender_t *self, const char *key)
{
    flight_t *flight = zhashx_lookup(self->flights, key);
    if (!flight) {
        flight = calloc(1, sizeof *flight);
        if (!flight || zhashx_insert(self->flights, key, flight) != 0) {
            free(flight);
            return NULL;
        }
        flight->acked = true;
    }
    return flight;
}

//  Returns true (with the change recorded) when the entry can never be sent.
static bool s_dead(sender_t *self, const char *key, const Fundchain__Envelope *env, size_t size)
{
    if (env->body_case != FUNDCHAIN__ENVELOPE__BODY__NOT_SET && size <= transport_max_msg())
        return false;
    char reason[128];
    if (env->body_case == FUNDCHAIN__ENVELOPE__BODY__NOT_SET)
        snprintf(reason, sizeof reason, "an empty entry: nothing to send");
    else
        snprintf(reason, sizeof reason, "%zu bytes, larger than the %zu bytes the receiver accepts",
                 size, transport_max_msg());
    log_error("%s for %s: %s: dead", key, self->peer, reason);
    s_change(self, key, FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD, reason);
    s_settled(self, key); //  a pass of this round that starts again passes it
    return true;
}

//  Puts a sent entry in flight with the wait its next attempt gets.
static void s_fly(sender_t *self, const char *key, uint32_t attempts)
{
    flight_t *flight = calloc(1, sizeof *flight);
    if (!flight || zhashx_insert(self->flights, key, flight) != 0) {
        free(flight);
        return; //  not tracked: found again as sent when its backoff passes
    }
    if (self->n_flying == 0)
        self->progress_ms = self->now_ms; //  the receiver's silence counts from now
    flight->sent_ms = self->now_ms;
    flight->wait_ms = sender_backoff(attempts + 1) * 1000;
    flight->seq = ++self->seq;
    self->n_flying++;
}

//  Sends one entry when it is due and the window has room; records the
//  change to make and moves the cursor past it.
static int s_send_entry(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    sender_t *self = arg;
    if (self->n_flying >= SENDER_WINDOW || self->n_changes >= CHANGES_MAX)
        return 1;
    if (s_not_due(self, entry)) {
        snprintf(self->cursor, sizeof self->cursor, "%s", key);
        return 0;
    }
    Fundchain__Envelope env;
    s_envelope(entry, &env);
    zframe_t *frame = envelope_pack(&env);
    if (!frame)
        return -1;
    if (s_dead(self, key, &env, zframe_size(frame))) {
        zframe_destroy(&frame);
        snprintf(self->cursor, sizeof self->cursor, "%s", key);
        return 0;
    }
    if (zframe_send(&frame, self->sock, ZFRAME_DONTWAIT) != 0) {
        zframe_destroy(&frame);
        self->blocked = true;
        return 1; //  a full link: this entry goes at the next call
    }
    log_debug("sent %s to %s (attempt %u)", key, self->peer, entry->attempts + 1);
    s_change(self, key, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, NULL);
    s_fly(self, key, entry->attempts);
    snprintf(self->cursor, sizeof self->cursor, "%s", key);
    return 0;
}

//  Sends from the cursor while the window has room; at the end of the
//  pending index, starts again from its first key once when something may
//  wait behind the cursor. Returns 0 or -1.
static int s_fill(sender_t *self)
{
    if (!s_link_up(self))
        return 0;
    bool wrapped = false;
    self->blocked = false;
    while (self->n_flying < SENDER_WINDOW && self->n_changes < CHANGES_MAX) {
        if (outbox_each_pending_after(self->store, self->cursor, s_skip, s_send_entry, self) != 0) {
            log_error("cannot read the outbox: %s", store_error(self->store));
            return -1;
        }
        bool stopped =
            self->blocked || self->n_flying >= SENDER_WINDOW || self->n_changes >= CHANGES_MAX;
        if (stopped || !self->rescan || wrapped)
            break;
        self->rescan = false;
        self->cursor[0] = 0;
        wrapped = true;
    }
    return 0;
}

static void s_begin(sender_t *self)
{
    self->n_changes = 0;
    self->now = (int64_t)time(NULL);
    self->now_ms = zclock_mono();
}

//  Records the round's changes in one transaction, then forgets the flights
//  acknowledged. Returns 0 or -1 (the cursor then starts again).
static int s_commit(sender_t *self, const char *what)
{
    int rc = outbox_update(self->store, self->changes, self->n_changes);
    if (rc != 0) {
        log_error("cannot record %zu %s (they will be sent again): %s", self->n_changes, what,
                  store_error(self->store));
        self->rescan = true;
    }
    for (size_t i = 0; i < self->n_changes; i++) {
        flight_t *flight = zhashx_lookup(self->flights, self->changes[i].key);
        if (flight && flight->acked)
            zhashx_delete(self->flights, self->changes[i].key);
    }
    return rc;
}

//  Sends what is due.
int sender_send_due(sender_t *self)
{
    s_begin(self);
    s_check(self);
    int rc = s_fill(self);
    if (s_commit(self, "sends") != 0)
        return -1;
    return rc == 0 ? (int)self->n_changes : -1;
}

//  Notes the acknowledgement of key: its flight is over.
static void s_landed(sender_t *self, const char *key)
{
    //  Not in flight (sent by an earlier run, or acknowledged again): kept
    //  as settled for this round all the same, so that it is not sent.
    flight_t *flight = s_settled(self, key);
    self->progress_ms = self->now_ms; //  the receiver answers
    if (!flight || flight->acked)
        return;
    self->n_flying--;
    if (flight->seq > self->acked_seq)
        self->acked_seq = flight->seq;
    flight->acked = true;
}

//  Turns one received message into a change; ignores anything but an Ack.
static void s_take_ack(sender_t *self, zframe_t *frame)
{
    Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
    char key[OUTBOX_KEY_MAX];
    if (env && env->body_case != FUNDCHAIN__ENVELOPE__BODY_ACK && self->other &&
        self->other(self->other_arg, env) == 0) {
        envelope_destroy(&env);
        return;
    }
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
    s_landed(self, key);
    if (rejected)
        log_warn("%s rejected %s: %s", self->peer, key, ack->reason ? ack->reason : "");
    else
        log_info("%s acknowledged %s", self->peer, key);
    envelope_destroy(&env);
}

//  Hands the messages that are not acknowledgements to fn.
void sender_set_other(sender_t *self, sender_other_fn *fn, void *arg)
{
    self->other = fn;
    self->other_arg = arg;
}

//  Applies the acknowledgements waiting on the socket and refills the window.
int sender_take_acks(sender_t *self)
{
    s_begin(self);
    while (self->n_changes < ACK_BATCH && (zsock_events(self->sock) & ZMQ_POLLIN)) {
        zframe_t *frame = zframe_recv(self->sock);
        if (!frame)
            break;
        if (zframe_size(frame) <= transport_max_msg())
            s_take_ack(self, frame);
        zframe_destroy(&frame);
    }
    size_t n_acks = self->n_changes;
    s_check(self); //  after the acknowledgements that were waiting
    s_fill(self);  //  a failed read is logged; the acknowledgements are recorded all the same
    if (s_commit(self, "acknowledgements and sends") != 0)
        return -1;
    return (int)n_acks;
}
