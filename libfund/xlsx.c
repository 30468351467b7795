/*  xlsx - a workbook is a few sheets of rows. A sheet keeps the width each
    column's text needs (display width: a CJK character counts 2) and sets
    it when the book is closed; the header row is written bold and frozen.
    Figures come from the JSON document's texts and hundredths: money
    strings are parsed exactly into fen, then written as the number of 元.
*/
#include "xlsx.h"
#include "decimal.h"
#include "evalview.h"
#include "indicator.h"
#include "outfile.h"
#include "period.h"
#include "score.h"
#include "table.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define SHEET_COLS 12
#define WIDTH_MAX 80.0

typedef struct {
    lxw_workbook *wb;
    lxw_format *header, *money, *percent, *score, *text;
    char tmp[4096];
} book_t;

typedef struct {
    lxw_worksheet *ws;
    lxw_row_t row;
    double width[SHEET_COLS];
} sheet_t;

typedef enum { CELL_TEXT, CELL_MONEY, CELL_PERCENT, CELL_SCORE } cell_kind_t;

//  Opens the workbook at PATH.tmp with its formats.
static int s_open(book_t *b, const char *path)
{
    memset(b, 0, sizeof *b);
    if ((size_t)snprintf(b->tmp, sizeof b->tmp, "%s.tmp", path) >= sizeof b->tmp) {
        fprintf(stderr, "cannot write %s: the name is too long\n", path);
        return -1;
    }
    lxw_workbook_options options = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    b->wb = workbook_new_opt(b->tmp, &options);
    if (!b->wb) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    b->header = workbook_add_format(b->wb);
    format_set_bold(b->header);
    format_set_bg_color(b->header, 0xE0E0E0);
    format_set_border(b->header, LXW_BORDER_THIN);
    b->money = workbook_add_format(b->wb);
    format_set_num_format(b->money, "#,##0.00");
    b->percent = workbook_add_format(b->wb);
    format_set_num_format(b->percent, "0.00%");
    b->score = workbook_add_format(b->wb);
    format_set_num_format(b->score, "0.00");
    b->text = workbook_add_format(b->wb);
    format_set_text_wrap(b->text);
    return 0;
}

//  Closes the workbook and puts it in place; removes it on failure.
static int s_close(book_t *b, const char *path)
{
    lxw_error err = workbook_close(b->wb);
    if (err != LXW_NO_ERROR) {
        fprintf(stderr, "cannot write %s: %s\n", path, lxw_strerror(err));
        unlink(b->tmp);
        return -1;
    }
    return outfile_rename(b->tmp, path);
}

//  Widens a column to fit text.
static void s_fit(sheet_t *s, lxw_col_t col, const char *text)
{
    double w = (double)table_text_width(text ? text : "") + 2;
    if (col < SHEET_COLS && w > s->width[col])
        s->width[col] = w > WIDTH_MAX ? WIDTH_MAX : w;
}

