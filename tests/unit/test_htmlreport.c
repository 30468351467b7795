/*  Tests of the HTML report (libfund/htmlreport.c), from the dossiers the
    city and the hub wrote. The browser's view of it is tested by
    test_reports.sh (headless Chromium). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "htmlreport.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    json_t *city, *hub;
    char *text;
    size_t len;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->city = json_load_file(TEST_DATA_DIR "/reports/dossier-510400-2023.json", 0, NULL);
    f->hub = json_load_file(TEST_DATA_DIR "/reports/dossier-510000-2023.json", 0, NULL);
    *state = f;
    return f->city && f->hub ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    json_decref(f->city);
    json_decref(f->hub);
    free(f->text);
    free(f);
    return 0;
}

static int s_write(fixture_t *f, const json_t *dossier)
{
    free(f->text);
    f->text = NULL;
    FILE *out = open_memstream(&f->text, &f->len);
    int rc = htmlreport_write(dossier, out);
    fclose(out);
    return rc;
}

//  Counts the marks between a section's opening and its end.
static size_t s_marks(const char *text, const char *id)
{
    char open[64];
    snprintf(open, sizeof open, "<section id=\"%s\"", id);
    const char *at = strstr(text, open), *end = at ? strstr(at, "</section>") : NULL;
    size_t n = 0;
    for (const char *p = at; p && (p = strstr(p, "class=\"mark")) && p < end; p++)
        n++;
    return n;
}

//  Every section is there; the marks are as many as the data.
static void test_sections(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_write(f, f->hub), 0);
    const char *ids[] = {"rank-city",      "rank-county",  "chart-total",
                         "chart-category", "chart-months", "chart-indicators",
                         "matrix",         "chart-trend",  "warnings"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        char open[64];
        snprintf(open, sizeof open, "<section id=\"%s\"", ids[i]);
        if (!strstr(f->text, open))
            fail_msg("no section %s", ids[i]);
    }
    assert_null(strstr(f->text, "id=\"composition\"")); //  the province has none
    //  2 pools and 2 ranked counties have a total; 2 evaluations hold months.
    assert_int_equal(s_marks(f->text, "chart-total"), 4);
    assert_int_equal(s_marks(f->text, "chart-months"), 2);
    assert_non_null(strstr(f->text, "<tr data-code=\"510400\" data-rank=\"1\">"));
    assert_non_null(strstr(f->text, "data-code=\"511900\" data-value=\"12.00\""));
}

//  The league tables say who approved each row, at the city and the province.
static void test_approval(void **state)
{
    fixture_t *f = *state;
    json_t *row = json_array_get(
        json_object_get(json_object_get(json_object_get(f->hub, "rank"), "city"), "rows"), 0);
    json_object_set_new(row, "approval",
                        json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "city", "by", "市审核员", "at",
                                  "2026-12-01T08:00:00Z", "province", "by", "省审核员", "at",
                                  "2026-12-02T08:00:00Z"));
    assert_int_equal(s_write(f, f->hub), 0);
    assert_non_null(strstr(f->text, "<th>审核</th>"));
    assert_non_null(strstr(
        f->text, "<td class=\"approval\">市 市审核员 2026-12-01；省 省审核员 2026-12-02</td>"));
}

//  At a city: the composition to the fen, grouped; the transfers reconciled.
static void test_composition(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_write(f, f->city), 0);
    assert_non_null(strstr(f->text, "<section id=\"composition\""));
    assert_non_null(strstr(f->text, "703,250,200.00"));
    assert_non_null(strstr(f->text, "data-reconciled=\"true\""));
}

//  Nothing leaves the file; names are escaped; the same dossier gives the
//  same bytes.
static void test_offline_escaped_deterministic(void **state)
{
    fixture_t *f = *state;
    json_object_set_new(json_array_get(json_object_get(f->hub, "units"), 0), "name",
                        json_string("<script>x</script>"));
    assert_int_equal(s_write(f, f->hub), 0);
    const char *never[] = {"http:", "https:", "src=", "url(", "<script", "<link"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        if (strstr(f->text, never[i]))
            fail_msg("the report holds \"%s\"", never[i]);
    assert_non_null(strstr(f->text, "&lt;script&gt;x&lt;/script&gt;"));
    char *first = strdup(f->text);
    assert_int_equal(s_write(f, f->hub), 0);
    assert_string_equal(first, f->text);
    free(first);
}

//  A dossier without a promised member is refused before anything is written.
static void test_incomplete(void **state)
{
    fixture_t *f = *state;
    json_object_del(f->city, "rank");
    assert_int_equal(s_write(f, f->city), -1);
    assert_int_equal(f->len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sections, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_composition, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_approval, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_offline_escaped_deterministic, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_incomplete, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
