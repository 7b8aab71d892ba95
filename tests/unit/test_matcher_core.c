/*  test_matcher_core.c - the matcher core on a real store: registry
    events built here and applied with matcher_core_apply() inside
    rantai_store_write(), requests through matcher_handle(). */
#include "evlog.h"
#include "matcher_core.h"
#include "rantai/err.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define KG    RANTAI__V1__UNIT__UNIT_KILOGRAM
#define HALAL RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL
#define ST(x) RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_##x
#define DS(x) RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_##x
#define SC(x) RANTAI__V1__STATUS_CODE__STATUS_CODE_##x
#define T0    1700000000000LL
#define PROD  MATCHER_SOURCE_PRODUCER
#define BUY   MATCHER_SOURCE_BUYER

/* degrees of longitude on the equator for 1, 100, 300 km */
#define KM100 0.899320363724538
#define KM300 2.697961091173614
#define KM10  0.0899320363724538

typedef struct {
    char dir[64];
    rantai_store_t *store;
    matcher_core_t *core;
    rantai_arena_t *arena;
    uint64_t seq[2];
    int64_t now;
} fx_t;

static rantai_principal_t s_admin = {RANTAI_ROLE_ADMIN, ""};

static int
setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/test_matcher_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(rantai_store_open(&f->store, f->dir, matcher_db_names,
                                       MATCHER_DB_COUNT, NULL),
                     0);
    f->core = matcher_core_new(0);
    f->arena = rantai_arena_new();
    f->now = T0;
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx_t *f = *state;
    rantai_store_destroy(&f->store);
    matcher_core_destroy(&f->core);
    rantai_arena_destroy(&f->arena);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

typedef struct {
    fx_t *f;
    int source;
    rantai_event_t *ev;
} s_apply_t;

static int
s_apply_cb(rantai_txn_t *txn, void *arg)
{
    s_apply_t *a = arg;
    return matcher_core_apply(a->f->core, txn, a->f->arena, a->source, a->ev);
}

/* Apply ev with the next seq of its source at f->now. */
static void
apply(fx_t *f, int source, rantai_event_t *ev)
{
    ev->seq = ++f->seq[source];
    ev->time = f->now;
    s_apply_t a = {f, source, ev};
    assert_int_equal(rantai_store_write(f->store, s_apply_cb, &a), 0);
}

