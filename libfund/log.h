/*  log - daemon logging on stderr: "2026-11-22T04:28:40Z INFO message". */
#ifndef LOG_H_INCLUDED
#define LOG_H_INCLUDED

#include <stddef.h>

/* Named LOGL_* because syslog.h (pulled in by czmq.h) owns LOG_DEBUG and LOG_INFO. */
typedef enum { LOGL_DEBUG, LOGL_INFO, LOGL_WARN, LOGL_ERROR } log_level_t;

/* Sets the lowest level printed (default LOGL_INFO) and the program name. */
void log_setup(const char *program, log_level_t level);

/* Prints one line with UTC timestamp, level and message, the message
   escaped by log_escape (so that text a peer or a file chose cannot forge
   lines or send terminal controls). Never fails. */
void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes len bytes of text into buf (size bytes) so that a log line shows
   them safely: printable ASCII and valid UTF-8 stay as they are; control
   characters (tab and newline included), bytes that are not UTF-8, C1
   controls and Unicode line or direction controls become \xNN. Text that
   does not fit is cut at a whole character and ends in "...". Returns buf
   (always NUL-terminated when size > 0); never fails. */
const char *log_escape(const void *text, size_t len, char *buf, size_t size);

/* The buffer LOG_SAFE uses: at most 252 bytes of the text are shown. */
#define LOG_SAFE_MAX 256

/* The escaped form of a NUL-terminated string (NULL shows as "(null)"), in
   a buffer that lives until the end of the enclosing block; for messages
   printed without log_msg (which escapes every message itself). */
#define LOG_SAFE(s) log_escape_str((s), (char[LOG_SAFE_MAX]){0}, LOG_SAFE_MAX)

/* log_escape of a NUL-terminated string (NULL shows as "(null)"). */
const char *log_escape_str(const char *text, char *buf, size_t size);

#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)

#endif
