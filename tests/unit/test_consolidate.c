/*  Tests of consolidate: sums, elimination of intra-pool transfers,
    reconciliation, completeness, selection and weighted means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "consolidate.h"
#include "decimal.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#define MAX_REPORTS 8

typedef struct {
    report_t *reports[MAX_REPORTS];
    size_t n;
    consolidate_t *pool;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(fixture_t));
    assert_non_null(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    consolidate_destroy(&f->pool);
    assert_null(f->pool);
    for (size_t i = 0; i < f->n; i++)
        report_destroy(&f->reports[i]);
    free(f);
    return 0;
}

/* Adds a validated report from "code value uom" triples (NULL-terminated). */
static report_t *s_report(fixture_t *f, const char *unit, const char *period, const char **rows)
{
    assert_true(f->n < MAX_REPORTS);
    report_t *r = report_new(unit, period, "resident");
    assert_non_null(r);
    for (int i = 0; rows[i]; i += 3)
        assert_int_equal(report_add(r, rows[i], rows[i + 1], rows[i + 2], "", i / 3 + 2), 0);
    diag_t *diag = diag_new();
    int rc = validate_report(r, NULL, NULL, diag, unit);
    if (rc != 0)
        diag_print(diag, stderr);
    assert_int_equal(rc, 0);
    diag_destroy(&diag);
    f->reports[f->n++] = r;
    return r;
}

static const char *s_city_rows[] = {"income.premium",
                                    "600",
                                    "yuan",
                                    "income.lower_remit",
                                    "300",
                                    "yuan",
                                    "expense.benefit",
                                    "700",
                                    "yuan",
                                    "expense.lower_grant",
                                    "100",
                                    "yuan",
                                    "expense.upper_remit",
                                    "50",
                                    "yuan",
                                    "expense.total",
                                    "850",
                                    "yuan",
                                    "stat.enrolled",
                                    "1000",
                                    "person",
                                    "stat.population",
                                    "1100",
                                    "person",
                                    "stat.subsidy_standard",
                                    "640",
                                    "yuan",
                                    NULL};

static const char *s_county1_rows[] = {"income.premium",
                                       "400",
                                       "yuan",
                                       "income.upper_grant",
                                       "60",
                                       "yuan",
                                       "income.total",
                                       "460",
                                       "yuan",
                                       "expense.benefit",
                                       "200",
                                       "yuan",
                                       "expense.upper_remit",
                                       "180",
                                       "yuan",
                                       "expense.total",
                                       "380",
                                       "yuan",
                                       "stat.enrolled",
                                       "100",
                                       "person",
                                       "stat.population",
                                       "120",
                                       "person",
                                       "ind.satisfaction",
                                       "80",
                                       "%",
                                       "score.policy",
                                       "1",
                                       "points",
                                       NULL};

static const char *s_county2_rows[] = {"income.premium",
                                       "100",
                                       "yuan",
                                       "income.upper_grant",
                                       "40",
                                       "yuan",
                                       "income.total",
                                       "140",
                                       "yuan",
                                       "expense.benefit",
                                       "50",
                                       "yuan",
                                       "expense.upper_remit",
                                       "120",
                                       "yuan",
                                       "expense.total",
                                       "170",
                                       "yuan",
                                       "stat.enrolled",
                                       "300",
                                       "person",
                                       "stat.population",
                                       "310",
                                       "person",
                                       "ind.satisfaction",
                                       "90",
                                       "%",
                                       "score.policy",
                                       "0",
                                       "points",
                                       NULL};

static const char *s_known[] = {"510900", "510904", "510921"};

/* Builds the three-unit pool of 510900 for 2023. */
static void s_three_units(fixture_t *f)
{
    s_report(f, "510921", "2023", s_county2_rows);
    s_report(f, "510900", "2023", s_city_rows);
    s_report(f, "510904", "2023", s_county1_rows);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, s_known, 3);
    assert_non_null(f->pool);
}

/* Returns a pool amount in fen (fails when absent). */
static int64_t s_amount(fixture_t *f, const char *code)
{
    int64_t amount = 0;
    if (!consolidate_amount(f->pool, code, &amount))
        fail_msg("pool amount %s absent", code);
    return amount;
}

static void s_absent(fixture_t *f, const char *code)
{
    int64_t amount;
    if (consolidate_amount(f->pool, code, &amount))
        fail_msg("pool amount %s present", code);
}

