/*  Tests of the modified z-score (libfund/outlier.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "outlier.h"
#include <math.h>

//  0.6745 (x - median) / MAD.
static void test_mad(void **state)
{
    (void)state;
    int64_t history[] = {10, 12, 11, 13, 12};
    outlier_t o;
    assert_true(outlier_check(history, 5, 30, 3.5, &o));
    assert_int_equal(o.median2, 24);
    assert_true(fabs(o.score - 0.6745 * 18) < 1e-9);
    int64_t again[] = {10, 12, 11, 13, 12};
    assert_false(outlier_check(again, 5, 13, 3.5, &o));
    assert_true(o.verdict);
    assert_true(fabs(o.score - 0.6745) < 1e-9);
}

//  An even history: the median is the mean of the middle two, kept exact.
static void test_even(void **state)
{
    (void)state;
    int64_t history[] = {1, 2, 3, 4};
    outlier_t o;
    assert_false(outlier_check(history, 4, 3, 3.5, &o));
    assert_int_equal(o.median2, 5); //  2.5
    //  deviations 1.5 0.5 0.5 1.5: MAD 1; (3 - 2.5) * 0.6745
    assert_true(fabs(o.score - 0.6745 * 0.5) < 1e-9);
}

//  MAD 0: the mean absolute deviation, scaled by 1.253314.
static void test_mean_deviation(void **state)
{
    (void)state;
    int64_t history[] = {5, 5, 5, 5, 6, 7};
    outlier_t o;
    assert_true(outlier_check(history, 6, 9, 3.5, &o));
    assert_true(fabs(o.score - 4.0 / (1.253314 * 0.5)) < 1e-9);
}

//  Fewer than 4 earlier values, or no spread at all: no verdict.
static void test_no_verdict(void **state)
{
    (void)state;
    int64_t three[] = {1, 2, 3};
    outlier_t o;
    assert_false(outlier_check(three, 3, 1000, 3.5, &o));
    assert_false(o.verdict);
    int64_t flat[] = {7, 7, 7, 7, 7};
    assert_false(outlier_check(flat, 5, 1000, 3.5, &o));
    assert_false(o.verdict);
    assert_false(outlier_check(NULL, 0, 1, 3.5, NULL));
}

//  The threshold is a parameter; a low value below the median counts too.
static void test_threshold_and_sign(void **state)
{
    (void)state;
    int64_t history[] = {100, 102, 98, 101, 99, 100};
    outlier_t o;
    assert_true(outlier_check(history, 6, 90, 3.5, &o));
    assert_true(o.score < -3.5);
    int64_t again[] = {100, 102, 98, 101, 99, 100};
    assert_false(outlier_check(again, 6, 90, 100, &o));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mad),
        cmocka_unit_test(test_even),
        cmocka_unit_test(test_mean_deviation),
        cmocka_unit_test(test_no_verdict),
        cmocka_unit_test(test_threshold_and_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