static Rantai__V1__GeoPoint *
geo(fx_t *f, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(f->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

static Rantai__V1__Quantity *
qty(fx_t *f, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(f->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

static void
put_producer(fx_t *f, const char *id, const char *coop, const char *prov)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(f->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->cooperative_id = (char *) coop;
    p->province = (char *) prov;
    p->location = geo(f, 0, 0);
    Rantai__V1__ProducerPut *pp =
        RANTAI_ANEW(f->arena, Rantai__V1__ProducerPut);
    rantai__v1__producer_put__init(pp);
    pp->producer = p;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev.producer_put = pp;
    apply(f, PROD, &ev);
}

/* An offer of `kg` kilograms at `idr`/kg, `lon` degrees east of (0,0). */
static Rantai__V1__Offer *
mk_offer(fx_t *f,
         const char *id,
         const char *producer,
         uint64_t kg,
         uint64_t idr,
         double lon)
{
    Rantai__V1__Offer *o = RANTAI_ANEW(f->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = "090111";
    o->quantity = qty(f, kg * 1000, KG);
    Rantai__V1__Price *p = RANTAI_ANEW(f->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = KG;
    o->price = p;
    o->location = geo(f, 0, lon);
    return o;
}

static void
put_offer(fx_t *f, Rantai__V1__Offer *o)
{
    Rantai__V1__OfferPut *op = RANTAI_ANEW(f->arena, Rantai__V1__OfferPut);
    rantai__v1__offer_put__init(op);
    op->offer = o;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev.offer_put = op;
    apply(f, PROD, &ev);
}

static void
add_halal(fx_t *f, Rantai__V1__Offer *o)
{
    Rantai__V1__Certificate *c = RANTAI_ANEW(f->arena, Rantai__V1__Certificate);
    rantai__v1__certificate__init(c);
    c->scheme = HALAL;
    c->number = "H-1";
    o->certificates = rantai_arena_alloc(f->arena, sizeof(void *));
    o->certificates[0] = c;
    o->n_certificates = 1;
}

static void
withdraw(fx_t *f, const char *id)
{
    Rantai__V1__OfferWithdrawn *w =
        RANTAI_ANEW(f->arena, Rantai__V1__OfferWithdrawn);
    rantai__v1__offer_withdrawn__init(w);
    w->offer_id = (char *) id;
    w->producer_id = "P1";
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN;
    ev.offer_withdrawn = w;
    apply(f, PROD, &ev);
}

static void
put_buyer(fx_t *f, const char *id, const char *mp)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(f->arena, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = (char *) id;
    b->marketplace_id = (char *) mp;
    Rantai__V1__BuyerPut *bp = RANTAI_ANEW(f->arena, Rantai__V1__BuyerPut);
    rantai__v1__buyer_put__init(bp);
    bp->buyer = b;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_BUYER_PUT;
    ev.buyer_put = bp;
    apply(f, BUY, &ev);
}

/* A demand of `kg` kilograms of "0901" delivered at (0,0), partial ok. */
static Rantai__V1__Demand *
mk_demand(fx_t *f, const char *id, uint64_t kg)
{
    Rantai__V1__Demand *d = RANTAI_ANEW(f->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = "B1";
    d->commodity = "0901";
    d->quantity = qty(f, kg * 1000, KG);
    d->delivery = geo(f, 0, 0);
    d->allow_partial = true;
    return d;
}

static void
post(fx_t *f, Rantai__V1__Demand *d)
{
    Rantai__V1__DemandPosted *dp =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandPosted);
    rantai__v1__demand_posted__init(dp);
    dp->demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = dp;
    apply(f, BUY, &ev);
}

static void
cancel(fx_t *f, const char *id)
{
    Rantai__V1__DemandCancelled *c =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandCancelled);
    rantai__v1__demand_cancelled__init(c);
    c->demand_id = (char *) id;
    c->buyer_id = "B1";
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
    ev.demand_cancelled = c;
    apply(f, BUY, &ev);
}

/* ---- requests ---- */

typedef struct {
    fx_t *f;
    const rantai_principal_t *who;
    rantai_request_t *req;
    rantai_reply_t *reply;
} s_req_t;

static int
s_req_cb(rantai_txn_t *txn, void *arg)
{
    s_req_t *r = arg;
    rantai_ctx_t ctx = {txn, r->f->arena, r->f->now, r->who};
    rantai__v1__reply__init(r->reply);
    return matcher_handle(r->f->core, &ctx, r->req, r->reply);
}

static rantai_reply_t *
request(fx_t *f, const rantai_principal_t *who, rantai_request_t *req)
{
    s_req_t r = {f, who, req, RANTAI_ANEW(f->arena, rantai_reply_t)};
    if (matcher_is_write(req)) {
        assert_int_equal(rantai_store_write(f->store, s_req_cb, &r), 0);
    } else {
        rantai_txn_t *txn = NULL;
        assert_int_equal(rantai_store_read(f->store, &txn), 0);
        assert_int_equal(s_req_cb(txn, &r), 0);
        rantai_txn_abort(&txn);
    }
    return r.reply;
}

static Rantai__V1__DemandState *
dstate(fx_t *f, const char *id)
{
    Rantai__V1__GetDemandState g = RANTAI__V1__GET_DEMAND_STATE__INIT;
    g.demand_id = (char *) id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
    req.get_demand_state = &g;
    rantai_reply_t *r = request(f, &s_admin, &req);
    assert_int_equal(r->code, SC(OK));
    return r->demand_state;
}

static Rantai__V1__OfferState *
ostate(fx_t *f, const char *id)
{
    Rantai__V1__GetOfferState g = RANTAI__V1__GET_OFFER_STATE__INIT;
    g.offer_id = (char *) id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE;
    req.get_offer_state = &g;
    rantai_reply_t *r = request(f, &s_admin, &req);
    assert_int_equal(r->code, SC(OK));
    return r->offer_state;
}

static rantai_reply_t *
respond_as(fx_t *f, const rantai_principal_t *who, const char *id, bool accept)
{
    Rantai__V1__RespondAllocation ra = RANTAI__V1__RESPOND_ALLOCATION__INIT;
    ra.allocation_id = (char *) id;
    ra.accept = accept;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
    req.respond_allocation = &ra;
    return request(f, who, &req);
}

static rantai_reply_t *
respond(fx_t *f, const char *id, bool accept)
{
    return respond_as(f, &s_admin, id, accept);
}

static Rantai__V1__MatcherStatus *
mstatus(fx_t *f)
{
    Rantai__V1__GetMatcherStatus g = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req.get_matcher_status = &g;
    rantai_reply_t *r = request(f, &s_admin, &req);
    assert_int_equal(r->code, SC(OK));
    return r->matcher_status;
}

typedef struct {
    fx_t *f;
    int64_t now;
} s_exp_t;

static int
s_expire_cb(rantai_txn_t *txn, void *arg)
{
    s_exp_t *e = arg;
    return matcher_core_expire(e->f->core, txn, e->now, 0, NULL);
}

static void
expire_at(fx_t *f, int64_t now)
{
    s_exp_t e = {f, now};
    assert_int_equal(rantai_store_write(f->store, s_expire_cb, &e), 0);
}

static uint64_t
head(fx_t *f)
{
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    uint64_t h = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    return h;
}

/* The matcher's event at seq (decoded into the arena). */
static rantai_event_t *
event_at(fx_t *f, uint64_t seq)
{
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, seq, &v), 0);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v.data, v.size, v.size, f->arena);
    rantai_txn_abort(&txn);
    assert_non_null(ev);
    return ev;
}

static const Rantai__V1__Allocation *
alloc_n(const Rantai__V1__DemandState *st, size_t n)
{
    assert_true(st->n_allocations >= n);
    return st->allocations[n - 1];
}

/* ---- tests ---- */

static void
s_world(fx_t *f)
{
    put_producer(f, "P1", "KOP1", "32");
    put_producer(f, "P2", "KOP2", "33");
    put_buyer(f, "B1", "MP1");
}

static void
test_worked_example(void **state)
{
    fx_t *f = *state;
    s_world(f);
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

    Rantai__V1__DemandState *st = dstate(f, "D");
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

    Rantai__V1__OfferState *os = ostate(f, "A");
    assert_true(os->allocated->milli == 500000);
    assert_true(os->remaining->milli == 100000);
    assert_true(ostate(f, "C")->allocated->milli == 0);

    /* the last events: match_proposed in rank order, then ALLOCATED */
    uint64_t h = head(f);
    rantai_event_t *mpev = event_at(f, h - 1);
    assert_int_equal(mpev->body_case, RANTAI__V1__EVENT__BODY_MATCH_PROPOSED);
    assert_int_equal(mpev->match_proposed->n_allocations, 2);
    assert_string_equal(mpev->match_proposed->allocations[0]->offer_id, "B");
    assert_true(mpev->match_proposed->remaining->milli == 0);
    assert_true(mpev->time == T0 + 5);
    rantai_event_t *du = event_at(f, h);
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
    assert_int_equal(respond(f, "D/1", true)->code, SC(OK));
    assert_int_equal(dstate(f, "D")->status, DS(ALLOCATED));
    rantai_reply_t *r = respond(f, "D/2", true);
    assert_int_equal(r->code, SC(OK));
    assert_int_equal(r->allocation->state, ST(ACCEPTED));
    assert_true(r->seq > h);
    assert_int_equal(dstate(f, "D")->status, DS(FULFILLED));
    assert_int_equal(respond(f, "D/2", false)->code, SC(FAILED_PRECONDITION));
}

static void
test_pooling(void **state)
{
    fx_t *f = *state;
    s_world(f);
    char ids[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(ids[i], sizeof(ids[i]), "O%02d", i);
        put_offer(f, mk_offer(f, ids[i], "P1", 100, 50000 + (uint64_t) i, 0.1));
    }
    post(f, mk_demand(f, "D", 1000));
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(st->allocations[i]->offer_id, ids[i]);
    }
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_true(ostate(f, "O10")->allocated->milli == 0);
}

static void
test_min_order_skip(void **state)
{
    fx_t *f = *state;
    s_world(f);
    Rantai__V1__Offer *a = mk_offer(f, "A", "P1", 500, 10000, 0.1);
    a->min_order = qty(f, 300000, KG);
    put_offer(f, a);
    put_offer(f, mk_offer(f, "B", "P1", 500, 20000, 0.1));
    post(f, mk_demand(f, "D", 200));
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "B");
    /* a demand big enough takes from A */
    post(f, mk_demand(f, "E", 400));
    st = dstate(f, "E");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "A");
}

