/*  matcher_fx.h - a matcher core on a real store in a mkdtemp directory,
    for the core and engine tests (property, replay, explain): apply
    registry events with controlled seq/time, run requests and timers.
   Header-only, static functions; include once per test program after cmocka.h.
 */
#ifndef MATCHER_FX_H
#define MATCHER_FX_H

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

typedef struct {
    char dir[64];
    rantai_store_t *store;
    matcher_core_t *core;
    rantai_arena_t *arena;
    uint64_t seq[2];
    int64_t now;
} mfx_t;

static rantai_principal_t mfx_admin = {RANTAI_ROLE_ADMIN, ""};

static inline mfx_t *
mfx_new(int64_t now)
{
    mfx_t *f = calloc(1, sizeof(*f));
    /* tmpfs when there is one: every write is fsynced */
    strcpy(f->dir, access("/dev/shm", W_OK) == 0
                       ? "/dev/shm/test_mengine_XXXXXX"
                       : "/tmp/test_mengine_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(rantai_store_open(&f->store, f->dir, matcher_db_names,
                                       MATCHER_DB_COUNT, NULL),
                     0);
    f->core = matcher_core_new(0);
    f->arena = rantai_arena_new();
    f->now = now;
    return f;
}

static inline void
mfx_destroy(mfx_t *f)
{
    rantai_store_destroy(&f->store);
    matcher_core_destroy(&f->core);
    rantai_arena_destroy(&f->arena);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
}

typedef struct {
    mfx_t *f;
    int source;
    rantai_event_t *ev;
} mfx_apply_t;

static inline int
mfx_apply_cb(rantai_txn_t *txn, void *arg)
{
    mfx_apply_t *a = arg;
    return matcher_core_apply(a->f->core, txn, a->f->arena, a->source, a->ev);
}

/* A recording of everything a test fed the core, for replays. */
typedef struct {
    int kind; /* 0 registry event, 1 respond, 2 expire */
    int source;
    void *bytes; /* packed Event (malloc) */
    size_t len;
    char id[48];
    bool accept;
    int64_t now;
} mfx_rec_t;

static mfx_rec_t *mfx_log;
static size_t mfx_nlog, mfx_caplog;
static bool mfx_recording;

