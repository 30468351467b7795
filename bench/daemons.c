/*  daemons - the product's daemons (see daemons.h). Keys come from
    bench_key (libfund's keys_generate, as `county-agent keygen` makes
    them); ports are free loopback ports. A daemon that exits at once is
    reported with the end of its log.
*/
#include "daemons.h"
#include "procs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAEMONS_START_MS 300 //  a daemon that lives this long has started

//  Frees a daemon's strings and clears it.
static void s_clear(daemon_t *self)
{
    free(self->data), free(self->endpoint), free(self->pub), free(self->log);
    memset(self, 0, sizeof *self);
    self->pid = -1;
}

//  Starts argv and checks that it keeps running. Returns 0 or -1.
static int s_start(bench_t *bench, daemon_t *self, const char *const *argv)
{
    self->pid = procs_spawn(bench->bin, argv, self->log);
    bench_sleep_ms(DAEMONS_START_MS);
    if (self->pid > 0 && procs_alive(self->pid))
        return 0;
    fprintf(stderr, "bench: %s %s did not start; see %s\n", argv[0], self->code, self->log);
    s_clear(self);
    return -1;
}

//  Writes a units file "code,name" of codes. Returns its path or NULL.
static char *s_units(bench_t *bench, char (*codes)[8], size_t n)
{
    char *path = bench_path(bench, "units-%d.csv", bench_seq(bench));
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "code,name\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s,单位%s\n", codes[i], codes[i]);
    }
    if (!f || fclose(f) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

int daemons_city(bench_t *self, const char *city, char (*codes)[8], size_t n, const daemon_t *hub,
                 daemon_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->code, sizeof out->code, "%s", city);
    int seq = bench_seq(self);
    out->data = bench_path(self, "city-%s-%d", city, seq);
    out->log = bench_path(self, "city-%s-%d.log", city, seq);
    out->endpoint = bench_endpoint();
    out->pub = bench_endpoint();
    char *key = bench_key(self, city), *allow = bench_allow(self, codes, n);
    char *units = s_units(self, codes, n), *hub_pub = hub ? bench_pub(self, hub->code) : NULL;
    int rc = -1;
    if (key && allow && units) {
        const char *argv[] = {"city-aggregator",
                              "run",
                              "--city",
                              city,
                              "--name",
                              "基准市",
                              "--data",
                              out->data,
                              "--bind",
                              out->endpoint,
                              "--pub",
                              out->pub,
                              "--key",
                              key,
                              "--allow",
                              allow,
                              "--units",
                              units,
                              hub ? "--province" : NULL,
                              hub ? hub->endpoint : NULL,
                              "--province-pub",
                              hub_pub,
                              NULL};
        rc = s_start(self, out, argv);
    } else
        s_clear(out);
    free(key), free(allow), free(units), free(hub_pub);
    return rc;
}

int daemons_hub(bench_t *self, char (*cities)[8], size_t n, daemon_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->code, sizeof out->code, "510000");
    int seq = bench_seq(self);
    out->data = bench_path(self, "hub-%d", seq);
    out->log = bench_path(self, "hub-%d.log", seq);
    out->endpoint = bench_endpoint();
    char *query = bench_endpoint();
    char *key = bench_key(self, out->code), *allow = bench_allow(self, cities, n);
    int rc = -1;
    if (key && allow) {
        const char *argv[] = {"province-hub", "run",    "--province", out->code, "--name",
                              "四川省",       "--data", out->data,    "--bind",  out->endpoint,
                              "--query-bind", query,    "--key",      key,       "--allow",
                              allow,          NULL};
        rc = s_start(self, out, argv);
    } else
        s_clear(out);
    free(query), free(key), free(allow);
    return rc;
}

int daemons_agent_prepare(bench_t *self, const char *unit, daemon_t *out)
{
    memset(out, 0, sizeof *out);
    out->pid = -1;
    snprintf(out->code, sizeof out->code, "%s", unit);
    int seq = bench_seq(self);
    out->data = bench_path(self, "agent-%s-%d", unit, seq);
    out->log = bench_path(self, "agent-%s-%d.log", unit, seq);
    char *key = bench_key(self, unit);
    free(key);
    return key ? 0 : -1;
}

int daemons_agent_run(bench_t *self, const daemon_t *city, daemon_t *agent)
{
    char *key = bench_key(self, agent->code), *city_pub = bench_pub(self, city->code);
    const char *argv[] = {
        "county-agent", "run",        "--unit", agent->code, "--data", agent->data, "--city",
        city->endpoint, "--city-pub", city_pub, "--key",     key,      NULL};
    agent->pid = procs_spawn(self->bin, argv, agent->log);
    free(key), free(city_pub);
    return agent->pid > 0 ? 0 : -1;
}

int daemons_submit(bench_t *self, const daemon_t *agent, const char *csv)
{
    const char *argv[] = {"county-agent", "submit",    "--unit", agent->code,
                          "--data",       agent->data, csv,      NULL};
    return procs_run(self->bin, argv, NULL, 0, agent->log);
}

int daemons_stop(daemon_t *self)
{
    int rc = self->pid > 0 ? procs_stop(self->pid, 20) : -1;
    s_clear(self);
    return rc;
}
