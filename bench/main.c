/*  fundbench - measures the product against the hardware it runs on and
    prints ONE table (see README, "Performance"):

        fundbench [--smoke] [--only SECTION] [--soak-seconds N] [--soak-rate N] [--dir DIR] [--keep]

    Sections, in order: baseline, city, backlog, hub, latency, cost, growth,
    soak. The daemons are the ones next to this binary (build/bin); the
    data goes to a new directory under /tmp (or --dir), removed at the end
    unless --keep. --smoke runs every section in seconds at tiny sizes and
    checks only that the figures are sane (positive rates, ratios in
    (0, 10), p50 <= p99, every message answered), never a speed.

    Exit code: 0 when every figure was measured and sane, 1 when one was
    not (the table says which), 2 on bad usage.
*/
#include "backlog.h"
#include "baseline.h"
#include "bench.h"
#include "cost.h"
#include "ingest.h"
#include "latency.h"
#include "log.h"
#include "machine.h"
#include "opts.h"
#include "procs.h"
#include "soak.h"
#include <czmq.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const opt_spec_t s_specs[] = {
    {"smoke", false, false, "seconds in all, tiny sizes: checks the figures are sane"},
    {"only", true, false,
     "run one section: baseline, city, backlog, hub, latency, cost, growth, soak"},
    {"soak-seconds", true, false, "how long the soak runs (default 600)"},
    {"soak-rate", true, false,
     "the soak's load, reports/s (default a quarter of the city's measured capacity, "
     "500 with --only soak)"},
    {"dir", true, false, "where the temporary directory goes (default /tmp)"},
    {"keep", false, false, "keep the temporary directory"},
    {"help", false, false, "show this help and exit"},
    {NULL, false, false, NULL}};

#define USAGE                                                                                      \
    "fundbench [--smoke] [--only SECTION] [--soak-seconds N] [--soak-rate N] [--dir DIR] [--keep]"

//  The growth section: ingest and rank at more units a city.
static int s_growth(bench_t *self)
{
    return ingest_growth(self) | cost_growth(self);
}

typedef struct {
    const char *name;
    int (*run)(bench_t *self);
} section_t;

static const section_t s_sections[] = {{"baseline", baseline_measure},
                                       {"city", ingest_city},
                                       {"backlog", backlog_measure},
                                       {"hub", ingest_hub},
                                       {"latency", latency_measure},
                                       {"cost", cost_measure},
                                       {"growth", s_growth},
                                       {"soak", soak_measure},
                                       {NULL, NULL}};

//  Finds the directory of this binary. Returns a heap string or NULL.
static char *s_bin_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    return strdup(dirname(exe));
}

//  Makes the run's directory, its keys directory and the template report.
static int s_setup(bench_t *self, const char *parent)
{
    char *tmpl = NULL;
    if (asprintf(&tmpl, "%s/fundbench-XXXXXX", parent) < 0)
        return -1;
    self->dir = mkdtemp(tmpl);
    if (!self->dir) {
        fprintf(stderr, "bench: cannot make a directory in %s\n", parent);
        free(tmpl);
        return -1;
    }
    self->keys = bench_path(self, "keys");
    char *csv = bench_path(self, "template.csv");
    int rc = mkdir(self->keys, 0700) == 0 && bench_gen_csv(self, "510400", 1, csv) == 0 &&
                     (self->msgs = msgs_new(csv))
                 ? 0
                 : -1;
    free(csv);
    return rc;
}

//  Runs the sections asked for. Returns 0, or -1 when --only names none.
static int s_run(bench_t *self, const char *only)
{
    bool found = false;
    for (const section_t *s = s_sections; s->name; s++) {
        if (only && strcmp(only, s->name))
            continue;
        found = true;
        bool needs_baseline = strcmp(s->name, "baseline") && strcmp(s->name, "cost");
        if (needs_baseline && !self->baseline && baseline_measure(self) != 0)
            continue;
        fprintf(stderr, "bench: %s ...\n", s->name);
        s->run(self);
    }
    if (!found)
        fprintf(stderr, "bench: --only: no section %s\n", only);
    return found ? 0 : -1;
}

//  Writes the header lines that say what was measured.
static void s_describe(bench_t *self)
{
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    results_header(self->results, "fundchain %s benchmark%s, %s", FUNDCHAIN_VERSION,
                   self->smoke ? " (smoke: sizes too small to mean anything)" : "", when);
    machine_describe(self->results, self->dir);
    results_header(self->results, "report message: %zu bytes (a real Report envelope, %zu items)",
                   msgs_report_size(self->msgs), msgs_report(self->msgs)->n_items);
}

int main(int argc, char **argv)
{
    zsys_init();
    zsys_set_logstream(NULL);
    log_setup("fundbench", LOGL_WARN);
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    if (!opts) {
        fprintf(stderr, "fundbench: try 'fundbench --help'\n");
        return 2;
    }
    if (opts_has(opts, "help")) {
        opts_usage(s_specs, USAGE, stdout);
        opts_destroy(&opts);
        return 0;
    }
    bench_t self = {.smoke = opts_has(opts, "smoke"),
                    .keep = opts_has(opts, "keep"),
                    .src = BENCH_SOURCE_DIR,
                    .bin = NULL,
                    .results = results_new()};
    long soak = self.smoke ? 3 : 600, rate = 0;
    if (opts_number(opts, "soak-seconds", 1, 86400, &soak) != 0 ||
        opts_number(opts, "soak-rate", 1, 1000000, &rate) != 0) {
        results_destroy(&self.results);
        opts_destroy(&opts);
        return 2;
    }
    self.soak_seconds = (int)soak;
    self.soak_rate = (double)rate;
    char *bin = s_bin_dir();
    self.bin = bin;
    int code = 2;
    if (self.soak_seconds > 0 && bin && self.results &&
        s_setup(&self, opts_get(opts, "dir") ? opts_get(opts, "dir") : "/tmp") == 0) {
        s_describe(&self);
        int64_t t0 = bench_now_us();
        code = s_run(&self, opts_get(opts, "only")) == 0 ? (self.failures ? 1 : 0) : 2;
        results_header(self.results, "run: %.0f s%s", (double)(bench_now_us() - t0) / 1e6,
                       self.failures ? "; some figures failed (FAIL lines above)" : "");
        results_print(self.results, stdout);
    }
    procs_cleanup();
    if (self.dir && !self.keep) {
        char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf '%s'", self.dir) >= 0 && system(cmd) != 0)
            fprintf(stderr, "bench: could not remove %s\n", self.dir);
        free(cmd);
    } else if (self.dir)
        fprintf(stderr, "bench: kept %s\n", self.dir);
    msgs_destroy(&self.msgs);
    results_destroy(&self.results);
    free(self.keys);
    free(self.dir);
    free(bin);
    opts_destroy(&opts);
    return code;
}