static void
test_max_suppliers(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    put_offer(f, mk_offer(f, "C", "P1", 100, 30000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 300);
    d->max_suppliers = 2;
    post(f, d);
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_string_equal(st->allocations[1]->offer_id, "B");
    assert_int_equal(st->status, DS(OPEN));
    assert_true(st->remaining->milli == 100000);
    /* more capacity on a supplier it already has is still welcome */
    put_offer(f, mk_offer(f, "A", "P1", 200, 10000, 0.1));
    st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 3);
    assert_string_equal(st->allocations[2]->offer_id, "A");
    assert_int_equal(st->status, DS(ALLOCATED));
}

static void
test_all_or_nothing(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 300, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 500);
    d->allow_partial = false;
    post(f, d);
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 0);
    assert_int_equal(st->status, DS(OPEN));
    assert_true(ostate(f, "A")->allocated->milli == 0);
    put_offer(f, mk_offer(f, "B", "P1", 300, 20000, 0.1));
    st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_true(st->allocations[0]->quantity->milli == 300000);
    assert_true(st->allocations[1]->quantity->milli == 200000);
    assert_int_equal(st->status, DS(ALLOCATED));
}

static void
test_capacity_lowered(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 1000, 10000, 0.1));
    post(f, mk_demand(f, "D1", 300));
    post(f, mk_demand(f, "D2", 300));
    post(f, mk_demand(f, "D3", 300));
    assert_int_equal(respond(f, "D1/1", true)->code, SC(OK));
    put_offer(f, mk_offer(f, "A", "P1", 500, 10000, 0.1));
    /* newest first until 900 fits in 500: D3/1 then D2/1 */
    assert_int_equal(alloc_n(dstate(f, "D3"), 1)->state, ST(CANCELLED));
    Rantai__V1__DemandState *d2 = dstate(f, "D2");
    assert_int_equal(alloc_n(d2, 1)->state, ST(CANCELLED));
    assert_int_equal(alloc_n(dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    /* the freed 200 go to the earliest demand that wants them */
    assert_int_equal(d2->n_allocations, 2);
    assert_true(alloc_n(d2, 2)->quantity->milli == 200000);
    assert_int_equal(dstate(f, "D3")->status, DS(OPEN));
    /* ACCEPTED stands even above the new capacity */
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    assert_int_equal(alloc_n(dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    assert_int_equal(alloc_n(dstate(f, "D2"), 2)->state, ST(CANCELLED));
    Rantai__V1__OfferState *os = ostate(f, "A");
    assert_true(os->allocated->milli == 300000);
    assert_true(os->remaining->milli == 0);
}

static void
test_withdraw(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 1000, 10000, 0.1));
    post(f, mk_demand(f, "D1", 300));
    post(f, mk_demand(f, "D2", 300));
    assert_int_equal(respond(f, "D1/1", true)->code, SC(OK));
    assert_int_equal(dstate(f, "D1")->status, DS(FULFILLED));
    withdraw(f, "A");
    assert_int_equal(alloc_n(dstate(f, "D1"), 1)->state, ST(ACCEPTED));
    Rantai__V1__DemandState *st = dstate(f, "D2");
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    assert_int_equal(st->status, DS(OPEN));
    Rantai__V1__OfferState *os = ostate(f, "A");
    assert_true(os->withdrawn);
    assert_true(os->remaining->milli == 0);
    assert_true(mstatus(f)->open_offers == 0);
    /* a put after withdrawal changes nothing */
    put_offer(f, mk_offer(f, "A", "P1", 5000, 10000, 0.1));
    assert_int_equal(dstate(f, "D2")->n_allocations, 1);
}

static void
test_decline_bars_and_reallocates(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P2", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 100));
    assert_string_equal(alloc_n(dstate(f, "D"), 1)->offer_id, "A");
    f->now = T0 + 1000;
    rantai_reply_t *r = respond(f, "D/1", false);
    assert_int_equal(r->code, SC(OK));
    assert_int_equal(r->allocation->state, ST(DECLINED));
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_string_equal(st->allocations[1]->offer_id, "B");
    assert_true(st->allocations[1]->created_at == T0 + 1000);
    assert_int_equal(st->status, DS(ALLOCATED));
    /* A is barred for D: declining B leaves D open, A unused */
    assert_int_equal(respond(f, "D/2", false)->code, SC(OK));
    st = dstate(f, "D");
    assert_int_equal(st->n_allocations, 2);
    assert_int_equal(st->status, DS(OPEN));
    assert_true(ostate(f, "A")->remaining->milli == 100000);
    /* but another demand may have A */
    post(f, mk_demand(f, "E", 100));
    assert_string_equal(alloc_n(dstate(f, "E"), 1)->offer_id, "A");
    assert_int_equal(respond(f, "D/1", true)->code, SC(FAILED_PRECONDITION));
    assert_int_equal(respond(f, "D/9", true)->code, SC(NOT_FOUND));
    assert_int_equal(respond(f, "D/x", true)->code, SC(INVALID_ARGUMENT));
    assert_int_equal(respond(f, "D/01", true)->code, SC(INVALID_ARGUMENT));
}

static void
test_cancel_demand(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 200));
    post(f, mk_demand(f, "E", 200));
    assert_int_equal(dstate(f, "E")->n_allocations, 0);
    assert_int_equal(respond(f, "D/1", true)->code, SC(OK));
    cancel(f, "D");
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->status, DS(CANCELLED));
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    assert_int_equal(alloc_n(st, 2)->state, ST(CANCELLED));
    /* the freed capacity goes to E */
    st = dstate(f, "E");
    assert_int_equal(st->n_allocations, 2);
    assert_int_equal(st->status, DS(ALLOCATED));
    cancel(f, "D"); /* again: nothing */
    assert_int_equal(dstate(f, "D")->n_allocations, 2);
    assert_true(mstatus(f)->live_allocations == 2);
}

