/*  metrics - a daemon's figures, served to Prometheus over HTTP.

    A metrics object is a registry of metric families and an HTTP server
    (libmicrohttpd, one internal thread) that answers GET /metrics with the
    whole registry in the Prometheus text exposition format 0.0.4. It
    listens on the one address of its URL (http://HOST:PORT, HOST an IPv4
    or bracketed IPv6 literal, or localhost), never on every interface
    unless that address says so (0.0.0.0). Other paths are answered 404,
    other methods than GET and HEAD 405.

    A family is declared once, with its name, its HELP text, its type and
    the names of its labels; it is then updated by label values, one per
    declared label, in declaration order. Counters only grow, gauges are
    set, histograms count observations into the buckets declared with them
    (and +Inf). A family shows in the output once one of its series exists,
    with its # HELP and # TYPE lines; families come out sorted by name,
    series sorted by their labels, label values escaped as the format wants
    (backslash, double quote, newline). metrics_new declares the fundchain
    families named below; a daemon feeds those that concern it.

    The registry is guarded by one mutex: the HTTP thread renders it while
    the daemon updates it. metrics_begin and metrics_end group the updates
    of a batch, so that a scrape sees all or none of them and the lock is
    taken once. Every function takes a NULL self and does nothing (returns
    0, metrics_text NULL): a daemon run without --metrics passes NULL and
    needs no tests. A misuse (an undeclared name, the wrong type, a
    negative increment) is refused with -1 and a logged error; nothing
    fails at run time but memory.
*/
#ifndef METRICS_H_INCLUDED
#define METRICS_H_INCLUDED

#include <stddef.h>

/*  The fundchain families, declared by metrics_new.

    Messages the inbox (inbox.c) took, by outcome and reason: outcome
    "accepted" (stored, or already held: reason ""), "rejected" (answered
    with a refusal), "answered" (a question, such as a held query) or
    "dropped" (never answered). Reasons are short stable tokens: for drops
    "malformed" (not one payload frame), "unauthenticated" (no code on the
    connection), "oversize", "unreadable" (the handler could not read it)
    and "not_stored" (accepted, but its commit failed: the sender sends
    again); for rejections "refused", or what the caller's tally handler
    names (inbox.h). Labels: outcome, reason. */
#define METRICS_MESSAGES "fundchain_messages_total"
/* Messages taken in one batch, all outcomes (histogram, 1 ... 4096). */
#define METRICS_BATCH "fundchain_batch_messages"
/* Seconds one group commit took, failed ones included (histogram). */
#define METRICS_COMMIT "fundchain_commit_duration_seconds"
/* Outbox entries not yet acknowledged by the receiver (gauge). */
#define METRICS_OUTBOX "fundchain_outbox_entries"
/* Seconds since the oldest unacknowledged outbox entry was queued; 0 when
   none waits (gauge). */
#define METRICS_OUTBOX_AGE "fundchain_outbox_oldest_age_seconds"
/* Seconds the oldest accepted change has waited for evaluation; 0 when
   none waits (gauge; the city). */
#define METRICS_EVAL_LAG "fundchain_evaluation_lag_seconds"
/* Peers connected now, handshake done (gauge). */
#define METRICS_PEERS "fundchain_connected_peers"
/* Handshakes refused, by reason: "not_allowed" (a key not in the allow
   directory), "protocol" (a mechanism or protocol mismatch), "no_detail"
   (counter; label reason). */
#define METRICS_HANDSHAKES "fundchain_handshakes_refused_total"
/* Per known unit of a city, seconds since the deadline passed of the
   oldest (period, fund) the city holds reports of but none from this unit;
   0 when it owes none (gauge; label unit). */
#define METRICS_UNIT_OVERDUE "fundchain_unit_overdue_seconds"

typedef enum { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM } metrics_type_t;

typedef struct _metrics_t metrics_t;

/* Checks url as metrics_new reads it (http://HOST:PORT), without binding:
   for a daemon's check of its settings, so that a typo is a usage error
   (exit 2), not a runtime one. Returns 0, or -1 with a logged error that
   names the value and what is wrong. */
int metrics_check_url(const char *url);

/* Starts serving GET /metrics on url (http://HOST:PORT, port 0 for any)
   with the fundchain families declared. Returns NULL, with a logged
   error naming the url, when url is not of that form or its address
   cannot be bound (a port taken), or when out of memory. */
metrics_t *metrics_new(const char *url);

/* Stops the server, frees everything and nulls the pointer; NULL is fine. */
void metrics_destroy(metrics_t **self_p);

/* Returns the TCP port served (the one chosen for port 0), 0 for NULL. */
int metrics_port(metrics_t *self);

/* Declares a counter or a gauge: name, its HELP text and its labels
   (comma-separated names, "" or NULL for none, at most 4). Declaring again
   the same is harmless. Returns 0, or -1 (logged) for a bad name or
   label, a name declared otherwise, or out of memory. */
int metrics_declare(metrics_t *self, metrics_type_t type, const char *name, const char *help,
                    const char *labels);

/* Declares a histogram like metrics_declare, with nbuckets upper bounds
   (increasing, finite, at most 32; +Inf is added). Returns 0, or -1
   (logged) as metrics_declare does or for bad buckets. */
int metrics_declare_histogram(metrics_t *self, const char *name, const char *help,
                              const char *labels, const double *buckets, size_t nbuckets);

/* Adds n (>= 0) to the counter name's series of values (one per label,
   NULL for none). Returns 0, or -1 (logged) when name is no counter, n is
   negative or not a number, a value is NULL, or out of memory. */
int metrics_add(metrics_t *self, const char *name, const char *const *values, double n);

/* Sets the gauge name's series of values to v. Returns 0, or -1 (logged)
   when name is no gauge, a value is NULL, or out of memory. */
int metrics_set(metrics_t *self, const char *name, const char *const *values, double v);

/* Counts v into the histogram name's series of values. Returns 0, or -1
   (logged) when name is no histogram, v is not a number, a value is NULL,
   or out of memory. */
int metrics_observe(metrics_t *self, const char *name, const char *const *values, double v);

/* Removes every series of the family name (the units of a city reloaded,
   for one). Returns 0, or -1 (logged) when name is not declared. */
int metrics_reset(metrics_t *self, const char *name);

/* Holds the registry until metrics_end: the updates between them are seen
   by a scrape all at once. Calls may nest; never fails. */
void metrics_begin(metrics_t *self);

/* Releases what metrics_begin held; never fails. */
void metrics_end(metrics_t *self);

/* Returns the registry in the exposition format (what GET /metrics
   answers), to free; NULL for a NULL self or when out of memory. */
char *metrics_text(metrics_t *self);

#endif
