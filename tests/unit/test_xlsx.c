/*  Tests of the workbooks (libfund/xlsx.c): written whole under their
    name, or not at all. Their cells are read back by
    tests/tools/xlsxcheck.py in test_reports.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "xlsx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char path[128];
    json_t *eval;
} fixture_t;

static const char s_eval[] =
    "{\"code\":\"510400\",\"period\":\"2023\",\"fund\":\"resident\",\"name\":\"攀枝花市\","
    "\"units\":[\"510400\"],\"complete\":true,\"items\":{\"income.total\":\"703250200.00\"},"
    "\"indicators\":{\"enrollment_rate\":88.56,\"risk_level\":\"level3\"},"
    "\"scores\":{\"enrollment\":0.0},\"total\":96.0,\"grade\":\"excellent\","
    "\"warnings\":[{\"code\":\"target_missed\",\"message\":\"m\"}]}";

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_xlsx.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/pool.xlsx", f->dir);
    f->eval = json_loads(s_eval, 0, NULL);
    *state = f;
    return f->eval ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    unlink(f->path);
    unlink(tmp);
    rmdir(f->dir);
    json_decref(f->eval);
    free(f);
    return 0;
}

static const xlsx_about_t s_about = {"test", "市", "/var/lib/fundchain"};

//  A workbook is a zip archive under its name, with no temporary file left.
static void test_eval(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(xlsx_write_eval(f->eval, &s_about, f->path), 0);
    FILE *file = fopen(f->path, "rb");
    assert_non_null(file);
    char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, file), 4);
    fclose(file);
    assert_memory_equal(magic, "PK\x03\x04", 4);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_not_equal(access(tmp, F_OK), 0);
}

//  Both levels of a ranking, and statuses, are written.
static void test_rank_and_status(void **state)
{
    fixture_t *f = *state;
    json_t *rank = json_loads("{\"period\":\"2023\",\"fund\":\"resident\",\"level\":\"city\","
                              "\"by\":\"satisfaction\",\"rows\":[{\"rank\":1,\"code\":\"510400\","
                              "\"name\":\"攀枝花市\",\"value\":98.0},{\"rank\":null,"
                              "\"code\":\"511900\",\"name\":\"巴中市\",\"value\":null}]}",
                              0, NULL);
    assert_non_null(rank);
    assert_int_equal(xlsx_write_rank(rank, rank, &s_about, f->path), 0);
    json_t *status = json_loads("{\"unit\":\"510402\",\"reports\":[{\"unit\":\"510402\","
                                "\"period\":\"2023\",\"fund\":\"resident\",\"revision\":2,"
                                "\"state\":\"acked\",\"reason\":\"\",\"warnings\":[]}]}",
                                0, NULL);
    assert_int_equal(xlsx_write_agent_status(status, &s_about, f->path), 0);
    assert_int_equal(xlsx_write_city_status(status, &s_about, f->path), 0);
    json_decref(rank);
    json_decref(status);
}

//  A directory that does not exist: -1, and nothing is left behind.
static void test_unwritable(void **state)
{
    fixture_t *f = *state;
    char path[200];
    snprintf(path, sizeof path, "%s/no/such/pool.xlsx", f->dir);
    assert_int_equal(xlsx_write_eval(f->eval, &s_about, path), -1);
    assert_int_not_equal(access(path, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_eval, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rank_and_status, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
