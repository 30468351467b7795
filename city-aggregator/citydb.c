/*  citydb - the city's LMDB of the newest report revisions. */
#include "citydb.h"
#include "cityhistory.h"
#include "cityseries.h"
#include "diag.h"
#include "log.h"
#include "outbox.h"
#include "pbarena.h"
#include "period.h"
#include "validate.h"
#include <czmq.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _citydb_t {
    store_t *store;
    char city[8];                    //  the store's owner
    char pool_key[16];               //  its pool's key in "review" and "history": "CITY.pool"
    cityreview_lock_t lock;          //  --lock-after (all 0: none)
    char (*reasons)[CITYREVIEW_WHY]; //  why report k of the last accept was refused
    size_t n_reasons;
};

static const char *const s_dbs[] = {"reports",  "meta",          "dirty",  "known", "latest",
                                    OUTBOX_DBS, CITYHISTORY_DBS, "series", NULL};

//  What a city's store made before identity records has, and lacks.
static const char *const s_legacy_has[] = {"reports", NULL};
static const char *const s_legacy_lacks[] = {"revs", NULL};

#define KEY_MAX 64
#define COMPARE_ARENA 32768 //  bytes: a report of tens of items unpacks in it, more spill to malloc
//  The meta record that says "known" and "series" index every stored report
//  (a store made before "series" had "known-indexed").
#define KNOWN_INDEXED "indexed-known-series"

static size_t s_key(char *buf, const char *period, const char *fund, const char *unit)
{
    return (size_t)snprintf(buf, KEY_MAX, "%s|%s|%s", period, fund, unit);
}

//  Marks (fund, unit) known unless it is already. Returns 0, STORE_RETRY or -1.
static int s_mark_known(store_txn_t *txn, const char *fund, const char *unit)
{
    char key[KEY_MAX];
    int klen = snprintf(key, sizeof key, "%s|%s", fund, unit);
    const void *val;
    size_t len;
    int rc = store_get(txn, "known", key, (size_t)klen, &val, &len);
    return rc == 1 ? store_put(txn, "known", key, (size_t)klen, "", 0) : rc;
}

static int s_put_series(store_txn_t *txn, const report_t *report);

static int s_index_one(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    Fundchain__StoredReport *stored = fundchain__stored_report__unpack(NULL, vlen, val);
    int rc = 0;
    if (stored && stored->report && stored->report->fund && stored->report->unit)
        rc = s_mark_known(arg, stored->report->fund, stored->report->unit);
    report_t *report = rc == 0 && stored && stored->report ? citydb_report(stored, NULL) : NULL;
    if (report)
        rc = s_put_series(arg, report);
    report_destroy(&report);
    fundchain__stored_report__free_unpacked(stored, NULL);
    return rc;
}

//  Indexes the units of every stored report (a store older than the index).
static int s_index_all(store_txn_t *txn, void *arg)
{
    (void)arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", KNOWN_INDEXED, strlen(KNOWN_INDEXED), &val, &len);
    if (rc != 1)
        return rc;
    rc = store_scan(txn, "reports", NULL, 0, s_index_one, txn);
    return rc ? rc : store_put(txn, "meta", KNOWN_INDEXED, strlen(KNOWN_INDEXED), "", 0);
}

static int s_indexed(store_txn_t *txn, void *arg)
{
    (void)arg;
    const void *val;
    size_t len;
    return store_get(txn, "meta", KNOWN_INDEXED, strlen(KNOWN_INDEXED), &val, &len);
}

//  Refuses a store made before identity records whose configuration names
//  another city (arg: the city expected, or NULL).
static int s_adopt(store_txn_t *txn, void *arg)
{
    const char *city = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "config", 6, &val, &len);
    if (rc != 0 || !city)
        return rc < 0 ? -1 : 0;
    json_t *doc = json_loadb(val, len, 0, NULL);
    const char *stored = json_string_value(json_object_get(doc, "city"));
    char text[128] = "";
    if (stored && strcmp(stored, city) != 0)
        snprintf(text, sizeof text, "this city store belongs to %.16s, not to %s", stored, city);
    json_decref(doc);
    return text[0] ? store_fail(txn, text) : 0;
}

//  Opens (creating) the city's store.
citydb_t *citydb_open(const char *dir, const char *city)
{
    citydb_t *self = calloc(1, sizeof *self);
    const char *err = NULL;
    store_opts_t opts = {.kind = "city",
                         .owner = city,
                         .no_create = !city,
                         .legacy_has = s_legacy_has,
                         .legacy_lacks = s_legacy_lacks,
                         .adopt = s_adopt,
                         .adopt_arg = (void *)city};
    if (self)
        self->store = store_open_opts(dir, s_dbs, &opts, &err);
    if (self && !self->store) {
        fprintf(stderr, "cannot open the city store %s\n", err ? err : dir);
        free(self);
        return NULL;
    }
    if (self && city)
        snprintf(self->city, sizeof self->city, "%s", city);
    else if (self)
        store_meta_text(self->store, "store.owner", self->city, sizeof self->city);
    if (self)
        snprintf(self->pool_key, sizeof self->pool_key, "%s.pool", self->city);
    //  A write only when the index is missing: once per store.
    int rc = self ? store_read(self->store, s_indexed, NULL) : 0;
    if (rc == 1 && store_write(self->store, s_index_all, NULL) != 0) {
        fprintf(stderr, "cannot index the city store %s: %s\n", dir, store_error(self->store));
        citydb_destroy(&self);
    } else if (rc < 0) {
        fprintf(stderr, "cannot read the city store %s: %s\n", dir, store_error(self->store));
        citydb_destroy(&self);
    }
    return self;
}

