/*  catalog - the item catalogue of SPEC 2.2.

    A fixed table of money items and counts, plus two free families, ind.*
    (reported indicators) and score.* (self-assessed scores), whose codes
    are free after the prefix. On first use (pthread_once, so any thread
    may be first) an index is built from the table: an open-addressing hash
    of the codes and, for each total, the list of its parts. Nothing here
    allocates or fails; unknown codes give NULL or -1.
*/
#include "catalog.h"
#include "decimal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
#define MONEY(c, n, p)    {c, n, ITEM_MONEY, false, false, p, POOL_KEEP}
#define BALANCE(c, n)     {c, n, ITEM_MONEY, true, false, NULL, POOL_KEEP}
#define INTRA(c, n, p, r) {c, n, ITEM_MONEY, false, false, p, r}
#define DEPT(c, n, p)     {c, n, ITEM_MONEY, false, true, p, POOL_KEEP}
#define STAT(c, n)        {c, n, ITEM_STAT, false, false, NULL, POOL_KEEP}

/* The dept.budget.* or dept.final.* block of one 部门整体支出 account. */
#define DEPT_BLOCK(s, z) \
    DEPT("dept." s ".income.total", z "收入合计", NULL), \
    DEPT("dept." s ".income.fiscal", z "财政拨款收入", "dept." s ".income.total"), \
    DEPT("dept." s ".income.carryover", z "年初结转结余", "dept." s ".income.total"), \
    DEPT("dept." s ".income.other", z "其他收入", "dept." s ".income.total"), \
    DEPT("dept." s ".expense.total", z "支出合计", NULL), \
    DEPT("dept." s ".expense.personnel", z "人员经费", "dept." s ".expense.total"), \
    DEPT("dept." s ".expense.public", z "公用经费", "dept." s ".expense.total"), \
    DEPT("dept." s ".expense.project", z "项目支出", "dept." s ".expense.total"), \
    DEPT("dept." s ".expense.three_public", z "三公经费", NULL)
/* clang-format on */

static const catalog_entry_t s_fixed[] = {
    BALANCE("balance.opening", "年初滚存结余"),
    BALANCE("balance.closing", "年末滚存结余"),
    MONEY("income.total", "基金收入合计", NULL),
    MONEY("income.premium", "保险费收入", "income.total"),
    MONEY("income.subsidy", "财政补贴收入", "income.total"),
    MONEY("income.subsidy.central", "中央财政补助", "income.subsidy"),
    MONEY("income.subsidy.provincial", "省级财政补助", "income.subsidy"),
    MONEY("income.subsidy.city", "市级财政补助", "income.subsidy"),
    MONEY("income.subsidy.county", "县级财政补助", "income.subsidy"),
    MONEY("income.interest", "利息收入", "income.total"),
    MONEY("income.transfer", "转移收入", "income.total"),
    INTRA("income.upper_grant", "上级补助收入", "income.total", POOL_COUNTY_INTRA),
    INTRA("income.lower_remit", "下级上解收入", "income.total", POOL_CITY_INTRA),
    MONEY("income.other", "其他收入", "income.total"),
    MONEY("expense.total", "基金支出合计", NULL),
    MONEY("expense.benefit", "待遇支出", "expense.total"),
    MONEY("expense.benefit.inpatient", "住院支出", "expense.benefit"),
    MONEY("expense.benefit.outpatient_chronic", "门诊大病(慢特病)支出", "expense.benefit"),
    MONEY("expense.benefit.outpatient_general", "门诊统筹支出", "expense.benefit"),
    MONEY("expense.benefit.maternity_medical", "生育医疗费用", "expense.benefit"),
    MONEY("expense.benefit.maternity_allowance", "生育津贴", "expense.benefit"),
    MONEY("expense.transfer", "转移支出", "expense.total"),
    INTRA("expense.upper_remit", "上解上级支出", "expense.total", POOL_COUNTY_INTRA),
    INTRA("expense.lower_grant", "补助下级支出", "expense.total", POOL_CITY_INTRA),
    MONEY("expense.other", "其他支出", "expense.total"),
    MONEY("budget.income", "收入预算", NULL),
    MONEY("budget.expense", "支出预算", NULL),
    DEPT_BLOCK("budget", "部门预算"),
    DEPT_BLOCK("final", "部门决算"),
    STAT("stat.enrolled", "参保人数"),
    STAT("stat.population", "常住人口"),
    STAT("stat.beneficiaries", "待遇享受人次"),
    STAT("stat.subsidy_standard", "人均财政补助标准"),
    STAT("stat.contribution_standard", "个人缴费标准"),
};

