/*  Tests of report: items, effective amounts of totals, the protobuf wire form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fundchain.pb-c.h"
#include "report.h"

/* Adds an item already "validated" with the given amount (fen). */
static void s_add_parsed(report_t *r, const char *code, int64_t amount)
{
    assert_int_equal(report_add(r, code, "0", "yuan", NULL, (int)r->n_items + 2), 0);
    r->items[r->n_items - 1].parsed = true;
    r->items[r->n_items - 1].amount = amount;
}

static int setup(void **state)
{
    report_t *r = report_new("510904", "2023", "resident");
    assert_non_null(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    report_t *r = *state;
    report_destroy(&r);
    assert_null(r);
    return 0;
}

static void test_new_refuses_long_or_null_fields(void **state)
{
    (void)state;
    report_t *r = report_new("12345678", "2023", "resident");
    assert_null(r);
    assert_null(report_new("510904", "2023-Q1-and-more-x", "resident"));
    assert_null(report_new(NULL, "2023", "resident"));
    assert_null(report_new("510904", "2023", NULL));
    r = report_new("", "", "");
    assert_non_null(r);
    report_destroy(&r);
    report_destroy(NULL);
}

static void test_add_and_find(void **state)
{
    report_t *r = *state;
    assert_int_equal(report_add(r, "income.total", "224,695,149.20", "yuan", NULL, 21), 0);
    assert_int_equal(report_add(r, "ind.satisfaction", "87.27", "%", ">=90", 27), 0);
    assert_int_equal(r->n_items, 2);
    const report_item_t *it = report_find(r, "ind.satisfaction");
    assert_non_null(it);
    assert_string_equal(it->value, "87.27");
    assert_string_equal(it->target, ">=90");
    assert_int_equal(it->line, 27);
    assert_false(it->parsed);
    assert_string_equal(report_find(r, "income.total")->target, "");
    assert_null(report_find(r, "income.premium"));
    char longcode[80];
    memset(longcode, 'a', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = '\0';
    assert_int_equal(report_add(r, longcode, "1", "yuan", NULL, 1), -1);
    assert_int_equal(report_add(r, "income.other", longcode, "yuan", NULL, 1), -1);
    assert_int_equal(report_add(r, "income.other", "1", NULL, NULL, 1), -1);
    assert_int_equal(r->n_items, 2);
}

static void test_item_limit(void **state)
{
    report_t *r = *state;
    for (int i = 0; i < REPORT_MAX_ITEMS; i++)
        assert_int_equal(report_add(r, "ind.x", "1", "%", NULL, i), 0);
    assert_int_equal(report_add(r, "ind.x", "1", "%", NULL, 0), -1);
    assert_int_equal(r->n_items, REPORT_MAX_ITEMS);
}

static void test_amount_of_given_and_derived_totals(void **state)
{
    report_t *r = *state;
    int64_t v = -1;
    /* 安居区 510904 2023: subsidy parts and the other income, in fen. */
    s_add_parsed(r, "income.subsidy.central", 6898291200);
    s_add_parsed(r, "income.subsidy.city", 1149715200);
    s_add_parsed(r, "income.subsidy.county", 1149715200);
    s_add_parsed(r, "income.subsidy.provincial", 2299430400);
    s_add_parsed(r, "income.premium", 6689905320);
    s_add_parsed(r, "income.interest", 246780000);
    s_add_parsed(r, "income.other", 6175700);
    s_add_parsed(r, "income.upper_grant", 4029501900);
    /* income.subsidy is derived from its four parts, income.total from it. */
    assert_true(report_amount(r, "income.subsidy", &v));
    assert_int_equal(v, 11497152000);
    assert_true(report_amount(r, "income.total", &v));
    assert_int_equal(v, 22469514920);
    /* A total given is taken as given, whatever its parts say. */
    s_add_parsed(r, "expense.total", 24211135800);
    s_add_parsed(r, "expense.other", 1);
    assert_true(report_amount(r, "expense.total", &v));
    assert_int_equal(v, 24211135800);
    assert_false(report_amount(r, "expense.benefit", &v));
    assert_false(report_amount(r, "balance.opening", &v));
    /* An item given but not valid has no value, and its parent ignores it. */
    assert_int_equal(report_add(r, "expense.benefit.inpatient", "x", "yuan", NULL, 3), 0);
    assert_false(report_amount(r, "expense.benefit", &v));
    s_add_parsed(r, "stat.enrolled", 1796430000);
    assert_true(report_amount(r, "stat.enrolled", &v));
    assert_int_equal(v, 1796430000);
}

static void test_amount_overflow_is_absent(void **state)
{
    report_t *r = *state;
    s_add_parsed(r, "income.premium", INT64_MAX);
    s_add_parsed(r, "income.other", 1);
    int64_t v = 0;
    assert_false(report_amount(r, "income.total", &v));
}

static void test_encode_decode_round_trip(void **state)
{
    report_t *r = *state;
    r->revision = 3;
    r->submitted_at = 1700000000;
    assert_int_equal(report_add(r, "income.total", "70,325.02", "wan", NULL, 2), 0);
    assert_int_equal(report_add(r, "ind.satisfaction", "87.27", "%", ">=90", 3), 0);
    size_t len = 0;
    uint8_t *buf = report_encode(r, &len);
    assert_non_null(buf);
    assert_true(len > 40);
    const char *why = NULL;
    report_t *back = report_decode(buf, len, &why);
    assert_non_null(back);
    assert_string_equal(back->unit, "510904");
    assert_string_equal(back->period, "2023");
    assert_string_equal(back->fund, "resident");
    assert_int_equal(back->revision, 3);
    assert_int_equal(back->submitted_at, 1700000000);
    assert_int_equal(back->n_items, 2);
    assert_string_equal(back->items[0].value, "70,325.02");
    assert_string_equal(back->items[0].uom, "wan");
    assert_string_equal(back->items[1].target, ">=90");
    assert_int_equal(back->items[1].line, 0);
    report_destroy(&back);
    /* Every truncation is refused or yields fewer items, never a crash. */
    for (size_t cut = 0; cut < len; cut++) {
        report_t *part = report_decode(buf, cut, &why);
        if (part)
            assert_true(part->n_items <= 2);
        report_destroy(&part);
    }
    free(buf);
}

static void test_decode_refuses_bad_messages(void **state)
{
    (void)state;
    const char *why = NULL;
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_null(report_decode(junk, sizeof junk, &why));
    assert_string_equal(why, "malformed protobuf Report");
    assert_null(report_decode(NULL, 4, &why));
    /* A field too long for the report. */
    Fundchain__Report msg = FUNDCHAIN__REPORT__INIT;
    msg.unit = "510904";
    msg.period = "2023";
    msg.fund = "resident-and-much-more";
    uint8_t buf[256];
    size_t len = fundchain__report__pack(&msg, buf);
    assert_null(report_decode(buf, len, &why));
    assert_string_equal(why, "unit, period or fund too long");
    /* NULL strings in a message built by hand. */
    msg.fund = NULL;
    assert_null(report_from_pb(&msg, &why));
    msg.fund = "resident";
    Fundchain__Item item = FUNDCHAIN__ITEM__INIT;
    Fundchain__Item *items[] = {&item};
    item.code = NULL;
    item.value = "1";
    msg.n_items = 1;
    msg.items = items;
    assert_null(report_from_pb(&msg, &why));
    assert_string_equal(why, "item with a missing field");
    item.code = "income.total";
    report_t *ok = report_from_pb(&msg, &why);
    assert_non_null(ok);
    assert_string_equal(ok->items[0].code, "income.total");
    report_destroy(&ok);
}

static void test_decode_refuses_too_many_items(void **state)
{
    (void)state;
    size_t n = REPORT_MAX_ITEMS + 1;
    Fundchain__Item *items = calloc(n, sizeof *items);
    Fundchain__Item **ptrs = calloc(n, sizeof *ptrs);
    assert_non_null(items);
    assert_non_null(ptrs);
    for (size_t i = 0; i < n; i++) {
        fundchain__item__init(&items[i]);
        items[i].code = "ind.x";
        items[i].value = "1";
        items[i].uom = "%";
        ptrs[i] = &items[i];
    }
    Fundchain__Report msg = FUNDCHAIN__REPORT__INIT;
    msg.unit = "510904";
    msg.period = "2023";
    msg.fund = "resident";
    msg.n_items = n;
    msg.items = ptrs;
    size_t len = fundchain__report__get_packed_size(&msg);
    uint8_t *buf = malloc(len);
    fundchain__report__pack(&msg, buf);
    const char *why = NULL;
    assert_null(report_decode(buf, len, &why));
    assert_string_equal(why, "too many items");
    free(buf);
    free(ptrs);
    free(items);
}

static void test_decode_survives_garbage(void **state)
{
    (void)state;
    srand(12345);
    uint8_t buf[300];
    int decoded = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand() % (int)sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rand();
        const char *why = NULL;
        report_t *r = report_decode(buf, len, &why);
        decoded += r != NULL;
        if (!r)
            assert_non_null(why);
        report_destroy(&r);
    }
    assert_true(decoded < 20000);
}

static void test_dup_is_deep(void **state)
{
    report_t *r = *state;
    s_add_parsed(r, "income.total", 42);
    r->revision = 7;
    report_t *copy = report_dup(r);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->items, r->items);
    assert_int_equal(copy->revision, 7);
    assert_int_equal(report_add(copy, "income.other", "1", "yuan", NULL, 9), 0);
    assert_int_equal(r->n_items, 1);
    assert_int_equal(copy->n_items, 2);
    int64_t v;
    assert_true(report_amount(copy, "income.total", &v));
    assert_int_equal(v, 42);
    report_destroy(&copy);
    report_t *empty = report_new("510900", "2023", "dept");
    copy = report_dup(empty);
    assert_non_null(copy);
    assert_int_equal(copy->n_items, 0);
    report_destroy(&copy);
    report_destroy(&empty);
}

