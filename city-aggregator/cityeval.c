/*  cityeval - evaluates units and the city pool from what the city stored,
    for the query commands and for the evaluator (evaluator.c).

    Everything one evaluation needs (the reports of its (period, fund) and
    the units known for its fund) is read in one read transaction, so that
    the pool and its units agree. cityeval_take evaluates a round of dirty
    pairs the same way: in ONE read transaction it takes the marks of up to
    max_pairs pairs (or about max_reports evaluations) and, for each pair,
    its reports in one scan, from which the pool and every unit are
    evaluated; an incremental round (the evaluator's) evaluates only the
    units whose stored record changed since a committed round queued them
    (evalseen.h), so that a pair of 100 units that one report changed
    costs one unit's evaluation besides its pool.
    A round starts after the last pair of the previous one and wraps, so
    that pairs renewed all the time cannot starve the others.
    cityeval_queue then versions and queues the round for the province in
    ONE write transaction, clearing only the marks that still hold the
    generation the round read: a report stored after the snapshot leaves
    its pair dirty.

    A stored report that no longer validates (the city restarted with a
    stricter --framework) is never dropped: it is evaluated as far as its
    items parse (an item that no longer parses is left out), and its unit's evaluation and the
    pool's carry a stored_invalid warning naming it and the error, which is
    logged too. A stored report that cannot even be decoded is left out of
    the pool with a stored_unreadable warning and an error in the log.
    Functions return -1 (or NULL) when the store cannot be read or memory
    runs out; a pair that cannot be evaluated stays marked (logged).
*/
#include "cityeval.h"
#include "cityhistory.h"
#include "evalseen.h"
#include "evaluation.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHY_MAX 256

//  One stored report of a (period, fund), as a round or a query read it:
//  its part in the pool, and when its unit is evaluated, the report.
typedef struct {
    report_t *report;         //  decoded and checked (NULL: its member was kept)
    diag_t *diag;             //  what its validation said
    const char *invalid;      //  why it no longer validates, or NULL
    char *own_invalid;        //  invalid, when this member owns it
    uint64_t hash;            //  of its stored record (evalseen)
    int64_t received_at;      //  when the city first received it (unix s)
    bool changed;             //  not what the evaluator last queued for its unit
    const poolmember_t *part; //  what the pool takes of it
    poolmember_t *own_part;   //  part, when no evalseen keeps it
} member_t;

//  The reports of one (period, fund), and what is wrong with any of them.
typedef struct {
    member_t *members;
    const poolmember_t **parts; //  the members' parts, for evaluation_pool_members
    size_t n, cap;
    char **unreadable;
    size_t n_unreadable; //  warnings of records that cannot be decoded
    const framework_t *fw;
    const char *unit; //  only this unit, or NULL for all
    evalseen_t *seen; //  what was queued last (NULL: every unit changed)
    const char *period, *fund;
    citydb_snap_t *snap; //  the snapshot read (for the units' series)
} collect_t;

static int s_add_text(char ***list, size_t *n, const char *text)
{
    char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *list = grown;
    if (!(grown[*n] = strdup(text)))
        return -1;
    (*n)++;
    return 0;
}

//  Records a stored report that cannot be decoded: logged and warned of.
static int s_unreadable(collect_t *c, const char *unit, const char *why)
{
    char text[512];
    snprintf(text, sizeof text,
             "the stored report of %.8s %.15s %.15s cannot be decoded (%.256s): it is left out",
             unit, c->period, c->fund, why);
    log_error("%s", text);
    return s_add_text(&c->unreadable, &c->n_unreadable, text);
}

//  Makes room for one more member. Returns 0 or -1.
static int s_grow(collect_t *c)
{
    if (c->n < c->cap)
        return 0;
    size_t cap = c->cap ? 2 * c->cap : 16;
    member_t *members = realloc(c->members, cap * sizeof *members);
    if (members)
        c->members = members;
    const poolmember_t **parts = members ? realloc(c->parts, cap * sizeof *parts) : NULL;
    if (parts)
        c->parts = parts;
    if (!parts)
        return -1;
    c->cap = cap;
    return 0;
}

//  Appends a member (its part taken from m). Returns 0 or -1.
static int s_append(collect_t *c, member_t *m)
{
    if (s_grow(c) != 0)
        return -1;
    c->parts[c->n] = m->part;
    c->members[c->n++] = *m;
    return 0;
}

