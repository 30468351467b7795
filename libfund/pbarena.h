/*  pbarena - a protobuf-c allocator that takes its memory from a buffer the
    caller owns (usually on its stack), for messages that are unpacked, read
    and freed at once: unpacking a report then costs no malloc and no free.
    When the buffer is full it falls back to malloc; free gives back only
    what malloc gave.
*/
#ifndef PBARENA_H_INCLUDED
#define PBARENA_H_INCLUDED

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    ProtobufCAllocator base; /* what protobuf-c calls: pass &arena.base */
    uint8_t *buf;
    size_t size;
    size_t used;
    size_t spilled; /* allocations that went to malloc */
} pbarena_t;

/* Sets up an arena over buf (size bytes, kept by the caller for as long as
   the messages allocated from it live). Never fails; size 0 means malloc only. */
void pbarena_init(pbarena_t *self, void *buf, size_t size);

/* Returns true when some allocation went to malloc: the messages must then
   be freed with their *_free_unpacked and this allocator; otherwise the
   buffer holds them all and they need no freeing. */
bool pbarena_spilled(const pbarena_t *self);

#endif
