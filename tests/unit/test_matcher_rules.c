/*  test_matcher_rules.c - the pure rules of docs/MATCHING.md. */
#include "matcher_rules.h"
#include "rantai/codec.h"
#include "rantai/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define KG    RANTAI__V1__UNIT__UNIT_KILOGRAM
#define TONNE RANTAI__V1__UNIT__UNIT_TONNE
#define LITRE RANTAI__V1__UNIT__UNIT_LITRE
#define HALAL RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL
#define SNI   RANTAI__V1__CERTIFICATION__CERTIFICATION_SNI

static void
test_worked_example_landed(void **state)
{
    (void) state;
    uint64_t pa, pb, pc, maxp;
    rantai_dim_t dim;
    assert_int_equal(matcher_price_norm(90000, KG, &pa, &dim), 0);
    assert_int_equal(dim, RANTAI_DIM_MASS);
    assert_int_equal(matcher_price_norm(88000, KG, &pb, &dim), 0);
    assert_int_equal(matcher_price_norm(95000, KG, &pc, &dim), 0);
    assert_int_equal(matcher_price_norm(100000, KG, &maxp, &dim), 0);
    assert_true(pa == 90000000000ULL);
    assert_true(matcher_landed(pa, 2000, 100000) == 90200000000ULL);
    assert_true(matcher_landed(pb, 2000, 300000) == 88600000000ULL);
    /* 1 t = 1,000,000 milli-kg */
    uint64_t q;
    assert_int_equal(matcher_qty_norm(1000, TONNE, &q, &dim), 0);
    assert_true(q == 1000000);
    assert_int_equal(matcher_qty_norm(1000000, KG, &q, &dim), 0);
    assert_true(q == 1000000);
    /* per tonne: floor(idr x 1e6 / 1000) */
    assert_int_equal(matcher_price_norm(1999, TONNE, &q, &dim), 0);
    assert_true(q == 1999000);
    assert_int_equal(matcher_qty_norm(1, 0, &q, &dim), RANTAI_EINVAL);
    /* saturation instead of wrap-around */
    assert_true(matcher_landed(10, UINT64_MAX, 2) == UINT64_MAX);
}

static void
test_haversine(void **state)
{
    (void) state;
    assert_true(matcher_distance_m(0, 0, 0, 1) == 111195);
    assert_true(matcher_distance_m(0, 0, 90, 0) == 10007557);
    /* Jakarta (Monas) to Bandung */
    assert_true(matcher_distance_m(-6.2, 106.816666, -6.914744, 107.609810) ==
                118292);
    assert_true(matcher_distance_m(-6.2, 106.8, -6.2, 106.8) == 0);
    assert_true(matcher_distance_m(0, 0, 0, 0.899320363724538) == 100000);
    /* sin^2(dlambda/2) is one factor: cos phi1 x cos phi2 x (s2 x s2).
       Multiplying by s2 twice rounds differently; here that gives
       1982633 */
    assert_true(matcher_distance_m(8.4182871405120423, 122.39026147285023,
                                   3.0626066462428341,
                                   105.29061668489818) == 1982632);
    /* antipodes do not produce NaN */
    assert_true(matcher_distance_m(0, 0, 0, 180) > 20000000);
}

/* A pair that satisfies every rule; each test breaks one. */
static matcher_cert_t s_certs[] = {{HALAL, 0}, {SNI, 5000}};
static int s_req[] = {HALAL};
static const char *const s_prov[] = {"31", "32"};

static void
s_base(matcher_offer_view_t *o, matcher_demand_view_t *d)
{
    memset(o, 0, sizeof(*o));
    memset(d, 0, sizeof(*d));
    o->id = "A";
    o->commodity = "090111";
    o->qty_dim = RANTAI_DIM_MASS;
    o->price_dim = RANTAI_DIM_MASS;
    o->price_norm = 90000000000ULL;
    o->remaining_norm = 600000;
    o->producer_registered = true;
    o->certs = s_certs;
    o->n_certs = 2;
    o->available_from = 1000;
    o->available_until = 0;
    o->province = "32";
    d->commodity = "0901";
    d->qty_dim = RANTAI_DIM_MASS;
    d->has_max_price = true;
    d->max_price_dim = RANTAI_DIM_MASS;
    d->max_price_norm = 100000000000ULL;
    d->required_certs = s_req;
    d->n_required = 1;
    d->max_distance_km = 200;
    d->deliver_by = 4000;
    d->origin_provinces = s_prov;
    d->n_origin = 2;
}

