/*  period - reporting periods YYYY, YYYY-Qn and YYYY-MM, and their deadlines.

    Deadlines are computed in UTC with timegm, never in local time.
*/
#include "period.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEADLINE_DAYS 3660

/* Reads exactly n ASCII digits at p into *value; returns 0 or -1. */
static int s_digits(const char *p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return 0;
}

/* Parses a period; returns 0, or -1 with a static reason in *why. */
int period_parse(const char *text, period_t *period, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    period_t p = {PERIOD_YEAR, 0, 0};
    size_t len = text ? strlen(text) : 0;
    if ((len != 4 && len != 7) || s_digits(text, 4, &p.year) != 0 || (len == 7 && text[4] != '-')) {
        *why = "not a period (YYYY, YYYY-Qn or YYYY-MM)";
        return -1;
    }
    if (p.year < 1900) {
        *why = "year before 1900";
        return -1;
    }
    if (len == 7 && text[5] == 'Q') {
        p.kind = PERIOD_QUARTER;
        if (s_digits(text + 6, 1, &p.index) != 0 || p.index < 1 || p.index > 4) {
            *why = "quarter not 1 to 4";
            return -1;
        }
    } else if (len == 7) {
        p.kind = PERIOD_MONTH;
        if (s_digits(text + 5, 2, &p.index) != 0 || p.index < 1 || p.index > 12) {
            *why = "month not 01 to 12";
            return -1;
        }
    }
    *period = p;
    return 0;
}

/* Returns the number of months the period spans (12, 3 or 1). */
int period_months(const period_t *period)
{
    switch (period->kind) {
    case PERIOD_QUARTER:
        return 3;
    case PERIOD_MONTH:
        return 1;
    default:
        return 12;
    }
}

/* Returns the 0-based month that follows the period's last month, counted
   from January of the period's year (12 for a whole year). */
static int s_next_month(const period_t *period)
{
    switch (period->kind) {
    case PERIOD_QUARTER:
        return period->index * 3;
    case PERIOD_MONTH:
        return period->index;
    default:
        return 12;
    }
}

/* Returns the deadline: the end of the period's last day (23:59:59 UTC) plus
   the configured days, as unix seconds. */
time_t period_deadline(const period_t *period, const deadline_cfg_t *cfg)
{
    deadline_cfg_t defaults;
    if (!cfg) {
        period_deadline_defaults(&defaults);
        cfg = &defaults;
    }
    struct tm tm = {0};
    tm.tm_year = period->year - 1900;
    tm.tm_mon = s_next_month(period); /* timegm normalises month 12 */
    tm.tm_mday = 1;
    time_t next = timegm(&tm);
    int days = period->kind == PERIOD_MONTH     ? cfg->month
               : period->kind == PERIOD_QUARTER ? cfg->quarter
                                                : cfg->year;
    return next - 1 + (time_t)days * 86400;
}

/* Fills the defaults of SPEC 3 (month=10, quarter=5, year=15). */
void period_deadline_defaults(deadline_cfg_t *cfg)
{
    cfg->month = 10;
    cfg->quarter = 5;
    cfg->year = 15;
}

/* Parses one "key=days" pair into cfg; returns 0 or -1 with a reason. */
static int s_pair(const char *pair, size_t len, deadline_cfg_t *cfg, const char **why)
{
    static const char *keys[] = {"month", "quarter", "year"};
    int *slots[] = {&cfg->month, &cfg->quarter, &cfg->year};
    const char *eq = memchr(pair, '=', len);
    size_t klen = eq ? (size_t)(eq - pair) : len;
    for (int i = 0; eq && i < 3; i++) {
        if (klen != strlen(keys[i]) || strncmp(pair, keys[i], klen) != 0)
            continue;
        int days = 0;
        size_t dlen = len - klen - 1;
        if (dlen < 1 || dlen > 4 || s_digits(eq + 1, (int)dlen, &days) != 0 ||
            days > MAX_DEADLINE_DAYS) {
            *why = "deadline days not a number from 0 to 3660";
            return -1;
        }
        *slots[i] = days;
        return 0;
    }
    *why = "deadline not month=N, quarter=N or year=N";
    return -1;
}

/* Parses "month=10,quarter=5,year=15" (any non-empty subset, any order) over
   cfg; cfg is left unchanged on error. Returns 0, or -1 with a static reason. */
int period_deadline_parse(const char *text, deadline_cfg_t *cfg, const char **why)
{
    const char *unused;
    why = why ? why : &unused;
    if (!text || !*text) {
        *why = "empty deadline";
        return -1;
    }
    deadline_cfg_t next = *cfg;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (s_pair(p, len, &next, why) != 0)
            return -1;
        if (!comma)
            break;
        p = comma + 1;
    }
    *cfg = next;
    return 0;
}

/* Returns true when s is a known fund: resident, employee, maternity, dept. */
bool period_fund_valid(const char *s)
{
    static const char *funds[] = {"resident", "employee", "maternity", "dept"};
    for (size_t i = 0; s && i < sizeof funds / sizeof funds[0]; i++)
        if (strcmp(s, funds[i]) == 0)
            return true;
    return false;
}

//  Returns the Chinese name of a fund.
const char *period_fund_name(const char *fund)
{
    static const char *names[][2] = {{"resident", "城乡居民基本医疗保险"},
                                     {"employee", "职工基本医疗保险"},
                                     {"maternity", "生育保险"},
                                     {"dept", "部门整体支出"}};
    for (size_t i = 0; fund && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(fund, names[i][0]) == 0)
            return names[i][1];
    return fund ? fund : "";
}
