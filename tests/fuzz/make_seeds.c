/*  make_seeds - writes the binary seed corpora of the fuzz targets from
    report CSVs (the figures of the seed reports, see make-corpus.sh).

    Usage: make_seeds CORPUS_DIR CSV...

    For every report in the CSVs it writes an encoded Report, its unit
    Evaluation and its city's pool Evaluation; then, from the first reports,
    the messages a city and the hub receive (with the peer byte the ingest
    targets expect), Acks, an Envelope of each kind, OutboxEntries in every
    state, a StoredReport and the hub's queries. Output is deterministic.
*/
#include "csvimport.h"
#include "envelope.h"
#include "evaluation.h"
#include "report.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SUBMITTED_AT 1706745600 /* 2024-02-01 00:00:00 UTC */
#define MAX_REPORTS 32

//  The peers the ingest targets pick with their first byte.
enum {
    CITY_PEER_NONE = 0,
    CITY_PEER_513300 = 1,
    CITY_PEER_513301 = 2,
    CITY_PEER_513322 = 3,
    CITY_PEER_OTHER = 4
};
enum {
    HUB_PEER_NONE = 0,
    HUB_PEER_510400 = 1,
    HUB_PEER_511900 = 2,
    HUB_PEER_513300 = 3,
    HUB_PEER_COUNTY = 4
};

static const char *s_root;
static int s_failed;

//  Writes one seed file: ROOT/target/name, with an optional leading byte.
static void s_write(const char *target, const char *name, int first, const uint8_t *data,
                    size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", s_root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        s_failed = 1;
        return;
    }
    snprintf(path, sizeof path, "%s/%s/%s", s_root, target, name);
    FILE *file = fopen(path, "wb");
    if (!file || (first >= 0 && fputc(first, file) == EOF) ||
        (len && fwrite(data, 1, len, file) != len)) {
        perror(path);
        s_failed = 1;
    }
    if (file && fclose(file) != 0)
        s_failed = 1;
}

//  Packs an Envelope and writes it.
static void s_write_envelope(const char *target, const char *name, int first,
                             const Fundchain__Envelope *env)
{
    zframe_t *frame = envelope_pack(env);
    if (!frame) {
        s_failed = 1;
        return;
    }
    s_write(target, name, first, zframe_data(frame), zframe_size(frame));
    zframe_destroy(&frame);
}

static void s_write_report(const char *target, const char *name, int first, const report_t *report)
{
    Fundchain__Report *msg = report_to_pb(report);
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = msg;
    if (msg)
        s_write_envelope(target, name, first, &env);
    else
        s_failed = 1;
    report_pb_free(&msg);
}

static void s_write_evaluation(const char *target, const char *name, int first,
                               Fundchain__Evaluation *eval)
{
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_EVALUATION;
    env.evaluation = eval;
    s_write_envelope(target, name, first, &env);
}

//  The city of a unit: its first four digits and "00".
static void s_city_of(const char *unit, char *city)
{
    snprintf(city, 8, "%.4s00", unit);
}

static Fundchain__Evaluation *s_unit_eval(const report_t *report)
{
    char city[8];
    s_city_of(report->unit, city);
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    Fundchain__Evaluation *eval = evaluation_unit(report, city, NULL, &cfg);
    if (eval)
        eval->version = 1;
    else
        s_failed = 1;
    return eval;
}

static Fundchain__Evaluation *s_pool_eval(report_t *report)
{
    char city[8];
    s_city_of(report->unit, city);
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    const char *known[] = {city, report->unit};
    report_t *const reports[] = {report};
    Fundchain__Evaluation *eval =
        evaluation_pool(city, NULL, report->period, report->fund, reports, 1, known,
                        strcmp(city, report->unit) ? 2 : 1, &cfg);
    if (eval)
        eval->version = 2;
    else
        s_failed = 1;
    return eval;
}

//  Report, unit evaluation and pool evaluation of one report.
static void s_report_seeds(report_t *report, const char *base)
{
    char name[256];
    size_t len = 0;
    uint8_t *bytes = report_encode(report, &len);
    snprintf(name, sizeof name, "%s.pb", base);
    if (bytes)
        s_write("fuzz_report_decode", name, -1, bytes, len);
    free(bytes);
    Fundchain__Evaluation *evals[2] = {s_unit_eval(report), s_pool_eval(report)};
    for (int i = 0; i < 2; i++) {
        if (!evals[i])
            continue;
        bytes = evaluation_encode(evals[i], &len);
        snprintf(name, sizeof name, "%s-%s.pb", base, i ? "pool" : "unit");
        if (bytes)
            s_write("fuzz_evaluation_decode", name, -1, bytes, len);
        free(bytes);
        evaluation_free(evals[i]);
    }
}

//  What the city of 513300 receives: the reports moved into that city.
static void s_city_seeds(report_t *report, const char *unit, int peer, const char *name)
{
    report_t *copy = report_dup(report);
    if (!copy) {
        s_failed = 1;
        return;
    }
    snprintf(copy->unit, sizeof copy->unit, "%s", unit);
    copy->revision = 1;
    copy->submitted_at = SUBMITTED_AT;
    s_write_report("fuzz_city_ingest", name, peer, copy);
    report_destroy(&copy);
}

