/*  faults_fx.h - the load of the fault tests (test_faults.c,
    test_disk_full.c): registry requests over a grid of points (producer
    + offer, buyer + demand per pair, one commodity each), Lazy Pirate
    clients, writer threads that retry the same put until OK and record
    each acked seq, and a call that retries until a reply. Header-only,
    static inline functions; include once per test program. */
#ifndef FAULTS_FX_H
#define FAULTS_FX_H

#include "harness.h"
#include "rantai/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define FX_MAX_PAIRS 20000 /* grid points: one offer/demand pair each */
#define FX_BUYERS    4
#define FX_COOPS     3
#define FX_COOP      "KOP-0" /* the cooperative subscriber */

static inline int64_t
fx_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
fx_pause_ms(int ms)
{
    /* the length of a fault (a stopped process), not a synchronisation */
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- writes */

typedef struct {
    uint64_t prod_seq[FX_MAX_PAIRS], offer_seq[FX_MAX_PAIRS];
    uint64_t buyer_seq[FX_BUYERS], demand_seq[FX_MAX_PAIRS];
    atomic_int pairs_supply, pairs_demand; /* acked so far */
    atomic_int acked, retries_exhausted, rejected;
    atomic_bool stop;
    h_cluster_t *c;
} fx_load_t;

static inline void
fx_point(int i, Rantai__V1__GeoPoint *at)
{
    /* 0.05 degree apart (~5.5 km): a demand within 1 km meets one offer */
    at->lat = -6.0 - (double) (i / 40) * 0.05;
    at->lon = 100.0 + (double) (i % 40) * 0.05;
}

/* Call until OK (same put every time: idempotent), a rejection, or stop.
   Returns the reply's seq or 0. */
static inline uint64_t
fx_put(fx_load_t *l,
       rantai_client_t *cl,
       rantai_request_t *req,
       rantai_arena_t *arena,
       bool until_stop)
{
    for (;;) {
        rantai_reply_t *r = NULL;
        int rc = rantai_client_call(cl, req, arena, &r);
        if (rc == 0 && r->code == 0) {
            atomic_fetch_add(&l->acked, 1);
            return r->seq;
        }
        if (rc == 0 &&
            r->code != RANTAI__V1__STATUS_CODE__STATUS_CODE_UNAVAILABLE &&
            r->code !=
                RANTAI__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED) {
            fprintf(stderr, "faults: %s rejected: %d %s\n",
                    rantai_request_name(req), r->code,
                    r->message ? r->message : "");
            atomic_fetch_add(&l->rejected, 1);
            return 0;
        }
        atomic_fetch_add(&l->retries_exhausted, 1);
        if (!until_stop && atomic_load(&l->stop)) {
            return 0;
        }
    }
}

static inline void
fx_producer_req(int i,
                Rantai__V1__Producer *p,
                Rantai__V1__GeoPoint *at,
                char *id,
                char *coop)
{
    sprintf(id, "P-%d", i);
    sprintf(coop, "KOP-%d", i % FX_COOPS);
    rantai__v1__producer__init(p);
    rantai__v1__geo_point__init(at);
    fx_point(i, at);
    p->id = id;
    p->name = id;
    p->cooperative_id = coop;
    p->province = "32";
    p->location = at;
    p->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
}

/* One commodity per pair: the offer's full code, which the demand names
   too, so each demand has exactly one candidate whatever the order in
   which the matcher learns of them (the replay check relies on it), and
   the matcher's work stays linear in the load. */
static inline void
fx_commodity(int i, char *buf)
{
    sprintf(buf, "0901%06d", i);
}

static inline void
fx_offer_req(int i,
             Rantai__V1__Offer *o,
             Rantai__V1__Quantity *q,
             Rantai__V1__Price *pr,
             char *id,
             char *pid)
{
    static _Thread_local char commodity[16];
    fx_commodity(i, commodity);
    sprintf(id, "O-%d", i);
    sprintf(pid, "P-%d", i);
    rantai__v1__offer__init(o);
    rantai__v1__quantity__init(q);
    rantai__v1__price__init(pr);
    q->milli = (uint64_t) (100 + i % 7) * 1000;
    q->unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    pr->idr = 90000 + (uint64_t) i;
    pr->per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    o->id = id;
    o->producer_id = pid;
    o->commodity = commodity;
    o->quantity = q;
    o->price = pr;
}

static inline void
fx_demand_req(int i,
              Rantai__V1__Demand *d,
              Rantai__V1__Quantity *q,
              Rantai__V1__GeoPoint *at,
              char *id,
              char *bid)
{
    static _Thread_local char commodity[16];
    fx_commodity(i, commodity);
    sprintf(id, "D-%d", i);
    sprintf(bid, "B-%d", i % FX_BUYERS);
    rantai__v1__demand__init(d);
    rantai__v1__quantity__init(q);
    rantai__v1__geo_point__init(at);
    fx_point(i, at);
    q->milli = (uint64_t) (100 + i % 7) * 1000;
    q->unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    d->id = id;
    d->buyer_id = bid;
    d->commodity = commodity;
    d->quantity = q;
    d->delivery = at;
    d->max_distance_km = 1;
    d->allow_partial = true;
}

static inline rantai_client_t *
fx_client(const char *endpoint)
{
    rantai_client_t *cl = rantai_client_new(endpoint, NULL);
    if (!cl) {
        abort();
    }
    rantai_client_set_timeout(cl, 300);
    rantai_client_set_retries(cl, 6);
    return cl;
}

static inline void *
fx_supply_writer(void *arg)
{
    fx_load_t *l = arg;
    rantai_client_t *cl = fx_client(l->c->svc[H_PRODUCER].api);
    rantai_arena_t *arena = rantai_arena_new();
    for (int i = 0; i < FX_MAX_PAIRS && !atomic_load(&l->stop); i++) {
        char id[32], coop[32], pid[32];
        Rantai__V1__Producer p;
        Rantai__V1__GeoPoint at;
        fx_producer_req(i, &p, &at, id, coop);
        Rantai__V1__PutProducer pp = RANTAI__V1__PUT_PRODUCER__INIT;
        pp.producer = &p;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
        req.put_producer = &pp;
        l->prod_seq[i] = fx_put(l, cl, &req, arena, false);
        rantai_arena_reset(arena);
        if (!l->prod_seq[i]) {
            break;
        }
        Rantai__V1__Offer o;
        Rantai__V1__Quantity q;
        Rantai__V1__Price pr;
        fx_offer_req(i, &o, &q, &pr, id, pid);
        Rantai__V1__PutOffer po = RANTAI__V1__PUT_OFFER__INIT;
        po.offer = &o;
        req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
        req.put_offer = &po;
        /* The producer exists: finish the pair even if asked to stop. */
        l->offer_seq[i] = fx_put(l, cl, &req, arena, true);
        rantai_arena_reset(arena);
        atomic_store(&l->pairs_supply, i + 1);
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&cl);
    return NULL;
}

static inline void
fx_buyer_req(int b, Rantai__V1__Buyer *bu, char *id, char *mp)
{
    sprintf(id, "B-%d", b);
    sprintf(mp, "MKT-%d", b % 2);
    rantai__v1__buyer__init(bu);
    bu->id = id;
    bu->name = id;
    bu->marketplace_id = mp;
}

static inline void *
fx_demand_writer(void *arg)
{
    fx_load_t *l = arg;
    rantai_client_t *cl = fx_client(l->c->svc[H_BUYER].api);
    rantai_arena_t *arena = rantai_arena_new();
    for (int b = 0; b < FX_BUYERS; b++) {
        char id[32], mp[32];
        Rantai__V1__Buyer bu;
        fx_buyer_req(b, &bu, id, mp);
        Rantai__V1__PutBuyer pb = RANTAI__V1__PUT_BUYER__INIT;
        pb.buyer = &bu;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
        req.put_buyer = &pb;
        l->buyer_seq[b] = fx_put(l, cl, &req, arena, true);
        rantai_arena_reset(arena);
    }
    for (int i = 0; i < FX_MAX_PAIRS && !atomic_load(&l->stop); i++) {
        char id[32], bid[32];
        Rantai__V1__Demand d;
        Rantai__V1__Quantity q;
        Rantai__V1__GeoPoint at;
        fx_demand_req(i, &d, &q, &at, id, bid);
        Rantai__V1__PostDemand pd = RANTAI__V1__POST_DEMAND__INIT;
        pd.demand = &d;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
        req.post_demand = &pd;
        l->demand_seq[i] = fx_put(l, cl, &req, arena, false);
        rantai_arena_reset(arena);
        if (!l->demand_seq[i]) {
            break;
        }
        atomic_store(&l->pairs_demand, i + 1);
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&cl);
    return NULL;
}

static inline rantai_reply_t *
fx_call(rantai_client_t *cl, rantai_request_t *req, rantai_arena_t *arena)
{
    rantai_reply_t *r = NULL;
    for (int i = 0; i < 20; i++) {
        if (rantai_client_call(cl, req, arena, &r) == 0) {
            return r;
        }
    }
    fail_msg("no reply to %s", rantai_request_name(req));
    return NULL;
}

#endif
