/*  envelope - the Envelope, the one message of every link
    (proto/fundchain.proto): packing it into a frame, unpacking it from one
    with the receiver's checks, and what every receiver says about it.

    Packing fails only when memory runs out (NULL). Unpacking never trusts
    the frame: one larger than the given limit is refused before it is
    read, bytes that are not an Envelope are refused, each with the reason
    a receiver logs ("message of N bytes is larger than M", "malformed
    message of N bytes"). The type of the body is the caller's to check.
*/
#ifndef ENVELOPE_H_INCLUDED
#define ENVELOPE_H_INCLUDED

#include "fundchain.pb-c.h"
#include <czmq.h>

/* Packs env into a new frame. Returns it, or NULL when out of memory. */
zframe_t *envelope_pack(const Fundchain__Envelope *env);

/* Packs an Envelope holding ack into a new frame. Returns it, or NULL when
   out of memory. */
zframe_t *envelope_ack_frame(const Fundchain__Ack *ack);

/* Unpacks the Envelope in frame, refusing a frame of more than max_size
   bytes. Returns it (free with envelope_destroy), or NULL with the reason
   in why (why_size bytes; why may be NULL) when frame is NULL, too large,
   or not an Envelope. */
Fundchain__Envelope *envelope_unpack(zframe_t *frame, size_t max_size, char *why, size_t why_size);

/* Unpacks as envelope_unpack does, taking the memory from alloc (NULL:
   malloc), e.g. a pbarena; free with envelope_destroy_alloc and the same
   alloc. */
Fundchain__Envelope *envelope_unpack_alloc(zframe_t *frame, size_t max_size,
                                           ProtobufCAllocator *alloc, char *why, size_t why_size);

/* Frees an unpacked Envelope and nulls the pointer; NULL is fine. */
void envelope_destroy(Fundchain__Envelope **self_p);

/* Frees an Envelope unpacked with alloc and nulls the pointer; NULL is fine. */
void envelope_destroy_alloc(Fundchain__Envelope **self_p, ProtobufCAllocator *alloc);

/* Returns the name of an Envelope's message type (report, ack, evaluation,
   query, reply, held-query, held-reply), or "none" for an empty or unknown one; never NULL. */
const char *envelope_type_name(int body_case);

#endif
