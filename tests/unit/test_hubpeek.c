/*  Tests of reading a stored Evaluation's ranked fields from its bytes
    (province-hub/hubpeek.c): the same figures as a full decode on an
    evaluation the product made, protobuf's rules (a later scalar wins,
    unknown fields skipped), and malformed bytes refused.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "evaluation.h"
#include "hubdb.h"
#include "hubfill.h"
#include "hubpeek.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    hubdb_t *db;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_hubpeek.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = hubdb_open(f->dir, "510000");
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    hubdb_destroy(&f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Compares hubpeek_read with the decoded evaluation, for every indicator.
static int s_same(const Fundchain__Evaluation *eval, void *arg)
{
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(eval, &len);
    assert_non_null(bytes);
    hubpeek_t p;
    assert_int_equal(hubpeek_read(bytes, len, "total", &p), 0);
    assert_int_equal(p.code_len, strlen(eval->code));
    assert_memory_equal(p.code, eval->code, p.code_len);
    assert_int_equal(p.name_len, strlen(eval->name));
    assert_memory_equal(p.name, eval->name, p.name_len);
    assert_int_equal(p.version, eval->version);
    assert_int_equal(p.level, eval->level);
    assert_int_equal(p.has_value, eval->has_total);
    assert_int_equal(p.centi, eval->total_centi);
    uint64_t version = 0;
    assert_int_equal(hubpeek_version(bytes, len, &version), 0);
    assert_int_equal(version, eval->version);
    assert_true(eval->n_indicators > 10);
    for (size_t i = 0; i < eval->n_indicators; i++) {
        const Fundchain__Shown *s = eval->indicators[i];
        assert_int_equal(hubpeek_read(bytes, len, s->code, &p), 0);
        bool text = s->text && *s->text;
        assert_int_equal(p.has_value, !text);
        assert_int_equal(p.centi, text ? 0 : s->centi);
    }
    assert_int_equal(hubpeek_read(bytes, len, "no_such_code", &p), 0);
    assert_false(p.has_value);
    free(bytes);
    ++*(int *)arg;
    return 0;
}

//  On the evaluations the product's evaluator makes (units and pools),
//  every field read is the one a full decode gives.
static void test_same_as_decode(void **state)
{
    fixture_t *f = *state;
    hubfill_spec_t spec = {2, 3, 2023, 1, 1, 2, 100, 7};
    hubfill_stats_t stats;
    assert_int_equal(hubfill_populate(f->db, &spec, &stats), 0);
    assert_int_equal(stats.units, 2 * 4 * 2);
    assert_int_equal(stats.pools, 2 * 2);
    int units = 0, pools = 0;
    assert_int_equal(hubdb_each(f->db, "2023-01", "employee", FUNDCHAIN__EVALUATION__LEVEL__UNIT,
                                s_same, &units),
                     0);
    assert_int_equal(hubdb_each(f->db, "2023-01", "resident", FUNDCHAIN__EVALUATION__LEVEL__POOL,
                                s_same, &pools),
                     0);
    assert_int_equal(units, 8);
    assert_int_equal(pools, 2);
}

//  A later value of a field replaces the earlier one; unknown fields of
//  every wire type are skipped; the first numeric indicator of the code
//  counts, one with text does not.
static void test_wire_rules(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {
        0x0a, 0x01, 'x',                                       // code "x"
        0x30, 0x05,                                            // version 5
        0x0a, 0x02, 'a',  'b',                                 // code "ab": the later one
        0x30, 0x07,                                            // version 7
        0xa0, 0x06, 0x01,                                      // field 100, varint
        0xa9, 0x06, 1,    2,    3,    4,    5,    6,   7,   8, // field 101, 64-bit
        0xb5, 0x06, 1,    2,    3,    4,                       // field 102, 32-bit
        0xed, 0xf8, 0xcd, 0xcf, 0x32, 1,    2,    3,   4, // a 5-byte tag: field 0x3279b78e, 32-bit
        0x4a, 0x07, 0x0a, 0x01, 'm',  0x1a, 0x02, 'h', 'i', // Shown m with text
        0x4a, 0x05, 0x0a, 0x01, 'm',  0x10, 0x03,           // Shown m, centi -2
        0x4a, 0x05, 0x0a, 0x01, 'm',  0x10, 0x04,           // Shown m, centi 2: not first
        0x58, 0x01,                                         // total_centi -1
        0x80, 0x01, 0x01,                                   // has_total
    };
    hubpeek_t p;
    assert_int_equal(hubpeek_read(bytes, sizeof bytes, NULL, &p), 0);
    assert_int_equal(p.code_len, 2);
    assert_memory_equal(p.code, "ab", 2);
    assert_int_equal(p.name_len, 0);
    assert_int_equal(p.version, 7);
    assert_true(p.has_value);
    assert_int_equal(p.centi, -1);
    assert_int_equal(hubpeek_read(bytes, sizeof bytes, "m", &p), 0);
    assert_true(p.has_value);
    assert_int_equal(p.centi, -2);
    uint64_t version;
    assert_int_equal(hubpeek_version(bytes, sizeof bytes, &version), 0);
    assert_int_equal(version, 7);
    assert_int_equal(hubpeek_read(bytes, 0, NULL, &p), 0); //  all defaults
    assert_false(p.has_value);
    assert_int_equal(p.version, 0);
}

//  Malformed bytes are refused, each way they can be.
static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *why;
        uint8_t bytes[12];
        size_t len;
    } cases[] = {
        {"length past the end", {0x0a, 0x05, 'a'}, 3},
        {"truncated varint", {0x30, 0x80}, 2},
        {"overlong varint",
         {0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
         12},
        {"field 0", {0x00, 0x01}, 2},
        {"overlong tag of field 0", {0x80, 0x00, 0x01}, 3},
        {"group", {0x0b, 0x0c}, 2},
        {"truncated fixed64", {0x09, 1, 2, 3}, 4},
        {"version as bytes", {0x32, 0x01, 0x01}, 3},
        {"code as varint", {0x08, 0x01}, 2},
        {"indicator with a truncated code", {0x4a, 0x02, 0x0a, 0x05}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hubpeek_t p;
        uint64_t version;
        int by_m = hubpeek_read(cases[i].bytes, cases[i].len, "m", &p);
        int version_rc = hubpeek_version(cases[i].bytes, cases[i].len, &version);
        if (i + 1 < sizeof cases / sizeof cases[0]) {
            if (by_m != -1 || version_rc != -1)
                fail_msg("%s: read %d, version %d", cases[i].why, by_m, version_rc);
        } else if (by_m != -1)
            fail_msg("%s: read %d", cases[i].why, by_m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_as_decode, setup, teardown),
        cmocka_unit_test(test_wire_rules),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