static const catalog_entry_t s_ind = {"ind.*", "报告指标", ITEM_IND, true, false, NULL, POOL_KEEP};
static const catalog_entry_t s_score = {"score.*", "自评得分", ITEM_SCORE, false,
                                        false,     NULL,       POOL_KEEP};

#define FIXED_SIZE (sizeof s_fixed / sizeof s_fixed[0])
#define SLOTS 256 /* hash slots: a power of two, at least twice FIXED_SIZE */

_Static_assert(FIXED_SIZE <= CATALOG_FIXED_MAX, "CATALOG_FIXED_MAX is too small");
_Static_assert(SLOTS >= 2 * FIXED_SIZE && (SLOTS & (SLOTS - 1)) == 0, "bad SLOTS");

/* Built once from s_fixed (s_index_build): a hash of the codes, and for
   every entry its first child and its next sibling in catalogue order. */
static struct {
    int16_t slot[SLOTS];             /* entry index + 1; 0 when free */
    int16_t first_child[FIXED_SIZE]; /* entry index, or -1 */
    int16_t next_sibling[FIXED_SIZE];
} s_index;
static pthread_once_t s_index_once = PTHREAD_ONCE_INIT;

/* Returns the FNV-1a hash of a code. */
static uint32_t s_hash(const char *code)
{
    uint32_t h = 2166136261u;
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 16777619u;
    return h;
}

/* Returns the index of a fixed code (linear probing), or -1. */
static int s_find(const char *code)
{
    for (uint32_t at = s_hash(code) & (SLOTS - 1);; at = (at + 1) & (SLOTS - 1)) {
        int i = s_index.slot[at] - 1;
        if (i < 0 || strcmp(s_fixed[i].code, code) == 0)
            return i;
    }
}

static void s_index_build(void)
{
    for (size_t i = 0; i < FIXED_SIZE; i++) {
        uint32_t at = s_hash(s_fixed[i].code) & (SLOTS - 1);
        while (s_index.slot[at])
            at = (at + 1) & (SLOTS - 1);
        s_index.slot[at] = (int16_t)(i + 1);
        s_index.first_child[i] = s_index.next_sibling[i] = -1;
    }
    /* Backwards, so that each list is in catalogue order. */
    for (size_t i = FIXED_SIZE; i-- > 0;) {
        int parent = s_fixed[i].parent ? s_find(s_fixed[i].parent) : -1;
        if (parent < 0)
            continue;
        s_index.next_sibling[i] = s_index.first_child[parent];
        s_index.first_child[parent] = (int16_t)i;
    }
}

/* Returns the index of a fixed code, or -1 (NULL, unknown, a free family). */
static int s_fixed_index(const char *code)
{
    pthread_once(&s_index_once, s_index_build);
    return code ? s_find(code) : -1;
}

/* Returns true when the free part of an ind.* or score.* code is a
   non-empty run of ASCII letters, digits, '_', '-' and '.'. */
static bool s_free_code(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

/* Returns the entry of a code; ind.X and score.X return the family entry.
   Returns NULL for an unknown code. */
const catalog_entry_t *catalog_lookup(const char *code)
{
    int i = s_fixed_index(code);
    if (i >= 0)
        return &s_fixed[i];
    if (!code)
        return NULL;
    if (strncmp(code, "ind.", 4) == 0 && s_free_code(code + 4))
        return &s_ind;
    if (strncmp(code, "score.", 6) == 0 && s_free_code(code + 6))
        return &s_score;
    return NULL;
}

/* Returns the edit distance between a and b (both at most 127 bytes). */
static size_t s_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Starts a search for the candidate nearest to code. */
void catalog_near_start(catalog_near_t *self, const char *code)
{
    size_t len = code ? strlen(code) : 0;
    self->code = code && len <= 127 ? code : NULL;
    self->best = NULL;
    self->best_d = (len / 3 > 3 ? len / 3 : 3) + 1;
}

/* Offers a candidate; returns true when it is now the nearest. */
bool catalog_near_offer(catalog_near_t *self, const char *candidate)
{
    if (!self->code || !candidate || strlen(candidate) > 127)
        return false;
    size_t d = s_distance(self->code, candidate);
    if (d >= self->best_d)
        return false;
    self->best_d = d;
    self->best = candidate;
    return true;
}

/* Returns the known code nearest to an unknown one (edit distance at most
   max(3, length / 3)), or NULL. */
const char *catalog_suggest(const char *code)
{
    catalog_near_t near;
    catalog_near_start(&near, code);
    for (size_t i = 0; i < FIXED_SIZE; i++)
        catalog_near_offer(&near, s_fixed[i].code);
    return near.best;
}

/* Returns the number of fixed entries (the free families excluded). */
size_t catalog_size(void)
{
    return FIXED_SIZE;
}

/* Returns fixed entry i in catalogue order, or NULL when out of range. */
const catalog_entry_t *catalog_at(size_t i)
{
    return i < FIXED_SIZE ? &s_fixed[i] : NULL;
}

static bool s_in(const char *uom, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(uom, *list) == 0)
            return true;
    return false;
}

