/*  Tests of encoding: UTF-8 validation, BOM stripping, GB18030 conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "encoding.h"

static void test_utf8_valid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(encoding_utf8_valid("巴州区 2019", strlen("巴州区 2019"), &bad));
    assert_true(encoding_utf8_valid("", 0, &bad));
    assert_false(encoding_utf8_valid("ab\xC0\xAF", 4, &bad)); /* overlong '/' */
    assert_int_equal(bad, 2);
    assert_false(encoding_utf8_valid("\xED\xA0\x80", 3, &bad));     /* surrogate */
    assert_false(encoding_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* above U+10FFFF */
    assert_false(encoding_utf8_valid("a\xE4\xB8", 3, &bad));        /* cut short */
    assert_int_equal(bad, 1);
}

static void test_utf8_passes_and_loses_its_bom(void **state)
{
    (void)state;
    const char in[] = "\xEF\xBB\xBFunit,中文\n";
    size_t len = 0, bad = 0;
    bool converted = true;
    const char *why = NULL;
    char *out = encoding_to_utf8(in, strlen(in), &len, &converted, &why, &bad);
    assert_non_null(out);
    assert_false(converted);
    assert_string_equal(out, "unit,中文\n");
    assert_int_equal(len, strlen("unit,中文\n"));
    free(out);
}

static void test_gb18030_is_converted(void **state)
{
    (void)state;
    /* "巴音郭楞 2019" in GB18030. */
    const char in[] = "\xB0\xCD\xD2\xF4\xB9\xF9\xC0\xE3 2019";
    size_t len = 0, bad = 0;
    bool converted = false;
    const char *why = NULL;
    char *out = encoding_to_utf8(in, strlen(in), &len, &converted, &why, &bad);
    assert_non_null(out);
    assert_true(converted);
    assert_string_equal(out, "巴音郭楞 2019");
    free(out);
}

static void test_gb18030_that_is_also_utf8(void **state)
{
    (void)state;
    const char in[] = "# \xD4\xAA\n"; /* "# 元" in GB18030, U+052A in UTF-8 */
    encoding_t found[2];
    const char *why = NULL;
    size_t bad = 0, len = 0;
    assert_int_equal(encoding_candidates(in, strlen(in), found, &why, &bad), 2);
    assert_int_equal(found[0], ENCODING_GB18030);
    assert_int_equal(found[1], ENCODING_UTF8);
    bool converted = false;
    char *out = encoding_to_utf8(in, strlen(in), &len, &converted, &why, &bad);
    assert_non_null(out);
    assert_true(converted);
    assert_string_equal(out, "# 元\n");
    free(out);
}

static void test_utf8_chinese_stays_utf8(void **state)
{
    (void)state;
    const char in[] = "# 中文\n"; /* also valid GB18030 bytes */
    encoding_t found[2];
    const char *why = NULL;
    size_t bad = 0;
    assert_int_equal(encoding_candidates(in, strlen(in), found, &why, &bad), 2);
    assert_int_equal(found[0], ENCODING_UTF8);
    assert_int_equal(encoding_candidates("unit,\n", 6, found, &why, &bad), 1);
    assert_int_equal(found[0], ENCODING_UTF8);
    assert_string_equal(encoding_name(ENCODING_GB18030), "GB18030");
}

static void test_refused_text(void **state)
{
    (void)state;
    size_t len = 0, bad = 0;
    bool converted = false;
    const char *why = NULL;
    const char nul[] = "u\0n";
    assert_null(encoding_to_utf8(nul, 3, &len, &converted, &why, &bad));
    assert_int_equal(bad, 1);
    assert_non_null(strstr(why, "NUL"));
    const char junk[] = "abc\n\xFF\xFE";
    assert_null(encoding_to_utf8(junk, strlen(junk), &len, &converted, &why, &bad));
    assert_int_equal(bad, 4);
    assert_string_equal(why, "neither UTF-8 nor GB18030 (or out of memory)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_passes_and_loses_its_bom),
        cmocka_unit_test(test_gb18030_is_converted),
        cmocka_unit_test(test_gb18030_that_is_also_utf8),
        cmocka_unit_test(test_utf8_chinese_stays_utf8),
        cmocka_unit_test(test_refused_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
