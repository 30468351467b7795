/*  Tests of csvimport: the conformance files, encodings, line numbers and
    every error a file can carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csvimport.h"

#define HEADER "unit,period,fund,item,value,unit_of_measure,target\n"
#define DATA SCENARIO_DIR "/data/"

typedef struct {
    csvimport_result_t result;
    diag_t *diag;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    memset(&f, 0, sizeof f);
    f.diag = diag_new();
    *state = &f;
    return f.diag ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    csvimport_result_clear(&f->result);
    assert_null(f->result.reports);
    diag_destroy(&f->diag);
    return 0;
}

static int s_import(fixture_t *f, const char *text, const char *expected_unit)
{
    csvimport_result_clear(&f->result);
    diag_clear(f->diag);
    return csvimport_buffer("t.csv", text, strlen(text), expected_unit, NULL, &f->result, f->diag);
}

/* Asserts that the first error has this code, line and column. */
static const diag_entry_t *s_error_at(fixture_t *f, const char *code, int line, int column)
{
    for (size_t i = 0; i < diag_size(f->diag); i++) {
        const diag_entry_t *e = diag_at(f->diag, i);
        if (e->level != DIAG_ERROR)
            continue;
        assert_string_equal(e->code, code);
        assert_int_equal(e->line, line);
        assert_int_equal(e->column, column);
        return e;
    }
    fail_msg("no error %s", code);
    return NULL;
}

static int64_t s_amount(const report_t *r, const char *code)
{
    const report_item_t *it = report_find(r, code);
    assert_non_null(it);
    assert_true(it->parsed);
    return it->amount;
}

static void test_conformance_files_import(void **state)
{
    fixture_t *f = *state;
    const char *good[] = {"510900", "510904", "510921",      "510923", "513300",
                          "513322", "513331", "513331-rev2", "513336"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char path[512], unit[8];
        snprintf(path, sizeof path, DATA "%s.csv", good[i]);
        snprintf(unit, sizeof unit, "%.6s", good[i]);
        csvimport_result_clear(&f->result);
        diag_clear(f->diag);
        assert_int_equal(csvimport_file(path, unit, NULL, &f->result, f->diag), 0);
        assert_int_equal(diag_count(f->diag, DIAG_ERROR), 0);
        assert_int_equal(f->result.n_reports, 1);
        assert_string_equal(f->result.reports[0]->unit, unit);
        assert_string_equal(f->result.reports[0]->period, "2023");
        assert_string_equal(f->result.reports[0]->fund, "resident");
        assert_true(f->result.reports[0]->n_items >= 42);
    }
}

static void test_conformance_values(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(csvimport_file(DATA "510900.csv", NULL, NULL, &f->result, f->diag), 0);
    report_t *r = f->result.reports[0];
    assert_int_equal(s_amount(r, "income.total"), 60690124800);
    assert_int_equal(s_amount(r, "stat.enrolled"), 4345050000);
    assert_int_equal(s_amount(r, "ind.satisfaction"), 873300);
    assert_int_equal(report_find(r, "income.total")->line, 22);
    /* Only the missed satisfaction target is worth a warning. */
    assert_int_equal(diag_size(f->diag), 1);
    assert_string_equal(diag_at(f->diag, 0)->code, "target_missed");
    assert_int_equal(diag_at(f->diag, 0)->line, 29);
    /* The same warning is kept with its report, for the agent's outbox. */
    assert_int_equal(diag_size(f->result.warnings[0]), 1);
    assert_string_equal(diag_at(f->result.warnings[0], 0)->code, "target_missed");
    assert_string_equal(diag_at(f->result.warnings[0], 0)->message, diag_at(f->diag, 0)->message);
    csvimport_result_clear(&f->result);
    assert_null(f->result.warnings);
    diag_clear(f->diag);
    assert_int_equal(csvimport_file(DATA "513331.csv", NULL, NULL, &f->result, f->diag), 0);
    r = f->result.reports[0];
    assert_int_equal(s_amount(r, "income.total"), 68300380000);
    assert_int_equal(report_find(r, "income.total")->tolerance, 5000);
    assert_int_equal(s_amount(r, "stat.subsidy_standard"), 64000);
}

