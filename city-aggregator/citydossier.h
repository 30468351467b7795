/*  citydossier - the city's dossier (dossier.h) of one (period, fund):
    its pool and every unit that reported, each as `pool` and `show`
    print them, and every stored period of the same length for the
    timeliness matrix and the trend.
*/
#ifndef CITYDOSSIER_H_INCLUDED
#define CITYDOSSIER_H_INCLUDED

#include "citydb.h"
#include "cityconf.h"
#include <jansson.h>

/* Builds the dossier; indicator is the trend's (NULL: months_payable),
   source says where the store is. Returns a new reference, or NULL when
   the store cannot be read (a message on stderr). */
json_t *citydossier_build(citydb_t *db, const cityconf_t *conf, const char *period,
                          const char *fund, const char *indicator, const char *source);

#endif
