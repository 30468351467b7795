/*  validate - the rules of SPEC 2.3 for one report.

    Errors (the report must be refused): unknown item (nearest code
    suggested), bad number, bad unit of measure for the item, negative where
    not allowed, bad unit code or not the sender's, bad period or fund,
    duplicate item, dept items outside fund dept, a score above its maximum.
    Warnings (accepted, stored, shown, forwarded): total_mismatch,
    balance_identity, subsidy_standard, target_missed, unknown_indicator (an
    ind.* code that neither the framework nor SPEC 4 uses, nearest known
    code suggested). score_missing and
    score_total_mismatch belong to the evaluation (see evaluation.h).
*/
#ifndef VALIDATE_H_INCLUDED
#define VALIDATE_H_INCLUDED

#include "diag.h"
#include "framework.h"
#include "report.h"

/* The most ind.* (and score.*) items one report may carry (too_many_items). */
#define VALIDATE_MAX_FREE 200

/* Parses and checks every item of the report, setting each item's amount.
   expected_unit (may be NULL) must equal the report's unit; fw (may be NULL:
   the default framework) gives score maxima. Diagnostics go to diag with
   file (may be NULL) and each item's line. The warnings are checked only when
   there is no error. Returns 0 when there is no error (warnings allowed),
   -1 otherwise. */
int validate_report(report_t *report, const char *expected_unit, const framework_t *fw,
                    diag_t *diag, const char *file);

/* Checks and parses like validate_report (every item's amount is set, the
   same errors go to diag), but looks for the errors only: no warning is
   checked. For a receiver that refuses on errors and keeps no warning (the
   city at ingest: its evaluation validates the stored report again).
   Returns 0 when there is no error, -1 otherwise. */
int validate_errors(report_t *report, const char *expected_unit, const framework_t *fw,
                    diag_t *diag, const char *file);

/* Seconds of slack for clocks and time zones when a period's first day is
   compared with now (validate_receivable). */
#define VALIDATE_CLOCK_SKEW 86400

/* Checks the rules a receiver applies to one report beyond validate_report
   (the one place of them: the city calls it on every report it receives,
   and the agent's submit before it queues, so that nothing queued is
   refused for them later): the report's period must have begun by now
   (unix seconds), give or take VALIDATE_CLOCK_SKEW. The error
   (period_not_begun) goes to diag with file (may be NULL), the report's
   first line and the period column. A period that does not parse is left
   to validate_report. Returns 0 when there is no error, -1 otherwise. */
int validate_receivable(const report_t *report, int64_t now, diag_t *diag, const char *file);

#endif
