/*  evaluation - scores one unit's report, or a city pool, into the
    protobuf Evaluation.

    Every part of an Evaluation built here (the message, its sub-messages,
    their arrays and every string) is allocated with malloc, exactly as
    protobuf-c's unpack does with the default allocator, so that one free
    path (fundchain__evaluation__free_unpacked) serves both the evaluations
    built here and those decoded from the wire.
*/
#include "evaluation.h"
#include "adcode.h"
#include "catalog.h"
#include "consolidate.h"
#include "decimal.h"
#include "indicator.h"
#include "score.h"
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fills the default configuration (default framework, default thresholds). */
void evaluation_cfg_defaults(eval_cfg_t *cfg)
{
    if (!cfg)
        return;
    cfg->fw = NULL;
    cfg->risk.level1 = 3 * QTY_SCALE;
    cfg->risk.level2 = 6 * QTY_SCALE;
    cfg->risk.level3 = 9 * QTY_SCALE;
    cfg->risk.normal = 15 * QTY_SCALE;
}

/* Parses "3,6,9,15" into risk thresholds; returns 0 or -1 with a reason. */
int evaluation_risk_parse(const char *text, risk_cfg_t *risk, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    char buf[128];
    if (!text || !risk || strlen(text) >= sizeof buf) {
        *why = "risk thresholds missing or too long";
        return -1;
    }
    strcpy(buf, text);
    int64_t values[4];
    char *part = buf;
    for (size_t i = 0; i < 4; i++) {
        char *comma = strchr(part, ',');
        if ((comma != NULL) != (i < 3)) {
            *why = "expected four thresholds, e.g. 3,6,9,15";
            return -1;
        }
        if (comma)
            *comma = '\0';
        if (decimal_parse_qty(part, 1, &values[i], why) != 0)
            return -1;
        if (values[i] < 0 || (i > 0 && values[i] < values[i - 1])) {
            *why = "thresholds must be non-negative and ascending";
            return -1;
        }
        part = comma ? comma + 1 : part;
    }
    risk->level1 = values[0];
    risk->level2 = values[1];
    risk->level3 = values[2];
    risk->normal = values[3];
    return 0;
}

/* The evaluation being built; failed once anything ran out of memory.
   Its arrays grow by doubling (their room is then a power of two, at
   least 8), unless exact: an evaluation made elsewhere (decoded) has
   arrays of exactly their count, grown one slot at a time. */
typedef struct {
    Fundchain__Evaluation *eval;
    bool failed;
    bool exact;
} s_build_t;

/* Returns a malloc'ed copy of text (NULL copies as ""); marks a failure. */
static char *s_dup(s_build_t *b, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        b->failed = true;
    return copy;
}

/* Makes room in a pointer array of n for one more; returns the array or
   NULL (marked). */
static void *s_grow(s_build_t *b, void *array, size_t n)
{
    size_t room = n + 1;
    if (!b->exact) {
        if (n > 0 && (n < 8 || (n & (n - 1)) != 0))
            return array; //  room left: 8, then every power of two
        room = n < 8 ? 8 : 2 * n;
    }
    void *grown = realloc(array, room * sizeof(void *));
    if (!grown)
        b->failed = true;
    return grown;
}

/* Starts an evaluation; returns false when out of memory. */
static bool s_start(s_build_t *b, const char *code, const char *city, const char *period,
                    const char *fund, const char *name, Fundchain__Evaluation__Level level)
{
    b->failed = false;
    b->eval = malloc(sizeof(Fundchain__Evaluation));
    if (!b->eval)
        return false;
    fundchain__evaluation__init(b->eval);
    b->eval->level = level;
    b->eval->code = s_dup(b, code);
    b->eval->city = s_dup(b, city);
    b->eval->period = s_dup(b, period);
    b->eval->fund = s_dup(b, fund);
    b->eval->name = s_dup(b, name);
    b->eval->grade = s_dup(b, "");
    b->eval->has_total = true;
    return !b->failed;
}

