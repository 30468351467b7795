/*  Tests of evalseen: a unit is changed until a record of its hash is
    recorded as queued; a member is found only for the hash it was made
    of, with why its record no longer validates; a newer member replaces
    the older; past the byte bound the members go and the queued hashes
    stay; past the unit bound everything goes; the hash tells records
    apart and is never 0.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "evalseen.h"
#include "poolmember.h"
#include "report.h"
#include <stdlib.h>
#include <string.h>

static poolmember_t *s_member(const char *unit, uint32_t revision)
{
    report_t *r = report_new(unit, "2023", "resident");
    assert_non_null(r);
    r->revision = revision;
    poolmember_t *m = poolmember_new(r);
    assert_non_null(m);
    report_destroy(&r);
    return m;
}

//  Whether a unit changed, as evalseen_find says it.
static bool s_changed(evalseen_t *seen, const char *period, const char *fund, const char *unit,
                      uint64_t hash)
{
    bool changed = false;
    const char *invalid;
    evalseen_find(seen, period, fund, unit, hash, &changed, &invalid);
    return changed;
}

//  The member evalseen_find gives, with why its record is invalid.
static const poolmember_t *s_kept(evalseen_t *seen, const char *period, const char *fund,
                                  const char *unit, uint64_t hash, const char **invalid)
{
    bool changed;
    return evalseen_find(seen, period, fund, unit, hash, &changed, invalid);
}

static void test_queued(void **state)
{
    (void)state;
    evalseen_t *seen = evalseen_new(0, 0);
    assert_non_null(seen);
    assert_true(s_changed(seen, "2023", "resident", "513322", 7));
    assert_int_equal(evalseen_record(seen, "2023", "resident", "513322", 7), 0);
    assert_false(s_changed(seen, "2023", "resident", "513322", 7));
    assert_true(s_changed(seen, "2023", "resident", "513322", 8));
    assert_true(s_changed(seen, "2023", "employee", "513322", 7));
    assert_true(s_changed(NULL, "2023", "resident", "513322", 7));
    assert_int_equal(evalseen_size(seen), 1);
    evalseen_destroy(&seen);
    assert_null(seen);
}

static void test_members(void **state)
{
    (void)state;
    evalseen_t *seen = evalseen_new(0, 0);
    const char *invalid = "x";
    assert_null(s_kept(seen, "2023", "resident", "513322", 5, &invalid));
    poolmember_t *m = s_member("513322", 1);
    const poolmember_t *kept = evalseen_keep(seen, "2023", "resident", "513322", 5, &m, "why");
    assert_null(m); //  taken over
    assert_non_null(kept);
    assert_ptr_equal(s_kept(seen, "2023", "resident", "513322", 5, &invalid), kept);
    assert_string_equal(invalid, "why");
    assert_null(s_kept(seen, "2023", "resident", "513322", 6, &invalid));
    assert_true(s_changed(seen, "2023", "resident", "513322", 5)); //  kept, not queued
    m = s_member("513322", 2);
    kept = evalseen_keep(seen, "2023", "resident", "513322", 6, &m, NULL);
    assert_int_equal(poolmember_revision(kept), 2);
    assert_null(s_kept(seen, "2023", "resident", "513322", 5, &invalid));
    assert_ptr_equal(s_kept(seen, "2023", "resident", "513322", 6, &invalid), kept);
    assert_null(invalid);
    assert_int_equal(evalseen_member_bytes(seen), poolmember_bytes(kept));
    evalseen_destroy(&seen);
}

static void test_bounds(void **state)
{
    (void)state;
    poolmember_t *probe = s_member("513322", 1);
    size_t one = poolmember_bytes(probe);
    poolmember_destroy(&probe);
    evalseen_t *seen = evalseen_new(3, 2 * one);
    const char *units[] = {"513322", "513331", "513336", "513337"};
    for (int i = 0; i < 3; i++) {
        poolmember_t *m = s_member(units[i], 1);
        assert_non_null(evalseen_keep(seen, "2023", "resident", units[i], 9, &m, NULL));
        assert_int_equal(evalseen_record(seen, "2023", "resident", units[i], 9), 0);
    }
    assert_int_equal(evalseen_member_bytes(seen), 3 * one);
    evalseen_trim(seen); //  over the bytes: the members go, the queued hashes stay
    assert_int_equal(evalseen_member_bytes(seen), 0);
    const char *invalid;
    assert_null(s_kept(seen, "2023", "resident", "513322", 9, &invalid));
    assert_false(s_changed(seen, "2023", "resident", "513322", 9));
    assert_int_equal(evalseen_record(seen, "2023", "resident", units[3], 9), 0);
    assert_int_equal(evalseen_size(seen), 4);
    evalseen_trim(seen); //  over the units: everything goes
    assert_int_equal(evalseen_size(seen), 0);
    assert_true(s_changed(seen, "2023", "resident", "513322", 9));
    evalseen_destroy(&seen);
}

static void test_hash(void **state)
{
    (void)state;
    char a[100], b[100];
    for (int i = 0; i < 100; i++)
        a[i] = b[i] = (char)i;
    b[97] ^= 1; //  in the tail
    assert_int_not_equal(evalseen_hash(a, 100), evalseen_hash(b, 100));
    b[97] ^= 1;
    b[3] ^= 1; //  in a word
    assert_int_not_equal(evalseen_hash(a, 100), evalseen_hash(b, 100));
    assert_int_equal(evalseen_hash(a, 100), evalseen_hash(a, 100));
    assert_int_not_equal(evalseen_hash(a, 99), evalseen_hash(a, 100));
    assert_int_not_equal(evalseen_hash("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queued),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