static void test_conformance_bad_files(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(csvimport_file(DATA "510921-bad1.csv", "510921", NULL, &f->result, f->diag),
                     -1);
    assert_int_equal(f->result.n_reports, 0);
    assert_null(f->result.reports);
    const diag_entry_t *e = s_error_at(f, "unknown_item", 10, 4);
    assert_string_equal(e->file, DATA "510921-bad1.csv");
    assert_non_null(strstr(e->message, "did you mean income.premium?"));
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 1);
    diag_clear(f->diag);
    assert_int_equal(csvimport_file(DATA "513331-bad0.csv", "513331", NULL, &f->result, f->diag),
                     -1);
    e = s_error_at(f, "bad_number", 9, 5);
    assert_non_null(strstr(e->message, "12.3.4"));
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 1);
    char line[600];
    assert_string_equal(diag_first_error(f->diag, line, sizeof line),
                        DATA "513331-bad0.csv:9:5: error: bad number '12.3.4' for "
                             "expense.benefit.outpatient_general: not a number [bad_number]");
}

static void test_gb18030_file(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        csvimport_file(TEST_DATA_DIR "/ingest-gbk.csv", "510400", NULL, &f->result, f->diag), 0);
    assert_int_equal(f->result.n_reports, 1);
    report_t *r = f->result.reports[0];
    assert_int_equal(s_amount(r, "income.total"), 70325020000);
    assert_string_equal(report_find(r, "income.total")->value, "70,325.02");
    assert_int_equal(report_find(r, "income.total")->line, 3);
    assert_int_equal(s_amount(r, "ind.enrollment_rate"), 885600);
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 0);
    assert_string_equal(diag_at(f->diag, 0)->code, "target_missed");
    assert_int_equal(diag_at(f->diag, 0)->line, 6);
}

static void test_bad_encoding(void **state)
{
    fixture_t *f = *state;
    const char text[] = HEADER "510400,2023,resident,income.total,1,yuan,\n"
                               "510400,2023,resident,income.other,\xff\xfe,yuan,\n";
    assert_int_equal(s_import(f, text, NULL), -1);
    s_error_at(f, "bad_encoding", 3, 0);
    const char nul[] = "unit\0period";
    diag_clear(f->diag);
    assert_int_equal(csvimport_buffer("n.csv", nul, sizeof nul, NULL, NULL, &f->result, f->diag),
                     -1);
    s_error_at(f, "bad_encoding", 1, 0);
}

static void test_bom_crlf_comments_and_blank_lines(void **state)
{
    fixture_t *f = *state;
    const char text[] = "\xEF\xBB\xBF"
                        "unit,period,fund,item,value,unit_of_measure,target\r\n"
                        "# 巴州区 2019\r\n"
                        "\r\n"
                        "511902,2019,resident,balance.opening,\"101,348,836.95\",yuan,\r\n"
                        "   \r\n"
                        "511902 , 2019 ,resident,  income.total ,\" 493,009,665.42 \",yuan\r\n";
    assert_int_equal(s_import(f, text, "511902"), 0);
    report_t *r = f->result.reports[0];
    assert_int_equal(r->n_items, 2);
    assert_int_equal(report_find(r, "balance.opening")->line, 4);
    assert_int_equal(report_find(r, "income.total")->line, 6);
    assert_int_equal(s_amount(r, "income.total"), 49300966542);
    assert_string_equal(r->unit, "511902");
}

static void test_target_column_may_be_absent(void **state)
{
    fixture_t *f = *state;
    const char text[] = "unit,period,fund,item,value,unit_of_measure\n"
                        "510900,2023-Q1,resident,income.total,1.00,yuan\n";
    assert_int_equal(s_import(f, text, NULL), 0);
    assert_string_equal(f->result.reports[0]->period, "2023-Q1");
    assert_string_equal(f->result.reports[0]->items[0].target, "");
}

