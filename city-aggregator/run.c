/*  run - the city aggregator daemon.

    The loop (in the manner of Redis's ae.c) waits for county messages.
    When some arrive the inbox (inbox.c) takes every message already
    waiting (up to INBOX_BATCH_MAX, and up to INBOX_PEER_MAX from one
    sender, so that a flood cannot make the others wait long) as one
    batch: each is examined (ingest.c; the inbox itself drops malformed
    multipart, unauthenticated and oversize messages with their reason),
    the accepted reports are stored in ONE LMDB transaction (group commit,
    s_commit), and only after that commit are they acknowledged; refusals
    are answered with their reason. If the commit fails nothing accepted
    is acknowledged, so the counties send again: nothing accepted is ever
    lost. A report the city did not store (it holds a higher revision, or
    the same revision with other figures) is refused with the revision it
    holds, never acknowledged as accepted. A HeldQuery (county-agent sync)
    is answered with the revisions held of the key's unit (held.c).

    Evaluation is off this path: the transaction that stores a report also
    marks its (period, fund) dirty, and after a commit that stored something
    the loop kicks the evaluator (evaluator.c, an actor with its own store
    handle and the PUB feed), which evaluates every dirty pair, pool and
    units, from one read (at start too, for the marks a crash left), queues
    the evaluations for the province with the next version (a new version
    replaces the older entry), clears the marks and publishes the same
    evaluations on the feed. When it says it queued some, the loop sends
    them to the hub at once; the sender (sender.c) resends until the hub
    acknowledges. While the oldest change the evaluator has not reached
    waits more than --evaluation-hold-ms (EVALUATOR_HOLD_MS), the loop takes no report (the
    counties keep theirs, unacknowledged, and send them again): under a
    load the evaluator cannot follow, ingest slows to its pace, so that
    evaluations stay about that far behind what was accepted at most,
    however long the load lasts, instead of ever further. Before that, from
    a wait of YIELD_MS, the loop's thread runs INGEST_NICE steps nicer than
    the evaluator's (s_yield): when the two want more CPU than there is,
    the scheduler gives it to the evaluation of what was accepted before
    the taking of more, so the lag stays short without ingest ever stopping
    (the hold is the backstop).
    SIGTERM, SIGINT, SIGUSR1, SIGUSR2 or SIGALRM ends the loop between
    batches (signals.c; SIGPIPE is ignored). SIGHUP reads the allow
    directory and --units again between batches (s_reload), and logs what
    changed: a removed county key is refused from its next message on, new
    units are expected, and a changed configuration is stored with every
    (period, fund) marked dirty in one transaction, so that all pools are
    evaluated again with it even across a crash.
*/
#include "adcode.h"
#include "city.h"
#include "citydb.h"
#include "citylock.h"
#include "cityconf.h"
#include "evaluator.h"
#include "cli.h"
#include "decimal.h"
#include "envelope.h"
#include "held.h"
#include "inbox.h"
#include "ingest.h"
#include "keys.h"
#include "linkwatch.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "overdue.h"
#include "sdnotify.h"
#include "signals.h"
#include "sender.h"
#include "transport.h"
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <string.h>

#define TICK_MS 200       //  the longest wait: link checks, the sender's losses
#define HOLD_MS 20        //  while ingest waits for the evaluator: how often to look again
#define HOLD_LOG_MS 60000 //  a hold is logged at most this often
#define INGEST_NICE 10    //  the loop's thread yields the CPU to the evaluator's...
#define YIELD_MS 1000     //  ...while a change waits this long for evaluation
#define GAUGES_MS 5000    //  how often the outbox and the lag are read for the metrics
#define KICK_MS 1000      //  how often the evaluator looks for pairs other processes marked
#define OVERDUE_MS 60000  //  how often the units silent past a deadline are looked for

