/*  test_units.c - units, normal forms (docs/MATCHING.md), parsing and
    formatting. */
#include "rantai/err.h"
#include "rantai/units.h"
#include "rantai/v1/types.pb-c.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

typedef struct {
    int unit;
    rantai_dim_t dim;
    uint64_t factor;
} s_expect_t;

/* PROTOCOL.md section 2, spelled out independently of units.c. */
static const s_expect_t s_expect[] = {
    {RANTAI__V1__UNIT__UNIT_KILOGRAM, RANTAI_DIM_MASS, 1},
    {RANTAI__V1__UNIT__UNIT_QUINTAL, RANTAI_DIM_MASS, 100},
    {RANTAI__V1__UNIT__UNIT_TONNE, RANTAI_DIM_MASS, 1000},
    {RANTAI__V1__UNIT__UNIT_LITRE, RANTAI_DIM_VOLUME, 1},
    {RANTAI__V1__UNIT__UNIT_KILOLITRE, RANTAI_DIM_VOLUME, 1000},
    {RANTAI__V1__UNIT__UNIT_CUBIC_METRE, RANTAI_DIM_VOLUME, 1000},
    {RANTAI__V1__UNIT__UNIT_PIECE, RANTAI_DIM_COUNT, 1},
    {RANTAI__V1__UNIT__UNIT_DOZEN, RANTAI_DIM_COUNT, 12},
    {RANTAI__V1__UNIT__UNIT_KODI, RANTAI_DIM_COUNT, 20},
    {RANTAI__V1__UNIT__UNIT_HEAD, RANTAI_DIM_LIVESTOCK, 1},
    {RANTAI__V1__UNIT__UNIT_ROOM_NIGHT, RANTAI_DIM_LODGING, 1},
    {RANTAI__V1__UNIT__UNIT_METRE, RANTAI_DIM_LENGTH, 1},
    {RANTAI__V1__UNIT__UNIT_SQUARE_METRE, RANTAI_DIM_AREA, 1},
};
#define S_NEXPECT (sizeof s_expect / sizeof s_expect[0])

