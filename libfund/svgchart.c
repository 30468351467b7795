/*  svgchart - inline SVG charts. Every chart is 720 units wide (it scales
    to the page: viewBox, width 100 %), labels take the left 150 units and
    figures the right 70; rows are 20 units high. Coordinates are printed
    with one decimal, so the same data give the same bytes.
*/
#include "svgchart.h"
#include "html.h"
#include <math.h>

#define W 720.0
#define LEFT 150.0
#define RIGHT 70.0
#define ROW 20.0
#define TOP 24.0
#define PLOT (W - LEFT - RIGHT)

static const char s_css[] =
    "svg.chart{width:100%;height:auto;font-size:11px}"
    "svg.chart text{fill:#222}"
    "svg.chart .axis{stroke:#666;stroke-width:1}"
    "svg.chart .grid{stroke:#ddd;stroke-width:1}"
    "svg.chart .bar{fill:#4e79a7}"
    "svg.chart .threshold{stroke:#c0392b;stroke-width:1.2;stroke-dasharray:4 3}"
    "svg.chart .threshold-label{fill:#c0392b;font-size:10px}"
    "svg.chart .level1{fill:#c0392b}svg.chart .level2{fill:#e67e22}"
    "svg.chart .level3{fill:#f1c40f}svg.chart .normal{fill:#27ae60}"
    "svg.chart .excess{fill:#8e44ad}"
    "svg.chart .s0{fill:#4e79a7}svg.chart .s1{fill:#f28e2b}svg.chart .s2{fill:#59a14f}"
    "svg.chart .s3{fill:#e15759}svg.chart .s4{fill:#b07aa1}svg.chart .s5{fill:#9c755f}"
    "svg.chart .l0{stroke:#4e79a7}svg.chart .l1{stroke:#f28e2b}svg.chart .l2{stroke:#59a14f}"
    "svg.chart .l3{stroke:#e15759}svg.chart .l4{stroke:#b07aa1}svg.chart .l5{stroke:#9c755f}"
    "svg.chart polyline{fill:none;stroke-width:1.5}"
    "svg.chart .dot{fill:#4e79a7;fill-opacity:.8}";

//  Returns the style of the charts.
const char *svgchart_css(void)
{
    return s_css;
}

//  Opens an <svg> of a height with its title.
static void s_open(FILE *out, const char *title, double height)
{
    fprintf(out,
            "<svg class=\"chart\" viewBox=\"0 0 %.0f %.1f\" "
            "role=\"img\" aria-label=\"",
            W, height);
    html_escape(out, title);
    fputs("\"><title>", out);
    html_escape(out, title);
    fputs("</title>\n", out);
}

static int s_close(FILE *out)
{
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

//  Writes a text element.
static void s_text(FILE *out, double x, double y, const char *anchor, const char *cls,
                   const char *text)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
            cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    html_escape(out, text);
    fputs("</text>\n", out);
}

//  Writes the attributes every mark has, and its <title> after ">".
static void s_mark_attrs(FILE *out, const svgchart_datum_t *d)
{
    fputs(" data-code=\"", out);
    html_escape(out, d->code);
    fputs("\" data-value=\"", out);
    html_escape(out, d->text);
    fputs("\"><title>", out);
    html_escape(out, d->label);
    fputs(" ", out);
    html_escape(out, d->text);
    fputs("</title>", out);
}

//  The scale of a chart: lo..hi mapped onto the plot.
typedef struct {
    double lo, hi;
} scale_t;

static double s_x(const scale_t *s, double v)
{
    double span = s->hi - s->lo;
    return LEFT + (span > 0 ? (v - s->lo) / span * PLOT : 0);
}

