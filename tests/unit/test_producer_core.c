/*  test_producer_core.c - the producer registry rules, driven through
    producer_service.handle() on a real store (child write txn per request,
    as the server does), with a fixed clock (the fixture: registry_fx.h). */
#include "evlog.h"
#include "producer_core.h"
#include "rantai/err.h"
#include "registry_fx.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int
s_setup(void **state)
{
    return rfx_setup(state, &producer_service, "test_producer");
}

/* ---- builders ---------------------------------------------------------- */

static rantai_request_t *
s_withdraw(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(WITHDRAW_OFFER), "offer_id", id);
}

static rantai_request_t *
s_get_offer(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(GET_OFFER), "id", id);
}

static rantai_request_t *
s_get_producer(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(GET_PRODUCER), "id", id);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_put_producer_idempotent(void **state)
{
    rfx_t *fx = *state;
    Rantai__V1__Producer *p = rfx_producer(fx, "p1", "C1");
    rantai_reply_t *r = rfx_call(fx, rfx_put_producer(fx, p));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(r->body_case, RANTAI__V1__REPLY__BODY_PRODUCER);
    assert_string_equal(r->producer->id, "p1");

    r = rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "C1")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(rfx_head(fx), 1);

    p = rfx_producer(fx, "p1", "C1");
    p->name = "Kopi Tani Makmur";
    r = rfx_call(fx, rfx_put_producer(fx, p));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(rfx_head(fx), 2);
    r = rfx_call(fx, s_get_producer(fx, "p1"));
    rfx_expect(r, ST(OK), NULL);
    assert_string_equal(r->producer->name, "Kopi Tani Makmur");

    /* -0.0 and 0.0 are the same place: still idempotent. */
    p = rfx_producer(fx, "p0", "");
    p->location->lon = 0.0;
    rfx_expect(rfx_call(fx, rfx_put_producer(fx, p)), ST(OK), NULL);
    p = rfx_producer(fx, "p0", "");
    p->location->lon = -0.0;
    r = rfx_call(fx, rfx_put_producer(fx, p));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(rfx_head(fx), 3);

    r = rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "C2")));
    rfx_expect(r, ST(FAILED_PRECONDITION), NULL);
    assert_int_equal(rfx_head(fx), 3);
    r = rfx_call(fx, s_get_producer(fx, "nope"));
    rfx_expect(r, ST(NOT_FOUND), NULL);
}

