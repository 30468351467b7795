/*  html - what every HTML file the product writes shares: escaping, and a
    page's head and foot with the one style sheet (inline, A4 print, the
    system's CJK fonts), so that reports and narratives look and print alike
    and never name an address outside the file.
*/
#ifndef HTML_H_INCLUDED
#define HTML_H_INCLUDED

#include <stdio.h>

/* Writes text with &, <, >, " and ' escaped; NULL writes nothing. Bytes
   that are not valid UTF-8 are written as U+FFFD. Returns 0, or -1 on a
   write error. */
int html_escape(FILE *out, const char *text);

/* Writes the doctype, the head (charset, title escaped, the style sheet
   followed by extra_css when not NULL) and opens the body. Returns 0 or -1. */
int html_begin(FILE *out, const char *title, const char *extra_css);

/* Closes the body and the document. Returns 0, or -1 when anything written
   to out failed (ferror). */
int html_end(FILE *out);

#endif
