/*  outbox - a sender's durable outbox in LMDB (store-and-forward).

    Every message still to be delivered is an OutboxEntry (a county's report
    revision, or a city's evaluation version) under a key that the
    receiver's acknowledgement names again. Entries stay until the receiver
    acknowledges them after its own commit; entries still to deliver
    (queued or sent) are also indexed in the "pending" database so that the
    sender never scans delivered history. The index holds each pending
    entry's delivery progress (OutboxProgress: state, sent_at, attempts),
    so that a send rewrites that small record, not the entry; readers see
    entries with their progress laid over them, and the final state goes
    into the entry itself. A store that holds an outbox must list the
    "outbox" and "pending" databases (OUTBOX_DBS).
*/
#ifndef OUTBOX_H_INCLUDED
#define OUTBOX_H_INCLUDED

#include "fundchain.pb-c.h"
#include "store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTBOX_DBS "outbox", "pending"
#define OUTBOX_KEY_MAX 96

/* Visits one entry; returns 0 to go on, 1 to stop, -1 to fail. The entry is
   freed after the call. */
typedef int(outbox_fn)(const char *key, const Fundchain__OutboxEntry *entry, void *arg);

/* A change of one entry's state, applied by outbox_update. */
typedef struct {
    char key[OUTBOX_KEY_MAX];
    Fundchain__OutboxEntry__State state;
    char reason[256];
    int64_t when;               /* sent_at for SENT */
    uint32_t receiver_revision; /* reports: the revision the receiver holds; 0: unknown */
} outbox_change_t;

/* Stores an entry as queued (and pending) inside the caller's write
   transaction. Returns 0, STORE_RETRY or -1. */
int outbox_put(store_txn_t *txn, const char *key, const Fundchain__OutboxEntry *entry);

/* Asked of a pending entry's key before the entry is read; returns true for
   an entry not to read (fn is then not called for it). */
typedef bool(outbox_skip_fn)(const char *key, void *arg);

/* Visits every entry in key order, or only the pending ones. Returns 0 or -1. */
int outbox_each(store_t *store, bool pending_only, outbox_fn *fn, void *arg);

/* Visits in key order the pending entries whose keys come after after (""
   for all), asking skip first (NULL: read them all): a sender's cursor, so
   that what it already passed costs nothing. Returns 0 or -1. */
int outbox_each_pending_after(store_t *store, const char *after, outbox_skip_fn *skip,
                              outbox_fn *fn, void *arg);

/* Applies state changes in one transaction. A change to an entry that is
   already acked, rejected or dead, or that does not exist, is ignored
   (acknowledgements may repeat). SENT counts an attempt; a receiver_revision
   is kept in the entry. Returns 0 or -1. */
int outbox_update(store_t *store, const outbox_change_t *changes, size_t n);

/* Finds, inside the caller's transaction, the highest revision of (period,
   fund) among the outbox's report entries (*own) and the highest its
   receiver reported holding (*receiver); 0 when none. Either pointer may be
   NULL. Returns 0, or -1 when the outbox cannot be read. */
int outbox_report_revisions(store_txn_t *txn, const char *period, const char *fund, uint32_t *own,
                            uint32_t *receiver);

/* Counts the entries not yet delivered (queued or sent) into *pending and
   sets *oldest_queued_at to the earliest queued_at among them (unix
   seconds; 0 when none), in one read transaction: O(pending), for gauges
   read every few seconds. Returns 0, or -1 (both 0) when the outbox
   cannot be read. */
int outbox_measure(store_t *store, size_t *pending, int64_t *oldest_queued_at);

/* Returns the state's name as SPEC 7 shows it: queued, sent, acked, rejected, dead. */
const char *outbox_state_name(Fundchain__OutboxEntry__State state);

/* The key of a report revision: "period|fund|revision" (zero-padded). */
void outbox_key_report(char *key, const char *period, const char *fund, uint32_t revision);

/* The key of an evaluation version: "version|level|code|period|fund". */
void outbox_key_evaluation(char *key, uint64_t version, int level, const char *code,
                           const char *period, const char *fund);

/* The key an acknowledgement names. Returns 0, or -1 for a malformed one. */
int outbox_key_ack(char *key, const Fundchain__Ack *ack);

#endif
