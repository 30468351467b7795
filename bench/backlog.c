/*  backlog - the drain after an outage (see backlog.h). The agents'
    outboxes are read, read-only, with the agent's own module (agentdb,
    outbox) while the agents run. An agent that cannot be prepared, a
    submit that fails, or a drain that does not end in time fails the
    measure (bench_fail).
*/
#include "backlog.h"
#include "agentdb.h"
#include "daemons.h"
#include "feed.h"
#include "outbox.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKLOG_CITY "510400"
#define BACKLOG_POLL_MS 100

typedef struct {
    size_t n;
    int years; //  of monthly reports, 4 funds: reports = years x 12
    daemon_t city;
    daemon_t *agents;
    agentdb_t **dbs;
    long reports, acked, pending;
} drain_t;

//  Counts one entry: pending, or acknowledged.
static int s_count(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    (void)key;
    drain_t *self = arg;
    self->pending += entry->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED ||
                     entry->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT;
    self->acked += entry->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED;
    return 0;
}

//  Counts the entries of every outbox (pending_only: the pending ones).
static int s_scan(drain_t *self, bool pending_only)
{
    self->pending = self->acked = 0;
    for (size_t i = 0; i < self->n; i++)
        if (outbox_each(agentdb_store(self->dbs[i]), pending_only, s_count, self) != 0)
            return -1;
    return 0;
}

//  Queues each agent's reports while no city runs. Returns 0 or -1.
static int s_queue(bench_t *bench, drain_t *self, char (*codes)[8])
{
    for (size_t i = 0; i < self->n; i++) {
        char *csv = bench_path(bench, "backlog-%s.csv", codes[i]);
        int rc = daemons_agent_prepare(bench, codes[i], &self->agents[i]) == 0 &&
                         bench_gen_csv(bench, codes[i], self->years, csv) == 0 &&
                         daemons_submit(bench, &self->agents[i], csv) == 0
                     ? 0
                     : -1;
        free(csv);
        if (rc != 0 || !(self->dbs[i] = agentdb_open(self->agents[i].data, NULL))) {
            bench_fail(bench, "backlog: cannot queue the reports of %s (see %s)", codes[i],
                       self->agents[i].log);
            return -1;
        }
        self->reports += self->years * 12;
    }
    return 0;
}

//  Starts the agents and waits until every outbox is drained. Returns the
//  seconds it took, or -1.
static double s_drain(bench_t *bench, drain_t *self)
{
    int64_t t0 = bench_now_us();
    for (size_t i = 0; i < self->n; i++)
        if (daemons_agent_run(bench, &self->city, &self->agents[i]) != 0)
            return -1;
    int64_t end = t0 + (bench->smoke ? 60 : 1800) * 1000000LL;
    while (bench_now_us() < end) {
        if (s_scan(self, true) != 0)
            return -1;
        if (self->pending == 0)
            return (double)(bench_now_us() - t0) / 1e6;
        bench_sleep_ms(BACKLOG_POLL_MS);
    }
    bench_fail(bench, "backlog: %ld reports still pending after the timeout", self->pending);
    return -1;
}

//  Adds the row of a drain.
static void s_row(bench_t *bench, drain_t *self, double seconds, double lag)
{
    char what[64], note[160];
    snprintf(what, sizeof what, "backlog, %zu agent%s x %d reports", self->n,
             self->n > 1 ? "s" : "", self->years * 12);
    snprintf(note, sizeof note, "%ld reports in %.1f s from the agents' start%s", self->acked,
             seconds, self->n >= 100 ? "; 100 agent processes share the cores with the city" : "");
    double rate = self->acked / seconds, ratio = bench_ratio(bench, rate, what);
    char target[64];
    bench_verdict(target, sizeof target, self->n >= 10 ? ">= 0.50, lag < 2 s" : "lag < 2 s",
                  (self->n < 10 || ratio >= 0.5) && lag < 2);
    results_add(bench->results, "city", what, rate, "rep/s", ratio, lag, target, note);
}

//  One drain of n agents with years x 12 reports each. Returns 0 or -1.
static int s_backlog(bench_t *bench, size_t n, int years)
{
    drain_t self = {.n = n, .years = years};
    char(*codes)[8] = calloc(n, 8);
    self.agents = calloc(n, sizeof(daemon_t));
    self.dbs = calloc(n, sizeof(agentdb_t *));
    bench_city_units(BACKLOG_CITY, codes, n);
    int rc = -1;
    feed_t *feed = NULL;
    if (s_queue(bench, &self, codes) == 0 &&
        daemons_city(bench, BACKLOG_CITY, codes, n, NULL, &self.city) == 0 &&
        (feed = feed_new(self.city.pub))) {
        double seconds = s_drain(bench, &self);
        double lag =
            seconds > 0 ? feed_lag(feed, bench_now_us(), bench->smoke ? 1000 : 3000, 60000) : NAN;
        if (seconds > 0 && s_scan(&self, false) == 0 && self.acked == self.reports) {
            s_row(bench, &self, seconds, lag);
            rc = 0;
        } else if (seconds > 0)
            bench_fail(bench, "backlog: %ld of %ld reports acknowledged", self.acked, self.reports);
    }
    feed_destroy(&feed);
    for (size_t i = 0; i < n; i++) {
        agentdb_destroy(&self.dbs[i]);
        daemons_stop(&self.agents[i]);
    }
    daemons_stop(&self.city);
    free(self.agents), free(self.dbs), free(codes);
    return rc;
}

int backlog_measure(bench_t *self)
{
    if (self->smoke)
        return s_backlog(self, 2, 2);
    //  The reference figure: 10 agents x 1,836 reports (153 years of months).
    int rc = s_backlog(self, 1, 153);
    rc |= s_backlog(self, 10, 153);
    rc |= s_backlog(self, 100, 15);
    return rc;
}
