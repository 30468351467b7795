/*  linkwatch - watches a client's link to its server and explains its failures.

    libzmq fails a client silently: a key the server's allow directory
    lacks, a wrong server public key, plain text against CURVE (or the
    other way round), or nothing listening all leave the client waiting,
    with its messages queued, and no word said. A linkwatch reads the
    client socket's monitor events (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
    _PROTOCOL, _NO_DETAIL, HANDSHAKE_SUCCEEDED, CONNECTED, CONNECT_RETRIED,
    DISCONNECTED) in an actor, turns them into the link's condition, and
    logs each change of condition once, naming the endpoint and what to
    check ("the city refused our key: is keys/510402.pub in the city's
    allow directory?"), however often libzmq retries.

    libzmq does not reconnect after a refused key or a mechanism mismatch;
    linkwatch_tick reconnects such a link every LINKWATCH_RETRY_MS, so that
    a client recovers once the server's operator fixes the cause.

    The condition can be saved in a store (database "meta", key "link") by
    the daemon and read back by a status command.
*/
#ifndef LINKWATCH_H_INCLUDED
#define LINKWATCH_H_INCLUDED

#include "store.h"
#include <czmq.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define LINKWATCH_RETRY_MS 15000 /* reconnects after a failure libzmq gives up on */
#define LINKWATCH_TEXT_MAX 1024

typedef struct _linkwatch_t linkwatch_t;

/* The conditions of a link. */
typedef enum {
    LINKWATCH_UNKNOWN,     /* no attempt has finished yet */
    LINKWATCH_UP,          /* the handshake succeeded */
    LINKWATCH_DOWN,        /* the connection was lost; libzmq reconnects */
    LINKWATCH_UNREACHABLE, /* nothing accepts connections at the endpoint */
    LINKWATCH_REFUSED,     /* the server's ZAP handler refused our key */
    LINKWATCH_MISMATCH,    /* one end runs CURVE, the other plain text */
    LINKWATCH_SERVER_KEY,  /* the CURVE handshake broke: a wrong server key */
    LINKWATCH_PROTOCOL     /* the peer does not speak ZMTP as expected */
} linkwatch_state_t;

/* Who the server is, for the explanations. */
typedef struct {
    const char *peer;        /* the server, e.g. "the city", "the hub" */
    const char *key_file;    /* our secret key file (NAME.key); NULL for plain text */
    const char *server_flag; /* the flag naming the server's key, e.g. "--city-pub" */
    const char *server_pub;  /* the server's public key file given */
} linkwatch_about_t;

/* A link's condition, as linkwatch_condition returns and the store keeps it. */
typedef struct {
    linkwatch_state_t state;
    int64_t since; /* when the condition began (seconds since the epoch) */
    char endpoint[256];
    char text[LINKWATCH_TEXT_MAX];    /* what the condition means and what to check */
    char problem[LINKWATCH_TEXT_MAX]; /* the last problem (kept once solved), "" none */
    int64_t problem_at;               /* when it began, 0 none */
    uint64_t serial;                  /* counts the changes of condition */
} linkwatch_condition_t;

/* Starts watching sock (a client socket not yet connected) for its link to
   endpoint. Call before zsock_connect, so that no event is missed. Returns
   NULL with a warning in the log when the socket cannot be monitored. */
linkwatch_t *linkwatch_new(zsock_t *sock, const char *endpoint, const linkwatch_about_t *about);

/* Stops watching and nulls the pointer; safe on NULL. Called by the thread
   that owns the socket, before the socket is destroyed. */
void linkwatch_destroy(linkwatch_t **self_p);

/* Copies the link's current condition into cond. */
void linkwatch_condition(linkwatch_t *self, linkwatch_condition_t *cond);

/* Reconnects a link that libzmq gave up on (a refused key, a mechanism
   mismatch, a protocol error) once LINKWATCH_RETRY_MS have passed since its
   last attempt. Called by the socket's owner from its loop; never fails. */
void linkwatch_tick(linkwatch_t *self);

/* Returns true for the conditions of a handshake that failed (a key
   refused, a mechanism mismatch, a wrong server key, a protocol error). */
bool linkwatch_is_handshake_failure(linkwatch_state_t state);

/* Returns the condition's name: unknown, connected, disconnected,
   unreachable, key_refused, security_mismatch, server_key_mismatch or
   protocol_error. */
const char *linkwatch_state_name(linkwatch_state_t state);

/* Saves the condition in store (database "meta", key "link") when it
   changed since the last save (self NULL: nothing). Returns 0, or -1 (see store_error; the next
   call tries again). */
int linkwatch_save(linkwatch_t *self, store_t *store);

/* Reads the condition a daemon saved in store into cond. Returns 0, 1 when
   none was saved, or -1 when it cannot be read. */
int linkwatch_load(store_t *store, linkwatch_condition_t *cond);

/* Writes a one-line account of cond for people: the endpoint, what the
   condition means and since when, and the last problem when it is solved. */
void linkwatch_describe(const linkwatch_condition_t *cond, char *text, size_t size);

/* Returns cond as a JSON object {"endpoint", "state", "message", "since"
   (ISO 8601 UTC), "last_problem", "last_problem_at"} (the last two null
   when there was none), or NULL when out of memory. */
json_t *linkwatch_json(const linkwatch_condition_t *cond);

#endif
