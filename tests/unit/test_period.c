/*  Tests of period: parsing, month spans, UTC deadlines and their config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "period.h"

static period_t s_parse(const char *text)
{
    period_t p;
    const char *why = NULL;
    assert_int_equal(period_parse(text, &p, &why), 0);
    return p;
}

static void test_parse_kinds(void **state)
{
    (void)state;
    period_t p = s_parse("2019");
    assert_int_equal(p.kind, PERIOD_YEAR);
    assert_int_equal(p.year, 2019);
    assert_int_equal(p.index, 0);
    assert_int_equal(period_months(&p), 12);
    p = s_parse("2023-Q4");
    assert_int_equal(p.kind, PERIOD_QUARTER);
    assert_int_equal(p.index, 4);
    assert_int_equal(period_months(&p), 3);
    p = s_parse("2024-02");
    assert_int_equal(p.kind, PERIOD_MONTH);
    assert_int_equal(p.index, 2);
    assert_int_equal(period_months(&p), 1);
    assert_int_equal(s_parse("1900").year, 1900);
    assert_int_equal(s_parse("9999-12").year, 9999);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    const char *bad[] = {"2023-13", "2023-00", "2023-Q0",  "2023-Q5", "1899",     "23",
                         "20231",   "2023-1",  "2023-q1",  "2023/01", "2023-011", "",
                         " 2023",   "2023-Q",  "２０２３", "abcd",    "2023-1a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        period_t p = {PERIOD_MONTH, 7, 7};
        const char *why = NULL;
        assert_int_equal(period_parse(bad[i], &p, &why), -1);
        assert_non_null(why);
        assert_int_equal(p.year, 7);
    }
    period_t p;
    const char *why = NULL;
    assert_int_equal(period_parse(NULL, &p, &why), -1);
    assert_int_equal(period_parse("2023-13", &p, &why), -1);
    assert_string_equal(why, "month not 01 to 12");
}

static void test_deadlines_are_utc(void **state)
{
    (void)state;
    /* Local time must not matter. */
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    deadline_cfg_t cfg;
    period_deadline_defaults(&cfg);
    period_t year = s_parse("2019");
    assert_int_equal(period_deadline(&year, &cfg), 1579132799); /* 2020-01-15 23:59:59 */
    period_t quarter = s_parse("2023-Q1");
    assert_int_equal(period_deadline(&quarter, &cfg), 1680739199); /* 2023-04-05 23:59:59 */
    period_t month = s_parse("2024-02");
    assert_int_equal(period_deadline(&month, &cfg), 1710115199); /* leap: 2024-03-10 */
    period_t q4 = s_parse("2024-Q4");
    assert_int_equal(period_deadline(&q4, &cfg), 1736121599); /* 2025-01-05 23:59:59 */
    cfg.year = 0;
    assert_int_equal(period_deadline(&year, &cfg), 1577836799); /* 2019-12-31 23:59:59 */
    assert_int_equal(period_deadline(&quarter, NULL), 1680739199);
    unsetenv("TZ");
    tzset();
}

static void test_deadline_parse(void **state)
{
    (void)state;
    deadline_cfg_t cfg;
    period_deadline_defaults(&cfg);
    assert_int_equal(cfg.month, 10);
    assert_int_equal(cfg.quarter, 5);
    assert_int_equal(cfg.year, 15);
    const char *why = NULL;
    assert_int_equal(period_deadline_parse("year=30,month=7", &cfg, &why), 0);
    assert_int_equal(cfg.month, 7);
    assert_int_equal(cfg.quarter, 5);
    assert_int_equal(cfg.year, 30);
    const char *bad[] = {"",        "year",      "year=",    "year=-1",  "week=3",
                         "year=3,", "year=9999", "month=1x", ",month=2", "year=30;month=7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(period_deadline_parse(bad[i], &cfg, &why), -1);
        assert_int_equal(cfg.month, 7);
        assert_int_equal(cfg.year, 30);
    }
}

static void test_fund_valid(void **state)
{
    (void)state;
    assert_true(period_fund_valid("resident"));
    assert_true(period_fund_valid("employee"));
    assert_true(period_fund_valid("maternity"));
    assert_true(period_fund_valid("dept"));
    assert_false(period_fund_valid("Resident"));
    assert_false(period_fund_valid("resident "));
    assert_false(period_fund_valid(""));
    assert_false(period_fund_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_kinds),       cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_deadlines_are_utc), cmocka_unit_test(test_deadline_parse),
        cmocka_unit_test(test_fund_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
