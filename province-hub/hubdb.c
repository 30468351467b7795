/*  hubdb - the province's LMDB of evaluations, and their rank index.

    The key "period|fund|L|code" is the index a ranking needs: the
    candidates of (period, fund, level) are one prefix scan, in code order,
    and nothing else is read. "evals" holds the Evaluation's protobuf under
    it, as earlier versions stored it; "rankidx" holds, under the same key,
    a RankEntry (proto/fundchain.proto): the code, name, version, level,
    total and numeric indicators of that evaluation, written in the same
    transaction. A ranking and the version check decode only that small
    message (protobuf-c, on a stack arena: no malloc a row); only show
    decodes an Evaluation. A store made before the index is given one at
    open, in one write transaction, logged. A record that cannot be read
    has no index entry: the scans skip it and the next version replaces
    it. A store error makes the whole call fail (-1), and accept then
    commits nothing.
*/
#include "hubdb.h"
#include "evaluation.h"
#include "log.h"
#include "pbarena.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _hubdb_t {
    store_t *store;
};

static const char *const s_dbs[] = {"evals", "rankidx", "meta", "versions", "approvals", NULL};

//  In "meta" once every evaluation has its rank index entry.
static const char s_indexed[] = "rankidx-built";

#define KEY_MAX 64

static size_t s_key(char *buf, const char *period, const char *fund, int level, const char *code)
{
    return (size_t)snprintf(buf, KEY_MAX, "%.15s|%.15s|%c|%.7s", period, fund,
                            level == FUNDCHAIN__EVALUATION__LEVEL__POOL ? 'P' : 'U', code);
}

#define ENTRY_VALUES 64  /* indicators packed without malloc */
#define ENTRY_BYTES 4096 /* a packed entry's bytes without malloc */
#define ARENA_BYTES 8192 /* an unpacked entry's memory without malloc */

//  Packs the rank index entry of eval into buf (size bytes) or, when it
//  does not fit, into memory that *heap then holds. NULL when out of memory.
static uint8_t *s_entry_pack(const Fundchain__Evaluation *eval, uint8_t *buf, size_t size,
                             size_t *len, uint8_t **heap)
{
    Fundchain__RankValue stack[ENTRY_VALUES], *vals = stack;
    Fundchain__RankValue *ptr_stack[ENTRY_VALUES], **ptrs = ptr_stack;
    *heap = NULL;
    if (eval->n_indicators > ENTRY_VALUES) {
        vals = malloc(eval->n_indicators * sizeof *vals);
        ptrs = malloc(eval->n_indicators * sizeof *ptrs);
    }
    Fundchain__RankEntry entry = FUNDCHAIN__RANK_ENTRY__INIT;
    entry.code = eval->code ? eval->code : "";
    entry.name = eval->name ? eval->name : "";
    entry.version = eval->version;
    entry.level = eval->level;
    entry.total_centi = eval->total_centi;
    entry.has_total = eval->has_total;
    entry.review = eval->review;
    entry.values = ptrs;
    for (size_t i = 0; vals && ptrs && i < eval->n_indicators; i++) {
        const Fundchain__Shown *shown = eval->indicators[i];
        if (!shown || !shown->code || !*shown->code || (shown->text && *shown->text))
            continue; //  a text is not a number: nothing to rank on
        fundchain__rank_value__init(&vals[entry.n_values]);
        vals[entry.n_values].code = shown->code;
        vals[entry.n_values].centi = shown->centi;
        ptrs[entry.n_values] = &vals[entry.n_values];
        entry.n_values++;
    }
    uint8_t *out = NULL;
    if (vals && ptrs) {
        *len = fundchain__rank_entry__get_packed_size(&entry);
        out = *len <= size ? buf : (*heap = malloc(*len));
        if (out)
            fundchain__rank_entry__pack(&entry, out);
    }
    if (vals != stack)
        free(vals);
    if (ptrs != ptr_stack)
        free(ptrs);
    return out;
}

