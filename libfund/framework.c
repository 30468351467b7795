/*  framework - an evaluation framework (SPEC 5): scored items, their maxima
    and rules (manual, threshold, range, linear, bonus) over indicators.

    The CSV is read with libcsv, one physical line at a time so that every
    diagnostic names its line; the column is the 1-based field number.
*/
#include "framework.h"
#include "decimal.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_COLUMNS 7
#define FW_MAX_FIELDS 16          /* fields kept per record; more are only counted */
#define FW_MAX_FILE (1024 * 1024) /* a framework file is small */
#define FW_MAX_POINTS (10000LL * QTY_SCALE)

extern const char default_framework_csv[];

struct _framework_t {
    fw_item_t *items;
    size_t n;
    size_t cap;
    char *text;
};

/* The state of one parse. */
typedef struct {
    const char *name; /* file name for diagnostics */
    diag_t *diag;
    framework_t *fw;
    int line;        /* physical line being fed */
    int record_line; /* line where the current record began */
    char *fields[FW_MAX_FIELDS];
    size_t nfields; /* fields seen in the current record */
    bool header_seen;
    bool bad_header; /* nothing after a bad header can be read */
    size_t errors;
    bool oom;
} s_parse_t;

static const char *s_header[FW_COLUMNS] = {"code", "name",   "category", "max",
                                           "rule", "metric", "params"};

static const char *s_rules[] = {"manual", "threshold", "range", "linear", "bonus"};

/* Records an error at a column of the current record. */
static void s_error(s_parse_t *self, int column, const char *code, const char *fmt, const char *arg)
{
    char message[400];
    snprintf(message, sizeof message, fmt, arg ? arg : "");
    diag_add(self->diag, DIAG_ERROR, code, self->name, self->record_line, column, "%s", message);
    self->errors++;
}

/* Returns true when s is a lowercase identifier: [a-z][a-z0-9_]*, plus '.'
   inside when dots is set. */
static bool s_identifier(const char *s, bool dots)
{
    if (!islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p; p++) {
        bool ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
                  (dots && *p == '.' && p[1] != '\0' && p[1] != '.');
        if (!ok)
            return false;
    }
    return true;
}

/* Parses the code column; returns 0 or -1 (reported). */
static int s_parse_code(s_parse_t *self, const char *text, fw_item_t *item)
{
    /* "score." + code must fit a report item code (64 bytes). */
    if (strlen(text) > sizeof item->code - 7 || !s_identifier(text, false) ||
        strcmp(text, "total") == 0) {
        s_error(self, 1, "bad_code", "bad item code '%s' (lowercase letters, digits, _)", text);
        return -1;
    }
    if (framework_find(self->fw, text)) {
        s_error(self, 1, "duplicate_code", "duplicate item code '%s'", text);
        return -1;
    }
    strcpy(item->code, text);
    return 0;
}

/* Parses the name and category columns; returns 0 or -1 (reported). */
static int s_parse_labels(s_parse_t *self, const char *name, const char *category, fw_item_t *item)
{
    if (name[0] == '\0' || strlen(name) >= sizeof item->name) {
        s_error(self, 2, "bad_name", "item name empty or too long%s", NULL);
        return -1;
    }
    if (strlen(category) >= sizeof item->category) {
        s_error(self, 3, "bad_name", "category '%s' too long", category);
        return -1;
    }
    strcpy(item->name, name);
    strcpy(item->category, category);
    return 0;
}

/* Parses the max column (points); returns 0 or -1 (reported). */
static int s_parse_max(s_parse_t *self, const char *text, fw_item_t *item)
{
    const char *why = NULL;
    int64_t max = 0;
    if (decimal_parse_qty(text, 1, &max, &why) != 0 || max <= 0 || max > FW_MAX_POINTS) {
        s_error(self, 4, "bad_max", "bad maximum '%s' (a positive number of points)", text);
        return -1;
    }
    item->max = max;
    return 0;
}

