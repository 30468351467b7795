/*  adcode - administrative codes (行政区划代码): province PP0000, city PPCC00,
    county PPCCDD.
*/
#include "adcode.h"

#include <string.h>

/* Returns true when s is exactly 6 ASCII digits. */
bool adcode_valid(const char *s)
{
    if (!s)
        return false;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[6] == '\0';
}

/* Returns true when the two digits at p are "00". */
static bool s_zero_pair(const char *p)
{
    return p[0] == '0' && p[1] == '0';
}

/* Returns true when code is a province (PP0000, PP != 00). */
bool adcode_is_province(const char *code)
{
    return adcode_valid(code) && !s_zero_pair(code) && s_zero_pair(code + 2) &&
           s_zero_pair(code + 4);
}

/* Returns true when code is a city (PPCC00, PP and CC != 00). */
bool adcode_is_city(const char *code)
{
    return adcode_valid(code) && !s_zero_pair(code) && !s_zero_pair(code + 2) &&
           s_zero_pair(code + 4);
}

/* Returns true when unit belongs to city: the city itself or a county with
   the same first four digits. */
bool adcode_in_city(const char *unit, const char *city)
{
    return adcode_is_city(city) && adcode_valid(unit) && memcmp(unit, city, 4) == 0;
}

/* Returns true when code (a city or a unit) lies inside province PP0000. */
bool adcode_in_province(const char *code, const char *province)
{
    return adcode_is_province(province) && adcode_valid(code) && !s_zero_pair(code + 2) &&
           memcmp(code, province, 2) == 0;
}
