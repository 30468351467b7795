/*  Tests of score: every rule of SPEC 5 on exact values, totals and grades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "score.h"

#include <stdlib.h>
#include <string.h>

static const char s_framework[] =
    "code,name,category,max,rule,metric,params\n"
    "policy,政策制定,decision,5,manual,,\n"
    "enrollment,参保,output,5,linear,enrollment_rate,>=95;step=1;deduct=1\n"
    "interest,经济效益,effect,4,linear,interest_yield,>=1.1;step=0.1;deduct=1\n"
    "other,其他,output,5,linear,other_share,<=2;step=0.5;deduct=2\n"
    "strict,严格,output,3,linear,strict_metric,>10;step=1;deduct=1\n"
    "budget,预算,output,4,range,income_budget_rate,90..110\n"
    "satisfaction,满意度,effect,5,threshold,satisfaction,>=90\n"
    "balance,平衡,effect,3,threshold,current_balance,>=0\n"
    "honours,加分项,bonus,5,bonus,,\n";

typedef struct {
    framework_t *fw;
    indicator_set_t *ind;
    scores_t scores;
    rational_t manual_value; /* what the manual source returns */
    bool manual_present;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(fixture_t));
    assert_non_null(f);
    diag_t *diag = diag_new();
    f->fw = framework_parse("test", s_framework, strlen(s_framework), diag);
    if (!f->fw)
        diag_print(diag, stderr);
    assert_non_null(f->fw);
    diag_destroy(&diag);
    f->ind = indicator_set_new();
    assert_non_null(f->ind);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    score_clear(&f->scores);
    indicator_set_destroy(&f->ind);
    framework_destroy(&f->fw);
    free(f);
    return 0;
}

/* Scores an item of the fixture's framework from value num/den. */
static int64_t s_score(fixture_t *f, const char *code, i128 num, i128 den)
{
    const fw_item_t *item = framework_find(f->fw, code);
    assert_non_null(item);
    rational_t value = rational_make(num, den);
    return rational_centi(score_item(item, &value));
}

static void test_threshold(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_score(f, "satisfaction", 90, 1), 500);
    assert_int_equal(s_score(f, "satisfaction", 9733, 100), 500);
    /* 89.9999 shows as 90.00 but misses the target: exact values decide. */
    assert_int_equal(s_score(f, "satisfaction", 899999, 10000), 0);
    assert_int_equal(s_score(f, "balance", 0, 1), 300);
    assert_int_equal(s_score(f, "balance", -1, 100), 0);
    /* An absent metric scores 0. */
    assert_int_equal(rational_centi(score_item(framework_find(f->fw, "satisfaction"), NULL)), 0);
}

static void test_range_edges_inclusive(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_score(f, "budget", 90, 1), 400);
    assert_int_equal(s_score(f, "budget", 110, 1), 400);
    assert_int_equal(s_score(f, "budget", 100, 1), 400);
    assert_int_equal(s_score(f, "budget", 8999, 100), 0);
    assert_int_equal(s_score(f, "budget", 110001, 1000), 0);
}

static void test_linear_rounds_steps_up(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_score(f, "enrollment", 95, 1), 500); /* met */
    assert_int_equal(s_score(f, "enrollment", 99, 1), 500);
    assert_int_equal(s_score(f, "enrollment", 945, 10), 400);   /* 0.5 short: one step */
    assert_int_equal(s_score(f, "enrollment", 94, 1), 400);     /* exactly one step */
    assert_int_equal(s_score(f, "enrollment", 9399, 100), 300); /* 1.01: two steps */
    assert_int_equal(s_score(f, "enrollment", 9263, 100), 200); /* the 513300 pool */
    assert_int_equal(s_score(f, "enrollment", 9130, 100), 100); /* the 510900 pool */
    assert_int_equal(s_score(f, "enrollment", 9001, 100), 0);   /* 5 steps: 0 */
    assert_int_equal(s_score(f, "enrollment", 8793, 100), 0);   /* never below 0 */
    assert_int_equal(s_score(f, "interest", 315, 100), 400);
    assert_int_equal(s_score(f, "interest", 105, 100), 300); /* 0.05 short */
    assert_int_equal(s_score(f, "interest", 1, 1), 300);     /* exactly 0.1 short */
    assert_int_equal(s_score(f, "interest", 37, 100), 0);
    /* A <= target measures the excess. */
    assert_int_equal(s_score(f, "other", 2, 1), 500);
    assert_int_equal(s_score(f, "other", 21, 10), 300);
    assert_int_equal(s_score(f, "other", 3, 1), 100);
    assert_int_equal(s_score(f, "other", 301, 100), 0);
    /* A strict target missed by nothing still costs a step. */
    assert_int_equal(s_score(f, "strict", 10, 1), 200);
    assert_int_equal(s_score(f, "strict", 1001, 100), 300);
    assert_int_equal(rational_centi(score_item(framework_find(f->fw, "strict"), NULL)), 0);
}