static void test_quoted_newline_is_not_a_comment(void **state)
{
    fixture_t *f = *state;
    const char text[] = HEADER "510900,2023,resident,ind.x,1,%,\">=1\n"
                               "# not a comment\"\n"
                               "510900,2023,resident,income.total,-1,yuan,\n";
    assert_int_equal(s_import(f, text, NULL), -1);
    s_error_at(f, "bad_target", 2, 7);
    const diag_entry_t *e = diag_at(f->diag, 1);
    assert_string_equal(e->code, "negative");
    assert_int_equal(e->line, 4);
}

static void test_reports_grouped_by_period_and_fund(void **state)
{
    fixture_t *f = *state;
    const char text[] = HEADER "510900,2023,resident,income.total,1,yuan,\n"
                               "510900,2023,employee,income.total,2,yuan,\n"
                               "510900,2023,resident,expense.total,3,yuan,\n"
                               "510900,2023-Q4,resident,income.total,4,yuan,\n";
    assert_int_equal(s_import(f, text, "510900"), 0);
    assert_int_equal(f->result.n_reports, 3);
    assert_string_equal(f->result.reports[0]->fund, "resident");
    assert_int_equal(f->result.reports[0]->n_items, 2);
    assert_string_equal(f->result.reports[1]->fund, "employee");
    assert_int_equal(s_amount(f->result.reports[1], "income.total"), 200);
    assert_string_equal(f->result.reports[2]->period, "2023-Q4");
}

static void test_row_errors(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.total,1,yuan,,x\n", NULL), -1);
    assert_string_equal(s_error_at(f, "extra_column", 2, 8)->message,
                        "extra column (8 fields, at most 7)");
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.total\n", NULL), -1);
    s_error_at(f, "missing_column", 2, 5);
    assert_int_equal(s_import(f,
                              HEADER "510900,2023,resident,income.total,1,yuan,\n"
                                     "510900,2023,resident,income.total,2,yuan,\n",
                              NULL),
                     -1);
    s_error_at(f, "duplicate_item", 3, 4);
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.premium,-5.00,yuan,\n", NULL),
                     -1);
    s_error_at(f, "negative", 2, 5);
    assert_int_equal(
        s_import(f, HEADER "510900,2023,resident,score.fund_supervision,9.5,points,\n", NULL), -1);
    assert_string_equal(s_error_at(f, "score_above_max", 2, 5)->message,
                        "score.fund_supervision 9.5 points above the maximum 9 of "
                        "fund_supervision 基金监督管理");
    assert_int_equal(s_import(f, HEADER "510900,2023-13,resident,income.total,1,yuan,\n", NULL),
                     -1);
    s_error_at(f, "bad_period", 2, 2);
    assert_int_equal(f->result.n_reports, 0);
}

static void test_wrong_and_mixed_units(void **state)
{
    fixture_t *f = *state;
    const char text[] = HEADER "510900,2023,resident,income.total,1,yuan,\n"
                               "510900,2023,resident,expense.total,1,yuan,\n";
    assert_int_equal(s_import(f, text, "510904"), -1);
    assert_string_equal(s_error_at(f, "wrong_unit", 2, 1)->message,
                        "unit 510900 is not this agent's unit 510904");
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 1);
    const char mixed[] = HEADER "510900,2023,resident,income.total,1,yuan,\n"
                                "510904,2023,resident,expense.total,1,yuan,\n";
    assert_int_equal(s_import(f, mixed, NULL), -1);
    assert_string_equal(s_error_at(f, "wrong_unit", 3, 1)->message,
                        "unit 510904 differs from the file's unit 510900 (line 2)");
    assert_int_equal(s_import(f, HEADER "5109,2023,resident,income.total,1,yuan,\n", NULL), -1);
    s_error_at(f, "bad_unit", 2, 1);
}