//  Frees what a member owns.
static void s_member_clear(member_t *m)
{
    report_destroy(&m->report);
    diag_destroy(&m->diag);
    poolmember_destroy(&m->own_part);
    free(m->own_invalid);
    memset(m, 0, sizeof *m);
}

//  Decodes and checks a stored record into m. Returns 0, 1 when it cannot
//  be decoded (warned of), or -1 when out of memory.
static int s_decode(collect_t *c, const char *unit, const void *bytes, size_t len, member_t *m)
{
    Fundchain__StoredReport *stored = fundchain__stored_report__unpack(NULL, len, bytes);
    if (!stored || !stored->report) {
        fundchain__stored_report__free_unpacked(stored, NULL);
        return s_unreadable(c, unit, "not a stored report") ? -1 : 1;
    }
    bool valid;
    char why[WHY_MAX];
    m->received_at = stored->first_received_at;
    m->diag = diag_new();
    m->report =
        m->diag ? citydb_report_check(stored, c->fw, m->diag, &valid, why, sizeof why) : NULL;
    fundchain__stored_report__free_unpacked(stored, NULL);
    if (!m->report)
        return !m->diag ? -1 : s_unreadable(c, unit, why) ? -1 : 1;
    if (!valid && !(m->invalid = m->own_invalid = strdup(why)))
        return -1;
    m->own_part = poolmember_new(m->report);
    m->part = m->own_part;
    return m->part ? 0 : -1;
}

//  Takes one stored record into the collection: the member evalseen kept
//  of it when its unit is unchanged, else decoded and checked (and its
//  member kept for the next rounds; an unchanged unit's report is not).
static int s_collect(const char *unit, const void *bytes, size_t len, void *arg)
{
    collect_t *c = arg;
    if (c->unit && strcmp(unit, c->unit))
        return 0;
    member_t m = {.hash = evalseen_hash(bytes, len)};
    //  Its review is part of its evaluation: a new review is a change too.
    const void *review;
    size_t review_len;
    int found =
        c->snap ? cityhistory_review_raw(c->snap, c->period, c->fund, unit, &review, &review_len)
                : 1;
    if (found < 0)
        return -1;
    if (found == 0)
        m.hash ^= evalseen_hash(review, review_len) * 0x9E3779B97F4A7C15ULL;
    m.part = evalseen_find(c->seen, c->period, c->fund, unit, m.hash, &m.changed, &m.invalid);
    if (!m.changed && m.part)
        return s_append(c, &m);
    m.part = NULL;
    m.invalid = NULL;
    int rc = s_decode(c, unit, bytes, len, &m);
    if (rc == 0 && c->seen) {
        const poolmember_t *kept =
            evalseen_keep(c->seen, c->period, c->fund, unit, m.hash, &m.own_part, m.invalid);
        if (kept)
            m.part = kept;
    }
    if (rc == 0 && !m.changed) { //  only its part is needed
        report_destroy(&m.report);
        diag_destroy(&m.diag);
    }
    if (rc == 0 && s_append(c, &m) == 0)
        return 0;
    s_member_clear(&m);
    return rc > 0 ? 0 : -1;
}

static void s_collect_clear(collect_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        s_member_clear(&c->members[i]);
    for (size_t i = 0; i < c->n_unreadable; i++)
        free(c->unreadable[i]);
    free(c->members);
    free(c->parts);
    free(c->unreadable);
    memset(c, 0, sizeof *c);
}

typedef struct {
    char (*codes)[8];
    size_t n;
} known_t;

//  Adds a code (repeats are dropped once the list is sorted: s_unique).
static int s_add_code(known_t *k, const char *code)
{
    if ((k->n & (k->n - 1)) == 0) { //  0, 1, 2, 4...: room for as many again
        char(*grown)[8] = realloc(k->codes, (k->n ? 2 * k->n : 1) * sizeof *grown);
        if (!grown)
            return -1;
        k->codes = grown;
    }
    snprintf(k->codes[k->n++], 8, "%s", code);
    return 0;
}

static int s_add_reporter(const char *unit, void *arg)
{
    return s_add_code(arg, unit);
}

static int s_cmp_code(const void *a, const void *b)
{
    return strcmp(a, b);
}

