/*  svgchart - the charts of the reports, drawn as inline SVG: horizontal
    bars (with threshold lines), stacked bars, strips of dots and lines
    over periods. Each datum is one element with class "mark" and the
    attributes data-code and data-value (the value as the text given, the
    figure the JSON holds), and a <title> a reader sees on hover, so that a
    test counts and reads marks in the DOM. Geometry uses doubles; the
    figures shown are the texts given. Text is escaped (html.h). Every
    function returns 0, or -1 when writing to out failed.
*/
#ifndef SVGCHART_H_INCLUDED
#define SVGCHART_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

/* One bar, or one dot of a strip. */
typedef struct {
    const char *code;  /* data-code */
    const char *label; /* shown at the left of its row */
    double value;      /* geometry */
    const char *text;  /* data-value and the figure shown */
    const char *cls;   /* an extra class (a risk level), or NULL */
} svgchart_datum_t;

/* A vertical line at a value, labelled (class "threshold"). */
typedef struct {
    double value;
    const char *label;
} svgchart_line_t;

/* Horizontal bars from 0 (or from the smallest negative value) to the
   largest of max and the values, one row each, with threshold lines. */
int svgchart_bars(FILE *out, const char *title, const svgchart_datum_t *bars, size_t n,
                  double max, const svgchart_line_t *lines, size_t nlines);

/* One stacked bar per row; values[row * nseries + s] is the segment of
   series s (a segment of 0 is not drawn); texts likewise. Each segment
   carries data-series with its series' code; a legend follows. */
typedef struct {
    const char *const *codes;  /* series codes (classes "s0".. and data-series) */
    const char *const *labels; /* series names for the legend */
    size_t n;
} svgchart_series_t;

int svgchart_stacked(FILE *out, const char *title, const svgchart_series_t *series,
                     const svgchart_datum_t *rows, size_t n, const double *values,
                     const char *const *texts, double max);

/* A strip: one dot per datum along an axis from the smallest to the
   largest value (labels on the axis ends). */
int svgchart_strip(FILE *out, const char *title, const svgchart_datum_t *dots, size_t n);

/* Lines over periods: for series s, values[s * nperiods + p] when
   present[s * nperiods + p]; one dot (mark) per present value, data-code
   the series' code and data-period the period. */
typedef struct {
    const char *const *periods;
    size_t nperiods;
    const char *const *codes;
    const char *const *labels;
    size_t nseries;
    const double *values;
    const char *const *texts;
    const unsigned char *present;
} svgchart_lines_t;

int svgchart_lines(FILE *out, const char *title, const svgchart_lines_t *lines);

/* The style of the charts (classes of marks, risk levels, series). */
const char *svgchart_css(void);

#endif
