/*  score - the rules of SPEC 5: scores every item of a framework from the
    exact indicators (threshold, range, linear) or from a unit's own scores
    (manual, bonus), sums them exactly and grades the total as shown.
*/
#ifndef SCORE_H_INCLUDED
#define SCORE_H_INCLUDED

#include "framework.h"
#include "indicator.h"
#include "rational.h"
#include <stdbool.h>
#include <stddef.h>

/* Gets the own score (points) of a manual or bonus item from a source (a
   report, a pool); returns false when the source has none. */
typedef bool (*manual_fn_t)(const void *src, const char *item_code, rational_t *score);

/* The scores of one evaluation. */
typedef struct {
    rational_t *items; /* one per framework item, in framework order */
    bool *missing;     /* manual or bonus item without a score */
    size_t n;
    size_t n_missing;
    rational_t total; /* exact sum of the items */
} scores_t;

/* Scores one item: a rule item from its exact metric (NULL when absent:
   0), a manual or bonus item from its own score (NULL when absent: 0),
   kept within 0..max. */
rational_t score_item(const fw_item_t *item, const rational_t *value);

/* Scores every item of fw into out (emptied first; free with score_clear).
   Metrics come from ind, own scores from manual(src, code). Returns 0, or
   -1 when out of memory. */
int score_compute(const framework_t *fw, const indicator_set_t *ind, manual_fn_t manual,
                  const void *src, scores_t *out);

/* Frees the arrays of a result and empties it; safe on an empty one. */
void score_clear(scores_t *scores);

/* Returns the grade of a total as shown (hundredths): >= 90 "excellent",
   >= 80 "good", >= 60 "fair", else "poor". */
const char *score_grade(int64_t total_centi);

/* Returns the Chinese word of a grade (优, 良, 中, 差), or "" for another. */
const char *score_grade_name(const char *grade);

#endif
