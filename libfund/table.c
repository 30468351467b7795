/*  table - rows of text printed as an aligned table (by display width, so
    that Chinese names line up) or as CSV (RFC 4180 quoting, through libcsv).
*/
#include "table.h"

#include <csv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RULE_MAX 40 /* longest underline of a left-aligned last column */

struct _table_t {
    size_t ncols;
    char **headers; /* ncols strings */
    bool *right;    /* ncols flags: right-aligned */
    char **cells;   /* nrows * ncols strings */
    size_t nrows;
    size_t cap; /* rows allocated */
};

/* A range of code points [lo, hi]. */
typedef struct {
    uint32_t lo, hi;
} s_range_t;

/* Zero-width code points: combining marks, zero-width spaces and joiners,
   variation selectors. Checked before the wide ranges (U+302A..U+302D lie
   inside them). Sorted. */
static const s_range_t s_zero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED},   {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},   {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0001, 0xE007F}, {0xE0100, 0xE01EF},
};

/* East Asian Wide (W) and Fullwidth (F) code points. Sorted. */
static const s_range_t s_wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x3247},   {0x3250, 0x4DBF},   {0x4E00, 0xA4CF},   {0xA960, 0xA97F},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF},
    {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248},
    {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335},
    {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
    {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
    {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
    {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F93A},
    {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

/* Returns true when cp lies in one of the sorted ranges (binary search). */
static bool s_in_ranges(uint32_t cp, const s_range_t *ranges, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < ranges[mid].lo)
            hi = mid;
        else if (cp > ranges[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Decodes one UTF-8 sequence at s; stores the code point and returns the
   number of bytes used, or 0 for an invalid sequence. */
static size_t s_decode(const unsigned char *s, uint32_t *cp)
{
    size_t len;
    uint32_t value, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, value = s[0] & 0x1F, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, value = s[0] & 0x0F, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, value = s[0] & 0x07, min = 0x10000;
    } else
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return len;
}

/* Returns the display width of one code point. */
static size_t s_cp_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0; /* control characters */
    if (s_in_ranges(cp, s_zero, sizeof s_zero / sizeof s_zero[0]))
        return 0;
    if (s_in_ranges(cp, s_wide, sizeof s_wide / sizeof s_wide[0]))
        return 2;
    return 1;
}

//  Parses the --format of a query.
int table_format_parse_query(const char *text, format_t *format)
{
    if (text && strcmp(text, "xlsx") == 0) {
        *format = FORMAT_XLSX;
        return 0;
    }
    return table_format_parse(text, format);
}

//  Parses a text format.
int table_format_parse(const char *text, format_t *format)
{
    if (!text || !format)
        return -1;
    if (strcmp(text, "table") == 0)
        *format = FORMAT_TABLE;
    else if (strcmp(text, "csv") == 0)
        *format = FORMAT_CSV;
    else if (strcmp(text, "json") == 0)
        *format = FORMAT_JSON;
    else
        return -1;
    return 0;
}

/* Returns the display width of UTF-8 text; an invalid byte counts 1. */
size_t table_text_width(const char *utf8)
{
    if (!utf8)
        return 0;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t width = 0;
    while (*s) {
        uint32_t cp;
        size_t len = s_decode(s, &cp);
        if (len == 0) {
            width++;
            s++;
        } else {
            width += s_cp_width(cp);
            s += len;
        }
    }
    return width;
}

/* Frees n strings and the array; safe on NULL. */
static void s_free_strings(char **strings, size_t n)
{
    if (!strings)
        return;
    for (size_t i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}

/* Copies n strings (NULL copies as ""); returns NULL when out of memory. */
static char **s_copy_strings(const char *const *src, size_t n)
{
    char **copy = calloc(n ? n : 1, sizeof(char *));
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        copy[i] = strdup(src && src[i] ? src[i] : "");
        if (!copy[i]) {
            s_free_strings(copy, i);
            return NULL;
        }
    }
    return copy;
}

/* Creates a table with these column headers; NULL when out of memory. */
table_t *table_new(const char *const *headers, size_t ncols)
{
    if (ncols == 0)
        return NULL;
    table_t *self = calloc(1, sizeof(table_t));
    if (!self)
        return NULL;
    self->ncols = ncols;
    self->headers = s_copy_strings(headers, ncols);
    self->right = calloc(ncols, sizeof(bool));
    if (!self->headers || !self->right)
        table_destroy(&self);
    return self;
}

/* Destroys the table and nulls the pointer; safe on NULL. */
void table_destroy(table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    table_t *self = *self_p;
    s_free_strings(self->headers, self->headers ? self->ncols : 0);
    s_free_strings(self->cells, self->nrows * self->ncols);
    free(self->right);
    free(self);
    *self_p = NULL;
}

/* Appends a row of ncols cells (NULL cells print empty); copies the text.
   Returns 0, or -1 when out of memory. */
int table_add(table_t *self, const char *const *cells)
{
    if (!self)
        return -1;
    if (self->nrows == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 16;
        if (cap > SIZE_MAX / sizeof(char *) / self->ncols)
            return -1;
        char **grown = realloc(self->cells, cap * self->ncols * sizeof(char *));
        if (!grown)
            return -1;
        self->cells = grown;
        self->cap = cap;
    }
    char **row = s_copy_strings(cells, self->ncols);
    if (!row)
        return -1;
    memcpy(self->cells + self->nrows * self->ncols, row, self->ncols * sizeof(char *));
    free(row);
    self->nrows++;
    return 0;
}

/* Marks a column as numeric (right-aligned in table format). */
void table_align_right(table_t *self, size_t col)
{
    if (self && col < self->ncols)
        self->right[col] = true;
}

/* Writes n spaces; returns 0, or -1 on a write error. */
static int s_pad(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fputc(' ', out) == EOF)
            return -1;
    return 0;
}

/* Prints one aligned row of cells; returns 0, or -1 on a write error. */
static int s_print_row(const table_t *self, char *const *cells, const size_t *widths, FILE *out)
{
    for (size_t c = 0; c < self->ncols; c++) {
        size_t width = table_text_width(cells[c]);
        size_t pad = widths[c] > width ? widths[c] - width : 0;
        bool last = c + 1 == self->ncols;
        if (c > 0 && fputs("  ", out) == EOF)
            return -1;
        if (self->right[c] && s_pad(out, pad) != 0)
            return -1;
        if (fputs(cells[c], out) == EOF)
            return -1;
        if (!self->right[c] && !last && s_pad(out, pad) != 0)
            return -1;
    }
    return fputc('\n', out) == EOF ? -1 : 0;
}

/* Prints the header underline; returns 0, or -1 on a write error. */
static int s_print_rule(const table_t *self, const size_t *widths, FILE *out)
{
    for (size_t c = 0; c < self->ncols; c++) {
        size_t width = widths[c];
        /* A long free text in the last column is not underlined to its end. */
        size_t header = table_text_width(self->headers[c]);
        if (c + 1 == self->ncols && !self->right[c] && width > RULE_MAX)
            width = header > RULE_MAX ? header : RULE_MAX;
        if (c > 0 && fputs("  ", out) == EOF)
            return -1;
        for (size_t i = 0; i < width; i++)
            if (fputc('-', out) == EOF)
                return -1;
    }
    return fputc('\n', out) == EOF ? -1 : 0;
}

/* Prints the table aligned by display width; returns 0, or -1. */
static int s_print_table(const table_t *self, FILE *out)
{
    size_t *widths = calloc(self->ncols, sizeof(size_t));
    if (!widths)
        return -1;
    for (size_t c = 0; c < self->ncols; c++) {
        widths[c] = table_text_width(self->headers[c]);
        for (size_t r = 0; r < self->nrows; r++) {
            size_t width = table_text_width(self->cells[r * self->ncols + c]);
            if (width > widths[c])
                widths[c] = width;
        }
    }
    int rc = s_print_row(self, self->headers, widths, out);
    if (rc == 0)
        rc = s_print_rule(self, widths, out);
    for (size_t r = 0; rc == 0 && r < self->nrows; r++)
        rc = s_print_row(self, self->cells + r * self->ncols, widths, out);
    free(widths);
    return rc;
}

/* Writes one CSV field, quoted (by libcsv) only when RFC 4180 requires it. */
static int s_csv_field(const char *text, FILE *out)
{
    size_t len = strlen(text);
    if (strpbrk(text, ",\"\r\n"))
        return csv_fwrite(out, text, len) == 0 ? 0 : -1;
    return fwrite(text, 1, len, out) == len ? 0 : -1;
}

/* Writes one CSV record; returns 0, or -1 on a write error. */
static int s_csv_row(const table_t *self, char *const *cells, FILE *out)
{
    for (size_t c = 0; c < self->ncols; c++) {
        if (c > 0 && fputc(',', out) == EOF)
            return -1;
        if (s_csv_field(cells[c], out) != 0)
            return -1;
    }
    return fputc('\n', out) == EOF ? -1 : 0;
}

/* Prints the table as CSV with a header record; returns 0, or -1. */
static int s_print_csv(const table_t *self, FILE *out)
{
    int rc = s_csv_row(self, self->headers, out);
    for (size_t r = 0; rc == 0 && r < self->nrows; r++)
        rc = s_csv_row(self, self->cells + r * self->ncols, out);
    return rc;
}

/* Prints as FORMAT_TABLE (aligned, header underlined) or FORMAT_CSV.
   Returns 0, or -1 on a write error or for FORMAT_JSON. */
int table_print(const table_t *self, format_t format, FILE *out)
{
    if (!self || !out)
        return -1;
    int rc;
    if (format == FORMAT_TABLE)
        rc = s_print_table(self, out);
    else if (format == FORMAT_CSV)
        rc = s_print_csv(self, out);
    else
        return -1;
    if (rc == 0 && ferror(out))
        rc = -1;
    return rc;
}
