/*  linkwatch - watches a client's link to its server and explains its failures.

    The actor reads the socket's monitor events and keeps the condition in
    self, under self->mutex; the owner thread reads it (linkwatch_condition)
    and reconnects (linkwatch_tick). libzmq tells a handshake failure apart
    only by its event: on the client side a refused key is
    HANDSHAKE_FAILED_AUTH (the ZAP status of the server's ERROR), plain text
    against CURVE (either way) is HANDSHAKE_FAILED_PROTOCOL with
    MECHANISM_MISMATCH, and a wrong server key is HANDSHAKE_FAILED_NO_DETAIL,
    since the server drops a HELLO it cannot decrypt without a word.
    NO_DETAIL is vague: a server that refuses our greeting's mechanism may
    close the connection before we read its own greeting, so a mismatch
    often shows as a few NO_DETAILs before its MISMATCH. A NO_DETAIL of a
    plain-text client is therefore taken for a mismatch, one of a CURVE
    client for a wrong server key (whose text says "or plain text"), and
    NO_DETAILs replace a more specific failure only once VAGUE_MAX of them
    came in a row.
    "Nothing listening" has no event of its own: it is a CONNECT_RETRIED
    with no CONNECTED since the previous one (a handshake failure also ends
    in CONNECT_RETRIED, after a CONNECTED).

    The monitor is started and stopped by the owner thread, in the order
    transport.c explains: stopped before its reader ends, since libzmq's
    I/O threads send events with a blocking send.
*/
#include "linkwatch.h"
#include "log.h"
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINKWATCH_EVENTS                                                                           \
    (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED |                    \
     ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |                        \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

#define VAGUE_MAX 20 //  NO_DETAILs in a row that replace a specific failure.

struct _linkwatch_t {
    zsock_t *sock; //  The watched socket (not owned).
    zactor_t *actor;
    char monitor[64]; //  The inproc endpoint of the monitor.
    char peer[64];
    char our_pub[256]; //  Our public key file, "" for plain text.
    char server_flag[32];
    char server_pub[256];
    pthread_mutex_t mutex; //  Guards what follows.
    linkwatch_condition_t cond;
    bool tcp_up;     //  A TCP connection was made since the last retry.
    bool gave_up;    //  libzmq will not reconnect by itself.
    unsigned vague;  //  NO_DETAIL events since the last other handshake event.
    int64_t attempt; //  When the link last failed or was reconnected (zclock_mono).
    uint64_t saved;  //  The serial last saved in a store (owner only).
};

static const char *s_names[] = {
    "unknown",     "connected",         "disconnected",        "unreachable",
    "key_refused", "security_mismatch", "server_key_mismatch", "protocol_error"};

//  Returns the condition's name.
const char *linkwatch_state_name(linkwatch_state_t state)
{
    return state <= LINKWATCH_PROTOCOL ? s_names[state] : "unknown";
}

//  Returns true for the conditions of a failed handshake.
bool linkwatch_is_handshake_failure(linkwatch_state_t state)
{
    return state >= LINKWATCH_REFUSED && state <= LINKWATCH_PROTOCOL;
}

//  Writes the explanation of a refused key (value: the ZAP status).
static void s_text_refused(linkwatch_t *self, uint32_t value, char *text, size_t size)
{
    if (value == 400)
        snprintf(text, size, "%s refused our key: is %s in %s's allow directory?", self->peer,
                 self->our_pub, self->peer);
    else if (value == 300)
        snprintf(text, size, "%s could not check our key for now (ZAP status 300)", self->peer);
    else
        snprintf(text, size, "%s's key check failed (ZAP status %u): see %s's log", self->peer,
                 value, self->peer);
}

//  Writes the explanation of a failed handshake that was not a refused key.
static void s_text_handshake(linkwatch_t *self, linkwatch_state_t state, uint32_t value, char *text,
                             size_t size)
{
    bool curve = self->our_pub[0] != 0;
    if (state == LINKWATCH_MISMATCH && curve)
        snprintf(text, size,
                 "handshake failed: %s runs plain text (--insecure) and we use CURVE: both ends "
                 "need keys, or both --insecure on loopback",
                 self->peer);
    else if (state == LINKWATCH_MISMATCH)
        snprintf(text, size,
                 "handshake failed: %s uses CURVE and we run --insecure: give --key and %s "
                 "instead",
                 self->peer, self->server_flag);
    else if (state == LINKWATCH_SERVER_KEY)
        snprintf(text, size,
                 "handshake failed: %s's public key (%s %s) does not match the key of the server "
                 "at this endpoint, or it runs plain text (--insecure): is it %s, and is that "
                 "its key?",
                 self->peer, self->server_flag, self->server_pub, self->peer);
    else
        snprintf(text, size,
                 "handshake failed: the peer does not speak ZMTP as expected (protocol error "
                 "0x%x): is this endpoint %s?",
                 value, self->peer);
}

//  Writes what the condition means into text.
static void s_text(linkwatch_t *self, linkwatch_state_t state, uint32_t value, char *text,
                   size_t size)
{
    if (state == LINKWATCH_UP)
        snprintf(text, size, "connected to %s", self->peer);
    else if (state == LINKWATCH_DOWN)
        snprintf(text, size, "lost the connection to %s; reconnecting", self->peer);
    else if (state == LINKWATCH_UNREACHABLE)
        snprintf(text, size,
                 "cannot connect: nothing accepts connections there (%s not running, a wrong "
                 "address or port, or a firewall)",
                 self->peer);
    else if (state == LINKWATCH_REFUSED)
        s_text_refused(self, value, text, size);
    else
        s_text_handshake(self, state, value, text, size);
}

//  Enters a condition (mutex held): logs it once, unless it is the current one.
static void s_enter(linkwatch_t *self, linkwatch_state_t state, uint32_t value)
{
    char text[LINKWATCH_TEXT_MAX];
    s_text(self, state, value, text, sizeof text);
    linkwatch_condition_t *cond = &self->cond;
    if (state == cond->state && !strcmp(text, cond->text))
        return;
    cond->state = state;
    cond->since = (int64_t)time(NULL);
    memcpy(cond->text, text, sizeof cond->text);
    if (state != LINKWATCH_UP && state != LINKWATCH_DOWN) {
        memcpy(cond->problem, text, sizeof cond->problem);
        cond->problem_at = cond->since;
    }
    cond->serial++;
    log_msg(state == LINKWATCH_UP || state == LINKWATCH_DOWN ? LOGL_INFO : LOGL_WARN, "%s: %s",
            cond->endpoint, text);
}

//  Applies a NO_DETAIL, taken for state (mutex held): it replaces a more
//  specific failure only when VAGUE_MAX of them came in a row.
static void s_vague(linkwatch_t *self, linkwatch_state_t state)
{
    linkwatch_state_t now = self->cond.state;
    bool specific =
        now == LINKWATCH_REFUSED || now == LINKWATCH_MISMATCH || now == LINKWATCH_PROTOCOL;
    if (self->vague < VAGUE_MAX)
        self->vague++;
    if (!specific || now == state || self->vague >= VAGUE_MAX)
        s_enter(self, state, 0);
}

//  Applies one monitor event to the condition (mutex held).
static void s_event(linkwatch_t *self, uint16_t event, uint32_t value)
{
    bool curve = self->our_pub[0] != 0;
    if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)) {
        self->gave_up = true; //  libzmq ends such a session for good.
        self->attempt = zclock_mono();
    }
    if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
        self->vague = 0;
    if (event == ZMQ_EVENT_CONNECTED)
        self->tcp_up = true;
    else if (event == ZMQ_EVENT_CONNECT_RETRIED) {
        if (!self->tcp_up)
            s_enter(self, LINKWATCH_UNREACHABLE, 0);
        self->tcp_up = false;
    } else if (event == ZMQ_EVENT_DISCONNECTED && self->cond.state == LINKWATCH_UP)
        s_enter(self, LINKWATCH_DOWN, 0);
    else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        self->gave_up = false;
        s_enter(self, LINKWATCH_UP, 0);
    } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        s_enter(self, LINKWATCH_REFUSED, value);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        s_enter(self,
                value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH       ? LINKWATCH_MISMATCH
                : value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC && curve ? LINKWATCH_SERVER_KEY
                                                                          : LINKWATCH_PROTOCOL,
                value);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        s_vague(self, curve ? LINKWATCH_SERVER_KEY : LINKWATCH_MISMATCH);
}