static const opt_spec_t s_specs[] = {
    {"city", true, false, "this city's 6-digit code (PPCC00)"},
    {"name", true, false, "this city's name, e.g. 攀枝花市"},
    {"data", true, false, "the city's data directory (LMDB)"},
    {"bind", true, false, "endpoint for county reports, e.g. tcp://*:7001"},
    {"pub", true, false, "endpoint of the live feed of pool and evaluation updates"},
    {"key", true, false, "this city's secret key file"},
    {"allow", true, false, "directory of the counties' public key files"},
    {"units", true, false, "CSV code,name of the city's known units"},
    {"province", true, false, "the province hub's endpoint"},
    {"province-pub", true, false, "the province hub's public key file"},
    {"framework", true, false, "evaluation framework CSV (default: built in)"},
    {"deadline", true, false, "days after period end: month=10,quarter=5,year=15"},
    {"risk", true, false, "months_payable thresholds of risk_level (default 3,6,9,15)"},
    {"outlier-z", true, false,
     "the modified z-score beyond which a value is an outlier (default 3.5)"},
    {"lock-after", true, false,
     "refuse revisions D days after the period's end: month=D,quarter=D,year=D (default: never)"},
    {"insecure", false, false, "plain text instead of CURVE (loopback or ipc only)"},
    {"metrics", true, false, "serve Prometheus metrics at http://HOST:PORT/metrics (loopback)"},
    {"evaluation-hold-ms", true, false,
     "take no report while an accepted change has waited this long for evaluation (default "
     "1500)"},
    {NULL, false, false, NULL}};

typedef struct {
    cityconf_t conf;
    cityreview_lock_t lock; //  --lock-after
    citydb_t *db;
    transport_server_t *router;
    transport_server_t *pub;     //  the feed, until the evaluator takes it
    evaluator_t *evaluator;      //  evaluates, publishes and queues what is dirty
    zsock_t *province;           //  DEALER to the hub, NULL without --province
    linkwatch_t *province_watch; //  Logs why the link to the hub fails.
    sender_t *sender;
    citylock_t *province_lock; //  the province's approvals of the pools, with a hub
    int64_t kick_due;          //  when the evaluator looks for pairs others marked
    bool insecure;
    const char *units_path; //  --units, read again on SIGHUP (NULL: none)
    long hold_ms;           //  no report is taken while a change waits longer for evaluation
    inbox_t *inbox;         //  takes the county messages in batches (inbox.c)
    sdnotify_t *sd;         //  tells systemd: ready, alive (watchdog), stopping
    int base_nice;          //  the loop thread's own nice value
    bool yielding;          //  it runs INGEST_NICE nicer, the evaluator being behind
    bool stuck_nice;        //  it could not take its priority back
    metrics_t *metrics;     //  --metrics: served at /metrics, NULL without
    int64_t gauges_due;     //  when the gauges are read again (zclock_mono)
    int64_t overdue_due;    //  when the overdue units are looked for again
    //  The commit's arguments and results, in the order of the accepted reports.
    report_t **accepted;
    citydb_outcome_t *outcomes;
    uint32_t *held; //  the revision stored of each accepted report's (unit, period, fund)
} city_t;

//  One county message of a batch, as examined.
typedef struct {
    ingest_t in;
    citydb_outcome_t outcome; //  INGEST_ACCEPT: what the commit did with it
    uint32_t held;            //  INGEST_ACCEPT: the revision the city holds of it
} city_msg_t;

//  Builds the answer to one report: accepted, or refused with in->reason;
//  stored_revision is the revision the city holds of it (0: not looked up).
static zframe_t *s_ack(const ingest_t *in, bool accepted, uint32_t stored_revision)
{
    Fundchain__Ack ack = FUNDCHAIN__ACK__INIT;
    ack.unit = (char *)in->unit;
    ack.period = (char *)in->period;
    ack.fund = (char *)in->fund;
    ack.revision = in->revision;
    ack.kind = "report";
    ack.status = accepted ? FUNDCHAIN__ACK__STATUS__ACCEPTED : FUNDCHAIN__ACK__STATUS__REJECTED;
    ack.reason = accepted ? "" : (char *)in->reason;
    ack.stored_revision = stored_revision;
    return envelope_ack_frame(&ack);
}

