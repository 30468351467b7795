/*  outlier - the modified z-score of Iglewicz and Hoaglin (SPEC 9.3): a
    value against a unit's own history, 0.6745 (x - median) / MAD, where
    MAD is the median absolute deviation from the median; when the MAD is 0,
    (x - median) / (1.253314 MeanAD), with the mean absolute deviation.
    Values are integers in one scale (fen, or 1/10000 units); the median is
    kept exactly (as twice its value), the score is a double.
*/
#ifndef OUTLIER_H_INCLUDED
#define OUTLIER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTLIER_MIN_HISTORY 4  /* fewer earlier values: no verdict */
#define OUTLIER_Z_DEFAULT 3.5  /* |score| above it is an outlier */

typedef struct {
    double score;     /* the modified z-score */
    int64_t median2;  /* twice the median of the history (exact) */
    bool verdict;     /* enough history to judge */
} outlier_t;

/* Scores x against history (n values; reordered). Returns true when
   |score| > threshold with at least OUTLIER_MIN_HISTORY values; *out (may
   be NULL) gets the score and the median either way. A history with no
   spread at all (every value equal) gives no verdict: there is no scale
   to measure a departure by. */
bool outlier_check(int64_t *history, size_t n, int64_t x, double threshold, outlier_t *out);

#endif
