/*  encoding - brings imported text to UTF-8.

    Files come as UTF-8, UTF-8 with a byte order mark, or GB18030/GBK (as
    Excel saves them on a Chinese desktop). Validation and conversion are
    done by iconv.
*/
#ifndef ENCODING_H_INCLUDED
#define ENCODING_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

/* Returns true when the bytes are valid UTF-8 (no overlong forms, no
   surrogates, nothing above U+10FFFF). *bad_at, when not NULL, gets the
   offset of the first invalid byte. */
bool encoding_utf8_valid(const char *data, size_t len, size_t *bad_at);

/* Converts text to UTF-8: strips a byte order mark, and reads bytes that are
   not valid UTF-8 as GB18030. Returns a malloc'ed NUL-terminated copy
   (length in *out_len; *converted true when GB18030 was read), or NULL with
   a static reason in *why and the offset of the offending byte in *bad_at
   (a NUL byte, neither UTF-8 nor GB18030, out of memory). */
char *encoding_to_utf8(const char *data, size_t len, size_t *out_len, bool *converted,
                       const char **why, size_t *bad_at);

#endif
