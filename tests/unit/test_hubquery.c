/*  Tests of the hub's answers to rank and show (province-hub/hubquery.c)
    on a real store: competition ranking and its ties, ascending
    indicators, rows without the value, the city and county levels, a
    newer version replacing an older one, --by checks, show of a unit and
    of a pool, and the questions refused.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli.h"
#include "hubdb.h"
#include "hubquery.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    hubdb_t *db;
    char *out, *err;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_hubquery.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = hubdb_open(f->dir, "510000");
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    hubdb_destroy(&f->db);
    free(f->out);
    free(f->err);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Stores one evaluation of 2023 resident at a level: its total (none
//  when < 0), months_payable (none when < 0) and other_expense_share.
static void s_store_at(fixture_t *f, Fundchain__Evaluation__Level level, const char *code,
                       const char *name, uint64_t version, int64_t total, int64_t months,
                       int64_t other)
{
    Fundchain__Shown shown[3], *ind[3];
    for (int i = 0; i < 3; i++) {
        fundchain__shown__init(&shown[i]);
        ind[i] = &shown[i];
    }
    shown[0].code = "other_expense_share";
    shown[0].centi = other;
    shown[1].code = "risk_level";
    shown[1].text = "normal";
    shown[2].code = "months_payable";
    shown[2].centi = months;
    char city[8];
    snprintf(city, sizeof city, "%.4s00", code);
    Fundchain__Evaluation e = FUNDCHAIN__EVALUATION__INIT;
    e.code = (char *)code;
    e.city = city;
    e.period = "2023";
    e.fund = "resident";
    e.level = level;
    e.version = version;
    e.name = (char *)name;
    e.has_total = total >= 0;
    e.total_centi = total >= 0 ? total : 0;
    e.grade = "good";
    e.indicators = ind;
    e.n_indicators = months >= 0 ? 3 : 2;
    Fundchain__Evaluation *list[] = {&e};
    hubdb_outcome_t outcome;
    assert_int_equal(hubdb_accept(f->db, list, 1, &outcome), 0);
    assert_int_equal(outcome, HUBDB_STORED);
}

//  Stores a pool (a city code) or a county's evaluation.
static void s_store(fixture_t *f, const char *code, const char *name, uint64_t version,
                    int64_t total, int64_t months, int64_t other)
{
    bool pool = !strcmp(code + 4, "00");
    s_store_at(f, pool ? FUNDCHAIN__EVALUATION__LEVEL__POOL : FUNDCHAIN__EVALUATION__LEVEL__UNIT,
               code, name, version, total, months, other);
}

//  Runs rank (show when unit is set) and keeps what it printed.
static int s_ask(fixture_t *f, const char *period, const char *fund, const char *level,
                 const char *by, const char *unit, format_t format)
{
    free(f->out);
    free(f->err);
    f->out = f->err = NULL;
    size_t out_len, err_len;
    FILE *o = open_memstream(&f->out, &out_len), *e = open_memstream(&f->err, &err_len);
    assert_non_null(o);
    assert_non_null(e);
    hubquery_t q = {period, fund, level, by, unit, format};
    int code = unit ? hubquery_show(f->db, &q, o, e) : hubquery_rank(f->db, &q, o, e);
    fclose(o);
    fclose(e);
    return code;
}

static int s_rank(fixture_t *f, const char *level, const char *by)
{
    return s_ask(f, "2023", "resident", level, by, NULL, FORMAT_CSV);
}

//  Four cities' pools and some of their units.
static void s_province(fixture_t *f)
{
    s_store(f, "510400", "攀枝花市", 3, 9500, 800, 150);
    s_store(f, "510300", "自贡市", 2, 8000, 900, 100);
    s_store(f, "510500", "泸州市", 1, 9500, -1, 150);
    s_store(f, "510600", "德阳市", 4, -1, 700, 90);
    s_store(f, "510700", "绵阳市", 1, 7000, 900, 120);
    s_store(f, "510402", "西区", 1, 8850, 100, 10);
    s_store(f, "510411", "仁和区", 1, 9125, 200, 20);
    s_store(f, "510302", "", 1, 8850, 300, 30); //  no name: the code stands in
}

//  Cities rank on their pools' totals: ties share a rank and are listed
//  by code, the next rank skips (1, 1, 3, 4), no total is listed last
//  without a rank.
static void test_rank_city_ties(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    assert_int_equal(s_rank(f, NULL, NULL), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n"
                                "1,510400,攀枝花市,95.00\n"
                                "1,510500,泸州市,95.00\n"
                                "3,510300,自贡市,80.00\n"
                                "4,510700,绵阳市,70.00\n"
                                "-,510600,德阳市,-\n");
    assert_string_equal(f->err, "");
}

//  other_expense_share ranks ascending, and says so in the table's title.
static void test_rank_ascending(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    assert_int_equal(
        s_ask(f, "2023", "resident", "city", "other_expense_share", NULL, FORMAT_TABLE), EXIT_OK);
    assert_non_null(strstr(f->out, "2023 resident city by other_expense_share (ascending)\n"));
    const char *first = strstr(f->out, "510600"), *second = strstr(f->out, "510300");
    const char *last = strstr(f->out, "510500");
    assert_true(first && second && last && first < second && second < last);
}

//  By an indicator: its value as shown; a pool without it is last.
static void test_rank_by_indicator(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    assert_int_equal(s_rank(f, "city", "months_payable"), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n"
                                "1,510300,自贡市,9.00\n"
                                "1,510700,绵阳市,9.00\n"
                                "3,510400,攀枝花市,8.00\n"
                                "4,510600,德阳市,7.00\n"
                                "-,510500,泸州市,-\n");
}

//  The county level ranks every unit of every city, never a pool or a
//  市本级; a unit without a name shows its code.
static void test_rank_county_level(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    s_store(f, "510400", "攀枝花市", 4, 9900, 800, 150); //  a newer pool
    s_store_at(f, FUNDCHAIN__EVALUATION__LEVEL__UNIT, "510300", "自贡市本级", 1, 9999, 1, 1);
    assert_int_equal(s_rank(f, "county", "total"), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n"
                                "1,510411,仁和区,91.25\n"
                                "2,510302,510302,88.50\n"
                                "2,510402,西区,88.50\n");
}

//  A newer version replaces the older: the ranking shows its figures, in
//  one row for the code.
static void test_rank_newer_version(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    s_store(f, "510700", "绵阳市", 2, 9999, 900, 120);
    assert_int_equal(s_rank(f, "city", NULL), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n"
                                "1,510700,绵阳市,99.99\n"
                                "2,510400,攀枝花市,95.00\n"
                                "2,510500,泸州市,95.00\n"
                                "4,510300,自贡市,80.00\n"
                                "-,510600,德阳市,-\n");
}

//  JSON: SPEC 7's shape, null rank and value for a row without one.
static void test_rank_json(void **state)
{
    fixture_t *f = *state;
    s_store(f, "510400", "攀枝花市", 1, 9500, 800, 150);
    s_store(f, "510600", "德阳市", 1, -1, 700, 90);
    assert_int_equal(s_ask(f, "2023", "resident", "city", "", NULL, FORMAT_JSON), EXIT_OK);
    assert_string_equal(f->out, "{\n"
                                " \"period\": \"2023\",\n"
                                " \"fund\": \"resident\",\n"
                                " \"level\": \"city\",\n"
                                " \"by\": \"total\",\n"
                                " \"rows\": [\n"
                                "  {\n"
                                "   \"rank\": 1,\n"
                                "   \"code\": \"510400\",\n"
                                "   \"name\": \"攀枝花市\",\n"
                                "   \"value\": 95.0,\n"
                                "   \"approval\": {\n"
                                "    \"city\": null,\n"
                                "    \"province\": null\n"
                                "   }\n"
                                "  },\n"
                                "  {\n"
                                "   \"rank\": null,\n"
                                "   \"code\": \"510600\",\n"
                                "   \"name\": \"德阳市\",\n"
                                "   \"value\": null,\n"
                                "   \"approval\": {\n"
                                "    \"city\": null,\n"
                                "    \"province\": null\n"
                                "   }\n"
                                "  }\n"
                                " ]\n"
                                "}\n");
}

//  --by: a text indicator and an unknown code are refused (exit 2, with
//  the reason); a code outside the catalogue that the evaluations hold is
//  ranked; a known indicator no evaluation holds lists every row unranked.
static void test_rank_by_checks(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    assert_int_equal(s_rank(f, "city", "risk_level"), EXIT_USAGE);
    assert_non_null(strstr(f->err, "a text indicator cannot be ranked"));
    assert_string_equal(f->out, "");
    assert_int_equal(s_rank(f, "city", "months_payble"), EXIT_USAGE);
    assert_non_null(strstr(f->err, "no such indicator (did you mean months_payable?)"));
    assert_int_equal(s_rank(f, "county", "satisfaction"), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n"
                                "-,510302,510302,-\n"
                                "-,510402,西区,-\n"
                                "-,510411,仁和区,-\n");
}

//  A question with a bad period, fund or level is refused with exit 2; a
//  period nothing was sent for gives an empty ranking.
static void test_rank_bad_questions(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    assert_int_equal(s_ask(f, "2023-13", "resident", NULL, NULL, NULL, FORMAT_CSV), EXIT_USAGE);
    assert_non_null(strstr(f->err, "--period 2023-13"));
    assert_int_equal(s_ask(f, NULL, "resident", NULL, NULL, NULL, FORMAT_CSV), EXIT_USAGE);
    assert_int_equal(s_ask(f, "2023", "pension", NULL, NULL, NULL, FORMAT_CSV), EXIT_USAGE);
    assert_non_null(strstr(f->err, "--fund must be"));
    assert_int_equal(s_ask(f, "2023", "resident", "province", NULL, NULL, FORMAT_CSV), EXIT_USAGE);
    assert_string_equal(f->err, "--level must be city or county\n");
    assert_int_equal(s_ask(f, "2022", "resident", "county", NULL, NULL, FORMAT_CSV), EXIT_OK);
    assert_string_equal(f->out, "rank,code,name,value\n");
    assert_int_equal(s_ask(f, "2023", "dept", NULL, NULL, NULL, FORMAT_JSON), EXIT_OK);
    assert_non_null(strstr(f->out, "\"rows\": []\n"));
}

//  show of a county gives its evaluation, of a city code the pool; none
//  stored is exit 1; a bad code or period exit 2.
static void test_show(void **state)
{
    fixture_t *f = *state;
    s_province(f);
    s_store_at(f, FUNDCHAIN__EVALUATION__LEVEL__UNIT, "510400", "攀枝花市本级", 5, 1234, 1, 1);
    assert_int_equal(s_ask(f, "2023", "resident", NULL, NULL, "510402", FORMAT_JSON), EXIT_OK);
    assert_non_null(strstr(f->out, "\"code\": \"510402\""));
    assert_non_null(strstr(f->out, "\"total\": 88.5"));
    assert_int_equal(s_ask(f, "2023", "resident", NULL, NULL, "510400", FORMAT_JSON), EXIT_OK);
    assert_non_null(strstr(f->out, "\"code\": \"510400\""));
    assert_non_null(strstr(f->out, "\"total\": 95.0"));
    assert_null(strstr(f->out, "12.34"));
    assert_int_equal(s_ask(f, "2023", "resident", NULL, NULL, "510403", FORMAT_TABLE),
                     EXIT_RUNTIME);
    assert_string_equal(f->err, "no evaluation of 510403 for 2023 resident\n");
    assert_int_equal(s_ask(f, "2023", "employee", NULL, NULL, "510402", FORMAT_TABLE),
                     EXIT_RUNTIME);
    assert_int_equal(s_ask(f, "2023", "resident", NULL, NULL, "5104", FORMAT_TABLE), EXIT_USAGE);
    assert_string_equal(f->err, "--unit must be a 6-digit code\n");
    assert_int_equal(s_ask(f, "2023-Q5", "resident", NULL, NULL, "510402", FORMAT_TABLE),
                     EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rank_city_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_ascending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_by_indicator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_county_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_newer_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_by_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_bad_questions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