/* Counts the pool's warnings of a code. */
static size_t s_warnings(fixture_t *f, const char *code)
{
    const diag_t *diag = consolidate_warnings(f->pool);
    size_t count = 0;
    for (size_t i = 0; i < diag_size(diag); i++)
        count += strcmp(diag_at(diag, i)->code, code) == 0;
    return count;
}

static void test_sums_and_elimination(void **state)
{
    fixture_t *f = *state;
    s_three_units(f);
    assert_int_equal(s_amount(f, "income.premium"), 110000);
    /* 900 (derived from the 市本级's children) + 460 + 140 - 300 - 100 */
    assert_int_equal(s_amount(f, "income.total"), 110000);
    /* 850 + 380 + 170 - 100 (lower_grant) - 300 (the counties' upper_remit) */
    assert_int_equal(s_amount(f, "expense.total"), 100000);
    assert_int_equal(s_amount(f, "expense.benefit"), 95000);
    /* The 市本级's own remittance to the province stays. */
    assert_int_equal(s_amount(f, "expense.upper_remit"), 5000);
    s_absent(f, "income.upper_grant");
    s_absent(f, "income.lower_remit");
    s_absent(f, "expense.lower_grant");
    s_absent(f, "income.interest");
    /* Head counts are summed, standards are not. */
    assert_int_equal(s_amount(f, "stat.enrolled"), 1400 * QTY_SCALE);
    assert_int_equal(s_amount(f, "stat.population"), 1530 * QTY_SCALE);
    s_absent(f, "stat.subsidy_standard");
    s_absent(f, "no.such.item");
    assert_int_equal(s_warnings(f, "transfer_unreconciled"), 0);
    assert_int_equal(diag_size(consolidate_warnings(f->pool)), 0);
}

static void test_units_and_completeness(void **state)
{
    fixture_t *f = *state;
    s_three_units(f);
    assert_int_equal(consolidate_size(f->pool), 3);
    assert_string_equal(consolidate_unit_at(f->pool, 0), "510900");
    assert_string_equal(consolidate_unit_at(f->pool, 1), "510904");
    assert_string_equal(consolidate_unit_at(f->pool, 2), "510921");
    assert_null(consolidate_unit_at(f->pool, 3));
    assert_true(consolidate_complete(f->pool));
    consolidate_destroy(&f->pool);

    const char *known[] = {"510900", "510923", "510904", "510921", "510923", "510999"};
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, known, 6);
    assert_false(consolidate_complete(f->pool));
    assert_int_equal(s_warnings(f, "pool_incomplete"), 1);
    const char *message = diag_at(consolidate_warnings(f->pool), 0)->message;
    assert_non_null(strstr(message, "510923, 510999"));
    assert_null(strstr(message, "510904"));
}

static void test_unreconciled(void **state)
{
    fixture_t *f = *state;
    const char *city[] = {"income.lower_remit", "300", "yuan", NULL};
    const char *county[] = {
        "expense.upper_remit", "299.99", "yuan", "income.upper_grant", "5", "yuan", NULL};
    s_report(f, "510900", "2023", city);
    s_report(f, "510904", "2023", county);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    /* Remittances differ by a fen; the grant has no counterpart at the 市本级. */
    assert_int_equal(s_warnings(f, "transfer_unreconciled"), 2);
    assert_true(consolidate_complete(f->pool)); /* nothing known is missing */
}

static void test_reconciled_within_wan_tolerance(void **state)
{
    fixture_t *f = *state;
    const char *city[] = {"income.lower_remit", "10000.40", "yuan", NULL};
    const char *county[] = {"expense.upper_remit", "1.00", "wan", NULL};
    s_report(f, "510900", "2023", city);
    s_report(f, "510904", "2023", county);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    assert_int_equal(s_warnings(f, "transfer_unreconciled"), 0);
    consolidate_destroy(&f->pool);
    /* Beyond half a unit of the last decimal (50 yuan) it is a finding. */
    const char *far[] = {"income.lower_remit", "10050.01", "yuan", NULL};
    report_destroy(&f->reports[0]);
    f->n = 0;
    report_destroy(&f->reports[1]);
    s_report(f, "510900", "2023", far);
    s_report(f, "510904", "2023", county);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    assert_int_equal(s_warnings(f, "transfer_unreconciled"), 1);
}

