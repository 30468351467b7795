/*  citylink - the agent's connection to its city: a DEALER over CURVE with
    the agent's key and the city's public key (or plain text with
    --insecure), shared by run and sync.
*/
#ifndef CITYLINK_H_INCLUDED
#define CITYLINK_H_INCLUDED

#include "linkwatch.h"
#include "opts.h"
#include <czmq.h>

/* Connects a DEALER to --city with --key and --city-pub (plain text under
   --insecure), with a watcher of its handshakes in *watch_p that logs why
   the link fails. A key bound to another code than unit is refused.
   Returns NULL with the reason logged when a flag is missing or a key is
   bad. */
zsock_t *citylink_connect(const opts_t *opts, const char *unit, linkwatch_t **watch_p);

/* Checks that --unit, --data, --city and (unless --insecure) --city-pub
   and --key were given. Returns 0, or -1 after one message, starting with
   prefix, that names every missing flag. */
int citylink_require(const opts_t *opts, const char *prefix);

#endif
