/*  Tests of catalog: the items of SPEC 2.2, their parents, units and roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "catalog.h"
#include "decimal.h"

static const char *s_parent(const char *code)
{
    const catalog_entry_t *e = catalog_lookup(code);
    assert_non_null(e);
    return e->parent ? e->parent : "";
}

static void test_lookup_fixed_items(void **state)
{
    (void)state;
    const catalog_entry_t *e = catalog_lookup("expense.benefit");
    assert_non_null(e);
    assert_string_equal(e->name, "待遇支出");
    assert_int_equal(e->kind, ITEM_MONEY);
    assert_false(e->negative_ok);
    assert_false(e->dept_only);
    assert_string_equal(catalog_lookup("balance.opening")->name, "年初滚存结余");
    assert_true(catalog_lookup("balance.closing")->negative_ok);
    assert_string_equal(catalog_lookup("income.subsidy")->name, "财政补贴收入");
    assert_int_equal(catalog_lookup("stat.enrolled")->kind, ITEM_STAT);
    assert_string_equal(catalog_lookup("stat.enrolled")->name, "参保人数");
    assert_true(catalog_lookup("dept.final.expense.three_public")->dept_only);
    assert_null(catalog_lookup("income.premuim"));
    assert_null(catalog_lookup("income"));
    assert_null(catalog_lookup(""));
    assert_null(catalog_lookup(NULL));
}

static void test_free_families(void **state)
{
    (void)state;
    const catalog_entry_t *ind = catalog_lookup("ind.satisfaction");
    assert_non_null(ind);
    assert_int_equal(ind->kind, ITEM_IND);
    assert_true(ind->negative_ok);
    assert_ptr_equal(catalog_lookup("ind.enrollment_rate"), ind);
    const catalog_entry_t *score = catalog_lookup("score.policy_formulation");
    assert_non_null(score);
    assert_int_equal(score->kind, ITEM_SCORE);
    assert_false(score->negative_ok);
    assert_ptr_equal(catalog_lookup("score.total"), score);
    assert_null(catalog_lookup("ind."));
    assert_null(catalog_lookup("score."));
    assert_null(catalog_lookup("ind.满意度"));
    assert_null(catalog_lookup("ind.a b"));
}

static void test_parents(void **state)
{
    (void)state;
    const char *income[] = {"income.premium",  "income.subsidy",     "income.interest",
                            "income.transfer", "income.upper_grant", "income.lower_remit",
                            "income.other"};
    for (size_t i = 0; i < sizeof income / sizeof income[0]; i++)
        assert_string_equal(s_parent(income[i]), "income.total");
    assert_string_equal(s_parent("income.subsidy.central"), "income.subsidy");
    assert_string_equal(s_parent("income.subsidy.county"), "income.subsidy");
    const char *expense[] = {"expense.benefit", "expense.transfer", "expense.upper_remit",
                             "expense.lower_grant", "expense.other"};
    for (size_t i = 0; i < sizeof expense / sizeof expense[0]; i++)
        assert_string_equal(s_parent(expense[i]), "expense.total");
    assert_string_equal(s_parent("expense.benefit.maternity_allowance"), "expense.benefit");
    assert_string_equal(s_parent("expense.benefit.outpatient_chronic"), "expense.benefit");
    assert_string_equal(s_parent("dept.budget.income.carryover"), "dept.budget.income.total");
    assert_string_equal(s_parent("dept.final.expense.project"), "dept.final.expense.total");
    assert_string_equal(s_parent("dept.final.expense.three_public"), "");
    assert_string_equal(s_parent("income.total"), "");
    assert_string_equal(s_parent("budget.income"), "");
    assert_true(catalog_has_children("income.subsidy"));
    assert_true(catalog_has_children("dept.budget.expense.total"));
    assert_false(catalog_has_children("income.premium"));
    assert_false(catalog_has_children("dept.budget.expense.public"));
}

static void test_table_is_consistent(void **state)
{
    (void)state;
    size_t n = catalog_size();
    assert_int_equal(n, 50); /* 2 balances, 12 income, 11 expense, 2 budget, 18 dept, 5 stat */
    for (size_t i = 0; i < n; i++) {
        const catalog_entry_t *e = catalog_at(i);
        assert_ptr_equal(catalog_lookup(e->code), e);
        assert_true(strlen(e->name) > 0);
        if (e->parent)
            assert_non_null(catalog_lookup(e->parent));
        assert_int_equal(e->dept_only, strncmp(e->code, "dept.", 5) == 0);
        assert_int_equal(e->negative_ok, strncmp(e->code, "balance.", 8) == 0);
    }
    assert_null(catalog_at(n));
}

/* The index agrees with the table: every total's parts, in catalogue
   order, are exactly the entries that name it as parent. */
static void test_children_index(void **state)
{
    (void)state;
    size_t n = catalog_size();
    for (size_t i = 0; i < n; i++) {
        const catalog_entry_t *e = catalog_at(i);
        assert_int_equal(catalog_index(e), (int)i);
        const catalog_entry_t *part = catalog_child(e, NULL);
        bool any = false;
        for (size_t k = 0; k < n; k++) {
            const catalog_entry_t *c = catalog_at(k);
            if (!c->parent || strcmp(c->parent, e->code) != 0)
                continue;
            assert_ptr_equal(part, c);
            part = catalog_child(e, part);
            any = true;
        }
        assert_null(part);
        assert_int_equal(catalog_has_children(e->code), any);
    }
    const catalog_entry_t *total = catalog_lookup("income.subsidy");
    const catalog_entry_t *first = catalog_child(total, NULL);
    assert_string_equal(first->code, "income.subsidy.central");
    assert_string_equal(catalog_child(total, first)->code, "income.subsidy.provincial");
    assert_int_equal(catalog_index(catalog_lookup("ind.x")), -1);
    assert_int_equal(catalog_index(NULL), -1);
    assert_null(catalog_child(catalog_lookup("ind.x"), NULL));
    assert_null(catalog_child(NULL, NULL));
    assert_false(catalog_has_children(NULL));
    assert_false(catalog_has_children("ind.x"));
    assert_true(CATALOG_FIXED_MAX >= n);
}

