/*  results - the one table of a run: rows of a section, a measure, a value
    with its unit, its ratio to the baseline, the evaluation lag, the
    target and a note, printed aligned under a header that describes the
    machine. A figure that could not be measured is NAN and prints "-".
*/
#ifndef RESULTS_H_INCLUDED
#define RESULTS_H_INCLUDED

#include <math.h>
#include <stdio.h>

typedef struct _results_t results_t;

/* Creates an empty table. Returns NULL when out of memory. */
results_t *results_new(void);

/* Destroys the table and nulls the pointer; safe on NULL. */
void results_destroy(results_t **self_p);

/* Adds a header line (machine, message size...). Returns 0 or -1. */
int results_header(results_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a row; value, ratio and lag_s may be NAN, unit, target and note
   NULL. Returns 0 or -1 when out of memory. */
int results_add(results_t *self, const char *section, const char *measure, double value,
                const char *unit, double ratio, double lag_s, const char *target, const char *note);

/* Adds a row that has only a note (a figure that was not measured, and why). */
int results_note(results_t *self, const char *section, const char *measure, const char *note);

/* Prints the header lines and the rows, aligned, to out. */
void results_print(const results_t *self, FILE *out);

#endif
