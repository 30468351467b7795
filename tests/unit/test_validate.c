/*  Tests of validate: the errors and warnings of SPEC 2.3 on real seed figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "framework.h"
#include "validate.h"

typedef struct {
    report_t *report;
    diag_t *diag;
} fixture_t;

typedef struct {
    const char *code, *value, *uom, *target;
} row_t;

static int setup(void **state)
{
    static fixture_t f;
    f.report = NULL;
    f.diag = diag_new();
    *state = &f;
    return f.diag ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    report_destroy(&f->report);
    diag_destroy(&f->diag);
    return 0;
}

/* Builds the fixture's report from rows; row i sits on line i + 2. */
static report_t *s_build(fixture_t *f, const char *unit, const char *period, const char *fund,
                         const row_t *rows, size_t n)
{
    report_destroy(&f->report);
    f->report = report_new(unit, period, fund);
    assert_non_null(f->report);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(report_add(f->report, rows[i].code, rows[i].value, rows[i].uom,
                                    rows[i].target, (int)i + 2),
                         0);
    return f->report;
}

#define BUILD(f, unit, period, fund, rows)                                                         \
    s_build(f, unit, period, fund, rows, sizeof rows / sizeof rows[0])

/* Returns the only diagnostic with that code, failing when there is not exactly one. */
static const diag_entry_t *s_one(const diag_t *diag, const char *code)
{
    const diag_entry_t *found = NULL;
    int n = 0;
    for (size_t i = 0; i < diag_size(diag); i++) {
        if (strcmp(diag_at(diag, i)->code, code) == 0) {
            found = diag_at(diag, i);
            n++;
        }
    }
    assert_int_equal(n, 1);
    return found;
}

/* 巴州区 2019 城乡居民 (seed 000), in yuan: the balance identity holds to the fen. */
static row_t s_bazhou[] = {
    {"balance.opening", "101,348,836.95", "yuan", ""},
    {"income.total", "493,009,665.42", "yuan", ""},
    {"expense.benefit", "248,982,373.08", "yuan", ""},
    {"expense.benefit.inpatient", "193,311,915.63", "yuan", ""},
    {"expense.benefit.outpatient_chronic", "30,413,945.26", "yuan", ""},
    {"expense.benefit.outpatient_general", "25,256,512.19", "yuan", ""},
    {"expense.upper_remit", "149,541,236.21", "yuan", ""},
    {"balance.closing", "195,834,893.08", "yuan", ""},
};

static void test_bazhou_balance_holds_to_the_fen(void **state)
{
    fixture_t *f = *state;
    report_t *r = BUILD(f, "511902", "2019", "resident", s_bazhou);
    assert_int_equal(validate_report(r, "511902", NULL, f->diag, "bazhou.csv"), 0);
    assert_int_equal(diag_size(f->diag), 0);
    int64_t v;
    assert_true(report_amount(r, "expense.total", &v));
    assert_int_equal(v, 39852360929);
    assert_int_equal(report_find(r, "balance.opening")->amount, 10134883695);
    assert_int_equal(report_find(r, "balance.opening")->tolerance, 0);
}

static void test_bazhou_one_fen_off_is_flagged(void **state)
{
    fixture_t *f = *state;
    s_bazhou[7].value = "195,834,893.09";
    report_t *r = BUILD(f, "511902", "2019", "resident", s_bazhou);
    s_bazhou[7].value = "195,834,893.08";
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, "bazhou.csv"), 0);
    assert_int_equal(diag_size(f->diag), 1);
    const diag_entry_t *w = s_one(f->diag, "balance_identity");
    assert_int_equal(w->level, DIAG_WARNING);
    assert_int_equal(w->line, 9);
    assert_int_equal(w->column, 5);
    assert_string_equal(w->file, "bazhou.csv");
    assert_string_equal(w->message, "balance.closing 年末滚存结余 195,834,893.09 differs from "
                                    "balance.opening + income.total - expense.total "
                                    "195,834,893.08 by 0.01");
}

