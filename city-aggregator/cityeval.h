/*  cityeval - evaluates a unit or the city pool from what the city stored,
    exactly as the daemon and the query commands both need it.
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

/* Evaluates the pool of (period, fund) and every unit that reported for it:
   *evals gets the pool first, then the units in code order (free each with
   evaluation_free and the array with free). Returns the count, or -1. */
int cityeval_all(citydb_t *db, const cityconf_t *conf, const char *period, const char *fund,
                 Fundchain__Evaluation ***evals);

/* The known units of a fund: configured ones plus any that ever reported
   for it, sorted and unique. Returns the count, fills *codes (free with
   free()), or -1. Each code is 7 bytes. */
int cityeval_known(citydb_t *db, const cityconf_t *conf, const char *fund, char (**codes)[8]);

/* Evaluates again every (period, fund) marked dirty, pool and units, and
   queues the evaluations for the province with the next version, clearing
   the marks: up to 256 pairs in ONE transaction, so that a burst of changes
   costs a few commits, not one each. A pair that cannot be evaluated stays
   marked (logged). Returns the number of pairs queued, or -1 when the
   marks cannot be read or a commit failed (the pairs stay marked). */
int cityeval_forward(citydb_t *db, const cityconf_t *conf);

#endif
