/*  consolidate - the city pool of SPEC 3 (市级统筹, 统收统支): the newest
    report of each unit of a city consolidated like group accounts.

    Money items and the head counts (stat.enrolled, stat.population,
    stat.beneficiaries) are summed over the units; intra-pool transfers
    (counties' expense.upper_remit and income.upper_grant, the 市本级's
    income.lower_remit and expense.lower_grant) are dropped and taken out of
    the totals they are part of. The upward remittances and the grants are
    reconciled between the counties and the 市本级, and the pool knows which
    units reported and which known ones did not.
*/
#ifndef CONSOLIDATE_H_INCLUDED
#define CONSOLIDATE_H_INCLUDED

#include "diag.h"
#include "indicator.h"
#include "poolmember.h"
#include "rational.h"
#include "report.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct _consolidate_t consolidate_t;

/* Consolidates the reports of city for period and fund: reports of other
   cities, periods or funds are ignored, and of several reports of one unit
   the highest revision is used. known lists every known unit code. The
   pool takes what it needs of each report (poolmember.h): the reports may
   go once it is made. Returns NULL when out of memory or on a bad argument. */
consolidate_t *consolidate_new(const char *city, const char *period, const char *fund,
                               report_t *const *reports, size_t n_reports, const char *const *known,
                               size_t n_known);

/* The same from the members of the reports (poolmember.h), which the pool
   borrows: they must outlive it. Returns NULL when out of memory or on a
   bad argument. */
consolidate_t *consolidate_new_members(const char *city, const char *period, const char *fund,
                                       const poolmember_t *const *members, size_t n_members,
                                       const char *const *known, size_t n_known);

/* Destroys the pool and nulls the pointer; safe on NULL. */
void consolidate_destroy(consolidate_t **self_p);

/* Gets the consolidated amount of a money item (fen) or of a summed head
   count (1/QTY_SCALE units); returns false when no unit contributes. */
bool consolidate_amount(const consolidate_t *self, const char *code, int64_t *amount);

/* Gets the pool's value of a reported item (ind.X, score.X): the 市本级's
   own when it gave one, otherwise the enrollment-weighted mean over the
   counties that gave one (equal weights when one of them has no
   stat.enrolled). Returns false when no unit gave the item. */
bool consolidate_reported(const consolidate_t *self, const char *code, rational_t *value);

/* Adds every ind.X that a unit of the pool reported as indicator X, with
   its pool value (consolidate_reported). Returns 0, or -1 when out of memory. */
int consolidate_add_reported(const consolidate_t *self, indicator_set_t *ind);

/* Returns the number of units that reported. */
size_t consolidate_size(const consolidate_t *self);

/* Returns the code of reporting unit i, in code order, or NULL. */
const char *consolidate_unit_at(const consolidate_t *self, size_t i);

/* Returns true when every known unit reported. */
bool consolidate_complete(const consolidate_t *self);

/* Returns the pool's findings (warnings pool_incomplete and
   transfer_unreconciled). */
const diag_t *consolidate_warnings(const consolidate_t *self);

#endif
