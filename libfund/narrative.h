/*  narrative - the self-evaluation report (绩效自评报告) of one unit or
    pool, in the structure of the 攀枝花 2023 seed, written from a dossier
    (dossier.h): every figure is one the dossier holds, none is invented.
*/
#ifndef NARRATIVE_H_INCLUDED
#define NARRATIVE_H_INCLUDED

#include <jansson.h>
#include <stdio.h>

typedef enum { NARRATIVE_HTML, NARRATIVE_MD } narrative_format_t;

/* Parses "html" or "md"; returns 0, or -1 for anything else. */
int narrative_format_parse(const char *text, narrative_format_t *format);

/* Writes the report of the evaluation whose code is code: a pool of
   dossier.pools (a city code), else a unit of dossier.units. Returns 0,
   1 when the dossier holds no such evaluation (a message on stderr), or
   -1 on a write error. */
int narrative_write(const json_t *dossier, const char *code, narrative_format_t format,
                    FILE *out);

#endif
