/*  Tests of the outlier warnings made from a unit's series points
    (city-aggregator/cityseries.c): which earlier points count, how a
    point's values are matched to the report's items, and what is warned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cityseries.h"
#include "decimal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 40
#define THRESHOLD (35 * QTY_SCALE / 10) /* 3.5 */

typedef struct {
    cityseries_past_t past[MAX_POINTS];
    uint8_t *bytes[MAX_POINTS];
    char periods[MAX_POINTS][16];
    size_t n;
    Fundchain__Evaluation *eval;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->eval = fundchain__evaluation__unpack(NULL, 0, (const uint8_t *)"");
    *state = f;
    return f && f->eval ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    for (size_t i = 0; i < f->n; i++)
        free(f->bytes[i]);
    fundchain__evaluation__free_unpacked(f->eval, NULL);
    free(f);
    return 0;
}

//  A validated report of (code, amount) pairs; money in fen under "yuan",
//  ind.* in 1/10000 under "%". codes[k] NULL ends the list.
static report_t *s_report(const char *period, const char *const *codes, const int64_t *amounts)
{
    report_t *r = report_new("510402", period, "resident");
    for (size_t k = 0; r && codes[k]; k++) {
        assert_int_equal(
            report_add(r, codes[k], "0", strncmp(codes[k], "ind.", 4) ? "yuan" : "%", NULL, 0), 0);
        r->items[k].parsed = true;
        r->items[k].amount = amounts[k];
    }
    return r;
}

//  Keeps the point of a report of period as an earlier period.
static void s_point(fixture_t *f, const char *period, const char *const *codes,
                    const int64_t *amounts)
{
    report_t *r = s_report(period, codes, amounts);
    size_t len;
    f->bytes[f->n] = cityseries_pack(r, &len);
    assert_non_null(f->bytes[f->n]);
    snprintf(f->periods[f->n], sizeof f->periods[f->n], "%s", period);
    f->past[f->n] = (cityseries_past_t){f->periods[f->n], f->bytes[f->n], len};
    f->n++;
    report_destroy(&r);
}

//  The warnings of a report against the points kept.
static size_t s_warn(fixture_t *f, const char *period, const char *const *codes,
                     const int64_t *amounts)
{
    report_t *r = s_report(period, codes, amounts);
    assert_int_equal(cityseries_warn(r, f->past, f->n, THRESHOLD, f->eval), 0);
    report_destroy(&r);
    return f->eval->n_warnings;
}

static const char *const s_codes[] = {"income.total", "ind.rate", NULL};

//  Twelve months of a steady series: an ordinary value passes, a value far
//  from it is warned of, naming the item, the value, the median and the score.
static void test_planted(void **state)
{
    fixture_t *f = *state;
    for (int m = 1; m <= 12; m++) {
        char period[16];
        snprintf(period, sizeof period, "2023-%02d", m);
        int64_t v[] = {100000000 + (m % 3) * 100000, 950000 + (m % 2) * 1000};
        s_point(f, period, s_codes, v);
    }
    int64_t usual[] = {100100000, 950500};
    assert_int_equal(s_warn(f, "2024-01", s_codes, usual), 0);
    int64_t far[] = {300000000, 951000};
    assert_int_equal(s_warn(f, "2024-01", s_codes, far), 1);
    Fundchain__Warning *w = f->eval->warnings[0];
    assert_string_equal(w->code, "outlier");
    assert_non_null(strstr(w->message, "income.total 3000000.00 is far from its history"));
    assert_non_null(strstr(w->message, "median 1001000.00 over 12 earlier periods"));
    assert_non_null(strstr(w->message, "(limit 3.5)"));
}

//  A point's values are matched by code, whatever their order, and a point
//  without the item does not count for it.
static void test_matched_by_code(void **state)
{
    fixture_t *f = *state;
    static const char *const reversed[] = {"ind.rate", "income.total", NULL};
    static const char *const rate_only[] = {"ind.rate", NULL};
    for (int m = 1; m <= 8; m++) {
        char period[16];
        snprintf(period, sizeof period, "2023-%02d", m);
        int64_t v[] = {950000 + (m % 2) * 1000, 100000000 + (m % 3) * 100000};
        if (m <= 4)
            s_point(f, period, reversed, v);
        else
            s_point(f, period, rate_only, v);
    }
    //  income.total has 4 earlier values, ind.rate 8: both are judged.
    int64_t usual[] = {100000000, 950000};
    assert_int_equal(s_warn(f, "2023-09", s_codes, usual), 0);
    int64_t far[] = {100000000, 10000};
    assert_int_equal(s_warn(f, "2023-09", s_codes, far), 1);
    assert_non_null(strstr(f->eval->warnings[0]->message, "ind.rate 1 is far"));
    assert_non_null(strstr(f->eval->warnings[0]->message, "over 8 earlier periods"));
}

//  Only earlier periods of the same length count; fewer than 4: no verdict.
static void test_other_periods_skipped(void **state)
{
    fixture_t *f = *state;
    int64_t steady[] = {100000000, 950000};
    s_point(f, "2023-01", s_codes, steady);
    s_point(f, "2023-02", s_codes, steady);
    s_point(f, "2023-03", s_codes, steady);
    s_point(f, "2023-Q1", s_codes, steady); //  a quarter
    s_point(f, "2023", s_codes, steady);    //  a year
    s_point(f, "2023-05", s_codes, steady); //  later than the report
    s_point(f, "2023-04", s_codes, steady); //  the report's own period
    int64_t far[] = {900000000, 10000};
    assert_int_equal(s_warn(f, "2023-04", s_codes, far), 0);
    s_point(f, "2022-12", s_codes, (int64_t[]){100000100, 950100});
    assert_int_equal(s_warn(f, "2023-04", s_codes, far), 2);
}

//  A point that holds a code twice (a report stored with a duplicate item)
//  gives no row more values than there are points.
static void test_code_twice(void **state)
{
    fixture_t *f = *state;
    static const char *const twice[] = {"income.total", "income.total", "income.total", NULL};
    for (int m = 1; m <= 5; m++) {
        char period[16];
        snprintf(period, sizeof period, "2023-%02d", m);
        s_point(f, period, twice, (int64_t[]){100000000, 100000100, 99999900});
    }
    int64_t far[] = {900000000, 950000};
    assert_int_equal(s_warn(f, "2023-06", s_codes, far), 1);
    assert_non_null(strstr(f->eval->warnings[0]->message, "over 5 earlier periods"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_planted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_matched_by_code, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_other_periods_skipped, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_code_twice, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
