/*  test_matcher_settle.c - settling work stays bounded with many OPEN
    demands of one commodity (partial demands are checked against the
    offers an event touched instead of running full passes), and the
    clock alone re-queues all-or-nothing demands when an offer's
    eligibility ends (available_until, certificate valid_until).

    RANTAI_SETTLE_N sets the number of demands and offers of the bounded
    work test (default 2000). */
#include "matcher_fx.h"
#include "matcher_index.h"

#define KG    RANTAI__V1__UNIT__UNIT_KILOGRAM
#define HALAL RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL
#define DS(x) RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_##x
#define T0    1700000000000LL
#define HOUR  3600000LL

static void
producer(mfx_t *f)
{
    mfx_put_producer(f, "P1", "K1", "33", mfx_geo(f, -7.0, 110.0));
}

typedef struct {
    const char *id;
    uint64_t kg, idr, min_kg;
    int64_t until;       /* available_until */
    bool halal;          /* a HALAL certificate ... */
    int64_t halal_until; /* ... valid until (0 = open-ended) */
} s_offer_t;

static void
offer(mfx_t *f, const s_offer_t *x)
{
    Rantai__V1__Offer *o = mfx_offer_kg(f, x->id, "P1", x->kg, x->idr);
    if (x->min_kg > 0) {
        o->min_order = mfx_qty(f, x->min_kg * 1000, KG);
    }
    o->available_until = x->until;
    if (x->halal) {
        mfx_add_cert(f, o, HALAL, "H", x->halal_until);
    }
    mfx_put_offer(f, o);
}

static Rantai__V1__Demand *
demand(mfx_t *f, const char *id, uint64_t kg, bool partial)
{
    Rantai__V1__Demand *d = mfx_demand_kg(f, id, kg, -7.0, 110.0);
    d->allow_partial = partial;
    d->transport_milli_idr_per_unit_km = 2000;
    return d;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != 0 ? strtoull(v, NULL, 10) : dflt;
}

static matcher_pass_stats_t
stats(void)
{
    matcher_pass_stats_t s;
    matcher_pass_stats(&s);
    return s;
}

/* N OPEN partial demands of 1 kg and N offers of 10 kg with a 5 kg
   min_order: every offer is eligible for every demand and every pass
   would skip them all. Before, each new offer ran N full passes visiting
   every offer so far (N x M per event, ~N^3/2 in all); now a new offer
   costs no pass and no offer evaluation. Then an offer every demand can
   use: only the earliest demand gets it, with one pass. */
static void
test_many_open_partial_bounded(void **state)
{
    (void) state;
    int n = (int) env_u64("RANTAI_SETTLE_N", 2000);
    mfx_t *f = mfx_new(T0);
    producer(f);
    for (int i = 0; i < n; i++) {
        mfx_post(f,
                 demand(f, rantai_arena_printf(f->arena, "d%05d", i), 1, true));
        rantai_arena_reset(f->arena);
    }
    matcher_pass_stats_t s0 = stats();
    for (int i = 0; i < n; i++) {
        s_offer_t x = {.id = rantai_arena_printf(f->arena, "o%05d", i),
                       .kg = 10,
                       .idr = 90000 + (uint64_t) i,
                       .min_kg = 5};
        matcher_pass_stats_t a = stats();
        offer(f, &x);
        matcher_pass_stats_t b = stats();
        /* the work of one new offer, whatever came before it */
        assert_int_equal(b.passes - a.passes, 0);
        assert_int_equal(b.offers_evaluated - a.offers_evaluated, 0);
        assert_true(b.checks - a.checks <= (uint64_t) n);
        rantai_arena_reset(f->arena);
    }
    matcher_pass_stats_t s1 = stats();
    print_message(
        "settle: %d demands x %d offers: %llu passes, %llu offers "
        "evaluated, %llu checks for all the offers\n",
        n, n, (unsigned long long) (s1.passes - s0.passes),
        (unsigned long long) (s1.offers_evaluated - s0.offers_evaluated),
        (unsigned long long) (s1.checks - s0.checks));
    assert_int_equal(mfx_dstate(f, "d00000")->n_allocations, 0);

    /* 1 kg that anyone may take, cheapest of all: the earliest demand
       takes it; the others are checked once more and need no pass */
    s_offer_t all = {.id = "cheap", .kg = 1, .idr = 50000};
    offer(f, &all);
    matcher_pass_stats_t s2 = stats();
    assert_int_equal(s2.passes - s1.passes, 1);
    assert_true(s2.offers_evaluated - s1.offers_evaluated < 100);
    assert_int_equal(s2.check_skips - s1.check_skips, (uint64_t) n - 1);
    Rantai__V1__DemandState *st = mfx_dstate(f, "d00000");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "cheap");
    assert_int_equal(mfx_dstate(f, "d00001")->n_allocations, 0);
    mfx_destroy(f);
}

/* Partial demands that an offer's price rules out are judged against
   the new offer only, once each: no pass. */
