/*  soak - see soak.c. */
#ifndef SOAK_H_INCLUDED
#define SOAK_H_INCLUDED

#include "bench.h"

int soak_measure(bench_t *self);

#endif
