/*  backlog - see backlog.c. */
#ifndef BACKLOG_H_INCLUDED
#define BACKLOG_H_INCLUDED

#include "bench.h"

int backlog_measure(bench_t *self);

#endif
