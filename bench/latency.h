/*  latency - see latency.c. */
#ifndef LATENCY_H_INCLUDED
#define LATENCY_H_INCLUDED

#include "bench.h"

int latency_measure(bench_t *self);

#endif
