/*  signals - how the daemons answer signals (see signals.h).

    The handler only records the signal and sets zsys_interrupted, both
    async-signal-safe; the daemon logs the stop from its own thread once
    the run loop has ended (signals_log_stop), since logging from a
    handler could deadlock in stdio.
*/
#include "signals.h"
#include "log.h"
#include <czmq.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

//  The signals that stop a daemon cleanly, and what the log says of each.
typedef struct {
    int sig;
    const char *name;
    const char *why;
} s_stop_signal_t;

static const s_stop_signal_t s_stops[] = {
    {SIGTERM, "SIGTERM", ""},
    {SIGINT, "SIGINT", ""},
    {SIGUSR1, "SIGUSR1", " (it has no other meaning for this daemon)"},
    {SIGUSR2, "SIGUSR2", " (it has no other meaning for this daemon)"},
    {SIGALRM, "SIGALRM", " (it has no other meaning for this daemon)"}};

#define S_NSTOPS (sizeof s_stops / sizeof s_stops[0])

//  The signals that end the process at once (a fault, an abort, a quit):
//  the handler says which in the log, then lets the default action happen.
static const struct {
    int sig;
    const char *line; //  What the log says, written with write(2).
} s_fatals[] = {{SIGQUIT, ": stopped at once by SIGQUIT: the current transaction was abandoned, "
                          "nothing committed is lost\n"},
                {SIGABRT, ": aborted (SIGABRT): a bug; nothing committed is lost, please report it "
                          "with this log\n"},
                {SIGSEGV, ": crashed (SIGSEGV): a bug; nothing committed is lost, please report it "
                          "with this log\n"},
                {SIGBUS, ": crashed (SIGBUS: a mapped file was cut short, or the disk is full); "
                         "nothing committed is lost\n"},
                {SIGFPE, ": crashed (SIGFPE): a bug; nothing committed is lost, please report it "
                         "with this log\n"},
                {SIGILL, ": crashed (SIGILL): a bug; nothing committed is lost, please report it "
                         "with this log\n"}};

#define S_NFATALS (sizeof s_fatals / sizeof s_fatals[0])

static volatile sig_atomic_t s_caught = 0;
static volatile sig_atomic_t s_reload = 0;

//  Writes the fatal signal's line to stderr (async-signal-safe calls only)
//  and raises it again with its default action, which ends the process.
static void s_on_fatal(int sig)
{
    for (size_t i = 0; i < S_NFATALS; i++)
        if (s_fatals[i].sig == sig) {
            const char *name = program_invocation_short_name;
            ssize_t rc = write(STDERR_FILENO, "FATAL ", 6);
            rc = write(STDERR_FILENO, name, strlen(name));
            rc = write(STDERR_FILENO, s_fatals[i].line, strlen(s_fatals[i].line));
            (void)rc;
        }
    signal(sig, SIG_DFL);
    raise(sig);
}

//  Records the first stop signal and interrupts the run loop.
static void s_on_stop(int sig)
{
    if (!s_caught)
        s_caught = sig;
    zsys_interrupted = 1;
}

//  Records that a reload was asked; the run loop looks between batches.
static void s_on_reload(int sig)
{
    (void)sig;
    s_reload = 1;
}

//  Sets the handling of sig; logs an error when it cannot.
static void s_set(int sig, void (*handler)(int))
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    //  No SA_RESTART: a blocking zmq_poll returns EINTR and the loop ends now.
    if (sigaction(sig, &action, NULL) != 0)
        log_error("cannot set the handling of %s: %s", signals_name(sig), strerror(errno));
}

//  The signals a daemon answers, as a set.
static sigset_t s_answered(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    for (size_t i = 0; i < S_NSTOPS; i++)
        sigaddset(&set, s_stops[i].sig);
    return set;
}

//  Installs the daemon's signal handling; logs a handler it cannot install.
void signals_install(void)
{
    //  Blocked here, so that every thread started from now on (CZMQ's
    //  actors: zauth, the evaluator, link watchers) has them blocked and
    //  only the run loop's thread, once it unblocks them, takes them: a
    //  signal that interrupted an actor's wait would end that actor.
    sigset_t set = s_answered();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    //  Stops CZMQ from installing its own SIGINT/SIGTERM handler when it
    //  initialises (and restores the default if it already did).
    zsys_handler_set(NULL);
    s_set(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < S_NSTOPS; i++)
        s_set(s_stops[i].sig, s_on_stop);
    s_set(SIGHUP, s_on_reload);
    //  A handler already there (a sanitizer's) is left in place: it reports more.
    for (size_t i = 0; i < S_NFATALS; i++) {
        struct sigaction old;
        if (sigaction(s_fatals[i].sig, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
            !(old.sa_flags & SA_SIGINFO))
            s_set(s_fatals[i].sig, s_on_fatal);
    }
}

//  Returns the first signal that asked the daemon to stop, or 0.
int signals_caught(void)
{
    return s_caught;
}

//  Returns true once for each SIGHUP (several before a look count as one).
bool signals_reload_asked(void)
{
    if (!s_reload)
        return false;
    s_reload = 0;
    return true;
}

//  Lets the calling thread (the run loop's) take the signals.
void signals_unblock(void)
{
    sigset_t set = s_answered();
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

//  True when a poller came back terminated by a stop or the context's end,
//  not by a reload signal that interrupted its wait.
bool signals_poller_ended(zpoller_t *poller)
{
    int err = errno; //  zmq_poll's, as zpoller_wait left it
    return zpoller_terminated(poller) && (zsys_interrupted || err != EINTR);
}

//  Returns the name of a signal; never NULL.
const char *signals_name(int sig)
{
    if (sig == SIGPIPE)
        return "SIGPIPE";
    if (sig == SIGHUP)
        return "SIGHUP";
    for (size_t i = 0; i < S_NSTOPS; i++)
        if (s_stops[i].sig == sig)
            return s_stops[i].name;
    return "another signal";
}

//  Logs the signal that stops the daemon; nothing when none was caught.
void signals_log_stop(void)
{
    int sig = s_caught;
    for (size_t i = 0; sig && i < S_NSTOPS; i++)
        if (s_stops[i].sig == sig)
            log_info("stopping on %s%s", s_stops[i].name, s_stops[i].why);
}

//  Restores the default handling and forgets the signal caught.
void signals_reset(void)
{
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    for (size_t i = 0; i < S_NSTOPS; i++)
        signal(s_stops[i].sig, SIG_DFL);
    for (size_t i = 0; i < S_NFATALS; i++) {
        struct sigaction old;
        if (sigaction(s_fatals[i].sig, NULL, &old) == 0 && old.sa_handler == s_on_fatal)
            signal(s_fatals[i].sig, SIG_DFL);
    }
    signals_unblock();
    s_caught = 0;
    s_reload = 0;
    zsys_interrupted = 0;
}
