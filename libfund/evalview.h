/*  evalview - shows an Evaluation as JSON (SPEC 7), an aligned table with
    Chinese names, or CSV. Used by city-aggregator pool/show/watch and by
    province-hub show.
*/
#ifndef EVALVIEW_H_INCLUDED
#define EVALVIEW_H_INCLUDED

#include "fundchain.pb-c.h"
#include "table.h"
#include <jansson.h>
#include <stdio.h>

/* Builds the SPEC 7 JSON object: code, period, fund, units, complete, items
   (yuan strings with 2 decimals), indicators (numbers, risk_level a string),
   scores, total, grade, warnings [{code, message}]. Returns a new reference,
   or NULL when out of memory. */
json_t *evalview_json (const Fundchain__Evaluation *eval);

/* Prints the evaluation in the format; returns 0, or -1 on a write error. */
int evalview_print (const Fundchain__Evaluation *eval, format_t format, FILE *out);

#endif
