/*  Tests of allowdir (libfund/allowdir.c): what an allow directory refuses,
    and what its log says about it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "allowdir.h"
#include "keys.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char root[64];
    char keys[96];
    char allow[96];
    char err_path[96];
    int saved_stderr;
    int saved_stdout;
    char text[16384];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_allowdir.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->root);
    snprintf(f->allow, sizeof f->allow, "%s/allow", f->root);
    snprintf(f->err_path, sizeof f->err_path, "%s/stderr", f->root);
    assert_int_equal(mkdir(f->allow, 0755), 0);
    unsetenv("FUNDCHAIN_LOG");
    log_setup("test", LOGL_INFO);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

//  Sends stderr and stdout (where CZMQ's own log goes) to one file.
static void s_capture(fixture_t *f)
{
    fflush(stderr);
    fflush(stdout);
    f->saved_stderr = dup(2);
    f->saved_stdout = dup(1);
    unlink(f->err_path);
    assert_non_null(freopen(f->err_path, "a", stderr));
    assert_non_null(freopen(f->err_path, "a", stdout));
}

//  Restores stderr and stdout and returns what was written to them.
static const char *s_captured(fixture_t *f)
{
    fflush(stderr);
    fflush(stdout);
    assert_true(dup2(f->saved_stderr, 2) >= 0);
    assert_true(dup2(f->saved_stdout, 1) >= 0);
    close(f->saved_stderr);
    close(f->saved_stdout);
    FILE *file = fopen(f->err_path, "r");
    assert_non_null(file);
    size_t n = fread(f->text, 1, sizeof f->text - 1, file);
    f->text[n] = 0;
    fclose(file);
    return f->text;
}

//  Copies a file byte for byte, with mode.
static void s_copy(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    int c;
    while ((c = fgetc(in)) != EOF)
        fputc(c, out);
    fclose(in);
    fclose(out);
    assert_int_equal(chmod(to, mode), 0);
}

//  Returns the Z85 public key of a key file.
static void s_public_txt(const char *path, char *txt)
{
    zcert_t *cert = keys_load_secret(path);
    assert_non_null(cert);
    snprintf(txt, 41, "%s", zcert_public_txt(cert));
    zcert_destroy(&cert);
}

static void test_secret_renamed_pub_refused(void **state)
{
    fixture_t *f = *state;
    char from[160], to[160], key2[160], pub1[41], pub2[41];
    s_capture(f);
    assert_int_equal(keys_generate(f->keys, "513331"), 0);
    assert_int_equal(keys_generate(f->keys, "513332"), 0);
    snprintf(from, sizeof from, "%s/513331.pub", f->keys);
    snprintf(to, sizeof to, "%s/513331.pub", f->allow);
    s_copy(from, to, 0644);
    //  An operator copies the secret key file in under a public-key name.
    snprintf(key2, sizeof key2, "%s/513332.key", f->keys);
    snprintf(to, sizeof to, "%s/513332.pub", f->allow);
    s_copy(key2, to, 0644);
    snprintf(from, sizeof from, "%s/513331.key", f->keys);
    s_public_txt(from, pub1);
    s_public_txt(key2, pub2);

    allowdir_t *allow = allowdir_new(f->allow);
    const char *text = s_captured(f);
    assert_non_null(allow);
    assert_int_equal(allowdir_size(allow), 1);
    assert_string_equal(allowdir_code(allow, pub1), "513331");
    assert_null(allowdir_code(allow, pub2));
    //  Said loudly, naming the file.
    const char *line = strstr(text, "ERROR test: allow: ");
    if (!line || !strstr(line, to) || !strstr(line, "SECRET key") ||
        !strstr(line, "where public keys go"))
        fail_msg("no loud refusal naming %s in: %s", to, text);
    allowdir_destroy(&allow);
}

static void test_garbage_escaped(void **state)
{
    fixture_t *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/junk.pub", f->allow);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    for (int i = 0; i < 3000; i++)
        fputc((i * 131 + 7) & 0xff, file);
    fclose(file);
    //  Terminal controls in a file that looks like text.
    snprintf(path, sizeof path, "%s/ansi.pub", f->allow);
    file = fopen(path, "wb");
    assert_non_null(file);
    fputs("curve\n    public-key = \"\x1b]0;owned\x07\x1b[2J\"\n", file);
    fclose(file);
    //  A long printable line the ZPL parser would echo whole.
    snprintf(path, sizeof path, "%s/long.pub", f->allow);
    file = fopen(path, "wb");
    assert_non_null(file);
    for (int i = 0; i < 5000; i++)
        fputc('x', file);
    fclose(file);

    s_capture(f);
    allowdir_t *allow = allowdir_new(f->allow);
    const char *text = s_captured(f);
    assert_non_null(allow);
    assert_int_equal(allowdir_size(allow), 0);
    for (const char *p = text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            fail_msg("raw control byte 0x%02x at %zu in: %s", (unsigned char)*p, (size_t)(p - text),
                     text);
    //  The garbage is shown escaped, and bounded.
    assert_non_null(
        strstr(text, "ansi.pub: not a key file (binary content at byte 24: \"\\x1b]0;owned\\x07"));
    assert_non_null(strstr(text, "junk.pub: not a key file"));
    assert_non_null(strstr(text, "long.pub: not a key file (a line longer than"));
    assert_null(strstr(
        text, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    assert_true(strlen(text) < 3000);
    allowdir_destroy(&allow);
}

static void test_file_names_escaped(void **state)
{
    fixture_t *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/evil\x1b[31m\n2026 INFO fake.pub", f->allow);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("not a key\n", file);
    fclose(file);
    s_capture(f);
    allowdir_t *allow = allowdir_new(f->allow);
    const char *text = s_captured(f);
    assert_non_null(allow);
    assert_null(strchr(text, '\x1b'));
    assert_non_null(strstr(text, "evil\\x1b[31m\\x0a2026 INFO fake.pub"));
    allowdir_destroy(&allow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_secret_renamed_pub_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_names_escaped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