//  Stores eval's rank index entry under key. Returns 0 or -1.
static int s_entry_put(store_txn_t *txn, const char *key, size_t klen,
                       const Fundchain__Evaluation *eval)
{
    uint8_t buf[ENTRY_BYTES], *heap;
    size_t len = 0;
    uint8_t *bytes = s_entry_pack(eval, buf, sizeof buf, &len, &heap);
    int rc = bytes ? store_put(txn, "rankidx", key, klen, bytes, len) : -1;
    free(heap);
    return rc;
}

typedef struct {
    store_txn_t *txn;
    bool due; //  the store has no record that its index was built
    size_t n; //  evaluations to index
} build_t;

static int s_count(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key, (void)klen, (void)val, (void)vlen;
    ((build_t *)arg)->n++;
    return 0;
}

static int s_index_one(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    build_t *build = arg;
    Fundchain__Evaluation *eval = evaluation_decode(val, vlen);
    if (!eval)
        return 0; //  a record this version cannot read stays out of the index
    int rc = s_entry_put(build->txn, key, klen, eval);
    evaluation_free(eval);
    return rc;
}

//  Says whether the rank index is still to be built, and of how many
//  evaluations.
static int s_unindexed(store_txn_t *txn, void *arg)
{
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", s_indexed, strlen(s_indexed), &val, &len);
    if (rc <= 0)
        return rc; //  built already, or a store error
    ((build_t *)arg)->due = true;
    return store_scan(txn, "evals", "", 0, s_count, arg);
}

//  Gives every stored evaluation its rank index entry.
static int s_build_index(store_txn_t *txn, void *arg)
{
    build_t *build = arg;
    build->txn = txn;
    int rc = store_scan(txn, "evals", "", 0, s_index_one, build);
    return rc ? rc : store_put(txn, "meta", s_indexed, strlen(s_indexed), "1", 1);
}

//  Builds the rank index of a store made before it, once. Returns 0 or -1.
static int s_index(store_t *store)
{
    build_t build = {NULL, false, 0};
    if (store_read(store, s_unindexed, &build) != 0)
        return -1;
    if (build.n)
        log_info("building the rank index of %zu evaluations", build.n);
    return build.due ? store_write(store, s_build_index, &build) : 0;
}

//  What a hub's store made before identity records has, and lacks.
static const char *const s_legacy_has[] = {"evals", NULL};
static const char *const s_legacy_lacks[] = {"reports", "revs", NULL};

//  Opens (creating) the hub's store.
hubdb_t *hubdb_open(const char *dir, const char *province)
{
    hubdb_t *self = calloc(1, sizeof *self);
    const char *err = NULL;
    store_opts_t opts = {.kind = "hub",
                         .owner = province,
                         .no_create = !province,
                         .legacy_has = s_legacy_has,
                         .legacy_lacks = s_legacy_lacks};
    if (self)
        self->store = store_open_opts(dir, s_dbs, &opts, &err);
    if (self && !self->store)
        fprintf(stderr, "cannot open the hub store %s\n", err ? err : dir);
    else if (self && s_index(self->store) != 0) {
        fprintf(stderr, "cannot build the rank index of the hub store %s: %s\n", dir,
                store_error(self->store));
        store_destroy(&self->store);
    }
    if (self && !self->store) {
        free(self);
        self = NULL;
    }
    return self;
}

//  Closes the store and nulls the pointer.
void hubdb_destroy(hubdb_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_destroy(&(*self_p)->store);
    free(*self_p);
    *self_p = NULL;
}

//  Returns the underlying store.
store_t *hubdb_store(hubdb_t *self)
{
    return self->store;
}

typedef struct {
    Fundchain__Evaluation *const *evals; //  either these
    const hubdb_record_t *records;       //  or these
    size_t n;
    hubdb_outcome_t *outcomes;
} accept_t;