/* 巴音郭楞 2019 (seed 004), in 万元: the 职工 fund's 本年待遇支出 2992.48 counts the
   转移支出 3.16 too, so it exceeds its 门诊 2151.69 + 住院 837.63 = 2989.32. */
static void test_bayingolin_benefit_disagrees_with_its_parts(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"expense.benefit", "2992.48", "wan", ""},
        {"expense.benefit.outpatient_general", "2151.69", "wan", ""},
        {"expense.benefit.inpatient", "837.63", "wan", ""},
        {"expense.transfer", "3.16", "wan", ""},
    };
    report_t *r = BUILD(f, "652800", "2019", "employee", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(report_find(r, "expense.benefit")->tolerance, 5000);
    const diag_entry_t *w = s_one(f->diag, "total_mismatch");
    assert_int_equal(w->line, 2);
    assert_int_equal(w->column, 5);
    assert_string_equal(w->message, "expense.benefit 待遇支出 29,924,800.00 differs from the sum "
                                    "of its parts 29,893,200.00 by 31,600.00");
    /* expense.total is derived (benefit as given + transfer): nothing to compare. */
    assert_int_equal(diag_size(f->diag), 1);
}

/* The whole bureau's 2019 figures (seed 004) agree within the 万元 tolerance. */
static void test_bayingolin_totals_agree(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"income.total", "19717.93", "wan", ""},
        {"income.premium", "8960.91", "wan", ""},
        {"income.interest", "3.59", "wan", ""},
        {"income.subsidy", "3545.93", "wan", ""},
        {"income.other", "2.99", "wan", ""},
        {"income.transfer", "3.67", "wan", ""},
        {"income.upper_grant", "7200.84", "wan", ""},
        {"expense.total", "19717.93", "wan", ""},
        {"expense.benefit", "7195.03", "wan", ""},
        {"expense.benefit.outpatient_general", "2244.69", "wan", ""},
        {"expense.benefit.inpatient", "4031.35", "wan", ""},
        {"expense.benefit.maternity_medical", "128.95", "wan", ""},
        {"expense.benefit.maternity_allowance", "790.04", "wan", ""},
        {"expense.other", "0.25", "wan", ""},
        {"expense.transfer", "3.16", "wan", ""},
        {"expense.upper_remit", "12519.49", "wan", ""},
        {"balance.closing", "0", "wan", ""},
    };
    report_t *r = BUILD(f, "652800", "2019", "employee", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    assert_int_equal(report_find(r, "income.total")->amount, 19717930000);
    assert_int_equal(report_find(r, "balance.closing")->tolerance, 500000);
}

