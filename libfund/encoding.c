/*  encoding - brings imported text to UTF-8 with iconv. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BOM "\xEF\xBB\xBF"

/* Returns true for the characters of Chinese text: ASCII, the middle dot,
   × and ÷, general punctuation, CJK radicals, symbols and ideographs,
   compatibility ideographs and forms, full-width forms, and the ideographs
   beyond the BMP. */
static bool s_chinese(uint32_t c)
{
    return c < 0x80 || c == 0xB7 || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Counts the characters of a UTF-32LE chunk that Chinese text does not use. */
static size_t s_count_foreign(const char *utf32, size_t len)
{
    size_t foreign = 0;
    for (size_t i = 0; i + 4 <= len; i += 4) {
        const unsigned char *u = (const unsigned char *)utf32 + i;
        uint32_t c =
            (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
        foreign += !s_chinese(c);
    }
    return foreign;
}

/* Runs iconv over the whole input, into out (NULL: into a scratch buffer of
   UTF-32LE, only to validate, counting the foreign characters into *foreign
   when not NULL). Returns 0, or -1 with the offset of the first
   unconvertible byte in *bad_at. */
static int s_iconv(const char *to, const char *from, const char *data, size_t len, char *out,
                   size_t out_size, size_t *out_len, size_t *bad_at, size_t *foreign)
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
        if (!out && foreign)
            *foreign += s_count_foreign(scratch, (size_t)(op - dst));
    }
    iconv_close(cd);
    if (bad_at)
        *bad_at = (size_t)(in - data);
    if (out_len)
        *out_len = written;
    return rc;
}

/* Returns the name of an encoding: "UTF-8" or "GB18030". */
const char *encoding_name(encoding_t encoding)
{
    return encoding == ENCODING_GB18030 ? "GB18030" : "UTF-8";
}

/* Returns true when the bytes are valid UTF-8; *bad_at gets the offset of
   the first invalid byte. */
bool encoding_utf8_valid(const char *data, size_t len, size_t *bad_at)
{
    return s_iconv("UTF-32LE", "UTF-8", data, len, NULL, 0, NULL, bad_at, NULL) == 0;
}

/* Returns the length of a leading UTF-8 byte order mark (3), or 0. */
size_t encoding_bom_length(const char *data, size_t len)
{
    return len >= 3 && memcmp(data, BOM, 3) == 0 ? 3 : 0;
}

/* Returns true when some byte is not ASCII. */
static bool s_has_high_bytes(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)data[i] >= 0x80)
            return true;
    return false;
}

/* Lists the encodings the bytes can be read in, the most plausible first.
   Returns 1 or 2, or 0 with a reason. */
size_t encoding_candidates(const char *data, size_t len, encoding_t out[2], const char **why,
                           size_t *bad_at)
{
    size_t ignored, utf8_foreign = 0, gb_foreign = 0, utf8_bad = 0;
    bad_at = bad_at ? bad_at : &ignored;
    const char *nul = memchr(data, '\0', len);
    if (nul) {
        *bad_at = (size_t)(nul - data);
        *why = "NUL byte in text (UTF-16 is not accepted)";
        return 0;
    }
    bool utf8 =
        s_iconv("UTF-32LE", "UTF-8", data, len, NULL, 0, NULL, &utf8_bad, &utf8_foreign) == 0;
    if (utf8 && (encoding_bom_length(data, len) || !s_has_high_bytes(data, len))) {
        out[0] = ENCODING_UTF8;
        return 1;
    }
    bool gb = s_iconv("UTF-32LE", "GB18030", data, len, NULL, 0, NULL, bad_at, &gb_foreign) == 0;
    if (utf8 && gb) {
        out[0] = gb_foreign < utf8_foreign ? ENCODING_GB18030 : ENCODING_UTF8;
        out[1] = gb_foreign < utf8_foreign ? ENCODING_UTF8 : ENCODING_GB18030;
        return 2;
    }
    out[0] = utf8 ? ENCODING_UTF8 : ENCODING_GB18030;
    if (utf8 || gb)
        return 1;
    *bad_at = *bad_at ? *bad_at : utf8_bad;
    *why = "neither UTF-8 nor GB18030 (or out of memory)";
    return 0;
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
    if (s_iconv("UTF-8", "GB18030", data, len, out, size - 1, out_len, bad_at, NULL) != 0) {
        free(out);
        return NULL;
    }
    out[*out_len] = '\0';
    char *fitted = realloc(out, *out_len + 1); /* give back the room not needed */
    return fitted ? fitted : out;
}

/* Copies valid UTF-8 without its byte order mark into a new buffer. */
static char *s_from_utf8(const char *data, size_t len, size_t *out_len, size_t *bad_at)
{
    if (!encoding_utf8_valid(data, len, bad_at))
        return NULL;
    size_t skip = encoding_bom_length(data, len);
    char *out = malloc(len - skip + 1);
    if (!out)
        return NULL;
    memcpy(out, data + skip, len - skip);
    out[len - skip] = '\0';
    *out_len = len - skip;
    return out;
}

/* Converts bytes of the given encoding to a new UTF-8 copy without a byte
   order mark; NULL with a reason. */
char *encoding_decode(const char *data, size_t len, encoding_t from, size_t *out_len,
                      const char **why, size_t *bad_at)
{
    size_t ignored;
    bad_at = bad_at ? bad_at : &ignored;
    *bad_at = 0;
    char *out = from == ENCODING_GB18030 ? s_from_gb18030(data, len, out_len, bad_at)
                                         : s_from_utf8(data, len, out_len, bad_at);
    if (!out) {
        *why = from == ENCODING_GB18030 ? "not GB18030 (or out of memory)"
                                        : "not UTF-8 (or out of memory)";
        return NULL;
    }
    if (from == ENCODING_GB18030 && encoding_bom_length(out, *out_len)) {
        memmove(out, out + 3, *out_len - 3 + 1);
        *out_len -= 3;
    }
    return out;
}

/* Converts text to UTF-8 in its most plausible encoding (see encoding.h). */
char *encoding_to_utf8(const char *data, size_t len, size_t *out_len, bool *converted,
                       const char **why, size_t *bad_at)
{
    encoding_t found[2];
    *converted = false;
    if (encoding_candidates(data, len, found, why, bad_at) == 0)
        return NULL;
    char *out = encoding_decode(data, len, found[0], out_len, why, bad_at);
    *converted = out && found[0] == ENCODING_GB18030;
    return out;
}
