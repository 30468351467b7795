/*  flood - a peer that floods a receiver, for the fairness test.

    It connects to a city as a DEALER (a CURVE client with an allowed key,
    or plain text) and sends as fast as the link takes them, for --seconds,
    one of:

        revisions   the first report of --csv with a new revision each time
                    (each one is stored: the heaviest load a peer can make)
        periods     that report for a new (period, fund) each time: every month
                    from 2000-01 to last month, for resident, employee and
                    maternity, then all again at the next revision; every
                    message is stored and is a new (period, fund) to evaluate
        same        that report again and again at one revision (duplicates)
        garbage     random bytes (each one dropped)

    It reads the acknowledgements as they come and prints one line at the
    end:   sent N acked A rejected R

    Exit code: 0 when it ran, 2 on bad usage, 1 when it could not connect
    or build the message.
*/
#include "csvimport.h"
#include "envelope.h"
#include "keys.h"
#include "opts.h"
#include "report.h"
#include "transport.h"
#include "fundchain.pb-c.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLOOD_GARBAGE 256
#define FLOOD_SEND_TIMEOUT_MS 100
#define FLOOD_LINGER_MS 1000 //  How long to wait for the last acknowledgements.

static const opt_spec_t s_specs[] = {
    {"connect", true, false, "the city's endpoint"},
    {"key", true, false, "the client's secret key file (CURVE); plain text without"},
    {"server-pub", true, false, "the city's public key file (CURVE)"},
    {"csv", true, false, "revisions, same: the first report of this CSV file"},
    {"unit", true, false, "the unit the CSV belongs to"},
    {"mode", true, false, "revisions (default), periods, same or garbage"},
    {"seconds", true, false, "how long to flood (default 5)"},
    {"first-revision", true, false, "the revision of the first message (default 1000)"},
    {NULL, false, false, NULL}};

typedef struct {
    zsock_t *sock;
    report_t *report;
    Fundchain__Report *pb;
    const char *mode;
    uint32_t revision;
    long period_index; //  periods: the next (month, fund), from 2000-01.
    long n_months;     //  periods: the months from 2000-01 to last month.
    char period[48];
    long sent, acked, rejected;
} flood_t;

//  Loads the first report of the CSV file. Returns 0 or -1.
static int s_load(flood_t *self, const char *csv, const char *unit)
{
    csvimport_result_t result = {0};
    diag_t *diag = diag_new();
    int rc = diag ? csvimport_file(csv, unit, NULL, &result, diag) : -1;
    if (rc != 0 || result.n_reports == 0) {
        if (diag)
            diag_print(diag, stderr);
        fprintf(stderr, "flood: no valid report in %s\n", csv);
        rc = -1;
    } else {
        self->report = result.reports[0];
        result.reports[0] = NULL;
        self->pb = report_to_pb(self->report);
        rc = self->pb ? 0 : -1;
    }
    csvimport_result_clear(&result);
    diag_destroy(&diag);
    return rc;
}

//  Builds the next message. Returns it, or NULL when out of memory.
static zframe_t *s_next(flood_t *self)
{
    if (!strcmp(self->mode, "garbage")) {
        zframe_t *frame = zframe_new(NULL, FLOOD_GARBAGE);
        for (size_t i = 0; frame && i < FLOOD_GARBAGE; i++)
            zframe_data(frame)[i] = (byte)(random() & 0xff);
        return frame;
    }
    self->pb->revision = self->revision;
    if (!strcmp(self->mode, "revisions"))
        self->revision++;
    if (!strcmp(self->mode, "periods")) {
        static const char *funds[] = {"resident", "employee", "maternity"};
        long i = self->period_index++ % (self->n_months * 3);
        long month = i / 3;
        snprintf(self->period, sizeof self->period, "%04ld-%02ld", 2000 + month / 12,
                 month % 12 + 1);
        self->pb->period = self->period;
        self->pb->fund = (char *)funds[i % 3];
        if (i == self->n_months * 3 - 1)
            self->revision++;
    }
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REPORT;
    env.report = self->pb;
    return envelope_pack(&env);
}

