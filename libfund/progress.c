/*  progress - a progress line on stderr for long work, only on a terminal. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct _progress_t {
    char what[256];
    size_t total;
    size_t next; /* the step at which the percentage changes next */
    int percent; /* the percentage drawn, -1 before the first */
};

/* Starts a progress line; NULL when stderr is not a terminal. */
progress_t *progress_new(const char *what, size_t total)
{
    if (total == 0 || !isatty(STDERR_FILENO))
        return NULL;
    progress_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->what, sizeof self->what, "%s", what ? what : "");
    self->total = total;
    self->percent = -1;
    progress_update(self, 0);
    return self;
}

/* Redraws the line when the percentage changed. */
void progress_update(progress_t *self, size_t done)
{
    if (!self || done < self->next)
        return;
    done = done > self->total ? self->total : done;
    int percent = (int)(done * 100 / self->total);
    self->next =
        (self->total * (size_t)(percent + 1) + 99) / 100; /* where the next percent begins */
    if (percent == self->percent)
        return;
    self->percent = percent;
    fprintf(stderr, "\r%s %3d%%", self->what, percent);
    fflush(stderr);
}

/* Erases the line and nulls the pointer. */
void progress_destroy(progress_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    free(*self_p);
    *self_p = NULL;
}