//  Sorts the codes and drops the repeats.
static void s_unique(known_t *k)
{
    if (k->n == 0)
        return;
    qsort(k->codes, k->n, sizeof *k->codes, s_cmp_code);
    size_t kept = 1;
    for (size_t i = 1; i < k->n; i++)
        if (strcmp(k->codes[i], k->codes[kept - 1]) != 0)
            memcpy(k->codes[kept++], k->codes[i], sizeof *k->codes);
    k->n = kept;
}

//  The configured units and those the snapshot knows for fund, sorted.
static int s_known(citydb_snap_t *snap, const cityconf_t *conf, const char *fund, known_t *k)
{
    *k = (known_t){NULL, 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < conf->n_units; i++)
        rc = s_add_code(k, conf->units[i].code);
    if (rc == 0)
        rc = citydb_snap_known(snap, fund, s_add_reporter, k);
    if (rc != 0) {
        free(k->codes);
        *k = (known_t){NULL, 0};
        return -1;
    }
    s_unique(k);
    return 0;
}

typedef struct {
    const cityconf_t *conf;
    const char *fund;
    known_t known;
} known_job_t;

static int s_known_snap(citydb_snap_t *snap, void *arg)
{
    known_job_t *job = arg;
    return s_known(snap, job->conf, job->fund, &job->known);
}

//  The known units of a fund.
int cityeval_known(citydb_t *db, const cityconf_t *conf, const char *fund, char (**codes)[8])
{
    known_job_t job = {conf, fund, {NULL, 0}};
    if (citydb_snapshot(db, s_known_snap, &job) != 0)
        return -1;
    *codes = job.known.codes;
    return (int)job.known.n;
}

//  Adds the warning of a report that no longer validates, and logs it.
static int s_warn_invalid(Fundchain__Evaluation *eval, const poolmember_t *r, const char *why,
                          bool log)
{
    char text[512];
    snprintf(text, sizeof text,
             "the stored report of %s revision %u no longer validates against this city's "
             "framework (%.300s); it is evaluated as far as its items parse",
             poolmember_unit(r), poolmember_revision(r), why);
    if (log)
        log_warn("%s %s: %s", poolmember_period(r), poolmember_fund(r), text);
    return evaluation_add_warning(eval, "stored_invalid", text);
}

//  Records in a unit's evaluation when its report first arrived and
//  whether that was by the period's deadline (the province shows it).
static void s_timeliness(const cityconf_t *conf, const member_t *m, Fundchain__Evaluation *eval)
{
    period_t p;
    const char *why;
    eval->received_at = m->received_at;
    eval->on_time = m->received_at > 0 && period_parse(eval->period, &p, &why) == 0 &&
                    m->received_at <= (int64_t)period_deadline(&p, &conf->deadline);
}

//  Puts the review of a unit (or of the pool: "CITY.pool") in its
//  evaluation. Returns 0 or -1.
static int s_review(const collect_t *c, const char *key, Fundchain__Evaluation *eval)
{
    Fundchain__Review *review = NULL;
    if (c->snap && cityhistory_review_get(c->snap, c->period, c->fund, key, &review) != 0)
        return -1;
    eval->review = review; //  evaluation_free frees it with the rest
    return 0;
}

//  Warns of the values of a unit's report far from its own history
//  (cityseries.h), read from the same snapshot. Returns 0 or -1.
static int s_outliers(const cityconf_t *conf, const collect_t *c, const report_t *r,
                      Fundchain__Evaluation *eval)
{
    cityseries_past_t *past = NULL;
    char *periods = NULL;
    size_t n = 0;
    int rc = c->snap ? citydb_snap_series(c->snap, r->fund, r->unit, r->period,
                                          CITYSERIES_HISTORY_MAX, &past, &n, &periods)
                     : 0;
    if (rc == 0 && n > 0)
        rc = cityseries_warn(r, past, n, conf->outlier_z, eval);
    free(past);
    free(periods);
    return rc;
}

//  Evaluates member i of a collection, with the warning it needs.
static Fundchain__Evaluation *s_unit(const cityconf_t *conf, const eval_cfg_t *cfg,
                                     const collect_t *c, size_t i)
{
    const member_t *m = &c->members[i];
    const report_t *r = m->report;
    Fundchain__Evaluation *eval =
        evaluation_unit_checked(r, m->diag, conf->city, cityconf_unit_name(conf, r->unit), cfg);
    if (eval)
        s_timeliness(conf, m, eval);
    if (eval && s_review(c, r->unit, eval) != 0) {
        evaluation_free(eval);
        return NULL;
    }
    if (eval && s_outliers(conf, c, r, eval) != 0) {
        evaluation_free(eval);
        return NULL;
    }
    if (eval && m->invalid && s_warn_invalid(eval, m->part, m->invalid, false) != 0) {
        evaluation_free(eval);
        eval = NULL;
    }
    return eval;
}

