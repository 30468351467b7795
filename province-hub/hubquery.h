/*  hubquery - the hub's answers to rank and show, written to streams, so
    that the command line (--data) and the query endpoint (--query) give
    exactly the same output and exit code.
*/
#ifndef HUBQUERY_H_INCLUDED
#define HUBQUERY_H_INCLUDED

#include "hubdb.h"
#include "table.h"
#include <stdio.h>

typedef struct {
    const char *period;
    const char *fund;
    const char *level; /* rank: "city" (default) or "county" */
    const char *by;    /* rank: "total" (default) or an indicator code */
    const char *unit;  /* show: a unit code, or a city code for its pool */
    format_t format;
} hubquery_t;

/* Ranks cities or counties; prints to out, diagnostics to err. Returns the
   exit code: 0, 1 (no such data) or 2 (bad question). */
int hubquery_rank(hubdb_t *db, const hubquery_t *q, FILE *out, FILE *err);

/* Shows one evaluation (a city code gives the city's pool). Returns the
   exit code as hubquery_rank does. */
int hubquery_show(hubdb_t *db, const hubquery_t *q, FILE *out, FILE *err);

#endif
