/*  outbox - the county agent's durable outbox in LMDB. */
#include "outbox.h"
#include "diag.h"
#include "store.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _outbox_t {
    store_t *store;
    char unit[8];
};

static const char *const s_dbs[] = {"outbox", "pending", "revs", "meta", NULL};

#define KEY_MAX 64

static size_t
s_key (char *buf, const char *period, const char *fund, uint32_t revision)
{
    return (size_t) snprintf (buf, KEY_MAX, "%s|%s|%010u", period, fund, revision);
}

//  Reads or binds the unit of the outbox inside a write transaction.
static int
s_bind_unit (store_txn_t *txn, void *arg)
{
    outbox_t *self = arg;
    const void *val;
    size_t len;
    int rc = store_get (txn, "meta", "unit", 4, &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        if (len >= sizeof self->unit)
            return -1;
        char stored[8] = "";
        memcpy (stored, val, len);
        if (self->unit[0] && strcmp (stored, self->unit)) {
            fprintf (stderr, "outbox: this data directory belongs to unit %s, not %s\n", stored,
                     self->unit);
            return -1;
        }
        memcpy (self->unit, stored, len + 1);
        return 0;
    }
    if (!self->unit[0])
        return 0;
    return store_put (txn, "meta", "unit", 4, self->unit, strlen (self->unit));
}

//  Opens the outbox in dir, bound to unit.
outbox_t *
outbox_open (const char *dir, const char *unit)
{
    outbox_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (unit)
        snprintf (self->unit, sizeof self->unit, "%s", unit);
    const char *err = NULL;
    self->store = store_open (dir, s_dbs, &err);
    if (!self->store) {
        fprintf (stderr, "outbox: cannot open %s: %s\n", dir, err ? err : "unknown error");
        free (self);
        return NULL;
    }
    int rc = unit ? store_write (self->store, s_bind_unit, self)
                  : store_read (self->store, s_bind_unit, self);
    if (rc != 0) {
        if (*store_error (self->store))
            fprintf (stderr, "outbox: %s: %s\n", dir, store_error (self->store));
        outbox_destroy (&self);
    }
    return self;
}

//  Closes the outbox and nulls the pointer.
void
outbox_destroy (outbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_destroy (&(*self_p)->store);
    free (*self_p);
    *self_p = NULL;
}

//  Returns the unit the outbox is bound to.
const char *
outbox_unit (outbox_t *self)
{
    return self->unit;
}

//  Collects a report's validation warnings into a freshly allocated array.
static Fundchain__Warning **
s_warnings (const report_t *report, size_t *n)
{
    *n = 0;
    report_t *copy = report_dup (report);
    diag_t *diag = diag_new ();
    Fundchain__Warning **list = NULL;
    if (copy && diag) {
        validate_report (copy, NULL, NULL, diag, NULL);
        size_t count = diag_count (diag, DIAG_WARNING);
        list = calloc (count ? count : 1, sizeof *list);
        for (size_t i = 0; list && i < diag_size (diag); i++) {
            const diag_entry_t *d = diag_at (diag, i);
            if (d->level != DIAG_WARNING)
                continue;
            Fundchain__Warning *w = malloc (sizeof *w);
            if (!w)
                break;
            fundchain__warning__init (w);
            w->code = strdup (d->code);
            w->message = strdup (d->message);
            list[(*n)++] = w;
        }
    }
    diag_destroy (&diag);
    report_destroy (&copy);
    return list;
}

static void
s_warnings_free (Fundchain__Warning **list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free (list[i]->code);
        free (list[i]->message);
        free (list[i]);
    }
    free (list);
}

typedef struct {
    outbox_t *self;
    report_t **reports;
    size_t n;
} enqueue_t;

//  Reads the last revision of (period, fund); 0 when none.
static int
s_last_revision (store_txn_t *txn, const char *rkey, uint32_t *revision)
{
    const void *val;
    size_t len;
    *revision = 0;
    int rc = store_get (txn, "revs", rkey, strlen (rkey), &val, &len);
    if (rc == 0 && len == sizeof *revision)
        memcpy (revision, val, sizeof *revision);
    return rc < 0 ? -1 : 0;
}

//  Stores one report as a queued entry at the next revision.
static int
s_enqueue_one (store_txn_t *txn, report_t *report)
{
    char rkey[KEY_MAX];
    snprintf (rkey, sizeof rkey, "%s|%s", report->period, report->fund);
    uint32_t revision;
    if (s_last_revision (txn, rkey, &revision) != 0)
        return -1;
    report->revision = revision + 1;

    size_t len;
    uint8_t *bytes = report_encode (report, &len);
    Fundchain__Report *wire = bytes ? fundchain__report__unpack (NULL, len, bytes) : NULL;
    free (bytes);
    if (!wire)
        return -1;
    Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    entry.report = wire;
    entry.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED;
    entry.queued_at = (int64_t) time (NULL);
    entry.warnings = s_warnings (report, &entry.n_warnings);
    size_t size = fundchain__outbox_entry__get_packed_size (&entry);
    uint8_t *packed = malloc (size ? size : 1);
    int rc = -1;
    if (packed) {
        fundchain__outbox_entry__pack (&entry, packed);
        char key[KEY_MAX];
        size_t klen = s_key (key, report->period, report->fund, report->revision);
        rc = store_put (txn, "outbox", key, klen, packed, size);
        if (rc == 0)
            rc = store_put (txn, "pending", key, klen, "", 0);
        if (rc == 0)
            rc = store_put (txn, "revs", rkey, strlen (rkey), &report->revision,
                            sizeof report->revision);
    }
    free (packed);
    s_warnings_free (entry.warnings, entry.n_warnings);
    fundchain__report__free_unpacked (wire, NULL);
    return rc;
}

