/*  bench - the helpers every section shares (see bench.h): paths under the
    run's directory, keys made with libfund's keys_generate, allow
    directories, free loopback ports, the clock. Out of memory aborts (a
    benchmark has nothing to save); a key that cannot be made is NULL with
    a message on stderr.
*/
#include "bench.h"
#include "keys.h"
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  Returns a heap string or aborts.
static char *s_vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    return s;
}

char *bench_path(bench_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *tail = s_vformat(fmt, ap);
    va_end(ap);
    char *path = NULL;
    if (asprintf(&path, "%s/%s", self->dir, tail) < 0)
        abort();
    free(tail);
    return path;
}

int bench_seq(bench_t *self)
{
    return ++self->seq;
}

void bench_fail(bench_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = s_vformat(fmt, ap);
    va_end(ap);
    fprintf(stderr, "bench: FAIL %s\n", text);
    results_header(self->results, "FAIL: %s", text);
    free(text);
    self->failures++;
}

double bench_ratio(bench_t *self, double rate, const char *what)
{
    if (self->baseline <= 0)
        return NAN;
    double ratio = rate / self->baseline;
    if (!(ratio > 0 && ratio < 10))
        bench_fail(self, "%s: %.3f of the baseline is not sane", what, ratio);
    return ratio;
}

const char *bench_verdict(char *buf, size_t size, const char *target, bool met)
{
    snprintf(buf, size, "%s: %s", target, met ? "met" : "MISSED");
    return buf;
}

char *bench_key(bench_t *self, const char *code)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s.key", self->keys, code) < 0)
        abort();
    if (access(path, R_OK) != 0 && keys_generate(self->keys, code) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

char *bench_pub(bench_t *self, const char *code)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s.pub", self->keys, code) < 0)
        abort();
    return path;
}

//  Copies a file. Returns 0 or -1.
static int s_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[4096];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc;
}

char *bench_allow(bench_t *self, char (*codes)[8], size_t n)
{
    char *dir = bench_path(self, "allow-%d", bench_seq(self));
    int rc = mkdir(dir, 0700);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *key = bench_key(self, codes[i]);
        char *pub = bench_pub(self, codes[i]);
        char to[600];
        snprintf(to, sizeof to, "%s/%s.pub", dir, codes[i]);
        rc = key ? s_copy(pub, to) : -1;
        free(key);
        free(pub);
    }
    if (rc != 0) {
        fprintf(stderr, "bench: cannot make the allow directory %s\n", dir);
        free(dir);
        return NULL;
    }
    return dir;
}

char *bench_endpoint(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    if (fd >= 0)
        close(fd);
    char *ep = NULL;
    if (asprintf(&ep, "tcp://127.0.0.1:%d", port) < 0)
        abort();
    return ep;
}

int64_t bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void bench_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void bench_city_units(const char *city, char (*codes)[8], size_t n)
{
    for (size_t i = 0; i < n && i < 100; i++)
        snprintf(codes[i], 8, "%.4s%02zu", city, i);
}

int bench_gen_csv(bench_t *self, const char *unit, int years, const char *path)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "python3 '%s/gen-monthly.py' --years %d --unit %s > '%s'", self->src, years,
                 unit, path) < 0)
        abort();
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "bench: %s failed\n", cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}
