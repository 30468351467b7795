/*  agentdb - the county agent's LMDB: its outbox (see outbox.h) of report
    revisions, the last revision of each (period, fund), and the unit the
    data directory belongs to. Safe to use from several processes at once:
    submit enqueues while run sends.
*/
#ifndef AGENTDB_H_INCLUDED
#define AGENTDB_H_INCLUDED

#include "diag.h"
#include "report.h"
#include "store.h"
#include <stddef.h>

typedef struct _agentdb_t agentdb_t;

/* Opens (creating) the agent's store in dir for unit. The first use binds
   the directory to the unit; another unit, or the store of a city or hub,
   is refused. unit NULL opens an existing agent store for reading, and
   never creates one. Returns NULL with a message on stderr. */
agentdb_t *agentdb_open(const char *dir, const char *unit);

/* Closes the store and nulls the pointer; safe on NULL. */
void agentdb_destroy(agentdb_t **self_p);

/* Returns the unit the store belongs to ("" when none yet). */
const char *agentdb_unit(agentdb_t *self);

/* Returns the underlying store, for the outbox and the sender. */
store_t *agentdb_store(agentdb_t *self);

/* Enqueues validated reports in one transaction, each at the next revision
   of its (period, fund): after this agent's own, after any its city said it
   holds (in an acknowledgement) and after any agentdb_learn recorded, with
   the warnings of its validation: warnings[i] (the diagnostics validate_report
   gave reports[i]; only its warnings are kept) is what is stored, so the
   reports are not validated again. warnings (or one of them) may be NULL:
   no warnings. On return each report's revision holds the revision given.
   Returns 0, or -1 when nothing was enqueued (message on stderr). */
int agentdb_enqueue(agentdb_t *self, report_t **reports, diag_t *const *warnings, size_t n);

/* The revision the city holds of one (period, fund) of the unit. */
typedef struct {
    char period[16];
    char fund[16];
    uint32_t revision;
} agentdb_held_t;

/* Records, in one transaction, the revisions the city holds (county-agent
   sync), so that the next submit of each (period, fund) numbers after them.
   A revision lower than one already known changes nothing. Returns 0, or
   -1 when nothing was recorded (message on stderr). */
int agentdb_learn(agentdb_t *self, const agentdb_held_t *held, size_t n);

/* Finds this agent's latest revision of (period, fund) in its outbox (*own,
   0 when none) and the revision its next submit would get (*next).
   Returns 0, or -1 when the store cannot be read. */
int agentdb_revisions(agentdb_t *self, const char *period, const char *fund, uint32_t *own,
                      uint32_t *next);

#endif
