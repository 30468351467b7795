/*  diag - a list of diagnostics (errors and warnings) with stable codes.

    Entries live in a growing array. Adding never fails visibly: when memory
    runs out the entry is dropped, and long text is truncated to the fields.
*/
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct _diag_t {
    diag_entry_t *entries;
    size_t size;
    size_t cap;
};

/* Creates an empty list; returns NULL only when out of memory. */
diag_t *diag_new(void)
{
    return calloc(1, sizeof(diag_t));
}

/* Destroys the list and nulls the pointer; safe on NULL. */
void diag_destroy(diag_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->entries);
    free(*self_p);
    *self_p = NULL;
}

/* Makes room for one more entry; returns 0, or -1 when out of memory. */
static int s_grow(diag_t *self)
{
    if (self->size < self->cap)
        return 0;
    size_t cap = self->cap ? self->cap * 2 : 16;
    diag_entry_t *entries = realloc(self->entries, cap * sizeof(diag_entry_t));
    if (!entries)
        return -1;
    self->entries = entries;
    self->cap = cap;
    return 0;
}

/* Appends one diagnostic; file may be NULL. Never fails (truncates long text;
   drops the entry when out of memory). */
void diag_add(diag_t *self, diag_level_t level, const char *code, const char *file, int line,
              int column, const char *fmt, ...)
{
    if (!self || s_grow(self) != 0)
        return;
    diag_entry_t *e = &self->entries[self->size++];
    memset(e, 0, sizeof *e);
    e->level = level;
    snprintf(e->code, sizeof e->code, "%s", code ? code : "");
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line > 0 ? line : 0;
    e->column = column > 0 ? column : 0;
    if (!fmt)
        return; /* the message stays empty */
    va_list args;
    va_start(args, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, args);
    va_end(args);
}

/* Returns the number of entries of that level. */
size_t diag_count(const diag_t *self, diag_level_t level)
{
    size_t n = 0;
    for (size_t i = 0; self && i < self->size; i++)
        n += self->entries[i].level == level;
    return n;
}

/* Returns the number of entries of any level. */
size_t diag_size(const diag_t *self)
{
    return self ? self->size : 0;
}

/* Returns entry i (0-based), or NULL when out of range. */
const diag_entry_t *diag_at(const diag_t *self, size_t i)
{
    return self && i < self->size ? &self->entries[i] : NULL;
}

/* Removes every entry. */
void diag_clear(diag_t *self)
{
    if (self)
        self->size = 0;
}

/* Writes one entry as "file:line:column: level: message [code]"; the place
   parts that are unknown are left out. */
static void s_format(const diag_entry_t *e, char *buf, size_t size)
{
    char place[300] = "";
    size_t n = 0;
    if (e->file[0])
        n += snprintf(place + n, sizeof place - n, "%s:", e->file);
    if (e->line > 0)
        n += snprintf(place + n, sizeof place - n, "%d:", e->line);
    if (e->line > 0 && e->column > 0)
        snprintf(place + n, sizeof place - n, "%d:", e->column);
    snprintf(buf, size, "%s%s%s: %s [%s]", place, place[0] ? " " : "",
             e->level == DIAG_ERROR ? "error" : "warning", e->message, e->code);
}

/* Prints every entry as "file:line:column: error: message [code]", one a line. */
void diag_print(const diag_t *self, FILE *out)
{
    char line[1024];
    for (size_t i = 0; self && out && i < self->size; i++) {
        s_format(&self->entries[i], line, sizeof line);
        fprintf(out, "%s\n", line);
    }
}

/* Writes the first error as one line into buf ("" when none); returns buf. */
const char *diag_first_error(const diag_t *self, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; self && i < self->size; i++) {
        if (self->entries[i].level == DIAG_ERROR) {
            s_format(&self->entries[i], buf, size);
            break;
        }
    }
    return buf;
}
