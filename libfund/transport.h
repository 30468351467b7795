/*  transport - CZMQ sockets secured with CURVE, authenticated by ZAP.

    A server (ROUTER, or PUB) never runs without its ZAP handler: a zauth
    actor configured with an allow directory of public-key files, whose
    metadata binds each key to a 6-digit code. The receiver reads a peer's
    code from the authenticated connection (frame metadata "code"), never
    from the payload. --insecure (plain text) is refused unless every
    endpoint is loopback or ipc.

    One process has one ZAP handler (libzmq allows one per context): all
    CURVE servers of a process must share one allow directory, and a
    plain-text ROUTER is refused while CURVE servers run (and the other way
    round); a plain-text PUB on loopback may run beside CURVE servers.
    Files of the allow directory without a valid 6-digit code are ignored
    with a warning. A SUB client must still subscribe (zsock_set_subscribe).
    Every server logs the handshakes it refuses (a key not allowed, plain
    text on a CURVE endpoint, bytes that are not ZMTP) with their reason;
    a client made by transport_client_watched logs why its own fail.
*/
#ifndef TRANSPORT_H_INCLUDED
#define TRANSPORT_H_INCLUDED

#include "linkwatch.h"
#include "metrics.h"
#include <czmq.h>
#include <stdbool.h>

#define TRANSPORT_MAX_MSG (4 * 1024 * 1024) /* the largest message limit */
#define TRANSPORT_MIN_MSG 1024              /* the smallest FUNDCHAIN_MAX_MSG */
/* libzmq compares ZMQ_MAXMSGSIZE with the frame on the wire, which CURVE
   makes 33 bytes longer than the message: every socket's ZMQ_MAXMSGSIZE is
   transport_max_msg () + TRANSPORT_WIRE_SLACK, so that a message of the
   limit always passes, and a slightly larger one reaches the receiver's
   explicit check, which logs it. */
#define TRANSPORT_WIRE_SLACK 64

typedef struct _transport_server_t transport_server_t;

/* Returns the largest message (bytes) this process sends or accepts: the
   ZMQ_MAXMSGSIZE of every socket and the explicit check of senders and
   receivers. TRANSPORT_MAX_MSG, or the environment variable FUNDCHAIN_MAX_MSG
   when it is a number from TRANSPORT_MIN_MSG to TRANSPORT_MAX_MSG (tests use
   it to lower the limit); another value is ignored with a warning. */
size_t transport_max_msg(void);

/* Returns true when the endpoint is tcp://127.x.x.x, tcp://[::1], tcp://localhost or ipc://. */
bool transport_is_loopback(const char *endpoint);

/* Binds a server socket of type (ZMQ_ROUTER or ZMQ_PUB) on endpoint. With a
   cert, it is a CURVE server whose ZAP handler accepts only keys in
   allow_dir. With cert NULL it is plain text, refused (NULL) unless the
   endpoint is loopback. Returns NULL with a message on stderr on failure. */
transport_server_t *transport_server_new(int type, const char *endpoint, zcert_t *cert,
                                         const char *allow_dir);

/* Stops the ZAP handler, closes the socket and nulls the pointer. */
void transport_server_destroy(transport_server_t **self_p);

/* Returns the server's socket, for zpoller/zloop and sending. */
zsock_t *transport_server_sock(transport_server_t *self);

/* Counts, from now on, every server's refused handshakes by reason
   (METRICS_HANDSHAKES: not_allowed, protocol, no_detail) and the peers
   connected to the servers of this process (METRICS_PEERS); NULL stops.
   Process-wide, as the ZAP handler is. Never fails. */
void transport_set_metrics(metrics_t *metrics);

/* Re-reads the allow directory (new or removed keys, each logged: a removed
   key is refused from its next message on, see transport_peer_code).
   Returns 0, or -1 (logged) when it cannot be read: the keys read before
   stay accepted. A plain-text server has nothing to reload: 0. */
int transport_server_reload(transport_server_t *self);

/* Connects a client socket of type (ZMQ_DEALER or ZMQ_SUB) to endpoint as a
   CURVE client with cert, trusting the server key in server_pub_file. With
   cert NULL it is plain text (loopback only). Returns NULL with a message on
   stderr on failure. */
zsock_t *transport_client_new(int type, const char *endpoint, zcert_t *cert,
                              const char *server_pub_file);

/* Connects a client as transport_client_new does, watched from before it
   connects by a linkwatch (see linkwatch.h) that logs why its handshakes
   fail, described by about; *watch_p gets the watcher, NULL when the socket
   cannot be watched (the socket works all the same). Destroy the watcher
   (linkwatch_destroy) before the socket. Returns NULL with a message on
   stderr on failure, and *watch_p is then NULL. */
zsock_t *transport_client_watched(int type, const char *endpoint, zcert_t *cert,
                                  const char *server_pub_file, const linkwatch_about_t *about,
                                  linkwatch_t **watch_p);

/* Returns the authenticated code of the peer that sent frame (ZAP metadata
   "code"), or NULL when the connection carries none. Only for content
   frames received on a transport server socket (not the ROUTER routing
   frame): a plain-text connection always gives NULL, and so does a key
   removed from the allow directory by transport_server_reload. The string
   lives as long as the frame. */
const char *transport_peer_code(zframe_t *frame);

#endif
