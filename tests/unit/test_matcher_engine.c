/*  test_matcher_engine.c - the candidate index (cell distance bound,
    restart without rebuild, same allocations as the scan) and the
    explanation of unfilled demands in GetDemandState. */
#include "matcher_fx.h"
#include "matcher_index.h"
#include "matcher_rules.h"

#include <math.h>

#define KG    RANTAI__V1__UNIT__UNIT_KILOGRAM
#define HALAL RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL
#define DS(x) RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_##x
#define T0    1700000000000LL

static uint64_t s_rng = 42;

static double
rf(double lo, double hi)
{
    s_rng = s_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (double) (s_rng >> 11) / 9007199254740992.0;
}

/* The bound never exceeds the spec distance to any point of the cell,
   including its corners and edges, near and far, across the antimeridian
   and near the poles. */
static void
test_cell_bound(void **state)
{
    (void) state;
    for (int i = 0; i < 200000; i++) {
        double lat = i % 10 == 0 ? rf(-89.9, 89.9) : rf(-12, 8);
        double lon = i % 10 == 0 ? rf(-180, 180) : rf(94, 142);
        double plat = i % 3 == 0 ? lat + rf(-3, 3) : rf(-89.9, 89.9);
        double plon = i % 3 == 0 ? lon + rf(-3, 3) : rf(-180, 180);
        if (plat > 90 || plat < -90 || plon > 180 || plon < -180) {
            continue;
        }
        if (i % 7 == 0) {
            /* exactly on a cell corner */
            plat = floor(plat);
            plon = floor(plon);
        }
        uint32_t cell = matcher_cell_of(plat, plon);
        uint64_t lb = matcher_cell_min_distance_m(cell, lat, lon);
        uint64_t d = matcher_distance_m(plat, plon, lat, lon);
        if (lb > d) {
            fail_msg("bound %llu > distance %llu: point %.9f,%.9f delivery "
                     "%.9f,%.9f",
                     (unsigned long long) lb, (unsigned long long) d, plat,
                     plon, lat, lon);
        }
    }
    /* and it is a useful bound: 3 cells away is far */
    assert_true(matcher_cell_min_distance_m(matcher_cell_of(-6.5, 110.5), -6.5,
                                            107.5) > 200000);
    assert_int_equal(
        matcher_cell_min_distance_m(matcher_cell_of(-6.5, 110.5), -6.5, 110.5),
        0);
}

/* ---- registry events ---- */

static void
producer(mfx_t *f, const char *id, double lat, double lon)
{
    mfx_put_producer(f, id, "K1", "33", mfx_geo(f, lat, lon));
}

static void
offer(mfx_t *f,
      const char *id,
      uint64_t kg,
      uint64_t idr,
      double lat,
      double lon,
      bool halal)
{
    Rantai__V1__Offer *o = mfx_offer_kg(f, id, "P1", kg, idr);
    o->location = mfx_geo(f, lat, lon);
    if (halal) {
        mfx_add_cert(f, o, HALAL, "H", 0);
    }
    mfx_put_offer(f, o);
}

static Rantai__V1__Demand *
demand(mfx_t *f, const char *id, uint64_t kg)
{
    Rantai__V1__Demand *d = mfx_demand_kg(f, id, kg, -7.0, 110.0);
    d->transport_milli_idr_per_unit_km = 2000;
    return d;
}

/* The example: 3 offers of 0901 within 500 km; 2 lack HALAL;
   1 above max price (plus one too far). */
static void
test_explanation(void **state)
{
    (void) state;
    mfx_t *f = mfx_new(T0);
    producer(f, "P1", -7.0, 110.0);
    offer(f, "A", 100, 90000, -7.0, 110.5, false);
    offer(f, "B", 100, 95000, -7.2, 110.2, false);
    offer(f, "C", 100, 120000, -7.1, 110.1, true);
    offer(f, "FAR", 100, 50000, 3.6, 98.7, true); /* Medan, ~1800 km */
    Rantai__V1__Demand *d = demand(f, "D1", 1000);
    d->max_distance_km = 500;
    d->max_price = mfx_price(f, 100000, KG);
    d->n_required_certifications = 1;
    d->required_certifications =
        rantai_arena_alloc(f->arena, sizeof(Rantai__V1__Certification));
    d->required_certifications[0] = HALAL;
    mfx_post(f, d);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D1");
    assert_int_equal(st->status, DS(OPEN));
    assert_int_equal(st->n_allocations, 0);
    const Rantai__V1__DemandExplanation *x = st->explanation;
    assert_non_null(x);
    assert_int_equal(x->candidates, 4);
    assert_int_equal(x->too_far, 1);
    assert_int_equal(x->missing_certification, 2);
    assert_int_equal(x->above_max_price, 1);
    assert_int_equal(x->eligible, 0);
    assert_int_equal(x->within_km, 500);
    assert_false(x->capped);
    assert_int_equal(x->n_missing_schemes, 1);
    assert_int_equal(x->missing_schemes[0], HALAL);
    mfx_destroy(f);
}

