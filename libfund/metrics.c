/*  metrics - a registry of metric families served to Prometheus.

    Families are kept sorted by name, and each family's series sorted by
    their rendered labels (a="x",b="y"), so that a scrape renders them in
    order without sorting and an update finds its series by bisection. A
    histogram series keeps one count per bucket (not cumulative: an
    observation touches one) and the cumulative counts are made when
    rendering. One recursive mutex guards the registry, so that
    metrics_begin can hold it across the updates of a batch.

    libmicrohttpd binds the address itself; when it cannot, the same
    address is bound once more here only to say why (errno). Its thread
    starts with the asynchronous signals blocked, so that the daemon's
    signals go to the threads that handle them. Misuse is logged and
    refused with -1; a scrape that runs out of memory is answered 500.
*/
#include "metrics.h"
#include "log.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LABELS_MAX 4          //  labels of one family
#define BUCKETS_MAX 32        //  bounds of one histogram, +Inf aside
#define NAME_MAX_LEN 128      //  bytes of a metric or label name
#define KEY_MAX 1024          //  bytes of a series' rendered labels
#define NUMBER_MAX 32         //  bytes of a rendered number
#define CONNECTIONS_MAX 16    //  scrapes served at once
#define CONNECTION_TIMEOUT 10 //  seconds an idle scrape connection is kept
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

//  One series: a family's values for one set of label values.
typedef struct {
    char *key;         //  the rendered labels, "" for none
    double value;      //  counter and gauge: the value; histogram: the sum
    uint64_t count;    //  histogram: observations
    uint64_t *buckets; //  histogram: observations of each bucket, +Inf last
} s_series_t;

//  One family: a name, its help, type and labels, and its series.
typedef struct {
    char *name;
    char *help;
    metrics_type_t type;
    size_t nlabels;
    char labels[LABELS_MAX][NAME_MAX_LEN];
    size_t nbounds;
    double bounds[BUCKETS_MAX];
    s_series_t **series; //  sorted by key
    size_t nseries, cap;
} s_family_t;

struct _metrics_t {
    pthread_mutex_t lock;  //  recursive: metrics_begin holds it across updates
    s_family_t **families; //  sorted by name
    size_t nfamilies, cap;
    struct MHD_Daemon *http; //  serves GET /metrics
    atomic_bool serving;     //  http has started
    int port;
};

//  An address to serve, as parsed from the url.
typedef struct {
    struct sockaddr_storage addr;
    socklen_t len;
} s_address_t;

//  ---- names, numbers and escaping ----

//  Returns text, or "(null)" for NULL, to log.
static const char *s_text(const char *text)
{
    return text ? text : "(null)";
}

//  True when name is a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or a label
//  name when label (no colon, no leading "__").
static bool s_valid_name(const char *name, bool label)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= NAME_MAX_LEN || (label && !strncmp(name, "__", 2)))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (!label && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

//  Writes v as the format wants it (+Inf, -Inf, NaN; else the shortest of
//  %.15g and %.17g that reads back the same) into buf (NUMBER_MAX bytes).
static const char *s_number(double v, char *buf)
{
    if (isnan(v))
        return strcpy(buf, "NaN");
    if (isinf(v))
        return strcpy(buf, v > 0 ? "+Inf" : "-Inf");
    snprintf(buf, NUMBER_MAX, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, NUMBER_MAX, "%.17g", v);
    return buf;
}

//  Writes HELP text to out with backslash and newline escaped.
static void s_escape_help(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            fputs("\\\\", out);
        else if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
}

//  Appends text to key (KEY_MAX bytes) at *at, escaped as a label value
//  when quoted. Returns false when it does not fit.
static bool s_append(char *key, size_t *at, const char *text, bool quoted)
{
    for (const char *p = text; *p; p++) {
        const char *escaped = !quoted      ? NULL
                              : *p == '\\' ? "\\\\"
                              : *p == '"'  ? "\\\""
                              : *p == '\n' ? "\\n"
                                           : NULL;
        size_t n = escaped ? 2 : 1;
        if (*at + n >= KEY_MAX)
            return false;
        memcpy(key + *at, escaped ? escaped : p, n);
        *at += n;
    }
    key[*at] = '\0';
    return true;
}

//  Renders the labels of family with values as a series key into key
//  (KEY_MAX bytes). Returns 0, or -1 (logged) for a NULL value or a key
//  too long.
static int s_key(const s_family_t *family, const char *const *values, char *key)
{
    size_t at = 0;
    bool ok = true;
    key[0] = '\0';
    for (size_t i = 0; ok && i < family->nlabels; i++)
        ok = values && values[i] && (i == 0 || s_append(key, &at, ",", false)) &&
             s_append(key, &at, family->labels[i], false) && s_append(key, &at, "=\"", false) &&
             s_append(key, &at, values[i], true) && s_append(key, &at, "\"", false);
    if (!ok)
        log_error("metrics: %s needs %zu label values, none NULL, shorter than %d bytes together",
                  family->name, family->nlabels, KEY_MAX);
    return ok ? 0 : -1;
}

//  ---- families and series ----

//  Finds name among the families; returns its index, or where it would go
//  (with *found false).
static size_t s_family_at(const metrics_t *self, const char *name, bool *found)
{
    size_t low = 0, high = self->nfamilies;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int cmp = strcmp(self->families[mid]->name, name);
        if (cmp == 0) {
            *found = true;
            return mid;
        }
        if (cmp < 0)
            low = mid + 1;
        else
            high = mid;
    }
    *found = false;
    return low;
}

