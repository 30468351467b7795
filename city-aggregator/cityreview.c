/*  cityreview - the rules of review and locking. Pure functions of a
    Review (protobuf, as the store keeps it), the clock and the lock; the
    texts they give are what an agent shows as the reason of its rejected
    report, so each names who, when, and what to ask for.
*/
#include "cityreview.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  Formats unix seconds as ISO 8601 UTC.
const char *cityreview_iso(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "%lld", (long long)t);
    return buf;
}

//  Parses YYYY-MM-DD as the end of that day, UTC.
int cityreview_date_end(const char *text, int64_t *t)
{
    int y, m, d;
    char extra;
    if (!text || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1990 || y > 2200 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1};
    time_t next = timegm(&tm);
    struct tm check;
    struct tm want = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t day = timegm(&want);
    if (next == (time_t)-1 || !gmtime_r(&day, &check) || check.tm_mday != d)
        return -1; //  2023-02-30
    *t = (int64_t)next - 1;
    return 0;
}

//  Parses --lock-after.
int cityreview_lock_parse(const char *text, cityreview_lock_t *lock, const char **why)
{
    memset(lock, 0, sizeof *lock);
    char copy[128];
    if (!text || strlen(text) >= sizeof copy) {
        *why = "expected month=D,quarter=D,year=D";
        return -1;
    }
    snprintf(copy, sizeof copy, "%s", text);
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char name[16], extra;
        int days;
        if (sscanf(part, " %15[a-z] = %d %c", name, &days, &extra) != 2 || days <= 0 ||
            days > 3660) {
            *why = "expected month=D,quarter=D,year=D with whole days from 1 to 3660";
            return -1;
        }
        int *slot = !strcmp(name, "month")     ? &lock->month
                    : !strcmp(name, "quarter") ? &lock->quarter
                    : !strcmp(name, "year")    ? &lock->year
                                               : NULL;
        if (!slot) {
            *why = "the period lengths are month, quarter and year";
            return -1;
        }
        *slot = days;
    }
    return 0;
}

//  The days after the end of a period when it locks (0: never).
static int s_lock_days(const cityreview_lock_t *lock, const period_t *p)
{
    int months = period_months(p);
    return months == 1 ? lock->month : months == 3 ? lock->quarter : lock->year;
}

//  Checks the time lock. Returns 0, or 1 with why.
static int s_time_lock(const Fundchain__Review *unit, const cityreview_lock_t *lock,
                       const char *unit_code, const char *period, const char *fund, int64_t now,
                       char *why, size_t size)
{
    period_t p;
    const char *bad;
    if (!lock || period_parse(period, &p, &bad) != 0 || s_lock_days(lock, &p) == 0)
        return 0;
    deadline_cfg_t none = {0, 0, 0}, days = {lock->month, lock->quarter, lock->year};
    int64_t end = (int64_t)period_deadline(&p, &none); //  the end of its last day
    int64_t locks = (int64_t)period_deadline(&p, &days);
    if (now <= locks || (unit && unit->unlock_until >= now))
        return 0;
    char closed[32], since[32];
    cityreview_iso(end - 1, closed, sizeof closed);
    closed[10] = 0; //  the day
    cityreview_iso(locks, since, sizeof since);
    snprintf(why, size,
             "period %s closed on %s and takes no revision more than %d days after it (locked "
             "since %s); ask the city for an exception: city-aggregator unlock --unit %s "
             "--period %s --fund %s --until YYYY-MM-DD",
             period, closed, s_lock_days(lock, &p), since, unit_code, period, fund);
    return 1;
}

//  Decides whether a new revision may be stored.
int cityreview_admit(const Fundchain__Review *unit, const Fundchain__Review *pool,
                     const cityreview_lock_t *lock, const char *unit_code, const char *city,
                     const char *period, const char *fund, int64_t now, char *why, size_t size)
{
    char at[32];
    if (pool && pool->province_at > 0) {
        snprintf(why, size,
                 "the province approved the pool of %s %s %s (by %s at %s): it takes no "
                 "revision; only the province can unapprove it (province-hub unapprove)",
                 city, period, fund, pool->province_by, cityreview_iso(pool->province_at, at, 32));
        return 1;
    }
    if (pool && pool->approved_at > 0) {
        snprintf(why, size,
                 "the pool of %s %s %s was approved by %s at %s: ask the city to unapprove it "
                 "(city-aggregator unapprove --pool --unit %s --period %s --fund %s)",
                 city, period, fund, pool->approved_by, cityreview_iso(pool->approved_at, at, 32),
                 city, period, fund);
        return 1;
    }
    if (unit && unit->approved_at > 0) {
        snprintf(why, size,
                 "%s %s %s was approved by %s at %s: ask the city to unapprove it "
                 "(city-aggregator unapprove --unit %s --period %s --fund %s)",
                 unit_code, period, fund, unit->approved_by,
                 cityreview_iso(unit->approved_at, at, 32), unit_code, period, fund);
        return 1;
    }
    return s_time_lock(unit, lock, unit_code, period, fund, now, why, size);
}

