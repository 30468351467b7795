/*  Tests of cityeval on a real city store (a temporary LMDB): pool and unit
    evaluations from stored reports, a round of dirty pairs evaluated from
    one read (a report stored after the snapshot is not in it), the
    generation race (mark, snapshot, mark again, clear: still dirty), rounds
    that wrap so that no pair starves, a stored report that no longer
    validates (a stricter framework): evaluated with a warning, never
    dropped; incremental rounds (only changed units evaluated again, and
    only once a round is queued) and a record that cannot be decoded.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "citydb.h"
#include "cityconf.h"
#include "cityeval.h"
#include "evaluation.h"
#include "framework.h"
#include "outbox.h"
#include "store.h"
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
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_cityeval.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = citydb_open(f->dir, "513300");
    assert_non_null(f->db);
    cityconf_init(&f->conf);
    snprintf(f->conf.city, sizeof f->conf.city, "513300");
    snprintf(f->conf.name, sizeof f->conf.name, "甘孜州");
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

//  Stores one report of unit for (period, fund): income.total in yuan and
//  a score of policy_formulation (5 points: the default framework's maximum).
static void s_accept(fixture_t *f, const char *unit, const char *period, const char *fund,
                     uint32_t revision, const char *income)
{
    report_t *r = report_new(unit, period, fund);
    assert_non_null(r);
    r->revision = revision;
    assert_int_equal(report_add(r, "income.total", income, "yuan", "", 2), 0);
    assert_int_equal(report_add(r, "score.policy_formulation", "5", "points", "", 3), 0);
    citydb_outcome_t outcome;
    assert_int_equal(citydb_accept(f->db, &r, 1, 1000, &outcome, NULL), 0);
    assert_int_equal(outcome, CITYDB_STORED);
    report_destroy(&r);
}

static int s_count_mark(const citydb_mark_t *mark, void *arg)
{
    (void)mark;
    (*(int *)arg)++;
    return 0;
}

static int s_marks(fixture_t *f)
{
    int n = 0;
    assert_int_equal(citydb_each_mark(f->db, s_count_mark, &n), 0);
    return n;
}

typedef struct {
    const char *period, *fund;
    citydb_mark_t mark;
    bool found;
} find_t;

static int s_find_mark(const citydb_mark_t *mark, void *arg)
{
    find_t *find = arg;
    if (strcmp(mark->period, find->period) || strcmp(mark->fund, find->fund))
        return 0;
    find->mark = *mark;
    find->found = true;
    return 1;
}

static bool s_marked(fixture_t *f, const char *period, const char *fund)
{
    find_t find = {.period = period, .fund = fund};
    assert_int_equal(citydb_each_mark(f->db, s_find_mark, &find), 0);
    return find.found;
}

static int s_count_entry(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    (void)key;
    (void)entry;
    (*(int *)arg)++;
    return 0;
}

static int s_outbox(fixture_t *f)
{
    int n = 0;
    assert_int_equal(outbox_each(citydb_store(f->db), true, s_count_entry, &n), 0);
    return n;
}

static bool s_has_warning(const Fundchain__Evaluation *e, const char *code, const char *text)
{
    for (size_t i = 0; i < e->n_warnings; i++)
        if (!strcmp(e->warnings[i]->code, code) && strstr(e->warnings[i]->message, text))
            return true;
    return false;
}

static int64_t s_amount(const Fundchain__Evaluation *e, const char *code)
{
    for (size_t i = 0; i < e->n_items; i++)
        if (!strcmp(e->items[i]->code, code))
            return e->items[i]->fen;
    fail_msg("no item %s", code);
    return -1;
}

//  Two units and the 市本级 of one pair: the pool has all three, each unit
//  its own; cityeval_all gives the pool first, then the units in code order.
static void test_pool_and_units(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513300", "2023", "resident", 1, "50.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    s_accept(f, "513331", "2023", "employee", 1, "7.00");
    Fundchain__Evaluation *pool = cityeval_pool(f->db, &f->conf, "2023", "resident");
    assert_non_null(pool);
    assert_int_equal(pool->level, FUNDCHAIN__EVALUATION__LEVEL__POOL);
    assert_int_equal(pool->n_units, 3);
    assert_int_equal(s_amount(pool, "income.total"), 17500);
    Fundchain__Evaluation *unit = cityeval_unit(f->db, &f->conf, "513322", "2023", "resident");
    assert_non_null(unit);
    assert_string_equal(unit->code, "513322");
    assert_int_equal(s_amount(unit, "income.total"), 10000);
    assert_null(cityeval_unit(f->db, &f->conf, "513336", "2023", "resident"));
    assert_null(cityeval_pool(f->db, &f->conf, "2023", "maternity"));
    Fundchain__Evaluation **all = NULL;
    assert_int_equal(cityeval_all(f->db, &f->conf, "2023", "resident", &all), 4);
    assert_int_equal(all[0]->level, FUNDCHAIN__EVALUATION__LEVEL__POOL);
    assert_int_equal(all[0]->total_centi, pool->total_centi);
    const char *order[] = {"513300", "513322", "513331"};
    for (int i = 0; i < 3; i++)
        assert_string_equal(all[i + 1]->code, order[i]);
    assert_int_equal(s_amount(all[2], "income.total"), 10000);
    for (int i = 0; i < 4; i++)
        evaluation_free(all[i]);
    free(all);
    evaluation_free(unit);
    evaluation_free(pool);
}

//  A round takes every dirty pair, each evaluated from the one snapshot: a
//  report stored after cityeval_take is not in the round's evaluations.
static void test_round_one_read(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    s_accept(f, "513322", "2023-01", "resident", 1, "8.00");
    assert_int_equal(s_marks(f), 2);
    cityeval_round_t round = {0};
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 2);
    assert_false(round.more);
    assert_string_equal(round.pairs[0].period, "2023-01"); //  key order
    assert_int_equal(round.pairs[0].n, 2);                 //  pool + 1 unit
    assert_string_equal(round.pairs[1].period, "2023");
    assert_int_equal(round.pairs[1].n, 3);                //  pool + 2 units
    s_accept(f, "513336", "2023", "resident", 1, "1.00"); //  after the snapshot
    const Fundchain__Evaluation *pool = round.pairs[1].evals[0];
    assert_int_equal(pool->n_units, 2);
    assert_int_equal(s_amount(pool, "income.total"), 12500);
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    assert_int_equal(s_outbox(f), 5);
    assert_true(round.pairs[1].evals[0]->version > round.pairs[0].evals[0]->version);
    cityeval_round_clear(&round);
    assert_true(s_marked(f, "2023", "resident"));
    assert_false(s_marked(f, "2023-01", "resident"));
}

//  Mark, snapshot, mark again, clear: the pair stays dirty (the newer
//  report is evaluated next round, at a higher version); a pair not marked
//  again is cleared by the same transaction.
static void test_generation_race(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513322", "2023", "employee", 1, "3.00");
    cityeval_round_t round = {0};
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 2);
    uint64_t generation = round.pairs[1].generation; //  2023|resident
    assert_string_equal(round.pairs[1].fund, "resident");
    s_accept(f, "513322", "2023", "resident", 2, "200.00");
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    uint64_t first = round.pairs[1].evals[0]->version;
    cityeval_round_clear(&round);
    assert_true(s_marked(f, "2023", "resident"));
    assert_false(s_marked(f, "2023", "employee"));
    find_t find = {.period = "2023", .fund = "resident"};
    assert_int_equal(citydb_each_mark(f->db, s_find_mark, &find), 0);
    assert_true(find.mark.generation > generation);
    assert_true(find.mark.since_ms >= round.snapshot_ms);
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(s_amount(round.pairs[0].evals[0], "income.total"), 20000);
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    assert_true(round.pairs[0].evals[0]->version > first);
    cityeval_round_clear(&round);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(s_outbox(f), 4); //  a new version replaced each older entry
}

//  Rounds of at most two pairs go on after the last pair taken and wrap:
//  a pair marked again every round does not starve the others.
static void test_rounds_wrap(void **state)
{
    fixture_t *f = *state;
    const char *periods[] = {"2023-01", "2023-02", "2023-03", "2023-04", "2023-05"};
    for (int i = 0; i < 5; i++)
        s_accept(f, "513322", periods[i], "resident", 1, "1.00");
    cityeval_round_t round = {.max_pairs = 2};
    int seen[5] = {0};
    for (int r = 0; r < 3; r++) {
        assert_int_equal(cityeval_take(f->db, &f->conf, &round), 2);
        assert_int_equal(round.more, r < 2); //  the third: 2023-05, then 2023-01 again
        //  The age of the oldest mark counts the marks the full round left.
        assert_true(round.oldest_ms > 0);
        for (size_t i = 0; i < round.n; i++)
            assert_true(round.oldest_ms <= round.pairs[i].since_ms);
        for (size_t i = 0; i < round.n; i++)
            seen[round.pairs[i].period[6] - '1']++;
        assert_int_equal(cityeval_queue(f->db, &round), 0);
        cityeval_round_clear(&round);
        s_accept(f, "513322", "2023-01", "resident", 2 + (uint32_t)r, "2.00");
    }
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], i == 0 ? 2 : 1);
    assert_int_equal(s_marks(f), 1); //  2023-01, marked again
    assert_int_equal(cityeval_forward(f->db, &f->conf), 1);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 0);
    assert_int_equal(round.oldest_ms, 0); //  nothing waits
    cityeval_round_clear(&round);
}

//  Gives the city a stricter framework, as a restart with --framework
//  would: policy_formulation at most 3 points, so the 5 of every report
//  stored by s_accept no longer validates.
static void s_strict(fixture_t *f)
{
    const char *text = framework_text(framework_default());
    const char *from = "policy_formulation,政策制定,decision,5,";
    const char *at = strstr(text, from);
    assert_non_null(at);
    char *strict = strdup(text);
    strict[at - text + strlen(from) - 2] = '3'; //  its maximum: 3 points
    f->conf.framework = framework_parse("strict", strict, strlen(strict), NULL);
    free(strict);
    assert_non_null(f->conf.framework);
}

//  A store a restart with a stricter framework finds: the report that no
//  longer validates is evaluated with a stored_invalid warning naming it, in
//  its unit's evaluation and in the pool's, and the pool still counts it.
static void test_invalid_report(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    s_strict(f);
    Fundchain__Evaluation *pool = cityeval_pool(f->db, &f->conf, "2023", "resident");
    assert_non_null(pool);
    assert_int_equal(pool->n_units, 2);
    assert_int_equal(s_amount(pool, "income.total"), 12500);
    assert_true(s_has_warning(pool, "stored_invalid", "513322 revision 1"));
    assert_true(s_has_warning(pool, "stored_invalid", "513331 revision 1"));
    assert_true(s_has_warning(pool, "stored_invalid", "score_above_max"));
    Fundchain__Evaluation *unit = cityeval_unit(f->db, &f->conf, "513322", "2023", "resident");
    assert_non_null(unit);
    assert_true(s_has_warning(unit, "stored_invalid", "513322 revision 1"));
    assert_int_equal(s_amount(unit, "income.total"), 10000);
    evaluation_free(unit);
    evaluation_free(pool);
    //  The evaluator's round evaluates and queues it likewise.
    cityeval_round_t round = {0};
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(round.pairs[0].n, 3);
    assert_true(s_has_warning(round.pairs[0].evals[2], "stored_invalid", "513331"));
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    cityeval_round_clear(&round);
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(s_outbox(f), 3);
}

//  Under the default framework the same reports carry no such warning.
static void test_valid_no_warning(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    Fundchain__Evaluation *pool = cityeval_pool(f->db, &f->conf, "2023", "resident");
    assert_non_null(pool);
    assert_false(s_has_warning(pool, "stored_invalid", ""));
    evaluation_free(pool);
}

//  An incremental round evaluates the pool from every unit, but evaluates,
//  queues (and so publishes) only the units whose record changed since a
//  committed round queued them; a round that was taken but never queued
//  records nothing, so its units are evaluated again.
static void test_incremental_units(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    s_accept(f, "513336", "2023", "resident", 1, "5.00");
    cityeval_round_t round = {.incremental = true};
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(round.pairs[0].n, 4); //  pool + 3 units: none was queued yet
    cityeval_round_clear(&round);          //  taken, never queued: nothing recorded
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(round.pairs[0].n, 4);
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    uint64_t first = round.pairs[0].evals[0]->version;
    cityeval_round_clear(&round);
    assert_int_equal(s_outbox(f), 4);
    s_accept(f, "513331", "2023", "resident", 2, "35.00");
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(round.pairs[0].n, 2); //  the pool and 513331 alone
    const Fundchain__Evaluation *pool = round.pairs[0].evals[0];
    assert_int_equal(pool->level, FUNDCHAIN__EVALUATION__LEVEL__POOL);
    assert_int_equal(pool->n_units, 3);
    assert_int_equal(s_amount(pool, "income.total"), 14000);
    assert_string_equal(round.pairs[0].evals[1]->code, "513331");
    assert_int_equal(s_amount(round.pairs[0].evals[1], "income.total"), 3500);
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    assert_true(round.pairs[0].evals[1]->version > first);
    cityeval_round_clear(&round);
    assert_int_equal(s_outbox(f), 4); //  the pool's and 513331's entries replaced
    assert_int_equal(s_marks(f), 0);
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 0);
    //  A round that does not remember (queries, tools) evaluates every unit.
    s_accept(f, "513322", "2023", "resident", 2, "110.00");
    cityeval_round_t all = {0};
    assert_int_equal(cityeval_take(f->db, &f->conf, &all), 1);
    assert_int_equal(all.pairs[0].n, 4);
    cityeval_round_free(&all);
    cityeval_round_free(&round);
}

static int s_damage(store_txn_t *txn, void *arg)
{
    (void)arg;
    const char key[] = "2023|resident|513331", junk[] = "\xff\xff\xff\xff";
    return store_put(txn, "reports", key, strlen(key), junk, 4);
}

//  A stored record that cannot be decoded is left out of the pool with a
//  stored_unreadable warning naming its unit; the other units are evaluated.
static void test_unreadable_record(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    assert_int_equal(store_write(citydb_store(f->db), s_damage, NULL), 0);
    Fundchain__Evaluation **all = NULL;
    assert_int_equal(cityeval_all(f->db, &f->conf, "2023", "resident", &all), 2);
    assert_int_equal(all[0]->n_units, 1);
    assert_int_equal(s_amount(all[0], "income.total"), 10000);
    assert_true(s_has_warning(all[0], "stored_unreadable", "513331 2023 resident"));
    assert_string_equal(all[1]->code, "513322");
    evaluation_free(all[0]);
    evaluation_free(all[1]);
    free(all);
}

//  Packs an evaluation with its version left out, to compare two.
static uint8_t *s_bytes(Fundchain__Evaluation *e, size_t *len)
{
    uint64_t version = e->version;
    e->version = 0;
    uint8_t *bytes = evaluation_encode(e, len);
    e->version = version;
    assert_non_null(bytes);
    return bytes;
}

//  An incremental round makes the pool of unchanged units from the members
//  it kept (no decoding, no validation): the same pool, to the byte, as a
//  query makes from the store, stored_invalid warnings of kept members
//  included.
static void test_incremental_pool_same(void **state)
{
    fixture_t *f = *state;
    s_accept(f, "513300", "2023", "resident", 1, "50.00");
    s_accept(f, "513322", "2023", "resident", 1, "100.00");
    s_accept(f, "513331", "2023", "resident", 1, "25.00");
    s_strict(f);
    cityeval_round_t round = {.incremental = true};
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(cityeval_queue(f->db, &round), 0);
    cityeval_round_clear(&round);
    s_accept(f, "513331", "2023", "resident", 2, "35.00");
    assert_int_equal(cityeval_take(f->db, &f->conf, &round), 1);
    assert_int_equal(round.pairs[0].n, 2);
    Fundchain__Evaluation *pool = round.pairs[0].evals[0];
    assert_true(s_has_warning(pool, "stored_invalid", "513322 revision 1"));
    assert_true(s_has_warning(pool, "stored_invalid", "513331 revision 2"));
    assert_int_equal(s_amount(pool, "income.total"), 18500);
    Fundchain__Evaluation *query = cityeval_pool(f->db, &f->conf, "2023", "resident");
    assert_non_null(query);
    size_t a_len, b_len;
    uint8_t *a = s_bytes(pool, &a_len), *b = s_bytes(query, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
    evaluation_free(query);
    cityeval_round_free(&round);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pool_and_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_one_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rounds_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_valid_no_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental_pool_same, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
