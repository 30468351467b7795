/*  cityreview - the rules of review and locking at the city (SPEC 9.3),
    apart from the store: whether a new revision of a (unit, period, fund)
    may be stored (approved, its pool approved by the city or the province,
    or its period closed longer than --lock-after allows without an
    unlock), and how an approval, unapproval or unlock changes a Review.
    citydb applies them inside the transaction that stores, so that no
    revision can slip between a check and a write.
*/
#ifndef CITYREVIEW_H_INCLUDED
#define CITYREVIEW_H_INCLUDED

#include "fundchain.pb-c.h"
#include "period.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CITYREVIEW_WHY 512

/* --lock-after: days after a period's end when revisions stop (0: never). */
typedef struct {
    int month, quarter, year;
} cityreview_lock_t;

/* Parses "month=D,quarter=D,year=D" (any subset; D > 0) into lock (the
   others 0: no lock). Returns 0, or -1 with a static reason in *why. */
int cityreview_lock_parse(const char *text, cityreview_lock_t *lock, const char **why);

/* Decides whether a new revision of (unit, period, fund) may be stored at
   now, given the unit's review and its pool's (the city's code; either
   NULL when none) and the lock (NULL: none). Returns 0, or 1 with the
   reason in why (who approved and when and how to ask for an unapproval,
   or the day the period closed and how to ask for an exception). */
int cityreview_admit(const Fundchain__Review *unit, const Fundchain__Review *pool,
                     const cityreview_lock_t *lock, const char *unit_code, const char *city,
                     const char *period, const char *fund, int64_t now, char *why, size_t size);

typedef enum {
    CITYREVIEW_APPROVE,
    CITYREVIEW_UNAPPROVE,
    CITYREVIEW_UNLOCK,
    CITYREVIEW_PROVINCE_APPROVE,
    CITYREVIEW_PROVINCE_UNAPPROVE
} cityreview_kind_t;

typedef struct {
    cityreview_kind_t kind;
    const char *period, *fund, *unit; /* unit: the city's code for the pool */
    bool pool;                        /* the pool of the city (unit is the city's code) */
    const char *by;
    int64_t at;
    int64_t until;            /* UNLOCK */
    int64_t city_approved_at; /* PROVINCE_APPROVE: the city's approval the province saw */
} cityreview_op_t;

/* Applies op to the review it concerns (review: the unit's, or the pool's;
   pool: the pool's review for a unit operation, else NULL). unapproved
   lists the known units not approved (pool approval only), n of them.
   Returns 0 with review changed, 1 with why (nothing changed), or 2 when
   the province's order is in force already (applied before a crash or a
   lost answer: nothing to change). */
int cityreview_apply(Fundchain__Review *review, const Fundchain__Review *pool,
                     const cityreview_op_t *op, const char *const *unapproved, size_t n,
                     char *why, size_t size);

/* Formats unix seconds as ISO 8601 UTC into buf (size >= 21). */
const char *cityreview_iso(int64_t t, char *buf, size_t size);

/* Parses a date YYYY-MM-DD as the end of that day (UTC, unix seconds).
   Returns 0, or -1. */
int cityreview_date_end(const char *text, int64_t *t);

#endif