//  Replaces a string field of a message the store unpacked (or made).
static void s_set(char **field, const char *text)
{
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = text && *text ? strdup(text) : (char *)protobuf_c_empty_string;
    if (!*field)
        *field = (char *)protobuf_c_empty_string;
}

static int s_refuse(char *why, size_t size, const char *fmt, const char *a, const char *b)
{
    snprintf(why, size, fmt, a, b);
    return 1;
}

//  Approves a unit or the pool.
static int s_approve(Fundchain__Review *review, const Fundchain__Review *pool,
                     const cityreview_op_t *op, const char *const *unapproved, size_t n, char *why,
                     size_t size)
{
    char at[32];
    if (review->approved_at > 0)
        return s_refuse(why, size, "already approved by %s at %s", review->approved_by,
                        cityreview_iso(review->approved_at, at, sizeof at));
    if (!op->pool && pool && (pool->approved_at > 0 || pool->province_at > 0))
        return s_refuse(why, size, "%s%s", "the pool is approved already: its units are locked",
                        "");
    if (op->pool && n > 0) {
        size_t used = (size_t)snprintf(why, size,
                                       "the pool can be approved only when every known unit is; "
                                       "%zu not approved:",
                                       n);
        for (size_t i = 0; i < n && used < size; i++)
            used += (size_t)snprintf(why + used, size - used, " %s", unapproved[i]);
        return 1;
    }
    s_set(&review->approved_by, op->by);
    review->approved_at = op->at;
    return 0;
}

//  Unapproves: only what is approved, and never under a standing approval
//  above it (the pool's, the province's): unapproval goes top-down.
static int s_unapprove(Fundchain__Review *review, const Fundchain__Review *pool,
                       const cityreview_op_t *op, char *why, size_t size)
{
    char at[32];
    if (op->pool && review->province_at > 0)
        return s_refuse(why, size,
                        "the province approved this pool (by %s at %s): the province unapproves "
                        "first",
                        review->province_by, cityreview_iso(review->province_at, at, sizeof at));
    if (!op->pool && pool && (pool->approved_at > 0 || pool->province_at > 0))
        return s_refuse(why, size, "%s%s",
                        "the pool is approved: unapprove the pool first (--pool), then its units",
                        "");
    if (review->approved_at <= 0)
        return s_refuse(why, size, "%s %s is not approved", op->unit, op->pool ? "(pool)" : "");
    s_set(&review->approved_by, "");
    review->approved_at = 0;
    return 0;
}

//  Applies an operation.
int cityreview_apply(Fundchain__Review *review, const Fundchain__Review *pool,
                     const cityreview_op_t *op, const char *const *unapproved, size_t n, char *why,
                     size_t size)
{
    char at[32];
    switch (op->kind) {
    case CITYREVIEW_APPROVE:
        return s_approve(review, pool, op, unapproved, n, why, size);
    case CITYREVIEW_UNAPPROVE:
        return s_unapprove(review, pool, op, why, size);
    case CITYREVIEW_UNLOCK:
        if (op->until <= op->at)
            return s_refuse(why, size, "--until %s is not in the future%s",
                            cityreview_iso(op->until, at, sizeof at), "");
        review->unlock_until = op->until;
        s_set(&review->unlock_by, op->by);
        return 0;
    case CITYREVIEW_PROVINCE_APPROVE:
        if (review->province_at == op->at && op->at > 0)
            return 2;
        if (review->approved_at <= 0)
            return s_refuse(why, size, "the city has not approved its pool %s %s", op->period,
                            op->fund);
        if (op->city_approved_at > 0 && review->approved_at != op->city_approved_at) {
            char now[32];
            snprintf(why, size,
                     "the city's approval of this pool changed since the province saw it (then "
                     "%s, now %s): its figures may differ; the province must review it again",
                     cityreview_iso(op->city_approved_at, at, sizeof at),
                     cityreview_iso(review->approved_at, now, sizeof now));
            return 1;
        }
        s_set(&review->province_by, op->by);
        review->province_at = op->at;
        return 0;
    case CITYREVIEW_PROVINCE_UNAPPROVE:
        if (review->province_at <= 0)
            return 2;
        s_set(&review->province_by, "");
        review->province_at = 0;
        return 0;
    }
    return s_refuse(why, size, "%s%s", "unknown review operation", "");
}
