/*  outbox - the county agent's durable outbox in LMDB.

    Every submitted report revision is an OutboxEntry keyed by
    "period|fund|revision" (revision zero-padded, so keys sort by revision).
    Entries still to be delivered (queued or sent) are also indexed in the
    "pending" database so that the sender never scans delivered history.
    The outbox is safe to use from several processes at once: submit
    enqueues while run sends.
*/
#ifndef OUTBOX_H_INCLUDED
#define OUTBOX_H_INCLUDED

#include "fundchain.pb-c.h"
#include "report.h"
#include <stddef.h>
#include <stdint.h>

typedef struct _outbox_t outbox_t;

/* Visits one entry; returns 0 to go on, 1 to stop, -1 to fail. The entry is
   freed after the call. */
typedef int (outbox_fn) (const Fundchain__OutboxEntry *entry, void *arg);

/* Opens (creating) the outbox in dir for unit. The first use binds the
   directory to the unit; another unit is refused. Returns NULL with a
   message on stderr. unit may be NULL to open for reading only. */
outbox_t *outbox_open (const char *dir, const char *unit);

/* Closes the outbox and nulls the pointer; safe on NULL. */
void outbox_destroy (outbox_t **self_p);

/* Returns the unit the outbox is bound to ("" when none yet). */
const char *outbox_unit (outbox_t *self);

/* Enqueues validated reports in one transaction, each at the next revision
   of its (period, fund), with its validation warnings. On return each
   report's revision field holds the revision given. Returns 0, or -1 when
   nothing was enqueued (message on stderr). */
int outbox_enqueue (outbox_t *self, report_t **reports, size_t n);

/* Visits every entry in key order. Returns 0 or -1. */
int outbox_each (outbox_t *self, outbox_fn *fn, void *arg);

/* Visits the entries still to be delivered (queued or sent). */
int outbox_each_pending (outbox_t *self, outbox_fn *fn, void *arg);

/* An update of one entry's state, applied by outbox_update. */
typedef struct {
    char period[16];
    char fund[16];
    uint32_t revision;
    Fundchain__OutboxEntry__State state;
    char reason[256];
    int64_t when;            /* sent_at for SENT */
} outbox_change_t;

/* Applies state changes in one transaction. A change to an entry that is
   already acked, rejected or dead is ignored (acks may repeat). SENT
   increments the attempt count. Returns 0, or -1 (nothing applied). */
int outbox_update (outbox_t *self, const outbox_change_t *changes, size_t n);

/* Returns the state's name as SPEC 7 shows it: queued, sent, acked, rejected, dead. */
const char *outbox_state_name (Fundchain__OutboxEntry__State state);

#endif