//  Examines one county message (inbox.c checked its frames and sender).
static inbox_verdict_t s_examine(void *arg, void *item, zframe_t *payload, const char *peer,
                                 char *reason)
{
    city_t *self = arg;
    ingest_t *in = &((city_msg_t *)item)->in;
    ingest_examine(&self->conf, payload, peer, in);
    if (in->verdict == INGEST_DROP) {
        snprintf(reason, INBOX_REASON, "%s", in->reason);
        return INBOX_DROP;
    }
    return in->verdict == INGEST_ACCEPT ? INBOX_ACCEPT : INBOX_ANSWER;
}

//  Stores the accepted reports of a batch in ONE transaction.
static int s_commit(void *arg, void **items, size_t n)
{
    city_t *self = arg;
    for (size_t k = 0; k < n; k++)
        self->accepted[k] = ((city_msg_t *)items[k])->in.report;
    if (citydb_accept(self->db, self->accepted, n, (int64_t)time(NULL), self->outcomes,
                      self->held) != 0) {
        log_error("could not store %zu reports: %s (not acknowledged; they will come again)", n,
                  store_error(citydb_store(self->db)));
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        city_msg_t *msg = items[k];
        msg->outcome = self->outcomes[k];
        msg->held = self->held[k];
        if (msg->outcome == CITYDB_LOCKED)
            snprintf(msg->in.reason, sizeof msg->in.reason, "%s", citydb_reason(self->db, k));
    }
    return 0;
}

//  Answers a committed report: accepted only when the city holds its figures
//  (stored now, or the same figures already); otherwise refused with the
//  revision the city kept, so that the agent never shows acked for figures
//  the city does not hold, and numbers its next revision after the kept one.
static zframe_t *s_answer_stored(ingest_t *in, citydb_outcome_t outcome, uint32_t held)
{
    static const char *what[] = {"stored", "duplicate of",
                                 "older than stored:", "other figures than stored:", "locked:"};
    bool accepted = outcome == CITYDB_STORED || outcome == CITYDB_DUPLICATE;
    if (outcome == CITYDB_LOCKED)
        log_info("refused %s %s %s revision %u: %s", in->unit, in->period, in->fund, in->revision,
                 in->reason);
    else
        log_info("%s %s %s %s revision %u%s", what[outcome], in->unit, in->period, in->fund,
                 in->revision, accepted ? "" : " (refused: the city keeps what it holds)");
    if (outcome == CITYDB_OLDER)
        snprintf(in->reason, sizeof in->reason,
                 "the city holds revision %u, newer than revision %u, and kept it", held,
                 in->revision);
    else if (outcome == CITYDB_CONFLICT)
        snprintf(in->reason, sizeof in->reason,
                 "the city holds revision %u with other figures, and kept them", held);
    return s_ack(in, accepted, held);
}

//  Answers one message after the commit: a stored report, a refusal, or a
//  HeldQuery (held.c sends its replies itself).
static zframe_t *s_answer(void *arg, void *item, zframe_t *identity)
{
    city_t *self = arg;
    city_msg_t *msg = item;
    ingest_t *in = &msg->in;
    if (in->verdict == INGEST_ACCEPT)
        return s_answer_stored(in, msg->outcome, msg->held);
    if (in->verdict == INGEST_REJECT) {
        log_warn("rejected %s %s %s revision %u: %s", in->unit, in->period, in->fund, in->revision,
                 in->reason);
        return s_ack(in, false, 0);
    }
    if (in->verdict == INGEST_HELD)
        held_answer(self->db, transport_server_sock(self->router), identity, in->unit, in->reason);
    return NULL;
}

//  Says whether the commit stored a report (and so marked a pair dirty).
static bool s_stored_any(const city_t *self, size_t n_accepted)
{
    for (size_t k = 0; k < n_accepted; k++)
        if (self->outcomes[k] == CITYDB_STORED)
            return true;
    return false;
}

