/*  Tests of indicator: the SPEC 4 formulas, the seed figures, absent never
    zero, the fallback to reported ind.*, and the risk levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decimal.h"
#include "indicator.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *code, *value, *uom, *target;
} row_t;

typedef struct {
    report_t *report;
    indicator_set_t *ind;
    eval_cfg_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(fixture_t));
    assert_non_null(f);
    f->ind = indicator_set_new();
    assert_non_null(f->ind);
    evaluation_cfg_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    report_destroy(&f->report);
    indicator_set_destroy(&f->ind);
    assert_null(f->ind);
    free(f);
    return 0;
}

static bool s_amount(const void *src, const char *code, int64_t *amount)
{
    return report_amount(src, code, amount);
}

/* Builds and validates a report (no error allowed), then computes its
   indicators (reported first, computed over them). */
static void s_compute(fixture_t *f, const char *unit, const char *period, const char *fund,
                      const row_t *rows, size_t n)
{
    f->report = report_new(unit, period, fund);
    assert_non_null(f->report);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(report_add(f->report, rows[i].code, rows[i].value, rows[i].uom,
                                    rows[i].target ? rows[i].target : "", (int)i + 2),
                         0);
    diag_t *diag = diag_new();
    int rc = validate_report(f->report, NULL, NULL, diag, "test.csv");
    if (rc != 0)
        diag_print(diag, stderr);
    assert_int_equal(rc, 0);
    diag_destroy(&diag);
    assert_int_equal(indicator_set_add_reported(f->ind, f->report), 0);
    assert_int_equal(indicator_set_compute(f->ind, s_amount, f->report, period, fund, &f->cfg.risk),
                     0);
}

/* Returns the shown value (hundredths) of a present numeric indicator. */
static int64_t s_centi(fixture_t *f, const char *code)
{
    rational_t value;
    if (!indicator_set_value(f->ind, code, &value))
        fail_msg("indicator %s absent", code);
    return rational_centi(value);
}

static void s_absent(fixture_t *f, const char *code)
{
    if (indicator_set_find(f->ind, code))
        fail_msg("indicator %s present", code);
}

/* 攀枝花 2023 (seed 003): 70,325.02 万元 against a budget of 69,876.23 -> 100.64 %;
   64,970.33 against 66,089.86 -> 98.31 %; current balance 5,354.69 万元. */
static void test_seed_panzhihua(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"income.total", "70,325.02", "wan", NULL},
        {"budget.income", "69,876.23", "wan", NULL},
        {"expense.total", "64,970.33", "wan", NULL},
        {"budget.expense", "66,089.86", "wan", NULL},
    };
    s_compute(f, "510400", "2023", "resident", rows, 4);
    assert_int_equal(s_centi(f, "income_budget_rate"), 10064);
    assert_int_equal(s_centi(f, "expense_budget_rate"), 9831);
    assert_int_equal(s_centi(f, "current_balance"), 5354690000LL); /* 53,546,900.00 yuan */
    /* Nothing else can be computed from these: absent, never zero. */
    s_absent(f, "months_payable");
    s_absent(f, "risk_level");
    s_absent(f, "premium_share");
    s_absent(f, "enrollment_rate");
    s_absent(f, "interest_yield");
    s_absent(f, "variance.income.total");
    assert_int_equal(indicator_set_size(f->ind), 3);
}

/* 北塔区 2020 (seed 001, 部门整体支出): budget 166.18 / final 363.47 万元 -> 118.72 %;
   personnel 115.81 / 211.9 -> 82.97 %; public 50.37 / 151.57 -> 200.91 %. */
static void test_seed_beita_variance(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"dept.budget.income.fiscal", "166.18", "wan", NULL},
        {"dept.budget.income.carryover", "0", "wan", NULL},
        {"dept.budget.income.other", "0", "wan", NULL},
        {"dept.final.income.fiscal", "258.58", "wan", NULL},
        {"dept.final.income.carryover", "43.34", "wan", NULL},
        {"dept.final.income.other", "61.55", "wan", NULL},
        {"dept.budget.expense.personnel", "115.81", "wan", NULL},
        {"dept.budget.expense.public", "50.37", "wan", NULL},
        {"dept.budget.expense.project", "0", "wan", NULL},
        {"dept.final.expense.personnel", "211.9", "wan", NULL},
        {"dept.final.expense.public", "151.57", "wan", NULL},
        {"dept.final.expense.project", "0", "wan", NULL},
    };
    s_compute(f, "430511", "2020", "dept", rows, 12);
    /* The totals are the sums of their children (166.18 and 363.47). */
    assert_int_equal(s_centi(f, "variance.income.total"), 11872);
    assert_int_equal(s_centi(f, "variance.expense.total"), 11872);
    assert_int_equal(s_centi(f, "variance.expense.personnel"), 8297);
    assert_int_equal(s_centi(f, "variance.expense.public"), 20091);
    assert_int_equal(s_centi(f, "variance.income.fiscal"), 5560);
    /* A zero budget gives no rate (division by zero), never 0 or 100. */
    s_absent(f, "variance.income.carryover");
    s_absent(f, "variance.income.other");
    s_absent(f, "variance.expense.project");
    s_absent(f, "variance.expense.three_public");
}