//  Reads one monitor event (a frame of the 16-bit event and the 32-bit
//  value, a frame of the endpoint) and applies it.
static void s_read_event(linkwatch_t *self, zmsg_t *msg)
{
    zframe_t *head = zmsg_first(msg);
    if (!head || zframe_size(head) != 6)
        return;
    uint16_t event;
    uint32_t value;
    memcpy(&event, zframe_data(head), sizeof event);
    memcpy(&value, zframe_data(head) + 2, sizeof value);
    log_debug("%s: monitor event 0x%x value 0x%x", self->cond.endpoint, event, value);
    pthread_mutex_lock(&self->mutex);
    s_event(self, event, value);
    pthread_mutex_unlock(&self->mutex);
}

//  The actor: applies the monitor's events until told to end (not on
//  SIGINT or SIGTERM: the owner ends it when it closes the socket).
static void s_actor(zsock_t *pipe, void *arg)
{
    linkwatch_t *self = arg;
    zsock_t *events = zsock_new(ZMQ_PAIR);
    if (!events || zsock_connect(events, "%s", self->monitor) != 0) {
        log_warn("%s: cannot watch the link", self->cond.endpoint);
        zsock_destroy(&events);
    }
    zsock_signal(pipe, 0);
    zpoller_t *poller = zpoller_new(pipe, events, NULL);
    zpoller_set_nonstop(poller, true);
    while (poller) {
        void *which = zpoller_wait(poller, -1);
        zmsg_t *msg = which ? zmsg_recv(which) : NULL;
        if (which == events && msg)
            s_read_event(self, msg);
        char *command = which == pipe && msg ? zmsg_popstr(msg) : NULL;
        bool term = which == pipe && (!command || !strcmp(command, "$TERM"));
        zstr_free(&command);
        zmsg_destroy(&msg);
        if (term)
            break;
    }
    zpoller_destroy(&poller);
    zsock_destroy(&events);
}

