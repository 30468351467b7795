/*  signals - how the daemons (county-agent run, city-aggregator run,
    province-hub run) answer signals.

    SIGPIPE is ignored: a write to a closed pipe or socket (stderr piped
    into head, an SSH session gone) then fails with EPIPE, which ZeroMQ and
    the log already handle, instead of killing the daemon. SIGINT, SIGTERM,
    SIGHUP, SIGUSR1, SIGUSR2 and SIGALRM each stop the daemon cleanly: the
    run loop ends after the current transaction, the store is flushed and
    the process exits 0, and the log names the signal. SIGHUP stops the
    daemon (as SIGTERM does) until reloading the settings is implemented.
    The handler replaces CZMQ's own SIGINT/SIGTERM handler and, like it,
    sets zsys_interrupted, so that zpoller_wait returns at once. SIGQUIT,
    SIGABRT, SIGSEGV, SIGBUS, SIGFPE and SIGILL still end the process at
    once, with their default action, but first write a FATAL line naming
    the signal to stderr (unless a sanitizer already handles them).
*/
#ifndef SIGNALS_H_INCLUDED
#define SIGNALS_H_INCLUDED

/* Installs the daemon's signal handling described above. A handler that
   cannot be installed (which sigaction allows only for invalid signals) is
   logged as an error; the others are installed still. */
void signals_install(void);

/* Returns the first signal that asked the daemon to stop, or 0 if none did. */
int signals_caught(void);

/* Returns the name of a signal the module handles ("SIGHUP"), or "another
   signal"; never NULL. */
const char *signals_name(int sig);

/* Logs why the daemon stops: the signal caught, and for SIGHUP that it
   stops the daemon until reloading is implemented. Logs nothing when no
   signal was caught. */
void signals_log_stop(void);

/* Restores the default handling of every signal the module handles and
   forgets the signal caught (for tests). */
void signals_reset(void);

#endif
