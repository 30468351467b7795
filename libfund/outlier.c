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

#define SMALL 64 //  values: up to this many are sorted in place by insertion

//  Sorts values: by insertion when they are few (a history is a few dozen:
//  no call per comparison, no allocation), else with qsort.
static void s_sort(int64_t *v, size_t n)
{
    if (n > SMALL) {
        qsort(v, n, sizeof *v, s_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int64_t x = v[i];
        size_t k = i;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
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
        s_sort(history, n);
        result.median2 = s_median2(history, n);
        //  Deviations, doubled so that a median of halves stays whole.
        int64_t small[SMALL];
        int64_t *dev = n <= SMALL ? small : malloc(n * sizeof *dev);
        double mean = 0;
        for (size_t i = 0; dev && i < n; i++) {
            dev[i] = llabs(2 * history[i] - result.median2);
            mean += (double)dev[i] / 2.0 / (double)n;
        }
        double mad = 0;
        if (dev) {
            s_sort(dev, n);
            mad = (double)s_median2(dev, n) / 4.0;
        }
        if (dev != small)
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
