/*  test_matcher_core.c - the matcher core on a real store: registry
    events built here (matcher_core_fx.h) and applied with
    matcher_core_apply() inside rantai_store_write(), requests through
    matcher_handle(). This program: the allocation pass (ranking,
    pooling, min_order, max_suppliers, all-or-nothing, capacity changes,
    withdrawal, declines). Cancels, timers, replays, determinism and
    authorization are test_matcher_lifecycle.c. */
#include "matcher_core_fx.h"

static void
test_worked_example(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    Rantai__V1__Offer *a = mk_offer(f, "A", "P1", 600, 90000, KM100);
    Rantai__V1__Offer *b = mk_offer(f, "B", "P2", 500, 88000, KM300);
    Rantai__V1__Offer *c = mk_offer(f, "C", "P1", 2000, 95000, KM10);
    add_halal(f, a);
    add_halal(f, b);
    put_offer(f, a);
    put_offer(f, b);
    put_offer(f, c);
    Rantai__V1__Demand *d = mk_demand(f, "D", 1000);
    Rantai__V1__Price mp = RANTAI__V1__PRICE__INIT;
    mp.idr = 100000;
    mp.per = KG;
    d->max_price = &mp;
    Rantai__V1__Certification req[] = {HALAL};
    d->required_certifications = req;
    d->n_required_certifications = 1;
    d->transport_milli_idr_per_unit_km = 2000;
    f->now = T0 + 5;
    post(f, d);

    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_int_equal(st->n_allocations, 2);
    const Rantai__V1__Allocation *d1 = alloc_n(st, 1);
    const Rantai__V1__Allocation *d2 = alloc_n(st, 2);
    assert_string_equal(d1->id, "D/1");
    assert_string_equal(d1->offer_id, "B");
    assert_true(d1->quantity->milli == 500000);
    assert_int_equal(d1->quantity->unit, KG);
    assert_true(d1->landed_micro_idr == 88600000000ULL);
    assert_true(d1->distance_m == 300000);
    assert_string_equal(d1->cooperative_id, "KOP2");
    assert_true(d1->price->idr == 88000);
    assert_true(d1->created_at == T0 + 5);
    assert_int_equal(d1->state, ST(PROPOSED));
    assert_string_equal(d2->id, "D/2");
    assert_string_equal(d2->offer_id, "A");
    assert_true(d2->quantity->milli == 500000);
    assert_true(d2->landed_micro_idr == 90200000000ULL);
    assert_true(st->remaining->milli == 0);
    assert_true(st->filled->milli == 1000000);

    Rantai__V1__OfferState *os = mfx_ostate(f, "A");
    assert_true(os->allocated->milli == 500000);
    assert_true(os->remaining->milli == 100000);
    assert_true(mfx_ostate(f, "C")->allocated->milli == 0);

    /* the last events: match_proposed in rank order, then ALLOCATED */
    uint64_t h = mfx_head(f);
    rantai_event_t *mpev = mfx_event(f, h - 1);
    assert_int_equal(mpev->body_case, RANTAI__V1__EVENT__BODY_MATCH_PROPOSED);
    assert_int_equal(mpev->match_proposed->n_allocations, 2);
    assert_string_equal(mpev->match_proposed->allocations[0]->offer_id, "B");
    assert_true(mpev->match_proposed->remaining->milli == 0);
    assert_true(mpev->time == T0 + 5);
    rantai_event_t *du = mfx_event(f, h);
    assert_int_equal(du->body_case, RANTAI__V1__EVENT__BODY_DEMAND_UPDATED);
    assert_int_equal(du->demand_updated->status, DS(ALLOCATED));

    Rantai__V1__MatcherStatus *ms = mstatus(f);
    assert_true(ms->open_offers == 3);
    assert_true(ms->open_demands == 0);
    assert_true(ms->live_allocations == 2);
    assert_true(ms->producer_seq == 5);
    assert_true(ms->buyer_seq == 2);
    assert_true(ms->head_seq == h);

    /* accepting both fulfils the demand */
    assert_int_equal(mfx_respond(f, "D/1", true)->code, SC(OK));
    assert_int_equal(mfx_dstate(f, "D")->status, DS(ALLOCATED));
    rantai_reply_t *r = mfx_respond(f, "D/2", true);
    assert_int_equal(r->code, SC(OK));
    assert_int_equal(r->allocation->state, ST(ACCEPTED));
    assert_true(r->seq > h);
    assert_int_equal(mfx_dstate(f, "D")->status, DS(FULFILLED));
    assert_int_equal(mfx_respond(f, "D/2", false)->code,
                     SC(FAILED_PRECONDITION));
}

static void
test_pooling(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    char ids[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(ids[i], sizeof(ids[i]), "O%02d", i);
        put_offer(f, mk_offer(f, ids[i], "P1", 100, 50000 + (uint64_t) i, 0.1));
    }
    post(f, mk_demand(f, "D", 1000));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(st->allocations[i]->offer_id, ids[i]);
    }
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_true(mfx_ostate(f, "O10")->allocated->milli == 0);
}

static void
test_min_order_skip(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    Rantai__V1__Offer *a = mk_offer(f, "A", "P1", 500, 10000, 0.1);
    a->min_order = mfx_qty(f, 300000, KG);
    put_offer(f, a);
    put_offer(f, mk_offer(f, "B", "P1", 500, 20000, 0.1));
    post(f, mk_demand(f, "D", 200));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "B");
    /* a demand big enough takes from A */
    post(f, mk_demand(f, "E", 400));
    st = mfx_dstate(f, "E");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "A");
}

