/*  peers - in-process CURVE peers (DEALER), each under its own allowed key,
    that send real messages (msgs.h) to a receiver as fast as its
    acknowledgements allow, or at a steady rate, and count the answers.

    Workloads: PEERS_REVISIONS, the template report of the peer's unit at a
    new revision each time (as tests/tools/flood.c); PEERS_PERIODS, a new
    (period, fund) each time, the deadline rush; PEERS_EVALS, the peer is a
    city sending a new version of one county's evaluation each time.

    In PEERS_PERIODS the peers start at evenly spaced points of the
    sequence, so that at the receiver too nearly every message is a
    (period, fund) it has not just seen.

    Before the clock starts each peer sends one message and waits for its
    answer (the handshake and the receiver's start are not timed). Each
    peer keeps at most a window of messages unanswered. The run ends when
    the time or the count is up and every answer is in, or 30 s after
    (unanswered messages are then counted as missing).
*/
#ifndef PEERS_H_INCLUDED
#define PEERS_H_INCLUDED

#include "msgs.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { PEERS_REVISIONS, PEERS_PERIODS, PEERS_EVALS } peers_load_t;

typedef struct {
    const char *endpoint;   //  the receiver
    const char *server_pub; //  its public key file
    const char *keys;       //  directory of CODE.key files
    char (*codes)[8];       //  one peer per code (a unit; a city for PEERS_EVALS)
    size_t n;
    peers_load_t load;
    msgs_t *msgs;
    double seconds;          //  send for this long at most
    long max_msgs;           //  and at most this many in all (0: no limit)
    double rate;             //  messages/s in all; 0: as fast as answered
    uint32_t first_revision; //  of the first message (0: 1000)
} peers_cfg_t;

typedef struct {
    long sent, acked, rejected, missing;
    double seconds;      //  from the start of the clock to the last answer
    int64_t last_ack_us; //  when the last answer came (bench_now_us)
    double rate;         //  acked / seconds
    char reason[256];    //  the first rejection's reason
} peers_result_t;

typedef struct _peers_t peers_t;

/* Runs the peers to the end in this thread. Returns 0, or -1 (a key or the
   connection failed, or the warm-up got no answer: message on stderr). */
int peers_run(const peers_cfg_t *cfg, peers_result_t *out);

/* Starts the peers in a thread of their own (a background load, usually
   with a rate, until peers_stop). Returns NULL on failure. */
peers_t *peers_start(const peers_cfg_t *cfg);

/* Stops a background load, waits for its last answers, fills *out and
   nulls the pointer. Returns what peers_run returned. */
int peers_stop(peers_t **self_p, peers_result_t *out);

/* Returns the name of a workload. */
const char *peers_load_name(peers_load_t load);

#endif
