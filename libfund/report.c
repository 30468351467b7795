/*  report - the data of one unit, one period, one fund, at one revision.

    Items keep the text the unit gave; validate_report parses them. The wire
    form is the protobuf Report of proto/fundchain.proto.
*/
#include "report.h"
#include "catalog.h"

#include "fundchain.pb-c.h"

#include <stdlib.h>
#include <string.h>

/* Copies src into a field of size n; returns -1 (leaving dst alone) when
   src is NULL or does not fit. */
static int s_copy(char *dst, size_t n, const char *src)
{
    if (!src)
        return -1;
    size_t len = strlen(src);
    if (len >= n)
        return -1;
    memcpy(dst, src, len + 1);
    return 0;
}

/* Creates an empty report; strings longer than their field are refused
   (NULL). Returns NULL when out of memory or on a bad argument. */
report_t *report_new(const char *unit, const char *period, const char *fund)
{
    report_t *self = calloc(1, sizeof(report_t));
    if (!self)
        return NULL;
    if (s_copy(self->unit, sizeof self->unit, unit) != 0 ||
        s_copy(self->period, sizeof self->period, period) != 0 ||
        s_copy(self->fund, sizeof self->fund, fund) != 0)
        report_destroy(&self);
    return self;
}

/* Destroys the report and nulls the pointer; safe on NULL. */
void report_destroy(report_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->items);
    free((*self_p)->slots);
    free(*self_p);
    *self_p = NULL;
}

/* Returns the FNV-1a hash of a code. */
static uint32_t s_hash(const char *code)
{
    uint32_t h = 2166136261u;
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 16777619u;
    return h;
}

/* Returns the slot of a code: the one holding it, or the free one where it
   goes (linear probing). */
static size_t s_slot(const report_t *self, const char *code)
{
    size_t mask = self->n_slots - 1;
    for (size_t at = s_hash(code) & mask;; at = (at + 1) & mask) {
        uint32_t i = self->slots[at];
        if (i == 0 || strcmp(self->items[i - 1].code, code) == 0)
            return at;
    }
}

/* Hashes item i (the first of a code only, as report_find finds it). */
static void s_index_item(report_t *self, size_t i)
{
    size_t at = s_slot(self, self->items[i].code);
    if (self->slots[at] == 0)
        self->slots[at] = (uint32_t)(i + 1);
}

/* Hashes the items up to n_items, growing the table to more than twice
   their count; returns 0, or -1 when out of memory (the index is then
   dropped and report_find scans). */
static int s_index(report_t *self)
{
    if (2 * self->n_items >= self->n_slots) {
        size_t n = self->n_slots ? self->n_slots : 64;
        while (2 * self->n_items >= n)
            n *= 2;
        uint32_t *slots = calloc(n, sizeof *slots);
        if (!slots) {
            free(self->slots);
            self->slots = NULL;
            self->n_slots = self->indexed = 0;
            return -1;
        }
        free(self->slots);
        self->slots = slots;
        self->n_slots = n;
        self->indexed = 0;
    }
    for (; self->indexed < self->n_items; self->indexed++)
        s_index_item(self, self->indexed);
    return 0;
}

/* Makes room for one more item; returns 0, or -1 when full or out of memory. */
static int s_grow(report_t *self)
{
    if (self->n_items >= REPORT_MAX_ITEMS)
        return -1;
    if (self->n_items < self->cap)
        return 0;
    size_t cap = self->cap ? self->cap * 2 : 32;
    report_item_t *items = realloc(self->items, cap * sizeof(report_item_t));
    if (!items)
        return -1;
    self->items = items;
    self->cap = cap;
    return 0;
}

/* Makes room for n items in all (a report whose size is known: no growing,
   no room left over); returns 0, or -1 when out of memory. */
static int s_reserve(report_t *self, size_t n)
{
    if (n <= self->cap)
        return 0;
    report_item_t *items = realloc(self->items, n * sizeof(report_item_t));
    if (!items)
        return -1;
    self->items = items;
    self->cap = n;
    return 0;
}

