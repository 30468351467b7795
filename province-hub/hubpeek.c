/*  hubpeek - reads a few fields of a stored Evaluation from its bytes.

    Every length is checked against the end of the bytes before it is
    used; malformed input gives -1, never a read past the end.
*/
#include "hubpeek.h"
#include <string.h>

//  Field numbers of Evaluation and Shown (proto/fundchain.proto).
enum { EV_CODE = 1, EV_LEVEL = 5, EV_VERSION = 6, EV_NAME = 7, EV_INDICATORS = 9 };
enum {
    ENVELOPE_EVALUATION = 3,
    EV_TOTAL = 11,
    EV_HAS_TOTAL = 16,
    SHOWN_CODE = 1,
    SHOWN_CENTI = 2,
    SHOWN_TEXT = 3
};
enum { WIRE_VARINT = 0, WIRE_64 = 1, WIRE_BYTES = 2, WIRE_32 = 5 };

typedef struct {
    const uint8_t *p, *end;
} s_wire_t;

//  One field as read: its number and wire type, and its value (varint) or bytes.
typedef struct {
    uint32_t number;
    int type;
    uint64_t varint;
    const uint8_t *bytes;
    size_t len;
} s_field_t;

//  Reads a varint of at most 10 bytes. Returns 0 or -1.
static int s_varint(s_wire_t *w, uint64_t *value)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70 && w->p < w->end; shift += 7) {
        uint8_t b = *w->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *value = v;
            return 0;
        }
    }
    return -1;
}

//  Reads a tag as protobuf-c does: at most 5 bytes, the wire type in the
//  low 3 bits of the first, the field number in the 32 bits after them.
//  Returns 0, or -1 for a tag that does not end within 5 bytes.
static int s_tag(s_wire_t *w, s_field_t *f)
{
    uint8_t b = *w->p++;
    uint32_t number = (uint32_t)(b & 0x7f) >> 3;
    f->type = b & 7;
    for (unsigned i = 1, shift = 4; b & 0x80; i++, shift += 7) {
        if (i == 5 || w->p == w->end)
            return -1;
        b = *w->p++;
        number |= (uint32_t)(b & 0x7f) << shift;
    }
    f->number = number;
    return 0;
}

//  Reads the next field. Returns 1 when there is one, 0 at the end, -1
//  when the bytes are malformed.
static int s_next(s_wire_t *w, s_field_t *f)
{
    if (w->p == w->end)
        return 0;
    if (s_tag(w, f) != 0 || f->number == 0)
        return -1;
    size_t fixed = f->type == WIRE_64 ? 8 : f->type == WIRE_32 ? 4 : 0;
    if (f->type == WIRE_VARINT)
        return s_varint(w, &f->varint) == 0 ? 1 : -1;
    if (f->type == WIRE_BYTES) {
        if (s_varint(w, &f->varint) != 0 || f->varint > (uint64_t)(w->end - w->p))
            return -1;
        fixed = (size_t)f->varint;
    } else if (!fixed)
        return -1; //  groups (3, 4) and wire types 6, 7
    if (fixed > (size_t)(w->end - w->p))
        return -1;
    f->bytes = w->p;
    f->len = fixed;
    w->p += fixed;
    return 1;
}

//  The length of a string up to its first NUL byte, as a decoded string reads.
static size_t s_strlen(const uint8_t *bytes, size_t len)
{
    const uint8_t *nul = memchr(bytes, 0, len);
    return nul ? (size_t)(nul - bytes) : len;
}

static int64_t s_zigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

//  Reads one Shown; returns 0 with *match true when it is by's number.
static int s_shown(const s_field_t *in, const char *by, size_t by_len, bool *match, int64_t *centi)
{
    s_wire_t w = {in->bytes, in->bytes + in->len};
    s_field_t f;
    const uint8_t *code = NULL;
    size_t code_len = 0, text_len = 0;
    int64_t value = 0;
    int rc;
    while ((rc = s_next(&w, &f)) == 1) {
        int want = f.number == SHOWN_CENTI ? WIRE_VARINT : WIRE_BYTES;
        if (f.number <= SHOWN_TEXT && f.type != want)
            return -1;
        if (f.number == SHOWN_CODE)
            code = f.bytes, code_len = s_strlen(f.bytes, f.len);
        else if (f.number == SHOWN_CENTI)
            value = s_zigzag(f.varint);
        else if (f.number == SHOWN_TEXT)
            text_len = s_strlen(f.bytes, f.len);
    }
    *match =
        rc == 0 && text_len == 0 && code_len == by_len && (!by_len || !memcmp(code, by, by_len));
    *centi = value;
    return rc;
}

//  Checks the wire type of a field read() knows. Returns true when right.
static bool s_typed(const s_field_t *f)
{
    switch (f->number) {
    case EV_CODE:
    case EV_NAME:
    case EV_INDICATORS:
        return f->type == WIRE_BYTES;
    case EV_LEVEL:
    case EV_VERSION:
    case EV_TOTAL:
    case EV_HAS_TOTAL:
        return f->type == WIRE_VARINT;
    default:
        return true;
    }
}

//  Reads the fields of the Evaluation in data.
int hubpeek_read(const uint8_t *data, size_t len, const char *by, hubpeek_t *out)
{
    memset(out, 0, sizeof *out);
    out->code = out->name = ""; //  as decoded when absent
    bool total = !by || !strcmp(by, "total"), has_total = false, found = false;
    size_t by_len = total ? 0 : strlen(by);
    int64_t total_centi = 0;
    s_wire_t w = {data, data + len};
    s_field_t f;
    int rc;
    while ((rc = s_next(&w, &f)) == 1 && s_typed(&f)) {
        if (f.number == EV_CODE)
            out->code = (const char *)f.bytes, out->code_len = s_strlen(f.bytes, f.len);
        else if (f.number == EV_NAME)
            out->name = (const char *)f.bytes, out->name_len = s_strlen(f.bytes, f.len);
        else if (f.number == EV_LEVEL)
            out->level = (int)f.varint;
        else if (f.number == EV_VERSION)
            out->version = f.varint;
        else if (f.number == EV_TOTAL)
            total_centi = s_zigzag(f.varint);
        else if (f.number == EV_HAS_TOTAL)
            has_total = f.varint != 0;
        else if (f.number == EV_INDICATORS && !total && !found) {
            if (s_shown(&f, by, by_len, &found, &out->centi) != 0)
                return -1;
        }
    }
    if (rc != 0)
        return -1;
    out->has_value = total ? has_total : found;
    if (total)
        out->centi = total_centi;
    else if (!found)
        out->centi = 0;
    return 0;
}

//  Reads only the version of the Evaluation in data.
int hubpeek_version(const uint8_t *data, size_t len, uint64_t *version)
{
    s_wire_t w = {data, data + len};
    s_field_t f;
    int rc;
    *version = 0;
    while ((rc = s_next(&w, &f)) == 1 && s_typed(&f))
        if (f.number == EV_VERSION)
            *version = f.varint;
    return rc == 0 ? 0 : -1;
}

//  Finds the Evaluation an Envelope holds when that is all it holds.
int hubpeek_sole_evaluation(const uint8_t *data, size_t len, const uint8_t **eval, size_t *eval_len)
{
    s_wire_t w = {data, data + len};
    s_field_t f;
    if (s_next(&w, &f) != 1 || f.number != ENVELOPE_EVALUATION || f.type != WIRE_BYTES ||
        w.p != w.end)
        return -1;
    *eval = f.bytes;
    *eval_len = f.len;
    return 0;
}
