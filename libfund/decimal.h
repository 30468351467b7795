/*  decimal - exact decimal parsing and formatting, never through a binary float.

    Money is integer fen (1 yuan = 100 fen). Every other quantity (percent,
    points, persons, months, counts) is an integer in units of 1/QTY_SCALE.
    Text may carry thousands separators ("70,325.02") and a leading '-'.
*/
#ifndef DECIMAL_H_INCLUDED
#define DECIMAL_H_INCLUDED

#include <stdint.h>
#include <stddef.h>

#define QTY_SCALE 10000 /* non-money quantities: 4 decimals kept exactly */
#define FEN_PER_YUAN 100
#define FEN_PER_WAN 1000000 /* 1 万元 = 10,000 yuan = 1,000,000 fen */

/* Parses an exact decimal: optional '-', digits with optional well-placed
   thousands separators, optional '.' and fraction digits. Stores the digits
   as mantissa and the count of fraction digits as *decimals.
   Returns 0, or -1 with a static reason in *why (bad syntax, too long, overflow). */
int decimal_parse(const char *text, int64_t *mantissa, int *decimals, const char **why);

/* Parses money given in yuan (multiplier FEN_PER_YUAN) or 万元 (FEN_PER_WAN)
   into fen. *tolerance gets half a unit of the last decimal given, in fen,
   for 万元 figures (e.g. 5000 fen for "70325.02"), and 0 for yuan figures.
   Returns 0, or -1 with a reason (syntax, finer than a fen, overflow). */
int decimal_parse_money(const char *text, int64_t fen_per_unit, int64_t *fen, int64_t *tolerance,
                        const char **why);

/* Parses a quantity into units of 1/QTY_SCALE after multiplying by factor
   (1 for persons, 10000 for 万人). Returns 0, or -1 with a reason
   (syntax, more decimals than kept, overflow). */
int decimal_parse_qty(const char *text, int64_t factor, int64_t *qty, const char **why);

/* Formats fen as yuan with exactly 2 decimals ("703250200.00", "-1.05").
   Returns buf. A buffer of 32 bytes always suffices. */
char *decimal_format_money(int64_t fen, char *buf, size_t size);

/* Formats fen as yuan with thousands separators ("703,250,200.00"). Returns buf. */
char *decimal_format_money_grouped(int64_t fen, char *buf, size_t size);

/* Formats a quantity (1/QTY_SCALE units) with the fewest decimals that are
   exact ("88.56", "5", "0.5"). Returns buf. */
char *decimal_format_qty(int64_t qty, char *buf, size_t size);

#endif