static void test_wan_tolerance_counts_every_summand(void **state)
{
    fixture_t *f = *state;
    /* Parent in yuan (tolerance 0); a derived child (two 万元 parts, 5000 fen
       each) and one 万元 part: tolerance 15000 fen = 150.00 yuan. */
    row_t rows[] = {
        {"expense.total", "1,000,150.00", "yuan", ""},
        {"expense.benefit.inpatient", "50.00", "wan", ""},
        {"expense.benefit.outpatient_general", "50.00", "wan", ""},
        {"expense.other", "0.00", "wan", ""},
    };
    report_t *r = BUILD(f, "513331", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    rows[0].value = "1,000,150.01";
    r = BUILD(f, "513331", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    const diag_entry_t *w = s_one(f->diag, "total_mismatch");
    assert_string_equal(w->message, "expense.total 基金支出合计 1,000,150.01 differs from the sum "
                                    "of its parts 1,000,000.00 by 150.01");
}

static void test_yuan_totals_have_no_tolerance(void **state)
{
    fixture_t *f = *state;
    /* 遂宁市 2023 subsidy parts, with the total one fen high. */
    row_t rows[] = {
        {"income.subsidy", "278083200.01", "yuan", ""},
        {"income.subsidy.central", "166849920.00", "yuan", ""},
        {"income.subsidy.city", "27808320.00", "yuan", ""},
        {"income.subsidy.county", "27808320.00", "yuan", ""},
        {"income.subsidy.provincial", "55616640.00", "yuan", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_string_equal(s_one(f->diag, "total_mismatch")->message,
                        "income.subsidy 财政补贴收入 278,083,200.01 differs from the sum of its "
                        "parts 278,083,200.00 by 0.01");
}

static void test_subsidy_standard(void **state)
{
    fixture_t *f = *state;
    /* 遂宁市 2023: 434505 x 640 = 278,083,200.00 exactly. */
    row_t rows[] = {
        {"income.subsidy", "278083200.00", "yuan", ""},
        {"stat.enrolled", "434505", "person", ""},
        {"stat.subsidy_standard", "640", "yuan", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    /* Exactly 0.5 % short is still accepted; one fen more is not. */
    rows[0].value = "276692784.00";
    r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    rows[0].value = "276692783.99";
    r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    const diag_entry_t *w = s_one(f->diag, "subsidy_standard");
    assert_int_equal(w->line, 2);
    assert_string_equal(w->message, "income.subsidy 财政补贴收入 276,692,783.99 differs from "
                                    "stat.enrolled x stat.subsidy_standard (434505 x 640) "
                                    "278,083,200.00 by 1,390,416.01, more than 0.5 %");
    /* In 万人 the count is scaled: 43.4505 万人 x 640. */
    diag_clear(f->diag);
    rows[0].value = "278083200.00";
    rows[1].value = "43.4505";
    rows[1].uom = "wan-person";
    r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
}

static void test_targets(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"ind.inpatient_reimbursement", "72.77", "%", ">=70"},
        {"ind.satisfaction", "87.33", "%", ">=90"},
        {"ind.fund_balance_months", "-1.5", "months", "-2..15"},
        {"ind.untargeted", "1", "count", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    const diag_entry_t *w = s_one(f->diag, "target_missed");
    assert_int_equal(w->line, 3);
    assert_string_equal(w->message, "ind.satisfaction 87.33 % misses its target >=90");
    /* The two codes of no framework item are flagged too (unknown_indicator). */
    assert_int_equal(diag_size(f->diag), 3);
    assert_int_equal(diag_count(f->diag, DIAG_WARNING), 3);
    const report_item_t *it = report_find(r, "ind.satisfaction");
    assert_true(it->parsed);
    assert_int_equal(it->amount, 873300);
    assert_int_equal(it->tgt.op, TARGET_GE);
    assert_int_equal(it->tgt.lo, 900000);
    assert_int_equal(report_find(r, "ind.fund_balance_months")->amount, -15000);
}

static void test_header_errors(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {{"income.total", "1", "yuan", ""}};
    report_t *r = BUILD(f, "51090", "2023-13", "pension", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, "x.csv"), -1);
    assert_int_equal(s_one(f->diag, "bad_unit")->column, 1);
    const diag_entry_t *e = s_one(f->diag, "bad_period");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->column, 2);
    assert_string_equal(e->message, "bad period '2023-13': month not 01 to 12");
    assert_int_equal(s_one(f->diag, "bad_fund")->column, 3);
    diag_clear(f->diag);
    r = BUILD(f, "510904", "2023", "resident", rows);
    assert_int_equal(validate_report(r, "510923", NULL, f->diag, NULL), -1);
    assert_string_equal(s_one(f->diag, "wrong_unit")->message,
                        "unit 510904 is not this agent's unit 510923");
}

static void test_item_errors(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"income.premuim", "18025.00", "yuan", ""},                  /* 2 */
        {"expense.benefit.outpatient_general", "12.3.4", "wan", ""}, /* 3 */
        {"income.premium", "-5", "yuan", ""},                        /* 4 */
        {"income.other", "5", "person", ""},                         /* 5 */
        {"income.premium", "5", "yuan", ""},                         /* 6 */
        {"dept.budget.income.total", "5", "yuan", ""},               /* 7 */
        {"score.policy_formulation", "6", "points", ""},             /* 8 */
        {"ind.satisfaction", "95", "%", ">=ninety"},                 /* 9 */
        {"income.interest", "5", "yuan", ">=3"},                     /* 10 */
        {"stat.subsidy_standard", "640", "wan", ""},                 /* 11 */
        {"income.transfer", "1.234", "yuan", ""},                    /* 12 */
        {"balance.opening", "-101,348,836.95", "yuan", ""},          /* 13 */
    };
    report_t *r = BUILD(f, "510921", "2023", "resident", rows);
    assert_int_equal(validate_report(r, "510921", NULL, f->diag, "bad.csv"), -1);
    const diag_entry_t *e = s_one(f->diag, "unknown_item");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->column, 4);
    assert_string_equal(e->message, "unknown item 'income.premuim' (did you mean income.premium?)");
    e = diag_at(f->diag, 1);
    assert_string_equal(e->code, "bad_number");
    assert_int_equal(e->line, 3);
    assert_int_equal(e->column, 5);
    e = s_one(f->diag, "negative");
    assert_int_equal(e->line, 4);
    assert_int_equal(e->column, 5);
    e = diag_at(f->diag, 3);
    assert_string_equal(e->code, "bad_uom");
    assert_int_equal(e->line, 5);
    assert_int_equal(e->column, 6);
    assert_string_equal(
        e->message, "unit of measure 'person' not allowed for income.other 其他收入 (yuan, wan)");
    e = s_one(f->diag, "duplicate_item");
    assert_int_equal(e->line, 6);
    assert_string_equal(e->message, "duplicate item income.premium (first given on line 4)");
    assert_int_equal(s_one(f->diag, "dept_item")->line, 7);
    e = s_one(f->diag, "score_above_max");
    assert_int_equal(e->line, 8);
    assert_string_equal(e->message, "score.policy_formulation 6 points above the maximum 5 of "
                                    "policy_formulation 政策制定");
    e = s_one(f->diag, "bad_target");
    assert_int_equal(e->line, 9);
    assert_int_equal(e->column, 7);
    e = s_one(f->diag, "target_not_allowed");
    assert_int_equal(e->line, 10);
    assert_int_equal(e->column, 7);
    e = diag_at(f->diag, 9);
    assert_string_equal(e->code, "bad_uom");
    assert_string_equal(e->message, "unit of measure 'wan' not allowed for stat.subsidy_standard "
                                    "人均财政补助标准 (yuan)");
    assert_int_equal(diag_count(f->diag, DIAG_ERROR), 11);
    assert_int_equal(diag_count(f->diag, DIAG_WARNING), 0);
    /* The fen rule shows in the reason; negative balances are fine. */
    e = diag_at(f->diag, 10);
    assert_string_equal(e->code, "bad_number");
    assert_string_equal(e->message, "bad number '1.234' for income.transfer: finer than a fen");
    assert_int_equal(e->line, 12);
    assert_true(report_find(r, "balance.opening")->parsed);
    assert_false(report_find(r, "income.premuim")->parsed);
}

/* Runs validate_report and validate_errors on the same rows: the same
   verdict, the same errors and the same amounts; validate_errors finds no
   warning. */
static void s_same_errors(fixture_t *f, const row_t *rows, size_t n, int rc)
{
    report_t *r = s_build(f, "510921", "2023", "resident", rows, n);
    assert_int_equal(validate_report(r, "510921", NULL, f->diag, "t.csv"), rc);
    report_t *copy = report_dup(r);
    assert_non_null(copy);
    diag_t *only = diag_new();
    assert_int_equal(validate_errors(copy, "510921", NULL, only, "t.csv"), rc);
    assert_int_equal(diag_count(only, DIAG_WARNING), 0);
    assert_int_equal(diag_size(only), diag_count(f->diag, DIAG_ERROR));
    for (size_t i = 0, k = 0; i < diag_size(f->diag); i++) {
        const diag_entry_t *e = diag_at(f->diag, i);
        if (e->level != DIAG_ERROR)
            continue;
        const diag_entry_t *o = diag_at(only, k++);
        assert_string_equal(o->code, e->code);
        assert_string_equal(o->message, e->message);
        assert_int_equal(o->line, e->line);
        assert_int_equal(o->column, e->column);
    }
    for (size_t i = 0; i < r->n_items; i++) {
        assert_int_equal(copy->items[i].parsed, r->items[i].parsed);
        assert_int_equal(copy->items[i].amount, r->items[i].amount);
        assert_int_equal(copy->items[i].tolerance, r->items[i].tolerance);
    }
    diag_destroy(&only);
    report_destroy(&copy);
}

static void test_errors_only(void **state)
{
    fixture_t *f = *state;
    row_t bad[] = {
        {"income.premuim", "18025.00", "yuan", ""}, {"income.premium", "-5", "yuan", ""},
        {"income.premium", "5", "yuan", ""},        {"ind.satisfaction", "95", "%", ">=90"},
        {"ind.satisfaction", "96", "%", ">=90"},    {"income.other", "5", "person", ""},
    };
    s_same_errors(f, bad, sizeof bad / sizeof bad[0], -1);
    /* A duplicate of a free family's code names its first line too. */
    assert_string_equal(diag_at(f->diag, 3)->message,
                        "duplicate item ind.satisfaction (first given on line 5)");
    diag_clear(f->diag);
    /* One fen off: a warning for validate_report, nothing for validate_errors. */
    s_bazhou[7].value = "195,834,893.09";
    s_same_errors(f, s_bazhou, sizeof s_bazhou / sizeof s_bazhou[0], 0);
    s_bazhou[7].value = "195,834,893.08";
    assert_int_equal(diag_count(f->diag, DIAG_WARNING), 1);
    assert_int_equal(validate_errors(NULL, NULL, NULL, f->diag, NULL), -1);
}

static void test_scores_use_the_framework(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"score.policy_formulation", "5", "points", ""},
        {"score.total", "87.5", "points", ""},
        {"score.not_in_framework", "50", "points", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, framework_default(), f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    assert_int_equal(report_find(r, "score.total")->amount, 875000);
    const char csv[] = "code,name,category,max,rule,metric,params\n"
                       "policy_formulation,政策制定,decision,4.5,manual,,\n";
    framework_t *fw = framework_parse("fw.csv", csv, strlen(csv), f->diag);
    assert_non_null(fw);
    assert_int_equal(validate_report(r, NULL, fw, f->diag, NULL), -1);
    assert_string_equal(s_one(f->diag, "score_above_max")->message,
                        "score.policy_formulation 5 points above the maximum 4.5 of "
                        "policy_formulation 政策制定");
    framework_destroy(&fw);
}

static void test_dept_totals(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"dept.final.expense.total", "300.00", "yuan", ""},
        {"dept.final.expense.personnel", "100.00", "yuan", ""},
        {"dept.final.expense.public", "50.00", "yuan", ""},
        {"dept.final.expense.project", "150.00", "yuan", ""},
        {"dept.final.expense.three_public", "60.00", "yuan", ""},
        {"dept.budget.income.total", "10.00", "yuan", ""},
        {"dept.budget.income.fiscal", "9.00", "yuan", ""},
    };
    report_t *r = BUILD(f, "511102", "2020", "dept", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 2);
    assert_string_equal(diag_at(f->diag, 0)->message, "dept.budget.income.total 部门预算收入合计 "
                                                      "10.00 differs from the sum of its parts "
                                                      "9.00 by 1.00");
    assert_string_equal(
        diag_at(f->diag, 1)->message,
        "dept.final.expense.three_public 部门决算三公经费 60.00 exceeds "
        "dept.final.expense.public 部门决算公用经费 50.00 it is a part of by 10.00");
    assert_int_equal(diag_at(f->diag, 1)->line, 6);
}