static void
test_every_unit_factor(void **state)
{
    (void) state;
    for (size_t i = 0; i < S_NEXPECT; i++) {
        assert_int_equal(rantai_unit_dim(s_expect[i].unit), s_expect[i].dim);
        assert_int_equal(rantai_unit_factor(s_expect[i].unit),
                         s_expect[i].factor);
        assert_non_null(rantai_unit_code(s_expect[i].unit));
        /* Every symbol parses back to its unit. */
        assert_int_equal(
            rantai_unit_parse(rantai_unit_symbol(s_expect[i].unit)),
            s_expect[i].unit);
        assert_int_equal(rantai_unit_parse(rantai_unit_code(s_expect[i].unit)),
                         s_expect[i].unit);
    }
    assert_int_equal(rantai_unit_factor(0), 0);
    assert_int_equal(rantai_unit_factor(14), 0);
    assert_int_equal(rantai_unit_factor(-1), 0);
    assert_int_equal(rantai_unit_dim(0), RANTAI_DIM_NONE);
    assert_string_equal(rantai_unit_code(0), "UNSPECIFIED");
    assert_null(rantai_unit_code(99));
    assert_int_equal(rantai_dim_base_unit(RANTAI_DIM_MASS),
                     RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(rantai_dim_base_unit(RANTAI_DIM_VOLUME),
                     RANTAI__V1__UNIT__UNIT_LITRE);
    assert_int_equal(rantai_dim_base_unit(RANTAI_DIM_COUNT),
                     RANTAI__V1__UNIT__UNIT_PIECE);
    assert_int_equal(rantai_dim_base_unit(RANTAI_DIM_AREA),
                     RANTAI__V1__UNIT__UNIT_SQUARE_METRE);
    assert_int_equal(rantai_dim_base_unit(RANTAI_DIM_NONE), 0);
    assert_string_equal(rantai_dim_name(RANTAI_DIM_LIVESTOCK), "livestock");
}

/* units.c mirrors data/units.csv and the proto enum: check both. */
static void
test_units_match_csv(void **state)
{
    (void) state;
    FILE *f = fopen(RANTAI_DATA_DIR "/units.csv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    int value = 0;
    while (fgets(line, sizeof line, f)) {
        value++;
        char code[64], dim[64];
        unsigned long long factor;
        assert_int_equal(
            sscanf(line, "%63[^,],%63[^,],%llu", code, dim, &factor), 3);
        assert_string_equal(rantai_unit_code(value), code);
        assert_string_equal(rantai_dim_name(rantai_unit_dim(value)), dim);
        assert_int_equal(rantai_unit_factor(value), factor);
        char enum_name[80];
        snprintf(enum_name, sizeof enum_name, "UNIT_%s", code);
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(
            &rantai__v1__unit__descriptor, value);
        assert_non_null(ev);
        assert_string_equal(ev->name, enum_name);
    }
    fclose(f);
    assert_int_equal(value, 13);
}

static void
test_qty_norm(void **state)
{
    (void) state;
    uint64_t out = 0;
    assert_int_equal(rantai_qty_norm(2500, RANTAI__V1__UNIT__UNIT_TONNE, &out),
                     0);
    assert_int_equal(out, 2500000u);
    assert_int_equal(rantai_qty_norm(1000, RANTAI__V1__UNIT__UNIT_DOZEN, &out),
                     0);
    assert_int_equal(out, 12000u);
    assert_int_equal(
        rantai_qty_norm(UINT64_MAX / 1000, RANTAI__V1__UNIT__UNIT_TONNE, &out),
        0);
    assert_int_equal(out, (UINT64_MAX / 1000) * 1000);
    assert_int_equal(rantai_qty_norm(UINT64_MAX / 1000 + 1,
                                     RANTAI__V1__UNIT__UNIT_TONNE, &out),
                     RANTAI_ERANGE);
    assert_int_equal(rantai_qty_norm(UINT64_MAX / 12 + 1,
                                     RANTAI__V1__UNIT__UNIT_DOZEN, &out),
                     RANTAI_ERANGE);
    assert_int_equal(
        rantai_qty_norm(UINT64_MAX, RANTAI__V1__UNIT__UNIT_KILOGRAM, &out), 0);
    assert_int_equal(rantai_qty_norm(1, 0, &out), RANTAI_EINVAL);
    assert_int_equal(rantai_qty_norm(1, 42, &out), RANTAI_EINVAL);
}

/* MATCHING.md worked example. */
static void
test_price_norm_worked_example(void **state)
{
    (void) state;
    const int kg = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    uint64_t a = 0, b = 0, c = 0;
    assert_int_equal(rantai_price_norm(90000, kg, &a), 0);
    assert_int_equal(a, 90000000000ull);
    assert_int_equal(rantai_price_norm(88000, kg, &b), 0);
    assert_int_equal(b, 88000000000ull);
    assert_int_equal(rantai_price_norm(95000, kg, &c), 0);
    assert_int_equal(c, 95000000000ull);
    /* landed = price_norm + rate (milli-IDR/kg/km) x distance_m */
    assert_int_equal(a + 2000ull * 100000ull, 90200000000ull);
    assert_int_equal(b + 2000ull * 300000ull, 88600000000ull);
    uint64_t lim = 0;
    assert_int_equal(rantai_price_norm(100000, kg, &lim), 0);
    assert_true(a <= lim && b <= lim);
}

static void
test_price_norm_units_and_range(void **state)
{
    (void) state;
    uint64_t out = 0;
    /* Rp 1,500,000 per tonne = Rp 1,500 per kg. */
    assert_int_equal(
        rantai_price_norm(1500000, RANTAI__V1__UNIT__UNIT_TONNE, &out), 0);
    assert_int_equal(out, 1500000000ull);
    /* floor: Rp 100 per dozen = 8,333,333.33 micro per piece. */
    assert_int_equal(rantai_price_norm(100, RANTAI__V1__UNIT__UNIT_DOZEN, &out),
                     0);
    assert_int_equal(out, 8333333ull);
    /* Needs 128 bits in the middle, fits at the end. */
    assert_int_equal(
        rantai_price_norm(UINT64_MAX, RANTAI__V1__UNIT__UNIT_KILOGRAM, &out),
        RANTAI_ERANGE);
    assert_int_equal(rantai_price_norm(UINT64_MAX / 1000,
                                       RANTAI__V1__UNIT__UNIT_TONNE, &out),
                     0);
    assert_int_equal(out, UINT64_MAX / 1000 * 1000);
    assert_int_equal(rantai_price_norm(UINT64_MAX / 1000 + 1,
                                       RANTAI__V1__UNIT__UNIT_TONNE, &out),
                     RANTAI_ERANGE);
    assert_int_equal(rantai_price_norm(1, 0, &out), RANTAI_EINVAL);
    assert_int_equal(rantai_price_norm(0, RANTAI__V1__UNIT__UNIT_KODI, &out),
                     0);
    assert_int_equal(out, 0);
}

static void
test_unit_parse(void **state)
{
    (void) state;
    assert_int_equal(rantai_unit_parse("kg"), RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(rantai_unit_parse("KG"), RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(rantai_unit_parse("q"), RANTAI__V1__UNIT__UNIT_QUINTAL);
    assert_int_equal(rantai_unit_parse("t"), RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_unit_parse("tonne"), RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_unit_parse("UNIT_TONNE"),
                     RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_unit_parse("unit_tonne"),
                     RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_unit_parse("l"), RANTAI__V1__UNIT__UNIT_LITRE);
    assert_int_equal(rantai_unit_parse("kl"), RANTAI__V1__UNIT__UNIT_KILOLITRE);
    assert_int_equal(rantai_unit_parse("m3"),
                     RANTAI__V1__UNIT__UNIT_CUBIC_METRE);
    assert_int_equal(rantai_unit_parse("pcs"), RANTAI__V1__UNIT__UNIT_PIECE);
    assert_int_equal(rantai_unit_parse("lusin"), RANTAI__V1__UNIT__UNIT_DOZEN);
    assert_int_equal(rantai_unit_parse("kodi"), RANTAI__V1__UNIT__UNIT_KODI);
    assert_int_equal(rantai_unit_parse("ekor"), RANTAI__V1__UNIT__UNIT_HEAD);
    assert_int_equal(rantai_unit_parse("room-night"),
                     RANTAI__V1__UNIT__UNIT_ROOM_NIGHT);
    assert_int_equal(rantai_unit_parse("ROOM_NIGHT"),
                     RANTAI__V1__UNIT__UNIT_ROOM_NIGHT);
    assert_int_equal(rantai_unit_parse("m"), RANTAI__V1__UNIT__UNIT_METRE);
    assert_int_equal(rantai_unit_parse("m2"),
                     RANTAI__V1__UNIT__UNIT_SQUARE_METRE);
    assert_int_equal(rantai_unit_parse(""), 0);
    assert_int_equal(rantai_unit_parse("UNIT_"), 0);
    assert_int_equal(rantai_unit_parse("UNSPECIFIED"), 0);
    assert_int_equal(rantai_unit_parse("UNIT_UNSPECIFIED"), 0);
    assert_int_equal(rantai_unit_parse("kgs"), 0);
    assert_int_equal(rantai_unit_parse(NULL), 0);
}

static void
test_qty_parse(void **state)
{
    (void) state;
    const int kg = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    uint64_t milli = 0;
    int unit = 0;
    assert_int_equal(rantai_qty_parse("2.5t", kg, &milli, &unit), 0);
    assert_int_equal(milli, 2500);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_qty_parse("2.5 t", kg, &milli, &unit), 0);
    assert_int_equal(milli, 2500);
    assert_int_equal(rantai_qty_parse("300kg", 0, &milli, &unit), 0);
    assert_int_equal(milli, 300000);
    assert_int_equal(unit, kg);
    assert_int_equal(rantai_qty_parse("12 dozen", kg, &milli, &unit), 0);
    assert_int_equal(milli, 12000);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_DOZEN);
    assert_int_equal(rantai_qty_parse("12 DOZEN", kg, &milli, &unit), 0);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_DOZEN);
    assert_int_equal(rantai_qty_parse("1500", kg, &milli, &unit), 0);
    assert_int_equal(milli, 1500000);
    assert_int_equal(unit, kg);
    assert_int_equal(rantai_qty_parse("0.001 kg", 0, &milli, &unit), 0);
    assert_int_equal(milli, 1);
    assert_int_equal(rantai_qty_parse("1_500 kg", 0, &milli, &unit), 0);
    assert_int_equal(milli, 1500000);
    assert_int_equal(rantai_qty_parse("  7 ekor ", 0, &milli, &unit), 0);
    assert_int_equal(milli, 7000);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_HEAD);
    /* Largest that fits, and one more. */
    assert_int_equal(
        rantai_qty_parse("18446744073709551.615 kg", 0, &milli, &unit), 0);
    assert_int_equal(milli, UINT64_MAX);

    const char *bad[] = {"",
                         "kg",
                         "-1 kg",
                         "+1 kg",
                         "1.2345 t",
                         "1. t",
                         ".5 t",
                         "1,5 t",
                         "1e3 kg",
                         "12 furlongs",
                         "1 kg x",
                         "1..2 kg",
                         "_1 kg",
                         "1_ kg",
                         "0x10 kg",
                         "1 2 kg",
                         "18446744073709551.616 kg",
                         "99999999999999999999 kg"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        milli = 77;
        int rc = rantai_qty_parse(bad[i], kg, &milli, &unit);
        if (rc != RANTAI_EINVAL) {
            fail_msg("'%s' parsed", bad[i]);
        }
        assert_int_equal(milli, 77); /* untouched on error */
    }
    /* No unit and no valid default. */
    assert_int_equal(rantai_qty_parse("1500", 0, &milli, &unit), RANTAI_EINVAL);
    assert_int_equal(rantai_qty_parse(NULL, kg, &milli, &unit), RANTAI_EINVAL);
}

