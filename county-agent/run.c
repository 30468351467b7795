/*  run - sends the outbox to the city until every report is acknowledged.

    The loop (in the manner of Redis's ae.c) waits at most TICK_MS for an
    acknowledgement or a change of the outbox, applies every
    acknowledgement that is waiting and refills the window of messages in
    flight in one transaction, and otherwise sends what is due (sender.c:
    a committed entry at once, a lost one again after a doubling backoff;
    an entry the city can never accept goes to the dead state).

    county-agent submit commits to the same LMDB outbox from another
    process; LMDB writes its commits with pwrite, so an inotify watch on
    data.mdb (IN_MODIFY) wakes the loop at once and the sender looks at
    the whole pending index again, and once more AGAIN_MS later (an event
    can come before its commit shows to a reader). Every RESCAN_MS it does
    so anyway, in case an event was missed or the watch could not be set
    (it then logs a warning and relies on that alone). Our own commits wake the loop
    too; that costs one look at what is in flight.

    SIGTERM, SIGINT, SIGUSR1, SIGUSR2 or SIGALRM ends the loop after the
    current transaction (signals.c; SIGPIPE is ignored; SIGHUP, a reload,
    is logged: the agent has nothing to read again); nothing
    is lost, since every entry stays in LMDB until its acknowledgement is
    recorded.
*/
#include "adcode.h"
#include "agent.h"
#include "agentdb.h"
#include "citylink.h"
#include "cli.h"
#include "linkwatch.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "sdnotify.h"
#include "signals.h"
#include "sender.h"
#include "transport.h"
#include <czmq.h>
#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define TICK_MS 200    //  the longest wait: link checks, losses
#define RESCAN_MS 1000 //  the safety poll behind the inotify watch
#define GAUGES_MS 5000 //  how often the gauges of the metrics are read
#define AGAIN_MS 10    //  a second look after an event: its commit may not show yet

static const opt_spec_t s_specs[] = {
    {"unit", true, false, "this agent's 6-digit unit code"},
    {"data", true, false, "the agent's data directory (LMDB outbox)"},
    {"city", true, false, "the city aggregator's endpoint, e.g. tcp://city.example:7001"},
    {"city-pub", true, false, "the city's public key file"},
    {"key", true, false, "this agent's secret key file (NAME.key)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {"metrics", true, false, "serve Prometheus metrics at http://HOST:PORT/metrics (loopback)"},
    {NULL, false, false, NULL}};

//  Returns an inotify descriptor watching dir/data.mdb for commits, or -1
//  (logged) when it cannot be set.
static int s_watch_outbox(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0 && inotify_add_watch(fd, path, IN_MODIFY) >= 0)
        return fd;
    log_warn("cannot watch %s for new reports (%s): looking every %d ms instead", path,
             strerror(errno), RESCAN_MS);
    if (fd >= 0)
        close(fd);
    return -1;
}

//  Reads every waiting inotify event; they only say "look again".
static void s_drain(int fd)
{
    char events[4096];
    while (read(fd, events, sizeof events) > 0)
        ;
}

//  What the loop works with.
typedef struct {
    sender_t *sender;
    zsock_t *sock;
    linkwatch_t *watch;
    store_t *store;
    int notify;         //  inotify on the outbox, -1 without
    sdnotify_t *sd;     //  tells systemd: ready, alive (watchdog), stopping
    metrics_t *metrics; //  --metrics, NULL without
    int64_t gauges_due; //  when the gauges are read again (zclock_mono)
} loop_t;

