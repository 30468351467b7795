/*  soak - stub. */
#include "soak.h"

int soak_measure(bench_t *self)
{
    (void)self;
    return 0;
}
