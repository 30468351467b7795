/*  csvimport - reads the import format of SPEC 2.1 with libcsv.

    The text is brought to UTF-8 first (encoding.c), then fed to libcsv one
    physical line at a time, so that every row knows the line it starts on
    and comment and blank lines can be skipped between rows (never inside a
    quoted field). Rows are grouped into reports by (period, fund) through a
    hash index, so that a file of any length is read in linear time; each
    report is then validated. Diagnostics are gathered in a private list
    (MAX_ERRORS errors and MAX_WARNINGS warnings at most, the others only
    counted) and copied to the caller's. Bytes valid both as UTF-8 and as
    GB18030 are imported in the more plausible encoding first, and in the
    other when the first gives errors.
*/
#include "csvimport.h"
#include "encoding.h"
#include "progress.h"
#include "validate.h"

#include <czmq.h>
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ERRORS 100
#define MAX_WARNINGS 100
#define MAX_FIELDS 8                      /* one more than the format has: "extra column" */
#define MAX_FILE_SIZE (128 * 1024 * 1024) /* more than a million rows */
#define LONG_FILE (1024 * 1024)           /* from this size on, progress is shown */

static const char *s_columns[] = {"unit",  "period",          "fund",  "item",
                                  "value", "unit_of_measure", "target"};

enum { COL_UNIT = 1, COL_PERIOD, COL_FUND, COL_ITEM, COL_VALUE, COL_UOM, COL_TARGET };

typedef struct {
    const char *name;
    const char *expected_unit;
    diag_t *diag; /* private list, copied out at the end */
    csvimport_result_t *result;
    int line;     /* physical line being fed */
    int row_line; /* physical line where the current row starts */
    bool in_row;  /* a row has begun and not yet ended */
    char *fields[MAX_FIELDS];
    size_t n_fields; /* every field of the row, also those not kept */
    bool row_text;   /* some field of the row is not empty */
    bool header_seen;
    bool header_ok;
    bool data_seen;
    char unit[64]; /* the unit of the file's first data row */
    int unit_line;
    zhashx_t *index;                   /* "period|fund" -> its report in result */
    size_t cap;                        /* room in result->reports */
    size_t errors, warnings;           /* kept in diag */
    size_t lost_errors, lost_warnings; /* beyond the caps, only counted */
    bool long_file;                    /* progress is shown */
} s_import_t;

/* Adds a diagnostic to the private list, or only counts it beyond the caps. */
static void s_keep(s_import_t *self, const diag_entry_t *e)
{
    bool error = e->level == DIAG_ERROR;
    size_t *kept = error ? &self->errors : &self->warnings;
    if (*kept >= (error ? MAX_ERRORS : MAX_WARNINGS)) {
        ++*(error ? &self->lost_errors : &self->lost_warnings);
        return;
    }
    ++*kept;
    diag_add(self->diag, e->level, e->code, e->file, e->line, e->column, "%s", e->message);
}