//  After the answers of a committed batch: the evaluator evaluates what is
//  dirty, off this path (self->outcomes holds the batch's outcomes, in order).
static void s_after(void *arg, void **items, size_t n)
{
    city_t *self = arg;
    (void)items;
    if (s_stored_any(self, n)) {
        evaluator_kick(self->evaluator);
        self->overdue_due = 0; //  a report may end a unit's silence
    }
}

//  Names what a message is counted as in the metrics, beyond the inbox's
//  accepted / refused: a question, and a report the commit kept out.
static void s_tally(void *arg, const void *item, const char **outcome, const char **reason)
{
    (void)arg;
    const city_msg_t *msg = item;
    if (msg->in.verdict == INGEST_HELD) {
        *outcome = "answered";
        *reason = "held_query";
    } else if (msg->in.verdict == INGEST_ACCEPT && msg->outcome == CITYDB_OLDER) {
        *outcome = "rejected";
        *reason = "older_revision";
    } else if (msg->in.verdict == INGEST_ACCEPT && msg->outcome == CITYDB_CONFLICT) {
        *outcome = "rejected";
        *reason = "conflict";
    } else if (msg->in.verdict == INGEST_ACCEPT && msg->outcome == CITYDB_LOCKED) {
        *outcome = "rejected";
        *reason = "locked";
    }
}

static void s_clear(void *arg, void *item)
{
    (void)arg;
    report_destroy(&((city_msg_t *)item)->in.report);
}

//  True while ingest waits for the evaluator (logged at most once a minute).
static bool s_held(city_t *self, int64_t *logged)
{
    int64_t waiting = evaluator_waiting_ms(self->evaluator);
    if (waiting <= self->hold_ms)
        return false;
    if (zclock_mono() - *logged >= HOLD_LOG_MS) {
        *logged = zclock_mono();
        log_info("reports wait for the evaluator: the oldest change it has not reached waits "
                 "%.1f s (no report is taken while one waits more than %.1f s; the counties "
                 "keep theirs and send them again)",
                 (double)waiting / 1000, (double)self->hold_ms / 1000);
    }
    return true;
}

static void s_overdue_one(const char *unit, int64_t seconds, void *arg)
{
    metrics_set(arg, METRICS_UNIT_OVERDUE, (const char *[]){unit}, (double)seconds);
}

//  Kicks the evaluator every KICK_MS: the review commands (approve,
//  unapprove, unlock) run in other processes and mark their pairs dirty in
//  the store; the evaluator, which otherwise wakes on this loop's commits,
//  then evaluates and forwards their new state within a second. A kick
//  with nothing dirty costs one read.
static void s_kick_due(city_t *self)
{
    int64_t now = zclock_mono();
    if (now < self->kick_due)
        return;
    self->kick_due = now + KICK_MS;
    evaluator_kick(self->evaluator);
}

//  Reads the gauges of the metrics when due: the outbox to the province,
//  the evaluation lag, and (less often) the units silent past a deadline.
static void s_gauges(city_t *self)
{
    int64_t now = zclock_mono();
    if (!self->metrics || now < self->gauges_due)
        return;
    self->gauges_due = now + GAUGES_MS;
    size_t pending = 0, pairs = 0;
    int64_t oldest = 0, age_ms = -1;
    if (outbox_measure(citydb_store(self->db), &pending, &oldest) == 0) {
        metrics_set(self->metrics, METRICS_OUTBOX, NULL, (double)pending);
        metrics_set(self->metrics, METRICS_OUTBOX_AGE, NULL,
                    oldest ? difftime(time(NULL), (time_t)oldest) : 0);
    }
    if (citydb_lag(self->db, &pairs, &age_ms) == 0)
        metrics_set(self->metrics, METRICS_EVAL_LAG, NULL, age_ms > 0 ? age_ms / 1000.0 : 0);
    if (now >= self->overdue_due) {
        self->overdue_due = now + OVERDUE_MS;
        overdue_each(self->db, &self->conf, time(NULL), s_overdue_one, self->metrics);
    }
}

