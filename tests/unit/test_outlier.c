/*  Tests of the modified z-score (libfund/outlier.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "outlier.h"
#include <math.h>
#include <stdlib.h>

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

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

//  The median and the score agree with a plain sort, for a history short
//  enough to be sorted by insertion and for a long one.
static void test_any_order(void **state)
{
    (void)state;
    size_t sizes[] = {4, 5, 36, 63, 64, 65, 200};
    uint64_t seed = 12345;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        int64_t history[200], sorted[200], dev[200];
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            history[i] = (int64_t)(seed >> 40) % 100000 - 50000;
            sorted[i] = history[i];
        }
        qsort(sorted, n, sizeof *sorted, s_cmp);
        int64_t median2 = n % 2 ? 2 * sorted[n / 2] : sorted[n / 2 - 1] + sorted[n / 2];
        for (size_t i = 0; i < n; i++)
            dev[i] = llabs(2 * sorted[i] - median2);
        qsort(dev, n, sizeof *dev, s_cmp);
        double mad = (double)(n % 2 ? 2 * dev[n / 2] : dev[n / 2 - 1] + dev[n / 2]) / 4.0;
        outlier_t o;
        outlier_check(history, n, 90000, 3.5, &o);
        assert_int_equal(o.median2, median2);
        assert_true(fabs(o.score - 0.6745 * (90000 - median2 / 2.0) / mad) < 1e-9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mad),
        cmocka_unit_test(test_even),
        cmocka_unit_test(test_mean_deviation),
        cmocka_unit_test(test_no_verdict),
        cmocka_unit_test(test_threshold_and_sign),
        cmocka_unit_test(test_any_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
