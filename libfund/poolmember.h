/*  poolmember - what a city pool (consolidate.c) needs of one unit's newest
    validated report, made once from it: the effective amount and tolerance
    of every fixed catalogue entry (report_amount: a total given through its
    parts included) and the value of every ind.* and score.* item. A pool
    made from members is the pool of their reports; a member is small
    (about a kilobyte, against about 9 for a report of 37 items) and needs
    no decoding nor validation, so that the evaluator keeps the members of
    units that did not change between its rounds.
*/
#ifndef POOLMEMBER_H_INCLUDED
#define POOLMEMBER_H_INCLUDED

#include "rational.h"
#include "report.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _poolmember_t poolmember_t;

/* Makes the member of a validated report (items parsed by validate_report;
   an item that did not parse counts as absent, as in report_amount).
   Returns NULL when out of memory or on a NULL report. */
poolmember_t *poolmember_new(const report_t *report);

/* Destroys the member and nulls the pointer; safe on NULL. */
void poolmember_destroy(poolmember_t **self_p);

/* The report's unit, period, fund and revision. */
const char *poolmember_unit(const poolmember_t *self);
const char *poolmember_period(const poolmember_t *self);
const char *poolmember_fund(const poolmember_t *self);
uint32_t poolmember_revision(const poolmember_t *self);

/* Gets the effective amount of fixed catalogue entry k (catalog_at(k)), as
   report_amount gives it; returns false when the report has none. */
bool poolmember_amount(const poolmember_t *self, size_t k, int64_t *amount);

/* Returns the tolerance (fen) of the item of fixed entry k as given, 0 when
   the report did not give it itself. */
int64_t poolmember_tolerance(const poolmember_t *self, size_t k);

/* Gets the value of an ind.* or score.* item as indicator_item_value does
   (the first item of that code); returns false when absent or not parsed. */
bool poolmember_value(const poolmember_t *self, const char *code, rational_t *value);

/* Returns the number of ind.* and score.* items, and the code of item i
   (sorted by code; NULL when out of range). */
size_t poolmember_items(const poolmember_t *self);
const char *poolmember_item_code(const poolmember_t *self, size_t i);

/* Returns the bytes the member holds (for a cache's bound). */
size_t poolmember_bytes(const poolmember_t *self);

#endif