//  Closes the store and nulls the pointer.
void citydb_destroy(citydb_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_destroy(&(*self_p)->store);
    free((*self_p)->reasons);
    free(*self_p);
    *self_p = NULL;
}

//  Returns the underlying store.
store_t *citydb_store(citydb_t *self)
{
    return self->store;
}

typedef struct {
    report_t *const *reports;
    size_t n;
    int64_t now;
    citydb_outcome_t *outcomes;
    uint32_t *held;
    int64_t now_ms;      //  when the transaction began, for the marks' age
    uint64_t generation; //  this transaction's mark generation, 0 until one is taken
    citydb_t *db;        //  its city, lock and reasons
} accept_t;

//  A dirty mark's value: the generation of the transaction that marked the
//  pair last, and since when (ms) the pair has had changes not evaluated.
//  A mark written before generations (empty) reads as CITYDB_GEN_LEGACY.
typedef struct {
    uint64_t generation;
    int64_t since_ms;
} mark_value_t;

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t s_pair_key(char *buf, const char *period, const char *fund)
{
    return (size_t)snprintf(buf, KEY_MAX, "%s|%s", period, fund);
}

//  Reads the mark of a pair. Returns 0 when marked, 1 when not, -1.
static int s_get_mark(store_txn_t *txn, const char *pair, size_t plen, mark_value_t *mark)
{
    const void *val;
    size_t len;
    int rc = store_get(txn, "dirty", pair, plen, &val, &len);
    *mark = (mark_value_t){CITYDB_GEN_LEGACY, 0};
    if (rc == 0 && len == sizeof *mark)
        memcpy(mark, val, sizeof *mark);
    return rc;
}

/* ---- the configuration ------------------------------------------- */

typedef struct {
    const char *text; //  the configuration to store
    bool changed;     //  it differs from a configuration stored before
    zlistx_t *pairs;  //  "period|fund" of every stored report, once each
    uint64_t generation;
} configure_t;

//  Collects the pair of one stored report (keys are in pair order).
static int s_collect_pair(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)val;
    (void)vlen;
    configure_t *job = arg;
    const char *bar = memchr(key, '|', klen);
    bar = bar ? memchr(bar + 1, '|', klen - (size_t)(bar + 1 - (const char *)key)) : NULL;
    if (!bar)
        return 0;
    size_t plen = (size_t)(bar - (const char *)key);
    const char *last = (const char *)zlistx_last(job->pairs);
    if (last && strlen(last) == plen && !memcmp(last, key, plen))
        return 0;
    char *pair = strndup(key, plen);
    return pair && zlistx_add_end(job->pairs, pair) ? 0 : -1;
}

//  Marks one pair dirty with this transaction's generation.
static int s_mark_pair(store_txn_t *txn, configure_t *job, const char *pair, int64_t now_ms)
{
    mark_value_t mark;
    int rc = s_get_mark(txn, pair, strlen(pair), &mark);
    if (rc < 0)
        return -1;
    if (rc == 1 || mark.since_ms <= 0)
        mark.since_ms = now_ms;
    mark.generation = job->generation;
    return store_put(txn, "dirty", pair, strlen(pair), &mark, sizeof mark);
}

static int s_configure(store_txn_t *txn, void *arg)
{
    configure_t *job = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "config", 6, &val, &len);
    if (rc < 0)
        return -1;
    job->changed = rc == 0 && (len != strlen(job->text) || memcmp(val, job->text, len) != 0);
    if (rc == 0 && !job->changed)
        return 0;
    if ((rc = store_put(txn, "meta", "config", 6, job->text, strlen(job->text))) != 0)
        return rc;
    if (!job->changed)
        return 0; //  the first configuration: nothing was evaluated with another
    zlistx_purge(job->pairs);
    if (store_scan(txn, "reports", NULL, 0, s_collect_pair, job) != 0 ||
        (job->generation = store_next(txn, "dirty-generation")) == 0)
        return -1;
    int64_t now_ms = s_now_ms();
    for (const char *pair = zlistx_first(job->pairs); pair; pair = zlistx_next(job->pairs))
        if ((rc = s_mark_pair(txn, job, pair, now_ms)) != 0)
            return rc;
    return 0;
}

//  Stores the configuration; when it changed, marks every pair dirty.
int citydb_configure(citydb_t *self, const char *config_text, bool *changed)
{
    configure_t job = {.text = config_text, .pairs = zlistx_new()};
    if (!job.pairs)
        return -1;
    zlistx_set_destructor(job.pairs, (zlistx_destructor_fn *)zstr_free);
    int rc = store_write(self->store, s_configure, &job);
    if (rc != 0)
        log_error("cannot store the configuration: %s", store_error(self->store));
    else if (job.changed)
        log_info("the configuration changed: the %zu (period, fund) pairs stored will be "
                 "evaluated again",
                 zlistx_size(job.pairs));
    if (changed)
        *changed = rc == 0 && job.changed;
    zlistx_destroy(&job.pairs);
    return rc;
}

//  Marks the pair of a stored report dirty with this transaction's
//  generation, keeping since when it has been dirty. Returns 0,
//  STORE_RETRY or -1.
static int s_mark_stored(store_txn_t *txn, accept_t *job, const report_t *report)
{
    if (job->generation == 0 && (job->generation = store_next(txn, "dirty-generation")) == 0)
        return -1;
    char pair[KEY_MAX];
    size_t plen = s_pair_key(pair, report->period, report->fund);
    mark_value_t mark;
    int rc = s_get_mark(txn, pair, plen, &mark);
    if (rc < 0)
        return -1;
    if (rc == 1 || mark.since_ms <= 0)
        mark.since_ms = job->now_ms;
    mark.generation = job->generation;
    return store_put(txn, "dirty", pair, plen, &mark, sizeof mark);
}