static void
test_accept_timeout(void **state)
{
    fx_t *f = *state;
    matcher_core_set_accept_timeout(f->core, 1000);
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    put_offer(f, mk_offer(f, "B", "P1", 100, 20000, 0.1));
    post(f, mk_demand(f, "D", 100));
    expire_at(f, T0 + 1000);
    assert_int_equal(alloc_n(dstate(f, "D"), 1)->state, ST(PROPOSED));
    expire_at(f, T0 + 1001);
    Rantai__V1__DemandState *st = dstate(f, "D");
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
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 300);
    d->deliver_by = T0 + 5000;
    post(f, d);
    Rantai__V1__Demand *e = mk_demand(f, "E", 100);
    e->deliver_by = T0 + 9000;
    post(f, e);
    assert_int_equal(dstate(f, "D")->status, DS(OPEN));
    expire_at(f, T0 + 5000);
    assert_int_equal(dstate(f, "D")->status, DS(OPEN));
    expire_at(f, T0 + 5001);
    Rantai__V1__DemandState *st = dstate(f, "D");
    assert_int_equal(st->status, DS(EXPIRED));
    assert_int_equal(alloc_n(st, 1)->state, ST(CANCELLED));
    /* E had been waiting for A and gets it now */
    st = dstate(f, "E");
    assert_int_equal(st->status, DS(ALLOCATED));
    assert_true(alloc_n(st, 1)->created_at == T0 + 5001);
    assert_true(mstatus(f)->open_demands == 0);
    assert_true(mstatus(f)->live_allocations == 1);
}

