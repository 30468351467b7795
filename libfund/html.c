/*  html - escaping, and the head and foot every HTML page shares.
*/
#include "html.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*  The style sheet of every page: CJK fonts the system has (no web font),
    A4 with 15 mm margins when printed, tables and figures that do not
    break across pages. */
static const char s_css[] =
    "@page{size:A4;margin:15mm}"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Zen Hei\","
    "\"Microsoft YaHei\",\"PingFang SC\",SimSun,sans-serif;font-size:10.5pt;line-height:1.5;"
    "color:#111;max-width:180mm;margin:0 auto;padding:8mm 0}"
    "h1{font-size:18pt;text-align:center;margin:0 0 4mm}"
    "h2{font-size:13pt;border-bottom:1px solid #888;margin:6mm 0 2mm}"
    "h3{font-size:11pt;margin:4mm 0 1mm}"
    "table{border-collapse:collapse;width:100%;margin:2mm 0;page-break-inside:auto}"
    "tr{page-break-inside:avoid}"
    "th,td{border:1px solid #999;padding:1mm 2mm;text-align:left;vertical-align:top}"
    "th{background:#eee}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:3mm 0;page-break-inside:avoid}"
    "figcaption{font-size:9pt;color:#444}"
    "svg{max-width:100%;height:auto}"
    ".meta{color:#555;font-size:9pt;text-align:center}"
    "@media print{body{padding:0;max-width:none}a{color:inherit;text-decoration:none}}";

/* Returns the length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t s_utf8_len(const unsigned char *p)
{
    size_t n = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                                                              : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                                                                             : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a surrogate */
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

//  Writes text escaped.
int html_escape(FILE *out, const char *text)
{
    if (!text)
        return 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        const char *entity = *p == '&'    ? "&amp;"
                             : *p == '<'  ? "&lt;"
                             : *p == '>'  ? "&gt;"
                             : *p == '"'  ? "&quot;"
                             : *p == '\'' ? "&#39;"
                                          : NULL;
        size_t n = entity ? 1 : s_utf8_len(p);
        if (entity)
            fputs(entity, out);
        else if (n == 0)
            fputs("\xEF\xBF\xBD", out), n = 1;
        else
            fwrite(p, 1, n, out);
        p += n;
    }
    return ferror(out) ? -1 : 0;
}

//  Writes the head and opens the body.
int html_begin(FILE *out, const char *title, const char *extra_css)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    html_escape(out, title);
    fprintf(out, "</title>\n<style>%s%s</style>\n</head>\n<body>\n", s_css,
            extra_css ? extra_css : "");
    return ferror(out) ? -1 : 0;
}

//  Closes the document.
int html_end(FILE *out)
{
    fputs("</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}