static bool s_same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

//  Returns true when the stored report has the report's figures, item by
//  item in order (a resend is byte for byte the same).
static bool s_same_figures(const Fundchain__Report *old, const report_t *report)
{
    if (old->n_items != report->n_items)
        return false;
    for (size_t i = 0; i < report->n_items; i++) {
        const Fundchain__Item *a = old->items[i];
        const report_item_t *b = &report->items[i];
        if (!a || !s_same_text(a->code, b->code) || !s_same_text(a->value, b->value) ||
            !s_same_text(a->uom, b->uom) || !s_same_text(a->target, b->target))
            return false;
    }
    return true;
}

//  Decides what to do with one report given the stored record old (NULL
//  when there is none or it is unreadable: it is replaced); *held is the
//  stored revision.
static citydb_outcome_t s_compare(const Fundchain__StoredReport *old, const report_t *report,
                                  int64_t *first_received, uint32_t *held)
{
    if (!old || !old->report)
        return CITYDB_STORED;
    citydb_outcome_t outcome = CITYDB_STORED;
    if (old->report->revision == report->revision)
        outcome = s_same_figures(old->report, report) ? CITYDB_DUPLICATE : CITYDB_CONFLICT;
    else if (old->report->revision > report->revision)
        outcome = CITYDB_OLDER;
    if (outcome != CITYDB_STORED)
        *held = old->report->revision;
    *first_received = old->first_received_at;
    return outcome;
}

//  Stores the report (wire is its message) as the newest revision, marked
//  as held by the trail.
static int s_put(store_txn_t *txn, const char *key, size_t klen, Fundchain__Report *wire,
                 int64_t first, int64_t now)
{
    Fundchain__StoredReport stored = FUNDCHAIN__STORED_REPORT__INIT;
    stored.report = wire;
    stored.first_received_at = first;
    stored.received_at = now;
    stored.in_trail = true;
    size_t size = fundchain__stored_report__get_packed_size(&stored);
    uint8_t *packed = malloc(size ? size : 1);
    int rc = -1;
    if (packed) {
        fundchain__stored_report__pack(&stored, packed);
        rc = store_put(txn, "reports", key, klen, packed, size);
    }
    free(packed);
    return rc;
}

//  Keeps what outlier checks read of a stored report, under "fund|unit|period".
static int s_put_series(store_txn_t *txn, const report_t *report)
{
    char key[KEY_MAX];
    int klen = snprintf(key, sizeof key, "%s|%s|%s", report->fund, report->unit, report->period);
    size_t len;
    uint8_t *packed = cityseries_pack(report, &len);
    int rc = packed ? store_put(txn, "series", key, (size_t)klen, packed, len) : -1;
    free(packed);
    return rc;
}

//  Records a refused revision in the trail, with why.
static int s_trail_refused(store_txn_t *txn, const report_t *report, int64_t now, const char *why)
{
    Fundchain__HistoryEntry entry = FUNDCHAIN__HISTORY_ENTRY__INIT;
    entry.kind = FUNDCHAIN__HISTORY_ENTRY__KIND__REFUSED;
    entry.at = now;
    entry.revision = report->revision;
    entry.sender = (char *)report->sender;
    entry.reason = (char *)why;
    return cityhistory_append(txn, report->period, report->fund, report->unit, &entry);
}

//  Says whether a new revision may be stored (reviews and the time lock).
//  Returns 0, 1 with why (refused), or -1.
static int s_admit(store_txn_t *txn, citydb_t *db, const report_t *report, int64_t now, char *why)
{
    Fundchain__Review *unit = NULL, *pool = NULL;
    if (cityhistory_review_get(txn, report->period, report->fund, report->unit, &unit) != 0 ||
        cityhistory_review_get(txn, report->period, report->fund, db->pool_key, &pool) != 0) {
        fundchain__review__free_unpacked(unit, NULL);
        return -1;
    }
    int rc = cityreview_admit(unit, pool, &db->lock, report->unit, db->city, report->period,
                              report->fund, now, why, CITYREVIEW_WHY);
    fundchain__review__free_unpacked(unit, NULL);
    fundchain__review__free_unpacked(pool, NULL);
    return rc;
}

//  Stores a new revision: the report, its series point and its entry in the
//  trail (only what changed since old, when the trail holds old).
static int s_store_one(store_txn_t *txn, const char *key, size_t klen, const report_t *report,
                       const Fundchain__StoredReport *old, int64_t first, int64_t now)
{
    Fundchain__Report *wire = report_to_pb(report); //  points into report: no copy
    if (!wire)
        return -1;
    const Fundchain__Report *prev = old && old->in_trail ? old->report : NULL;
    int rc = s_put(txn, key, klen, wire, first, now);
    if (rc == 0)
        rc = s_put_series(txn, report);
    if (rc == 0)
        rc = cityhistory_append_revision(txn, wire, prev, now, report->sender);
    report_pb_free(&wire);
    return rc == 0 ? s_mark_known(txn, report->fund, report->unit) : rc;
}

