/*  outlier - modified z-scores over a small history (a few dozen values:
    sorting is all it needs).
*/
#include "outlier.h"
#include <math.h>
#include <stdlib.h>

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

//  Twice the median of sorted values.
static int64_t s_median2(const int64_t *sorted, size_t n)
{
    return n % 2 ? 2 * sorted[n / 2] : sorted[n / 2 - 1] + sorted[n / 2];
}

//  Scores x against its history.
bool outlier_check(int64_t *history, size_t n, int64_t x, double threshold, outlier_t *out)
{
    outlier_t result = {0, 0, n >= OUTLIER_MIN_HISTORY};
    if (n > 0) {
        qsort(history, n, sizeof *history, s_cmp);
        result.median2 = s_median2(history, n);
        //  Deviations, doubled so that a median of halves stays whole.
        int64_t *dev = malloc(n * sizeof *dev);
        double mean = 0;
        for (size_t i = 0; dev && i < n; i++) {
            dev[i] = llabs(2 * history[i] - result.median2);
            mean += (double)dev[i] / 2.0 / (double)n;
        }
        double mad = 0;
        if (dev) {
            qsort(dev, n, sizeof *dev, s_cmp);
            mad = (double)s_median2(dev, n) / 4.0;
        }
        free(dev);
        double diff = (double)(2 * x - result.median2) / 2.0;
        if (mad > 0)
            result.score = 0.6745 * diff / mad;
        else if (mean > 0)
            result.score = diff / (1.253314 * mean);
        else
            result.verdict = false; //  no spread at all: nothing to measure against
    }
    if (out)
        *out = result;
    return result.verdict && fabs(result.score) > threshold;
}