//  Counts the acknowledgements waiting on the socket.
static void s_take_acks(flood_t *self)
{
    while (zsock_events(self->sock) & ZMQ_POLLIN) {
        zframe_t *frame = zframe_recv(self->sock);
        if (!frame)
            return;
        Fundchain__Envelope *env = envelope_unpack(frame, SIZE_MAX, NULL, 0);
        if (env && env->body_case == FUNDCHAIN__ENVELOPE__BODY_ACK) {
            if (env->ack->status == FUNDCHAIN__ACK__STATUS__REJECTED)
                self->rejected++;
            else
                self->acked++;
        }
        envelope_destroy(&env);
        zframe_destroy(&frame);
    }
}

//  Sends for the given time, then waits a little for the last answers.
static void s_flood(flood_t *self, int64_t seconds)
{
    int64_t end = zclock_mono() + seconds * 1000;
    while (!zsys_interrupted && zclock_mono() < end) {
        zframe_t *frame = s_next(self);
        if (!frame)
            break;
        if (zframe_send(&frame, self->sock, 0) == 0)
            self->sent++;
        else
            zframe_destroy(&frame); //  The link is full: the city is behind.
        s_take_acks(self);
    }
    int64_t linger = zclock_mono() + FLOOD_LINGER_MS;
    while (!zsys_interrupted && zclock_mono() < linger) {
        zpoller_t *poller = zpoller_new(self->sock, NULL);
        if (zpoller_wait(poller, 100))
            s_take_acks(self);
        zpoller_destroy(&poller);
    }
}

//  Opens the socket to the city. Returns it, or NULL.
static zsock_t *s_connect(const opts_t *opts)
{
    zcert_t *cert = NULL;
    if (opts_get(opts, "key") && !(cert = keys_load_secret(opts_get(opts, "key"))))
        return NULL;
    zsock_t *sock = transport_client_new(ZMQ_DEALER, opts_get(opts, "connect"), cert,
                                         opts_get(opts, "server-pub"));
    zcert_destroy(&cert);
    if (sock)
        zsock_set_sndtimeo(sock, FLOOD_SEND_TIMEOUT_MS);
    return sock;
}

//  Checks the flags. Returns 0, or -1 with a message.
static int s_usage(const opts_t *opts, const char *mode)
{
    if (!opts_get(opts, "connect"))
        fprintf(stderr, "flood: --connect is required\n");
    else if (strcmp(mode, "revisions") && strcmp(mode, "periods") && strcmp(mode, "same") &&
             strcmp(mode, "garbage"))
        fprintf(stderr, "flood: --mode must be revisions, periods, same or garbage\n");
    else if (strcmp(mode, "garbage") && (!opts_get(opts, "csv") || !opts_get(opts, "unit")))
        fprintf(stderr, "flood: --csv and --unit are required for --mode %s\n", mode);
    else if (opts_get(opts, "key") && !opts_get(opts, "server-pub"))
        fprintf(stderr, "flood: --key needs --server-pub\n");
    else
        return 0;
    return -1;
}

int main(int argc, char **argv)
{
    zsys_init();
    opts_t *opts = opts_parse(s_specs, argc, argv, 1);
    if (!opts)
        return 2;
    flood_t self = {0};
    self.mode = opts_get(opts, "mode") ? opts_get(opts, "mode") : "revisions";
    int64_t seconds = opts_get(opts, "seconds") ? atoll(opts_get(opts, "seconds")) : 5;
    self.revision = opts_get(opts, "first-revision")
                        ? (uint32_t)strtoul(opts_get(opts, "first-revision"), NULL, 10)
                        : 1000;
    time_t now = time(NULL);
    struct tm today;
    gmtime_r(&now, &today);
    self.n_months = (today.tm_year + 1900 - 2000) * 12 + today.tm_mon;
    int code = 2;
    if (self.n_months > 0 && s_usage(opts, self.mode) == 0 && seconds > 0 && seconds < 3600) {
        code = 1;
        if ((!strcmp(self.mode, "garbage") ||
             s_load(&self, opts_get(opts, "csv"), opts_get(opts, "unit")) == 0) &&
            (self.sock = s_connect(opts))) {
            s_flood(&self, seconds);
            printf("sent %ld acked %ld rejected %ld\n", self.sent, self.acked, self.rejected);
            code = 0;
        }
    }
    zsock_destroy(&self.sock);
    report_pb_free(&self.pb);
    report_destroy(&self.report);
    opts_destroy(&opts);
    return code;
}
