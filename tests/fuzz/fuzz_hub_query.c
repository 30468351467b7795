/*  fuzz_hub_query - libFuzzer target for the province hub's query endpoint:
    an Envelope holding a Query is decoded and answered from a hub store as
    province-hub run does (rank or show, in the format asked for).

    The store is made once, in a temporary directory that is removed at
    once (LMDB keeps its files open), holding the evaluations of the
    deploy/sample reports: 攀枝花市 (510400, pool and 市本级) and 巴州区
    (511902) with the pool of 巴中市.
*/
#include "cli.h"
#include "csvimport.h"
#include "envelope.h"
#include "evaluation.h"
#include "hubdb.h"
#include "hubquery.h"
#include "transport.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_SAMPLE_DIR
#define FUZZ_SAMPLE_DIR "deploy/sample"
#endif

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static hubdb_t *s_db;

//  Reads one sample report.
static report_t *s_sample(const char *file, const char *unit)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FUZZ_SAMPLE_DIR, file);
    csvimport_result_t result;
    diag_t *diag = diag_new();
    int rc = csvimport_file(path, unit, NULL, &result, diag);
    diag_print(diag, stderr);
    diag_destroy(&diag);
    FUZZ_CHECK(rc == 0 && result.n_reports == 1);
    report_t *report = result.reports[0];
    result.reports[0] = NULL;
    csvimport_result_clear(&result);
    return report;
}

//  Stores the unit and pool evaluations of one sample report.
static void s_store(const char *file, const char *unit, const char *city, const char *name)
{
    report_t *report = s_sample(file, unit);
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    const char *known[] = {city, unit};
    report_t *const reports[] = {report};
    Fundchain__Evaluation *evals[2] = {
        evaluation_unit(report, city, NULL, &cfg),
        evaluation_pool(city, name, report->period, report->fund, reports, 1, known, 2, &cfg)};
    FUZZ_CHECK(evals[0] && evals[1]);
    evals[0]->version = evals[1]->version = 1;
    hubdb_outcome_t outcomes[2];
    FUZZ_CHECK(hubdb_accept(s_db, evals, 2, outcomes) == 0);
    evaluation_free(evals[0]);
    evaluation_free(evals[1]);
    report_destroy(&report);
}

static void s_open_store(void)
{
    char dir[] = "/tmp/fuzz_hub_query.XXXXXX";
    FUZZ_CHECK(mkdtemp(dir));
    s_db = hubdb_open(dir, "510000");
    FUZZ_CHECK(s_db);
    s_store("510400-2023-resident.csv", "510400", "510400", "攀枝花市");
    s_store("511902-2019-resident.csv", "511902", "511900", "巴中市");
    char path[sizeof dir + 16];
    const char *files[] = {"data.mdb", "lock.mdb"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

//  Answers the query as province-hub run does.
static void s_answer(const Fundchain__Query *q)
{
    hubquery_t hq = {q->period, q->fund, q->level, q->by, q->unit, FORMAT_TABLE};
    char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *o = open_memstream(&out, &out_len), *e = open_memstream(&err, &err_len);
    int code = EXIT_USAGE;
    if (!o || !e)
        code = EXIT_RUNTIME;
    else if (q->format && *q->format && table_format_parse(q->format, &hq.format) != 0)
        fprintf(e, "--format must be table, csv or json\n");
    else
        code = q->kind == FUNDCHAIN__QUERY__KIND__SHOW ? hubquery_show(s_db, &hq, o, e)
                                                       : hubquery_rank(s_db, &hq, o, e);
    if (o)
        fclose(o);
    if (e)
        fclose(e);
    FUZZ_CHECK(code == EXIT_OK || code == EXIT_RUNTIME || code == EXIT_USAGE);
    FUZZ_CHECK(code == EXIT_OK || err_len > 0);
    free(out);
    free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_db)
        s_open_store();
    zframe_t *frame = zframe_new(data, size);
    Fundchain__Envelope *env = envelope_unpack(frame, transport_max_msg(), NULL, 0);
    zframe_destroy(&frame);
    if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_QUERY)
        s_answer(env->query);
    envelope_destroy(&env);
    return 0;
}