/* Appends an amount of money in fen. */
static void s_add_amount(s_build_t *b, const char *code, int64_t fen)
{
    Fundchain__Evaluation *e = b->eval;
    Fundchain__Amount **items = s_grow(b, e->items, e->n_items);
    if (!items)
        return;
    e->items = items;
    Fundchain__Amount *amount = malloc(sizeof *amount);
    if (!amount) {
        b->failed = true;
        return;
    }
    fundchain__amount__init(amount);
    amount->fen = fen;
    amount->code = s_dup(b, code);
    e->items[e->n_items++] = amount;
}

/* Appends a shown number (or a text) to one of the Shown lists. */
static void s_add_shown(s_build_t *b, Fundchain__Shown ***list, size_t *n, const char *code,
                        int64_t centi, const char *text)
{
    Fundchain__Shown **grown = s_grow(b, *list, *n);
    if (!grown)
        return;
    *list = grown;
    Fundchain__Shown *shown = malloc(sizeof *shown);
    if (!shown) {
        b->failed = true;
        return;
    }
    fundchain__shown__init(shown);
    shown->centi = centi;
    shown->code = s_dup(b, code);
    shown->text = s_dup(b, text);
    (*list)[(*n)++] = shown;
}

/* Appends a warning with a formatted message. */
static void s_add_warning(s_build_t *b, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_add_warning(s_build_t *b, const char *code, const char *fmt, ...)
{
    Fundchain__Evaluation *e = b->eval;
    Fundchain__Warning **grown = s_grow(b, e->warnings, e->n_warnings);
    if (!grown)
        return;
    e->warnings = grown;
    Fundchain__Warning *warning = malloc(sizeof *warning);
    if (!warning) {
        b->failed = true;
        return;
    }
    fundchain__warning__init(warning);
    char message[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    warning->code = s_dup(b, code);
    warning->message = s_dup(b, message);
    e->warnings[e->n_warnings++] = warning;
}

/* Appends the code of a unit of the evaluation. */
static void s_add_unit(s_build_t *b, const char *code)
{
    Fundchain__Evaluation *e = b->eval;
    char **grown = s_grow(b, e->units, e->n_units);
    if (!grown)
        return;
    e->units = grown;
    char *copy = s_dup(b, code);
    if (copy)
        e->units[e->n_units++] = copy;
}

/* Appends every money item that src has, in catalogue order. */
static void s_add_items(s_build_t *b, amount_fn_t amount, const void *src)
{
    for (size_t i = 0; i < catalog_size(); i++) {
        const catalog_entry_t *entry = catalog_at(i);
        int64_t fen;
        if (entry->kind == ITEM_MONEY && amount(src, entry->code, &fen))
            s_add_amount(b, entry->code, fen);
    }
}

/* Appends every indicator, in code order. */
static void s_add_indicators(s_build_t *b, const indicator_set_t *ind)
{
    Fundchain__Evaluation *e = b->eval;
    for (size_t i = 0; i < indicator_set_size(ind); i++) {
        const indicator_t *one = indicator_set_at(ind, i);
        int64_t centi = one->text[0] ? 0 : rational_centi(one->value);
        s_add_shown(b, &e->indicators, &e->n_indicators, one->code, centi, one->text);
    }
}

/* Appends the scores in framework order, the total and the grade. */
static void s_add_scores(s_build_t *b, const framework_t *fw, const scores_t *scores)
{
    Fundchain__Evaluation *e = b->eval;
    for (size_t i = 0; i < scores->n; i++)
        s_add_shown(b, &e->scores, &e->n_scores, framework_at(fw, i)->code,
                    rational_centi(scores->items[i]), "");
    e->total_centi = rational_centi(scores->total);
    free(e->grade);
    e->grade = s_dup(b, score_grade(e->total_centi));
}

/* Appends a score_missing warning listing the items without a score. */
static void s_add_missing(s_build_t *b, const framework_t *fw, const scores_t *scores,
                          const char *who)
{
    if (scores->n_missing == 0)
        return;
    char list[400] = "";
    size_t len = 0;
    for (size_t i = 0; i < scores->n; i++) {
        const char *code = framework_at(fw, i)->code;
        if (scores->missing[i] && len + strlen(code) + 3 < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", code);
    }
    s_add_warning(b, "score_missing", "%s no score for %zu item(s): %s", who, scores->n_missing,
                  list);
}

/* Finishes a build: the evaluation, or NULL (freed) after a failure. */
static Fundchain__Evaluation *s_finish(s_build_t *b)
{
    if (b->failed) {
        evaluation_free(b->eval);
        return NULL;
    }
    return b->eval;
}

/* Amount source over a report. */
static bool s_report_amount(const void *src, const char *code, int64_t *amount)
{
    return report_amount(src, code, amount);
}

/* Writes score.<code> into item (80 bytes), cut as snprintf would. */
static void s_score_code(char item[80], const char *code)
{
    size_t len = strnlen(code, 80 - 7);
    memcpy(item, "score.", 6);
    memcpy(item + 6, code, len);
    item[6 + len] = '\0';
}

/* Own score source over a report: its score.<code>. */
static bool s_report_score(const void *src, const char *code, rational_t *score)
{
    char item[80];
    s_score_code(item, code);
    return indicator_item_value(src, item, score);
}

/* Amount source over a pool. */
static bool s_pool_amount(const void *src, const char *code, int64_t *amount)
{
    return consolidate_amount(src, code, amount);
}

/* Own score source over a pool: the 市本级's, or the counties' mean. */
static bool s_pool_score(const void *src, const char *code, rational_t *score)
{
    char item[80];
    s_score_code(item, code);
    return consolidate_reported(src, item, score);
}

/* Copies the warnings of a validation or a pool into the evaluation. */
static void s_add_diag_warnings(s_build_t *b, const diag_t *diag)
{
    for (size_t i = 0; i < diag_size(diag); i++) {
        const diag_entry_t *entry = diag_at(diag, i);
        if (entry->level == DIAG_WARNING)
            s_add_warning(b, entry->code, "%s", entry->message);
    }
}

/* Warns when a declared score.total differs from the exact computed total. */
static void s_check_declared_total(s_build_t *b, const report_t *report, const scores_t *scores)
{
    rational_t declared;
    if (!indicator_item_value(report, "score.total", &declared) ||
        rational_cmp(declared, scores->total) == 0)
        return;
    char given[32], computed[32];
    rational_centi_format(rational_centi(declared), given, sizeof given);
    rational_centi_format(rational_centi(scores->total), computed, sizeof computed);
    s_add_warning(b, "score_total_mismatch",
                  "declared score.total %s differs from the computed total %s", given, computed);
}

/* Returns the city of a unit: PPCC00 for a valid code, else "". */
static void s_city_of(const char *unit, char *city, size_t size)
{
    if (adcode_valid(unit))
        snprintf(city, size, "%.4s00", unit);
    else
        snprintf(city, size, "%s", "");
}

/* Computes indicators and scores of a validated copy into the build. */
static void s_unit_body(s_build_t *b, const report_t *copy, const eval_cfg_t *cfg,
                        const framework_t *fw, const diag_t *diag)
{
    indicator_set_t *ind = indicator_set_new();
    scores_t scores;
    memset(&scores, 0, sizeof scores);
    if (!ind || indicator_set_add_reported(ind, copy) != 0 ||
        indicator_set_compute(ind, s_report_amount, copy, copy->period, copy->fund, &cfg->risk) !=
            0 ||
        score_compute(fw, ind, s_report_score, copy, &scores) != 0) {
        b->failed = true;
    } else {
        s_add_items(b, s_report_amount, copy);
        s_add_indicators(b, ind);
        s_add_scores(b, fw, &scores);
        s_add_diag_warnings(b, diag);
        s_add_missing(b, fw, &scores, "the unit gave");
        s_check_declared_total(b, copy, &scores);
        s_add_unit(b, copy->unit);
        b->eval->complete = true;
    }
    score_clear(&scores);
    indicator_set_destroy(&ind);
}

/* Evaluates one validated report; NULL when out of memory or without a report. */
Fundchain__Evaluation *evaluation_unit(const report_t *report, const char *city, const char *name,
                                       const eval_cfg_t *cfg)
{
    if (!report)
        return NULL;
    eval_cfg_t defaults;
    if (!cfg) {
        evaluation_cfg_defaults(&defaults);
        cfg = &defaults;
    }
    report_t *copy = report_dup(report);
    diag_t *diag = diag_new();
    Fundchain__Evaluation *eval = NULL;
    if (copy && diag) {
        validate_report(copy, NULL, cfg->fw ? cfg->fw : framework_default(), diag, NULL);
        eval = evaluation_unit_checked(copy, diag, city, name, cfg);
    }
    diag_destroy(&diag);
    report_destroy(&copy);
    return eval;
}

/* Evaluates a report validate_report already checked, with its diagnostics. */
Fundchain__Evaluation *evaluation_unit_checked(const report_t *report, const diag_t *diag,
                                               const char *city, const char *name,
                                               const eval_cfg_t *cfg)
{
    if (!report || !diag)
        return NULL;
    eval_cfg_t defaults;
    if (!cfg) {
        evaluation_cfg_defaults(&defaults);
        cfg = &defaults;
    }
    const framework_t *fw = cfg->fw ? cfg->fw : framework_default();
    char own_city[8];
    s_city_of(report->unit, own_city, sizeof own_city);
    s_build_t b = {NULL, false, false};
    if (s_start(&b, report->unit, city ? city : own_city, report->period, report->fund, name,
                FUNDCHAIN__EVALUATION__LEVEL__UNIT))
        s_unit_body(&b, report, cfg, fw, diag);
    else
        b.failed = true;
    return s_finish(&b);
}

/* Computes the pool's indicators and scores into the build. */
static void s_pool_body(s_build_t *b, const consolidate_t *pool, const char *period,
                        const char *fund, const eval_cfg_t *cfg, const framework_t *fw)
{
    indicator_set_t *ind = indicator_set_new();
    scores_t scores;
    memset(&scores, 0, sizeof scores);
    if (!ind || consolidate_add_reported(pool, ind) != 0 ||
        indicator_set_compute(ind, s_pool_amount, pool, period, fund, &cfg->risk) != 0 ||
        score_compute(fw, ind, s_pool_score, pool, &scores) != 0) {
        b->failed = true;
    } else {
        s_add_items(b, s_pool_amount, pool);
        s_add_indicators(b, ind);
        s_add_scores(b, fw, &scores);
        s_add_diag_warnings(b, consolidate_warnings(pool));
        s_add_missing(b, fw, &scores, "neither the 市本级 nor any county gave");
        for (size_t i = 0; i < consolidate_size(pool); i++)
            s_add_unit(b, consolidate_unit_at(pool, i));
        b->eval->complete = consolidate_complete(pool);
    }
    score_clear(&scores);
    indicator_set_destroy(&ind);
}

/* Builds the evaluation of a consolidated pool; NULL when out of memory. */
static Fundchain__Evaluation *s_pool_eval(consolidate_t *pool, const char *city, const char *name,
                                          const char *period, const char *fund,
                                          const eval_cfg_t *cfg)
{
    eval_cfg_t defaults;
    if (!cfg) {
        evaluation_cfg_defaults(&defaults);
        cfg = &defaults;
    }
    const framework_t *fw = cfg->fw ? cfg->fw : framework_default();
    s_build_t b = {NULL, false, false};
    if (pool && s_start(&b, city, city, period, fund, name, FUNDCHAIN__EVALUATION__LEVEL__POOL))
        s_pool_body(&b, pool, period, fund, cfg, fw);
    else
        b.failed = true;
    consolidate_destroy(&pool);
    return s_finish(&b);
}

/* Evaluates the pool of a city for one period and fund; NULL when out of memory
   or on a missing argument. */
Fundchain__Evaluation *evaluation_pool(const char *city, const char *name, const char *period,
                                       const char *fund, report_t *const *reports, size_t n_reports,
                                       const char *const *known, size_t n_known,
                                       const eval_cfg_t *cfg)
{
    if (!city || !period || !fund)
        return NULL;
    consolidate_t *pool = consolidate_new(city, period, fund, reports, n_reports, known, n_known);
    return s_pool_eval(pool, city, name, period, fund, cfg);
}

/* The same from the members of the reports. */
Fundchain__Evaluation *evaluation_pool_members(const char *city, const char *name,
                                               const char *period, const char *fund,
                                               const poolmember_t *const *members, size_t n_members,
                                               const char *const *known, size_t n_known,
                                               const eval_cfg_t *cfg)
{
    if (!city || !period || !fund)
        return NULL;
    consolidate_t *pool =
        consolidate_new_members(city, period, fund, members, n_members, known, n_known);
    return s_pool_eval(pool, city, name, period, fund, cfg);
}

/* Appends a warning to an evaluation of this module. */
int evaluation_add_warning(Fundchain__Evaluation *eval, const char *code, const char *message)
{
    if (!eval || !code || !message)
        return -1;
    s_build_t b = {eval, false, true};
    s_add_warning(&b, code, "%s", message);
    return b.failed ? -1 : 0;
}

/* Frees an Evaluation made by this module or by evaluation_decode; safe on NULL. */
void evaluation_free(Fundchain__Evaluation *eval)
{
    if (eval)
        fundchain__evaluation__free_unpacked(eval, NULL);
}

/* Serialises an Evaluation; returns a malloc'ed buffer or NULL. */
uint8_t *evaluation_encode(const Fundchain__Evaluation *eval, size_t *len)
{
    if (!eval || !len)
        return NULL;
    size_t size = fundchain__evaluation__get_packed_size(eval);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    *len = fundchain__evaluation__pack(eval, buf);
    return buf;
}

/* Returns true when the message has no unknown field numbered 0. protobuf-c
   reads such a field from an overlong tag (0x80 0x00) but writes it back as
   the one byte 0x00, which it then refuses: an evaluation holding one would
   be stored and never read again. */
static bool s_no_field_zero(const ProtobufCMessage *msg)
{
    for (unsigned i = 0; msg && i < msg->n_unknown_fields; i++)
        if (msg->unknown_fields[i].tag == 0)
            return false;
    return true;
}

/* Returns true when neither the evaluation nor any part of it has an
   unknown field numbered 0. */
static bool s_well_formed(const Fundchain__Evaluation *e)
{
    bool ok = s_no_field_zero(&e->base);
    for (size_t i = 0; ok && i < e->n_items; i++)
        ok = s_no_field_zero(&e->items[i]->base);
    for (size_t i = 0; ok && i < e->n_indicators; i++)
        ok = s_no_field_zero(&e->indicators[i]->base);
    for (size_t i = 0; ok && i < e->n_scores; i++)
        ok = s_no_field_zero(&e->scores[i]->base);
    for (size_t i = 0; ok && i < e->n_warnings; i++)
        ok = s_no_field_zero(&e->warnings[i]->base);
    return ok;
}

/* Parses an Evaluation; returns NULL on malformed input, also when it could
   not be encoded again into something readable (a field numbered 0). */
Fundchain__Evaluation *evaluation_decode(const uint8_t *data, size_t len)
{
    static const uint8_t empty[1] = {0};
    if (!data && len)
        return NULL;
    Fundchain__Evaluation *eval = fundchain__evaluation__unpack(NULL, len, data ? data : empty);
    if (eval && !s_well_formed(eval)) {
        evaluation_free(eval);
        eval = NULL;
    }
    return eval;
}
