/*  hubdb - the province's LMDB: the newest version of every evaluation a
    city sent, pools and units, keyed "period|fund|P|code" (pool) or
    "period|fund|U|code" (unit), so that a ranking is one prefix scan, and
    under the same key what a ranking reads of each (its RankEntry).
*/
#ifndef HUBDB_H_INCLUDED
#define HUBDB_H_INCLUDED

#include "fundchain.pb-c.h"
#include "store.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct _hubdb_t hubdb_t;

typedef enum {
    HUBDB_STORED,    /* new, or newer than the version stored */
    HUBDB_DUPLICATE, /* this version is already stored */
    HUBDB_OLDER      /* a newer version is already stored: kept it */
} hubdb_outcome_t;

/* Visits one evaluation; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(hubdb_fn)(const Fundchain__Evaluation *eval, void *arg);

/* Opens (creating) the store of province in dir; province NULL opens an
   existing hub store for reading, and never creates one. A store made
   before the rank index is given one first (logged, one transaction). The store of
   another province, a city or an agent is refused, naming both. NULL with
   a message on stderr. */
hubdb_t *hubdb_open(const char *dir, const char *province);

/* Closes the store and nulls the pointer; safe on NULL. */
void hubdb_destroy(hubdb_t **self_p);

/* Returns the underlying store. */
store_t *hubdb_store(hubdb_t *self);

/* Stores evaluations in ONE transaction, each unless a version at least as
   new is stored; outcomes[i] tells what happened. Returns 0 when committed,
   -1 when nothing was stored. */
int hubdb_accept(hubdb_t *self, Fundchain__Evaluation *const *evals, size_t n,
                 hubdb_outcome_t *outcomes);

/* One evaluation to store, already encoded: bytes must be what the store
   will hold, an encoding of eval (evaluation_decode(bytes) gives eval);
   bytes NULL: hubdb encodes eval. */
typedef struct {
    const Fundchain__Evaluation *eval;
    const uint8_t *bytes;
    size_t len;
} hubdb_record_t;

/* Stores records as hubdb_accept stores evaluations (ONE transaction, the
   newest version kept), without encoding what is encoded already. */
int hubdb_accept_records(hubdb_t *self, const hubdb_record_t *records, size_t n,
                         hubdb_outcome_t *outcomes);

/* Visits the evaluations of (period, fund) at one level in code order. */
int hubdb_each(hubdb_t *self, const char *period, const char *fund,
               Fundchain__Evaluation__Level level, hubdb_fn *fn, void *arg);

/* Visits what a ranking needs of the evaluations of (period, fund) at one
   level, in code order: each one's RankEntry (code, name, version, level,
   total and numeric indicators), valid until fn returns. An evaluation
   that could not be read when stored has none and is skipped, as by
   hubdb_each; fn returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(hubdb_rank_fn)(const Fundchain__RankEntry *entry, void *arg);
int hubdb_each_rank(hubdb_t *self, const char *period, const char *fund,
                    Fundchain__Evaluation__Level level, hubdb_rank_fn *fn, void *arg);

/* Visits each period that holds an evaluation of fund, once, in key
   order; fn returns 0 to go on, 1 to stop, -1 to fail. Returns 0 or -1. */
typedef int(hubdb_period_fn)(const char *period, void *arg);
int hubdb_periods(hubdb_t *self, const char *fund, hubdb_period_fn *fn, void *arg);

/* Visits every version of one evaluation the hub has stored, oldest first
   (kept under "period|fund|L|code|VERSION" in the transaction that stores
   each, never replaced): the evaluation and when the hub stored it; fn
   returns 0 to go on, 1 to stop, -1 to fail. Returns 0 or -1. */
typedef int(hubdb_version_fn)(const Fundchain__Evaluation *eval, int64_t stored_at, void *arg);
int hubdb_each_version(hubdb_t *self, const char *period, const char *fund,
                       Fundchain__Evaluation__Level level, const char *code, hubdb_version_fn *fn,
                       void *arg);

/* Records the province's approval of a city's pool (approve) or its
   withdrawal, PENDING until the city says it locked (or unlocked) it
   (hubdb_review_poll): an approval needs the pool the hub holds to be
   approved by the city, and none standing. Returns 0, 1 refused (why), or
   -1 (nothing written). */
int hubdb_approve(hubdb_t *self, const char *period, const char *fund, const char *city,
                  bool approve, const char *by, int64_t at, char *why, size_t size);

/* In ONE transaction: records the results a city sent (an approval
   answered becomes APPROVED, REFUSED or UNAPPROVED) and fills orders with
   every approval of that city still pending (free with
   hubdb_orders_clear). Returns 0 or -1. */
int hubdb_review_poll(hubdb_t *self, const char *city, Fundchain__ReviewResult **results,
                      size_t n, int64_t now, Fundchain__ReviewOrders *orders);

/* Frees the orders of hubdb_review_poll. */
void hubdb_orders_clear(Fundchain__ReviewOrders *orders);

/* Reads the province's approval of a pool (*a NULL when none; free with
   fundchain__hub_approval__free_unpacked). Returns 0 or -1. */
int hubdb_approval_get(hubdb_t *self, const char *period, const char *fund, const char *city,
                       Fundchain__HubApproval **a);

/* Returns a copy of one evaluation (free with evaluation_free), or NULL
   when there is none. */
Fundchain__Evaluation *hubdb_get(hubdb_t *self, const char *period, const char *fund,
                                 Fundchain__Evaluation__Level level, const char *code);

#endif