static inline mfx_rec_t *
mfx_rec(int kind, int64_t now)
{
    if (mfx_nlog == mfx_caplog) {
        mfx_caplog = mfx_caplog == 0 ? 1024 : 2 * mfx_caplog;
        mfx_log = realloc(mfx_log, mfx_caplog * sizeof(*mfx_log));
        assert_non_null(mfx_log);
    }
    mfx_rec_t *r = &mfx_log[mfx_nlog++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->now = now;
    return r;
}

static inline void
mfx_log_free(void)
{
    for (size_t i = 0; i < mfx_nlog; i++) {
        free(mfx_log[i].bytes);
    }
    free(mfx_log);
    mfx_log = NULL;
    mfx_nlog = mfx_caplog = 0;
}

/* Apply ev with the next seq of its source at f->now. */
static inline void
mfx_apply(mfx_t *f, int source, rantai_event_t *ev)
{
    ev->seq = ++f->seq[source];
    ev->time = f->now;
    if (mfx_recording) {
        mfx_rec_t *r = mfx_rec(0, f->now);
        r->source = source;
        size_t len;
        void *p = rantai_encode(&ev->base, f->arena, &len);
        r->bytes = malloc(len + 1);
        memcpy(r->bytes, p, len);
        r->len = len;
    }
    mfx_apply_t a = {f, source, ev};
    assert_int_equal(rantai_store_write(f->store, mfx_apply_cb, &a), 0);
}

static inline Rantai__V1__GeoPoint *
mfx_geo(mfx_t *f, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(f->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

static inline Rantai__V1__Quantity *
mfx_qty(mfx_t *f, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(f->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

static inline Rantai__V1__Price *
mfx_price(mfx_t *f, uint64_t idr, int per)
{
    Rantai__V1__Price *p = RANTAI_ANEW(f->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = (Rantai__V1__Unit) per;
    return p;
}

/* Append a certificate to o (the arrays live in f->arena). */
static inline void
mfx_add_cert(mfx_t *f,
             Rantai__V1__Offer *o,
             int scheme,
             const char *number,
             int64_t valid_until)
{
    Rantai__V1__Certificate *c = RANTAI_ANEW(f->arena, Rantai__V1__Certificate);
    rantai__v1__certificate__init(c);
    c->scheme = (Rantai__V1__Certification) scheme;
    c->number = (char *) number;
    c->valid_until = valid_until;
    Rantai__V1__Certificate **v =
        rantai_arena_alloc(f->arena, (o->n_certificates + 1) * sizeof(*v));
    for (size_t i = 0; i < o->n_certificates; i++) {
        v[i] = o->certificates[i];
    }
    v[o->n_certificates] = c;
    o->certificates = v;
    o->n_certificates++;
}

/* ---- registry events, applied with mfx_apply from their source ---- */

/* Put a producer; loc may be NULL (no location). */
static inline void
mfx_put_producer(mfx_t *f,
                 const char *id,
                 const char *coop,
                 const char *prov,
                 Rantai__V1__GeoPoint *loc)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(f->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->cooperative_id = (char *) coop;
    p->province = (char *) prov;
    p->location = loc;
    Rantai__V1__ProducerPut *pp =
        RANTAI_ANEW(f->arena, Rantai__V1__ProducerPut);
    rantai__v1__producer_put__init(pp);
    pp->producer = p;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev.producer_put = pp;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

/* An offer of `kg` kilograms of "090111" at `idr` per kilogram, with no
   location; the caller adds the rest and puts it with mfx_put_offer. */
static inline Rantai__V1__Offer *
mfx_offer_kg(
    mfx_t *f, const char *id, const char *producer, uint64_t kg, uint64_t idr)
{
    Rantai__V1__Offer *o = RANTAI_ANEW(f->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = "090111";
    o->quantity = mfx_qty(f, kg * 1000, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    o->price = mfx_price(f, idr, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    return o;
}

static inline void
mfx_put_offer(mfx_t *f, Rantai__V1__Offer *o)
{
    Rantai__V1__OfferPut *op = RANTAI_ANEW(f->arena, Rantai__V1__OfferPut);
    rantai__v1__offer_put__init(op);
    op->offer = o;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev.offer_put = op;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

static inline void
mfx_withdraw(mfx_t *f, const char *offer_id, const char *producer_id)
{
    Rantai__V1__OfferWithdrawn *w =
        RANTAI_ANEW(f->arena, Rantai__V1__OfferWithdrawn);
    rantai__v1__offer_withdrawn__init(w);
    w->offer_id = (char *) offer_id;
    w->producer_id = (char *) producer_id;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN;
    ev.offer_withdrawn = w;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

static inline void
mfx_put_buyer(mfx_t *f, const char *id, const char *marketplace)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(f->arena, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = (char *) id;
    b->marketplace_id = (char *) marketplace;
    Rantai__V1__BuyerPut *bp = RANTAI_ANEW(f->arena, Rantai__V1__BuyerPut);
    rantai__v1__buyer_put__init(bp);
    bp->buyer = b;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_BUYER_PUT;
    ev.buyer_put = bp;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

/* A demand by "B1" of `kg` kilograms of "0901" delivered at (lat, lon),
   partial allowed; the caller adds the rest and posts it with mfx_post. */
static inline Rantai__V1__Demand *
mfx_demand_kg(mfx_t *f, const char *id, uint64_t kg, double lat, double lon)
{
    Rantai__V1__Demand *d = RANTAI_ANEW(f->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = "B1";
    d->commodity = "0901";
    d->quantity = mfx_qty(f, kg * 1000, RANTAI__V1__UNIT__UNIT_KILOGRAM);
    d->delivery = mfx_geo(f, lat, lon);
    d->allow_partial = true;
    return d;
}

static inline void
mfx_post(mfx_t *f, Rantai__V1__Demand *d)
{
    Rantai__V1__DemandPosted *dp =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandPosted);
    rantai__v1__demand_posted__init(dp);
    dp->demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = dp;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

static inline void
mfx_cancel(mfx_t *f, const char *demand_id, const char *buyer_id)
{
    Rantai__V1__DemandCancelled *c =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandCancelled);
    rantai__v1__demand_cancelled__init(c);
    c->demand_id = (char *) demand_id;
    c->buyer_id = (char *) buyer_id;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
    ev.demand_cancelled = c;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

typedef struct {
    mfx_t *f;
    const rantai_principal_t *who;
    rantai_request_t *req;
    rantai_reply_t *reply;
} mfx_req_t;

static inline int
mfx_req_cb(rantai_txn_t *txn, void *arg)
{
    mfx_req_t *r = arg;
    rantai_ctx_t ctx = {txn, r->f->arena, r->f->now, r->who};
    rantai__v1__reply__init(r->reply);
    return matcher_handle(r->f->core, &ctx, r->req, r->reply);
}

/* Run req as `who`, in a write txn when it is a write. */
static inline rantai_reply_t *
mfx_request_as(mfx_t *f, const rantai_principal_t *who, rantai_request_t *req)
{
    mfx_req_t r = {f, who, req, RANTAI_ANEW(f->arena, rantai_reply_t)};
    if (matcher_is_write(req)) {
        assert_int_equal(rantai_store_write(f->store, mfx_req_cb, &r), 0);
    } else {
        rantai_txn_t *txn = NULL;
        assert_int_equal(rantai_store_read(f->store, &txn), 0);
        assert_int_equal(mfx_req_cb(txn, &r), 0);
        rantai_txn_abort(&txn);
    }
    return r.reply;
}

static inline rantai_reply_t *
mfx_request(mfx_t *f, rantai_request_t *req)
{
    return mfx_request_as(f, &mfx_admin, req);
}

static inline Rantai__V1__DemandState *
mfx_dstate(mfx_t *f, const char *id)
{
    Rantai__V1__GetDemandState g = RANTAI__V1__GET_DEMAND_STATE__INIT;
    g.demand_id = (char *) id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
    req.get_demand_state = &g;
    rantai_reply_t *r = mfx_request(f, &req);
    assert_int_equal(r->code, RANTAI__V1__STATUS_CODE__STATUS_CODE_OK);
    return r->demand_state;
}

static inline Rantai__V1__OfferState *
mfx_ostate(mfx_t *f, const char *id)
{
    Rantai__V1__GetOfferState g = RANTAI__V1__GET_OFFER_STATE__INIT;
    g.offer_id = (char *) id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE;
    req.get_offer_state = &g;
    rantai_reply_t *r = mfx_request(f, &req);
    assert_int_equal(r->code, RANTAI__V1__STATUS_CODE__STATUS_CODE_OK);
    return r->offer_state;
}

static inline rantai_reply_t *
mfx_respond(mfx_t *f, const char *id, bool accept)
{
    if (mfx_recording) {
        mfx_rec_t *r = mfx_rec(1, f->now);
        snprintf(r->id, sizeof(r->id), "%s", id);
        r->accept = accept;
    }
    Rantai__V1__RespondAllocation ra = RANTAI__V1__RESPOND_ALLOCATION__INIT;
    ra.allocation_id = (char *) id;
    ra.accept = accept;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
    req.respond_allocation = &ra;
    return mfx_request(f, &req);
}

typedef struct {
    mfx_t *f;
    int64_t now;
} mfx_exp_t;

static inline int
mfx_expire_cb(rantai_txn_t *txn, void *arg)
{
    mfx_exp_t *e = arg;
    size_t done = 0;
    int rc;
    do {
        rc = matcher_core_expire(e->f->core, txn, e->now, 0, &done);
    } while (rc == 0 && done == 1000);
    return rc;
}

static inline void
mfx_expire(mfx_t *f)
{
    if (mfx_recording) {
        mfx_rec(2, f->now);
    }
    mfx_exp_t e = {f, f->now};
    assert_int_equal(rantai_store_write(f->store, mfx_expire_cb, &e), 0);
}

static inline uint64_t
mfx_head(mfx_t *f)
{
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    uint64_t h = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    return h;
}

/* The raw bytes of the matcher's event at seq, copied into the arena. */
static inline void *
mfx_event_raw(mfx_t *f, uint64_t seq, size_t *len)
{
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, seq, &v), 0);
    void *p = rantai_arena_alloc(f->arena, v.size + 1);
    memcpy(p, v.data, v.size);
    *len = v.size;
    rantai_txn_abort(&txn);
    return p;
}

static inline rantai_event_t *
mfx_event(mfx_t *f, uint64_t seq)
{
    size_t len;
    void *p = mfx_event_raw(f, seq, &len);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, p, len, len + 1, f->arena);
    assert_non_null(ev);
    return ev;
}

#endif
