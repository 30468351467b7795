/*  cityhistory - Review and HistoryEntry records, packed with protobuf-c. */
#include "cityhistory.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 96

static size_t s_key(char *buf, const char *period, const char *fund, const char *unit)
{
    return (size_t)snprintf(buf, KEY_MAX, "%s|%s|%s|", period, fund, unit);
}

//  Reads a review.
int cityhistory_review_get(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                           Fundchain__Review **review)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, period, fund, unit);
    const void *val;
    size_t len;
    *review = NULL;
    int rc = store_get(txn, "review", key, klen, &val, &len);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *review = fundchain__review__unpack(NULL, len, val);
    return 0; //  a record this version cannot read counts as none
}

//  Reads a review's record as stored.
int cityhistory_review_raw(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                           const void **val, size_t *len)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, period, fund, unit);
    return store_get(txn, "review", key, klen, val, len);
}

//  Packs a message and puts it.
static int s_put(store_txn_t *txn, const char *db, const char *key, size_t klen,
                 const ProtobufCMessage *msg)
{
    size_t size = protobuf_c_message_get_packed_size(msg);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed)
        return -1;
    protobuf_c_message_pack(msg, packed);
    int rc = store_put(txn, db, key, klen, packed, size);
    free(packed);
    return rc;
}

//  Writes a review.
int cityhistory_review_put(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                           const Fundchain__Review *review)
{
    char key[KEY_MAX];
    size_t klen = s_key(key, period, fund, unit);
    return s_put(txn, "review", key, klen, &review->base);
}

//  Appends an entry.
int cityhistory_append(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                       const Fundchain__HistoryEntry *entry)
{
    uint64_t seq = store_next(txn, "history-seq");
    if (seq == 0)
        return -1;
    char key[KEY_MAX];
    size_t klen = s_key(key, period, fund, unit);
    klen += (size_t)snprintf(key + klen, sizeof key - klen, "%016llx", (unsigned long long)seq);
    return s_put(txn, "history", key, klen, &entry->base);
}

static bool s_same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

//  Finds item code in r, looking first at index hint (reports keep their order).
static const Fundchain__Item *s_find(const Fundchain__Report *r, const char *code, size_t hint)
{
    if (hint < r->n_items && s_same(r->items[hint]->code, code))
        return r->items[hint];
    for (size_t i = 0; i < r->n_items; i++)
        if (s_same(r->items[i]->code, code))
            return r->items[i];
    return NULL;
}

static bool s_same_item(const Fundchain__Item *a, const Fundchain__Item *b)
{
    return a && b && s_same(a->value, b->value) && s_same(a->uom, b->uom) &&
           s_same(a->target, b->target);
}

//  Appends a stored revision: with prev, only what changed since it.
int cityhistory_append_revision(store_txn_t *txn, const Fundchain__Report *report,
                                const Fundchain__Report *prev, int64_t at, const char *sender)
{
    Fundchain__HistoryEntry entry = FUNDCHAIN__HISTORY_ENTRY__INIT;
    entry.kind = FUNDCHAIN__HISTORY_ENTRY__KIND__REVISION;
    entry.at = at;
    entry.revision = report->revision;
    entry.sender = (char *)(sender ? sender : "");
    Fundchain__Report delta = *report;
    entry.report = (Fundchain__Report *)report;
    Fundchain__Item **changed = NULL;
    char **removed = NULL;
    if (prev) {
        changed = calloc(report->n_items + 1, sizeof *changed);
        removed = calloc(prev->n_items + 1, sizeof *removed);
        if (!changed || !removed) {
            free(changed);
            free(removed);
            return -1;
        }
        delta.n_items = 0;
        delta.items = changed;
        for (size_t i = 0; i < report->n_items; i++)
            if (!s_same_item(s_find(prev, report->items[i]->code, i), report->items[i]))
                changed[delta.n_items++] = report->items[i];
        for (size_t i = 0; i < prev->n_items; i++)
            if (!s_find(report, prev->items[i]->code, i))
                removed[entry.n_removed++] = prev->items[i]->code;
        entry.delta = true;
        entry.removed = removed;
        entry.report = &delta;
    }
    int rc = cityhistory_append(txn, report->period, report->fund, report->unit, &entry);
    free(changed);
    free(removed);
    return rc;
}

typedef struct {
    cityhistory_fn *fn;
    void *arg;
} each_t;

static int s_visit(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key;
    (void)klen;
    each_t *each = arg;
    Fundchain__HistoryEntry *entry = fundchain__history_entry__unpack(NULL, vlen, val);
    if (!entry)
        return 0;
    int rc = each->fn(entry, each->arg);
    fundchain__history_entry__free_unpacked(entry, NULL);
    return rc;
}

//  Visits the entries of a key in order.
int cityhistory_each(store_txn_t *txn, const char *period, const char *fund, const char *unit,
                     cityhistory_fn *fn, void *arg)
{
    char prefix[KEY_MAX];
    size_t plen = s_key(prefix, period, fund, unit);
    each_t each = {fn, arg};
    return store_scan(txn, "history", prefix, plen, s_visit, &each);
}
