/*  cityseries - series points and the outlier warnings made from them. */
#include "cityseries.h"
#include "catalog.h"
#include "decimal.h"
#include "evaluation.h"
#include "outlier.h"
#include "period.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Whether an item is kept: a money item, or a reported indicator.
static bool s_kept(const report_item_t *item)
{
    return item->parsed && (!strncmp(item->code, "ind.", 4) || catalog_uom_money(item->uom, NULL));
}

//  Packs a report's point.
uint8_t *cityseries_pack(const report_t *report, size_t *len)
{
    Fundchain__Amount *values = calloc(report->n_items + 1, sizeof *values);
    Fundchain__Amount **list = calloc(report->n_items + 1, sizeof *list);
    Fundchain__SeriesPoint point = FUNDCHAIN__SERIES_POINT__INIT;
    uint8_t *packed = NULL;
    if (values && list) {
        for (size_t i = 0; i < report->n_items; i++) {
            if (!s_kept(&report->items[i]))
                continue;
            fundchain__amount__init(&values[point.n_values]);
            values[point.n_values].code = report->items[i].code;
            values[point.n_values].fen = report->items[i].amount;
            list[point.n_values] = &values[point.n_values];
            point.n_values++;
        }
        point.values = list;
        *len = fundchain__series_point__get_packed_size(&point);
        if ((packed = malloc(*len ? *len : 1)))
            fundchain__series_point__pack(&point, packed);
    }
    free(values);
    free(list);
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

//  Checks one value of the report against the points; warns when it is far.
static int s_check(const report_item_t *item, Fundchain__SeriesPoint **points, size_t n,
                   int64_t threshold, Fundchain__Evaluation *eval)
{
    int64_t *history = calloc(n + 1, sizeof *history);
    size_t used = 0;
    for (size_t i = 0; history && i < n; i++)
        for (size_t k = 0; points[i] && k < points[i]->n_values; k++)
            if (!strcmp(points[i]->values[k]->code, item->code)) {
                history[used++] = points[i]->values[k]->fen;
                break;
            }
    outlier_t o;
    int rc = history ? 0 : -1;
    if (history && outlier_check(history, used, item->amount, (double)threshold / QTY_SCALE, &o)) {
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
        rc = evaluation_add_warning(eval, "outlier", text);
    }
    free(history);
    return rc;
}

//  Warns of the report's outliers.
int cityseries_warn(const report_t *report, const cityseries_past_t *past, size_t n,
                    int64_t threshold, Fundchain__Evaluation *eval)
{
    int months = s_months(report->period);
    Fundchain__SeriesPoint **points = calloc(n + 1, sizeof *points);
    size_t used = 0;
    if (!points)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s_months(past[i].period) == months && strcmp(past[i].period, report->period) < 0)
            if ((points[used] = fundchain__series_point__unpack(NULL, past[i].len, past[i].bytes)))
                used++;
    int rc = 0;
    for (size_t i = 0; rc == 0 && used >= OUTLIER_MIN_HISTORY && i < report->n_items; i++)
        if (s_kept(&report->items[i]))
            rc = s_check(&report->items[i], points, used, threshold, eval);
    for (size_t i = 0; i < used; i++)
        fundchain__series_point__free_unpacked(points[i], NULL);
    free(points);
    return rc;
}