//  Copies the facts the explanations use into self.
static void s_about(linkwatch_t *self, const char *endpoint, const linkwatch_about_t *about)
{
    snprintf(self->cond.endpoint, sizeof self->cond.endpoint, "%s", endpoint);
    snprintf(self->peer, sizeof self->peer, "%s", about->peer ? about->peer : "the server");
    snprintf(self->server_flag, sizeof self->server_flag, "%s",
             about->server_flag ? about->server_flag : "the server key");
    snprintf(self->server_pub, sizeof self->server_pub, "%s",
             about->server_pub ? about->server_pub : "");
    const char *key = about->key_file;
    size_t len = key ? strlen(key) : 0;
    if (len > 4 && !strcmp(key + len - 4, ".key"))
        snprintf(self->our_pub, sizeof self->our_pub, "%.*s.pub", (int)(len - 4), key);
    else if (key)
        snprintf(self->our_pub, sizeof self->our_pub, "the public key of %s", key);
}

//  Starts watching sock's link to endpoint. Returns NULL on failure.
linkwatch_t *linkwatch_new(zsock_t *sock, const char *endpoint, const linkwatch_about_t *about)
{
    linkwatch_t *self = calloc(1, sizeof *self);
    if (!self || !sock || !endpoint || !about) {
        free(self);
        return NULL;
    }
    self->sock = sock;
    pthread_mutex_init(&self->mutex, NULL);
    s_about(self, endpoint, about);
    snprintf(self->monitor, sizeof self->monitor, "inproc://fundchain-link-%p", (void *)self);
    if (zmq_socket_monitor(zsock_resolve(sock), self->monitor, LINKWATCH_EVENTS) != 0) {
        log_warn("%s: cannot watch the link: %s", endpoint, zmq_strerror(zmq_errno()));
        pthread_mutex_destroy(&self->mutex);
        free(self);
        return NULL;
    }
    self->actor = zactor_new(s_actor, self); //  Connected to the monitor when it returns.
    if (!self->actor) {
        zmq_socket_monitor(zsock_resolve(sock), NULL, 0);
        pthread_mutex_destroy(&self->mutex);
        free(self);
        return NULL;
    }
    return self;
}

//  Stops the monitor, then the actor, and nulls the pointer.
void linkwatch_destroy(linkwatch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    linkwatch_t *self = *self_p;
    zmq_socket_monitor(zsock_resolve(self->sock), NULL, 0);
    zactor_destroy(&self->actor);
    pthread_mutex_destroy(&self->mutex);
    free(self);
    *self_p = NULL;
}

//  Copies the current condition.
void linkwatch_condition(linkwatch_t *self, linkwatch_condition_t *cond)
{
    pthread_mutex_lock(&self->mutex);
    *cond = self->cond;
    pthread_mutex_unlock(&self->mutex);
}