//  The loop thread's nice value, or 0 when it cannot be read.
static int s_nice(void)
{
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    return nice == -1 && errno != 0 ? 0 : nice;
}

//  While the evaluator falls behind (the oldest change it has not reached
//  waits more than YIELD_MS), the loop's thread runs INGEST_NICE nicer
//  than the evaluator's (on Linux the nice value is per thread), so that
//  when the two want more CPU than there is, the scheduler gives it to
//  evaluating what was accepted before taking more; once it caught up, the
//  thread takes its own priority back. Taking it back needs RLIMIT_NICE to
//  allow it (the unit's LimitNICE=, or root): where it does not, the
//  thread stays nicer, logged once. Other failures are logged: ingest then
//  only competes.
static void s_yield(city_t *self)
{
    bool want = evaluator_waiting_ms(self->evaluator) > YIELD_MS;
    if (want == self->yielding || (!want && self->stuck_nice))
        return;
    int nice = want ? (self->base_nice + INGEST_NICE > 19 ? 19 : self->base_nice + INGEST_NICE)
                    : self->base_nice;
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), nice) == 0) {
        self->yielding = want;
        return;
    }
    if (!want) {
        self->stuck_nice = true;
        log_warn("ingest cannot take its priority back after yielding to the evaluator (%s): "
                 "it stays %d nicer (allow it with LimitNICE=+%d in the unit)",
                 strerror(errno), INGEST_NICE, self->base_nice);
    } else {
        self->yielding = true; //  do not try at every turn
        log_warn("ingest cannot yield the CPU to the evaluator (%s): it only competes",
                 strerror(errno));
    }
}

//  Logs the units one list has and the other has not, or names otherwise.
static void s_log_units(const cityconf_t *old, const cityconf_t *fresh)
{
    size_t changes = 0;
    for (size_t i = 0; i < fresh->n_units; i++) {
        const unit_name_t *u = &fresh->units[i];
        const unit_name_t *was = NULL;
        for (size_t k = 0; k < old->n_units && !was; k++)
            if (!strcmp(old->units[k].code, u->code))
                was = &old->units[k];
        if (!was || strcmp(was->name, u->name))
            log_info("units: %s %s %s%s", u->code, u->name, was ? "renamed, was " : "added",
                     was ? was->name : "");
        changes += !was || strcmp(was->name, u->name);
    }
    for (size_t k = 0; k < old->n_units; k++) {
        bool kept = false;
        for (size_t i = 0; i < fresh->n_units && !kept; i++)
            kept = !strcmp(old->units[k].code, fresh->units[i].code);
        if (!kept)
            log_info("units: %s %s removed (its reports stay stored; it is no longer expected)",
                     old->units[k].code, old->units[k].name);
        changes += !kept;
    }
    if (!changes)
        log_info("units: %zu, nothing changed", fresh->n_units);
}

//  Reads --units again; when they changed, stores the configuration (which
//  marks every pair dirty) and has the evaluator read it. A file that
//  cannot be read keeps the units read before (logged).
static void s_reload_units(city_t *self)
{
    cityconf_t fresh;
    cityconf_init(&fresh);
    if (cityconf_load_units(&fresh, self->units_path) != 0) {
        log_error("units: %s cannot be read: the %zu units read before stay", self->units_path,
                  self->conf.n_units);
        cityconf_clear(&fresh);
        return;
    }
    s_log_units(&self->conf, &fresh);
    free(self->conf.units);
    self->conf.units = fresh.units;
    self->conf.n_units = fresh.n_units;
    fresh.units = NULL;
    cityconf_clear(&fresh);
    char *text = cityconf_text(&self->conf);
    bool changed = false;
    if (text && citydb_configure(self->db, text, &changed) == 0 && changed) {
        evaluator_reload(self->evaluator);
        evaluator_kick(self->evaluator);
        metrics_reset(self->metrics, METRICS_UNIT_OVERDUE); //  a removed unit goes
        self->overdue_due = 0;
    }
    free(text);
}

