/*  ingest_cost - the CPU a city spends on each report it ingests, without
    the network and without evaluation: the city's own ingest_examine on
    every message, then citydb_accept of each batch in one LMDB transaction
    (fsync at commit), as the daemon's loop does between receiving and
    acknowledging.

        ingest_cost --csv FILE --unit CODE --data DIR [--mode revisions|periods]
                    [--reports N] [--batch B]

    revisions   the first report of --csv at a new revision each time
    periods     that report for a new (period, fund) each time: every month
                from 2000-01 to last month, for resident, employee and
                maternity, then all again at the next revision

    The messages are packed before the clock starts. It prints one line:
        MODE reports N examine X us accept Y us total Z us cpu/report, W/s wall
    and exits 0; 1 when a message was refused or a commit failed (the
    figures would not be the ingest's), 2 on bad usage.
*/
#include "envelope.h"
#include "citydb.h"
#include "cityconf.h"
#include "csvimport.h"
#include "ingest.h"
#include "opts.h"
#include "report.h"
#include "fundchain.pb-c.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {
    {"csv", true, false, "a CSV file whose first report is sent"},
    {"unit", true, false, "the unit the CSV belongs to (the sender's key)"},
    {"data", true, false, "a data directory for the city's LMDB (created)"},
    {"mode", true, false, "revisions (default) or periods"},
    {"reports", true, false, "how many messages (default 20000)"},
    {"batch", true, false, "messages per transaction (default 1000)"},
    {NULL, false, false, NULL}};

typedef struct {
    cityconf_t conf;
    citydb_t *db;
    zframe_t **frames;
    size_t n, batch;
    ingest_t *in;
    report_t **accepted;
    citydb_outcome_t *outcomes;
    uint32_t *held;
    double examine_s, accept_s; //  CPU seconds
} cost_t;

static double s_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

//  Loads the first report of the CSV file as a protobuf message. NULL on error.
static Fundchain__Report *s_load(const char *csv, const char *unit, report_t **report)
{
    csvimport_result_t result = {0};
    diag_t *diag = diag_new();
    Fundchain__Report *pb = NULL;
    if (diag && csvimport_file(csv, unit, NULL, &result, diag) == 0 && result.n_reports > 0) {
        *report = result.reports[0];
        result.reports[0] = NULL;
        pb = report_to_pb(*report);
    } else if (diag)
        diag_print(diag, stderr);
    csvimport_result_clear(&result);
    diag_destroy(&diag);
    return pb;
}

//  Packs message i of the mode into a frame. periods: (month, fund) pairs
//  from 2000-01 to last month, then all again at the next revision.
static zframe_t *s_frame(Fundchain__Report *pb, const char *mode, size_t i)
{
    static const char *funds[] = {"resident", "employee", "maternity"};
    static char period[48];
    pb->revision = (uint32_t)(1000 + i);
    if (!strcmp(mode, "periods")) {
        time_t now = time(NULL);
        struct tm today;
        gmtime_r(&now, &today);
        size_t pairs = (size_t)((today.tm_year + 1900 - 2000) * 12 + today.tm_mon) * 3;
        size_t month = i % pairs / 3;
        snprintf(period, sizeof period, "%04zu-%02zu", 2000 + month / 12, month % 12 + 1);
        pb->period = period;
        pb->fund = (char *)funds[i % 3];
        pb->revision = (uint32_t)(1 + i / pairs);
    }
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = pb;
    return envelope_pack(&env);
}

//  Examines and commits messages [from, from + n). Returns 0, or -1 when
//  one was refused or the commit failed.
static int s_batch(cost_t *self, size_t from, size_t n, const char *unit)
{
    double t0 = s_cpu();
    size_t accepted = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        ingest_examine(&self->conf, self->frames[from + i], unit, &self->in[i]);
        if (self->in[i].verdict == INGEST_ACCEPT)
            self->accepted[accepted++] = self->in[i].report;
        else {
            fprintf(stderr, "ingest_cost: refused: %s\n", self->in[i].reason);
            rc = -1;
        }
    }
    double t1 = s_cpu();
    if (citydb_accept(self->db, self->accepted, accepted, (int64_t)time(NULL), self->outcomes,
                      self->held) != 0)
        rc = -1;
    for (size_t i = 0; i < n; i++)
        report_destroy(&self->in[i].report);
    double t2 = s_cpu();
    self->examine_s += t1 - t0;
    self->accept_s += t2 - t1;
    return rc;
}

