/*  catalog - the item catalogue of SPEC 2.2: every known item code, its
    Chinese name, its kind, the units of measure it accepts, whether it may
    be negative and which total it is a part of. Lookups are hashed, and a
    total's parts are listed, so that validating a report costs per item,
    not per item times the catalogue. Safe to call from several threads.
*/
#ifndef CATALOG_H_INCLUDED
#define CATALOG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ITEM_MONEY, /* yuan or wan; kept in fen */
    ITEM_STAT,  /* stat.*: person, wan-person, yuan, count ... */
    ITEM_IND,   /* ind.<free code>: reported indicator, any quantity unit */
    ITEM_SCORE  /* score.<framework code> or score.total: points */
} item_kind_t;

/* Where an item sits in the elimination of intra-pool transfers (SPEC 3). */
typedef enum {
    POOL_KEEP = 0,     /* summed into the pool */
    POOL_COUNTY_INTRA, /* expense.upper_remit, income.upper_grant of a county */
    POOL_CITY_INTRA    /* income.lower_remit, expense.lower_grant of the 市本级 */
} pool_role_t;

typedef struct {
    const char *code; /* "income.subsidy.central"; "ind.*" / "score.*" for the free families */
    const char *name; /* 中文 name */
    item_kind_t kind;
    bool negative_ok;   /* balances, ind.* */
    bool dept_only;     /* dept.* items: fund dept only */
    const char *parent; /* the total this item is a summand of, or NULL */
    pool_role_t pool_role;
} catalog_entry_t;

/* Returns the entry of a code; ind.X and score.X return the family entry.
   Returns NULL for an unknown code. */
const catalog_entry_t *catalog_lookup(const char *code);

/* Returns the known code nearest to an unknown one (edit distance), or NULL. */
const char *catalog_suggest(const char *code);

/* A search for the candidate nearest to a code that is not known: the one
   at the smallest edit distance, if it is at most max(3, length / 3). The
   one mechanism behind every "did you mean" (items, indicators). */
typedef struct {
    const char *code; /* what was given */
    const char *best; /* the nearest candidate so far, or NULL */
    size_t best_d;
} catalog_near_t;

/* Starts a search for the candidate nearest to code (NULL, or longer than
   127 bytes: nothing is ever near). */
void catalog_near_start(catalog_near_t *self, const char *code);

/* Offers a candidate (at most 127 bytes); returns true when it is now the
   nearest (self->best points at it: a caller that reuses the candidate's
   storage copies it first). */
bool catalog_near_offer(catalog_near_t *self, const char *candidate);

/* Returns the number of fixed entries (the free families excluded). */
size_t catalog_size(void);

/* Returns fixed entry i in catalogue order, or NULL when out of range. */
const catalog_entry_t *catalog_at(size_t i);

/* Returns true when the unit of measure is allowed for the entry. */
bool catalog_uom_ok(const catalog_entry_t *entry, const char *uom);

/* Returns true when uom is a money unit ("yuan" or "wan"), storing its
   multiplier (FEN_PER_YUAN or FEN_PER_WAN) in *fen_per_unit when not NULL. */
bool catalog_uom_money(const char *uom, int64_t *fen_per_unit);

/* Returns the quantity factor of a non-money unit of measure (10000 for
   wan-person, 1 for person, %, points, months, count), or 0 when unknown. */
int64_t catalog_uom_factor(const char *uom);

/* Returns true when some fixed entry has code as its parent. */
bool catalog_has_children(const char *code);

/* The most fixed entries the catalogue has (catalog_size() is at most this),
   for tables indexed by catalog_index. */
#define CATALOG_FIXED_MAX 128

/* Returns the position of a fixed entry in catalogue order (what
   catalog_at takes), or -1 for a free family's entry or NULL. */
int catalog_index(const catalog_entry_t *entry);

/* Iterates the parts of a total: returns the first fixed entry whose parent
   is entry (after NULL), or the next one after "after", in catalogue order;
   NULL when there are no more (or entry is not a fixed entry). */
const catalog_entry_t *catalog_child(const catalog_entry_t *entry, const catalog_entry_t *after);

#endif
