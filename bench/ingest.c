/*  ingest - the ingest figures (see ingest.h). Every measure starts fresh
    daemons in new directories. A daemon that does not start, or answers
    that are missing or refused, fail the measure (bench_fail) and the run
    goes on with the next.
*/
#include "ingest.h"
#include "daemons.h"
#include "feed.h"
#include "peers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INGEST_CITY "510400"

//  The common settings of a timed run against a receiver.
static peers_cfg_t s_cfg(bench_t *self, const daemon_t *d, char (*codes)[8], size_t n,
                         peers_load_t load)
{
    static char pub[600];
    char *p = bench_pub(self, d->code);
    snprintf(pub, sizeof pub, "%s", p);
    free(p);
    return (peers_cfg_t){.endpoint = d->endpoint,
                         .server_pub = pub,
                         .keys = self->keys,
                         .codes = codes,
                         .n = n,
                         .load = load,
                         .msgs = self->msgs,
                         .seconds = self->smoke ? 1.5 : 10,
                         .max_msgs = self->smoke ? 400 : 1000000};
}

//  Checks that every message was answered and accepted. Returns 0 or -1.
static int s_accounted(bench_t *self, const char *what, const peers_result_t *r)
{
    if (r->missing == 0 && r->rejected == 0 && r->acked == r->sent && r->rate > 0)
        return 0;
    bench_fail(self, "%s: sent %ld, acked %ld, rejected %ld (%s), missing %ld", what, r->sent,
               r->acked, r->rejected, r->reason, r->missing);
    return -1;
}

//  One city run: n peers of one workload. Returns 0 or -1.
static int s_city_run(bench_t *self, peers_load_t load, size_t n)
{
    char(*codes)[8] = calloc(n, 8);
    bench_city_units(INGEST_CITY, codes, n);
    char what[128];
    snprintf(what, sizeof what, "city %s, %zu peer%s", peers_load_name(load), n, n > 1 ? "s" : "");
    daemon_t city;
    int rc = daemons_city(self, INGEST_CITY, codes, n, NULL, &city);
    feed_t *feed = rc == 0 ? feed_new(city.pub) : NULL;
    peers_cfg_t cfg = s_cfg(self, &city, codes, n, load);
    peers_result_t r = {0};
    if (feed && peers_run(&cfg, &r) == 0 && s_accounted(self, what, &r) == 0) {
        double lag = feed_lag(feed, r.last_ack_us, self->smoke ? 1000 : 3000, 60000);
        char note[96], target[64];
        snprintf(note, sizeof note, "%ld reports in %.1f s", r.acked, r.seconds);
        double ratio = bench_ratio(self, r.rate, what);
        bench_verdict(target, sizeof target, n >= 10 ? ">= 0.50, lag < 2 s" : "lag < 2 s",
                      (n < 10 || ratio >= 0.5) && lag < 2);
        results_add(self->results, "city", what + 5, r.rate, "rep/s", ratio, lag, target, note);
        if (load == PEERS_REVISIONS && n == 10)
            self->city_capacity = r.rate;
    } else {
        if (rc == 0 && !r.sent)
            bench_fail(self, "%s: no run (see %s)", what, city.log);
        rc = -1;
    }
    feed_destroy(&feed);
    daemons_stop(&city);
    free(codes);
    return rc;
}

int ingest_city(bench_t *self)
{
    static const size_t full[] = {1, 10, 100}, smoke[] = {1, 10};
    const size_t *sizes = self->smoke ? smoke : full;
    size_t n_sizes = self->smoke ? 2 : 3;
    int rc = 0;
    for (int load = PEERS_REVISIONS; load <= PEERS_PERIODS; load++)
        for (size_t i = 0; i < n_sizes; i++)
            rc |= s_city_run(self, (peers_load_t)load, sizes[i]);
    return rc;
}

//  One hub run: n cities sending evaluations. Returns 0 or -1.
static int s_hub_run(bench_t *self, size_t n)
{
    char(*cities)[8] = calloc(n, 8);
    for (size_t i = 0; i < n; i++)
        snprintf(cities[i], 8, "51%02zu00", i + 1);
    char what[64];
    snprintf(what, sizeof what, "hub evaluations, %zu cit%s", n, n > 1 ? "ies" : "y");
    daemon_t hub;
    int rc = daemons_hub(self, cities, n, &hub);
    peers_cfg_t cfg = s_cfg(self, &hub, cities, n, PEERS_EVALS);
    peers_result_t r = {0};
    if (rc == 0 && peers_run(&cfg, &r) == 0 && s_accounted(self, what, &r) == 0) {
        char note[96], target[32];
        snprintf(note, sizeof note, "%ld evaluations in %.1f s; stored before the ack", r.acked,
                 r.seconds);
        double ratio = bench_ratio(self, r.rate, what);
        results_add(self->results, "hub", what + 4, r.rate, "eval/s", ratio, NAN,
                    bench_verdict(target, sizeof target, ">= 0.50", ratio >= 0.5), note);
    } else
        rc = -1;
    daemons_stop(&hub);
    free(cities);
    return rc;
}

int ingest_hub(bench_t *self)
{
    return s_hub_run(self, 1) | s_hub_run(self, 10);
}

//  One growth run: n units report the pair, then one peer sends revisions.
static int s_growth_run(bench_t *self, size_t n)
{
    char(*codes)[8] = calloc(n, 8);
    bench_city_units(INGEST_CITY, codes, n);
    char what[96];
    snprintf(what, sizeof what, "city revisions, 1 peer, %zu units in the pair", n);
    daemon_t city;
    int rc = daemons_city(self, INGEST_CITY, codes, n, NULL, &city);
    peers_cfg_t fill = s_cfg(self, &city, codes, n, PEERS_REVISIONS);
    fill.max_msgs = 1;
    peers_cfg_t cfg = s_cfg(self, &city, codes + 1, 1, PEERS_REVISIONS);
    cfg.first_revision = 100000;
    peers_result_t r0 = {0}, r = {0};
    if (rc == 0 && peers_run(&fill, &r0) == 0 && peers_run(&cfg, &r) == 0 &&
        s_accounted(self, what, &r) == 0) {
        char note[96];
        snprintf(note, sizeof note, "%ld reports in %.1f s", r.acked, r.seconds);
        results_add(self->results, "growth", what, r.rate, "rep/s", bench_ratio(self, r.rate, what),
                    NAN, NULL, note);
    } else
        rc = -1;
    daemons_stop(&city);
    free(codes);
    return rc;
}

int ingest_growth(bench_t *self)
{
    int rc = s_growth_run(self, 10);
    if (!self->smoke)
        rc |= s_growth_run(self, 100);
    results_note(self->results, "growth", "city ingest, 1,000 units in the pair",
                 "cannot exist: a city has at most 100 unit codes (PPCC00-PPCC99)");
    return rc;
}
