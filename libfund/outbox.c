/*  outbox - a sender's durable outbox in LMDB. An entry is written whole
    when queued and when it becomes final; between the two, a send only
    rewrites its small OutboxProgress in the pending index, and readers
    see the entry with that progress laid over it.
*/
#include "outbox.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Stores an entry as queued and pending inside the caller's transaction.
int outbox_put(store_txn_t *txn, const char *key, const Fundchain__OutboxEntry *entry)
{
    size_t size = fundchain__outbox_entry__get_packed_size(entry);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed)
        return -1;
    fundchain__outbox_entry__pack(entry, packed);
    size_t klen = strlen(key);
    int rc = store_put(txn, "outbox", key, klen, packed, size);
    free(packed);
    Fundchain__OutboxProgress progress = FUNDCHAIN__OUTBOX_PROGRESS__INIT;
    progress.state = entry->state;
    progress.sent_at = entry->sent_at;
    progress.attempts = entry->attempts;
    progress.format = 1;
    uint8_t bytes[64];
    size = fundchain__outbox_progress__get_packed_size(&progress);
    if (rc == 0 && size > sizeof bytes)
        rc = -1;
    if (rc == 0) {
        fundchain__outbox_progress__pack(&progress, bytes);
        rc = store_put(txn, "pending", key, klen, bytes, size);
    }
    return rc;
}

typedef struct {
    outbox_fn *fn;
    void *arg;
    store_txn_t *txn;
    bool pending_only;
    const char *after; //  pending_after: the key to start after, "" none
    outbox_skip_fn *skip;
} visit_t;

static bool s_final(Fundchain__OutboxEntry__State state)
{
    return state == FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED ||
           state == FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED ||
           state == FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD;
}

//  Lays the progress kept in the pending index (progress, plen bytes; empty
//  before this record existed: the entry holds its own) over a pending
//  entry. A progress this version cannot read leaves the entry as it is.
static void s_overlay(Fundchain__OutboxEntry *entry, const void *progress, size_t plen)
{
    if (plen == 0 || s_final(entry->state))
        return;
    Fundchain__OutboxProgress *p = fundchain__outbox_progress__unpack(NULL, plen, progress);
    if (p) {
        entry->state = p->state;
        entry->sent_at = p->sent_at;
        entry->attempts = p->attempts;
    }
    fundchain__outbox_progress__free_unpacked(p, NULL);
}

//  Decodes one entry, lays its progress over it and visits it.
static int s_visit_one(visit_t *visit, const void *key, size_t klen, const void *val, size_t vlen,
                       const void *progress, size_t plen)
{
    char name[OUTBOX_KEY_MAX];
    if (klen >= sizeof name)
        return 0;
    memcpy(name, key, klen);
    name[klen] = 0;
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack(NULL, vlen, val);
    if (!entry)
        return 0; //  a record this version cannot read is skipped, never fatal
    s_overlay(entry, progress, plen);
    int rc = visit->fn(name, entry, visit->arg);
    fundchain__outbox_entry__free_unpacked(entry, NULL);
    return rc;
}

//  Visits an entry of the whole outbox, with its progress when pending.
static int s_visit_entry(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    visit_t *visit = arg;
    const void *progress = NULL;
    size_t plen = 0;
    if (store_get(visit->txn, "pending", key, klen, &progress, &plen) < 0)
        return -1;
    return s_visit_one(visit, key, klen, val, vlen, progress, progress ? plen : 0);
}

static int s_visit_pending(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    visit_t *visit = arg;
    char name[OUTBOX_KEY_MAX];
    if (visit->after || visit->skip) {
        if (klen >= sizeof name)
            return 0;
        memcpy(name, key, klen);
        name[klen] = 0;
        if (visit->after && !strcmp(name, visit->after))
            return 0; //  the cursor itself: already passed
        if (visit->skip && visit->skip(name, visit->arg))
            return 0;
    }
    const void *entry;
    size_t len;
    int rc = store_get(visit->txn, "outbox", key, klen, &entry, &len);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    return s_visit_one(visit, key, klen, entry, len, val, vlen);
}

static int s_scan(store_txn_t *txn, void *arg)
{
    visit_t *visit = arg;
    visit->txn = txn;
    if (visit->after)
        return store_scan_from(txn, "pending", visit->after, strlen(visit->after), s_visit_pending,
                               arg);
    if (visit->pending_only)
        return store_scan(txn, "pending", NULL, 0, s_visit_pending, arg);
    return store_scan(txn, "outbox", NULL, 0, s_visit_entry, arg);
}

