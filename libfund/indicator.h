/*  indicator - the indicators of SPEC 4 for one unit or one pool: a set of
    exact values (and the text risk_level), computed from amounts, with the
    reported ind.* as fallback and as extra indicators.

    Money amounts are fen, other quantities 1/QTY_SCALE units; indicators are
    exact rationals in their own unit (percent, yuan, months, persons).
*/
#ifndef INDICATOR_H_INCLUDED
#define INDICATOR_H_INCLUDED

#include "evaluation.h"
#include "rational.h"
#include "report.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char code[64];
    rational_t value; /* exact value; unused for text indicators */
    char text[16];    /* non-empty for a text indicator (risk_level) */
} indicator_t;

typedef struct _indicator_set_t indicator_set_t;

/* Gets the effective amount of an item from a source of amounts (a report,
   a pool); returns true when present. */
typedef bool (*amount_fn_t)(const void *src, const char *code, int64_t *amount);

/* Creates an empty set; NULL when out of memory. */
indicator_set_t *indicator_set_new(void);

/* Destroys the set and nulls the pointer; safe on NULL. */
void indicator_set_destroy(indicator_set_t **self_p);

/* Sets a numeric indicator (replacing one of the same code); a value that
   is not ok is refused. Returns 0, or -1 when refused or out of memory. */
int indicator_set_put(indicator_set_t *self, const char *code, rational_t value);

/* Sets a text indicator; returns 0, or -1 on a bad argument or out of memory. */
int indicator_set_put_text(indicator_set_t *self, const char *code, const char *text);

/* Returns the indicator of that code, or NULL. */
const indicator_t *indicator_set_find(const indicator_set_t *self, const char *code);

/* Gets the exact value of a numeric indicator; false when absent or text. */
bool indicator_set_value(const indicator_set_t *self, const char *code, rational_t *value);

/* Returns the number of indicators. */
size_t indicator_set_size(const indicator_set_t *self);

/* Returns indicator i in code order, or NULL when out of range. */
const indicator_t *indicator_set_at(const indicator_set_t *self, size_t i);

/* Gets the exact value of a report item: fen as yuan for a money unit of
   measure (yuan, wan), 1/QTY_SCALE units as the quantity otherwise.
   Returns false when the item is absent or was not parsed. */
bool indicator_item_value(const report_t *report, const char *code, rational_t *value);

/* Adds every ind.X of the report as indicator X. Returns 0, or -1 when
   out of memory. */
int indicator_set_add_reported(indicator_set_t *self, const report_t *report);

/* Computes the indicators of SPEC 4 from the amounts of src for the period
   and fund into self, over what self already holds (the reported
   indicators, which so stay where a computed one is absent); risk_level
   comes from the exact months_payable. Returns 0, or -1 when out of memory. */
int indicator_set_compute(indicator_set_t *self, amount_fn_t amount, const void *src,
                          const char *period, const char *fund, const risk_cfg_t *risk);

/* Returns the risk level ("level1" ... "excess") of an exact months_payable. */
const char *indicator_risk_level(rational_t months, const risk_cfg_t *risk);

/* Returns the Chinese name of an indicator code, or NULL when unknown. */
const char *indicator_name(const char *code);

/* Returns what a value of the indicator is written with ("%", "元",
   "个月", "分"), or "" (unknown codes, risk_level). */
const char *indicator_unit(const char *code);

/* Returns true when code (an indicator code, without "ind.") is one the
   product knows: computed or named as reported in SPEC 4 (and 2.2), a
   variance.X of a dept.budget.X item, or the metric of an item of fw (NULL:
   the default framework). The one list behind unknown_indicator and
   rank --by. */
bool indicator_known(const char *code, const framework_t *fw);

/* Writes the known indicator code nearest to code (see catalog_near) into
   buf. Returns buf, or NULL when none is near (buf then empty). */
const char *indicator_suggest(const char *code, const framework_t *fw, char *buf, size_t size);

/* Writes the known codes, comma separated, into buf: the indicators of
   SPEC 4, then fw's other metrics (NULL: the default framework), the dept
   variances as "variance.<item>". Returns buf. */
const char *indicator_list(const framework_t *fw, char *buf, size_t size);

#endif
