/*  test_matcher_lifecycle.c - the matcher core on a real store
    (fixture: matcher_core_fx.h), after allocation: cancelled demands,
    the accept timeout, deliver_by expiry, idempotent re-application of
    registry events, settle order, byte-identical determinism, and who may
    see and answer what (requests and the feed filter). The allocation
    pass itself is test_matcher_core.c. */
#include "matcher_core_fx.h"

static void
test_cancel_demand(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 200));
    post(f, mk_demand(f, "E", 200));
    assert_int_equal(mfx_dstate(f, "E")->n_allocations, 0);
    assert_int_equal(mfx_respond(f, "D/1", true)->code, SC(OK));
    cancel(f, "D");
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->status, DS(CANCELLED));
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    assert_int_equal(alloc_n(st, 2)->state, ST(CANCELLED));
    /* the freed capacity goes to E */
    st = mfx_dstate(f, "E");
    assert_int_equal(st->n_allocations, 2);
    assert_int_equal(st->status, DS(ALLOCATED));
    cancel(f, "D"); /* again: nothing */
    assert_int_equal(mfx_dstate(f, "D")->n_allocations, 2);
    assert_true(mstatus(f)->live_allocations == 2);
}

static void
test_accept_timeout(void **state)
{
    fx_t *f = *state;
    matcher_core_set_accept_timeout(f->core, 1000);
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 100));
    expire_at(f, T0 + 1000);
    assert_int_equal(alloc_n(mfx_dstate(f, "D"), 1)->state, ST(PROPOSED));
    expire_at(f, T0 + 1001);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(alloc_n(st, 1)->state, ST(EXPIRED));
    /* barred from A: B instead, created at the timer's time */
    assert_int_equal(st->n_allocations, 2);
    assert_string_equal(alloc_n(st, 2)->offer_id, "B");
    assert_true(alloc_n(st, 2)->created_at == T0 + 1001);
}

static void
test_deliver_by_expiry(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 300);
    d->deliver_by = T0 + 5000;
    post(f, d);
    Rantai__V1__Demand *e = mk_demand(f, "E", 100);
    e->deliver_by = T0 + 9000;
    post(f, e);
    assert_int_equal(mfx_dstate(f, "D")->status, DS(OPEN));
    expire_at(f, T0 + 5000);
    assert_int_equal(mfx_dstate(f, "D")->status, DS(OPEN));
    expire_at(f, T0 + 5001);
    Rantai__V1__DemandState *st = mfx_dstate(f, "D");
    assert_int_equal(st->status, DS(EXPIRED));
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    /* E had been waiting for A and gets it now */
    st = mfx_dstate(f, "E");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_true(alloc_n(st, 1)->created_at == T0 + 5001);
    assert_true(mstatus(f)->open_demands == 0);
    assert_true(mstatus(f)->live_allocations == 1);
}

static void
test_idempotent_reapply(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 50);
    post(f, d);
    uint64_t h = mfx_head(f);
    /* the same demand_posted event (same seq) again */
    Rantai__V1__DemandPosted dp = RANTAI__V1__DEMAND_POSTED__INIT;
    dp.demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = &dp;
    ev.seq = f->seq[BUY];
    ev.time = f->now;
    mfx_apply_t a = {f, BUY, &ev};
    assert_int_equal(rantai_store_write(f->store, mfx_apply_cb, &a), 0);
    assert_true(mfx_head(f) == h);
    assert_int_equal(mfx_dstate(f, "D")->n_allocations, 1);
    /* and an old offer_put (seq 1) re-sent */
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    Rantai__V1__OfferPut op = RANTAI__V1__OFFER_PUT__INIT;
    op.offer = mk_offer(f, "A", "P1", 1, 10000, 0.1);
    ev.offer_put = &op;
    ev.seq = 1;
    a.source = PROD;
    assert_int_equal(rantai_store_write(f->store, mfx_apply_cb, &a), 0);
    assert_true(mfx_head(f) == h);
    assert_true(mfx_ostate(f, "A")->remaining->milli == 50000);
    assert_true(mstatus(f)->producer_seq == f->seq[PROD]);
}

