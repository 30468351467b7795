/*  Tests of poolmember: a member gives what report_amount and
    indicator_item_value give of its report (a total through its parts, the
    first of a repeated item, an item that did not parse as absent), the
    tolerance of an item given in 万元, its ind.* and score.* codes sorted
    once each; and for every report of the basic scenario, every fixed
    entry and every reported item agree with the report.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "catalog.h"
#include "csvimport.h"
#include "diag.h"
#include "indicator.h"
#include "poolmember.h"
#include "report.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    report_t *report;
    poolmember_t *member;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    report_t *r = report_new("513322", "2023", "resident");
    assert_non_null(r);
    r->revision = 3;
    assert_int_equal(report_add(r, "income.premium", "100.00", "yuan", "", 2), 0);
    assert_int_equal(report_add(r, "income.subsidy", "1.23", "wan", "", 3), 0);
    assert_int_equal(report_add(r, "stat.enrolled", "1000", "person", "", 4), 0);
    assert_int_equal(report_add(r, "ind.zeta", "1.5", "%", "", 5), 0);
    assert_int_equal(report_add(r, "ind.alpha", "2", "%", "", 6), 0);
    assert_int_equal(report_add(r, "ind.zeta", "9", "%", "", 7), 0); //  a repeat: the first counts
    assert_int_equal(report_add(r, "score.policy_formulation", "5", "points", "", 8), 0);
    assert_int_equal(report_add(r, "ind.money", "12.50", "yuan", "", 9), 0);
    diag_t *diag = diag_new();
    validate_report(r, NULL, NULL, diag, NULL); //  the repeat is an error: the items still parse
    diag_destroy(&diag);
    f->report = r;
    f->member = poolmember_new(r);
    assert_non_null(f->member);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    poolmember_destroy(&f->member);
    assert_null(f->member);
    report_destroy(&f->report);
    free(f);
    return 0;
}

static size_t s_k(const char *code)
{
    for (size_t k = 0; k < catalog_size(); k++)
        if (!strcmp(catalog_at(k)->code, code))
            return k;
    fail_msg("no fixed entry %s", code);
    return 0;
}

//  The report's identity, a total through its parts, absent entries.
static void test_amounts(void **state)
{
    fixture_t *f = *state;
    const poolmember_t *m = f->member;
    assert_string_equal(poolmember_unit(m), "513322");
    assert_string_equal(poolmember_period(m), "2023");
    assert_string_equal(poolmember_fund(m), "resident");
    assert_int_equal(poolmember_revision(m), 3);
    int64_t amount = 0;
    assert_true(poolmember_amount(m, s_k("income.premium"), &amount));
    assert_int_equal(amount, 10000);
    assert_true(poolmember_amount(m, s_k("income.subsidy"), &amount));
    assert_int_equal(amount, 1230000);
    assert_true(poolmember_amount(m, s_k("income.total"), &amount)); //  not given: its parts
    assert_int_equal(amount, 1240000);
    assert_false(poolmember_amount(m, s_k("expense.total"), &amount));
    assert_false(poolmember_amount(m, catalog_size(), &amount));
    assert_true(poolmember_amount(m, s_k("stat.enrolled"), &amount));
    assert_int_equal(amount, 1000 * 10000);
    //  Tolerance: half a unit of the last decimal of a 万元 figure, as given.
    assert_int_equal(poolmember_tolerance(m, s_k("income.subsidy")), 5000); //  50 yuan
    assert_int_equal(poolmember_tolerance(m, s_k("income.premium")), 0);
    assert_int_equal(poolmember_tolerance(m, s_k("income.total")), 0);
    assert_true(poolmember_bytes(m) > 0);
}

//  ind.* and score.* values, the first of a repeat, codes sorted once.
static void test_values(void **state)
{
    fixture_t *f = *state;
    const poolmember_t *m = f->member;
    rational_t value, expected;
    assert_true(poolmember_value(m, "ind.zeta", &value));
    assert_true(indicator_item_value(f->report, "ind.zeta", &expected));
    assert_int_equal(rational_cmp(value, expected), 0);
    assert_int_equal(rational_cmp(value, rational_make(15, 10)), 0);
    assert_true(poolmember_value(m, "ind.money", &value)); //  yuan: in yuan, not fen
    assert_int_equal(rational_cmp(value, rational_make(1250, 100)), 0);
    assert_true(poolmember_value(m, "score.policy_formulation", &value));
    assert_int_equal(rational_cmp(value, rational_int(5)), 0);
    assert_false(poolmember_value(m, "ind.absent", &value));
    assert_false(poolmember_value(m, "income.premium", &value)); //  not a reported item
    assert_int_equal(poolmember_items(m), 4);
    const char *sorted[] = {"ind.alpha", "ind.money", "ind.zeta", "score.policy_formulation"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(poolmember_item_code(m, i), sorted[i]);
    assert_null(poolmember_item_code(m, 4));
}

//  An item that did not parse is absent, as report_amount has it.
static void test_unparsed(void **state)
{
    (void)state;
    report_t *r = report_new("513322", "2023", "resident");
    assert_non_null(r);
    assert_int_equal(report_add(r, "income.premium", "abc", "yuan", "", 2), 0);
    assert_int_equal(report_add(r, "ind.rate", "x%", "%", "", 3), 0);
    diag_t *diag = diag_new();
    assert_int_not_equal(validate_report(r, NULL, NULL, diag, NULL), 0);
    diag_destroy(&diag);
    poolmember_t *m = poolmember_new(r);
    assert_non_null(m);
    int64_t amount;
    rational_t value;
    assert_false(poolmember_amount(m, s_k("income.premium"), &amount));
    assert_false(poolmember_amount(m, s_k("income.total"), &amount));
    assert_false(poolmember_value(m, "ind.rate", &value));
    assert_int_equal(poolmember_items(m), 1); //  still listed: the pool looks it up
    poolmember_destroy(&m);
    report_destroy(&r);
    assert_null(poolmember_new(NULL));
}

//  Every report of the basic scenario: the member agrees with the report
//  on every fixed entry and every ind.* and score.* item.
static void test_scenario_agrees(void **state)
{
    (void)state;
    const char *files[] = {"510900.csv", "510904.csv", "513300.csv", "513322.csv",
                           "513331-rev2.csv"};
    size_t checked = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/data/%s", SCENARIO_DIR, files[i]);
        csvimport_result_t result = {0};
        diag_t *diag = diag_new();
        assert_int_equal(csvimport_file(path, NULL, NULL, &result, diag), 0);
        diag_destroy(&diag);
        for (size_t j = 0; j < result.n_reports; j++) {
            const report_t *r = result.reports[j];
            poolmember_t *m = poolmember_new(r);
            assert_non_null(m);
            for (size_t k = 0; k < catalog_size(); k++) {
                int64_t a = 0, b = 0;
                bool has = report_amount(r, catalog_at(k)->code, &a);
                assert_int_equal(poolmember_amount(m, k, &b), has);
                if (has)
                    assert_int_equal(a, b);
            }
            for (size_t n = 0; n < r->n_items; n++) {
                const char *code = r->items[n].code;
                if (strncmp(code, "ind.", 4) && strncmp(code, "score.", 6))
                    continue;
                rational_t a, b;
                bool has = indicator_item_value(r, code, &a);
                assert_int_equal(poolmember_value(m, code, &b), has);
                if (has)
                    assert_int_equal(rational_cmp(a, b), 0);
                checked++;
            }
            poolmember_destroy(&m);
        }
        csvimport_result_clear(&result);
    }
    assert_true(checked > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_amounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test(test_unparsed),
        cmocka_unit_test(test_scenario_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
