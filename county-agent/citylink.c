/*  citylink - the agent's connection to its city. */
#include "citylink.h"
#include "keys.h"
#include "log.h"
#include "transport.h"
#include <string.h>

//  Opens the socket to the city, CURVE unless --insecure, and its watcher.
zsock_t *citylink_connect(const opts_t *opts, const char *unit, linkwatch_t **watch_p)
{
    const char *city = opts_get(opts, "city");
    linkwatch_about_t about = {"the city", NULL, "--city-pub", NULL};
    if (opts_has(opts, "insecure"))
        return transport_client_watched(ZMQ_DEALER, city, NULL, NULL, &about, watch_p);
    const char *key = opts_need(opts, "key");
    const char *city_pub = opts_need(opts, "city-pub");
    if (!key || !city_pub)
        return NULL;
    zcert_t *cert = keys_load_secret(key);
    if (!cert)
        return NULL;
    zsock_t *sock = NULL;
    const char *bound = keys_code(cert);
    if (bound && strcmp(bound, unit))
        log_error("the key %s is bound to %s, not to unit %s", key, bound, unit);
    else {
        about.key_file = key;
        about.server_pub = city_pub;
        sock = transport_client_watched(ZMQ_DEALER, city, cert, city_pub, &about, watch_p);
    }
    zcert_destroy(&cert);
    return sock;
}

//  Checks that every flag of the link was given; names all the missing ones.
int citylink_require(const opts_t *opts, const char *prefix)
{
    bool secure = !opts_has(opts, "insecure");
    const char *need[] = {"unit", "data", "city", secure ? "city-pub" : NULL,
                          secure ? "key" : NULL};
    return opts_require(opts, prefix, need, sizeof need / sizeof need[0]);
}
