/*  soak - the memory of each daemon under a steady load: a real hub, city
    (linked to the hub) and agent, with in-process peers sending a quarter
    of the city's capacity and the agent submitting a year of reports
    every 5 s, for --soak-seconds (default 600). Each daemon's VmRSS (and
    RssAnon, the heap: LMDB's file pages count in VmRSS too) is read from
    /proc/PID/status at the start of the load, after its first tenth
    (warm: caches filled) and at its end; growth is judged on RssAnon, warm
    -> end: more than 10 % and 512 kB misses the target.
*/
#ifndef SOAK_H_INCLUDED
#define SOAK_H_INCLUDED

#include "bench.h"

/* Runs the soak and adds one row a daemon. Returns 0 or -1. */
int soak_measure(bench_t *self);

#endif
