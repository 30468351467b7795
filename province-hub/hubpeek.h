/*  hubpeek - reads the few fields of a stored Evaluation that a ranking and
    the hub's version check need, and finds the evaluation in a city's
    message, straight from its protobuf bytes, without
    decoding the rest (no allocation, nothing copied): code, name, version,
    level, the total and the value of one indicator.

    The bytes are walked as the protobuf wire format says: fields in any
    order, a later value of a scalar field replacing an earlier one (as
    protobuf-c decodes them), unknown fields skipped, indicators read only
    as far as the one asked for. Bytes that are not a well-formed message
    as far as they are walked (a truncated field, a group, a field
    numbered 0, a length past the end, a field of the wrong wire type) are
    refused: -1, and *out must not be used.
*/
#ifndef HUBPEEK_H_INCLUDED
#define HUBPEEK_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* Strings point into the bytes, not terminated, and end at their first
       NUL byte, if any, as a decoded string (a C string) reads; "" when
       the field is absent, never NULL. */
    const char *code; /* code_len bytes */
    size_t code_len;
    const char *name; /* likewise; name_len 0 when the evaluation has none */
    size_t name_len;
    uint64_t version;
    int level;      /* Fundchain__Evaluation__Level */
    bool has_value; /* the value ranked on (by) is present */
    int64_t centi;  /* that value, in hundredths */
} hubpeek_t;

/* Reads the fields of the Evaluation in data; the value is its total when
   by is NULL or "total", else the first numeric indicator coded by (one
   with text is not a number). Returns 0, or -1 when data is malformed. */
int hubpeek_read(const uint8_t *data, size_t len, const char *by, hubpeek_t *out);

/* Reads only the version (field 6) of the Evaluation in data. Returns 0,
   or -1 when data is malformed. */
int hubpeek_version(const uint8_t *data, size_t len, uint64_t *version);

/* Finds the Evaluation an Envelope holds when that is all it holds: data is
   exactly one field, the evaluation (field 3), as every city sends it.
   Sets *eval and *eval_len (into data) and returns 0; returns -1 for any
   other message, which must then be unpacked in full. */
int hubpeek_sole_evaluation(const uint8_t *data, size_t len, const uint8_t **eval,
                            size_t *eval_len);

#endif
