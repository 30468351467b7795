/*  score - the rules of SPEC 5, on exact values (never on shown ones). */
#include "score.h"
#include "decimal.h"

#include <stdlib.h>
#include <string.h>

/* Returns points in 1/QTY_SCALE units as an exact number of points. */
static rational_t s_points(int64_t qty)
{
    return rational_make(qty, QTY_SCALE);
}

/* Keeps a score within 0..max; a value that is not ok scores 0. */
static rational_t s_clamp(rational_t score, rational_t max)
{
    rational_t zero = rational_int(0);
    if (!score.ok || rational_cmp(score, zero) < 0)
        return zero;
    return rational_cmp(score, max) > 0 ? max : score;
}

/* Linear rule: full marks when met, else deduct points for every step, or
   part of one, of shortfall, never below 0. */
static rational_t s_linear(const fw_item_t *item, rational_t value, rational_t max)
{
    if (target_met(&item->target, value))
        return max;
    rational_t shortfall = target_shortfall(&item->target, value);
    rational_t steps = rational_div(shortfall, s_points(item->step));
    if (!steps.ok)
        return rational_int(0);
    i128 count = rational_ceil(steps);
    if (count < 1)
        count = 1; /* a strict target missed by nothing is part of a step */
    rational_t deduction = rational_mul(s_points(item->deduct), rational_make(count, 1));
    if (!deduction.ok)
        return rational_int(0);
    return s_clamp(rational_sub(max, deduction), max);
}

/* Scores one item from its metric or its own score (NULL: absent). */
rational_t score_item(const fw_item_t *item, const rational_t *value)
{
    rational_t zero = rational_int(0);
    if (!item || !value || !value->ok)
        return zero;
    rational_t max = s_points(item->max);
    switch (item->rule) {
    case RULE_MANUAL:
    case RULE_BONUS:
        return s_clamp(*value, max);
    case RULE_THRESHOLD:
    case RULE_RANGE:
        return target_met(&item->target, *value) ? max : zero;
    case RULE_LINEAR:
        return s_linear(item, *value, max);
    }
    return zero;
}

/* Scores one framework item into out at i. */
static void s_score_one(const fw_item_t *item, const indicator_set_t *ind, manual_fn_t manual,
                        const void *src, scores_t *out, size_t i)
{
    rational_t value;
    bool present;
    if (item->rule == RULE_MANUAL || item->rule == RULE_BONUS) {
        present = manual && manual(src, item->code, &value);
        if (!present) {
            out->missing[i] = true;
            out->n_missing++;
        }
    } else
        present = indicator_set_value(ind, item->metric, &value);
    out->items[i] = score_item(item, present ? &value : NULL);
    out->total = rational_add(out->total, out->items[i]);
}

/* Scores every item of fw into out; returns 0, or -1 when out of memory. */
int score_compute(const framework_t *fw, const indicator_set_t *ind, manual_fn_t manual,
                  const void *src, scores_t *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    out->total = rational_int(0);
    size_t n = framework_size(fw);
    out->items = calloc(n ? n : 1, sizeof(rational_t));
    out->missing = calloc(n ? n : 1, sizeof(bool));
    if (!out->items || !out->missing) {
        score_clear(out);
        return -1;
    }
    out->n = n;
    for (size_t i = 0; i < n; i++)
        s_score_one(framework_at(fw, i), ind, manual, src, out, i);
    return 0;
}

/* Frees the arrays of a result and empties it. */
void score_clear(scores_t *scores)
{
    if (!scores)
        return;
    free(scores->items);
    free(scores->missing);
    memset(scores, 0, sizeof *scores);
    scores->total = rational_int(0);
}

/* Returns the grade of a total as shown (hundredths). */
const char *score_grade(int64_t total_centi)
{
    if (total_centi >= 9000)
        return "excellent";
    if (total_centi >= 8000)
        return "good";
    if (total_centi >= 6000)
        return "fair";
    return "poor";
}

//  Returns the Chinese word of a grade.
const char *score_grade_name(const char *grade)
{
    static const char *names[][2] = {
        {"excellent", "优"}, {"good", "良"}, {"fair", "中"}, {"poor", "差"}};
    for (size_t i = 0; grade && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(grade, names[i][0]) == 0)
            return names[i][1];
    return "";
}
