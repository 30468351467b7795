/*  cityseries - outliers (SPEC 9.3) against a unit's own history: the
    values kept of each stored report (its money items in fen, its reported
    indicators in 1/10000 units: a SeriesPoint, which citydb writes beside
    the report in the transaction that stores it), and the warning
    "outlier" for each value of a report whose modified z-score against the
    same value in the unit's earlier periods of the same length and fund
    passes the threshold (outlier.h). Never a rejection.
*/
#ifndef CITYSERIES_H_INCLUDED
#define CITYSERIES_H_INCLUDED

#include "fundchain.pb-c.h"
#include "report.h"
#include <stddef.h>
#include <stdint.h>

/* The earlier periods a value is judged against: the latest 36 of the
   same length (three years of months; nine of quarters; 36 years). */
#define CITYSERIES_HISTORY_MAX 36

/* Packs the series point of a report (free with free()). NULL when out of
   memory. */
uint8_t *cityseries_pack(const report_t *report, size_t *len);

/* One earlier period's point, as the store holds it. */
typedef struct {
    const char *period;
    const uint8_t *bytes;
    size_t len;
} cityseries_past_t;

/* Adds an "outlier" warning to eval for each value of report whose score
   against the same value in past (earlier periods of the same length;
   others are skipped) passes threshold (1/10000 units). Returns 0, or -1
   when out of memory. */
int cityseries_warn(const report_t *report, const cityseries_past_t *past, size_t n,
                    int64_t threshold, Fundchain__Evaluation *eval);

#endif
