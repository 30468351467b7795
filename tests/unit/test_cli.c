/*  Tests of cli (libfund/cli.c): --help and --version win anywhere on the
    line and do nothing else; commands, "help COMMAND" and unknown commands
    are dispatched with the exit codes of SPEC 7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const opt_spec_t s_specs[] = {{"data", true, false, "data directory"},
                                     {"unit", true, false, "unit code"},
                                     {NULL, false, false, NULL}};

typedef struct {
    char dir[64];
    char out_path[96];
    char err_path[96];
    int saved_out, saved_err;
    char out[4096], err[4096];
} fixture_t;

//  What the fake command saw.
static int s_calls;
static char s_seen[256];

static int s_fake(int argc, char **argv)
{
    s_calls++;
    s_seen[0] = 0;
    for (int i = 0; i < argc; i++)
        snprintf(s_seen + strlen(s_seen), sizeof s_seen - strlen(s_seen), "%s%s", i ? " " : "",
                 argv[i]);
    return 7;
}

static const cli_command_t s_commands[] = {
    {"run", s_fake, "run it"}, {"keygen", cli_keygen, "make keys"}, {NULL, NULL, NULL}};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_cli.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->out_path, sizeof f->out_path, "%s/stdout", f->dir);
    snprintf(f->err_path, sizeof f->err_path, "%s/stderr", f->dir);
    s_calls = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Sends stdout and stderr to files until s_release.
static void s_capture(fixture_t *f)
{
    fflush(stdout);
    fflush(stderr);
    f->saved_out = dup(1);
    f->saved_err = dup(2);
    assert_non_null(freopen(f->out_path, "w", stdout));
    assert_non_null(freopen(f->err_path, "w", stderr));
}

static void s_read(const char *path, char *text, size_t size)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t n = fread(text, 1, size - 1, file);
    text[n] = 0;
    fclose(file);
}

//  Restores stdout and stderr; f->out and f->err hold what was written.
static void s_release(fixture_t *f)
{
    fflush(stdout);
    fflush(stderr);
    assert_true(dup2(f->saved_out, 1) >= 0);
    assert_true(dup2(f->saved_err, 2) >= 0);
    close(f->saved_out);
    close(f->saved_err);
    s_read(f->out_path, f->out, sizeof f->out);
    s_read(f->err_path, f->err, sizeof f->err);
}

//  Runs cli_parse on a NULL-terminated list; returns the options.
static opts_t *s_parse(fixture_t *f, const char **args, int *code)
{
    int argc = 0;
    while (args[argc])
        argc++;
    s_capture(f);
    opts_t *opts = cli_parse("status", s_specs, "--data DIR", argc, (char **)args, code);
    s_release(f);
    return opts;
}

static int s_main(fixture_t *f, const char **args)
{
    int argc = 0;
    while (args[argc])
        argc++;
    s_capture(f);
    int code = cli_main("prog", "a test program", s_commands, argc, (char **)args);
    s_release(f);
    return code;
}

static void test_help_anywhere(void **state)
{
    fixture_t *f = *state;
    const char *lines[][6] = {{"status", "--help", NULL},
                              {"status", "--data", "/nonexistent", "--help", NULL},
                              {"status", "--bogus", "--help", NULL},
                              {"status", "--help", "--bogus", NULL},
                              {"status", "--data", "--help", NULL},
                              {"status", "-c", "/nonexistent/x.conf", "-h", NULL},
                              {"status", "--data", "", "--help", NULL}};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        int code = -1;
        assert_null(s_parse(f, lines[i], &code));
        assert_int_equal(code, EXIT_OK);
        assert_non_null(strstr(f->out, "usage: "));
        assert_non_null(strstr(f->out, "--data VALUE"));
        assert_string_equal(f->err, "");
    }
}

static void test_version_anywhere(void **state)
{
    fixture_t *f = *state;
    const char *args[] = {"status", "--bogus", "--data", "--version", NULL};
    int code = -1;
    assert_null(s_parse(f, args, &code));
    assert_int_equal(code, EXIT_OK);
    assert_non_null(strstr(f->out, FUNDCHAIN_VERSION));
    assert_string_equal(f->err, "");
}

static void test_parse_goes_on_or_refuses(void **state)
{
    fixture_t *f = *state;
    const char *plain[] = {"status", "--data", "/d", "--", "--help", NULL};
    int code = -1;
    opts_t *opts = s_parse(f, plain, &code);
    assert_non_null(opts); //  after "--", --help is a positional argument
    assert_string_equal(opts_get(opts, "data"), "/d");
    assert_string_equal(opts_pos(opts, 0), "--help");
    opts_destroy(&opts);

    const char *bad[] = {"status", "--bogus", NULL};
    assert_null(s_parse(f, bad, &code));
    assert_int_equal(code, EXIT_USAGE);
    assert_non_null(strstr(f->err, "unknown option '--bogus'"));
    assert_string_equal(f->out, "");
}

static void test_main_dispatch(void **state)
{
    fixture_t *f = *state;
    const char *none[] = {"prog", NULL};
    assert_int_equal(s_main(f, none), EXIT_USAGE);
    assert_non_null(strstr(f->err, "commands:"));

    const char *run[] = {"prog", "run", "--x", NULL};
    assert_int_equal(s_main(f, run), 7);
    assert_string_equal(s_seen, "run --x");

    const char *help_run[] = {"prog", "help", "run", NULL};
    assert_int_equal(s_main(f, help_run), 7);
    assert_string_equal(s_seen, "run --help");
    assert_int_equal(s_calls, 2);

    const char *unknown[] = {"prog", "bogus", NULL};
    assert_int_equal(s_main(f, unknown), EXIT_USAGE);
    assert_non_null(strstr(f->err, "unknown command 'bogus'"));

    const char *help_lines[][5] = {{"prog", "--help", NULL},
                                   {"prog", "help", NULL},
                                   {"prog", "bogus", "--help", NULL},
                                   {"prog", "--data", "x", "-h", NULL}};
    for (size_t i = 0; i < sizeof help_lines / sizeof help_lines[0]; i++) {
        assert_int_equal(s_main(f, help_lines[i]), EXIT_OK);
        assert_non_null(strstr(f->out, "commands:"));
        assert_string_equal(f->err, "");
    }
    const char *version[] = {"prog", "--data", "x", "--version", NULL};
    assert_int_equal(s_main(f, version), EXIT_OK);
    assert_string_equal(f->out, "prog " FUNDCHAIN_VERSION "\n");
    assert_int_equal(s_calls, 2);
}

static void test_keygen_help_does_nothing(void **state)
{
    fixture_t *f = *state;
    char keys[96];
    snprintf(keys, sizeof keys, "%s/keys", f->dir);
    const char *help[] = {"prog",   "keygen",  "--out",  keys, "--name",
                          "510402", "--bogus", "--help", NULL};
    assert_int_equal(s_main(f, help), EXIT_OK);
    assert_non_null(strstr(f->out, "usage: prog keygen"));
    struct stat st;
    assert_int_equal(stat(keys, &st), -1); //  nothing written

    const char *missing[] = {"prog", "keygen", NULL};
    assert_int_equal(s_main(f, missing), EXIT_USAGE);
    assert_string_equal(f->err, "prog keygen: missing --out and --name\n");

    const char *make[] = {"prog", "keygen", "--out", keys, "--name", "510402", NULL};
    assert_int_equal(s_main(f, make), EXIT_OK);
    assert_int_equal(stat(keys, &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_anywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_anywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_goes_on_or_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_main_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keygen_help_does_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
