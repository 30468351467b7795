/*  fuzz_csvimport - libFuzzer target for the CSV importer (SPEC 2.1).

    Each input is imported three times: as given without an expected unit;
    with a byte order mark in front and the unit the first import found (or
    a fixed one) expected; and, when the input is UTF-8, converted to
    GB18030 as Excel would save it. Every accepted report must survive a
    protobuf round trip unchanged, and a refused file must leave no report.
*/
#include "csvimport.h"
#include "encoding.h"
#include "report.h"
#include <iconv.h>
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

//  Checks that a report comes back from its protobuf form unchanged.
static void s_round_trip(const report_t *report)
{
    size_t len = 0;
    uint8_t *bytes = report_encode(report, &len);
    if (!bytes)
        return;
    const char *why = NULL;
    report_t *copy = report_decode(bytes, len, &why);
    FUZZ_CHECK(copy);
    FUZZ_CHECK(!strcmp(copy->unit, report->unit) && !strcmp(copy->period, report->period) &&
               !strcmp(copy->fund, report->fund) && copy->n_items == report->n_items);
    for (size_t i = 0; i < report->n_items; i++) {
        FUZZ_CHECK(!strcmp(copy->items[i].code, report->items[i].code));
        FUZZ_CHECK(!strcmp(copy->items[i].value, report->items[i].value));
        FUZZ_CHECK(!strcmp(copy->items[i].uom, report->items[i].uom));
        FUZZ_CHECK(!strcmp(copy->items[i].target, report->items[i].target));
    }
    report_destroy(&copy);
    free(bytes);
}

//  Imports one buffer and checks the result; copies the first unit into unit.
static void s_import(const char *data, size_t len, const char *expected_unit, char *unit,
                     size_t size)
{
    csvimport_result_t result;
    diag_t *diag = diag_new();
    if (!diag)
        return;
    int rc = csvimport_buffer("fuzz.csv", data, len, expected_unit, NULL, &result, diag);
    if (rc != 0)
        FUZZ_CHECK(result.n_reports == 0 && result.reports == NULL &&
                   diag_count(diag, DIAG_ERROR) > 0);
    else {
        FUZZ_CHECK(result.n_reports > 0 && diag_count(diag, DIAG_ERROR) == 0);
        for (size_t i = 0; i < result.n_reports; i++) {
            FUZZ_CHECK(!expected_unit || !strcmp(result.reports[i]->unit, expected_unit));
            s_round_trip(result.reports[i]);
        }
        if (unit)
            snprintf(unit, size, "%s", result.reports[0]->unit);
    }
    char first[600];
    diag_first_error(diag, first, sizeof first);
    csvimport_result_clear(&result);
    diag_destroy(&diag);
}

//  Converts UTF-8 to GB18030; returns a malloc'ed buffer or NULL.
static char *s_to_gb18030(const char *data, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 4 + 4;
    char *out = malloc(cap);
    char *in = (char *)data, *at = out;
    size_t in_left = len, out_left = cap;
    if (out && iconv(cd, &in, &in_left, &at, &out_left) == (size_t)-1) {
        free(out);
        out = NULL;
    }
    iconv_close(cd);
    *out_len = cap - out_left;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char unit[64] = "511902";
    s_import(text, size, NULL, unit, sizeof unit);

    char *bom = malloc(size + 3);
    if (!bom)
        return 0;
    memcpy(bom, "\xef\xbb\xbf", 3);
    if (size)
        memcpy(bom + 3, data, size);
    s_import(bom, size + 3, unit, NULL, 0);
    free(bom);

    if (encoding_utf8_valid(text, size, NULL)) {
        size_t len = 0;
        char *gb = s_to_gb18030(text, size, &len);
        if (gb)
            s_import(gb, len, unit, NULL, 0);
        free(gb);
    }
    return 0;
}
