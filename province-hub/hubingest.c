/*  hubingest - examines one message from a city: unpacked (envelope),
    its evaluation packed once as the store will hold it and read back,
    then checked. Never fails: a message that is not an answerable
    evaluation is a drop with the reason.
*/
#include "hubingest.h"
#include "adcode.h"
#include "envelope.h"
#include "evaluation.h"
#include "pbarena.h"
#include "period.h"
#include "transport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTS 10000 /* items, indicators, scores, warnings, units */

//  Checks the evaluation's own fields; returns NULL or the reason.
static const char *s_malformed(const Fundchain__Evaluation *e)
{
    period_t p;
    const char *why = NULL;
    if (!e->code || !adcode_valid(e->code) || !e->city || !adcode_is_city(e->city))
        return "bad unit or city code";
    if (!e->period || period_parse(e->period, &p, &why) != 0)
        return "bad period";
    if (!e->fund || !period_fund_valid(e->fund))
        return "bad fund";
    if (e->version == 0)
        return "no version";
    if (e->level != FUNDCHAIN__EVALUATION__LEVEL__UNIT &&
        e->level != FUNDCHAIN__EVALUATION__LEVEL__POOL)
        return "bad level";
    return NULL;
}

//  Checks the size of an identified evaluation; returns true when it may
//  be stored, or false with the reason. Refused with an answer, not
//  dropped: the city would send it again forever.
static bool s_sized(const Fundchain__Evaluation *e, char *reason, size_t size)
{
    if (e->n_items <= MAX_PARTS && e->n_indicators <= MAX_PARTS && e->n_scores <= MAX_PARTS &&
        e->n_warnings <= MAX_PARTS && e->n_units <= MAX_PARTS)
        return true;
    snprintf(reason, size,
             "too many parts: %zu items, %zu indicators, %zu scores, %zu warnings, %zu units "
             "(at most %d of each)",
             e->n_items, e->n_indicators, e->n_scores, e->n_warnings, e->n_units, MAX_PARTS);
    return false;
}

//  Says whether bytes decode, as the store will be read (on a stack arena:
//  no malloc). protobuf-c packs some of what it reads in a form it cannot
//  read back (a field numbered 0): such an evaluation must not be accepted.
static bool s_reads_back(const uint8_t *bytes, size_t len)
{
    uint8_t mem[16384];
    pbarena_t arena;
    pbarena_init(&arena, mem, sizeof mem);
    Fundchain__Evaluation *copy = fundchain__evaluation__unpack(&arena.base, len, bytes);
    if (copy && pbarena_spilled(&arena))
        fundchain__evaluation__free_unpacked(copy, &arena.base);
    return copy != NULL;
}

//  Makes the arena a message is decoded into: one malloc, which holds what
//  an evaluation of frame_size bytes decodes to (more falls back to malloc).
static pbarena_t *s_arena_new(size_t frame_size)
{
    size_t size = 4 * frame_size + 4096;
    pbarena_t *arena = malloc(sizeof *arena + size);
    if (arena)
        pbarena_init(arena, arena + 1, size);
    return arena;
}

//  Takes the evaluation out of a city's message, and its encoding as it
//  will be stored into out: packed once from what was decoded, and read
//  back. NULL with the reason in out when the message is not an
//  evaluation or cannot be stored and read back.
static Fundchain__Evaluation *s_take(zframe_t *payload, hubingest_t *out)
{
    pbarena_t *arena = s_arena_new(zframe_size(payload));
    if (!arena) {
        snprintf(out->reason, sizeof out->reason, "out of memory");
        return NULL;
    }
    out->arena = arena;
    Fundchain__Envelope *env = envelope_unpack_alloc(payload, transport_max_msg(), &arena->base,
                                                     out->reason, sizeof out->reason);
    if (!env)
        return NULL;
    Fundchain__Evaluation *e = NULL;
    if (env->body_case == FUNDCHAIN__ENVELOPE__BODY_REVIEW_POLL) {
        out->poll = env->review_poll; //  detached: freed with the arena by hubingest_clear
        env->review_poll = NULL;
        env->body_case = FUNDCHAIN__ENVELOPE__BODY__NOT_SET;
        out->verdict = HUBINGEST_POLL;
    } else if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_EVALUATION)
        snprintf(out->reason, sizeof out->reason,
                 "unexpected message type %d (%s): the hub accepts evaluations only",
                 (int)env->body_case, envelope_type_name((int)env->body_case));
    else {
        e = env->evaluation; //  the envelope's own: detached before it is freed
        env->evaluation = NULL;
        env->body_case = FUNDCHAIN__ENVELOPE__BODY__NOT_SET;
        out->bytes = e ? evaluation_encode(e, &out->len) : NULL;
        if (!out->bytes || !s_reads_back(out->bytes, out->len)) {
            snprintf(out->reason, sizeof out->reason,
                     "malformed evaluation: it cannot be stored and read back");
            if (pbarena_spilled(arena))
                fundchain__evaluation__free_unpacked(e, &arena->base);
            e = NULL;
            free(out->bytes);
            out->bytes = NULL;
            out->len = 0;
        }
    }
    if (pbarena_spilled(arena))
        envelope_destroy_alloc(&env, &arena->base); //  else the arena's memory is freed with it
    return e;
}

