/*  hubreport - checks a report or narrative question, builds the hub's
    dossier and hands it to printout, which writes it.
*/
#include "hubreport.h"
#include "adcode.h"
#include "hubdossier.h"
#include "period.h"
#include "printout.h"
#include <string.h>

//  Checks the question. Returns 0, or -1 with a message on err.
static int s_check(const Fundchain__Query *q, printout_kind_t kind, FILE *err)
{
    period_t p;
    const char *why = "missing";
    if (!q->period || !*q->period || period_parse(q->period, &p, &why) != 0) {
        fprintf(err, "--period %s: %s\n", q->period ? q->period : "", why);
        return -1;
    }
    if (!q->fund || !period_fund_valid(q->fund)) {
        fprintf(err, "--fund must be resident, employee, maternity or dept\n");
        return -1;
    }
    if (kind == PRINTOUT_NARRATIVE && (!q->unit || !adcode_valid(q->unit))) {
        fprintf(err, "--unit must be a 6-digit code\n");
        return -1;
    }
    const char *format = q->format && *q->format ? q->format : NULL;
    return printout_check(kind, format, err);
}

//  Answers a report or narrative question.
int hubreport_answer(hubdb_t *db, const Fundchain__Query *q, const char *source, FILE *out,
                     FILE *err)
{
    printout_kind_t kind =
        q->kind == FUNDCHAIN__QUERY__KIND__NARRATIVE ? PRINTOUT_NARRATIVE : PRINTOUT_REPORT;
    if (s_check(q, kind, err) != 0)
        return 2;
    char code[64] = "", name[256] = "";
    store_meta_text(hubdb_store(db), "store.owner", code, sizeof code);
    store_meta_text(hubdb_store(db), "hub.name", name, sizeof name);
    hubdossier_about_t about = {code,
                                *name ? name : code,
                                q->period,
                                q->fund,
                                q->indicator && *q->indicator ? q->indicator : NULL,
                                source};
    json_t *dossier = hubdossier_build(db, &about, err);
    if (!dossier)
        return 1;
    int rc = printout_write(kind, dossier, q->unit, q->format && *q->format ? q->format : NULL, out,
                            err);
    json_decref(dossier);
    return rc;
}
