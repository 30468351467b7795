/*  baseline - what the transport and the disk allow: a bare CURVE ROUTER
    with its ZAP handler (transport_server_new, an allow directory of the
    peers' keys) that takes every message waiting, up to 1,000, commits
    them in ONE LMDB transaction (store_write, fsync) and only then
    acknowledges each. No validation, no evaluation: the ceiling the
    product's ingest is measured against.
*/
#ifndef BASELINE_H_INCLUDED
#define BASELINE_H_INCLUDED

#include "bench.h"

/* Measures the baseline with peers in-process sending the product's report
   messages, records its row and sets self->baseline. Returns 0 or -1. */
int baseline_measure(bench_t *self);

#endif