/* The unit 510904 of the scenario: every formula against the expected file. */
static void test_scenario_unit(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"balance.closing", "69710646.20", "yuan", NULL},
        {"balance.opening", "87126855.00", "yuan", NULL},
        {"budget.expense", "256638039.48", "yuan", NULL},
        {"budget.income", "204472585.77", "yuan", NULL},
        {"expense.benefit", "163475130.00", "yuan", NULL},
        {"expense.other", "178782.00", "yuan", NULL},
        {"expense.total", "242111358.00", "yuan", NULL},
        {"income.interest", "2467800.00", "yuan", NULL},
        {"income.premium", "66899053.20", "yuan", NULL},
        {"income.subsidy", "114971520.00", "yuan", NULL},
        {"income.total", "224695149.20", "yuan", NULL},
        {"stat.enrolled", "179643", "person", NULL},
        {"stat.population", "200126", "person", NULL},
        {"ind.satisfaction", "87.27", "%", ">=90"},
    };
    s_compute(f, "510904", "2023", "resident", rows, 14);
    assert_int_equal(s_centi(f, "benefit_share"), 6752);
    assert_int_equal(s_centi(f, "current_balance"), -1741620880LL);
    assert_int_equal(s_centi(f, "enrollment_rate"), 8976);
    assert_int_equal(s_centi(f, "expense_budget_rate"), 9434);
    assert_int_equal(s_centi(f, "income_budget_rate"), 10989);
    assert_int_equal(s_centi(f, "interest_yield"), 315);
    assert_int_equal(s_centi(f, "months_payable"), 512);
    assert_int_equal(s_centi(f, "other_expense_share"), 7);
    assert_int_equal(s_centi(f, "premium_share"), 2977);
    assert_int_equal(s_centi(f, "subsidy_per_capita"), 64000);
    assert_int_equal(s_centi(f, "satisfaction"), 8727);
    assert_string_equal(indicator_set_find(f->ind, "risk_level")->text, "level2");
    /* Sorted by code. */
    for (size_t i = 1; i < indicator_set_size(f->ind); i++)
        assert_true(
            strcmp(indicator_set_at(f->ind, i - 1)->code, indicator_set_at(f->ind, i)->code) < 0);
}

/* A computed indicator wins over a reported one; an absent one falls back. */
static void test_fallback_to_reported(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"ind.enrollment_rate", "88.56", "%", ">=95"},
        {"ind.income_budget_rate", "77.7", "%", NULL},
        {"income.total", "110", "yuan", NULL},
        {"budget.income", "100", "yuan", NULL},
        {"ind.months_payable", "16", "months", NULL},
        {"ind.custom_score", "-3.5", "points", NULL},
    };
    s_compute(f, "510904", "2023", "resident", rows, 6);
    assert_int_equal(s_centi(f, "enrollment_rate"), 8856);     /* no population: reported */
    assert_int_equal(s_centi(f, "income_budget_rate"), 11000); /* computed wins */
    assert_int_equal(s_centi(f, "months_payable"), 1600);
    assert_string_equal(indicator_set_find(f->ind, "risk_level")->text, "excess");
    assert_int_equal(s_centi(f, "custom_score"), -350);
}

/* Zero denominators make indicators absent; zero numerators give 0. */
static void test_division_by_zero(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"income.total", "0", "yuan", NULL},       {"income.premium", "0", "yuan", NULL},
        {"budget.income", "0", "yuan", NULL},      {"expense.total", "0", "yuan", NULL},
        {"expense.benefit", "0", "yuan", NULL},    {"balance.opening", "100", "yuan", NULL},
        {"balance.closing", "-100", "yuan", NULL}, {"income.interest", "5", "yuan", NULL},
        {"stat.enrolled", "0", "person", NULL},    {"stat.population", "0", "person", NULL},
    };
    s_compute(f, "510904", "2023", "resident", rows, 10);
    s_absent(f, "income_budget_rate");
    s_absent(f, "premium_share");
    s_absent(f, "benefit_share");
    s_absent(f, "months_payable");
    s_absent(f, "risk_level");
    s_absent(f, "interest_yield"); /* (100 + -100) / 2 = 0 */
    s_absent(f, "enrollment_rate");
    s_absent(f, "subsidy_per_capita");
    assert_int_equal(s_centi(f, "current_balance"), 0); /* a real zero */
}

