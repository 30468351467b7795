/*  Tests of overdue (city-aggregator/overdue.c) on a real city store: a
    known unit without a report of a (period, fund) whose deadline passed is
    overdue by the time since that deadline (the largest over the pairs);
    a unit that reported, or a pair whose deadline is to come, is not; a
    configured unit that never reported anything is still listed; and
    citydb_configure marks every stored pair dirty when the configuration
    changes, never when it does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "cityconf.h"
#include "overdue.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    citydb_t *db;
    cityconf_t conf;
    char seen[8][8];
    int64_t seconds[8];
    int n;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_overdue.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    cityconf_init(&f->conf);
    snprintf(f->conf.city, sizeof f->conf.city, "513300");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    citydb_destroy(&f->db);
    cityconf_clear(&f->conf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void s_accept(fixture_t *f, const char *unit, const char *period, const char *fund)
{
    report_t *r = report_new(unit, period, fund);
    r->revision = 1;
    assert_int_equal(report_add(r, "income.total", "100.00", "yuan", "", 2), 0);
    citydb_outcome_t outcome;
    assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
    report_destroy(&r);
}

static void s_seen(const char *unit, int64_t seconds, void *arg)
{
    fixture_t *f = arg;
    assert_true(f->n < 8);
    snprintf(f->seen[f->n], sizeof f->seen[0], "%s", unit);
    f->seconds[f->n++] = seconds;
}

static int64_t s_of(fixture_t *f, const char *unit)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->seen[i], unit))
            return f->seconds[i];
    return -1; //  not listed
}

//  2023-01 (deadline 2023-02-10 end) and 2023 (deadline 2024-01-15 end).
static void test_overdue_by_pair(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023-01", "resident");
    s_accept(f, "513323", "2023-01", "resident");
    s_accept(f, "513322", "2023", "resident");
    f->conf.units = calloc(1, sizeof *f->conf.units);
    f->conf.n_units = 1;
    snprintf(f->conf.units[0].code, 8, "513329"); //  configured, never reported
    time_t now = 1735689600;                      //  2025-01-01T00:00:00Z
    assert_int_equal(overdue_each(f->db, &f->conf, now, s_seen, f), 0);
    assert_int_equal(f->n, 3);
    assert_string_equal(f->seen[0], "513322"); //  in code order
    assert_int_equal(s_of(f, "513322"), 0);
    //  513323 misses 2023: deadline 2023-12-31 + 15 days, end of day.
    int64_t year_deadline = 1704067200 + 15 * 86400; //  2024-01-16T00:00:00Z
    int64_t got = s_of(f, "513323");
    assert_true(got >= now - year_deadline - 86400 && got <= now - year_deadline + 86400);
    //  513329 misses both: the larger, since 2023-01's deadline.
    int64_t month_deadline = 1675209600 + 10 * 86400; //  2023-02-01 + 10 days
    got = s_of(f, "513329");
    assert_true(got >= now - month_deadline - 86400 && got <= now - month_deadline + 86400);

    //  Before 2023's deadline only 2023-01 counts: 513323 is not overdue.
    f->n = 0;
    assert_int_equal(overdue_each(f->db, &f->conf, 1700000000, s_seen, f), 0);
    assert_int_equal(s_of(f, "513323"), 0);
    assert_true(s_of(f, "513329") > 0);
}

static int s_count_mark(const citydb_mark_t *mark, void *arg)
{
    (void)mark;
    (*(int *)arg)++;
    return 0;
}

static int s_marks(fixture_t *f)
{
    int n = 0;
    assert_int_equal(citydb_each_mark(f->db, s_count_mark, &n), 0);
    return n;
}

//  A changed configuration marks every stored pair dirty, in its transaction.
static void test_configure_marks_pairs(void **state)
{
    fixture_t *f = *state;
    bool changed = true;
    assert_int_equal(citydb_configure(f->db, "{\"a\":1}", &changed), 0);
    assert_false(changed); //  the first configuration
    s_accept(f, "513322", "2023-01", "resident");
    s_accept(f, "513323", "2023-01", "resident");
    s_accept(f, "513322", "2023", "employee");
    assert_int_equal(s_marks(f), 2);
    //  Evaluated (with nothing to queue): the marks are cleared.
    assert_int_equal(citydb_commit_evaluations(f->db, "2023-01", "resident", NULL, 0, false), 0);
    assert_int_equal(citydb_commit_evaluations(f->db, "2023", "employee", NULL, 0, false), 0);
    assert_int_equal(s_marks(f), 0);
    size_t pairs = 9;
    int64_t age = 0;
    assert_int_equal(citydb_lag(f->db, &pairs, &age), 0);
    assert_int_equal(pairs, 0);
    assert_int_equal(age, -1);
    //  The same configuration again marks nothing; another marks both pairs.
    assert_int_equal(citydb_configure(f->db, "{\"a\":1}", &changed), 0);
    assert_false(changed);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(citydb_configure(f->db, "{\"a\":2}", &changed), 0);
    assert_true(changed);
    assert_int_equal(s_marks(f), 2);
    assert_int_equal(citydb_lag(f->db, &pairs, &age), 0);
    assert_int_equal(pairs, 2);
    assert_true(age >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overdue_by_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_configure_marks_pairs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
