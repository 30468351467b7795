/*  Tests of rational: exact arithmetic, overflow detection, rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rational.h"

static const i128 s_big = (i128)1 << 126;

static void test_make_reduces_and_normalises_sign(void **state)
{
    (void)state;
    rational_t r = rational_make(6, -4);
    assert_true(r.ok);
    assert_true(r.num == -3 && r.den == 2);
    r = rational_make(-10, -25);
    assert_true(r.num == 2 && r.den == 5);
    r = rational_make(0, -7);
    assert_true(r.ok && r.num == 0 && r.den == 1);
    assert_false(rational_make(5, 0).ok);
}

static void test_add_sub_mul_div(void **state)
{
    (void)state;
    rational_t r = rational_add(rational_make(1, 3), rational_make(1, 6));
    assert_true(r.ok && r.num == 1 && r.den == 2);
    r = rational_sub(rational_make(1, 3), rational_make(1, 2));
    assert_true(r.ok && r.num == -1 && r.den == 6);
    r = rational_mul(rational_make(-4, 9), rational_make(3, 8));
    assert_true(r.ok && r.num == -1 && r.den == 6);
    r = rational_div(rational_make(2, 3), rational_make(-4, 9));
    assert_true(r.ok && r.num == -3 && r.den == 2);
    assert_false(rational_div(rational_int(1), rational_int(0)).ok);
}

static void test_overflow_is_detected(void **state)
{
    (void)state;
    rational_t big = rational_make(s_big, 1);
    assert_true(big.ok);
    assert_false(rational_add(big, big).ok);
    assert_false(rational_mul(big, rational_int(4)).ok);
    assert_false(rational_sub(rational_make(-s_big, 1), big).ok);
    /* A bad operand poisons the result. */
    assert_false(rational_add(rational_make(1, 0), rational_int(1)).ok);
    /* Cross-cancelling keeps big factors from overflowing needlessly. */
    rational_t r = rational_mul(rational_make(s_big, 3), rational_make(3, s_big));
    assert_true(r.ok && r.num == 1 && r.den == 1);
}

static void test_cmp_exact_even_when_products_overflow(void **state)
{
    (void)state;
    assert_int_equal(rational_cmp(rational_make(1, 3), rational_make(33, 100)), 1);
    assert_int_equal(rational_cmp(rational_make(-1, 2), rational_make(-1, 3)), -1);
    assert_int_equal(rational_cmp(rational_make(2, 4), rational_make(1, 2)), 0);
    /* (2^126 - 1) / (2^126 - 3) against (2^126 - 3) / (2^126 - 5): both just
       above 1, cross products far beyond 128 bits. */
    rational_t a = rational_make(s_big - 1, s_big - 3);
    rational_t b = rational_make(s_big - 3, s_big - 5);
    assert_int_equal(rational_cmp(a, b), -1);
    assert_int_equal(rational_cmp(b, a), 1);
    assert_int_equal(rational_cmp(a, a), 0);
}

static void test_ceil(void **state)
{
    (void)state;
    assert_true(rational_ceil(rational_make(7, 2)) == 4);
    assert_true(rational_ceil(rational_make(-7, 2)) == -3);
    assert_true(rational_ceil(rational_int(5)) == 5);
    assert_true(rational_ceil(rational_make(1, 1000)) == 1);
}

static void test_centi_rounds_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(rational_centi(rational_make(99975, 1000)), 9998);
    assert_int_equal(rational_centi(rational_make(-99975, 1000)), -9998);
    assert_int_equal(rational_centi(rational_make(1, 200)), 1);
    assert_int_equal(rational_centi(rational_make(1, 201)), 0);
    assert_int_equal(rational_centi(rational_make(2, 3)), 67);
    assert_int_equal(rational_centi(rational_make(-9, 200)), -5);
    /* 遂宁市 2023: income.total / budget.income = 98.04 %. */
    rational_t rate = rational_div(rational_int(60690124800), rational_int(61903927296));
    assert_int_equal(rational_centi(rational_mul(rate, rational_int(100))), 9804);
    /* months_payable = closing / (benefit / 12) = 17.76. */
    rational_t monthly = rational_div(rational_int(36498420000), rational_int(12));
    assert_int_equal(rational_centi(rational_div(rational_int(54030729300), monthly)), 1776);
    /* A huge denominator still rounds right. */
    assert_int_equal(rational_centi(rational_make(s_big / 2 + 1, s_big)), 50);
    assert_int_equal(rational_centi(rational_make(s_big, 3)), INT64_MAX);
    assert_int_equal(rational_centi(rational_make(1, 0)), 0);
}

static void test_centi_format(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(rational_centi_format(9998, buf, sizeof buf), "99.98");
    assert_string_equal(rational_centi_format(-5, buf, sizeof buf), "-0.05");
    assert_string_equal(rational_centi_format(0, buf, sizeof buf), "0.00");
    assert_string_equal(rational_centi_format(INT64_MIN, buf, sizeof buf), "-92233720368547758.08");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_reduces_and_normalises_sign),
        cmocka_unit_test(test_add_sub_mul_div),
        cmocka_unit_test(test_overflow_is_detected),
        cmocka_unit_test(test_cmp_exact_even_when_products_overflow),
        cmocka_unit_test(test_ceil),
        cmocka_unit_test(test_centi_rounds_half_away_from_zero),
        cmocka_unit_test(test_centi_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
