/*  evalview - shows an Evaluation as JSON (SPEC 7), an aligned table with
    Chinese names, or CSV (section,code,name,value).
*/
#include "evalview.h"
#include "catalog.h"
#include "decimal.h"
#include "framework.h"
#include "indicator.h"
#include "rational.h"
#include "score.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Returns text, or "" for NULL. */
static const char *s_str(const char *text)
{
    return text ? text : "";
}

/* Formats unix seconds as ISO 8601 UTC. */
static const char *s_iso(int64_t at, char *buf, size_t size)
{
    time_t t = (time_t)at;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "%lld", (long long)at);
    return buf;
}

/* Makes a JSON string; text that is not valid UTF-8 (only a hostile peer
   sends that) is shown with '?' for every byte above ASCII. */
static json_t *s_jstring(const char *text)
{
    json_t *json = json_string(s_str(text));
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

/* Sets key (made valid UTF-8 like s_jstring) to a new value (stolen);
   clears *ok when anything failed. */
static void s_set(json_t *object, const char *key, json_t *value, bool *ok)
{
    json_t *valid = s_jstring(key);
    if (!value || !valid) {
        *ok = false;
        json_decref(value);
    } else if (json_object_set_new(object, json_string_value(valid), value) != 0)
        *ok = false; /* jansson has released the value */
    json_decref(valid);
}

/* Appends a new value (stolen) to an array; clears *ok when either failed. */
static void s_append(json_t *array, json_t *value, bool *ok)
{
    if (!value || json_array_append_new(array, value) != 0)
        *ok = false;
}

/* Returns a JSON real of hundredths: 9998 -> 99.98. */
static json_t *s_centi(int64_t centi)
{
    return json_real((double)centi / 100.0);
}

/* Builds the items object: code -> yuan with exactly 2 decimals. */
static json_t *s_json_items(const Fundchain__Evaluation *eval, bool *ok)
{
    json_t *items = json_object();
    for (size_t i = 0; items && i < eval->n_items; i++) {
        char yuan[48];
        decimal_format_money(eval->items[i]->fen, yuan, sizeof yuan);
        s_set(items, s_str(eval->items[i]->code), json_string(yuan), ok);
    }
    return items;
}

/* Builds an object of Shown values: code -> number (or text). */
static json_t *s_json_shown(Fundchain__Shown **list, size_t n, bool *ok)
{
    json_t *object = json_object();
    for (size_t i = 0; object && i < n; i++) {
        const Fundchain__Shown *shown = list[i];
        json_t *value =
            shown->text && shown->text[0] ? s_jstring(shown->text) : s_centi(shown->centi);
        s_set(object, s_str(shown->code), value, ok);
    }
    return object;
}

/* Builds the warnings array of {code, message}. */
static json_t *s_json_warnings(const Fundchain__Evaluation *eval, bool *ok)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < eval->n_warnings; i++) {
        json_t *warning = json_object();
        if (warning) {
            s_set(warning, "code", s_jstring(eval->warnings[i]->code), ok);
            s_set(warning, "message", s_jstring(eval->warnings[i]->message), ok);
        }
        s_append(array, warning, ok);
    }
    return array;
}

/* Builds the units array. */
static json_t *s_json_units(const Fundchain__Evaluation *eval, bool *ok)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < eval->n_units; i++)
        s_append(array, s_jstring(eval->units[i]), ok);
    return array;
}

/* Builds the SPEC 7 JSON object; NULL when out of memory. */
json_t *evalview_json(const Fundchain__Evaluation *eval)
{
    if (!eval)
        return NULL;
    json_t *root = json_object();
    if (!root)
        return NULL;
    bool ok = true;
    const char *name = eval->name && eval->name[0] ? eval->name : eval->code;
    s_set(root, "code", s_jstring(eval->code), &ok);
    s_set(root, "period", s_jstring(eval->period), &ok);
    s_set(root, "fund", s_jstring(eval->fund), &ok);
    s_set(root, "name", s_jstring(name), &ok);
    s_set(root, "units", s_json_units(eval, &ok), &ok);
    s_set(root, "complete", json_boolean(eval->complete), &ok);
    s_set(root, "items", s_json_items(eval, &ok), &ok);
    s_set(root, "indicators", s_json_shown(eval->indicators, eval->n_indicators, &ok), &ok);
    s_set(root, "scores", s_json_shown(eval->scores, eval->n_scores, &ok), &ok);
    s_set(root, "total", s_centi(eval->total_centi), &ok);
    s_set(root, "grade", s_jstring(eval->grade), &ok);
    s_set(root, "warnings", s_json_warnings(eval, &ok), &ok);
    s_set(root, "approval", evalview_approval_json(eval->review), &ok);
    if (!ok)
        json_decref(root), root = NULL;
    return root;
}

/* {"by", "at"} of one approval, or null. */
static json_t *s_approved(const char *by, int64_t at)
{
    char when[32];
    if (at <= 0)
        return json_null();
    return json_pack("{s:o, s:s}", "by", s_jstring(by), "at", s_iso(at, when, sizeof when));
}

