/*  cityhistory - the city's audit trail and review records in its store,
    read and written inside a transaction citydb runs (the one that stores
    a revision, or the one of an approval): "review" holds the Review of
    each (period, fund, unit), "history" every HistoryEntry of it, under
    "period|fund|unit|SEQ" (SEQ: 16 hex digits of a counter), so that a
    unit's trail is one prefix scan in the order it happened. Nothing
    here deletes an entry.
*/
#ifndef CITYHISTORY_H_INCLUDED
#define CITYHISTORY_H_INCLUDED

#include "fundchain.pb-c.h"
#include "store.h"

#define CITYHISTORY_DBS "review", "history"

/* Reads the review of (period, fund, unit) into *review (NULL when none;
   free with fundchain__review__free_unpacked). Returns 0 or -1. */
int cityhistory_review_get(store_txn_t *txn, const char *period, const char *fund,
                           const char *unit, Fundchain__Review **review);

/* Reads the review's record as stored (for a hash): 0 with *val and *len,
   1 when there is none, -1 on failure. */
int cityhistory_review_raw(store_txn_t *txn, const char *period, const char *fund,
                           const char *unit, const void **val, size_t *len);

/* Writes the review. Returns 0, STORE_RETRY or -1. */
int cityhistory_review_put(store_txn_t *txn, const char *period, const char *fund,
                           const char *unit, const Fundchain__Review *review);

/* Appends an entry to the trail. Returns 0, STORE_RETRY or -1. */
int cityhistory_append(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                       const Fundchain__HistoryEntry *entry);

/* Appends a stored revision (kind REVISION) received at `at` from sender:
   all of report's items, or with prev (the previous stored revision, which
   the trail holds) only the items added or changed since and the codes of
   those removed. Returns 0, STORE_RETRY or -1. */
int cityhistory_append_revision(store_txn_t *txn, const Fundchain__Report *report,
                                const Fundchain__Report *prev, int64_t at, const char *sender);

/* Visits the entries of (period, fund, unit) in order; fn returns 0 to go
   on, 1 to stop, -1 to fail. An entry this version cannot read is skipped. */
typedef int(cityhistory_fn)(const Fundchain__HistoryEntry *entry, void *arg);
int cityhistory_each(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                     cityhistory_fn *fn, void *arg);

#endif
