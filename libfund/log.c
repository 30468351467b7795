/*  log - daemon logging on stderr, one line per message:
    "2026-11-22T04:28:40Z INFO program: message". The environment variable
    FUNDCHAIN_LOG (debug, info, warn, error) overrides the level given to
    log_setup, so that an operator can turn on debugging without a flag.
*/
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_LINE_MAX 2048

static log_level_t s_level = LOGL_INFO;
static char s_program[64] = "fundchain";

static const char *s_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

//  Returns the level named by text (case-insensitive), or -1.
static int s_level_from_name(const char *text)
{
    if (!text)
        return -1;
    if (!strcasecmp(text, "warning"))
        return LOGL_WARN;
    for (int level = LOGL_DEBUG; level <= LOGL_ERROR; level++)
        if (!strcasecmp(text, s_names[level]))
            return level;
    return -1;
}

//  Sets the lowest level printed and the program name; FUNDCHAIN_LOG wins.
void log_setup(const char *program, log_level_t level)
{
    if (program && *program)
        snprintf(s_program, sizeof s_program, "%s", program);
    s_level = level >= LOGL_DEBUG && level <= LOGL_ERROR ? level : LOGL_INFO;
    int from_env = s_level_from_name(getenv("FUNDCHAIN_LOG"));
    if (from_env >= 0)
        s_level = (log_level_t)from_env;
}

//  Writes the UTC timestamp of now into buf; leaves it empty on failure.
static void s_timestamp(char *buf, size_t size)
{
    struct tm tm;
    time_t now = time(NULL);
    buf[0] = 0;
    if (gmtime_r(&now, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

//  Prints one line with timestamp, level, program and message; never fails.
void log_msg(log_level_t level, const char *fmt, ...)
{
    if (level < LOGL_DEBUG || level > LOGL_ERROR)
        level = LOGL_ERROR;
    if (level < s_level || !fmt)
        return;
    char stamp[32];
    s_timestamp(stamp, sizeof stamp);
    char line[LOG_LINE_MAX];
    int head = snprintf(line, sizeof line, "%s %s %s: ", stamp, s_names[level], s_program);
    if (head < 0 || (size_t)head >= sizeof line)
        head = 0;
    va_list args;
    va_start(args, fmt);
    int body = vsnprintf(line + head, sizeof line - (size_t)head, fmt, args);
    va_end(args);
    if (body > 0 && (size_t)head + (size_t)body >= sizeof line)
        memcpy(line + sizeof line - 5, "...", 4); //  Marks a truncated message.
    size_t len = strlen(line);
    while (len > 0 && line[len - 1] == '\n')
        line[--len] = 0;
    //  One call per line, so that lines of several threads do not mix.
    fprintf(stderr, "%s\n", line);
}
