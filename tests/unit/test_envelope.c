/*  Tests of libfund/envelope.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "envelope.h"
#include "fundchain.pb-c.h"

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
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_type_names)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
