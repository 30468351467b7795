/*  envelope - packs and unpacks the Envelope; names its message types.

    Packing fails only when memory runs out; unpacking refuses, with its
    reason, a frame that is too large or is not an Envelope.
*/
#include "envelope.h"
#include <stdio.h>

//  Packs env into a new frame.
zframe_t *envelope_pack(const Fundchain__Envelope *env)
{
    zframe_t *frame = zframe_new(NULL, fundchain__envelope__get_packed_size(env));
    if (frame)
        fundchain__envelope__pack(env, zframe_data(frame));
    return frame;
}

//  Packs an Envelope holding ack into a new frame.
zframe_t *envelope_ack_frame(const Fundchain__Ack *ack)
{
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    env.ack = (Fundchain__Ack *)ack;
    return envelope_pack(&env);
}

//  Unpacks the Envelope in frame, refusing one of more than max_size bytes.
Fundchain__Envelope *envelope_unpack(zframe_t *frame, size_t max_size, char *why, size_t why_size)
{
    return envelope_unpack_alloc(frame, max_size, NULL, why, why_size);
}

//  Unpacks an Envelope into the memory of alloc.
Fundchain__Envelope *envelope_unpack_alloc(zframe_t *frame, size_t max_size,
                                           ProtobufCAllocator *alloc, char *why, size_t why_size)
{
    char ignored[80];
    if (!why) {
        why = ignored;
        why_size = sizeof ignored;
    }
    if (!frame) {
        snprintf(why, why_size, "no message");
        return NULL;
    }
    size_t size = zframe_size(frame);
    if (size > max_size) {
        snprintf(why, why_size, "message of %zu bytes is larger than %zu", size, max_size);
        return NULL;
    }
    Fundchain__Envelope *env = fundchain__envelope__unpack(alloc, size, zframe_data(frame));
    if (!env)
        snprintf(why, why_size, "malformed message of %zu bytes", size);
    return env;
}

//  Frees an unpacked Envelope and nulls the pointer.
void envelope_destroy(Fundchain__Envelope **self_p)
{
    envelope_destroy_alloc(self_p, NULL);
}

//  Frees an Envelope unpacked with alloc.
void envelope_destroy_alloc(Fundchain__Envelope **self_p, ProtobufCAllocator *alloc)
{
    if (self_p && *self_p) {
        fundchain__envelope__free_unpacked(*self_p, alloc);
        *self_p = NULL;
    }
}

//  Returns the name of an Envelope's message type.
const char *envelope_type_name(int body_case)
{
    switch (body_case) {
    case FUNDCHAIN__ENVELOPE__BODY_REPORT:
        return "report";
    case FUNDCHAIN__ENVELOPE__BODY_ACK:
        return "ack";
    case FUNDCHAIN__ENVELOPE__BODY_EVALUATION:
        return "evaluation";
    case FUNDCHAIN__ENVELOPE__BODY_QUERY:
        return "query";
    case FUNDCHAIN__ENVELOPE__BODY_REPLY:
        return "reply";
    case FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY:
        return "held-query";
    case FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY:
        return "held-reply";
    case FUNDCHAIN__ENVELOPE__BODY_REVIEW_POLL:
        return "review-poll";
    case FUNDCHAIN__ENVELOPE__BODY_REVIEW_ORDERS:
        return "review-orders";
    default:
        return "none";
    }
}