static void test_no_warnings_when_errors(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"income.subsidy", "1.00", "yuan", ""},
        {"income.subsidy.central", "2.00", "yuan", ""},
        {"income.nonsense", "2.00", "yuan", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), -1);
    assert_int_equal(diag_count(f->diag, DIAG_WARNING), 0);
    assert_int_equal(validate_report(NULL, NULL, NULL, f->diag, NULL), -1);
    /* A NULL diag still reports the outcome. */
    assert_int_equal(validate_report(r, NULL, NULL, NULL, NULL), -1);
}

/* Returns the number of diagnostics with that code. */
static size_t s_count(const diag_t *diag, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < diag_size(diag); i++)
        n += strcmp(diag_at(diag, i)->code, code) == 0;
    return n;
}

/* A typo in an indicator code is accepted, with a warning that names the
   nearest known code; the codes of SPEC 4 and of the framework are not. */
static void test_unknown_indicator(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"ind.Satisfaction", "91", "%", ""},
        {"ind.inpatient_reimbursment", "72", "%", ">=70"},
        {"ind.cost_per_case", "3.5", "yuan", ""},
        {"ind.outpatient_reimbursement", "55", "%", ""},
        {"ind.supervision_score", "88", "points", ""},
        {"ind.enrollment_rate", "96", "%", ""},
        {"ind.months_payable", "9", "months", ""},
        {"ind.variance.expense.total", "3", "%", ""},
        {"ind.variance.expense.totl", "3", "%", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, "typo.csv"), 0);
    assert_int_equal(s_count(f->diag, "unknown_indicator"), 4);
    assert_int_equal(diag_size(f->diag), 4);
    const diag_entry_t *e = diag_at(f->diag, 0);
    assert_int_equal(e->level, DIAG_WARNING);
    assert_string_equal(e->file, "typo.csv");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->column, 4);
    assert_string_equal(e->message, "unknown indicator ind.Satisfaction (did you mean "
                                    "ind.satisfaction?): neither the framework nor SPEC 4 uses "
                                    "it, so it is kept but no framework item reads it");
    assert_non_null(
        strstr(diag_at(f->diag, 1)->message,
               "ind.inpatient_reimbursment (did you mean ind.inpatient_reimbursement?)"));
    assert_string_equal(diag_at(f->diag, 2)->message,
                        "unknown indicator ind.cost_per_case: neither the framework nor SPEC 4 "
                        "uses it, so it is kept but no framework item reads it");
    assert_int_equal(diag_at(f->diag, 3)->line, 10);
    assert_non_null(
        strstr(diag_at(f->diag, 3)->message, "did you mean ind.variance.expense.total?"));
    /* Accepted: every value is parsed and kept. */
    assert_true(report_find(r, "ind.Satisfaction")->parsed);
    assert_int_equal(report_find(r, "ind.Satisfaction")->amount, 910000);
}

