/*  progress - a progress line on stderr for long work ("big.csv: reading  45%").

    Shown only when stderr is a terminal, so that logs and pipes never get
    it; the line is redrawn in place when the percentage changes and erased
    when the work ends. Callers decide what is long enough to show.
*/
#ifndef PROGRESS_H_INCLUDED
#define PROGRESS_H_INCLUDED

#include <stddef.h>

typedef struct _progress_t progress_t;

/* Starts a progress line for work of total steps, labelled what (copied).
   Returns NULL, which every function accepts and ignores, when stderr is
   not a terminal, total is 0 or out of memory. */
progress_t *progress_new(const char *what, size_t total);

/* Records that done steps of the total are done; redraws the line when the
   percentage changed. */
void progress_update(progress_t *self, size_t done);

/* Erases the line and nulls the pointer; safe on NULL. */
void progress_destroy(progress_t **self_p);

#endif
