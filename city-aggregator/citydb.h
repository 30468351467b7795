/*  citydb - the city's LMDB: the newest revision of every unit's report,
    keyed "period|fund|unit", with when its first revision arrived; the
    (period, fund) pairs whose evaluations must be made again ("dirty",
    marked in the same transaction that stores a report, so that a crash
    cannot lose a change; each mark holds the generation of the transaction
    that marked it last, so that the evaluator clears only a mark no report
    renewed after its snapshot, and since when the pair is dirty); the units that ever reported for
   each fund
    ("known", "fund|unit"); and the outbox of evaluations for the province,
    where a new version of an evaluation replaces the older one ("latest"
    names the entry of each): the hub keeps only the newest anyway, and the
    outbox stays as large as the data, however often the data changes.
*/
#ifndef CITYDB_H_INCLUDED
#define CITYDB_H_INCLUDED

#include "cityhistory.h"
#include "cityreview.h"
#include "cityseries.h"
#include "diag.h"
#include "framework.h"
#include "fundchain.pb-c.h"
#include "report.h"
#include "store.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct _citydb_t citydb_t;

typedef enum {
    CITYDB_STORED,    /* new, or a higher revision than the one stored */
    CITYDB_DUPLICATE, /* this revision, with the same figures, is already stored */
    CITYDB_OLDER,     /* a higher revision is already stored: kept it */
    CITYDB_CONFLICT,  /* this revision with other figures is stored: kept it */
    CITYDB_LOCKED     /* approved or locked: refused (citydb_reason says why) */
} citydb_outcome_t;

/* Visits one stored report; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(citydb_fn)(const Fundchain__StoredReport *stored, void *arg);

/* Opens (creating) the store of city in dir; city NULL opens an existing
   city store for reading, and never creates one. The store of another city,
   agent or hub is refused, naming both. NULL with a message on stderr. */
citydb_t *citydb_open(const char *dir, const char *city);

/* Closes the store and nulls the pointer; safe on NULL. */
void citydb_destroy(citydb_t **self_p);

/* Stores the configuration text (cityconf_text) in "meta". When it differs
   from one stored before (a restart or a reload with other units, names,
   framework, deadlines or thresholds), every (period, fund) with a stored
   report is marked dirty in the same transaction, so that the evaluator
   evaluates all of them again with it, crash or not; *changed (may be
   NULL) says so. Returns 0, or -1 (logged): nothing was stored. */
int citydb_configure(citydb_t *self, const char *config_text, bool *changed);

/* Returns the underlying store (for the configuration). */
store_t *citydb_store(citydb_t *self);

/* Stores validated reports in ONE transaction (group commit), each unless a
   revision at least as high is stored; outcomes[i] tells what happened to
   report i, and held[i] (held may be NULL) the revision stored after it:
   its own, or the one kept. Only STORED and DUPLICATE may be acknowledged
   as accepted. Returns 0 when committed, -1 when nothing was stored. */
int citydb_accept(citydb_t *self, report_t *const *reports, size_t n, int64_t now,
                  citydb_outcome_t *outcomes, uint32_t *held);

/* Visits the stored reports of (period, fund) in unit order; period and
   fund NULL visit everything. Returns 0 or -1. */
int citydb_each(citydb_t *self, const char *period, const char *fund, citydb_fn *fn, void *arg);

/* Visits the revision held of one (period, fund); returns 0 to go on, 1 to
   stop, -1 to fail. */
typedef int(citydb_held_fn)(const char *period, const char *fund, uint32_t revision, void *arg);

/* Visits, in key order, the revision stored of every report of
   unit (what an agent installed again asks for). Only that unit's records
   are read. Returns 0, or -1 when the store cannot be read. */
int citydb_each_held(citydb_t *self, const char *unit, citydb_held_fn *fn, void *arg);

/* Visits the key of one stored report; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(citydb_key_fn)(const char *period, const char *fund, const char *unit, void *arg);

/* Visits (period, fund, unit) of every stored report in key order (pair by
   pair), without reading the reports. Returns 0 or -1. */
int citydb_each_key(citydb_t *self, citydb_key_fn *fn, void *arg);

/* Visits one unit code; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(citydb_unit_fn)(const char *unit, void *arg);

/* Visits, in code order, every unit that has ever reported for fund (an
   index kept by citydb_accept: no scan of the reports). Returns 0 or -1. */
int citydb_each_known(citydb_t *self, const char *fund, citydb_unit_fn *fn, void *arg);

/* Visits one (period, fund) marked dirty; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(citydb_dirty_fn)(const char *period, const char *fund, void *arg);

/* Visits the dirty (period, fund) pairs. Returns 0 or -1. */
int citydb_each_dirty(citydb_t *self, citydb_dirty_fn *fn, void *arg);

/* The generation of a mark written before marks had one. */
#define CITYDB_GEN_LEGACY UINT64_MAX

/* A dirty mark: its pair, the generation of the transaction that marked it
   last (generations grow with every accepting transaction), and since when
   (unix ms, 0: unknown) the pair has had changes not yet evaluated. */
typedef struct {
    char period[16], fund[16];
    uint64_t generation;
    int64_t since_ms;
} citydb_mark_t;

/* Visits one mark; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(citydb_mark_fn)(const citydb_mark_t *mark, void *arg);

/* Visits every dirty mark in key order. Returns 0 or -1. */
int citydb_each_mark(citydb_t *self, citydb_mark_fn *fn, void *arg);

/* One read transaction: what every citydb_snap_* call made with it sees is
   the store at one instant, whatever is committed meanwhile. */
typedef store_txn_t citydb_snap_t;