static void
test_idempotent_reapply(void **state)
{
    fx_t *f = *state;
    s_world(f);
    put_offer(f, mk_offer(f, "A", "P1", 100, 10000, 0.1));
    Rantai__V1__Demand *d = mk_demand(f, "D", 50);
    post(f, d);
    uint64_t h = head(f);
    /* the same demand_posted event (same seq) again */
    Rantai__V1__DemandPosted dp = RANTAI__V1__DEMAND_POSTED__INIT;
    dp.demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = &dp;
    ev.seq = f->seq[BUY];
    ev.time = f->now;
    s_apply_t a = {f, BUY, &ev};
    assert_int_equal(rantai_store_write(f->store, s_apply_cb, &a), 0);
    assert_true(head(f) == h);
    assert_int_equal(dstate(f, "D")->n_allocations, 1);
    /* and an old offer_put (seq 1) re-sent */
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    Rantai__V1__OfferPut op = RANTAI__V1__OFFER_PUT__INIT;
    op.offer = mk_offer(f, "A", "P1", 1, 10000, 0.1);
    ev.offer_put = &op;
    ev.seq = 1;
    a.source = PROD;
    assert_int_equal(rantai_store_write(f->store, s_apply_cb, &a), 0);
    assert_true(head(f) == h);
    assert_true(ostate(f, "A")->remaining->milli == 50000);
    assert_true(mstatus(f)->producer_seq == f->seq[PROD]);
}

