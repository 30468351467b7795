/*  Tests of libfund/metrics.c: a registry served on 127.0.0.1 (port 0),
    scraped with real HTTP requests over plain sockets. The output is
    checked line by line (HELP, TYPE, labels and their escaping, values,
    cumulative histogram buckets), with the status and content type; other
    paths and methods, refused URLs (with the message naming them), a
    taken port, the bound address, a NULL self, and a thread updating
    while scrapes run (every scrape consistent, counts never going back). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "metrics.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RESPONSE_MAX (1 << 20) //  bytes of a response read
#define SCRAPES 50             //  scrapes of the concurrent test
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct {
    metrics_t *metrics;
    int port;
    char err_path[64];
    int saved_err;
    char err[4096]; //  what stderr got between s_capture and s_release
} fixture_t;

//  One HTTP response.
typedef struct {
    int status;
    char head[4096]; //  status line and headers
    char *body;      //  into the response buffer
    char *raw;
} response_t;

//  ---- fixture ----

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->err_path, sizeof f->err_path, "/tmp/test_metrics.%d", (int)getpid());
    f->metrics = metrics_new("http://127.0.0.1:0");
    assert_non_null(f->metrics);
    f->port = metrics_port(f->metrics);
    assert_true(f->port > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    metrics_destroy(&f->metrics);
    assert_null(f->metrics);
    unlink(f->err_path);
    free(f);
    return 0;
}

//  Sends stderr to a file until s_release, which reads it into f->err.
static void s_capture(fixture_t *f)
{
    fflush(stderr);
    f->saved_err = dup(2);
    assert_true(f->saved_err >= 0);
    assert_non_null(freopen(f->err_path, "w", stderr));
}

static void s_release(fixture_t *f)
{
    fflush(stderr);
    assert_true(dup2(f->saved_err, 2) >= 0);
    close(f->saved_err);
    FILE *file = fopen(f->err_path, "r");
    assert_non_null(file);
    size_t n = fread(f->err, 1, sizeof f->err - 1, file);
    f->err[n] = '\0';
    fclose(file);
}

//  ---- HTTP over a plain socket ----

//  Connects to address:port; returns the socket, or -1 with errno.
static int s_connect(const char *address, int port)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET, address, &to.sin_addr), 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

//  Sends "METHOD PATH HTTP/1.1" to 127.0.0.1:port and reads the whole
//  response (the server closes the connection).
static void s_request(int port, const char *method, const char *path, response_t *r)
{
    int fd = s_connect("127.0.0.1", port);
    assert_true(fd >= 0);
    char request[256];
    int len =
        snprintf(request, sizeof request,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", method, path);
    assert_int_equal(write(fd, request, (size_t)len), len);
    r->raw = malloc(RESPONSE_MAX);
    assert_non_null(r->raw);
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, r->raw + got, RESPONSE_MAX - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    r->raw[got] = '\0';
    char *end = strstr(r->raw, "\r\n\r\n");
    assert_non_null(end);
    snprintf(r->head, sizeof r->head, "%.*s", (int)(end - r->raw), r->raw);
    r->body = end + 4;
    assert_int_equal(sscanf(r->raw, "HTTP/1.%*d %d", &r->status), 1);
}

//  GET /metrics; checks the status and the content type; returns the body
//  (to free).
static char *s_scrape(int port)
{
    response_t r;
    s_request(port, "GET", "/metrics", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "\r\nContent-Type: " CONTENT_TYPE "\r\n"));
    char *body = strdup(r.body);
    assert_non_null(body);
    free(r.raw);
    return body;
}

//  True when text holds line as a whole line.
static bool s_has_line(const char *text, const char *line)
{
    size_t len = strlen(line);
    for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
        if ((p == text || p[-1] == '\n') && p[len] == '\n')
            return true;
    return false;
}

//  Returns the value of the sample line that starts with "prefix " in text.
static double s_value(const char *text, const char *prefix)
{
    size_t len = strlen(prefix);
    for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix))
        if ((p == text || p[-1] == '\n') && p[len] == ' ')
            return strtod(p + len + 1, NULL);
    fail_msg("no sample %s in:\n%s", prefix, text);
    return NAN;
}

//  ---- tests ----

//  A counter with labels: one line per series, sorted by label values,
//  values escaped (backslash, double quote, newline); HELP and TYPE once.
//  A fresh registry shows nothing, its families having no series yet.
static void test_counter_with_labels(void **state)
{
    fixture_t *f = *state;
    char *body = s_scrape(f->port);
    assert_string_equal(body, "");
    free(body);
    assert_int_equal(
        metrics_add(f->metrics, METRICS_MESSAGES, (const char *[]){"rejected", "refused"}, 2), 0);
    assert_int_equal(metrics_add(f->metrics, METRICS_MESSAGES, (const char *[]){"accepted", ""}, 3),
                     0);
    assert_int_equal(
        metrics_add(f->metrics, METRICS_MESSAGES, (const char *[]){"dropped", "a\"b\\c\nd"}, 1), 0);
    assert_int_equal(metrics_add(f->metrics, METRICS_MESSAGES, (const char *[]){"accepted", ""}, 4),
                     0);
    body = s_scrape(f->port);
    assert_string_equal(body,
                        "# HELP fundchain_messages_total Messages received, by outcome "
                        "(accepted, rejected, answered, dropped) and reason.\n"
                        "# TYPE fundchain_messages_total counter\n"
                        "fundchain_messages_total{outcome=\"accepted\",reason=\"\"} 7\n"
                        "fundchain_messages_total{outcome=\"dropped\",reason=\"a\\\"b\\\\c"
                        "\\nd\"} 1\n"
                        "fundchain_messages_total{outcome=\"rejected\",reason=\"refused\"} 2\n");
    free(body);
}

//  Gauges: set, set again, numbers as the format writes them; HELP text
//  escaped (backslash, newline); families sorted by name.
static void test_gauges_and_help(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(metrics_declare(f->metrics, METRICS_GAUGE, "test_b_gauge",
                                     "Two lines\nand a back\\slash.", "unit"),
                     0);
    assert_int_equal(metrics_declare(f->metrics, METRICS_GAUGE, "test_a_gauge", "Plain.", NULL), 0);
    const char *units[] = {"510402", "510400", "510421"};
    double values[] = {12.5, 0, 1e21};
    for (int i = 0; i < 3; i++)
        assert_int_equal(metrics_set(f->metrics, "test_b_gauge", (const char *[]){units[i]}, -1),
                         0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            metrics_set(f->metrics, "test_b_gauge", (const char *[]){units[i]}, values[i]), 0);
    assert_int_equal(metrics_set(f->metrics, "test_a_gauge", NULL, 0.1), 0);
    assert_int_equal(metrics_set(f->metrics, METRICS_OUTBOX, NULL, 3), 0);
    assert_int_equal(metrics_set(f->metrics, METRICS_OUTBOX_AGE, NULL, INFINITY), 0);
    assert_int_equal(metrics_set(f->metrics, METRICS_EVAL_LAG, NULL, NAN), 0);
    char *body = s_scrape(f->port);
    assert_string_equal(body, "# HELP fundchain_evaluation_lag_seconds Seconds the oldest accepted "
                              "change has waited for evaluation.\n"
                              "# TYPE fundchain_evaluation_lag_seconds gauge\n"
                              "fundchain_evaluation_lag_seconds NaN\n"
                              "# HELP fundchain_outbox_entries Outbox entries not yet acknowledged "
                              "by the receiver.\n"
                              "# TYPE fundchain_outbox_entries gauge\n"
                              "fundchain_outbox_entries 3\n"
                              "# HELP fundchain_outbox_oldest_age_seconds Seconds since the oldest "
                              "unacknowledged outbox entry was queued.\n"
                              "# TYPE fundchain_outbox_oldest_age_seconds gauge\n"
                              "fundchain_outbox_oldest_age_seconds +Inf\n"
                              "# HELP test_a_gauge Plain.\n"
                              "# TYPE test_a_gauge gauge\n"
                              "test_a_gauge 0.1\n"
                              "# HELP test_b_gauge Two lines\\nand a back\\\\slash.\n"
                              "# TYPE test_b_gauge gauge\n"
                              "test_b_gauge{unit=\"510400\"} 0\n"
                              "test_b_gauge{unit=\"510402\"} 12.5\n"
                              "test_b_gauge{unit=\"510421\"} 1e+21\n");
    free(body);
    //  A reset family shows nothing until set again.
    assert_int_equal(metrics_reset(f->metrics, "test_b_gauge"), 0);
    assert_int_equal(metrics_set(f->metrics, "test_b_gauge", (const char *[]){"510402"}, 1), 0);
    body = s_scrape(f->port);
    assert_true(s_has_line(body, "test_b_gauge{unit=\"510402\"} 1"));
    assert_null(strstr(body, "510400"));
    free(body);
}

//  Histograms: cumulative buckets (an upper bound is inclusive), +Inf,
//  _sum and _count, per series; labels before le.
static void test_histogram(void **state)
{
    fixture_t *f = *state;
    const double bounds[] = {0.25, 0.5, 1};
    assert_int_equal(
        metrics_declare_histogram(f->metrics, "test_seconds", "Test durations.", "link", bounds, 3),
        0);
    const double seen[] = {0.125, 0.25, 0.375, 2};
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            metrics_observe(f->metrics, "test_seconds", (const char *[]){"city"}, seen[i]), 0);
    assert_int_equal(metrics_observe(f->metrics, "test_seconds", (const char *[]){"hub"}, 1), 0);
    assert_int_equal(metrics_observe(f->metrics, METRICS_BATCH, NULL, 3), 0);
    char *body = s_scrape(f->port);
    const char *city[] = {"# HELP test_seconds Test durations.",
                          "# TYPE test_seconds histogram",
                          "test_seconds_bucket{link=\"city\",le=\"0.25\"} 2",
                          "test_seconds_bucket{link=\"city\",le=\"0.5\"} 3",
                          "test_seconds_bucket{link=\"city\",le=\"1\"} 3",
                          "test_seconds_bucket{link=\"city\",le=\"+Inf\"} 4",
                          "test_seconds_sum{link=\"city\"} 2.75",
                          "test_seconds_count{link=\"city\"} 4",
                          "test_seconds_bucket{link=\"hub\",le=\"0.25\"} 0",
                          "test_seconds_bucket{link=\"hub\",le=\"0.5\"} 0",
                          "test_seconds_bucket{link=\"hub\",le=\"1\"} 1",
                          "test_seconds_bucket{link=\"hub\",le=\"+Inf\"} 1",
                          "test_seconds_sum{link=\"hub\"} 1",
                          "test_seconds_count{link=\"hub\"} 1"};
    const char *at = strstr(body, city[0]);
    assert_non_null(at);
    for (size_t i = 0; i < sizeof city / sizeof *city; i++) {
        assert_true(s_has_line(at, city[i]));
        assert_true(!strncmp(at, city[i], strlen(city[i]))); //  in this order
        at += strlen(city[i]) + 1;
    }
    assert_true(s_has_line(body, "# TYPE fundchain_batch_messages histogram"));
    assert_true(s_has_line(body, "fundchain_batch_messages_bucket{le=\"2\"} 0"));
    assert_true(s_has_line(body, "fundchain_batch_messages_bucket{le=\"4\"} 1"));
    assert_true(s_has_line(body, "fundchain_batch_messages_bucket{le=\"4096\"} 1"));
    assert_true(s_has_line(body, "fundchain_batch_messages_bucket{le=\"+Inf\"} 1"));
    assert_true(s_has_line(body, "fundchain_batch_messages_sum 3"));
    assert_true(s_has_line(body, "fundchain_batch_messages_count 1"));
    free(body);
}

//  Misuse is refused with -1 and changes nothing: undeclared names, the
//  wrong type, bad values, bad declarations; declaring again the same is
//  harmless.
static void test_misuse_refused(void **state)
{
    fixture_t *f = *state;
    metrics_t *m = f->metrics;
    const double bounds[] = {1, 2};
    const double decreasing[] = {2, 1};
    const double nan_bound[] = {1, NAN};
    s_capture(f);
    assert_int_equal(metrics_add(m, "no_such_total", NULL, 1), -1);
    assert_int_equal(metrics_set(m, METRICS_MESSAGES, (const char *[]){"a", "b"}, 1), -1);
    assert_int_equal(metrics_observe(m, METRICS_OUTBOX, NULL, 1), -1);
    assert_int_equal(metrics_add(m, METRICS_MESSAGES, (const char *[]){"a", "b"}, -1), -1);
    assert_int_equal(metrics_add(m, METRICS_MESSAGES, (const char *[]){"a", "b"}, NAN), -1);
    assert_int_equal(metrics_add(m, METRICS_MESSAGES, (const char *[]){"a", NULL}, 1), -1);
    assert_int_equal(metrics_add(m, METRICS_MESSAGES, NULL, 1), -1);
    assert_int_equal(metrics_observe(m, METRICS_BATCH, NULL, NAN), -1);
    assert_int_equal(metrics_reset(m, "no_such_total"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "1abc", "", NULL), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "a-b", "", NULL), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, NULL, "", NULL), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "__x"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "a,b,c,d,e"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "a b"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "a,a"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "a,"), -1);
    assert_int_equal(metrics_declare(m, METRICS_HISTOGRAM, "test_h", "", NULL), -1);
    assert_int_equal(metrics_declare_histogram(m, "test_h", "", "le", bounds, 2), -1);
    assert_int_equal(metrics_declare_histogram(m, "test_h", "", NULL, decreasing, 2), -1);
    assert_int_equal(metrics_declare_histogram(m, "test_h", "", NULL, nan_bound, 2), -1);
    assert_int_equal(metrics_declare_histogram(m, "test_h", "", NULL, bounds, 0), -1);
    assert_int_equal(metrics_declare(m, METRICS_COUNTER, METRICS_MESSAGES, "x", "outcome"), -1);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, METRICS_MESSAGES, "x", "outcome,reason"),
                     -1);
    s_release(f);
    assert_non_null(strstr(f->err, "ERROR"));
    assert_non_null(strstr(f->err, "metrics: no family no_such_total is declared"));
    assert_non_null(strstr(f->err, "fundchain_messages_total is a counter, not a gauge"));
    assert_non_null(strstr(f->err, "'1abc' is not a metric name"));
    assert_non_null(strstr(f->err, "fundchain_messages_total is declared already, with another"));
    //  The same declaration again is harmless; labels may be declared.
    assert_int_equal(metrics_declare(m, METRICS_COUNTER, METRICS_MESSAGES, "x", "outcome,reason"),
                     0);
    assert_int_equal(metrics_declare(m, METRICS_GAUGE, "test_g", "", "a,b,c,d"), 0);
    char *body = s_scrape(f->port);
    assert_string_equal(body, ""); //  nothing refused made a series
    free(body);
}

//  Another path is 404, another method 405 (with Allow); HEAD answers the
//  headers only; a query string is ignored.
static void test_paths_and_methods(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(metrics_set(f->metrics, METRICS_PEERS, NULL, 2), 0);
    response_t r;
    s_request(f->port, "GET", "/", &r);
    assert_int_equal(r.status, 404);
    free(r.raw);
    s_request(f->port, "GET", "/metrics/x", &r);
    assert_int_equal(r.status, 404);
    free(r.raw);
    s_request(f->port, "POST", "/metrics", &r);
    assert_int_equal(r.status, 405);
    assert_non_null(strcasestr(r.head, "\r\nAllow: GET, HEAD"));
    free(r.raw);
    s_request(f->port, "DELETE", "/metrics", &r);
    assert_int_equal(r.status, 405);
    free(r.raw);
    s_request(f->port, "HEAD", "/metrics", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "\r\nContent-Type: " CONTENT_TYPE));
    assert_string_equal(r.body, "");
    free(r.raw);
    s_request(f->port, "GET", "/metrics?name[]=x", &r);
    assert_int_equal(r.status, 200);
    assert_true(s_has_line(r.body, "fundchain_connected_peers 2"));
    free(r.raw);
}

//  A URL that is not http://HOST:PORT with an address literal (or
//  localhost) and no path is refused, naming it.
static void test_bad_urls_refused(void **state)
{
    fixture_t *f = *state;
    const char *bad[] = {"",
                         "127.0.0.1:9101",
                         "https://127.0.0.1:9101",
                         "http://127.0.0.1",
                         "http://127.0.0.1:",
                         "http://127.0.0.1:99999",
                         "http://127.0.0.1:123456",
                         "http://127.0.0.1:12a",
                         "http://127.0.0.1:-1",
                         "http://127.0.0.1:9101/metrics",
                         "http://127.0.0.1:9101//",
                         "http://example.com:9101",
                         "http://256.1.1.1:9101",
                         "http://:9101",
                         "http://::1:9101",
                         "http://[::1]",
                         "http://[::1:9101",
                         "http://[127.0.0.1]:9101",
                         "http://user@127.0.0.1:9101"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s_capture(f);
        metrics_t *m = metrics_new(bad[i]);
        s_release(f);
        assert_null(m);
        char named[128];
        snprintf(named, sizeof named, "metrics: '%s' is refused: ", bad[i]);
        if (!strstr(f->err, "ERROR") || !strstr(f->err, named))
            fail_msg("%s: %s", bad[i], f->err);
    }
    s_capture(f);
    assert_null(metrics_new(NULL));
    s_release(f);
    assert_non_null(strstr(f->err, "'(null)' is refused"));
    //  "/" after the port, localhost, and IPv6 (where the host has it).
    metrics_t *m = metrics_new("http://localhost:0/");
    assert_non_null(m);
    char *body = s_scrape(metrics_port(m));
    free(body);
    metrics_destroy(&m);
    int v6 = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
    bool has_v6 = v6 >= 0 && bind(v6, (struct sockaddr *)&any, sizeof any) == 0;
    if (v6 >= 0)
        close(v6);
    if (has_v6) {
        m = metrics_new("http://[::1]:0");
        assert_non_null(m);
        assert_true(metrics_port(m) > 0);
        metrics_destroy(&m);
    }
}

//  A taken port is refused with the system's reason; the server listens
//  on its address only (127.0.0.1, not 127.0.0.2), so another address may
//  take the same port.
static void test_taken_port_and_exact_address(void **state)
{
    fixture_t *f = *state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
    s_capture(f);
    metrics_t *twice = metrics_new(url);
    s_release(f);
    assert_null(twice);
    char named[128];
    snprintf(named, sizeof named, "metrics: cannot serve %s: Address already in use", url);
    if (!strstr(f->err, "ERROR") || !strstr(f->err, named))
        fail_msg("%s", f->err);
    //  Not listening on every interface: 127.0.0.2 (also loopback) is refused.
    assert_int_equal(s_connect("127.0.0.2", f->port), -1);
    assert_int_equal(errno, ECONNREFUSED);
    snprintf(url, sizeof url, "http://127.0.0.2:%d", f->port);
    metrics_t *other = metrics_new(url);
    assert_non_null(other);
    assert_int_equal(metrics_port(other), f->port);
    metrics_destroy(&other);
}

//  Every function takes a NULL self and does nothing.
static void test_null_self(void **state)
{
    (void)state;
    const double bounds[] = {1};
    metrics_t *none = NULL;
    assert_int_equal(metrics_declare(NULL, METRICS_GAUGE, "x", "", NULL), 0);
    assert_int_equal(metrics_declare_histogram(NULL, "x", "", NULL, bounds, 1), 0);
    assert_int_equal(metrics_add(NULL, METRICS_MESSAGES, (const char *[]){"a", "b"}, 1), 0);
    assert_int_equal(metrics_set(NULL, METRICS_OUTBOX, NULL, 1), 0);
    assert_int_equal(metrics_observe(NULL, METRICS_BATCH, NULL, 1), 0);
    assert_int_equal(metrics_reset(NULL, METRICS_OUTBOX), 0);
    assert_int_equal(metrics_port(NULL), 0);
    assert_null(metrics_text(NULL));
    metrics_begin(NULL);
    metrics_end(NULL);
    metrics_destroy(&none);
    metrics_destroy(NULL);
}

//  The updating thread of test_concurrent_updates.
typedef struct {
    metrics_t *metrics;
    atomic_bool stop;
    long rounds; //  done, read once joined
} updater_t;

//  Until told to stop, in rounds each within one begin/end: adds 1 to a
//  counter, sets a gauge to the round and observes 1.
static void *s_updater(void *arg)
{
    updater_t *u = arg;
    metrics_t *m = u->metrics;
    while (!atomic_load(&u->stop)) {
        u->rounds++;
        metrics_begin(m);
        metrics_add(m, METRICS_MESSAGES, (const char *[]){"accepted", ""}, 1);
        metrics_set(m, METRICS_OUTBOX, NULL, (double)u->rounds);
        metrics_observe(m, METRICS_BATCH, NULL, 1);
        metrics_end(m);
    }
    return NULL;
}

//  Scrapes while a thread updates: each scrape sees whole rounds (the
//  counter, the gauge and the histogram agree) and counts never go back;
//  once the thread stopped, a scrape sees every round.
static void test_concurrent_updates(void **state)
{
    fixture_t *f = *state;
    updater_t u = {.metrics = f->metrics};
    atomic_init(&u.stop, false);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_updater, &u), 0);
    double last = 0;
    for (int scrape = 0; scrape < SCRAPES; scrape++) {
        char *body = s_scrape(f->port);
        if (*body) {
            const char *counter = "fundchain_messages_total{outcome=\"accepted\",reason=\"\"}";
            double count = s_value(body, counter);
            assert_true(count >= last);
            assert_true(s_value(body, "fundchain_outbox_entries") == count);
            assert_true(s_value(body, "fundchain_batch_messages_count") == count);
            assert_true(s_value(body, "fundchain_batch_messages_bucket{le=\"1\"}") == count);
            assert_true(s_value(body, "fundchain_batch_messages_sum") == count);
            last = count;
        }
        free(body);
    }
    atomic_store(&u.stop, true);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_true(last > 0); //  the scrapes saw the thread at work
    char *body = s_scrape(f->port);
    assert_true(s_value(body, "fundchain_batch_messages_count") == (double)u.rounds);
    assert_true((double)u.rounds >= last);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counter_with_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gauges_and_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_and_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_urls_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_taken_port_and_exact_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_updates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
