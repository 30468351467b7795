/*  Tests of what the province hub makes of a city's message
    (province-hub/hubingest.c).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "evaluation.h"
#include "hubingest.h"
#include <stdlib.h>
#include <string.h>

//  The pool of 攀枝花市 for 2023, version 3, as a city sends it; extra
//  bytes (may be NULL) are appended inside the evaluation.
static zframe_t *s_pool_frame(const uint8_t *extra, size_t extra_len)
{
    Fundchain__Evaluation eval = FUNDCHAIN__EVALUATION__INIT;
    eval.code = "510400";
    eval.city = "510400";
    eval.period = "2023";
    eval.fund = "resident";
    eval.level = FUNDCHAIN__EVALUATION__LEVEL__POOL;
    eval.version = 3;
    eval.name = "攀枝花市";
    uint8_t body[256];
    size_t len = fundchain__evaluation__pack(&eval, body);
    assert_true(len + extra_len < 128); //  a one-byte length below
    if (extra_len)
        memcpy(body + len, extra, extra_len);
    len += extra_len;
    uint8_t envelope[260] = {0x1a, (uint8_t)len}; //  field 3 (evaluation), length
    memcpy(envelope + 2, body, len);
    return zframe_new(envelope, len + 2);
}

//  A city's own pool is accepted and acknowledged under its version.
static void test_own_pool_accepted(void **state)
{
    (void)state;
    zframe_t *frame = s_pool_frame(NULL, 0);
    hubingest_t out;
    hubingest_examine("510000", frame, "510400", &out);
    assert_int_equal(out.verdict, HUBINGEST_ACCEPT);
    assert_non_null(out.eval);
    assert_string_equal(out.eval->name, "攀枝花市");
    assert_int_equal(out.eval->version, 3);
    hubingest_clear(&out);
    zframe_destroy(&frame);
}

//  Another city's pool is rejected (jurisdiction), with the evaluation kept
//  for the acknowledgement.
static void test_other_city_rejected(void **state)
{
    (void)state;
    zframe_t *frame = s_pool_frame(NULL, 0);
    hubingest_t out;
    hubingest_examine("510000", frame, "511900", &out);
    assert_int_equal(out.verdict, HUBINGEST_REJECT);
    assert_non_null(strstr(out.reason, "jurisdiction"));
    hubingest_clear(&out);
    zframe_destroy(&frame);
}

//  An evaluation with a field numbered 0 (overlong tag 0x80 0x00, found by
//  fuzz_evaluation_decode) is dropped: protobuf-c reads it but stores it in
//  a form it cannot read back, so accepting it would lose the evaluation.
static void test_field_zero_dropped(void **state)
{
    (void)state;
    static const uint8_t field_zero[] = {0x80, 0x00, 0x01};
    zframe_t *frame = s_pool_frame(field_zero, sizeof field_zero);
    hubingest_t out;
    hubingest_examine("510000", frame, "510400", &out);
    assert_int_equal(out.verdict, HUBINGEST_DROP);
    assert_null(out.eval);
    assert_non_null(strstr(out.reason, "read back"));
    zframe_destroy(&frame);
}

//  A message that is only an evaluation (what a city sends) is stored as it
//  came (packed again, the same bytes); one with anything more is stored
//  as encoded again: both read back as the evaluation acknowledged.
static void test_stored_bytes(void **state)
{
    (void)state;
    zframe_t *frame = s_pool_frame(NULL, 0);
    hubingest_t out;
    hubingest_examine("510000", frame, "510400", &out);
    assert_int_equal(out.verdict, HUBINGEST_ACCEPT);
    assert_int_equal(out.len, zframe_size(frame) - 2);
    assert_memory_equal(out.bytes, zframe_data(frame) + 2, out.len);
    hubingest_clear(&out);
    assert_null(out.eval);
    assert_null(out.bytes);
    uint8_t twice[300];
    size_t len = zframe_size(frame);
    memcpy(twice, zframe_data(frame), len);
    memcpy(twice + len, zframe_data(frame), len); //  the evaluation field twice
    zframe_t *doubled = zframe_new(twice, 2 * len);
    hubingest_examine("510000", doubled, "510400", &out);
    assert_int_equal(out.verdict, HUBINGEST_ACCEPT);
    Fundchain__Evaluation *stored = evaluation_decode(out.bytes, out.len);
    assert_non_null(stored);
    assert_int_equal(stored->version, 3);
    assert_string_equal(stored->name, "攀枝花市");
    evaluation_free(stored);
    hubingest_clear(&out);
    zframe_destroy(&doubled);
    zframe_destroy(&frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_pool_accepted),
        cmocka_unit_test(test_other_city_rejected),
        cmocka_unit_test(test_field_zero_dropped),
        cmocka_unit_test(test_stored_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