//  Returns the family name of type, or NULL (logged) when there is none.
static s_family_t *s_family(metrics_t *self, const char *name, metrics_type_t type)
{
    static const char *types[] = {"counter", "gauge", "histogram"};
    bool found = false;
    size_t at = name ? s_family_at(self, name, &found) : 0;
    if (!found)
        log_error("metrics: no family %s is declared", s_text(name));
    else if (self->families[at]->type != type)
        log_error("metrics: %s is a %s, not a %s", name, types[self->families[at]->type],
                  types[type]);
    else
        return self->families[at];
    return NULL;
}

//  Frees a series; NULL is fine.
static void s_series_free(s_series_t *series)
{
    if (!series)
        return;
    free(series->key);
    free(series->buckets);
    free(series);
}

//  Frees a family and its series; NULL is fine.
static void s_family_free(s_family_t *family)
{
    if (!family)
        return;
    for (size_t i = 0; i < family->nseries; i++)
        s_series_free(family->series[i]);
    free(family->series);
    free(family->name);
    free(family->help);
    free(family);
}

//  Returns items (*cap elements of size bytes) grown to hold n + 1, or
//  NULL (items unchanged) when out of memory.
static void *s_room(void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    size_t want = *cap ? *cap * 2 : 8;
    void *grown = realloc(items, want * size);
    if (grown)
        *cap = want;
    return grown;
}

//  Makes a series of family with key, zero; returns NULL when out of memory.
static s_series_t *s_series_new(const s_family_t *family, const char *key)
{
    s_series_t *series = calloc(1, sizeof *series);
    if (!series)
        return NULL;
    series->key = strdup(key);
    if (family->type == METRICS_HISTOGRAM)
        series->buckets = calloc(family->nbounds + 1, sizeof *series->buckets);
    if (!series->key || (family->type == METRICS_HISTOGRAM && !series->buckets)) {
        s_series_free(series);
        return NULL;
    }
    return series;
}

//  Returns family's series of values, made when new; NULL (logged) when
//  the values are wrong or out of memory.
static s_series_t *s_series(s_family_t *family, const char *const *values)
{
    char key[KEY_MAX];
    if (s_key(family, values, key) != 0)
        return NULL;
    size_t low = 0, high = family->nseries;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int cmp = strcmp(family->series[mid]->key, key);
        if (cmp == 0)
            return family->series[mid];
        if (cmp < 0)
            low = mid + 1;
        else
            high = mid;
    }
    s_series_t *series = NULL;
    s_series_t **grown = s_room(family->series, &family->cap, family->nseries, sizeof *grown);
    if (grown) {
        family->series = grown;
        series = s_series_new(family, key);
    }
    if (!series) {
        log_error("metrics: out of memory for a series of %s", family->name);
        return NULL;
    }
    memmove(family->series + low + 1, family->series + low,
            (family->nseries - low) * sizeof *family->series);
    family->series[low] = series;
    family->nseries++;
    return series;
}

