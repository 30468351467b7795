/*  Tests of opts (libfund/opts.c): flags, switches, repeats, positionals
    and the config file the command line overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "opts.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const opt_spec_t s_specs[] = {
    {"data", true, false, "data directory"},
    {"unit", true, false, "unit code"},
    {"insecure", false, false, "plain text on loopback"},
    {"allow", true, true, "allowed key directory"},
    {"help", false, false, "show help"},
    {NULL, false, false, NULL},
};

typedef struct {
    char dir[64];
    char config[96];
    char err_path[96];
    int saved_stderr;
    opts_t *opts;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_opts.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->config, sizeof f->config, "%s/agent.conf", f->dir);
    snprintf(f->err_path, sizeof f->err_path, "%s/stderr", f->dir);
    f->saved_stderr = -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    opts_destroy(&f->opts);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Parses a NULL-terminated argument list (argv[0] is the command).
static opts_t *s_parse(const char **args)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return opts_parse(s_specs, argc, (char **)args, 1);
}

static void s_write_config(fixture_t *f, const char *text)
{
    FILE *file = fopen(f->config, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

//  Sends stderr to a file until s_stderr_text.
static void s_capture_stderr(fixture_t *f)
{
    fflush(stderr);
    f->saved_stderr = dup(2);
    FILE *file = freopen(f->err_path, "w", stderr);
    assert_non_null(file);
}

//  Restores stderr and returns what was written meanwhile (static buffer).
static const char *s_stderr_text(fixture_t *f)
{
    static char text[2048];
    fflush(stderr);
    assert_true(dup2(f->saved_stderr, 2) >= 0);
    close(f->saved_stderr);
    FILE *file = fopen(f->err_path, "r");
    assert_non_null(file);
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = 0;
    fclose(file);
    return text;
}

static void test_flags_and_positionals(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"submit",     "--data", "/d", "a.csv",        "--unit=513331",
                          "--insecure", "-",      "--", "--not-a-flag", NULL};
    f->opts = s_parse(args);
    assert_non_null(f->opts);
    assert_string_equal(opts_get(f->opts, "data"), "/d");
    assert_string_equal(opts_get(f->opts, "unit"), "513331");
    assert_true(opts_has(f->opts, "insecure"));
    assert_null(opts_get(f->opts, "insecure"));
    assert_false(opts_has(f->opts, "help"));
    assert_false(opts_has(f->opts, "allow"));
    assert_null(opts_get(f->opts, "nosuch"));
    assert_int_equal(opts_npos(f->opts), 3);
    assert_string_equal(opts_pos(f->opts, 0), "a.csv");
    assert_string_equal(opts_pos(f->opts, 1), "-");
    assert_string_equal(opts_pos(f->opts, 2), "--not-a-flag");
    assert_null(opts_pos(f->opts, 3));
    assert_null(opts_pos(f->opts, -1));
}

static void test_repeat_and_last_wins(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"run",        "--allow", "k1", "--data", "/a",
                          "--allow=k2", "--data",  "/b", "-h",     NULL};
    f->opts = s_parse(args);
    assert_non_null(f->opts);
    assert_int_equal(opts_count(f->opts, "allow"), 2);
    assert_string_equal(opts_at(f->opts, "allow", 0), "k1");
    assert_string_equal(opts_at(f->opts, "allow", 1), "k2");
    assert_null(opts_at(f->opts, "allow", 2));
    assert_string_equal(opts_get(f->opts, "allow"), "k2");
    assert_string_equal(opts_get(f->opts, "data"), "/b");
    assert_int_equal(opts_count(f->opts, "data"), 1);
    assert_true(opts_has(f->opts, "help"));
}

static void test_bad_usage(void **state)
{
    fixture_t *f = *state;
    const char *unknown[] = {"run", "--nosuch", "x", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(unknown));
    assert_non_null(strstr(s_stderr_text(f), "unknown option '--nosuch'"));

    const char *missing[] = {"run", "--data", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(missing));
    assert_non_null(strstr(s_stderr_text(f), "missing value for --data"));

    //  A flag is not taken as the value of the flag before it.
    const char *flag_as_value[] = {"run", "--data", "--insecure", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(flag_as_value));
    assert_non_null(strstr(s_stderr_text(f), "missing value for --data"));

    const char *switch_value[] = {"run", "--insecure=maybe", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(switch_value));
    assert_non_null(strstr(s_stderr_text(f), "--insecure is a switch"));

    const char *short_flag[] = {"run", "-x", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(short_flag));
    assert_non_null(strstr(s_stderr_text(f), "unknown option '-x'"));

    const char *no_config[] = {"run", "-c", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(no_config));
    assert_non_null(strstr(s_stderr_text(f), "missing value for -c"));

    const char *absent[] = {"run", "-c", "/nonexistent/x.conf", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(absent));
    assert_non_null(strstr(s_stderr_text(f), "/nonexistent/x.conf"));
}

static void test_config_file(void **state)
{
    fixture_t *f = *state;
    s_write_config(f, "\xEF\xBB\xBF# agent settings\n"
                      "\n"
                      "data = /from/file   # trailing comment\n"
                      "unit 513331\n"
                      "insecure\n"
                      "allow = \"dir one\"\n"
                      "allow = dir#two\r\n");
    const char *args[] = {"run", "-c", f->config, "pos", NULL};
    f->opts = s_parse(args);
    assert_non_null(f->opts);
    assert_string_equal(opts_get(f->opts, "data"), "/from/file");
    assert_string_equal(opts_get(f->opts, "unit"), "513331");
    assert_true(opts_has(f->opts, "insecure"));
    assert_int_equal(opts_count(f->opts, "allow"), 2);
    assert_string_equal(opts_at(f->opts, "allow", 0), "dir one");
    assert_string_equal(opts_at(f->opts, "allow", 1), "dir#two");
    assert_string_equal(opts_get(f->opts, "config"), f->config);
    assert_int_equal(opts_npos(f->opts), 1);
}

static void test_command_line_overrides_file(void **state)
{
    fixture_t *f = *state;
    s_write_config(f, "data = /from/file\nunit = 111111\nallow = a\nallow = b\n"
                      "insecure = false\n");
    char config_arg[128];
    snprintf(config_arg, sizeof config_arg, "--config=%s", f->config);
    const char *args[] = {"run", "--data", "/from/argv", config_arg, "--allow", "c", NULL};
    f->opts = s_parse(args);
    assert_non_null(f->opts);
    assert_string_equal(opts_get(f->opts, "data"), "/from/argv");
    assert_string_equal(opts_get(f->opts, "unit"), "111111");
    assert_int_equal(opts_count(f->opts, "allow"), 1);
    assert_string_equal(opts_at(f->opts, "allow", 0), "c");
    assert_false(opts_has(f->opts, "insecure"));
    opts_destroy(&f->opts);

    //  A switch on in the file stays on; "--insecure=false" turns it off.
    s_write_config(f, "insecure = true\n");
    const char *on[] = {"run", "-c", f->config, NULL};
    f->opts = s_parse(on);
    assert_true(opts_has(f->opts, "insecure"));
    opts_destroy(&f->opts);
    const char *off[] = {"run", "-c", f->config, "--insecure=false", NULL};
    f->opts = s_parse(off);
    assert_false(opts_has(f->opts, "insecure"));
}

static void test_config_errors(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"run", "-c", f->config, NULL};
    char expect[160];

    s_write_config(f, "data = /x\n\n# ok\nbogus = 1\n");
    s_capture_stderr(f);
    assert_null(s_parse(args));
    snprintf(expect, sizeof expect, "%s:4: unknown setting 'bogus'", f->config);
    assert_non_null(strstr(s_stderr_text(f), expect));

    s_write_config(f, "unit =\n");
    s_capture_stderr(f);
    assert_null(s_parse(args));
    snprintf(expect, sizeof expect, "%s:1: missing value for 'unit'", f->config);
    assert_non_null(strstr(s_stderr_text(f), expect));

    s_write_config(f, "insecure = perhaps\n");
    s_capture_stderr(f);
    assert_null(s_parse(args));
    assert_non_null(strstr(s_stderr_text(f), "'insecure' is a switch"));

    //  A config file cannot name another config file.
    s_write_config(f, "config = /etc/other\n");
    s_capture_stderr(f);
    assert_null(s_parse(args));
    assert_non_null(strstr(s_stderr_text(f), "unknown setting 'config'"));

    //  Binary garbage is refused, not crashed on.
    FILE *file = fopen(f->config, "w");
    assert_non_null(file);
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xff, file);
    fclose(file);
    s_capture_stderr(f);
    assert_null(s_parse(args));
    s_stderr_text(f);
}

static void test_specs_are_copied(void **state)
{
    fixture_t *f = *state;
    opt_spec_t specs[] = {{"period", true, false, "period"}, {NULL, false, false, NULL}};
    char name[] = "period";
    specs[0].name = name;
    const char *args[] = {"show", "--period", "2023", NULL};
    f->opts = opts_parse(specs, 3, (char **)args, 1);
    assert_non_null(f->opts);
    memset(name, 'x', strlen(name));
    assert_string_equal(opts_get(f->opts, "period"), "2023");
}

static void test_need_usage_and_null(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"run", "--unit", "513331", NULL};
    f->opts = s_parse(args);
    assert_string_equal(opts_need(f->opts, "unit"), "513331");
    s_capture_stderr(f);
    assert_null(opts_need(f->opts, "data"));
    assert_string_equal(s_stderr_text(f), "missing --data\n");

    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    opts_usage(s_specs, "run --data DIR", out);
    fclose(out);
    assert_non_null(strstr(text, "usage: run --data DIR\n"));
    assert_non_null(strstr(text, "--data VALUE"));
    assert_non_null(strstr(text, "data directory"));
    assert_non_null(strstr(text, "allowed key directory (repeatable)"));
    assert_null(strstr(text, "--insecure VALUE"));
    free(text);

    assert_null(opts_get(NULL, "data"));
    assert_false(opts_has(NULL, "data"));
    assert_int_equal(opts_count(NULL, "allow"), 0);
    assert_int_equal(opts_npos(NULL), 0);
    opts_destroy(NULL);
    opts_t *none = opts_parse(s_specs, 0, NULL, 0);
    assert_non_null(none);
    assert_int_equal(opts_npos(none), 0);
    opts_destroy(&none);
    assert_null(none);
}

static void test_empty_value_is_refused(void **state)
{
    fixture_t *f = *state;
    const char *spaced[] = {"run", "--data", "", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(spaced));
    assert_non_null(strstr(s_stderr_text(f), "--data is empty"));

    const char *equal[] = {"run", "--unit=", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(equal));
    assert_non_null(strstr(s_stderr_text(f), "--unit is empty"));

    const char *repeated[] = {"run", "--allow", "k1", "--allow", "", NULL};
    s_capture_stderr(f);
    assert_null(s_parse(repeated));
    assert_non_null(strstr(s_stderr_text(f), "--allow is empty"));
}

static void test_missing_flags_named_at_once(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"run", "--unit", "513331", NULL};
    f->opts = s_parse(args);
    assert_non_null(f->opts);
    const char *three[] = {"data", "unit", "allow", NULL, "config"};
    char *text = opts_missing(f->opts, three, 5);
    assert_string_equal(text, "--data, --allow and --config");
    free(text);
    const char *two[] = {"unit", "data", "allow"};
    text = opts_missing(f->opts, two, 3);
    assert_string_equal(text, "--data and --allow");
    free(text);
    const char *one[] = {NULL, "data"};
    text = opts_missing(f->opts, one, 2);
    assert_string_equal(text, "--data");
    free(text);
    const char *given[] = {"unit", NULL};
    assert_null(opts_missing(f->opts, given, 2));
    assert_int_equal(opts_require(f->opts, "x run", given, 2), 0);

    //  One line names every missing flag.
    s_capture_stderr(f);
    assert_int_equal(opts_require(f->opts, "county-agent run", three, 5), -1);
    assert_string_equal(s_stderr_text(f),
                        "county-agent run: missing --data, --allow and --config\n");
    s_capture_stderr(f);
    assert_int_equal(opts_require(f->opts, NULL, one, 2), -1);
    assert_string_equal(s_stderr_text(f), "missing --data\n");
}

static void test_numbers(void **state)
{
    fixture_t *f = *state;
    const char *good[] = {"watch", "--data", "42", "--unit", "-3", NULL};
    f->opts = s_parse(good);
    long value = 7;
    assert_int_equal(opts_number(f->opts, "data", 1, 100, &value), 0);
    assert_int_equal(value, 42);
    assert_int_equal(opts_number(f->opts, "unit", -5, 5, &value), 0);
    assert_int_equal(value, -3);
    value = 7;
    assert_int_equal(opts_number(f->opts, "allow", 1, 100, &value), 0); //  absent
    assert_int_equal(value, 7);
    s_capture_stderr(f);
    assert_int_equal(opts_number(f->opts, "data", 1, 10, &value), -1);
    assert_non_null(
        strstr(s_stderr_text(f), "--data must be a whole number from 1 to 10, not '42'"));
    assert_int_equal(value, 7);
    opts_destroy(&f->opts);

    const char *bad[] = {"abc", "5x", " 5", "", "+", "1.5", "0x10", "99999999999999999999", NULL};
    for (int i = 0; bad[i]; i++) {
        if (!*bad[i])
            continue; //  an empty value is refused by opts_parse already
        const char *args[] = {"watch", "--data", bad[i], NULL};
        f->opts = s_parse(args);
        assert_non_null(f->opts);
        s_capture_stderr(f);
        assert_int_equal(opts_number(f->opts, "data", 1, LONG_MAX, &value), -1);
        char expect[128];
        snprintf(expect, sizeof expect, "--data must be a whole number of at least 1, not '%s'",
                 bad[i]);
        assert_non_null(strstr(s_stderr_text(f), expect));
        assert_int_equal(value, 7);
        opts_destroy(&f->opts);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flags_and_positionals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_and_last_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_line_overrides_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_specs_are_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_need_usage_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_value_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_flags_named_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
