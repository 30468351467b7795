/*  hubdb - the province's LMDB of evaluations.

    The key "period|fund|L|code" is the index a ranking needs: the
    candidates of (period, fund, level) are one prefix scan, in code order,
    and nothing else is read. The value is the Evaluation's protobuf, as
    earlier versions stored it (so their stores open and answer as they
    are); what a ranking and the version check need is read from those
    bytes in place (hubpeek), and only show decodes a record. A record that
    cannot be read is skipped by the scans and replaced by the next
    version; a store error makes the whole call fail (-1), and accept then
    commits nothing.
*/
#include "hubdb.h"
#include "evaluation.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _hubdb_t {
    store_t *store;
};

static const char *const s_dbs[] = {"evals", "meta", NULL};

#define KEY_MAX 64

static size_t s_key(char *buf, const char *period, const char *fund, int level, const char *code)
{
    return (size_t)snprintf(buf, KEY_MAX, "%.15s|%.15s|%c|%.7s", period, fund,
                            level == FUNDCHAIN__EVALUATION__LEVEL__POOL ? 'P' : 'U', code);
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
    if (self && !self->store) {
        fprintf(stderr, "cannot open the hub store %s\n", err ? err : dir);
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

//  Compares with the stored version, read without decoding the record (a
//  record that cannot be read is replaced, as before).
static hubdb_outcome_t s_compare(const void *val, size_t len, uint64_t version)
{
    uint64_t old;
    if (hubpeek_version(val, len, &old) != 0 || old < version)
        return HUBDB_STORED;
    return old == version ? HUBDB_DUPLICATE : HUBDB_OLDER;
}

//  Stores one record unless a version at least as new is stored.
static int s_accept_one(store_txn_t *txn, const hubdb_record_t *rec, hubdb_outcome_t *outcome)
{
    const Fundchain__Evaluation *eval = rec->eval;
    char key[KEY_MAX];
    size_t klen = s_key(key, eval->period, eval->fund, (int)eval->level, eval->code);
    const void *val;
    size_t len;
    *outcome = HUBDB_STORED;
    int rc = store_get(txn, "evals", key, klen, &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 0)
        *outcome = s_compare(val, len, eval->version);
    if (*outcome != HUBDB_STORED)
        return 0;
    if (rec->bytes)
        return store_put(txn, "evals", key, klen, rec->bytes, rec->len);
    size_t size;
    uint8_t *bytes = evaluation_encode(eval, &size);
    rc = bytes ? store_put(txn, "evals", key, klen, bytes, size) : -1;
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
    hubdb_peek_fn *peek_fn;
    const char *by;
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

static int s_visit_peek(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    each_t *each = arg;
    hubpeek_t peek;
    if (hubpeek_read(val, vlen, each->by, &peek) != 0)
        return 0; //  a record this version cannot read is skipped, never fatal
    return each->peek_fn(&peek, each->arg);
}

static int s_scan(store_txn_t *txn, void *arg)
{
    each_t *each = arg;
    return store_scan(txn, "evals", each->prefix, each->plen, each->fn ? s_visit : s_visit_peek,
                      each);
}

//  Visits the evaluations of (period, fund) at one level in code order.
int hubdb_each(hubdb_t *self, const char *period, const char *fund,
               Fundchain__Evaluation__Level level, hubdb_fn *fn, void *arg)
{
    each_t each = {fn, NULL, NULL, arg, "", 0};
    each.plen = s_key(each.prefix, period, fund, (int)level, "");
    return store_read(self->store, s_scan, &each) == 0 ? 0 : -1;
}

//  Visits what a ranking needs of the evaluations of (period, fund) at one level.
int hubdb_each_peek(hubdb_t *self, const char *period, const char *fund,
                    Fundchain__Evaluation__Level level, const char *by, hubdb_peek_fn *fn,
                    void *arg)
{
    each_t each = {NULL, fn, by, arg, "", 0};
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
