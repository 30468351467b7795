/*  bench - what every section of the benchmark shares: the options of the
    run, its temporary directory, the report message it sends, the table
    it fills and the figures later sections need (the baseline, the city's
    capacity).

    A section that cannot run (a daemon does not start, acknowledgements
    are missing) records the problem with bench_fail: the run goes on, the
    problem is printed under the table, and the program exits 1.
*/
#ifndef BENCH_H_INCLUDED
#define BENCH_H_INCLUDED

#include "msgs.h"
#include "results.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *bin; //  the directory of the daemons (next to the bench binary)
    const char *src; //  bench/ in the source tree (gen-monthly.py)
    char *dir;       //  the run's temporary directory
    char *keys;      //  dir/keys: every key pair, made on demand
    bool smoke;      //  seconds in all, tiny sizes, sanity checks
    bool keep;       //  keep dir at the end
    int soak_seconds;
    double soak_rate; //  --soak-rate, reports/s; 0: from the city's capacity
    results_t *results;
    msgs_t *msgs;
    double baseline;      //  acknowledged messages/s of the raw baseline, 0 until measured
    double city_capacity; //  city revisions at 10 peers, reports/s, 0 until measured
    int failures;
    int seq; //  makes names unique within the run
} bench_t;

/* Makes a path under the run's directory from a format; a unique number
   replaces nothing, callers add bench_seq() themselves. Returns a heap
   string (never NULL: aborts when out of memory). */
char *bench_path(bench_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the next number of the run (1, 2, ...). */
int bench_seq(bench_t *self);

/* Records that a figure could not be measured or is not sane. */
void bench_fail(bench_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes sure a key pair for code exists in self->keys; returns the path of
   its .key (heap) or NULL on failure (message on stderr). */
char *bench_key(bench_t *self, const char *code);

/* Returns the path (heap) of code's public key in self->keys. */
char *bench_pub(bench_t *self, const char *code);

/* Makes a fresh allow directory holding the public keys of codes. Returns
   its path (heap), or NULL on failure. */
char *bench_allow(bench_t *self, char (*codes)[8], size_t n);

/* Returns rate / self->baseline (NAN before the baseline is measured); a
   ratio outside (0, 10) is not sane and fails the run (bench_fail). */
double bench_ratio(bench_t *self, double rate, const char *what);

/* Writes "TARGET met" or "TARGET MISSED" into buf; returns buf. */
const char *bench_verdict(char *buf, size_t size, const char *target, bool met);

/* Returns "tcp://127.0.0.1:PORT" (heap) for a port free right now. */
char *bench_endpoint(void);

/* Returns the monotonic clock in microseconds. */
int64_t bench_now_us(void);

/* Sleeps for ms milliseconds. */
void bench_sleep_ms(int ms);

/* Fills codes[0..n) with the unit codes of a city: the city's own code,
   then its counties PPCC01.. (n at most 100). */
void bench_city_units(const char *city, char (*codes)[8], size_t n);

/* Writes years x 12 monthly reports of unit to path with gen-monthly.py
   (resident first, from 1900-01). Returns 0 or -1. */
int bench_gen_csv(bench_t *self, const char *unit, int years, const char *path);

#endif
