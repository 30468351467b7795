/*  Tests of diag: counting, formatting and truncation of diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"

static int setup(void **state)
{
    *state = diag_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    diag_t *diag = *state;
    diag_destroy(&diag);
    assert_null(diag);
    return 0;
}

static void test_counts_and_entries(void **state)
{
    diag_t *diag = *state;
    diag_add(diag, DIAG_ERROR, "unknown_item", "a.csv", 10, 4, "unknown item %s", "income.x");
    diag_add(diag, DIAG_WARNING, "total_mismatch", NULL, 3, 5, "sum %d", 42);
    diag_add(diag, DIAG_ERROR, "bad_number", "a.csv", 11, 5, "bad");
    assert_int_equal(diag_size(diag), 3);
    assert_int_equal(diag_count(diag, DIAG_ERROR), 2);
    assert_int_equal(diag_count(diag, DIAG_WARNING), 1);
    const diag_entry_t *e = diag_at(diag, 0);
    assert_string_equal(e->code, "unknown_item");
    assert_string_equal(e->message, "unknown item income.x");
    assert_int_equal(e->line, 10);
    assert_int_equal(e->column, 4);
    assert_string_equal(diag_at(diag, 1)->file, "");
    assert_null(diag_at(diag, 3));
    diag_clear(diag);
    assert_int_equal(diag_size(diag), 0);
    assert_null(diag_at(diag, 0));
}

static void test_print_format(void **state)
{
    diag_t *diag = *state;
    diag_add(diag, DIAG_WARNING, "balance_identity", "x.csv", 7, 5, "off by %s", "0.01");
    diag_add(diag, DIAG_ERROR, "bad_header", "x.csv", 1, 0, "no header");
    diag_add(diag, DIAG_ERROR, "rejected", "510904", 0, 0, "peer refused");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    diag_print(diag, out);
    fclose(out);
    assert_string_equal(text, "x.csv:7:5: warning: off by 0.01 [balance_identity]\n"
                              "x.csv:1: error: no header [bad_header]\n"
                              "510904: error: peer refused [rejected]\n");
    free(text);
    char buf[128];
    assert_string_equal(diag_first_error(diag, buf, sizeof buf),
                        "x.csv:1: error: no header [bad_header]");
}

static void test_first_error_empty_when_only_warnings(void **state)
{
    diag_t *diag = *state;
    char buf[64] = "junk";
    assert_string_equal(diag_first_error(diag, buf, sizeof buf), "");
    diag_add(diag, DIAG_WARNING, "target_missed", NULL, 0, 0, "missed");
    assert_string_equal(diag_first_error(diag, buf, sizeof buf), "");
    diag_add(diag, DIAG_ERROR, "bad_period", NULL, 0, 0, "bad period 2023-13");
    assert_string_equal(diag_first_error(diag, buf, sizeof buf),
                        "error: bad period 2023-13 [bad_period]");
}

static void test_long_text_is_truncated(void **state)
{
    diag_t *diag = *state;
    char longtext[2000];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    for (int i = 0; i < 100; i++)
        diag_add(diag, DIAG_ERROR, longtext, longtext, i + 1, 1, "%s", longtext);
    assert_int_equal(diag_size(diag), 100);
    const diag_entry_t *e = diag_at(diag, 99);
    assert_int_equal(strlen(e->message), sizeof e->message - 1);
    assert_int_equal(strlen(e->code), sizeof e->code - 1);
    assert_int_equal(strlen(e->file), sizeof e->file - 1);
    assert_int_equal(e->line, 100);
}

static void test_null_safety(void **state)
{
    (void)state;
    diag_add(NULL, DIAG_ERROR, "x", NULL, 0, 0, "y");
    assert_int_equal(diag_size(NULL), 0);
    assert_int_equal(diag_count(NULL, DIAG_ERROR), 0);
    diag_destroy(NULL);
    diag_t *none = NULL;
    diag_destroy(&none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_error_empty_when_only_warnings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_text_is_truncated, setup, teardown),
        cmocka_unit_test(test_null_safety),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
