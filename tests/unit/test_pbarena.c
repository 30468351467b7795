/*  Tests of pbarena: unpacking into a caller's buffer, falling back to
    malloc when it is full, and freeing only what malloc gave (ASan checks
    that nothing leaks and nothing is freed twice). */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fundchain.pb-c.h"
#include "pbarena.h"
#include "report.h"

typedef struct {
    uint8_t *bytes; /* a packed Report of 40 items */
    size_t len;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    report_t *r = report_new("510402", "2023-01", "resident");
    assert_non_null(f);
    assert_non_null(r);
    r->revision = 7;
    for (int i = 0; i < 40; i++) {
        char code[32];
        snprintf(code, sizeof code, "ind.item_%d", i);
        assert_int_equal(report_add(r, code, "12.5", "%", ">=10", 0), 0);
    }
    f->bytes = report_encode(r, &f->len);
    assert_non_null(f->bytes);
    report_destroy(&r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    free(f->bytes);
    free(f);
    return 0;
}

/* Checks the message unpacked is the report packed. */
static void s_check(const Fundchain__Report *msg)
{
    assert_non_null(msg);
    assert_string_equal(msg->unit, "510402");
    assert_int_equal(msg->revision, 7);
    assert_int_equal(msg->n_items, 40);
    assert_string_equal(msg->items[39]->code, "ind.item_39");
    assert_string_equal(msg->items[0]->target, ">=10");
}

static void test_unpacks_in_the_buffer(void **state)
{
    fixture_t *f = *state;
    alignas(max_align_t) static uint8_t space[32768];
    pbarena_t arena;
    pbarena_init(&arena, space, sizeof space);
    Fundchain__Report *msg = fundchain__report__unpack(&arena.base, f->len, f->bytes);
    s_check(msg);
    assert_true(arena.used > 0 && arena.used <= sizeof space);
    assert_true((uint8_t *)msg >= space && (uint8_t *)msg < space + sizeof space);
    assert_int_equal((uintptr_t)msg->items[3] % alignof(max_align_t), 0);
    assert_false(pbarena_spilled(&arena)); //  nothing to free: the buffer holds it all
    fundchain__report__free_unpacked(msg, &arena.base);
}

static void test_falls_back_to_malloc_when_full(void **state)
{
    fixture_t *f = *state;
    alignas(max_align_t) uint8_t space[512];
    pbarena_t arena;
    pbarena_init(&arena, space, sizeof space);
    Fundchain__Report *msg = fundchain__report__unpack(&arena.base, f->len, f->bytes);
    s_check(msg);
    assert_true(arena.used <= sizeof space);
    assert_true(pbarena_spilled(&arena));
    fundchain__report__free_unpacked(msg, &arena.base); /* frees the malloc'ed part */
    pbarena_init(&arena, NULL, 0);                      /* malloc only */
    msg = fundchain__report__unpack(&arena.base, f->len, f->bytes);
    s_check(msg);
    assert_int_equal(arena.used, 0);
    fundchain__report__free_unpacked(msg, &arena.base);
}

static void test_refuses_malformed_input(void **state)
{
    (void)state;
    alignas(max_align_t) uint8_t space[1024];
    pbarena_t arena;
    pbarena_init(&arena, space, sizeof space);
    const uint8_t bad[] = {0x2a, 0x7f, 0x01};
    assert_null(fundchain__report__unpack(&arena.base, sizeof bad, bad));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unpacks_in_the_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_falls_back_to_malloc_when_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_malformed_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
