/*  test_codec.c - field checks, decode/encode, names, error mapping and
    the reference data tables. */
#include "rantai/codec.h"
#include "rantai/err.h"
#include "rantai/refdata.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void
test_id_valid(void **state)
{
    (void) state;
    assert_true(rantai_id_valid("a"));
    assert_true(rantai_id_valid("offer-1.2_x:y"));
    char id64[65], id65[66];
    memset(id64, 'x', 64);
    id64[64] = '\0';
    memset(id65, 'x', 65);
    id65[65] = '\0';
    assert_true(rantai_id_valid(id64));
    assert_false(rantai_id_valid(id65));
    assert_false(rantai_id_valid(""));
    assert_false(rantai_id_valid(NULL));
    assert_false(rantai_id_valid("a b"));
    assert_false(rantai_id_valid("a/b"));
    assert_false(rantai_id_valid("caf\xc3\xa9"));
    assert_false(rantai_id_valid("x\n"));
}

static void
test_commodity_valid(void **state)
{
    (void) state;
    assert_true(rantai_commodity_valid("090111", 4));
    assert_true(rantai_commodity_valid("0901", 4));
    assert_false(rantai_commodity_valid("09", 4));
    assert_true(rantai_commodity_valid("09", 2));
    assert_true(rantai_commodity_valid("CPC63110", 4));
    assert_true(rantai_commodity_valid("123456789012", 2));
    assert_false(rantai_commodity_valid("1234567890123", 2));
    assert_false(rantai_commodity_valid("0", 0)); /* never below 2 */
    assert_false(rantai_commodity_valid("0901.11", 2));
    assert_false(rantai_commodity_valid("cpc63110", 2));
    assert_false(rantai_commodity_valid("", 2));
    assert_false(rantai_commodity_valid(NULL, 2));
}

static void
test_text_valid(void **state)
{
    (void) state;
    assert_true(rantai_text_valid("", 10));
    assert_true(rantai_text_valid("Kopi Gayo\tAceh", 100));
    assert_true(
        rantai_text_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 100));
    assert_false(rantai_text_valid("abcdef", 5));
    assert_true(rantai_text_valid("abcde", 5));
    assert_false(rantai_text_valid("line\nbreak", 100));
    assert_false(rantai_text_valid("\xff", 10));
    assert_false(rantai_text_valid("\xc3", 10));             /* truncated */
    assert_false(rantai_text_valid("\xc0\xaf", 10));         /* overlong */
    assert_false(rantai_text_valid("\xe0\x80\xaf", 10));     /* overlong */
    assert_false(rantai_text_valid("\xed\xa0\x80", 10));     /* surrogate */
    assert_false(rantai_text_valid("\xf4\x90\x80\x80", 10)); /* > U+10FFFF */
    assert_false(rantai_text_valid(NULL, 10));
}

static void
test_geo_and_province(void **state)
{
    (void) state;
    Rantai__V1__GeoPoint p = RANTAI__V1__GEO_POINT__INIT;
    p.lat = -6.917;
    p.lon = 107.619;
    assert_true(rantai_geo_valid(&p));
    p.lat = 90.0;
    p.lon = -180.0;
    assert_true(rantai_geo_valid(&p));
    p.lat = 90.0001;
    assert_false(rantai_geo_valid(&p));
    p.lat = 0;
    p.lon = 180.5;
    assert_false(rantai_geo_valid(&p));
    p.lon = NAN;
    assert_false(rantai_geo_valid(&p));
    p.lon = INFINITY;
    assert_false(rantai_geo_valid(&p));
    assert_false(rantai_geo_valid(NULL));

    assert_true(rantai_province_valid("32"));
    assert_true(rantai_province_valid("96"));
    assert_false(rantai_province_valid("97"));
    assert_false(rantai_province_valid("3"));
    assert_false(rantai_province_valid(""));
    assert_false(rantai_province_valid(NULL));
}

