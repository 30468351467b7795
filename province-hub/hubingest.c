/*  hubingest - examines one message from a city. */
#include "hubingest.h"
#include "adcode.h"
#include "envelope.h"
#include "evaluation.h"
#include "hubpeek.h"
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

//  Encodes the evaluation and decodes it again (NULL when that fails); the
//  encoding, as it will be stored, goes to out.
static Fundchain__Evaluation *s_reread(const Fundchain__Evaluation *e, hubingest_t *out)
{
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(e, &len);
    Fundchain__Evaluation *copy = bytes ? evaluation_decode(bytes, len) : NULL;
    if (copy) {
        out->bytes = bytes;
        out->len = len;
    } else
        free(bytes);
    return copy;
}

//  Reads the evaluation of a message that holds nothing else (what every
//  city sends) from the bytes that will be stored: decoded once, never
//  encoded again. NULL for any other message, or one that does not
//  decode: the full unpack then says why.
static Fundchain__Evaluation *s_sole(zframe_t *payload, hubingest_t *out)
{
    const uint8_t *bytes;
    size_t len;
    if (hubpeek_sole_evaluation(zframe_data(payload), zframe_size(payload), &bytes, &len) != 0)
        return NULL;
    Fundchain__Evaluation *e = evaluation_decode(bytes, len);
    out->bytes = e ? malloc(len ? len : 1) : NULL;
    if (!out->bytes) {
        evaluation_free(e);
        return NULL;
    }
    memcpy(out->bytes, bytes, len);
    out->len = len;
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
    Fundchain__Evaluation *e = s_sole(payload, out);
    if (!e) {
        //  Any other message is unpacked in full, which says why it is refused.
        Fundchain__Envelope *env =
            envelope_unpack(payload, transport_max_msg(), out->reason, sizeof out->reason);
        if (!env)
            return;
        if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_EVALUATION) {
            snprintf(out->reason, sizeof out->reason,
                     "unexpected message type %d (%s): the hub accepts evaluations only",
                     (int)env->body_case, envelope_type_name((int)env->body_case));
            envelope_destroy(&env);
            return;
        }
        //  Keep only the evaluation, as it will be stored: encoded again and
        //  read back, so that what is accepted can be read from the store.
        e = s_reread(env->evaluation, out);
        envelope_destroy(&env);
    }
    const char *bad = e ? s_malformed(e) : "it cannot be stored and read back";
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
    evaluation_free(in->eval);
    in->eval = NULL;
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
