/*  sender - delivers an outbox to one receiver and records its answers.

    send_due sends the queued entries at once and the sent ones again after
    a backoff that doubles with each attempt (2 s up to 60 s); an entry too
    large for the receiver goes to the dead state with its reason instead of
    being retried forever. take_acks applies every acknowledgement waiting
    on the socket in one transaction: accepted entries become acked, refused
    ones rejected with the receiver's reason (a report the receiver did not
    store because it holds a newer revision, or the same revision with other
    figures, is refused: the entry keeps the revision the receiver holds). Nothing leaves the outbox
    before its acknowledgement is recorded, so a crash loses nothing.
*/
#ifndef SENDER_H_INCLUDED
#define SENDER_H_INCLUDED

#include "store.h"
#include <czmq.h>

#define SENDER_BACKOFF_FIRST 2 /* seconds before the first resend */
#define SENDER_BACKOFF_MAX 60  /* the longest wait between resends */

typedef struct _sender_t sender_t;

/* Creates a sender of store's outbox over sock (a DEALER; not owned).
   peer names the receiver in logs. Returns NULL when out of memory. */
sender_t *sender_new(store_t *store, zsock_t *sock, const char *peer);

/* Destroys the sender and nulls the pointer; safe on NULL. */
void sender_destroy(sender_t **self_p);

/* Sends what is due. Returns the number of entries sent, or -1 when the
   outbox cannot be read or the sends cannot be recorded. */
int sender_send_due(sender_t *self);

/* Applies the acknowledgements waiting on the socket. Returns how many were
   applied, or -1 when they could not be recorded (the entries will be
   sent again and acknowledged again). */
int sender_take_acks(sender_t *self);

/* Returns the seconds to wait before resending after attempts sends. */
int64_t sender_backoff(uint32_t attempts);

#endif
