/*  evalseen - what the evaluator remembers of each unit of each (period,
    fund), by the hash of the unit's stored record: the record it last
    queued an evaluation of, and the pool member (poolmember.h) made of the
    record it last read, with why that record no longer validates, if so.

    A round evaluates, queues and publishes again only the units whose
    stored record differs from the one queued (a new revision), and makes
    each pool from the members of the unchanged units without decoding or
    validating their records again; so a pair of 100 units that one report
    changed costs one unit's evaluation, one decoding and its pool, not 100
    of each.

    The evaluator records a queued unit only once the round that evaluated
    it is committed (cityeval_queue): a round that fails records nothing,
    and its units are evaluated again. A member is derived data, the same
    whoever makes it from the same record, so it is kept as soon as made.
    The memory is the evaluator's alone and is lost with the process: after
    a start every unit is evaluated again, which costs time, never a report.
    Past its bounds (evalseen_trim) it forgets the members, or everything,
    for the same reason.
*/
#ifndef EVALSEEN_H_INCLUDED
#define EVALSEEN_H_INCLUDED

#include "poolmember.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVALSEEN_MAX 262144                 /* units remembered at most */
#define EVALSEEN_MEMBER_BYTES (256ul << 20) /* members kept at most, in bytes */

typedef struct _evalseen_t evalseen_t;

/* Creates an empty memory of at most max units and member_bytes of members
   (0: the defaults above). Returns NULL when out of memory. */
evalseen_t *evalseen_new(size_t max, size_t member_bytes);

/* Destroys the memory and its members and nulls the pointer; safe on NULL. */
void evalseen_destroy(evalseen_t **self_p);

/* Returns the hash of a stored record's bytes (never 0). */
uint64_t evalseen_hash(const void *bytes, size_t len);

/* Looks the unit of (period, fund) up once, for its record of this hash:
   *changed is true unless the unit's evaluation was last queued from such
   a record (true on a NULL memory); returns the member made of it, or NULL
   when none is kept, with *invalid why that record no longer validates
   (NULL: it validates). The member stays valid until the next
   evalseen_keep of this unit or evalseen_trim. */
const poolmember_t *evalseen_find(evalseen_t *self, const char *period, const char *fund,
                                  const char *unit, uint64_t hash, bool *changed,
                                  const char **invalid);

/* Records that the unit's evaluation of (period, fund) was queued from a
   record of this hash. Returns 0, or -1 when out of memory (the unit is
   then forgotten, so evaluated again: never wrongly taken as unchanged). */
int evalseen_record(evalseen_t *self, const char *period, const char *fund, const char *unit,
                    uint64_t hash);

/* Keeps the member made of the unit's record of this hash (taken over:
   *member_p is nulled), with why the record no longer validates (copied;
   NULL: it validates), in place of the unit's older one. Returns the member
   kept, or NULL when out of memory (*member_p is then the caller's still). */
const poolmember_t *evalseen_keep(evalseen_t *self, const char *period, const char *fund,
                                  const char *unit, uint64_t hash, poolmember_t **member_p,
                                  const char *invalid);

/* Enforces the bounds, between two uses of members: past member_bytes the
   members are dropped, past max units everything is forgotten (logged). */
void evalseen_trim(evalseen_t *self);

/* Returns the number of units remembered, and the bytes of their members. */
size_t evalseen_size(evalseen_t *self);
size_t evalseen_member_bytes(evalseen_t *self);

#endif