//  SIGHUP: reads the allow directory and the units again, between batches,
//  and logs what changed. Nothing accepted is touched: a report already
//  acknowledged stays stored whatever the new keys.
static void s_reload(city_t *self)
{
    log_info("SIGHUP: reading the allow directory%s again",
             self->units_path ? " and the units" : "");
    if (!self->insecure)
        transport_server_reload(self->router);
    if (self->units_path)
        s_reload_units(self);
}

static void s_loop(city_t *self)
{
    zsock_t *sock = transport_server_sock(self->router);
    zsock_t *news = evaluator_sock(self->evaluator);
    zpoller_t *poller = zpoller_new(sock, news, NULL);
    zpoller_t *held = zpoller_new(news, NULL); //  the same without the counties
    if (self->province) {
        zpoller_add(poller, self->province);
        zpoller_add(held, self->province);
    }
    int64_t logged = -HOLD_LOG_MS;
    while (!zsys_interrupted) {
        sdnotify_tick(self->sd);
        s_gauges(self);
        if (signals_reload_asked())
            s_reload(self);
        s_yield(self);
        bool hold = s_held(self, &logged);
        zpoller_t *which_poller = hold ? held : poller;
        void *which = zpoller_wait(which_poller, hold ? HOLD_MS : TICK_MS);
        if (signals_poller_ended(which_poller))
            break;
        if (which == sock)
            inbox_batch(self->inbox);
        //  Evaluations were queued for the province: send them now. An
        //  acknowledgement refills the window in the transaction that records
        //  it; any other turn sends what was queued (cheap when nothing was:
        //  the sender reads at its cursor).
        if (which == news)
            evaluator_take_news(self->evaluator);
        if (self->sender && which == self->province)
            sender_take_acks(self->sender);
        else if (self->sender)
            sender_send_due(self->sender);
        linkwatch_tick(self->province_watch);
        if (self->province_lock)
            citylock_tick(self->province_lock);
        s_kick_due(self);
        //  What the link to the hub last was, for city-aggregator status; a
        //  failed save is tried again at the next change or turn.
        linkwatch_save(self->province_watch, citydb_store(self->db));
    }
    zpoller_destroy(&held);
    zpoller_destroy(&poller);
}
//  Parses --outlier-z: a positive decimal. Returns 0, or -1 (logged).
static int s_outlier_z(const char *text, cityconf_t *conf)
{
    const char *why = NULL;
    int64_t z;
    if (decimal_parse_qty(text, 1, &z, &why) != 0 || z <= 0) {
        log_error("--outlier-z: '%s' is not a positive number%s%s", text, why ? ": " : "",
                  why ? why : "");
        return -1;
    }
    conf->outlier_z = z;
    return 0;
}

//  Reads the settings from the flags into self->conf.
static int s_configure(city_t *self, const opts_t *opts)
{
    cityconf_t *conf = &self->conf;
    const char *city = opts_need(opts, "city");
    const char *name = opts_need(opts, "name");
    if (!city || !name)
        return -1;
    if (!adcode_is_city(city)) {
        log_error("--city must be a city code PPCC00, not '%s'", city);
        return -1;
    }
    snprintf(conf->city, sizeof conf->city, "%s", city);
    snprintf(conf->name, sizeof conf->name, "%s", name);
    const char *why = NULL;
    if (opts_get(opts, "units") && cityconf_load_units(conf, opts_get(opts, "units")) != 0)
        return -1;
    if (opts_get(opts, "framework") &&
        cityconf_load_framework(conf, opts_get(opts, "framework")) != 0)
        return -1;
    if (opts_get(opts, "deadline") &&
        period_deadline_parse(opts_get(opts, "deadline"), &conf->deadline, &why) != 0) {
        log_error("--deadline: %s", why);
        return -1;
    }
    if (opts_get(opts, "risk") &&
        evaluation_risk_parse(opts_get(opts, "risk"), &conf->risk, &why) != 0) {
        log_error("--risk: %s", why);
        return -1;
    }
    if (opts_get(opts, "outlier-z") && s_outlier_z(opts_get(opts, "outlier-z"), conf) != 0)
        return -1;
    if (opts_get(opts, "lock-after") &&
        cityreview_lock_parse(opts_get(opts, "lock-after"), &self->lock, &why) != 0) {
        log_error("--lock-after: %s", why);
        return -1;
    }
    return 0;
}