//  Visits every entry, or only the pending ones.
int outbox_each(store_t *store, bool pending_only, outbox_fn *fn, void *arg)
{
    visit_t visit = {fn, arg, NULL, pending_only, NULL, NULL};
    return store_read(store, s_scan, &visit) == 0 ? 0 : -1;
}

//  Visits the pending entries after a key, asking skip first.
int outbox_each_pending_after(store_t *store, const char *after, outbox_skip_fn *skip,
                              outbox_fn *fn, void *arg)
{
    visit_t visit = {fn, arg, NULL, true, after ? after : "", skip};
    return store_read(store, s_scan, &visit) == 0 ? 0 : -1;
}

//  Rewrites one entry with its new state inside the transaction.
static int s_rewrite(store_txn_t *txn, const outbox_change_t *change, Fundchain__OutboxEntry *entry)
{
    char *old_reason = entry->reason;
    entry->state = change->state;
    entry->reason = (char *)change->reason;
    if (change->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT) {
        entry->sent_at = change->when;
        entry->attempts++;
    }
    if (change->receiver_revision)
        entry->receiver_revision = change->receiver_revision;
    size_t size = fundchain__outbox_entry__get_packed_size(entry);
    uint8_t *packed = malloc(size ? size : 1);
    int rc = -1;
    if (packed) {
        fundchain__outbox_entry__pack(entry, packed);
        size_t klen = strlen(change->key);
        rc = store_put(txn, "outbox", change->key, klen, packed, size);
        if (rc == 0 && s_final(change->state))
            rc = store_del(txn, "pending", change->key, klen);
    }
    free(packed);
    entry->reason = old_reason;
    return rc;
}

//  Records a send (or a return to queued) of a pending entry in its
//  progress alone. Returns 0, STORE_RETRY, -1, or 1 when the entry holds
//  its own progress still (a store written before progress records): then
//  the entry is rewritten instead.
static int s_progress(store_txn_t *txn, const outbox_change_t *change, const void *old, size_t olen)
{
    if (olen == 0)
        return 1;
    Fundchain__OutboxProgress *p = fundchain__outbox_progress__unpack(NULL, olen, old);
    if (!p)
        return 1;
    p->state = change->state;
    if (change->state == FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT) {
        p->sent_at = change->when;
        p->attempts++;
    }
    uint8_t packed[64];
    size_t size = fundchain__outbox_progress__get_packed_size(p);
    int rc = size <= sizeof packed ? 0 : -1;
    if (rc == 0) {
        fundchain__outbox_progress__pack(p, packed);
        rc = store_put(txn, "pending", change->key, strlen(change->key), packed, size);
    }
    fundchain__outbox_progress__free_unpacked(p, NULL);
    return rc;
}

//  Makes a pending entry final without decoding it: appends to its record
//  an OutboxEntry holding only what changes (the state, the reason, the
//  receiver's revision, and the progress kept in the pending index), which
//  protobuf merges over what comes before (a singular field that appears
//  again takes its last value), then takes the key out of the index.
//  Returns 0, STORE_RETRY or -1.
static int s_finish(store_txn_t *txn, const outbox_change_t *change, const void *val, size_t vlen,
                    const void *progress, size_t plen)
{
    Fundchain__OutboxEntry delta = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    Fundchain__OutboxProgress *p =
        plen ? fundchain__outbox_progress__unpack(NULL, plen, progress) : NULL;
    if (p) {
        delta.sent_at = p->sent_at;
        delta.attempts = p->attempts;
    }
    fundchain__outbox_progress__free_unpacked(p, NULL);
    delta.state = change->state;
    delta.reason = (char *)change->reason;
    delta.receiver_revision = change->receiver_revision;
    size_t dlen = fundchain__outbox_entry__get_packed_size(&delta);
    uint8_t *record = malloc(vlen + dlen);
    if (!record)
        return -1;
    memcpy(record, val, vlen);
    fundchain__outbox_entry__pack(&delta, record + vlen);
    size_t klen = strlen(change->key);
    int rc = store_put(txn, "outbox", change->key, klen, record, vlen + dlen);
    free(record);
    return rc ? rc : store_del(txn, "pending", change->key, klen);
}