static void test_selection(void **state)
{
    fixture_t *f = *state;
    const char *old_rows[] = {"income.premium", "1", "yuan", NULL};
    const char *new_rows[] = {"income.premium", "2", "yuan", NULL};
    const char *other_rows[] = {"income.premium", "4", "yuan", NULL};
    report_t *old = s_report(f, "510904", "2023", old_rows);
    old->revision = 1;
    report_t *newer = s_report(f, "510904", "2023", new_rows);
    newer->revision = 3;
    report_t *older = s_report(f, "510904", "2023", old_rows);
    older->revision = 2;
    s_report(f, "513322", "2023", other_rows); /* another city */
    s_report(f, "510921", "2022", other_rows); /* another period */
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, s_known, 3);
    assert_int_equal(s_amount(f, "income.premium"), 200);
    assert_int_equal(consolidate_size(f->pool), 1);
    assert_false(consolidate_complete(f->pool));
    consolidate_destroy(&f->pool);
    f->pool = consolidate_new("510900", "2023", "employee", f->reports, f->n, NULL, 0);
    assert_int_equal(consolidate_size(f->pool), 0);
    s_absent(f, "income.premium");
    assert_null(consolidate_new(NULL, "2023", "resident", NULL, 0, NULL, 0));
}

/* Returns consolidate_reported of code in hundredths (fails when absent). */
static int64_t s_reported(fixture_t *f, const char *code)
{
    rational_t value;
    if (!consolidate_reported(f->pool, code, &value))
        fail_msg("pool value %s absent", code);
    return rational_centi(value);
}

static void test_weighted_means(void **state)
{
    fixture_t *f = *state;
    s_three_units(f);
    /* The 市本级 reports neither: (80 x 100 + 90 x 300) / 400. */
    assert_int_equal(s_reported(f, "ind.satisfaction"), 8750);
    /* Scores likewise: (1 x 100 + 0 x 300) / 400 = 0.25. */
    assert_int_equal(s_reported(f, "score.policy"), 25);
    rational_t value;
    assert_false(consolidate_reported(f->pool, "ind.none", &value));
    indicator_set_t *ind = indicator_set_new();
    assert_int_equal(consolidate_add_reported(f->pool, ind), 0);
    assert_int_equal(indicator_set_size(ind), 1);
    assert_true(indicator_set_value(ind, "satisfaction", &value));
    assert_int_equal(rational_cmp(value, rational_make(175, 2)), 0);
    indicator_set_destroy(&ind);
}

static void test_own_value_wins(void **state)
{
    fixture_t *f = *state;
    const char *city[] = {"ind.satisfaction", "97.78", "%", "score.policy", "0", "points", NULL};
    s_report(f, "510900", "2023", city);
    s_report(f, "510904", "2023", s_county1_rows);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    assert_int_equal(s_reported(f, "ind.satisfaction"), 9778);
    assert_int_equal(s_reported(f, "score.policy"), 0); /* the 市本级's own 0 */
}

static void test_equal_weights_without_enrollment(void **state)
{
    fixture_t *f = *state;
    const char *county[] = {"ind.satisfaction", "89.99", "%", NULL};
    s_report(f, "510904", "2023", s_county1_rows); /* 80 %, 100 enrolled */
    s_report(f, "510921", "2023", county);         /* no stat.enrolled */
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    /* (80 + 89.99) / 2 = 84.995: exact, shown half-up as 85.00. */
    rational_t value;
    assert_true(consolidate_reported(f->pool, "ind.satisfaction", &value));
    assert_int_equal(rational_cmp(value, rational_make(84995, 1000)), 0);
    assert_int_equal(rational_centi(value), 8500);
}

static void test_zero_enrollment_equal_weights(void **state)
{
    fixture_t *f = *state;
    const char *a[] = {"ind.rate", "10", "%", "stat.enrolled", "0", "person", NULL};
    const char *b[] = {"ind.rate", "20", "%", "stat.enrolled", "0", "person", NULL};
    s_report(f, "510904", "2023", a);
    s_report(f, "510921", "2023", b);
    f->pool = consolidate_new("510900", "2023", "resident", f->reports, f->n, NULL, 0);
    assert_int_equal(s_reported(f, "ind.rate"), 1500); /* no division by zero */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sums_and_elimination),
        T(test_units_and_completeness),
        T(test_unreconciled),
        T(test_reconciled_within_wan_tolerance),
        T(test_selection),
        T(test_weighted_means),
        T(test_own_value_wins),
        T(test_equal_weights_without_enrollment),
        T(test_zero_enrollment_equal_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