/* months_payable scales with the months of the period. */
static void test_months_quarter(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"balance.closing", "300", "yuan", NULL},
        {"expense.benefit", "100", "yuan", NULL},
    };
    s_compute(f, "510904", "2023-Q2", "resident", rows, 2);
    assert_int_equal(s_centi(f, "months_payable"), 900); /* 300 / (100 / 3) */
    assert_string_equal(indicator_set_find(f->ind, "risk_level")->text, "normal");
}

/* Exactly 3 months (a whole year paying 1,200 with 300 left) is level2. */
static void test_risk_exactly_three_months(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"balance.closing", "300", "yuan", NULL},
        {"expense.benefit", "1200", "yuan", NULL},
    };
    s_compute(f, "510904", "2023", "resident", rows, 2);
    assert_int_equal(s_centi(f, "months_payable"), 300);
    assert_string_equal(indicator_set_find(f->ind, "risk_level")->text, "level2");
}

/* A negative balance is level1. */
static void test_risk_negative_balance(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"balance.closing", "-1", "yuan", NULL},
        {"expense.benefit", "1200", "yuan", NULL},
    };
    s_compute(f, "510904", "2023-07", "resident", rows, 2);
    assert_int_equal(s_centi(f, "months_payable"), 0);
    assert_string_equal(indicator_set_find(f->ind, "risk_level")->text, "level1");
}

static void test_risk_boundaries(void **state)
{
    fixture_t *f = *state;
    const risk_cfg_t *risk = &f->cfg.risk;
    assert_string_equal(indicator_risk_level(rational_make(29999, 10000), risk), "level1");
    assert_string_equal(indicator_risk_level(rational_int(3), risk), "level2");
    assert_string_equal(indicator_risk_level(rational_make(59999, 10000), risk), "level2");
    assert_string_equal(indicator_risk_level(rational_int(6), risk), "level3");
    assert_string_equal(indicator_risk_level(rational_make(8999999, 1000000), risk), "level3");
    assert_string_equal(indicator_risk_level(rational_int(9), risk), "normal");
    assert_string_equal(indicator_risk_level(rational_int(15), risk), "normal");
    /* Just above 15, although it shows as 15.00: the exact value decides. */
    assert_string_equal(indicator_risk_level(rational_make(150001, 10000), risk), "excess");
    assert_string_equal(indicator_risk_level(rational_make(1500001, 100000), risk), "excess");
    assert_string_equal(indicator_risk_level(rational_int(-5), risk), "level1");

    risk_cfg_t custom;
    const char *why = NULL;
    assert_int_equal(evaluation_risk_parse("2,4.5,8,12", &custom, &why), 0);
    assert_int_equal(custom.level2, 45000);
    assert_string_equal(indicator_risk_level(rational_int(12), &custom), "normal");
    assert_string_equal(indicator_risk_level(rational_make(9, 2), &custom), "level3");
    assert_int_equal(evaluation_risk_parse("3,6,9", &custom, &why), -1);
    assert_non_null(why);
    assert_int_equal(evaluation_risk_parse("3,6,9,15,20", &custom, &why), -1);
    assert_int_equal(evaluation_risk_parse("3,,9,15", &custom, &why), -1);
    assert_int_equal(evaluation_risk_parse("6,3,9,15", &custom, &why), -1);
    assert_int_equal(evaluation_risk_parse("a,b,c,d", &custom, &why), -1);
    assert_int_equal(evaluation_risk_parse(NULL, &custom, &why), -1);
}

static void test_set_operations(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(indicator_set_put(f->ind, "b", rational_int(2)), 0);
    assert_int_equal(indicator_set_put(f->ind, "a", rational_int(1)), 0);
    assert_int_equal(indicator_set_put(f->ind, "b", rational_int(3)), 0);
    assert_int_equal(indicator_set_put_text(f->ind, "c", "level1"), 0);
    assert_int_equal(indicator_set_size(f->ind), 3);
    assert_string_equal(indicator_set_at(f->ind, 0)->code, "a");
    rational_t value;
    assert_true(indicator_set_value(f->ind, "b", &value));
    assert_int_equal(rational_centi(value), 300);
    assert_false(indicator_set_value(f->ind, "c", &value)); /* text */
    assert_null(indicator_set_at(f->ind, 3));
    /* Refused: not ok, empty or overlong code, empty text. */
    rational_t bad = rational_div(rational_int(1), rational_int(0));
    assert_int_equal(indicator_set_put(f->ind, "d", bad), -1);
    assert_int_equal(indicator_set_put(f->ind, "", rational_int(1)), -1);
    char longcode[100];
    memset(longcode, 'x', sizeof longcode - 1);
    longcode[99] = '\0';
    assert_int_equal(indicator_set_put(f->ind, longcode, rational_int(1)), -1);
    assert_int_equal(indicator_set_put_text(f->ind, "e", ""), -1);
    assert_int_equal(indicator_set_size(f->ind), 3);
    assert_string_equal(indicator_name("months_payable"), "累计结余可支付月数");
    assert_string_equal(indicator_name("variance.income.total"), "差异率");
    assert_null(indicator_name("custom"));
}

