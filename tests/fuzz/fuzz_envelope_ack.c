/*  fuzz_envelope_ack - libFuzzer target for the path a sender takes to read
    an answer: the Envelope is decoded, and an Ack is turned into the outbox
    key it names (outbox_key_ack), as sender.c does; a QueryReply is read as
    the hub's query command does. A key must be one the outbox could hold.
*/
#include "envelope.h"
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

static FILE *s_null; //  /dev/null, opened once

//  Reads an acknowledgement as sender.c does.
static void s_ack(const Fundchain__Ack *ack)
{
    char key[OUTBOX_KEY_MAX + 8];
    memset(key, 'x', sizeof key);
    if (outbox_key_ack(key, ack) != 0)
        return;
    FUZZ_CHECK(memchr(key, 0, OUTBOX_KEY_MAX) != NULL);
    FUZZ_CHECK(key[OUTBOX_KEY_MAX] == 'x');
    bool rejected = ack->status == FUNDCHAIN__ACK__STATUS__REJECTED;
    const char *state = outbox_state_name(rejected ? FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED
                                                   : FUNDCHAIN__OUTBOX_ENTRY__STATE__ACKED);
    if (s_null)
        fprintf(s_null, "%s %s: %s\n", key, state, ack->reason ? ack->reason : "");
}

//  Reads a query's answer as the hub's query command does.
static void s_reply(const Fundchain__QueryReply *reply)
{
    if (!s_null)
        return;
    fputs(reply->output ? reply->output : "", s_null);
    fputs(reply->error ? reply->error : "", s_null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_null)
        s_null = fopen("/dev/null", "w");
    zframe_t *frame = zframe_new(data, size);
    Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
    zframe_destroy(&frame);
    if (!env)
        return 0;
    if (env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK)
        s_ack(env->ack);
    else if (env->body_case == FUNDCHAIN__ENVELOPE__BODY_REPLY)
        s_reply(env->reply);
    envelope_destroy(&env);
    return 0;
}