//  Parses the comma-separated label names into family. Returns 0, or -1
//  (logged) for a bad name, too many, or "le" on a histogram.
static int s_parse_labels(s_family_t *family, const char *labels)
{
    char copy[LABELS_MAX * NAME_MAX_LEN];
    bool too_long = snprintf(copy, sizeof copy, "%s", labels ? labels : "") >= (int)sizeof copy;
    char *rest = copy, *label;
    while (*copy && (label = strsep(&rest, ",")) != NULL) {
        bool bad = too_long || !s_valid_name(label, true) || family->nlabels == LABELS_MAX ||
                   (family->type == METRICS_HISTOGRAM && !strcmp(label, "le"));
        for (size_t i = 0; !bad && i < family->nlabels; i++)
            bad = !strcmp(family->labels[i], label);
        if (bad) {
            log_error("metrics: %s cannot have the labels '%s' (at most %d different names of "
                      "[a-zA-Z_][a-zA-Z0-9_]*, no le on a histogram)",
                      family->name, s_text(labels), LABELS_MAX);
            return -1;
        }
        snprintf(family->labels[family->nlabels++], NAME_MAX_LEN, "%s", label);
    }
    return 0;
}

//  Checks and copies the bucket bounds into family. Returns 0 or -1 (logged).
static int s_parse_bounds(s_family_t *family, const double *bounds, size_t n)
{
    bool ok = n > 0 && n <= BUCKETS_MAX && bounds;
    for (size_t i = 0; ok && i < n; i++)
        ok = isfinite(bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]);
    if (!ok) {
        log_error("metrics: the buckets of %s must be 1 to %d finite bounds, increasing",
                  family->name, BUCKETS_MAX);
        return -1;
    }
    memcpy(family->bounds, bounds, n * sizeof *bounds);
    family->nbounds = n;
    return 0;
}

//  Makes a family; returns NULL (logged) when its declaration is wrong.
static s_family_t *s_family_new(metrics_type_t type, const char *name, const char *help,
                                const char *labels, const double *bounds, size_t nbounds)
{
    if (!s_valid_name(name, false)) {
        log_error("metrics: '%s' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", s_text(name));
        return NULL;
    }
    s_family_t *family = calloc(1, sizeof *family);
    if (!family || !(family->name = strdup(name)) || !(family->help = strdup(help ? help : ""))) {
        log_error("metrics: out of memory for the family %s", name);
        s_family_free(family);
        return NULL;
    }
    family->type = type;
    if (s_parse_labels(family, labels) != 0 ||
        (type == METRICS_HISTOGRAM && s_parse_bounds(family, bounds, nbounds) != 0)) {
        s_family_free(family);
        return NULL;
    }
    return family;
}

//  True when two declarations of a family are the same.
static bool s_same(const s_family_t *a, const s_family_t *b)
{
    bool same = a->type == b->type && a->nlabels == b->nlabels && a->nbounds == b->nbounds;
    for (size_t i = 0; same && i < a->nlabels; i++)
        same = !strcmp(a->labels[i], b->labels[i]);
    for (size_t i = 0; same && i < a->nbounds; i++)
        same = a->bounds[i] == b->bounds[i];
    return same;
}

//  Adds family to the registry (taking it), or keeps the one of its name
//  when the same. Returns 0, or -1 (logged; family freed).
static int s_insert(metrics_t *self, s_family_t *family)
{
    bool found = false;
    size_t at = s_family_at(self, family->name, &found);
    s_family_t **grown = NULL;
    int rc = 0;
    if (found && !s_same(self->families[at], family)) {
        log_error("metrics: %s is declared already, with another type, labels or buckets",
                  family->name);
        rc = -1;
    } else if (!found &&
               !(grown = s_room(self->families, &self->cap, self->nfamilies, sizeof *grown))) {
        log_error("metrics: out of memory for the family %s", family->name);
        rc = -1;
    } else if (!found) {
        self->families = grown;
        memmove(self->families + at + 1, self->families + at,
                (self->nfamilies - at) * sizeof *self->families);
        self->families[at] = family;
        self->nfamilies++;
        return 0;
    }
    s_family_free(family);
    return rc;
}

