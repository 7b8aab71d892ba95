/*  test_buyer_core.c - the buyer registry rules, driven through
    buyer_service.handle() on a real store (child write txn per request,
    as the server does), with a fixed clock (the fixture: registry_fx.h). */
#include "buyer_core.h"
#include "evlog.h"
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
    return rfx_setup(state, &buyer_service, "test_buyer");
}

/* ---- builders ---------------------------------------------------------- */

static Rantai__V1__Buyer *
s_buyer(rfx_t *fx, const char *id, const char *market)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(fx->arena, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = (char *) id;
    b->name = "Warung Bu Sri";
    b->marketplace_id = (char *) market;
    return b;
}

static Rantai__V1__Demand *
s_demand(rfx_t *fx, const char *id, const char *buyer, const char *commodity)
{
    Rantai__V1__Demand *d = RANTAI_ANEW(fx->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = (char *) buyer;
    d->commodity = (char *) commodity;
    d->quantity = rfx_qty(fx, 1000, UNIT(TONNE));
    d->delivery = rfx_geo(fx, -6.2, 106.8);
    return d;
}

static rantai_request_t *
s_put_buyer(rfx_t *fx, Rantai__V1__Buyer *b)
{
    return rfx_request(fx, BODY(PUT_BUYER), "buyer", b);
}

static rantai_request_t *
s_post(rfx_t *fx, Rantai__V1__Demand *d)
{
    return rfx_request(fx, BODY(POST_DEMAND), "demand", d);
}

static rantai_request_t *
s_cancel(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(CANCEL_DEMAND), "demand_id", id);
}

static rantai_request_t *
s_get_demand(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(GET_DEMAND), "id", id);
}

static rantai_request_t *
s_get_buyer(rfx_t *fx, const char *id)
{
    return rfx_request(fx, BODY(GET_BUYER), "id", id);
}

static rantai_request_t *
s_list(rfx_t *fx,
       const char *buyer,
       const char *prefix,
       const char *token,
       uint32_t limit)
{
    rantai_request_t *r = rfx_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_LIST_DEMANDS;
    r->list_demands = RANTAI_ANEW(fx->arena, Rantai__V1__ListDemands);
    rantai__v1__list_demands__init(r->list_demands);
    r->list_demands->buyer_id = (char *) buyer;
    r->list_demands->commodity_prefix = (char *) prefix;
    r->list_demands->page_token = (char *) token;
    r->list_demands->limit = limit;
    return r;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_put_buyer(void **state)
{
    rfx_t *fx = *state;
    rantai_reply_t *r = rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_string_equal(r->buyer->marketplace_id, "M1");
    r = rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(rfx_head(fx), 1);

    Rantai__V1__Buyer *b = s_buyer(fx, "b1", "M1");
    b->name = "Toko Sri";
    r = rfx_call(fx, s_put_buyer(fx, b));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    r = rfx_call(fx, s_get_buyer(fx, "b1"));
    rfx_expect(r, ST(OK), NULL);
    assert_string_equal(r->buyer->name, "Toko Sri");

    rfx_expect(rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M2"))),
               ST(FAILED_PRECONDITION), NULL);
    rfx_expect(rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", ""))),
               ST(FAILED_PRECONDITION), NULL);
    rfx_expect(rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b 1", "M1"))),
               ST(INVALID_ARGUMENT), "buyer.id");
    rfx_expect(rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b2", "M/1"))),
               ST(INVALID_ARGUMENT), "buyer.marketplace_id");
    b = s_buyer(fx, "b2", "M1");
    b->name = "nul\x01";
    rfx_expect(rfx_call(fx, s_put_buyer(fx, b)), ST(INVALID_ARGUMENT),
               "buyer.name");
    rfx_expect(rfx_call(fx, s_put_buyer(fx, NULL)), ST(INVALID_ARGUMENT),
               "buyer");
    assert_int_equal(rfx_head(fx), 2);
}

static void
test_demand_validation(void **state)
{
    rfx_t *fx = *state;
    rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    const char *fields[] = {
        "demand.id",
        "demand.buyer_id",
        "demand.commodity",
        "demand.commodity",
        "demand.quantity.unit",
        "demand.quantity.unit",
        "demand.quantity.milli",
        "demand.max_price.per",
        "demand.max_price.per",
        "demand.max_price.per",
        "demand.required_certifications[1]",
        "demand.required_certifications[0]",
        "demand.delivery",
        "demand.delivery.lat",
        "demand.delivery.lon",
        "demand.origin_provinces[1]",
    };
    Rantai__V1__Certification certs[2] = {
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL, 0};
    char *provs[2] = {"32", "99"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "0901");
        switch (i) {
            case 0:
                d->id = "d:1/x";
                break;
            case 1:
                d->buyer_id = "";
                break;
            case 2:
                d->commodity = "9";
                break;
            case 3:
                d->commodity = "0901111111111";
                break;
            case 4:
                d->quantity = NULL;
                break;
            case 5:
                d->quantity->unit = 14;
                break;
            case 6:
                d->quantity->milli = 0;
                break;
            case 7:
                d->max_price = rfx_price(fx, 100, 0);
                break;
            case 8:
                d->max_price = rfx_price(fx, 100, UNIT(LITRE));
                break;
            case 9:
                d->max_price = rfx_price(fx, 0, 42);
                break;
            case 10:
                d->n_required_certifications = 2;
                d->required_certifications = certs;
                break;
            case 11:
                d->n_required_certifications = 1;
                d->required_certifications = &certs[1];
                break;
            case 12:
                d->delivery = NULL;
                break;
            case 13:
                d->delivery->lat = NAN;
                break;
            case 14:
                d->delivery->lon = -INFINITY;
                break;
            default:
                d->n_origin_provinces = 2;
                d->origin_provinces = provs;
                break;
        }
        rfx_expect(rfx_call(fx, s_post(fx, d)), ST(INVALID_ARGUMENT),
                   fields[i]);
    }
    assert_int_equal(rfx_head(fx), 1);

    /* Allowed: no price limit with a stray unit, duplicated provinces. */
    Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "09");
    d->max_price = rfx_price(fx, 0, UNIT(LITRE));
    char *dup[2] = {"32", "32"};
    d->n_origin_provinces = 2;
    d->origin_provinces = dup;
    d->max_suppliers = 3;
    rfx_expect(rfx_call(fx, s_post(fx, d)), ST(OK), NULL);
    d = s_demand(fx, "d2", "b1", "090111");
    d->max_price = rfx_price(fx, 120000, UNIT(KILOGRAM));
    rfx_expect(rfx_call(fx, s_post(fx, d)), ST(OK), NULL);
    assert_int_equal(rfx_head(fx), 3);
}