//  Adds a sheet with its header row, frozen.
static int s_sheet(book_t *b, sheet_t *s, const char *name, const char *const *headers)
{
    memset(s, 0, sizeof *s);
    if (!(s->ws = workbook_add_worksheet(b->wb, name)))
        return -1;
    for (lxw_col_t c = 0; headers[c] && c < SHEET_COLS; c++) {
        worksheet_write_string(s->ws, 0, c, headers[c], b->header);
        s_fit(s, c, headers[c]);
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    s->row = 1;
    return 0;
}

//  Sets the columns' widths.
static void s_widths(sheet_t *s)
{
    for (lxw_col_t c = 0; c < SHEET_COLS; c++)
        if (s->width[c] > 0)
            worksheet_set_column(s->ws, c, c, s->width[c], NULL);
}

static void s_text(book_t *b, sheet_t *s, lxw_col_t col, const char *text)
{
    worksheet_write_string(s->ws, s->row, col, text ? text : "", b->text);
    s_fit(s, col, text);
}

//  Writes a number of the JSON (hundredths) as a score, a rate or 元; null
//  stays empty.
static void s_number(book_t *b, sheet_t *s, lxw_col_t col, const json_t *v, cell_kind_t kind)
{
    if (!json_is_number(v))
        return;
    int64_t centi = (int64_t)llround(json_number_value(v) * 100.0);
    if (kind == CELL_PERCENT)
        worksheet_write_number(s->ws, s->row, col, (double)centi / 10000.0, b->percent);
    else if (kind == CELL_MONEY)
        worksheet_write_number(s->ws, s->row, col, (double)centi / 100.0, b->money);
    else
        worksheet_write_number(s->ws, s->row, col, (double)centi / 100.0, b->score);
    char shown[48];
    snprintf(shown, sizeof shown, "%.2f%%", (double)centi / 100.0);
    s_fit(s, col, shown);
}

//  Writes a yuan string as a number of 元 (exact fen, then /100).
static void s_money(book_t *b, sheet_t *s, lxw_col_t col, const char *yuan)
{
    int64_t fen, tolerance;
    const char *why;
    char shown[48];
    if (!yuan || decimal_parse_money(yuan, FEN_PER_YUAN, &fen, &tolerance, &why) != 0) {
        s_text(b, s, col, yuan);
        return;
    }
    worksheet_write_number(s->ws, s->row, col, (double)fen / 100.0, b->money);
    s_fit(s, col, decimal_format_money_grouped(fen, shown, sizeof shown));
}

static const char *s_str(const json_t *o, const char *key)
{
    const char *text = json_string_value(json_object_get(o, key));
    return text ? text : "";
}

//  Who approved, as one text: "市 张三 2024-01-01T00:00:00Z；省 …", or "".
static void s_approval(const json_t *approval, char *buf, size_t size)
{
    const char *levels[][2] = {{"city", "市"}, {"province", "省"}};
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < 2; i++) {
        const json_t *a = json_object_get(approval, levels[i][0]);
        if (json_is_object(a) && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s %s %s", used ? "；" : "",
                                     levels[i][1], s_str(a, "by"), s_str(a, "at"));
    }
}

//  How an indicator's value is written: rates as %, 元 as money.
static cell_kind_t s_indicator_kind(const char *code)
{
    const char *unit = indicator_unit(code);
    return !strcmp(unit, "%") ? CELL_PERCENT : !strcmp(unit, "元") ? CELL_MONEY : CELL_SCORE;
}