/* Appends an item's text (target may be NULL); returns 0, or -1 when a field
   is too long, the report already has REPORT_MAX_ITEMS items, or out of memory. */
int report_add(report_t *self, const char *code, const char *value, const char *uom,
               const char *target, int line)
{
    if (!self || s_grow(self) != 0)
        return -1;
    //  Filled in place, and counted only when every field fits.
    report_item_t *item = &self->items[self->n_items];
    if (s_copy(item->code, sizeof item->code, code) != 0 ||
        s_copy(item->value, sizeof item->value, value) != 0 ||
        s_copy(item->uom, sizeof item->uom, uom) != 0 ||
        s_copy(item->target, sizeof item->target, target ? target : "") != 0)
        return -1;
    item->line = line;
    item->parsed = false;
    item->amount = item->tolerance = 0;
    item->tgt = (target_t){TARGET_NONE, 0, 0};
    self->n_items++;
    (void)s_index(self); //  without it, report_find scans
    return 0;
}

/* Gives back the room reserved for more items; the room stays when the
   allocator cannot shrink. */
void report_shrink(report_t *self)
{
    if (!self || self->cap == self->n_items || self->n_items == 0)
        return;
    report_item_t *items = realloc(self->items, self->n_items * sizeof(report_item_t));
    if (!items)
        return;
    self->items = items;
    self->cap = self->n_items;
}

/* Returns the (first) item with that code, or NULL. */
const report_item_t *report_find(const report_t *self, const char *code)
{
    if (self && code && self->n_slots && self->indexed == self->n_items) {
        uint32_t i = self->slots[s_slot(self, code)];
        return i ? &self->items[i - 1] : NULL;
    }
    for (size_t i = 0; self && code && i < self->n_items; i++)
        if (strcmp(self->items[i].code, code) == 0)
            return &self->items[i];
    return NULL;
}

/* Sums the effective amounts of the children of a total; returns true when
   at least one child has a value (false on overflow too). */
static bool s_children_sum(const report_t *self, const char *code, int64_t *sum)
{
    bool any = false;
    int64_t total = 0;
    const catalog_entry_t *parent = catalog_lookup(code);
    for (const catalog_entry_t *e = catalog_child(parent, NULL); e; e = catalog_child(parent, e)) {
        int64_t part;
        if (!report_amount(self, e->code, &part))
            continue;
        if (__builtin_add_overflow(total, part, &total))
            return false;
        any = true;
    }
    if (any)
        *sum = total;
    return any;
}

/* Gets the effective amount of an item after validation: the value given, or,
   for a total given without itself, the sum of its children present
   (recursively). Returns true when the item has a value, false when absent
   (or given but not valid). */
bool report_amount(const report_t *self, const char *code, int64_t *amount)
{
    if (!self || !code || !amount)
        return false;
    const report_item_t *item = report_find(self, code);
    if (item) {
        if (item->parsed)
            *amount = item->amount;
        return item->parsed;
    }
    return catalog_has_children(code) && s_children_sum(self, code, amount);
}

/* Builds the protobuf message of a report; strings point into self. */
Fundchain__Report *report_to_pb(const report_t *self)
{
    if (!self)
        return NULL;
    Fundchain__Report *msg = calloc(1, sizeof *msg);
    Fundchain__Item *items = calloc(self->n_items + 1, sizeof *items);
    Fundchain__Item **ptrs = calloc(self->n_items + 1, sizeof *ptrs);
    if (!msg || !items || !ptrs) {
        free(msg);
        free(items);
        free(ptrs);
        return NULL;
    }
    fundchain__report__init(msg);
    msg->unit = (char *)self->unit;
    msg->period = (char *)self->period;
    msg->fund = (char *)self->fund;
    msg->revision = self->revision;
    msg->submitted_at = self->submitted_at;
    for (size_t i = 0; i < self->n_items; i++) {
        fundchain__item__init(&items[i]);
        items[i].code = (char *)self->items[i].code;
        items[i].value = (char *)self->items[i].value;
        items[i].uom = (char *)self->items[i].uom;
        items[i].target = (char *)self->items[i].target;
        ptrs[i] = &items[i];
    }
    ptrs[0] = &items[0]; /* so that report_pb_free finds the block even when empty */
    msg->n_items = self->n_items;
    msg->items = ptrs;
    return msg;
}