static void
test_post_idempotent(void **state)
{
    rfx_t *fx = *state;
    rfx_expect(rfx_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901"))),
               ST(FAILED_PRECONDITION), NULL);
    rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rantai_reply_t *r =
        rfx_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_string_equal(r->demand->commodity, "0901");

    /* An unset limit written as {0, UNSPECIFIED} is the same demand. */
    Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "0901");
    d->max_price = rfx_price(fx, 0, 0);
    r = rfx_call(fx, s_post(fx, d));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(rfx_head(fx), 2);

    d = s_demand(fx, "d1", "b1", "0901");
    d->allow_partial = 1;
    rfx_expect(rfx_call(fx, s_post(fx, d)), ST(ALREADY_EXISTS), NULL);
    assert_int_equal(rfx_head(fx), 2);
}

static void
test_cancel(void **state)
{
    rfx_t *fx = *state;
    rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rfx_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    rfx_expect(rfx_call(fx, s_cancel(fx, "d9")), ST(NOT_FOUND), NULL);
    rfx_expect(rfx_call(fx, s_cancel(fx, "")), ST(INVALID_ARGUMENT),
               "demand_id");
    rantai_reply_t *r = rfx_call(fx, s_cancel(fx, "d1"));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    r = rfx_call(fx, s_cancel(fx, "d1"));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(rfx_head(fx), 3);
    r = rfx_call(fx, s_get_demand(fx, "d1"));
    rfx_expect(r, ST(OK), NULL);
    assert_string_equal(r->demand->buyer_id, "b1");
    /* Reposting the identical demand is still a no-op. */
    r = rfx_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    rfx_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);

    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, 3, &v), 0);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v.data, v.size, SIZE_MAX, fx->arena);
    rantai_txn_abort(&txn);
    assert_non_null(ev);
    assert_int_equal(ev->body_case, RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED);
    assert_string_equal(ev->demand_cancelled->demand_id, "d1");
    assert_string_equal(ev->demand_cancelled->buyer_id, "b1");
}

/* b1 (M1): d01..d07, b2 (M2): d08..d10; odd ones coffee, even ones rice. */
static void
s_list_fixture(rfx_t *fx)
{
    rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rfx_call(fx, s_put_buyer(fx, s_buyer(fx, "b2", "M2")));
    for (int i = 1; i <= 10; i++) {
        char *id = rantai_arena_printf(fx->arena, "d%02d", i);
        const char *c = i % 2 ? "0901" : "1006";
        rfx_expect(
            rfx_call(fx, s_post(fx, s_demand(fx, id, i <= 7 ? "b1" : "b2", c))),
            ST(OK), NULL);
    }
}