/* A city's --framework makes its own metrics known. */
static void test_unknown_indicator_uses_the_framework(void **state)
{
    fixture_t *f = *state;
    row_t rows[] = {
        {"ind.cost_per_case", "3.5", "yuan", ""},
        {"ind.satisfaction", "95", "%", ""},
    };
    report_t *r = BUILD(f, "510900", "2023", "resident", rows);
    const char csv[] = "code,name,category,max,rule,metric,params\n"
                       "cost,次均费用,effect,5,threshold,cost_per_case,<=4\n";
    framework_t *fw = framework_parse("fw.csv", csv, strlen(csv), f->diag);
    assert_non_null(fw);
    assert_int_equal(validate_report(r, NULL, fw, f->diag, NULL), 0);
    assert_int_equal(diag_size(f->diag), 0);
    assert_int_equal(validate_report(r, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(s_count(f->diag, "unknown_indicator"), 1);
    assert_non_null(strstr(diag_at(f->diag, 0)->message, "ind.cost_per_case"));
    framework_destroy(&fw);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* A report may carry at most VALIDATE_MAX_FREE reported indicators. */
static void test_too_many_indicators(void **state)
{
    fixture_t *f = *state;
    report_destroy(&f->report);
    f->report = report_new("513331", "2023", "resident");
    char code[32];
    for (int i = 1; i <= VALIDATE_MAX_FREE; i++) {
        snprintf(code, sizeof code, "ind.k%d", i);
        assert_int_equal(report_add(f->report, code, "1.5", "%", "", i + 1), 0);
    }
    assert_int_equal(validate_report(f->report, NULL, NULL, f->diag, NULL), 0);
    assert_int_equal(report_add(f->report, "ind.one_more", "1", "%", "", VALIDATE_MAX_FREE + 2), 0);
    assert_int_equal(validate_report(f->report, NULL, NULL, f->diag, NULL), -1);
    const diag_entry_t *e = s_one(f->diag, "too_many_items");
    assert_int_equal(e->line, VALIDATE_MAX_FREE + 2);
}

/* A period that has not begun is refused at its first line, in the period
   column, with a day of slack for clocks; one that has begun, or one that
   does not parse (validate_report's), is not this rule's. */
static void test_receivable_period_begun(void **state)
{
    fixture_t *f = *state;
    static const row_t rows[] = {{"income.total", "1.00", "yuan", ""}};
    const int64_t now = 1764547200; /* 2025-12-01 00:00:00 UTC */
    report_t *r = BUILD(f, "513331", "2026", "resident", rows);
    assert_int_equal(validate_receivable(r, now, f->diag, "x.csv"), -1);
    const diag_entry_t *e = s_one(f->diag, "period_not_begun");
    assert_int_equal(e->level, DIAG_ERROR);
    assert_string_equal(e->file, "x.csv");
    assert_int_equal(e->line, 2);
    assert_int_equal(e->column, 2);
    assert_non_null(strstr(e->message, "period 2026 has not begun (it begins on 2026-01-01)"));
    struct {
        const char *period;
        int64_t now;
        int rc;
    } cases[] = {
        {"2025", now, 0},
        {"2025-12", now, 0},
        {"2025-Q4", now, 0},
        {"2026-01", now, -1},
        {"2026-01", 1767225600 - VALIDATE_CLOCK_SKEW, 0},      /* a day before, within the slack */
        {"2026-01", 1767225600 - VALIDATE_CLOCK_SKEW - 1, -1}, /* just beyond it */
        {"2026-Q1", now, -1},
        {"2025-13", now, 0}, /* not a period: validate_report says so */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = BUILD(f, "513331", cases[i].period, "resident", rows);
        if (validate_receivable(r, cases[i].now, f->diag, NULL) != cases[i].rc)
            fail_msg("period %s: expected %d", cases[i].period, cases[i].rc);
    }
    assert_int_equal(validate_receivable(NULL, now, f->diag, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_bazhou_balance_holds_to_the_fen),
        T(test_too_many_indicators),
        T(test_unknown_indicator),
        T(test_unknown_indicator_uses_the_framework),
        T(test_bazhou_one_fen_off_is_flagged),
        T(test_bayingolin_benefit_disagrees_with_its_parts),
        T(test_bayingolin_totals_agree),
        T(test_wan_tolerance_counts_every_summand),
        T(test_yuan_totals_have_no_tolerance),
        T(test_subsidy_standard),
        T(test_targets),
        T(test_header_errors),
        T(test_item_errors),
        T(test_errors_only),
        T(test_scores_use_the_framework),
        T(test_dept_totals),
        T(test_no_warnings_when_errors),
        T(test_receivable_period_begun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
