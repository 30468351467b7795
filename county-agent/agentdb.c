/*  agentdb - the county agent's LMDB. */
#include "agentdb.h"
#include "diag.h"
#include "outbox.h"
#include "progress.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LONG_ENQUEUE 256 //  from this many reports on, progress is shown

struct _agentdb_t {
    store_t *store;
    char unit[8];
};

static const char *const s_dbs[] = {OUTBOX_DBS, "revs", "meta", NULL};
//  What an agent's store made before identity records has, and lacks.
static const char *const s_legacy_has[] = {"revs", NULL};
static const char *const s_legacy_lacks[] = {"reports", "evals", NULL};

//  Reads, or binds, the unit of the store inside a transaction.
static int s_bind_unit(store_txn_t *txn, void *arg)
{
    agentdb_t *self = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "unit", 4, &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return self->unit[0] ? store_put(txn, "meta", "unit", 4, self->unit, strlen(self->unit))
                             : 0;
    char stored[8] = "";
    if (len >= sizeof stored)
        return -1;
    memcpy(stored, val, len);
    if (self->unit[0] && strcmp(stored, self->unit)) {
        fprintf(stderr, "this data directory belongs to unit %s, not %s\n", stored, self->unit);
        return -1;
    }
    memcpy(self->unit, stored, len + 1);
    return 0;
}

//  Refuses a store made before identity records that another unit bound.
static int s_adopt(store_txn_t *txn, void *arg)
{
    agentdb_t *self = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "unit", 4, &val, &len);
    if (rc != 0 || !self->unit[0])
        return rc < 0 ? -1 : 0;
    if (len == strlen(self->unit) && !memcmp(val, self->unit, len))
        return 0;
    char text[128];
    snprintf(text, sizeof text, "this agent store belongs to %.*s, not to %s",
             (int)(len < 16 ? len : 16), (const char *)val, self->unit);
    return store_fail(txn, text);
}

//  Opens (creating) the agent's store.
agentdb_t *agentdb_open(const char *dir, const char *unit)
{
    agentdb_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->unit, sizeof self->unit, "%s", unit ? unit : "");
    const char *err = NULL;
    store_opts_t opts = {.kind = "agent",
                         .owner = unit,
                         .no_create = !unit,
                         .legacy_has = s_legacy_has,
                         .legacy_lacks = s_legacy_lacks,
                         .adopt = s_adopt,
                         .adopt_arg = self};
    self->store = store_open_opts(dir, s_dbs, &opts, &err);
    if (!self->store) {
        fprintf(stderr, "cannot open the agent store %s\n", err ? err : dir);
        free(self);
        return NULL;
    }
    int rc = unit ? store_write(self->store, s_bind_unit, self)
                  : store_read(self->store, s_bind_unit, self);
    if (rc != 0)
        agentdb_destroy(&self);
    return self;
}

//  Closes the store and nulls the pointer.
void agentdb_destroy(agentdb_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_destroy(&(*self_p)->store);
    free(*self_p);
    *self_p = NULL;
}

//  Returns the unit the store belongs to.
const char *agentdb_unit(agentdb_t *self)
{
    return self->unit;
}

//  Returns the underlying store.
store_t *agentdb_store(agentdb_t *self)
{
    return self->store;
}

//  Points an array of Warning messages at the warnings of a report's
//  validation (the one submit printed: the report is not validated again).
//  Their strings stay in diag. Returns NULL (and *n 0) when out of memory.
static Fundchain__Warning **s_warnings(const diag_t *diag, Fundchain__Warning *space, size_t *n)
{
    *n = 0;
    size_t count = diag ? diag_count(diag, DIAG_WARNING) : 0;
    Fundchain__Warning **list = calloc(count ? count : 1, sizeof *list);
    for (size_t i = 0; list && diag && i < diag_size(diag); i++) {
        const diag_entry_t *d = diag_at(diag, i);
        if (d->level != DIAG_WARNING)
            continue;
        Fundchain__Warning *w = &space[*n];
        fundchain__warning__init(w);
        w->code = (char *)d->code;
        w->message = (char *)d->message;
        list[(*n)++] = w;
    }
    return list;
}

//  Reads the last revision of (period, fund); 0 when none.
static int s_last_revision(store_txn_t *txn, const char *rkey, uint32_t *revision)
{
    const void *val;
    size_t len;
    *revision = 0;
    int rc = store_get(txn, "revs", rkey, strlen(rkey), &val, &len);
    if (rc == 0 && len == sizeof *revision)
        memcpy(revision, val, sizeof *revision);
    return rc < 0 ? -1 : 0;
}

