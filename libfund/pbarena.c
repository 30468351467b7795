/*  pbarena - a protobuf-c allocator over a caller's buffer.

    Allocations are bumped from the buffer, each aligned for any type; one
    that does not fit goes to malloc (NULL when that fails too, which
    protobuf-c reports as a failed unpack). free is a no-op for the
    buffer's memory and free() for the rest, so the usual *_free_unpacked
    with the same allocator releases everything.
*/
#include "pbarena.h"
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#define ALIGN alignof(max_align_t)

static void *s_alloc(void *data, size_t size)
{
    pbarena_t *self = data;
    uintptr_t base = (uintptr_t)self->buf;
    size_t at = (size_t)(((base + self->used + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1)) - base);
    if (self->buf && at <= self->size && size <= self->size - at) {
        self->used = at + size;
        return self->buf + at;
    }
    self->spilled++;
    return malloc(size ? size : 1);
}

static void s_free(void *data, void *pointer)
{
    pbarena_t *self = data;
    uintptr_t p = (uintptr_t)pointer, base = (uintptr_t)self->buf;
    if (p < base || p >= base + self->size)
        free(pointer);
}

/* Sets up an arena over buf (size bytes). Never fails. */
void pbarena_init(pbarena_t *self, void *buf, size_t size)
{
    self->base.alloc = s_alloc;
    self->base.free = s_free;
    self->base.allocator_data = self;
    self->buf = buf;
    self->size = buf ? size : 0;
    self->used = 0;
    self->spilled = 0;
}

/* Returns true when some allocation went to malloc. */
bool pbarena_spilled(const pbarena_t *self)
{
    return self->spilled != 0;
}