//  Reads the gauges of the metrics when due: the outbox's depth and the age
//  of its oldest entry not yet acknowledged, and whether the link is up.
static void s_gauges(loop_t *self)
{
    int64_t now = zclock_mono();
    if (!self->metrics || now < self->gauges_due)
        return;
    self->gauges_due = now + GAUGES_MS;
    size_t pending = 0;
    int64_t oldest = 0;
    if (outbox_measure(self->store, &pending, &oldest) == 0) {
        metrics_set(self->metrics, METRICS_OUTBOX, NULL, (double)pending);
        metrics_set(self->metrics, METRICS_OUTBOX_AGE, NULL,
                    oldest ? difftime(time(NULL), (time_t)oldest) : 0);
    }
    linkwatch_condition_t cond;
    linkwatch_condition(self->watch, &cond);
    metrics_set(self->metrics, METRICS_PEERS, NULL, cond.state == LINKWATCH_UP ? 1 : 0);
}

//  Sends and takes acknowledgements until SIGTERM or SIGINT; keeps the
//  link's condition in the store for status (a failed save is tried again).
static void s_loop(loop_t *self)
{
    zmq_pollitem_t items[] = {{zsock_resolve(self->sock), 0, ZMQ_POLLIN, 0},
                              {NULL, self->notify, ZMQ_POLLIN, 0}};
    int n_items = self->notify >= 0 ? 2 : 1;
    int64_t next_rescan = zclock_mono() + RESCAN_MS;
    bool again = false; //  a second look is due AGAIN_MS after an event
    sender_send_due(self->sender);
    while (!zsys_interrupted) {
        if (zmq_poll(items, n_items, again ? AGAIN_MS : TICK_MS) < 0 && errno != EINTR)
            break; //  the context is ending
        if (zsys_interrupted)
            break;
        sdnotify_tick(self->sd);
        s_gauges(self);
        if (signals_reload_asked())
            log_info("SIGHUP: the county agent has nothing to read again (its settings are read "
                     "at start: restart it to change them); it goes on");
        bool event = n_items == 2 && (items[1].revents & ZMQ_POLLIN);
        if (event)
            s_drain(self->notify);
        if (event || again || zclock_mono() >= next_rescan) {
            sender_rescan(self->sender);
            next_rescan = zclock_mono() + RESCAN_MS;
        }
        again = event;
        if (items[0].revents & ZMQ_POLLIN)
            sender_take_acks(self->sender); //  and refills the window
        else
            sender_send_due(self->sender);
        linkwatch_tick(self->watch);
        linkwatch_save(self->watch, self->store);
    }
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
    loop_t loop = {.notify = -1};
    agentdb_t *db = NULL;
    code = EXIT_USAGE;
    if (citylink_require(opts, "county-agent run") != 0 ||
        (opts_get(opts, "metrics") && metrics_check_url(opts_get(opts, "metrics")) != 0))
        goto done;
    if (!adcode_valid(unit)) {
        log_error("--unit must be a 6-digit code, not '%s'", unit);
        goto done;
    }
    if (!(loop.sock = citylink_connect(opts, unit, &loop.watch)))
        goto done;
    code = EXIT_RUNTIME;
    if (!(db = agentdb_open(data, unit)) ||
        !(loop.sender = sender_new(agentdb_store(db), loop.sock, city)))
        goto done;
    if (opts_get(opts, "metrics") && !(loop.metrics = metrics_new(opts_get(opts, "metrics"))))
        goto done;
    loop.store = agentdb_store(db);
    sender_set_linkwatch(loop.sender, loop.watch);
    loop.notify = s_watch_outbox(data);
    log_info("unit %s sending to %s", unit, city);
    signals_unblock(); //  every thread is started: this one takes the signals
    loop.sd = sdnotify_new();
    sdnotify_ready(loop.sd, "sending reports");
    s_loop(&loop);
    sdnotify_stopping(loop.sd, "stopping");
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    if (loop.notify >= 0)
        close(loop.notify);
    sdnotify_destroy(&loop.sd);
    metrics_destroy(&loop.metrics);
    sender_destroy(&loop.sender);
    agentdb_destroy(&db);
    linkwatch_destroy(&loop.watch);
    zsock_destroy(&loop.sock);
    opts_destroy(&opts);
    return code;
}
