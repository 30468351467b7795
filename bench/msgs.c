/*  msgs - the messages the bench sends (see msgs.h). The template is read
    once; each message reuses one protobuf Report whose unit, period, fund
    and revision are set before packing, as tests/tools/flood.c does.
    Failures are NULL with a message on stderr.
*/
#include "msgs.h"
#include "csvimport.h"
#include "evaluation.h"
#include "fundchain.pb-c.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _msgs_t {
    report_t *report;
    Fundchain__Report *pb;
    eval_cfg_t cfg;
};

msgs_t *msgs_new(const char *csv)
{
    msgs_t *self = calloc(1, sizeof(msgs_t));
    csvimport_result_t result = {0};
    diag_t *diag = diag_new();
    int rc = self && diag ? csvimport_file(csv, NULL, NULL, &result, diag) : -1;
    if (rc == 0 && result.n_reports > 0) {
        self->report = result.reports[0];
        result.reports[0] = NULL;
        self->pb = report_to_pb(self->report);
    } else if (diag)
        diag_print(diag, stderr);
    csvimport_result_clear(&result);
    diag_destroy(&diag);
    if (!self || !self->pb) {
        fprintf(stderr, "bench: no valid report in %s\n", csv);
        msgs_destroy(&self);
        return NULL;
    }
    evaluation_cfg_defaults(&self->cfg);
    return self;
}

void msgs_destroy(msgs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    msgs_t *self = *self_p;
    report_pb_free(&self->pb);
    report_destroy(&self->report);
    free(self);
    *self_p = NULL;
}

const report_t *msgs_report(msgs_t *self)
{
    return self->report;
}

//  Packs an envelope into a new frame.
static zframe_t *s_pack(Fundchain__Envelope *env)
{
    zframe_t *frame = zframe_new(NULL, fundchain__envelope__get_packed_size(env));
    if (frame)
        fundchain__envelope__pack(env, zframe_data(frame));
    return frame;
}

zframe_t *msgs_report_frame(msgs_t *self, const char *unit, const char *period, const char *fund,
                            uint32_t revision)
{
    self->pb->unit = (char *)unit;
    self->pb->period = (char *)period;
    self->pb->fund = (char *)fund;
    self->pb->revision = revision;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = self->pb;
    zframe_t *frame = s_pack(&env);
    self->pb->unit = self->report->unit;
    self->pb->period = self->report->period;
    self->pb->fund = self->report->fund;
    return frame;
}

size_t msgs_report_size(msgs_t *self)
{
    zframe_t *frame =
        msgs_report_frame(self, self->report->unit, self->report->period, self->report->fund, 1000);
    size_t size = frame ? zframe_size(frame) : 0;
    zframe_destroy(&frame);
    return size;
}

report_t *msgs_report_for(msgs_t *self, const char *unit, const char *period, const char *fund)
{
    report_t *r = report_dup(self->report);
    if (!r || strlen(unit) >= sizeof r->unit || strlen(period) >= sizeof r->period ||
        strlen(fund) >= sizeof r->fund) {
        report_destroy(&r);
        return NULL;
    }
    strcpy(r->unit, unit);
    strcpy(r->period, period);
    strcpy(r->fund, fund);
    return r;
}

Fundchain__Evaluation *msgs_eval(msgs_t *self, const char *city, const char *unit,
                                 const char *period, const char *fund)
{
    report_t *r = msgs_report_for(self, unit, period, fund);
    Fundchain__Evaluation *eval = r ? evaluation_unit(r, city, NULL, &self->cfg) : NULL;
    report_destroy(&r);
    return eval;
}

Fundchain__Evaluation *msgs_pool(msgs_t *self, const char *city, const char *period,
                                 const char *fund, char (*units)[8], size_t n)
{
    report_t **reports = calloc(n ? n : 1, sizeof(report_t *));
    const char **known = calloc(n ? n : 1, sizeof(char *));
    size_t ok = 0;
    for (size_t i = 0; reports && known && i < n; i++) {
        known[i] = units[i];
        ok += (reports[i] = msgs_report_for(self, units[i], period, fund)) != NULL;
    }
    Fundchain__Evaluation *pool =
        ok == n ? evaluation_pool(city, NULL, period, fund, reports, n, known, n, &self->cfg)
                : NULL;
    for (size_t i = 0; reports && i < n; i++)
        report_destroy(&reports[i]);
    free(reports);
    free(known);
    return pool;
}

zframe_t *msgs_eval_frame(Fundchain__Evaluation *eval, uint64_t version)
{
    eval->version = version;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_EVALUATION;
    env.evaluation = eval;
    return s_pack(&env);
}

long msgs_pair(long n, char *period, const char **fund)
{
    static const char *funds[] = {"resident", "employee", "maternity"};
    time_t now = time(NULL);
    struct tm today;
    gmtime_r(&now, &today);
    long n_months = (today.tm_year + 1900 - 2000) * 12 + today.tm_mon;
    long i = n % (n_months * 3);
    long month = i / 3;
    snprintf(period, 16, "%04ld-%02ld", 2000 + month / 12, month % 12 + 1);
    *fund = funds[i % 3];
    return n_months * 3;
}
