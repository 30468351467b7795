/*  Tests of target: parsing, exact comparison, shortfall and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"
#include "target.h"

static target_t s_parse(const char *text)
{
    target_t t;
    const char *why = NULL;
    assert_int_equal(target_parse(text, &t, &why), 0);
    return t;
}

static void test_parse_operators(void **state)
{
    (void)state;
    target_t t = s_parse(">=95");
    assert_int_equal(t.op, TARGET_GE);
    assert_int_equal(t.lo, 950000);
    assert_int_equal(s_parse("<=3").op, TARGET_LE);
    assert_int_equal(s_parse(">1.1").op, TARGET_GT);
    assert_int_equal(s_parse(">1.1").lo, 11000);
    t = s_parse("<-2.5");
    assert_int_equal(t.op, TARGET_LT);
    assert_int_equal(t.lo, -25000);
    assert_int_equal(s_parse("=0").op, TARGET_EQ);
    t = s_parse("90..110");
    assert_int_equal(t.op, TARGET_RANGE);
    assert_int_equal(t.lo, 900000);
    assert_int_equal(t.hi, 1100000);
    t = s_parse("-5.5..0.25");
    assert_int_equal(t.lo, -55000);
    assert_int_equal(t.hi, 2500);
    assert_int_equal(s_parse("").op, TARGET_NONE);
    assert_int_equal(s_parse(NULL).op, TARGET_NONE);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    const char *bad[] = {">=",  "=>95", "95",        ">= 95", "110..90", "1..2..3",
                         "..5", "5..",  ">=1.00001", "==5",   "abc",     "<>3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        target_t t = {TARGET_EQ, 7, 7};
        const char *why = NULL;
        assert_int_equal(target_parse(bad[i], &t, &why), -1);
        assert_non_null(why);
        assert_int_equal(t.lo, 7);
    }
}

static void test_met_is_exact(void **state)
{
    (void)state;
    target_t ge = s_parse(">=95");
    assert_true(target_met(&ge, rational_make(95, 1)));
    assert_false(target_met(&ge, rational_make(94995, 1000)));
    assert_false(target_met(&ge, rational_make(1899999, 20000)));
    target_t gt = s_parse(">95");
    assert_false(target_met(&gt, rational_int(95)));
    target_t lt = s_parse("<3");
    assert_true(target_met(&lt, rational_make(29999, 10000)));
    assert_false(target_met(&lt, rational_int(3)));
    target_t range = s_parse("6..15");
    assert_true(target_met(&range, rational_int(6)));
    assert_true(target_met(&range, rational_int(15)));
    assert_false(target_met(&range, rational_make(1776, 100) /* 遂宁市 months_payable */));
    target_t eq = s_parse("=0");
    assert_true(target_met(&eq, rational_int(0)));
    assert_false(target_met(&eq, rational_make(1, 1000000)));
    target_t none = s_parse("");
    assert_true(target_met(&none, rational_int(-7)));
    assert_false(target_met(&ge, rational_make(1, 0)));
}

static void test_shortfall(void **state)
{
    (void)state;
    /* 遂宁市 satisfaction 87.33 % against >=90: 2.67 short. */
    target_t ge = s_parse(">=90");
    rational_t s = target_shortfall(&ge, rational_make(8733, 100));
    assert_int_equal(rational_centi(s), 267);
    assert_int_equal(rational_centi(target_shortfall(&ge, rational_int(91))), 0);
    target_t le = s_parse("<=3");
    assert_int_equal(rational_centi(target_shortfall(&le, rational_make(35, 10))), 50);
    target_t range = s_parse("6..15");
    assert_int_equal(rational_centi(target_shortfall(&range, rational_make(1776, 100))), 276);
    assert_int_equal(rational_centi(target_shortfall(&range, rational_int(4))), 200);
}

static void test_format_round_trips(void **state)
{
    (void)state;
    const char *texts[] = {">=95", "<=3", ">1.1", "<-2.5", "=0", "90..110", "-5.5..0.25"};
    char buf[64];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        target_t t = s_parse(texts[i]);
        assert_string_equal(target_format(&t, buf, sizeof buf), texts[i]);
    }
    target_t none = s_parse("");
    assert_string_equal(target_format(&none, buf, sizeof buf), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_operators),    cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_met_is_exact),       cmocka_unit_test(test_shortfall),
        cmocka_unit_test(test_format_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
