/*  log - daemon logging on stderr: "2026-11-22T04:28:40Z INFO message". */
#ifndef LOG_H_INCLUDED
#define LOG_H_INCLUDED

/* Named LOGL_* because syslog.h (pulled in by czmq.h) owns LOG_DEBUG and LOG_INFO. */
typedef enum { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR } log_level_t;

/* Sets the lowest level printed (default LOGL_INFO) and the program name. */
void log_setup(const char *program, log_level_t level);

/* Prints one line with UTC timestamp, level and message. Never fails. */
void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)

#endif
