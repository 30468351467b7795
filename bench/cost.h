/*  cost - see cost.c. */
#ifndef COST_H_INCLUDED
#define COST_H_INCLUDED

#include "bench.h"

int cost_measure(bench_t *self);

#endif
