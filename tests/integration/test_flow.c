/*  test_flow - the whole product on loopback with the real binaries:
    register cooperatives' producers and offers, post a demand that only
    pooling can fill, see the allocations in GetDemandState and on the
    matcher feed, then restart services on the same data and see
    everything intact. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static h_cluster_t s_c;
static rantai_client_t *s_prod, *s_buy, *s_match;
static rantai_arena_t *s_arena;

static int
s_setup(void **state)
{
    (void) state;
    h_cluster_init(&s_c);
    if (!h_start_all(&s_c)) {
        return -1;
    }
    s_prod = h_client(&s_c, H_PRODUCER);
    s_buy = h_client(&s_c, H_BUYER);
    s_match = h_client(&s_c, H_MATCHER);
    s_arena = rantai_arena_new();
    return 0;
}

static int
s_teardown(void **state)
{
    (void) state;
    rantai_client_destroy(&s_prod);
    rantai_client_destroy(&s_buy);
    rantai_client_destroy(&s_match);
    rantai_arena_destroy(&s_arena);
    for (int s = H_COUNT - 1; s >= 0; s--) {
        assert_int_equal(h_stop(&s_c, (h_service_t) s), 0);
    }
    h_cluster_fini(&s_c, false);
    return 0;
}

static uint64_t
s_put_producer(const char *id,
               const char *coop,
               const char *province,
               double lat,
               double lon)
{
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    at.lat = lat;
    at.lon = lon;
    Rantai__V1__Producer p = RANTAI__V1__PRODUCER__INIT;
    p.id = (char *) id;
    p.name = (char *) id;
    p.cooperative_id = (char *) coop;
    p.province = (char *) province;
    p.location = &at;
    p.enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    Rantai__V1__PutProducer body = RANTAI__V1__PUT_PRODUCER__INIT;
    body.producer = &p;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req.put_producer = &body;
    rantai_reply_t *r = h_call(s_prod, &req, s_arena);
    assert_int_equal(r->code, 0);
    assert_true(r->seq > 0);
    return r->seq;
}

static uint64_t
s_put_offer(const char *id,
            const char *producer,
            uint64_t kg,
            uint64_t idr_per_kg,
            bool halal)
{
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = kg * 1000;
    q.unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Price price = RANTAI__V1__PRICE__INIT;
    price.idr = idr_per_kg;
    price.per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Certificate cert = RANTAI__V1__CERTIFICATE__INIT;
    cert.scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
    cert.number = "ID00410000123";
    Rantai__V1__Certificate *certs[] = {&cert};
    Rantai__V1__Offer o = RANTAI__V1__OFFER__INIT;
    o.id = (char *) id;
    o.producer_id = (char *) producer;
    o.commodity = "090111";
    o.quantity = &q;
    o.price = &price;
    o.n_certificates = halal ? 1 : 0;
    o.certificates = certs;
    Rantai__V1__PutOffer body = RANTAI__V1__PUT_OFFER__INIT;
    body.offer = &o;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req.put_offer = &body;
    rantai_reply_t *r = h_call(s_prod, &req, s_arena);
    assert_int_equal(r->code, 0);
    return r->seq;
}

static uint64_t
s_post_demand(const char *id, uint64_t kg)
{
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    b.id = "BUY-KOPI-EXPORT";
    b.name = "PT Kopi Ekspor Nusantara";
    b.marketplace_id = "MKT-1";
    Rantai__V1__PutBuyer pb = RANTAI__V1__PUT_BUYER__INIT;
    pb.buyer = &b;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    req.put_buyer = &pb;
    assert_int_equal(h_call(s_buy, &req, s_arena)->code, 0);

    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = kg * 1000;
    q.unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Price max = RANTAI__V1__PRICE__INIT;
    max.idr = 100000;
    max.per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__GeoPoint sby = RANTAI__V1__GEO_POINT__INIT;
    sby.lat = -7.257;
    sby.lon = 112.752;
    Rantai__V1__Certification need[] = {
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL};
    Rantai__V1__Demand d = RANTAI__V1__DEMAND__INIT;
    d.id = (char *) id;
    d.buyer_id = "BUY-KOPI-EXPORT";
    d.commodity = "0901";
    d.quantity = &q;
    d.max_price = &max;
    d.n_required_certifications = 1;
    d.required_certifications = need;
    d.delivery = &sby;
    d.allow_partial = true;
    d.transport_milli_idr_per_unit_km = 20000;
    Rantai__V1__PostDemand pd = RANTAI__V1__POST_DEMAND__INIT;
    pd.demand = &d;
    req.body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    req.post_demand = &pd;
    rantai_reply_t *r = h_call(s_buy, &req, s_arena);
    assert_int_equal(r->code, 0);
    return r->seq;
}

static Rantai__V1__DemandState *
s_demand_state(const char *id)
{
    Rantai__V1__GetDemandState body = RANTAI__V1__GET_DEMAND_STATE__INIT;
    body.demand_id = (char *) id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
    req.get_demand_state = &body;
    rantai_reply_t *r = h_call(s_match, &req, s_arena);
    assert_int_equal(r->code, 0);
    assert_non_null(r->demand_state);
    return r->demand_state;
}

/* Three cooperatives in Java, micro producers of 300-600 kg each; a
   1.2 t demand at Surabaya that no one of them can fill alone. */
