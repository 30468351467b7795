/*  sdnotify - tells systemd how a daemon is doing (Type=notify services).

    A daemon says READY=1 once its sockets are bound and its store is open,
    WATCHDOG=1 from its run loop at least twice per WATCHDOG_USEC when the
    unit sets WatchdogSec= (every quarter of it: the loops wake at least
    every 500 ms, so any WatchdogSec of 2 s or more is kept), and
    STOPPING=1 when it begins to stop. All of it goes through libsystemd's
    sd_notify on the NOTIFY_SOCKET systemd gives the service; when that
    variable is unset (a daemon started by hand, or by a test) nothing is
    sent and nothing fails. A message systemd does not take is not an
    error of the daemon's: it is ignored, as sd_notify's callers do.
*/
#ifndef SDNOTIFY_H_INCLUDED
#define SDNOTIFY_H_INCLUDED

#include <stdint.h>

typedef struct _sdnotify_t sdnotify_t;

/* Reads the watchdog's interval (sd_watchdog_enabled: WATCHDOG_USEC, for
   this process only when WATCHDOG_PID names another). Returns NULL only
   when out of memory. */
sdnotify_t *sdnotify_new(void);

/* Frees the notifier and nulls the pointer; safe on NULL. */
void sdnotify_destroy(sdnotify_t **self_p);

/* Says READY=1, with status as STATUS= (may be NULL). Never fails. */
void sdnotify_ready(sdnotify_t *self, const char *status);

/* Says WATCHDOG=1 when a quarter of the watchdog's interval has passed
   since it last did; nothing without a watchdog. Call from the run loop on
   every turn. Never fails. */
void sdnotify_tick(sdnotify_t *self);

/* Says STOPPING=1, with status as STATUS= (may be NULL). Never fails. */
void sdnotify_stopping(sdnotify_t *self, const char *status);

/* Returns the watchdog's interval in microseconds, 0 when there is none. */
uint64_t sdnotify_watchdog_usec(sdnotify_t *self);

#endif
