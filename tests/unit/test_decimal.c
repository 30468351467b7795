/*  Tests of decimal: exact parsing of money and quantities, and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"

static void test_decimal_parse_valid(void **state)
{
    (void)state;
    int64_t m;
    int d;
    const char *why = NULL;
    assert_int_equal(decimal_parse("70,325.02", &m, &d, &why), 0);
    assert_int_equal(m, 7032502);
    assert_int_equal(d, 2);
    assert_int_equal(decimal_parse("-1,234,567", &m, &d, &why), 0);
    assert_int_equal(m, -1234567);
    assert_int_equal(d, 0);
    assert_int_equal(decimal_parse("0.05", &m, &d, &why), 0);
    assert_int_equal(m, 5);
    assert_int_equal(d, 2);
    assert_int_equal(decimal_parse("101348836.95", &m, &d, &why), 0);
    assert_int_equal(m, 10134883695);
    /* Leading zeros are not significant. */
    assert_int_equal(decimal_parse("000000000000000000000001", &m, &d, &why), 0);
    assert_int_equal(m, 1);
    assert_int_equal(decimal_parse("999999999999999999", &m, &d, &why), 0);
    assert_int_equal(m, 999999999999999999);
}

static void test_decimal_parse_invalid(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "-",
                         "7,03",
                         "1,,000",
                         ",100",
                         "1000,000",
                         "1,000,00",
                         "12.3.4",
                         ".5",
                         "5.",
                         "+5",
                         "1e5",
                         " 5",
                         "5 ",
                         "1 000",
                         "--5",
                         "0x10",
                         "5,",
                         "1,000.5,0",
                         "1234567890123456789",
                         "0.0000000000000000001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t m = 77;
        int d = 77;
        const char *why = NULL;
        assert_int_equal(decimal_parse(bad[i], &m, &d, &why), -1);
        assert_non_null(why);
        assert_int_equal(m, 77);
    }
    const char *why = NULL;
    int64_t m;
    int d;
    assert_int_equal(decimal_parse(NULL, &m, &d, &why), -1);
    assert_int_equal(decimal_parse("7,03", &m, &d, &why), -1);
    assert_string_equal(why, "misplaced thousands separator");
}

static void test_money_parse(void **state)
{
    (void)state;
    int64_t fen, tol;
    const char *why = NULL;
    assert_int_equal(decimal_parse_money("70,325.02", FEN_PER_WAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, 70325020000);
    assert_int_equal(tol, 5000);
    assert_int_equal(decimal_parse_money("7195.03", FEN_PER_WAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, 7195030000);
    assert_int_equal(decimal_parse_money("93", FEN_PER_WAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, 93000000);
    assert_int_equal(tol, 500000);
    assert_int_equal(decimal_parse_money("1.234567", FEN_PER_WAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, 1234567);
    assert_int_equal(tol, 0);
    assert_int_equal(decimal_parse_money("101,348,836.95", FEN_PER_YUAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, 10134883695);
    assert_int_equal(tol, 0);
    assert_int_equal(decimal_parse_money("-0.5", FEN_PER_YUAN, &fen, &tol, &why), 0);
    assert_int_equal(fen, -50);
}

static void test_money_parse_refuses(void **state)
{
    (void)state;
    int64_t fen = 1, tol = 1;
    const char *why = NULL;
    assert_int_equal(decimal_parse_money("1.234", FEN_PER_YUAN, &fen, &tol, &why), -1);
    assert_string_equal(why, "finer than a fen");
    assert_int_equal(decimal_parse_money("1.0000001", FEN_PER_WAN, &fen, &tol, &why), -1);
    assert_string_equal(why, "finer than a fen");
    assert_int_equal(decimal_parse_money("999999999999999999", FEN_PER_WAN, &fen, &tol, &why), -1);
    assert_string_equal(why, "amount too large");
    assert_int_equal(decimal_parse_money("12.3.4", FEN_PER_WAN, &fen, &tol, &why), -1);
    assert_int_equal(decimal_parse_money("5", 3, &fen, &tol, &why), -1);
    assert_int_equal(fen, 1);
}

static void test_qty_parse(void **state)
{
    (void)state;
    int64_t q;
    const char *why = NULL;
    assert_int_equal(decimal_parse_qty("88.56", 1, &q, &why), 0);
    assert_int_equal(q, 885600);
    assert_int_equal(decimal_parse_qty("434,505", 1, &q, &why), 0);
    assert_int_equal(q, 4345050000);
    assert_int_equal(decimal_parse_qty("43.4505", 10000, &q, &why), 0);
    assert_int_equal(q, 4345050000);
    assert_int_equal(decimal_parse_qty("-3.5", 1, &q, &why), 0);
    assert_int_equal(q, -35000);
    /* Trailing zeros beyond the 4 kept decimals are exact, a digit is not. */
    assert_int_equal(decimal_parse_qty("1.500000", 1, &q, &why), 0);
    assert_int_equal(q, 15000);
    assert_int_equal(decimal_parse_qty("1.00001", 1, &q, &why), -1);
    assert_string_equal(why, "more decimals than kept (4)");
    assert_int_equal(decimal_parse_qty("1.00001", 10, &q, &why), 0);
    assert_int_equal(q, 100001);
    assert_int_equal(decimal_parse_qty("999999999999999999", 10000, &q, &why), -1);
    assert_string_equal(why, "quantity too large");
}

static void test_formats(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(decimal_format_money(70325020000, buf, sizeof buf), "703250200.00");
    assert_string_equal(decimal_format_money(-105, buf, sizeof buf), "-1.05");
    assert_string_equal(decimal_format_money(0, buf, sizeof buf), "0.00");
    assert_string_equal(decimal_format_money(INT64_MIN, buf, sizeof buf), "-92233720368547758.08");
    assert_string_equal(decimal_format_money_grouped(70325020000, buf, sizeof buf),
                        "703,250,200.00");
    assert_string_equal(decimal_format_money_grouped(-123456, buf, sizeof buf), "-1,234.56");
    assert_string_equal(decimal_format_money_grouped(99, buf, sizeof buf), "0.99");
    assert_string_equal(decimal_format_money_grouped(INT64_MIN, buf, sizeof buf),
                        "-92,233,720,368,547,758.08");
    assert_string_equal(decimal_format_qty(885600, buf, sizeof buf), "88.56");
    assert_string_equal(decimal_format_qty(50000, buf, sizeof buf), "5");
    assert_string_equal(decimal_format_qty(5000, buf, sizeof buf), "0.5");
    assert_string_equal(decimal_format_qty(-1, buf, sizeof buf), "-0.0001");
    assert_string_equal(decimal_format_qty(0, buf, sizeof buf), "0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_parse_valid), cmocka_unit_test(test_decimal_parse_invalid),
        cmocka_unit_test(test_money_parse),         cmocka_unit_test(test_money_parse_refuses),
        cmocka_unit_test(test_qty_parse),           cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