/* Parses the rule column; returns 0 or -1 (reported). */
static int s_parse_rule(s_parse_t *self, const char *text, fw_item_t *item)
{
    for (size_t i = 0; i < sizeof s_rules / sizeof s_rules[0]; i++)
        if (strcmp(text, s_rules[i]) == 0) {
            item->rule = (rule_t)i;
            return 0;
        }
    s_error(self, 5, "unknown_rule",
            "unknown rule '%s' (manual, threshold, range, linear or bonus)", text);
    return -1;
}

/* Parses the metric column against the rule; returns 0 or -1 (reported). */
static int s_parse_metric(s_parse_t *self, const char *text, fw_item_t *item)
{
    bool scored = item->rule == RULE_MANUAL || item->rule == RULE_BONUS;
    if (scored && text[0] != '\0') {
        s_error(self, 6, "bad_metric", "a %s item takes no metric", s_rules[item->rule]);
        return -1;
    }
    if (!scored && text[0] == '\0') {
        s_error(self, 6, "bad_metric", "a %s item needs a metric", s_rules[item->rule]);
        return -1;
    }
    if (!scored && (strlen(text) >= sizeof item->metric || !s_identifier(text, true) ||
                    strcmp(text, "risk_level") == 0)) {
        s_error(self, 6, "bad_metric", "bad metric '%s' (a numeric indicator code)", text);
        return -1;
    }
    strcpy(item->metric, text);
    return 0;
}

/* Parses one "key=value" option of a linear rule into step or deduct.
   Returns 0, or -1 for an unknown key, a repeated key or a bad value. */
static int s_linear_option(char *option, fw_item_t *item)
{
    char *eq = strchr(option, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    int64_t *slot = NULL;
    if (strcmp(option, "step") == 0)
        slot = &item->step;
    else if (strcmp(option, "deduct") == 0)
        slot = &item->deduct;
    if (!slot || *slot != 0)
        return -1;
    const char *why = NULL;
    if (decimal_parse_qty(eq + 1, 1, slot, &why) != 0 || *slot <= 0 || *slot > FW_MAX_POINTS)
        return -1;
    return 0;
}

/* Parses ">=X;step=S;deduct=D" (a one-sided target); returns 0 or -1. */
static int s_parse_linear(const char *text, fw_item_t *item)
{
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    char *save = NULL;
    char *part = strtok_r(buf, ";", &save);
    const char *why = NULL;
    if (!part || target_parse(part, &item->target, &why) != 0)
        return -1;
    target_op_t op = item->target.op;
    if (op != TARGET_GE && op != TARGET_LE && op != TARGET_GT && op != TARGET_LT)
        return -1;
    while ((part = strtok_r(NULL, ";", &save)) != NULL)
        if (s_linear_option(part, item) != 0)
            return -1;
    return item->step > 0 && item->deduct > 0 ? 0 : -1;
}

/* Parses the params column against the rule; returns 0 or -1 (reported). */
static int s_parse_params(s_parse_t *self, const char *text, fw_item_t *item)
{
    const char *why = NULL;
    int rc = 0;
    switch (item->rule) {
    case RULE_MANUAL:
    case RULE_BONUS:
        rc = text[0] == '\0' ? 0 : -1;
        break;
    case RULE_THRESHOLD:
        rc =
            target_parse(text, &item->target, &why) == 0 && item->target.op != TARGET_NONE ? 0 : -1;
        break;
    case RULE_RANGE:
        rc = target_parse(text, &item->target, &why) == 0 && item->target.op == TARGET_RANGE ? 0
                                                                                             : -1;
        break;
    case RULE_LINEAR:
        rc = s_parse_linear(text, item);
        break;
    }
    if (rc != 0)
        s_error(self, 7, "bad_param", "bad parameters '%s' for the rule", text);
    return rc;
}

/* Appends an item to the framework; returns 0 or -1 when out of memory. */
static int s_append(framework_t *self, const fw_item_t *item)
{
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        fw_item_t *grown = realloc(self->items, cap * sizeof(fw_item_t));
        if (!grown)
            return -1;
        self->items = grown;
        self->cap = cap;
    }
    self->items[self->n++] = *item;
    return 0;
}