static void test_header_errors(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_import(f, "", NULL), -1);
    s_error_at(f, "bad_header", 1, 0);
    assert_int_equal(s_import(f, "# only a comment\n\n", NULL), -1);
    s_error_at(f, "bad_header", 1, 0);
    assert_int_equal(s_import(f, "unit,period,fund,code,value,unit_of_measure,target\n", NULL), -1);
    assert_string_equal(s_error_at(f, "bad_header", 1, 4)->message,
                        "header column 4 is 'code', expected item");
    assert_int_equal(s_import(f, "unit,period,fund,item,value\n", NULL), -1);
    s_error_at(f, "bad_header", 1, 6);
    assert_int_equal(s_import(f, HEADER, NULL), -1);
    s_error_at(f, "no_data", 1, 0);
}

static void test_malformed_csv(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.total,\"1\"x,yuan,\n", NULL),
                     -1);
    assert_string_equal(diag_at(f->diag, 0)->code, "malformed_csv");
    assert_int_equal(diag_at(f->diag, 0)->line, 2);
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.total,\"1,yuan,\n", NULL), -1);
    assert_string_equal(diag_at(f->diag, 0)->code, "malformed_csv");
    assert_int_equal(diag_at(f->diag, 0)->line, 2);
    assert_int_equal(f->result.n_reports, 0);
}

static void test_errors_are_capped(void **state)
{
    fixture_t *f = *state;
    size_t cap = 200 * 64 + 100;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, HEADER);
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, cap - n, "510900,2023,resident,income.x%d,1,yuan,\n", i);
    assert_int_equal(s_import(f, text, NULL), -1);
    free(text);
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 101);
    const diag_entry_t *last = diag_at(f->diag, 100);
    assert_string_equal(last->code, "too_many_errors");
    assert_string_equal(last->message, "50 more errors not shown");
    assert_int_equal(diag_at(f->diag, 99)->line, 101);
}

static void test_all_empty_rows_are_ignored(void **state)
{
    fixture_t *f = *state;
    const char text[] = ",,,,,,\n" HEADER "510900,2023,resident,income.total,1,yuan,\n"
                        ",,,,,,\n"
                        " , ,\t,,,,\n"
                        "\"\",,,,,,\r\n"
                        "510900,2023,resident,expense.total,1,yuan,\n"
                        ",,,,,,\n"
                        ",,,,,,,,,,\n"
                        ",,,,,,\n";
    assert_int_equal(s_import(f, text, "510900"), 0);
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 0);
    assert_int_equal(f->result.n_reports, 1);
    assert_int_equal(f->result.reports[0]->n_items, 2);
    assert_int_equal(report_find(f->result.reports[0], "expense.total")->line, 7);
    /* A row with one field given is still a row. */
    assert_int_equal(
        s_import(f, HEADER "510900,2023,resident,income.total,1,yuan,\n,,,,,,,x\n", NULL), -1);
    s_error_at(f, "extra_column", 3, 8);
}

/* Writes 20 ind.* items x 120 months x 2 funds, item by item, so that every
   report's rows are spread over the whole file. */
static char *s_big_file(size_t *rows)
{
    size_t cap = 5000 * 64, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text, cap, HEADER);
    *rows = 0;
    for (int item = 0; item < 20; item++)
        for (int month = 0; month < 120; month++)
            for (int fund = 0; fund < 2; fund++, ++*rows)
                n += (size_t)snprintf(text + n, cap - n, "510900,%d-%02d,%s,ind.i%02d,%d,%%,%s\n",
                                      2010 + month / 12, 1 + month % 12,
                                      fund ? "employee" : "resident", item, month,
                                      item == 19 ? ">=200" : "");
    assert_true(n < cap);
    return text;
}

