/*  Tests of the rules of review and locking (city-aggregator/cityreview.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cityreview.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    Fundchain__Review unit, pool;
    char why[CITYREVIEW_WHY];
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    fundchain__review__init(&f->unit);
    fundchain__review__init(&f->pool);
    *state = f;
    return 0;
}

static void s_clear(Fundchain__Review *r)
{
    char **texts[] = {&r->approved_by, &r->province_by, &r->unlock_by};
    for (size_t i = 0; i < 3; i++)
        if (*texts[i] != protobuf_c_empty_string)
            free(*texts[i]);
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    s_clear(&f->unit);
    s_clear(&f->pool);
    free(f);
    return 0;
}

#define T_2024 1704067200 /* 2024-01-01T00:00:00Z */
#define DAY 86400

static cityreview_op_t s_op(cityreview_kind_t kind, bool pool, int64_t at)
{
    cityreview_op_t op = {kind, "2023", "resident", pool ? "510400" : "510402",
                          pool, "张三", at,         0, 0};
    return op;
}

static int s_admit(fixture_t *f, const cityreview_lock_t *lock, int64_t now)
{
    return cityreview_admit(&f->unit, &f->pool, lock, "510402", "510400", "2023", "resident", now,
                            f->why, sizeof f->why);
}

//  An approved unit takes no revision; the reason names who and when and
//  how to ask for an unapproval. Unapproved, it takes them again.
static void test_unit_approval(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_admit(f, NULL, T_2024), 0);
    cityreview_op_t op = s_op(CITYREVIEW_APPROVE, false, T_2024);
    assert_int_equal(cityreview_apply(&f->unit, &f->pool, &op, NULL, 0, f->why, sizeof f->why), 0);
    assert_int_equal(s_admit(f, NULL, T_2024 + 1), 1);
    assert_non_null(strstr(f->why, "approved by 张三 at 2024-01-01T00:00:00Z"));
    assert_non_null(strstr(f->why, "city-aggregator unapprove --unit 510402"));
    assert_int_equal(cityreview_apply(&f->unit, &f->pool, &op, NULL, 0, f->why, sizeof f->why),
                     1); //  twice
    op.kind = CITYREVIEW_UNAPPROVE;
    assert_int_equal(cityreview_apply(&f->unit, &f->pool, &op, NULL, 0, f->why, sizeof f->why), 0);
    assert_int_equal(s_admit(f, NULL, T_2024 + 2), 0);
    assert_int_equal(cityreview_apply(&f->unit, &f->pool, &op, NULL, 0, f->why, sizeof f->why),
                     1); //  not approved
}

//  The pool needs every known unit approved; approved, it locks its units,
//  whose approval cannot be withdrawn before the pool's.
static void test_pool(void **state)
{
    fixture_t *f = *state;
    cityreview_op_t op = s_op(CITYREVIEW_APPROVE, true, T_2024);
    const char *unapproved[] = {"510402", "510403"};
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, unapproved, 2, f->why, sizeof f->why),
                     1);
    assert_non_null(strstr(f->why, "2 not approved: 510402 510403"));
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
    assert_int_equal(s_admit(f, NULL, T_2024), 1);
    assert_non_null(strstr(f->why, "the pool of 510400 2023 resident was approved"));
    cityreview_op_t unit = s_op(CITYREVIEW_UNAPPROVE, false, T_2024);
    assert_int_equal(cityreview_apply(&f->unit, &f->pool, &unit, NULL, 0, f->why, sizeof f->why),
                     1);
    assert_non_null(strstr(f->why, "unapprove the pool first"));
}

//  The province's approval stands above the city's: the city cannot
//  withdraw its pool's approval until the province has.
static void test_province_first(void **state)
{
    fixture_t *f = *state;
    cityreview_op_t op = s_op(CITYREVIEW_PROVINCE_APPROVE, true, T_2024);
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 1);
    op.kind = CITYREVIEW_APPROVE;
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
    op.kind = CITYREVIEW_PROVINCE_APPROVE;
    op.by = "省医保局";
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
    assert_int_equal(s_admit(f, NULL, T_2024), 1);
    assert_non_null(strstr(f->why, "the province approved the pool"));
    op.kind = CITYREVIEW_UNAPPROVE;
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 1);
    assert_non_null(strstr(f->why, "the province unapproves first"));
    op.kind = CITYREVIEW_PROVINCE_UNAPPROVE;
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
    op.kind = CITYREVIEW_UNAPPROVE;
    assert_int_equal(cityreview_apply(&f->pool, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
}

//  --lock-after: a year locks D days after its last day; the reason names
//  the day it closed; an unlock takes revisions until its date.
static void test_time_lock(void **state)
{
    fixture_t *f = *state;
    cityreview_lock_t lock;
    const char *why;
    assert_int_equal(cityreview_lock_parse("month=10,year=30", &lock, &why), 0);
    assert_int_equal(lock.year, 30);
    assert_int_equal(lock.quarter, 0);
    assert_int_equal(s_admit(f, &lock, T_2024 + 30 * DAY - 1), 0);
    assert_int_equal(s_admit(f, &lock, T_2024 + 30 * DAY + 1), 1);
    assert_non_null(strstr(f->why, "period 2023 closed on 2023-12-31"));
    assert_non_null(strstr(f->why, "city-aggregator unlock --unit 510402"));
    int64_t until;
    assert_int_equal(cityreview_date_end("2024-03-01", &until), 0);
    cityreview_op_t op = s_op(CITYREVIEW_UNLOCK, false, T_2024 + 31 * DAY);
    op.until = until;
    assert_int_equal(cityreview_apply(&f->unit, NULL, &op, NULL, 0, f->why, sizeof f->why), 0);
    assert_int_equal(s_admit(f, &lock, until), 0);
    assert_int_equal(s_admit(f, &lock, until + 1), 1);
    lock.year = 0; //  no lock for years
    assert_int_equal(s_admit(f, &lock, until + 1000 * DAY), 0);
}

static void test_parse(void **state)
{
    (void)state;
    cityreview_lock_t lock;
    const char *why;
    assert_int_equal(cityreview_lock_parse("week=3", &lock, &why), -1);
    assert_int_equal(cityreview_lock_parse("year=0", &lock, &why), -1);
    assert_int_equal(cityreview_lock_parse("year=x", &lock, &why), -1);
    int64_t t;
    assert_int_equal(cityreview_date_end("2023-02-30", &t), -1);
    assert_int_equal(cityreview_date_end("2023-2-3x", &t), -1);
    assert_int_equal(cityreview_date_end("2023-12-31", &t), 0);
    assert_int_equal(t, T_2024 - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unit_approval, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_pool, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_province_first, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_time_lock, s_setup, s_teardown),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
