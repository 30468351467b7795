/*  hub - the commands of province-hub. Each returns an exit code of SPEC 7. */
#ifndef HUB_H_INCLUDED
#define HUB_H_INCLUDED

/* Receives and stores city evaluations; answers remote rank and show. */
int hub_run(int argc, char **argv);

/* Ranks cities or counties, from the store or from a remote hub. */
int hub_rank(int argc, char **argv);

/* Shows one evaluation, from the store or from a remote hub. */
int hub_show(int argc, char **argv);

/* Approves a city's pool (pending until the city locks it). */
int hub_approve(int argc, char **argv);

/* Withdraws the province's approval (pending until the city unlocks). */
int hub_unapprove(int argc, char **argv);

/* Shows every version of one evaluation the hub stored, with its changes. */
int hub_history(int argc, char **argv);

/* Writes the HTML report of a period and fund, from the store or a remote hub. */
int hub_report(int argc, char **argv);

/* Writes a unit's or a city pool's self-evaluation report (绩效自评报告). */
int hub_narrative(int argc, char **argv);

#include "fundchain.pb-c.h"
#include "opts.h"
#include <stdio.h>

/* Asks the hub at --query (with --query-pub and --key, or --insecure)
   and prints its answer: output on out, diagnostics on stderr. Returns
   the answer's exit code, or 1 when it does not come, 2 for bad key flags. */
int hub_remote(const opts_t *opts, Fundchain__Query *q, FILE *out);

#endif
