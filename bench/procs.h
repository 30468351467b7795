/*  procs - the product's programs as real processes: daemons started in the
    background with their stderr in a log file, commands run to completion,
    and what /proc says of a process's memory. Every process started here
    is remembered, so that procs_cleanup can end the ones still running
    (by their own pid, never by name).
*/
#ifndef PROCS_H_INCLUDED
#define PROCS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts bin/argv[0] with argv, stdout to /dev/null and stderr appended
   to log. Returns its pid, or -1 with a message on stderr. */
pid_t procs_spawn(const char *bin, const char *const *argv, const char *log);

/* Stops a process with SIGTERM (SIGKILL after timeout_s) and reaps it.
   Returns its exit status (0..255), 128+signal when killed, or -1. */
int procs_stop(pid_t pid, int timeout_s);

/* Returns true while the process runs (not yet exited). */
bool procs_alive(pid_t pid);

/* Runs bin/argv[0] with argv to completion, stdout into out (size bytes,
   NUL-terminated; may be NULL), stderr appended to log (NULL: discarded).
   Returns the exit status, or -1 when it could not be run. */
int procs_run(const char *bin, const char *const *argv, char *out, size_t size, const char *log);

/* Reads a "Name:  N kB" field of /proc/PID/status (VmRSS, RssAnon...).
   Returns kB, or -1. */
long procs_status_kb(pid_t pid, const char *field);

/* SIGKILLs and reaps every process procs_spawn started that still runs. */
void procs_cleanup(void);

#endif
