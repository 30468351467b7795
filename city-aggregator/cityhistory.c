/*  cityhistory - Review and HistoryEntry records, packed with protobuf-c. */
#include "cityhistory.h"
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
