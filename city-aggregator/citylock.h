/*  citylock - the province's approval of the city's pool, at the city
    (SPEC 9.3). Every CITYLOCK_POLL_MS while the link to the hub is up, and
    at once after applying orders, the city sends a ReviewPoll with the
    results of the orders it applied; the hub answers with the orders still
    pending for it. Each order is applied in one transaction of the city's
    store (citydb_review: the pool's review, its trail, its pair marked
    dirty so that the new state is evaluated and forwarded), and is
    idempotent: after any crash or lost message the hub orders again and
    the city answers again, so both levels come to agree. An approval of a
    pool whose city approval changed since the province saw it is refused
    with the reason, which the hub records.
*/
#ifndef CITYLOCK_H_INCLUDED
#define CITYLOCK_H_INCLUDED

#include "citydb.h"
#include "evaluator.h"
#include "linkwatch.h"
#include <czmq.h>

#define CITYLOCK_POLL_MS 3000

typedef struct _citylock_t citylock_t;

/* Creates the poller of the city's pool approvals over province (the DEALER
   to the hub; not owned), watched by watch (may be NULL). NULL when out of
   memory. */
citylock_t *citylock_new(citydb_t *db, zsock_t *province, linkwatch_t *watch, const char *city,
                         evaluator_t *evaluator);

/* Destroys it and nulls the pointer; safe on NULL. */
void citylock_destroy(citylock_t **self_p);

/* Takes the hub's review orders (a sender_other_fn): applies each, keeps
   its result for the next poll, which it makes due at once. Returns 0, or
   -1 for another message. */
int citylock_orders(void *self, const Fundchain__Envelope *env);

/* Sends a poll when one is due and the link is up. */
void citylock_tick(citylock_t *self);

#endif