//  Decides and does what one report needs, old being what is stored.
static int s_accept_old(store_txn_t *txn, accept_t *job, const char *key, size_t klen,
                        const report_t *report, const Fundchain__StoredReport *old,
                        citydb_outcome_t *outcome, uint32_t *held, char *why)
{
    int64_t now = job->now, first = now;
    *held = report->revision;
    *outcome = s_compare(old, report, &first, held);
    if (first > now)
        first = now; //  a revision that arrived earlier keeps the first arrival
    if (*outcome != CITYDB_STORED)
        return 0;
    int rc = s_admit(txn, job->db, report, now, why);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        *outcome = CITYDB_LOCKED;
        return s_trail_refused(txn, report, now, why);
    }
    return s_store_one(txn, key, klen, report, old, first, now);
}

//  Accepts one report. The stored record is unpacked into an arena on the
//  stack (pbarena.h): no malloc for a record of the usual size.
static int s_accept_one(store_txn_t *txn, accept_t *job, const report_t *report,
                        citydb_outcome_t *outcome, uint32_t *held, char *why)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, report->period, report->fund, report->unit);
    const void *val;
    size_t len;
    int rc = store_get(txn, "reports", key, klen, &val, &len);
    if (rc < 0)
        return -1;
    _Alignas(max_align_t) uint8_t space[COMPARE_ARENA];
    pbarena_t arena;
    pbarena_init(&arena, space, sizeof space);
    Fundchain__StoredReport *old =
        rc == 0 ? fundchain__stored_report__unpack(&arena.base, len, val) : NULL;
    rc = s_accept_old(txn, job, key, klen, report, old, outcome, held, why);
    fundchain__stored_report__free_unpacked(old, &arena.base);
    return rc;
}