static void
test_price_parse(void **state)
{
    (void) state;
    uint64_t idr = 0;
    int per = 0;
    assert_int_equal(rantai_price_parse("95000/kg", &idr, &per), 0);
    assert_int_equal(idr, 95000);
    assert_int_equal(per, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_int_equal(rantai_price_parse("95_000/kg", &idr, &per), 0);
    assert_int_equal(idr, 95000);
    assert_int_equal(rantai_price_parse("95,000/kg", &idr, &per), 0);
    assert_int_equal(idr, 95000);
    assert_int_equal(rantai_price_parse("1500000/t", &idr, &per), 0);
    assert_int_equal(idr, 1500000);
    assert_int_equal(per, RANTAI__V1__UNIT__UNIT_TONNE);
    assert_int_equal(rantai_price_parse("1,500,000 / t", &idr, &per), 0);
    assert_int_equal(idr, 1500000);
    assert_int_equal(rantai_price_parse("Rp 95,000/kg", &idr, &per), 0);
    assert_int_equal(idr, 95000);
    assert_int_equal(rantai_price_parse("350000/room-night", &idr, &per), 0);
    assert_int_equal(per, RANTAI__V1__UNIT__UNIT_ROOM_NIGHT);

    const char *bad[] = {
        "95000",        "95000/",     "/kg",        "Rp95.000/kg",
        "95.000/kg",    "-95000/kg",  "95,00/kg",   "9,5000/kg",
        "95,000,00/kg", "95_,000/kg", "95__000/kg", "95000_/kg",
        "95000/kgs",    "95000/kg/t", "abc/kg",     "18446744073709551616/kg"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        idr = 77;
        if (rantai_price_parse(bad[i], &idr, &per) != RANTAI_EINVAL) {
            fail_msg("'%s' parsed", bad[i]);
        }
        assert_int_equal(idr, 77);
    }
    assert_int_equal(rantai_price_parse("18446744073709551615/kg", &idr, &per),
                     0);
    assert_int_equal(idr, UINT64_MAX);
}

static void
test_format(void **state)
{
    (void) state;
    char buf[64];
    rantai_qty_format(2500, RANTAI__V1__UNIT__UNIT_TONNE, buf, sizeof buf);
    assert_string_equal(buf, "2.5 t");
    rantai_qty_format(300000, RANTAI__V1__UNIT__UNIT_KILOGRAM, buf, sizeof buf);
    assert_string_equal(buf, "300 kg");
    rantai_qty_format(1, RANTAI__V1__UNIT__UNIT_KILOGRAM, buf, sizeof buf);
    assert_string_equal(buf, "0.001 kg");
    rantai_qty_format(1250, RANTAI__V1__UNIT__UNIT_DOZEN, buf, sizeof buf);
    assert_string_equal(buf, "1.25 dozen");
    rantai_qty_format(UINT64_MAX, RANTAI__V1__UNIT__UNIT_KILOGRAM, buf,
                      sizeof buf);
    assert_string_equal(buf, "18446744073709551.615 kg");
    rantai_qty_format(2500, RANTAI__V1__UNIT__UNIT_TONNE, buf, 4);
    assert_string_equal(buf, "2.5"); /* truncated, terminated */

    rantai_idr_format(95000, buf, sizeof buf);
    assert_string_equal(buf, "Rp 95,000");
    rantai_idr_format(0, buf, sizeof buf);
    assert_string_equal(buf, "Rp 0");
    rantai_idr_format(999, buf, sizeof buf);
    assert_string_equal(buf, "Rp 999");
    rantai_idr_format(1000000, buf, sizeof buf);
    assert_string_equal(buf, "Rp 1,000,000");
    rantai_idr_format(UINT64_MAX, buf, sizeof buf);
    assert_string_equal(buf, "Rp 18,446,744,073,709,551,615");

    /* Format and parse round-trip. */
    uint64_t milli;
    int unit;
    rantai_qty_format(12345, RANTAI__V1__UNIT__UNIT_QUINTAL, buf, sizeof buf);
    assert_int_equal(rantai_qty_parse(buf, 0, &milli, &unit), 0);
    assert_int_equal(milli, 12345);
    assert_int_equal(unit, RANTAI__V1__UNIT__UNIT_QUINTAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_unit_factor),
        cmocka_unit_test(test_units_match_csv),
        cmocka_unit_test(test_qty_norm),
        cmocka_unit_test(test_price_norm_worked_example),
        cmocka_unit_test(test_price_norm_units_and_range),
        cmocka_unit_test(test_unit_parse),
        cmocka_unit_test(test_qty_parse),
        cmocka_unit_test(test_price_parse),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
