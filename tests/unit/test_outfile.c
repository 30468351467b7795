/*  Tests of outfile (libfund/outfile.c): a file appears whole or not at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "outfile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char path[128];
    char tmp[160];
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_outfile.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/report.html", f->dir);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp", f->path);
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    unlink(f->path);
    unlink(f->tmp);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void s_write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static char *s_read(const char *path)
{
    static char buf[256];
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, file);
    buf[n] = 0;
    fclose(file);
    return buf;
}

//  The file is written under FILE.tmp, and appears only at the commit.
static void test_commit(void **state)
{
    fixture_t *f = *state;
    s_write_file(f->path, "old");
    outfile_t *out = outfile_new(f->path);
    assert_non_null(out);
    fputs("new", outfile_stream(out));
    assert_string_equal(s_read(f->path), "old");
    assert_int_equal(access(f->tmp, F_OK), 0);
    assert_string_equal(outfile_path(out), f->path);
    assert_int_equal(outfile_commit(&out), 0);
    assert_null(out);
    assert_string_equal(s_read(f->path), "new");
    assert_int_not_equal(access(f->tmp, F_OK), 0);
}

//  Giving up leaves the earlier file and no temporary one.
static void test_destroy(void **state)
{
    fixture_t *f = *state;
    s_write_file(f->path, "old");
    outfile_t *out = outfile_new(f->path);
    fputs("half", outfile_stream(out));
    outfile_destroy(&out);
    assert_null(out);
    outfile_destroy(&out);
    assert_string_equal(s_read(f->path), "old");
    assert_int_not_equal(access(f->tmp, F_OK), 0);
}

//  A directory that does not exist: NULL, nothing made.
static void test_unwritable(void **state)
{
    fixture_t *f = *state;
    char path[200];
    snprintf(path, sizeof path, "%s/no/such/file", f->dir);
    assert_null(outfile_new(path));
    assert_int_equal(outfile_rename(f->tmp, path), -1);
}

//  Without a path it is standard output.
static void test_stdout(void **state)
{
    (void)state;
    outfile_t *out = outfile_new(NULL);
    assert_ptr_equal(outfile_stream(out), stdout);
    assert_string_equal(outfile_path(out), "standard output");
    assert_int_equal(outfile_commit(&out), 0);
}

//  A file another library wrote by name is renamed in place.
static void test_rename(void **state)
{
    fixture_t *f = *state;
    s_write_file(f->tmp, "book");
    assert_int_equal(outfile_rename(f->tmp, f->path), 0);
    assert_string_equal(s_read(f->path), "book");
    assert_int_not_equal(access(f->tmp, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_destroy, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_stdout, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rename, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
