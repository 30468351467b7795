/*  evaluator - evaluates the city's dirty (period, fund) pairs off the
    ingest path, in a CZMQ actor (a thread of its own, talking to the run
    loop over its pipe).

    The run loop stores reports and marks their pairs dirty (citydb.c),
    then kicks the evaluator (evaluator_kick: never blocks). The evaluator
    evaluates what is dirty when it wakes, in rounds (cityeval_take: one
    read transaction per round, one read per pair for its pool and every
    unit), queues them for the province in one short write transaction that
    clears the marks no report renewed meanwhile (cityeval_queue), publishes
    the same evaluations on the PUB feed ("pool" and "unit" events), and
    then tells the run loop, which sends the outbox to the hub at once.
    Marks coalesce: a round that caught up waits EVALUATOR_GAP_MS after its
    start before the next one, so that under load a pair is evaluated a few
    times a second however many reports it gets; a full round is followed
    by the next at once. At start the evaluator evaluates the marks a crash
    left. A round that fails (the store cannot be read or written) is tried
    again after EVALUATOR_RETRY_MS; its pairs stay marked. At stop it ends
    after the current round; what is dirty stays marked for the next start.
    After a round, at most once per EVALUATOR_TRIM_MS, the memory freed in
    the process goes back to the system (glibc's malloc_trim), so that RSS
    follows what is in use rather than the largest round or batch so far.
*/
#ifndef EVALUATOR_H_INCLUDED
#define EVALUATOR_H_INCLUDED

#include "transport.h"
#include <czmq.h>

#define EVALUATOR_GAP_MS 100    /* from the start of a round that caught up to the next */
#define EVALUATOR_RETRY_MS 1000 /* after a round that failed */
#define EVALUATOR_TRIM_MS 1000  /* at most this often, freed memory goes back to the system */
#define EVALUATOR_HOLD_MS 1500  /* the run loop takes no report while a change waits longer */

typedef struct _evaluator_t evaluator_t;

/* Starts the evaluator of the city store in dir (its own handle on it;
   the configuration that run saved there), publishing on *pub_p (taken
   over and nulled; may point to NULL: nothing is published). Returns NULL
   with a message on stderr or in the log when the store or its
   configuration cannot be opened. */
evaluator_t *evaluator_new(const char *dir, const char *city, transport_server_t **pub_p);

/* Stops the evaluator after its current round and frees it; nulls the
   pointer; safe on NULL. */
void evaluator_destroy(evaluator_t **self_p);

/* Tells the evaluator that reports were stored. Never blocks; a kick that
   finds the pipe full is not needed (the evaluator has kicks waiting). */
void evaluator_kick(evaluator_t *self);

/* Tells the evaluator to read the configuration stored in the city store
   again (after citydb_configure) before its next round, and to forget what
   it knew of the units, which were evaluated with the old one. Waits only
   while the pipe is full; a configuration it cannot read is logged, and
   the old one kept. */
void evaluator_reload(evaluator_t *self);

/* The socket to poll: readable when the evaluator has queued evaluations
   for the province. */
zsock_t *evaluator_sock(evaluator_t *self);

/* Returns how long (ms) the oldest change not yet evaluated has waited, as
   the snapshot of the evaluator's last round showed it: 0 when that round
   caught up (what was marked since is younger than the round) or failed,
   or nothing was marked. Safe from the run loop's thread. */
int64_t evaluator_waiting_ms(evaluator_t *self);

/* Reads what the evaluator said, without blocking. Returns the number of
   rounds it queued since the last call (0: none). */
int evaluator_take_news(evaluator_t *self);

#endif