static void
test_eligibility_rules(void **state)
{
    (void) state;
    matcher_offer_view_t o;
    matcher_demand_view_t d;
    const int64_t now = 2000;
    s_base(&o, &d);
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);

    /* 1: prefix */
    s_base(&o, &d);
    d.commodity = "0902";
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 1);
    d.commodity = "090111";
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    d.commodity = "0901112";
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 1);
    /* 2: dimensions */
    s_base(&o, &d);
    o.price_dim = RANTAI_DIM_VOLUME;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 2);
    s_base(&o, &d);
    d.qty_dim = RANTAI_DIM_VOLUME;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 2);
    s_base(&o, &d);
    d.max_price_dim = RANTAI_DIM_COUNT;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 2);
    d.has_max_price = false; /* no limit: its unit does not matter */
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    /* 3: withdrawn, producer, remaining */
    s_base(&o, &d);
    o.withdrawn = true;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 3);
    s_base(&o, &d);
    o.producer_registered = false;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 3);
    s_base(&o, &d);
    o.remaining_norm = 0;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 3);
    /* 4: price */
    s_base(&o, &d);
    o.price_norm = d.max_price_norm;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    o.price_norm = d.max_price_norm + 1;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 4);
    d.has_max_price = false;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    /* 5: certificates valid at deliver_by, or now when unset */
    s_base(&o, &d);
    int sni[] = {SNI};
    d.required_certs = sni;
    d.deliver_by = 5000;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    d.deliver_by = 5001;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 5);
    d.deliver_by = 0;
    assert_int_equal(matcher_eligible(&o, &d, 100000, 5000), 0);
    assert_int_equal(matcher_eligible(&o, &d, 100000, 5001), 5);
    s_base(&o, &d);
    o.n_certs = 0;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 5);
    /* 6: distance */
    s_base(&o, &d);
    assert_int_equal(matcher_eligible(&o, &d, 200000, now), 0);
    assert_int_equal(matcher_eligible(&o, &d, 200001, now), 6);
    d.max_distance_km = 0;
    assert_int_equal(matcher_eligible(&o, &d, 99999999, now), 0);
    /* 7: time */
    s_base(&o, &d);
    o.available_from = 4000;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    o.available_from = 4001;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 7);
    d.deliver_by = 0;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    s_base(&o, &d);
    o.available_until = now;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    o.available_until = now - 1;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 7);
    /* 8: origin provinces */
    s_base(&o, &d);
    o.province = "33";
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 8);
    d.n_origin = 0;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 0);
    /* 9: barred */
    s_base(&o, &d);
    o.barred = true;
    assert_int_equal(matcher_eligible(&o, &d, 100000, now), 9);
}

static void
test_ranking(void **state)
{
    (void) state;
    matcher_rank_key_t a = {100, 5, "B"};
    matcher_rank_key_t b = {101, 1, "A"};
    assert_true(matcher_rank_cmp(&a, &b) < 0); /* landed first */
    b.landed = 100;
    assert_true(matcher_rank_cmp(&b, &a) < 0); /* then distance */
    b.distance_m = 5;
    assert_true(matcher_rank_cmp(&b, &a) < 0); /* then id bytewise */
    matcher_rank_key_t c = {100, 5, "a"};
    matcher_rank_key_t d = {100, 5, "Z"};
    assert_true(matcher_rank_cmp(&d, &c) < 0); /* 'Z' (0x5a) < 'a' */
    matcher_rank_key_t e = {100, 5, "A"};
    matcher_rank_key_t f = {100, 5, "A."};
    assert_true(matcher_rank_cmp(&e, &f) < 0);
    assert_int_equal(matcher_rank_cmp(&e, &e), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_landed),
        cmocka_unit_test(test_haversine),
        cmocka_unit_test(test_eligibility_rules),
        cmocka_unit_test(test_ranking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
