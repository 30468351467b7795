/*  cityconf - the settings of a city aggregator, kept in its LMDB. */
#include "cityconf.h"
#include "decimal.h"
#include "outlier.h"
#include "adcode.h"
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Fills defaults.
void cityconf_init(cityconf_t *self)
{
    memset(self, 0, sizeof *self);
    period_deadline_defaults(&self->deadline);
    self->outlier_z = (int64_t)(OUTLIER_Z_DEFAULT * QTY_SCALE);
    eval_cfg_t cfg;
    evaluation_cfg_defaults(&cfg);
    self->risk = cfg.risk;
}

//  Frees what the configuration owns.
void cityconf_clear(cityconf_t *self)
{
    free(self->units);
    free(self->framework_text);
    framework_destroy(&self->framework);
    cityconf_init(self);
}

typedef struct {
    cityconf_t *conf;
    const char *path;
    char fields[2][128];
    size_t n_fields;
    size_t row;
    int failed;
} units_reader_t;

static void s_units_field(void *data, size_t len, void *arg)
{
    units_reader_t *r = arg;
    if (r->n_fields < 2)
        snprintf(r->fields[r->n_fields], sizeof r->fields[0], "%.*s", (int)len, (char *)data);
    r->n_fields++;
}

static int s_units_add(cityconf_t *conf, const char *code, const char *name)
{
    unit_name_t *grown = realloc(conf->units, (conf->n_units + 1) * sizeof *grown);
    if (!grown)
        return -1;
    conf->units = grown;
    unit_name_t *u = &conf->units[conf->n_units];
    if (snprintf(u->code, sizeof u->code, "%s", code) >= (int)sizeof u->code)
        return -1; //  not a 6-digit code: the caller checks that first
    snprintf(u->name, sizeof u->name, "%s", name);
    conf->n_units++;
    return 0;
}

static void s_units_row(int c, void *arg)
{
    (void)c;
    units_reader_t *r = arg;
    size_t n = r->n_fields;
    r->n_fields = 0;
    if (r->row++ == 0 || n == 0 || (n == 1 && !r->fields[0][0]))
        return; //  the header, or a blank line
    if (n != 2 || !adcode_valid(r->fields[0])) {
        fprintf(stderr, "%s: row %zu: expected code,name with a 6-digit code\n", r->path, r->row);
        r->failed = 1;
        return;
    }
    if (r->conf->city[0] && !adcode_in_city(r->fields[0], r->conf->city)) {
        fprintf(stderr, "%s: row %zu: unit %s is not inside city %s\n", r->path, r->row,
                r->fields[0], r->conf->city);
        r->failed = 1;
        return;
    }
    if (s_units_add(r->conf, r->fields[0], r->fields[1]) != 0)
        r->failed = 1;
}

//  Reads a units CSV with libcsv.
int cityconf_load_units(cityconf_t *self, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "%s: cannot read the units file\n", path);
        return -1;
    }
    struct csv_parser parser;
    csv_init(&parser, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL);
    units_reader_t reader = {.conf = self, .path = path};
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, file)) > 0)
        if (csv_parse(&parser, buf, got, s_units_field, s_units_row, &reader) != got) {
            fprintf(stderr, "%s: malformed CSV: %s\n", path, csv_strerror(csv_error(&parser)));
            reader.failed = 1;
            break;
        }
    csv_fini(&parser, s_units_field, s_units_row, &reader);
    csv_free(&parser);
    fclose(file);
    return reader.failed ? -1 : 0;
}

//  Reads a framework CSV.
int cityconf_load_framework(cityconf_t *self, const char *path)
{
    diag_t *diag = diag_new();
    framework_t *fw = framework_load(path, diag);
    diag_print(diag, stderr);
    diag_destroy(&diag);
    if (!fw)
        return -1;
    framework_destroy(&self->framework);
    free(self->framework_text);
    self->framework = fw;
    self->framework_text = strdup(framework_text(fw));
    return self->framework_text ? 0 : -1;
}

//  Returns the name of a unit.
const char *cityconf_unit_name(const cityconf_t *self, const char *code)
{
    for (size_t i = 0; i < self->n_units; i++)
        if (!strcmp(self->units[i].code, code))
            return self->units[i].name;
    if (!strcmp(code, self->city) && self->name[0])
        return self->name;
    return code;
}

