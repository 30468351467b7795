/*  rank - competition ranking on shown values. */
#include "rank.h"
#include "catalog.h"
#include "evalview.h"
#include "indicator.h"
#include "log.h"
#include "rational.h"
#include <stdlib.h>
#include <string.h>

//  Returns true when smaller values rank first for this indicator.
bool rank_ascending(const char *by)
{
    return by && !strcmp(by, "other_expense_share");
}

//  Returns true when code is one of the n present codes.
static bool s_present(const char *code, const char *const *present, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (present[i] && !strcmp(present[i], code))
            return true;
    return false;
}

//  Writes the nearest of "total", the known codes and the present ones.
static const char *s_nearest(const char *by, const char *const *present, size_t n, char *buf,
                             size_t size)
{
    catalog_near_t near;
    catalog_near_start(&near, by);
    catalog_near_offer(&near, "total");
    for (size_t i = 0; i < n; i++)
        catalog_near_offer(&near, present[i]);
    if (near.best) {
        snprintf(buf, size, "%s", near.best);
        return buf;
    }
    return indicator_suggest(by, NULL, buf, size);
}

//  Checks that rows can be ranked by `by`; -1 with a message in why.
int rank_by_check(const char *by, const char *const *present, size_t n, char *why, size_t size)
{
    if (!by || !strcmp(by, "total"))
        return 0;
    if (!strcmp(by, "risk_level")) {
        snprintf(why, size,
                 "--by risk_level: a text indicator cannot be ranked; rank by "
                 "months_payable, which it is read from");
        return -1;
    }
    if (indicator_known(by, NULL) || s_present(by, present, n))
        return 0;
    char near[64], known[768], others[512];
    size_t at = 0;
    others[0] = '\0';
    for (size_t i = 0; i < n && at + 64 < sizeof others; i++)
        if (present[i] && !indicator_known(present[i], NULL))
            at += (size_t)snprintf(others + at, sizeof others - at, ", %s", present[i]);
    bool has_near = s_nearest(by, present, n, near, sizeof near) != NULL;
    snprintf(why, size, "--by %s: no such indicator%s%s%s; rank by total or by one of: %s%s",
             LOG_SAFE(by), has_near ? " (did you mean " : "", has_near ? near : "",
             has_near ? "?)" : "", indicator_list(NULL, known, sizeof known), others);
    return -1;
}

static bool s_ascending;

static int s_compare(const void *a, const void *b)
{
    const rank_row_t *x = a, *y = b;
    if (x->has_value != y->has_value)
        return x->has_value ? -1 : 1;
    if (x->has_value && x->centi != y->centi) {
        bool first = s_ascending ? x->centi < y->centi : x->centi > y->centi;
        return first ? -1 : 1;
    }
    return strcmp(x->code, y->code);
}

//  Sorts the rows and assigns competition ranks on the shown values.
void rank_sort(rank_row_t *rows, size_t n, bool ascending)
{
    s_ascending = ascending;
    if (n > 1)
        qsort(rows, n, sizeof *rows, s_compare);
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].has_value)
            rows[i].rank = 0;
        else if (i > 0 && rows[i - 1].has_value && rows[i - 1].centi == rows[i].centi)
            rows[i].rank = rows[i - 1].rank;
        else
            rows[i].rank = (int)i + 1;
    }
}

//  Makes a JSON string; text that is not valid UTF-8 (a hostile peer's
//  name or question, or a name cut inside a character) is shown with '?'
//  for every byte above ASCII, so that one bad name cannot void a ranking.
static json_t *s_string(const char *text)
{
    json_t *json = json_string(text ? text : "");
    if (json || !text)
        return json;
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    json = json_string(copy);
    free(copy);
    return json;
}

//  Builds the SPEC 7 JSON of a ranking.
json_t *rank_json(const char *period, const char *fund, const char *level, const char *by,
                  const rank_row_t *rows, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        const rank_row_t *r = &rows[i];
        Fundchain__Review review = FUNDCHAIN__REVIEW__INIT;
        review.approved_by = (char *)r->approved_by;
        review.approved_at = r->approved_at;
        review.province_by = (char *)r->province_by;
        review.province_at = r->province_at;
        json_t *row = json_pack("{s:o, s:o, s:o, s:o, s:o}", "rank",
                                r->rank ? json_integer(r->rank) : json_null(), "code",
                                s_string(r->code), "name", s_string(r->name), "value",
                                r->has_value ? json_real((double)r->centi / 100.0) : json_null(),
                                "approval", evalview_approval_json(&review));
        if (!row || json_array_append_new(list, row) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "period", s_string(period), "fund",
                     s_string(fund), "level", s_string(level), "by", s_string(by), "rows", list);
}

static int s_print_table(const rank_row_t *rows, size_t n, format_t format, FILE *out)
{
    static const char *headers[] = {"rank", "code", "name", "value"};
    table_t *table = table_new(headers, 4);
    if (!table)
        return -1;
    table_align_right(table, 0);
    table_align_right(table, 3);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char rank[16] = "-", value[32] = "-";
        if (rows[i].rank)
            snprintf(rank, sizeof rank, "%d", rows[i].rank);
        if (rows[i].has_value)
            rational_centi_format(rows[i].centi, value, sizeof value);
        const char *cells[] = {rank, rows[i].code, rows[i].name, value};
        rc = table_add(table, cells);
    }
    if (rc == 0)
        rc = table_print(table, format, out);
    table_destroy(&table);
    return rc;
}

//  Prints the ranking as an aligned table, CSV or JSON.
int rank_print(const char *period, const char *fund, const char *level, const char *by,
               const rank_row_t *rows, size_t n, format_t format, FILE *out)
{
    if (format != FORMAT_JSON) {
        if (format == FORMAT_TABLE)
            fprintf(out, "%s %s %s by %s%s\n", period, fund, level, by,
                    rank_ascending(by) ? " (ascending)" : "");
        return s_print_table(rows, n, format, out);
    }
    json_t *doc = rank_json(period, fund, level, by, rows, n);
    int rc = doc ? json_dumpf(doc, out, EVALVIEW_JSON_FLAGS) : -1;
    fprintf(out, "\n");
    json_decref(doc);
    return rc;
}
