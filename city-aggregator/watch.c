/*  watch - prints live pool and evaluation updates from a city's feed, one
    JSON object a line ("event": "pool" or "unit"), until --count updates
    were printed or SIGINT/SIGTERM. The feed carries each event as two
    frames, its kind and the Evaluation as protobuf (the bytes the province
    gets); watch renders it as the JSON of show and pool. A message that is
    not such an event is reported on stderr and skipped.
*/
#include "city.h"
#include "evaluation.h"
#include "evalview.h"
#include "cli.h"
#include "keys.h"
#include "transport.h"
#include <czmq.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static const opt_spec_t s_specs[] = {
    {"pub", true, false, "the city's feed endpoint"},
    {"count", true, false, "stop after N updates (default: run until interrupted)"},
    {"key", true, false, "your secret key file (a feed off loopback is CURVE)"},
    {"city-pub", true, false, "the city's public key file (a feed off loopback)"},
    {NULL, false, false, NULL}};

static zsock_t *s_subscribe(const opts_t *opts, const char *pub)
{
    zcert_t *cert = NULL;
    if (opts_get(opts, "key") && !(cert = keys_load_secret(opts_get(opts, "key"))))
        return NULL;
    zsock_t *sock = transport_client_new(ZMQ_SUB, pub, cert, opts_get(opts, "city-pub"));
    zcert_destroy(&cert);
    if (sock)
        zsock_set_subscribe(sock, "");
    return sock;
}

//  Prints one event of the feed as a JSON line. Returns 0, or -1 when the
//  message is not an event (said on stderr).
static int s_print(zmsg_t *msg)
{
    zframe_t *kind = zmsg_first(msg), *body = zmsg_next(msg);
    Fundchain__Evaluation *eval =
        zmsg_size(msg) == 2 ? evaluation_decode(zframe_data(body), zframe_size(body)) : NULL;
    json_t *doc = eval ? evalview_json(eval) : NULL;
    char *event = kind ? zframe_strdup(kind) : NULL;
    char *text = NULL;
    if (doc && event && json_object_set_new(doc, "event", json_string(event)) == 0)
        text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (text) {
        printf("%s\n", text);
        fflush(stdout);
    } else
        fprintf(stderr,
                "watch: skipped a feed message that is not an evaluation event (%zu "
                "frames)\n",
                zmsg_size(msg));
    int rc = text ? 0 : -1;
    free(text);
    free(event);
    json_decref(doc);
    evaluation_free(eval);
    return rc;
}

//  The watch command.
int city_watch(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("watch", s_specs, "--pub ENDPOINT [--count N]", argc, argv, &code);
    if (!opts)
        return code;
    const char *pub = opts_need(opts, "pub");
    long count = -1;
    bool usable = pub && opts_number(opts, "count", 1, LONG_MAX, &count) == 0;
    zsock_t *sock = usable ? s_subscribe(opts, pub) : NULL;
    code = usable ? EXIT_RUNTIME : EXIT_USAGE;
    if (sock) {
        zpoller_t *poller = zpoller_new(sock, NULL);
        long seen = 0;
        while (!zsys_interrupted && (count < 0 || seen < count)) {
            if (zpoller_wait(poller, 500) != sock)
                continue;
            zmsg_t *msg = zmsg_recv(sock);
            if (msg && s_print(msg) == 0)
                seen++;
            zmsg_destroy(&msg);
        }
        zpoller_destroy(&poller);
        code = EXIT_OK;
    }
    zsock_destroy(&sock);
    opts_destroy(&opts);
    return code;
}