//  Evaluates the pool of a collection, with the warnings it needs (logged).
static Fundchain__Evaluation *s_pool(const cityconf_t *conf, const eval_cfg_t *cfg,
                                     const collect_t *c, const known_t *k)
{
    const char **known = calloc(k->n + 1, sizeof *known);
    Fundchain__Evaluation *eval = NULL;
    for (size_t i = 0; known && i < k->n; i++)
        known[i] = k->codes[i];
    if (known)
        eval = evaluation_pool_members(conf->city, conf->name, c->period, c->fund, c->parts, c->n,
                                       known, k->n, cfg);
    free(known);
    int rc = eval ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < c->n; i++)
        if (c->members[i].invalid)
            rc = s_warn_invalid(eval, c->members[i].part, c->members[i].invalid, true);
    for (size_t i = 0; rc == 0 && i < c->n_unreadable; i++)
        rc = evaluation_add_warning(eval, "stored_unreadable", c->unreadable[i]);
    char pool_key[16];
    snprintf(pool_key, sizeof pool_key, "%s.pool", conf->city);
    if (rc == 0)
        rc = s_review(c, pool_key, eval);
    if (rc != 0)
        evaluation_free(eval);
    return rc == 0 ? eval : NULL;
}

//  What s_evaluate made: the pool first (when asked for and some unit
//  reported), then the units in code order, each with the hash of the
//  record it was made from (hashes[0] is the pool's: 0).
typedef struct {
    Fundchain__Evaluation **evals;
    uint64_t *hashes;
    size_t n;
} evaluated_t;

static void s_evaluated_clear(evaluated_t *e)
{
    for (size_t i = 0; e->evals && i < e->n; i++)
        evaluation_free(e->evals[i]);
    free(e->evals);
    free(e->hashes);
    *e = (evaluated_t){0};
}

//  Reads and evaluates one (period, fund) on a snapshot: the pool, then
//  every unit in code order; with seen, only the units whose record changed
//  since seen recorded it (the pool is still made from every unit).
//  Returns 0 (out->n is 0 when no unit reported), or -1.
static int s_evaluate(citydb_snap_t *snap, const cityconf_t *conf, const char *period,
                      const char *fund, const char *unit, bool with_pool, evalseen_t *seen,
                      evaluated_t *out)
{
    eval_cfg_t cfg;
    cityconf_eval_cfg(conf, &cfg);
    collect_t c = {
        .fw = cfg.fw, .unit = unit, .seen = seen, .period = period, .fund = fund, .snap = snap};
    known_t k = {NULL, 0};
    *out = (evaluated_t){0};
    evalseen_trim(seen); //  no member is in use between two pairs
    int rc = citydb_snap_each_raw(snap, period, fund, s_collect, &c);
    if (rc == 0 && with_pool)
        rc = s_known(snap, conf, fund, &k);
    out->evals = rc == 0 ? calloc(c.n + 1, sizeof *out->evals) : NULL;
    out->hashes = out->evals ? calloc(c.n + 1, sizeof *out->hashes) : NULL;
    bool ok = out->hashes != NULL;
    if (ok && c.n > 0 && with_pool)
        ok = (out->evals[out->n++] = s_pool(conf, &cfg, &c, &k)) != NULL;
    for (size_t i = 0; ok && i < c.n; i++) {
        if (!c.members[i].changed)
            continue;
        out->hashes[out->n] = c.members[i].hash;
        ok = (out->evals[out->n++] = s_unit(conf, &cfg, &c, i)) != NULL;
    }
    free(k.codes);
    s_collect_clear(&c);
    if (!ok)
        s_evaluated_clear(out);
    return ok ? 0 : -1;
}

typedef struct {
    const cityconf_t *conf;
    const char *period, *fund, *unit;
    bool with_pool;
    evaluated_t out;
} one_t;

static int s_evaluate_snap(citydb_snap_t *snap, void *arg)
{
    one_t *one = arg;
    return s_evaluate(snap, one->conf, one->period, one->fund, one->unit, one->with_pool, NULL,
                      &one->out);
}