//  Builds the approval object of a review.
json_t *evalview_approval_json(const Fundchain__Review *review)
{
    return json_pack("{s:o, s:o}", "city",
                     review ? s_approved(review->approved_by, review->approved_at) : json_null(),
                     "province",
                     review ? s_approved(review->province_by, review->province_at) : json_null());
}

/* The rows of the evaluation in one form, for table or CSV. */
typedef struct {
    table_t *table;
    bool failed;
} s_rows_t;

/* Adds a row of cells; marks a failure. */
static void s_row(s_rows_t *rows, const char *const *cells)
{
    if (!rows->table || table_add(rows->table, cells) != 0)
        rows->failed = true;
}

//  Returns the Chinese name of a catalogue item.
const char *evalview_item_name(const char *code)
{
    const catalog_entry_t *entry = catalog_lookup(code);
    return entry && entry->name ? entry->name : "";
}

//  Returns the name of a framework item.
const char *evalview_score_name(const char *code)
{
    const fw_item_t *item = framework_find(framework_default(), code);
    return item ? item->name : "";
}

//  Returns the Chinese name of an indicator.
const char *evalview_indicator_name(const char *code)
{
    const char *name = indicator_name(code);
    return name ? name : "";
}

/* Formats a Shown value (hundredths or text) into buf. */
static const char *s_shown_value(const Fundchain__Shown *shown, char *buf, size_t size)
{
    if (shown->text && shown->text[0])
        return shown->text;
    return rational_centi_format(shown->centi, buf, size);
}

/* Adds every value as a row section,code,name,value. */
static void s_csv_rows(const Fundchain__Evaluation *eval, s_rows_t *rows)
{
    char buf[64];
    for (size_t i = 0; i < eval->n_items; i++) {
        const char *code = s_str(eval->items[i]->code);
        const char *row[] = {"item", code, evalview_item_name(code),
                             decimal_format_money(eval->items[i]->fen, buf, sizeof buf)};
        s_row(rows, row);
    }
    for (size_t i = 0; i < eval->n_indicators; i++) {
        const char *code = s_str(eval->indicators[i]->code);
        const char *row[] = {"indicator", code, evalview_indicator_name(code),
                             s_shown_value(eval->indicators[i], buf, sizeof buf)};
        s_row(rows, row);
    }
    for (size_t i = 0; i < eval->n_scores; i++) {
        const char *code = s_str(eval->scores[i]->code);
        const char *row[] = {"score", code, evalview_score_name(code),
                             s_shown_value(eval->scores[i], buf, sizeof buf)};
        s_row(rows, row);
    }
    const char *total[] = {"total", "total", "总分",
                           rational_centi_format(eval->total_centi, buf, sizeof buf)};
    s_row(rows, total);
    const char *grade[] = {"grade", "grade", "等级", s_str(eval->grade)};
    s_row(rows, grade);
    for (size_t i = 0; i < eval->n_warnings; i++) {
        const char *row[] = {"warning", s_str(eval->warnings[i]->code), "",
                             s_str(eval->warnings[i]->message)};
        s_row(rows, row);
    }
}

/* Prints the evaluation as CSV; returns 0, or -1. */
static int s_print_csv(const Fundchain__Evaluation *eval, FILE *out)
{
    const char *headers[] = {"section", "code", "name", "value"};
    s_rows_t rows = {table_new(headers, 4), false};
    s_csv_rows(eval, &rows);
    int rc = rows.failed ? -1 : table_print(rows.table, FORMAT_CSV, out);
    table_destroy(&rows.table);
    return rc;
}

/* Prints one titled section of the table format; returns 0, or -1. */
static int s_section(const char *title, s_rows_t *rows, FILE *out)
{
    int rc = rows->failed ? -1 : 0;
    if (rc == 0 && fprintf(out, "\n%s\n", title) < 0)
        rc = -1;
    if (rc == 0)
        rc = table_print(rows->table, FORMAT_TABLE, out);
    table_destroy(&rows->table);
    return rc;
}

/* Prints the items section; returns 0, or -1. */
static int s_items_section(const Fundchain__Evaluation *eval, FILE *out)
{
    const char *headers[] = {"项目 item", "名称", "金额(元)"};
    s_rows_t rows = {table_new(headers, 3), false};
    table_align_right(rows.table, 2);
    for (size_t i = 0; i < eval->n_items; i++) {
        char yuan[48];
        const char *code = s_str(eval->items[i]->code);
        const char *row[] = {code, evalview_item_name(code),
                             decimal_format_money_grouped(eval->items[i]->fen, yuan, sizeof yuan)};
        s_row(&rows, row);
    }
    return s_section("项目 Items", &rows, out);
}

