/*  hubreport - the hub's printed outputs (SPEC 9.2): the report of a
    (period, fund) and a unit's or a city pool's narrative, made from one
    dossier of the store, the same from --data and from the query endpoint.
*/
#ifndef HUBREPORT_H_INCLUDED
#define HUBREPORT_H_INCLUDED

#include "fundchain.pb-c.h"
#include "hubdb.h"
#include <stdio.h>

/* Answers a REPORT or NARRATIVE query from the store: the file's bytes on
   out, diagnostics on err. source names the store in the report. Returns
   the exit code (0, 1 nothing reported or no such unit, 2 bad question). */
int hubreport_answer(hubdb_t *db, const Fundchain__Query *q, const char *source, FILE *out,
                     FILE *err);

#endif
