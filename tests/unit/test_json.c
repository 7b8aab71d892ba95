/*  test_json.c - rantai_json_print: escapes, nesting, repeated fields,
    enums, 64-bit integers as strings, defaults, oneofs, doubles, bytes. */
#include "rantai/codec.h"
#include "rantai/err.h"
#include "rantai/json.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The JSON of msg, malloc'ed; asserts the printer returned 0. */
static char *
s_json(const ProtobufCMessage *msg, unsigned flags)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    assert_int_equal(rantai_json_print(f, msg, flags), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void
s_expect(const ProtobufCMessage *msg, unsigned flags, const char *want)
{
    char *got = s_json(msg, flags);
    assert_string_equal(got, want);
    free(got);
}

static void
test_empty_message(void **state)
{
    (void) state;
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    s_expect(&b.base, 0, "{}");
    s_expect(&b.base, RANTAI_JSON_PRETTY, "{}");
}

static void
test_string_escapes(void **state)
{
    (void) state;
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    b.id = "B-1";
    b.name = "a\"b\\c\nd\te\x01\x1f\r\b\f/ Kopi \xe2\x98\x95 \xc3\xa9";
    s_expect(&b.base, 0,
             "{\"id\":\"B-1\",\"name\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f"
             "\\r\\b\\f/ Kopi \xe2\x98\x95 \xc3\xa9\"}");
}

static void
test_invalid_utf8_replaced(void **state)
{
    (void) state;
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    /* stray continuation, overlong '/', truncated 3-byte, surrogate */
    b.name = "x\x80y\xc0\xafz\xe2\x98";
    s_expect(&b.base, 0,
             "{\"name\":\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd\"}");
    b.name = "\xed\xa0\x80";
    s_expect(&b.base, 0, "{\"name\":\"\\ufffd\\ufffd\\ufffd\"}");
    b.name = "\xf0\x9f\x98\x80"; /* U+1F600 passes through */
    s_expect(&b.base, 0, "{\"name\":\"\xf0\x9f\x98\x80\"}");
}

static void
test_nested_enums_int64(void **state)
{
    (void) state;
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = 2500;
    q.unit = RANTAI__V1__UNIT__UNIT_TONNE;
    Rantai__V1__Price p = RANTAI__V1__PRICE__INIT;
    p.idr = 95000;
    p.per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Offer o = RANTAI__V1__OFFER__INIT;
    o.id = "O1";
    o.quantity = &q;
    o.price = &p;
    o.available_from = -5;
    o.available_until = INT64_C(9007199254740993); /* > 2^53 */
    s_expect(&o.base, 0,
             "{\"id\":\"O1\",\"quantity\":{\"milli\":\"2500\",\"unit\":"
             "\"UNIT_TONNE\"},\"price\":{\"idr\":\"95000\",\"per\":"
             "\"UNIT_KILOGRAM\"},\"available_from\":\"-5\","
             "\"available_until\":\"9007199254740993\"}");
}

static void
test_unknown_enum_as_number(void **state)
{
    (void) state;
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = UINT64_MAX;
    q.unit = (Rantai__V1__Unit) 99;
    s_expect(&q.base, 0, "{\"milli\":\"18446744073709551615\",\"unit\":99}");
}

static void
test_repeated_and_pretty(void **state)
{
    (void) state;
    Rantai__V1__Certification certs[] = {
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL,
        RANTAI__V1__CERTIFICATION__CERTIFICATION_ORGANIC};
    char *prov[] = {"32", "35"};
    Rantai__V1__Demand d = RANTAI__V1__DEMAND__INIT;
    d.id = "D1";
    d.n_required_certifications = 2;
    d.required_certifications = certs;
    d.n_origin_provinces = 2;
    d.origin_provinces = prov;
    d.allow_partial = 1;
    d.max_distance_km = 250;
    s_expect(&d.base, 0,
             "{\"id\":\"D1\",\"required_certifications\":[\"CERTIFICATION_"
             "HALAL\",\"CERTIFICATION_ORGANIC\"],\"max_distance_km\":250,"
             "\"allow_partial\":true,\"origin_provinces\":[\"32\",\"35\"]}");
    s_expect(&d.base, RANTAI_JSON_PRETTY,
             "{\n"
             "  \"id\": \"D1\",\n"
             "  \"required_certifications\": [\n"
             "    \"CERTIFICATION_HALAL\",\n"
             "    \"CERTIFICATION_ORGANIC\"\n"
             "  ],\n"
             "  \"max_distance_km\": 250,\n"
             "  \"allow_partial\": true,\n"
             "  \"origin_provinces\": [\n"
             "    \"32\",\n"
             "    \"35\"\n"
             "  ]\n"
             "}");
}

static void
test_repeated_messages_in_oneof(void **state)
{
    (void) state;
    Rantai__V1__Allocation a1 = RANTAI__V1__ALLOCATION__INIT;
    a1.id = "D1/1";
    a1.state = RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED;
    Rantai__V1__Allocation a2 = RANTAI__V1__ALLOCATION__INIT;
    a2.id = "D1/2";
    a2.distance_m = 100000;
    Rantai__V1__Allocation *allocs[] = {&a1, &a2};
    Rantai__V1__DemandState ds = RANTAI__V1__DEMAND_STATE__INIT;
    ds.status = RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_ALLOCATED;
    ds.n_allocations = 2;
    ds.allocations = allocs;
    Rantai__V1__Reply r = RANTAI__V1__REPLY__INIT;
    r.request_id = 7;
    r.body_case = RANTAI__V1__REPLY__BODY_DEMAND_STATE;
    r.demand_state = &ds;
    s_expect(&r.base, RANTAI_JSON_PRETTY,
             "{\n"
             "  \"request_id\": \"7\",\n"
             "  \"demand_state\": {\n"
             "    \"status\": \"DEMAND_STATUS_ALLOCATED\",\n"
             "    \"allocations\": [\n"
             "      {\n"
             "        \"id\": \"D1/1\",\n"
             "        \"state\": \"ALLOCATION_STATE_PROPOSED\"\n"
             "      },\n"
             "      {\n"
             "        \"id\": \"D1/2\",\n"
             "        \"distance_m\": \"100000\"\n"
             "      }\n"
             "    ]\n"
             "  }\n"
             "}");
}

static void
test_oneof_default_value_printed(void **state)
{
    (void) state;
    /* ack = 0 is still the set member of the oneof */
    Rantai__V1__FeedRequest fr = RANTAI__V1__FEED_REQUEST__INIT;
    fr.body_case = RANTAI__V1__FEED_REQUEST__BODY_ACK;
    fr.ack = 0;
    s_expect(&fr.base, 0, "{\"ack\":\"0\"}");
    /* an empty sub-message that is present prints as {} */
    Rantai__V1__GetMatcherStatus gms = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    Rantai__V1__Request req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req.get_matcher_status = &gms;
    s_expect(&req.base, 0, "{\"get_matcher_status\":{}}");
}

static void
test_error_reply_and_defaults_flag(void **state)
{
    (void) state;
    Rantai__V1__Reply r = RANTAI__V1__REPLY__INIT;
    r.code = RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT;
    r.field = "offer.quantity.unit";
    r.message = "unit unset";
    s_expect(&r.base, 0,
             "{\"code\":\"STATUS_CODE_INVALID_ARGUMENT\",\"message\":\"unit "
             "unset\",\"field\":\"offer.quantity.unit\"}");
    Rantai__V1__Reply ok = RANTAI__V1__REPLY__INIT;
    s_expect(&ok.base, RANTAI_JSON_DEFAULTS,
             "{\"request_id\":\"0\",\"code\":\"STATUS_CODE_OK\","
             "\"message\":\"\",\"field\":\"\",\"seq\":\"0\"}");
}

static void
test_doubles(void **state)
{
    (void) state;
    Rantai__V1__GeoPoint g = RANTAI__V1__GEO_POINT__INIT;
    g.lat = -6.9;
    g.lon = 107.6;
    s_expect(&g.base, 0, "{\"lat\":-6.9,\"lon\":107.6}");
    g.lat = 0.1 + 0.2; /* needs 17 digits to read back */
    g.lon = 1e300;
    s_expect(&g.base, 0, "{\"lat\":0.30000000000000004,\"lon\":1e+300}");
    g.lat = NAN;
    g.lon = -INFINITY;
    s_expect(&g.base, 0, "{\"lat\":\"NaN\",\"lon\":\"-Infinity\"}");
    g.lat = 0.0;
    g.lon = INFINITY;
    s_expect(&g.base, 0, "{\"lon\":\"Infinity\"}");
}

/* A hand-made descriptor for the types our .proto files do not use:
   bytes, float, int32, proto2-style optional with has_. */
typedef struct {
    ProtobufCMessage base;
    ProtobufCBinaryData blob;
    float ratio;
    protobuf_c_boolean has_delta;
    int32_t delta;
} s_odd_t;

static const ProtobufCFieldDescriptor s_odd_fields[] = {
    {"blob", 1, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_BYTES, 0,
     offsetof(s_odd_t, blob), NULL, NULL, 0, 0, NULL, NULL},
    {"ratio", 2, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_FLOAT, 0,
     offsetof(s_odd_t, ratio), NULL, NULL, 0, 0, NULL, NULL},
    {"delta", 3, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_INT32,
     offsetof(s_odd_t, has_delta), offsetof(s_odd_t, delta), NULL, NULL, 0, 0,
     NULL, NULL},
};
static const unsigned s_odd_by_name[] = {0, 2, 1};
static const ProtobufCIntRange s_odd_ranges[] = {{1, 0}, {0, 3}};
static const ProtobufCMessageDescriptor s_odd_desc = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
    "test.Odd",
    "Odd",
    "STest__Odd",
    "test",
    sizeof(s_odd_t),
    3,
    s_odd_fields,
    s_odd_by_name,
    1,
    s_odd_ranges,
    NULL,
    NULL,
    NULL,
    NULL};

