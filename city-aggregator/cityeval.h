/*  cityeval - evaluates a unit or the city pool from what the city stored,
    exactly as the daemon and the query commands both need it, each from
    one read of the store; and rounds of dirty (period, fund) pairs for the
    evaluator (evaluator.c). A stored report that no longer validates is
    evaluated with a stored_invalid warning, never dropped.
*/
#ifndef CITYEVAL_H_INCLUDED
#define CITYEVAL_H_INCLUDED

#include "citydb.h"
#include "cityconf.h"
#include "fundchain.pb-c.h"

/* Evaluates the pool of (period, fund). Returns NULL when no unit has
   reported for it or on failure (free with evaluation_free). */
Fundchain__Evaluation *cityeval_pool(citydb_t *db, const cityconf_t *conf, const char *period,
                                     const char *fund);

/* Evaluates one unit's own newest report of (period, fund). Returns NULL
   when the unit has not reported it. */
Fundchain__Evaluation *cityeval_unit(citydb_t *db, const cityconf_t *conf, const char *unit,
                                     const char *period, const char *fund);

/* Evaluates the pool of (period, fund) and every unit that reported for it,
   from one read: *evals gets the pool first, then the units in code order
   (free each with evaluation_free and the array with free). Returns the
   count (0 when nothing is reported), or -1. */
int cityeval_all(citydb_t *db, const cityconf_t *conf, const char *period, const char *fund,
                 Fundchain__Evaluation ***evals);

/* The known units of a fund: configured ones plus any that ever reported
   for it, sorted and unique. Returns the count, fills *codes (free with
   free()), or -1. Each code is 7 bytes. */
int cityeval_known(citydb_t *db, const cityconf_t *conf, const char *fund, char (**codes)[8]);

#define CITYEVAL_ROUND_PAIRS 256    /* pairs of a round at most */
#define CITYEVAL_ROUND_REPORTS 2048 /* a round takes no more pair once it holds these evaluations  \
                                     */
#define CITYEVAL_PAIR_MAX 40        /* "period|fund" */

/* One dirty pair of a round, evaluated from the round's snapshot. */
typedef struct {
    char period[16], fund[16];
    uint64_t generation;           /* of its mark in the snapshot */
    int64_t since_ms;              /* dirty since (unix ms, 0: unknown) */
    Fundchain__Evaluation **evals; /* the pool first, then the units in code order */
    uint64_t *hashes;              /* per evaluation: of the record a unit's was made from */
    size_t n;
} cityeval_pair_t;

/* A round of dirty pairs. Set max_pairs and max_reports (0: the defaults
   above) and incremental, and zero the rest before the first round; keep
   it between rounds (after says where the next one starts, seen what the
   rounds queued). An incremental round evaluates the pool of each pair
   from every unit, but the units only when their stored record changed
   since a committed round queued their evaluation (evalseen.h); free it
   with cityeval_round_free. Otherwise every unit is evaluated. */
typedef struct {
    size_t max_pairs, max_reports;
    bool incremental;
    struct _evalseen_t *seen;      /* incremental: the units queued, by record */
    char after[CITYEVAL_PAIR_MAX]; /* the last pair taken: the next round starts after it */
    cityeval_pair_t *pairs;        /* the pairs taken by the last cityeval_take */
    size_t n;
    bool more;           /* the round was full: marks are left for the next */
    int64_t oldest_ms;   /* since when the oldest mark of the snapshot waits (unix ms; 0: none) */
    size_t failed;       /* pairs that could not be evaluated (logged, still marked) */
    int64_t snapshot_ms; /* when the snapshot was taken (unix ms) */
} cityeval_round_t;

/* Takes the next round: in ONE read transaction, the marks of up to
   max_pairs dirty pairs (fewer once the round holds max_reports
   evaluations), each pair's reports in one scan,
   from which its pool and every unit (incremental: every changed unit)
   are evaluated. Returns the number of pairs taken (0: nothing
   dirty), or -1 when the store cannot be read (logged). */
int cityeval_take(citydb_t *db, const cityconf_t *conf, cityeval_round_t *round);

/* Gives every pair of the round the next version, queues its evaluations
   for the province (each replacing the entry of its older version) and
   clears its mark unless a report stored after the snapshot renewed it:
   ONE write transaction; then, when incremental, records the units it
   queued in seen. Returns 0, or -1 when nothing was done (logged; the
   marks stay and nothing is recorded, so the pairs and their units are
   evaluated again). */
int cityeval_queue(citydb_t *db, cityeval_round_t *round);

/* Frees the pairs of a round, keeping its settings, after and seen. */
void cityeval_round_clear(cityeval_round_t *round);

/* Frees everything a round holds, seen included; the round may be used again. */
void cityeval_round_free(cityeval_round_t *round);

/* Evaluates and queues every dirty pair, round after round, until none is
   left (for a store nothing else writes to: tests, tools). Returns the
   number of pairs queued, or -1 when a round failed. */
int cityeval_forward(citydb_t *db, const cityconf_t *conf);

#endif