//  Evaluates on one snapshot; returns the count or -1 (nothing then).
static int s_evaluate_db(citydb_t *db, one_t *one)
{
    if (citydb_snapshot(db, s_evaluate_snap, one) != 0) {
        s_evaluated_clear(&one->out);
        return -1;
    }
    return (int)one->out.n;
}

//  Takes evaluation i out of what was evaluated, freeing the rest.
static Fundchain__Evaluation *s_take_one(evaluated_t *out, size_t i)
{
    Fundchain__Evaluation *eval = NULL;
    if (i < out->n) {
        eval = out->evals[i];
        out->evals[i] = NULL;
    }
    s_evaluated_clear(out);
    return eval;
}

//  Evaluates the pool of (period, fund).
Fundchain__Evaluation *cityeval_pool(citydb_t *db, const cityconf_t *conf, const char *period,
                                     const char *fund)
{
    one_t one = {conf, period, fund, NULL, true, {0}};
    s_evaluate_db(db, &one);
    return s_take_one(&one.out, 0);
}

//  Evaluates one unit's own newest report of (period, fund).
Fundchain__Evaluation *cityeval_unit(citydb_t *db, const cityconf_t *conf, const char *unit,
                                     const char *period, const char *fund)
{
    one_t one = {conf, period, fund, unit, false, {0}};
    int n = s_evaluate_db(db, &one);
    return s_take_one(&one.out, n == 1 ? 0 : SIZE_MAX); //  a unit has one report of a pair
}

//  Evaluates the pool of (period, fund) and every unit that reported for it.
int cityeval_all(citydb_t *db, const cityconf_t *conf, const char *period, const char *fund,
                 Fundchain__Evaluation ***evals)
{
    one_t one = {conf, period, fund, NULL, true, {0}};
    int n = s_evaluate_db(db, &one);
    *evals = one.out.evals;
    free(one.out.hashes);
    return n;
}

/* ---- rounds of dirty pairs ----------------------------------------- */

typedef struct {
    citydb_snap_t *snap;
    const cityconf_t *conf;
    cityeval_round_t *round;
    size_t reports;
    bool wrapped; //  the second pass: the pairs up to round->after
    int failed;
} take_t;

static void s_pair_name(char *buf, size_t size, const char *period, const char *fund)
{
    snprintf(buf, size, "%s|%s", period, fund);
}

static int s_take_mark(const citydb_mark_t *mark, void *arg)
{
    take_t *t = arg;
    cityeval_round_t *round = t->round;
    if (!t->wrapped && mark->since_ms > 0 &&
        (round->oldest_ms == 0 || mark->since_ms < round->oldest_ms))
        round->oldest_ms = mark->since_ms; //  the first pass sees every mark
    char name[CITYEVAL_PAIR_MAX];
    s_pair_name(name, sizeof name, mark->period, mark->fund);
    bool after = strcmp(name, round->after) > 0;
    if (t->wrapped ? after : !after)
        return 0; //  another pass takes it
    if (round->n >= round->max_pairs || (round->n > 0 && t->reports >= round->max_reports)) {
        round->more = true;
        return t->wrapped ? 1 : 0; //  the first pass goes on, for the marks' ages
    }
    cityeval_pair_t *pair = &round->pairs[round->n];
    memset(pair, 0, sizeof *pair);
    evaluated_t out;
    if (s_evaluate(t->snap, t->conf, mark->period, mark->fund, NULL, true, round->seen, &out)) {
        log_error("cannot evaluate %s %s (it stays marked and is tried again)", mark->period,
                  mark->fund);
        t->failed++;
        return 0;
    }
    snprintf(pair->period, sizeof pair->period, "%s", mark->period);
    snprintf(pair->fund, sizeof pair->fund, "%s", mark->fund);
    pair->generation = mark->generation;
    pair->since_ms = mark->since_ms;
    pair->evals = out.evals;
    pair->hashes = out.hashes;
    pair->n = out.n;
    t->reports += out.n;
    round->n++;
    return 0;
}

