/*  signals - how the daemons (county-agent run, city-aggregator run,
    province-hub run) answer signals.

    SIGPIPE is ignored: a write to a closed pipe or socket (stderr piped
    into head, an SSH session gone) then fails with EPIPE, which ZeroMQ and
    the log already handle, instead of killing the daemon. SIGINT, SIGTERM,
    SIGUSR1, SIGUSR2 and SIGALRM each stop the daemon cleanly: the run loop
    ends after the current transaction, the store is flushed and the
    process exits 0, and the log names the signal. SIGHUP asks for a
    reload (systemctl reload): the handler only records it, and the run
    loop, between batches, re-reads what can change without a restart
    (signals_reload_asked). A daemon started in a terminal therefore keeps
    running when the terminal or SSH session closes.
    The handler replaces CZMQ's own SIGINT/SIGTERM handler and, like it,
    sets zsys_interrupted, so that zpoller_wait returns at once. SIGQUIT,
    SIGABRT, SIGSEGV, SIGBUS, SIGFPE and SIGILL still end the process at
    once, with their default action, but first write a FATAL line naming
    the signal to stderr (unless a sanitizer already handles them).
*/
#ifndef SIGNALS_H_INCLUDED
#define SIGNALS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

/* Installs the daemon's signal handling described above, and blocks the
   signals it answers in the calling thread until signals_unblock (threads
   started meanwhile inherit the block). A handler that cannot be installed
   (which sigaction allows only for invalid signals) is logged as an error;
   the others are installed still. */
void signals_install(void);

/* Called by the run loop's thread once every thread is started, before it
   loops: signals_install blocked the signals it handles so that the
   threads started since inherit the block; this lets this thread take
   them (a signal that arrived meanwhile is taken now). Never fails. */
void signals_unblock(void);

/* Returns the first signal that asked the daemon to stop, or 0 if none did. */
int signals_caught(void);

/* Returns true once after one or more SIGHUPs arrived (then forgets them);
   the run loop calls it between batches. Never fails. */
bool signals_reload_asked(void);

/* Call right after zpoller_wait: returns true when the poller came back
   terminated because the daemon must stop (a stop signal, or the ZeroMQ
   context ending), false when only a SIGHUP interrupted its wait (the loop
   goes on and reloads) or it did not terminate. */
bool signals_poller_ended(zpoller_t *poller);

/* Returns the name of a signal the module handles ("SIGHUP"), or "another
   signal"; never NULL. */
const char *signals_name(int sig);

/* Logs why the daemon stops: the signal caught. Logs nothing when no
   signal was caught. */
void signals_log_stop(void);

/* Restores the default handling of every signal the module handles and
   forgets the signal caught (for tests). */
void signals_reset(void);

#endif
