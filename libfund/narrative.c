/*  narrative - the self-evaluation report (绩效自评报告) of one evaluation
    of a dossier, in the order of the 攀枝花 2023 report: 一、预算绩效管理概况,
    二、预算编制及执行情况, 三、预算绩效指标完成情况 (the framework's items by
    category, each scored or with the points deducted and the reason the
    data give), 四、评价结论 (total, grade, the declared total where it
    differs, 存在的问题 from the warnings).

    Every figure is one of the dossier's: money from its yuan strings in
    万元 (exact, half-up to 2 decimals), indicators and scores from its
    hundredths. Nothing is said that the data do not hold: an absent figure
    is said to be absent. Text goes through one writer that escapes for
    HTML or Markdown, so both formats say the same.
*/
#include "narrative.h"
#include "decimal.h"
#include "html.h"
#include "indicator.h"
#include "period.h"
#include "score.h"
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 48
#define PARA_MAX 8192

static const char *const s_categories[] = {"decision", "process", "output", "effect", "bonus"};
static const char *const s_category_titles[] = {"决策指标", "过程指标", "产出指标", "效益指标",
                                                "加分项"};
static const char *const s_ordinals[] = {"一", "二", "三", "四", "五",
                                         "六", "七", "八", "九", "十"};

//  Parses the format.
int narrative_format_parse(const char *text, narrative_format_t *format)
{
    if (text && !strcmp(text, "html"))
        *format = NARRATIVE_HTML;
    else if (text && !strcmp(text, "md"))
        *format = NARRATIVE_MD;
    else
        return -1;
    return 0;
}

/* ---- the writer ------------------------------------------------------- */

typedef struct {
    FILE *out;
    narrative_format_t format;
} writer_t;

//  Writes text escaped for Markdown: a backslash before what would format.
static void s_md_escape(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (strchr("\\`*_[]<>#|", *p))
            fputc('\\', out);
        fputc(*p, out);
    }
}

static void s_escape(writer_t *w, const char *text)
{
    if (w->format == NARRATIVE_HTML)
        html_escape(w->out, text);
    else
        s_md_escape(w->out, text);
}

//  A heading of level 1 to 3.
static void s_heading(writer_t *w, int level, const char *text)
{
    if (w->format == NARRATIVE_HTML) {
        fprintf(w->out, "<h%d>", level);
        html_escape(w->out, text);
        fprintf(w->out, "</h%d>\n", level);
    } else {
        fprintf(w->out, "%.*s ", level, "###");
        s_md_escape(w->out, text);
        fputs("\n\n", w->out);
    }
}

