/*  held - answers an agent's HeldQuery (county-agent sync): the revision the
    city holds of every report of the asking unit, so that an agent
    installed again numbers its next revisions after them. The unit is the
    one ingest took from the authenticated key, never the payload's. A long
    answer is cut into HeldReply messages that fit the receiver's limit,
    each but the last marked more.
*/
#ifndef HELD_H_INCLUDED
#define HELD_H_INCLUDED

#include "citydb.h"
#include <czmq.h>

/* Answers unit's query on router to identity: what db holds of unit, or
   error (when not NULL or empty, or when db cannot be read) instead.
   Returns 0 when every reply was handed to ZeroMQ, -1 otherwise (logged;
   the agent asks again). */
int held_answer(citydb_t *db, zsock_t *router, zframe_t *identity, const char *unit,
                const char *error);

#endif
