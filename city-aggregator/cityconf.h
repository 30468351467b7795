/*  cityconf - the settings of a city aggregator that its query commands
    need too (name, known units and their names, framework, deadlines, risk
    thresholds). run stores them in the city's LMDB so that pool, show and
    status, which get only --data, compute exactly what the daemon does.
*/
#ifndef CITYCONF_H_INCLUDED
#define CITYCONF_H_INCLUDED

#include "evaluation.h"
#include "framework.h"
#include "period.h"
#include "store.h"
#include <stddef.h>

typedef struct {
    char code[8];
    char name[128];
} unit_name_t;

typedef struct {
    char city[8];
    char name[128];
    unit_name_t *units; /* the city's configured units (--units), may be empty */
    size_t n_units;
    char *framework_text;   /* NULL: the default framework */
    framework_t *framework; /* parsed from framework_text, NULL for the default */
    deadline_cfg_t deadline;
    risk_cfg_t risk;
    int64_t outlier_z; /* --outlier-z, 1/QTY_SCALE units (default 3.5) */
} cityconf_t;

/* Fills defaults (no units, default framework and deadlines). */
void cityconf_init(cityconf_t *self);

/* Frees what the configuration owns and resets it. */
void cityconf_clear(cityconf_t *self);

/* Reads a units CSV (header code,name) with libcsv. Returns 0, or -1 with
   file:line on stderr. */
int cityconf_load_units(cityconf_t *self, const char *path);

/* Reads a framework CSV into the configuration. Returns 0, or -1 with the
   errors on stderr. */
int cityconf_load_framework(cityconf_t *self, const char *path);

/* Returns the name of a unit: the configured name, the city's name for the
   city's own code, else the code itself. */
const char *cityconf_unit_name(const cityconf_t *self, const char *code);

/* Returns the configuration as the JSON text stored (free with free()), or
   NULL when out of memory. The same configuration gives the same text. */
char *cityconf_text(const cityconf_t *self);

/* Stores the configuration in the "meta" database. Returns 0 or -1. */
int cityconf_save(const cityconf_t *self, store_t *store);

/* Loads the configuration stored by run. Returns 0, or -1 with a message on
   stderr (no city has run on this data directory). */
int cityconf_load(cityconf_t *self, store_t *store);

/* Fills an evaluation configuration that points into self. */
void cityconf_eval_cfg(const cityconf_t *self, eval_cfg_t *cfg);

#endif
