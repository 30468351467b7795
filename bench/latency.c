/*  latency - submit -> hub (see latency.h). Each sample submits a report of
    a (period, fund) the chain has never seen, so that its arrival at the
    hub is unambiguous. A sample that does not reach the hub within 30 s
    fails the measure (bench_fail).
*/
#include "latency.h"
#include "daemons.h"
#include "hubdb.h"
#include "evaluation.h"
#include "peers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LATENCY_CITY "510400"
#define LATENCY_UNIT "510401"
#define LATENCY_LOAD_PEERS 10
#define LATENCY_TIMEOUT_US 30000000LL
#define LATENCY_SKIP 12 //  the first months are the background load's pair

typedef struct {
    char *csv;   //  every month of the unit (gen-monthly.py)
    char *lines; //  its text
    daemon_t hub, city, agent;
    hubdb_t *db;
    int sample;
} chain_t;

//  Writes the header and the rows of the n-th report of the CSV to path,
//  and its period and fund. Returns 0 or -1.
static int s_sample_csv(chain_t *self, int n, const char *path, char *period, char *fund)
{
    char *line = strchr(self->lines, '\n');
    FILE *f = line ? fopen(path, "w") : NULL;
    if (!f)
        return -1;
    fprintf(f, "%.*s\n", (int)(line - self->lines), self->lines);
    char prev[64] = "";
    int group = -1;
    for (char *p = line + 1; *p && group <= n;) {
        char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char key[64]; //  unit,period,fund,
        int commas = 0;
        size_t k = 0;
        while (k < len && k < sizeof key - 1 && commas < 3)
            commas += (key[k] = p[k]) == ',', k++;
        key[k] = 0;
        if (strcmp(key, prev))
            group++, snprintf(prev, sizeof prev, "%s", key);
        if (group == n) {
            fprintf(f, "%.*s\n", (int)len, p);
            sscanf(key, "%*[^,],%15[^,],%15[^,]", period, fund);
        }
        p = end ? end + 1 : p + len;
    }
    return fclose(f) == 0 && group >= n ? 0 : -1;
}

//  Submits one new report; returns the microseconds to the hub, or -1.
static int64_t s_sample(bench_t *bench, chain_t *self)
{
    char *path = bench_path(bench, "latency-%d.csv", self->sample);
    char period[16] = "", fund[16] = "";
    int rc = s_sample_csv(self, LATENCY_SKIP + self->sample++, path, period, fund);
    rc = rc == 0 ? daemons_submit(bench, &self->agent, path) : -1;
    free(path);
    if (rc != 0)
        return -1;
    int64_t t0 = bench_now_us();
    while (bench_now_us() - t0 < LATENCY_TIMEOUT_US) {
        Fundchain__Evaluation *eval =
            hubdb_get(self->db, period, fund, FUNDCHAIN__EVALUATION__LEVEL__UNIT, LATENCY_UNIT);
        evaluation_free(eval);
        if (eval)
            return bench_now_us() - t0;
        bench_sleep_ms(2);
    }
    return -1;
}

//  Compares two latencies for qsort.
static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

//  Takes n samples and adds the p50 and p99 rows. Returns 0 or -1.
static int s_percentiles(bench_t *bench, chain_t *self, int n, const char *when, double limit_ms,
                         const char *note)
{
    int64_t *v = calloc((size_t)n, sizeof(int64_t));
    for (int i = 0; v && i < n; i++) {
        if ((v[i] = s_sample(bench, self)) < 0) {
            bench_fail(bench, "latency (%s): sample %d never reached the hub", when, i);
            free(v);
            return -1;
        }
        bench_sleep_ms(50);
    }
    qsort(v, (size_t)n, sizeof(int64_t), s_cmp);
    double p50 = (double)v[(n - 1) / 2] / 1000.0, p99 = (double)v[(99 * n + 99) / 100 - 1] / 1000.0;
    free(v);
    char what[64];
    snprintf(what, sizeof what, "submit->hub p50, %s", when);
    results_add(bench->results, "latency", what, p50, "ms", NAN, NAN, NULL, note);
    snprintf(what, sizeof what, "submit->hub p99, %s", when);
    char target[48], limit[24];
    snprintf(limit, sizeof limit, "< %.0f ms", limit_ms);
    results_add(bench->results, "latency", what, p99, "ms", NAN, NAN,
                limit_ms > 0 ? bench_verdict(target, sizeof target, limit, p99 < limit_ms) : NULL,
                note);
    if (p50 > p99 || p50 <= 0)
        bench_fail(bench, "latency (%s): p50 %.1f ms, p99 %.1f ms", when, p50, p99);
    return p50 > 0 && p50 <= p99 ? 0 : -1;
}