static void test_pool_roles(void **state)
{
    (void)state;
    assert_int_equal(catalog_lookup("expense.upper_remit")->pool_role, POOL_COUNTY_INTRA);
    assert_int_equal(catalog_lookup("income.upper_grant")->pool_role, POOL_COUNTY_INTRA);
    assert_int_equal(catalog_lookup("income.lower_remit")->pool_role, POOL_CITY_INTRA);
    assert_int_equal(catalog_lookup("expense.lower_grant")->pool_role, POOL_CITY_INTRA);
    assert_int_equal(catalog_lookup("expense.transfer")->pool_role, POOL_KEEP);
    assert_int_equal(catalog_lookup("income.total")->pool_role, POOL_KEEP);
}

static void test_suggest(void **state)
{
    (void)state;
    assert_string_equal(catalog_suggest("income.premuim"), "income.premium");
    assert_string_equal(catalog_suggest("expense.benifit"), "expense.benefit");
    assert_string_equal(catalog_suggest("balance_opening"), "balance.opening");
    assert_string_equal(catalog_suggest("stat.enroled"), "stat.enrolled");
    assert_null(catalog_suggest("zzzzzz"));
    assert_null(catalog_suggest(""));
    assert_null(catalog_suggest(NULL));
    char longcode[300];
    memset(longcode, 'a', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = '\0';
    assert_null(catalog_suggest(longcode));
}

/* The nearest-code search that every "did you mean" uses. */
static void test_near(void **state)
{
    (void)state;
    catalog_near_t near;
    catalog_near_start(&near, "Satisfaction");
    assert_false(catalog_near_offer(&near, "enrollment_rate")); /* too far */
    assert_null(near.best);
    assert_true(catalog_near_offer(&near, "satisfactions"));
    assert_true(catalog_near_offer(&near, "satisfaction")); /* nearer */
    assert_false(catalog_near_offer(&near, "Satisfactionxx"));
    assert_string_equal(near.best, "satisfaction");
    assert_int_equal(near.best_d, 1);
    assert_false(catalog_near_offer(&near, NULL));
    /* The limit grows with the code: max(3, length / 3). */
    catalog_near_start(&near, "inpatient_reimbursment");
    assert_true(catalog_near_offer(&near, "inpatient_reimbursement"));
    catalog_near_start(&near, "abc");
    assert_false(catalog_near_offer(&near, "abcdefg"));
    assert_true(catalog_near_offer(&near, "abcdef"));
    catalog_near_start(&near, NULL);
    assert_false(catalog_near_offer(&near, "x"));
    assert_null(near.best);
}

static void test_units_of_measure(void **state)
{
    (void)state;
    const catalog_entry_t *money = catalog_lookup("income.total");
    assert_true(catalog_uom_ok(money, "yuan"));
    assert_true(catalog_uom_ok(money, "wan"));
    assert_false(catalog_uom_ok(money, "person"));
    assert_false(catalog_uom_ok(money, "Yuan"));
    assert_true(catalog_uom_ok(catalog_lookup("stat.enrolled"), "wan-person"));
    assert_false(catalog_uom_ok(catalog_lookup("stat.enrolled"), "count"));
    assert_true(catalog_uom_ok(catalog_lookup("stat.beneficiaries"), "count"));
    assert_true(catalog_uom_ok(catalog_lookup("stat.subsidy_standard"), "yuan"));
    assert_false(catalog_uom_ok(catalog_lookup("stat.subsidy_standard"), "wan"));
    const catalog_entry_t *ind = catalog_lookup("ind.x");
    const char *any[] = {"%", "points", "months", "count", "person", "wan-person", "yuan", "wan"};
    for (size_t i = 0; i < sizeof any / sizeof any[0]; i++)
        assert_true(catalog_uom_ok(ind, any[i]));
    assert_false(catalog_uom_ok(ind, "percent"));
    assert_true(catalog_uom_ok(catalog_lookup("score.total"), "points"));
    assert_false(catalog_uom_ok(catalog_lookup("score.total"), "%"));
    assert_false(catalog_uom_ok(NULL, "yuan"));
    assert_false(catalog_uom_ok(money, NULL));
    int64_t unit = 0;
    assert_true(catalog_uom_money("wan", &unit));
    assert_int_equal(unit, FEN_PER_WAN);
    assert_true(catalog_uom_money("yuan", &unit));
    assert_int_equal(unit, FEN_PER_YUAN);
    assert_false(catalog_uom_money("person", &unit));
    assert_int_equal(catalog_uom_factor("wan-person"), 10000);
    assert_int_equal(catalog_uom_factor("%"), 1);
    assert_int_equal(catalog_uom_factor("yuan"), 0);
    assert_int_equal(catalog_uom_factor("kg"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_fixed_items),
        cmocka_unit_test(test_free_families),
        cmocka_unit_test(test_parents),
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_children_index),
        cmocka_unit_test(test_pool_roles),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_near),
        cmocka_unit_test(test_units_of_measure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