static void
test_max_suppliers(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    put_offer(f, mk_offer(f, "C", "P1", 100, 30000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 300);
    d->max_suppliers = 2;
    post(f, d);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_string_equal(st->allocations[1]->offer_id, "B");
    assert_int_equal(st->status, DS(OPEN));
    assert_true(st->remaining->milli == 100000);
    /* more capacity on a supplier it already has is still welcome */
    put_offer(f, mk_offer(f, "A", "P1", 200, 10000, 0.1));
    st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 3);
    assert_string_equal(st->allocations[2]->offer_id, "A");
    assert_int_equal(st->status, DS(ALLOCATED));
}

static void
test_all_or_nothing(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 300, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 500);
    d->allow_partial = false;
    post(f, d);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 0);
    assert_int_equal(st->status, DS(OPEN));
    assert_true(mfx_ostate(f, "A")->allocated->milli == 0);
    put_offer(f, mk_offer(f, "B", "P1", 300, 20000, 0.1));
    st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_true(st->allocations[0]->quantity->milli == 300000);
    assert_true(st->allocations[1]->quantity->milli == 200000);
    assert_int_equal(st->status, DS(ALLOCATED));
}

static void
test_capacity_lowered(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 1000, 10000, 0.1));
    post(f, mk_demand(f, "D1", 300));
    post(f, mk_demand(f, "D2", 300));
    post(f, mk_demand(f, "D3", 300));
    assert_int_equal(mfx_respond(f, "D1/1", true)->code, SC(OK));
    put_offer(f, mk_offer(f, "A", "P1", 500, 10000, 0.1));
    /* newest first until 900 fits in 500: D3/1 then D2/1 */
    assert_int_equal(alloc_n(mfx_dstate(f, "D3"), 1)->state, ST(CANCELLED));
    Rantai__V1__DemandState *d2 = mfx_dstate(f, "D2");
    assert_int_equal(alloc_n(d2, 1)->state, ST(CANCELLED));
    assert_int_equal(alloc_n(mfx_dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    /* the freed 200 go to the earliest demand that wants them */
    assert_int_equal(d2->n_allocations, 2);
    assert_true(alloc_n(d2, 2)->quantity->milli == 200000);
    assert_int_equal(mfx_dstate(f, "D3")->status, DS(OPEN));
    /* ACCEPTED stands even above the new capacity */
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    assert_int_equal(alloc_n(mfx_dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    assert_int_equal(alloc_n(mfx_dstate(f, "D2"), 2)->state, ST(CANCELLED));
    Rantai__V1__OfferState *os = mfx_ostate(f, "A");
    assert_true(os->allocated->milli == 300000);
    assert_true(os->remaining->milli == 0);
}

static void
test_withdraw(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 1000, 10000, 0.1));
    post(f, mk_demand(f, "D1", 300));
    post(f, mk_demand(f, "D2", 300));
    assert_int_equal(mfx_respond(f, "D1/1", true)->code, SC(OK));
    assert_int_equal(mfx_dstate(f, "D1")->status, DS(FULFILLED));
    withdraw(f, "A");
    assert_int_equal(alloc_n(mfx_dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D2");
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    assert_int_equal(st->status, DS(OPEN));
    Rantai__V1__OfferState *os = mfx_ostate(f, "A");
    assert_true(os->withdrawn);
    assert_true(os->remaining->milli == 0);
    assert_true(mstatus(f)->open_offers == 0);
    /* a put after withdrawal changes nothing */
    put_offer(f, mk_offer(f, "A", "P1", 5000, 10000, 0.1));
    assert_int_equal(mfx_dstate(f, "D2")->n_allocations, 1);
}

static void
test_decline_bars_and_reallocates(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P2", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 100));
    assert_string_equal(alloc_n(mfx_dstate(f, "D"), 1)->offer_id, "A");
    f->now = T0 + 1000;
    rantai_reply_t *r = mfx_respond(f, "D/1", false);
    assert_int_equal(r->code, SC(OK));
    assert_int_equal(r->allocation->state, ST(DECLINED));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_string_equal(st->allocations[1]->offer_id, "B");
    assert_true(st->allocations[1]->created_at == T0 + 1000);
    assert_int_equal(st->status, DS(ALLOCATED));
    /* A is barred for D: declining B leaves D open, A unused */
    assert_int_equal(mfx_respond(f, "D/2", false)->code, SC(OK));
    st = mfx_dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_int_equal(st->status, DS(OPEN));
    assert_true(mfx_ostate(f, "A")->remaining->milli == 100000);
    /* but another demand may have A */
    post(f, mk_demand(f, "E", 100));
    assert_string_equal(alloc_n(mfx_dstate(f, "E"), 1)->offer_id, "A");
    assert_int_equal(mfx_respond(f, "D/1", true)->code,
                     SC(FAILED_PRECONDITION));
    assert_int_equal(mfx_respond(f, "D/9", true)->code, SC(NOT_FOUND));
    assert_int_equal(mfx_respond(f, "D/x", true)->code, SC(INVALID_ARGUMENT));
    assert_int_equal(mfx_respond(f, "D/01", true)->code, SC(INVALID_ARGUMENT));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_worked_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pooling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_order_skip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_suppliers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity_lowered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decline_bars_and_reallocates,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