static int s_update_one(store_txn_t *txn, const outbox_change_t *change)
{
    size_t klen = strlen(change->key);
    const void *progress = NULL, *val;
    size_t plen = 0, vlen;
    int rc = store_get(txn, "pending", change->key, klen, &progress, &plen);
    if (rc != 0) //  not pending: final already (acknowledgements repeat), or unknown
        return rc < 0 ? -1 : 0;
    if (!s_final(change->state) && !change->receiver_revision &&
        (rc = s_progress(txn, change, progress, plen)) <= 0)
        return rc;
    rc = store_get(txn, "outbox", change->key, klen, &val, &vlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0; //  an ack for an entry we do not have is ignored
    if (s_final(change->state))
        return s_finish(txn, change, val, vlen, progress, plen);
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack(NULL, vlen, val);
    if (!entry)
        return 0;
    s_overlay(entry, progress, plen);
    rc = s_final(entry->state) ? 0 : s_rewrite(txn, change, entry);
    fundchain__outbox_entry__free_unpacked(entry, NULL);
    return rc;
}

typedef struct {
    const outbox_change_t *changes;
    size_t n;
} update_t;

static int s_update_all(store_txn_t *txn, void *arg)
{
    update_t *job = arg;
    for (size_t i = 0; i < job->n; i++) {
        int rc = s_update_one(txn, &job->changes[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

//  Applies state changes in one transaction.
int outbox_update(store_t *store, const outbox_change_t *changes, size_t n)
{
    if (n == 0)
        return 0;
    update_t job = {changes, n};
    return store_write(store, s_update_all, &job);
}

//  Returns the state's name as SPEC 7 shows it.
const char *outbox_state_name(Fundchain__OutboxEntry__State state)
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

typedef struct {
    uint32_t own, receiver;
} revisions_t;

static int s_visit_revision(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    revisions_t *found = arg;
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack(NULL, vlen, val);
    if (entry && entry->report) {
        if (entry->report->revision > found->own)
            found->own = entry->report->revision;
        if (entry->receiver_revision > found->receiver)
            found->receiver = entry->receiver_revision;
    }
    fundchain__outbox_entry__free_unpacked(entry, NULL);
    return 0;
}

//  Finds the highest revisions of (period, fund) inside the transaction.
int outbox_report_revisions(store_txn_t *txn, const char *period, const char *fund, uint32_t *own,
                            uint32_t *receiver)
{
    char prefix[OUTBOX_KEY_MAX];
    int plen = snprintf(prefix, sizeof prefix, "%.15s|%.15s|", period, fund);
    revisions_t found = {0, 0};
    int rc = store_scan(txn, "outbox", prefix, (size_t)plen, s_visit_revision, &found);
    if (own)
        *own = found.own;
    if (receiver)
        *receiver = found.receiver;
    return rc == 0 ? 0 : -1;
}

//  The key of a report revision.
void outbox_key_report(char *key, const char *period, const char *fund, uint32_t revision)
{
    snprintf(key, OUTBOX_KEY_MAX, "%.15s|%.15s|%010" PRIu32, period, fund, revision);
}

//  The key of an evaluation version.
void outbox_key_evaluation(char *key, uint64_t version, int level, const char *code,
                           const char *period, const char *fund)
{
    snprintf(key, OUTBOX_KEY_MAX, "%020" PRIu64 "|%d|%.7s|%.15s|%.15s", version, level, code,
             period, fund);
}

//  The key an acknowledgement names.
int outbox_key_ack(char *key, const Fundchain__Ack *ack)
{
    if (!ack->period || !ack->fund || !ack->kind)
        return -1;
    if (!strcmp(ack->kind, "report"))
        outbox_key_report(key, ack->period, ack->fund, ack->revision);
    else if (!strcmp(ack->kind, "evaluation") && ack->code)
        outbox_key_evaluation(key, ack->version, (int)ack->level, ack->code, ack->period,
                              ack->fund);
    else
        return -1;
    return 0;
}

typedef struct {
    size_t pending;
    int64_t oldest;
} measure_t;

static int s_measure_one(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    (void)key;
    measure_t *m = arg;
    m->pending++;
    if (entry->queued_at > 0 && (m->oldest == 0 || entry->queued_at < m->oldest))
        m->oldest = entry->queued_at;
    return 0;
}

//  Counts the pending entries and finds the oldest's queue time.
int outbox_measure(store_t *store, size_t *pending, int64_t *oldest_queued_at)
{
    measure_t m = {0, 0};
    int rc = outbox_each(store, true, s_measure_one, &m);
    *pending = rc == 0 ? m.pending : 0;
    *oldest_queued_at = rc == 0 ? m.oldest : 0;
    return rc;
}
