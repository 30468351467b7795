/*  outfile - a file a command writes (--out FILE): written beside its
    place as FILE.tmp, flushed to disk and renamed over FILE only when all
    of it was written, so that a reader never sees half a report and a
    failed run leaves any earlier FILE as it was. Without a path it is
    standard output.
*/
#ifndef OUTFILE_H_INCLUDED
#define OUTFILE_H_INCLUDED

#include <stdio.h>

typedef struct _outfile_t outfile_t;

/* Opens FILE.tmp for writing (path NULL or "-": standard output). Returns
   NULL with a message naming the file on stderr when it cannot. */
outfile_t *outfile_new(const char *path);

/* Returns the stream to write to. */
FILE *outfile_stream(outfile_t *self);

/* Returns the path given (or "standard output"). */
const char *outfile_path(const outfile_t *self);

/* Flushes, syncs and renames FILE.tmp to FILE, destroys the object and
   nulls the pointer. Returns 0, or -1 with a message naming the file (the
   temporary file removed, FILE untouched). */
int outfile_commit(outfile_t **self_p);

/* For a file another library writes by name (a workbook): syncs tmp and
   renames it to path. Returns 0, or -1 with a message naming path (tmp
   removed). */
int outfile_rename(const char *tmp, const char *path);

/* Gives up: removes FILE.tmp, destroys the object and nulls the pointer;
   safe on NULL. */
void outfile_destroy(outfile_t **self_p);

#endif
