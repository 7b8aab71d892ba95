/*  test_process - the processes as PROTOCOL.md section 7 says: exit 2 with
    a message naming the setting on bad configuration, none-mode refused
    off loopback, --help, clean exit 0 on SIGTERM. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *const s_bins[] = {"rantai-producer", "rantai-buyer",
                                     "rantai-matcher"};

static int
s_run(const char *bin, const char *a1, const char *a2, char *out, size_t size)
{
    char path[512];
    h_binary(bin, path, sizeof path);
    const char *argv[] = {path, a1, a2, "--data-dir", "/tmp/rantai-it-never",
                          NULL};
    return h_run(path, argv, out, size);
}

static void
test_bad_settings_exit_2(void **state)
{
    (void) state;
    char out[4096];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s_run(s_bins[i], "--api", "nonsense", out, sizeof out),
                         2);
        assert_non_null(strstr(out, "service/api"));
        assert_int_equal(
            s_run(s_bins[i], "--security", "maybe", out, sizeof out), 2);
        assert_non_null(strstr(out, "security/mode"));
        assert_int_equal(
            s_run(s_bins[i], "--no-such-flag", "1", out, sizeof out), 2);
        assert_non_null(strstr(out, "no-such-flag"));
        assert_int_equal(
            s_run(s_bins[i], "--feed-window", "0", out, sizeof out), 2);
    }
}

/* A data dir that cannot be a directory is a bad setting too. */
static void
test_bad_data_dir_exit_2(void **state)
{
    (void) state;
    char out[4096];
    char path[512];
    h_binary("rantai-buyer", path, sizeof path);
    const char *argv[] = {path,     "--data-dir", "/dev/null/data",
                          "--http", "",           NULL};
    assert_int_equal(h_run(path, argv, out, sizeof out), 2);
    assert_non_null(strstr(out, "service/data_dir"));
}

static void
test_none_security_only_on_loopback(void **state)
{
    (void) state;
    char out[4096];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            s_run(s_bins[i], "--api", "tcp://0.0.0.0:7401", out, sizeof out),
            2);
        assert_non_null(strstr(out, "loopback"));
    }
}

static void
test_curve_needs_certificates(void **state)
{
    (void) state;
    char out[4096];
    assert_int_equal(
        s_run("rantai-producer", "--security", "curve", out, sizeof out), 2);
    assert_non_null(strstr(out, "security/server_cert"));
}

static void
test_help_exits_0(void **state)
{
    (void) state;
    char out[16384];
    char path[512];
    h_binary("rantai-matcher", path, sizeof path);
    const char *argv[] = {path, "--help", NULL};
    assert_int_equal(h_run(path, argv, out, sizeof out), 0);
    assert_non_null(strstr(out, "--producer-feed"));
    assert_non_null(strstr(out, "RANTAI_SERVICE_DATA_DIR"));
}

/* A config file, overridden by env, overridden by a flag. */
static void
test_precedence(void **state)
{
    (void) state;
    h_cluster_t c;
    h_cluster_init(&c);
    char cfg[300];
    snprintf(cfg, sizeof cfg, "%s/producer.cfg", c.root);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "service\n    api = \"tcp://127.0.0.1:1\"\n"
               "log\n    level = \"debug\"\n");
    fclose(f);
    h_proc_t *p = &c.svc[H_PRODUCER];
    snprintf(p->extra[p->nextra++], 320, "--config");
    snprintf(p->extra[p->nextra++], 320, "%s", cfg);
    /* The flag (h_start passes --api) beats the file's bogus port 1. */
    assert_true(h_start(&c, H_PRODUCER));
    assert_int_equal(h_stop(&c, H_PRODUCER), 0);
    h_cluster_fini(&c, false);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_settings_exit_2),
        cmocka_unit_test(test_bad_data_dir_exit_2),
        cmocka_unit_test(test_none_security_only_on_loopback),
        cmocka_unit_test(test_curve_needs_certificates),
        cmocka_unit_test(test_help_exits_0),
        cmocka_unit_test(test_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
