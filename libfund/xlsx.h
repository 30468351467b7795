/*  xlsx - workbooks of the queries (--format xlsx --out FILE), written with
    libxlsxwriter from the same JSON documents `--format json` prints, so
    a workbook cannot say other figures: money as numbers in 元 (#,##0.00),
    rates as percentages (0.00%), scores with 2 decimals, Chinese headers,
    the header row frozen, columns as wide as their text, and a sheet 说明
    (period, fund, level, source, program, when made). The file is written
    as FILE.tmp and renamed: it appears whole or not at all.

    Every function returns 0, or -1 with a message naming the file.
*/
#ifndef XLSX_H_INCLUDED
#define XLSX_H_INCLUDED

#include <jansson.h>

typedef struct {
    const char *program; /* "city-aggregator pool", ... */
    const char *level;   /* 区县 / 市 / 省 */
    const char *source;  /* the data directory or the query endpoint */
} xlsx_about_t;

/* An evaluation (show, pool): the object evalview_json builds. */
int xlsx_write_eval(const json_t *eval, const xlsx_about_t *about, const char *path);

/* A ranking of both levels (rank): rank_json's objects, cities and counties. */
int xlsx_write_rank(const json_t *cities, const json_t *counties, const xlsx_about_t *about,
                    const char *path);

/* The city's status document (city-aggregator status --format json). */
int xlsx_write_city_status(const json_t *status, const xlsx_about_t *about, const char *path);

/* The agent's status document (county-agent status --format json). */
int xlsx_write_agent_status(const json_t *status, const xlsx_about_t *about, const char *path);

#endif
