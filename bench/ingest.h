/*  ingest - the ingest figures: a real `city-aggregator run` fed by 1, 10
    and 100 in-process peers (workloads revisions and periods), a real
    `province-hub run` fed by cities' evaluations, and how the city's
    rate grows with the units of a (period, fund). Each row: acknowledged
    messages/s, the ratio to the baseline, and the evaluation lag (the city:
    from the last acknowledgement to the last event on its feed).
*/
#ifndef INGEST_H_INCLUDED
#define INGEST_H_INCLUDED

#include "bench.h"

/* Measures city ingest for both workloads at 1, 10 and 100 peers (smoke:
   1 and 10); sets self->city_capacity (revisions, 10 peers). Returns 0 or -1. */
int ingest_city(bench_t *self);

/* Measures hub ingest of evaluations from 1 and 10 cities. Returns 0 or -1. */
int ingest_hub(bench_t *self);

/* Measures city ingest from one peer while the (period, fund) holds the
   reports of 10 and 100 units (1,000 cannot exist: a city has at most 100
   unit codes). Returns 0 or -1. */
int ingest_growth(bench_t *self);

#endif
