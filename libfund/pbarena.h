/*  pbarena - a protobuf-c allocator that takes its memory from a buffer the
    caller owns (usually on its stack), for messages that are unpacked, read
    and freed at once: unpacking a report then costs no malloc and no free.
    When the buffer is full it falls back to malloc; free gives back only
    what malloc gave.
*/
#ifndef PBARENA_H_INCLUDED
#define PBARENA_H_INCLUDED

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    ProtobufCAllocator base; /* what protobuf-c calls: pass &arena.base */
    uint8_t *buf;
    size_t size;
    size_t used;
} pbarena_t;

/* Sets up an arena over buf (size bytes, kept by the caller for as long as
   the messages allocated from it live). Never fails; size 0 means malloc only. */
void pbarena_init(pbarena_t *self, void *buf, size_t size);

#endif