/* Adds an error at the current row. */
static void s_error(s_import_t *self, const char *code, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void s_error(s_import_t *self, const char *code, int column, const char *fmt, ...)
{
    char message[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    diag_entry_t e = {.level = DIAG_ERROR, .line = self->row_line, .column = column};
    snprintf(e.code, sizeof e.code, "%s", code);
    snprintf(e.file, sizeof e.file, "%s", self->name);
    snprintf(e.message, sizeof e.message, "%s", message);
    s_keep(self, &e);
}

/* Field callback: keeps a copy of the field without surrounding blanks. */
static void s_on_field(void *data, size_t len, void *arg)
{
    s_import_t *self = arg;
    const char *s = data ? data : "";
    len = data ? len : 0;
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    self->row_text |= len > 0;
    if (self->n_fields < MAX_FIELDS)
        self->fields[self->n_fields] = strndup(s, len);
    self->n_fields++;
}

static void s_clear_fields(s_import_t *self)
{
    for (size_t i = 0; i < MAX_FIELDS; i++) {
        free(self->fields[i]);
        self->fields[i] = NULL;
    }
    self->n_fields = 0;
    self->row_text = false;
}

/* Checks the header row: the seven columns in order, target optional. */
static void s_header(s_import_t *self)
{
    size_t n = self->n_fields;
    self->header_seen = true;
    for (size_t i = 0; i < n && i < MAX_FIELDS; i++) {
        if (i >= 7 || !self->fields[i] || strcmp(self->fields[i], s_columns[i]) != 0) {
            s_error(self, "bad_header", (int)i + 1, "header column %zu is '%s', expected %s", i + 1,
                    self->fields[i] ? self->fields[i] : "",
                    i < 7 ? s_columns[i] : "no more columns");
            return;
        }
    }
    if (n < 6) {
        s_error(self, "bad_header", (int)n + 1,
                "header has %zu columns, expected unit,period,fund,item,value,"
                "unit_of_measure,target",
                n);
        return;
    }
    self->header_ok = true;
}

/* Appends a report to the result, doubling the array when full; returns 0 or -1. */
static int s_append(s_import_t *self, report_t *report)
{
    csvimport_result_t *res = self->result;
    if (res->n_reports == self->cap) {
        size_t cap = self->cap ? 2 * self->cap : 16;
        report_t **grown = realloc(res->reports, cap * sizeof *grown);
        if (!grown)
            return -1;
        res->reports = grown;
        self->cap = cap;
    }
    res->reports[res->n_reports++] = report;
    return 0;
}

/* Returns the report for (period, fund), creating it on first appearance;
   NULL when out of memory or a field is too long. */
static report_t *s_report_for(s_import_t *self, const char *unit, const char *period,
                              const char *fund)
{
    char key[64];
    snprintf(key, sizeof key, "%s|%s", period, fund);
    report_t *report = zhashx_lookup(self->index, key);
    if (report)
        return report;
    report = report_new(unit, period, fund);
    if (!report || zhashx_insert(self->index, key, report) != 0 || s_append(self, report) != 0) {
        if (report)
            zhashx_delete(self->index, key);
        report_destroy(&report);
        return NULL;
    }
    return report;
}

/* Checks that the row's fields fit a report; returns 0 or -1 after an error. */
static int s_check_lengths(s_import_t *self)
{
    static const struct {
        int column;
        size_t max;
        const char *code;
    } limits[] = {
        {COL_UNIT, sizeof((report_t *)0)->unit, "bad_unit"},
        {COL_PERIOD, sizeof((report_t *)0)->period, "bad_period"},
        {COL_FUND, sizeof((report_t *)0)->fund, "bad_fund"},
        {COL_ITEM, sizeof((report_item_t *)0)->code, "unknown_item"},
        {COL_VALUE, sizeof((report_item_t *)0)->value, "bad_number"},
        {COL_UOM, sizeof((report_item_t *)0)->uom, "bad_uom"},
        {COL_TARGET, sizeof((report_item_t *)0)->target, "bad_target"},
    };
    for (size_t i = 0; i < self->n_fields && i < 7; i++) {
        if (!self->fields[i]) {
            s_error(self, "out_of_memory", limits[i].column, "out of memory");
            return -1;
        }
        if (strlen(self->fields[i]) >= limits[i].max) {
            s_error(self, limits[i].code, limits[i].column, "%s too long (%zu bytes at most)",
                    s_columns[i], limits[i].max - 1);
            return -1;
        }
    }
    return 0;
}

/* Checks that every row carries the unit of the first one. */
static int s_check_unit(s_import_t *self, const char *unit)
{
    if (!self->data_seen) {
        self->data_seen = true;
        snprintf(self->unit, sizeof self->unit, "%s", unit);
        self->unit_line = self->row_line;
        if (self->expected_unit && strcmp(unit, self->expected_unit) != 0) {
            s_error(self, "wrong_unit", COL_UNIT, "unit %s is not this agent's unit %s", unit,
                    self->expected_unit);
            return -1;
        }
        return 0;
    }
    if (strcmp(unit, self->unit) == 0)
        return 0;
    s_error(self, "wrong_unit", COL_UNIT, "unit %s differs from the file's unit %s (line %d)", unit,
            self->unit, self->unit_line);
    return -1;
}

/* Adds a data row to the report of its (period, fund). */
static void s_data_row(s_import_t *self)
{
    if (self->n_fields > 7) {
        s_error(self, "extra_column", 8, "extra column (%zu fields, at most 7)", self->n_fields);
        return;
    }
    if (self->n_fields < 6) {
        s_error(self, "missing_column", (int)self->n_fields + 1,
                "missing column %s (%zu fields, at least 6)", s_columns[self->n_fields],
                self->n_fields);
        return;
    }
    char **f = self->fields;
    if (s_check_lengths(self) != 0 || s_check_unit(self, f[0]) != 0)
        return;
    report_t *report = s_report_for(self, f[0], f[1], f[2]);
    if (!report) {
        s_error(self, "out_of_memory", 0, "out of memory");
        return;
    }
    const char *target = self->n_fields == 7 ? f[6] : "";
    if (report_add(report, f[3], f[4], f[5], target, self->row_line) != 0)
        s_error(self, "too_many_items", COL_ITEM, "more than %d items in one report",
                REPORT_MAX_ITEMS);
}

/* Row callback: the first row is the header, the others data. */
static void s_on_row(int terminator, void *arg)
{
    (void)terminator;
    s_import_t *self = arg;
    self->in_row = false;
    if (!self->row_text) { /* every field empty, as Excel ends a sheet with */
        s_clear_fields(self);
        return;
    }
    if (!self->header_seen)
        s_header(self);
    else if (self->header_ok)
        s_data_row(self);
    s_clear_fields(self);
}

/* Returns the end of the physical line at p (after its terminator: LF, CRLF or CR). */
static const char *s_line_end(const char *p, const char *end)
{
    while (p < end) {
        char c = *p++;
        if (c == '\n')
            break;
        if (c == '\r') {
            if (p < end && *p == '\n')
                p++;
            break;
        }
    }
    return p;
}

/* Returns true when a line (outside a row) is to be skipped: blank, or a
   comment starting with '#'. */
static bool s_skipped(const char *p, const char *end)
{
    if (p < end && *p == '#')
        return true;
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return false;
    return true;
}

/* Feeds the text to libcsv line by line; returns 0, or -1 after a CSV error. */
static int s_parse(s_import_t *self, const char *text, size_t len)
{
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    const char *p = text, *end = text + len;
    int rc = 0;
    char what[300];
    snprintf(what, sizeof what, "%s: reading", self->name);
    progress_t *progress = self->long_file ? progress_new(what, len) : NULL;
    for (self->line = 1; p < end && rc == 0; self->line++) {
        progress_update(progress, (size_t)(p - text));
        const char *next = s_line_end(p, end);
        if (!self->in_row && s_skipped(p, next)) {
            p = next;
            continue;
        }
        if (!self->in_row)
            self->row_line = self->line;
        self->in_row = true;
        size_t n = (size_t)(next - p);
        if (csv_parse(&parser, p, n, s_on_field, s_on_row, self) != n)
            rc = -1;
        p = next;
    }
    progress_destroy(&progress);
    if (rc == 0 && csv_fini(&parser, s_on_field, s_on_row, self) != 0)
        rc = -1;
    if (rc != 0)
        s_error(self, "malformed_csv", (int)self->n_fields + 1, "malformed CSV: %s",
                csv_error(&parser) == CSV_EPARSE ? "misplaced quote or unterminated quoted field"
                                                 : csv_strerror(csv_error(&parser)));
    csv_free(&parser);
    s_clear_fields(self);
    return rc;
}

/* Returns the 1-based line of a byte offset. */
static int s_line_of(const char *data, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset; i++)
        line += data[i] == '\n';
    return line;
}

/* Copies the private diagnostics to the caller's list, then the counts of
   those beyond the caps. */
static void s_copy_out(const s_import_t *self, diag_t *to)
{
    for (size_t i = 0; i < diag_size(self->diag); i++) {
        const diag_entry_t *e = diag_at(self->diag, i);
        diag_add(to, e->level, e->code, e->file, e->line, e->column, "%s", e->message);
    }
    if (self->lost_errors)
        diag_add(to, DIAG_ERROR, "too_many_errors", self->name, 0, 0, "%zu more errors not shown",
                 self->lost_errors);
    if (self->lost_warnings)
        diag_add(to, DIAG_WARNING, "too_many_warnings", self->name, 0, 0,
                 "%zu more warnings not shown", self->lost_warnings);
}

/* Keeps the warnings of report i's validation for whoever stores it (the
   agent's outbox): what was printed is what is kept. */
static int s_keep_warnings(s_import_t *self, size_t i, const diag_t *scratch)
{
    diag_t *kept = self->result->warnings[i] = diag_new();
    for (size_t k = 0; kept && k < diag_size(scratch); k++) {
        const diag_entry_t *e = diag_at(scratch, k);
        if (e->level == DIAG_WARNING)
            diag_add(kept, e->level, e->code, e->file, e->line, e->column, "%s", e->message);
    }
    return kept ? 0 : -1;
}

/* Validates every report, keeping its diagnostics within the caps. */
static void s_validate_all(s_import_t *self, const framework_t *fw)
{
    size_t n = self->result->n_reports;
    diag_t *scratch = diag_new();
    self->result->warnings = n ? calloc(n, sizeof *self->result->warnings) : NULL;
    if (!scratch || (n && !self->result->warnings)) {
        diag_destroy(&scratch);
        s_error(self, "out_of_memory", 0, "out of memory");
        return;
    }
    char what[300];
    snprintf(what, sizeof what, "%s: checking", self->name);
    progress_t *progress = self->long_file ? progress_new(what, self->result->n_reports) : NULL;
    for (size_t i = 0; i < self->result->n_reports; i++) {
        progress_update(progress, i);
        report_shrink(self->result->reports[i]); /* complete now: no room for more items */
        diag_clear(scratch);
        validate_report(self->result->reports[i], NULL, fw, scratch, self->name);
        for (size_t k = 0; k < diag_size(scratch); k++)
            s_keep(self, diag_at(scratch, k));
        if (s_keep_warnings(self, i, scratch) != 0)
            s_error(self, "out_of_memory", 0, "out of memory");
    }
    progress_destroy(&progress);
    diag_destroy(&scratch);
}

/* Parses and validates UTF-8 text into self->result. */
static void s_import_text(s_import_t *self, const char *text, size_t len, const framework_t *fw)
{
    if (s_parse(self, text, len) != 0)
        return;
    self->row_line = 1;
    if (!self->header_seen)
        s_error(self, "bad_header", 0,
                "no header row (unit,period,fund,item,value,"
                "unit_of_measure,target)");
    else if (self->header_ok && self->result->n_reports == 0 && self->errors == 0)
        s_error(self, "no_data", 0, "no data rows");
    s_validate_all(self, fw);
}

/* Frees what an import state holds, and its reports when it failed. */
static void s_import_end(s_import_t *self)
{
    zhashx_destroy(&self->index);
    diag_destroy(&self->diag);
    if (self->errors || self->lost_errors)
        csvimport_result_clear(self->result);
}

/* Imports the bytes read in one encoding into a fresh state on result.
   Returns 0, or -1 when out of memory (then nothing was imported). */
static int s_import_as(s_import_t *self, const char *name, const char *data, size_t len,
                       encoding_t encoding, const char *expected_unit, const framework_t *fw,
                       csvimport_result_t *result)
{
    memset(result, 0, sizeof *result);
    *self = (s_import_t){.name = name,
                         .expected_unit = expected_unit,
                         .diag = diag_new(),
                         .result = result,
                         .index = zhashx_new(),
                         .long_file = len >= LONG_FILE};
    if (!self->diag || !self->index)
        return -1;
    result->encoding = encoding_name(encoding);
    size_t text_len = len, bad_at = 0;
    const char *why = NULL;
    char *decoded = NULL;
    const char *text = data + encoding_bom_length(data, len);
    text_len -= (size_t)(text - data);
    if (encoding != ENCODING_UTF8) /* UTF-8 is read where it is, without a copy */
        text = decoded = encoding_decode(data, len, encoding, &text_len, &why, &bad_at);
    if (!text)
        return -1;
    s_import_text(self, text, text_len, fw);
    free(decoded);
    return 0;
}

/* Same as csvimport_file, from memory; name is used in diagnostics. */
int csvimport_buffer(const char *name, const char *data, size_t len, const char *expected_unit,
                     const framework_t *fw, csvimport_result_t *result, diag_t *diag)
{
    if (!result)
        return -1;
    memset(result, 0, sizeof *result);
    name = name ? name : "";
    encoding_t found[2];
    const char *why = NULL;
    size_t bad_at = 0;
    size_t n = data ? encoding_candidates(data, len, found, &why, &bad_at) : 0;
    if (n == 0) {
        diag_add(diag, DIAG_ERROR, "bad_encoding", name, data ? s_line_of(data, bad_at) : 0, 0,
                 "%s", data ? why : "no data");
        return -1;
    }
    s_import_t self, other;
    csvimport_result_t other_result;
    int rc = s_import_as(&self, name, data, len, found[0], expected_unit, fw, result);
    if (rc == 0 && n == 2 && self.errors) { /* the other reading may make every row parse */
        rc = s_import_as(&other, name, data, len, found[1], expected_unit, fw, &other_result);
        bool better = rc == 0 && other.errors == 0;
        s_import_end(better ? &self : &other);
        if (better) {
            self = other;
            *result = other_result;
            self.result = result;
        }
    }
    if (rc != 0) {
        diag_add(diag, DIAG_ERROR, "out_of_memory", name, 0, 0, "out of memory");
        self.errors++; /* so that s_import_end frees what was read */
    }
    result->both_valid = n == 2;
    s_copy_out(&self, diag);
    rc = self.errors || self.lost_errors || rc != 0 ? -1 : 0;
    s_import_end(&self);
    return rc;
}

/* Returns the room to read a file into first: its size when it has one. */
static size_t s_first_room(FILE *file)
{
    struct stat st;
    if (fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        st.st_size <= MAX_FILE_SIZE)
        return (size_t)st.st_size + 1; /* one more, to see the end at once */
    return 65536;
}

/* Reads a whole file into a new buffer; returns NULL with a reason in why. */
static char *s_read_file(const char *path, size_t *len, char *why, size_t why_size)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(why, why_size, "cannot open the file: %s", strerror(errno));
        return NULL;
    }
    char *data = NULL;
    size_t size = 0, cap = 0;
    why[0] = '\0';
    while (!why[0]) {
        if (size == cap) {
            size_t room = cap ? 2 * cap : s_first_room(file);
            char *grown = room <= MAX_FILE_SIZE + 1 ? realloc(data, room) : NULL;
            if (!grown) {
                snprintf(why, why_size, "%s",
                         room > MAX_FILE_SIZE + 1 ? "larger than 128 MiB" : "out of memory");
                break;
            }
            data = grown;
            cap = room;
        }
        size_t n = fread(data + size, 1, cap - size, file);
        size += n;
        if (size > MAX_FILE_SIZE)
            snprintf(why, why_size, "larger than 128 MiB");
        else if (n == 0)
            break;
    }
    if (!why[0] && ferror(file))
        snprintf(why, why_size, "cannot read the file: %s", strerror(errno));
    fclose(file);
    if (why[0]) {
        free(data);
        return NULL;
    }
    *len = size;
    return data ? data : calloc(1, 1);
}

/* Reads and validates a file. Returns 0 with the reports in *result, or -1
   when the file has any error (then *result is empty). */
int csvimport_file(const char *path, const char *expected_unit, const framework_t *fw,
                   csvimport_result_t *result, diag_t *diag)
{
    size_t len = 0;
    char why[300] = "no file name";
    char *data = path ? s_read_file(path, &len, why, sizeof why) : NULL;
    if (!data) {
        if (result)
            memset(result, 0, sizeof *result);
        diag_add(diag, DIAG_ERROR, "read_error", path, 0, 0, "%s", why);
        return -1;
    }
    int rc = csvimport_buffer(path, data, len, expected_unit, fw, result, diag);
    free(data);
    return rc;
}

/* Frees the reports of a result and empties it. */
void csvimport_result_clear(csvimport_result_t *result)
{
    if (!result)
        return;
    for (size_t i = 0; i < result->n_reports; i++) {
        report_destroy(&result->reports[i]);
        if (result->warnings)
            diag_destroy(&result->warnings[i]);
    }
    free(result->reports);
    free(result->warnings);
    result->reports = NULL;
    result->warnings = NULL;
    result->n_reports = 0;
}
