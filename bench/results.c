/*  results - the one table of a run (see results.h). Rows are kept in the
    order they were added; printing measures every column first so that
    the table is aligned. Out of memory loses the row and returns -1.
*/
#include "results.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RESULTS_COLS 7

typedef struct {
    char *cell[RESULTS_COLS];
} row_t;

struct _results_t {
    char **header;
    size_t n_header;
    row_t *rows;
    size_t n_rows, cap;
};

static const char *s_titles[RESULTS_COLS] = {"section",  "measure", "value", "vs baseline",
                                             "eval lag", "target",  "note"};

results_t *results_new(void)
{
    return calloc(1, sizeof(results_t));
}

void results_destroy(results_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    results_t *self = *self_p;
    for (size_t i = 0; i < self->n_header; i++)
        free(self->header[i]);
    for (size_t i = 0; i < self->n_rows; i++)
        for (int c = 0; c < RESULTS_COLS; c++)
            free(self->rows[i].cell[c]);
    free(self->header);
    free(self->rows);
    free(self);
    *self_p = NULL;
}

int results_header(results_t *self, const char *fmt, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&line, fmt, ap);
    va_end(ap);
    char **grown = rc < 0 ? NULL : realloc(self->header, (self->n_header + 1) * sizeof(char *));
    if (!grown) {
        free(rc < 0 ? NULL : line);
        return -1;
    }
    self->header = grown;
    self->header[self->n_header++] = line;
    return 0;
}

//  Formats a number with a thousands separator when it is large.
static void s_number(char *buf, size_t size, double v, const char *unit)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    char num[48];
    if (v >= 10000) {
        long n = lround(v);
        snprintf(num, sizeof num, "%ld,%03ld", n / 1000, n % 1000);
        if (n >= 1000000)
            snprintf(num, sizeof num, "%ld,%03ld,%03ld", n / 1000000, n / 1000 % 1000, n % 1000);
    } else if (v >= 100)
        snprintf(num, sizeof num, "%.0f", v);
    else if (v >= 10)
        snprintf(num, sizeof num, "%.1f", v);
    else
        snprintf(num, sizeof num, "%.2f", v);
    snprintf(buf, size, "%s%s%s", num, unit ? " " : "", unit ? unit : "");
}

int results_add(results_t *self, const char *section, const char *measure, double value,
                const char *unit, double ratio, double lag_s, const char *target, const char *note)
{
    if (self->n_rows == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        row_t *grown = realloc(self->rows, cap * sizeof(row_t));
        if (!grown)
            return -1;
        self->rows = grown;
        self->cap = cap;
    }
    char v[128], r[32], l[32];
    s_number(v, sizeof v, value, unit);
    snprintf(r, sizeof r, isnan(ratio) ? "-" : "%.3f", ratio);
    snprintf(l, sizeof l, isnan(lag_s) ? "-" : "%.2f s", lag_s);
    const char *cells[RESULTS_COLS] = {section,         measure, v, r, l, target ? target : "",
                                       note ? note : ""};
    row_t *row = &self->rows[self->n_rows];
    for (int c = 0; c < RESULTS_COLS; c++)
        row->cell[c] = strdup(cells[c]);
    self->n_rows++;
    return 0;
}

int results_note(results_t *self, const char *section, const char *measure, const char *note)
{
    return results_add(self, section, measure, NAN, NULL, NAN, NAN, NULL, note);
}

//  Returns the width of a UTF-8 string in columns (one per code point).
static size_t s_width(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

//  Prints one line of cells padded to the widths.
static void s_line(FILE *out, const char *const *cells, const size_t *width)
{
    for (int c = 0; c < RESULTS_COLS; c++) {
        const char *s = cells[c] ? cells[c] : "";
        fprintf(out, c ? " | %s" : "%s", s);
        if (c < RESULTS_COLS - 1)
            for (size_t w = s_width(s); w < width[c]; w++)
                fputc(' ', out);
    }
    fputc('\n', out);
}

void results_print(const results_t *self, FILE *out)
{
    for (size_t i = 0; i < self->n_header; i++)
        fprintf(out, "%s\n", self->header[i]);
    size_t width[RESULTS_COLS];
    for (int c = 0; c < RESULTS_COLS; c++) {
        width[c] = s_width(s_titles[c]);
        for (size_t i = 0; i < self->n_rows; i++)
            if (s_width(self->rows[i].cell[c]) > width[c])
                width[c] = s_width(self->rows[i].cell[c]);
    }
    s_line(out, s_titles, width);
    const char *rule[RESULTS_COLS];
    char dashes[RESULTS_COLS][128];
    for (int c = 0; c < RESULTS_COLS; c++) {
        size_t w = width[c] < sizeof dashes[c] - 1 ? width[c] : sizeof dashes[c] - 1;
        memset(dashes[c], '-', w);
        dashes[c][w] = 0;
        rule[c] = dashes[c];
    }
    s_line(out, rule, width);
    for (size_t i = 0; i < self->n_rows; i++)
        s_line(out, (const char *const *)self->rows[i].cell, width);
}
