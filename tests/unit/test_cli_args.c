/*  test_cli_args.c - the option parser and value parsers of `rantai`. */
#include "cli_args.h"
#include "rantai/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const cli_opt_t s_cmd[] = {
    {"id", "ID", 0, "the id"},
    {"at", "LAT,LON", 0, "where"},
    {"cert", "CERT", CLI_OPT_REPEAT, "a certificate"},
    {"partial", NULL, 0, "a flag"},
    {NULL, NULL, 0, NULL}};
static const cli_opt_t s_global[] = {{"json", NULL, 0, "json"},
                                     {"timeout", "MS", 0, "timeout"},
                                     {NULL, NULL, 0, NULL}};

static int
s_parse(cli_args_t *a, char *err, int argc, char **argv)
{
    const cli_opt_t *const tables[] = {s_cmd, s_global};
    return cli_parse(a, tables, 2, argc, argv, err, 256);
}

static void
test_parse_options(void **state)
{
    (void) state;
    char err[256] = "";
    cli_args_t a;
    char *argv[] = {"--id",           "O-1",           "--at",
                    "-6.9,107.6",     "--cert",        "HALAL",
                    "--cert=SNI:X",   "--json",        "pos1",
                    "--partial",      "--timeout=250", "--",
                    "--not-an-option"};
    assert_int_equal(s_parse(&a, err, 13, argv), 0);
    assert_string_equal(cli_get(&a, "id"), "O-1");
    assert_string_equal(cli_get(&a, "at"), "-6.9,107.6");
    assert_string_equal(cli_get(&a, "timeout"), "250");
    assert_true(cli_has(&a, "json"));
    assert_true(cli_has(&a, "partial"));
    assert_null(cli_get(&a, "partial"));
    assert_false(cli_has(&a, "help"));
    assert_false(a.help);
    const char *certs[4];
    assert_int_equal(cli_get_all(&a, "cert", certs, 4), 2);
    assert_string_equal(certs[0], "HALAL");
    assert_string_equal(certs[1], "SNI:X");
    assert_int_equal(a.n_pos, 2);
    assert_string_equal(a.pos[0], "pos1");
    assert_string_equal(a.pos[1], "--not-an-option");
}

static void
test_parse_errors(void **state)
{
    (void) state;
    char err[256];
    cli_args_t a;
    char *unknown[] = {"--nope", "1"};
    assert_int_equal(s_parse(&a, err, 2, unknown), RANTAI_EINVAL);
    assert_non_null(strstr(err, "--nope"));
    char *missing[] = {"--id"};
    assert_int_equal(s_parse(&a, err, 1, missing), RANTAI_EINVAL);
    assert_non_null(strstr(err, "needs a value"));
    char *twice[] = {"--id", "a", "--id", "b"};
    assert_int_equal(s_parse(&a, err, 4, twice), RANTAI_EINVAL);
    assert_non_null(strstr(err, "twice"));
    char *flagval[] = {"--partial=yes"};
    assert_int_equal(s_parse(&a, err, 1, flagval), RANTAI_EINVAL);
    char *shortopt[] = {"-x"};
    assert_int_equal(s_parse(&a, err, 1, shortopt), RANTAI_EINVAL);
    char *help[] = {"--id", "x", "-h"};
    assert_int_equal(s_parse(&a, err, 3, help), 0);
    assert_true(a.help);
}

static void
test_format_options(void **state)
{
    (void) state;
    char buf[1024] = "";
    cli_format_options(s_cmd, buf, sizeof buf);
    assert_non_null(strstr(buf, "  --id ID "));
    assert_non_null(strstr(buf, "  --partial "));
    assert_non_null(strstr(buf, "a certificate\n"));
}