static void
test_producer_validation(void **state)
{
    rfx_t *fx = *state;
    struct {
        const char *field;
    } cases[] = {{"producer.id"},
                 {"producer.name"},
                 {"producer.cooperative_id"},
                 {"producer.province"},
                 {"producer.province"},
                 {"producer.location"},
                 {"producer.location.lat"},
                 {"producer.location.lon"},
                 {"producer.enterprise_class"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Rantai__V1__Producer *p = rfx_producer(fx, "p1", "");
        switch (i) {
            case 0:
                p->id = "bad id";
                break;
            case 1:
                p->name = "tab\tok, bell\a not";
                break;
            case 2:
                p->cooperative_id = "c/1";
                break;
            case 3:
                p->province = "99";
                break;
            case 4:
                p->province = "";
                break;
            case 5:
                p->location = NULL;
                break;
            case 6:
                p->location->lat = NAN;
                break;
            case 7:
                p->location->lon = 180.5;
                break;
            default:
                p->enterprise_class = 7;
                break;
        }
        rfx_expect(rfx_call(fx, rfx_put_producer(fx, p)), ST(INVALID_ARGUMENT),
                   cases[i].field);
    }
    rfx_expect(rfx_call(fx, rfx_put_producer(fx, NULL)), ST(INVALID_ARGUMENT),
               "producer");
    /* Invalid UTF-8 never passes the wire decoder; the core refuses it. */
    Rantai__V1__Producer *bad = rfx_producer(fx, "p1", "");
    bad->name = "\xff\xfe";
    rantai_reply_t *r = rfx_call(fx, rfx_put_producer(fx, bad));
    assert_int_equal(r->code, ST(INVALID_ARGUMENT));
    assert_non_null(strstr(r->field, "producer"));
    assert_int_equal(rfx_head(fx), 0);
}

static void
test_offer_validation(void **state)
{
    rfx_t *fx = *state;
    rfx_expect(rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", ""))),
               ST(OK), NULL);
    const char *fields[] = {
        "offer.id",
        "offer.producer_id",
        "offer.commodity",
        "offer.commodity",
        "offer.quantity.unit",
        "offer.quantity.unit",
        "offer.quantity.unit",
        "offer.quantity.milli",
        "offer.min_order.unit",
        "offer.min_order.unit",
        "offer.price.per",
        "offer.price.per",
        "offer.price.per",
        "offer.certificates[0].scheme",
        "offer.certificates[1].scheme",
        "offer.location.lat",
        "offer.location.lon",
        "offer.available_until",
    };
    Rantai__V1__Certificate good = RANTAI__V1__CERTIFICATE__INIT;
    good.scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
    Rantai__V1__Certificate bad = RANTAI__V1__CERTIFICATE__INIT;
    Rantai__V1__Certificate *certs[2] = {&good, &bad};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        Rantai__V1__Offer *o = rfx_offer(fx, "o1", "p1", "090111");
        switch (i) {
            case 0:
                o->id = "";
                break;
            case 1:
                o->producer_id = "p 1";
                break;
            case 2:
                o->commodity = "090";
                break;
            case 3:
                o->commodity = "0901ab";
                break;
            case 4:
                o->quantity = NULL;
                break;
            case 5:
                o->quantity->unit = 0;
                break;
            case 6:
                o->quantity->unit = 77;
                break;
            case 7:
                o->quantity->milli = 0;
                break;
            case 8:
                o->min_order = rfx_qty(fx, 100, UNIT(LITRE));
                break;
            case 9:
                o->min_order = rfx_qty(fx, 100, 0);
                break;
            case 10:
                o->price = NULL;
                break;
            case 11:
                o->price->per = 0;
                break;
            case 12:
                o->price->per = UNIT(PIECE);
                break;
            case 13:
                bad.scheme = 0;
                o->n_certificates = 1;
                o->certificates = &certs[1];
                break;
            case 14:
                bad.scheme = 99;
                o->n_certificates = 2;
                o->certificates = certs;
                break;
            case 15:
                o->location = rfx_geo(fx, -90.5, 100);
                break;
            case 16:
                o->location = rfx_geo(fx, 1, INFINITY);
                break;
            default:
                o->available_from = NOW;
                o->available_until = NOW - 1;
                break;
        }
        rfx_expect(rfx_call(fx, rfx_put_offer(fx, o)), ST(INVALID_ARGUMENT),
                   fields[i]);
    }
    assert_int_equal(rfx_head(fx), 1);

    /* What is allowed: free offer, open-ended, a kg min_order of a t offer. */
    Rantai__V1__Offer *o = rfx_offer(fx, "o1", "p1", "090111");
    o->price->idr = 0;
    o->min_order = rfx_qty(fx, 500, UNIT(KILOGRAM));
    o->available_from = NOW;
    o->n_certificates = 1;
    o->certificates = certs;
    rfx_expect(rfx_call(fx, rfx_put_offer(fx, o)), ST(OK), NULL);

    /* Validation comes before the producer lookup. */
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o2", "ghost", "09"))),
        ST(INVALID_ARGUMENT), "offer.commodity");
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o2", "ghost", "0901"))),
        ST(FAILED_PRECONDITION), NULL);
}

static void
test_offer_idempotent_update(void **state)
{
    rfx_t *fx = *state;
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "")));
    rantai_reply_t *r =
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p1", "090111")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_string_equal(r->offer->commodity, "090111");

    /* An empty min_order is the same as none. */
    Rantai__V1__Offer *o = rfx_offer(fx, "o1", "p1", "090111");
    o->min_order = rfx_qty(fx, 0, 0);
    r = rfx_call(fx, rfx_put_offer(fx, o));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(rfx_head(fx), 2);

    /* Same dimension, other unit and price: an update. */
    o = rfx_offer(fx, "o1", "p1", "090111");
    o->quantity->unit = UNIT(KILOGRAM);
    o->price->idr = 90000;
    r = rfx_call(fx, rfx_put_offer(fx, o));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(rfx_head(fx), 3);
    r = rfx_call(fx, s_get_offer(fx, "o1"));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->offer->price->idr, 90000);
    assert_int_equal(r->offer->quantity->unit, UNIT(KILOGRAM));
}

static void
test_offer_forbidden_changes(void **state)
{
    rfx_t *fx = *state;
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "")));
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p2", "")));
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p1", "090111"))),
        ST(OK), NULL);
    assert_int_equal(rfx_head(fx), 3);
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p2", "090111"))),
        ST(FAILED_PRECONDITION), NULL);
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p1", "090112"))),
        ST(FAILED_PRECONDITION), NULL);
    Rantai__V1__Offer *o = rfx_offer(fx, "o1", "p1", "090111");
    o->quantity->unit = UNIT(LITRE);
    o->price->per = UNIT(LITRE);
    rfx_expect(rfx_call(fx, rfx_put_offer(fx, o)), ST(FAILED_PRECONDITION),
               NULL);
    assert_int_equal(rfx_head(fx), 3);
}

