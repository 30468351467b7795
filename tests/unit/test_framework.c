/*  Tests of framework: the default framework and the refusal of bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decimal.h"
#include "framework.h"

#include <stdlib.h>
#include <string.h>

#define HEADER "code,name,category,max,rule,metric,params\n"

static int setup(void **state)
{
    diag_t *diag = diag_new();
    assert_non_null(diag);
    *state = diag;
    return 0;
}

static int teardown(void **state)
{
    diag_t *diag = *state;
    diag_destroy(&diag);
    assert_null(diag);
    return 0;
}

/* Parses text; returns the framework (NULL when refused). */
static framework_t *s_parse(diag_t *diag, const char *text)
{
    return framework_parse("fw.csv", text, strlen(text), diag);
}

/* Asserts that text is refused with one error of that code at line:column. */
static void s_refused(diag_t *diag, const char *text, const char *code, int line, int column)
{
    diag_clear(diag);
    framework_t *fw = s_parse(diag, text);
    assert_null(fw);
    assert_int_equal(diag_count(diag, DIAG_ERROR), 1);
    const diag_entry_t *entry = diag_at(diag, 0);
    assert_non_null(entry);
    assert_string_equal(entry->code, code);
    assert_string_equal(entry->file, "fw.csv");
    assert_int_equal(entry->line, line);
    assert_int_equal(entry->column, column);
}

static void test_default_framework(void **state)
{
    (void)state;
    const framework_t *fw = framework_default();
    assert_non_null(fw);
    assert_ptr_equal(fw, framework_default()); /* built once */
    assert_int_equal(framework_size(fw), 25);
    int64_t sum = 0, bonus = 0;
    for (size_t i = 0; i < framework_size(fw); i++) {
        const fw_item_t *item = framework_at(fw, i);
        if (item->rule == RULE_BONUS)
            bonus += item->max;
        else
            sum += item->max;
    }
    assert_int_equal(sum, 100 * QTY_SCALE);
    assert_int_equal(bonus, 5 * QTY_SCALE);
    assert_null(framework_at(fw, 25));
    assert_string_equal(framework_at(fw, 0)->code, "policy_formulation");
    assert_string_equal(framework_at(fw, 24)->code, "honours");
    assert_non_null(strstr(framework_text(fw), "honours,加分项,bonus,5,bonus,,"));
}

static void test_default_rules(void **state)
{
    (void)state;
    const framework_t *fw = framework_default();
    const fw_item_t *enrollment = framework_find(fw, "enrollment");
    assert_non_null(enrollment);
    assert_string_equal(enrollment->name, "参保政策落实");
    assert_string_equal(enrollment->category, "output");
    assert_int_equal(enrollment->rule, RULE_LINEAR);
    assert_string_equal(enrollment->metric, "enrollment_rate");
    assert_int_equal(enrollment->target.op, TARGET_GE);
    assert_int_equal(enrollment->target.lo, 95 * QTY_SCALE);
    assert_int_equal(enrollment->step, QTY_SCALE);
    assert_int_equal(enrollment->deduct, QTY_SCALE);
    assert_int_equal(enrollment->max, 5 * QTY_SCALE);

    const fw_item_t *interest = framework_find(fw, "interest");
    assert_int_equal(interest->target.lo, 11000); /* 1.1 */
    assert_int_equal(interest->step, 1000);       /* 0.1 */

    const fw_item_t *range = framework_find(fw, "sustainability");
    assert_int_equal(range->rule, RULE_RANGE);
    assert_int_equal(range->target.op, TARGET_RANGE);
    assert_int_equal(range->target.lo, 6 * QTY_SCALE);
    assert_int_equal(range->target.hi, 15 * QTY_SCALE);

    const fw_item_t *threshold = framework_find(fw, "current_balance");
    assert_int_equal(threshold->rule, RULE_THRESHOLD);
    assert_int_equal(threshold->target.op, TARGET_GE);
    assert_int_equal(threshold->target.lo, 0);

    const fw_item_t *manual = framework_find(fw, "policy_formulation");
    assert_int_equal(manual->rule, RULE_MANUAL);
    assert_string_equal(manual->metric, "");
    assert_null(framework_find(fw, "nonexistent"));
    assert_null(framework_find(fw, NULL));
}

static void test_parse_custom(void **state)
{
    diag_t *diag = *state;
    const char *text = "\xEF\xBB\xBF" HEADER "# a comment line\n"
                       "\n"
                       "a,\"名称, quoted\",x,2.5,linear,ind_a,<=3;deduct=0.5;step=0.25\r\n"
                       "b,B,y,1,threshold,variance.income.total,=0\n"
                       "c,C,z,10,bonus,,";
    framework_t *fw = s_parse(diag, text);
    assert_non_null(fw);
    assert_int_equal(diag_size(diag), 0);
    assert_int_equal(framework_size(fw), 3);
    const fw_item_t *a = framework_at(fw, 0);
    assert_string_equal(a->name, "名称, quoted");
    assert_int_equal(a->max, 25000);
    assert_int_equal(a->target.op, TARGET_LE);
    assert_int_equal(a->target.lo, 3 * QTY_SCALE);
    assert_int_equal(a->step, 2500);
    assert_int_equal(a->deduct, 5000);
    assert_string_equal(framework_at(fw, 1)->metric, "variance.income.total");
    assert_int_equal(framework_at(fw, 1)->target.op, TARGET_EQ);
    assert_int_equal(framework_at(fw, 2)->rule, RULE_BONUS);
    assert_string_equal(framework_text(fw), text);
    framework_destroy(&fw);
    assert_null(fw);
    framework_destroy(&fw);
}

