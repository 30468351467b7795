/*  htmlreport - the report people read (SPEC 9.2): one self-contained HTML
    file made from a dossier (dossier.h), with league tables and SVG charts
    drawn here, inline CSS, no script and no address outside the file, so
    that it opens offline and prints on A4.
*/
#ifndef HTMLREPORT_H_INCLUDED
#define HTMLREPORT_H_INCLUDED

#include <jansson.h>
#include <stdio.h>

/* Writes the report of a dossier to out. Returns 0, or -1 on a write
   error or a dossier that lacks a member dossier.h promises (with a
   message on stderr). */
int htmlreport_write(const json_t *dossier, FILE *out);

#endif
