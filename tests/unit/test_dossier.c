/*  Tests of the dossier (libfund/dossier.c): what it derives from the
    evaluations it is fed (periods, timeliness, trend, ranks, composition). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dossier.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    dossier_t *dossier;
    json_t *doc;
} fixture_t;

//  A city-level dossier of 2023 resident with the default framework.
static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    dossier_about_t about = {"city",       "510400", "攀枝花市", "2023", "resident",
                             "/var/lib/x", NULL,     NULL,       NULL};
    f->dossier = dossier_new(&about);
    *state = f;
    return f && f->dossier ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    dossier_destroy(&f->dossier);
    assert_null(f->dossier);
    json_decref(f->doc);
    free(f);
    return 0;
}

//  One evaluation: a pool or a unit, with a total (centi < 0: none),
//  months_payable in hundredths and an income.total in fen.
typedef struct {
    const char *code, *period;
    bool pool;
    int64_t total, months, income;
    int64_t received_at;
    bool on_time;
    const char *warning;
} spec_t;

static void s_add(fixture_t *f, const spec_t *s, bool seat)
{
    Fundchain__Evaluation e = FUNDCHAIN__EVALUATION__INIT;
    Fundchain__Shown months = FUNDCHAIN__SHOWN__INIT, *shown[] = {&months};
    Fundchain__Amount income = FUNDCHAIN__AMOUNT__INIT, *items[] = {&income};
    Fundchain__Warning w = FUNDCHAIN__WARNING__INIT, *warnings[] = {&w};
    e.code = (char *)s->code;
    e.city = "510400";
    e.name = (char *)s->code;
    e.period = (char *)s->period;
    e.fund = "resident";
    e.level = s->pool ? FUNDCHAIN__EVALUATION__LEVEL__POOL : FUNDCHAIN__EVALUATION__LEVEL__UNIT;
    e.has_total = s->total >= 0;
    e.total_centi = s->total;
    e.grade = "good";
    months.code = "months_payable";
    months.centi = s->months;
    e.indicators = shown;
    e.n_indicators = 1;
    income.code = "income.total";
    income.fen = s->income;
    e.items = items;
    e.n_items = 1;
    if (s->warning) {
        w.code = (char *)s->warning;
        w.message = "m";
        e.warnings = warnings;
        e.n_warnings = 1;
    }
    e.received_at = s->received_at;
    e.on_time = s->on_time;
    assert_int_equal(dossier_add(f->dossier, &e, seat), 0);
}

static json_t *s_get(json_t *doc, const char *path)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    json_t *at = doc;
    for (char *save = NULL, *key = strtok_r(copy, ".", &save); key && at;
         key = strtok_r(NULL, ".", &save))
        at = json_is_array(at) ? json_array_get(at, (size_t)atoi(key)) : json_object_get(at, key);
    return at;
}

static const char *s_text(json_t *doc, const char *path)
{
    json_t *at = s_get(doc, path);
    assert_non_null(at);
    return json_string_value(at);
}

//  The periods are sorted; a unit's missing period, its late and on-time
//  ones and one of unknown arrival are told apart.
static void test_timeliness(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(dossier_expect(f->dossier, "510403", "西区", false), 0);
    spec_t specs[] = {{"510402", "2023", false, 9000, 744, 100, 1700000000, true, NULL},
                      {"510402", "2021", false, 8000, 900, 100, 1600000000, false, NULL},
                      {"510402", "2022", false, 8000, 800, 100, 0, false, NULL}};
    for (size_t i = 0; i < 3; i++)
        s_add(f, &specs[i], false);
    f->doc = dossier_json(f->dossier);
    assert_non_null(f->doc);
    assert_string_equal(s_text(f->doc, "periods.0"), "2021");
    assert_string_equal(s_text(f->doc, "periods.2"), "2023");
    assert_string_equal(s_text(f->doc, "timeliness.0.code"), "510402");
    assert_string_equal(s_text(f->doc, "timeliness.0.cells.2021"), "late");
    assert_string_equal(s_text(f->doc, "timeliness.0.cells.2022"), "reported");
    assert_string_equal(s_text(f->doc, "timeliness.0.cells.2023"), "on_time");
    assert_string_equal(s_text(f->doc, "timeliness.1.name"), "西区");
    assert_string_equal(s_text(f->doc, "timeliness.1.cells.2022"), "missing");
    //  Only the shown period's evaluation is among the units.
    assert_int_equal(json_array_size(s_get(f->doc, "units")), 1);
    assert_true(json_is_true(s_get(f->doc, "units.0.on_time")));
    assert_string_equal(s_text(f->doc, "units.0.received_at"), "2023-11-14T22:13:20Z");
}

//  The trend holds each period's value, pools first; the ranks leave out
//  the 市本级 and share a rank on a tie.
static void test_trend_and_rank(void **state)
{
    fixture_t *f = *state;
    spec_t specs[] = {{"510402", "2023", false, 9000, 744, 100, 0, false, NULL},
                      {"510400", "2023", false, 9500, 700, 100, 0, false, NULL},
                      {"510411", "2023", false, 9000, 650, 100, 0, false, NULL},
                      {"510421", "2023", false, -1, 650, 100, 0, false, NULL},
                      {"510400", "2023", true, 9100, 720, 400, 0, false, NULL},
                      {"510400", "2022", true, 8800, 810, 400, 0, false, NULL}};
    for (size_t i = 0; i < 6; i++)
        s_add(f, &specs[i], !strcmp(specs[i].code, "510400") && !specs[i].pool);
    f->doc = dossier_json(f->dossier);
    assert_non_null(f->doc);
    assert_string_equal(s_text(f->doc, "trend.indicator"), "months_payable");
    assert_string_equal(s_text(f->doc, "trend.series.0.code"), "510400");
    assert_true(json_real_value(s_get(f->doc, "trend.series.0.values.2022")) == 8.1);
    assert_true(json_real_value(s_get(f->doc, "trend.series.0.values.2023")) == 7.2);
    json_t *rows = s_get(f->doc, "rank.county.rows");
    assert_int_equal(json_array_size(rows), 3);
    assert_string_equal(s_text(f->doc, "rank.county.rows.0.code"), "510402");
    assert_int_equal(json_integer_value(s_get(f->doc, "rank.county.rows.1.rank")), 1);
    assert_true(json_is_null(s_get(f->doc, "rank.county.rows.2.rank")));
    assert_string_equal(s_text(f->doc, "rank.city.rows.0.code"), "510400");
    assert_true(json_is_true(s_get(f->doc, "units.0.seat")));
}

//  At a city the composition adds each unit's figure to the pool's, to the
//  fen; an unreconciled transfer is said.
static void test_composition(void **state)
{
    fixture_t *f = *state;
    spec_t specs[] = {
        {"510400", "2023", true, 9100, 720, 30000000001, 0, false, "transfer_unreconciled"},
        {"510400", "2023", false, 9500, 700, 10000000001, 0, false, NULL},
        {"510402", "2023", false, 9000, 744, 20000000000, 0, false, NULL}};
    for (size_t i = 0; i < 3; i++)
        s_add(f, &specs[i], i == 1);
    f->doc = dossier_json(f->dossier);
    assert_non_null(f->doc);
    assert_string_equal(s_text(f->doc, "composition.items.0.code"), "income.total");
    assert_string_equal(s_text(f->doc, "composition.items.0.pool"), "300000000.01");
    assert_string_equal(s_text(f->doc, "composition.items.0.units.510400"), "100000000.01");
    assert_string_equal(s_text(f->doc, "composition.items.0.units.510402"), "200000000.00");
    assert_false(json_is_true(s_get(f->doc, "composition.reconciled")));
    assert_string_equal(s_text(f->doc, "composition.warnings.0.code"), "transfer_unreconciled");
    assert_string_equal(s_text(f->doc, "composition.transfers.0.total"), "0.00");
    assert_int_equal(json_array_size(s_get(f->doc, "framework")), 25);
    assert_string_equal(s_text(f->doc, "framework.10.params"), ">=95;step=1;deduct=1");
}

//  Nothing fed: the lists are empty, every member present.
static void test_empty(void **state)
{
    fixture_t *f = *state;
    f->doc = dossier_json(f->dossier);
    assert_non_null(f->doc);
    const char *members[] = {"pools", "units", "periods", "timeliness"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_array_size(s_get(f->doc, members[i])), 0);
    assert_true(json_is_null(s_get(f->doc, "composition")));
    assert_int_equal(json_array_size(s_get(f->doc, "rank.city.rows")), 0);
    assert_string_equal(s_text(f->doc, "source"), "/var/lib/x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timeliness, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_trend_and_rank, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_composition, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_empty, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
