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

#endif