static void
test_u64(void **state)
{
    (void) state;
    char err[256];
    uint64_t v;
    assert_int_equal(cli_parse_u64("1_000", 5000, &v, err, sizeof err), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(
        cli_parse_u64("18446744073709551615", UINT64_MAX, &v, err, sizeof err),
        0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(
        cli_parse_u64("18446744073709551616", UINT64_MAX, &v, err, sizeof err),
        RANTAI_EINVAL);
    assert_int_equal(cli_parse_u64("5001", 5000, &v, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_u64("-1", 5000, &v, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_u64("", 5000, &v, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_u64("1x", 5000, &v, err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_qty(void **state)
{
    (void) state;
    char err[256];
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    assert_int_equal(cli_parse_qty("2.5t", 0, &q, err, sizeof err), 0);
    assert_int_equal(q.milli, 2500);
    assert_int_equal(q.unit, RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(cli_parse_qty("100kg", 0, &q, err, sizeof err), 0);
    assert_int_equal(q.milli, 100000);
    assert_int_equal(q.unit, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(cli_parse_qty("1500", RANTAI__V1__UNIT__UNIT_KILOGRAM, &q,
                                   err, sizeof err),
                     0);
    assert_int_equal(q.milli, 1500000);
    /* a bare number without a default unit is refused with a hint */
    assert_int_equal(cli_parse_qty("1500", 0, &q, err, sizeof err),
                     RANTAI_EINVAL);
    assert_non_null(strstr(err, "needs a unit"));
    assert_int_equal(cli_parse_qty("0kg", 0, &q, err, sizeof err),
                     RANTAI_EINVAL);
    assert_non_null(strstr(err, "more than zero"));
    assert_int_equal(cli_parse_qty("2.5555t", 0, &q, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_qty("2 parsecs", 0, &q, err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_price(void **state)
{
    (void) state;
    char err[256];
    Rantai__V1__Price p = RANTAI__V1__PRICE__INIT;
    assert_int_equal(cli_parse_price("95000/kg", 0, &p, err, sizeof err), 0);
    assert_int_equal(p.idr, 95000);
    assert_int_equal(p.per, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(cli_parse_price("95,000/t", 0, &p, err, sizeof err), 0);
    assert_int_equal(p.idr, 95000);
    assert_int_equal(p.per, RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(cli_parse_price("12000", RANTAI__V1__UNIT__UNIT_PIECE, &p,
                                     err, sizeof err),
                     0);
    assert_int_equal(p.idr, 12000);
    assert_int_equal(p.per, RANTAI__V1__UNIT__UNIT_PIECE);
    assert_int_equal(cli_parse_price("95000", 0, &p, err, sizeof err),
                     RANTAI_EINVAL);
    assert_non_null(strstr(err, "needs a unit"));
    assert_int_equal(cli_parse_price("95.5/kg", 0, &p, err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_geo(void **state)
{
    (void) state;
    char err[256];
    Rantai__V1__GeoPoint g = RANTAI__V1__GEO_POINT__INIT;
    assert_int_equal(cli_parse_geo("-6.9,107.6", &g, err, sizeof err), 0);
    assert_true(g.lat == -6.9 && g.lon == 107.6);
    assert_int_equal(cli_parse_geo("91,0", &g, err, sizeof err), RANTAI_EINVAL);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(cli_parse_geo("0,-180.5", &g, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_geo("nan,0", &g, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_geo("-6.9", &g, err, sizeof err), RANTAI_EINVAL);
    assert_int_equal(cli_parse_geo("-6.9,107.6x", &g, err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_time(void **state)
{
    (void) state;
    char err[256], buf[64];
    int64_t ms;
    assert_int_equal(cli_parse_time("1970-01-01", &ms, err, sizeof err), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(cli_parse_time("2027-01-31", &ms, err, sizeof err), 0);
    assert_int_equal(ms, INT64_C(1801353600000));
    assert_int_equal(
        cli_parse_time("2024-02-29T08:30:15Z", &ms, err, sizeof err), 0);
    assert_int_equal(ms, INT64_C(1709195415000));
    assert_int_equal(cli_parse_time("2024-02-29T08:30", &ms, err, sizeof err),
                     0);
    assert_int_equal(ms, INT64_C(1709195400000));
    assert_int_equal(cli_parse_time("1709195415123", &ms, err, sizeof err), 0);
    assert_int_equal(ms, INT64_C(1709195415123));
    assert_int_equal(cli_parse_time("2023-02-29", &ms, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_time("2024-13-01", &ms, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_time("2024-1-1", &ms, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_time("tomorrow", &ms, err, sizeof err),
                     RANTAI_EINVAL);
    cli_format_time(INT64_C(1801353600000), buf, sizeof buf);
    assert_string_equal(buf, "2027-01-31");
    cli_format_time(INT64_C(1709195415000), buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T08:30:15Z");
    cli_format_time(0, buf, sizeof buf);
    assert_string_equal(buf, "-");
}

static void
test_cert(void **state)
{
    (void) state;
    char err[256], num[64];
    int scheme;
    int64_t until;
    assert_int_equal(cli_parse_cert("HALAL", &scheme, num, sizeof num, &until,
                                    err, sizeof err),
                     0);
    assert_int_equal(scheme, RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL);
    assert_string_equal(num, "");
    assert_int_equal(until, 0);
    assert_int_equal(cli_parse_cert("halal:ID-123:2027-01-31", &scheme, num,
                                    sizeof num, &until, err, sizeof err),
                     0);
    assert_int_equal(scheme, RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL);
    assert_string_equal(num, "ID-123");
    assert_int_equal(until, INT64_C(1801353600000));
    assert_int_equal(cli_parse_cert("ORGANIC::1801353600000", &scheme, num,
                                    sizeof num, &until, err, sizeof err),
                     0);
    assert_int_equal(scheme, RANTAI__V1__CERTIFICATION__CERTIFICATION_ORGANIC);
    assert_string_equal(num, "");
    assert_int_equal(until, INT64_C(1801353600000));
    assert_int_equal(cli_parse_cert("KOSHER", &scheme, num, sizeof num, &until,
                                    err, sizeof err),
                     RANTAI_EINVAL);
    assert_non_null(strstr(err, "KOSHER"));
    assert_int_equal(cli_parse_cert("HALAL:X:31-01-2027", &scheme, num,
                                    sizeof num, &until, err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_class_province_commodity(void **state)
{
    (void) state;
    char err[256], code[16];
    int cls;
    const char *prov;
    assert_int_equal(cli_parse_class("Micro", &cls, err, sizeof err), 0);
    assert_int_equal(cls, RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO);
    assert_int_equal(
        cli_parse_class("ENTERPRISE_CLASS_MEDIUM", &cls, err, sizeof err), 0);
    assert_int_equal(cls,
                     RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MEDIUM);
    assert_int_equal(cli_parse_class("large", &cls, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_province("32", &prov, err, sizeof err), 0);
    assert_string_equal(prov, "32");
    assert_int_equal(cli_parse_province("jawa tengah", &prov, err, sizeof err),
                     0);
    assert_string_equal(prov, "33");
    assert_int_equal(cli_parse_province("99", &prov, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(
        cli_parse_commodity("0901.11", 4, code, sizeof code, err, sizeof err),
        0);
    assert_string_equal(code, "090111");
    assert_int_equal(
        cli_parse_commodity("cpc63110", 4, code, sizeof code, err, sizeof err),
        0);
    assert_string_equal(code, "CPC63110");
    assert_int_equal(
        cli_parse_commodity("09", 4, code, sizeof code, err, sizeof err),
        RANTAI_EINVAL);
    assert_int_equal(
        cli_parse_commodity("09", 2, code, sizeof code, err, sizeof err), 0);
    assert_int_equal(cli_parse_commodity("0901111111111", 2, code, sizeof code,
                                         err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_transport(void **state)
{
    (void) state;
    char err[256];
    uint64_t m;
    int unit;
    assert_int_equal(cli_parse_transport("2000", &m, &unit, err, sizeof err),
                     0);
    assert_int_equal(m, 2000);
    assert_int_equal(unit, 0);
    assert_int_equal(cli_parse_transport("2/kg/km", &m, &unit, err, sizeof err),
                     0);
    assert_int_equal(m, 2000);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(
        cli_parse_transport("1.5/kg/km", &m, &unit, err, sizeof err), 0);
    assert_int_equal(m, 1500);
    assert_int_equal(
        cli_parse_transport("3000/t/km", &m, &unit, err, sizeof err), 0);
    assert_int_equal(m, 3000); /* Rp 3000 per tonne = 3 Rp per kg */
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(
        cli_parse_transport("1.5/t/km", &m, &unit, err, sizeof err),
        RANTAI_EINVAL);
    assert_non_null(strstr(err, "whole number"));
    assert_int_equal(cli_parse_transport("2/kg", &m, &unit, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(
        cli_parse_transport("2kg/kg/km", &m, &unit, err, sizeof err),
        RANTAI_EINVAL);
}

static void
test_party_and_endpoint(void **state)
{
    (void) state;
    char err[256], buf[64];
    int kind;
    const char *id;
    assert_int_equal(
        cli_parse_party("cooperative:KOP-1", &kind, &id, err, sizeof err), 0);
    assert_int_equal(kind, RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE);
    assert_string_equal(id, "KOP-1");
    assert_int_equal(cli_parse_party("all", &kind, &id, err, sizeof err), 0);
    assert_int_equal(kind, RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL);
    assert_int_equal(cli_parse_party("coop:KOP-1", &kind, &id, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_parse_party("buyer:", &kind, &id, err, sizeof err),
                     RANTAI_EINVAL);
    assert_int_equal(cli_feed_endpoint("tcp://127.0.0.1:7421", buf, sizeof buf,
                                       err, sizeof err),
                     0);
    assert_string_equal(buf, "tcp://127.0.0.1:7422");
    assert_int_equal(
        cli_feed_endpoint("ipc:///tmp/x", buf, sizeof buf, err, sizeof err),
        RANTAI_EINVAL);
    assert_int_equal(cli_feed_endpoint("tcp://127.0.0.1:*", buf, sizeof buf,
                                       err, sizeof err),
                     RANTAI_EINVAL);
}

static void
test_micro_idr(void **state)
{
    (void) state;
    char buf[64];
    cli_format_micro_idr(UINT64_C(88600000000), buf, sizeof buf);
    assert_string_equal(buf, "Rp 88,600");
    cli_format_micro_idr(UINT64_C(88600500000), buf, sizeof buf);
    assert_string_equal(buf, "Rp 88,600.5");
    cli_format_micro_idr(UINT64_C(1), buf, sizeof buf);
    assert_string_equal(buf, "Rp 0.000001");
    /* Transport rates are milli-rupiah of any uint64_t size: not scaled
       to micro first (that wrapped around). */
    cli_format_milli_idr(UINT64_C(2000), buf, sizeof buf);
    assert_string_equal(buf, "Rp 2");
    cli_format_milli_idr(UINT64_C(1500), buf, sizeof buf);
    assert_string_equal(buf, "Rp 1.5");
    cli_format_milli_idr(UINT64_C(7), buf, sizeof buf);
    assert_string_equal(buf, "Rp 0.007");
    cli_format_milli_idr(UINT64_MAX, buf, sizeof buf);
    assert_string_equal(buf, "Rp 18,446,744,073,709,551.615");
}

/* Times from the wire may be any int64 (no rule bounds them). */
static void
test_format_time_extremes(void **state)
{
    (void) state;
    char buf[64];
    cli_format_time(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    cli_format_time(-86400000, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31");
    cli_format_time(INT64_MIN, buf, sizeof buf);
    assert_string_equal(buf, "-292275055-05-16T16:47:04Z");
    cli_format_time(INT64_MAX, buf, sizeof buf);
    assert_string_equal(buf, "292278994-08-17T07:12:55Z");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_options),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_format_options),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_qty),
        cmocka_unit_test(test_price),
        cmocka_unit_test(test_geo),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_cert),
        cmocka_unit_test(test_class_province_commodity),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_party_and_endpoint),
        cmocka_unit_test(test_micro_idr),
        cmocka_unit_test(test_format_time_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