static void test_refuse_unknown_rule(void **state)
{
    s_refused(*state, HEADER "a,A,x,5,manual,,\nb,B,x,5,guess,,\n", "unknown_rule", 3, 5);
}

static void test_refuse_bad_params(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "a,A,x,5,threshold,m,>=abc\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,threshold,m,\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,range,m,>=5\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,range,m,10..5\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,linear,m,>=95;step=1\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,linear,m,>=95;step=0;deduct=1\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,linear,m,>=95;step=1;deduct=1;step=2\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,linear,m,>=95;step=1;deduct=1;x=2\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,linear,m,90..110;step=1;deduct=1\n", "bad_param", 2, 7);
    s_refused(diag, HEADER "a,A,x,5,manual,,>=5\n", "bad_param", 2, 7);
}

static void test_refuse_metric(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "a,A,x,5,threshold,,>=5\n", "bad_metric", 2, 6);
    s_refused(diag, HEADER "a,A,x,5,manual,m,\n", "bad_metric", 2, 6);
    s_refused(diag, HEADER "a,A,x,5,threshold,Bad Metric,>=5\n", "bad_metric", 2, 6);
    s_refused(diag, HEADER "a,A,x,5,range,risk_level,1..2\n", "bad_metric", 2, 6);
}

static void test_refuse_duplicate(void **state)
{
    s_refused(*state, HEADER "a,A,x,5,manual,,\nb,B,x,5,manual,,\na,C,x,1,bonus,,\n",
              "duplicate_code", 4, 1);
}

static void test_refuse_bad_max(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "a,A,x,0,manual,,\n", "bad_max", 2, 4);
    s_refused(diag, HEADER "a,A,x,-1,manual,,\n", "bad_max", 2, 4);
    s_refused(diag, HEADER "a,A,x,five,manual,,\n", "bad_max", 2, 4);
    s_refused(diag, HEADER "a,A,x,,manual,,\n", "bad_max", 2, 4);
    s_refused(diag, HEADER "a,A,x,99999999999999999999,manual,,\n", "bad_max", 2, 4);
}

static void test_refuse_columns(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "a,A,x,5,manual,\n", "bad_columns", 2, 6);
    s_refused(diag, HEADER "a,A,x,5,manual,,,\n", "bad_columns", 2, 8);
    s_refused(diag, "code,name,category,max,rule,metric\na,A,x,5,manual,\n", "bad_header", 1, 1);
}

static void test_refuse_code(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "A b,A,x,5,manual,,\n", "bad_code", 2, 1);
    s_refused(diag, HEADER "total,A,x,5,manual,,\n", "bad_code", 2, 1);
    s_refused(diag, HEADER ",A,x,5,manual,,\n", "bad_code", 2, 1);
    s_refused(diag, HEADER "a,,x,5,manual,,\n", "bad_name", 2, 2);
}

static void test_refuse_malformed_and_empty(void **state)
{
    diag_t *diag = *state;
    s_refused(diag, HEADER "a,\"A,x,5,manual,,\n", "malformed_csv", 2, 0);
    s_refused(diag, HEADER, "empty_framework", 0, 0);
    s_refused(diag, "", "empty_framework", 0, 0);
    /* An embedded NUL byte is refused, not truncated silently. */
    const char text[] = HEADER "a\0b,A,x,5,manual,,\n";
    diag_clear(diag);
    assert_null(framework_parse("fw.csv", text, sizeof text - 1, diag));
    assert_string_equal(diag_at(diag, 0)->code, "bad_code");
}

static void test_every_error_listed(void **state)
{
    diag_t *diag = *state;
    framework_t *fw = s_parse(diag, HEADER "a,A,x,5,guess,,\nb,B,x,0,manual,,\nc,C,x,5,manual,,\n");
    assert_null(fw);
    assert_int_equal(diag_count(diag, DIAG_ERROR), 2);
    assert_int_equal(diag_at(diag, 0)->line, 2);
    assert_int_equal(diag_at(diag, 1)->line, 3);
}

static void test_load_file(void **state)
{
    diag_t *diag = *state;
    framework_t *fw = framework_load(TEST_DATA_DIR "/compute-framework.csv", diag);
    assert_non_null(fw);
    assert_int_equal(framework_size(fw), 3);
    assert_int_equal(framework_find(fw, "rate")->rule, RULE_THRESHOLD);
    framework_destroy(&fw);

    assert_null(framework_load(TEST_DATA_DIR "/no-such-framework.csv", diag));
    assert_string_equal(diag_at(diag, 0)->code, "io_error");
    diag_clear(diag);
    assert_null(framework_load(TEST_DATA_DIR, diag)); /* a directory */
    assert_string_equal(diag_at(diag, 0)->code, "io_error");
    assert_non_null(strstr(diag_at(diag, 0)->message, "directory"));
    assert_null(framework_load(NULL, diag));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_framework),
        cmocka_unit_test(test_default_rules),
        cmocka_unit_test_setup_teardown(test_parse_custom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_unknown_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_bad_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_metric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_bad_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_malformed_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_error_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