/* Checks the header record; returns 0 or -1 (reported). */
static int s_check_header(s_parse_t *self)
{
    bool ok = self->nfields == FW_COLUMNS;
    for (size_t i = 0; ok && i < FW_COLUMNS; i++)
        ok = strcmp(self->fields[i], s_header[i]) == 0;
    if (!ok) {
        s_error(self, 1, "bad_header", "header must be %s",
                "code,name,category,max,rule,metric,params");
        return -1;
    }
    return 0;
}

/* Turns the current record into an item; returns 0 or -1 (reported). */
static int s_item(s_parse_t *self)
{
    if (self->nfields != FW_COLUMNS) {
        char count[24];
        snprintf(count, sizeof count, "%zu", self->nfields);
        s_error(self, self->nfields > FW_COLUMNS ? FW_COLUMNS + 1 : (int)self->nfields,
                "bad_columns", "expected 7 columns, found %s", count);
        return -1;
    }
    fw_item_t item;
    memset(&item, 0, sizeof item);
    char **f = self->fields;
    if (s_parse_code(self, f[0], &item) != 0 || s_parse_labels(self, f[1], f[2], &item) != 0 ||
        s_parse_max(self, f[3], &item) != 0 || s_parse_rule(self, f[4], &item) != 0 ||
        s_parse_metric(self, f[5], &item) != 0 || s_parse_params(self, f[6], &item) != 0)
        return -1;
    if (s_append(self->fw, &item) != 0) {
        self->oom = true;
        return -1;
    }
    return 0;
}

/* Frees the fields of the current record. */
static void s_clear_fields(s_parse_t *self)
{
    size_t kept = self->nfields < FW_MAX_FIELDS ? self->nfields : FW_MAX_FIELDS;
    for (size_t i = 0; i < kept; i++) {
        free(self->fields[i]);
        self->fields[i] = NULL;
    }
    self->nfields = 0;
}

/* libcsv field callback: keeps a copy of the field. */
static void s_on_field(void *data, size_t len, void *arg)
{
    s_parse_t *self = arg;
    if (self->nfields == 0)
        self->record_line = self->line;
    if (self->nfields < FW_MAX_FIELDS) {
        char *copy = malloc(len + 1);
        if (!copy)
            self->oom = true;
        else {
            if (len)
                memcpy(copy, data, len);
            copy[len] = '\0';
            if (strlen(copy) != len)
                copy[0] = '\1'; /* an embedded NUL: make the field invalid */
        }
        self->fields[self->nfields] = copy;
        if (!copy)
            return;
    }
    self->nfields++;
}

/* Returns true when the record is blank or a comment. */
static bool s_skip_record(const s_parse_t *self)
{
    if (self->nfields == 0)
        return true;
    if (self->nfields == 1 && self->fields[0][0] == '\0')
        return true;
    return self->fields[0][0] == '#';
}

/* libcsv record callback: checks the header, or parses an item. */
static void s_on_record(int terminator, void *arg)
{
    (void)terminator;
    s_parse_t *self = arg;
    if (!self->oom && !s_skip_record(self)) {
        if (!self->header_seen) {
            self->bad_header = s_check_header(self) != 0;
            self->header_seen = true;
        } else if (!self->bad_header)
            s_item(self);
    }
    s_clear_fields(self);
}

/* Feeds the text to libcsv line by line; returns 0, or -1 on malformed CSV. */
static int s_feed(s_parse_t *self, struct csv_parser *parser, const char *text, size_t len)
{
    size_t pos = 0;
    self->line = 1;
    while (pos < len && !self->oom) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        if (csv_parse(parser, text + pos, chunk, s_on_field, s_on_record, self) != chunk)
            return -1;
        pos += chunk;
        self->line++;
    }
    self->line--;
    if (csv_fini(parser, s_on_field, s_on_record, self) != 0)
        return -1;
    return 0;
}

