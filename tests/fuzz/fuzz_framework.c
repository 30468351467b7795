/*  fuzz_framework - libFuzzer target for evaluation frameworks
    (framework_parse, SPEC 5). A framework that parses is walked, then used
    as a city would use it: the 攀枝花市 2023 sample report (deploy/sample)
    is validated against its score maxima, and evaluated and scored with it,
    as a unit and as the city's pool.
*/
#include "csvimport.h"
#include "evaluation.h"
#include "evalview.h"
#include "framework.h"
#include "validate.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_SAMPLE_CSV
#define FUZZ_SAMPLE_CSV "deploy/sample/510400-2023-resident.csv"
#endif

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static report_t *s_sample; //  the sample report, read once

static void s_load_sample(void)
{
    csvimport_result_t result;
    diag_t *diag = diag_new();
    if (csvimport_file(FUZZ_SAMPLE_CSV, "510400", NULL, &result, diag) != 0 ||
        result.n_reports != 1) {
        diag_print(diag, stderr);
        fprintf(stderr, "cannot read the sample %s\n", FUZZ_SAMPLE_CSV);
        abort();
    }
    s_sample = result.reports[0];
    result.reports[0] = NULL;
    csvimport_result_clear(&result);
    diag_destroy(&diag);
}

//  Walks the parsed framework.
static void s_walk(const framework_t *fw)
{
    size_t n = framework_size(fw);
    for (size_t i = 0; i < n; i++) {
        const fw_item_t *item = framework_at(fw, i);
        FUZZ_CHECK(item && framework_find(fw, item->code) == item);
        FUZZ_CHECK(item->max >= 0);
    }
    FUZZ_CHECK(framework_at(fw, n) == NULL);
    FUZZ_CHECK(framework_text(fw) != NULL);
}

//  Validates and evaluates the sample with the framework.
static void s_use(const framework_t *fw)
{
    report_t *report = report_dup(s_sample);
    diag_t *diag = diag_new();
    if (report && diag && validate_report(report, "510400", fw, diag, NULL) == 0) {
        eval_cfg_t cfg;
        evaluation_cfg_defaults(&cfg);
        cfg.fw = fw;
        Fundchain__Evaluation *eval = evaluation_unit(report, "510400", "攀枝花市", &cfg);
        json_t *json = eval ? evalview_json(eval) : NULL;
        json_decref(json);
        evaluation_free(eval);
        const char *known[] = {"510400", "510402"};
        report_t *const reports[] = {report};
        Fundchain__Evaluation *pool = evaluation_pool("510400", "攀枝花市", report->period,
                                                      report->fund, reports, 1, known, 2, &cfg);
        json = pool ? evalview_json(pool) : NULL;
        json_decref(json);
        evaluation_free(pool);
    }
    diag_destroy(&diag);
    report_destroy(&report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_sample)
        s_load_sample();
    diag_t *diag = diag_new();
    if (!diag)
        return 0;
    framework_t *fw = framework_parse("fuzz.csv", (const char *)data, size, diag);
    if (fw) {
        FUZZ_CHECK(diag_count(diag, DIAG_ERROR) == 0);
        s_walk(fw);
        s_use(fw);
        framework_destroy(&fw);
    } else
        FUZZ_CHECK(diag_count(diag, DIAG_ERROR) > 0);
    diag_destroy(&diag);
    return 0;
}
