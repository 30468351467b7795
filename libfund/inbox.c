/*  inbox - takes a batch of messages from a ROUTER, commits once, then answers.

    Drops what no handler should see (malformed multipart, no authenticated
    code, oversize) with a logged reason; answers accepted messages only
    after their commit succeeded, refusals either way. Out of memory at
    inbox_new is NULL; nothing fails later but a send (logged) or the
    caller's commit (nothing accepted is answered).
*/
#include "inbox.h"
#include "log.h"
#include "transport.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_CODE 16 /* bytes kept of an authenticated code */

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
};

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
    if (!self->items || !self->accepted || !self->verdicts || !self->identities || !self->peers ||
        !self->counts) {
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
    free(self);
    *self_p = NULL;
}

//  Checks what no handler should see, then lets examine judge the payload.
static inbox_verdict_t s_examine(inbox_t *self, size_t i, zmsg_t *msg, zframe_t *payload,
                                 char *reason)
{
    const char *peer = self->peers[i][0] ? self->peers[i] : NULL;
    size_t size = payload ? zframe_size(payload) : 0;
    if (!payload || zmsg_size(msg) != 0)
        snprintf(reason, INBOX_REASON, "malformed multipart message (%zu frames)",
                 zmsg_size(msg) + (payload != NULL));
    else if (!peer && !self->spec.insecure)
        snprintf(reason, INBOX_REASON, "no authenticated code on the connection");
    else if (size > transport_max_msg())
        snprintf(reason, INBOX_REASON, "message of %zu bytes is larger than %zu", size,
                 transport_max_msg());
    else
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

//  Takes the waiting messages as one batch, commits once, then answers.
size_t inbox_batch(inbox_t *self)
{
    size_t n = 0, n_accepted = 0;
    bool full = false;
    zhashx_purge(self->counts);
    while (!full && n < self->spec.batch_max && s_receive(self, n)) {
        if (self->verdicts[n] == INBOX_ACCEPT)
            self->accepted[n_accepted++] = s_item(self, n);
        full = s_peer_full(self, n);
        n++;
    }
    bool committed =
        n_accepted == 0 || self->spec.commit(self->spec.arg, self->accepted, n_accepted) == 0;
    for (size_t i = 0; i < n; i++)
        if (self->verdicts[i] == INBOX_ANSWER || (self->verdicts[i] == INBOX_ACCEPT && committed))
            s_answer(self, i);
    if (committed && n > 0 && self->spec.after)
        self->spec.after(self->spec.arg, self->accepted, n_accepted);
    for (size_t i = 0; i < n; i++) {
        if (self->spec.clear)
            self->spec.clear(self->spec.arg, s_item(self, i));
        zframe_destroy(&self->identities[i]);
    }
    return n;
}
