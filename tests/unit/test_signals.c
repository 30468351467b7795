/*  Tests of signals (libfund/signals.c): after signals_install, SIGPIPE no
    longer kills the process (a write to a closed pipe fails with EPIPE),
    and SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 and SIGALRM only record
    themselves and set zsys_interrupted, also once CZMQ has started (whose
    own handler must not come back); signals_log_stop names the signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "log.h"
#include "signals.h"
#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    char err_path[64];
    int saved_err;
    char err[4096];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->err_path, sizeof f->err_path, "/tmp/test_signals.%d", (int)getpid());
    signals_reset();
    signals_install();
    signals_unblock();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    signals_reset();
    unlink(f->err_path);
    free(f);
    return 0;
}

static void s_capture(fixture_t *f)
{
    fflush(stderr);
    f->saved_err = dup(2);
    assert_non_null(freopen(f->err_path, "w", stderr));
}

static void s_release(fixture_t *f)
{
    fflush(stderr);
    assert_true(dup2(f->saved_err, 2) >= 0);
    close(f->saved_err);
    FILE *file = fopen(f->err_path, "r");
    assert_non_null(file);
    size_t n = fread(f->err, 1, sizeof f->err - 1, file);
    f->err[n] = 0;
    fclose(file);
}

static void test_sigpipe_is_ignored(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    errno = 0;
    assert_int_equal(write(fds[1], "x", 1), -1); //  Without the fix SIGPIPE kills us here.
    assert_int_equal(errno, EPIPE);
    close(fds[1]);
    assert_int_equal(raise(SIGPIPE), 0);
    assert_int_equal(signals_caught(), 0);
    assert_int_equal(zsys_interrupted, 0);
}

static void test_stop_signals_are_recorded(void **state)
{
    (void)state;
    int sigs[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        signals_reset();
        signals_install();
        signals_unblock();
        assert_int_equal(raise(sigs[i]), 0);
        assert_int_equal(signals_caught(), sigs[i]);
        assert_int_not_equal(zsys_interrupted, 0);
    }
}

static void test_first_signal_wins(void **state)
{
    (void)state;
    assert_int_equal(raise(SIGUSR2), 0);
    assert_int_equal(raise(SIGTERM), 0);
    assert_int_equal(signals_caught(), SIGUSR2);
}

//  Until signals_unblock, the thread that installed keeps the signals
//  pending (the threads it starts inherit the block): nothing is taken.
static void test_blocked_until_unblocked(void **state)
{
    (void)state;
    signals_reset();
    signals_install();
    assert_int_equal(raise(SIGTERM), 0);
    assert_int_equal(signals_caught(), 0);
    assert_int_equal(zsys_interrupted, 0);
    signals_unblock();
    assert_int_equal(signals_caught(), SIGTERM);
    assert_int_not_equal(zsys_interrupted, 0);
}

//  SIGHUP asks for a reload: the loop is not interrupted, nothing stops,
//  and the request is seen once however many arrived before the look.
static void test_sighup_asks_for_a_reload(void **state)
{
    (void)state;
    assert_false(signals_reload_asked());
    assert_int_equal(raise(SIGHUP), 0);
    assert_int_equal(raise(SIGHUP), 0);
    assert_int_equal(signals_caught(), 0);
    assert_int_equal(zsys_interrupted, 0);
    assert_true(signals_reload_asked());
    assert_false(signals_reload_asked());
    assert_string_equal(signals_name(SIGHUP), "SIGHUP");
    //  A stop after a reload still stops.
    assert_int_equal(raise(SIGHUP), 0);
    assert_int_equal(raise(SIGTERM), 0);
    assert_int_equal(signals_caught(), SIGTERM);
    assert_true(signals_reload_asked());
}

static void test_czmq_does_not_take_over(void **state)
{
    (void)state;
    //  Creating a socket initialises CZMQ, which would install its own
    //  SIGINT/SIGTERM handler; ours must stay.
    zsock_t *sock = zsock_new(ZMQ_PAIR);
    assert_non_null(sock);
    assert_int_equal(raise(SIGTERM), 0);
    assert_int_equal(signals_caught(), SIGTERM);
    //  A poller sees the stop at once.
    zpoller_t *poller = zpoller_new(sock, NULL);
    assert_null(zpoller_wait(poller, 5000));
    assert_true(zpoller_terminated(poller));
    zpoller_destroy(&poller);
    zsock_destroy(&sock);
}

static void test_log_names_the_signal(void **state)
{
    fixture_t *f = *state;
    log_setup("test", LOGL_INFO);
    s_capture(f);
    signals_log_stop(); //  nothing caught: nothing logged
    s_release(f);
    assert_string_equal(f->err, "");

    assert_int_equal(raise(SIGINT), 0);
    s_capture(f);
    signals_log_stop();
    s_release(f);
    assert_non_null(strstr(f->err, "INFO test: stopping on SIGINT"));

    signals_reset();
    signals_install();
    signals_unblock();
    assert_int_equal(raise(SIGUSR1), 0);
    s_capture(f);
    signals_log_stop();
    s_release(f);
    assert_non_null(strstr(f->err, "stopping on SIGUSR1"));

    assert_string_equal(signals_name(SIGALRM), "SIGALRM");
    assert_string_equal(signals_name(SIGPIPE), "SIGPIPE");
    assert_string_equal(signals_name(SIGSEGV), "another signal");
}

static void test_reset_restores_defaults(void **state)
{
    (void)state;
    signals_reset();
    struct sigaction action;
    assert_int_equal(sigaction(SIGHUP, NULL, &action), 0);
    assert_true(action.sa_handler == SIG_DFL);
    assert_int_equal(sigaction(SIGPIPE, NULL, &action), 0);
    assert_true(action.sa_handler == SIG_DFL);
    signals_install();
    signals_unblock();
    assert_int_equal(sigaction(SIGPIPE, NULL, &action), 0);
    assert_true(action.sa_handler == SIG_IGN);
    assert_int_equal(sigaction(SIGUSR2, NULL, &action), 0);
    assert_true(action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN);
}

//  Raises sig in a child with stderr on a pipe; returns how the child ended
//  and what it wrote in text.
static int s_child_raises(int sig, char *text, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        dup2(fds[1], 2);
        raise(sig);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while (n < size - 1 && (got = read(fds[0], text + n, size - 1 - n)) > 0)
        n += (size_t)got;
    text[n] = 0;
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

//  SIGQUIT and SIGABRT still end the process by their signal, after a FATAL
//  line in the log that names them.
static void test_fatal_signals_are_logged(void **state)
{
    (void)state;
    static const int sigs[] = {SIGQUIT, SIGABRT};
    static const char *names[] = {"SIGQUIT", "SIGABRT"};
    for (size_t i = 0; i < 2; i++) {
        char text[512];
        int status = s_child_raises(sigs[i], text, sizeof text);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), sigs[i]);
        assert_non_null(strstr(text, "FATAL test_signals: "));
        assert_int_equal(text[strlen(text) - 1], '\n');
        assert_non_null(strstr(text, names[i]));
        assert_non_null(strstr(text, "nothing committed is lost"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigpipe_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_signals_are_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_signal_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sighup_asks_for_a_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocked_until_unblocked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_czmq_does_not_take_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_names_the_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_restores_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fatal_signals_are_logged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
