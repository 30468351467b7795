/*  hubdossier - reads the hub's store for a dossier: the periods of the
    fund from the rank index, then each period's pools and units, as show
    prints them. A unit is its city's 市本级 when its code is the city's.
*/
#include "hubdossier.h"
#include "dossier.h"
#include "period.h"
#include <string.h>

typedef struct {
    dossier_t *dossier;
    hubdb_t *db;
    const char *fund;
    int months; //  the length of the period shown
} build_t;

static int s_add(const Fundchain__Evaluation *eval, void *arg)
{
    build_t *b = arg;
    bool seat = eval->level == FUNDCHAIN__EVALUATION__LEVEL__UNIT && eval->city &&
                !strcmp(eval->code, eval->city);
    return dossier_add(b->dossier, eval, seat) == 0 ? 0 : -1;
}

//  Adds a period's pools and units when it has the shown period's length.
static int s_period(const char *period, void *arg)
{
    build_t *b = arg;
    period_t p;
    const char *why;
    if (period_parse(period, &p, &why) != 0 || period_months(&p) != b->months)
        return 0;
    if (hubdb_each(b->db, period, b->fund, FUNDCHAIN__EVALUATION__LEVEL__POOL, s_add, b) != 0)
        return -1;
    return hubdb_each(b->db, period, b->fund, FUNDCHAIN__EVALUATION__LEVEL__UNIT, s_add, b);
}

//  Builds the hub's dossier.
json_t *hubdossier_build(hubdb_t *db, const hubdossier_about_t *about, FILE *err)
{
    period_t shown;
    const char *why;
    if (period_parse(about->period, &shown, &why) != 0) {
        fprintf(err, "--period %s: %s\n", about->period, why);
        return NULL;
    }
    dossier_about_t d = {"province",    about->code,      about->name, about->period, about->fund,
                         about->source, about->indicator, NULL,        NULL};
    build_t b = {dossier_new(&d), db, about->fund, period_months(&shown)};
    int rc = b.dossier ? hubdb_periods(db, about->fund, s_period, &b) : -1;
    json_t *doc = rc == 0 ? dossier_json(b.dossier) : NULL;
    if (!doc)
        fprintf(err, "cannot read the hub's store for %s %s\n", about->period, about->fund);
    dossier_destroy(&b.dossier);
    return doc;
}