//  Compares with the stored version, read from the rank index entry (a
//  record without one, or one that cannot be read, is replaced).
static hubdb_outcome_t s_compare(const void *val, size_t len, uint64_t version)
{
    uint8_t mem[ARENA_BYTES];
    pbarena_t arena;
    pbarena_init(&arena, mem, sizeof mem);
    Fundchain__RankEntry *entry = fundchain__rank_entry__unpack(&arena.base, len, val);
    if (!entry)
        return HUBDB_STORED;
    uint64_t old = entry->version;
    if (pbarena_spilled(&arena))
        fundchain__rank_entry__free_unpacked(entry, &arena.base);
    if (old < version)
        return HUBDB_STORED;
    return old == version ? HUBDB_DUPLICATE : HUBDB_OLDER;
}

//  Keeps a version for the history, under "KEY|VERSION": never replaced.
static int s_version_put(store_txn_t *txn, const char *key, size_t klen, uint64_t version,
                         const uint8_t *bytes, size_t len)
{
    char vkey[KEY_MAX + 24];
    int vlen =
        snprintf(vkey, sizeof vkey, "%.*s|%016llx", (int)klen, key, (unsigned long long)version);
    Fundchain__HubVersion v = FUNDCHAIN__HUB_VERSION__INIT;
    v.evaluation.data = (uint8_t *)bytes;
    v.evaluation.len = len;
    v.stored_at = (int64_t)time(NULL);
    size_t size = fundchain__hub_version__get_packed_size(&v);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed)
        return -1;
    fundchain__hub_version__pack(&v, packed);
    int rc = store_put(txn, "versions", vkey, (size_t)vlen, packed, size);
    free(packed);
    return rc;
}

//  Stores one record and its index entry unless a version at least as new is stored.
static int s_accept_one(store_txn_t *txn, const hubdb_record_t *rec, hubdb_outcome_t *outcome)
{
    const Fundchain__Evaluation *eval = rec->eval;
    char key[KEY_MAX];
    size_t klen = s_key(key, eval->period, eval->fund, (int)eval->level, eval->code);
    const void *val;
    size_t len;
    *outcome = HUBDB_STORED;
    int rc = store_get(txn, "rankidx", key, klen, &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 0)
        *outcome = s_compare(val, len, eval->version);
    if (*outcome != HUBDB_STORED)
        return 0;
    if ((rc = s_entry_put(txn, key, klen, eval)) != 0)
        return rc;
    if (rec->bytes)
        rc = store_put(txn, "evals", key, klen, rec->bytes, rec->len);
    if (rec->bytes)
        return rc == 0 ? s_version_put(txn, key, klen, eval->version, rec->bytes, rec->len) : rc;
    size_t size;
    uint8_t *bytes = evaluation_encode(eval, &size);
    rc = bytes ? store_put(txn, "evals", key, klen, bytes, size) : -1;
    if (rc == 0)
        rc = s_version_put(txn, key, klen, eval->version, bytes, size);
    free(bytes);
    return rc;
}