static void
test_withdraw_final(void **state)
{
    rfx_t *fx = *state;
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "")));
    rfx_expect(rfx_call(fx, s_withdraw(fx, "o1")), ST(NOT_FOUND), NULL);
    rfx_expect(rfx_call(fx, s_withdraw(fx, "o 1")), ST(INVALID_ARGUMENT),
               "offer_id");
    rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p1", "090111")));
    rantai_reply_t *r = rfx_call(fx, s_withdraw(fx, "o1"));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    r = rfx_call(fx, s_withdraw(fx, "o1"));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(rfx_head(fx), 3);
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, "o1", "p1", "090111"))),
        ST(FAILED_PRECONDITION), NULL);
    assert_int_equal(rfx_head(fx), 3);
    r = rfx_call(fx, s_get_offer(fx, "o1"));
    rfx_expect(r, ST(OK), NULL);
    assert_string_equal(r->offer->producer_id, "p1");

    /* The event carries both ids. */
    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, 3, &v), 0);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v.data, v.size, SIZE_MAX, fx->arena);
    rantai_txn_abort(&txn);
    assert_non_null(ev);
    assert_int_equal(ev->body_case, RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN);
    assert_string_equal(ev->offer_withdrawn->offer_id, "o1");
    assert_string_equal(ev->offer_withdrawn->producer_id, "p1");
    assert_int_equal(ev->time, NOW);
}

/* p1 (coop C1): o01..o07, every other one rice; p2 (coop C2): o08..o10. */
static void
s_list_fixture(rfx_t *fx)
{
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p1", "C1")));
    rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, "p2", "C2")));
    for (int i = 1; i <= 10; i++) {
        char *id = rantai_arena_printf(fx->arena, "o%02d", i);
        const char *c = i % 2 ? "090111" : "100630";
        Rantai__V1__Offer *o = rfx_offer(fx, id, i <= 7 ? "p1" : "p2", c);
        rfx_expect(rfx_call(fx, rfx_put_offer(fx, o)), ST(OK), NULL);
    }
}

static void
test_list_paging(void **state)
{
    rfx_t *fx = *state;
    s_list_fixture(fx);
    rfx_call(fx, s_withdraw(fx, "o02"));
    /* Three pages by producer; withdrawn offers are still listed. */
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "", "", "", 3)),
                   "o01 o02 o03", "o03");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "", "", "o03", 3)),
                   "o04 o05 o06", "o06");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "", "", "o06", 3)),
                   "o07", "");
    /* Exactly a page left: no next token. */
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "", "", "o04", 3)),
                   "o05 o06 o07", "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "C2", "", "", 0)),
                   "o08 o09 o10", "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "", "1006", "", 2)),
                   "o02 o04", "o04");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "", "1006", "o04", 2)),
                   "o06 o08", "o08");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "", "1006", "o08", 2)),
                   "o10", "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "C1", "09", "", 0)),
                   "o01 o03 o05 o07", "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "p1", "C2", "", "", 0)), "",
                   "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "", "", "", 0)),
                   "o01 o02 o03 o04 o05 o06 o07 o08 o09 o10", "");
    rfx_expect_ids(rfx_call(fx, rfx_list_offers(fx, "", "", "", "", 5000)),
                   "o01 o02 o03 o04 o05 o06 o07 o08 o09 o10", "");

    rfx_expect(rfx_call(fx, rfx_list_offers(fx, "", "", "", "o 1", 0)),
               ST(INVALID_ARGUMENT), "list_offers.page_token");
    rfx_expect(rfx_call(fx, rfx_list_offers(fx, "", "", "9", "", 0)),
               ST(INVALID_ARGUMENT), "list_offers.commodity_prefix");
    rfx_expect(rfx_call(fx, rfx_list_offers(fx, "p/1", "", "", "", 0)),
               ST(INVALID_ARGUMENT), "list_offers.producer_id");
    rfx_expect(rfx_call(fx, rfx_list_offers(fx, "", "C 1", "", "", 0)),
               ST(INVALID_ARGUMENT), "list_offers.cooperative_id");
}

