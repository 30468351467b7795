/*  backlog - the drain after an outage, through the product's own agents:
    reports queued with `county-agent submit` while the city is down
    (thousands a unit, from bench/gen-monthly.py), then the city started
    and real `county-agent run` processes reconnecting at once. The rate is
    the reports acknowledged (every agent's outbox empty of pending
    entries) over the time from the agents' start; the lag is from then to
    the last event on the city's feed.
*/
#ifndef BACKLOG_H_INCLUDED
#define BACKLOG_H_INCLUDED

#include "bench.h"

/* Measures the drain at 1, 10 and 100 agents (smoke: 2 agents, a few
   reports each). Returns 0 or -1. */
int backlog_measure(bench_t *self);

#endif