static int s_accept_all(store_txn_t *txn, void *arg)
{
    accept_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        hubdb_record_t rec = {job->evals ? job->evals[i] : NULL, NULL, 0};
        int rc = s_accept_one(txn, job->evals ? &rec : &job->records[i], &job->outcomes[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Stores evaluations in one transaction.
int hubdb_accept(hubdb_t *self, Fundchain__Evaluation *const *evals, size_t n,
                 hubdb_outcome_t *outcomes)
{
    if (n == 0)
        return 0;
    accept_t job = {evals, NULL, n, outcomes};
    return store_write(self->store, s_accept_all, &job);
}

//  Stores encoded records in one transaction.
int hubdb_accept_records(hubdb_t *self, const hubdb_record_t *records, size_t n,
                         hubdb_outcome_t *outcomes)
{
    if (n == 0)
        return 0;
    accept_t job = {NULL, records, n, outcomes};
    return store_write(self->store, s_accept_all, &job);
}

typedef struct {
    hubdb_fn *fn;
    hubdb_rank_fn *rank_fn;
    void *arg;
    char prefix[KEY_MAX];
    size_t plen;
} each_t;

static int s_visit(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    each_t *each = arg;
    Fundchain__Evaluation *eval = evaluation_decode(val, vlen);
    if (!eval)
        return 0; //  a record this version cannot read is skipped, never fatal
    int rc = each->fn(eval, each->arg);
    evaluation_free(eval);
    return rc;
}

static int s_visit_entry(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    each_t *each = arg;
    uint8_t mem[ARENA_BYTES];
    pbarena_t arena;
    pbarena_init(&arena, mem, sizeof mem);
    Fundchain__RankEntry *entry = fundchain__rank_entry__unpack(&arena.base, vlen, val);
    if (!entry)
        return 0; //  an entry this version cannot read is skipped, never fatal
    int rc = each->rank_fn(entry, each->arg);
    if (pbarena_spilled(&arena))
        fundchain__rank_entry__free_unpacked(entry, &arena.base);
    return rc;
}

static int s_scan(store_txn_t *txn, void *arg)
{
    each_t *each = arg;
    if (each->fn)
        return store_scan(txn, "evals", each->prefix, each->plen, s_visit, each);
    return store_scan(txn, "rankidx", each->prefix, each->plen, s_visit_entry, each);
}

//  Visits the evaluations of (period, fund) at one level in code order.
int hubdb_each(hubdb_t *self, const char *period, const char *fund,
               Fundchain__Evaluation__Level level, hubdb_fn *fn, void *arg)
{
    each_t each = {fn, NULL, arg, "", 0};
    each.plen = s_key(each.prefix, period, fund, (int)level, "");
    return store_read(self->store, s_scan, &each) == 0 ? 0 : -1;
}

//  Visits the rank index entries of (period, fund) at one level in code order.
int hubdb_each_rank(hubdb_t *self, const char *period, const char *fund,
                    Fundchain__Evaluation__Level level, hubdb_rank_fn *fn, void *arg)
{
    each_t each = {NULL, fn, arg, "", 0};
    each.plen = s_key(each.prefix, period, fund, (int)level, "");
    return store_read(self->store, s_scan, &each) == 0 ? 0 : -1;
}

typedef struct {
    char key[KEY_MAX];
    size_t klen;
    Fundchain__Evaluation *eval;
} get_t;

static int s_get(store_txn_t *txn, void *arg)
{
    get_t *get = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "evals", get->key, get->klen, &val, &len);
    if (rc == 0)
        get->eval = evaluation_decode(val, len);
    return rc < 0 ? -1 : 0;
}

//  Returns a copy of one evaluation, or NULL.
Fundchain__Evaluation *hubdb_get(hubdb_t *self, const char *period, const char *fund,
                                 Fundchain__Evaluation__Level level, const char *code)
{
    get_t get = {"", 0, NULL};
    get.klen = s_key(get.key, period, fund, (int)level, code);
    if (store_read(self->store, s_get, &get) != 0)
        return NULL;
    return get.eval;
}

typedef struct {
    const char *fund;
    hubdb_period_fn *fn;
    void *arg;
    char last[16]; //  the period visited last
} periods_t;

//  Visits a key's period when it is of the fund and not the last one seen.
static int s_period_key(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)val;
    (void)vlen;
    periods_t *p = arg;
    char text[KEY_MAX], period[16], fund[16];
    if (klen >= sizeof text)
        return 0;
    memcpy(text, key, klen);
    text[klen] = 0;
    if (sscanf(text, "%15[^|]|%15[^|]|", period, fund) != 2 || strcmp(fund, p->fund) ||
        !strcmp(period, p->last))
        return 0;
    snprintf(p->last, sizeof p->last, "%s", period);
    return p->fn(period, p->arg);
}

static int s_scan_periods(store_txn_t *txn, void *arg)
{
    return store_scan(txn, "rankidx", "", 0, s_period_key, arg);
}

//  Visits the periods of a fund: one scan of the rank index (small records).
int hubdb_periods(hubdb_t *self, const char *fund, hubdb_period_fn *fn, void *arg)
{
    periods_t p = {fund, fn, arg, ""};
    return store_read(self->store, s_scan_periods, &p) == 0 ? 0 : -1;
}

typedef struct {
    hubdb_version_fn *fn;
    void *arg;
} versions_t;

static int s_visit_version(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    versions_t *v = arg;
    Fundchain__HubVersion *hv = fundchain__hub_version__unpack(NULL, vlen, val);
    Fundchain__Evaluation *eval =
        hv ? evaluation_decode(hv->evaluation.data, hv->evaluation.len) : NULL;
    int rc = eval ? v->fn(eval, hv->stored_at, v->arg) : 0; //  unreadable: skipped
    evaluation_free(eval);
    fundchain__hub_version__free_unpacked(hv, NULL);
    return rc;
}

typedef struct {
    char prefix[KEY_MAX + 2];
    size_t plen;
    versions_t v;
} versions_job_t;

static int s_scan_versions(store_txn_t *txn, void *arg)
{
    versions_job_t *job = arg;
    return store_scan(txn, "versions", job->prefix, job->plen, s_visit_version, &job->v);
}

//  Visits every version of one evaluation, oldest first.
int hubdb_each_version(hubdb_t *self, const char *period, const char *fund,
                       Fundchain__Evaluation__Level level, const char *code, hubdb_version_fn *fn,
                       void *arg)
{
    versions_job_t job = {"", 0, {fn, arg}};
    job.plen = s_key(job.prefix, period, fund, (int)level, code);
    job.prefix[job.plen++] = '|';
    job.prefix[job.plen] = 0;
    return store_read(self->store, s_scan_versions, &job) == 0 ? 0 : -1;
}

/* ---- the province's approvals of pools (SPEC 9.3) ------------------------ */

static size_t s_approval_key(char *buf, const char *period, const char *fund, const char *city)
{
    return (size_t)snprintf(buf, KEY_MAX, "%.15s|%.15s|%.7s", period, fund, city);
}

static int s_approval_read(store_txn_t *txn, const char *key, size_t klen,
                           Fundchain__HubApproval **a)
{
    const void *val;
    size_t len;
    *a = NULL;
    int rc = store_get(txn, "approvals", key, klen, &val, &len);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *a = fundchain__hub_approval__unpack(NULL, len, val);
    return 0;
}

static int s_approval_write(store_txn_t *txn, const char *key, size_t klen,
                            const Fundchain__HubApproval *a)
{
    size_t size = fundchain__hub_approval__get_packed_size(a);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed)
        return -1;
    fundchain__hub_approval__pack(a, packed);
    int rc = store_put(txn, "approvals", key, klen, packed, size);
    free(packed);
    return rc;
}

