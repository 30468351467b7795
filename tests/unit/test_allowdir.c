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

//  Makes a key pair for code into f->keys and copies its .pub into the
//  allow directory as name (mode 0644).
static void s_allow_key(fixture_t *f, const char *keydir, const char *code, const char *name)
{
    assert_int_equal(keys_generate(keydir, code), 0);
    char from[160], to[160];
    snprintf(from, sizeof from, "%s/%s.pub", keydir, code);
    snprintf(to, sizeof to, "%s/%s", f->allow, name);
    s_copy(from, to, 0644);
}

static const allowdir_entry_t *s_entry(const allowdir_entry_t *entries, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(entries[i].file, '/');
        if (slash && !strcmp(slash + 1, name))
            return &entries[i];
    }
    return NULL;
}

//  Every problem the keys command shows, file by file, and what is refused.
static void test_entries_say_every_problem(void **state)
{
    fixture_t *f = *state;
    char keys2[128];
    snprintf(keys2, sizeof keys2, "%s/keys2", f->root);
    s_allow_key(f, f->keys, "510402", "510402.pub");
    s_allow_key(f, f->keys, "510403", "510403.pub");
    s_allow_key(f, keys2, "510402", "second.pub"); //  another key of 510402
    char from[160], to[160];
    snprintf(from, sizeof from, "%s/510402.pub", f->allow);
    snprintf(to, sizeof to, "%s/copy.pub", f->allow);
    s_copy(from, to, 0664); //  the same key again, group-writable
    snprintf(to, sizeof to, "%s/notes.txt", f->allow);
    s_copy(from, to, 0644);
    snprintf(to, sizeof to, "%s/.hidden.pub", f->allow);
    s_copy(from, to, 0644);

    allowdir_entry_t *entries = NULL;
    size_t n = 0;
    s_capture(f);
    assert_int_equal(allowdir_entries(f->allow, &entries, &n), 0);
    s_captured(f);
    assert_int_equal(n, 5); //  the hidden file is passed over
    const allowdir_entry_t *a = s_entry(entries, n, "510402.pub");
    const allowdir_entry_t *b = s_entry(entries, n, "510403.pub");
    const allowdir_entry_t *c = s_entry(entries, n, "copy.pub");
    const allowdir_entry_t *d = s_entry(entries, n, "second.pub");
    const allowdir_entry_t *t = s_entry(entries, n, "notes.txt");
    assert_true(a && b && c && d && t);
    assert_string_equal(b->code, "510403");
    assert_null(b->problem);
    assert_false(b->refused);
    assert_int_equal(strlen(b->fingerprint), 7 + 43);
    assert_memory_equal(b->fingerprint, "SHA256:", 7);
    assert_string_equal(a->fingerprint, c->fingerprint);
    assert_string_not_equal(a->fingerprint, d->fingerprint);
    assert_non_null(strstr(a->problem, "the same key as"));
    assert_non_null(strstr(a->problem, "also has the key in"));
    assert_false(a->refused);
    assert_non_null(strstr(c->problem, "writable by its group (mode 0664)"));
    assert_non_null(strstr(d->problem, "code 510402 also has the key in"));
    assert_false(d->refused);
    assert_true(t->refused);
    assert_non_null(strstr(t->problem, "not a .pub file"));
    allowdir_entries_free(&entries, n);
    assert_null(entries);

    //  A key under two codes is refused under both.
    snprintf(from, sizeof from, "%s/510403.pub", f->keys);
    FILE *in = fopen(from, "r");
    assert_non_null(in);
    char text[1024];
    size_t len = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[len] = 0;
    char *code = strstr(text, "510403");
    assert_non_null(code);
    memcpy(code, "510404", 6);
    snprintf(to, sizeof to, "%s/other.pub", f->allow);
    FILE *out = fopen(to, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
    s_capture(f);
    assert_int_equal(allowdir_entries(f->allow, &entries, &n), 0);
    s_captured(f);
    assert_true(s_entry(entries, n, "510403.pub")->refused);
    assert_true(s_entry(entries, n, "other.pub")->refused);
    assert_non_null(strstr(s_entry(entries, n, "other.pub")->problem, "under code 510403"));
    allowdir_entries_free(&entries, n);

    //  A directory writable by others is a problem of its own.
    assert_int_equal(chmod(f->allow, 0777), 0);
    s_capture(f);
    assert_int_equal(allowdir_entries(f->allow, &entries, &n), 0);
    s_captured(f);
    assert_true(entries[0].is_dir);
    assert_non_null(strstr(entries[0].problem, "the directory is writable by others"));
    allowdir_entries_free(&entries, n);
    assert_int_equal(chmod(f->allow, 0755), 0);
    assert_int_equal(allowdir_entries("/nonexistent/allow", &entries, &n), -1);
}

//  A reload's log names each key added and removed, by code and fingerprint.
static void test_log_changes(void **state)
{
    fixture_t *f = *state;
    s_allow_key(f, f->keys, "510402", "510402.pub");
    s_capture(f);
    allowdir_t *old = allowdir_new(f->allow);
    s_captured(f);
    assert_non_null(old);
    char path[160];
    snprintf(path, sizeof path, "%s/510402.pub", f->allow);
    assert_int_equal(unlink(path), 0);
    s_allow_key(f, f->keys, "510403", "510403.pub");
    s_capture(f);
    allowdir_t *fresh = allowdir_new(f->allow);
    allowdir_log_changes(old, fresh);
    const char *text = s_captured(f);
    assert_non_null(fresh);
    assert_non_null(strstr(text, "of 510402 removed: refused from its next message on"));
    assert_non_null(strstr(text, "of 510403 added: accepted from now on"));
    assert_non_null(strstr(text, "reloaded, 1 keys: 1 added, 1 removed"));
    s_capture(f);
    allowdir_log_changes(fresh, fresh);
    text = s_captured(f);
    assert_non_null(strstr(text, "nothing changed"));
    assert_null(strstr(text, "added:"));
    allowdir_destroy(&old);
    allowdir_destroy(&fresh);
}

//  A fingerprint is the SHA-256 of the 32 key bytes, in unpadded base64.
static void test_fingerprint(void **state)
{
    (void)state;
    char fp[KEYS_FINGERPRINT_MAX];
    //  The Z85 of 32 zero bytes; sha256 of them is 66687aad...f925.
    assert_int_equal(keys_fingerprint("0000000000000000000000000000000000000000", fp), 0);
    assert_string_equal(fp, "SHA256:Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU");
    assert_int_equal(keys_fingerprint("short", fp), -1);
    assert_string_equal(fp, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_secret_renamed_pub_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_names_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entries_say_every_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