//  Declares a family of any type, under the lock.
static int s_declare(metrics_t *self, metrics_type_t type, const char *name, const char *help,
                     const char *labels, const double *bounds, size_t nbounds)
{
    if (!self)
        return 0;
    s_family_t *family = s_family_new(type, name, help, labels, bounds, nbounds);
    if (!family)
        return -1;
    pthread_mutex_lock(&self->lock);
    int rc = s_insert(self, family);
    pthread_mutex_unlock(&self->lock);
    return rc;
}

//  ---- rendering ----

//  Writes one sample line: NAME SUFFIX{KEY[,le="LE"]} VALUE.
static void s_sample(FILE *out, const s_family_t *family, const char *suffix, const char *key,
                     const char *le, double value)
{
    char number[NUMBER_MAX];
    fprintf(out, "%s%s", family->name, suffix);
    if (*key || le)
        fprintf(out, "{%s%s%s%s%s}", key, *key && le ? "," : "", le ? "le=\"" : "", le ? le : "",
                le ? "\"" : "");
    fprintf(out, " %s\n", s_number(value, number));
}

//  Writes the samples of one histogram series: cumulative buckets, +Inf,
//  sum and count.
static void s_histogram(FILE *out, const s_family_t *family, const s_series_t *series)
{
    char le[NUMBER_MAX];
    uint64_t total = 0;
    for (size_t b = 0; b < family->nbounds; b++) {
        total += series->buckets[b];
        s_sample(out, family, "_bucket", series->key, s_number(family->bounds[b], le),
                 (double)total);
    }
    s_sample(out, family, "_bucket", series->key, "+Inf", (double)series->count);
    s_sample(out, family, "_sum", series->key, NULL, series->value);
    s_sample(out, family, "_count", series->key, NULL, (double)series->count);
}

//  Writes one family: HELP, TYPE and its series (nothing while it has none).
static void s_render(FILE *out, const s_family_t *family)
{
    static const char *types[] = {"counter", "gauge", "histogram"};
    if (family->nseries == 0)
        return;
    fprintf(out, "# HELP %s ", family->name);
    s_escape_help(out, family->help);
    fprintf(out, "\n# TYPE %s %s\n", family->name, types[family->type]);
    for (size_t i = 0; i < family->nseries; i++) {
        const s_series_t *series = family->series[i];
        if (family->type == METRICS_HISTOGRAM)
            s_histogram(out, family, series);
        else
            s_sample(out, family, "", series->key, NULL, series->value);
    }
}

//  ---- HTTP ----

//  Queues a response of status with body (taken; freed by libmicrohttpd
//  with free) and the content type; NULL body: out of memory.
static enum MHD_Result s_respond(struct MHD_Connection *connection, unsigned int status, char *body,
                                 const char *type)
{
    if (!body)
        return MHD_NO;
    struct MHD_Response *response =
        MHD_create_response_from_buffer_with_free_callback(strlen(body), body, free);
    if (!response) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

//  Answers one request: the registry for GET or HEAD /metrics, 405 for
//  another method, 404 for another path.
static enum MHD_Result s_serve(void *cls, struct MHD_Connection *connection, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **request)
{
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)request;
    const char *plain = "text/plain; charset=utf-8";
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
        return s_respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
                         strdup("only GET and HEAD are served\n"), plain);
    if (strcmp(url, "/metrics"))
        return s_respond(connection, MHD_HTTP_NOT_FOUND, strdup("not found: try /metrics\n"),
                         plain);
    char *text = metrics_text(cls);
    if (!text)
        return s_respond(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, strdup("out of memory\n"),
                         plain);
    return s_respond(connection, MHD_HTTP_OK, text, CONTENT_TYPE);
}

