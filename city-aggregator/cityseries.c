/*  cityseries - series points and the outlier warnings made from them. */
#include "cityseries.h"
#include "catalog.h"
#include "decimal.h"
#include "evaluation.h"
#include "outlier.h"
#include "pbarena.h"
#include "period.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Whether an item is kept: a money item, or a reported indicator.
static bool s_kept(const report_item_t *item)
{
    return item->parsed && (!strncmp(item->code, "ind.", 4) || catalog_uom_money(item->uom, NULL));
}

//  The codes of the report's kept items, "code\n" each (free with free()).
static char *s_codes(const report_t *report, size_t *rows)
{
    size_t size = 1;
    *rows = 0;
    for (size_t i = 0; i < report->n_items; i++)
        if (s_kept(&report->items[i]))
            size += strlen(report->items[i].code) + 1;
    char *codes = malloc(size), *at = codes;
    for (size_t i = 0; codes && i < report->n_items; i++)
        if (s_kept(&report->items[i])) {
            size_t n = strlen(report->items[i].code);
            memcpy(at, report->items[i].code, n);
            at[n] = '\n';
            at += n + 1;
            (*rows)++;
        }
    if (codes)
        *at = 0;
    return codes;
}

//  Packs a report's point.
uint8_t *cityseries_pack(const report_t *report, size_t *len)
{
    Fundchain__SeriesPoint point = FUNDCHAIN__SERIES_POINT__INIT;
    size_t rows;
    point.codes = s_codes(report, &rows);
    point.values = calloc(rows + 1, sizeof *point.values);
    uint8_t *packed = NULL;
    if (point.codes && point.values) {
        for (size_t i = 0; i < report->n_items; i++)
            if (s_kept(&report->items[i]))
                point.values[point.n_values++] = report->items[i].amount;
        *len = fundchain__series_point__get_packed_size(&point);
        if ((packed = malloc(*len ? *len : 1)))
            fundchain__series_point__pack(&point, packed);
    }
    free(point.codes);
    free(point.values);
    return packed;
}

//  The period length of a period text, or 0.
static int s_months(const char *period)
{
    period_t p;
    const char *why;
    return period_parse(period, &p, &why) == 0 ? period_months(&p) : 0;
}

//  Formats a value for the warning: money as yuan, a quantity plainly.
static const char *s_value(int64_t v, bool money, char *buf, size_t size)
{
    return money ? decimal_format_money(v, buf, size) : decimal_format_qty(v, buf, size);
}

//  Checks one value of the report against its history (used earlier values,
//  reordered); warns when it is far.
static int s_check(const report_item_t *item, int64_t *history, size_t used, int64_t threshold,
                   Fundchain__Evaluation *eval)
{
    outlier_t o;
    if (!outlier_check(history, used, item->amount, (double)threshold / QTY_SCALE, &o))
        return 0;
    bool money = catalog_uom_money(item->uom, NULL);
    char value[48], median[48], text[320];
    //  The median as a value: halves of a fen (or of a unit) rounded half-up.
    int64_t m = o.median2 >= 0 ? (o.median2 + 1) / 2 : -((-o.median2 + 1) / 2);
    snprintf(text, sizeof text,
             "%s %s is far from its history: median %s over %zu earlier periods, modified "
             "z-score %.2f (limit %s)",
             item->code, s_value(item->amount, money, value, sizeof value),
             s_value(m, money, median, sizeof median), used, o.score,
             decimal_format_qty(threshold, (char[32]){0}, 32));
    return evaluation_add_warning(eval, "outlier", text);
}

//  The history of the report's kept values: for kept item j (in report
//  order), its values in the points read so far, max a row.
typedef struct {
    const report_t *report;
    const char *codes;  //  the kept items' codes, as a point holds them
    size_t rows;        //  kept items
    const char **names; //  the code of each row
    int64_t *values;    //  row j at values + j * max
    size_t *count;      //  values in row j
    size_t max;
} history_t;

//  The row of the kept item whose code is the n bytes at code, looked for
//  first at row hint; rows when none.
static size_t s_row(const history_t *h, const char *code, size_t n, size_t hint)
{
    for (size_t tries = 0, i = hint; tries < h->rows; tries++, i = (i + 1) % h->rows)
        if (!strncmp(h->names[i], code, n) && h->names[i][n] == 0)
            return i;
    return h->rows;
}

//  Adds one point's values to the history. A point with the report's codes
//  (the usual case) is taken as it is; another is matched code by code.
static void s_gather(history_t *h, const Fundchain__SeriesPoint *point)
{
    if (!strcmp(point->codes, h->codes) && point->n_values == h->rows) {
        for (size_t row = 0; row < h->rows; row++)
            h->values[row * h->max + h->count[row]++] = point->values[row];
        return;
    }
    const char *code = point->codes;
    size_t row = 0;
    for (size_t k = 0; k < point->n_values && h->rows; k++) {
        const char *end = strchr(code, '\n');
        if (!end)
            return; //  fewer codes than values: the rest cannot be told apart
        row = s_row(h, code, (size_t)(end - code), row);
        if (row < h->rows && h->count[row] < h->max) //  a code twice: a row is full
            h->values[row * h->max + h->count[row]++] = point->values[k];
        row = row < h->rows ? (row + 1) % h->rows : 0;
        code = end + 1;
    }
}

#define POINT_ARENA 16384 //  bytes: a point of tens of values unpacks in it, more spill to malloc

//  Reads the points of past that count (same length, earlier) into h.
//  Returns how many were read.
static size_t s_read(history_t *h, const cityseries_past_t *past, size_t n)
{
    int months = s_months(h->report->period);
    size_t used = 0;
    _Alignas(max_align_t) uint8_t space[POINT_ARENA];
    for (size_t i = 0; i < n; i++) {
        if (s_months(past[i].period) != months || strcmp(past[i].period, h->report->period) >= 0)
            continue;
        pbarena_t arena;
        pbarena_init(&arena, space, sizeof space);
        Fundchain__SeriesPoint *point =
            fundchain__series_point__unpack(&arena.base, past[i].len, past[i].bytes);
        if (!point)
            continue;
        s_gather(h, point);
        fundchain__series_point__free_unpacked(point, &arena.base);
        used++;
    }
    return used;
}

//  Warns of the report's outliers.
int cityseries_warn(const report_t *report, const cityseries_past_t *past, size_t n,
                    int64_t threshold, Fundchain__Evaluation *eval)
{
    history_t h = {report, NULL, 0, NULL, NULL, NULL, n};
    char *codes = s_codes(report, &h.rows);
    h.codes = codes;
    h.names = calloc(h.rows + 1, sizeof *h.names);
    for (size_t i = 0, row = 0; h.names && i < report->n_items; i++)
        if (s_kept(&report->items[i]))
            h.names[row++] = report->items[i].code;
    h.values = calloc(h.rows * n + 1, sizeof(int64_t));
    h.count = calloc(h.rows + 1, sizeof(size_t));
    int rc = codes && h.names && h.values && h.count ? 0 : -1;
    if (rc == 0 && s_read(&h, past, n) >= OUTLIER_MIN_HISTORY)
        for (size_t i = 0, row = 0; rc == 0 && i < report->n_items; i++)
            if (s_kept(&report->items[i])) {
                rc = s_check(&report->items[i], h.values + row * n, h.count[row], threshold, eval);
                row++;
            }
    free(codes);
    free(h.names);
    free(h.values);
    free(h.count);
    return rc;
}