static void
test_list_paging(void **state)
{
    rfx_t *fx = *state;
    s_list_fixture(fx);
    rfx_call(fx, s_cancel(fx, "d03"));
    rfx_expect_ids(rfx_call(fx, s_list(fx, "b1", "", "", 3)), "d01 d02 d03",
                   "d03");
    rfx_expect_ids(rfx_call(fx, s_list(fx, "b1", "", "d03", 3)), "d04 d05 d06",
                   "d06");
    rfx_expect_ids(rfx_call(fx, s_list(fx, "b1", "", "d06", 3)), "d07", "");
    rfx_expect_ids(rfx_call(fx, s_list(fx, "", "1006", "", 0)),
                   "d02 d04 d06 d08 d10", "");
    rfx_expect_ids(rfx_call(fx, s_list(fx, "b2", "09", "", 0)), "d09", "");
    rfx_expect_ids(rfx_call(fx, s_list(fx, "nobody", "", "", 0)), "", "");
    rfx_expect(rfx_call(fx, s_list(fx, "", "", "d 3", 0)), ST(INVALID_ARGUMENT),
               "list_demands.page_token");
    rfx_expect(rfx_call(fx, s_list(fx, "", "ab", "", 0)), ST(INVALID_ARGUMENT),
               "list_demands.commodity_prefix");
    rfx_expect(rfx_call(fx, s_list(fx, "b\n", "", "", 0)), ST(INVALID_ARGUMENT),
               "list_demands.buyer_id");
}

static void
test_permissions(void **state)
{
    rfx_t *fx = *state;
    s_list_fixture(fx);
    const rantai_principal_t m1 = {RANTAI_ROLE_MARKETPLACE, "M1"};
    const rantai_principal_t coop = {RANTAI_ROLE_COOPERATIVE, "C1"};
    const rantai_principal_t prod = {RANTAI_ROLE_PRODUCER, "p1"};
    const rantai_principal_t service = {RANTAI_ROLE_SERVICE, "matcher"};
    uint64_t head = rfx_head(fx);

    rfx_expect(rfx_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", "M2"))),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b2", "M1"))),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", ""))),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", "M1"))),
               ST(OK), NULL);
    /* Denied before validation. */
    rfx_expect(rfx_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "b2", "9"))),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "ghost", "0901"))),
        ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &m1, s_post(fx, s_demand(fx, "d08", "b3", "0901"))),
        ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "b3", "0901"))),
        ST(OK), NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_cancel(fx, "d09")), ST(PERMISSION_DENIED),
               NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_cancel(fx, "d01")), ST(OK), NULL);
    assert_int_equal(rfx_head(fx), head + 3);

    rfx_expect(rfx_call_as(fx, &m1, s_get_demand(fx, "d01")), ST(OK), NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_get_demand(fx, "d09")), ST(NOT_FOUND),
               NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_get_buyer(fx, "b2")), ST(NOT_FOUND),
               NULL);
    rfx_expect(rfx_call_as(fx, &m1, s_get_buyer(fx, "b3")), ST(OK), NULL);
    rfx_expect_ids(rfx_call_as(fx, &m1, s_list(fx, "", "", "", 4)),
                   "d01 d02 d03 d04", "d04");
    rfx_expect_ids(rfx_call_as(fx, &m1, s_list(fx, "", "", "d04", 4)),
                   "d05 d06 d07 d20", "");
    rfx_expect_ids(rfx_call_as(fx, &m1, s_list(fx, "b2", "", "", 0)), "", "");

    rfx_expect(rfx_call_as(fx, &coop, s_get_demand(fx, "d01")),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(rfx_call_as(fx, &prod, s_list(fx, "", "", "", 0)),
               ST(PERMISSION_DENIED), NULL);
    rfx_expect(
        rfx_call_as(fx, &service, s_put_buyer(fx, s_buyer(fx, "b9", ""))),
        ST(PERMISSION_DENIED), NULL);
}

static void
test_unimplemented(void **state)
{
    rfx_t *fx = *state;
    rantai_request_t *r = rfx_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    Rantai__V1__GetOffer go = RANTAI__V1__GET_OFFER__INIT;
    go.id = "o1";
    r->get_offer = &go;
    rfx_expect(rfx_call(fx, r), ST(UNIMPLEMENTED), NULL);
    assert_true(buyer_service.is_write(s_cancel(fx, "d1")));
    assert_false(buyer_service.is_write(s_get_demand(fx, "d1")));
    assert_string_equal(buyer_service.name, "buyer");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_buyer, s_setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_demand_validation, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_post_idempotent, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel, s_setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_permissions, s_setup,
                                        rfx_teardown),
        cmocka_unit_test_setup_teardown(test_unimplemented, s_setup,
                                        rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