static int s_accept_all(store_txn_t *txn, void *arg)
{
    accept_t *job = arg;
    job->generation = 0; //  the function may run again in a bigger map
    for (size_t i = 0; i < job->n; i++) {
        uint32_t held;
        char *why = job->db->reasons[i];
        why[0] = 0;
        int rc = s_accept_one(txn, job, job->reports[i], &job->outcomes[i], &held, why);
        if (rc == 0 && job->outcomes[i] == CITYDB_STORED)
            rc = s_mark_stored(txn, job, job->reports[i]);
        if (job->held)
            job->held[i] = held;
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Stores validated reports in one transaction.
int citydb_accept(citydb_t *self, report_t *const *reports, size_t n, int64_t now,
                  citydb_outcome_t *outcomes, uint32_t *held)
{
    if (n == 0)
        return 0;
    if (n > self->n_reasons) {
        char(*grown)[CITYREVIEW_WHY] = realloc(self->reasons, n * sizeof *grown);
        if (!grown)
            return -1;
        self->reasons = grown;
        self->n_reasons = n;
    }
    accept_t job = {reports, n, now, outcomes, held, s_now_ms(), 0, self};
    return store_write(self->store, s_accept_all, &job);
}

typedef struct {
    citydb_fn *fn;
    void *arg;
    const char *fund;
} each_t;

static int s_visit(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    each_t *each = arg;
    (void)key;
    (void)klen;
    Fundchain__StoredReport *stored = fundchain__stored_report__unpack(NULL, vlen, val);
    if (!stored)
        return 0;
    int rc = 0;
    if (stored->report && (!each->fund || !strcmp(stored->report->fund, each->fund)))
        rc = each->fn(stored, each->arg);
    fundchain__stored_report__free_unpacked(stored, NULL);
    return rc;
}

typedef struct {
    each_t each;
    char prefix[KEY_MAX];
} scan_t;

static int s_scan(store_txn_t *txn, void *arg)
{
    scan_t *scan = arg;
    return store_scan(txn, "reports", scan->prefix, strlen(scan->prefix), s_visit, &scan->each);
}

static void s_scan_init(scan_t *scan, const char *period, const char *fund, citydb_fn *fn,
                        void *arg)
{
    *scan = (scan_t){{fn, arg, fund}, ""};
    if (period && fund)
        snprintf(scan->prefix, sizeof scan->prefix, "%s|%s|", period, fund);
}

//  Visits the stored reports of (period, fund).
int citydb_each(citydb_t *self, const char *period, const char *fund, citydb_fn *fn, void *arg)
{
    scan_t scan;
    s_scan_init(&scan, period, fund, fn, arg);
    return store_read(self->store, s_scan, &scan) == 0 ? 0 : -1;
}

//  Visits the stored reports of (period, fund) in the snapshot.
int citydb_snap_each(citydb_snap_t *snap, const char *period, const char *fund, citydb_fn *fn,
                     void *arg)
{
    scan_t scan;
    s_scan_init(&scan, period, fund, fn, arg);
    return s_scan(snap, &scan) == 0 ? 0 : -1;
}

typedef struct {
    citydb_raw_fn *fn;
    void *arg;
    size_t plen; //  of "period|fund|": the unit follows it in the key
} raw_t;

//  Visits one record undecoded, with the unit its key ends in.
static int s_visit_raw(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    raw_t *raw = arg;
    char unit[16];
    if (klen <= raw->plen || klen - raw->plen >= sizeof unit)
        return 0;
    memcpy(unit, (const char *)key + raw->plen, klen - raw->plen);
    unit[klen - raw->plen] = 0;
    return raw->fn(unit, val, vlen, raw->arg);
}

//  Visits the stored records of (period, fund) in the snapshot, undecoded.
int citydb_snap_each_raw(citydb_snap_t *snap, const char *period, const char *fund,
                         citydb_raw_fn *fn, void *arg)
{
    char prefix[KEY_MAX];
    int plen = snprintf(prefix, sizeof prefix, "%s|%s|", period, fund);
    if (plen <= 0 || (size_t)plen >= sizeof prefix)
        return -1;
    raw_t raw = {fn, arg, (size_t)plen};
    return store_scan(snap, "reports", prefix, (size_t)plen, s_visit_raw, &raw) == 0 ? 0 : -1;
}

typedef struct {
    citydb_held_fn *fn;
    void *arg;
    char suffix[16];
    size_t slen;
} held_t;

//  Visits one stored report when its key ends in the unit: no other is unpacked.
static int s_visit_held(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    held_t *held = arg;
    if (klen <= held->slen ||
        memcmp((const char *)key + klen - held->slen, held->suffix, held->slen))
        return 0;
    Fundchain__StoredReport *stored = fundchain__stored_report__unpack(NULL, vlen, val);
    int rc = 0;
    if (stored && stored->report && stored->report->period && stored->report->fund)
        rc = held->fn(stored->report->period, stored->report->fund, stored->report->revision,
                      held->arg);
    fundchain__stored_report__free_unpacked(stored, NULL);
    return rc;
}

static int s_scan_held(store_txn_t *txn, void *arg)
{
    return store_scan(txn, "reports", NULL, 0, s_visit_held, arg);
}

//  Visits the revision held of every report of one unit.
int citydb_each_held(citydb_t *self, const char *unit, citydb_held_fn *fn, void *arg)
{
    if (!self || !unit || !fn || strlen(unit) > 8)
        return -1;
    held_t held = {fn, arg, "", 0};
    held.slen = (size_t)snprintf(held.suffix, sizeof held.suffix, "|%s", unit);
    return store_read(self->store, s_scan_held, &held) == 0 ? 0 : -1;
}

//  Turns a stored report into a report_t checked against fw, valid or not.
report_t *citydb_report_check(const Fundchain__StoredReport *stored, const framework_t *fw,
                              diag_t *given, bool *valid, char *why, size_t size)
{
    *valid = false;
    snprintf(why, size, "out of memory");
    const char *decode_why = NULL;
    report_t *report = report_from_pb(stored->report, &decode_why);
    diag_t *diag = !report ? NULL : given ? given : diag_new();
    if (!report)
        snprintf(why, size, "%s", decode_why ? decode_why : "it cannot be decoded");
    else if (!diag)
        report_destroy(&report);
    else if (validate_report(report, NULL, fw, diag, NULL) != 0)
        diag_first_error(diag, why, size);
    else {
        *valid = true;
        why[0] = 0;
    }
    if (diag != given)
        diag_destroy(&diag);
    return report;
}

//  Turns a stored report into a validated report_t.
report_t *citydb_report(const Fundchain__StoredReport *stored, const framework_t *fw)
{
    bool valid;
    char why[256];
    report_t *report = citydb_report_check(stored, fw, NULL, &valid, why, sizeof why);
    if (!valid)
        report_destroy(&report);
    return report;
}

typedef struct {
    citydb_unit_fn *fn;
    void *arg;
    char prefix[KEY_MAX];
    size_t plen;
} known_t;

static int s_visit_known(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)val;
    (void)vlen;
    known_t *known = arg;
    char unit[KEY_MAX];
    if (klen <= known->plen || klen - known->plen >= sizeof unit)
        return 0;
    memcpy(unit, (const char *)key + known->plen, klen - known->plen);
    unit[klen - known->plen] = 0;
    return known->fn(unit, known->arg);
}

static int s_scan_known(store_txn_t *txn, void *arg)
{
    known_t *known = arg;
    return store_scan(txn, "known", known->prefix, known->plen, s_visit_known, known);
}

//  Visits, in code order, every unit that has ever reported for fund.
int citydb_each_known(citydb_t *self, const char *fund, citydb_unit_fn *fn, void *arg)
{
    known_t known = {fn, arg, "", 0};
    if (!self || !fund || !fn)
        return -1;
    known.plen = (size_t)snprintf(known.prefix, sizeof known.prefix, "%.15s|", fund);
    return store_read(self->store, s_scan_known, &known) == 0 ? 0 : -1;
}

//  The same in the snapshot.
int citydb_snap_known(citydb_snap_t *snap, const char *fund, citydb_unit_fn *fn, void *arg)
{
    known_t known = {fn, arg, "", 0};
    if (!snap || !fund || !fn)
        return -1;
    known.plen = (size_t)snprintf(known.prefix, sizeof known.prefix, "%.15s|", fund);
    return s_scan_known(snap, &known) == 0 ? 0 : -1;
}

typedef struct {
    citydb_mark_fn *fn;
    void *arg;
} marks_t;

static int s_visit_mark(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    marks_t *marks = arg;
    char pair[KEY_MAX];
    citydb_mark_t mark = {"", "", CITYDB_GEN_LEGACY, 0};
    if (klen >= sizeof pair)
        return 0;
    memcpy(pair, key, klen);
    pair[klen] = 0;
    if (sscanf(pair, "%15[^|]|%15s", mark.period, mark.fund) != 2)
        return 0;
    mark_value_t value;
    if (vlen == sizeof value) {
        memcpy(&value, val, sizeof value);
        mark.generation = value.generation;
        mark.since_ms = value.since_ms;
    }
    return marks->fn(&mark, marks->arg);
}

//  Visits the marks in the snapshot, in key order.
int citydb_snap_marks(citydb_snap_t *snap, citydb_mark_fn *fn, void *arg)
{
    marks_t marks = {fn, arg};
    return store_scan(snap, "dirty", NULL, 0, s_visit_mark, &marks) == 0 ? 0 : -1;
}

static int s_scan_marks(store_txn_t *txn, void *arg)
{
    marks_t *marks = arg;
    return citydb_snap_marks(txn, marks->fn, marks->arg);
}

//  Visits every dirty mark.
int citydb_each_mark(citydb_t *self, citydb_mark_fn *fn, void *arg)
{
    marks_t marks = {fn, arg};
    return store_read(self->store, s_scan_marks, &marks) == 0 ? 0 : -1;
}

typedef struct {
    citydb_dirty_fn *fn;
    void *arg;
} dirty_t;

static int s_visit_dirty(const citydb_mark_t *mark, void *arg)
{
    dirty_t *dirty = arg;
    return dirty->fn(mark->period, mark->fund, dirty->arg);
}

//  Visits the dirty (period, fund) pairs.
int citydb_each_dirty(citydb_t *self, citydb_dirty_fn *fn, void *arg)
{
    dirty_t dirty = {fn, arg};
    return citydb_each_mark(self, s_visit_dirty, &dirty);
}

//  Runs fn in one read transaction of the store.
int citydb_snapshot(citydb_t *self, citydb_snap_fn *fn, void *arg)
{
    return self && fn ? store_read(self->store, fn, arg) : -1;
}

typedef struct {
    const citydb_pair_t *pairs;
    size_t n;
    bool queue;
} commit_t;

//  Queues one evaluation in the outbox, in place of the entry of an older
//  version of the same (level, code, period, fund): the hub keeps only the
//  newest, which says all the older said, so the outbox holds one entry per
//  evaluation however often it changes. Returns 0, STORE_RETRY or -1.
static int s_queue(store_txn_t *txn, const char *key, const Fundchain__OutboxEntry *entry)
{
    const Fundchain__Evaluation *eval = entry->evaluation;
    char which[KEY_MAX];
    int wlen = snprintf(which, sizeof which, "%d|%.7s|%.15s|%.15s", (int)eval->level, eval->code,
                        eval->period, eval->fund);
    const void *val;
    size_t len;
    int rc = store_get(txn, "latest", which, (size_t)wlen, &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 0 && len > 0 && len < OUTBOX_KEY_MAX) {
        char older[OUTBOX_KEY_MAX];
        memcpy(older, val, len);
        rc = store_del(txn, "outbox", older, len);
        if (rc == 0)
            rc = store_del(txn, "pending", older, len);
        if (rc != 0)
            return rc;
    }
    rc = outbox_put(txn, key, entry);
    return rc ? rc : store_put(txn, "latest", which, (size_t)wlen, key, strlen(key));
}

//  Clears the mark of an evaluated pair, unless a report stored after the
//  snapshot marked it again (its generation is not the one evaluated): then
//  the pair stays dirty, its changes counted from the snapshot on.
static int s_unmark(store_txn_t *txn, const citydb_pair_t *job)
{
    char pair[KEY_MAX];
    size_t plen = s_pair_key(pair, job->period, job->fund);
    mark_value_t mark;
    int rc = job->generation ? s_get_mark(txn, pair, plen, &mark) : 0;
    if (rc != 0)
        return rc < 0 ? -1 : 0; //  not marked any more: nothing to clear
    if (!job->generation || mark.generation == job->generation)
        return store_del(txn, "dirty", pair, plen);
    if (job->snapshot_ms > mark.since_ms)
        mark.since_ms = job->snapshot_ms;
    return store_put(txn, "dirty", pair, plen, &mark, sizeof mark);
}

//  Versions, queues and unmarks one pair inside the transaction.
static int s_commit_pair(store_txn_t *txn, const citydb_pair_t *job, bool queue)
{
    uint64_t version = store_next(txn, "evaluation-version");
    if (version == 0)
        return -1;
    for (size_t i = 0; queue && i < job->n; i++) {
        Fundchain__Evaluation *eval = job->evals[i];
        eval->version = version;
        Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
        entry.evaluation = eval;
        entry.queued_at = (int64_t)time(NULL);
        char key[OUTBOX_KEY_MAX];
        outbox_key_evaluation(key, version, (int)eval->level, eval->code, eval->period, eval->fund);
        int rc = s_queue(txn, key, &entry);
        if (rc != 0)
            return rc;
    }
    return s_unmark(txn, job);
}

static int s_commit(store_txn_t *txn, void *arg)
{
    commit_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        int rc = s_commit_pair(txn, &job->pairs[i], job->queue);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Versions and queues the evaluations of (period, fund), clearing its mark.
int citydb_commit_evaluations(citydb_t *self, const char *period, const char *fund,
                              Fundchain__Evaluation **evals, size_t n, bool queue)
{
    citydb_pair_t pair = {period, fund, evals, n, 0, 0};
    commit_t job = {&pair, 1, queue};
    return store_write(self->store, s_commit, &job);
}

//  The same for several pairs in one transaction.
int citydb_commit_pairs(citydb_t *self, const citydb_pair_t *pairs, size_t n, bool queue)
{
    if (n == 0)
        return 0;
    commit_t job = {pairs, n, queue};
    return store_write(self->store, s_commit, &job);
}

typedef struct {
    size_t n;
    int64_t oldest_ms; //  0: none known
} lag_t;

static int s_lag_mark(const citydb_mark_t *mark, void *arg)
{
    lag_t *lag = arg;
    lag->n++;
    if (mark->since_ms > 0 && (lag->oldest_ms == 0 || mark->since_ms < lag->oldest_ms))
        lag->oldest_ms = mark->since_ms;
    return 0;
}

//  Counts the dirty pairs and says how long the oldest has waited.
int citydb_lag(citydb_t *self, size_t *pairs, int64_t *age_ms)
{
    lag_t lag = {0, 0};
    *pairs = 0;
    *age_ms = -1;
    if (citydb_each_mark(self, s_lag_mark, &lag) != 0)
        return -1;
    int64_t now_ms = s_now_ms();
    *pairs = lag.n;
    if (lag.oldest_ms)
        *age_ms = now_ms > lag.oldest_ms ? now_ms - lag.oldest_ms : 0;
    return 0;
}

typedef struct {
    citydb_key_fn *fn;
    void *arg;
} keys_t;

//  Splits one report key "period|fund|unit" and visits it.
static int s_visit_key(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)val;
    (void)vlen;
    keys_t *k = arg;
    char text[KEY_MAX];
    if (klen >= sizeof text)
        return 0;
    memcpy(text, key, klen);
    text[klen] = 0;
    char *fund = strchr(text, '|');
    char *unit = fund ? strchr(fund + 1, '|') : NULL;
    if (!unit)
        return 0;
    *fund++ = 0;
    *unit++ = 0;
    return k->fn(text, fund, unit, k->arg);
}

static int s_scan_keys(store_txn_t *txn, void *arg)
{
    return store_scan(txn, "reports", NULL, 0, s_visit_key, arg);
}

//  Visits the key of every stored report, without reading the report.
int citydb_each_key(citydb_t *self, citydb_key_fn *fn, void *arg)
{
    keys_t k = {fn, arg};
    return store_read(self->store, s_scan_keys, &k) == 0 ? 0 : -1;
}

/* ---- review and history (SPEC 9.3) ---------------------------------------- */

//  Sets the time lock.
void citydb_set_lock(citydb_t *self, const cityreview_lock_t *lock)
{
    memset(&self->lock, 0, sizeof self->lock);
    if (lock)
        self->lock = *lock;
}

//  Returns why report k of the last accept was refused.
const char *citydb_reason(const citydb_t *self, size_t k)
{
    return k < self->n_reasons ? self->reasons[k] : "";
}

//  Returns the city code the store belongs to.
const char *citydb_city(const citydb_t *self)
{
    return self->city;
}

//  Returns the key of the city's pool in the review records and the trail.
const char *citydb_pool_key(const citydb_t *self)
{
    return self->pool_key;
}

typedef struct {
    citydb_t *db;
    const cityreview_op_t *op;
    const char *const *known;
    size_t n_known;
    char *why;
    size_t size;
    int refused;
} review_job_t;

//  Lists the known units (the 市本级 among them) whose review is not approved.
static int s_unapproved(store_txn_t *txn, review_job_t *job, const char ***list, size_t *n)
{
    *n = 0;
    *list = calloc(job->n_known + 1, sizeof **list);
    if (!*list)
        return -1;
    for (size_t i = 0; i < job->n_known; i++) {
        Fundchain__Review *r = NULL;
        if (cityhistory_review_get(txn, job->op->period, job->op->fund, job->known[i], &r) != 0)
            return -1;
        if (!r || r->approved_at <= 0)
            (*list)[(*n)++] = job->known[i];
        fundchain__review__free_unpacked(r, NULL);
    }
    return 0;
}

//  Records the operation in the trail.
static int s_trail_review(store_txn_t *txn, const cityreview_op_t *op, const char *key)
{
    static const Fundchain__HistoryEntry__Kind kinds[] = {
        FUNDCHAIN__HISTORY_ENTRY__KIND__APPROVE, FUNDCHAIN__HISTORY_ENTRY__KIND__UNAPPROVE,
        FUNDCHAIN__HISTORY_ENTRY__KIND__UNLOCK, FUNDCHAIN__HISTORY_ENTRY__KIND__APPROVE,
        FUNDCHAIN__HISTORY_ENTRY__KIND__UNAPPROVE};
    Fundchain__HistoryEntry entry = FUNDCHAIN__HISTORY_ENTRY__INIT;
    entry.kind = kinds[op->kind];
    entry.at = op->at;
    entry.by = (char *)op->by;
    entry.until = op->until;
    entry.level = op->kind >= CITYREVIEW_PROVINCE_APPROVE ? "province" : op->pool ? "pool" : "unit";
    return cityhistory_append(txn, op->period, op->fund, key, &entry);
}

//  Whether the unit has a stored report of (period, fund).
static int s_reported(store_txn_t *txn, const cityreview_op_t *op)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, op->period, op->fund, op->unit);
    const void *val;
    size_t len;
    return store_get(txn, "reports", key, klen, &val, &len);
}

