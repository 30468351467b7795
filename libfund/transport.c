/*  transport - CZMQ sockets secured with CURVE, authenticated by ZAP.

    libzmq has one ZAP endpoint per context and CZMQ one context per
    process, so a process runs at most one zauth actor: the CURVE servers of
    a process share it, and therefore share one allow directory (a second
    server with another allow directory is refused). zauth loads a checked
    copy of that directory (see allowdir) and hands each certificate's
    metadata, our "code", to libzmq as ZAP metadata, with the client's
    public key as User-Id.

    A peer can also send metadata properties of its own in the handshake;
    libzmq keeps the ZAP handler's value when both name the same property,
    but a plain-text peer has no ZAP handler in between. So
    transport_peer_code accepts a code only while CURVE servers run, only
    when the frame's User-Id is a key of this process's own allow table,
    and only when that key's code is the code the frame carries; and a
    plain-text receiver (ROUTER) never runs beside CURVE servers. A
    plain-text feed (PUB) on loopback may: it receives no payload.

    libzmq refuses peers silently: a key that ZAP denies, a plain-text
    client on a CURVE endpoint, bytes that are not ZMTP. So every server
    has a watcher, an actor reading the socket's monitor events, that logs
    each failed handshake with its reason, and each disconnection (the only
    trace libzmq leaves of a message over ZMQ_MAXMSGSIZE): at most
    WATCH_BURST lines of each kind in WATCH_WINDOW_MS (the next one tells
    how many were left out), so that a peer retrying every 100 ms cannot
    flood the log.
*/
#include "transport.h"
#include "allowdir.h"
#include "keys.h"
#include "linkwatch.h"
#include "log.h"
#include "metrics.h"
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93 //  libzmq 4.3 has it, its header only in the draft API.
#endif

#define TRANSPORT_ZAP_DOMAIN "fundchain"
#define TRANSPORT_CLIENT_LINGER 100
#define WATCH_WINDOW_MS 60000 //  Each kind of event is logged at most
#define WATCH_BURST 5         //  WATCH_BURST times in WATCH_WINDOW_MS.

struct _transport_server_t {
    zsock_t *sock;
    zactor_t *watch; //  Logs the refused and lost connections of sock.
    bool curve;
    bool receiver; //  A ROUTER: its frames' peer codes are asked for.
};

//  The process-wide ZAP state, shared by every CURVE server.
static pthread_mutex_t s_mutex = PTHREAD_MUTEX_INITIALIZER;
static zactor_t *s_auth;      //  The zauth actor.
static allowdir_t *s_allow;   //  The checked allow table zauth loaded.
static char *s_allow_path;    //  The allow directory, resolved.
static int s_curve_servers;   //  CURVE servers alive.
static int s_plain_receivers; //  Plain-text ROUTER servers alive.

//  The message size limit, read once from the environment.
static pthread_once_t s_max_msg_once = PTHREAD_ONCE_INIT;
static size_t s_max_msg = TRANSPORT_MAX_MSG;

//  Reads FUNDCHAIN_MAX_MSG into s_max_msg; warns about a bad value.
static void s_max_msg_read(void)
{
    const char *text = getenv("FUNDCHAIN_MAX_MSG");
    if (!text || !*text)
        return;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno || value < TRANSPORT_MIN_MSG ||
        value > TRANSPORT_MAX_MSG)
        log_warn("transport: FUNDCHAIN_MAX_MSG=%s ignored: not a number of bytes from %d to %d",
                 text, TRANSPORT_MIN_MSG, TRANSPORT_MAX_MSG);
    else
        s_max_msg = (size_t)value;
}

//  Returns the largest message this process sends or accepts.
size_t transport_max_msg(void)
{
    pthread_once(&s_max_msg_once, s_max_msg_read);
    return s_max_msg;
}

