/*  printout - dispatches a dossier to its renderer: htmlreport, narrative,
    or the JSON itself (EVALVIEW_JSON_FLAGS, as every query prints JSON).
*/
#include "printout.h"
#include "evalview.h"
#include "htmlreport.h"
#include "narrative.h"
#include "outfile.h"
#include <string.h>

//  Checks the format.
int printout_check(printout_kind_t kind, const char *format, FILE *err)
{
    narrative_format_t unused;
    if (!format || !strcmp(format, "html"))
        return 0;
    if (kind == PRINTOUT_REPORT && !strcmp(format, "json"))
        return 0;
    if (kind == PRINTOUT_NARRATIVE && narrative_format_parse(format, &unused) == 0)
        return 0;
    fprintf(err, "--format must be %s\n", kind == PRINTOUT_REPORT ? "html or json" : "html or md");
    return -1;
}

//  True when the dossier holds an evaluation of the shown period.
static bool s_reported(const json_t *dossier)
{
    return json_array_size(json_object_get(dossier, "pools")) +
               json_array_size(json_object_get(dossier, "units")) >
           0;
}

//  Writes the dossier.
int printout_write(printout_kind_t kind, const json_t *dossier, const char *code,
                   const char *format, FILE *out, FILE *err)
{
    if (printout_check(kind, format, err) != 0)
        return 2;
    if (!s_reported(dossier)) {
        fprintf(err, "nothing is reported for %s %s\n",
                json_string_value(json_object_get(dossier, "period")),
                json_string_value(json_object_get(dossier, "fund")));
        return 1;
    }
    int rc;
    if (kind == PRINTOUT_NARRATIVE) {
        narrative_format_t nf = NARRATIVE_HTML;
        if (format)
            narrative_format_parse(format, &nf);
        rc = narrative_write(dossier, code, nf, out);
        if (rc == 1)
            return 1; //  narrative_write said which code it lacks
    } else if (format && !strcmp(format, "json"))
        rc = json_dumpf(dossier, out, EVALVIEW_JSON_FLAGS) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    else
        rc = htmlreport_write(dossier, out);
    if (rc != 0)
        fprintf(err, "cannot write the %s\n", kind == PRINTOUT_REPORT ? "report" : "narrative");
    return rc == 0 ? 0 : 1;
}

//  Writes the dossier to a file.
int printout_file(printout_kind_t kind, const json_t *dossier, const char *code, const char *format,
                  const char *path)
{
    if (printout_check(kind, format, stderr) != 0)
        return 2;
    outfile_t *out = outfile_new(path);
    if (!out)
        return 1;
    int code_rc = printout_write(kind, dossier, code, format, outfile_stream(out), stderr);
    if (code_rc != 0) {
        outfile_destroy(&out);
        return code_rc;
    }
    return outfile_commit(&out) == 0 ? 0 : 1;
}
