/*  outbox - a sender's durable outbox in LMDB. */
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
    if (rc == 0)
        rc = store_put(txn, "pending", key, klen, "", 0);
    free(packed);
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

static int s_visit_entry(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    visit_t *visit = arg;
    char name[OUTBOX_KEY_MAX];
    if (klen >= sizeof name)
        return 0;
    memcpy(name, key, klen);
    name[klen] = 0;
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack(NULL, vlen, val);
    if (!entry)
        return 0; //  a record this version cannot read is skipped, never fatal
    int rc = visit->fn(name, entry, visit->arg);
    fundchain__outbox_entry__free_unpacked(entry, NULL);
    return rc;
}

static int s_visit_pending(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)val;
    (void)vlen;
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
    return s_visit_entry(key, klen, entry, len, arg);
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

static bool s_final(Fundchain__OutboxEntry__State state)
{
    return state == FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED ||
           state == FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED ||
           state == FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD;
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

static int s_update_one(store_txn_t *txn, const outbox_change_t *change)
{
    const void *val;
    size_t vlen;
    int rc = store_get(txn, "outbox", change->key, strlen(change->key), &val, &vlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0; //  an ack for an entry we do not have is ignored
    Fundchain__OutboxEntry *entry = fundchain__outbox_entry__unpack(NULL, vlen, val);
    if (!entry)
        return 0;
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
