/*  latency - submit -> hub: from `county-agent submit` returning to the hub
    having stored that unit's evaluation, through a real agent, city and
    hub. The bench polls the hub's LMDB read-only with the hub's own module
    (hubdb_get) every 2 ms. Measured at idle and under a background load of
    half the city's measured capacity (in-process peers of other units).
*/
#ifndef LATENCY_H_INCLUDED
#define LATENCY_H_INCLUDED

#include "bench.h"

/* Measures p50 and p99 at idle and at half capacity. Returns 0 or -1. */
int latency_measure(bench_t *self);

#endif
