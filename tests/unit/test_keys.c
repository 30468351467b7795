/*  Tests of keys (libfund/keys.c): key pairs bound to codes, file modes,
    and refusal of unsafe or malformed key files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "keys.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char root[64];
    char dir[96];
    char pub[128];
    char key[128];
    char err_path[128];
    int saved_stderr;
    zcert_t *cert;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_keys.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->dir, sizeof f->dir, "%s/new/keys", f->root);
    snprintf(f->pub, sizeof f->pub, "%s/513331.pub", f->dir);
    snprintf(f->key, sizeof f->key, "%s/513331.key", f->dir);
    snprintf(f->err_path, sizeof f->err_path, "%s/stderr", f->root);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    zcert_destroy(&f->cert);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void s_capture_stderr(fixture_t *f)
{
    fflush(stderr);
    f->saved_stderr = dup(2);
    assert_non_null(freopen(f->err_path, "w", stderr));
}

static const char *s_stderr_text(fixture_t *f)
{
    static char text[4096];
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

static mode_t s_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

//  Reads a whole small file into a static buffer.
static const char *s_read(const char *path)
{
    static char text[4096];
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = 0;
    fclose(file);
    return text;
}

static void s_write(const char *path, const char *text, mode_t mode)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_generate_and_load(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    assert_int_equal(s_mode(f->dir), 0700);
    assert_int_equal(s_mode(f->pub), 0644);
    assert_int_equal(s_mode(f->key), 0600);
    assert_null(strstr(s_read(f->pub), "secret-key"));
    assert_non_null(strstr(s_read(f->key), "secret-key"));

    f->cert = keys_load_secret(f->key);
    assert_non_null(f->cert);
    assert_string_equal(keys_code(f->cert), "513331");
    zcert_t *pub = keys_load_public(f->pub);
    assert_non_null(pub);
    assert_string_equal(keys_code(pub), "513331");
    assert_string_equal(zcert_public_txt(pub), zcert_public_txt(f->cert));
    //  The public certificate carries no secret.
    assert_string_equal(zcert_secret_txt(pub), "0000000000000000000000000000000000000000");
    assert_string_not_equal(zcert_secret_txt(f->cert), "0000000000000000000000000000000000000000");
    zcert_destroy(&pub);

    //  Two pairs never share a key.
    assert_int_equal(keys_generate(f->dir, "513332"), 0);
    char other[160];
    snprintf(other, sizeof other, "%s/513332.pub", f->dir);
    pub = keys_load_public(other);
    assert_non_null(pub);
    assert_string_not_equal(zcert_public_txt(pub), zcert_public_txt(f->cert));
    zcert_destroy(&pub);
}

static void test_generate_refusals(void **state)
{
    fixture_t *f = *state;
    const char *bad[] = {"51333", "5133311", "51333a", "../x", "", NULL};
    s_capture_stderr(f);
    for (int i = 0; bad[i]; i++)
        assert_int_equal(keys_generate(f->dir, bad[i]), -1);
    assert_int_equal(keys_generate(f->dir, NULL), -1);
    assert_int_equal(keys_generate(NULL, "513331"), -1);
    assert_non_null(strstr(s_stderr_text(f), "6-digit code"));
    assert_int_equal(access(f->dir, F_OK), -1);

    //  Existing keys are never overwritten.
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    char before[4096];
    snprintf(before, sizeof before, "%s", s_read(f->key));
    s_capture_stderr(f);
    assert_int_equal(keys_generate(f->dir, "513331"), -1);
    assert_non_null(strstr(s_stderr_text(f), "never overwritten"));
    assert_string_equal(s_read(f->key), before);
    assert_int_equal(access(f->pub, F_OK), 0);

    //  Nor is a file reached through a link at a key's name.
    char link_pub[160];
    char target[160];
    snprintf(link_pub, sizeof link_pub, "%s/513339.pub", f->dir);
    snprintf(target, sizeof target, "%s/elsewhere", f->root);
    assert_int_equal(symlink(target, link_pub), 0);
    s_capture_stderr(f);
    assert_int_equal(keys_generate(f->dir, "513339"), -1);
    s_stderr_text(f);
    assert_int_equal(access(target, F_OK), -1);
    char key9[160];
    snprintf(key9, sizeof key9, "%s/513339.key", f->dir);
    assert_int_equal(access(key9, F_OK), -1);

    //  A directory that is a file.
    char file[160];
    snprintf(file, sizeof file, "%s/afile", f->root);
    s_write(file, "x", 0600);
    s_capture_stderr(f);
    assert_int_equal(keys_generate(file, "513331"), -1);
    assert_non_null(strstr(s_stderr_text(f), "Not a directory"));
}

static void test_secret_file_permissions(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    assert_int_equal(chmod(f->key, 0640), 0);
    s_capture_stderr(f);
    assert_null(keys_load_secret(f->key));
    const char *text = s_stderr_text(f);
    assert_non_null(strstr(text, f->key));
    assert_non_null(strstr(text, "mode 0640"));
    assert_int_equal(chmod(f->key, 0604), 0);
    s_capture_stderr(f);
    assert_null(keys_load_secret(f->key));
    assert_non_null(strstr(s_stderr_text(f), "mode 0604"));
    //  Owner-only modes are accepted.
    assert_int_equal(chmod(f->key, 0400), 0);
    f->cert = keys_load_secret(f->key);
    assert_non_null(f->cert);
    //  A public file holds no secret key.
    assert_int_equal(chmod(f->pub, 0600), 0);
    s_capture_stderr(f);
    assert_null(keys_load_secret(f->pub));
    assert_non_null(strstr(s_stderr_text(f), "this is a public key (give the .key file)"));
}

static void test_public_file_as_key(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    //  The .pub file as keygen wrote it (0644): not chmod advice, but what it is.
    s_capture_stderr(f);
    assert_null(keys_load_secret(f->pub));
    const char *text = s_stderr_text(f);
    assert_non_null(strstr(text, f->pub));
    assert_non_null(strstr(text, "this is a public key (give the .key file)"));
    assert_null(strstr(text, "chmod"));
}

static void test_secret_file_as_public(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    //  The secret key file, renamed to look public, is refused as a public key.
    char renamed[160];
    snprintf(renamed, sizeof renamed, "%s/513331-copy.pub", f->dir);
    s_write(renamed, s_read(f->key), 0644);
    bool secret = false;
    s_capture_stderr(f);
    assert_null(keys_load_public(renamed));
    assert_null(keys_load_peer(renamed, &secret));
    const char *text = s_stderr_text(f);
    assert_true(secret);
    assert_non_null(strstr(text, renamed));
    assert_non_null(strstr(text, "SECRET key"));
    assert_non_null(strstr(text, "where public keys go"));
    assert_non_null(strstr(text, "make a new key pair")); //  others could read it
    //  The real public file loads, and says it holds no secret.
    secret = true;
    zcert_t *pub = keys_load_peer(f->pub, &secret);
    assert_non_null(pub);
    assert_false(secret);
    zcert_destroy(&pub);
}

static void test_binary_file_escaped(void **state)
{
    fixture_t *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/513331.pub", f->root);
    s_write(path, "curve\n    public-key = \"\x1b[2J\xff\xfe\"\n", 0644);
    s_capture_stderr(f);
    assert_null(keys_load_public(path));
    assert_null(keys_load_secret(path));
    const char *text = s_stderr_text(f);
    assert_null(strchr(text, '\x1b'));
    assert_null(strchr(text, '\xff'));
    assert_non_null(
        strstr(text, "not a key file (binary content at byte 24: \"\\x1b[2J\\xff\\xfe"));
}

static void test_exact_file_is_read(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(keys_generate(f->dir, "513331"), 0);
    assert_int_equal(keys_generate(f->dir, "513332"), 0);
    //  zcert_load would prefer FILE_secret; the named file is what counts.
    char decoy[160];
    char other[160];
    snprintf(decoy, sizeof decoy, "%s_secret", f->key);
    snprintf(other, sizeof other, "%s/513332.key", f->dir);
    s_write(decoy, s_read(other), 0600);
    f->cert = keys_load_secret(f->key);
    assert_non_null(f->cert);
    assert_string_equal(keys_code(f->cert), "513331");
}

//  Writes a key file from parts; returns its path (static buffer).
static const char *s_key_file(fixture_t *f, const char *code, const char *public_key,
                              const char *secret_key)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/made.key", f->root);
    char text[1024];
    snprintf(text, sizeof text,
             "metadata\n    code = \"%s\"\ncurve\n    public-key = \"%s\"\n"
             "    secret-key = \"%s\"\n",
             code, public_key, secret_key);
    s_write(path, text, 0600);
    return path;
}

static void test_malformed_files(void **state)
{
    fixture_t *f = *state;
    zcert_t *a = zcert_new();
    zcert_t *b = zcert_new();
    char pub_a[41], sec_a[41], sec_b[41];
    snprintf(pub_a, sizeof pub_a, "%s", zcert_public_txt(a));
    snprintf(sec_a, sizeof sec_a, "%s", zcert_secret_txt(a));
    snprintf(sec_b, sizeof sec_b, "%s", zcert_secret_txt(b));
    zcert_destroy(&a);
    zcert_destroy(&b);

    //  A well-formed file loads, so the refusals below are about the flaw.
    f->cert = keys_load_secret(s_key_file(f, "513331", pub_a, sec_a));
    assert_non_null(f->cert);
    assert_string_equal(keys_code(f->cert), "513331");

    s_capture_stderr(f);
    assert_null(keys_load_secret(s_key_file(f, "513331", pub_a, sec_b)));
    assert_non_null(strstr(s_stderr_text(f), "does not match"));

    char short_key[41];
    snprintf(short_key, sizeof short_key, "%.39s", pub_a);
    s_capture_stderr(f);
    assert_null(keys_load_secret(s_key_file(f, "513331", short_key, sec_a)));
    assert_non_null(strstr(s_stderr_text(f), "no valid public key"));

    char bad_chars[41];
    memcpy(bad_chars, pub_a, sizeof bad_chars);
    bad_chars[5] = '~'; //  Not in the Z85 alphabet.
    s_capture_stderr(f);
    assert_null(keys_load_public(s_key_file(f, "513331", bad_chars, sec_a)));
    assert_non_null(strstr(s_stderr_text(f), "no valid public key"));

    //  A bad code loads as a key, but binds to no code.
    zcert_t *loose = keys_load_secret(s_key_file(f, "51333x", pub_a, sec_a));
    assert_non_null(loose);
    assert_null(keys_code(loose));
    zcert_destroy(&loose);

    const char *garbage = s_key_file(f, "", "", "");
    FILE *file = fopen(garbage, "w");
    assert_non_null(file);
    for (int i = 0; i < 3000; i++)
        fputc((i * 131 + 7) & 0xff, file);
    fclose(file);
    s_capture_stderr(f);
    assert_null(keys_load_secret(garbage));
    s_write(garbage, "", 0600);
    assert_null(keys_load_secret(garbage));
    assert_null(keys_load_public(f->root));
    assert_null(keys_load_public("/nonexistent/513331.pub"));
    assert_null(keys_load_public(NULL));
    const char *text = s_stderr_text(f);
    assert_non_null(strstr(text, "/nonexistent/513331.pub"));
    assert_non_null(strstr(text, "not a regular file"));

    assert_null(keys_code(NULL));
    zcert_t *bare = zcert_new();
    assert_null(keys_code(bare));
    zcert_set_meta(bare, "code", "%s", "1234567");
    assert_null(keys_code(bare));
    zcert_destroy(&bare);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_generate_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generate_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_file_as_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file_as_public, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_file_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exact_file_is_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
