/*  evalseen - what the evaluator remembers of each unit (see evalseen.h),
    one entry per "period|fund|unit" in a CZMQ hash table: the hash of the
    record last queued, and the member made of the record last read with
    that record's hash.
*/
#include "evalseen.h"
#include "log.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 48

typedef struct {
    uint64_t queued;      //  the record last queued (0: none)
    uint64_t member_hash; //  the record member was made of
    poolmember_t *member; //  or NULL
    char *invalid;        //  why that record no longer validates, or NULL
} entry_t;

struct _evalseen_t {
    zhashx_t *units; //  "period|fund|unit" -> entry_t *
    size_t max, max_bytes;
    size_t bytes; //  of the members kept
};

//  Drops an entry's member, counting its bytes out.
static void s_drop_member(evalseen_t *self, entry_t *entry)
{
    if (self)
        self->bytes -=
            poolmember_bytes(entry->member) + (entry->invalid ? strlen(entry->invalid) + 1 : 0);
    poolmember_destroy(&entry->member);
    free(entry->invalid);
    entry->invalid = NULL;
    entry->member_hash = 0;
}

static void s_free_entry(void **item)
{
    entry_t *entry = *item;
    if (entry)
        s_drop_member(NULL, entry);
    free(entry);
    *item = NULL;
}

//  Creates an empty memory.
evalseen_t *evalseen_new(size_t max, size_t member_bytes)
{
    evalseen_t *self = calloc(1, sizeof *self);
    if (!self || !(self->units = zhashx_new())) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->units, s_free_entry);
    self->max = max ? max : EVALSEEN_MAX;
    self->max_bytes = member_bytes ? member_bytes : EVALSEEN_MEMBER_BYTES;
    return self;
}

//  Destroys the memory.
void evalseen_destroy(evalseen_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->units);
    free(*self_p);
    *self_p = NULL;
}

//  A 64-bit hash of the bytes, eight at a time (a multiply and xor-shift
//  per word, MurmurHash2-64's mixing; the tail byte by byte); 0 is never
//  returned. A record that changes is a new revision with other bytes, so
//  a collision would need two records of one unit to hash alike.
uint64_t evalseen_hash(const void *bytes, size_t len)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const unsigned char *p = bytes;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * m);
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        k *= m;
        k ^= k >> 47;
        h = (h ^ (k * m)) * m;
    }
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * m;
    h ^= h >> 47;
    h *= m;
    h ^= h >> 47;
    return h ? h : 1;
}

//  Builds the key; false when a part is too long for it.
static bool s_key(char *key, const char *period, const char *fund, const char *unit)
{
    int n = snprintf(key, KEY_MAX, "%s|%s|%s", period, fund, unit);
    return n > 0 && n < KEY_MAX;
}

//  The entry of a unit, made when make and missing; NULL when none.
static entry_t *s_entry(evalseen_t *self, const char *period, const char *fund, const char *unit,
                        bool make)
{
    char key[KEY_MAX];
    if (!self || !s_key(key, period, fund, unit))
        return NULL;
    entry_t *entry = zhashx_lookup(self->units, key);
    if (entry || !make)
        return entry;
    if (!(entry = calloc(1, sizeof *entry)))
        return NULL;
    if (zhashx_insert(self->units, key, entry) != 0) {
        free(entry);
        return NULL;
    }
    return entry;
}

//  Looks a unit up once: whether it changed, and its member if kept.
const poolmember_t *evalseen_find(evalseen_t *self, const char *period, const char *fund,
                                  const char *unit, uint64_t hash, bool *changed,
                                  const char **invalid)
{
    const entry_t *entry = s_entry(self, period, fund, unit, false);
    *changed = !entry || entry->queued != hash;
    *invalid = NULL;
    if (!entry || !entry->member || entry->member_hash != hash)
        return NULL;
    *invalid = entry->invalid;
    return entry->member;
}

//  Records the hash a unit's evaluation was queued from.
int evalseen_record(evalseen_t *self, const char *period, const char *fund, const char *unit,
                    uint64_t hash)
{
    entry_t *entry = s_entry(self, period, fund, unit, true);
    if (!entry)
        return -1;
    entry->queued = hash;
    return 0;
}

//  Keeps the member made of the unit's record of this hash.
const poolmember_t *evalseen_keep(evalseen_t *self, const char *period, const char *fund,
                                  const char *unit, uint64_t hash, poolmember_t **member_p,
                                  const char *invalid)
{
    entry_t *entry = s_entry(self, period, fund, unit, true);
    char *why = invalid ? strdup(invalid) : NULL;
    if (!entry || (invalid && !why)) {
        free(why);
        return NULL;
    }
    s_drop_member(self, entry);
    entry->member = *member_p;
    entry->member_hash = hash;
    entry->invalid = why;
    *member_p = NULL;
    self->bytes += poolmember_bytes(entry->member) + (why ? strlen(why) + 1 : 0);
    return entry->member;
}

//  Enforces the bounds, between two uses of members.
void evalseen_trim(evalseen_t *self)
{
    if (!self)
        return;
    if (zhashx_size(self->units) > self->max) {
        log_info("the evaluator forgets the %zu units it remembered (at most %zu): each is "
                 "evaluated again when its period next changes",
                 zhashx_size(self->units), self->max);
        zhashx_purge(self->units);
        self->bytes = 0;
    } else if (self->bytes > self->max_bytes) {
        log_info("the evaluator drops the pool members it kept (%zu bytes, at most %zu): they "
                 "are read again from the store",
                 self->bytes, self->max_bytes);
        for (entry_t *e = zhashx_first(self->units); e; e = zhashx_next(self->units))
            s_drop_member(self, e);
    }
}

//  The number of units remembered.
size_t evalseen_size(evalseen_t *self)
{
    return self ? zhashx_size(self->units) : 0;
}

//  The bytes of the members kept.
size_t evalseen_member_bytes(evalseen_t *self)
{
    return self ? self->bytes : 0;
}
