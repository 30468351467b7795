/*  log - daemon logging on stderr, one line per message:
    "2026-11-22T04:28:40Z INFO program: message". The environment variable
    FUNDCHAIN_LOG (debug, info, warn, error) overrides the level given to
    log_setup, so that an operator can turn on debugging without a flag.
    Every message is escaped (log_escape): a file or a peer may put any
    bytes into the text logged, and none of them reaches the terminal raw.
*/
#include "log.h"
#include <stdarg.h>
#include <stdint.h>
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

//  Returns the length of the valid UTF-8 sequence at s (at most left bytes)
//  of a character fit to show, or 0: invalid, overlong, a surrogate, a C1
//  control, or a line separator or direction control (U+2028..U+202E,
//  U+2066..U+2069) that could make a line look other than it is.
static size_t s_utf8_shown(const unsigned char *s, size_t left)
{
    size_t len;
    uint32_t cp, min;
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, cp = s[0] & 0x1F, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, cp = s[0] & 0x0F, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, cp = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > left)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0 ||
        (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return 0;
    return len;
}

//  Writes len bytes of text into buf for a log line: printable ASCII and
//  valid UTF-8 kept, every other byte as \xNN, cut with "..." to fit size.
const char *log_escape(const void *text, size_t len, char *buf, size_t size)
{
    if (!buf || size == 0)
        return "";
    const unsigned char *in = text ? text : (const unsigned char *)"";
    if (!text)
        len = 0;
    size_t out = 0, mark = 0; //  mark: the last cut that leaves room for "..."
    for (size_t i = 0; i < len;) {
        char hex[5];
        const char *piece = (const char *)in + i;
        size_t used = in[i] >= 0x20 && in[i] < 0x7F ? 1 : s_utf8_shown(in + i, len - i);
        size_t plen = used;
        if (used == 0) {
            snprintf(hex, sizeof hex, "\\x%02x", in[i]);
            piece = hex, plen = 4, used = 1;
        }
        if (out + plen + 1 > size) {
            out = size >= 4 ? mark : 0;
            if (size >= 4)
                memcpy(buf + out, "...", 3), out += 3;
            break;
        }
        memcpy(buf + out, piece, plen);
        out += plen;
        i += used;
        if (out + 4 <= size)
            mark = out;
    }
    buf[out] = 0;
    return buf;
}

//  Escapes a NUL-terminated string; NULL shows as "(null)".
const char *log_escape_str(const char *text, char *buf, size_t size)
{
    if (!text)
        text = "(null)";
    return log_escape(text, strlen(text), buf, size);
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
    char body[LOG_LINE_MAX];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(body, sizeof body, fmt, args);
    va_end(args);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1;
    while (len > 0 && body[len - 1] == '\n')
        len--;
    char line[LOG_LINE_MAX];
    int head = snprintf(line, sizeof line, "%s %s %s: ", stamp, s_names[level], s_program);
    if (head < 0 || (size_t)head >= sizeof line)
        head = 0;
    log_escape(body, len, line + head, sizeof line - (size_t)head);
    //  One call per line, so that lines of several threads do not mix.
    fprintf(stderr, "%s\n", line);
}
