/*  fuzz_report_decode - libFuzzer target for a protobuf Report as a city
    receives it: decoded, validated again (as any unit, then as its own),
    and, when valid, evaluated and shown as SPEC 7 JSON. A decoded report
    must encode back to a message that decodes to the same text.
*/
#include "evaluation.h"
#include "evalview.h"
#include "report.h"
#include "validate.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

//  Encodes the report and decodes it again: the same text must come back.
static void s_round_trip(const report_t *report)
{
    size_t len = 0;
    uint8_t *bytes = report_encode(report, &len);
    if (!bytes)
        return;
    report_t *copy = report_decode(bytes, len, NULL);
    FUZZ_CHECK(copy && copy->n_items == report->n_items && copy->revision == report->revision);
    FUZZ_CHECK(!strcmp(copy->unit, report->unit) && !strcmp(copy->period, report->period) &&
               !strcmp(copy->fund, report->fund));
    for (size_t i = 0; i < report->n_items; i++)
        FUZZ_CHECK(!strcmp(copy->items[i].code, report->items[i].code) &&
                   !strcmp(copy->items[i].value, report->items[i].value));
    report_destroy(&copy);
    free(bytes);
}

//  Evaluates a valid report and shows it, as the city does.
static void s_evaluate(const report_t *report)
{
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    Fundchain__Evaluation *eval = evaluation_unit(report, "510400", "攀枝花市", &cfg);
    if (!eval)
        return;
    json_t *json = evalview_json(eval);
    char *text = json ? json_dumps(json, EVALVIEW_JSON_FLAGS) : NULL;
    free(text);
    json_decref(json);
    size_t len = 0;
    uint8_t *bytes = evaluation_encode(eval, &len);
    Fundchain__Evaluation *copy = bytes ? evaluation_decode(bytes, len) : NULL;
    FUZZ_CHECK(!bytes || copy);
    evaluation_free(copy);
    free(bytes);
    evaluation_free(eval);
}

//  Evaluates the pool of the report's city with the report as its only
//  member, the city's own account and the unit both known.
static void s_pool(report_t *report)
{
    char city[8];
    snprintf(city, sizeof city, "%.4s00", report->unit);
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    const char *known[] = {city, report->unit};
    report_t *const reports[] = {report};
    Fundchain__Evaluation *pool =
        evaluation_pool(city, "市", report->period, report->fund, reports, 1, known, 2, &cfg);
    json_t *json = pool ? evalview_json(pool) : NULL;
    json_decref(json);
    evaluation_free(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    report_t *report = report_decode(data, size, &why);
    if (!report) {
        FUZZ_CHECK(why != NULL);
        return 0;
    }
    s_round_trip(report);
    diag_t *diag = diag_new();
    if (diag) {
        int rc = validate_report(report, NULL, NULL, diag, "fuzz");
        FUZZ_CHECK((rc != 0) == (diag_count(diag, DIAG_ERROR) > 0));
        diag_clear(diag);
        if (rc == 0 && validate_report(report, report->unit, NULL, diag, NULL) == 0) {
            s_evaluate(report);
            s_pool(report);
        }
        char first[600];
        diag_first_error(diag, first, sizeof first);
        diag_destroy(&diag);
    }
    report_destroy(&report);
    return 0;
}
