/*  hubdossier - the province's dossier (dossier.h) of one (period, fund):
    every city's pool and every unit the cities forwarded, and every stored
    period of the same length for the timeliness matrix and the trend.
*/
#ifndef HUBDOSSIER_H_INCLUDED
#define HUBDOSSIER_H_INCLUDED

#include "hubdb.h"
#include <jansson.h>

typedef struct {
    const char *code, *name; /* the province (from its store) */
    const char *period, *fund;
    const char *indicator; /* the trend's; NULL: months_payable */
    const char *source;    /* where the store is */
} hubdossier_about_t;

/* Builds the dossier (default framework and risk thresholds). Returns a
   new reference, or NULL when the store cannot be read (a message on
   err). */
json_t *hubdossier_build(hubdb_t *db, const hubdossier_about_t *about, FILE *err);

#endif
