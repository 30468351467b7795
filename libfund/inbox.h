/*  inbox - the receiving end of a link: takes the messages waiting on a
    ROUTER as one batch, stores the accepted ones in ONE group commit, and
    answers only after that commit. Used by the city (county reports) and
    the hub (city evaluations); what a message means is the caller's,
    through the handlers below.

    A batch takes every message already waiting, up to batch_max, and ends
    early when one peer has sent peer_max of them: libzmq fair-queues the
    connections, so a flood delays the others by one short batch at most.
    A peer is its authenticated code, or its connection (the routing
    identity) when it has none (--insecure).

    The inbox itself drops, with a logged reason and no answer, what no
    handler should see: a message that is not [identity, payload], one
    without an authenticated code (unless insecure), one larger than
    transport_max_msg (). Every other message is examined; a dropped one
    is logged as "dropped a message from PEER: reason". Then the accepted
    ones are committed at once; answers follow in batch order: a message
    to answer (a refusal, a question) is answered whether or not the
    commit succeeded, an accepted one only when it did. If the commit
    fails nothing accepted is answered, so the senders send again and
    nothing is lost. An answer that cannot be handed to ZeroMQ is logged;
    the sender sends again.

    Given metrics (inbox_set_metrics), each batch is counted once its
    answers are sent: every message by outcome and reason (the inbox's own
    drops as "malformed", "unauthenticated" and "oversize"; what the
    caller's tally handler names, or the inbox's default, for the others),
    the batch's size and its commit's duration.
*/
#ifndef INBOX_H_INCLUDED
#define INBOX_H_INCLUDED

#include "metrics.h"
#include <czmq.h>
#include <stdbool.h>

#define INBOX_BATCH_MAX 4096 /* the daemons' batch limit */
#define INBOX_PEER_MAX 512   /* the daemons' share of one peer in a batch */
#define INBOX_REASON 512     /* bytes of a drop's reason */

typedef enum {
    INBOX_ACCEPT, /* to store: in the batch's commit, answered only after it */
    INBOX_ANSWER, /* not stored (a refusal, a question): answered after the commit, either way */
    INBOX_DROP    /* not answerable: logged with its reason, never answered */
} inbox_verdict_t;

typedef struct {
    size_t batch_max; /* messages in one batch, at most (> 0) */
    size_t peer_max;  /* a batch ends when one peer has sent this many (> 0) */
    size_t item_size; /* bytes of the caller's state of one message */
    bool insecure;    /* take messages without an authenticated code */
    void *arg;        /* passed to every handler */
    /* Examines payload, sent by peer (its authenticated code; NULL only
       when insecure), into item (item_size bytes, zeroed). Returns the
       verdict; for INBOX_DROP writes why in reason (INBOX_REASON bytes). */
    inbox_verdict_t (*examine)(void *arg, void *item, zframe_t *payload, const char *peer,
                               char *reason);
    /* Stores the n accepted items (in batch order, n > 0) in ONE
       transaction. Returns 0, or -1 (logged by it) when nothing was stored. */
    int (*commit)(void *arg, void **items, size_t n);
    /* Returns the answer to item (its frame is sent to identity), or NULL
       for none, for instance when the handler sent it itself to identity
       on the ROUTER. Called after the commit, in batch order. */
    zframe_t *(*answer)(void *arg, void *item, zframe_t *identity);
    /* Optional: called once after the answers of a batch of at least one
       message whose commit succeeded (or had nothing to store), with the
       n accepted items (n may be 0); the items are cleared after it. */
    void (*after)(void *arg, void **items, size_t n);
    /* Optional: frees what examine put in item; called for every item. */
    void (*clear)(void *arg, void *item);
    /* Optional, for metrics (inbox_set_metrics): names the outcome and
       reason item is counted under, for every message examine judged,
       after the answers (not for an accepted one whose commit failed:
       "dropped", "not_stored"). *outcome and *reason come set to the
       inbox's choice: "accepted" and "" (INBOX_ACCEPT), "rejected" and
       "refused" (INBOX_ANSWER), "dropped" and "unreadable" (INBOX_DROP);
       the handler may point either to another string constant, a short
       stable token: "answered" and "held_query" for a question, "rejected"
       and "older_revision" for a report the commit kept out. */
    void (*tally)(void *arg, const void *item, const char **outcome, const char **reason);
} inbox_spec_t;

typedef struct _inbox_t inbox_t;

/* Creates an inbox on router (a ROUTER the caller keeps and destroys after
   the inbox) with the limits and handlers of spec (copied). Returns NULL
   (logged) when out of memory or when spec lacks a limit or a handler. */
inbox_t *inbox_new(zsock_t *router, const inbox_spec_t *spec);

/* Frees the inbox and nulls the pointer; NULL is fine. */
void inbox_destroy(inbox_t **self_p);

/* Counts into metrics (NULL: no longer) every message of each batch by
   outcome and reason (METRICS_MESSAGES), each batch's size (METRICS_BATCH)
   and each commit's duration (METRICS_COMMIT), in one lock per batch; the
   accepted count shows from now on, at 0. Never fails. */
void inbox_set_metrics(inbox_t *self, metrics_t *metrics);

/* Takes the waiting messages as one batch, examines them, commits the
   accepted ones once, then answers. Returns how many messages it took (0
   when none was waiting). Never fails: what fails is logged, and what was
   accepted but not stored is not answered. */
size_t inbox_batch(inbox_t *self);

#endif