static void
test_settle_order(void **state)
{
    fx_t *f = *state;
    s_world(f);
    /* both wait; one put makes capacity: the earlier demand gets it */
    Rantai__V1__Demand *d1 = mk_demand(f, "D1", 500);
    d1->allow_partial = false;
    post(f, d1);
    post(f, mk_demand(f, "D2", 500));
    put_offer(f, mk_offer(f, "A", "P1", 500, 10000, 0.1));
    assert_int_equal(dstate(f, "D1")->status, DS(ALLOCATED));
    assert_int_equal(dstate(f, "D2")->n_allocations, 0);

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
    assert_int_equal(dstate(f, "D2")->status, DS(CANCELLED));
    post(f, d3);
    /* C ranks first but cannot fill 500 alone; X is then skipped
       (max_suppliers): infeasible */
    assert_int_equal(dstate(f, "D3")->n_allocations, 0);
    post(f, mk_demand(f, "D4", 300));
    Rantai__V1__DemandState *st = dstate(f, "D4");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "C");
    st = dstate(f, "D3");
    assert_int_equal(st->n_allocations, 1);
    assert_string_equal(st->allocations[0]->offer_id, "X");
    assert_int_equal(st->status, DS(ALLOCATED));
    /* event order: D4's match before D3's */
    uint64_t h = head(f);
    rantai_event_t *last = event_at(f, h - 1);
    assert_int_equal(last->body_case, RANTAI__V1__EVENT__BODY_MATCH_PROPOSED);
    assert_string_equal(last->match_proposed->demand_id, "D3");
}

/* A fixed scenario for the determinism test. */
static void
s_scenario(fx_t *f)
{
    s_world(f);
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
    uint64_t h = head(f);
    assert_true(h > 10);
    assert_true(head(g) == h);
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
    s_world(f);
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
    assert_int_equal(request(f, &mp1, &req)->code, SC(OK));
    assert_int_equal(request(f, &mp2, &req)->code, SC(NOT_FOUND));
    assert_int_equal(request(f, &kop1, &req)->code, SC(NOT_FOUND));
    g.demand_id = "no/such";
    assert_int_equal(request(f, &s_admin, &req)->code, SC(INVALID_ARGUMENT));
    assert_string_equal(request(f, &s_admin, &req)->field,
                        "get_demand_state.demand_id");
    Rantai__V1__GetOfferState go = RANTAI__V1__GET_OFFER_STATE__INIT;
    go.offer_id = "A";
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE;
    req.get_offer_state = &go;
    assert_int_equal(request(f, &kop1, &req)->code, SC(OK));
    assert_int_equal(request(f, &kop2, &req)->code, SC(NOT_FOUND));
    assert_int_equal(request(f, &mp1, &req)->code, SC(NOT_FOUND));
    Rantai__V1__GetOffer gx = RANTAI__V1__GET_OFFER__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req.get_offer = &gx;
    assert_int_equal(request(f, &s_admin, &req)->code, SC(UNIMPLEMENTED));

    /* feed: the match_proposed of D trimmed per cooperative */
    uint64_t h = head(f);
    rantai_event_t *mp = NULL;
    for (uint64_t s = h; s > 0 && mp == NULL; s--) {
        rantai_event_t *e = event_at(f, s);
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
        cmocka_unit_test_setup_teardown(test_worked_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pooling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_order_skip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_suppliers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity_lowered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decline_bars_and_reallocates,
                                        setup, teardown),
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