static void test_thousands_of_rows_import_in_order(void **state)
{
    fixture_t *f = *state;
    size_t rows;
    char *text = s_big_file(&rows);
    assert_int_equal(rows, 4800);
    assert_int_equal(s_import(f, text, "510900"), 0);
    free(text);
    assert_int_equal(f->result.n_reports, 240);
    for (size_t i = 0; i < 240; i++) {
        const report_t *r = f->result.reports[i];
        int month = (int)i / 2;
        char period[16], code[16];
        snprintf(period, sizeof period, "%d-%02d", 2010 + month / 12, 1 + month % 12);
        assert_string_equal(r->period, period);
        assert_string_equal(r->fund, i % 2 ? "employee" : "resident");
        assert_int_equal(r->n_items, 20);
        for (int item = 0; item < 20; item++) {
            snprintf(code, sizeof code, "ind.i%02d", item);
            assert_string_equal(r->items[item].code, code);
            assert_int_equal(r->items[item].line, 2 + item * 240 + (int)i);
            assert_int_equal(r->items[item].amount, (int64_t)month * 10000);
        }
    }
    /* Every ind.iNN row is an unknown indicator (4800 warnings) and every
       report misses its target (240): 100 are shown, the others counted. */
    assert_int_equal(diag_count(f->diag, DIAG_WARNING), 101);
    const diag_entry_t *last = diag_at(f->diag, diag_size(f->diag) - 1);
    assert_string_equal(last->code, "too_many_warnings");
    assert_string_equal(last->message, "4940 more warnings not shown");
    /* Each report keeps all of its own: 20 unknown indicators, 1 target missed. */
    for (size_t i = 0; i < 240; i++)
        assert_int_equal(diag_count(f->result.warnings[i], DIAG_WARNING), 21);
}

static void test_gb18030_that_is_also_utf8(void **state)
{
    fixture_t *f = *state;
    /* Its only Chinese is 元, D4 AA, which UTF-8 reads as U+052A. */
    assert_int_equal(
        csvimport_file(TEST_DATA_DIR "/gb18030-yuan.csv", "510400", NULL, &f->result, f->diag), 0);
    assert_string_equal(f->result.encoding, "GB18030");
    assert_true(f->result.both_valid);
    assert_int_equal(f->result.reports[0]->n_items, 2);
    /* Chinese in UTF-8 that is also valid GB18030 stays UTF-8. */
    assert_int_equal(
        s_import(f, "# 中文\n" HEADER "510900,2023,resident,income.total,1,yuan,\n", NULL), 0);
    assert_string_equal(f->result.encoding, "UTF-8");
    assert_true(f->result.both_valid);
    assert_int_equal(s_import(f, HEADER "510900,2023,resident,income.total,1,yuan,\n", NULL), 0);
    assert_string_equal(f->result.encoding, "UTF-8");
    assert_false(f->result.both_valid);
}

static void test_missing_file(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        csvimport_file(TEST_DATA_DIR "/no-such-file.csv", NULL, NULL, &f->result, f->diag), -1);
    assert_string_equal(s_error_at(f, "read_error", 0, 0)->message,
                        "cannot open the file: No such file or directory");
    assert_int_equal(f->result.n_reports, 0);
    diag_clear(f->diag);
    assert_int_equal(csvimport_file(TEST_DATA_DIR, NULL, NULL, &f->result, f->diag), -1);
    assert_string_equal(s_error_at(f, "read_error", 0, 0)->message,
                        "cannot read the file: Is a directory");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_conformance_files_import),
        T(test_conformance_values),
        T(test_conformance_bad_files),
        T(test_gb18030_file),
        T(test_bad_encoding),
        T(test_bom_crlf_comments_and_blank_lines),
        T(test_target_column_may_be_absent),
        T(test_quoted_newline_is_not_a_comment),
        T(test_reports_grouped_by_period_and_fund),
        T(test_row_errors),
        T(test_wrong_and_mixed_units),
        T(test_header_errors),
        T(test_malformed_csv),
        T(test_errors_are_capped),
        T(test_all_empty_rows_are_ignored),
        T(test_thousands_of_rows_import_in_order),
        T(test_gb18030_that_is_also_utf8),
        T(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