//  Reconnects a link libzmq gave up on, every LINKWATCH_RETRY_MS.
void linkwatch_tick(linkwatch_t *self)
{
    if (!self)
        return;
    pthread_mutex_lock(&self->mutex);
    bool due = self->gave_up && zclock_mono() - self->attempt >= LINKWATCH_RETRY_MS;
    if (due)
        self->attempt = zclock_mono();
    pthread_mutex_unlock(&self->mutex);
    if (!due)
        return;
    //  The ended session may still be listed: disconnect fails quietly if not.
    zsock_disconnect(self->sock, "%s", self->cond.endpoint);
    if (zsock_connect(self->sock, "%s", self->cond.endpoint) != 0)
        log_warn("%s: cannot reconnect: %s", self->cond.endpoint, zmq_strerror(zmq_errno()));
}

//  Puts the condition's JSON into "meta" inside a write transaction.
static int s_put(store_txn_t *txn, void *arg)
{
    const char *text = arg;
    return store_put(txn, "meta", "link", 4, text, strlen(text));
}

//  Saves the condition when it changed since the last save. 0 or -1.
int linkwatch_save(linkwatch_t *self, store_t *store)
{
    if (!self)
        return 0;
    linkwatch_condition_t cond;
    linkwatch_condition(self, &cond);
    if (cond.serial == self->saved)
        return 0;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "endpoint", cond.endpoint, "state",
                            linkwatch_state_name(cond.state), "text", cond.text, "since",
                            (json_int_t)cond.since, "problem", cond.problem, "problem_at",
                            (json_int_t)cond.problem_at);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    int rc = text ? store_write(store, s_put, text) : -1;
    if (rc == 0)
        self->saved = cond.serial;
    free(text);
    json_decref(doc);
    return rc;
}

//  Copies the stored JSON out of a read transaction.
static int s_get(store_txn_t *txn, void *arg)
{
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "link", 4, &val, &len);
    if (rc == 0) {
        char **copy = arg;
        *copy = strndup(val, len);
        if (!*copy)
            return -1;
    }
    return rc;
}

//  Copies a string member of doc into text (size bytes); "" when absent.
static void s_member(json_t *doc, const char *name, char *text, size_t size)
{
    const char *value = json_string_value(json_object_get(doc, name));
    snprintf(text, size, "%s", value ? value : "");
}

//  Reads the saved condition. Returns 0, 1 when none, or -1.
int linkwatch_load(store_t *store, linkwatch_condition_t *cond)
{
    char *text = NULL;
    int rc = store_read(store, s_get, &text);
    if (rc != 0)
        return rc;
    memset(cond, 0, sizeof *cond);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return -1;
    }
    char state[32];
    s_member(doc, "state", state, sizeof state);
    for (int i = 0; i <= LINKWATCH_PROTOCOL; i++)
        if (!strcmp(state, s_names[i]))
            cond->state = (linkwatch_state_t)i;
    s_member(doc, "endpoint", cond->endpoint, sizeof cond->endpoint);
    s_member(doc, "text", cond->text, sizeof cond->text);
    s_member(doc, "problem", cond->problem, sizeof cond->problem);
    cond->since = json_integer_value(json_object_get(doc, "since"));
    cond->problem_at = json_integer_value(json_object_get(doc, "problem_at"));
    json_decref(doc);
    return 0;
}

//  Writes the time t (seconds since the epoch) as ISO 8601 UTC into text.
static void s_iso(int64_t t, char *text, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(text, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(text, size, "(time unknown)");
}

//  Writes a one-line account of cond for people.
void linkwatch_describe(const linkwatch_condition_t *cond, char *text, size_t size)
{
    char since[32], at[32];
    s_iso(cond->since, since, sizeof since);
    s_iso(cond->problem_at, at, sizeof at);
    bool solved = cond->problem[0] && strcmp(cond->problem, cond->text);
    snprintf(text, size, "link to %s: %s (since %s)%s%s%s%s", cond->endpoint, cond->text, since,
             solved ? "; last problem, at " : "", solved ? at : "", solved ? ": " : "",
             solved ? cond->problem : "");
}

//  Returns cond as a JSON object, or NULL when out of memory.
json_t *linkwatch_json(const linkwatch_condition_t *cond)
{
    char since[32], at[32];
    s_iso(cond->since, since, sizeof since);
    s_iso(cond->problem_at, at, sizeof at);
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "endpoint", cond->endpoint, "state",
                     linkwatch_state_name(cond->state), "message", cond->text, "since", since,
                     "last_problem", cond->problem[0] ? cond->problem : NULL, "last_problem_at",
                     cond->problem[0] ? at : NULL);
}