//  Logs what libmicrohttpd reports once serving (one line, without its
//  newline); while it starts, only for debugging: s_start says why it
//  could not, better.
static void s_mhd_log(void *cls, const char *format, va_list args)
{
    metrics_t *self = cls;
    char text[512];
    vsnprintf(text, sizeof text, format, args);
    text[strcspn(text, "\r\n")] = '\0';
    log_msg(atomic_load(&self->serving) ? LOGL_WARN : LOGL_DEBUG, "metrics: libmicrohttpd: %s",
            text);
}

//  Parses the len bytes of text as a port number. Returns 0, or -1 with why.
static int s_parse_port(const char *text, size_t len, in_port_t *port, const char **why)
{
    unsigned long value = 0;
    *why = len ? "the port is not a number from 0 to 65535" : "the port is missing";
    if (len == 0 || len > 5 || strspn(text, "0123456789") < len)
        return -1;
    for (size_t i = 0; i < len; i++)
        value = value * 10 + (unsigned long)(text[i] - '0');
    if (value > 65535)
        return -1;
    *port = htons((in_port_t)value);
    return 0;
}

//  Parses the len bytes of host (an IPv4 literal, [IPv6] or localhost)
//  into where, port aside. Returns 0, or -1 with why.
static int s_parse_host(const char *host, size_t len, s_address_t *where, const char **why)
{
    char text[INET6_ADDRSTRLEN + 2] = "";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&where->addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&where->addr;
    *why = "the host must be an IPv4 address, an IPv6 address in brackets or localhost";
    if (len == 0 || len >= sizeof text)
        return -1;
    memcpy(text, host, len);
    if (text[0] == '[' && text[len - 1] == ']') {
        text[len - 1] = '\0';
        v6->sin6_family = AF_INET6;
        where->len = sizeof *v6;
        return inet_pton(AF_INET6, text + 1, &v6->sin6_addr) == 1 ? 0 : -1;
    }
    v4->sin_family = AF_INET;
    where->len = sizeof *v4;
    const char *literal = strcmp(text, "localhost") ? text : "127.0.0.1";
    return inet_pton(AF_INET, literal, &v4->sin_addr) == 1 ? 0 : -1;
}

//  Parses url (http://HOST:PORT, or with "/" after) into where. Returns 0,
//  or -1 (logged, naming url).
static int s_parse_url(const char *url, s_address_t *where)
{
    memset(where, 0, sizeof *where);
    const char *host = url && !strncmp(url, "http://", 7) ? url + 7 : NULL;
    const char *slash = host ? strchr(host, '/') : NULL;
    size_t len = !host ? 0 : slash ? (size_t)(slash - host) : strlen(host);
    //  The port's colon is the last one, after an IPv6 address's bracket.
    const char *colon = host ? memrchr(host, ':', len) : NULL;
    const char *bracket = host ? memchr(host, ']', len) : NULL;
    in_port_t port = 0;
    const char *why = NULL;
    if (!host)
        why = "it does not start with http://";
    else if (slash && strcmp(slash, "/"))
        why = "it has a path (give none: /metrics is served)";
    else if (!colon || (bracket && colon < bracket))
        why = "the port is missing";
    else if (s_parse_port(colon + 1, len - (size_t)(colon + 1 - host), &port, &why) == 0 &&
             s_parse_host(host, (size_t)(colon - host), where, &why) == 0)
        why = NULL;
    if (why) {
        log_error("metrics: '%s' is refused: %s (give http://HOST:PORT, HOST an IPv4 "
                  "address, an IPv6 one in brackets or localhost, e.g. http://127.0.0.1:9101)",
                  s_text(url), why);
        return -1;
    }
    if (where->addr.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&where->addr)->sin6_port = port;
    else
        ((struct sockaddr_in *)&where->addr)->sin_port = port;
    return 0;
}

//  Checks a URL as metrics_new reads it.
int metrics_check_url(const char *url)
{
    s_address_t where;
    return s_parse_url(url, &where);
}

//  Says why where cannot be bound: binds it once here for errno.
static const char *s_bind_error(const s_address_t *where)
{
    int fd = socket(where->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, err = 0;
    if (fd < 0)
        return strerror(errno);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&where->addr, where->len) != 0 || listen(fd, 1) != 0)
        err = errno;
    close(fd);
    return err ? strerror(err) : "libmicrohttpd could not start";
}

