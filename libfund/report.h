/*  report - the data of one unit, one period, one fund, at one revision.

    Items keep the text the unit gave (so that every receiver can validate
    it again with the same code) and, once validated, the exact amount:
    fen for money, 1/QTY_SCALE units for every other quantity.
*/
#ifndef REPORT_H_INCLUDED
#define REPORT_H_INCLUDED

#include "target.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char code[64];
    char value[48]; /* as given, thousands separators kept */
    char uom[16];
    char target[48];
    int line; /* source line, 0 when from the wire */
    /* set by validate_report */
    bool parsed;
    int64_t amount;    /* fen for money; 1/QTY_SCALE units otherwise */
    int64_t tolerance; /* fen: half a unit of the last decimal for 万元 figures */
    target_t tgt;
} report_item_t;

typedef struct {
    char unit[8];
    char period[16];
    char fund[16];
    uint32_t revision;
    int64_t submitted_at; /* unix seconds */
    char sender[48];      /* the receiver's note of the sending key (Z85), "" when none */
    report_item_t *items;
    size_t n_items;
    size_t cap;
    /* kept by report_add: a hash of the item codes (index + 1, 0 free) over
       the first `indexed` items, so that report_find is no linear scan */
    uint32_t *slots;
    size_t n_slots; /* a power of two, more than twice indexed; 0: none */
    size_t indexed;
} report_t;

/* Creates an empty report; strings longer than their field are refused
   (NULL). Returns NULL when out of memory or on a bad argument. */
report_t *report_new(const char *unit, const char *period, const char *fund);

/* Destroys the report and nulls the pointer; safe on NULL. */
void report_destroy(report_t **self_p);

/* Appends an item's text (target may be NULL); returns 0, or -1 when a field
   is too long, the report already has REPORT_MAX_ITEMS items, or out of
   memory. Nothing is parsed here: validate_report does that. */
int report_add(report_t *self, const char *code, const char *value, const char *uom,
               const char *target, int line);

/* Gives back the room reserved for more items (once a report is complete).
   Never fails: when the allocator cannot shrink, the room stays. */
void report_shrink(report_t *self);

/* Returns the item with that code, or NULL. */
const report_item_t *report_find(const report_t *self, const char *code);

/* Gets the effective amount of an item after validation: the value given, or,
   for a total given without itself, the sum of its children present
   (recursively). Returns true when the item has a value, false when absent
   (or given but invalid, or when the sum overflows). */
bool report_amount(const report_t *self, const char *code, int64_t *amount);

/* Serialises to a protobuf Report; returns a malloc'ed buffer (size in *len),
   or NULL when out of memory. */
uint8_t *report_encode(const report_t *self, size_t *len);

/* Parses a protobuf Report (the items' text only; validate it next).
   Returns NULL with a reason in *why on malformed input. */
report_t *report_decode(const uint8_t *data, size_t len, const char **why);

/* Returns a deep copy, or NULL when out of memory. */
report_t *report_dup(const report_t *self);

struct Fundchain__Report;

/* Builds the protobuf message of a report; its strings point into self, so
   self must outlive it. Free with report_pb_free. Returns NULL when out of memory. */
struct Fundchain__Report *report_to_pb(const report_t *self);

/* Frees a message made by report_to_pb and nulls the pointer; safe on NULL. */
void report_pb_free(struct Fundchain__Report **msg_p);

/* Makes a report from a protobuf message with the checks of report_decode
   (no NULL strings, no over-long field, at most REPORT_MAX_ITEMS items).
   Returns NULL with a reason in *why. */
report_t *report_from_pb(const struct Fundchain__Report *msg, const char **why);

#define REPORT_MAX_ITEMS 10000

#endif