//  Packs the messages and sets up the batch arrays. Returns 0 or -1.
static int s_prepare(cost_t *self, Fundchain__Report *pb, const char *mode)
{
    self->frames = calloc(self->n, sizeof *self->frames);
    self->in = calloc(self->batch, sizeof *self->in);
    self->accepted = calloc(self->batch, sizeof *self->accepted);
    self->outcomes = calloc(self->batch, sizeof *self->outcomes);
    self->held = calloc(self->batch, sizeof *self->held);
    if (!self->frames || !self->in || !self->accepted || !self->outcomes || !self->held)
        return -1;
    for (size_t i = 0; i < self->n; i++)
        if (!(self->frames[i] = s_frame(pb, mode, i)))
            return -1;
    return 0;
}

static void s_free(cost_t *self)
{
    for (size_t i = 0; self->frames && i < self->n; i++)
        zframe_destroy(&self->frames[i]);
    free(self->frames);
    free(self->in);
    free(self->accepted);
    free(self->outcomes);
    free(self->held);
    citydb_destroy(&self->db);
    cityconf_clear(&self->conf);
}

//  Runs every batch and prints the figures. Returns the exit code.
static int s_run(cost_t *self, const char *mode, const char *unit)
{
    int64_t start = zclock_usecs();
    int rc = 0;
    for (size_t from = 0; from < self->n && rc == 0; from += self->batch)
        rc = s_batch(self, from, self->n - from < self->batch ? self->n - from : self->batch, unit);
    double wall = (double)(zclock_usecs() - start) / 1e6;
    double n = (double)self->n;
    printf("%s reports %zu examine %.1f us accept %.1f us total %.1f us cpu/report, %.0f/s "
           "wall\n",
           mode, self->n, self->examine_s * 1e6 / n, self->accept_s * 1e6 / n,
           (self->examine_s + self->accept_s) * 1e6 / n, n / (wall > 0 ? wall : 1e-9));
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    zsys_init();
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    if (!opts)
        return 2;
    const char *mode = opts_get(opts, "mode") ? opts_get(opts, "mode") : "revisions";
    const char *unit = opts_get(opts, "unit");
    cost_t self = {0};
    cityconf_init(&self.conf);
    self.n = opts_get(opts, "reports") ? strtoul(opts_get(opts, "reports"), NULL, 10) : 20000;
    self.batch = opts_get(opts, "batch") ? strtoul(opts_get(opts, "batch"), NULL, 10) : 1000;
    int code = 2;
    report_t *report = NULL;
    Fundchain__Report *pb = NULL;
    if (!opts_get(opts, "csv") || !unit || strlen(unit) != 6 || !opts_get(opts, "data") ||
        (strcmp(mode, "revisions") && strcmp(mode, "periods")) || !self.n || !self.batch ||
        self.n > 10000000 || self.batch > 100000) {
        fprintf(stderr, "usage: ingest_cost --csv FILE --unit CODE --data DIR "
                        "[--mode revisions|periods] [--reports N] [--batch B]\n");
        goto done;
    }
    code = 1;
    snprintf(self.conf.city, sizeof self.conf.city, "%.4s00", unit);
    if (!(pb = s_load(opts_get(opts, "csv"), unit, &report)) ||
        !(self.db = citydb_open(opts_get(opts, "data"), self.conf.city)) ||
        s_prepare(&self, pb, mode) != 0)
        goto done;
    code = s_run(&self, mode, unit);
done:
    s_free(&self);
    report_pb_free(&pb);
    report_destroy(&report);
    opts_destroy(&opts);
    return code;
}
