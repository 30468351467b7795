/*  evalseen - the hashes of the stored records the evaluator last queued
    evaluations of, one per "period|fund|unit" (see evalseen.h), in a CZMQ
    hash table whose values are heap copies of the 64-bit hash.
*/
#include "evalseen.h"
#include "log.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 48

struct _evalseen_t {
    zhashx_t *units; //  "period|fund|unit" -> uint64_t *
    size_t max;
};

static void s_free_hash(void **item)
{
    free(*item);
    *item = NULL;
}

//  Creates an empty memory.
evalseen_t *evalseen_new(size_t max)
{
    evalseen_t *self = calloc(1, sizeof *self);
    if (!self || !(self->units = zhashx_new())) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->units, s_free_hash);
    self->max = max ? max : EVALSEEN_MAX;
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

//  True unless last queued from a record of this hash.
bool evalseen_changed(evalseen_t *self, const char *period, const char *fund, const char *unit,
                      uint64_t hash)
{
    char key[KEY_MAX];
    if (!self || !s_key(key, period, fund, unit))
        return true;
    const uint64_t *seen = zhashx_lookup(self->units, key);
    return !seen || *seen != hash;
}

//  Records the hash a unit's evaluation was queued from.
int evalseen_record(evalseen_t *self, const char *period, const char *fund, const char *unit,
                    uint64_t hash)
{
    char key[KEY_MAX];
    if (!self || !s_key(key, period, fund, unit))
        return -1;
    uint64_t *seen = zhashx_lookup(self->units, key);
    if (seen) {
        *seen = hash;
        return 0;
    }
    if (zhashx_size(self->units) >= self->max) {
        log_info("the evaluator forgets the %zu units it remembered (at most %zu): each is "
                 "evaluated again when its period next changes",
                 zhashx_size(self->units), self->max);
        zhashx_purge(self->units);
    }
    if (!(seen = malloc(sizeof *seen)))
        return -1;
    *seen = hash;
    if (zhashx_insert(self->units, key, seen) != 0) {
        free(seen);
        return -1;
    }
    return 0;
}

//  The number of units remembered.
size_t evalseen_size(evalseen_t *self)
{
    return self ? zhashx_size(self->units) : 0;
}
