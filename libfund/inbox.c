/*  inbox - takes a batch of messages from a ROUTER, commits once, then answers.

    Drops what no handler should see (malformed multipart, no authenticated
    code, oversize) with a logged reason; answers accepted messages only
    after their commit succeeded, refusals either way. Out of memory at
    inbox_new is NULL; nothing fails later but a send (logged) or the
    caller's commit (nothing accepted is answered). With metrics, a batch
    is tallied by (outcome, reason) in a small table, whose pointers are
    string constants, and counted in one lock after the answers.
*/
#include "inbox.h"
#include "log.h"
#include "transport.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_CODE 16 /* bytes kept of an authenticated code */
#define TALLY_MAX 16 /* (outcome, reason) pairs a batch tallies; more are counted one by one */

struct _inbox_t {
    zsock_t *router;
    inbox_spec_t spec;
    size_t stride;             //  item_size rounded up to keep items aligned
    char *items;               //  batch_max items of stride bytes
    void **accepted;           //  the accepted items of the batch, in order
    inbox_verdict_t *verdicts; //  of each message
    zframe_t **identities;     //  the routing frame of each message
    char (*peers)[PEER_CODE];  //  the authenticated code of each message's sender, or ""
    zhashx_t *counts;          //  messages of each peer in the batch
    const char **drops;        //  the reason of each message the inbox dropped itself, or NULL
    metrics_t *metrics;        //  counts batches and their messages, or NULL
};

//  Messages of a batch with one outcome and reason.
typedef struct {
    const char *outcome;
    const char *reason;
    size_t n;
} s_tally_t;

static void *s_item(inbox_t *self, size_t i)
{
    return self->items + i * self->stride;
}

//  Creates an inbox on router with the limits and handlers of spec.
inbox_t *inbox_new(zsock_t *router, const inbox_spec_t *spec)
{
    if (!router || !spec || !spec->batch_max || !spec->peer_max || !spec->examine ||
        !spec->commit || !spec->answer) {
        log_error("inbox: a socket, both limits and the examine, commit and answer handlers are "
                  "needed");
        return NULL;
    }
    inbox_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    size_t align = _Alignof(max_align_t);
    size_t n = spec->batch_max;
    self->router = router;
    self->spec = *spec;
    self->stride = (spec->item_size + align - 1) / align * align;
    self->items = calloc(n, self->stride ? self->stride : 1);
    self->accepted = calloc(n, sizeof *self->accepted);
    self->verdicts = calloc(n, sizeof *self->verdicts);
    self->identities = calloc(n, sizeof *self->identities);
    self->peers = calloc(n, sizeof *self->peers);
    self->counts = zhashx_new();
    self->drops = calloc(n, sizeof *self->drops);
    if (!self->items || !self->accepted || !self->verdicts || !self->identities || !self->peers ||
        !self->counts || !self->drops) {
        log_error("inbox: out of memory for a batch of %zu messages", n);
        inbox_destroy(&self);
    }
    return self;
}

//  Frees the inbox and nulls the pointer.
void inbox_destroy(inbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inbox_t *self = *self_p;
    free(self->items);
    free(self->accepted);
    free(self->verdicts);
    free(self->identities);
    free(self->peers);
    zhashx_destroy(&self->counts);
    free(self->drops);
    free(self);
    *self_p = NULL;
}

//  Checks what no handler should see, then lets examine judge the payload.
static inbox_verdict_t s_examine(inbox_t *self, size_t i, zmsg_t *msg, zframe_t *payload,
                                 char *reason)
{
    const char *peer = self->peers[i][0] ? self->peers[i] : NULL;
    size_t size = payload ? zframe_size(payload) : 0;
    self->drops[i] = NULL;
    if (!payload || zmsg_size(msg) != 0) {
        snprintf(reason, INBOX_REASON, "malformed multipart message (%zu frames)",
                 zmsg_size(msg) + (payload != NULL));
        self->drops[i] = "malformed";
    } else if (!peer && !self->spec.insecure) {
        snprintf(reason, INBOX_REASON, "no authenticated code on the connection");
        self->drops[i] = "unauthenticated";
    } else if (size > transport_max_msg()) {
        snprintf(reason, INBOX_REASON, "message of %zu bytes is larger than %zu", size,
                 transport_max_msg());
        self->drops[i] = "oversize";
    } else
        return self->spec.examine(self->spec.arg, s_item(self, i), payload, peer, reason);
    return INBOX_DROP;
}

//  Receives and examines message i; returns false when none is waiting.
static bool s_receive(inbox_t *self, size_t i)
{
    if (!(zsock_events(self->router) & ZMQ_POLLIN))
        return false;
    zmsg_t *msg = zmsg_recv(self->router);
    if (!msg)
        return false; //  interrupted
    memset(s_item(self, i), 0, self->stride);
    self->identities[i] = zmsg_pop(msg);
    zframe_t *payload = zmsg_pop(msg);
    const char *peer = payload ? transport_peer_code(payload) : NULL;
    snprintf(self->peers[i], sizeof self->peers[i], "%s", peer ? peer : "");
    char reason[INBOX_REASON] = "";
    self->verdicts[i] = s_examine(self, i, msg, payload, reason);
    if (self->verdicts[i] == INBOX_DROP)
        log_warn("dropped a message from %s: %s", peer ? peer : "an unauthenticated peer", reason);
    zframe_destroy(&payload);
    zmsg_destroy(&msg);
    return true;
}