//  What the hub of 510000 receives from its cities.
static void s_hub_seeds(report_t *report, int peer, const char *base)
{
    char name[256];
    Fundchain__Evaluation *unit = s_unit_eval(report), *pool = s_pool_eval(report);
    if (unit) {
        snprintf(name, sizeof name, "%s-unit.bin", base);
        s_write_evaluation("fuzz_hub_ingest", name, peer, unit);
        snprintf(name, sizeof name, "%s-unit-insecure.bin", base);
        s_write_evaluation("fuzz_hub_ingest", name, HUB_PEER_NONE, unit);
    }
    if (pool) {
        snprintf(name, sizeof name, "%s-pool.bin", base);
        s_write_evaluation("fuzz_hub_ingest", name, peer, pool);
        snprintf(name, sizeof name, "%s-pool-county-peer.bin", base);
        s_write_evaluation("fuzz_hub_ingest", name, HUB_PEER_COUNTY, pool);
    }
    evaluation_free(unit);
    evaluation_free(pool);
}

static void s_ack_seed(const char *name, Fundchain__Ack *ack)
{
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_ACK;
    env.ack = ack;
    s_write_envelope("fuzz_envelope_ack", name, -1, &env);
}

//  Acks (report and evaluation, accepted and rejected) and one Envelope of each kind.
static void s_envelope_seeds(report_t *report)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.unit = report->unit;
    ack.period = report->period;
    ack.fund = report->fund;
    ack.revision = 1;
    ack.kind = "report";
    ack.reason = "";
    s_ack_seed("ack-report-accepted.pb", &ack);
    ack.status = FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = "invalid report: income.total: bad number [bad_number] (1 errors)";
    s_ack_seed("ack-report-rejected.pb", &ack);
    ack.status = FUNDCHAIN__ACK__STATUS__ACCEPTED;
    ack.reason = "";
    ack.kind = "evaluation";
    ack.code = report->unit;
    ack.version = 7;
    ack.level = FUNDCHAIN__EVALUATION__LEVEL__POOL;
    s_ack_seed("ack-evaluation-pool.pb", &ack);

    s_write_report("fuzz_envelope_ack", "envelope-report.pb", -1, report);
    Fundchain__Evaluation *eval = s_unit_eval(report);
    if (eval)
        s_write_evaluation("fuzz_envelope_ack", "envelope-evaluation.pb", -1, eval);
    evaluation_free(eval);
    Fundchain__Query query = FUNDCHAIN__QUERY__INIT;
    query.period = report->period;
    query.fund = report->fund;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_QUERY;
    env.query = &query;
    s_write_envelope("fuzz_envelope_ack", "envelope-query.pb", -1, &env);
    Fundchain__QueryReply reply = FUNDCHAIN__QUERY_REPLY__INIT;
    reply.exit_code = 1;
    reply.output = "";
    reply.error = "no evaluation of 510402 for 2023 resident\n";
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPLY;
    env.reply = &reply;
    s_write_envelope("fuzz_envelope_ack", "envelope-reply.pb", -1, &env);
}

static void s_write_entry(const char *name, const Fundchain__OutboxEntry *entry)
{
    size_t len = fundchain__outbox_entry__get_packed_size(entry);
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes) {
        s_failed = 1;
        return;
    }
    fundchain__outbox_entry__pack(entry, bytes);
    s_write("fuzz_outbox_entry", name, -1, bytes, len);
    free(bytes);
}

//  OutboxEntries in every state, and a StoredReport.
static void s_outbox_seeds(report_t *report)
{
    Fundchain__Report *msg = report_to_pb(report);
    if (!msg) {
        s_failed = 1;
        return;
    }
    msg->revision = 2;
    msg->submitted_at = SUBMITTED_AT;
    Fundchain__OutboxEntry entry = FUNDCHAIN__OUTBOX_ENTRY__INIT;
    entry.report = msg;
    entry.queued_at = SUBMITTED_AT;
    s_write_entry("entry-report-queued.pb", &entry);
    entry.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__SENT;
    entry.sent_at = SUBMITTED_AT + 4;
    entry.attempts = 3;
    s_write_entry("entry-report-sent.pb", &entry);
    Fundchain__Warning warning = FUNDCHAIN__WARNING__INIT;
    warning.code = "target_missed";
    warning.message = "ind.enrollment_rate 88.56 misses its target >=95";
    Fundchain__Warning *warnings[] = {&warning};
    entry.warnings = warnings;
    entry.n_warnings = 1;
    entry.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED;
    entry.reason = "unit 510400 is not inside city 511900 (jurisdiction)";
    s_write_entry("entry-report-rejected.pb", &entry);
    entry.warnings = NULL;
    entry.n_warnings = 0;
    entry.reason = "";
    entry.report = NULL;
    Fundchain__Evaluation *eval = s_pool_eval(report);
    if (eval) {
        entry.evaluation = eval;
        entry.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED;
        s_write_entry("entry-evaluation-acked.pb", &entry);
        entry.state = FUNDCHAIN__OUTBOX_ENTRY__STATE__DEAD;
        entry.reason = "larger than the receiver accepts";
        s_write_entry("entry-evaluation-dead.pb", &entry);
    }
    evaluation_free(eval);

    Fundchain__StoredReport stored = FUNDCHAIN__STORED_REPORT__INIT;
    stored.report = msg;
    stored.first_received_at = SUBMITTED_AT + 1;
    stored.received_at = SUBMITTED_AT + 86400;
    size_t len = fundchain__stored_report__get_packed_size(&stored);
    uint8_t *bytes = malloc(len ? len : 1);
    if (bytes) {
        fundchain__stored_report__pack(&stored, bytes);
        s_write("fuzz_outbox_entry", "stored-report.pb", -1, bytes, len);
    }
    free(bytes);
    report_pb_free(&msg);
}