typedef struct {
    const char *period, *fund, *city, *by;
    bool approve;
    int64_t at;
    char *why;
    size_t size;
    int refused;
} approve_job_t;

//  The city's approval of its pool, as the pool the hub holds says; 0: none.
static int s_city_approved_at(store_txn_t *txn, approve_job_t *job, int64_t *at)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, job->period, job->fund, FUNDCHAIN__EVALUATION__LEVEL__POOL, job->city);
    const void *val;
    size_t len;
    *at = 0;
    int rc = store_get(txn, "evals", key, klen, &val, &len);
    if (rc != 0)
        return rc < 0 ? -1 : 1;
    Fundchain__Evaluation *eval = evaluation_decode(val, len);
    if (eval && eval->review)
        *at = eval->review->approved_at;
    evaluation_free(eval);
    return 0;
}

static int s_approve_txn(store_txn_t *txn, void *arg)
{
    approve_job_t *job = arg;
    char key[KEY_MAX];
    size_t klen = s_approval_key(key, job->period, job->fund, job->city);
    Fundchain__HubApproval *old = NULL;
    int64_t city_at = 0;
    job->refused = 1;
    if (s_approval_read(txn, key, klen, &old) != 0)
        return -1;
    bool standing = old && (old->state == FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_APPROVE ||
                            old->state == FUNDCHAIN__HUB_APPROVAL__STATE__APPROVED);
    int rc = job->approve ? s_city_approved_at(txn, job, &city_at) : 0;
    if (rc < 0) {
        fundchain__hub_approval__free_unpacked(old, NULL);
        return -1;
    }
    if (job->approve && rc == 1)
        snprintf(job->why, job->size, "the hub holds no pool of %s for %s %s", job->city,
                 job->period, job->fund);
    else if (job->approve && standing)
        snprintf(job->why, job->size, "already approved by %s (%s)", old->by,
                 old->state == FUNDCHAIN__HUB_APPROVAL__STATE__APPROVED ? "locked at the city"
                                                                        : "the city has not "
                                                                          "confirmed yet");
    else if (job->approve && city_at <= 0)
        snprintf(job->why, job->size,
                 "the city has not approved this pool: the province approves only what the "
                 "city has (city-aggregator approve --pool)");
    else if (!job->approve && !standing)
        snprintf(job->why, job->size, "the province has not approved this pool");
    else
        job->refused = 0;
    fundchain__hub_approval__free_unpacked(old, NULL);
    if (job->refused)
        return 0;
    Fundchain__HubApproval a = FUNDCHAIN__HUB_APPROVAL__INIT;
    a.state = job->approve ? FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_APPROVE
                           : FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_UNAPPROVE;
    a.by = (char *)job->by;
    a.at = job->at;
    a.city_approved_at = city_at;
    return s_approval_write(txn, key, klen, &a);
}