//  report_find goes through a hash of the codes: across the growth of its
//  table, in a copy, and for a repeated code (the first item, as a scan
//  finds it).
static void test_find_many(void **state)
{
    report_t *r = *state;
    char code[32];
    for (int i = 0; i < 300; i++) {
        snprintf(code, sizeof code, "ind.x%d", i);
        assert_int_equal(report_add(r, code, "1", "", NULL, i + 2), 0);
    }
    assert_int_equal(report_add(r, "ind.x5", "2", "", NULL, 999), 0);
    report_t *copy = report_dup(r);
    assert_non_null(copy);
    for (int i = 0; i < 300; i++) {
        snprintf(code, sizeof code, "ind.x%d", i);
        assert_ptr_equal(report_find(r, code), &r->items[i]);
        assert_ptr_equal(report_find(copy, code), &copy->items[i]);
    }
    assert_int_equal(report_find(r, "ind.x5")->line, 7);
    assert_null(report_find(r, "ind.x300"));
    assert_null(report_find(copy, "income.total"));
    report_destroy(&copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_long_or_null_fields),
        cmocka_unit_test_setup_teardown(test_add_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amount_of_given_and_derived_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amount_overflow_is_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encode_decode_round_trip, setup, teardown),
        cmocka_unit_test(test_decode_refuses_bad_messages),
        cmocka_unit_test(test_decode_refuses_too_many_items),
        cmocka_unit_test(test_decode_survives_garbage),
        cmocka_unit_test_setup_teardown(test_dup_is_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_many, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