/* Prints the indicators section; returns 0, or -1. */
static int s_indicators_section(const Fundchain__Evaluation *eval, FILE *out)
{
    const char *headers[] = {"指标 indicator", "名称", "值"};
    s_rows_t rows = {table_new(headers, 3), false};
    table_align_right(rows.table, 2);
    for (size_t i = 0; i < eval->n_indicators; i++) {
        char buf[48];
        const char *code = s_str(eval->indicators[i]->code);
        const char *row[] = {code, evalview_indicator_name(code),
                             s_shown_value(eval->indicators[i], buf, sizeof buf)};
        s_row(&rows, row);
    }
    return s_section("指标 Indicators", &rows, out);
}

/* Prints the scores section; returns 0, or -1. */
static int s_scores_section(const Fundchain__Evaluation *eval, FILE *out)
{
    const char *headers[] = {"评分 item", "名称", "得分", "满分"};
    s_rows_t rows = {table_new(headers, 4), false};
    table_align_right(rows.table, 2);
    table_align_right(rows.table, 3);
    for (size_t i = 0; i < eval->n_scores; i++) {
        char score[48], max[48] = "";
        const char *code = s_str(eval->scores[i]->code);
        const fw_item_t *item = framework_find(framework_default(), code);
        if (item)
            decimal_format_qty(item->max, max, sizeof max);
        const char *row[] = {code, evalview_score_name(code),
                             s_shown_value(eval->scores[i], score, sizeof score), max};
        s_row(&rows, row);
    }
    return s_section("得分 Scores", &rows, out);
}

/* Prints the warnings section (when any); returns 0, or -1. */
static int s_warnings_section(const Fundchain__Evaluation *eval, FILE *out)
{
    if (eval->n_warnings == 0)
        return 0;
    const char *headers[] = {"警告 warning", "说明"};
    s_rows_t rows = {table_new(headers, 2), false};
    for (size_t i = 0; i < eval->n_warnings; i++) {
        const char *row[] = {s_str(eval->warnings[i]->code), s_str(eval->warnings[i]->message)};
        s_row(&rows, row);
    }
    return s_section("警告 Warnings", &rows, out);
}

/* Prints the heading: unit, period, fund, total, grade, and for a pool its units. */
/* Prints who approved, when anyone did. Returns 0 or -1. */
static int s_approval_line(const Fundchain__Review *review, FILE *out)
{
    char at[32];
    if (review && review->approved_at > 0 &&
        fprintf(out, "审核 approved by %s at %s (city)\n", s_str(review->approved_by),
                s_iso(review->approved_at, at, sizeof at)) < 0)
        return -1;
    if (review && review->province_at > 0 &&
        fprintf(out, "审核 approved by %s at %s (province)\n", s_str(review->province_by),
                s_iso(review->province_at, at, sizeof at)) < 0)
        return -1;
    return 0;
}

static int s_heading(const Fundchain__Evaluation *eval, FILE *out)
{
    char total[32];
    const char *name = eval->name && eval->name[0] ? eval->name : s_str(eval->code);
    if (fprintf(out, "%s %s  %s %s  总分 total %s  等级 grade %s %s\n", name, s_str(eval->code),
                s_str(eval->period), s_str(eval->fund),
                rational_centi_format(eval->total_centi, total, sizeof total), s_str(eval->grade),
                score_grade_name(eval->grade)) < 0)
        return -1;
    if (s_approval_line(eval->review, out) != 0)
        return -1;
    if (eval->level != FUNDCHAIN__EVALUATION__LEVEL__POOL)
        return 0;
    if (fputs("统筹单位 units:", out) == EOF)
        return -1;
    for (size_t i = 0; i < eval->n_units; i++)
        if (fprintf(out, " %s", s_str(eval->units[i])) < 0)
            return -1;
    return fprintf(out, "  (%s)\n", eval->complete ? "complete 完整" : "incomplete 不完整") < 0 ? -1
                                                                                                : 0;
}

/* Prints the evaluation as aligned tables; returns 0, or -1. */
static int s_print_table(const Fundchain__Evaluation *eval, FILE *out)
{
    if (s_heading(eval, out) != 0 || s_items_section(eval, out) != 0 ||
        s_indicators_section(eval, out) != 0 || s_scores_section(eval, out) != 0 ||
        s_warnings_section(eval, out) != 0)
        return -1;
    return 0;
}

/* Prints the evaluation as JSON; returns 0, or -1. */
static int s_print_json(const Fundchain__Evaluation *eval, FILE *out)
{
    json_t *json = evalview_json(eval);
    if (!json)
        return -1;
    int rc = json_dumpf(json, out, EVALVIEW_JSON_FLAGS);
    json_decref(json);
    if (rc != 0 || fputc('\n', out) == EOF)
        return -1;
    return 0;
}

/* Prints the evaluation in the format; returns 0, or -1 on a write error. */
int evalview_print(const Fundchain__Evaluation *eval, format_t format, FILE *out)
{
    if (!eval || !out)
        return -1;
    int rc;
    if (format == FORMAT_JSON)
        rc = s_print_json(eval, out);
    else if (format == FORMAT_CSV)
        rc = s_print_csv(eval, out);
    else
        rc = s_print_table(eval, out);
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = -1;
    return rc;
}
