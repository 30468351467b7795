/*  held - answers an agent's HeldQuery. */
#include "held.h"
#include "envelope.h"
#include "log.h"
#include "transport.h"
#include <stdlib.h>
#include <string.h>

#define HELD_HEADER 64 /* bytes of a reply besides its entries, at most */
#define HELD_ENTRY 48  /* bytes of one entry, at most (period and fund of 15) */

typedef struct {
    Fundchain__Held *entries;
    size_t n, cap;
} list_t;

static int s_collect(const char *period, const char *fund, uint32_t revision, void *arg)
{
    list_t *list = arg;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        Fundchain__Held *grown = realloc(list->entries, cap * sizeof *grown);
        if (!grown)
            return -1;
        list->entries = grown;
        list->cap = cap;
    }
    Fundchain__Held *h = &list->entries[list->n];
    fundchain__held__init(h);
    h->period = strndup(period, 15);
    h->fund = strndup(fund, 15);
    h->revision = revision;
    list->n++;
    return h->period && h->fund ? 0 : -1;
}

static void s_list_free(list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->entries[i].period);
        free(list->entries[i].fund);
    }
    free(list->entries);
}

//  Sends one reply to identity; returns 0 or -1.
static int s_send(zsock_t *router, zframe_t *identity, Fundchain__HeldReply *reply)
{
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY;
    env.held_reply = reply;
    zframe_t *body = envelope_pack(&env);
    zmsg_t *msg = zmsg_new();
    zframe_t *id = zframe_dup(identity);
    if (!body || !msg || !id) {
        zframe_destroy(&body);
        zframe_destroy(&id);
        zmsg_destroy(&msg);
        return -1;
    }
    zmsg_append(msg, &id);
    zmsg_append(msg, &body);
    if (zmsg_send(&msg, router) != 0) {
        zmsg_destroy(&msg);
        return -1;
    }
    return 0;
}

//  Sends the entries in replies that fit the receiver's limit.
static int s_send_all(zsock_t *router, zframe_t *identity, const char *unit, list_t *list)
{
    size_t per = (transport_max_msg() - HELD_HEADER) / HELD_ENTRY;
    Fundchain__Held **refs = calloc(per ? per : 1, sizeof *refs);
    if (!refs)
        return -1;
    size_t at = 0;
    int rc = 0;
    do {
        Fundchain__HeldReply reply = FUNDCHAIN__HELD_REPLY__INIT;
        reply.unit = (char *)unit;
        while (reply.n_held < per && at < list->n)
            refs[reply.n_held++] = &list->entries[at++];
        reply.held = refs;
        reply.more = at < list->n;
        rc = s_send(router, identity, &reply);
    } while (rc == 0 && at < list->n);
    free(refs);
    return rc;
}

//  Answers unit's query with what db holds of it, or with an error.
int held_answer(citydb_t *db, zsock_t *router, zframe_t *identity, const char *unit,
                const char *error)
{
    list_t list = {NULL, 0, 0};
    const char *why = error && *error ? error : NULL;
    if (!why && citydb_each_held(db, unit, s_collect, &list) != 0)
        why = "the city cannot read its store now: ask again later";
    int rc;
    if (why) {
        Fundchain__HeldReply reply = FUNDCHAIN__HELD_REPLY__INIT;
        reply.unit = (char *)unit;
        reply.error = (char *)why;
        rc = s_send(router, identity, &reply);
        log_warn("refused the held query of %s: %s", unit, why);
    } else {
        rc = s_send_all(router, identity, unit, &list);
        log_info("told %s the %zu revisions the city holds of its reports", unit, list.n);
    }
    if (rc != 0)
        log_warn("could not answer the held query of %s (it will ask again)", unit);
    s_list_free(&list);
    return rc;
}
