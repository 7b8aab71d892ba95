/*  matcher_core_fx.h - the fixture of the matcher core tests
    (test_matcher_core.c, test_matcher_lifecycle.c) on top of matcher_fx.h:
    a fresh store per test at T0, registry events built here (producers
    P1/P2, buyer B1, offers of "090111" in kilograms along the equator,
    demands of "0901" delivered at (0,0)), requests as any principal.
    Header-only, static inline functions; include once per test program. */
#ifndef MATCHER_CORE_FX_H
#define MATCHER_CORE_FX_H

#include "matcher_fx.h"

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

typedef mfx_t fx_t;

static inline int
setup(void **state)
{
    *state = mfx_new(T0);
    return 0;
}

static inline int
teardown(void **state)
{
    mfx_destroy(*state);
    return 0;
}

static inline void
put_producer(fx_t *f, const char *id, const char *coop, const char *prov)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(f->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->cooperative_id = (char *) coop;
    p->province = (char *) prov;
    p->location = mfx_geo(f, 0, 0);
    Rantai__V1__ProducerPut *pp =
        RANTAI_ANEW(f->arena, Rantai__V1__ProducerPut);
    rantai__v1__producer_put__init(pp);
    pp->producer = p;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev.producer_put = pp;
    mfx_apply(f, PROD, &ev);
}

/* An offer of `kg` kilograms at `idr`/kg, `lon` degrees east of (0,0). */
static inline Rantai__V1__Offer *
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
    o->quantity = mfx_qty(f, kg * 1000, KG);
    Rantai__V1__Price *p = RANTAI_ANEW(f->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = KG;
    o->price = p;
    o->location = mfx_geo(f, 0, lon);
    return o;
}

static inline void
put_offer(fx_t *f, Rantai__V1__Offer *o)
{
    Rantai__V1__OfferPut *op = RANTAI_ANEW(f->arena, Rantai__V1__OfferPut);
    rantai__v1__offer_put__init(op);
    op->offer = o;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev.offer_put = op;
    mfx_apply(f, PROD, &ev);
}

static inline void
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

static inline void
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
    mfx_apply(f, PROD, &ev);
}

static inline void
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
    mfx_apply(f, BUY, &ev);
}

/* A demand of `kg` kilograms of "0901" delivered at (0,0), partial ok. */
static inline Rantai__V1__Demand *
mk_demand(fx_t *f, const char *id, uint64_t kg)
{
    Rantai__V1__Demand *d = RANTAI_ANEW(f->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = "B1";
    d->commodity = "0901";
    d->quantity = mfx_qty(f, kg * 1000, KG);
    d->delivery = mfx_geo(f, 0, 0);
    d->allow_partial = true;
    return d;
}

static inline void
post(fx_t *f, Rantai__V1__Demand *d)
{
    Rantai__V1__DemandPosted *dp =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandPosted);
    rantai__v1__demand_posted__init(dp);
    dp->demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = dp;
    mfx_apply(f, BUY, &ev);
}

static inline void
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
    mfx_apply(f, BUY, &ev);
}

static inline rantai_reply_t *
respond_as(fx_t *f, const rantai_principal_t *who, const char *id, bool accept)
{
    Rantai__V1__RespondAllocation ra = RANTAI__V1__RESPOND_ALLOCATION__INIT;
    ra.allocation_id = (char *) id;
    ra.accept = accept;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
    req.respond_allocation = &ra;
    return mfx_request_as(f, who, &req);
}

static inline Rantai__V1__MatcherStatus *
mstatus(fx_t *f)
{
    Rantai__V1__GetMatcherStatus g = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req.get_matcher_status = &g;
    rantai_reply_t *r = mfx_request(f, &req);
    assert_int_equal(r->code, SC(OK));
    return r->matcher_status;
}

typedef struct {
    fx_t *f;
    int64_t now;
} cfx_exp_t;

static inline int
cfx_expire_cb(rantai_txn_t *txn, void *arg)
{
    cfx_exp_t *e = arg;
    return matcher_core_expire(e->f->core, txn, e->now, 0, NULL);
}

static inline void
expire_at(fx_t *f, int64_t now)
{
    cfx_exp_t e = {f, now};
    assert_int_equal(rantai_store_write(f->store, cfx_expire_cb, &e), 0);
}

static inline const Rantai__V1__Allocation *
alloc_n(const Rantai__V1__DemandState *st, size_t n)
{
    assert_true(st->n_allocations >= n);
    return st->allocations[n - 1];
}

static inline void
cfx_world(fx_t *f)
{
    put_producer(f, "P1", "KOP1", "32");
    put_producer(f, "P2", "KOP2", "33");
    put_buyer(f, "B1", "MP1");
}

#endif