//  Records an approval, or its withdrawal, pending the city's confirmation.
int hubdb_approve(hubdb_t *self, const char *period, const char *fund, const char *city,
                  bool approve, const char *by, int64_t at, char *why, size_t size)
{
    approve_job_t job = {period, fund, city, by, approve, at, why, size, 0};
    if (store_write(self->store, s_approve_txn, &job) != 0)
        return -1;
    return job.refused;
}

typedef struct {
    const char *city;
    Fundchain__ReviewResult **results;
    size_t n;
    int64_t now;
    Fundchain__ReviewOrder **orders;
    size_t n_orders, cap;
    store_txn_t *txn;
} poll_job_t;

//  Applies the city's result for one pending approval, if it answers it.
static int s_result(store_txn_t *txn, const char *key, size_t klen, Fundchain__HubApproval *a,
                    poll_job_t *job, const char *period, const char *fund)
{
    for (size_t i = 0; i < job->n; i++) {
        const Fundchain__ReviewResult *r = job->results[i];
        bool approving = a->state == FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_APPROVE;
        if (strcmp(r->period, period) || strcmp(r->fund, fund) || r->at != a->at ||
            r->approve != approving)
            continue;
        a->state = r->ok ? (approving ? FUNDCHAIN__HUB_APPROVAL__STATE__APPROVED
                                      : FUNDCHAIN__HUB_APPROVAL__STATE__UNAPPROVED)
                         : FUNDCHAIN__HUB_APPROVAL__STATE__REFUSED;
        a->reason = r->ok ? "" : r->reason;
        a->done_at = job->now;
        log_info("%s %s %s: the city %s the province's %s%s%s", job->city, period, fund,
                 r->ok ? "applied" : "refused", approving ? "approval" : "unapproval",
                 r->ok ? "" : ": ", r->ok ? "" : r->reason);
        return s_approval_write(txn, key, klen, a);
    }
    return 0;
}

