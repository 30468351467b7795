/*  Tests of the county agent's outbox (county-agent/outbox.c) on real LMDB files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "outbox.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    outbox_t *outbox;
} fixture_t;

static int
setup (void **state)
{
    fixture_t *f = calloc (1, sizeof *f);
    snprintf (f->dir, sizeof f->dir, "/tmp/test_outbox.XXXXXX");
    assert_non_null (mkdtemp (f->dir));
    strcat (f->dir, "/db");
    f->outbox = outbox_open (f->dir, "513331");
    assert_non_null (f->outbox);
    *state = f;
    return 0;
}

static int
teardown (void **state)
{
    fixture_t *f = *state;
    outbox_destroy (&f->outbox);
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf '%.*s'", (int) (strlen (f->dir) - 3), f->dir);
    assert_int_equal (system (cmd), 0);
    free (f);
    return 0;
}

static report_t *
s_report (const char *period, const char *income)
{
    report_t *r = report_new ("513331", period, "resident");
    assert_non_null (r);
    assert_int_equal (report_add (r, "income.premium", income, "wan", "", 2), 0);
    assert_int_equal (report_add (r, "income.total", "100.00", "wan", "", 3), 0);
    diag_t *diag = diag_new ();
    assert_int_equal (validate_report (r, "513331", NULL, diag, NULL), 0);
    diag_destroy (&diag);
    return r;
}

typedef struct {
    int n;
    uint32_t revision[8];
    int state[8];
    char reason[8][64];
    size_t warnings[8];
} seen_t;

static int
s_seen (const Fundchain__OutboxEntry *e, void *arg)
{
    seen_t *s = arg;
    if (s->n < 8) {
        s->revision[s->n] = e->report->revision;
        s->state[s->n] = e->state;
        snprintf (s->reason[s->n], 64, "%s", e->reason ? e->reason : "");
        s->warnings[s->n] = e->n_warnings;
    }
    s->n++;
    return 0;
}

//  Each new submit of the same (period, fund) gets the next revision.
static void
test_revisions_increase (void **state)
{
    fixture_t *f = *state;
    report_t *a = s_report ("2023", "100.00");
    report_t *b = s_report ("2023", "90.00");
    report_t *c = s_report ("2024", "100.00");
    assert_int_equal (outbox_enqueue (f->outbox, &a, 1), 0);
    assert_int_equal (outbox_enqueue (f->outbox, &b, 1), 0);
    assert_int_equal (outbox_enqueue (f->outbox, &c, 1), 0);
    assert_int_equal (a->revision, 1);
    assert_int_equal (b->revision, 2);
    assert_int_equal (c->revision, 1);
    seen_t seen = {0};
    assert_int_equal (outbox_each (f->outbox, s_seen, &seen), 0);
    assert_int_equal (seen.n, 3);
    assert_int_equal (seen.state[0], FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED);
    //  90 of 100 wan is a total that differs from its parts: a warning is kept.
    assert_int_equal (seen.warnings[0], 0);
    assert_int_equal (seen.warnings[1], 1);
    report_destroy (&a);
    report_destroy (&b);
    report_destroy (&c);
}

//  Acks and rejections are recorded durably and leave the pending index.
static void
test_ack_and_reject_are_durable (void **state)
{
    fixture_t *f = *state;
    report_t *reports[2] = {s_report ("2023", "100.00"), s_report ("2023-Q1", "100.00")};
    assert_int_equal (outbox_enqueue (f->outbox, reports, 2), 0);
    outbox_change_t changes[3] = {
        {"2023", "resident", 1, FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT, "", 1000},
        {"2023", "resident", 1, FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED, "", 0},
        {"2023-Q1", "resident", 1, FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED, "jurisdiction", 0}};
    assert_int_equal (outbox_update (f->outbox, changes, 3), 0);
    //  A late SENT after the ack does not bring the entry back.
    assert_int_equal (outbox_update (f->outbox, changes, 1), 0);
    outbox_destroy (&f->outbox);
    f->outbox = outbox_open (f->dir, "513331");
    seen_t all = {0}, pending = {0};
    assert_int_equal (outbox_each (f->outbox, s_seen, &all), 0);
    assert_int_equal (outbox_each_pending (f->outbox, s_seen, &pending), 0);
    assert_int_equal (all.n, 2);
    assert_int_equal (pending.n, 0);
    //  Keys sort "2023-Q1|..." before "2023|...".
    assert_int_equal (all.state[0], FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED);
    assert_string_equal (all.reason[0], "jurisdiction");
    assert_int_equal (all.state[1], FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED);
    report_destroy (&reports[0]);
    report_destroy (&reports[1]);
}

//  A data directory bound to one unit refuses another.
static void
test_other_unit_refused (void **state)
{
    fixture_t *f = *state;
    outbox_t *other = outbox_open (f->dir, "513322");
    assert_null (other);
    outbox_t *reader = outbox_open (f->dir, NULL);
    assert_non_null (reader);
    assert_string_equal (outbox_unit (reader), "513331");
    outbox_destroy (&reader);
}

static void
test_state_names (void **state)
{
    (void) state;
    assert_string_equal (outbox_state_name (FUNDCHAIN__OUTBOX_ENTRY__STATE__QUEUED), "queued");
    assert_string_equal (outbox_state_name (FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD), "dead");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_revisions_increase, setup, teardown),
        cmocka_unit_test_setup_teardown (test_ack_and_reject_are_durable, setup, teardown),
        cmocka_unit_test_setup_teardown (test_other_unit_refused, setup, teardown),
        cmocka_unit_test (test_state_names),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
