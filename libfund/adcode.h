/*  adcode - administrative codes (行政区划代码): province PP0000, city PPCC00,
    county PPCCDD. A county belongs to the city with the same first four digits;
    the city-level account (市本级) reports under the city's own code.
*/
#ifndef ADCODE_H_INCLUDED
#define ADCODE_H_INCLUDED

#include <stdbool.h>

/* Returns true when s is exactly 6 ASCII digits. */
bool adcode_valid(const char *s);

/* Returns true when code is a city (PPCC00, CC != 00). */
bool adcode_is_city(const char *code);

/* Returns true when unit belongs to city: the city itself or a county with
   the same first four digits. */
bool adcode_in_city(const char *unit, const char *city);

/* Returns true when code (a city or a unit) lies inside province PP0000. */
bool adcode_in_province(const char *code, const char *province);

bool adcode_is_province(const char *code);

#endif
