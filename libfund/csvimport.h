/*  csvimport - reads the import format of SPEC 2.1 with libcsv.

    UTF-8, UTF-8 with BOM, and GB18030/GBK (as Excel saves it on a Chinese
    desktop) converted through iconv; bytes valid in both are read in the
    encoding that makes every row parse and every header match, else the one
    whose text is Chinese (encoding.h). A file is accepted or rejected as a
    whole: any error rejects every report in it, and every problem is listed
    with file, line and column (at most 100 errors and 100 warnings, then
    their count). Rows whose every field is empty (Excel's ",,,,,,") are
    ignored like blank lines. Work is linear in the size of the file; a long
    file shows its progress when stderr is a terminal.
*/
#ifndef CSVIMPORT_H_INCLUDED
#define CSVIMPORT_H_INCLUDED

#include "diag.h"
#include "framework.h"
#include "report.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    report_t **reports; /* one per (period, fund) found, in order of first appearance */
    diag_t **warnings;  /* parallel to reports: the warnings validate_report gave each one,
                           all of them (not capped); NULL when there are no reports */
    size_t n_reports;
    const char *encoding; /* the encoding the file was read in: "UTF-8" or "GB18030" */
    bool both_valid;      /* the bytes were valid in both, and encoding was chosen */
} csvimport_result_t;

/* Reads and validates a file. expected_unit (may be NULL) is the importing
   agent's own code; fw (may be NULL: the default framework) gives score
   maxima. Errors and warnings go to diag, with file:line:column.
   Returns 0 with the reports in *result, or -1 when the file has any error
   (then *result is empty). */
int csvimport_file(const char *path, const char *expected_unit, const framework_t *fw,
                   csvimport_result_t *result, diag_t *diag);

/* Same, from memory; name is used in diagnostics. */
int csvimport_buffer(const char *name, const char *data, size_t len, const char *expected_unit,
                     const framework_t *fw, csvimport_result_t *result, diag_t *diag);

/* Frees the reports of a result, and their warnings, and empties it. */
void csvimport_result_clear(csvimport_result_t *result);

#endif
