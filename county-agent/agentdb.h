/*  agentdb - the county agent's LMDB: its outbox (see outbox.h) of report
    revisions, the last revision of each (period, fund), and the unit the
    data directory belongs to. Safe to use from several processes at once:
    submit enqueues while run sends.
*/
#ifndef AGENTDB_H_INCLUDED
#define AGENTDB_H_INCLUDED

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
   of its (period, fund), with its validation warnings. On return each
   report's revision holds the revision given. Returns 0, or -1 when nothing
   was enqueued (message on stderr). */
int agentdb_enqueue(agentdb_t *self, report_t **reports, size_t n);

#endif