static int s_take(citydb_snap_t *snap, void *arg)
{
    take_t *t = arg;
    t->snap = snap;
    t->wrapped = false;
    int rc = citydb_snap_marks(snap, s_take_mark, t);
    if (rc == 0 && !t->round->more && t->round->after[0]) {
        t->wrapped = true;
        rc = citydb_snap_marks(snap, s_take_mark, t);
    }
    return rc;
}

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  Takes and evaluates a round of dirty pairs from one snapshot.
int cityeval_take(citydb_t *db, const cityconf_t *conf, cityeval_round_t *round)
{
    cityeval_round_clear(round);
    if (round->max_pairs == 0)
        round->max_pairs = CITYEVAL_ROUND_PAIRS;
    if (round->max_reports == 0)
        round->max_reports = CITYEVAL_ROUND_REPORTS;
    if (round->incremental && !round->seen && !(round->seen = evalseen_new(0, 0)))
        return -1;
    round->pairs = calloc(round->max_pairs, sizeof *round->pairs);
    if (!round->pairs)
        return -1;
    take_t t = {NULL, conf, round, 0, false, 0};
    round->snapshot_ms = s_now_ms(); //  before the snapshot: never later than it
    if (citydb_snapshot(db, s_take, &t) != 0) {
        log_error("cannot read the changed periods: %s", store_error(citydb_store(db)));
        cityeval_round_clear(round);
        return -1;
    }
    if (round->n > 0)
        s_pair_name(round->after, sizeof round->after, round->pairs[round->n - 1].period,
                    round->pairs[round->n - 1].fund);
    round->failed = (size_t)t.failed;
    return (int)round->n;
}

//  Records the units a committed round evaluated, so that the next rounds
//  evaluate them again only once their records change. A unit that cannot
//  be recorded is forgotten: evaluated again, never taken as unchanged.
static void s_remember(cityeval_round_t *round)
{
    for (size_t i = 0; round->seen && i < round->n; i++) {
        const cityeval_pair_t *p = &round->pairs[i];
        for (size_t k = 1; k < p->n; k++)
            evalseen_record(round->seen, p->period, p->fund, p->evals[k]->code, p->hashes[k]);
    }
}

//  Versions and queues a round in one transaction, clearing its marks.
int cityeval_queue(citydb_t *db, cityeval_round_t *round)
{
    if (round->n == 0)
        return 0;
    citydb_pair_t *pairs = calloc(round->n, sizeof *pairs);
    if (!pairs)
        return -1;
    size_t evals = 0;
    for (size_t i = 0; i < round->n; i++) {
        cityeval_pair_t *p = &round->pairs[i];
        pairs[i] =
            (citydb_pair_t){p->period, p->fund, p->evals, p->n, p->generation, round->snapshot_ms};
        evals += p->n;
    }
    int rc = citydb_commit_pairs(db, pairs, round->n, true);
    free(pairs);
    if (rc != 0)
        log_error("cannot queue the evaluations of %zu changed periods: %s (they stay marked)",
                  round->n, store_error(citydb_store(db)));
    else {
        s_remember(round);
        log_info("queued %zu evaluations of %zu changed periods (%s %s ...), version %llu", evals,
                 round->n, round->pairs[0].period, round->pairs[0].fund,
                 (unsigned long long)(round->pairs[0].n ? round->pairs[0].evals[0]->version : 0));
    }
    return rc;
}

//  Frees the pairs of a round, keeping its settings and where it ended.
void cityeval_round_clear(cityeval_round_t *round)
{
    for (size_t i = 0; round->pairs && i < round->n; i++) {
        for (size_t k = 0; k < round->pairs[i].n; k++)
            evaluation_free(round->pairs[i].evals[k]);
        free(round->pairs[i].evals);
        free(round->pairs[i].hashes);
    }
    free(round->pairs);
    round->pairs = NULL;
    round->n = 0;
    round->more = false;
    round->oldest_ms = 0;
    round->failed = 0;
}

//  Frees everything a round holds, its memory of the units included.
void cityeval_round_free(cityeval_round_t *round)
{
    cityeval_round_clear(round);
    evalseen_destroy(&round->seen);
}

//  Evaluates and queues every dirty pair, round after round.
int cityeval_forward(citydb_t *db, const cityconf_t *conf)
{
    cityeval_round_t round = {0};
    int total = 0;
    do {
        int n = cityeval_take(db, conf, &round);
        if (n < 0 || cityeval_queue(db, &round) != 0) {
            total = -1;
            break;
        }
        total += n;
    } while (round.more);
    cityeval_round_clear(&round);
    return total;
}
