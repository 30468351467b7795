/*  msgs - the messages the in-process peers send, built the way the
    product builds them: a real report (the first month of
    bench/gen-monthly.py's file, imported and validated by csvimport) as a
    Report envelope, and a unit Evaluation of it (evaluation_unit) as an
    Evaluation envelope, for any unit, (period, fund) and revision.
*/
#ifndef MSGS_H_INCLUDED
#define MSGS_H_INCLUDED

#include "fundchain.pb-c.h"
#include "report.h"
#include <czmq.h>
#include <stdint.h>

typedef struct _msgs_t msgs_t;

/* Loads the template report from a CSV file (its first report). Returns
   NULL with a message on stderr. */
msgs_t *msgs_new(const char *csv);

/* Destroys the template and nulls the pointer; safe on NULL. */
void msgs_destroy(msgs_t **self_p);

/* Returns the template report (validated; unit, period and fund as read). */
const report_t *msgs_report(msgs_t *self);

/* Returns the size in bytes of one packed Report envelope. */
size_t msgs_report_size(msgs_t *self);

/* Builds a Report envelope of the template for unit, period, fund at
   revision. Returns a frame, or NULL when out of memory. */
zframe_t *msgs_report_frame(msgs_t *self, const char *unit, const char *period, const char *fund,
                            uint32_t revision);

/* Returns a copy of the template as the report of unit for (period, fund),
   or NULL (a field too long, out of memory). */
report_t *msgs_report_for(msgs_t *self, const char *unit, const char *period, const char *fund);

/* Evaluates the template as unit's report of city for (period, fund), as
   the city does (evaluation_unit). Returns a heap Evaluation (free with
   evaluation_free), or NULL. */
Fundchain__Evaluation *msgs_eval(msgs_t *self, const char *city, const char *unit,
                                 const char *period, const char *fund);

/* Evaluates the pool of city for (period, fund) from the template given
   by each of units (evaluation_pool). Returns a heap Evaluation, or NULL. */
Fundchain__Evaluation *msgs_pool(msgs_t *self, const char *city, const char *period,
                                 const char *fund, char (*units)[8], size_t n);

/* Packs an Evaluation envelope of eval at version. Returns a frame, or NULL. */
zframe_t *msgs_eval_frame(Fundchain__Evaluation *eval, uint64_t version);

/* Returns the n-th (period, fund) of the deadline rush: every month from
   2000-01 to last month, for resident, employee and maternity, as
   tests/tools/flood.c's periods mode; period needs 16 bytes. Returns the
   number of pairs in one round (a new round needs a new revision). */
long msgs_pair(long n, char *period, const char **fund);

#endif
