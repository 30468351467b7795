/*  hubfill - fills a hub store with generated evaluations, as cities would
    send them, for the benchmark and for measuring rank and show: for every
    city, period and fund, one report a unit (the 市本级 and its counties)
    with figures that vary from unit to unit, evaluated by the product's own
    evaluator (evaluation_unit, evaluation_pool) and stored through
    hubdb_accept in batches, as the hub's ingest stores them.

    Codes: province 51, cities 5101.. upwards, counties 01..99 of each
    city. More than 99 counties a city do not fit a 6-digit code; the
    100th and later take the province digits 52, 53... (county k of city c
    is PP CC DD with PP = 51 + (k-1)/99), so that a county-level rank sees
    as many rows as asked for: hubdb does not check jurisdiction, hubingest
    does.
*/
#ifndef HUBFILL_H_INCLUDED
#define HUBFILL_H_INCLUDED

#include "hubdb.h"
#include <stddef.h>

typedef struct {
    int cities;       /* 1..20 */
    int units;        /* counties per city, besides its 市本级: 1..1000 */
    int first_year;   /* e.g. 2015 */
    int years;        /* 1.. */
    int months;       /* months a year, 1..12 */
    int funds;        /* resident, employee, maternity, dept: the first 1..4 */
    size_t batch;     /* evaluations per hubdb_accept, 1..4096 (0: 1000) */
    uint64_t version; /* the version every evaluation carries (0: 1) */
} hubfill_spec_t;

typedef struct {
    size_t units; /* unit evaluations stored */
    size_t pools; /* pool evaluations stored */
    size_t bytes; /* their encoded size */
} hubfill_stats_t;

/* Fills the defaults of the benchmark's size: 20 cities x 10 counties x 10
   years (from 2015) x 12 months x 4 funds. */
void hubfill_spec_defaults(hubfill_spec_t *spec);

/* Writes the code of unit u (0 the 市本级, 1.. the counties) of city c
   (0-based) into buf (7 bytes). */
void hubfill_code(int c, int u, char *buf);

/* Takes one generated evaluation (free it with evaluation_free); returns 0
   to go on, -1 to stop. */
typedef int(hubfill_fn)(Fundchain__Evaluation *eval, void *arg);

/* Generates every evaluation the spec asks for, in order of year, month,
   fund and city, each city's units before its pool, and hands each to fn.
   Returns 0, or -1 with a message on stderr (a bad spec, out of memory, a
   report refused) or when fn returned -1. */
int hubfill_each(const hubfill_spec_t *spec, hubfill_fn *fn, void *arg);

/* Generates and stores every evaluation the spec asks for. Returns 0, or
   -1 with a message on stderr (a bad spec, out of memory, a store error). */
int hubfill_populate(hubdb_t *db, const hubfill_spec_t *spec, hubfill_stats_t *stats);

#endif
