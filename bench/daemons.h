/*  daemons - the product's three daemons as the bench runs them: a city
    aggregator with its units, keys and allow directory (optionally linked
    to a hub), a province hub allowing some cities, and county agents;
    each a real process started from the bench's bin directory, with its
    log in the run's directory.
*/
#ifndef DAEMONS_H_INCLUDED
#define DAEMONS_H_INCLUDED

#include "bench.h"
#include <sys/types.h>

typedef struct {
    char code[8];
    char *data;     //  data directory
    char *endpoint; //  where peers connect
    char *pub;      //  city: the plain-text loopback feed
    char *log;
    pid_t pid;
} daemon_t;

/* Starts a city with units codes[0..n) (keys made, allowed, listed in its
   units file), sending to hub when not NULL. Returns 0, or -1 (message on
   stderr and *out cleared). */
int daemons_city(bench_t *self, const char *city, char (*codes)[8], size_t n, const daemon_t *hub,
                 daemon_t *out);

/* Starts a province hub (510000) allowing cities[0..n). Returns 0 or -1. */
int daemons_hub(bench_t *self, char (*cities)[8], size_t n, daemon_t *out);

/* Prepares an agent of unit (its key and data directory, no process yet).
   Returns 0 or -1. */
int daemons_agent_prepare(bench_t *self, const char *unit, daemon_t *out);

/* Starts a prepared agent's `county-agent run`. Returns 0 or -1. */
int daemons_agent_run(bench_t *self, const daemon_t *city, daemon_t *agent);

/* Runs `county-agent submit` of csv on a prepared agent. Returns its exit code. */
int daemons_submit(bench_t *self, const daemon_t *agent, const char *csv);

/* Stops a daemon (SIGTERM, then SIGKILL) and frees its strings. Returns
   its exit code, or -1 when it was not running. */
int daemons_stop(daemon_t *self);

#endif