static json_t *s_to_json(const cityconf_t *self)
{
    json_t *units = json_array();
    for (size_t i = 0; i < self->n_units; i++)
        json_array_append_new(units, json_pack("[s, s]", self->units[i].code, self->units[i].name));
    return json_pack("{s:s, s:s, s:o, s:s?, s:{s:i, s:i, s:i}, s:[I, I, I, I], s:I}", "city",
                     self->city, "name", self->name, "units", units, "framework",
                     self->framework_text, "deadline", "month", self->deadline.month, "quarter",
                     self->deadline.quarter, "year", self->deadline.year, "risk",
                     (json_int_t)self->risk.level1, (json_int_t)self->risk.level2,
                     (json_int_t)self->risk.level3, (json_int_t)self->risk.normal, "outlier_z",
                     (json_int_t)self->outlier_z);
}

static int s_put_config(store_txn_t *txn, void *arg)
{
    const char *text = arg;
    return store_put(txn, "meta", "config", 6, text, strlen(text));
}

//  Returns the configuration as the text stored, or NULL.
char *cityconf_text(const cityconf_t *self)
{
    json_t *doc = s_to_json(self);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

//  Stores the configuration in the "meta" database.
int cityconf_save(const cityconf_t *self, store_t *store)
{
    char *text = cityconf_text(self);
    int rc = text ? store_write(store, s_put_config, text) : -1;
    free(text);
    return rc;
}

typedef struct {
    char *text;
} config_text_t;

static int s_get_config(store_txn_t *txn, void *arg)
{
    config_text_t *out = arg;
    const void *val;
    size_t len;
    int rc = store_get(txn, "meta", "config", 6, &val, &len);
    if (rc != 0)
        return -1;
    out->text = strndup(val, len);
    return out->text ? 0 : -1;
}

static int s_from_json(cityconf_t *self, json_t *doc)
{
    const char *city = NULL, *name = NULL;
    json_t *units = NULL, *fw_json = NULL;
    json_int_t risk[4] = {0}, outlier_z = self->outlier_z;
    if (json_unpack(doc, "{s:s, s:s, s:o, s?o, s:{s:i, s:i, s:i}, s:[I, I, I, I], s?I}", "city",
                    &city, "name", &name, "units", &units, "framework", &fw_json, "deadline",
                    "month", &self->deadline.month, "quarter", &self->deadline.quarter, "year",
                    &self->deadline.year, "risk", &risk[0], &risk[1], &risk[2], &risk[3],
                    "outlier_z", &outlier_z) != 0)
        return -1;
    self->outlier_z = outlier_z;
    const char *fw = json_string_value(fw_json); //  null: the default framework
    snprintf(self->city, sizeof self->city, "%s", city);
    snprintf(self->name, sizeof self->name, "%s", name);
    self->risk = (risk_cfg_t){risk[0], risk[1], risk[2], risk[3]};
    size_t i;
    json_t *pair;
    json_array_foreach(units, i, pair)
    {
        const char *code = json_string_value(json_array_get(pair, 0));
        const char *uname = json_string_value(json_array_get(pair, 1));
        if (code && uname && s_units_add(self, code, uname) != 0)
            return -1;
    }
    if (fw) {
        diag_t *diag = diag_new();
        self->framework = framework_parse("stored framework", fw, strlen(fw), diag);
        diag_destroy(&diag);
        self->framework_text = strdup(fw);
        if (!self->framework || !self->framework_text)
            return -1;
    }
    return 0;
}

//  Loads the configuration stored by run.
int cityconf_load(cityconf_t *self, store_t *store)
{
    config_text_t text = {NULL};
    cityconf_init(self);
    if (store_read(store, s_get_config, &text) != 0) {
        fprintf(stderr,
                "no city configuration here: has 'city-aggregator run' used this --data?\n");
        return -1;
    }
    json_t *doc = json_loads(text.text, 0, NULL);
    int rc = doc ? s_from_json(self, doc) : -1;
    json_decref(doc);
    free(text.text);
    if (rc != 0)
        fprintf(stderr, "the stored city configuration is unreadable\n");
    return rc;
}

//  Fills an evaluation configuration that points into self.
void cityconf_eval_cfg(const cityconf_t *self, eval_cfg_t *cfg)
{
    evaluation_cfg_defaults(cfg);
    if (self->framework)
        cfg->fw = self->framework;
    cfg->risk = self->risk;
}