//  Finds the revisions of (period, fund): the highest this agent sent
//  (*own) and the highest known anywhere (*highest): its own, one its city
//  reported holding in an acknowledgement, or one that sync learned.
static int s_revisions(store_txn_t *txn, const char *period, const char *fund, uint32_t *own,
                       uint32_t *highest)
{
    char rkey[40];
    snprintf(rkey, sizeof rkey, "%s|%s", period, fund);
    uint32_t last, receiver;
    if (s_last_revision(txn, rkey, &last) != 0 ||
        outbox_report_revisions(txn, period, fund, own, &receiver) != 0)
        return -1;
    *highest = last > receiver ? last : receiver;
    if (*own > *highest)
        *highest = *own;
    return 0;
}

//  Stores one report as a queued entry at the next revision, with the
//  warnings of its validation (may be NULL: none).
static int s_enqueue_one(store_txn_t *txn, report_t *report, const diag_t *warnings)
{
    char rkey[40];
    snprintf(rkey, sizeof rkey, "%s|%s", report->period, report->fund);
    uint32_t own, revision;
    if (s_revisions(txn, report->period, report->fund, &own, &revision) != 0)
        return -1;
    report->revision = revision + 1;
    report->submitted_at = (int64_t)time(NULL);
    Fundchain__Report *wire = report_to_pb(report);
    if (!wire)
        return -1;
    Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    entry.report = wire;
    entry.queued_at = report->submitted_at;
    size_t count = warnings ? diag_count(warnings, DIAG_WARNING) : 0;
    Fundchain__Warning *space = calloc(count ? count : 1, sizeof *space);
    entry.warnings = space ? s_warnings(warnings, space, &entry.n_warnings) : NULL;
    char key[OUTBOX_KEY_MAX];
    outbox_key_report(key, report->period, report->fund, report->revision);
    int rc = entry.warnings ? outbox_put(txn, key, &entry) : -1;
    if (rc == 0)
        rc = store_put(txn, "revs", rkey, strlen(rkey), &report->revision, sizeof report->revision);
    free(entry.warnings);
    free(space);
    report_pb_free(&wire);
    return rc;
}

typedef struct {
    report_t **reports;
    diag_t *const *warnings;
    size_t n;
} enqueue_t;

//  Enqueues every report of the job, showing progress on a terminal for many.
static int s_enqueue_all(store_txn_t *txn, void *arg)
{
    enqueue_t *job = arg;
    progress_t *progress = job->n >= LONG_ENQUEUE ? progress_new("queuing", job->n) : NULL;
    int rc = 0;
    for (size_t i = 0; i < job->n && rc == 0; i++) {
        progress_update(progress, i);
        rc = s_enqueue_one(txn, job->reports[i], job->warnings ? job->warnings[i] : NULL);
    }
    progress_destroy(&progress);
    return rc;
}

//  Enqueues validated reports in one transaction.
int agentdb_enqueue(agentdb_t *self, report_t **reports, diag_t *const *warnings, size_t n)
{
    enqueue_t job = {reports, warnings, n};
    if (store_write(self->store, s_enqueue_all, &job) != 0) {
        fprintf(stderr, "nothing was queued: %s\n", store_error(self->store));
        return -1;
    }
    return 0;
}

typedef struct {
    const agentdb_held_t *held;
    size_t n;
} learn_t;

static int s_learn_all(store_txn_t *txn, void *arg)
{
    learn_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        char rkey[40];
        snprintf(rkey, sizeof rkey, "%s|%s", job->held[i].period, job->held[i].fund);
        uint32_t last;
        if (s_last_revision(txn, rkey, &last) != 0)
            return -1;
        uint32_t revision = job->held[i].revision;
        int rc = revision > last
                     ? store_put(txn, "revs", rkey, strlen(rkey), &revision, sizeof revision)
                     : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Records the revisions the city holds, in one transaction.
int agentdb_learn(agentdb_t *self, const agentdb_held_t *held, size_t n)
{
    learn_t job = {held, n};
    if (n > 0 && store_write(self->store, s_learn_all, &job) != 0) {
        fprintf(stderr, "nothing was recorded: %s\n", store_error(self->store));
        return -1;
    }
    return 0;
}

typedef struct {
    const char *period, *fund;
    uint32_t own, highest;
} numbering_t;

static int s_numbering(store_txn_t *txn, void *arg)
{
    numbering_t *job = arg;
    return s_revisions(txn, job->period, job->fund, &job->own, &job->highest);
}

//  Finds this agent's latest revision of (period, fund) and the next one.
int agentdb_revisions(agentdb_t *self, const char *period, const char *fund, uint32_t *own,
                      uint32_t *next)
{
    numbering_t job = {period, fund, 0, 0};
    if (store_read(self->store, s_numbering, &job) != 0)
        return -1;
    *own = job.own;
    *next = job.highest + 1;
    return 0;
}
