/*  encoding - brings imported text to UTF-8.

    Files come as UTF-8, UTF-8 with a byte order mark, or GB18030/GBK (as
    Excel saves them on a Chinese desktop). Validation and conversion are
    done by iconv. Some GB18030 text is also valid UTF-8 (元 is D4 AA, which
    UTF-8 reads as U+052A): then the reading whose characters are those of
    Chinese text (ASCII, CJK ideographs and punctuation, full-width forms)
    is preferred, UTF-8 on a tie.
*/
#ifndef ENCODING_H_INCLUDED
#define ENCODING_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum { ENCODING_UTF8, ENCODING_GB18030 } encoding_t;

/* Returns the name of an encoding: "UTF-8" or "GB18030". */
const char *encoding_name(encoding_t encoding);

/* Returns true when the bytes are valid UTF-8 (no overlong forms, no
   surrogates, nothing above U+10FFFF). *bad_at, when not NULL, gets the
   offset of the first invalid byte. */
bool encoding_utf8_valid(const char *data, size_t len, size_t *bad_at);

/* Lists the encodings the bytes can be read in, the most plausible first:
   UTF-8 alone for a byte order mark or pure ASCII, GB18030 alone for bytes
   that are not UTF-8, both when both are valid. Returns how many (1 or 2)
   are in out, or 0 with a static reason in *why and the offset of the
   offending byte in *bad_at (a NUL byte, neither UTF-8 nor GB18030). */
size_t encoding_candidates(const char *data, size_t len, encoding_t out[2], const char **why,
                           size_t *bad_at);

/* Returns the length of a leading UTF-8 byte order mark (3), or 0. */
size_t encoding_bom_length(const char *data, size_t len);

/* Converts bytes of the given encoding to a malloc'ed NUL-terminated UTF-8
   copy without a byte order mark (length in *out_len). Returns NULL with a
   static reason in *why (and the offending offset in *bad_at) when the bytes
   are not valid in that encoding or out of memory. */
char *encoding_decode(const char *data, size_t len, encoding_t from, size_t *out_len,
                      const char **why, size_t *bad_at);

/* Converts text to UTF-8 in its most plausible encoding (the first of
   encoding_candidates). Returns a malloc'ed NUL-terminated copy (length in
   *out_len; *converted true when GB18030 was read), or NULL with a static
   reason in *why and the offset of the offending byte in *bad_at (a NUL
   byte, neither UTF-8 nor GB18030, out of memory). */
char *encoding_to_utf8(const char *data, size_t len, size_t *out_len, bool *converted,
                       const char **why, size_t *bad_at);

#endif
