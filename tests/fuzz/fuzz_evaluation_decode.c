/*  fuzz_evaluation_decode - libFuzzer target for a protobuf Evaluation as
    the hub and the city's subscribers read it: decoded, shown as SPEC 7
    JSON, as a table and as CSV, and encoded again. Encoding what was
    decoded, decoding that and encoding it once more must give the same
    bytes. (What the hub ranks on is its rank index, built from the
    decoded evaluation: tests/unit/test_hubdb.c and fuzz_hub_query.)
*/
#include "evaluation.h"
#include "evalview.h"
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

static FILE *s_null; //  /dev/null, opened once

//  Shows the evaluation in every format.
static void s_show(const Fundchain__Evaluation *eval)
{
    json_t *json = evalview_json(eval);
    char *text = json ? json_dumps(json, EVALVIEW_JSON_FLAGS) : NULL;
    free(text);
    json_decref(json);
    if (!s_null)
        s_null = fopen("/dev/null", "w");
    if (!s_null)
        return;
    evalview_print(eval, FORMAT_TABLE, s_null);
    evalview_print(eval, FORMAT_CSV, s_null);
    evalview_print(eval, FORMAT_JSON, s_null);
}

//  Encodes, decodes and encodes again: the bytes must agree.
static void s_round_trip(const Fundchain__Evaluation *eval)
{
    size_t len = 0, again_len = 0;
    uint8_t *bytes = evaluation_encode(eval, &len);
    if (!bytes)
        return;
    Fundchain__Evaluation *copy = evaluation_decode(bytes, len);
    FUZZ_CHECK(copy);
    uint8_t *again = evaluation_encode(copy, &again_len);
    FUZZ_CHECK(again && again_len == len && memcmp(again, bytes, len) == 0);
    free(again);
    evaluation_free(copy);
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fundchain__Evaluation *eval = evaluation_decode(data, size);
    if (!eval)
        return 0;
    s_show(eval);
    s_round_trip(eval);
    evaluation_free(eval);
    return 0;
}
