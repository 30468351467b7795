/*  citylink - the agent's connection to its city. */
#include "citylink.h"
#include "keys.h"
#include "log.h"
#include "transport.h"
#include <string.h>

//  Opens the socket to the city, CURVE unless --insecure.
zsock_t *citylink_connect(const opts_t *opts, const char *unit)
{
    const char *city = opts_get(opts, "city");
    if (opts_has(opts, "insecure"))
        return transport_client_new(ZMQ_DEALER, city, NULL, NULL);
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
    else
        sock = transport_client_new(ZMQ_DEALER, city, cert, city_pub);
    zcert_destroy(&cert);
    return sock;
}
