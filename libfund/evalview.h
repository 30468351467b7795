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

/* Flags for dumping the JSON of an evaluation (and of rankings): one-space
   indentation, reals with up to 15 significant digits so that 99.98 prints
   as 99.98, keys in insertion order. */
#define EVALVIEW_JSON_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER)

/* Builds the SPEC 7 JSON object: code, period, fund, units, complete, items
   (yuan strings with 2 decimals), indicators (numbers, risk_level a string),
   scores, total, grade, warnings [{code, message}], and approval
   (evalview_approval_json). Returns a new reference,
   or NULL when out of memory. */
json_t *evalview_json(const Fundchain__Evaluation *eval);

/* Return the Chinese name of a catalogue item, of a framework item (of
   the default framework) and of an indicator; "" when unknown. */
const char *evalview_item_name(const char *code);
const char *evalview_score_name(const char *code);
const char *evalview_indicator_name(const char *code);

/* Builds {"city": {"by", "at"} | null, "province": {"by", "at"} | null},
   who approved an evaluation and when (SPEC 9.3); every member null for
   a NULL review. Returns a new reference, or NULL when out of memory. */
json_t *evalview_approval_json(const Fundchain__Review *review);

/* Prints the evaluation in the format; returns 0, or -1 on a write error. */
int evalview_print(const Fundchain__Evaluation *eval, format_t format, FILE *out);

#endif
