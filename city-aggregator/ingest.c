/*  ingest - examines one message from a county. */
#include "ingest.h"
#include "adcode.h"
#include "diag.h"
#include "transport.h"
#include "validate.h"
#include <stdio.h>
#include <string.h>

static void
s_copy_names (ingest_t *out, const Fundchain__Report *r)
{
    snprintf (out->unit, sizeof out->unit, "%s", r->unit ? r->unit : "");
    snprintf (out->period, sizeof out->period, "%s", r->period ? r->period : "");
    snprintf (out->fund, sizeof out->fund, "%s", r->fund ? r->fund : "");
    out->revision = r->revision;
}

//  Checks who may report what: the key's own unit, inside this city.
static bool
s_jurisdiction (const cityconf_t *conf, const char *peer, ingest_t *out)
{
    if (peer && strcmp (peer, out->unit)) {
        snprintf (out->reason, sizeof out->reason,
                  "unit %s may not be reported with the key of %s (jurisdiction)", out->unit, peer);
        return false;
    }
    if (!code_in_city (out->unit, conf->city)) {
        snprintf (out->reason, sizeof out->reason, "unit %s is not inside city %s (jurisdiction)",
                  out->unit, conf->city);
        return false;
    }
    return true;
}

static void
s_validate (const cityconf_t *conf, const uint8_t *data, size_t len, const char *peer,
            ingest_t *out)
{
    const char *why = NULL;
    report_t *report = report_decode (data, len, &why);
    if (!report) {
        snprintf (out->reason, sizeof out->reason, "malformed report: %s", why ? why : "?");
        return;
    }
    diag_t *diag = diag_new ();
    if (!diag) {
        report_destroy (&report);
        return;
    }
    if (validate_report (report, peer ? peer : out->unit, conf->framework, diag, NULL) != 0) {
        char first[400];
        snprintf (out->reason, sizeof out->reason, "invalid report: %s (%zu errors)",
                  diag_first_error (diag, first, sizeof first), diag_count (diag, DIAG_ERROR));
        report_destroy (&report);
    }
    else {
        out->verdict = INGEST_ACCEPT;
        out->report = report;
    }
    diag_destroy (&diag);
}

//  Examines one payload frame.
void
ingest_examine (const cityconf_t *conf, zframe_t *payload, const char *peer, ingest_t *out)
{
    memset (out, 0, sizeof *out);
    out->verdict = INGEST_DROP;
    size_t size = zframe_size (payload);
    if (size > TRANSPORT_MAX_MSG) {
        snprintf (out->reason, sizeof out->reason, "message of %zu bytes is too large", size);
        return;
    }
    Fundchain__Envelope *env = fundchain__envelope__unpack (NULL, size, zframe_data (payload));
    if (!env) {
        snprintf (out->reason, sizeof out->reason, "malformed message of %zu bytes", size);
        return;
    }
    if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_REPORT) {
        snprintf (out->reason, sizeof out->reason, "unexpected message type %d",
                  (int) env->body_case);
        fundchain__envelope__free_unpacked (env, NULL);
        return;
    }
    s_copy_names (out, env->report);
    out->verdict = INGEST_REJECT;
    if (s_jurisdiction (conf, peer, out)) {
        size_t len = fundchain__report__get_packed_size (env->report);
        uint8_t *bytes = malloc (len ? len : 1);
        if (bytes) {
            fundchain__report__pack (env->report, bytes);
            s_validate (conf, bytes, len, peer, out);
        }
        free (bytes);
    }
    fundchain__envelope__free_unpacked (env, NULL);
}
