/*  framework - an evaluation framework (SPEC 5): scored items, their maxima
    and rules (manual, threshold, range, linear, bonus) over indicators.
*/
#ifndef FRAMEWORK_H_INCLUDED
#define FRAMEWORK_H_INCLUDED

#include "diag.h"
#include "target.h"
#include <stddef.h>
#include <stdint.h>

typedef enum { RULE_MANUAL, RULE_THRESHOLD, RULE_RANGE, RULE_LINEAR, RULE_BONUS } rule_t;

typedef struct {
    char code[64];
    char name[128];
    char category[32];
    int64_t max; /* points, 1/QTY_SCALE units */
    rule_t rule;
    char metric[64]; /* indicator code (computed, or ind.* without prefix); "" for manual/bonus */
    target_t target; /* threshold / linear: the target; range: LO..HI */
    int64_t step;    /* linear: shortfall step, 1/QTY_SCALE units */
    int64_t deduct;  /* linear: points per step, 1/QTY_SCALE units */
} fw_item_t;

typedef struct _framework_t framework_t;

/* Loads a framework CSV (header code,name,category,max,rule,metric,params).
   Refuses an unknown rule, an unparsable parameter, a missing metric or a
   duplicate code: returns NULL with errors (file:line:column) in diag. */
framework_t *framework_load(const char *path, diag_t *diag);

/* Same from text; name is used in diagnostics. */
framework_t *framework_parse(const char *name, const char *text, size_t len, diag_t *diag);

/* Returns the default framework shipped with the product (SPEC 5), built once;
   never NULL. Do not destroy it. */
const framework_t *framework_default(void);

/* Destroys a loaded framework and nulls the pointer; safe on NULL. */
void framework_destroy(framework_t **self_p);

size_t framework_size(const framework_t *self);
const fw_item_t *framework_at(const framework_t *self, size_t i);
/* Returns the item with that code, or NULL. */
const fw_item_t *framework_find(const framework_t *self, const char *code);

/* The source text the framework was parsed from (so a daemon can store it). */
const char *framework_text(const framework_t *self);

#endif
