/*  ingest - examines one message from a county. */
#include "ingest.h"
#include "adcode.h"
#include "envelope.h"
#include "diag.h"
#include "encoding.h"
#include "transport.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  Makes text safe for a log line and an acknowledgement: control
//  characters and bytes that are not UTF-8 (the peer chose them, or a
//  cut at the end of a field split a character) become '?'.
//  Text that is all ASCII (what every sender of ours sends) is valid UTF-8
//  without asking iconv.
static void s_printable(char *text)
{
    size_t len = strlen(text);
    bool ascii = true;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            text[i] = '?';
        ascii &= (unsigned char)text[i] < 0x80;
    }
    size_t at = 0, bad = 0;
    if (ascii)
        return;
    while (at < len && !encoding_utf8_valid(text + at, len - at, &bad) && at + bad < len) {
        text[at + bad] = '?';
        at += bad + 1;
    }
}

static void s_copy_names(ingest_t *out, const Fundchain__Report *r)
{
    snprintf(out->unit, sizeof out->unit, "%s", r->unit ? r->unit : "");
    snprintf(out->period, sizeof out->period, "%s", r->period ? r->period : "");
    snprintf(out->fund, sizeof out->fund, "%s", r->fund ? r->fund : "");
    out->revision = r->revision;
    s_printable(out->unit);
    s_printable(out->period);
    s_printable(out->fund);
}

//  Checks what no sender of ours ever sends: a unit that is not a code,
//  revision 0 (revisions start at 1).
static bool s_sane(ingest_t *out)
{
    if (!adcode_valid(out->unit))
        snprintf(out->reason, sizeof out->reason, "unit '%s' is not a 6-digit code", out->unit);
    else if (out->revision == 0)
        snprintf(out->reason, sizeof out->reason, "revision 0 is not a revision (they start at 1)");
    else
        return true;
    return false;
}

//  Checks who may report what: the key's own unit, inside this city.
static bool s_jurisdiction(const cityconf_t *conf, const char *peer, ingest_t *out)
{
    if (peer && strcmp(peer, out->unit)) {
        snprintf(out->reason, sizeof out->reason,
                 "unit %s may not be reported with the key of %s (jurisdiction)", out->unit, peer);
        return false;
    }
    if (!adcode_in_city(out->unit, conf->city)) {
        snprintf(out->reason, sizeof out->reason, "unit %s is not inside city %s (jurisdiction)",
                 out->unit, conf->city);
        return false;
    }
    return true;
}

//  Takes the report out of the message (report_from_pb: the checks of
//  report_decode, without packing it again to decode it) and validates it.
static void s_validate(const cityconf_t *conf, const Fundchain__Report *msg, const char *peer,
                       ingest_t *out)
{
    const char *why = NULL;
    report_t *report = report_from_pb(msg, &why);
    if (!report) {
        snprintf(out->reason, sizeof out->reason, "malformed report: %s", why ? why : "?");
        return;
    }
    diag_t *diag = diag_new();
    if (!diag) {
        report_destroy(&report);
        return;
    }
    //  The rules of the report alone, as the agent's submit applied them:
    //  the errors refuse it; its warnings are the evaluation's to find.
    if (validate_errors(report, peer ? peer : out->unit, conf->framework, diag, NULL) != 0 ||
        validate_receivable(report, (int64_t)time(NULL), diag, NULL) != 0) {
        char first[400];
        snprintf(out->reason, sizeof out->reason, "invalid report: %s (%zu errors)",
                 diag_first_error(diag, first, sizeof first), diag_count(diag, DIAG_ERROR));
        report_destroy(&report);
    } else {
        out->verdict = INGEST_ACCEPT;
        out->report = report;
    }
    diag_destroy(&diag);
}

//  Notes the key that sent a report, for the audit trail: its Z85 public
//  key when CURVE authenticated it, else nothing.
static void s_sender(zframe_t *payload, const char *peer, ingest_t *out)
{
    const char *key = peer ? zframe_meta(payload, "User-Id") : NULL;
    if (out->report && key)
        snprintf(out->report->sender, sizeof out->report->sender, "%s", key);
}

//  Takes a HeldQuery: the unit is the key's (the payload's only on an
//  --insecure link, which authenticates nobody), and inside the city.
static void s_held_query(const cityconf_t *conf, const Fundchain__HeldQuery *query,
                         const char *peer, ingest_t *out)
{
    out->verdict = INGEST_HELD;
    snprintf(out->unit, sizeof out->unit, "%s", peer ? peer : query->unit ? query->unit : "");
    s_printable(out->unit);
    if (!adcode_valid(out->unit))
        snprintf(out->reason, sizeof out->reason, "unit '%s' is not a 6-digit code", out->unit);
    else if (!adcode_in_city(out->unit, conf->city))
        snprintf(out->reason, sizeof out->reason, "unit %s is not inside city %s (jurisdiction)",
                 out->unit, conf->city);
}

//  Examines one payload frame.
void ingest_examine(const cityconf_t *conf, zframe_t *payload, const char *peer, ingest_t *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = INGEST_DROP;
    Fundchain__Envelope *env =
        envelope_unpack(payload, transport_max_msg(), out->reason, sizeof out->reason);
    if (!env)
        return;
    if (env->body_case == FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY) {
        s_held_query(conf, env->held_query, peer, out);
        envelope_destroy(&env);
        return;
    }
    if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_REPORT) {
        snprintf(out->reason, sizeof out->reason,
                 "unexpected message type %d (%s): a city accepts reports and held queries only",
                 (int)env->body_case, envelope_type_name((int)env->body_case));
        envelope_destroy(&env);
        return;
    }
    s_copy_names(out, env->report);
    out->verdict = INGEST_REJECT;
    if (s_sane(out) && s_jurisdiction(conf, peer, out))
        s_validate(conf, env->report, peer, out);
    s_sender(payload, peer, out);
    s_printable(out->reason);
    envelope_destroy(&env);
}
