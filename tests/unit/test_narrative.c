/*  Tests of the self-evaluation report (libfund/narrative.c), from the
    dossier of 攀枝花's 2023 figures (seed 003) the city wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "narrative.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    json_t *dossier;
    char *text;
    size_t len;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dossier = json_load_file(TEST_DATA_DIR "/reports/dossier-510400-2023.json", 0, NULL);
    *state = f;
    return f->dossier ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    json_decref(f->dossier);
    free(f->text);
    free(f);
    return 0;
}

//  Writes the narrative of code into f->text; returns narrative_write's code.
static int s_write(fixture_t *f, const char *code, narrative_format_t format)
{
    free(f->text);
    f->text = NULL;
    FILE *out = open_memstream(&f->text, &f->len);
    int rc = narrative_write(f->dossier, code, format, out);
    fclose(out);
    return rc;
}

//  The seed's figures, from the stored data: 完成率, months, the total the
//  product computes and the total the 市本级 declared.
static void test_seed_figures(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_write(f, "510400", NARRATIVE_HTML), 0);
    const char *expected[] = {"一、预算绩效管理概况",
                              "统收统支",
                              "二、预算编制及执行情况",
                              "70,325.02万元，完成预算的100.64%",
                              "64,970.33万元，完成预算的98.31%",
                              "收入预算为69,876.23万元",
                              "累计结余可支付月数为7.44个月，处于三级风险预警",
                              "此项自评扣5分，不得分。参保率为88.56%，低于95%的标准值",
                              "此项自评扣1分，得3分",
                              "政策范围内住院费用报销比例为73.96%。此项自评得5分。",
                              "此项为单位自评项目，自评得5分",
                              "此项为加分项，单位自评得5分",
                              "自评结果为96.00分，评价等级为“优”",
                              "市本级申报的自评总分为95.00分，与按评价体系计算的96.00分不一致",
                              "存在的问题",
                              "统筹区内有单位未报送",
                              "</html>"};
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        if (!strstr(f->text, expected[i]))
            fail_msg("the narrative lacks \"%s\"", expected[i]);
}

//  Markdown says the same, with headings and no HTML.
static void test_markdown(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_write(f, "510400", NARRATIVE_MD), 0);
    assert_non_null(strstr(f->text, "# 攀枝花市2023年城乡居民基本医疗保险基金绩效自评报告"));
    assert_non_null(strstr(f->text, "## 二、预算编制及执行情况"));
    assert_non_null(strstr(f->text, "100.64%"));
    assert_null(strstr(f->text, "<p>"));
    assert_null(strstr(f->text, "<html"));
}

//  A unit's own report says whose pool it is in.
static void test_unit(void **state)
{
    fixture_t *f = *state;
    json_t *units = json_object_get(f->dossier, "units");
    json_t *unit = json_array_get(units, 0);
    json_object_set_new(unit, "name", json_string("东区<b>"));
    assert_int_equal(s_write(f, "510400", NARRATIVE_HTML), 0); //  the pool, not the unit
    json_array_clear(json_object_get(f->dossier, "pools"));
    assert_int_equal(s_write(f, "510400", NARRATIVE_HTML), 0);
    assert_non_null(strstr(f->text, "东区&lt;b&gt;（510400）"));
    assert_non_null(strstr(f->text, "纳入攀枝花市市级统筹"));
    assert_null(strstr(f->text, "东区<b>"));
    assert_int_equal(s_write(f, "510400", NARRATIVE_MD), 0);
    assert_non_null(strstr(f->text, "东区\\<b\\>"));
}

//  No evaluation of the code: 1, nothing written.
static void test_unknown(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(s_write(f, "510499", NARRATIVE_HTML), 1);
    assert_int_equal(f->len, 0);
}

//  A write error: -1.
static void test_write_error(void **state)
{
    fixture_t *f = *state;
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    setvbuf(full, NULL, _IONBF, 0);
    assert_int_equal(narrative_write(f->dossier, "510400", NARRATIVE_HTML, full), -1);
    fclose(full);
}

static void test_format_parse(void **state)
{
    (void)state;
    narrative_format_t format;
    assert_int_equal(narrative_format_parse("md", &format), 0);
    assert_int_equal(format, NARRATIVE_MD);
    assert_int_equal(narrative_format_parse("html", &format), 0);
    assert_int_equal(format, NARRATIVE_HTML);
    assert_int_equal(narrative_format_parse("pdf", &format), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_figures, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_markdown, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unknown, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_write_error, s_setup, s_teardown),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