//  The sheet 说明: what the workbook holds, and whence.
static int s_about(book_t *b, const xlsx_about_t *about, const char *period, const char *fund)
{
    static const char *headers[] = {"项目", "内容", NULL};
    sheet_t s;
    if (s_sheet(b, &s, "说明", headers) != 0)
        return -1;
    char made[32], program[160];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(made, sizeof made, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(program, sizeof program, "%s %s", about->program, FUNDCHAIN_VERSION);
    const char *rows[][2] = {{"期间", period ? period : "全部"},
                             {"基金", fund ? period_fund_name(fund) : "全部"},
                             {"层级", about->level},
                             {"数据来源", about->source},
                             {"生成程序", program},
                             {"生成时间（UTC）", made},
                             {"说明", "金额单位为元；比率为百分数；得分保留两位小数。"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, s.row++) {
        s_text(b, &s, 0, rows[i][0]);
        s_text(b, &s, 1, rows[i][1]);
    }
    s_widths(&s);
    return 0;
}

/* ---- an evaluation --------------------------------------------------------- */

static void s_eval_summary(book_t *b, const json_t *eval)
{
    static const char *headers[] = {"项目", "内容", NULL};
    sheet_t s;
    if (s_sheet(b, &s, "概要", headers) != 0)
        return;
    char *units = json_dumps(json_object_get(eval, "units"), JSON_COMPACT);
    const char *rows[][2] = {
        {"代码", s_str(eval, "code")},
        {"名称", s_str(eval, "name")},
        {"期间", s_str(eval, "period")},
        {"基金", period_fund_name(s_str(eval, "fund"))},
        {"包含单位", units ? units : ""},
        {"是否完整", json_is_true(json_object_get(eval, "complete")) ? "是" : "否"},
        {"等级", score_grade_name(s_str(eval, "grade"))}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, s.row++) {
        s_text(b, &s, 0, rows[i][0]);
        s_text(b, &s, 1, rows[i][1]);
    }
    char approval[320];
    s_approval(json_object_get(eval, "approval"), approval, sizeof approval);
    s_text(b, &s, 0, "审核");
    s_text(b, &s, 1, *approval ? approval : "未审核");
    s.row++;
    s_text(b, &s, 0, "总分");
    s_number(b, &s, 1, json_object_get(eval, "total"), CELL_SCORE);
    free(units);
    s_widths(&s);
}

static void s_eval_items(book_t *b, const json_t *eval)
{
    static const char *headers[] = {"代码", "名称", "金额（元）", NULL};
    sheet_t s;
    const char *code;
    json_t *v;
    if (s_sheet(b, &s, "收支", headers) != 0)
        return;
    json_object_foreach((json_t *)json_object_get(eval, "items"), code, v)
    {
        s_text(b, &s, 0, code);
        s_text(b, &s, 1, evalview_item_name(code));
        s_money(b, &s, 2, json_string_value(v));
        s.row++;
    }
    s_widths(&s);
}

static void s_eval_indicators(book_t *b, const json_t *eval)
{
    static const char *headers[] = {"代码", "名称", "值", "单位", NULL};
    sheet_t s;
    const char *code;
    json_t *v;
    if (s_sheet(b, &s, "指标", headers) != 0)
        return;
    json_object_foreach((json_t *)json_object_get(eval, "indicators"), code, v)
    {
        s_text(b, &s, 0, code);
        s_text(b, &s, 1, evalview_indicator_name(code));
        if (json_is_string(v))
            s_text(b, &s, 2, json_string_value(v));
        else
            s_number(b, &s, 2, v, s_indicator_kind(code));
        s_text(b, &s, 3, indicator_unit(code));
        s.row++;
    }
    s_widths(&s);
}

static void s_eval_scores(book_t *b, const json_t *eval)
{
    static const char *headers[] = {"代码", "名称", "得分", NULL};
    sheet_t s;
    const char *code;
    json_t *v;
    if (s_sheet(b, &s, "得分", headers) != 0)
        return;
    json_object_foreach((json_t *)json_object_get(eval, "scores"), code, v)
    {
        s_text(b, &s, 0, code);
        s_text(b, &s, 1, evalview_score_name(code));
        s_number(b, &s, 2, v, CELL_SCORE);
        s.row++;
    }
    s_widths(&s);
}

static void s_warnings(book_t *b, const json_t *list, const char *name)
{
    static const char *headers[] = {"代码", "说明", NULL};
    sheet_t s;
    size_t i;
    json_t *w;
    if (s_sheet(b, &s, name, headers) != 0)
        return;
    json_array_foreach(list, i, w)
    {
        s_text(b, &s, 0, s_str(w, "code"));
        s_text(b, &s, 1, s_str(w, "message"));
        s.row++;
    }
    s_widths(&s);
}

//  Writes an evaluation's workbook.
int xlsx_write_eval(const json_t *eval, const xlsx_about_t *about, const char *path)
{
    book_t b;
    if (s_open(&b, path) != 0)
        return -1;
    s_eval_summary(&b, eval);
    s_eval_items(&b, eval);
    s_eval_indicators(&b, eval);
    s_eval_scores(&b, eval);
    s_warnings(&b, json_object_get(eval, "warnings"), "警告");
    s_about(&b, about, s_str(eval, "period"), s_str(eval, "fund"));
    return s_close(&b, path);
}

/* ---- rankings ------------------------------------------------------------------ */

static void s_rank_sheet(book_t *b, const json_t *rank, const char *name)
{
    const char *by = s_str(rank, "by");
    bool total = !strcmp(by, "total");
    char value_head[160];
    snprintf(value_head, sizeof value_head, "%s", total ? "总分" : evalview_indicator_name(by));
    if (!*value_head)
        snprintf(value_head, sizeof value_head, "%s", by);
    const char *headers[] = {"名次", "代码", "名称", value_head, "审核", NULL};
    sheet_t s;
    size_t i;
    json_t *row;
    if (s_sheet(b, &s, name, headers) != 0)
        return;
    json_array_foreach(json_object_get(rank, "rows"), i, row)
    {
        json_t *r = json_object_get(row, "rank");
        if (json_is_integer(r))
            worksheet_write_number(s.ws, s.row, 0, (double)json_integer_value(r), NULL);
        s_text(b, &s, 1, s_str(row, "code"));
        s_text(b, &s, 2, s_str(row, "name"));
        s_number(b, &s, 3, json_object_get(row, "value"),
                 total ? CELL_SCORE : s_indicator_kind(by));
        char approval[320];
        s_approval(json_object_get(row, "approval"), approval, sizeof approval);
        s_text(b, &s, 4, approval);
        s.row++;
    }
    s_widths(&s);
}

//  Writes a ranking's workbook: both levels.
int xlsx_write_rank(const json_t *cities, const json_t *counties, const xlsx_about_t *about,
                    const char *path)
{
    book_t b;
    if (s_open(&b, path) != 0)
        return -1;
    s_rank_sheet(&b, cities, "城市排名");
    s_rank_sheet(&b, counties, "区县排名");
    s_about(&b, about, s_str(cities, "period"), s_str(cities, "fund"));
    return s_close(&b, path);
}

/* ---- status ------------------------------------------------------------------- */

//  Joins the codes of a list of strings or of {"code"} objects with ", ".
static char *s_join(const json_t *list)
{
    size_t i, len = 1;
    json_t *v;
    json_array_foreach(list, i, v) len +=
        strlen(json_is_string(v) ? json_string_value(v) : s_str(v, "code")) + 2;
    char *text = calloc(1, len);
    json_array_foreach(list, i, v)
    {
        if (text) {
            strcat(text, i ? ", " : "");
            strcat(text, json_is_string(v) ? json_string_value(v) : s_str(v, "code"));
        }
    }
    return text;
}

//  Writes the city's status workbook.
int xlsx_write_city_status(const json_t *status, const xlsx_about_t *about, const char *path)
{
    static const char *rh[] = {"单位",     "名称", "期间", "基金", "版本", "接收时间（UTC）",
                               "是否按时", "审核", NULL};
    static const char *ph[] = {"期间", "基金", "是否完整", "未报送单位", "警告", NULL};
    book_t b;
    sheet_t s;
    size_t i;
    json_t *r;
    if (s_open(&b, path) != 0)
        return -1;
    if (s_sheet(&b, &s, "报告", rh) == 0) {
        json_array_foreach(json_object_get(status, "reports"), i, r)
        {
            const char *cells[] = {s_str(r, "unit"), s_str(r, "name"), s_str(r, "period"),
                                   s_str(r, "fund")};
            for (lxw_col_t c = 0; c < 4; c++)
                s_text(&b, &s, c, cells[c]);
            worksheet_write_number(
                s.ws, s.row, 4, (double)json_integer_value(json_object_get(r, "revision")), NULL);
            s_text(&b, &s, 5, s_str(r, "received_at"));
            s_text(&b, &s, 6, json_is_true(json_object_get(r, "on_time")) ? "按时" : "逾期");
            char approval[320];
            s_approval(json_object_get(r, "approval"), approval, sizeof approval);
            s_text(&b, &s, 7, approval);
            s.row++;
        }
        s_widths(&s);
    }
    if (s_sheet(&b, &s, "统筹", ph) == 0) {
        json_array_foreach(json_object_get(status, "pools"), i, r)
        {
            char *missing = s_join(json_object_get(r, "missing"));
            char *warnings = s_join(json_object_get(r, "warnings"));
            s_text(&b, &s, 0, s_str(r, "period"));
            s_text(&b, &s, 1, s_str(r, "fund"));
            s_text(&b, &s, 2, json_is_true(json_object_get(r, "complete")) ? "是" : "否");
            s_text(&b, &s, 3, missing);
            s_text(&b, &s, 4, warnings);
            free(missing);
            free(warnings);
            s.row++;
        }
        s_widths(&s);
    }
    s_about(&b, about, NULL, NULL);
    return s_close(&b, path);
}

//  Writes the agent's status workbook.
int xlsx_write_agent_status(const json_t *status, const xlsx_about_t *about, const char *path)
{
    static const char *headers[] = {"单位", "期间", "基金", "版本", "状态", "原因", "警告", NULL};
    book_t b;
    sheet_t s;
    size_t i;
    json_t *r;
    if (s_open(&b, path) != 0)
        return -1;
    if (s_sheet(&b, &s, "报告", headers) == 0) {
        json_array_foreach(json_object_get(status, "reports"), i, r)
        {
            char *warnings = s_join(json_object_get(r, "warnings"));
            s_text(&b, &s, 0, s_str(r, "unit"));
            s_text(&b, &s, 1, s_str(r, "period"));
            s_text(&b, &s, 2, s_str(r, "fund"));
            worksheet_write_number(
                s.ws, s.row, 3, (double)json_integer_value(json_object_get(r, "revision")), NULL);
            s_text(&b, &s, 4, s_str(r, "state"));
            s_text(&b, &s, 5, s_str(r, "reason"));
            s_text(&b, &s, 6, warnings);
            free(warnings);
            s.row++;
        }
        s_widths(&s);
    }
    s_about(&b, about, NULL, NULL);
    return s_close(&b, path);
}