//  Stores the configuration (a changed one marks every pair dirty).
static int s_configure_store(city_t *self)
{
    char *text = cityconf_text(&self->conf);
    int rc = text ? citydb_configure(self->db, text, NULL) : -1;
    free(text);
    return rc;
}

//  Binds the report endpoint and the feed, CURVE unless --insecure.
static int s_bind(city_t *self, const opts_t *opts)
{
    const char *bind = opts_need(opts, "bind");
    const char *pub = opts_need(opts, "pub");
    if (!bind || !pub)
        return -1;
    zcert_t *cert = NULL;
    const char *allow = NULL;
    if (!self->insecure) {
        const char *key = opts_need(opts, "key");
        allow = opts_need(opts, "allow");
        if (!key || !allow || !(cert = keys_load_secret(key)))
            return -1;
    }
    const char *bound = cert ? keys_code(cert) : NULL;
    if (bound && strcmp(bound, self->conf.city)) {
        log_error("the key %s is bound to %s, not to city %s", opts_get(opts, "key"), bound,
                  self->conf.city);
        zcert_destroy(&cert);
        return -1;
    }
    self->router = transport_server_new(ZMQ_ROUTER, bind, cert, allow);
    //  The feed is plain text on loopback (watch needs no key there), CURVE elsewhere.
    bool local_feed = transport_is_loopback(pub);
    self->pub = transport_server_new(ZMQ_PUB, pub, local_feed ? NULL : cert, allow);
    int rc = self->router && self->pub ? 0 : -1;
    const char *province = opts_get(opts, "province");
    if (rc == 0 && province) {
        const char *province_pub = self->insecure ? NULL : opts_need(opts, "province-pub");
        if (!self->insecure && !province_pub)
            rc = -1;
        else {
            linkwatch_about_t about = {"the hub", opts_get(opts, "key"), "--province-pub",
                                       province_pub};
            if (self->insecure)
                about.key_file = NULL;
            self->province = transport_client_watched(ZMQ_DEALER, province, cert, province_pub,
                                                      &about, &self->province_watch);
            rc = self->province ? 0 : -1;
        }
    }
    zcert_destroy(&cert);
    return rc;
}

//  Makes the inbox of the county socket and the commit's arrays.
static int s_alloc(city_t *self)
{
    inbox_spec_t spec = {.batch_max = INBOX_BATCH_MAX,
                         .peer_max = INBOX_PEER_MAX,
                         .item_size = sizeof(city_msg_t),
                         .insecure = self->insecure,
                         .arg = self,
                         .examine = s_examine,
                         .commit = s_commit,
                         .answer = s_answer,
                         .after = s_after,
                         .clear = s_clear,
                         .tally = s_tally};
    self->inbox = inbox_new(transport_server_sock(self->router), &spec);
    inbox_set_metrics(self->inbox, self->metrics);
    self->accepted = calloc(INBOX_BATCH_MAX, sizeof *self->accepted);
    self->outcomes = calloc(INBOX_BATCH_MAX, sizeof *self->outcomes);
    self->held = calloc(INBOX_BATCH_MAX, sizeof *self->held);
    return self->inbox && self->accepted && self->outcomes && self->held ? 0 : -1;
}