/* Runs the parse of text into self->fw; returns 0 or -1 (reported). */
static int s_parse(s_parse_t *self, const char *text, size_t len)
{
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    int rc = s_feed(self, &parser, text, len);
    if (rc != 0 && !self->oom) {
        self->record_line = self->line;
        s_error(self, 0, "malformed_csv", "malformed CSV: %s", csv_strerror(csv_error(&parser)));
    }
    csv_free(&parser);
    s_clear_fields(self);
    if (!self->oom && self->errors == 0 && self->fw->n == 0) {
        self->record_line = 0;
        s_error(self, 0, "empty_framework", "the framework has no items%s", NULL);
    }
    return self->oom || self->errors ? -1 : 0;
}

/* Parses a framework from text; name is used in diagnostics. Returns NULL
   with errors in diag. */
framework_t *framework_parse(const char *name, const char *text, size_t len, diag_t *diag)
{
    if (!text)
        return NULL;
    framework_t *self = calloc(1, sizeof(framework_t));
    if (!self)
        return NULL;
    self->text = malloc(len + 1);
    if (!self->text) {
        free(self);
        return NULL;
    }
    memcpy(self->text, text, len);
    self->text[len] = '\0';
    s_parse_t state = {.name = name ? name : "framework", .diag = diag, .fw = self};
    if (s_parse(&state, text, len) != 0) {
        if (state.oom)
            diag_add(diag, DIAG_ERROR, "out_of_memory", state.name, 0, 0, "out of memory");
        framework_destroy(&self);
    }
    return self;
}

/* Reads a whole file of at most FW_MAX_FILE bytes; returns a malloc'ed
   buffer or NULL with errno set. */
static char *s_read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    char *buf = malloc(FW_MAX_FILE + 1);
    errno = 0;
    size_t got = buf ? fread(buf, 1, FW_MAX_FILE + 1, file) : 0;
    int err = !buf ? ENOMEM : ferror(file) ? (errno ? errno : EIO) : got > FW_MAX_FILE ? EFBIG : 0;
    fclose(file);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    *len = got;
    return buf;
}

/* Loads a framework CSV file; returns NULL with errors (file:line:column)
   in diag. */
framework_t *framework_load(const char *path, diag_t *diag)
{
    if (!path)
        return NULL;
    size_t len = 0;
    char *text = s_read_file(path, &len);
    if (!text) {
        diag_add(diag, DIAG_ERROR, "io_error", path, 0, 0, "cannot read framework: %s",
                 strerror(errno));
        return NULL;
    }
    framework_t *self = framework_parse(path, text, len, diag);
    free(text);
    return self;
}

static framework_t *s_default;
static pthread_once_t s_default_once = PTHREAD_ONCE_INIT;

/* Parses the shipped framework; aborts when that is impossible. */
static void s_default_init(void)
{
    diag_t *diag = diag_new();
    s_default = framework_parse("default-framework.csv", default_framework_csv,
                                strlen(default_framework_csv), diag);
    if (!s_default) {
        if (diag)
            diag_print(diag, stderr);
        fprintf(stderr, "fatal: cannot build the default framework\n");
        abort();
    }
    diag_destroy(&diag);
}

/* Returns the default framework (SPEC 5), built once; never NULL. */
const framework_t *framework_default(void)
{
    pthread_once(&s_default_once, s_default_init);
    return s_default;
}

/* Destroys a loaded framework and nulls the pointer; safe on NULL. */
void framework_destroy(framework_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    framework_t *self = *self_p;
    free(self->items);
    free(self->text);
    free(self);
    *self_p = NULL;
}

/* Returns the number of items (0 for NULL). */
size_t framework_size(const framework_t *self)
{
    return self ? self->n : 0;
}

/* Returns item i, or NULL when out of range. */
const fw_item_t *framework_at(const framework_t *self, size_t i)
{
    return self && i < self->n ? &self->items[i] : NULL;
}

/* Returns the item with that code, or NULL. */
const fw_item_t *framework_find(const framework_t *self, const char *code)
{
    if (!self || !code)
        return NULL;
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->items[i].code, code) == 0)
            return &self->items[i];
    return NULL;
}

/* Returns the source text the framework was parsed from ("" for NULL). */
const char *framework_text(const framework_t *self)
{
    return self ? self->text : "";
}
