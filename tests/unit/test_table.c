/*  Tests of table: display width, aligned printing, CSV quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    table_t *table;
    char *text;
    size_t len;
    FILE *out;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(fixture_t));
    assert_non_null(f);
    const char *headers[] = {"code", "名称", "金额"};
    f->table = table_new(headers, 3);
    assert_non_null(f->table);
    f->out = open_memstream(&f->text, &f->len);
    assert_non_null(f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    table_destroy(&f->table);
    assert_null(f->table);
    if (f->out)
        fclose(f->out);
    free(f->text);
    free(f);
    return 0;
}

/* Closes the stream so that f->text holds everything printed. */
static const char *s_output(fixture_t *f)
{
    fclose(f->out);
    f->out = NULL;
    return f->text;
}

static void test_format_parse(void **state)
{
    (void)state;
    format_t format = FORMAT_JSON;
    assert_int_equal(table_format_parse("table", &format), 0);
    assert_int_equal(format, FORMAT_TABLE);
    assert_int_equal(table_format_parse("csv", &format), 0);
    assert_int_equal(format, FORMAT_CSV);
    assert_int_equal(table_format_parse("json", &format), 0);
    assert_int_equal(format, FORMAT_JSON);
    assert_int_equal(table_format_parse("JSON", &format), -1);
    assert_int_equal(table_format_parse("", &format), -1);
    assert_int_equal(table_format_parse(NULL, &format), -1);
}

static void test_text_width(void **state)
{
    (void)state;
    assert_int_equal(table_text_width(""), 0);
    assert_int_equal(table_text_width(NULL), 0);
    assert_int_equal(table_text_width("abc"), 3);
    assert_int_equal(table_text_width("年初滚存结余"), 12);
    assert_int_equal(table_text_width("income.total 基金收入合计"), 13 + 12);
    /* CJK punctuation, fullwidth forms and Hangul are wide. */
    assert_int_equal(table_text_width("，。、"), 6);
    assert_int_equal(table_text_width("ＡＢ１"), 6);
    assert_int_equal(table_text_width("한국"), 4);
    assert_int_equal(table_text_width("\xE3\x80\x80"), 2); /* ideographic space */
    /* Halfwidth katakana and Latin-1 are narrow; combining marks take none. */
    assert_int_equal(table_text_width("ｱ"), 1);
    assert_int_equal(table_text_width("é"), 1);
    assert_int_equal(table_text_width("e\xCC\x81"), 1); /* e + combining acute */
    assert_int_equal(table_text_width("a\xE2\x80\x8B"
                                      "b"),
                     2); /* zero-width space */
    /* A CJK extension B character (4 bytes) is wide. */
    assert_int_equal(table_text_width("\xF0\xA0\x80\x80"), 2);
    /* Invalid UTF-8 counts one per byte and never reads past the end. */
    assert_int_equal(table_text_width("\xFF\xFE"), 2);
    assert_int_equal(table_text_width("\xE4\xB8"), 2);     /* truncated sequence */
    assert_int_equal(table_text_width("\xC0\x80"), 2);     /* overlong NUL */
    assert_int_equal(table_text_width("\xED\xA0\x80"), 3); /* surrogate */
}

static void test_table_aligned(void **state)
{
    fixture_t *f = *state;
    table_align_right(f->table, 2);
    const char *row1[] = {"income.total", "基金收入合计", "1,988,528,674.60"};
    const char *row2[] = {"x", "利息", "7.00"};
    assert_int_equal(table_add(f->table, row1), 0);
    assert_int_equal(table_add(f->table, row2), 0);
    assert_int_equal(table_print(f->table, FORMAT_TABLE, f->out), 0);
    const char *expected = "code          名称                      金额\n"
                           "------------  ------------  ----------------\n"
                           "income.total  基金收入合计  1,988,528,674.60\n"
                           "x             利息                      7.00\n";
    assert_string_equal(s_output(f), expected);
}

static void test_table_left_last_column(void **state)
{
    fixture_t *f = *state;
    const char *row[] = {"a", NULL, "中"};
    assert_int_equal(table_add(f->table, row), 0);
    assert_int_equal(table_print(f->table, FORMAT_TABLE, f->out), 0);
    /* The last column is left-aligned: no trailing spaces; a NULL cell is empty. */
    const char *expected = "code  名称  金额\n"
                           "----  ----  ----\n"
                           "a           中\n";
    assert_string_equal(s_output(f), expected);
}

static void test_table_long_last_column(void **state)
{
    fixture_t *f = *state;
    char text[101];
    memset(text, 'x', 100);
    text[100] = '\0';
    const char *row[] = {"a", "b", text};
    assert_int_equal(table_add(f->table, row), 0);
    assert_int_equal(table_print(f->table, FORMAT_TABLE, f->out), 0);
    /* A long free text in the last column is underlined over 40 columns only. */
    const char *expected_rule = "----  ----  ----------------------------------------\n";
    const char *output = s_output(f);
    assert_non_null(strstr(output, expected_rule));
    assert_non_null(strstr(output, text));
}

static void test_table_csv_quoting(void **state)
{
    fixture_t *f = *state;
    const char *row1[] = {"a,b", "say \"hi\"", "70,325.02"};
    const char *row2[] = {"line\nbreak", "plain", ""};
    assert_int_equal(table_add(f->table, row1), 0);
    assert_int_equal(table_add(f->table, row2), 0);
    assert_int_equal(table_print(f->table, FORMAT_CSV, f->out), 0);
    const char *expected = "code,名称,金额\n"
                           "\"a,b\",\"say \"\"hi\"\"\",\"70,325.02\"\n"
                           "\"line\nbreak\",plain,\n";
    assert_string_equal(s_output(f), expected);
}

static void test_table_json_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(table_print(f->table, FORMAT_JSON, f->out), -1);
    assert_int_equal(table_print(NULL, FORMAT_TABLE, f->out), -1);
    assert_int_equal(table_add(NULL, NULL), -1);
}

static void test_table_many_rows(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < 1000; i++) {
        char code[16];
        snprintf(code, sizeof code, "r%d", i);
        const char *row[] = {code, "名", "1"};
        assert_int_equal(table_add(f->table, row), 0);
    }
    assert_int_equal(table_print(f->table, FORMAT_CSV, f->out), 0);
    const char *text = s_output(f);
    assert_non_null(strstr(text, "\nr999,名,1\n"));
}

static void test_table_new_refuses_zero_columns(void **state)
{
    (void)state;
    assert_null(table_new(NULL, 0));
    table_t *table = NULL;
    table_destroy(&table);
    table_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test_setup_teardown(test_table_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_left_last_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_csv_quoting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_long_last_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_json_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_many_rows, setup, teardown),
        cmocka_unit_test(test_table_new_refuses_zero_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
