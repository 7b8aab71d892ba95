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

/* The builders of matcher_fx.h, with this file's defaults: producers at
   (0,0), offers "090111" `lon` degrees east of (0,0), demands by "B1" of
   "0901" at (0,0). */
static inline void
put_producer(fx_t *f, const char *id, const char *coop, const char *prov)
{
    mfx_put_producer(f, id, coop, prov, mfx_geo(f, 0, 0));
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
    Rantai__V1__Offer *o = mfx_offer_kg(f, id, producer, kg, idr);
    o->location = mfx_geo(f, 0, lon);
    return o;
}

static inline void
put_offer(fx_t *f, Rantai__V1__Offer *o)
{
    mfx_put_offer(f, o);
}

static inline void
add_halal(fx_t *f, Rantai__V1__Offer *o)
{
    mfx_add_cert(f, o, HALAL, "H-1", 0);
}

static inline void
withdraw(fx_t *f, const char *id)
{
    mfx_withdraw(f, id, "P1");
}

static inline void
put_buyer(fx_t *f, const char *id, const char *mp)
{
    mfx_put_buyer(f, id, mp);
}

/* A demand of `kg` kilograms of "0901" delivered at (0,0), partial ok. */
static inline Rantai__V1__Demand *
mk_demand(fx_t *f, const char *id, uint64_t kg)
{
    return mfx_demand_kg(f, id, kg, 0, 0);
}

static inline void
post(fx_t *f, Rantai__V1__Demand *d)
{
    mfx_post(f, d);
}

static inline void
cancel(fx_t *f, const char *id)
{
    mfx_cancel(f, id, "B1");
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