/* min_order and max_suppliers skips are named; a filled demand carries no
   explanation. */
static void
test_explanation_pass_skips(void **state)
{
    (void) state;
    mfx_t *f = mfx_new(T0);
    producer(f, "P1", -7.0, 110.0);
    offer(f, "A", 10, 90000, -7.0, 110.5, false);
    offer(f, "B", 10, 91000, -7.0, 110.6, false);
    offer(f, "C", 10, 92000, -7.0, 110.7, false);
    Rantai__V1__Demand *d = demand(f, "D1", 25);
    d->max_suppliers = 2;
    mfx_post(f, d);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D1");
    assert_int_equal(st->n_allocations, 2);
    assert_int_equal(st->remaining->milli, 5000);
    assert_non_null(st->explanation);
    assert_int_equal(st->explanation->supplier_limit, 1);
    mfx_post(f, demand(f, "D2", 5));
    st = mfx_dstate(f, "D2");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_null(st->explanation);
    mfx_destroy(f);
}

static void
load(mfx_t *f, const double *lat, const double *lon)
{
    producer(f, "P1", -7.0, 110.0);
    for (int i = 0; i < 60; i++) {
        char *id = rantai_arena_printf(f->arena, "o%02d", i);
        offer(f, id, 1 + (uint64_t) (i % 5), 90000 + 100 * (uint64_t) (i % 7),
              lat[i], lon[i], false);
    }
    rantai_arena_reset(f->arena);
}

/* The index lives in LMDB: a reopened store matches without a rebuild,
   and gives exactly what the old scan gives. */
static void
test_index_restart(void **state)
{
    (void) state;
    double lat[60], lon[60];
    for (int i = 0; i < 60; i++) {
        lat[i] = rf(-9, -5);
        lon[i] = rf(105, 115);
    }
    mfx_t *f = mfx_new(T0);
    load(f, lat, lon);
    rantai_store_destroy(&f->store);
    assert_int_equal(rantai_store_open(&f->store, f->dir, matcher_db_names,
                                       MATCHER_DB_COUNT, NULL),
                     0);
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    assert_int_equal(rantai_meta_u64(txn, "cidx_version"), 3);
    uint64_t n = 0;
    assert_int_equal(rantai_count(txn, MDB_CAND_IDX, &n), 0);
    rantai_txn_abort(&txn);
    assert_int_equal(n, 60);
    mfx_post(f, demand(f, "D1", 40));
    Rantai__V1__DemandState *a = mfx_dstate(f, "D1");
    assert_true(a->n_allocations > 3);

    mfx_t *g = mfx_new(T0);
    load(g, lat, lon);
    matcher_pass_use_scan(true);
    mfx_post(g, demand(g, "D1", 40));
    matcher_pass_use_scan(false);
    Rantai__V1__DemandState *b = mfx_dstate(g, "D1");
    assert_int_equal(a->n_allocations, b->n_allocations);
    for (size_t i = 0; i < a->n_allocations; i++) {
        assert_string_equal(a->allocations[i]->offer_id,
                            b->allocations[i]->offer_id);
        assert_int_equal(a->allocations[i]->quantity->milli,
                         b->allocations[i]->quantity->milli);
        assert_int_equal(a->allocations[i]->landed_micro_idr,
                         b->allocations[i]->landed_micro_idr);
    }
    /* the fully allocated offers left the index */
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    assert_int_equal(rantai_count(txn, MDB_CAND_IDX, &n), 0);
    rantai_txn_abort(&txn);
    assert_true(n < 60);
    mfx_destroy(g);
    mfx_destroy(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_bound),
        cmocka_unit_test(test_explanation),
        cmocka_unit_test(test_explanation_pass_skips),
        cmocka_unit_test(test_index_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
