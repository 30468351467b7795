/*  citydossier - reads the city's store for a dossier: the periods of the
    fund first (keys only), then each period's evaluations from one read
    (cityeval_all), so a report shows what pool and show would print.
*/
#include "citydossier.h"
#include "cityeval.h"
#include "dossier.h"
#include "period.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *fund;
    int months; //  the length of the period shown
    json_t *periods;
} periods_t;

//  Collects the periods of the fund with the shown period's length.
static int s_period(const char *period, const char *fund, const char *unit, void *arg)
{
    periods_t *p = arg;
    period_t parsed;
    const char *why;
    (void)unit;
    if (strcmp(fund, p->fund) || period_parse(period, &parsed, &why) != 0 ||
        period_months(&parsed) != p->months)
        return 0;
    return json_object_set_new(p->periods, period, json_true());
}

//  Names every known unit, so that a period it missed shows as missing.
static int s_expect(dossier_t *d, citydb_t *db, const cityconf_t *conf, const char *fund)
{
    char(*codes)[8] = NULL;
    int n = cityeval_known(db, conf, fund, &codes);
    for (int i = 0; i < n; i++)
        if (dossier_expect(d, codes[i], cityconf_unit_name(conf, codes[i]),
                           !strcmp(codes[i], conf->city)) != 0)
            n = -1;
    free(codes);
    return n < 0 ? -1 : 0;
}

//  Adds one period's pool and units.
static int s_add_period(dossier_t *d, citydb_t *db, const cityconf_t *conf, const char *period,
                        const char *fund)
{
    Fundchain__Evaluation **evals = NULL;
    int n = cityeval_all(db, conf, period, fund, &evals);
    int rc = n < 0 ? -1 : 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            rc = dossier_add(d, evals[i],
                             !strcmp(evals[i]->code, conf->city) &&
                                 evals[i]->level == FUNDCHAIN__EVALUATION__LEVEL__UNIT);
        evaluation_free(evals[i]);
    }
    free(evals);
    return rc;
}

//  Builds the city's dossier.
json_t *citydossier_build(citydb_t *db, const cityconf_t *conf, const char *period,
                          const char *fund, const char *indicator, const char *source)
{
    period_t shown;
    const char *why;
    if (period_parse(period, &shown, &why) != 0)
        return NULL;
    dossier_about_t about = {"city", conf->city, conf->name,      period,     fund,
                             source, indicator,  conf->framework, &conf->risk};
    dossier_t *d = dossier_new(&about);
    periods_t p = {fund, period_months(&shown), json_object()};
    int rc = d && p.periods ? citydb_each_key(db, s_period, &p) : -1;
    if (rc == 0)
        rc = s_expect(d, db, conf, fund);
    const char *key;
    json_t *unused;
    json_object_foreach(p.periods, key, unused)
    {
        if (rc == 0)
            rc = s_add_period(d, db, conf, key, fund);
    }
    json_decref(p.periods);
    json_t *doc = rc == 0 ? dossier_json(d) : NULL;
    if (rc != 0)
        fprintf(stderr, "cannot read the city's store for %s %s\n", period, fund);
    dossier_destroy(&d);
    return doc;
}