/* Work done on a snapshot; returns 0 (or what citydb_snapshot returns). */
typedef int(citydb_snap_fn)(citydb_snap_t *snap, void *arg);

/* Runs fn on ONE read transaction of the store. Returns fn's result, or -1
   when the transaction cannot begin. */
int citydb_snapshot(citydb_t *self, citydb_snap_fn *fn, void *arg);

/* The evaluation lag: *pairs the (period, fund) pairs waiting to be
   evaluated, *age_ms how long the oldest has waited (-1 when none waits,
   or none says since when). Returns 0, or -1 when the store cannot be
   read. */
int citydb_lag(citydb_t *self, size_t *pairs, int64_t *age_ms);

/* Visits the marks of the snapshot in key order. Returns 0 or -1. */
int citydb_snap_marks(citydb_snap_t *snap, citydb_mark_fn *fn, void *arg);

/* Visits the stored reports of (period, fund) of the snapshot in unit
   order. Returns 0 or -1. */
int citydb_snap_each(citydb_snap_t *snap, const char *period, const char *fund, citydb_fn *fn,
                     void *arg);

/* Visits one stored report's record as stored: the unit (from its key) and
   the record's bytes (a StoredReport, not decoded). Returns 0 to go on, 1
   to stop, -1 to fail. */
typedef int(citydb_raw_fn)(const char *unit, const void *bytes, size_t len, void *arg);

/* Visits the stored records of (period, fund) of the snapshot in unit
   order, undecoded: the caller decodes only what it needs. Returns 0 or -1. */
int citydb_snap_each_raw(citydb_snap_t *snap, const char *period, const char *fund,
                         citydb_raw_fn *fn, void *arg);

/* Visits the units known for fund in the snapshot, in code order. Returns 0 or -1. */
int citydb_snap_known(citydb_snap_t *snap, const char *fund, citydb_unit_fn *fn, void *arg);

/* In ONE transaction: gives the evaluations of (period, fund) the next
   version, queues them in the outbox for the province (when queue is true;
   each replaces the entry of its older version, delivered or not) and
   clears the dirty mark. Returns 0, or -1 when nothing was done. */
int citydb_commit_evaluations(citydb_t *self, const char *period, const char *fund,
                              Fundchain__Evaluation **evals, size_t n, bool queue);

/* The evaluations of one (period, fund), for citydb_commit_pairs. The mark
   is cleared only while it holds generation (0: whatever it holds); a mark
   renewed since is kept, dirty since snapshot_ms (unix ms). */
typedef struct {
    const char *period, *fund;
    Fundchain__Evaluation **evals;
    size_t n;
    uint64_t generation;
    int64_t snapshot_ms;
} citydb_pair_t;

/* The same as citydb_commit_evaluations for several pairs in ONE
   transaction (one version each): a burst of changes costs one commit.
   Returns 0, or -1 when nothing was done. */
int citydb_commit_pairs(citydb_t *self, const citydb_pair_t *pairs, size_t n, bool queue);

/* Turns a stored report into a report_t validated against fw (NULL: the
   default framework); NULL when it no longer validates (a restart with a
   stricter framework) or cannot be decoded. */
report_t *citydb_report(const Fundchain__StoredReport *stored, const framework_t *fw);

/* The same, but a report that no longer validates is returned too, checked
   as far as it goes (its items in error unparsed), with *valid false and the
   first error in why (size bytes). NULL, with why, when it cannot be
   decoded or memory runs out. diag (may be NULL) gets every diagnostic of
   the validation. */
report_t *citydb_report_check(const Fundchain__StoredReport *stored, const framework_t *fw,
                              diag_t *diag, bool *valid, char *why, size_t size);

/* Reads from the snapshot the series points of a unit's latest max periods
   of the fund before the period before, of its length (newest first):
   *past (n of them, bytes valid while the snapshot lives) and *periods
   (their texts) to free with free(). One backward scan that stops at max,
   however long the unit's history. Returns 0 or -1. */
int citydb_snap_series(citydb_snap_t *snap, const char *fund, const char *unit,
                       const char *before, size_t max, cityseries_past_t **past, size_t *n,
                       char **periods);

/* Sets the time lock (--lock-after) that citydb_accept applies; NULL: none. */
void citydb_set_lock(citydb_t *self, const cityreview_lock_t *lock);

/* Returns why report k of the last citydb_accept was CITYDB_LOCKED ("" else). */
const char *citydb_reason(const citydb_t *self, size_t k);

/* Returns the code of the city the store belongs to. */
const char *citydb_city(const citydb_t *self);

/* Returns the key of the city's pool in the review records and the trail
   ("510400.pool"; the 市本级's own report is under its code). */
const char *citydb_pool_key(const citydb_t *self);

/* Approves, unapproves or unlocks in ONE transaction: reads the reviews
   the rules need (known lists the units every pool approval needs), applies
   cityreview_apply, writes the review, appends it to the trail and marks the
   pair dirty so that its evaluations are made and forwarded again. Returns
   0, 1 when the rules refuse it (why says so), or -1 (nothing written). */
int citydb_review(citydb_t *self, const cityreview_op_t *op, const char *const *known,
                  size_t n_known, char *why, size_t size);

/* Reads the review of (period, fund, unit) (*review NULL when none; free
   with fundchain__review__free_unpacked). Returns 0 or -1. */
int citydb_review_get(citydb_t *self, const char *period, const char *fund, const char *unit,
                      Fundchain__Review **review);

/* Visits the trail of (period, fund, unit) in order. Returns 0 or -1. */
int citydb_history(citydb_t *self, const char *period, const char *fund, const char *unit,
                   cityhistory_fn *fn, void *arg);

#endif
