/*  overdue - which units are silent past a deadline (see overdue.h).

    A city has at most 100 unit codes (PPCC00-PPCC99), so a unit is an
    index: its code's last two digits. The keys come pair by pair; when a
    pair ends, its deadline decides whether its missing units are overdue.
*/
#include "overdue.h"
#include "cityeval.h"
#include "period.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERDUE_UNITS 100
#define OVERDUE_FUNDS 16 //  the funds whose known units are kept for one pass

//  The known units of one fund, read once a pass (cityeval_known).
typedef struct {
    char fund[32];
    bool known[OVERDUE_UNITS];
} fund_units_t;

typedef struct {
    citydb_t *db;
    const cityconf_t *conf;
    time_t now;
    char period[16], fund[32];    //  the pair being read
    bool reported[OVERDUE_UNITS]; //  the units with a report of it
    bool known[OVERDUE_UNITS];    //  expected in some fund
    int64_t seconds[OVERDUE_UNITS];
    fund_units_t funds[OVERDUE_FUNDS];
    int n_funds;
    int failed;
} scan_t;

static int s_index(const scan_t *s, const char *code)
{
    if (strlen(code) != 6 || strncmp(code, s->conf->city, 4) != 0)
        return -1;
    return (code[4] - '0') * 10 + (code[5] - '0');
}

//  The known units of fund, read from the store the first time in a pass;
//  NULL when they cannot be read (or too many funds: not expected).
static const bool *s_known(scan_t *s, const char *fund)
{
    for (int i = 0; i < s->n_funds; i++)
        if (!strcmp(s->funds[i].fund, fund))
            return s->funds[i].known;
    if (s->n_funds == OVERDUE_FUNDS)
        return NULL;
    fund_units_t *f = &s->funds[s->n_funds];
    memset(f, 0, sizeof *f);
    snprintf(f->fund, sizeof f->fund, "%s", fund);
    char(*codes)[8] = NULL;
    int n = cityeval_known(s->db, s->conf, fund, &codes);
    for (int i = 0; i < n; i++) {
        int k = s_index(s, codes[i]);
        if (k >= 0)
            f->known[k] = true;
    }
    free(codes);
    if (n < 0)
        return NULL;
    s->n_funds++;
    return f->known;
}

//  Ends the pair read so far: its missing units are overdue when its
//  deadline has passed.
static void s_end_pair(scan_t *s)
{
    period_t period;
    const char *why;
    if (!s->period[0] || period_parse(s->period, &period, &why) != 0)
        return;
    const bool *known = s_known(s, s->fund);
    s->failed |= !known;
    time_t deadline = period_deadline(&period, &s->conf->deadline);
    for (int k = 0; known && k < OVERDUE_UNITS; k++) {
        if (!known[k])
            continue;
        s->known[k] = true;
        if (!s->reported[k] && s->now > deadline && s->now - deadline > s->seconds[k])
            s->seconds[k] = s->now - deadline;
    }
}

static int s_key(const char *period, const char *fund, const char *unit, void *arg)
{
    scan_t *s = arg;
    if (strcmp(period, s->period) || strcmp(fund, s->fund)) {
        s_end_pair(s);
        snprintf(s->period, sizeof s->period, "%s", period);
        snprintf(s->fund, sizeof s->fund, "%s", fund);
        memset(s->reported, 0, sizeof s->reported);
    }
    int k = s_index(s, unit);
    if (k >= 0)
        s->reported[k] = true;
    return 0;
}

//  Visits every known unit with how long it is overdue.
int overdue_each(citydb_t *db, const cityconf_t *conf, time_t now, overdue_fn *fn, void *arg)
{
    scan_t *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->db = db;
    s->conf = conf;
    s->now = now;
    int rc = citydb_each_key(db, s_key, s);
    s_end_pair(s);
    for (size_t i = 0; i < conf->n_units; i++) {
        int k = s_index(s, conf->units[i].code);
        if (k >= 0)
            s->known[k] = true;
    }
    for (int k = 0; rc == 0 && !s->failed && k < OVERDUE_UNITS; k++)
        if (s->known[k]) {
            char code[8];
            snprintf(code, sizeof code, "%.4s%02d", conf->city, k);
            fn(code, s->seconds[k], arg);
        }
    rc = rc == 0 && !s->failed ? 0 : -1;
    free(s);
    return rc;
}