static void s_free(city_t *self)
{
    inbox_destroy(&self->inbox);
    free(self->accepted);
    free(self->outcomes);
    free(self->held);
    evaluator_destroy(&self->evaluator); //  first: it may be in a round
    citylock_destroy(&self->province_lock);
    sender_destroy(&self->sender);
    linkwatch_destroy(&self->province_watch);
    zsock_destroy(&self->province);
    transport_server_destroy(&self->pub);
    transport_server_destroy(&self->router);
    citydb_destroy(&self->db);
    sdnotify_destroy(&self->sd);
    transport_set_metrics(NULL);
    metrics_destroy(&self->metrics);
    cityconf_clear(&self->conf);
}

//  Checks that every flag run needs was given; names all the missing ones.
static int s_require(const opts_t *opts)
{
    bool secure = !opts_has(opts, "insecure"), up = secure && opts_get(opts, "province");
    const char *need[] = {"city",
                          "name",
                          "data",
                          "bind",
                          "pub",
                          secure ? "key" : NULL,
                          secure ? "allow" : NULL,
                          up ? "province-pub" : NULL};
    return opts_require(opts, "city-aggregator run", need, sizeof need / sizeof need[0]);
}

//  The run command.
int city_run(int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse("run", s_specs,
                             "--city CODE --name NAME --data DIR --bind ENDPOINT --pub ENDPOINT "
                             "--key FILE --allow DIR [--units FILE] [--framework FILE]",
                             argc, argv, &code);
    if (!opts)
        return code;
    log_setup("city-aggregator", LOGL_INFO);
    signals_install();
    city_t self = {0};
    cityconf_init(&self.conf);
    self.insecure = opts_has(opts, "insecure");
    self.hold_ms = EVALUATOR_HOLD_MS;
    const char *data = opts_get(opts, "data");
    code = EXIT_USAGE;
    if (opts_number(opts, "evaluation-hold-ms", 0, 86400000, &self.hold_ms) != 0 ||
        (opts_get(opts, "metrics") && metrics_check_url(opts_get(opts, "metrics")) != 0) ||
        s_require(opts) != 0 || s_configure(&self, opts) != 0 || s_bind(&self, opts) != 0)
        goto done;
    code = EXIT_RUNTIME;
    self.units_path = opts_get(opts, "units");
    if (opts_get(opts, "metrics") && !(self.metrics = metrics_new(opts_get(opts, "metrics"))))
        goto done;
    transport_set_metrics(self.metrics);
    if (s_alloc(&self) != 0 || !(self.db = citydb_open(data, self.conf.city)) ||
        s_configure_store(&self) != 0)
        goto done;
    citydb_set_lock(self.db, &self.lock);
    if (self.province && !(self.sender = sender_new(citydb_store(self.db), self.province,
                                                    opts_get(opts, "province"))))
        goto done;
    if (self.sender)
        sender_set_linkwatch(self.sender, self.province_watch);
    //  It evaluates at once what a crash left dirty, then what ingest marks.
    if (!(self.evaluator = evaluator_new(data, self.conf.city, &self.pub)))
        goto done;
    if (self.sender &&
        !(self.province_lock = citylock_new(self.db, self.province, self.province_watch,
                                            self.conf.city, self.evaluator)))
        goto done;
    if (self.province_lock)
        sender_set_other(self.sender, citylock_orders, self.province_lock);
    if (self.insecure)
        log_warn("--insecure: links are plain text and peers are not authenticated");
    self.base_nice = s_nice();
    log_info("city %s %s receiving on %s", self.conf.city, self.conf.name, opts_get(opts, "bind"));
    signals_unblock(); //  every thread is started: this one takes the signals
    self.sd = sdnotify_new();
    sdnotify_ready(self.sd, "receiving county reports");
    s_loop(&self);
    sdnotify_stopping(self.sd, "stopping");
    signals_log_stop();
    log_info("stopped");
    code = EXIT_OK;
done:
    s_free(&self);
    opts_destroy(&opts);
    return code;
}
