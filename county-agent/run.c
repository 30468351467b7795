/*  run - sends the outbox to the city until every report is acknowledged.

    The loop (in the manner of Redis's ae.c) waits at most TICK_MS for an
    acknowledgement, applies every acknowledgement that is waiting in one
    transaction, then sends what is due (sender.c: queued entries at once,
    sent ones again after a doubling backoff; an entry the city can never
    accept goes to the dead state). SIGTERM, SIGINT, SIGHUP, SIGUSR1,
    SIGUSR2 or SIGALRM ends the loop after the current transaction
    (signals.c; SIGPIPE is ignored); nothing is lost, since every entry
    stays in LMDB until its acknowledgement is recorded.
*/
#include "adcode.h"
#include "agent.h"
#include "agentdb.h"
#include "citylink.h"
#include "cli.h"
#include "linkwatch.h"
#include "log.h"
#include "signals.h"
#include "sender.h"
#include "transport.h"
#include <czmq.h>
#include <string.h>

#define TICK_MS 200

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (LMDB outbox)"},
    {"city", true, false, "the city aggregator's endpoint, e.g. tcp://city.example:7001"},
    {"city-pub", true, false, "the city's public key file"},
    {"key", true, false, "this agent's secret key file (NAME.key)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {NULL, false, false, NULL}};

//  Sends and takes acknowledgements until SIGTERM or SIGINT; keeps the
//  link's condition in the store for status (a failed save is tried again).
static void s_loop(sender_t *sender, zsock_t *sock, linkwatch_t *watch, store_t *store)
{
    zpoller_t *poller = zpoller_new(sock, NULL);
    int64_t next_send = 0;
    while (!zsys_interrupted) {
        void *which = zpoller_wait(poller, TICK_MS);
        if (zpoller_terminated(poller))
            break;
        if (which == sock)
            sender_take_acks(sender);
        if (zclock_mono() >= next_send) {
            sender_send_due(sender);
            next_send = zclock_mono() + TICK_MS;
        }
        linkwatch_tick(watch);
        linkwatch_save(watch, store);
    }
    zpoller_destroy(&poller);
}

//  The run command.
int agent_run(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("run", s_specs,
                             "--unit CODE --data DIR --city ENDPOINT --city-pub FILE --key FILE",
                             argc, argv, &code);
    if (!opts)
        return code;
    log_setup("county-agent", LOGL_INFO);
    signals_install();
    const char *unit = opts_get(opts, "unit");
    const char *data = opts_get(opts, "data");
    const char *city = opts_get(opts, "city");
    zsock_t *sock = NULL;
    linkwatch_t *watch = NULL;
    agentdb_t *db = NULL;
    sender_t *sender = NULL;
    code = EXIT_USAGE;
    if (citylink_require(opts, "county-agent run") != 0)
        goto done;
    if (!adcode_valid(unit)) {
        log_error("--unit must be a 6-digit code, not '%s'", unit);
        goto done;
    }
    if (!(sock = citylink_connect(opts, unit, &watch)))
        goto done;
    code = EXIT_RUNTIME;
    if (!(db = agentdb_open(data, unit)) || !(sender = sender_new(agentdb_store(db), sock, city)))
        goto done;
    log_info("unit %s sending to %s", unit, city);
    s_loop(sender, sock, watch, agentdb_store(db));
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    sender_destroy(&sender);
    agentdb_destroy(&db);
    linkwatch_destroy(&watch);
    zsock_destroy(&sock);
    opts_destroy(&opts);
    return code;
}
