/*  city - the commands of city-aggregator. Each returns an exit code of SPEC 7. */
#ifndef CITY_H_INCLUDED
#define CITY_H_INCLUDED

/* Receives, validates and stores county reports; publishes pool changes. */
int city_run(int argc, char **argv);

/* Shows the pool of a period and fund. */
int city_pool(int argc, char **argv);

/* Shows one unit's own evaluation. */
int city_show(int argc, char **argv);

/* Shows completeness, timeliness and warnings. */
int city_status(int argc, char **argv);

/* Writes the HTML report of a period and fund (league tables, charts). */
int city_report(int argc, char **argv);

/* Writes a unit's or the pool's self-evaluation report (绩效自评报告). */
int city_narrative(int argc, char **argv);

/* Approves a unit's report, or the pool (--pool). */
int city_approve(int argc, char **argv);

/* Withdraws an approval (top-down: the pool's before its units'). */
int city_unapprove(int argc, char **argv);

/* Takes revisions of one (unit, period, fund) past --lock-after until a date. */
int city_unlock(int argc, char **argv);

/* Shows the audit trail of one (unit, period, fund). */
int city_history(int argc, char **argv);

/* Prints live updates from a city's PUB feed. */
int city_watch(int argc, char **argv);

#endif
