/*  Tests of the city aggregator's modules: ingest (never trust the sender)
    and citydb (newest revision wins, whatever the arrival order), on real
    LMDB files.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "cityconf.h"
#include "envelope.h"
#include "ingest.h"
#include "transport.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char dir[64];
    citydb_t *db;
    cityconf_t conf;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_city.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    cityconf_init(&f->conf);
    strcpy(f->conf.city, "513300");
    strcpy(f->conf.name, "甘孜藏族自治州");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    citydb_destroy(&f->db);
    cityconf_clear(&f->conf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static report_t *s_report(const char *unit, uint32_t revision, const char *item, const char *value)
{
    report_t *r = report_new(unit, "2023", "resident");
    r->revision = revision;
    assert_int_equal(report_add(r, item, value, "yuan", "", 2), 0);
    return r;
}

static zframe_t *s_frame(const report_t *r)
{
    size_t len;
    uint8_t *bytes = report_encode(r, &len);
    Fundchain__Report *wire = fundchain__report__unpack(NULL, len, bytes);
    free(bytes);
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = wire;
    zframe_t *frame = envelope_pack(&env);
    assert_non_null(frame);
    fundchain__report__free_unpacked(wire, NULL);
    return frame;
}

static void s_examine(fixture_t *f, report_t *r, const char *peer, ingest_t *out)
{
    zframe_t *frame = s_frame(r);
    ingest_examine(&f->conf, frame, peer, out);
    zframe_destroy(&frame);
}

static void test_accepts_own_unit(void **state)
{
    fixture_t *f = *state;
    report_t *r = s_report("513322", 1, "income.total", "712846631.00");
    ingest_t out;
    s_examine(f, r, "513322", &out);
    assert_int_equal(out.verdict, INGEST_ACCEPT);
    assert_non_null(out.report);
    int64_t amount;
    assert_true(report_amount(out.report, "income.total", &amount));
    assert_int_equal(amount, 71284663100);
    report_destroy(&out.report);
    report_destroy(&r);
}

//  A key bound to one unit may not report for another, even inside the city.
static void test_rejects_other_units_key(void **state)
{
    fixture_t *f = *state;
    report_t *r = s_report("513331", 1, "income.total", "1.00");
    ingest_t out;
    s_examine(f, r, "513322", &out);
    assert_int_equal(out.verdict, INGEST_REJECT);
    assert_null(out.report);
    assert_non_null(strstr(out.reason, "jurisdiction"));
    assert_string_equal(out.unit, "513331");
    assert_int_equal(out.revision, 1);
    report_destroy(&r);
}

//  A unit of another city is refused even under its own key.
static void test_rejects_unit_of_other_city(void **state)
{
    fixture_t *f = *state;
    report_t *r = s_report("510904", 1, "income.total", "1.00");
    ingest_t out;
    s_examine(f, r, "510904", &out);
    assert_int_equal(out.verdict, INGEST_REJECT);
    assert_non_null(strstr(out.reason, "not inside city 513300"));
    report_destroy(&r);
}

//  The city validates again: an unknown item is refused with its reason.
static void test_validates_again(void **state)
{
    fixture_t *f = *state;
    report_t *r = s_report("513322", 1, "income.premuim", "1.00");
    ingest_t out;
    s_examine(f, r, "513322", &out);
    assert_int_equal(out.verdict, INGEST_REJECT);
    assert_non_null(strstr(out.reason, "income.premuim"));
    report_destroy(&r);
}

//  Garbage, truncated messages and other message types are dropped, never fatal.
static void test_drops_garbage(void **state)
{
    fixture_t *f = *state;
    ingest_t out;
    zframe_t *junk = zframe_new("\xff\xff\xff\xff garbage", 13);
    ingest_examine(&f->conf, junk, "513322", &out);
    assert_int_equal(out.verdict, INGEST_DROP);
    zframe_destroy(&junk);

    report_t *r = s_report("513322", 1, "income.total", "1.00");
    zframe_t *frame = s_frame(r);
    for (size_t cut = 1; cut < zframe_size(frame); cut++) {
        zframe_t *part = zframe_new(zframe_data(frame), cut);
        ingest_examine(&f->conf, part, "513322", &out);
        //  The report is one length-delimited field of the Envelope: a cut
        //  anywhere leaves it shorter than its length, so the message is
        //  dropped as malformed, never read as a shorter report.
        char expected[64];
        snprintf(expected, sizeof expected, "malformed message of %zu bytes", cut);
        assert_int_equal(out.verdict, INGEST_DROP);
        assert_null(out.report);
        assert_string_equal(out.reason, expected);
        zframe_destroy(&part);
    }
    zframe_destroy(&frame);
    report_destroy(&r);

    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    zframe_t *other = envelope_ack_frame(&ack);
    assert_non_null(other);
    ingest_examine(&f->conf, other, "513322", &out);
    assert_int_equal(out.verdict, INGEST_DROP);
    assert_non_null(strstr(out.reason, "unexpected message type"));
    zframe_destroy(&other);
}

//  What no sender of ours sends is refused with its reason: a unit that is
//  not a code, revision 0, a period that has not begun or does not exist,
//  a negative income.
static void test_rejects_absurd_values(void **state)
{
    fixture_t *f = *state;
    struct {
        const char *unit, *period, *item, *value;
        uint32_t revision;
        const char *reason;
    } cases[] = {
        {"12345", "2023", "income.total", "1.00", 1, "unit '12345' is not a 6-digit code"},
        {"513322", "2023", "income.total", "1.00", 0, "revision 0 is not a revision"},
        {"513322", "2999-Q4", "income.total", "1.00", 1, "period 2999-Q4 has not begun"},
        {"513322", "2023-13", "income.total", "1.00", 1, "bad period '2023-13'"},
        {"513322", "2023", "income.premium", "-5.00", 1, "may not be negative"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        report_t *r = report_new(cases[i].unit, cases[i].period, "resident");
        r->revision = cases[i].revision;
        assert_int_equal(report_add(r, cases[i].item, cases[i].value, "yuan", "", 2), 0);
        ingest_t out;
        s_examine(f, r, "513322", &out);
        assert_int_equal(out.verdict, INGEST_REJECT);
        assert_null(out.report);
        if (!strstr(out.reason, cases[i].reason))
            fail_msg("case %zu: reason '%s'", i, out.reason);
        report_destroy(&r);
    }
}

//  What the peer chose reaches the log and the acknowledgement only as
//  printable UTF-8: no line breaks to forge log lines, no broken characters.
static void test_reason_is_printable(void **state)
{
    fixture_t *f = *state;
    report_t *r = report_new("5\n\x1b"
                             "3\xe7\xff",
                             "2023", "resident");
    r->revision = 1;
    assert_int_equal(report_add(r, "income.total", "1.00", "yuan", "", 2), 0);
    ingest_t out;
    s_examine(f, r, "513322", &out);
    assert_int_equal(out.verdict, INGEST_REJECT);
    assert_string_equal(out.unit, "5\?\?3\?\?");
    assert_string_equal(out.reason, "unit '5\?\?3\?\?' is not a 6-digit code");
    report_destroy(&r);
}

//  A frame over the limit is dropped by the explicit check too (libzmq's
//  ZMQ_MAXMSGSIZE drops it before, silently).
static void test_drops_oversize(void **state)
{
    fixture_t *f = *state;
    zframe_t *big = zframe_new(NULL, transport_max_msg() + 1);
    memset(zframe_data(big), 0, zframe_size(big));
    ingest_t out;
    ingest_examine(&f->conf, big, "513322", &out);
    assert_int_equal(out.verdict, INGEST_DROP);
    assert_non_null(strstr(out.reason, "is larger than 4194304"));
    zframe_destroy(&big);
}

typedef struct {
    int n;
    uint32_t revision;
    int64_t first;
} found_t;

static int s_found(const Fundchain__StoredReport *stored, void *arg)
{
    found_t *found = arg;
    found->n++;
    found->revision = stored->report->revision;
    found->first = stored->first_received_at;
    return 0;
}

//  The highest revision wins whatever the arrival order; duplicates are not stored twice.
static void test_highest_revision_wins(void **state)
{
    fixture_t *f = *state;
    report_t *rev2 = s_report("513322", 2, "income.total", "2.00");
    report_t *rev1 = s_report("513322", 1, "income.total", "1.00");
    diag_t *diag = diag_new();
    assert_int_equal(validate_report(rev2, NULL, NULL, diag, NULL), 0);
    assert_int_equal(validate_report(rev1, NULL, NULL, diag, NULL), 0);
    diag_destroy(&diag);
    citydb_outcome_t outcome[2];
    report_t *batch1[] = {rev2};
    assert_int_equal(citydb_accept(f->db, batch1, 1, 1000, outcome, NULL), 0);
    assert_int_equal(outcome[0], CITYDB_STORED);
    report_t *batch2[] = {rev1, rev2};
    assert_int_equal(citydb_accept(f->db, batch2, 2, 2000, outcome, NULL), 0);
    assert_int_equal(outcome[0], CITYDB_OLDER);
    assert_int_equal(outcome[1], CITYDB_DUPLICATE);
    found_t found = {0};
    assert_int_equal(citydb_each(f->db, "2023", "resident", s_found, &found), 0);
    assert_int_equal(found.n, 1);
    assert_int_equal(found.revision, 2);
    assert_int_equal(found.first, 1000);
    report_destroy(&rev1);
    report_destroy(&rev2);
}

//  Only what the city holds may be acknowledged as accepted: the same
//  revision with other figures (an agent installed again) is a conflict,
//  an older revision is older, and each names the revision the city kept.
static void test_what_is_held(void **state)
{
    fixture_t *f = *state;
    report_t *a = s_report("513322", 1, "income.total", "1.00");
    report_t *again = s_report("513322", 1, "income.total", "1.00");
    report_t *other = s_report("513322", 1, "income.total", "9.00");
    report_t *rev3 = s_report("513322", 3, "income.total", "3.00");
    report_t *rev2 = s_report("513322", 2, "income.total", "2.00");
    again->submitted_at = 12345; //  submitted again: the figures are what counts
    report_t *batch[] = {a, other, again, rev3, rev2};
    citydb_outcome_t outcome[5];
    uint32_t held[5];
    for (size_t i = 0; i < 5; i++) {
        diag_t *diag = diag_new();
        assert_int_equal(validate_report(batch[i], NULL, NULL, diag, NULL), 0);
        diag_destroy(&diag);
        assert_int_equal(citydb_accept(f->db, &batch[i], 1, 1000, &outcome[i], &held[i]), 0);
    }
    assert_int_equal(outcome[0], CITYDB_STORED);
    assert_int_equal(held[0], 1);
    assert_int_equal(outcome[1], CITYDB_CONFLICT);
    assert_int_equal(held[1], 1);
    assert_int_equal(outcome[2], CITYDB_DUPLICATE);
    assert_int_equal(held[2], 1);
    assert_int_equal(outcome[3], CITYDB_STORED);
    assert_int_equal(held[3], 3);
    assert_int_equal(outcome[4], CITYDB_OLDER);
    assert_int_equal(held[4], 3);
    found_t found = {0};
    assert_int_equal(citydb_each(f->db, "2023", "resident", s_found, &found), 0);
    assert_int_equal(found.revision, 3);
    for (size_t i = 0; i < 5; i++)
        report_destroy(&batch[i]);
}

typedef struct {
    char text[256];
} listing_t;

static int s_list_held(const char *period, const char *fund, uint32_t revision, void *arg)
{
    listing_t *l = arg;
    size_t len = strlen(l->text);
    snprintf(l->text + len, sizeof l->text - len, "%s%s %s %u", len ? "," : "", period, fund,
             revision);
    return 0;
}

//  The revisions held of one unit, and of no other (what sync learns).
static void test_each_held(void **state)
{
    fixture_t *f = *state;
    const char *rows[][3] = {{"513322", "2023", "2"},
                             {"513322", "2022", "1"},
                             {"513331", "2023", "4"},
                             {"513322", "2023-Q1", "5"}};
    for (size_t i = 0; i < 4; i++) {
        report_t *r = report_new(rows[i][0], rows[i][1], "resident");
        r->revision = (uint32_t)atoi(rows[i][2]);
        assert_int_equal(report_add(r, "income.total", "1.00", "yuan", "", 2), 0);
        citydb_outcome_t outcome;
        assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
        report_destroy(&r);
    }
    listing_t l = {""};
    assert_int_equal(citydb_each_held(f->db, "513322", s_list_held, &l), 0);
    assert_string_equal(l.text, "2022 resident 1,2023-Q1 resident 5,2023 resident 2");
    l.text[0] = 0;
    assert_int_equal(citydb_each_held(f->db, "513336", s_list_held, &l), 0);
    assert_string_equal(l.text, "");
}

static zframe_t *s_held_query(const char *unit)
{
    Fundchain__HeldQuery query = FUNDCHAIN__HELD_QUERY__INIT;
    query.unit = (char *)unit;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY;
    env.held_query = &query;
    zframe_t *frame = envelope_pack(&env);
    assert_non_null(frame);
    return frame;
}

//  A held query is answered for the key's unit, never the one it names
//  (the payload's only on an --insecure link), and only inside the city.
static void test_held_query_is_the_keys(void **state)
{
    fixture_t *f = *state;
    zframe_t *frame = s_held_query("513331");
    ingest_t out;
    ingest_examine(&f->conf, frame, "513322", &out);
    assert_int_equal(out.verdict, INGEST_HELD);
    assert_string_equal(out.unit, "513322");
    assert_string_equal(out.reason, "");
    ingest_examine(&f->conf, frame, NULL, &out);
    assert_int_equal(out.verdict, INGEST_HELD);
    assert_string_equal(out.unit, "513331");
    ingest_examine(&f->conf, frame, "510904", &out);
    assert_int_equal(out.verdict, INGEST_HELD);
    assert_non_null(strstr(out.reason, "not inside city 513300"));
    zframe_destroy(&frame);
    frame = s_held_query("bad\nunit");
    ingest_examine(&f->conf, frame, NULL, &out);
    assert_non_null(strstr(out.reason, "not a 6-digit code"));
    assert_null(strchr(out.reason, '\n'));
    zframe_destroy(&frame);
}

//  The configuration run stores is what the query commands load.
static void test_config_round_trip(void **state)
{
    fixture_t *f = *state;
    f->conf.deadline.year = 20;
    assert_int_equal(cityconf_save(&f->conf, citydb_store(f->db)), 0);
    cityconf_t loaded;
    assert_int_equal(cityconf_load(&loaded, citydb_store(f->db)), 0);
    assert_string_equal(loaded.city, "513300");
    assert_string_equal(loaded.name, "甘孜藏族自治州");
    assert_int_equal(loaded.deadline.year, 20);
    assert_string_equal(cityconf_unit_name(&loaded, "513300"), "甘孜藏族自治州");
    assert_string_equal(cityconf_unit_name(&loaded, "513322"), "513322");
    cityconf_clear(&loaded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accepts_own_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_other_units_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_unit_of_other_city, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validates_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drops_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_absurd_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reason_is_printable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drops_oversize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_highest_revision_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_what_is_held, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_held, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_query_is_the_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