static void
test_pooled_demand(void **state)
{
    (void) state;
    s_put_producer("KOP-ARJUNO-P1", "KOP-ARJUNO", "35", -7.78, 112.55);
    s_put_producer("KOP-IJEN-P1", "KOP-IJEN", "35", -8.05, 114.24);
    s_put_producer("KOP-GAYO-P1", "KOP-GAYO", "11", 4.62, 96.84);
    s_put_producer("KOP-KINTAMANI-P1", "KOP-KINTAMANI", "51", -8.25, 115.33);
    s_put_offer("OF-ARJUNO-1", "KOP-ARJUNO-P1", 500, 92000, true);
    s_put_offer("OF-IJEN-1", "KOP-IJEN-P1", 400, 90000, true);
    s_put_offer("OF-KINTAMANI-1", "KOP-KINTAMANI-P1", 300, 89000, false);
    uint64_t pseq = s_put_offer("OF-GAYO-1", "KOP-GAYO-P1", 600, 85000, true);
    /* The registries are separate logs: the demand must meet every offer. */
    assert_true(h_wait_applied(&s_c, pseq, 0));
    uint64_t bseq = s_post_demand("DEM-SBY-1", 1200);
    assert_true(h_wait_applied(&s_c, pseq, bseq));

    Rantai__V1__DemandState *ds = s_demand_state("DEM-SBY-1");
    /* Kintamani lacks HALAL. Landed = price + 20 rupiah/kg/km x distance:
       Arjuno (~70 km) and Ijen (~160 km) beat Gayo (~2,100 km). */
    assert_int_equal(ds->n_allocations, 3);
    assert_string_equal(ds->allocations[0]->offer_id, "OF-ARJUNO-1");
    assert_string_equal(ds->allocations[1]->offer_id, "OF-IJEN-1");
    assert_string_equal(ds->allocations[2]->offer_id, "OF-GAYO-1");
    assert_string_equal(ds->allocations[0]->id, "DEM-SBY-1/1");
    assert_int_equal(ds->allocations[0]->quantity->milli, 500000);
    assert_int_equal(ds->allocations[1]->quantity->milli, 400000);
    assert_int_equal(ds->allocations[2]->quantity->milli, 300000);
    for (size_t i = 0; i + 1 < ds->n_allocations; i++) {
        assert_true(ds->allocations[i]->landed_micro_idr <=
                    ds->allocations[i + 1]->landed_micro_idr);
    }
    assert_int_equal(ds->status,
                     RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_ALLOCATED);
    assert_int_equal(ds->remaining->milli, 0);
    assert_int_equal(ds->filled->milli, 1200000);
    assert_string_equal(ds->allocations[1]->cooperative_id, "KOP-IJEN");
}

/* The matcher feed carries the same allocations in one match_proposed. */
static void
test_matcher_feed(void **state)
{
    (void) state;
    rantai_feed_opts_t opts = {0};
    opts.from_seq = 1;
    rantai_feed_sub_t *sub =
        rantai_feed_sub_new(s_c.svc[H_MATCHER].feed, &opts);
    assert_non_null(sub);
    rantai_event_t *ev = NULL;
    rantai_reply_t *err = NULL;
    bool found = false;
    for (int i = 0; i < 50 && !found; i++) {
        int rc = rantai_feed_sub_next(sub, s_arena, 5000, &ev, &err);
        assert_int_equal(rc, 1);
        if (ev->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED) {
            found = true;
            assert_string_equal(ev->match_proposed->demand_id, "DEM-SBY-1");
            assert_int_equal(ev->match_proposed->n_allocations, 3);
            assert_string_equal(ev->match_proposed->allocations[2]->offer_id,
                                "OF-GAYO-1");
        }
    }
    assert_true(found);
    rantai_feed_sub_destroy(&sub);
}

/* Restart every service (SIGTERM for the registries, SIGKILL for the
   matcher) on the same data: state and allocations are intact. */
static void
test_restart_keeps_state(void **state)
{
    (void) state;
    Rantai__V1__DemandState *before = s_demand_state("DEM-SBY-1");
    uint64_t landed = before->allocations[0]->landed_micro_idr;
    rantai_client_destroy(&s_prod);
    rantai_client_destroy(&s_match);
    assert_int_equal(h_stop(&s_c, H_PRODUCER), 0);
    h_kill9(&s_c, H_MATCHER);
    assert_true(h_start(&s_c, H_PRODUCER));
    assert_true(h_start(&s_c, H_MATCHER));
    s_prod = h_client(&s_c, H_PRODUCER);
    s_match = h_client(&s_c, H_MATCHER);

    Rantai__V1__GetOffer go = RANTAI__V1__GET_OFFER__INIT;
    go.id = "OF-GAYO-1";
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req.get_offer = &go;
    rantai_reply_t *r = h_call(s_prod, &req, s_arena);
    assert_int_equal(r->code, 0);
    assert_int_equal(r->offer->quantity->milli, 600000);

    /* A new offer after the restart reaches the restarted matcher. */
    uint64_t pseq =
        s_put_offer("OF-ARJUNO-2", "KOP-ARJUNO-P1", 100, 91000, true);
    assert_true(h_wait_applied(&s_c, pseq, 0));
    Rantai__V1__DemandState *after = s_demand_state("DEM-SBY-1");
    assert_int_equal(after->n_allocations, 3);
    assert_int_equal(after->allocations[0]->landed_micro_idr, landed);
    assert_int_equal(after->status,
                     RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_ALLOCATED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pooled_demand),
        cmocka_unit_test(test_matcher_feed),
        cmocka_unit_test(test_restart_keeps_state),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
