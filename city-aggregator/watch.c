/*  watch - prints live pool and evaluation updates from a city's feed, one
    JSON object a line ("event": "pool" or "unit"), until --count updates
    were printed or SIGINT/SIGTERM.
*/
#include "city.h"
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
            char *kind = NULL, *text = NULL;
            if (zstr_recvx(sock, &kind, &text, NULL) == 2) {
                printf("%s\n", text);
                fflush(stdout);
                seen++;
            }
            zstr_free(&kind);
            zstr_free(&text);
        }
        zpoller_destroy(&poller);
        code = EXIT_OK;
    }
    zsock_destroy(&sock);
    opts_destroy(&opts);
    return code;
}
