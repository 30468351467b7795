/*  Tests of log (libfund/log.c): the line format, levels and FUNDCHAIN_LOG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "log.h"
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char path[64];
    int saved;
    char text[8192];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->path, sizeof f->path, "/tmp/test_log.XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    unsetenv("FUNDCHAIN_LOG");
    fflush(stderr);
    f->saved = dup(2);
    assert_non_null(freopen(f->path, "w", stderr));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fflush(stderr);
    dup2(f->saved, 2);
    close(f->saved);
    unlink(f->path);
    unsetenv("FUNDCHAIN_LOG");
    log_setup("fundchain", LOGL_INFO);
    free(f);
    return 0;
}

//  Returns what was logged so far.
static const char *s_logged(fixture_t *f)
{
    fflush(stderr);
    FILE *file = fopen(f->path, "r");
    assert_non_null(file);
    size_t n = fread(f->text, 1, sizeof f->text - 1, file);
    f->text[n] = 0;
    fclose(file);
    return f->text;
}

static void test_format(void **state)
{
    fixture_t *f = *state;
    log_setup("city-aggregator", LOGL_INFO);
    log_info("received %d reports from %s", 3, "513331");
    log_error("disk full\n");
    const char *text = s_logged(f);
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z INFO "
                             "city-aggregator: received 3 reports from 513331\n"
                             "[0-9-]{10}T[0-9:]{8}Z ERROR city-aggregator: disk full\n$",
                             REG_EXTENDED),
                     0);
    int rc = regexec(&re, text, 0, NULL, 0);
    regfree(&re);
    if (rc != 0)
        fail_msg("unexpected log text: %s", text);
}

static void test_levels(void **state)
{
    fixture_t *f = *state;
    log_setup("hub", LOGL_WARN);
    log_debug("d");
    log_info("i");
    log_warn("w");
    log_msg((log_level_t)42, "odd level");
    const char *text = s_logged(f);
    assert_null(strstr(text, "DEBUG"));
    assert_null(strstr(text, " INFO "));
    assert_non_null(strstr(text, "WARN hub: w\n"));
    //  An unknown level is printed as an error rather than lost.
    assert_non_null(strstr(text, "ERROR hub: odd level\n"));
}

static void test_environment_wins(void **state)
{
    fixture_t *f = *state;
    setenv("FUNDCHAIN_LOG", "debug", 1);
    log_setup("agent", LOGL_ERROR);
    log_debug("details %s", "here");
    setenv("FUNDCHAIN_LOG", "nonsense", 1);
    log_setup("agent", LOGL_ERROR);
    log_warn("not shown");
    const char *text = s_logged(f);
    assert_non_null(strstr(text, "DEBUG agent: details here\n"));
    assert_null(strstr(text, "not shown"));
}

static void test_long_message(void **state)
{
    fixture_t *f = *state;
    log_setup(NULL, LOGL_INFO);
    char *big = malloc(10000);
    assert_non_null(big);
    memset(big, 'x', 9999);
    big[9999] = 0;
    log_info("%s", big);
    free(big);
    const char *text = s_logged(f);
    size_t len = strlen(text);
    assert_true(len < 2100);
    assert_non_null(strstr(text, "INFO fundchain: xxx"));
    assert_string_equal(text + len - 4, "...\n");
}

static void test_escape(void **state)
{
    (void)state;
    char buf[64];
    //  Printable ASCII and Chinese stay; controls and stray bytes become \xNN.
    assert_string_equal(log_escape("ok 攀枝花", strlen("ok 攀枝花"), buf, sizeof buf), "ok 攀枝花");
    const char raw[] = "a\x1b[2J\x07\x00"
                       "b\xff\xfe\tc\nd\x7f";
    assert_string_equal(log_escape(raw, sizeof raw - 1, buf, sizeof buf),
                        "a\\x1b[2J\\x07\\x00b\\xff\\xfe\\x09c\\x0ad\\x7f");
    //  Half a character, an overlong form, a C1 control and a direction
    //  override are not shown as characters.
    const char odd[] = "\xe6\x94 \xc0\xaf \xc2\x9b \xe2\x80\xae";
    assert_string_equal(log_escape(odd, sizeof odd - 1, buf, sizeof buf),
                        "\\xe6\\x94 \\xc0\\xaf \\xc2\\x9b \\xe2\\x80\\xae");
    //  Bounded: cut at a whole escape or character, marked with "...".
    char small[12];
    assert_string_equal(log_escape("\x01\x02\x03", 3, small, sizeof small), "\\x01\\x02...");
    assert_string_equal(log_escape("攀枝花市x", strlen("攀枝花市x"), small, sizeof small),
                        "攀枝...");
    assert_string_equal(log_escape("12345678901", 11, small, sizeof small), "12345678901");
    assert_string_equal(log_escape("123456789012", 12, small, sizeof small), "12345678...");
    assert_string_equal(log_escape(NULL, 5, small, sizeof small), "");
    assert_string_equal(log_escape_str(NULL, small, sizeof small), "(null)");
    assert_string_equal(log_escape("abc", 3, small, 1), "");
    assert_string_equal(log_escape("abc", 3, NULL, 0), "");
    //  LOG_SAFE bounds what it shows.
    char big[1000];
    memset(big, '\x1b', sizeof big - 1);
    big[sizeof big - 1] = 0;
    const char *safe = LOG_SAFE(big);
    assert_true(strlen(safe) < LOG_SAFE_MAX);
    assert_non_null(strstr(safe, "\\x1b\\x1b"));
    assert_string_equal(safe + strlen(safe) - 3, "...");
}

static void test_messages_escaped(void **state)
{
    fixture_t *f = *state;
    log_setup("city", LOGL_INFO);
    //  A file or peer name with terminal controls and a forged second line.
    log_warn("allow: %s ignored", "x\x1b]0;pwned\x07\n2026-01-01T00:00:00Z INFO city: fake\xff");
    const char *text = s_logged(f);
    assert_non_null(strstr(text, "WARN city: allow: x\\x1b]0;pwned\\x07\\x0a2026-01-01T00:00:00Z "
                                 "INFO city: fake\\xff ignored\n"));
    assert_null(strchr(text, '\x1b'));
    //  One line only.
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_escaped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
