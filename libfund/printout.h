/*  printout - the report and narrative commands' output, the same at the
    city and at the province, and the same from the command line and from
    the hub's query endpoint: a dossier (dossier.h) written as the HTML
    report (or its JSON), or as one unit's self-evaluation report (HTML or
    Markdown).
*/
#ifndef PRINTOUT_H_INCLUDED
#define PRINTOUT_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum { PRINTOUT_REPORT, PRINTOUT_NARRATIVE } printout_kind_t;

/* Checks --format for a kind (report: html or json; narrative: html or
   md; NULL: html). Returns 0, or -1 with a message on err. */
int printout_check(printout_kind_t kind, const char *format, FILE *err);

/* Writes the dossier as kind in format to out; code names the narrative's
   unit or pool. Returns the exit code: 0, 1 (no evaluation of that code,
   nothing reported, or a write error; a message on err) or 2 (bad format). */
int printout_write(printout_kind_t kind, const json_t *dossier, const char *code,
                   const char *format, FILE *out, FILE *err);

/* Same, to the file path (written whole or not at all: outfile.h), or to
   standard output when path is NULL. */
int printout_file(printout_kind_t kind, const json_t *dossier, const char *code,
                  const char *format, const char *path);

#endif