static void
test_partial_checked_not_passed(void **state)
{
    (void) state;
    mfx_t *f = mfx_new(T0);
    producer(f);
    for (int i = 0; i < 200; i++) {
        Rantai__V1__Demand *d =
            demand(f, rantai_arena_printf(f->arena, "d%03d", i), 5, true);
        d->max_price = mfx_price(f, 80000, KG);
        mfx_post(f, d);
        rantai_arena_reset(f->arena);
    }
    for (int i = 0; i < 50; i++) {
        s_offer_t x = {.id = rantai_arena_printf(f->arena, "o%03d", i),
                       .kg = 10,
                       .idr = 90000 + (uint64_t) i};
        matcher_pass_stats_t a = stats();
        offer(f, &x);
        matcher_pass_stats_t b = stats();
        assert_int_equal(b.passes - a.passes, 0);
        assert_int_equal(b.checks - a.checks, 200);
        rantai_arena_reset(f->arena);
    }
    /* one within the limit: every demand is filled, in posting order */
    s_offer_t ok = {.id = "ok", .kg = 1000, .idr = 80000};
    offer(f, &ok);
    for (int i = 0; i < 200; i++) {
        Rantai__V1__DemandState *st =
            mfx_dstate(f, rantai_arena_printf(f->arena, "d%03d", i));
        assert_int_equal(st->status, DS(ALLOCATED));
        assert_string_equal(st->allocations[0]->offer_id, "ok");
    }
    mfx_destroy(f);
}

static bool
expiry_due(mfx_t *f)
{
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    bool due = matcher_core_expiry_due(f->core, txn, f->now);
    rantai_txn_abort(&txn);
    return due;
}

/* An all-or-nothing demand of 10 kg; A (cheap, 6 kg, eligible until
   T0 + 1 h one way or another) ranks first and takes 6 kg, B (10 kg,
   min_order 10 kg) is then skipped: nothing. Once A's eligibility ends,
   B alone fills it, with no event but the clock. */
static void
s_time_case(bool by_certificate, bool max_suppliers, bool by_tick)
{
    mfx_t *f = mfx_new(T0);
    producer(f);
    mfx_put_buyer(f, "B1", "MP1");
    s_offer_t a = {.id = "A", .kg = 6, .idr = 80000, .halal = true};
    if (by_certificate) {
        a.halal_until = T0 + HOUR;
    } else {
        a.until = T0 + HOUR;
    }
    s_offer_t b = {.id = "B",
                   .kg = 10,
                   .idr = 90000,
                   .halal = true,
                   .min_kg = max_suppliers ? 0 : 10};
    offer(f, &a);
    offer(f, &b);
    Rantai__V1__Demand *d = demand(f, "D", 10, false);
    if (max_suppliers) {
        d->max_suppliers = 1; /* A takes the one slot: B is skipped */
    }
    if (by_certificate) {
        d->n_required_certifications = 1;
        d->required_certifications =
            rantai_arena_alloc(f->arena, sizeof(Rantai__V1__Certification));
        d->required_certifications[0] = HALAL;
    }
    mfx_post(f, d);
    assert_int_equal(mfx_dstate(f, "D")->n_allocations, 0);
    f->now = T0 + HOUR; /* still eligible at exactly until */
    assert_false(expiry_due(f));
    mfx_expire(f);
    assert_int_equal(mfx_dstate(f, "D")->n_allocations, 0);
    f->now = T0 + HOUR + 1;
    if (by_tick) {
        assert_true(expiry_due(f));
        mfx_expire(f);
    } else {
        mfx_put_buyer(f, "B1",
                      "MP1"); /* any later event settles at its own time */
    }
    assert_false(expiry_due(f));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "B");
    assert_int_equal(st->allocations[0]->quantity->milli, 10000);
    assert_int_equal(st->allocations[0]->created_at, T0 + HOUR + 1);
    mfx_destroy(f);
}

static void
test_time_available_until(void **state)
{
    (void) state;
    s_time_case(false, false, true);
}

static void
test_time_certificate(void **state)
{
    (void) state;
    s_time_case(true, false, true);
}

static void
test_time_max_suppliers(void **state)
{
    (void) state;
    s_time_case(false, true, true);
}

static void
test_time_next_event(void **state)
{
    (void) state;
    s_time_case(false, false, false);
}

/* A re-put moves the time; a withdrawal forgets it. */
static void
test_time_index_follows_offer(void **state)
{
    (void) state;
    mfx_t *f = mfx_new(T0);
    producer(f);
    s_offer_t a = {.id = "A", .kg = 6, .idr = 80000, .until = T0 + HOUR};
    offer(f, &a);
    a.until = T0 + 2 * HOUR;
    offer(f, &a);
    f->now = T0 + HOUR + 1;
    assert_false(expiry_due(f));
    f->now = T0 + 2 * HOUR + 1;
    assert_true(expiry_due(f));
    f->now = T0;
    mfx_withdraw(f, "A", "P1");
    f->now = T0 + 3 * HOUR;
    assert_false(expiry_due(f));
    mfx_destroy(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_open_partial_bounded),
        cmocka_unit_test(test_partial_checked_not_passed),
        cmocka_unit_test(test_time_available_until),
        cmocka_unit_test(test_time_certificate),
        cmocka_unit_test(test_time_max_suppliers),
        cmocka_unit_test(test_time_next_event),
        cmocka_unit_test(test_time_index_follows_offer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