static void test_manual_and_bonus(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_score(f, "policy", 3, 1), 300);
    assert_int_equal(s_score(f, "policy", 7, 1), 500); /* kept within 0..max */
    assert_int_equal(s_score(f, "policy", -1, 1), 0);
    assert_int_equal(s_score(f, "honours", 2, 1), 200);
    assert_int_equal(rational_centi(score_item(framework_find(f->fw, "policy"), NULL)), 0);
    assert_int_equal(rational_centi(score_item(NULL, NULL)), 0);
}

/* Manual source of the fixture: the same value for every item, or none. */
static bool s_manual(const void *src, const char *code, rational_t *score)
{
    const fixture_t *f = src;
    (void)code;
    if (!f->manual_present)
        return false;
    *score = f->manual_value;
    return true;
}

static void test_compute_all(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(indicator_set_put(f->ind, "enrollment_rate", rational_make(9130, 100)), 0);
    assert_int_equal(indicator_set_put(f->ind, "satisfaction", rational_int(95)), 0);
    assert_int_equal(indicator_set_put(f->ind, "income_budget_rate", rational_int(120)), 0);
    f->manual_present = true;
    f->manual_value = rational_make(1, 3);
    assert_int_equal(score_compute(f->fw, f->ind, s_manual, f, &f->scores), 0);
    assert_int_equal(f->scores.n, 9);
    assert_int_equal(f->scores.n_missing, 0);
    /* policy 1/3 + enrollment 1 + satisfaction 5 + honours 1/3: metrics
       absent (interest, other, strict, balance) and budget out of range score 0. */
    assert_int_equal(rational_centi(f->scores.items[0]), 33);
    assert_int_equal(rational_centi(f->scores.items[1]), 100);
    assert_int_equal(rational_centi(f->scores.items[5]), 0);
    assert_int_equal(rational_centi(f->scores.items[6]), 500);
    assert_int_equal(rational_cmp(f->scores.total, rational_make(20, 3)), 0);
    assert_int_equal(rational_centi(f->scores.total), 667); /* exact: not 0.33 + 0.33 */
}

static void test_compute_missing(void **state)
{
    fixture_t *f = *state;
    f->manual_present = false;
    assert_int_equal(score_compute(f->fw, f->ind, s_manual, f, &f->scores), 0);
    assert_int_equal(f->scores.n_missing, 2); /* policy and honours */
    assert_true(f->scores.missing[0]);
    assert_false(f->scores.missing[1]);
    assert_true(f->scores.missing[8]);
    assert_int_equal(rational_centi(f->scores.total), 0);
    score_clear(&f->scores);
    assert_null(f->scores.items);
    assert_int_equal(score_compute(f->fw, f->ind, NULL, NULL, &f->scores), 0);
    assert_int_equal(f->scores.n_missing, 2);
}

static void test_grades(void **state)
{
    (void)state;
    assert_string_equal(score_grade(10500), "excellent");
    assert_string_equal(score_grade(9000), "excellent");
    assert_string_equal(score_grade(8999), "good");
    assert_string_equal(score_grade(8000), "good");
    assert_string_equal(score_grade(7999), "fair");
    assert_string_equal(score_grade(6000), "fair");
    assert_string_equal(score_grade(5999), "poor");
    assert_string_equal(score_grade(-100), "poor");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_threshold),        T(test_range_edges_inclusive), T(test_linear_rounds_steps_up),
        T(test_manual_and_bonus), T(test_compute_all),           T(test_compute_missing),
        T(test_grades),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