static int s_review_txn(store_txn_t *txn, void *arg)
{
    review_job_t *job = arg;
    const cityreview_op_t *op = job->op;
    Fundchain__Review *review = NULL, *pool = NULL, blank = FUNDCHAIN__REVIEW__INIT;
    const char **unapproved = NULL;
    size_t n = 0;
    const char *key = op->pool ? job->db->pool_key : op->unit;
    int rc = cityhistory_review_get(txn, op->period, op->fund, key, &review);
    if (rc == 0 && !op->pool)
        rc = cityhistory_review_get(txn, op->period, op->fund, job->db->pool_key, &pool);
    if (rc == 0 && op->pool && op->kind == CITYREVIEW_APPROVE)
        rc = s_unapproved(txn, job, &unapproved, &n);
    job->refused = 0;
    if (rc == 0 && !op->pool && op->kind == CITYREVIEW_APPROVE && s_reported(txn, op) != 0) {
        snprintf(job->why, job->size, "%s has no report of %s %s to approve", op->unit, op->period,
                 op->fund);
        job->refused = 1;
    }
    Fundchain__Review *target = review ? review : &blank;
    if (rc == 0 && !job->refused)
        job->refused = cityreview_apply(target, pool, op, unapproved, n, job->why, job->size);
    bool in_force = job->refused == 2; //  the province's order was applied before
    if (in_force)
        job->refused = 0;
    if (rc == 0 && !job->refused && !in_force) {
        rc = cityhistory_review_put(txn, op->period, op->fund, key, target);
        if (rc == 0)
            rc = s_trail_review(txn, op, key);
        accept_t mark = {.now_ms = s_now_ms(), .db = job->db};
        report_t pair;
        memset(&pair, 0, sizeof pair);
        snprintf(pair.period, sizeof pair.period, "%s", op->period);
        snprintf(pair.fund, sizeof pair.fund, "%s", op->fund);
        if (rc == 0)
            rc = s_mark_stored(txn, &mark, &pair); //  evaluate and forward with the new state
    }
    char **texts[] = {&blank.approved_by, &blank.province_by, &blank.unlock_by};
    for (size_t i = 0; i < 3; i++) //  cityreview_apply may have put strings in it
        if (*texts[i] != protobuf_c_empty_string)
            free(*texts[i]);
    free(unapproved);
    fundchain__review__free_unpacked(review, NULL);
    fundchain__review__free_unpacked(pool, NULL);
    return rc;
}