//  Starts the HTTP server on where, its thread with the asynchronous
//  signals blocked. Returns 0, or -1 (logged, naming url).
static int s_start(metrics_t *self, const char *url, const s_address_t *where)
{
    sigset_t all, old;
    sigfillset(&all);
    int sync[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sync / sizeof *sync; i++)
        sigdelset(&all, sync[i]);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                         (where->addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    self->http = MHD_start_daemon(
        flags, 0, NULL, NULL, s_serve, self, MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, self,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&where->addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)CONNECTION_TIMEOUT, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    const union MHD_DaemonInfo *info =
        self->http ? MHD_get_daemon_info(self->http, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!self->http || !info) {
        log_error("metrics: cannot serve %s: %s", s_text(url), s_bind_error(where));
        return -1;
    }
    self->port = info->port;
    atomic_store(&self->serving, true);
    return 0;
}

//  ---- the fundchain families ----

//  Declares the families the daemons feed (metrics.h). Returns 0 or -1.
static int s_declare_fundchain(metrics_t *self)
{
    static const double sizes[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    static const double seconds[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                     0.1,    0.2,   0.5,   1,     2,    5};
    int rc = 0;
    rc |= metrics_declare(self, METRICS_COUNTER, METRICS_MESSAGES,
                          "Messages received, by outcome (accepted, rejected, answered, "
                          "dropped) and reason.",
                          "outcome,reason");
    rc |= metrics_declare_histogram(self, METRICS_BATCH, "Messages taken in one batch.", NULL,
                                    sizes, sizeof sizes / sizeof *sizes);
    rc |=
        metrics_declare_histogram(self, METRICS_COMMIT, "Seconds one group commit of a batch took.",
                                  NULL, seconds, sizeof seconds / sizeof *seconds);
    rc |= metrics_declare(self, METRICS_GAUGE, METRICS_OUTBOX,
                          "Outbox entries not yet acknowledged by the receiver.", NULL);
    rc |= metrics_declare(self, METRICS_GAUGE, METRICS_OUTBOX_AGE,
                          "Seconds since the oldest unacknowledged outbox entry was queued.", NULL);
    rc |= metrics_declare(self, METRICS_GAUGE, METRICS_EVAL_LAG,
                          "Seconds the oldest accepted change has waited for evaluation.", NULL);
    rc |= metrics_declare(self, METRICS_GAUGE, METRICS_PEERS, "Peers connected now.", NULL);
    rc |= metrics_declare(self, METRICS_COUNTER, METRICS_HANDSHAKES,
                          "Handshakes refused, by reason.", "reason");
    rc |= metrics_declare(self, METRICS_GAUGE, METRICS_UNIT_OVERDUE,
                          "Seconds since the deadline of the oldest report a unit owes.", "unit");
    return rc;
}

//  ---- public ----

//  Starts serving GET /metrics on url; NULL (logged) when it cannot.
metrics_t *metrics_new(const char *url)
{
    s_address_t where;
    if (s_parse_url(url, &where) != 0)
        return NULL;
    metrics_t *self = calloc(1, sizeof *self);
    pthread_mutexattr_t attr;
    if (!self || pthread_mutexattr_init(&attr) != 0) {
        log_error("metrics: out of memory");
        free(self);
        return NULL;
    }
    atomic_init(&self->serving, false);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&self->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (s_declare_fundchain(self) != 0 || s_start(self, url, &where) != 0)
        metrics_destroy(&self);
    return self;
}

//  Stops the server, frees everything and nulls the pointer.
void metrics_destroy(metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    metrics_t *self = *self_p;
    if (self->http)
        MHD_stop_daemon(self->http);
    for (size_t i = 0; i < self->nfamilies; i++)
        s_family_free(self->families[i]);
    free(self->families);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

//  Returns the TCP port served, 0 for NULL.
int metrics_port(metrics_t *self)
{
    return self ? self->port : 0;
}

//  Declares a counter or a gauge; -1 (logged) when wrong.
int metrics_declare(metrics_t *self, metrics_type_t type, const char *name, const char *help,
                    const char *labels)
{
    if (self && type == METRICS_HISTOGRAM) {
        log_error("metrics: %s: a histogram is declared with its buckets", s_text(name));
        return -1;
    }
    return s_declare(self, type, name, help, labels, NULL, 0);
}

//  Declares a histogram with its bucket bounds; -1 (logged) when wrong.
int metrics_declare_histogram(metrics_t *self, const char *name, const char *help,
                              const char *labels, const double *buckets, size_t nbuckets)
{
    return s_declare(self, METRICS_HISTOGRAM, name, help, labels, buckets, nbuckets);
}

//  Finds the series of values of the family name of type, under the lock
//  (held on success: the caller releases it). Returns NULL (logged) when
//  there is none.
static s_series_t *s_lookup(metrics_t *self, const char *name, metrics_type_t type,
                            const char *const *values, s_family_t **family)
{
    pthread_mutex_lock(&self->lock);
    *family = s_family(self, name, type);
    s_series_t *series = *family ? s_series(*family, values) : NULL;
    if (!series)
        pthread_mutex_unlock(&self->lock);
    return series;
}

//  Adds n to a counter's series; -1 (logged) when wrong.
int metrics_add(metrics_t *self, const char *name, const char *const *values, double n)
{
    if (!self)
        return 0;
    if (!(n >= 0)) {
        log_error("metrics: %s cannot grow by %g", s_text(name), n);
        return -1;
    }
    s_family_t *family;
    s_series_t *series = s_lookup(self, name, METRICS_COUNTER, values, &family);
    if (!series)
        return -1;
    series->value += n;
    pthread_mutex_unlock(&self->lock);
    return 0;
}

//  Sets a gauge's series to v; -1 (logged) when wrong.
int metrics_set(metrics_t *self, const char *name, const char *const *values, double v)
{
    if (!self)
        return 0;
    s_family_t *family;
    s_series_t *series = s_lookup(self, name, METRICS_GAUGE, values, &family);
    if (!series)
        return -1;
    series->value = v;
    pthread_mutex_unlock(&self->lock);
    return 0;
}

//  Counts v into a histogram's series; -1 (logged) when wrong.
int metrics_observe(metrics_t *self, const char *name, const char *const *values, double v)
{
    if (!self)
        return 0;
    if (isnan(v)) {
        log_error("metrics: %s cannot count NaN", s_text(name));
        return -1;
    }
    s_family_t *family;
    s_series_t *series = s_lookup(self, name, METRICS_HISTOGRAM, values, &family);
    if (!series)
        return -1;
    size_t b = 0;
    while (b < family->nbounds && v > family->bounds[b])
        b++;
    series->buckets[b]++;
    series->count++;
    series->value += v;
    pthread_mutex_unlock(&self->lock);
    return 0;
}

//  Removes every series of a family; -1 (logged) when it is not declared.
int metrics_reset(metrics_t *self, const char *name)
{
    if (!self)
        return 0;
    pthread_mutex_lock(&self->lock);
    bool found = false;
    size_t at = name ? s_family_at(self, name, &found) : 0;
    if (found) {
        s_family_t *family = self->families[at];
        for (size_t i = 0; i < family->nseries; i++)
            s_series_free(family->series[i]);
        family->nseries = 0;
    } else
        log_error("metrics: no family %s is declared", s_text(name));
    pthread_mutex_unlock(&self->lock);
    return found ? 0 : -1;
}

//  Holds the registry until metrics_end.
void metrics_begin(metrics_t *self)
{
    if (self)
        pthread_mutex_lock(&self->lock);
}

//  Releases what metrics_begin held.
void metrics_end(metrics_t *self)
{
    if (self)
        pthread_mutex_unlock(&self->lock);
}

//  Returns the registry in the exposition format, to free; NULL when out
//  of memory.
char *metrics_text(metrics_t *self)
{
    if (!self)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    pthread_mutex_lock(&self->lock);
    for (size_t i = 0; i < self->nfamilies; i++)
        s_render(out, self->families[i]);
    pthread_mutex_unlock(&self->lock);
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed) {
        free(text);
        return NULL;
    }
    return text;
}
