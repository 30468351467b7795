/*  overdue - which units are silent past a deadline, and for how long.

    For every (period, fund) the city holds reports of whose deadline (the
    period's end plus --deadline days) has passed, each known unit of the
    fund (configured with --units, or that ever reported for it) that has
    no report of it is overdue by the time since that deadline; a unit's
    figure is the largest over the pairs. A (period, fund) no unit reported
    at all is not seen: the city knows of a period only from a report. Read
    from the keys of the stored reports only, in one pass.
*/
#ifndef OVERDUE_H_INCLUDED
#define OVERDUE_H_INCLUDED

#include "citydb.h"
#include "cityconf.h"
#include <stdint.h>
#include <time.h>

/* Visits one known unit with the seconds it is overdue (0: none). */
typedef void(overdue_fn)(const char *unit, int64_t seconds, void *arg);

/* Visits every known unit of the city, in code order, with how long it has
   been overdue at now. Returns 0, or -1 when the store cannot be read. */
int overdue_each(citydb_t *db, const cityconf_t *conf, time_t now, overdue_fn *fn, void *arg);

#endif
