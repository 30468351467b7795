/*  Tests of libfund/envelope.c: packing into frames, unpacking with the
    receiver's checks (size limit, malformed bytes), and the type names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "envelope.h"
#include "fundchain.pb-c.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    zframe_t *frame;
    Fundchain__Envelope *env;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    zframe_destroy(&f->frame);
    envelope_destroy(&f->env);
    free(f);
    return 0;
}

//  Packs an acknowledgement of a report into f->frame.
static void s_pack_ack(fixture_t *f)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.kind = "report";
    ack.unit = "513322";
    ack.period = "2023";
    ack.fund = "resident";
    ack.revision = 3;
    ack.status = FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = "the city holds revision 4";
    ack.stored_revision = 4;
    f->frame = envelope_ack_frame(&ack);
    assert_non_null(f->frame);
}

//  What envelope_pack packs, envelope_unpack reads back.
static void test_pack_and_unpack(void **state)
{
    fixture_t *f = *state;
    Fundchain__HeldQuery query = FUNDCHAIN__HELD_QUERY__INIT;
    query.unit = "513322";
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY;
    env.held_query = &query;
    f->frame = envelope_pack(&env);
    assert_non_null(f->frame);
    assert_int_equal(zframe_size(f->frame), fundchain__envelope__get_packed_size(&env));
    char why[80] = "untouched";
    f->env = envelope_unpack(f->frame, zframe_size(f->frame), why, sizeof why);
    assert_non_null(f->env);
    assert_int_equal(f->env->body_case, FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY);
    assert_string_equal(f->env->held_query->unit, "513322");
    envelope_destroy(&f->env);
    assert_null(f->env);
    envelope_destroy(&f->env); //  twice, and NULL, are fine
    envelope_destroy(NULL);

    //  An empty Envelope packs to nothing and reads back as "none".
    Fundchain__Envelope empty = FUNDCHAIN__ENVELOPE__INIT;
    zframe_t *nothing = envelope_pack(&empty);
    assert_non_null(nothing);
    assert_int_equal(zframe_size(nothing), 0);
    f->env = envelope_unpack(nothing, 0, NULL, 0);
    zframe_destroy(&nothing);
    assert_non_null(f->env);
    assert_int_equal(f->env->body_case, FUNDCHAIN__ENVELOPE__BODY__NOT_SET);
}

//  envelope_ack_frame wraps the acknowledgement, every field kept.
static void test_ack_frame(void **state)
{
    fixture_t *f = *state;
    s_pack_ack(f);
    f->env = envelope_unpack(f->frame, SIZE_MAX, NULL, 0);
    assert_non_null(f->env);
    assert_int_equal(f->env->body_case, FUNDCHAIN__ENVELOPE__BODY_ACK);
    const Fundchain__Ack *ack = f->env->ack;
    assert_string_equal(ack->kind, "report");
    assert_string_equal(ack->unit, "513322");
    assert_string_equal(ack->period, "2023");
    assert_string_equal(ack->fund, "resident");
    assert_int_equal(ack->revision, 3);
    assert_int_equal(ack->status, FUNDCHAIN__ACK__STATUS__REJECTED);
    assert_string_equal(ack->reason, "the city holds revision 4");
    assert_int_equal(ack->stored_revision, 4);
}

//  A frame larger than the limit is refused before it is read, with the
//  reason receivers log; one of exactly the limit is read.
static void test_size_limit(void **state)
{
    fixture_t *f = *state;
    s_pack_ack(f);
    size_t size = zframe_size(f->frame);
    char why[80] = "";
    assert_null(envelope_unpack(f->frame, size - 1, why, sizeof why));
    char expected[80];
    snprintf(expected, sizeof expected, "message of %zu bytes is larger than %zu", size, size - 1);
    assert_string_equal(why, expected);
    assert_null(envelope_unpack(f->frame, size - 1, NULL, 0)); //  no reason wanted
    f->env = envelope_unpack(f->frame, size, why, sizeof why);
    assert_non_null(f->env);
}

//  Bytes that are not an Envelope, a truncated one and no frame at all are
//  refused with their reason; a short reason buffer is cut, not overrun.
static void test_malformed(void **state)
{
    fixture_t *f = *state;
    char why[80] = "";
    zframe_t *junk = zframe_new("\xff\xff\xff\xff garbage", 13);
    assert_null(envelope_unpack(junk, SIZE_MAX, why, sizeof why));
    assert_string_equal(why, "malformed message of 13 bytes");
    zframe_destroy(&junk);

    s_pack_ack(f);
    zframe_t *cut = zframe_new(zframe_data(f->frame), zframe_size(f->frame) - 1);
    assert_null(envelope_unpack(cut, SIZE_MAX, why, sizeof why));
    assert_non_null(strstr(why, "malformed message of"));
    char tiny[8] = "";
    assert_null(envelope_unpack(cut, SIZE_MAX, tiny, sizeof tiny));
    assert_string_equal(tiny, "malform");
    zframe_destroy(&cut);

    assert_null(envelope_unpack(NULL, SIZE_MAX, why, sizeof why));
    assert_string_equal(why, "no message");
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_REPORT), "report");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_ACK), "ack");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_EVALUATION), "evaluation");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_QUERY), "query");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_REPLY), "reply");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY), "held-query");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY), "held-reply");
    assert_string_equal(envelope_type_name(FUNDCHAIN__ENVELOPE__BODY__NOT_SET), "none");
    assert_string_equal(envelope_type_name(999), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pack_and_unpack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
