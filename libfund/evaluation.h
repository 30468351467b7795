/*  evaluation - scores one unit's report, or a city pool, into the
    protobuf Evaluation that the city shows, publishes and forwards.

    Indicators follow SPEC 4 (exact, absent never zero, fallback to the
    reported ind.*), pools SPEC 3 (consolidation with elimination of
    intra-pool transfers, reconciliation, completeness), scores SPEC 5.
*/
#ifndef EVALUATION_H_INCLUDED
#define EVALUATION_H_INCLUDED

#include "fundchain.pb-c.h"
#include "diag.h"
#include "framework.h"
#include "poolmember.h"
#include "report.h"
#include <stddef.h>

/* Thresholds of risk_level on months_payable, 1/QTY_SCALE units:
   < level1 -> level1, < level2 -> level2, < level3 -> level3,
   <= normal -> normal, above -> excess. Defaults 3, 6, 9, 15. */
typedef struct {
    int64_t level1, level2, level3, normal;
} risk_cfg_t;

typedef struct {
    const framework_t *fw; /* NULL: the default framework */
    risk_cfg_t risk;
} eval_cfg_t;

/* Fills the default configuration (default framework, default thresholds). */
void evaluation_cfg_defaults(eval_cfg_t *cfg);

/* Parses "3,6,9,15" into risk thresholds; returns 0 or -1 with a reason. */
int evaluation_risk_parse(const char *text, risk_cfg_t *risk, const char **why);

/* Evaluates one validated report: items, indicators, scores, total, grade
   and warnings (validation warnings plus score_missing and
   score_total_mismatch). city and name may be NULL. Returns a heap
   Evaluation (free with evaluation_free), or NULL when out of memory. */
Fundchain__Evaluation *evaluation_unit(const report_t *report, const char *city, const char *name,
                                       const eval_cfg_t *cfg);

/* The same for a report that validate_report already checked against
   cfg's framework (the default when cfg or its fw is NULL), with diag the
   diagnostics it gave: the report is neither copied nor validated again. */
Fundchain__Evaluation *evaluation_unit_checked(const report_t *report, const diag_t *diag,
                                               const char *city, const char *name,
                                               const eval_cfg_t *cfg);

/* Evaluates the pool of a city for one period and fund from the newest
   validated report of each unit that reported (the 市本级 is the report whose
   unit equals city). known lists the codes of every known unit (the city's
   configured units plus any that ever reported for the fund); the pool is
   incomplete while one of them has not reported. Returns NULL when out of
   memory. */
Fundchain__Evaluation *evaluation_pool(const char *city, const char *name, const char *period,
                                       const char *fund, report_t *const *reports, size_t n_reports,
                                       const char *const *known, size_t n_known,
                                       const eval_cfg_t *cfg);

/* The same from the members of the reports (poolmember.h): the same
   evaluation, without the reports. */
Fundchain__Evaluation *evaluation_pool_members(const char *city, const char *name,
                                               const char *period, const char *fund,
                                               const poolmember_t *const *members, size_t n_members,
                                               const char *const *known, size_t n_known,
                                               const eval_cfg_t *cfg);

/* Appends a warning (code, message: copied, the message cut at 511 bytes)
   to an evaluation made by this module. Returns 0, or -1 when out of
   memory (the evaluation is unchanged then, or holds a blank warning). */
int evaluation_add_warning(Fundchain__Evaluation *eval, const char *code, const char *message);

/* Frees an Evaluation made by this module or by evaluation_decode; safe on NULL. */
void evaluation_free(Fundchain__Evaluation *eval);

/* Serialises an Evaluation; returns a malloc'ed buffer or NULL. */
uint8_t *evaluation_encode(const Fundchain__Evaluation *eval, size_t *len);

/* Parses an Evaluation; returns NULL on malformed input (free with evaluation_free). */
Fundchain__Evaluation *evaluation_decode(const uint8_t *data, size_t len);

#endif
