/*  latency - stub. */
#include "latency.h"

int latency_measure(bench_t *self)
{
    (void)self;
    return 0;
}