//  Counts message i against its peer (its code, or its connection when it
//  has none); returns true when the peer has had its share of the batch.
static bool s_peer_full(inbox_t *self, size_t i)
{
    char *hex =
        self->peers[i][0] || !self->identities[i] ? NULL : zframe_strhex(self->identities[i]);
    const char *key = hex ? hex : self->peers[i];
    uintptr_t count = (uintptr_t)zhashx_lookup(self->counts, key) + 1;
    zhashx_update(self->counts, key, (void *)count);
    free(hex);
    return count >= self->spec.peer_max;
}

//  Sends the answer to message i, if it has one.
static void s_answer(inbox_t *self, size_t i)
{
    if (!self->identities[i])
        return;
    zframe_t *body = self->spec.answer(self->spec.arg, s_item(self, i), self->identities[i]);
    if (!body)
        return;
    zmsg_t *msg = zmsg_new();
    zframe_t *to = zframe_dup(self->identities[i]);
    int rc = -1;
    if (msg && to) {
        zmsg_append(msg, &to);
        zmsg_append(msg, &body);
        rc = zmsg_send(&msg, self->router);
    }
    if (rc != 0)
        log_warn("could not answer a message from %s (it will send again)",
                 self->peers[i][0] ? self->peers[i] : "an unauthenticated peer");
    zframe_destroy(&to);
    zframe_destroy(&body);
    zmsg_destroy(&msg);
}

//  Commits the n accepted items, timing it in *seconds. Returns the
//  commit handler's result.
static int s_commit(inbox_t *self, size_t n, double *seconds)
{
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = self->spec.commit(self->spec.arg, self->accepted, n);
    clock_gettime(CLOCK_MONOTONIC, &end);
    *seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    return rc;
}

//  Says under which outcome and reason message i is counted.
static void s_outcome(inbox_t *self, size_t i, bool committed, const char **outcome,
                      const char **reason)
{
    inbox_verdict_t verdict = self->verdicts[i];
    *outcome = verdict == INBOX_ACCEPT   ? "accepted"
               : verdict == INBOX_ANSWER ? "rejected"
                                         : "dropped";
    *reason = verdict == INBOX_ACCEPT ? "" : verdict == INBOX_ANSWER ? "refused" : "unreadable";
    if (verdict == INBOX_ACCEPT && !committed) {
        *outcome = "dropped";
        *reason = "not_stored";
    } else if (self->drops[i])
        *reason = self->drops[i];
    else if (self->spec.tally)
        self->spec.tally(self->spec.arg, s_item(self, i), outcome, reason);
}

//  Adds message i to the batch's tally (of *n pairs), or counts it at
//  once when the tally is full.
static void s_tally(inbox_t *self, size_t i, bool committed, s_tally_t *tally, size_t *n)
{
    const char *outcome, *reason;
    s_outcome(self, i, committed, &outcome, &reason);
    size_t k = 0;
    while (k < *n && (strcmp(tally[k].outcome, outcome) || strcmp(tally[k].reason, reason)))
        k++;
    if (k == TALLY_MAX) {
        metrics_add(self->metrics, METRICS_MESSAGES, (const char *[]){outcome, reason}, 1);
        return;
    }
    if (k == *n)
        tally[(*n)++] = (s_tally_t){outcome, reason, 0};
    tally[k].n++;
}

//  Counts the n messages of a batch, its size and its commit's duration
//  (negative: no commit), in one lock.
static void s_count(inbox_t *self, size_t n, bool committed, double seconds)
{
    s_tally_t tally[TALLY_MAX];
    size_t pairs = 0;
    if (!self->metrics || n == 0)
        return;
    metrics_begin(self->metrics);
    for (size_t i = 0; i < n; i++)
        s_tally(self, i, committed, tally, &pairs);
    for (size_t k = 0; k < pairs; k++)
        metrics_add(self->metrics, METRICS_MESSAGES,
                    (const char *[]){tally[k].outcome, tally[k].reason}, (double)tally[k].n);
    metrics_observe(self->metrics, METRICS_BATCH, NULL, (double)n);
    if (seconds >= 0)
        metrics_observe(self->metrics, METRICS_COMMIT, NULL, seconds);
    metrics_end(self->metrics);
}

//  Counts into metrics every batch from now on.
void inbox_set_metrics(inbox_t *self, metrics_t *metrics)
{
    if (!self)
        return;
    self->metrics = metrics;
    metrics_add(metrics, METRICS_MESSAGES, (const char *[]){"accepted", ""}, 0);
}

//  Takes the waiting messages as one batch, commits once, then answers.
size_t inbox_batch(inbox_t *self)
{
    size_t n = 0, n_accepted = 0;
    bool full = false;
    double seconds = -1; //  no commit
    zhashx_purge(self->counts);
    while (!full && n < self->spec.batch_max && s_receive(self, n)) {
        if (self->verdicts[n] == INBOX_ACCEPT)
            self->accepted[n_accepted++] = s_item(self, n);
        full = s_peer_full(self, n);
        n++;
    }
    bool committed = n_accepted == 0 || s_commit(self, n_accepted, &seconds) == 0;
    for (size_t i = 0; i < n; i++)
        if (self->verdicts[i] == INBOX_ANSWER || (self->verdicts[i] == INBOX_ACCEPT && committed))
            s_answer(self, i);
    if (committed && n > 0 && self->spec.after)
        self->spec.after(self->spec.arg, self->accepted, n_accepted);
    s_count(self, n, committed, seconds);
    for (size_t i = 0; i < n; i++) {
        if (self->spec.clear)
            self->spec.clear(self->spec.arg, s_item(self, i));
        zframe_destroy(&self->identities[i]);
    }
    return n;
}
