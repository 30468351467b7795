/*  Tests of competition ranking (libfund/rank.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rank.h"
#include <stdlib.h>
#include <string.h>

static rank_row_t s_row(const char *code, bool has, int64_t centi)
{
    rank_row_t r = {.has_value = has, .centi = centi};
    strcpy(r.code, code);
    strcpy(r.name, code);
    return r;
}

//  1, 2, 2, 4: equal shown values share a rank, listed by code; the next skips.
static void test_ties_competition(void **state)
{
    (void)state;
    rank_row_t rows[] = {s_row("513336", true, 8000), s_row("510923", true, 7600),
                         s_row("513322", true, 9000), s_row("510904", true, 8000),
                         s_row("513331", true, 7900)};
    rank_sort(rows, 5, false);
    const char *order[] = {"513322", "510904", "513336", "513331", "510923"};
    int ranks[] = {1, 2, 2, 4, 5};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(rows[i].code, order[i]);
        assert_int_equal(rows[i].rank, ranks[i]);
    }
}

//  other_expense_share ranks ascending: less is better.
static void test_ascending(void **state)
{
    (void)state;
    assert_true(rank_ascending("other_expense_share"));
    assert_false(rank_ascending("total"));
    rank_row_t rows[] = {s_row("510900", true, 2), s_row("513300", true, 1)};
    rank_sort(rows, 2, rank_ascending("other_expense_share"));
    assert_string_equal(rows[0].code, "513300");
    assert_int_equal(rows[0].rank, 1);
    assert_int_equal(rows[1].rank, 2);
}

//  Rows without the value come last, by code, with no rank; a negative
//  value still ranks (it is a value, not a missing one).
static void test_missing_last(void **state)
{
    (void)state;
    rank_row_t rows[] = {s_row("510904", false, 0), s_row("510900", false, 0),
                         s_row("513300", true, -500), s_row("513322", true, 0)};
    rank_sort(rows, 4, false);
    assert_string_equal(rows[0].code, "513322");
    assert_int_equal(rows[0].rank, 1);
    assert_string_equal(rows[1].code, "513300");
    assert_int_equal(rows[1].rank, 2);
    assert_string_equal(rows[2].code, "510900");
    assert_int_equal(rows[2].rank, 0);
    assert_string_equal(rows[3].code, "510904");
    json_t *doc = rank_json("2023", "resident", "county", "total", rows, 4);
    json_t *last = json_array_get(json_object_get(doc, "rows"), 3);
    assert_true(json_is_null(json_object_get(last, "rank")));
    assert_true(json_is_null(json_object_get(last, "value")));
    json_t *first = json_array_get(json_object_get(doc, "rows"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "rank")), 1);
    json_decref(doc);
}

//  The table lines up by display width even with Chinese names.
static void test_table_output(void **state)
{
    (void)state;
    rank_row_t rows[] = {s_row("513322", true, 9000), s_row("510904", true, 8000)};
    strcpy(rows[0].name, "泸定县");
    strcpy(rows[1].name, "安居区");
    rank_sort(rows, 2, false);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(rank_print("2023", "resident", "county", "total", rows, 2, FORMAT_TABLE, out),
                     0);
    fclose(out);
    assert_non_null(strstr(text, "泸定县"));
    assert_non_null(strstr(text, "90.00"));
    free(text);
}

//  A name that is not UTF-8 (a hostile city's, or one cut inside a
//  character) shows with '?' and leaves the JSON ranking whole; so does a
//  question's "by" that is not UTF-8.
static void test_json_bad_utf8(void **state)
{
    (void)state;
    rank_row_t rows[] = {s_row("513322", true, 9000), s_row("510904", true, 8000)};
    strcpy(rows[0].name, "\xff\xfe bad");
    strcpy(rows[1].name, "安居区");
    rows[1].name[4] = '\0'; //  cut inside the second character
    rank_sort(rows, 2, false);
    json_t *doc = rank_json("2023", "resident", "county", "total\xc3", rows, 2);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "by")), "total?");
    json_t *list = json_object_get(doc, "rows");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        "?? bad");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")),
                        "????");
    json_decref(doc);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(rank_print("2023", "resident", "county", "total", rows, 2, FORMAT_JSON, out),
                     0);
    fclose(out);
    assert_non_null(strstr(text, "\"513322\""));
    free(text);
}

//  --by must name something to rank on: total, a known indicator, or an
//  indicator the evaluations hold; otherwise the message names the nearest
//  code and the known ones.
static void test_by_check(void **state)
{
    (void)state;
    char why[2048] = "";
    const char *present[] = {"cost_per_case", "income_budget_rate", "satisfaction"};
    assert_int_equal(rank_by_check("total", present, 3, why, sizeof why), 0);
    assert_int_equal(rank_by_check(NULL, present, 3, why, sizeof why), 0);
    assert_int_equal(rank_by_check("interest_yield", present, 3, why, sizeof why), 0);
    assert_int_equal(rank_by_check("variance.income.total", NULL, 0, why, sizeof why), 0);
    assert_int_equal(rank_by_check("cost_per_case", present, 3, why, sizeof why), 0);
    assert_string_equal(why, "");

    assert_int_equal(rank_by_check("Satisfaction", present, 3, why, sizeof why), -1);
    assert_non_null(
        strstr(why, "--by Satisfaction: no such indicator (did you mean satisfaction?)"));
    assert_non_null(strstr(why, "rank by total or by one of: income_budget_rate, "));
    assert_non_null(strstr(why, "other_expense_share"));
    assert_non_null(strstr(why, "variance.<item>, cost_per_case"));
    assert_int_equal(rank_by_check("cost_per_cas", present, 3, why, sizeof why), -1);
    assert_non_null(strstr(why, "(did you mean cost_per_case?)"));
    assert_int_equal(rank_by_check("cost_per_case", NULL, 0, why, sizeof why), -1);
    assert_int_equal(rank_by_check("zzzzzzzzzzzz", NULL, 0, why, sizeof why), -1);
    assert_null(strstr(why, "did you mean"));
    //  A text indicator cannot be ranked.
    assert_int_equal(rank_by_check("risk_level", present, 3, why, sizeof why), -1);
    assert_non_null(strstr(why, "months_payable"));
    //  A question's bytes are shown escaped.
    assert_int_equal(rank_by_check("x\x1b[2J", NULL, 0, why, sizeof why), -1);
    assert_null(strchr(why, '\x1b'));
    assert_non_null(strstr(why, "--by x\\x1b[2J:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_competition), cmocka_unit_test(test_ascending),
        cmocka_unit_test(test_missing_last),     cmocka_unit_test(test_table_output),
        cmocka_unit_test(test_json_bad_utf8),    cmocka_unit_test(test_by_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
