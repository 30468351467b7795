/*  fuzz_city_ingest - libFuzzer target for what a city aggregator does with
    one message from a county (ingest_examine), for city 513300.

    The first byte of the input picks the authenticated peer (none, as on
    an --insecure link, the city itself, one of its counties, a county of
    another city, or a malformed code); the rest is the payload frame.
    An accepted report must be the peer's own, inside the city, and valid.
*/
#include "adcode.h"
#include "cityconf.h"
#include "ingest.h"
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

static const char *s_peers[] = {NULL, "513300", "513301", "513322", "510402", "5133"};
#define N_PEERS (sizeof s_peers / sizeof s_peers[0])

//  Checks what an accepted report must be.
static void s_check_accepted(const cityconf_t *conf, const ingest_t *out, const char *peer)
{
    const report_t *r = out->report;
    FUZZ_CHECK(r && !strcmp(r->unit, out->unit) && !strcmp(r->period, out->period) &&
               !strcmp(r->fund, out->fund) && r->revision == out->revision);
    FUZZ_CHECK(!peer || !strcmp(peer, r->unit));
    FUZZ_CHECK(adcode_in_city(r->unit, conf->city));
    for (size_t i = 0; i < r->n_items; i++)
        FUZZ_CHECK(r->items[i].parsed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cityconf_t conf;
    static int ready = 0;
    if (!ready) {
        cityconf_init(&conf);
        snprintf(conf.city, sizeof conf.city, "%s", "513300");
        snprintf(conf.name, sizeof conf.name, "%s", "甘孜藏族自治州");
        ready = 1;
    }
    if (size < 1)
        return 0;
    const char *peer = s_peers[data[0] % N_PEERS];
    zframe_t *payload = zframe_new(data + 1, size - 1);
    if (!payload)
        return 0;
    ingest_t out;
    ingest_examine(&conf, payload, peer, &out);
    switch (out.verdict) {
    case INGEST_ACCEPT:
        s_check_accepted(&conf, &out, peer);
        break;
    case INGEST_REJECT:
    case INGEST_DROP:
        FUZZ_CHECK(!out.report && out.reason[0]);
        break;
    case INGEST_HELD:
        //  A held query is answered only for the key's own unit, in the city.
        FUZZ_CHECK(!out.report);
        FUZZ_CHECK(!peer || !strcmp(out.unit, peer));
        FUZZ_CHECK(out.reason[0] || !strncmp(out.unit, conf.city, 4));
        break;
    default:
        FUZZ_CHECK(!"a verdict out of range");
    }
    report_destroy(&out.report);
    zframe_destroy(&payload);
    return 0;
}
