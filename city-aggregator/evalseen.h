/*  evalseen - what the evaluator last queued for each unit of each (period,
    fund): a hash of the stored record it evaluated. A round evaluates,
    queues and publishes again only the units whose stored record differs
    (a new revision), while the pool is still made from every unit; so a
    pair of 100 units that one report changed costs one unit evaluation,
    not 100.

    The evaluator records a unit only once the round that evaluated it is
    committed (cityeval_queue): a round that fails records nothing, and its
    units are evaluated again. The memory is the evaluator's alone and is
    lost with the process: after a start every unit is evaluated again,
    which costs time, never a report. Past its bound it forgets everything
    (logged) for the same reason.
*/
#ifndef EVALSEEN_H_INCLUDED
#define EVALSEEN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVALSEEN_MAX 262144 /* units remembered at most (about 130 bytes each) */

typedef struct _evalseen_t evalseen_t;

/* Creates an empty memory of at most max units (0: EVALSEEN_MAX). Returns
   NULL when out of memory. */
evalseen_t *evalseen_new(size_t max);

/* Destroys the memory and nulls the pointer; safe on NULL. */
void evalseen_destroy(evalseen_t **self_p);

/* Returns the hash of a stored record's bytes (never 0). */
uint64_t evalseen_hash(const void *bytes, size_t len);

/* Returns true unless the unit's evaluation of (period, fund) was last
   queued from a record of this hash; true on a NULL memory. */
bool evalseen_changed(evalseen_t *self, const char *period, const char *fund, const char *unit,
                      uint64_t hash);

/* Records that the unit's evaluation of (period, fund) was queued from a
   record of this hash. Returns 0, or -1 when out of memory (the unit is
   then forgotten, so evaluated again: never wrongly taken as unchanged). */
int evalseen_record(evalseen_t *self, const char *period, const char *fund, const char *unit,
                    uint64_t hash);

/* Returns the number of units remembered. */
size_t evalseen_size(evalseen_t *self);

#endif