//  Applies a review operation in one transaction.
int citydb_review(citydb_t *self, const cityreview_op_t *op, const char *const *known,
                  size_t n_known, char *why, size_t size)
{
    review_job_t job = {self, op, known, n_known, why, size, 0};
    if (store_write(self->store, s_review_txn, &job) != 0)
        return -1;
    return job.refused ? 1 : 0;
}

typedef struct {
    const char *period, *fund, *unit;
    Fundchain__Review **review;
    cityhistory_fn *fn;
    void *arg;
} read_job_t;

static int s_review_read(store_txn_t *txn, void *arg)
{
    read_job_t *job = arg;
    return cityhistory_review_get(txn, job->period, job->fund, job->unit, job->review);
}

//  Reads the review of (period, fund, unit).
int citydb_review_get(citydb_t *self, const char *period, const char *fund, const char *unit,
                      Fundchain__Review **review)
{
    read_job_t job = {period, fund, unit, review, NULL, NULL};
    return store_read(self->store, s_review_read, &job) == 0 ? 0 : -1;
}

static int s_history_read(store_txn_t *txn, void *arg)
{
    read_job_t *job = arg;
    return cityhistory_each(txn, job->period, job->fund, job->unit, job->fn, job->arg);
}

//  Visits the trail of (period, fund, unit).
int citydb_history(citydb_t *self, const char *period, const char *fund, const char *unit,
                   cityhistory_fn *fn, void *arg)
{
    read_job_t job = {period, fund, unit, NULL, fn, arg};
    return store_read(self->store, s_history_read, &job) == 0 ? 0 : -1;
}