/* A reported indicator in money is kept in yuan. */
static void test_item_value_units(void **state)
{
    fixture_t *f = *state;
    const row_t rows[] = {
        {"ind.cost_per_case", "1.5", "wan", NULL},
        {"ind.rate", "12.5", "%", NULL},
        {"stat.subsidy_standard", "640", "yuan", NULL},
    };
    s_compute(f, "510904", "2023", "resident", rows, 3);
    assert_int_equal(s_centi(f, "cost_per_case"), 1500000);
    assert_int_equal(s_centi(f, "rate"), 1250);
    rational_t value;
    assert_true(indicator_item_value(f->report, "stat.subsidy_standard", &value));
    assert_int_equal(rational_centi(value), 64000);
    assert_false(indicator_item_value(f->report, "ind.none", &value));
    assert_false(indicator_item_value(NULL, "ind.rate", &value));
}

/* The known indicator codes: SPEC 4, the framework's metrics, variance.X. */
static void test_known_codes(void **state)
{
    (void)state;
    const char *known[] = {"income_budget_rate",
                           "months_payable",
                           "risk_level",
                           "enrollment_rate",
                           "satisfaction",
                           "inpatient_reimbursement",
                           "outpatient_reimbursement",
                           "supervision_score",
                           "variance.income.total",
                           "variance.expense.three_public",
                           NULL};
    for (int i = 0; known[i]; i++)
        if (!indicator_known(known[i], NULL))
            fail_msg("%s should be known", known[i]);
    const char *unknown[] = {"Satisfaction",
                             "inpatient_reimbursment",
                             "cost_per_case",
                             "variance.",
                             "variance.income",
                             "variance.ind.x",
                             "",
                             NULL};
    for (int i = 0; unknown[i]; i++)
        if (indicator_known(unknown[i], NULL))
            fail_msg("%s should not be known", unknown[i]);
    assert_false(indicator_known(NULL, NULL));

    char buf[64];
    assert_string_equal(indicator_suggest("Satisfaction", NULL, buf, sizeof buf), "satisfaction");
    assert_string_equal(indicator_suggest("inpatient_reimbursment", NULL, buf, sizeof buf),
                        "inpatient_reimbursement");
    assert_string_equal(indicator_suggest("variance.income.totl", NULL, buf, sizeof buf),
                        "variance.income.total");
    assert_null(indicator_suggest("cost_per_case", NULL, buf, sizeof buf));
    assert_string_equal(buf, "");
    assert_null(indicator_suggest("x", NULL, NULL, 0));

    /* A framework's own metric is known, and suggested. */
    diag_t *diag = diag_new();
    const char csv[] = "code,name,category,max,rule,metric,params\n"
                       "cost,次均费用,effect,5,threshold,cost_per_case,<=4\n"
                       "cost2,次均费用,effect,5,threshold,cost_per_case,<=5\n";
    framework_t *fw = framework_parse("fw.csv", csv, strlen(csv), diag);
    assert_non_null(fw);
    assert_true(indicator_known("cost_per_case", fw));
    assert_false(indicator_known("satisfaction_x", fw));
    assert_true(indicator_known("satisfaction", fw)); /* SPEC 4 whatever the framework */
    assert_string_equal(indicator_suggest("cost_per_cas", fw, buf, sizeof buf), "cost_per_case");

    char list[1024];
    indicator_list(fw, list, sizeof list);
    assert_non_null(strstr(list, "income_budget_rate, expense_budget_rate, "));
    assert_non_null(
        strstr(list, "satisfaction, supervision_score, cost_per_case, variance.<item>"));
    assert_null(strstr(strstr(list, "cost_per_case") + 1, "cost_per_case")); /* listed once */
    /* A list that does not fit ends in ", ...". */
    char small[40];
    indicator_list(NULL, small, sizeof small);
    assert_string_equal(small, "income_budget_rate, ...");
    framework_destroy(&fw);
    diag_destroy(&diag);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_seed_panzhihua),
        T(test_seed_beita_variance),
        T(test_scenario_unit),
        T(test_fallback_to_reported),
        T(test_division_by_zero),
        T(test_months_quarter),
        T(test_risk_exactly_three_months),
        T(test_risk_negative_balance),
        T(test_risk_boundaries),
        T(test_set_operations),
        T(test_item_value_units),
        T(test_known_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
