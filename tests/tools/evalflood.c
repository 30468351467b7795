/*  evalflood - a city that sends the hub evaluations as fast as the
    acknowledgements return, to measure and profile the hub's ingest.

        evalflood --connect EP [--key FILE --server-pub FILE] [--units 10]
                  [--years 10] [--rounds 3] [--window 2000]

    It generates the evaluations of city 510100 (hubfill: its 市本级 and
    --units counties, 12 months, 4 funds, --years from 2000), then sends
    them --rounds times, each round at the next version (round 1 stores
    new records, the later ones replace them), keeping at most --window
    messages unacknowledged. It prints one line a round:
        round 1: 5280 sent, 5280 acked (0 rejected) in 0.21 s: 25142 acks/s
    Exit code: 0 when every message was acknowledged, 1 otherwise, 2 on
    bad usage.
*/
#include "envelope.h"
#include "evaluation.h"
#include "hubfill.h"
#include "keys.h"
#include "opts.h"
#include "transport.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#define EVALFLOOD_WAIT_MS 10000 //  The longest wait for one acknowledgement.

static const opt_spec_t s_specs[] = {
    {"connect", true, false, "the hub's endpoint"},
    {"key", true, false, "the city's secret key file (CURVE, bound to 510100)"},
    {"server-pub", true, false, "the hub's public key file"},
    {"units", true, false, "counties (default 10)"},
    {"years", true, false, "years from 2000 (default 10)"},
    {"rounds", true, false, "times every evaluation is sent (default 3)"},
    {"window", true, false, "messages in flight at most (default 2000)"},
    {NULL, false, false, NULL}};

typedef struct {
    Fundchain__Evaluation **evals;
    size_t n, cap;
} evals_t;

static int s_keep(Fundchain__Evaluation *eval, void *arg)
{
    evals_t *all = arg;
    if (all->n == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 1024;
        Fundchain__Evaluation **grown = realloc(all->evals, cap * sizeof *grown);
        if (!grown) {
            evaluation_free(eval);
            return -1;
        }
        all->evals = grown;
        all->cap = cap;
    }
    all->evals[all->n++] = eval;
    return 0;
}

//  Packs one evaluation as the city sends it.
static zframe_t *s_frame(Fundchain__Evaluation *eval)
{
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_EVALUATION;
    env.evaluation = eval;
    return envelope_pack(&env);
}

//  Reads the acknowledgements waiting (or waits up to ms for one).
static void s_acks(zsock_t *sock, int ms, long *acked, long *rejected)
{
    zpoller_t *poller = zpoller_new(sock, NULL);
    if (ms && !zpoller_wait(poller, ms)) {
        zpoller_destroy(&poller);
        return;
    }
    zpoller_destroy(&poller);
    while (zsock_events(sock) & ZMQ_POLLIN) {
        zframe_t *frame = zframe_recv(sock);
        char why[128];
        Fundchain__Envelope *env =
            frame ? envelope_unpack(frame, transport_max_msg(), why, sizeof why) : NULL;
        if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK)
            ++*(env->ack->status == FUNDCHAIN__ACK__STATUS__REJECTED ? rejected : acked);
        envelope_destroy(&env);
        zframe_destroy(&frame);
    }
}

//  Sends every evaluation at version; returns 0 when all were acknowledged.
static int s_round(zsock_t *sock, evals_t *all, uint64_t version, long window)
{
    long sent = 0, acked = 0, rejected = 0;
    int64_t start = zclock_usecs();
    while (!zsys_interrupted && acked + rejected < (long)all->n) {
        while (sent < (long)all->n && sent - acked - rejected < window) {
            all->evals[sent]->version = version;
            zframe_t *frame = s_frame(all->evals[sent]);
            if (!frame || zframe_send(&frame, sock, 0) != 0) {
                zframe_destroy(&frame);
                break;
            }
            sent++;
        }
        long before = acked + rejected;
        s_acks(sock, sent - acked - rejected >= window || sent == (long)all->n ? 100 : 0, &acked,
               &rejected);
        if (acked + rejected == before && zclock_usecs() - start > EVALFLOOD_WAIT_MS * 1000LL)
            break;
    }
    double s = (double)(zclock_usecs() - start) / 1e6;
    printf("round %llu: %ld sent, %ld acked (%ld rejected) in %.2f s: %.0f acks/s\n",
           (unsigned long long)version, sent, acked, rejected, s, (double)(acked + rejected) / s);
    return acked == (long)all->n ? 0 : -1;
}

int main(int argc, char **argv)
{
    zsys_init();
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    long units = 10, years = 10, rounds = 3, window = 2000;
    if (!opts || !opts_get(opts, "connect") || opts_number(opts, "units", 1, 99, &units) ||
        opts_number(opts, "years", 1, 100, &years) ||
        opts_number(opts, "rounds", 1, 100000, &rounds) ||
        opts_number(opts, "window", 1, 100000, &window)) {
        fprintf(stderr, "usage: evalflood --connect EP [--key FILE --server-pub FILE] "
                        "[--units N] [--years N] [--rounds N] [--window N]\n");
        opts_destroy(&opts);
        return 2;
    }
    hubfill_spec_t spec;
    hubfill_spec_defaults(&spec);
    spec.cities = 1;
    spec.units = (int)units;
    spec.first_year = 2000;
    spec.years = (int)years;
    evals_t all = {0};
    zcert_t *cert = NULL;
    zsock_t *sock = NULL;
    int rc = hubfill_each(&spec, s_keep, &all);
    if (rc == 0 && opts_get(opts, "key") && !(cert = keys_load_secret(opts_get(opts, "key"))))
        rc = -1;
    if (rc == 0)
        sock = transport_client_new(ZMQ_DEALER, opts_get(opts, "connect"), cert,
                                    opts_get(opts, "server-pub"));
    rc = sock ? 0 : -1;
    for (long r = 1; rc == 0 && r <= rounds; r++)
        rc = s_round(sock, &all, (uint64_t)r, window);
    zsock_destroy(&sock);
    zcert_destroy(&cert);
    for (size_t i = 0; i < all.n; i++)
        evaluation_free(all.evals[i]);
    free(all.evals);
    opts_destroy(&opts);
    return rc == 0 ? 0 : 1;
}
