/*  Tests of evalview: the SPEC 7 JSON, the aligned table and the CSV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "evalview.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* An evaluation built in place (evalview only reads it). */
typedef struct {
    Fundchain__Evaluation eval;
    Fundchain__Amount amounts[3];
    Fundchain__Amount *items[3];
    Fundchain__Shown shown[4];
    Fundchain__Shown *indicators[3];
    Fundchain__Shown *scores[1];
    Fundchain__Warning warning;
    Fundchain__Warning *warnings[1];
    char *units[2];
    char *text; /* what was printed */
    size_t len;
    FILE *out;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(fixture_t));
    assert_non_null(f);
    Fundchain__Evaluation init = FUNDCHAIN__EVALUATION__INIT;
    f->eval = init;
    f->eval.code = "510900";
    f->eval.city = "510900";
    f->eval.period = "2023";
    f->eval.fund = "resident";
    f->eval.name = "遂宁市";
    f->eval.level = FUNDCHAIN__EVALUATION__LEVEL__POOL;
    const char *codes[] = {"balance.opening", "income.total", "expense.other"};
    const int64_t fens[] = {-105, 198852867460LL, 28821300};
    for (int i = 0; i < 3; i++) {
        fundchain__amount__init(&f->amounts[i]);
        f->amounts[i].code = (char *)codes[i];
        f->amounts[i].fen = fens[i];
        f->items[i] = &f->amounts[i];
    }
    f->eval.items = f->items;
    f->eval.n_items = 3;
    const char *ind[] = {"benefit_share", "current_balance", "risk_level", "enrollment"};
    const int64_t centi[] = {9998, 26446615760LL, 0, 100};
    for (int i = 0; i < 4; i++) {
        fundchain__shown__init(&f->shown[i]);
        f->shown[i].code = (char *)ind[i];
        f->shown[i].centi = centi[i];
    }
    f->shown[2].text = "level3";
    for (int i = 0; i < 3; i++)
        f->indicators[i] = &f->shown[i];
    f->scores[0] = &f->shown[3];
    f->eval.indicators = f->indicators;
    f->eval.n_indicators = 3;
    f->eval.scores = f->scores;
    f->eval.n_scores = 1;
    f->eval.total_centi = 7600;
    f->eval.has_total = true;
    f->eval.grade = "fair";
    fundchain__warning__init(&f->warning);
    f->warning.code = "transfer_unreconciled";
    f->warning.message = "counties 1, 市本级 2";
    f->warnings[0] = &f->warning;
    f->eval.warnings = f->warnings;
    f->eval.n_warnings = 1;
    f->units[0] = "510900";
    f->units[1] = "510904";
    f->eval.units = f->units;
    f->eval.n_units = 2;
    f->eval.complete = true;
    f->out = open_memstream(&f->text, &f->len);
    assert_non_null(f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->out)
        fclose(f->out);
    free(f->text);
    free(f);
    return 0;
}

/* Prints in a format and returns the text. */
static const char *s_print(fixture_t *f, format_t format)
{
    assert_int_equal(evalview_print(&f->eval, format, f->out), 0);
    fclose(f->out);
    f->out = NULL;
    return f->text;
}

static void test_json_keys(void **state)
{
    fixture_t *f = *state;
    json_t *json = evalview_json(&f->eval);
    assert_non_null(json);
    const char *keys[] = {"code",       "period", "fund",  "name",  "units",    "complete", "items",
                          "indicators", "scores", "total", "grade", "warnings", "approval"};
    void *iter = json_object_iter(json);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        assert_non_null(iter);
        assert_string_equal(json_object_iter_key(iter), keys[i]);
        iter = json_object_iter_next(json, iter);
    }
    assert_null(iter);
    //  Nobody approved it: both levels null.
    json_t *approval = json_object_get(json, "approval");
    assert_true(json_is_null(json_object_get(approval, "city")));
    assert_true(json_is_null(json_object_get(approval, "province")));
    json_t *items = json_object_get(json, "items");
    assert_string_equal(json_string_value(json_object_get(items, "balance.opening")), "-1.05");
    assert_string_equal(json_string_value(json_object_get(items, "income.total")), "1988528674.60");
    json_t *ind = json_object_get(json, "indicators");
    assert_string_equal(json_string_value(json_object_get(ind, "risk_level")), "level3");
    assert_true(json_is_real(json_object_get(ind, "benefit_share")));
    assert_true(json_is_true(json_object_get(json, "complete")));
    assert_int_equal(json_array_size(json_object_get(json, "units")), 2);
    json_t *warning = json_array_get(json_object_get(json, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(warning, "code")),
                        "transfer_unreconciled");
    json_decref(json);
    assert_null(evalview_json(NULL));
}

static void test_json_print(void **state)
{
    fixture_t *f = *state;
    const char *text = s_print(f, FORMAT_JSON);
    /* Reals print as their two decimals, never as 99.980000000000004. */
    assert_non_null(strstr(text, "\"benefit_share\": 99.98,"));
    assert_non_null(strstr(text, "\"current_balance\": 264466157.6,"));
    assert_non_null(strstr(text, "\"enrollment\": 1.0"));
    assert_non_null(strstr(text, "\"total\": 76.0,"));
    assert_non_null(strstr(text, "\"name\": \"遂宁市\""));    /* UTF-8 kept, not escaped */
    assert_non_null(strstr(text, "\n \"code\": \"510900\"")); /* indent 1 */
    assert_int_equal(text[strlen(text) - 1], '\n');
}