//  Checks who may send what: a city its own pool and units, in the province.
static bool s_jurisdiction(const char *province, const Fundchain__Evaluation *e, const char *peer,
                           char *reason, size_t size)
{
    const char *city = peer ? peer : e->city;
    if (strcmp(e->city, city))
        snprintf(reason, size, "city %s may not send the evaluations of city %s (jurisdiction)",
                 city, e->city);
    else if (e->level == FUNDCHAIN__EVALUATION__LEVEL__POOL && strcmp(e->code, city))
        snprintf(reason, size, "city %s may not send the pool of %s (jurisdiction)", city, e->code);
    else if (!adcode_in_city(e->code, city))
        snprintf(reason, size, "unit %s is not inside city %s (jurisdiction)", e->code, city);
    else if (!adcode_in_province(e->code, province))
        snprintf(reason, size, "%s is not inside province %s (jurisdiction)", e->code, province);
    else
        return true;
    return false;
}

//  Names the city asking: its key's code, or on a plain-text link the one
//  it names; a code outside the province is dropped.
static void s_poll_city(const char *province, const char *peer, hubingest_t *out)
{
    const char *city = peer ? peer : out->poll->city ? out->poll->city : "";
    snprintf(out->city, sizeof out->city, "%s", city);
    if (!adcode_is_city(out->city) || strncmp(out->city, province, 2) != 0) {
        snprintf(out->reason, sizeof out->reason, "a review poll from '%.7s', not a city of %s",
                 out->city, province);
        out->verdict = HUBINGEST_DROP;
        hubingest_clear(out);
    }
}

//  Examines one payload frame.
void hubingest_examine(const char *province, zframe_t *payload, const char *peer, hubingest_t *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = HUBINGEST_DROP;
    size_t size = zframe_size(payload);
    if (size > transport_max_msg()) {
        snprintf(out->reason, sizeof out->reason, "message of %zu bytes is larger than %zu", size,
                 transport_max_msg());
        return;
    }
    Fundchain__Evaluation *e = s_take(payload, out);
    if (out->verdict == HUBINGEST_POLL) {
        s_poll_city(province, peer, out);
        return;
    }
    if (!e) {
        hubingest_clear(out);
        return;
    }
    const char *bad = s_malformed(e);
    out->eval = e;
    if (bad) {
        snprintf(out->reason, sizeof out->reason, "malformed evaluation: %s", bad);
        hubingest_clear(out);
        return;
    }
    out->verdict = s_jurisdiction(province, e, peer, out->reason, sizeof out->reason) &&
                           s_sized(e, out->reason, sizeof out->reason)
                       ? HUBINGEST_ACCEPT
                       : HUBINGEST_REJECT;
}

//  Frees what an examined message holds.
void hubingest_clear(hubingest_t *in)
{
    pbarena_t *arena = in->arena;
    if (in->eval && arena && pbarena_spilled(arena))
        fundchain__evaluation__free_unpacked(in->eval, &arena->base);
    if (in->poll && arena && pbarena_spilled(arena))
        fundchain__review_poll__free_unpacked(in->poll, &arena->base);
    free(arena);
    in->arena = NULL;
    in->eval = NULL;
    in->poll = NULL;
    free(in->bytes);
    in->bytes = NULL;
    in->len = 0;
}

//  Builds the acknowledgement of an examined message.
zframe_t *hubingest_ack(const hubingest_t *in)
{
    const Fundchain__Evaluation *e = in->eval;
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "evaluation";
    ack.unit = e->code;
    ack.code = e->code;
    ack.period = e->period;
    ack.fund = e->fund;
    ack.version = e->version;
    ack.level = e->level;
    bool rejected = in->verdict == HUBINGEST_REJECT;
    ack.status = rejected ? FUNDCHAIN__ACK__STATUS__REJECTED : FUNDCHAIN__ACK__STATUS__ACCEPTED;
    ack.reason = rejected ? (char *)in->reason : "";
    return envelope_ack_frame(&ack);
}