//  The events the watcher logs.
#define WATCH_EVENTS                                                                               \
    (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                       \
     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED |                               \
     ZMQ_EVENT_HANDSHAKE_SUCCEEDED)

//  What the watchers count into the metrics (transport_set_metrics): the
//  refused handshakes by reason, and the connected peers, which is the
//  handshakes that succeeded less the disconnections of those (libzmq
//  reports a disconnection after every failed handshake too).
static metrics_t *_Atomic s_metrics;
static _Atomic long s_peers;

//  One kind of connection event as the watcher logs it.
typedef struct {
    int event; //  ZMQ_EVENT_*
    log_level_t level;
    int64_t window;  //  When its window began (zclock_mono), 0 none yet.
    unsigned logged; //  How many were logged in the window.
    unsigned quiet;  //  How many were left out since the last one logged.
} s_watch_kind_t;

//  Describes a ZMQ_PROTOCOL_ERROR_* value of a failed handshake.
static const char *s_protocol_error(uint32_t code)
{
    if (code == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        return "a peer without CURVE (plain text or another mechanism)";
    if (code == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        return "a CURVE handshake that does not decrypt (wrong server key or forged traffic)";
    if (code >= ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED && code < ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED)
        return "a peer the ZAP handler gave no valid answer for";
    return "a peer that does not speak ZMTP correctly (garbage or a broken client)";
}

//  Writes what happened, from the event and its value, into text.
static void s_watch_reason(int event, uint32_t value, char *text, size_t size)
{
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        snprintf(text, size, "refused a key that is not in the allow directory (ZAP status %u)",
                 value);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        snprintf(text, size, "dropped %s (protocol error 0x%x)", s_protocol_error(value), value);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        snprintf(text, size,
                 "dropped a connection that ended before its handshake completed (%s): "
                 "garbage, a port scan or a client that gave up",
                 strerror((int)value));
    else //  libzmq says no more, and drops an oversize message this way too.
        snprintf(text, size,
                 "a peer disconnected: it closed the connection, or sent a message larger "
                 "than %zu bytes",
                 transport_max_msg() + TRANSPORT_WIRE_SLACK);
}

//  Logs one event, unless WATCH_BURST of its kind were logged in its
//  window already.
static void s_watch_log(s_watch_kind_t *kind, uint32_t value, const char *endpoint)
{
    int64_t now = zclock_mono();
    if (!kind->window || now - kind->window >= WATCH_WINDOW_MS) {
        kind->window = now;
        kind->logged = 0;
    }
    if (kind->logged >= WATCH_BURST) {
        kind->quiet++;
        return;
    }
    char reason[256];
    s_watch_reason(kind->event, value, reason, sizeof reason);
    if (kind->quiet)
        log_msg(kind->level, "transport: %s: %s (and %u more like it before)", endpoint, reason,
                kind->quiet);
    else
        log_msg(kind->level, "transport: %s: %s", endpoint, reason);
    kind->logged++;
    kind->quiet = 0;
}

//  Counts one event into the metrics.
static void s_watch_count(int event)
{
    metrics_t *metrics = atomic_load(&s_metrics);
    const char *reason = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH        ? "not_allowed"
                         : event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL  ? "protocol"
                         : event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ? "no_detail"
                                                                         : NULL;
    long peers;
    if (reason) {
        metrics_add(metrics, METRICS_HANDSHAKES, (const char *[]){reason}, 1);
        peers = atomic_fetch_add(&s_peers, 1) + 1; //  its disconnection follows
    } else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
        peers = atomic_fetch_add(&s_peers, 1) + 1;
    else
        peers = atomic_fetch_sub(&s_peers, 1) - 1;
    metrics_set(metrics, METRICS_PEERS, NULL, peers > 0 ? (double)peers : 0);
}

//  Reads one monitor event (libzmq: a frame of the 16-bit event and the
//  32-bit value, a frame of the endpoint), counts it and logs it.
static void s_watch_event(zmsg_t *msg, s_watch_kind_t *kinds, size_t n_kinds)
{
    zframe_t *head = zmsg_first(msg);
    char *endpoint = zmsg_size(msg) == 2 ? zframe_strdup(zmsg_last(msg)) : NULL;
    if (head && endpoint && zframe_size(head) == 6) {
        uint16_t event;
        uint32_t value;
        memcpy(&event, zframe_data(head), sizeof event);
        memcpy(&value, zframe_data(head) + 2, sizeof value);
        s_watch_count(event);
        for (size_t i = 0; i < n_kinds; i++)
            if (kinds[i].event == event)
                s_watch_log(&kinds[i], value, endpoint);
    }
    zstr_free(&endpoint);
}

//  The watcher actor of a server socket: reads the socket's monitor events
//  at the inproc endpoint given, and logs them until told to end (not on
//  SIGINT or SIGTERM: the daemon ends it when it closes the socket).
static void s_watch(zsock_t *pipe, void *endpoint)
{
    zsock_t *events = zsock_new(ZMQ_PAIR);
    if (!events || zsock_connect(events, "%s", (const char *)endpoint) != 0) {
        log_warn("transport: cannot watch the connections of a server socket");
        zsock_destroy(&events);
    }
    zsock_signal(pipe, 0);
    s_watch_kind_t kinds[] = {{ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, LOGL_WARN, 0, 0, 0},
                              {ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, LOGL_WARN, 0, 0, 0},
                              {ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, LOGL_WARN, 0, 0, 0},
                              {ZMQ_EVENT_DISCONNECTED, LOGL_INFO, 0, 0, 0}};
    zpoller_t *poller = zpoller_new(pipe, events, NULL);
    zpoller_set_nonstop(poller, true);
    while (poller) {
        void *which = zpoller_wait(poller, -1);
        zmsg_t *msg = which ? zmsg_recv(which) : NULL;
        if (which == events && msg)
            s_watch_event(msg, kinds, sizeof kinds / sizeof kinds[0]);
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

//  Starts monitoring sock and its watcher. Called by the thread that owns
//  sock, as s_watch_stop is: libzmq sockets are not thread-safe (CZMQ's
//  zmonitor stops the monitor from its own thread, and on SIGTERM, while
//  the daemon still uses the socket). Returns the watcher, or NULL.
static zactor_t *s_watch_start(zsock_t *sock)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://fundchain-watch-%p", (void *)sock);
    if (zmq_socket_monitor(zsock_resolve(sock), endpoint, WATCH_EVENTS) != 0) {
        log_warn("transport: cannot monitor a server socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    zactor_t *watch = zactor_new(s_watch, endpoint); //  Connected when it returns.
    if (!watch)
        zmq_socket_monitor(zsock_resolve(sock), NULL, 0);
    return watch;
}

//  Stops the monitor of sock, then its watcher, from the owner thread. In
//  this order: libzmq's I/O threads send events to the watcher with a
//  blocking send, holding the lock that stopping the monitor takes, so
//  the watcher must read until the monitor is stopped.
static void s_watch_stop(zactor_t **watch_p, zsock_t *sock)
{
    if (!*watch_p)
        return;
    zmq_socket_monitor(zsock_resolve(sock), NULL, 0);
    zactor_destroy(watch_p);
}

//  Returns true when text is a port: digits or "*".
static bool s_is_port(const char *text)
{
    if (!strcmp(text, "*"))
        return true;
    size_t len = strlen(text);
    return len > 0 && len <= 5 && strspn(text, "0123456789") == len;
}

//  Returns true when host (len bytes) is localhost or an IPv4 address in 127/8.
static bool s_is_loopback_host(const char *host, size_t len)
{
    char text[INET_ADDRSTRLEN];
    struct in_addr addr;
    if (len == strlen("localhost") && !memcmp(host, "localhost", len))
        return true;
    if (len == 0 || len >= sizeof text)
        return false;
    memcpy(text, host, len);
    text[len] = 0;
    return inet_pton(AF_INET, text, &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

//  Returns true when the endpoint is loopback tcp or ipc.
bool transport_is_loopback(const char *endpoint)
{
    if (!endpoint)
        return false;
    if (!strncmp(endpoint, "ipc://", 6))
        return endpoint[6] != 0;
    if (strncmp(endpoint, "tcp://", 6) != 0)
        return false;
    const char *rest = endpoint + 6;
    if (strchr(rest, ';'))
        return false; //  A source address: not a plain loopback endpoint.
    if (!strncmp(rest, "[::1]:", 6))
        return s_is_port(rest + 6);
    const char *colon = strrchr(rest, ':');
    return colon && s_is_port(colon + 1) && s_is_loopback_host(rest, (size_t)(colon - rest));
}

//  Returns true when a certificate holds a secret key (not all zeros).
static bool s_has_secret(zcert_t *cert)
{
    static const byte zeros[32] = {0};
    return memcmp(zcert_secret_key(cert), zeros, sizeof zeros) != 0;
}

//  Loads the checked copy of the allow table into zauth, then removes it.
static void s_auth_configure(void)
{
    zstr_sendx(s_auth, "CURVE", allowdir_staged(s_allow), NULL);
    zsock_wait(s_auth);
    //  zauth has loaded the certificates and keeps them when the directory
    //  is gone (its disk loader only reloads a directory it can read).
    allowdir_unstage(s_allow);
}

//  Registers a CURVE server on the allow directory, starting zauth for the
//  first one. Called with the mutex held. Returns 0 or -1.
static int s_auth_acquire(const char *allow_dir)
{
    char *resolved = allow_dir ? realpath(allow_dir, NULL) : NULL;
    if (!resolved) {
        log_error("transport: allow directory %s: %s", allow_dir ? allow_dir : "(none)",
                  allow_dir ? strerror(errno) : "not given");
        return -1;
    }
    if (s_curve_servers > 0) {
        bool same = !strcmp(resolved, s_allow_path);
        if (!same)
            log_error("transport: %s: this process already serves with allow directory %s",
                      resolved, s_allow_path);
        free(resolved);
        s_curve_servers += same;
        return same ? 0 : -1;
    }
    s_allow = allowdir_new(resolved);
    s_auth = s_allow ? zactor_new(zauth, NULL) : NULL;
    if (!s_auth) {
        log_error("transport: cannot start the ZAP handler for %s", resolved);
        allowdir_destroy(&s_allow);
        free(resolved);
        return -1;
    }
    s_auth_configure();
    s_allow_path = resolved;
    s_curve_servers = 1;
    return 0;
}

//  Unregisters a CURVE server; the last one stops zauth. Mutex held.
static void s_auth_release(void)
{
    if (s_curve_servers <= 0 || --s_curve_servers > 0)
        return;
    zactor_destroy(&s_auth);
    allowdir_destroy(&s_allow);
    free(s_allow_path);
    s_allow_path = NULL;
}

//  Registers a server. A plain-text receiver (ROUTER) and a CURVE server
//  never run together in one process; a plain-text feed (PUB) receives no
//  payload and may run beside anything. Returns 0 or -1.
static int s_register(bool curve, bool receiver, const char *allow_dir)
{
    pthread_mutex_lock(&s_mutex);
    int rc = -1;
    if (curve ? s_plain_receivers > 0 : receiver && s_curve_servers > 0)
        log_error("transport: a plain-text receiver and CURVE servers cannot run in one process");
    else if (curve)
        rc = s_auth_acquire(allow_dir);
    else {
        s_plain_receivers += receiver;
        rc = 0;
    }
    pthread_mutex_unlock(&s_mutex);
    return rc;
}

//  Unregisters a server.
static void s_unregister(bool curve, bool receiver)
{
    pthread_mutex_lock(&s_mutex);
    if (curve)
        s_auth_release();
    else if (receiver && s_plain_receivers > 0)
        s_plain_receivers--;
    pthread_mutex_unlock(&s_mutex);
}

//  Makes sock a CURVE server with cert whose connections all pass ZAP.
static void s_make_curve_server(zsock_t *sock, zcert_t *cert)
{
    zsock_set_zap_domain(sock, TRANSPORT_ZAP_DOMAIN);
    zcert_apply(cert, sock);
    zsock_set_curve_server(sock, 1);
    int enforce = 1;
    if (zmq_setsockopt(zsock_resolve(sock), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce))
        log_warn("transport: this libzmq cannot enforce ZAP: %s", zmq_strerror(zmq_errno()));
}

//  Creates, secures, watches and binds the socket of a server into self.
//  Returns 0, or -1 (and self holds nothing).
static int s_server_sock(transport_server_t *self, int type, const char *endpoint, zcert_t *cert)
{
    self->sock = zsock_new(type);
    if (!self->sock) {
        log_error("transport: cannot create a socket");
        return -1;
    }
    if (cert)
        s_make_curve_server(self->sock, cert);
    zsock_set_maxmsgsize(self->sock, (int)(transport_max_msg() + TRANSPORT_WIRE_SLACK));
    //  Watched before it binds, so that no refused peer goes unlogged.
    self->watch = s_watch_start(self->sock);
    if (zsock_bind(self->sock, "%s", endpoint) >= 0)
        return 0;
    log_error("transport: cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
    s_watch_stop(&self->watch, self->sock);
    zsock_destroy(&self->sock);
    return -1;
}

//  Checks the arguments of a new socket. Returns 0 or -1 with a message.
static int s_check(const char *endpoint, zcert_t *cert, bool type_ok)
{
    if (!endpoint || !*endpoint)
        log_error("transport: no endpoint given");
    else if (!type_ok)
        log_error("transport: %s: unsupported socket type", endpoint);
    else if (!cert && !transport_is_loopback(endpoint))
        log_error("transport: %s: plain text (--insecure) is only allowed on loopback or ipc "
                  "endpoints",
                  endpoint);
    else if (cert && !s_has_secret(cert))
        log_error("transport: %s: the certificate has no secret key", endpoint);
    else
        return 0;
    return -1;
}

//  Binds a CURVE (or loopback plain-text) server. Returns NULL on failure.
transport_server_t *transport_server_new(int type, const char *endpoint, zcert_t *cert,
                                         const char *allow_dir)
{
    if (s_check(endpoint, cert, type == ZMQ_ROUTER || type == ZMQ_PUB) != 0)
        return NULL;
    if (s_register(cert != NULL, type == ZMQ_ROUTER, allow_dir) != 0)
        return NULL;
    transport_server_t *self = (transport_server_t *)zmalloc(sizeof(transport_server_t));
    if (self) {
        self->curve = cert != NULL;
        self->receiver = type == ZMQ_ROUTER;
    }
    if (!self || s_server_sock(self, type, endpoint, cert) != 0) {
        s_unregister(cert != NULL, type == ZMQ_ROUTER);
        free(self);
        return NULL;
    }
    return self;
}

//  Closes the socket, stops the ZAP handler if last, nulls the pointer.
void transport_server_destroy(transport_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    transport_server_t *self = *self_p;
    s_watch_stop(&self->watch, self->sock);
    zsock_destroy(&self->sock);
    s_unregister(self->curve, self->receiver);
    free(self);
    *self_p = NULL;
}

//  Returns the server's socket.
zsock_t *transport_server_sock(transport_server_t *self)
{
    return self ? self->sock : NULL;
}

//  Counts refused handshakes and connected peers into metrics.
void transport_set_metrics(metrics_t *metrics)
{
    atomic_store(&s_metrics, metrics);
    metrics_set(metrics, METRICS_PEERS, NULL, 0);
}

//  Re-reads the allow directory and logs what changed; keeps the old table
//  on failure (logged). 0 or -1.
int transport_server_reload(transport_server_t *self)
{
    if (!self)
        return -1;
    if (!self->curve)
        return 0;
    pthread_mutex_lock(&s_mutex);
    allowdir_t *fresh = s_allow_path ? allowdir_new(s_allow_path) : NULL;
    if (fresh) {
        allowdir_t *old = s_allow;
        s_allow = fresh;
        s_auth_configure();
        log_info("transport: allow directory %s read again", s_allow_path);
        allowdir_log_changes(old, fresh);
        allowdir_destroy(&old);
    } else if (s_allow_path)
        log_error("transport: the allow directory %s cannot be read again: the %zu keys read "
                  "before are still accepted",
                  s_allow_path, allowdir_size(s_allow));
    pthread_mutex_unlock(&s_mutex);
    return fresh ? 0 : -1;
}

//  Connects a CURVE (or loopback plain-text) client, watched by a linkwatch
//  from before it connects when watch_p is given. Returns NULL on failure.
static zsock_t *s_client_new(int type, const char *endpoint, zcert_t *cert,
                             const char *server_pub_file, const linkwatch_about_t *about,
                             linkwatch_t **watch_p)
{
    if (s_check(endpoint, cert, type == ZMQ_DEALER || type == ZMQ_SUB) != 0)
        return NULL;
    zcert_t *server = cert ? keys_load_public(server_pub_file) : NULL;
    if (cert && !server) {
        log_error("transport: %s: cannot use the server key %s", endpoint,
                  server_pub_file ? server_pub_file : "(none)");
        return NULL;
    }
    zsock_t *sock = zsock_new(type);
    if (sock && cert) {
        zcert_apply(cert, sock);
        zsock_set_curve_serverkey(sock, zcert_public_txt(server));
    }
    zcert_destroy(&server);
    if (!sock) {
        log_error("transport: cannot create a socket");
        return NULL;
    }
    zsock_set_maxmsgsize(sock, (int)(transport_max_msg() + TRANSPORT_WIRE_SLACK));
    zsock_set_linger(sock, TRANSPORT_CLIENT_LINGER);
    if (watch_p)
        *watch_p = linkwatch_new(sock, endpoint, about);
    if (zsock_connect(sock, "%s", endpoint) != 0) {
        log_error("transport: cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
        if (watch_p)
            linkwatch_destroy(watch_p);
        zsock_destroy(&sock);
    }
    return sock;
}

//  Connects a CURVE (or loopback plain-text) client. Returns NULL on failure.
zsock_t *transport_client_new(int type, const char *endpoint, zcert_t *cert,
                              const char *server_pub_file)
{
    return s_client_new(type, endpoint, cert, server_pub_file, NULL, NULL);
}

//  Connects a client whose link a linkwatch watches. Returns NULL on failure.
zsock_t *transport_client_watched(int type, const char *endpoint, zcert_t *cert,
                                  const char *server_pub_file, const linkwatch_about_t *about,
                                  linkwatch_t **watch_p)
{
    *watch_p = NULL;
    return s_client_new(type, endpoint, cert, server_pub_file, about, watch_p);
}

//  Returns the authenticated code of the peer that sent frame, or NULL.
const char *transport_peer_code(zframe_t *frame)
{
    if (!frame)
        return NULL;
    const char *user = zframe_meta(frame, "User-Id");
    const char *code = zframe_meta(frame, "code");
    pthread_mutex_lock(&s_mutex);
    const char *bound = s_curve_servers > 0 ? allowdir_code(s_allow, user) : NULL;
    bool ok = bound && code && !strcmp(bound, code);
    pthread_mutex_unlock(&s_mutex);
    return ok ? code : NULL;
}