static void s_query_seed(const char *name, Fundchain__Query__Kind kind, const char *period,
                         const char *fund, const char *level, const char *by, const char *unit,
                         const char *format)
{
    Fundchain__Query query = FUNDCHAIN__QUERY__INIT;
    query.kind = kind;
    query.period = (char *)period;
    query.fund = (char *)fund;
    query.level = (char *)level;
    query.by = (char *)by;
    query.unit = (char *)unit;
    query.format = (char *)format;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_QUERY;
    env.query = &query;
    s_write_envelope("fuzz_hub_query", name, -1, &env);
}

//  The hub's queries: ranks and shows in every format.
static void s_query_seeds(void)
{
    const Fundchain__Query__Kind rank = FUNDCHAIN__QUERY__KIND__RANK;
    const Fundchain__Query__Kind show = FUNDCHAIN__QUERY__KIND__SHOW;
    s_query_seed("rank-city-total.pb", rank, "2023", "resident", "", "", "", "");
    s_query_seed("rank-county-months.pb", rank, "2019", "resident", "county", "months_payable", "",
                 "csv");
    s_query_seed("rank-city-other-share.pb", rank, "2023", "resident", "city",
                 "other_expense_share", "", "json");
    s_query_seed("show-pool-json.pb", show, "2023", "resident", "", "", "510400", "json");
    s_query_seed("show-unit-table.pb", show, "2019", "resident", "", "", "511902", "table");
    s_query_seed("show-unit-csv.pb", show, "2019", "resident", "", "", "511902", "csv");
}

//  The base name of a CSV path, without directory and extension.
static void s_base(const char *path, char *base, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(base, size, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
}

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR CSV...\n");
        return 2;
    }
    s_root = argv[1];
    report_t *reports[MAX_REPORTS];
    size_t n = 0;
    for (int i = 2; i < argc; i++) {
        csvimport_result_t result;
        diag_t *diag = diag_new();
        if (csvimport_file(argv[i], NULL, NULL, &result, diag) != 0) {
            diag_print(diag, stderr);
            s_failed = 1;
        }
        char base[256], name[300];
        s_base(argv[i], base, sizeof base);
        for (size_t j = 0; j < result.n_reports && n < MAX_REPORTS; j++) {
            snprintf(name, sizeof name, result.n_reports > 1 ? "%s-%zu" : "%s", base, j);
            s_report_seeds(result.reports[j], name);
            reports[n++] = result.reports[j];
            result.reports[j] = NULL;
        }
        csvimport_result_clear(&result);
        diag_destroy(&diag);
    }
    if (n == 0) {
        fprintf(stderr, "make_seeds: no report read\n");
        return 1;
    }
    //  The first report is the city's own account, the second a county's
    //  (the order make-corpus.sh gives: 510400, then 511902).
    report_t *city = reports[0], *county = n > 1 ? reports[1] : reports[0];
    s_city_seeds(city, "513300", CITY_PEER_513300, "city-own-account.bin");
    s_city_seeds(county, "513301", CITY_PEER_513301, "county.bin");
    s_city_seeds(county, "513301", CITY_PEER_NONE, "county-insecure.bin");
    s_city_seeds(county, "513301", CITY_PEER_513322, "county-wrong-key.bin");
    s_city_seeds(county, "510402", CITY_PEER_OTHER, "county-other-city.bin");
    for (size_t i = 2; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "report-%zu.bin", i);
        s_city_seeds(reports[i], "513322", CITY_PEER_513322, name);
    }
    s_hub_seeds(city, HUB_PEER_510400, "510400");
    s_hub_seeds(county, HUB_PEER_511900, "511902");
    s_hub_seeds(county, HUB_PEER_513300, "511902-wrong-city");
    s_envelope_seeds(city);
    s_outbox_seeds(city);
    s_query_seeds();
    for (size_t i = 0; i < n; i++)
        report_destroy(&reports[i]);
    return s_failed;
}
