/*  encoding - brings imported text to UTF-8 with iconv. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BOM "\xEF\xBB\xBF"

/* Runs iconv over the whole input, into out (NULL: into a scratch buffer,
   only to validate). Returns 0, or -1 with the offset of the first
   unconvertible byte in *bad_at. */
static int s_iconv(const char *to, const char *from, const char *data, size_t len, char *out,
                   size_t out_size, size_t *out_len, size_t *bad_at)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return -1;
    char scratch[4096];
    char *in = (char *)data;
    size_t in_left = len;
    size_t written = 0;
    int rc = 0;
    while (in_left > 0 && rc == 0) {
        char *dst = out ? out + written : scratch;
        size_t room = out ? out_size - written : sizeof scratch;
        char *op = dst;
        if (iconv(cd, &in, &in_left, &op, &room) == (size_t)-1 && errno != E2BIG)
            rc = -1;
        else if (op == dst && in_left > 0)
            rc = -1; /* no progress: output full */
        written += out ? (size_t)(op - dst) : 0;
    }
    iconv_close(cd);
    if (bad_at)
        *bad_at = (size_t)(in - data);
    if (out_len)
        *out_len = written;
    return rc;
}

/* Returns true when the bytes are valid UTF-8; *bad_at gets the offset of
   the first invalid byte. */
bool encoding_utf8_valid(const char *data, size_t len, size_t *bad_at)
{
    return s_iconv("UTF-32LE", "UTF-8", data, len, NULL, 0, NULL, bad_at) == 0;
}

/* Reads GB18030 into a new UTF-8 buffer; returns NULL on a bad byte. */
static char *s_from_gb18030(const char *data, size_t len, size_t *out_len, size_t *bad_at)
{
    if (len > (SIZE_MAX - 16) / 2)
        return NULL;
    size_t size = len * 2 + 16; /* 2 bytes become at most 3, 4 become 4 */
    char *out = malloc(size);
    if (!out)
        return NULL;
    if (s_iconv("UTF-8", "GB18030", data, len, out, size - 1, out_len, bad_at) != 0) {
        free(out);
        return NULL;
    }
    out[*out_len] = '\0';
    return out;
}

/* Removes a leading byte order mark from a NUL-terminated text in place. */
static char *s_strip_bom(char *text, size_t *len)
{
    if (*len >= 3 && memcmp(text, BOM, 3) == 0) {
        memmove(text, text + 3, *len - 3 + 1);
        *len -= 3;
    }
    return text;
}

/* Converts text to UTF-8 (see encoding.h). */
char *encoding_to_utf8(const char *data, size_t len, size_t *out_len, bool *converted,
                       const char **why, size_t *bad_at)
{
    size_t ignored;
    bad_at = bad_at ? bad_at : &ignored;
    *converted = false;
    const char *nul = memchr(data, '\0', len);
    if (nul) {
        *bad_at = (size_t)(nul - data);
        *why = "NUL byte in text (UTF-16 is not accepted)";
        return NULL;
    }
    char *out = NULL;
    if (encoding_utf8_valid(data, len, bad_at)) {
        out = malloc(len + 1);
        if (out) {
            memcpy(out, data, len);
            out[len] = '\0';
            *out_len = len;
        }
    } else {
        size_t utf8_bad = *bad_at;
        out = s_from_gb18030(data, len, out_len, bad_at);
        *converted = out != NULL;
        if (!out && *bad_at == 0)
            *bad_at = utf8_bad;
    }
    if (!out) {
        *why = "neither UTF-8 nor GB18030 (or out of memory)";
        return NULL;
    }
    return s_strip_bom(out, out_len);
}
