/*  rank - competition ranking (1, 2, 2, 4) of cities or counties on a value
    as shown (hundredths): descending, except ascending for indicators where
    less is better (other_expense_share); ties listed by code; rows without
    the value listed last with no rank (SPEC 6).
*/
#ifndef RANK_H_INCLUDED
#define RANK_H_INCLUDED

#include "table.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    char code[8];
    char name[128];
    bool has_value;
    int64_t centi; /* the value as shown, in hundredths */
    int rank;      /* set by rank_sort: 1-based, 0 when unranked */
    char approved_by[64], province_by[64]; /* who approved it (SPEC 9.3) */
    int64_t approved_at, province_at;      /* when (unix seconds; 0: not approved) */
} rank_row_t;

/* Returns true when smaller values rank first for this indicator. */
bool rank_ascending(const char *by);

/* Checks that rows can be ranked by `by`: "total", or a numeric indicator
   the product knows (indicator_known), or one of the n indicator codes
   present in the evaluations ranked. Returns 0, or -1 with a message in
   why (the nearest code, and the codes one can rank by). */
int rank_by_check(const char *by, const char *const *present, size_t n, char *why, size_t size);

/* Sorts the rows and assigns competition ranks on the shown values. */
void rank_sort(rank_row_t *rows, size_t n, bool ascending);

/* Builds the SPEC 7 JSON {"period","fund","level","by","rows":[{"rank",
   "code","name","value","approval"}]} with null rank and value for
   unranked rows (approval: {"city": {"by","at"} | null, "province": ...}).
   Returns a new reference, or NULL when out of memory. */
json_t *rank_json(const char *period, const char *fund, const char *level, const char *by,
                  const rank_row_t *rows, size_t n);

/* Prints the ranking as an aligned table, CSV or JSON. Returns 0 or -1. */
int rank_print(const char *period, const char *fund, const char *level, const char *by,
               const rank_row_t *rows, size_t n, format_t format, FILE *out);

#endif