static void
test_refdata(void **state)
{
    (void) state;
    const rantai_province_t *jb = rantai_province_find("32");
    assert_non_null(jb);
    assert_string_equal(jb->name, "Jawa Barat");
    assert_string_equal(jb->capital, "Bandung");
    assert_true(fabs(jb->lat - -6.917) < 1e-9);
    size_t n = 0;
    assert_non_null(rantai_provinces(&n));
    assert_int_equal(n, 38);

    const rantai_commodity_t *c = rantai_commodity_find("090111");
    assert_non_null(c);
    assert_int_equal(c->default_unit, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    assert_null(rantai_commodity_find("0901"));
    c = rantai_commodity_find("010420");
    assert_non_null(c);
    assert_int_equal(c->default_unit, RANTAI__V1__UNIT__UNIT_HEAD);
    const rantai_commodity_t *all = rantai_commodities(&n);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        assert_true(rantai_commodity_valid(all[i].code, 4));
        assert_true(rantai_enum_defined(&rantai__v1__unit__descriptor,
                                        all[i].default_unit));
        assert_true(all[i].default_unit != 0);
    }

    /* Certification wire values follow csv order == proto enum order. */
    const rantai_certification_t *h = rantai_certification_find("HALAL");
    assert_non_null(h);
    assert_int_equal(h->value, RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL);
    assert_int_equal(h->value, 1);
    assert_ptr_equal(rantai_certification_find("certification_halal"), h);
    assert_ptr_equal(rantai_certification_by_value(1), h);
    assert_null(rantai_certification_find("KOSHER"));
    assert_null(rantai_certification_by_value(0));
    const rantai_certification_t *certs = rantai_certifications(&n);
    assert_int_equal(n, 24);
    for (size_t i = 0; i < n; i++) {
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(
            &rantai__v1__certification__descriptor, certs[i].value);
        assert_non_null(ev);
        char name[96];
        snprintf(name, sizeof name, "CERTIFICATION_%s", certs[i].code);
        assert_string_equal(ev->name, name);
    }
}

static void
test_names_and_errors(void **state)
{
    (void) state;
    assert_string_equal(rantai_status_name(0), "OK");
    assert_string_equal(rantai_status_name(3), "INVALID_ARGUMENT");
    assert_string_equal(rantai_status_name(16), "UNAUTHENTICATED");
    assert_string_equal(rantai_status_name(99), "UNKNOWN");

    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    assert_string_equal(rantai_request_name(&req), "none");
    Rantai__V1__PutOffer po = RANTAI__V1__PUT_OFFER__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req.put_offer = &po;
    assert_string_equal(rantai_request_name(&req), "PutOffer");
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    assert_string_equal(rantai_request_name(&req), "GetMatcherStatus");
    assert_string_equal(rantai_request_name(NULL), "none");

    assert_true(rantai_enum_defined(&rantai__v1__unit__descriptor, 0));
    assert_true(rantai_enum_defined(&rantai__v1__unit__descriptor, 13));
    assert_false(rantai_enum_defined(&rantai__v1__unit__descriptor, 14));
    assert_false(rantai_enum_defined(&rantai__v1__unit__descriptor, -1));

    const struct {
        int err, status;
    } map[] = {
        {RANTAI_OK, 0},        {RANTAI_EINVAL, 3},     {RANTAI_ENOTFOUND, 5},
        {RANTAI_EEXISTS, 6},   {RANTAI_EDENIED, 7},    {RANTAI_ENOSPC, 8},
        {RANTAI_EMAPFULL, 8},  {RANTAI_EPRECOND, 9},   {RANTAI_ERANGE, 11},
        {RANTAI_EUNIMPL, 12},  {RANTAI_EINTERNAL, 13}, {RANTAI_EIO, 13},
        {RANTAI_ETIMEOUT, 14}, {RANTAI_EPROTO, 13},    {RANTAI_EINTR, 1},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        assert_int_equal(rantai_err_status(map[i].err), map[i].status);
        assert_string_not_equal(rantai_strerror(map[i].err), "unknown error");
    }
    assert_string_equal(rantai_strerror(-999), "unknown error");

    rantai_arena_t *a = rantai_arena_new();
    rantai_reply_t reply = RANTAI__V1__REPLY__INIT;
    int code =
        rantai_reply_error(&reply, a, 3, "offer.id", "bad id '%s'", "x y");
    assert_int_equal(code, 3);
    assert_int_equal(reply.code, 3);
    assert_string_equal(reply.message, "bad id 'x y'");
    assert_string_equal(reply.field, "offer.id");
    rantai_reply_error(&reply, a, 5, NULL, "gone");
    assert_string_equal(reply.field, "");
    rantai_arena_destroy(&a);
}

/* A PutOffer request with text fields set from the arguments. */
static void *
s_pack_put_offer(rantai_arena_t *a,
                 const char *offer_id,
                 const char *cert_no,
                 size_t *size)
{
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = 2500;
    q.unit = RANTAI__V1__UNIT__UNIT_TONNE;
    Rantai__V1__Certificate cert = RANTAI__V1__CERTIFICATE__INIT;
    cert.scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
    cert.number = (char *) cert_no;
    Rantai__V1__Certificate *certs[] = {&cert};
    Rantai__V1__Offer offer = RANTAI__V1__OFFER__INIT;
    offer.id = (char *) offer_id;
    offer.producer_id = (char *) "p1";
    offer.commodity = (char *) "090111";
    offer.quantity = &q;
    offer.n_certificates = 1;
    offer.certificates = certs;
    Rantai__V1__PutOffer po = RANTAI__V1__PUT_OFFER__INIT;
    po.offer = &offer;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.request_id = 77;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req.put_offer = &po;
    return rantai_encode(&req.base, a, size);
}

