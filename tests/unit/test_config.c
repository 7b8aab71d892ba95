/*  test_config.c - settings loading (services/common/config.c): a ZPL
    file whose keys are not section/key settings must be refused, not
    silently ignored (a flat "data_dir = ..." would otherwise run with
    the default data directory). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const rantai_setting_t s_table[] = {
    {"service/data_dir", "data-dir", RANTAI_CFG_STRING, "./data", 0, 0, NULL,
     "data directory"},
    {NULL, NULL, 0, NULL, 0, 0, NULL, NULL}};

/* Load `text` as a config file; the rc of rantai_config_load. */
static int
s_load(const char *text, rantai_config_t **cfg, char *err, size_t errlen)
{
    char path[] = "/tmp/rantai-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    const rantai_setting_t *tables[] = {s_table, NULL};
    char arg0[] = "test", arg1[] = "--config";
    char *argv[] = {arg0, arg1, path, NULL};
    int rc =
        rantai_config_load(cfg, tables, "test", 3, argv, err, errlen, stdout);
    unlink(path);
    return rc;
}

static void
test_section_key_loads(void **state)
{
    (void) state;
    rantai_config_t *cfg = NULL;
    char err[256] = "";
    assert_int_equal(
        s_load("service\n    data_dir = \"/srv/x\"\n", &cfg, err, sizeof err),
        0);
    assert_string_equal(rantai_config_str(cfg, "service/data_dir"), "/srv/x");
    assert_string_equal(rantai_config_source(cfg, "service/data_dir"), "file");
    rantai_config_destroy(&cfg);
}

static void
test_unknown_key_refused(void **state)
{
    (void) state;
    rantai_config_t *cfg = NULL;
    char err[256] = "";
    assert_int_not_equal(
        s_load("service\n    data_dirr = \"/srv/x\"\n", &cfg, err, sizeof err),
        0);
    assert_null(cfg);
    assert_non_null(strstr(err, "service/data_dirr"));
}

/* A key outside any section (flat file) is not a setting. */
static void
test_flat_key_refused(void **state)
{
    (void) state;
    rantai_config_t *cfg = NULL;
    char err[256] = "";
    assert_int_not_equal(
        s_load("data_dir = \"/srv/x\"\n", &cfg, err, sizeof err), 0);
    assert_null(cfg);
    assert_non_null(strstr(err, "data_dir"));
}

/* A key nested under a key (three levels) is not a setting either. */
static void
test_nested_key_refused(void **state)
{
    (void) state;
    rantai_config_t *cfg = NULL;
    char err[256] = "";
    assert_int_not_equal(s_load("service\n    data_dir = \"/srv/x\"\n"
                                "        extra = 1\n",
                                &cfg, err, sizeof err),
                         0);
    assert_null(cfg);
    assert_non_null(strstr(err, "extra"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_section_key_loads),
        cmocka_unit_test(test_unknown_key_refused),
        cmocka_unit_test(test_flat_key_refused),
        cmocka_unit_test(test_nested_key_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
