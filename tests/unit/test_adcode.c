/*  Tests of adcode: validity and the province / city / county hierarchy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "adcode.h"

static void test_code_valid(void **state)
{
    (void)state;
    assert_true(adcode_valid("510904"));
    assert_true(adcode_valid("000000"));
    assert_false(adcode_valid("51090"));
    assert_false(adcode_valid("5109040"));
    assert_false(adcode_valid("51090a"));
    assert_false(adcode_valid(" 51090"));
    assert_false(adcode_valid(""));
    assert_false(adcode_valid(NULL));
}

static void test_levels(void **state)
{
    (void)state;
    assert_true(adcode_is_province("510000"));
    assert_false(adcode_is_province("510900"));
    assert_false(adcode_is_province("000000"));
    assert_true(adcode_is_city("510900"));
    assert_true(adcode_is_city("513300"));
    assert_false(adcode_is_city("510000"));
    assert_false(adcode_is_city("510904"));
    assert_false(adcode_is_city("001100"));
    assert_false(adcode_is_city("5109"));
}

static void test_membership(void **state)
{
    (void)state;
    /* 遂宁市 510900: its 市本级 and its counties 510904, 510921, 510923. */
    assert_true(adcode_in_city("510900", "510900"));
    assert_true(adcode_in_city("510904", "510900"));
    assert_true(adcode_in_city("510923", "510900"));
    assert_false(adcode_in_city("513331", "510900"));
    assert_false(adcode_in_city("510904", "510904"));
    assert_false(adcode_in_city("51090x", "510900"));
    assert_true(adcode_in_province("510900", "510000"));
    assert_true(adcode_in_province("513331", "510000"));
    assert_false(adcode_in_province("520100", "510000"));
    assert_false(adcode_in_province("510000", "510000"));
    assert_false(adcode_in_province("510904", "510900"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_valid),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
