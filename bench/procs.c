/*  procs - real processes of the product (see procs.h). Failures to fork or
    exec are -1 with a message on stderr; a child that cannot exec exits
    127. The table of started pids is small and fixed (PROCS_MAX): beyond
    it procs_spawn refuses.
*/
#include "procs.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROCS_MAX 512

static pid_t s_pids[PROCS_MAX];

//  Forks bin/argv[0]; the child's stdout goes to fd_out, stderr to log.
static pid_t s_fork(const char *bin, const char *const *argv, int fd_out, const char *log)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", bin, argv[0]);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int err = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : null;
        dup2(null, 0);
        dup2(fd_out >= 0 ? fd_out : null, 1);
        dup2(err >= 0 ? err : null, 2);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    if (pid < 0)
        fprintf(stderr, "bench: cannot fork %s: %s\n", path, strerror(errno));
    return pid;
}

pid_t procs_spawn(const char *bin, const char *const *argv, const char *log)
{
    int slot = 0;
    while (slot < PROCS_MAX && s_pids[slot])
        slot++;
    if (slot == PROCS_MAX) {
        fprintf(stderr, "bench: more than %d processes\n", PROCS_MAX);
        return -1;
    }
    pid_t pid = s_fork(bin, argv, -1, log);
    if (pid > 0)
        s_pids[slot] = pid;
    return pid;
}

//  Forgets a reaped pid.
static void s_forget(pid_t pid)
{
    for (int i = 0; i < PROCS_MAX; i++)
        if (s_pids[i] == pid)
            s_pids[i] = 0;
}

//  Turns a wait status into an exit code.
static int s_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int procs_stop(pid_t pid, int timeout_s)
{
    if (pid <= 0)
        return -1;
    kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < timeout_s * 100; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s_forget(pid);
            return s_code(status);
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int rc = waitpid(pid, &status, 0) == pid ? s_code(status) : -1;
    s_forget(pid);
    return rc;
}

bool procs_alive(pid_t pid)
{
    int status;
    if (pid <= 0)
        return false;
    if (waitpid(pid, &status, WNOHANG) == 0)
        return true;
    s_forget(pid);
    return false;
}

int procs_run(const char *bin, const char *const *argv, char *out, size_t size, const char *log)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = s_fork(bin, argv, fds[1], log);
    close(fds[1]);
    size_t used = 0;
    char sink[4096];
    ssize_t n;
    while ((n = read(fds[0], out && used + 1 < size ? out + used : sink,
                     out && used + 1 < size ? size - used - 1 : sizeof sink)) > 0)
        if (out && used + 1 < size)
            used += (size_t)n;
    close(fds[0]);
    if (out && size)
        out[used] = 0;
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return s_code(status);
}

long procs_status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, len) && line[len] == ':')
            kb = atol(line + len + 1);
    if (f)
        fclose(f);
    return kb;
}

void procs_cleanup(void)
{
    for (int i = 0; i < PROCS_MAX; i++)
        if (s_pids[i] > 0) {
            kill(s_pids[i], SIGKILL);
            waitpid(s_pids[i], NULL, 0);
            s_pids[i] = 0;
        }
}
