/*  table - rows of text printed as an aligned table (by display width, so
    that Chinese names line up) or as CSV (RFC 4180 quoting).
*/
#ifndef TABLE_H_INCLUDED
#define TABLE_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

typedef enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_XLSX } format_t;

/* Parses "table", "csv" or "json"; returns 0, or -1 for anything else. */
int table_format_parse(const char *text, format_t *format);

/* Parses the --format of a query (rank, show, pool, status): "table",
   "csv", "json" or "xlsx" (a workbook: xlsx.h). Returns 0, or -1. */
int table_format_parse_query(const char *text, format_t *format);

/* Returns the display width of UTF-8 text on a terminal: 2 for East Asian
   wide and fullwidth characters, 0 for combining marks, 1 otherwise. */
size_t table_text_width(const char *utf8);

typedef struct _table_t table_t;

/* Creates a table with these column headers; NULL when out of memory. */
table_t *table_new(const char *const *headers, size_t ncols);

/* Destroys the table and nulls the pointer; safe on NULL. */
void table_destroy(table_t **self_p);

/* Appends a row of ncols cells (NULL cells print empty); copies the text.
   Returns 0, or -1 when out of memory. */
int table_add(table_t *self, const char *const *cells);

/* Marks a column as numeric (right-aligned in table format). */
void table_align_right(table_t *self, size_t col);

/* Prints as FORMAT_TABLE (aligned, header underlined) or FORMAT_CSV.
   Returns 0, or -1 on a write error or for FORMAT_JSON. */
int table_print(const table_t *self, format_t format, FILE *out);

#endif