/* Frees a message made by report_to_pb and nulls the pointer; safe on NULL. */
void report_pb_free(Fundchain__Report **msg_p)
{
    if (!msg_p || !*msg_p)
        return;
    Fundchain__Report *msg = *msg_p;
    free(msg->items ? msg->items[0] : NULL);
    free(msg->items);
    free(msg);
    *msg_p = NULL;
}

/* Serialises to a protobuf Report; returns a malloc'ed buffer (size in *len),
   or NULL when out of memory. */
uint8_t *report_encode(const report_t *self, size_t *len)
{
    Fundchain__Report *msg = report_to_pb(self);
    if (!msg || !len) {
        report_pb_free(&msg);
        return NULL;
    }
    size_t size = fundchain__report__get_packed_size(msg);
    uint8_t *buf = malloc(size ? size : 1);
    if (buf)
        *len = fundchain__report__pack(msg, buf);
    report_pb_free(&msg);
    return buf;
}

/* Adds the items of a message to self; returns 0 or -1 with a reason. */
static int s_add_items(report_t *self, const Fundchain__Report *msg, const char **why)
{
    if (msg->n_items > REPORT_MAX_ITEMS) {
        *why = "too many items";
        return -1;
    }
    if (msg->n_items && !msg->items) {
        *why = "missing items";
        return -1;
    }
    if (s_reserve(self, msg->n_items) != 0) {
        *why = "out of memory";
        return -1;
    }
    for (size_t i = 0; i < msg->n_items; i++) {
        const Fundchain__Item *it = msg->items[i];
        if (!it || !it->code || !it->value || !it->uom || !it->target) {
            *why = "item with a missing field";
            return -1;
        }
        if (report_add(self, it->code, it->value, it->uom, it->target, 0) != 0) {
            *why = "item field too long";
            return -1;
        }
    }
    return 0;
}

/* Makes a report from a protobuf message with the checks of report_decode.
   Returns NULL with a reason in *why. */
report_t *report_from_pb(const Fundchain__Report *msg, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    if (!msg || !msg->unit || !msg->period || !msg->fund) {
        *why = "report with a missing field";
        return NULL;
    }
    report_t *self = report_new(msg->unit, msg->period, msg->fund);
    if (!self) {
        *why = "unit, period or fund too long";
        return NULL;
    }
    self->revision = msg->revision;
    self->submitted_at = msg->submitted_at;
    if (s_add_items(self, msg, why) != 0)
        report_destroy(&self);
    return self;
}

/* Parses a protobuf Report (the items' text only; validate it next).
   Returns NULL with a reason in *why on malformed input. */
report_t *report_decode(const uint8_t *data, size_t len, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    if (!data && len > 0) {
        *why = "no data";
        return NULL;
    }
    static const uint8_t empty = 0;
    Fundchain__Report *msg = fundchain__report__unpack(NULL, len, data ? data : &empty);
    if (!msg) {
        *why = "malformed protobuf Report";
        return NULL;
    }
    report_t *self = report_from_pb(msg, why);
    fundchain__report__free_unpacked(msg, NULL);
    return self;
}

/* Returns a deep copy, or NULL when out of memory. */
report_t *report_dup(const report_t *self)
{
    if (!self)
        return NULL;
    report_t *copy = malloc(sizeof(report_t));
    if (!copy)
        return NULL;
    *copy = *self;
    copy->items = NULL;
    copy->slots = NULL;
    copy->n_slots = copy->indexed = 0;
    copy->cap = self->n_items;
    if (self->n_items) {
        copy->items = malloc(self->n_items * sizeof(report_item_t));
        if (!copy->items) {
            free(copy);
            return NULL;
        }
        memcpy(copy->items, self->items, self->n_items * sizeof(report_item_t));
    }
    (void)s_index(copy); //  without it, report_find scans
    return copy;
}
