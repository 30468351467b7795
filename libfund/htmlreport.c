/*  htmlreport - writes a dossier as the report people read. Sections, each
    a <section> whose id a test looks for: rank-city and rank-county (the
    league tables), chart-total, chart-category, chart-months,
    chart-indicators, matrix, chart-trend, warnings and, at a city,
    composition and transfers. Figures are the dossier's texts: money from
    its yuan strings (grouped, exact), scores and rates as the JSON's
    hundredths with 2 decimals. A dossier without a promised member is
    refused before anything is written.
*/
#include "htmlreport.h"
#include "catalog.h"
#include "decimal.h"
#include "html.h"
#include "indicator.h"
#include "period.h"
#include "score.h"
#include "svgchart.h"
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 48

static const char s_css[] = "section{page-break-inside:avoid;margin-bottom:4mm}"
                            "section.long{page-break-inside:auto}"
                            "table.matrix td{text-align:center;padding:0.5mm 1mm}"
                            "td.on_time{background:#d5f5e3}td.late{background:#fdebd0}"
                            "td.missing{background:#fadbd8}td.reported{background:#eaeded}"
                            ".legend{font-size:9pt;color:#444}";

/* The categories of SPEC 5, in the order the seeds list them. */
static const char *const s_categories[] = {"decision", "process", "output", "effect", "bonus"};
static const char *const s_category_names[] = {"决策", "过程", "产出", "效益", "加分"};
#define NCAT 5

/* The indicators whose distributions are drawn, when units hold them. */
static const char *const s_main_indicators[] = {
    "enrollment_rate",          "income_budget_rate",
    "expense_budget_rate",      "inpatient_reimbursement",
    "outpatient_reimbursement", "satisfaction",
    "interest_yield",           "months_payable"};

