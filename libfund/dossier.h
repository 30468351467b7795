/*  dossier - everything the printed outputs of one (period, fund) show,
    gathered once from a store as one JSON document, so that the HTML
    report (htmlreport.h), the self-evaluation report (narrative.h) and the
    workbooks are made from the same figures that `show`, `pool`, `rank`
    and `status` print. The city builds it from its reports
    (city-aggregator/citydossier.c), the province from its evaluations
    (province-hub/hubdossier.c); the renderers never read a store.

    The document (every member is always present; lists may be empty):

    {"dossier": 1,
     "level": "city" | "province",        who made it
     "code": "510400", "name": "攀枝花市",  the city or the province
     "period": "2023", "fund": "resident",
     "made_at": "2026-12-03T09:30:00Z",   when (UTC)
     "source": "...",                     what it was read from (a data
                                          directory or a query endpoint)
     "framework": [{"code", "name", "category", "max", "rule", "metric",
                    "params"}],           the framework that scored the
                                          units (max a number, 2 decimals;
                                          category decision|process|output|
                                          effect|bonus; metric "" for
                                          manual and bonus; params the
                                          CSV's text)
     "risk": {"level1": 3, "level2": 6, "level3": 9, "excess": 15},
                                          months_payable thresholds
     "pools": [EVAL],                     city: its pool (none when nothing
                                          is reported); province: every
                                          city's pool, in code order
     "units": [EVAL],                     every unit's own evaluation, in
                                          code order (市本级 included;
                                          "seat": true marks it)
     "rank": {"city": RANK, "county": RANK},
                                          rank_json by total, as
                                          `province-hub rank` prints it
                                          (city: "city" ranks its one pool,
                                          "county" its units but the 市本级)
     "periods": ["2021", "2022", "2023"], the stored periods of the fund
                                          with the same length as period,
                                          ascending, period included
     "timeliness": [{"code", "name", "cells": {PERIOD: "on_time" | "late"
                    | "missing" | "reported"}}],
                                          units × periods ("reported" when
                                          the arrival time is unknown)
     "trend": {"indicator": "months_payable", "name": "累计结余可支付月数",
               "series": [{"code", "name", "values": {PERIOD: number}}]},
                                          pools first, then units; a period
                                          without the value is left out
     "composition": null | {              city only
        "items": [{"code", "name", "pool": YUAN, "units": {CODE: YUAN}}],
                                          every income.* and expense.*
        "transfers": [{"code", "name", "units": {CODE: YUAN}, "total": YUAN}],
                                          expense.upper_remit,
                                          income.lower_remit,
                                          income.upper_grant,
                                          expense.lower_grant
        "reconciled": true | false,       no transfer_unreconciled warning
        "warnings": [{"code", "message"}] the pool's transfer warnings
     }}

    EVAL is evalview_json's SPEC 7 object (the bytes `show` and `pool` print
    as JSON, "approval" included: who approved it at the city and at the
    province) with "name" (SPEC 6 names; the code when none), "city" and,
    for units, "seat", "received_at" (ISO 8601 UTC or null) and "on_time"
    (bool or null) added. RANK is rank_json's object (each row with its
    evaluation's "approval"). YUAN is a string
    with exactly 2 decimals, as in SPEC 7.
*/
#ifndef DOSSIER_H_INCLUDED
#define DOSSIER_H_INCLUDED

#include "evaluation.h"
#include "fundchain.pb-c.h"
#include <jansson.h>
#include <stdbool.h>

#define DOSSIER_VERSION 1

typedef struct {
    const char *level;  /* "city" or "province" */
    const char *code;   /* the city's or the province's code */
    const char *name;   /* its name */
    const char *period; /* the period shown */
    const char *fund;
    const char *source;    /* what the figures were read from */
    const char *indicator; /* the trend's indicator: "total" or a code; NULL: months_payable */
    const framework_t *fw; /* NULL: the default framework */
    const risk_cfg_t *risk;
} dossier_about_t;

typedef struct _dossier_t dossier_t;

/* Starts a dossier; NULL when out of memory. The strings are copied. */
dossier_t *dossier_new(const dossier_about_t *about);

/* Destroys the dossier and nulls the pointer; safe on NULL. */
void dossier_destroy(dossier_t **self_p);

/* Names a unit that should report every period (a known unit of the
   city): its missing periods show as missing. seat marks the 市本级.
   Returns 0 or -1. */
int dossier_expect(dossier_t *self, const char *code, const char *name, bool seat);

/* Adds an evaluation of any stored period of the fund: of the dossier's
   period it joins pools or units; every period feeds the timeliness matrix
   (units) and the trend. seat marks a unit that is a city's 市本级.
   Returns 0 or -1 (out of memory). */
int dossier_add(dossier_t *self, const Fundchain__Evaluation *eval, bool seat);

/* Finishes the document (periods sorted, timeliness, trend, the ranks by
   total and, at a city, the pool's composition) and returns it (a new
   reference), or NULL when out of memory. */
json_t *dossier_json(dossier_t *self);

#endif
