/*  cost - the work of one `rank` and one `show`, in microseconds of CPU
    time, measured in-process with the hub's own query module
    (hubquery_rank, hubquery_show) on a hub store the bench fills with
    hubdb_accept: 20 cities x 10 counties x 10 years x 12 months x 4 funds
    of evaluations made from a real report (evaluation_unit and
    evaluation_pool), and how the cost of a county ranking grows with the
    units of each city.
*/
#ifndef COST_H_INCLUDED
#define COST_H_INCLUDED

#include "bench.h"

/* Measures rank (city and county level) and show (a county, a city's
   pool) on the full-size hub. Returns 0 or -1. */
int cost_measure(bench_t *self);

/* Measures a county ranking on hubs of 20 cities with 10 and 100 units each
   (1,000 cannot exist). Returns 0 or -1. */
int cost_growth(bench_t *self);

#endif