static json_t *s_get(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

static const char *s_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

//  A number of the JSON (hundredths as a real) in hundredths, exactly.
static int64_t s_centi(const json_t *v)
{
    return (int64_t)llround(json_number_value(v) * 100.0);
}

//  Formats hundredths with 2 decimals.
static const char *s_fmt_centi(int64_t centi, char *buf, size_t size)
{
    int64_t a = centi < 0 ? -centi : centi;
    snprintf(buf, size, "%s%lld.%02lld", centi < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
    return buf;
}

//  A JSON number with 2 decimals, or "" for null.
static const char *s_fmt(const json_t *v, char *buf, size_t size)
{
    if (!json_is_number(v))
        return snprintf(buf, size, "%s", ""), buf;
    return s_fmt_centi(s_centi(v), buf, size);
}

//  A yuan string of the dossier, grouped ("703,250,200.00"); itself when
//  it does not parse.
static const char *s_money(const json_t *yuan, char *buf, size_t size)
{
    int64_t fen, tolerance;
    const char *why, *text = json_string_value(yuan);
    if (!text)
        return "";
    if (decimal_parse_money(text, FEN_PER_YUAN, &fen, &tolerance, &why) != 0)
        return text;
    return decimal_format_money_grouped(fen, buf, size);
}

static void s_cell(FILE *out, const char *cls, const char *text)
{
    fprintf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    html_escape(out, text);
    fputs("</td>", out);
}

static void s_heading(FILE *out, const char *id, const char *title, const char *cls)
{
    fprintf(out, "<section id=\"%s\"%s%s%s>\n<h2>", id, cls ? " class=\"" : "", cls ? cls : "",
            cls ? "\"" : "");
    html_escape(out, title);
    fputs("</h2>\n", out);
}

/* ---- evaluations --------------------------------------------------- */

//  Every evaluation the dossier shows: its pools, then its units.
typedef struct {
    const json_t **evals;
    size_t n;
} evals_t;

static int s_evals(const json_t *dossier, evals_t *e)
{
    const json_t *pools = s_get(dossier, "pools"), *units = s_get(dossier, "units");
    e->n = 0;
    e->evals = calloc(json_array_size(pools) + json_array_size(units) + 1, sizeof *e->evals);
    if (!e->evals)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(pools, i, v) e->evals[e->n++] = v;
    json_array_foreach(units, i, v) e->evals[e->n++] = v;
    return 0;
}

//  Finds an evaluation by level and code.
static const json_t *s_find(const json_t *dossier, const char *list, const char *code)
{
    size_t i;
    json_t *v;
    json_array_foreach(s_get(dossier, list), i, v)
    {
        if (!strcmp(s_str(v, "code"), code))
            return v;
    }
    return NULL;
}

//  A label: the name, and for a pool "（统筹）" so that a city's pool and
//  its 市本级 are told apart.
static void s_label(const json_t *eval, bool pool, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", s_str(eval, "name"), pool ? "（统筹）" : "");
}

static bool s_is_pool(const json_t *dossier, const json_t *eval)
{
    size_t i;
    json_t *v;
    json_array_foreach(s_get(dossier, "pools"), i, v)
    {
        if (v == eval)
            return true;
    }
    return false;
}

/* ---- league tables --------------------------------------------------- */

//  Who approved a ranked row: "市 张三 2024-01-01"; "" when nobody.
static void s_approval_cell(FILE *out, const json_t *approval)
{
    const char *levels[][2] = {{"city", "市"}, {"province", "省"}};
    fputs("<td class=\"approval\">", out);
    for (size_t i = 0; i < 2; i++) {
        const json_t *a = s_get(approval, levels[i][0]);
        if (!json_is_object(a))
            continue;
        fprintf(out, "%s%s ", i ? "；" : "", levels[i][1]);
        html_escape(out, s_str(a, "by"));
        fputs(" ", out);
        char day[16];
        snprintf(day, sizeof day, "%.10s", s_str(a, "at"));
        html_escape(out, day);
    }
    fputs("</td>", out);
}

static void s_rank_table(FILE *out, const json_t *dossier, const char *level)
{
    const bool city = !strcmp(level, "city");
    s_heading(out, city ? "rank-city" : "rank-county",
              city ? "城市排名（按总分）" : "区县排名（按总分）", NULL);
    fputs("<table class=\"rank\">\n<thead><tr><th class=\"num\">名次</th><th>代码</th>"
          "<th>名称</th><th class=\"num\">总分</th><th>等级</th><th>审核</th></tr></thead>\n"
          "<tbody>\n",
          out);
    size_t i;
    json_t *row;
    json_array_foreach(s_get(s_get(s_get(dossier, "rank"), level), "rows"), i, row)
    {
        char rank[16] = "", value[TEXT_MAX];
        if (json_is_integer(s_get(row, "rank")))
            snprintf(rank, sizeof rank, "%lld", (long long)json_integer_value(s_get(row, "rank")));
        const json_t *eval = s_find(dossier, city ? "pools" : "units", s_str(row, "code"));
        fputs("<tr data-code=\"", out);
        html_escape(out, s_str(row, "code"));
        fprintf(out, "\" data-rank=\"%s\">", rank);
        s_cell(out, "num", rank);
        s_cell(out, NULL, s_str(row, "code"));
        s_cell(out, NULL, s_str(row, "name"));
        s_cell(out, "num value", s_fmt(s_get(row, "value"), value, sizeof value));
        s_cell(out, NULL, eval ? score_grade_name(s_str(eval, "grade")) : "");
        s_approval_cell(out, s_get(row, "approval"));
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n</section>\n", out);
}

/* ---- charts ------------------------------------------------------------ */

//  Bars of the totals: every ranked row with a value, cities then counties.
static int s_chart_total(FILE *out, const json_t *dossier)
{
    const char *levels[] = {"city", "county"};
    size_t cap = 0;
    for (size_t l = 0; l < 2; l++)
        cap += json_array_size(s_get(s_get(s_get(dossier, "rank"), levels[l]), "rows"));
    svgchart_datum_t *bars = calloc(cap + 1, sizeof *bars);
    char(*texts)[TEXT_MAX] = calloc(cap + 1, sizeof *texts);
    char(*labels)[160] = calloc(cap + 1, sizeof *labels);
    size_t n = 0;
    for (size_t l = 0; bars && texts && labels && l < 2; l++) {
        size_t i;
        json_t *row;
        json_array_foreach(s_get(s_get(s_get(dossier, "rank"), levels[l]), "rows"), i, row)
        {
            if (!json_is_number(s_get(row, "value")))
                continue;
            snprintf(labels[n], sizeof labels[n], "%s%s", s_str(row, "name"),
                     l == 0 ? "（统筹）" : "");
            bars[n] = (svgchart_datum_t){s_str(row, "code"), labels[n],
                                         json_number_value(s_get(row, "value")),
                                         s_fmt(s_get(row, "value"), texts[n], TEXT_MAX), NULL};
            n++;
        }
    }
    s_heading(out, "chart-total", "总分", NULL);
    int rc = bars && texts && labels ? svgchart_bars(out, "总分", bars, n, 100, NULL, 0) : -1;
    fputs("</section>\n", out);
    free(bars);
    free(texts);
    free(labels);
    return rc;
}

//  The category of a framework item, or -1.
static int s_category_of(const json_t *dossier, const char *item)
{
    size_t i;
    json_t *fw;
    json_array_foreach(s_get(dossier, "framework"), i, fw)
    {
        if (strcmp(s_str(fw, "code"), item))
            continue;
        for (int k = 0; k < NCAT; k++)
            if (!strcmp(s_str(fw, "category"), s_categories[k]))
                return k;
    }
    return -1;
}

//  Stacked bars of the score by category, one per evaluation.
static int s_chart_category(FILE *out, const json_t *dossier, const evals_t *e)
{
    svgchart_datum_t *rows = calloc(e->n + 1, sizeof *rows);
    double *values = calloc(e->n * NCAT + 1, sizeof *values);
    const char **texts = calloc(e->n * NCAT + 1, sizeof *texts);
    char(*buf)[TEXT_MAX] = calloc(e->n * (NCAT + 1) + 1, sizeof *buf);
    char(*labels)[160] = calloc(e->n + 1, sizeof *labels);
    int rc = -1;
    if (rows && values && texts && buf && labels) {
        for (size_t i = 0; i < e->n; i++) {
            int64_t sum[NCAT] = {0}, all = 0;
            const char *item;
            json_t *v;
            json_object_foreach(s_get(e->evals[i], "scores"), item, v)
            {
                int k = s_category_of(dossier, item);
                if (k >= 0)
                    sum[k] += s_centi(v), all += s_centi(v);
            }
            for (int k = 0; k < NCAT; k++) {
                values[i * NCAT + k] = (double)sum[k] / 100.0;
                texts[i * NCAT + k] = s_fmt_centi(sum[k], buf[i * (NCAT + 1) + k], TEXT_MAX);
            }
            s_label(e->evals[i], s_is_pool(dossier, e->evals[i]), labels[i], sizeof labels[i]);
            rows[i] =
                (svgchart_datum_t){s_str(e->evals[i], "code"), labels[i], (double)all / 100.0,
                                   s_fmt_centi(all, buf[i * (NCAT + 1) + NCAT], TEXT_MAX), NULL};
        }
        svgchart_series_t series = {s_categories, s_category_names, NCAT};
        s_heading(out, "chart-category", "得分构成（决策、过程、产出、效益、加分）", NULL);
        rc = svgchart_stacked(out, "得分构成", &series, rows, e->n, values, texts, 100);
        fputs("</section>\n", out);
    }
    free(rows);
    free(values);
    free(texts);
    free(buf);
    free(labels);
    return rc;
}

//  Data of one indicator across the evaluations that hold it.
typedef struct {
    svgchart_datum_t *data;
    char (*texts)[TEXT_MAX];
    char (*labels)[160];
    size_t n;
} series_t;

static int s_indicator_data(const json_t *dossier, const evals_t *e, const char *code, series_t *s)
{
    s->n = 0;
    s->data = calloc(e->n + 1, sizeof *s->data);
    s->texts = calloc(e->n + 1, sizeof *s->texts);
    s->labels = calloc(e->n + 1, sizeof *s->labels);
    if (!s->data || !s->texts || !s->labels)
        return -1;
    for (size_t i = 0; i < e->n; i++) {
        const json_t *ind = s_get(e->evals[i], "indicators");
        const json_t *v = s_get(ind, code);
        if (!json_is_number(v))
            continue;
        s_label(e->evals[i], s_is_pool(dossier, e->evals[i]), s->labels[s->n], 160);
        const char *risk = json_string_value(s_get(ind, "risk_level"));
        s->data[s->n] =
            (svgchart_datum_t){s_str(e->evals[i], "code"), s->labels[s->n], json_number_value(v),
                               s_fmt(v, s->texts[s->n], TEXT_MAX), risk};
        s->n++;
    }
    return 0;
}

static void s_series_free(series_t *s)
{
    free(s->data);
    free(s->texts);
    free(s->labels);
}

//  months_payable per evaluation, coloured by risk level, with thresholds.
static int s_chart_months(FILE *out, const json_t *dossier, const evals_t *e)
{
    series_t s;
    int rc = s_indicator_data(dossier, e, "months_payable", &s);
    const json_t *risk = s_get(dossier, "risk");
    const char *keys[] = {"level1", "level2", "level3", "excess"};
    const char *names[] = {"一级风险", "二级风险", "三级风险", "结余过多"};
    svgchart_line_t lines[4];
    char labels[4][64];
    for (int i = 0; i < 4; i++) {
        char v[TEXT_MAX];
        snprintf(labels[i], sizeof labels[i], "%s %s", names[i],
                 s_fmt(s_get(risk, keys[i]), v, sizeof v));
        lines[i] = (svgchart_line_t){json_number_value(s_get(risk, keys[i])), labels[i]};
    }
    s_heading(out, "chart-months", "累计结余可支付月数与风险预警线", NULL);
    fputs("<p class=\"legend\">颜色表示风险等级：红 一级（不足", out);
    char v[TEXT_MAX];
    fputs(s_fmt(s_get(risk, "level1"), v, sizeof v), out);
    fputs("个月）、橙 二级、黄 三级、绿 正常、紫 结余过多；虚线为预警线。</p>\n", out);
    if (rc == 0)
        rc = svgchart_bars(out, "累计结余可支付月数", s.data, s.n, 0, lines, 4);
    fputs("</section>\n", out);
    s_series_free(&s);
    return rc;
}

//  A strip per main indicator that some evaluation holds.
static int s_chart_indicators(FILE *out, const json_t *dossier, const evals_t *e)
{
    s_heading(out, "chart-indicators", "主要指标分布", NULL);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < sizeof s_main_indicators / sizeof *s_main_indicators; k++) {
        series_t s;
        rc = s_indicator_data(dossier, e, s_main_indicators[k], &s);
        if (rc == 0 && s.n > 0) {
            const char *name = indicator_name(s_main_indicators[k]);
            fprintf(out, "<figure data-indicator=\"%s\">", s_main_indicators[k]);
            rc = svgchart_strip(out, name ? name : s_main_indicators[k], s.data, s.n);
            fputs("</figure>\n", out);
        }
        s_series_free(&s);
    }
    fputs("</section>\n", out);
    return rc;
}

/* ---- matrix, trend, warnings, composition ------------------------------- */

static const char *s_state_name(const char *state)
{
    return !strcmp(state, "on_time")    ? "✓ 按时"
           : !strcmp(state, "late")     ? "△ 逾期"
           : !strcmp(state, "reported") ? "● 已报"
                                        : "✗ 未报";
}

static void s_matrix(FILE *out, const json_t *dossier)
{
    s_heading(out, "matrix", "报送完整性与及时性", "long");
    fputs("<table class=\"matrix\"><thead><tr><th>代码</th><th>名称</th>", out);
    size_t i, k;
    json_t *p, *row;
    json_array_foreach(s_get(dossier, "periods"), k, p)
    {
        fputs("<th>", out);
        html_escape(out, json_string_value(p));
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    json_array_foreach(s_get(dossier, "timeliness"), i, row)
    {
        fputs("<tr data-code=\"", out);
        html_escape(out, s_str(row, "code"));
        fputs("\">", out);
        s_cell(out, NULL, s_str(row, "code"));
        s_cell(out, NULL, s_str(row, "name"));
        json_array_foreach(s_get(dossier, "periods"), k, p)
        {
            const char *state = s_str(s_get(row, "cells"), json_string_value(p));
            const char *known =
                !strcmp(state, "on_time") || !strcmp(state, "late") || !strcmp(state, "reported")
                    ? state
                    : "missing";
            fprintf(out, "<td class=\"%s\" data-period=\"", known);
            html_escape(out, json_string_value(p));
            fprintf(out, "\" title=\"%s\">%s</td>", known, s_state_name(known));
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n<p class=\"legend\">✓ 按时 △ 逾期 ✗ 未报 ● 已报（报送时间未知）</p>\n"
          "</section>\n",
          out);
}

static int s_chart_trend(FILE *out, const json_t *dossier)
{
    const json_t *trend = s_get(dossier, "trend"), *periods = s_get(dossier, "periods");
    const json_t *series = s_get(trend, "series");
    size_t np = json_array_size(periods), ns = json_array_size(series);
    const char **pv = calloc(np + 1, sizeof *pv), **codes = calloc(ns + 1, sizeof *codes);
    char(*labels)[160] = calloc(ns + 1, sizeof *labels);
    double *values = calloc(np * ns + 1, sizeof *values);
    const char **texts = calloc(np * ns + 1, sizeof *texts);
    char(*buf)[TEXT_MAX] = calloc(np * ns + 1, sizeof *buf);
    unsigned char *present = calloc(np * ns + 1, 1);
    const char **lp = calloc(ns + 1, sizeof *lp);
    int rc = -1;
    if (pv && codes && labels && values && texts && buf && present && lp) {
        size_t pools = json_array_size(s_get(dossier, "pools"));
        for (size_t p = 0; p < np; p++)
            pv[p] = json_string_value(json_array_get(periods, p));
        for (size_t s = 0; s < ns; s++) {
            const json_t *se = json_array_get(series, s);
            codes[s] = s_str(se, "code");
            snprintf(labels[s], sizeof labels[s], "%s%s", s_str(se, "name"),
                     s < pools ? "（统筹）" : "");
            lp[s] = labels[s];
            for (size_t p = 0; p < np; p++) {
                const json_t *v = s_get(s_get(se, "values"), pv[p]);
                size_t i = s * np + p;
                if ((present[i] = json_is_number(v))) {
                    values[i] = json_number_value(v);
                    texts[i] = s_fmt(v, buf[i], TEXT_MAX);
                }
            }
        }
        char title[160];
        snprintf(title, sizeof title, "%s的变化", s_str(trend, "name"));
        s_heading(out, "chart-trend", title, NULL);
        svgchart_lines_t l = {pv, np, codes, lp, ns, values, texts, present};
        rc = svgchart_lines(out, title, &l);
        fputs("</section>\n", out);
    }
    free(pv), free(codes), free(labels), free(values), free(texts), free(buf), free(present);
    free(lp);
    return rc;
}

static void s_warnings(FILE *out, const json_t *dossier, const evals_t *e)
{
    s_heading(out, "warnings", "警告", "long");
    fputs("<table><thead><tr><th>代码</th><th>名称</th><th>警告</th><th>说明</th></tr></thead>"
          "\n<tbody>\n",
          out);
    size_t count = 0;
    for (size_t i = 0; i < e->n; i++) {
        char label[160];
        s_label(e->evals[i], s_is_pool(dossier, e->evals[i]), label, sizeof label);
        size_t k;
        json_t *w;
        json_array_foreach(s_get(e->evals[i], "warnings"), k, w)
        {
            fputs("<tr class=\"warning\">", out);
            s_cell(out, NULL, s_str(e->evals[i], "code"));
            s_cell(out, NULL, label);
            s_cell(out, NULL, s_str(w, "code"));
            s_cell(out, NULL, s_str(w, "message"));
            fputs("</tr>\n", out);
            count++;
        }
    }
    fputs("</tbody></table>\n", out);
    if (count == 0)
        fputs("<p>无警告。</p>\n", out);
    fputs("</section>\n", out);
}

//  The header row of a composition table: one column per unit.
static void s_unit_heads(FILE *out, const json_t *dossier)
{
    size_t i;
    json_t *u;
    json_array_foreach(s_get(dossier, "units"), i, u)
    {
        fputs("<th class=\"num\">", out);
        html_escape(out, s_str(u, "name"));
        fputs("</th>", out);
    }
}

static void s_unit_cells(FILE *out, const json_t *dossier, const json_t *per)
{
    size_t i;
    json_t *u;
    json_array_foreach(s_get(dossier, "units"), i, u)
    {
        char buf[TEXT_MAX];
        s_cell(out, "num", s_money(s_get(per, s_str(u, "code")), buf, sizeof buf));
    }
}

static void s_composition(FILE *out, const json_t *dossier)
{
    const json_t *c = s_get(dossier, "composition");
    if (!json_is_object(c))
        return;
    s_heading(out, "composition", "统筹基金收支构成（元）", "long");
    fputs("<table><thead><tr><th>项目</th><th class=\"num\">全市统筹</th>", out);
    s_unit_heads(out, dossier);
    fputs("</tr></thead>\n<tbody>\n", out);
    size_t i;
    json_t *item;
    json_array_foreach(s_get(c, "items"), i, item)
    {
        char buf[TEXT_MAX];
        fputs("<tr data-code=\"", out);
        html_escape(out, s_str(item, "code"));
        fputs("\">", out);
        s_cell(out, NULL, s_str(item, "name"));
        s_cell(out, "num", s_money(s_get(item, "pool"), buf, sizeof buf));
        s_unit_cells(out, dossier, s_get(item, "units"));
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n</section>\n", out);
    s_heading(out, "transfers", "统筹区内上解与补助的核对（元）", NULL);
    fputs("<table><thead><tr><th>项目</th>", out);
    s_unit_heads(out, dossier);
    fputs("<th class=\"num\">合计</th></tr></thead>\n<tbody>\n", out);
    json_array_foreach(s_get(c, "transfers"), i, item)
    {
        char buf[TEXT_MAX];
        fputs("<tr>", out);
        s_cell(out, NULL, s_str(item, "name"));
        s_unit_cells(out, dossier, s_get(item, "units"));
        s_cell(out, "num", s_money(s_get(item, "total"), buf, sizeof buf));
        fputs("</tr>\n", out);
    }
    fprintf(out, "</tbody></table>\n<p class=\"reconciled\" data-reconciled=\"%s\">%s</p>\n",
            json_is_true(s_get(c, "reconciled")) ? "true" : "false",
            json_is_true(s_get(c, "reconciled")) ? "上解与补助已核对一致。"
                                                 : "上解与补助未能核对一致：");
    json_array_foreach(s_get(c, "warnings"), i, item)
    {
        fputs("<p class=\"warning\">", out);
        html_escape(out, s_str(item, "code"));
        fputs("：", out);
        html_escape(out, s_str(item, "message"));
        fputs("</p>\n", out);
    }
    fputs("</section>\n", out);
}

/* ---- the document ------------------------------------------------------- */

//  Checks the members the report reads. Returns 0, or -1 with a message.
static int s_check(const json_t *d)
{
    const char *lists[] = {"framework", "pools", "units", "periods", "timeliness"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (!json_is_array(s_get(d, lists[i]))) {
            fprintf(stderr, "htmlreport: the dossier lacks \"%s\"\n", lists[i]);
            return -1;
        }
    const char *objects[] = {"rank", "risk", "trend"};
    for (size_t i = 0; i < sizeof objects / sizeof *objects; i++)
        if (!json_is_object(s_get(d, objects[i]))) {
            fprintf(stderr, "htmlreport: the dossier lacks \"%s\"\n", objects[i]);
            return -1;
        }
    const char *strings[] = {"level", "code", "name", "period", "fund"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        if (!json_is_string(s_get(d, strings[i]))) {
            fprintf(stderr, "htmlreport: the dossier lacks \"%s\"\n", strings[i]);
            return -1;
        }
    return 0;
}

static void s_head(FILE *out, const json_t *d, const char *title)
{
    fputs("<h1>", out);
    html_escape(out, title);
    fputs("</h1>\n<p class=\"meta\">", out);
    html_escape(out, !strcmp(s_str(d, "level"), "city") ? "市医保局" : "省医保局");
    fputs(" · 数据来源 ", out);
    html_escape(out, s_str(d, "source"));
    fputs(" · 生成于 ", out);
    html_escape(out, s_str(d, "made_at"));
    fputs("</p>\n", out);
}

//  Writes the report.
int htmlreport_write(const json_t *dossier, FILE *out)
{
    if (s_check(dossier) != 0)
        return -1;
    evals_t e;
    if (s_evals(dossier, &e) != 0)
        return -1;
    char title[512];
    snprintf(title, sizeof title, "%s%s年度%s基金绩效评价报告", s_str(dossier, "name"),
             s_str(dossier, "period"), period_fund_name(s_str(dossier, "fund")));
    size_t len = strlen(s_css) + strlen(svgchart_css()) + 1;
    char *css = malloc(len);
    if (!css) {
        free(e.evals);
        return -1;
    }
    snprintf(css, len, "%s%s", s_css, svgchart_css());
    int rc = html_begin(out, title, css);
    free(css);
    s_head(out, dossier, title);
    s_rank_table(out, dossier, "city");
    s_rank_table(out, dossier, "county");
    rc |= s_chart_total(out, dossier);
    rc |= s_chart_category(out, dossier, &e);
    rc |= s_chart_months(out, dossier, &e);
    rc |= s_chart_indicators(out, dossier, &e);
    s_matrix(out, dossier);
    rc |= s_chart_trend(out, dossier);
    s_warnings(out, dossier, &e);
    s_composition(out, dossier);
    rc |= html_end(out);
    free(e.evals);
    return rc == 0 ? 0 : -1;
}
