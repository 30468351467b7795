/*  backlog - stub. */
#include "backlog.h"

int backlog_measure(bench_t *self)
{
    (void)self;
    return 0;
}