//  A paragraph, formatted like printf.
static void s_para(writer_t *w, const char *fmt, ...)
{
    char text[PARA_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fputs(w->format == NARRATIVE_HTML ? "<p>" : "", w->out);
    s_escape(w, text);
    fputs(w->format == NARRATIVE_HTML ? "</p>\n" : "\n\n", w->out);
}

/* ---- figures ------------------------------------------------------------- */

static const json_t *s_get(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

static const char *s_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t s_centi(const json_t *v)
{
    return (int64_t)llround(json_number_value(v) * 100.0);
}

//  Hundredths with 2 decimals ("96.00").
static const char *s_fixed(int64_t centi, char *buf)
{
    int64_t a = centi < 0 ? -centi : centi;
    snprintf(buf, NUM_MAX, "%s%lld.%02lld", centi < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
    return buf;
}

//  Hundredths without trailing zeros, as the seeds write points ("5", "4.5").
static const char *s_points(int64_t centi, char *buf)
{
    s_fixed(centi, buf);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = 0;
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = 0;
    return buf;
}

//  An item's yuan string in 万元, grouped ("70,325.02"); NULL when absent.
static const char *s_wan(const json_t *eval, const char *item, char *buf)
{
    int64_t fen, tolerance;
    const char *why, *text = json_string_value(s_get(s_get(eval, "items"), item));
    if (!text || decimal_parse_money(text, FEN_PER_YUAN, &fen, &tolerance, &why) != 0)
        return NULL;
    //  万元 with 2 decimals: 10,000 fen; half-up, away from zero.
    int64_t a = fen < 0 ? -fen : fen, wan = (a + 5000) / 10000;
    return decimal_format_money_grouped(fen < 0 ? -wan : wan, buf, NUM_MAX);
}

//  An indicator's value with its unit ("88.56%", "7.44个月"); NULL when absent.
static const char *s_value(const json_t *eval, const char *code, char *buf)
{
    const json_t *v = s_get(s_get(eval, "indicators"), code);
    if (!json_is_number(v))
        return NULL;
    char num[NUM_MAX];
    const char *unit = indicator_unit(code);
    if (!strcmp(unit, "元"))
        decimal_format_money_grouped(s_centi(v), num, sizeof num);
    else
        s_fixed(s_centi(v), num);
    snprintf(buf, NUM_MAX, "%s%s", num, unit);
    return buf;
}

static const char *s_indicator_name(const char *code)
{
    const char *name = indicator_name(code);
    return name ? name : code;
}

/* ---- 一、二 ------------------------------------------------------------------ */

//  The name of a unit code: the dossier's, else the code.
static const char *s_unit_name(const json_t *dossier, const char *code)
{
    const char *lists[] = {"units", "timeliness"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *u;
        json_array_foreach(s_get(dossier, lists[l]), i, u)
        {
            if (!strcmp(s_str(u, "code"), code))
                return s_str(u, "name");
        }
    }
    return code;
}

//  The name of the city whose pool a unit is in.
static const char *s_city_name(const json_t *dossier, const json_t *eval)
{
    const char *city = s_str(eval, "city");
    size_t i;
    json_t *p;
    json_array_foreach(s_get(dossier, "pools"), i, p)
    {
        if (!strcmp(s_str(p, "code"), city))
            return s_str(p, "name");
    }
    return !strcmp(s_str(dossier, "code"), city) ? s_str(dossier, "name") : city;
}

//  Appends "name（code）" of each code of a list, separated by "、".
static void s_names(const json_t *dossier, const json_t *codes, char *buf, size_t size)
{
    size_t i, used = 0;
    json_t *c;
    buf[0] = 0;
    json_array_foreach(codes, i, c)
    {
        const char *code = json_string_value(c);
        const char *name = s_unit_name(dossier, code);
        if (!strcmp(name, code))
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "、" : "", code);
        else
            used +=
                (size_t)snprintf(buf + used, size - used, "%s%s（%s）", i ? "、" : "", name, code);
        if (used >= size)
            return;
    }
}

//  The known units the pool lacks: the codes its pool_incomplete warning
//  lists ("N known unit(s) have not reported: C1, C2"), so that the city
//  and the province, which knows only what the city sent, say the same.
static json_t *s_missing(const json_t *eval)
{
    json_t *missing = json_array();
    size_t i;
    json_t *w;
    json_array_foreach(s_get(eval, "warnings"), i, w)
    {
        const char *text = strstr(s_str(w, "message"), ": ");
        if (strcmp(s_str(w, "code"), "pool_incomplete") || !text)
            continue;
        for (const char *p = text + 2; *p;) {
            size_t n = strcspn(p, ", ");
            if (n == 6) {
                char code[8];
                memcpy(code, p, 6);
                code[6] = 0;
                json_array_append_new(missing, json_string(code));
            }
            p += n;
            p += strspn(p, ", ");
        }
    }
    return missing;
}

static void s_overview(writer_t *w, const json_t *dossier, const json_t *eval, bool pool)
{
    char list[PARA_MAX / 2];
    const char *fund = period_fund_name(s_str(eval, "fund"));
    s_heading(w, 2, "一、预算绩效管理概况");
    s_heading(w, 3, "（一）基金预算管理基本情况。");
    if (pool) {
        const json_t *units = s_get(eval, "units");
        s_names(dossier, units, list, sizeof list);
        s_para(w,
               "%s%s基金实行市级统筹、全市统收统支模式，全市一套账，由市本级统一编制全市基金预算。"
               "本期纳入统筹并已报送的单位共%zu个：%s。",
               s_str(eval, "name"), fund, json_array_size(units), list);
        json_t *missing = s_missing(eval);
        if (json_array_size(missing) > 0) {
            s_names(dossier, missing, list, sizeof list);
            s_para(w, "尚未报送的单位%zu个：%s。以下数据不含其收支。", json_array_size(missing),
                   list);
        } else if (!json_is_true(s_get(eval, "complete")))
            s_para(w, "统筹区内尚有单位未报送（见“存在的问题”）。");
        json_decref(missing);
    } else
        s_para(w,
               "%s（%s）的%s基金纳入%s市级统筹，实行统收统支。本报告依据该单位自身报送的数据评价，"
               "其收支并入全市统筹基金。",
               s_str(eval, "name"), s_str(eval, "code"), fund, s_city_name(dossier, eval));
}

static void s_budget(writer_t *w, const json_t *eval)
{
    char bi[NUM_MAX], be[NUM_MAX], it[NUM_MAX], et[NUM_MAX], ri[NUM_MAX], re[NUM_MAX];
    const char *period = s_str(eval, "period"), *fund = period_fund_name(s_str(eval, "fund"));
    const char *budget_in = s_wan(eval, "budget.income", bi);
    const char *budget_out = s_wan(eval, "budget.expense", be);
    const char *income = s_wan(eval, "income.total", it),
               *expense = s_wan(eval, "expense.total", et);
    s_heading(w, 2, "二、预算编制及执行情况");
    s_heading(w, 3, "（一）预算编制情况。");
    if (budget_in || budget_out)
        s_para(w, "%s年%s基金收入预算为%s%s，支出预算为%s%s。", period, fund,
               budget_in ? budget_in : "未报送", budget_in ? "万元" : "",
               budget_out ? budget_out : "未报送", budget_out ? "万元" : "");
    else
        s_para(w, "未报送%s年基金收支预算。", period);
    s_heading(w, 3, "（二）预算执行情况。");
    const char *rate_in = s_value(eval, "income_budget_rate", ri);
    const char *rate_out = s_value(eval, "expense_budget_rate", re);
    char in_text[256], out_text[256];
    snprintf(in_text, sizeof in_text, "基金总收入%s%s%s%s", income ? income : "未报送",
             income ? "万元" : "", rate_in ? "，完成预算的" : "", rate_in ? rate_in : "");
    snprintf(out_text, sizeof out_text, "基金总支出%s%s%s%s", expense ? expense : "未报送",
             expense ? "万元" : "", rate_out ? "，完成预算的" : "", rate_out ? rate_out : "");
    s_para(w, "%s年度预算完成情况为：%s；%s。", period, in_text, out_text);
}

/* ---- 三、the framework's items ---------------------------------------------- */

//  Parses a number of the params into 1/QTY_SCALE units. Returns 0 or -1.
static int s_qty(const char *text, int64_t *qty)
{
    const char *why;
    return decimal_parse_qty(text, 1, qty, &why);
}

//  Says why an indicator's value earned less than the maximum, from the rule's
//  parameters (">=95", "90..110", ">=95;step=1;deduct=1").
static void s_reason(const char *params, const char *metric, const json_t *value, char *buf,
                     size_t size)
{
    char copy[128], num[NUM_MAX];
    snprintf(copy, sizeof copy, "%s", params);
    char *semi = strchr(copy, ';');
    if (semi)
        *semi = 0;
    int64_t v = s_centi(value) * (QTY_SCALE / 100), lo, hi;
    const char *unit = indicator_unit(metric);
    char *dots = strstr(copy, "..");
    buf[0] = 0;
    if (dots) {
        *dots = 0;
        if (s_qty(copy, &lo) == 0 && s_qty(dots + 2, &hi) == 0)
            snprintf(buf, size, "，%s%s%s～%s%s的合理区间",
                     v < lo   ? "低于"
                     : v > hi ? "高于"
                              : "处于",
                     copy, unit, dots + 2, unit);
        return;
    }
    const char *ops[][2] = {{">=", "低于"}, {"<=", "高于"}, {">", "未高于"}, {"<", "未低于"}};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(ops[i][0]);
        if (!strncmp(copy, ops[i][0], n) && s_qty(copy + n, &lo) == 0) {
            snprintf(buf, size, "，%s%s%s的标准值", ops[i][1], copy + n, unit);
            if (!strcmp(ops[i][0], ">=") && !strcmp(unit, "%") && v < lo)
                snprintf(buf + strlen(buf), size - strlen(buf), "%s个百分点",
                         s_points((lo - v) / (QTY_SCALE / 100), num));
            return;
        }
    }
}

static const char *s_risk_word(const char *level)
{
    static const char *words[][2] = {{"level1", "一级风险预警（严重预警）"},
                                     {"level2", "二级风险预警（较重预警）"},
                                     {"level3", "三级风险预警（一般预警）"},
                                     {"normal", "正常区间"},
                                     {"excess", "结余过多"}};
    for (size_t i = 0; level && i < 5; i++)
        if (!strcmp(level, words[i][0]))
            return words[i][1];
    return NULL;
}

//  "此项自评得5分。", "此项自评扣5分，不得分。" or "此项自评扣1分，得3分。"
static void s_verdict(int64_t score, int64_t max, const char *who, char *buf, size_t size)
{
    char s[NUM_MAX], d[NUM_MAX];
    if (score >= max)
        snprintf(buf, size, "此项%s得%s分。", who, s_points(score, s));
    else if (score <= 0)
        snprintf(buf, size, "此项%s扣%s分，不得分。", who, s_points(max, d));
    else
        snprintf(buf, size, "此项%s扣%s分，得%s分。", who, s_points(max - score, d),
                 s_points(score, s));
}

//  One item scored from an indicator.
static void s_metric_item(writer_t *w, const json_t *eval, const json_t *item, const json_t *score,
                          int64_t max, const char *title)
{
    const char *metric = s_str(item, "metric");
    const json_t *value = s_get(s_get(eval, "indicators"), metric);
    char v[NUM_MAX], verdict[256], reason[256] = "", risk[128] = "";
    if (!json_is_number(value)) {
        s_para(w, "%s未报送%s，无法按规则计分%s", title, s_indicator_name(metric),
               json_is_number(score) ? "。" : "，不得分。");
        return;
    }
    s_value(eval, metric, v);
    s_verdict(json_is_number(score) ? s_centi(score) : 0, max, "自评", verdict, sizeof verdict);
    if (!json_is_number(score) || s_centi(score) < max)
        s_reason(s_str(item, "params"), metric, value, reason, sizeof reason);
    const char *word = !strcmp(metric, "months_payable")
                           ? s_risk_word(s_str(s_get(eval, "indicators"), "risk_level"))
                           : NULL;
    if (word)
        snprintf(risk, sizeof risk, "，处于%s", word);
    if (*reason)
        s_para(w, "%s%s为%s%s。%s%s为%s%s。", title, s_indicator_name(metric), v, risk, verdict,
               s_indicator_name(metric), v, reason);
    else
        s_para(w, "%s%s为%s%s。%s", title, s_indicator_name(metric), v, risk, verdict);
}

//  One item of the framework.
static void s_item(writer_t *w, const json_t *eval, const json_t *item, size_t n)
{
    char title[256], verdict[256], s[NUM_MAX];
    const json_t *score = s_get(s_get(eval, "scores"), s_str(item, "code"));
    int64_t max = s_centi(s_get(item, "max"));
    const char *rule = s_str(item, "rule");
    snprintf(title, sizeof title, "%zu.%s（满分%s分）：", n, s_str(item, "name"), s_points(max, s));
    if (!strcmp(rule, "bonus"))
        s_para(w, "%s%s", title,
               json_is_number(score) && s_centi(score) > 0
                   ? (snprintf(verdict, sizeof verdict, "此项为加分项，单位自评得%s分。",
                               s_points(s_centi(score), s)),
                      verdict)
                   : "无加分。");
    else if (!strcmp(rule, "manual")) {
        if (!json_is_number(score))
            s_para(w, "%s此项为单位自评项目，未报送自评得分，不得分。", title);
        else {
            s_verdict(s_centi(score), max, "为单位自评项目，自评", verdict, sizeof verdict);
            s_para(w, "%s%s", title, verdict);
        }
    } else
        s_metric_item(w, eval, item, score, max, title);
}

static void s_items(writer_t *w, const json_t *dossier, const json_t *eval)
{
    s_heading(w, 2, "三、预算绩效指标完成情况");
    for (size_t k = 0; k < 5; k++) {
        char heading[64];
        snprintf(heading, sizeof heading, "（%s）%s。", s_ordinals[k], s_category_titles[k]);
        size_t n = 0, i;
        json_t *item;
        json_array_foreach(s_get(dossier, "framework"), i, item)
        {
            if (strcmp(s_str(item, "category"), s_categories[k]))
                continue;
            if (n++ == 0)
                s_heading(w, 3, heading);
            s_item(w, eval, item, n);
        }
    }
}

/* ---- 四、评价结论 ------------------------------------------------------------ */

//  The deductions and bonuses, "一是政策制定扣2分；二是…".
static void s_deductions(const json_t *dossier, const json_t *eval, char *buf, size_t size)
{
    size_t i, n = 0, used = 0;
    json_t *item;
    buf[0] = 0;
    json_array_foreach(s_get(dossier, "framework"), i, item)
    {
        const json_t *score = s_get(s_get(eval, "scores"), s_str(item, "code"));
        int64_t got = json_is_number(score) ? s_centi(score) : 0;
        int64_t max = s_centi(s_get(item, "max"));
        bool bonus = !strcmp(s_str(item, "rule"), "bonus");
        if ((bonus && got <= 0) || (!bonus && got >= max) || used >= size)
            continue;
        char p[NUM_MAX], ord[16];
        snprintf(ord, sizeof ord, "%s", n < 10 ? s_ordinals[n] : "另");
        used += (size_t)snprintf(buf + used, size - used, "%s%s是%s%s%s分", n ? "；" : "", ord,
                                 s_str(item, "name"), bonus ? "加" : "扣",
                                 s_points(bonus ? got : max - got, p));
        n++;
    }
}

//  Says where a declared total differs from the computed one: the
//  evaluation's own warning, or for a pool its 市本级's (in 统收统支 the
//  市本级 declares the scores of the whole pool).
static void s_mismatch(writer_t *w, const json_t *eval, const char *who)
{
    size_t i;
    json_t *warning;
    json_array_foreach(s_get(eval, "warnings"), i, warning)
    {
        char declared[NUM_MAX] = "", computed[NUM_MAX] = "";
        if (strcmp(s_str(warning, "code"), "score_total_mismatch"))
            continue;
        if (sscanf(s_str(warning, "message"),
                   "declared score.total %47s differs from the computed total %47s", declared,
                   computed) == 2)
            s_para(w,
                   "%s申报的自评总分为%s分，与按评价体系计算的%s分不一致，本报告以计算结果为准。",
                   who, declared, computed);
        else
            s_para(w, "%s申报的自评总分与计算结果不一致：%s", who, s_str(warning, "message"));
    }
}

//  The unit evaluations of a pool's units that the dossier holds.
static const json_t *s_unit_eval(const json_t *dossier, const char *code)
{
    size_t i;
    json_t *u;
    json_array_foreach(s_get(dossier, "units"), i, u)
    {
        if (!strcmp(s_str(u, "code"), code))
            return u;
    }
    return NULL;
}

static void s_conclusion(writer_t *w, const json_t *dossier, const json_t *eval, bool pool)
{
    char total[NUM_MAX], list[PARA_MAX / 2];
    const json_t *t = s_get(eval, "total");
    s_heading(w, 2, "四、评价结论");
    s_heading(w, 3, "1.评价结果。");
    const char *grade = score_grade_name(s_str(eval, "grade"));
    if (json_is_number(t))
        s_para(w, "%s年%s%s基金预算绩效自评结果为%s分，评价等级为“%s”。", s_str(eval, "period"),
               s_str(eval, "name"), period_fund_name(s_str(eval, "fund")),
               s_fixed(s_centi(t), total), *grade ? grade : s_str(eval, "grade"));
    else
        s_para(w, "未能计算%s年的总分。", s_str(eval, "period"));
    s_mismatch(w, eval, "单位");
    const json_t *seat = pool ? s_unit_eval(dossier, s_str(eval, "code")) : NULL;
    if (seat)
        s_mismatch(w, seat, "市本级");
    s_deductions(dossier, eval, list, sizeof list);
    if (*list)
        s_para(w, "扣分与加分情况：%s。", list);
}

static const char *s_problem(const char *code)
{
    static const char *texts[][2] = {
        {"total_mismatch", "合计数与其明细之和不一致"},
        {"balance_identity", "期末累计结余不等于期初结余加本期收入减本期支出"},
        {"subsidy_standard", "财政补助收入与参保人数乘人均补助标准不一致"},
        {"score_total_mismatch", "申报的自评总分与按评价体系计算的总分不一致"},
        {"target_missed", "指标未达到报送的目标值"},
        {"score_missing", "自评项目未报送得分"},
        {"transfer_unreconciled", "统筹区内上解、补助收支未能核对一致"},
        {"pool_incomplete", "统筹区内有单位未报送"},
        {"unknown_indicator", "报送了评价体系未使用的指标"},
        {"stored_invalid", "已存储的报告按现行规则校验不通过"},
        {"stored_unreadable", "有已存储的报告无法读取，未计入"},
        {"too_many_warnings", "警告过多，仅列出部分"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (!strcmp(code, texts[i][0]))
            return texts[i][1];
    return "其他问题";
}

//  Lists the warnings of one evaluation, numbered from *n; who prefixes
//  each (a unit's name in a pool's report).
static void s_warnings(writer_t *w, const json_t *eval, const char *who, size_t *n)
{
    size_t i;
    json_t *warning;
    json_array_foreach(s_get(eval, "warnings"), i, warning)
    {
        ++*n;
        s_para(w, "（%zu）%s%s：%s（%s）", *n, who, s_problem(s_str(warning, "code")),
               s_str(warning, "message"), s_str(warning, "code"));
    }
}

static void s_problems(writer_t *w, const json_t *dossier, const json_t *eval, bool pool)
{
    s_heading(w, 3, "2.存在的问题。");
    size_t n = 0, i;
    s_warnings(w, eval, "", &n);
    json_t *code;
    json_array_foreach(pool ? s_get(eval, "units") : NULL, i, code)
    {
        const json_t *unit = s_unit_eval(dossier, json_string_value(code));
        char who[256];
        if (!unit)
            continue;
        snprintf(who, sizeof who, "%s（%s）报送的数据：", s_str(unit, "name"), s_str(unit, "code"));
        s_warnings(w, unit, who, &n);
    }
    if (n == 0)
        s_para(w, "数据校验未发现问题。");
}

/* ---- the document -------------------------------------------------------------- */

//  Finds the evaluation: a pool of that code, else a unit.
static const json_t *s_find(const json_t *dossier, const char *code, bool *pool)
{
    const char *lists[] = {"pools", "units"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *e;
        json_array_foreach(s_get(dossier, lists[l]), i, e)
        {
            if (!strcmp(s_str(e, "code"), code)) {
                *pool = l == 0;
                return e;
            }
        }
    }
    return NULL;
}

static void s_title(writer_t *w, const json_t *eval, bool pool)
{
    char title[512];
    snprintf(title, sizeof title, "%s%s年%s基金绩效自评报告", s_str(eval, "name"),
             s_str(eval, "period"), period_fund_name(s_str(eval, "fund")));
    if (w->format == NARRATIVE_HTML)
        html_begin(w->out, title, "p{text-indent:2em;margin:1mm 0}");
    s_heading(w, 1, title);
    s_para(w, "本报告由系统依据%s存储的评价数据生成（%s），所列数字均取自报送数据及其计算结果。",
           pool ? "统筹区" : "单位", s_str(eval, "code"));
}

//  Writes the report of one evaluation.
int narrative_write(const json_t *dossier, const char *code, narrative_format_t format, FILE *out)
{
    bool pool = false;
    const json_t *eval = code ? s_find(dossier, code, &pool) : NULL;
    if (!eval) {
        fprintf(stderr, "no evaluation of %s for %s %s\n", code ? code : "(no code)",
                s_str(dossier, "period"), s_str(dossier, "fund"));
        return 1;
    }
    writer_t w = {out, format};
    s_title(&w, eval, pool);
    s_overview(&w, dossier, eval, pool);
    s_budget(&w, eval);
    s_items(&w, dossier, eval);
    s_conclusion(&w, dossier, eval, pool);
    s_problems(&w, dossier, eval, pool);
    if (format == NARRATIVE_HTML)
        html_end(out);
    fflush(out);
    return ferror(out) ? -1 : 0;
}