static void
test_bytes_float_optional(void **state)
{
    (void) state;
    s_odd_t m;
    memset(&m, 0, sizeof m);
    m.base.descriptor = &s_odd_desc;
    s_expect(&m.base, 0, "{}");
    uint8_t data[] = {'M', 'a', 'n', 0xff};
    m.blob.data = data;
    m.blob.len = 4;
    m.ratio = 0.1f;
    m.has_delta = 1;
    m.delta = 0; /* explicitly present */
    s_expect(&m.base, 0, "{\"blob\":\"TWFu/w==\",\"ratio\":0.1,\"delta\":0}");
    m.blob.len = 2;
    m.ratio = -2.5f;
    m.delta = -7;
    s_expect(&m.base, 0, "{\"blob\":\"TWE=\",\"ratio\":-2.5,\"delta\":-7}");
}

static void
test_bad_arguments(void **state)
{
    (void) state;
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    assert_int_equal(rantai_json_print(stdout, NULL, 0), RANTAI_EINVAL);
    assert_int_equal(rantai_json_print(NULL, &b.base, 0), RANTAI_EINVAL);
    ProtobufCMessage bogus = {NULL, 0, NULL};
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    assert_int_equal(rantai_json_print(f, &bogus, 0), RANTAI_EINVAL);
    fclose(f);
    free(buf);
}

static void
test_write_error(void **state)
{
    (void) state;
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) {
        skip();
    }
    setvbuf(f, NULL, _IONBF, 0);
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    b.name = "x";
    assert_int_equal(rantai_json_print(f, &b.base, 0), RANTAI_EIO);
    fclose(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_message),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_nested_enums_int64),
        cmocka_unit_test(test_unknown_enum_as_number),
        cmocka_unit_test(test_repeated_and_pretty),
        cmocka_unit_test(test_repeated_messages_in_oneof),
        cmocka_unit_test(test_oneof_default_value_printed),
        cmocka_unit_test(test_error_reply_and_defaults_flag),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_bytes_float_optional),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
