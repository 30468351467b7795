/*  fuzz_hub_ingest - libFuzzer target for what the province hub does with
    one message from a city (hubingest_examine), for province 510000.

    The first byte of the input picks the authenticated peer (none, as on
    an --insecure link, one of three cities, a county, or a malformed
    code); the rest is the payload frame. An examined evaluation must give
    an acknowledgement that the city's sender reads back to the outbox key
    of that evaluation; an accepted one must lie in the peer's city.
*/
#include "adcode.h"
#include "envelope.h"
#include "evaluation.h"
#include "evalview.h"
#include "hubingest.h"
#include "outbox.h"
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

#define PROVINCE "510000"

static const char *s_peers[] = {NULL, "510400", "511900", "513300", "510402", "51"};
#define N_PEERS (sizeof s_peers / sizeof s_peers[0])

//  Reads the acknowledgement back as the city's sender does.
static void s_check_ack(const hubingest_t *in)
{
    zframe_t *frame = hubingest_ack(in);
    if (!frame)
        return;
    Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
    FUZZ_CHECK(env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK);
    const Fundchain__Ack *ack = env->ack;
    FUZZ_CHECK((ack->status == FUNDCHAIN__ACK__STATUS__REJECTED) ==
               (in->verdict == HUBINGEST_REJECT));
    char key[OUTBOX_KEY_MAX], expected[OUTBOX_KEY_MAX];
    FUZZ_CHECK(outbox_key_ack(key, ack) == 0);
    const Fundchain__Evaluation *e = in->eval;
    outbox_key_evaluation(expected, e->version, (int)e->level, e->code, e->period, e->fund);
    FUZZ_CHECK(!strcmp(key, expected));
    envelope_destroy(&env);
    zframe_destroy(&frame);
}

//  Checks what an accepted evaluation must be, and shows it.
static void s_check_accepted(const Fundchain__Evaluation *e, const char *peer)
{
    FUZZ_CHECK(!peer || !strcmp(e->city, peer));
    FUZZ_CHECK(adcode_in_city(e->code, e->city) && adcode_in_province(e->code, PROVINCE));
    json_t *json = evalview_json(e);
    char *text = json ? json_dumps(json, EVALVIEW_JSON_FLAGS) : NULL;
    free(text);
    json_decref(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *peer = s_peers[data[0] % N_PEERS];
    zframe_t *payload = zframe_new(data + 1, size - 1);
    if (!payload)
        return 0;
    hubingest_t out;
    hubingest_examine(PROVINCE, payload, peer, &out);
    if (out.verdict == HUBINGEST_POLL) {
        //  A review poll: the asking city is the key's own, a city of the province.
        FUZZ_CHECK(out.poll && !out.eval && !out.bytes);
        FUZZ_CHECK(adcode_is_city(out.city) && !strncmp(out.city, PROVINCE, 2));
        FUZZ_CHECK(!peer || !strcmp(out.city, peer));
        hubingest_clear(&out);
        zframe_destroy(&payload);
        return 0;
    }
    FUZZ_CHECK(out.verdict == HUBINGEST_ACCEPT || out.reason[0]);
    FUZZ_CHECK((out.verdict == HUBINGEST_DROP) == (out.eval == NULL));
    if (out.eval)
        s_check_ack(&out);
    FUZZ_CHECK((out.eval == NULL) == (out.bytes == NULL));
    if (out.verdict == HUBINGEST_ACCEPT) {
        s_check_accepted(out.eval, peer);
        Fundchain__Evaluation *stored = evaluation_decode(out.bytes, out.len);
        FUZZ_CHECK(stored && stored->version == out.eval->version);
        evaluation_free(stored);
    }
    hubingest_clear(&out);
    zframe_destroy(&payload);
    return 0;
}