//  Draws horizontal bars.
int svgchart_bars(FILE *out, const char *title, const svgchart_datum_t *bars, size_t n, double max,
                  const svgchart_line_t *lines, size_t nlines)
{
    scale_t s = {0, max > 0 ? max : 0};
    for (size_t i = 0; i < n; i++) {
        s.lo = fmin(s.lo, bars[i].value);
        s.hi = fmax(s.hi, bars[i].value);
    }
    for (size_t i = 0; i < nlines; i++)
        s.hi = fmax(s.hi, lines[i].value);
    double height = TOP + ROW * (double)n + 8;
    s_open(out, title, height);
    double zero = s_x(&s, 0);
    fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", zero,
            TOP - 4, zero, height - 4);
    for (size_t i = 0; i < n; i++) {
        const svgchart_datum_t *b = &bars[i];
        double y = TOP + ROW * (double)i, x = s_x(&s, b->value);
        s_text(out, LEFT - 6, y + 14, "end", NULL, b->label);
        fprintf(out,
                "<rect class=\"mark bar%s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\"",
                b->cls ? " " : "", b->cls ? b->cls : "", fmin(x, zero), y + 3, fabs(x - zero),
                ROW - 6);
        s_mark_attrs(out, b);
        fputs("</rect>\n", out);
        s_text(out, W - RIGHT + 6, y + 14, "start", NULL, b->text);
    }
    for (size_t i = 0; i < nlines; i++) {
        double x = s_x(&s, lines[i].value);
        fprintf(out,
                "<line class=\"threshold\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
                TOP - 6, x, height - 4);
        s_text(out, x, TOP - 10, "middle", "threshold-label", lines[i].label);
    }
    return s_close(out);
}

//  Draws a legend row at y.
static void s_legend(FILE *out, const svgchart_series_t *series, double y)
{
    double x = LEFT;
    for (size_t k = 0; k < series->n; k++) {
        fprintf(out, "<rect class=\"s%zu\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\"/>\n",
                k % 6, x, y);
        s_text(out, x + 14, y + 9, "start", NULL, series->labels[k]);
        x += 90;
    }
}

//  Draws one stacked row's segments.
static void s_segments(FILE *out, const svgchart_series_t *series, const svgchart_datum_t *row,
                       const double *values, const char *const *texts, const scale_t *s, double y)
{
    double at = 0;
    for (size_t k = 0; k < series->n; k++) {
        if (values[k] == 0)
            continue;
        double x0 = s_x(s, at), x1 = s_x(s, at + values[k]);
        at += values[k];
        fprintf(out,
                "<rect class=\"mark s%zu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "data-series=\"",
                k % 6, x0, y + 3, fabs(x1 - x0), ROW - 6);
        html_escape(out, series->codes[k]);
        fputs("\"", out);
        svgchart_datum_t seg = {row->code, series->labels[k], values[k], texts[k], NULL};
        s_mark_attrs(out, &seg);
        fputs("</rect>\n", out);
    }
}

//  Draws stacked bars.
int svgchart_stacked(FILE *out, const char *title, const svgchart_series_t *series,
                     const svgchart_datum_t *rows, size_t n, const double *values,
                     const char *const *texts, double max)
{
    scale_t s = {0, max};
    for (size_t i = 0; i < n; i++)
        s.hi = fmax(s.hi, rows[i].value);
    double height = TOP + ROW * (double)n + 28;
    s_open(out, title, height);
    for (size_t i = 0; i < n; i++) {
        double y = TOP + ROW * (double)i;
        s_text(out, LEFT - 6, y + 14, "end", NULL, rows[i].label);
        s_segments(out, series, &rows[i], values + i * series->n, texts + i * series->n, &s, y);
        s_text(out, W - RIGHT + 6, y + 14, "start", NULL, rows[i].text);
    }
    s_legend(out, series, height - 20);
    return s_close(out);
}

//  Draws a strip of dots.
int svgchart_strip(FILE *out, const char *title, const svgchart_datum_t *dots, size_t n)
{
    scale_t s = {n ? dots[0].value : 0, n ? dots[0].value : 1};
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (dots[i].value < s.lo)
            s.lo = dots[i].value, lo = i;
        if (dots[i].value > s.hi)
            s.hi = dots[i].value, hi = i;
    }
    if (s.hi == s.lo)
        s.lo -= 1, s.hi += 1;
    s_open(out, title, 44);
    s_text(out, LEFT - 6, 26, "end", NULL, title);
    fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"22\"/>\n", LEFT,
            W - RIGHT);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "<circle class=\"mark dot%s%s\" cx=\"%.1f\" cy=\"22\" r=\"5\"",
                dots[i].cls ? " " : "", dots[i].cls ? dots[i].cls : "", s_x(&s, dots[i].value));
        s_mark_attrs(out, &dots[i]);
        fputs("</circle>\n", out);
    }
    if (n) {
        s_text(out, LEFT, 40, "start", NULL, dots[lo].text);
        s_text(out, W - RIGHT, 40, "end", NULL, dots[hi].text);
    }
    return s_close(out);
}