/* Returns line n (0-based) of text in buf. */
static const char *s_line(const char *text, int n, char *buf, size_t size)
{
    for (; n > 0 && text; n--) {
        text = strchr(text, '\n');
        text = text ? text + 1 : NULL;
    }
    assert_non_null(text);
    size_t len = strcspn(text, "\n");
    assert_true(len < size);
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

static void test_table_print(void **state)
{
    fixture_t *f = *state;
    const char *text = s_print(f, FORMAT_TABLE);
    char line[512];
    s_line(text, 0, line, sizeof line);
    assert_non_null(strstr(line, "遂宁市 510900"));
    assert_non_null(strstr(line, "2023 resident"));
    assert_non_null(strstr(line, "76.00"));
    assert_non_null(strstr(line, "fair"));
    assert_non_null(strstr(s_line(text, 1, line, sizeof line), "510900 510904"));
    /* Items: header, rule and three rows, right-aligned amounts of one width. */
    assert_non_null(strstr(text, "项目 Items\n"));
    const char *items = strstr(text, "项目 Items\n") + strlen("项目 Items\n");
    size_t width = table_text_width(s_line(items, 0, line, sizeof line));
    for (int i = 1; i <= 4; i++)
        assert_int_equal(table_text_width(s_line(items, i, line, sizeof line)), width);
    assert_non_null(strstr(text, "基金收入合计  1,988,528,674.60\n"));
    assert_non_null(strstr(text, "-1.05\n"));
    assert_non_null(strstr(text, "待遇支出占基金支出比重"));
    assert_non_null(strstr(text, "level3\n"));
    assert_non_null(strstr(text, "transfer_unreconciled"));
}

static void test_csv_print(void **state)
{
    fixture_t *f = *state;
    const char *text = s_print(f, FORMAT_CSV);
    assert_memory_equal(text, "section,code,name,value\n", 24);
    assert_non_null(strstr(text, "\nitem,income.total,基金收入合计,1988528674.60\n"));
    assert_non_null(strstr(text, "\nindicator,benefit_share,待遇支出占基金支出比重,99.98\n"));
    assert_non_null(strstr(text, "\nindicator,risk_level,基金运行风险预警,level3\n"));
    assert_non_null(strstr(text, "\nscore,enrollment,参保政策落实,1.00\n"));
    assert_non_null(strstr(text, "\ntotal,total,总分,76.00\n"));
    assert_non_null(strstr(text, "\ngrade,grade,等级,fair\n"));
    /* The message holds a comma: quoted. */
    assert_non_null(strstr(text, "\nwarning,transfer_unreconciled,,\"counties 1, 市本级 2\"\n"));
}

static void test_hostile_text(void **state)
{
    fixture_t *f = *state;
    f->eval.name = "\xFF\xFE bad";
    f->eval.grade = NULL;
    json_t *json = evalview_json(&f->eval);
    assert_non_null(json);
    assert_string_equal(json_string_value(json_object_get(json, "name")), "?? bad");
    assert_string_equal(json_string_value(json_object_get(json, "grade")), "");
    json_decref(json);
    /* An item code that is not UTF-8 (a hostile peer) is shown, not refused. */
    f->amounts[1].code = "income.\xC3";
    f->shown[0].code = "\xE4\xB8";
    json = evalview_json(&f->eval);
    assert_non_null(json);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json, "items"), "income.?")),
        "1988528674.60");
    assert_non_null(json_object_get(json_object_get(json, "indicators"), "??"));
    json_decref(json);
    f->eval.name = "";
    json = evalview_json(&f->eval);
    assert_string_equal(json_string_value(json_object_get(json, "name")), "510900");
    json_decref(json);
}

static void test_write_error(void **state)
{
    fixture_t *f = *state;
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        assert_int_equal(evalview_print(&f->eval, FORMAT_JSON, full), -1);
        clearerr(full);
        assert_int_equal(evalview_print(&f->eval, FORMAT_TABLE, full), -1);
        fclose(full);
    }
    assert_int_equal(evalview_print(NULL, FORMAT_JSON, f->out), -1);
    assert_int_equal(evalview_print(&f->eval, FORMAT_JSON, NULL), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

//  An approval shows who and when, in JSON and in the table.
static void test_approval(void **state)
{
    fixture_t *f = *state;
    Fundchain__Review review = FUNDCHAIN__REVIEW__INIT;
    review.approved_by = "审核员";
    review.approved_at = 1704067200;
    f->eval.review = &review;
    json_t *json = evalview_json(&f->eval);
    json_t *city = json_object_get(json_object_get(json, "approval"), "city");
    assert_string_equal(json_string_value(json_object_get(city, "by")), "审核员");
    assert_string_equal(json_string_value(json_object_get(city, "at")), "2024-01-01T00:00:00Z");
    assert_true(json_is_null(json_object_get(json_object_get(json, "approval"), "province")));
    json_decref(json);
    assert_non_null(strstr(s_print(f, FORMAT_TABLE), "approved by 审核员 at 2024-01-01T00:00:00Z"));
    f->eval.review = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_json_keys), T(test_approval),     T(test_json_print),  T(test_table_print),
        T(test_csv_print), T(test_hostile_text), T(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
