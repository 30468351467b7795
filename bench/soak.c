/*  soak - RSS over a soak (see soak.h). A daemon that dies during the soak,
    a failed submit or a load that is refused fails the measure.
*/
#include "soak.h"
#include "daemons.h"
#include "peers.h"
#include "procs.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOAK_CITY "510400"
#define SOAK_UNIT "510401"
#define SOAK_PEERS 10
#define SOAK_SUBMIT_MS 5000
#define SOAK_SLACK_KB 512 //  RssAnon may grow this much, or 10 %, warm -> end
#define SOAK_SAMPLES 10   //  readings of each measure; the least is kept
#define SOAK_SAMPLE_MS 200

typedef struct {
    daemon_t hub, city, agent;
    long rss0[3], anon0[3]; //  at the start of the load
    long rssw[3], anonw[3]; //  after its first tenth (warm)
} soak_t;

//  Reads the three daemons' memory into rss and anon: the least of
//  SOAK_SAMPLES readings SOAK_SAMPLE_MS apart, so that a transient peak
//  (a queue that fills while a daemon waits for the CPU, then drains) is
//  not taken for growth; what a leak holds stays in every reading.
static void s_read(soak_t *self, long *rss, long *anon)
{
    pid_t pids[3] = {self->hub.pid, self->city.pid, self->agent.pid};
    for (int i = 0; i < 3; i++)
        rss[i] = anon[i] = LONG_MAX;
    for (int k = 0; k < SOAK_SAMPLES; k++) {
        if (k)
            bench_sleep_ms(SOAK_SAMPLE_MS);
        for (int i = 0; i < 3; i++) {
            long r = procs_status_kb(pids[i], "VmRSS"), a = procs_status_kb(pids[i], "RssAnon");
            rss[i] = r < rss[i] ? r : rss[i];
            anon[i] = a < anon[i] ? a : anon[i];
        }
    }
}

//  Runs the load for the soak's time. Returns 0 or -1.
static int s_load(bench_t *bench, soak_t *self, char (*codes)[8], const char *csv, double rate)
{
    char *pub = bench_pub(bench, SOAK_CITY);
    peers_cfg_t cfg = {.endpoint = self->city.endpoint,
                       .server_pub = pub,
                       .keys = bench->keys,
                       .codes = codes,
                       .n = SOAK_PEERS,
                       .load = PEERS_REVISIONS,
                       .msgs = bench->msgs,
                       .rate = rate};
    peers_t *load = peers_start(&cfg);
    int rc = load ? 0 : -1;
    int64_t end = bench_now_us() + (int64_t)bench->soak_seconds * 1000000;
    int64_t warm = end - (int64_t)bench->soak_seconds * 900000;
    bool warmed = false;
    while (rc == 0 && bench_now_us() < end) {
        if (!warmed && bench_now_us() >= warm) {
            s_read(self, self->rssw, self->anonw);
            warmed = true;
        }
        rc = daemons_submit(bench, &self->agent, csv) == 0 ? 0 : -1;
        for (int64_t t = bench_now_us() + SOAK_SUBMIT_MS * 1000LL;
             bench_now_us() < t && bench_now_us() < end && (warmed || bench_now_us() < warm);)
            bench_sleep_ms(100);
        if (!procs_alive(self->hub.pid) || !procs_alive(self->city.pid) ||
            !procs_alive(self->agent.pid))
            rc = -1;
    }
    peers_result_t r = {0};
    if (load && (peers_stop(&load, &r) != 0 || r.rejected || r.missing))
        rc = -1;
    if (rc != 0)
        bench_fail(bench,
                   "soak: a daemon died, a submit failed or the load was refused (%ld "
                   "sent, %ld acked, %ld missing)",
                   r.sent, r.acked, r.missing);
    free(pub);
    return rc;
}

//  Adds one row a daemon.
static void s_rows(bench_t *bench, soak_t *self, double rate)
{
    static const char *names[] = {"province-hub", "city-aggregator", "county-agent"};
    long rss[3], anon[3];
    s_read(self, rss, anon);
    for (int i = 0; i < 3; i++) {
        char what[96], note[200];
        snprintf(what, sizeof what, "%s VmRSS after %d s", names[i], bench->soak_seconds);
        snprintf(note, sizeof note,
                 "start %.1f, warm %.1f MiB; RssAnon %.1f, %.1f -> %.1f MiB; load %.0f rep/s",
                 self->rss0[i] / 1024.0, self->rssw[i] / 1024.0, self->anon0[i] / 1024.0,
                 self->anonw[i] / 1024.0, anon[i] / 1024.0, rate);
        long grown = anon[i] - self->anonw[i];
        char target[48];
        bench_verdict(target, sizeof target, "no growth",
                      grown <= SOAK_SLACK_KB || grown * 10 <= self->anonw[i]);
        results_add(bench->results, "soak", what, rss[i] / 1024.0, "MiB", NAN, NAN, target, note);
        if (rss[i] <= 0)
            bench_fail(bench, "soak: no VmRSS for %s", names[i]);
    }
}

int soak_measure(bench_t *self)
{
    char codes[1 + SOAK_PEERS][8], cities[1][8] = {SOAK_CITY};
    snprintf(codes[0], 8, "%s", SOAK_UNIT);
    for (int i = 0; i < SOAK_PEERS; i++)
        snprintf(codes[1 + i], 8, "5104%02d", 20 + i);
    soak_t soak;
    memset(&soak, 0, sizeof soak);
    char *csv = bench_path(self, "soak.csv");
    int rc =
        bench_gen_csv(self, SOAK_UNIT, 1, csv) == 0 &&
                daemons_hub(self, cities, 1, &soak.hub) == 0 &&
                daemons_city(self, SOAK_CITY, codes, 1 + SOAK_PEERS, &soak.hub, &soak.city) == 0 &&
                daemons_agent_prepare(self, SOAK_UNIT, &soak.agent) == 0 &&
                daemons_agent_run(self, &soak.city, &soak.agent) == 0
            ? 0
            : -1;
    double rate = self->soak_rate > 0       ? self->soak_rate
                  : self->city_capacity > 0 ? self->city_capacity / 4
                                            : 500;
    if (rc == 0) {
        bench_sleep_ms(1000);
        s_read(&soak, soak.rss0, soak.anon0);
        if ((rc = s_load(self, &soak, codes + 1, csv, rate)) == 0)
            s_rows(self, &soak, rate);
    } else
        bench_fail(self, "soak: the chain did not start");
    daemons_stop(&soak.agent), daemons_stop(&soak.city), daemons_stop(&soak.hub);
    free(csv);
    return rc;
}
