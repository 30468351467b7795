/*  period - reporting periods YYYY, YYYY-Qn and YYYY-MM, and their deadlines. */
#ifndef PERIOD_H_INCLUDED
#define PERIOD_H_INCLUDED

#include <stdbool.h>
#include <time.h>

typedef enum { PERIOD_YEAR, PERIOD_QUARTER, PERIOD_MONTH } period_kind_t;

typedef struct {
    period_kind_t kind;
    int year;  /* 1900..9999 */
    int index; /* quarter 1..4 or month 1..12; 0 for a year */
} period_t;

/* Days after the period end by which a first revision is on time. */
typedef struct {
    int month;   /* default 10 */
    int quarter; /* default 5 */
    int year;    /* default 15 */
} deadline_cfg_t;

/* Parses a period; returns 0, or -1 with a static reason in *why. */
int period_parse(const char *text, period_t *period, const char **why);

/* Returns the number of months the period spans (12, 3 or 1). */
int period_months(const period_t *period);

/* Returns the deadline: the end of the period's last day (UTC) plus the
   configured days, as unix seconds. */
time_t period_deadline(const period_t *period, const deadline_cfg_t *cfg);

/* Fills the defaults of SPEC 3 (month=10, quarter=5, year=15). */
void period_deadline_defaults(deadline_cfg_t *cfg);

/* Parses "month=10,quarter=5,year=15" (any subset, any order) over cfg;
   returns 0, or -1 with a static reason. */
int period_deadline_parse(const char *text, deadline_cfg_t *cfg, const char **why);

/* Returns true when s is a known fund: resident, employee, maternity, dept. */
bool period_fund_valid(const char *s);

/* Returns the Chinese name of a fund (城乡居民基本医疗保险, ...), or the
   code itself for another. */
const char *period_fund_name(const char *fund);

#endif
