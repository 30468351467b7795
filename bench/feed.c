/*  feed - the city's feed read in a thread (see feed.h). The thread only
    counts and timestamps; the two figures are atomics read by the main
    thread. A subscriber that cannot connect is NULL.
*/
#include "feed.h"
#include "bench.h"
#include "transport.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

struct _feed_t {
    zactor_t *actor;
    char *endpoint;
    _Atomic int64_t last_us;
    _Atomic long events;
    bool ready;
};

//  The thread: receives events until $TERM.
static void s_actor(zsock_t *pipe, void *arg)
{
    feed_t *self = arg;
    zsock_t *sub = transport_client_new(ZMQ_SUB, self->endpoint, NULL, NULL);
    if (sub)
        zsock_set_subscribe(sub, "");
    self->ready = sub != NULL;
    zsock_signal(pipe, 0);
    zpoller_t *poller = sub ? zpoller_new(pipe, sub, NULL) : NULL;
    while (poller) {
        void *which = zpoller_wait(poller, -1);
        if (which != sub)
            break;
        zmsg_t *msg = zmsg_recv(sub);
        if (msg) {
            atomic_store(&self->last_us, bench_now_us());
            atomic_fetch_add(&self->events, 1);
        }
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    zsock_destroy(&sub);
}

feed_t *feed_new(const char *endpoint)
{
    feed_t *self = calloc(1, sizeof(feed_t));
    if (!self || !(self->endpoint = strdup(endpoint))) {
        free(self);
        return NULL;
    }
    self->actor = zactor_new(s_actor, self);
    if (!self->actor || !self->ready) {
        feed_destroy(&self);
        return NULL;
    }
    bench_sleep_ms(200); //  the subscription reaches the city
    return self;
}

void feed_destroy(feed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    feed_t *self = *self_p;
    zactor_destroy(&self->actor);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

double feed_lag(feed_t *self, int64_t since_us, int quiet_ms, int max_ms)
{
    int64_t end = bench_now_us() + (int64_t)max_ms * 1000;
    while (bench_now_us() < end) {
        int64_t last = atomic_load(&self->last_us);
        if (bench_now_us() - (last > since_us ? last : since_us) > (int64_t)quiet_ms * 1000)
            break;
        bench_sleep_ms(20);
    }
    int64_t last = atomic_load(&self->last_us);
    if (last == 0)
        return NAN;
    return last > since_us ? (double)(last - since_us) / 1e6 : 0;
}

long feed_events(feed_t *self)
{
    return atomic_load(&self->events);
}
