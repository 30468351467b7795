/*  sender - delivers an outbox to one receiver and records its answers.

    A committed entry goes out at once, with up to SENDER_WINDOW messages
    in flight (sent, not yet acknowledged): each acknowledgement frees a
    place, and the window is refilled in the same transaction that records
    the acknowledgements (one commit, one fsync). The sender keeps a cursor
    over the pending index (the last key it passed), so a backlog of n
    entries costs O(n) in all, however often send_due is called; what lies
    behind the cursor is looked at again only when a pass ends and
    something may wait there: an entry lost, an entry whose resend is due,
    or entries another process added (sender_rescan).

    Backoff applies only after a loss. An entry is lost when its
    acknowledgement has not come within its backoff (2 s, doubling with
    each attempt up to 60 s) AND the receiver was silent that long (no
    acknowledgement at all), or answered entries sent after it that long
    ago, or the link was made again since it was sent; it is then sent
    again. A receiver working through a long queue thus never gets
    spurious resends. With a linkwatch, nothing is sent while the link is
    not up, so entries wait as queued, not sent into a dead link.

    An entry too large for the receiver goes to the dead state with its
    reason instead of being retried forever. Acknowledgements make entries
    acked, refusals rejected with the receiver's reason (a report the
    receiver did not store because it holds a newer revision, or the same
    revision with other figures, is refused: the entry keeps the revision
    the receiver holds). Nothing leaves the outbox before its
    acknowledgement is recorded, so a crash loses nothing; a send whose
    record fails is sent again.
*/
#ifndef SENDER_H_INCLUDED
#define SENDER_H_INCLUDED

#include "fundchain.pb-c.h"
#include "linkwatch.h"
#include "store.h"
#include <czmq.h>

#define SENDER_BACKOFF_FIRST 2 /* seconds before the first resend */
#define SENDER_BACKOFF_MAX 60  /* the longest wait between resends */
/* Messages in flight, unacknowledged, at most: below the 1,000 messages a
   ROUTER queues for one peer (ZMQ_SNDHWM) before it silently drops the
   acknowledgements that do not fit, which would make the senders resend. */
#define SENDER_WINDOW 512

typedef struct _sender_t sender_t;

/* Creates a sender of store's outbox over sock (a DEALER; not owned).
   peer names the receiver in logs. Returns NULL when out of memory. */
sender_t *sender_new(store_t *store, zsock_t *sock, const char *peer);

/* Destroys the sender and nulls the pointer; safe on NULL. */
void sender_destroy(sender_t **self_p);

/* Watches the link through watch (not owned; NULL: the link is taken to be
   up): nothing is sent while it is not up, and what was in flight when
   it came up again may be lost. */
void sender_set_linkwatch(sender_t *self, linkwatch_t *watch);

/* Takes a message from the receiver that is not an acknowledgement (the
   hub's review orders): returns 0 when it took it, -1 to have it logged
   and ignored. */
typedef int(sender_other_fn)(void *arg, const Fundchain__Envelope *env);

/* Hands such messages to fn (NULL: every one is logged and ignored). */
void sender_set_other(sender_t *self, sender_other_fn *fn, void *arg);

/* Tells the sender that entries may have been added anywhere in the outbox
   (another process committed): it looks behind its cursor once its current
   pass ends. */
void sender_rescan(sender_t *self);

/* Sends what is due while the window has room: new entries, and lost ones
   again. Cheap when nothing is (one read at the cursor). Returns the number
   of entries sent or found dead, or -1 when the outbox cannot be read or
   the sends cannot be recorded (they will be sent again). */
int sender_send_due(sender_t *self);

/* Applies the acknowledgements waiting on the socket and refills the
   window, recording both in one transaction. Returns how many
   acknowledgements were applied, or -1 when they could not be recorded
   (the entries will be sent again and acknowledged again). */
int sender_take_acks(sender_t *self);

/* Returns the number of messages in flight. */
size_t sender_in_flight(sender_t *self);

/* Returns the number of keys the sender keeps in memory (in flight, or
   settled in a round not yet recorded): between calls, the number in
   flight. For tests: anything more would be memory that grows. */
size_t sender_tracked(sender_t *self);

/* Returns the seconds to wait before resending after attempts sends. */
int64_t sender_backoff(uint32_t attempts);

#endif