typedef struct {
    cityseries_past_t *past;
    size_t n, cap;
    size_t plen; //  of "fund|unit|": the period follows
    char *periods;
    int months; //  the length of the periods taken
    size_t max; //  how many to take
} series_t;

//  Collects one point of a unit's series, newest first, when its period has
//  the length asked for (its bytes stay valid while the snapshot lives);
//  stops once it has max of them.
static int s_series_one(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    series_t *s = arg;
    char period[16];
    period_t p;
    const char *why;
    if (klen <= s->plen || klen - s->plen >= sizeof period)
        return 0;
    memcpy(period, (const char *)key + s->plen, klen - s->plen);
    period[klen - s->plen] = 0;
    if (period_parse(period, &p, &why) != 0 || period_months(&p) != s->months)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        cityseries_past_t *past = realloc(s->past, cap * sizeof *past);
        char *periods = realloc(s->periods, cap * 16);
        if (past)
            s->past = past;
        if (periods)
            s->periods = periods;
        if (!past || !periods)
            return -1;
        s->cap = cap;
    }
    memcpy(s->periods + s->n * 16, period, sizeof period);
    s->past[s->n++] = (cityseries_past_t){NULL, val, vlen};
    return s->n >= s->max ? 1 : 0;
}

//  Reads the latest points of a unit's series before a period.
int citydb_snap_series(citydb_snap_t *snap, const char *fund, const char *unit, const char *before,
                       size_t max, cityseries_past_t **past, size_t *n, char **periods)
{
    char prefix[KEY_MAX], from[KEY_MAX];
    period_t p;
    const char *why;
    series_t s = {NULL, 0, 0, 0, NULL, 0, max};
    *past = NULL, *n = 0, *periods = NULL;
    if (max == 0 || period_parse(before, &p, &why) != 0)
        return 0;
    s.months = period_months(&p);
    s.plen = (size_t)snprintf(prefix, sizeof prefix, "%s|%s|", fund, unit);
    int flen = snprintf(from, sizeof from, "%s%s", prefix, before);
    int rc = store_scan_back(snap, "series", prefix, s.plen, from, (size_t)flen, s_series_one, &s);
    for (size_t i = 0; i < s.n; i++)
        s.past[i].period = s.periods + i * 16;
    *past = s.past;
    *n = s.n;
    *periods = s.periods;
    return rc == 0 ? 0 : -1;
}