static void
test_permissions(void **state)
{
    rfx_t *fx = *state;
    s_list_fixture(fx);
    uint64_t head = rfx_head(fx);
    const rantai_principal_t coop = {RANTAI_ROLE_COOPERATIVE, "C1"};
    const rantai_principal_t prod = {RANTAI_ROLE_PRODUCER, "p2"};
    const rantai_principal_t market = {RANTAI_ROLE_MARKETPLACE, "M1"};
    const rantai_principal_t service = {RANTAI_ROLE_SERVICE, "matcher"};
    const rantai_principal_t nobody = {RANTAI_ROLE_NONE, ""};

    /* Writes naming another party: denied before validation. */
    Rantai__V1__Producer *p = rfx_producer(fx, "p3", "C2");
    p->province = "99";
    rfx_expect(rfx_call_as(fx, &coop, rfx_put_producer(fx, p)),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &coop,
                           rfx_put_producer(fx, rfx_producer(fx, "p2", "C1"))),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &coop,
                           rfx_put_producer(fx, rfx_producer(fx, "p3", "C1"))),
               ST(OK), NULL);
    rfx_expect(
        rfx_call_as(fx, &coop,
                    rfx_put_offer(fx, rfx_offer(fx, "o08", "p1", "090111"))),
        ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &coop,
                    rfx_put_offer(fx, rfx_offer(fx, "o20", "p2", "090111"))),
        ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &coop,
                    rfx_put_offer(fx, rfx_offer(fx, "o20", "ghost", "090111"))),
        ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &coop,
                    rfx_put_offer(fx, rfx_offer(fx, "o20", "p3", "090111"))),
        ST(OK), NULL);
    rfx_expect(rfx_call_as(fx, &coop, s_withdraw(fx, "o09")),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &coop, s_withdraw(fx, "o01")), ST(OK), NULL);
    assert_int_equal(rfx_head(fx), head + 3);

    /* Reads: another party's object is exactly as missing. */
    rantai_reply_t *mine = rfx_call_as(fx, &coop, s_get_offer(fx, "o01"));
    rfx_expect(mine, ST(OK), NULL);
    rantai_reply_t *theirs = rfx_call_as(fx, &coop, s_get_offer(fx, "o09"));
    rfx_expect(theirs, ST(NOT_FOUND), NULL);
    rantai_reply_t *none = rfx_call_as(fx, &coop, s_get_offer(fx, "o99"));
    rfx_expect(none, ST(NOT_FOUND), NULL);
    rfx_expect(rfx_call_as(fx, &coop, s_get_producer(fx, "p2")), ST(NOT_FOUND),
               NULL);
    rfx_expect_ids(
        rfx_call_as(fx, &coop, rfx_list_offers(fx, "", "", "", "", 0)),
        "o01 o02 o03 o04 o05 o06 o07 o20", "");
    rfx_expect_ids(
        rfx_call_as(fx, &coop, rfx_list_offers(fx, "", "C2", "", "", 0)), "",
        "");
    rfx_expect_ids(
        rfx_call_as(fx, &coop, rfx_list_offers(fx, "p2", "", "", "", 0)), "",
        "");

    /* A producer is only itself. */
    rfx_expect_ids(
        rfx_call_as(fx, &prod, rfx_list_offers(fx, "", "", "", "", 0)),
        "o08 o09 o10", "");
    rfx_expect(rfx_call_as(fx, &prod, s_get_producer(fx, "p1")), ST(NOT_FOUND),
               NULL);
    rfx_expect(rfx_call_as(fx, &prod, s_get_producer(fx, "p2")), ST(OK), NULL);
    rfx_expect(rfx_call_as(fx, &prod, s_withdraw(fx, "o03")),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &prod,
                    rfx_put_offer(fx, rfx_offer(fx, "o21", "p2", "100630"))),
        ST(OK), NULL);
    /* Itself, unregistered: no one else's secret, so the real answer. */
    const rantai_principal_t ghost = {RANTAI_ROLE_PRODUCER, "ghost"};
    rfx_expect(
        rfx_call_as(fx, &ghost,
                    rfx_put_offer(fx, rfx_offer(fx, "o22", "ghost", "100630"))),
        ST(FAILED_PRECONDITION), NULL);

    /* Roles that may not use this service at all. */
    rfx_expect(rfx_call_as(fx, &market, s_get_offer(fx, "o01")),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &market, rfx_list_offers(fx, "", "", "", "", 0)),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &service, s_get_producer(fx, "p1")),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &nobody, s_get_producer(fx, "p1")),
               ST(PERMISSION_DENIED), NULL);
}

static void
test_unimplemented(void **state)
{
    rfx_t *fx = *state;
    rantai_request_t *r = rfx_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    Rantai__V1__GetMatcherStatus gms = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    r->get_matcher_status = &gms;
    rfx_expect(rfx_call(fx, r), ST(UNIMPLEMENTED), NULL);
    rantai_request_t *empty = rfx_req(fx);
    rfx_expect(rfx_call(fx, empty), ST(UNIMPLEMENTED), NULL);
    assert_false(producer_service.is_write(r));
    assert_string_equal(producer_service.name, "producer");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_producer_idempotent, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_producer_validation, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_offer_validation, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_offer_idempotent_update, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_offer_forbidden_changes, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_withdraw_final, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_permissions, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_unimplemented, s_setup,
                                        rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