//  Visits one approval: applies a result, and orders what is still pending.
static int s_poll_one(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    poll_job_t *job = arg;
    char text[KEY_MAX], period[16], fund[16], city[8];
    if (klen >= sizeof text)
        return 0;
    memcpy(text, key, klen);
    text[klen] = 0;
    if (sscanf(text, "%15[^|]|%15[^|]|%7s", period, fund, city) != 3 || strcmp(city, job->city))
        return 0;
    Fundchain__HubApproval *a = fundchain__hub_approval__unpack(NULL, vlen, val);
    if (!a)
        return 0;
    char *reason = a->reason;
    int rc = s_result(job->txn, text, klen, a, job, period, fund);
    bool pending = a->state == FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_APPROVE ||
                   a->state == FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_UNAPPROVE;
    if (rc == 0 && pending && job->n_orders == job->cap) {
        size_t cap = job->cap ? 2 * job->cap : 8;
        Fundchain__ReviewOrder **grown = realloc(job->orders, cap * sizeof *grown);
        if (!grown)
            rc = -1;
        else
            job->orders = grown, job->cap = cap;
    }
    if (rc == 0 && pending) {
        Fundchain__ReviewOrder *o = calloc(1, sizeof *o);
        if (!o)
            rc = -1;
        else {
            fundchain__review_order__init(o);
            o->period = strdup(period);
            o->fund = strdup(fund);
            o->approve = a->state == FUNDCHAIN__HUB_APPROVAL__STATE__PENDING_APPROVE;
            o->by = strdup(a->by);
            o->at = a->at;
            o->city_approved_at = a->city_approved_at;
            job->orders[job->n_orders++] = o;
            rc = o->period && o->fund && o->by ? 0 : -1;
        }
    }
    a->reason = reason; //  free_unpacked frees what unpack made
    fundchain__hub_approval__free_unpacked(a, NULL);
    return rc;
}

static int s_poll_txn(store_txn_t *txn, void *arg)
{
    poll_job_t *job = arg;
    job->txn = txn;
    for (size_t i = 0; i < job->n_orders; i++) //  a retried transaction starts again
        fundchain__review_order__free_unpacked(job->orders[i], NULL);
    job->n_orders = 0;
    return store_scan(txn, "approvals", NULL, 0, s_poll_one, job);
}

//  Applies a city's results and collects its pending orders.
int hubdb_review_poll(hubdb_t *self, const char *city, Fundchain__ReviewResult **results, size_t n,
                      int64_t now, Fundchain__ReviewOrders *orders)
{
    poll_job_t job = {city, results, n, now, NULL, 0, 0, NULL};
    int rc = store_write(self->store, s_poll_txn, &job);
    fundchain__review_orders__init(orders);
    orders->orders = job.orders;
    orders->n_orders = job.n_orders;
    return rc == 0 ? 0 : -1;
}

//  Frees the orders hubdb_review_poll collected.
void hubdb_orders_clear(Fundchain__ReviewOrders *orders)
{
    for (size_t i = 0; i < orders->n_orders; i++)
        fundchain__review_order__free_unpacked(orders->orders[i], NULL);
    free(orders->orders);
    orders->orders = NULL;
    orders->n_orders = 0;
}

typedef struct {
    char key[KEY_MAX];
    size_t klen;
    Fundchain__HubApproval **a;
} approval_get_t;

static int s_approval_get_txn(store_txn_t *txn, void *arg)
{
    approval_get_t *job = arg;
    return s_approval_read(txn, job->key, job->klen, job->a);
}

//  Reads the province's approval of a pool.
int hubdb_approval_get(hubdb_t *self, const char *period, const char *fund, const char *city,
                       Fundchain__HubApproval **a)
{
    approval_get_t job = {"", 0, a};
    job.klen = s_approval_key(job.key, period, fund, city);
    return store_read(self->store, s_approval_get_txn, &job) == 0 ? 0 : -1;
}