/* Returns true when the unit of measure is allowed for the entry. */
bool catalog_uom_ok(const catalog_entry_t *entry, const char *uom)
{
    static const char *const money[] = {"yuan", "wan", NULL};
    static const char *const people[] = {"person", "wan-person", NULL};
    static const char *const counted[] = {"person", "wan-person", "count", NULL};
    static const char *const yuan[] = {"yuan", NULL};
    static const char *const points[] = {"points", NULL};
    static const char *const any[] = {"%",          "points", "months", "count", "person",
                                      "wan-person", "yuan",   "wan",    NULL};
    if (!entry || !uom)
        return false;
    switch (entry->kind) {
    case ITEM_MONEY:
        return s_in(uom, money);
    case ITEM_IND:
        return s_in(uom, any);
    case ITEM_SCORE:
        return s_in(uom, points);
    default:
        break;
    }
    if (strcmp(entry->code, "stat.beneficiaries") == 0)
        return s_in(uom, counted);
    if (strcmp(entry->code, "stat.enrolled") == 0 || strcmp(entry->code, "stat.population") == 0)
        return s_in(uom, people);
    return s_in(uom, yuan);
}

/* Returns true when uom is a money unit ("yuan" or "wan"), storing its
   multiplier in *fen_per_unit when not NULL. */
bool catalog_uom_money(const char *uom, int64_t *fen_per_unit)
{
    int64_t unit = 0;
    if (uom && strcmp(uom, "yuan") == 0)
        unit = FEN_PER_YUAN;
    else if (uom && strcmp(uom, "wan") == 0)
        unit = FEN_PER_WAN;
    if (unit && fen_per_unit)
        *fen_per_unit = unit;
    return unit != 0;
}

/* Returns the quantity factor of a non-money unit of measure, or 0 when unknown. */
int64_t catalog_uom_factor(const char *uom)
{
    static const char *const ones[] = {"person", "%", "points", "months", "count", NULL};
    if (!uom)
        return 0;
    if (strcmp(uom, "wan-person") == 0)
        return 10000;
    return s_in(uom, ones) ? 1 : 0;
}

/* Returns true when some fixed entry has code as its parent. */
bool catalog_has_children(const char *code)
{
    int i = s_fixed_index(code);
    return i >= 0 && s_index.first_child[i] >= 0;
}

/* Returns the position of a fixed entry in catalogue order (what
   catalog_at takes), or -1 for a free family's entry or NULL. */
int catalog_index(const catalog_entry_t *entry)
{
    if (!entry || entry < s_fixed || entry >= s_fixed + FIXED_SIZE)
        return -1;
    return (int)(entry - s_fixed);
}

/* Returns the first fixed entry (after is NULL) or the next one after
   "after" whose parent is entry, in catalogue order; NULL when no more. */
const catalog_entry_t *catalog_child(const catalog_entry_t *entry, const catalog_entry_t *after)
{
    int at = catalog_index(after ? after : entry);
    if (at < 0 || (after && catalog_index(entry) < 0))
        return NULL;
    pthread_once(&s_index_once, s_index_build);
    int next = after ? s_index.next_sibling[at] : s_index.first_child[at];
    return next >= 0 ? &s_fixed[next] : NULL;
}