static void
test_settle_order(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    /* both wait; one put makes capacity: the earlier demand gets it */
    Rantai__V1__Demand *d1 = mk_demand(f, "D1", 500);
    d1->allow_partial = false;
    post(f, d1);
    post(f, mk_demand(f, "D2", 500));
    put_offer(f, mk_offer(f, "A", "P1", 500, 10000, 0.1));
    assert_int_equal(mfx_dstate(f, "D1")->status, DS(ALLOCATED));
    assert_int_equal(mfx_dstate(f, "D2")->n_allocations, 0);

    /* taking part of an offer makes an earlier all-or-nothing demand
       feasible: it gets its allocation right after */
    Rantai__V1__Demand *d3 = mk_demand(f, "D3", 500);
    d3->allow_partial = false;
    d3->max_suppliers = 1;
    d3->commodity = "090111";
    put_offer(f, mk_offer(f, "C", "P1", 300, 1000, 0.1));   /* cheap */
    put_offer(f, mk_offer(f, "X", "P1", 1000, 90000, 0.1)); /* dear */
    /* D2 (partial) takes from C and X at once: use a fresh chain */
    cancel(f, "D2");
    assert_int_equal(mfx_dstate(f, "D2")->status, DS(CANCELLED));
    post(f, d3);
    /* C ranks first but cannot fill 500 alone; X is then skipped
       (max_suppliers): infeasible */
    assert_int_equal(mfx_dstate(f, "D3")->n_allocations, 0);
    post(f, mk_demand(f, "D4", 300));
    Rantai__V1__DemandState *st = mfx_dstate(f, "D4");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "C");
    st = mfx_dstate(f, "D3");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "X");
    assert_int_equal(st->status, DS(ALLOCATED));
    /* event order: D4's match before D3's */
    uint64_t h = mfx_head(f);
    rantai_event_t *last = mfx_event(f, h - 1);
    assert_int_equal(last->body_case, RANTAI__V1__EVENT__BODY_MATCH_PROPOSED);
    assert_string_equal(last->match_proposed->demand_id, "D3");
}

/* A fixed scenario for the determinism test. */
static void
s_scenario(fx_t *f)
{
    cfx_world(f);
    for (int i = 0; i < 8; i++) {
        char *id = rantai_arena_printf(f->arena, "O%d", i);
        Rantai__V1__Offer *o =
            mk_offer(f, id, i % 2 ? "P1" : "P2", 70 + (uint64_t) i * 13,
                     30000 + (uint64_t) (i % 3) * 1000, 0.05 * i);
        put_offer(f, o);
        f->now += 7;
    }
    for (int i = 0; i < 6; i++) {
        char *id = rantai_arena_printf(f->arena, "D%d", i);
        Rantai__V1__Demand *d = mk_demand(f, id, 90 + (uint64_t) i * 40);
        d->allow_partial = i % 2 == 0;
        d->transport_milli_idr_per_unit_km = 1000 + (uint64_t) i;
        post(f, d);
        f->now += 11;
    }
    withdraw(f, "O3");
    cancel(f, "D1");
}

static void
test_determinism(void **state)
{
    fx_t *f = *state;
    fx_t *g = NULL;
    setup((void **) &g);
    s_scenario(f);
    s_scenario(g);
    uint64_t h = mfx_head(f);
    assert_true(h > 10);
    assert_true(mfx_head(g) == h);
    rantai_txn_t *tf = NULL, *tg = NULL;
    assert_int_equal(rantai_store_read(f->store, &tf), 0);
    assert_int_equal(rantai_store_read(g->store, &tg), 0);
    for (uint64_t s = 1; s <= h; s++) {
        rantai_val_t a, b;
        assert_int_equal(rantai_evlog_get(tf, s, &a), 0);
        assert_int_equal(rantai_evlog_get(tg, s, &b), 0);
        assert_int_equal(a.size, b.size);
        assert_memory_equal(a.data, b.data, a.size);
    }
    rantai_txn_abort(&tf);
    rantai_txn_abort(&tg);
    void *gs = g;
    teardown(&gs);
}

