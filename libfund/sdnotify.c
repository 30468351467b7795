/*  sdnotify - tells systemd how a daemon is doing (see sdnotify.h). */
#include "sdnotify.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

struct _sdnotify_t {
    uint64_t watchdog_usec; //  0: no watchdog
    int64_t next_ms;        //  when WATCHDOG=1 is due next (zclock_mono)
};

//  Reads the watchdog's interval.
sdnotify_t *sdnotify_new(void)
{
    sdnotify_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0)
        self->watchdog_usec = usec;
    return self;
}

//  Frees the notifier and nulls the pointer.
void sdnotify_destroy(sdnotify_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

//  Sends state, with STATUS=status when given.
static void s_say(const char *state, const char *status)
{
    if (status)
        sd_notifyf(0, "%s\nSTATUS=%s", state, status);
    else
        sd_notify(0, state);
}

//  Says READY=1.
void sdnotify_ready(sdnotify_t *self, const char *status)
{
    s_say("READY=1", status);
    if (self && self->watchdog_usec) {
        sd_notify(0, "WATCHDOG=1");
        self->next_ms = zclock_mono() + (int64_t)(self->watchdog_usec / 4000);
    }
}

//  Says WATCHDOG=1 when due.
void sdnotify_tick(sdnotify_t *self)
{
    if (!self || !self->watchdog_usec || zclock_mono() < self->next_ms)
        return;
    sd_notify(0, "WATCHDOG=1");
    self->next_ms = zclock_mono() + (int64_t)(self->watchdog_usec / 4000);
}

//  Says STOPPING=1.
void sdnotify_stopping(sdnotify_t *self, const char *status)
{
    (void)self;
    s_say("STOPPING=1", status);
}

//  Returns the watchdog's interval.
uint64_t sdnotify_watchdog_usec(sdnotify_t *self)
{
    return self ? self->watchdog_usec : 0;
}
