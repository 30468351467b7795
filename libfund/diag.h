/*  diag - a list of diagnostics (errors and warnings) with stable codes.

    Every problem the product reports has a stable code (SPEC 2.3), a place
    (file, line, column; or a peer and message) and a human message.
*/
#ifndef DIAG_H_INCLUDED
#define DIAG_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_ERROR = 0, DIAG_WARNING = 1 } diag_level_t;

typedef struct {
    diag_level_t level;
    char code[40];     /* stable code, e.g. "unknown_item", "total_mismatch" */
    char file[256];    /* file name or peer; "" when none */
    int line;          /* 1-based; 0 when none */
    int column;        /* 1-based; 0 when none */
    char message[512]; /* human message, UTF-8 */
} diag_entry_t;

typedef struct _diag_t diag_t;

/* Creates an empty list; returns NULL only when out of memory. */
diag_t *diag_new(void);

/* Destroys the list and nulls the pointer; safe on NULL. */
void diag_destroy(diag_t **self_p);

/* Appends one diagnostic; file may be NULL. Never fails (truncates long text). */
void diag_add(diag_t *self, diag_level_t level, const char *code, const char *file, int line,
              int column, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Returns the number of entries of that level. */
size_t diag_count(const diag_t *self, diag_level_t level);

/* Returns the number of entries of any level. */
size_t diag_size(const diag_t *self);

/* Returns entry i (0-based), or NULL when out of range. */
const diag_entry_t *diag_at(const diag_t *self, size_t i);

/* Removes every entry. */
void diag_clear(diag_t *self);

/* Prints every entry as "file:line:column: error: message [code]", one a line. */
void diag_print(const diag_t *self, FILE *out);

/* Writes the first error as one line into buf ("" when none); returns buf. */
const char *diag_first_error(const diag_t *self, char *buf, size_t size);

#endif
