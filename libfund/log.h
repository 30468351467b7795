/*  log - daemon logging on stderr: "2026-11-22T04:28:40Z INFO message". */
#ifndef LOG_H_INCLUDED
#define LOG_H_INCLUDED

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

/* Sets the lowest level printed (default LOG_INFO) and the program name. */
void log_setup (const char *program, log_level_t level);

/* Prints one line with UTC timestamp, level and message. Never fails. */
void log_msg (log_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#define log_debug(...) log_msg (LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg (LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg (LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg (LOG_ERROR, __VA_ARGS__)

#endif