static void
test_roundtrip(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    size_t size = 0;
    void *buf = s_pack_put_offer(a, "o-1", "ID00110000123", &size);
    assert_true(size > 10);
    rantai_request_t *req = (rantai_request_t *) rantai_decode(
        &rantai__v1__request__descriptor, buf, size, RANTAI_DEFAULT_MAX_MSG, a);
    assert_non_null(req);
    assert_int_equal(req->request_id, 77);
    assert_int_equal(req->body_case, RANTAI__V1__REQUEST__BODY_PUT_OFFER);
    assert_string_equal(req->put_offer->offer->id, "o-1");
    assert_int_equal(req->put_offer->offer->quantity->milli, 2500);
    assert_int_equal(req->put_offer->offer->n_certificates, 1);
    assert_string_equal(req->put_offer->offer->certificates[0]->number,
                        "ID00110000123");
    assert_string_equal(rantai_request_name(req), "PutOffer");
    /* Size limit: exactly at the limit is fine, one byte less is not. */
    assert_non_null(
        rantai_decode(&rantai__v1__request__descriptor, buf, size, size, a));
    assert_null(rantai_decode(&rantai__v1__request__descriptor, buf, size,
                              size - 1, a));
    /* Empty message decodes to defaults. */
    rantai_reply_t *r = (rantai_reply_t *) rantai_decode(
        &rantai__v1__reply__descriptor, NULL, 0, 16, a);
    assert_non_null(r);
    assert_int_equal(r->code, 0);
    /* An empty encode gives a valid zero-length buffer. */
    rantai_reply_t empty = RANTAI__V1__REPLY__INIT;
    assert_non_null(rantai_encode(&empty.base, a, &size));
    assert_int_equal(size, 0);
    rantai_arena_destroy(&a);
}

static void
test_decode_rejects(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_null(rantai_decode(&rantai__v1__request__descriptor, garbage,
                              sizeof garbage, RANTAI_DEFAULT_MAX_MSG, a));
    /* Truncated valid message. */
    size_t size = 0;
    uint8_t *buf = s_pack_put_offer(a, "o-1", "n", &size);
    assert_null(rantai_decode(&rantai__v1__request__descriptor, buf, size - 3,
                              RANTAI_DEFAULT_MAX_MSG, a));
    /* Oversize: rejected before unpacking. */
    assert_null(rantai_decode(&rantai__v1__request__descriptor, buf,
                              RANTAI_DEFAULT_MAX_MSG + 1,
                              RANTAI_DEFAULT_MAX_MSG, a));
    /* Invalid UTF-8 in a nested string, and in a repeated message's
       string: protobuf-c accepts both, rantai_decode must not. */
    buf = s_pack_put_offer(a, "o-\xff", "n", &size);
    assert_null(rantai_decode(&rantai__v1__request__descriptor, buf, size,
                              RANTAI_DEFAULT_MAX_MSG, a));
    assert_non_null(protobuf_c_message_unpack(&rantai__v1__request__descriptor,
                                              rantai_arena_allocator(a), size,
                                              buf));
    buf = s_pack_put_offer(a, "o-1", "n\xed\xa0\x80", &size);
    assert_null(rantai_decode(&rantai__v1__request__descriptor, buf, size,
                              RANTAI_DEFAULT_MAX_MSG, a));

    /* Repeated string field (Demand.origin_provinces). */
    char *provs[] = {(char *) "32", (char *) "3\xc3"};
    Rantai__V1__Demand d = RANTAI__V1__DEMAND__INIT;
    d.id = (char *) "d1";
    d.n_origin_provinces = 2;
    d.origin_provinces = provs;
    size_t dsize;
    uint8_t *dbuf = rantai_encode(&d.base, a, &dsize);
    assert_null(rantai_decode(&rantai__v1__demand__descriptor, dbuf, dsize,
                              RANTAI_DEFAULT_MAX_MSG, a));
    provs[1] = (char *) "33";
    dbuf = rantai_encode(&d.base, a, &dsize);
    assert_non_null(rantai_decode(&rantai__v1__demand__descriptor, dbuf, dsize,
                                  RANTAI_DEFAULT_MAX_MSG, a));

    /* Plain string field of a top-level message. */
    rantai_reply_t reply = RANTAI__V1__REPLY__INIT;
    reply.message = (char *) "\xc0\x80";
    uint8_t *rbuf = rantai_encode(&reply.base, a, &dsize);
    assert_null(rantai_decode(&rantai__v1__reply__descriptor, rbuf, dsize,
                              RANTAI_DEFAULT_MAX_MSG, a));
    rantai_arena_destroy(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_valid),
        cmocka_unit_test(test_commodity_valid),
        cmocka_unit_test(test_text_valid),
        cmocka_unit_test(test_geo_and_province),
        cmocka_unit_test(test_refdata),
        cmocka_unit_test(test_names_and_errors),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_decode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