static void
test_auth_and_filter(void **state)
{
    fx_t *f = *state;
    cfx_world(f);
    put_buyer(f, "B2", "MP2");
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P2", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 200));
    rantai_principal_t kop1 = {RANTAI_ROLE_COOPERATIVE, "KOP1"};
    rantai_principal_t kop2 = {RANTAI_ROLE_COOPERATIVE, "KOP2"};
    rantai_principal_t mp1 = {RANTAI_ROLE_MARKETPLACE, "MP1"};
    rantai_principal_t mp2 = {RANTAI_ROLE_MARKETPLACE, "MP2"};
    /* D/1 is A's (KOP1): KOP2 cannot see it, MP1 may not answer it */
    assert_int_equal(respond_as(f, &kop2, "D/1", true)->code, SC(NOT_FOUND));
    assert_int_equal(respond_as(f, &mp1, "D/1", true)->code,
                     SC(PERMISSION_DENIED));
    assert_int_equal(respond_as(f, &mp2, "D/1", true)->code, SC(NOT_FOUND));
    assert_int_equal(respond_as(f, &kop1, "D/1", true)->code, SC(OK));

    Rantai__V1__GetDemandState g = RANTAI__V1__GET_DEMAND_STATE__INIT;
    g.demand_id = "D";
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
    req.get_demand_state = &g;
    assert_int_equal(mfx_request_as(f, &mp1, &req)->code, SC(OK));
    assert_int_equal(mfx_request_as(f, &mp2, &req)->code, SC(NOT_FOUND));
    assert_int_equal(mfx_request_as(f, &kop1, &req)->code, SC(NOT_FOUND));
    g.demand_id = "no/such";
    assert_int_equal(mfx_request(f, &req)->code, SC(INVALID_ARGUMENT));
    assert_string_equal(mfx_request(f, &req)->field,
                        "get_demand_state.demand_id");
    Rantai__V1__GetOfferState go = RANTAI__V1__GET_OFFER_STATE__INIT;
    go.offer_id = "A";
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE;
    req.get_offer_state = &go;
    assert_int_equal(mfx_request_as(f, &kop1, &req)->code, SC(OK));
    assert_int_equal(mfx_request_as(f, &kop2, &req)->code, SC(NOT_FOUND));
    assert_int_equal(mfx_request_as(f, &mp1, &req)->code, SC(NOT_FOUND));
    Rantai__V1__GetOffer gx = RANTAI__V1__GET_OFFER__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req.get_offer = &gx;
    assert_int_equal(mfx_request(f, &req)->code, SC(UNIMPLEMENTED));

    /* feed: the match_proposed of D trimmed per cooperative */
    uint64_t h = mfx_head(f);
    rantai_event_t *mp = NULL;
    for (uint64_t s = h; s > 0 && mp == NULL; s--) {
        rantai_event_t *e = mfx_event(f, s);
        if (e->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED) {
            mp = e;
        }
    }
    assert_non_null(mp);
    assert_int_equal(mp->match_proposed->n_allocations, 2);
    Rantai__V1__Party party = RANTAI__V1__PARTY__INIT;
    party.kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE;
    party.id = "KOP2";
    assert_int_equal(matcher_feed_authorize(f->core, &kop2, &party), 0);
    assert_int_equal(matcher_feed_authorize(f->core, &kop1, &party),
                     RANTAI_EDENIED);
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    rantai_event_t *out = NULL;
    assert_int_equal(
        matcher_feed_filter(f->core, txn, &kop2, &party, mp, f->arena, &out),
        0);
    assert_non_null(out);
    assert_int_equal(out->match_proposed->n_allocations, 1);
    assert_string_equal(out->match_proposed->allocations[0]->offer_id, "B");
    assert_int_equal(mp->match_proposed->n_allocations, 2); /* untouched */
    party.kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE;
    party.id = "MP1";
    assert_int_equal(
        matcher_feed_filter(f->core, txn, &mp1, &party, mp, f->arena, &out), 0);
    assert_true(out == mp);
    party.id = "MP2";
    assert_int_equal(
        matcher_feed_filter(f->core, txn, &mp2, &party, mp, f->arena, &out), 0);
    assert_null(out);
    party.kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    assert_int_equal(matcher_feed_authorize(f->core, &mp1, &party),
                     RANTAI_EDENIED);
    rantai_txn_abort(&txn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cancel_demand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deliver_by_expiry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idempotent_reapply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_settle_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_and_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