//  The range of the present values of a lines chart.
static scale_t s_lines_scale(const svgchart_lines_t *l)
{
    scale_t s = {INFINITY, -INFINITY};
    for (size_t i = 0; i < l->nseries * l->nperiods; i++)
        if (l->present[i]) {
            s.lo = fmin(s.lo, l->values[i]);
            s.hi = fmax(s.hi, l->values[i]);
        }
    if (!(s.lo <= s.hi))
        s.lo = 0, s.hi = 1;
    if (s.hi == s.lo)
        s.lo -= 1, s.hi += 1;
    return s;
}

//  Draws one series: its polyline and its dots.
static void s_series(FILE *out, const svgchart_lines_t *l, size_t k, const scale_t *s, double top,
                     double plot_h)
{
    double dx = l->nperiods > 1 ? PLOT / (double)(l->nperiods - 1) : 0;
    fprintf(out, "<polyline class=\"l%zu\" points=\"", k % 6);
    for (size_t p = 0; p < l->nperiods; p++)
        if (l->present[k * l->nperiods + p])
            fprintf(out, "%.1f,%.1f ", LEFT + dx * (double)p,
                    top + plot_h -
                        (l->values[k * l->nperiods + p] - s->lo) / (s->hi - s->lo) * plot_h);
    fputs("\"/>\n", out);
    for (size_t p = 0; p < l->nperiods; p++) {
        size_t i = k * l->nperiods + p;
        if (!l->present[i])
            continue;
        fprintf(out, "<circle class=\"mark s%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" data-period=\"",
                k % 6, LEFT + dx * (double)p,
                top + plot_h - (l->values[i] - s->lo) / (s->hi - s->lo) * plot_h);
        html_escape(out, l->periods[p]);
        fputs("\"", out);
        svgchart_datum_t d = {l->codes[k], l->labels[k], l->values[i], l->texts[i], NULL};
        s_mark_attrs(out, &d);
        fputs("</circle>\n", out);
    }
}

//  Draws lines over periods.
int svgchart_lines(FILE *out, const char *title, const svgchart_lines_t *l)
{
    scale_t s = s_lines_scale(l);
    double top = 16, plot_h = 200, legend = 16 * ceil((double)l->nseries / 4.0);
    s_open(out, title, top + plot_h + 40 + legend);
    fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", LEFT,
            top + plot_h, W - RIGHT, top + plot_h);
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%.2f", s.lo);
    snprintf(hi, sizeof hi, "%.2f", s.hi);
    s_text(out, LEFT - 6, top + plot_h, "end", NULL, lo);
    s_text(out, LEFT - 6, top + 8, "end", NULL, hi);
    double dx = l->nperiods > 1 ? PLOT / (double)(l->nperiods - 1) : 0;
    for (size_t p = 0; p < l->nperiods; p++)
        s_text(out, LEFT + dx * (double)p, top + plot_h + 16, "middle", NULL, l->periods[p]);
    for (size_t k = 0; k < l->nseries; k++)
        s_series(out, l, k, &s, top, plot_h);
    for (size_t k = 0; k < l->nseries; k++) {
        double x = LEFT + 135 * (double)(k % 4), y = top + plot_h + 28 + 16 * (double)(k / 4);
        fprintf(out,
                "<line class=\"l%zu\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke-width=\"3\"/>\n",
                k % 6, x, y, x + 12, y);
        s_text(out, x + 16, y + 4, "start", NULL, l->labels[k]);
    }
    return s_close(out);
}