//  The background load: half the city's capacity from in-process peers.
static peers_t *s_load(bench_t *bench, chain_t *self, char (*codes)[8], char *pub, double rate)
{
    peers_cfg_t cfg = {.endpoint = self->city.endpoint,
                       .server_pub = pub,
                       .keys = bench->keys,
                       .codes = codes,
                       .n = LATENCY_LOAD_PEERS,
                       .load = PEERS_REVISIONS,
                       .msgs = bench->msgs,
                       .rate = rate};
    return peers_start(&cfg);
}

//  Measures with a running chain. Returns 0 or -1.
static int s_measure(bench_t *bench, chain_t *self, char (*codes)[8])
{
    int n = bench->smoke ? 4 : 50;
    int rc = s_percentiles(bench, self, n, "idle", 300, "one agent, no other load");
    double capacity = bench->city_capacity;
    char *pub = bench_pub(bench, LATENCY_CITY);
    if (capacity <= 0) { //  --only latency: measure it on this city
        peers_cfg_t cfg = {.endpoint = self->city.endpoint,
                           .server_pub = pub,
                           .keys = bench->keys,
                           .codes = codes,
                           .n = LATENCY_LOAD_PEERS,
                           .load = PEERS_REVISIONS,
                           .msgs = bench->msgs,
                           .seconds = bench->smoke ? 1 : 5,
                           .first_revision = 10000000};
        peers_result_t r = {0};
        capacity = peers_run(&cfg, &r) == 0 ? r.rate : 0;
    }
    peers_t *load = capacity > 0 ? s_load(bench, self, codes, pub, capacity / 2) : NULL;
    char note[96];
    snprintf(note, sizeof note, "background %.0f rep/s (half the city's capacity)", capacity / 2);
    rc |= load ? s_percentiles(bench, self, n, "half load", 0, note) : -1;
    peers_result_t r = {0};
    if (load && (peers_stop(&load, &r) != 0 || r.rejected || r.missing))
        bench_fail(bench, "latency: background load: %ld sent, %ld acked, %ld missing (%s)", r.sent,
                   r.acked, r.missing, r.reason);
    free(pub);
    return rc;
}

int latency_measure(bench_t *self)
{
    char codes[1 + LATENCY_LOAD_PEERS][8], cities[1][8] = {LATENCY_CITY};
    snprintf(codes[0], 8, "%s", LATENCY_UNIT);
    for (int i = 0; i < LATENCY_LOAD_PEERS; i++)
        snprintf(codes[1 + i], 8, "5104%02d", 10 + i);
    chain_t chain = {.csv = bench_path(self, "latency.csv")};
    int years = LATENCY_SKIP / 12 + (self->smoke ? 1 : 10);
    size_t size = 0;
    int rc = bench_gen_csv(self, LATENCY_UNIT, years, chain.csv) == 0 &&
                     daemons_hub(self, cities, 1, &chain.hub) == 0 &&
                     daemons_city(self, LATENCY_CITY, codes, 1 + LATENCY_LOAD_PEERS, &chain.hub,
                                  &chain.city) == 0 &&
                     daemons_agent_prepare(self, LATENCY_UNIT, &chain.agent) == 0 &&
                     daemons_agent_run(self, &chain.city, &chain.agent) == 0 &&
                     (chain.db = hubdb_open(chain.hub.data, NULL))
                 ? 0
                 : -1;
    if (rc == 0) {
        zchunk_t *text = zchunk_slurp(chain.csv, 0);
        chain.lines = text ? zsys_sprintf("%.*s", (int)zchunk_size(text), zchunk_data(text)) : NULL;
        size = text ? zchunk_size(text) : 0;
        zchunk_destroy(&text);
        rc = size && chain.lines ? s_measure(self, &chain, codes + 1) : -1;
    } else
        bench_fail(self, "latency: the chain did not start");
    hubdb_destroy(&chain.db);
    daemons_stop(&chain.agent), daemons_stop(&chain.city), daemons_stop(&chain.hub);
    zstr_free(&chain.lines);
    free(chain.csv);
    return rc;
}
