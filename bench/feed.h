/*  feed - a subscriber to a city's live feed (plain text on loopback) in a
    thread of its own, so that the feed is read while the load runs and
    never backs up: it counts the evaluation events and remembers when the
    last one came, for the evaluation lag.
*/
#ifndef FEED_H_INCLUDED
#define FEED_H_INCLUDED

#include <stdint.h>

typedef struct _feed_t feed_t;

/* Subscribes to every event of the feed at endpoint. Returns NULL on failure. */
feed_t *feed_new(const char *endpoint);

/* Stops the subscriber and nulls the pointer; safe on NULL. */
void feed_destroy(feed_t **self_p);

/* Waits until no event has come for quiet_ms (at most max_ms), then
   returns the seconds from since_us (bench_now_us) to the last event,
   0 when it came before, or NAN when none came after since_us. */
double feed_lag(feed_t *self, int64_t since_us, int quiet_ms, int max_ms);

/* Returns the number of events received so far. */
long feed_events(feed_t *self);

#endif