static int
s_enqueue_all (store_txn_t *txn, void *arg)
{
    enqueue_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        int rc = s_enqueue_one (txn, job->reports[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Enqueues validated reports in one transaction.
int
outbox_enqueue (outbox_t *self, report_t **reports, size_t n)
{
    enqueue_t job = {self, reports, n};
    if (store_write (self->store, s_enqueue_all, &job) != 0) {
        fprintf (stderr, "outbox: nothing enqueued: %s\n", store_error (self->store));
        return -1;
    }
    return 0;
}

typedef struct {
    outbox_fn *fn;
    void *arg;
    store_txn_t *txn;
} visit_t;

static int
s_visit_entry (const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void) key;
    (void) klen;
    visit_t *visit = arg;
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack (NULL, vlen, val);
    if (!entry)
        return 0;   //  a record this version cannot read is skipped, never fatal
    int rc = visit->fn (entry, visit->arg);
    fundchain__outbox_entry__free_unpacked (entry, NULL);
    return rc;
}

static int
s_visit_pending (const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void) val;
    (void) vlen;
    visit_t *visit = arg;
    const void *entry;
    size_t len;
    int rc = store_get (visit->txn, "outbox", key, klen, &entry, &len);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    return s_visit_entry (key, klen, entry, len, arg);
}

static int
s_scan_all (store_txn_t *txn, void *arg)
{
    return store_scan (txn, "outbox", NULL, 0, s_visit_entry, arg);
}

static int
s_scan_pending (store_txn_t *txn, void *arg)
{
    visit_t *visit = arg;
    visit->txn = txn;
    return store_scan (txn, "pending", NULL, 0, s_visit_pending, arg);
}

//  Visits every entry in key order.
int
outbox_each (outbox_t *self, outbox_fn *fn, void *arg)
{
    visit_t visit = {fn, arg, NULL};
    return store_read (self->store, s_scan_all, &visit) == 0 ? 0 : -1;
}

//  Visits the entries still to be delivered.
int
outbox_each_pending (outbox_t *self, outbox_fn *fn, void *arg)
{
    visit_t visit = {fn, arg, NULL};
    return store_read (self->store, s_scan_pending, &visit) == 0 ? 0 : -1;
}

static bool
s_final (Fundchain__OutboxEntry__State state)
{
    return state == FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED
           || state == FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED
           || state == FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD;
}

//  Applies one change inside the transaction.
static int
s_update_one (store_txn_t *txn, const outbox_change_t *change)
{
    char key[KEY_MAX];
    size_t klen = s_key (key, change->period, change->fund, change->revision);
    const void *val;
    size_t vlen;
    int rc = store_get (txn, "outbox", key, klen, &val, &vlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;   //  an ack for an entry we do not have is ignored
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack (NULL, vlen, val);
    if (!entry)
        return 0;
    rc = 0;
    if (!s_final (entry->state)) {
        char *old_reason = entry->reason;
        entry->state = change->state;
        entry->reason = (char *) change->reason;
        if (change->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT) {
            entry->sent_at = change->when;
            entry->attempts++;
        }
        size_t size = fundchain__outbox_entry__get_packed_size (entry);
        uint8_t *packed = malloc (size ? size : 1);
        rc = packed ? 0 : -1;
        if (packed) {
            fundchain__outbox_entry__pack (entry, packed);
            rc = store_put (txn, "outbox", key, klen, packed, size);
            if (rc == 0 && s_final (change->state))
                rc = store_del (txn, "pending", key, klen);
        }
        free (packed);
        entry->reason = old_reason;
    }
    fundchain__outbox_entry__free_unpacked (entry, NULL);
    return rc;
}

typedef struct {
    const outbox_change_t *changes;
    size_t n;
} update_t;

static int
s_update_all (store_txn_t *txn, void *arg)
{
    update_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        int rc = s_update_one (txn, &job->changes[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Applies state changes in one transaction.
int
outbox_update (outbox_t *self, const outbox_change_t *changes, size_t n)
{
    if (n == 0)
        return 0;
    update_t job = {changes, n};
    return store_write (self->store, s_update_all, &job);
}

//  Returns the state's name as SPEC 7 shows it.
const char *
outbox_state_name (Fundchain__OutboxEntry__State state)
{
    switch (state) {
    case FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED:
        return "queued";
    case FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT:
        return "sent";
    case FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED:
        return "acked";
    case FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED:
        return "rejected";
    case FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD:
        return "dead";
    default:
        return "unknown";
    }
}
