/*  test_matcher_property.c - randomized property test of the matcher core
    against a deliberately simple model kept here: the same registry
    events, requests and timers go to the engine and to the model, whose
    settle loops over every OPEN demand in posting order, computes each
    pass by scanning all offers (pure rules from matcher_rules.h), and
    repeats until nothing allocates. After each step the engine's demand
    and offer states must equal the model's, and invariants hold on the
    engine's own event log: no offer over-allocated, remaining never
    negative, all-or-nothing respected, allocations in rank order.

    RANTAI_PROPERTY_SEED / RANTAI_PROPERTY_EVENTS pick the seed and the
    number of steps (CI: fixed seed, 3000 steps). */
#include "matcher_fx.h"
#include "matcher_index.h"
#include "matcher_rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define KG      RANTAI__V1__UNIT__UNIT_KILOGRAM
#define TONNE   RANTAI__V1__UNIT__UNIT_TONNE
#define LITRE   RANTAI__V1__UNIT__UNIT_LITRE
#define HALAL   RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL
#define ORGANIC RANTAI__V1__CERTIFICATION__CERTIFICATION_ORGANIC
#define ST(x)   RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_##x
#define DS(x)   RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_##x
#define T0      1700000000000LL
#define HOUR    3600000LL
#define DAY     (24 * HOUR)
#define NPROD   7 /* p6 is never registered */
#define NOFF    40
#define MAXDEM  4000
#define MAXAL   40000

/* ---- random ---- */

static uint64_t s_rng;

static uint64_t
rnd(void)
{
    /* splitmix64: tiny, and the same sequence everywhere */
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t
rn(uint64_t n)
{
    return n == 0 ? 0 : rnd() % n;
}

static bool
chance(int pct)
{
    return (int) rn(100) < pct;
}

static double
rf(double lo, double hi)
{
    return lo + (hi - lo) * (double) (rnd() >> 11) / 9007199254740992.0;
}

/* ---- the model ---- */

typedef struct {
    bool exists, has_loc;
    char prov[4];
    double lat, lon;
} m_prod_t;

typedef struct {
    bool exists, withdrawn, has_loc;
    int prod;
    const char *commodity;
    int qunit, punit;
    uint64_t qmilli, min_milli, idr;
    uint64_t cap, min_norm, price_norm;
    rantai_dim_t qdim, pdim;
    matcher_cert_t certs[2];
    size_t n_certs;
    double lat, lon;
    int64_t from, until;
} m_offer_t;

typedef struct {
    char id[16];
    const char *commodity;
    int qunit;
    uint64_t qmilli, qnorm;
    rantai_dim_t dim;
    uint64_t max_idr;
    int max_per;
    int req[2];
    size_t n_req;
    double lat, lon;
    uint32_t max_km, max_sup;
    int64_t deliver_by;
    bool partial;
    uint64_t rate;
    const char *origin[2];
    size_t n_origin;
    uint32_t status;
    uint32_t next_n;
    bool dirty;
} m_dem_t;

typedef struct {
    int dem, off;
    uint32_t n;
    uint64_t q, dist, landed;
    int state;
    int64_t created;
} m_alloc_t;

static m_prod_t P[NPROD];
static m_offer_t O[NOFF];
static m_dem_t *D;
static int nD;
static m_alloc_t *A;
static int nA;

static const char *const s_ocomm[] = {"090111", "090121", "100630", "090111",
                                      "090210"};
static const char *const s_dcomm[] = {"09",     "0901", "090111", "1006",
                                      "100630", "0902", "090121"};
static const char *const s_provs[] = {"31", "32", "33", "35"};

static bool
is_live(int st)
{
    return st == ST(PROPOSED) || st == ST(ACCEPTED);
}

static uint64_t
m_live(int o)
{
    uint64_t s = 0;
    for (int i = 0; i < nA; i++) {
        if (A[i].off == o && is_live(A[i].state)) {
            s += A[i].q;
        }
    }
    return s;
}

static uint64_t
m_remaining(int o)
{
    uint64_t l = m_live(o);
    return O[o].withdrawn || l >= O[o].cap ? 0 : O[o].cap - l;
}

static void
m_refresh(int d)
{
    m_dem_t *m = &D[d];
    if (m->status == DS(CANCELLED) || m->status == DS(EXPIRED)) {
        return;
    }
    uint64_t filled = 0;
    int proposed = 0;
    for (int i = 0; i < nA; i++) {
        if (A[i].dem == d && is_live(A[i].state)) {
            filled += A[i].q;
            proposed += A[i].state == ST(PROPOSED);
        }
    }
    m->status = filled < m->qnorm
                    ? DS(OPEN)
                    : (proposed > 0 ? DS(ALLOCATED) : DS(FULFILLED));
}

static void
m_change(int i, int state)
{
    A[i].state = state;
    D[A[i].dem].dirty = true;
    m_refresh(A[i].dem);
}

typedef struct {
    int off;
    matcher_rank_key_t key;
    char id[8];
} m_cand_t;

static int
m_cand_cmp(const void *a, const void *b)
{
    return matcher_rank_cmp(&((const m_cand_t *) a)->key,
                            &((const m_cand_t *) b)->key);
}

/* One pass of demand d exactly as MATCHING.md writes it; true if it
   allocated. */
static bool
m_pass(int d, int64_t now)
{
    m_dem_t *m = &D[d];
    matcher_demand_view_t dv = {
        .commodity = m->commodity,
        .qty_dim = m->dim,
        .required_certs = m->req,
        .n_required = m->n_req,
        .max_distance_km = m->max_km,
        .deliver_by = m->deliver_by,
        .origin_provinces = m->origin,
        .n_origin = m->n_origin,
    };
    if (m->max_idr > 0) {
        dv.has_max_price = true;
        assert_int_equal(matcher_price_norm(m->max_idr, m->max_per,
                                            &dv.max_price_norm,
                                            &dv.max_price_dim),
                         0);
    }
    m_cand_t c[NOFF];
    int nc = 0;
    uint64_t filled = 0;
    uint32_t s = 0;
    bool live_to[NOFF] = {false}, barred[NOFF] = {false};
    for (int i = 0; i < nA; i++) {
        if (A[i].dem != d) {
            continue;
        }
        if (is_live(A[i].state)) {
            filled += A[i].q;
            live_to[A[i].off] = true;
        }
        if (A[i].state == ST(DECLINED) || A[i].state == ST(EXPIRED)) {
            barred[A[i].off] = true;
        }
    }
    for (int o = 0; o < NOFF; o++) {
        s += live_to[o];
        if (!O[o].exists) {
            continue;
        }
        const m_offer_t *x = &O[o];
        const m_prod_t *p = &P[x->prod];
        double lat = 0, lon = 0;
        if (x->has_loc) {
            lat = x->lat;
            lon = x->lon;
        } else if (p->exists && p->has_loc) {
            lat = p->lat;
            lon = p->lon;
        }
        char id[8];
        snprintf(id, sizeof(id), "o%d", o);
        matcher_offer_view_t ov = {
            .id = id,
            .commodity = x->commodity,
            .qty_dim = x->qdim,
            .price_dim = x->pdim,
            .price_norm = x->price_norm,
            .remaining_norm = m_remaining(o),
            .withdrawn = x->withdrawn,
            .producer_registered = p->exists,
            .certs = x->certs,
            .n_certs = x->n_certs,
            .available_from = x->from,
            .available_until = x->until,
            .province = p->exists ? p->prov : "",
            .barred = barred[o],
        };
        uint64_t dist = matcher_distance_m(lat, lon, m->lat, m->lon);
        if (matcher_eligible(&ov, &dv, dist, now) == 0) {
            c[nc].off = o;
            strcpy(c[nc].id, id);
            c[nc].key.landed = matcher_landed(x->price_norm, m->rate, dist);
            c[nc].key.distance_m = dist;
            nc++;
        }
    }
    for (int i = 0; i < nc; i++) {
        c[i].key.offer_id = c[i].id;
    }
    qsort(c, (size_t) nc, sizeof(c[0]), m_cand_cmp);
    for (int i = 0; i < nc; i++) {
        c[i].key.offer_id = c[i].id; /* qsort moved the buffers */
    }
    uint64_t r = m->qnorm - filled;
    int pick[NOFF];
    uint64_t qty[NOFF];
    int np = 0;
    for (int i = 0; i < nc && r > 0; i++) {
        int o = c[i].off;
        if (m->max_sup > 0 && s == m->max_sup && !live_to[o]) {
            continue;
        }
        uint64_t rem = m_remaining(o);
        uint64_t q = r < rem ? r : rem;
        if (q < O[o].min_norm) {
            continue;
        }
        pick[np] = i;
        qty[np++] = q;
        r -= q;
        s += !live_to[o];
    }
    if (np == 0 || (!m->partial && r > 0)) {
        return false;
    }
    for (int j = 0; j < np; j++) {
        assert_true(nA < MAXAL);
        m_alloc_t *a = &A[nA++];
        a->dem = d;
        a->off = c[pick[j]].off;
        a->n = m->next_n++;
        a->q = qty[j];
        a->dist = c[pick[j]].key.distance_m;
        a->landed = c[pick[j]].key.landed;
        a->state = ST(PROPOSED);
        a->created = now;
    }
    m->dirty = true;
    m_refresh(d);
    return true;
}

/* The simple settle: earliest OPEN demand whose pass allocates, again and
   again, until none does. */
static void
m_settle(int64_t now)
{
    bool again = true;
    while (again) {
        again = false;
        for (int d = 0; d < nD && !again; d++) {
            if (D[d].status == DS(OPEN)) {
                again = m_pass(d, now);
            }
        }
    }
}

/* ---- building the registry events ---- */

static Rantai__V1__GeoPoint *
geo(mfx_t *f, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(f->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

static Rantai__V1__Quantity *
qty(mfx_t *f, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(f->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

static Rantai__V1__Price *
price(mfx_t *f, uint64_t idr, int per)
{
    Rantai__V1__Price *p = RANTAI_ANEW(f->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = (Rantai__V1__Unit) per;
    return p;
}

static void
ev_producer(mfx_t *f, int i)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(f->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = rantai_arena_printf(f->arena, "p%d", i);
    p->cooperative_id = rantai_arena_printf(f->arena, "K%d", i % 3);
    p->province = P[i].prov;
    if (P[i].has_loc) {
        p->location = geo(f, P[i].lat, P[i].lon);
    }
    Rantai__V1__ProducerPut *pp =
        RANTAI_ANEW(f->arena, Rantai__V1__ProducerPut);
    rantai__v1__producer_put__init(pp);
    pp->producer = p;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev.producer_put = pp;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

static void
ev_offer(mfx_t *f, int i)
{
    const m_offer_t *x = &O[i];
    Rantai__V1__Offer *o = RANTAI_ANEW(f->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = rantai_arena_printf(f->arena, "o%d", i);
    o->producer_id = rantai_arena_printf(f->arena, "p%d", x->prod);
    o->commodity = (char *) x->commodity;
    o->quantity = qty(f, x->qmilli, x->qunit);
    if (x->min_milli > 0) {
        o->min_order = qty(f, x->min_milli, x->qunit);
    }
    o->price = price(f, x->idr, x->punit);
    if (x->has_loc) {
        o->location = geo(f, x->lat, x->lon);
    }
    o->available_from = x->from;
    o->available_until = x->until;
    o->n_certificates = x->n_certs;
    o->certificates = rantai_arena_alloc(f->arena, 2 * sizeof(void *));
    for (size_t k = 0; k < x->n_certs; k++) {
        Rantai__V1__Certificate *c =
            RANTAI_ANEW(f->arena, Rantai__V1__Certificate);
        rantai__v1__certificate__init(c);
        c->scheme = (Rantai__V1__Certification) x->certs[k].scheme;
        c->number = "C-1";
        c->valid_until = x->certs[k].valid_until;
        o->certificates[k] = c;
    }
    Rantai__V1__OfferPut *op = RANTAI_ANEW(f->arena, Rantai__V1__OfferPut);
    rantai__v1__offer_put__init(op);
    op->offer = o;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev.offer_put = op;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

static void
ev_withdraw(mfx_t *f, int i)
{
    Rantai__V1__OfferWithdrawn *w =
        RANTAI_ANEW(f->arena, Rantai__V1__OfferWithdrawn);
    rantai__v1__offer_withdrawn__init(w);
    w->offer_id = rantai_arena_printf(f->arena, "o%d", i);
    w->producer_id = rantai_arena_printf(f->arena, "p%d", O[i].prod);
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN;
    ev.offer_withdrawn = w;
    mfx_apply(f, MATCHER_SOURCE_PRODUCER, &ev);
}

static void
ev_buyer(mfx_t *f)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(f->arena, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = "B1";
    b->marketplace_id = "MP1";
    Rantai__V1__BuyerPut *bp = RANTAI_ANEW(f->arena, Rantai__V1__BuyerPut);
    rantai__v1__buyer_put__init(bp);
    bp->buyer = b;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_BUYER_PUT;
    ev.buyer_put = bp;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

static void
ev_demand(mfx_t *f, int i)
{
    const m_dem_t *m = &D[i];
    Rantai__V1__Demand *d = RANTAI_ANEW(f->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) m->id;
    d->buyer_id = "B1";
    d->commodity = (char *) m->commodity;
    d->quantity = qty(f, m->qmilli, m->qunit);
    if (m->max_idr > 0) {
        d->max_price = price(f, m->max_idr, m->max_per);
    }
    d->n_required_certifications = m->n_req;
    d->required_certifications =
        rantai_arena_alloc(f->arena, 2 * sizeof(Rantai__V1__Certification));
    for (size_t k = 0; k < m->n_req; k++) {
        d->required_certifications[k] = (Rantai__V1__Certification) m->req[k];
    }
    d->delivery = geo(f, m->lat, m->lon);
    d->max_distance_km = m->max_km;
    d->deliver_by = m->deliver_by;
    d->allow_partial = m->partial;
    d->max_suppliers = m->max_sup;
    d->transport_milli_idr_per_unit_km = m->rate;
    d->n_origin_provinces = m->n_origin;
    d->origin_provinces = (char **) m->origin;
    Rantai__V1__DemandPosted *dp =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandPosted);
    rantai__v1__demand_posted__init(dp);
    dp->demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = dp;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

static void
ev_cancel(mfx_t *f, int i)
{
    Rantai__V1__DemandCancelled *c =
        RANTAI_ANEW(f->arena, Rantai__V1__DemandCancelled);
    rantai__v1__demand_cancelled__init(c);
    c->demand_id = D[i].id;
    c->buyer_id = "B1";
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
    ev.demand_cancelled = c;
    mfx_apply(f, MATCHER_SOURCE_BUYER, &ev);
}

/* ---- random steps, applied to the model and the engine ---- */

static void
rand_producer(int i)
{
    m_prod_t *p = &P[i];
    strcpy(p->prov, s_provs[rn(4)]);
    p->has_loc = !chance(10);
    p->lat = rf(-8.5, -5.5);
    p->lon = rf(105.5, 113.0);
}

static void
rand_offer(int i, int64_t now, bool fresh)
{
    m_offer_t *x = &O[i];
    if (fresh) {
        memset(x, 0, sizeof(*x));
        x->prod = (int) (i % NPROD);
        x->commodity = s_ocomm[i % 5];
        x->qdim = i % 7 == 0 ? RANTAI_DIM_VOLUME : RANTAI_DIM_MASS;
    }
    bool vol = x->qdim == RANTAI_DIM_VOLUME;
    x->qunit = vol ? LITRE : (chance(20) ? TONNE : KG);
    x->punit = vol ? LITRE : (chance(10) ? TONNE : KG);
    uint64_t kg = 1 + rn(20);
    x->qmilli = x->qunit == TONNE ? kg : kg * 1000; /* t: 1..20 kg-ish */
    if (x->qunit == TONNE) {
        x->qmilli = kg * 100; /* 0.1 t steps */
    }
    x->min_milli =
        chance(30) ? (1 + rn(8)) * (x->qunit == TONNE ? 1 : 1000) : 0;
    uint64_t idr = 10000 + 10 * rn(10);
    x->idr = x->punit == TONNE ? idr * 1000 + rn(3) : idr;
    assert_int_equal(matcher_qty_norm(x->qmilli, x->qunit, &x->cap, &x->qdim),
                     0);
    rantai_dim_t md;
    x->min_norm = 0;
    if (x->min_milli > 0) {
        assert_int_equal(
            matcher_qty_norm(x->min_milli, x->qunit, &x->min_norm, &md), 0);
    }
    assert_int_equal(
        matcher_price_norm(x->idr, x->punit, &x->price_norm, &x->pdim), 0);
    x->n_certs = 0;
    if (chance(50)) {
        x->certs[x->n_certs].scheme = HALAL;
        x->certs[x->n_certs++].valid_until =
            chance(50) ? 0 : now + (int64_t) rn(10 * DAY);
    }
    if (chance(20)) {
        x->certs[x->n_certs].scheme = ORGANIC;
        x->certs[x->n_certs++].valid_until = 0;
    }
    x->has_loc = chance(40);
    x->lat = rf(-8.5, -5.5);
    x->lon = rf(105.5, 113.0);
    x->from = chance(20) ? now + (int64_t) rn(5 * DAY) : 0;
    x->until = chance(20) ? now + HOUR + (int64_t) rn(10 * DAY) : 0;
    x->exists = true;
}

static void
rand_demand(m_dem_t *m, int idx, int64_t now)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->id, sizeof(m->id), "d%d", idx);
    m->commodity = s_dcomm[rn(7)];
    bool vol = chance(10);
    m->qunit = vol ? LITRE : (chance(20) ? TONNE : KG);
    uint64_t kg = 1 + rn(40);
    m->qmilli = m->qunit == TONNE ? kg * 100 : kg * 1000;
    assert_int_equal(matcher_qty_norm(m->qmilli, m->qunit, &m->qnorm, &m->dim),
                     0);
    if (chance(40)) {
        m->max_per = vol ? LITRE : (chance(20) ? TONNE : KG);
        m->max_idr = 10000 + 10 * rn(9);
        if (m->max_per == TONNE) {
            m->max_idr *= 1000;
        }
    }
    if (chance(30)) {
        m->req[m->n_req++] = HALAL;
    }
    if (chance(10)) {
        m->req[m->n_req++] = ORGANIC;
    }
    m->lat = rf(-8.5, -5.5);
    m->lon = rf(105.5, 113.0);
    m->max_km = chance(30) ? (uint32_t) (50 + rn(550)) : 0;
    m->deliver_by = chance(30) ? now + HOUR + (int64_t) rn(5 * DAY) : 0;
    m->partial = chance(60);
    m->max_sup = chance(30) ? (uint32_t) (1 + rn(3)) : 0;
    static const uint64_t rates[] = {0, 1, 100, 2000};
    m->rate = rates[rn(4)];
    if (chance(20)) {
        m->origin[m->n_origin++] = s_provs[rn(4)];
        if (chance(50)) {
            m->origin[m->n_origin++] = s_provs[rn(4)];
        }
    }
    m->status = DS(OPEN);
    m->next_n = 1;
}

static void
step_offer_put(mfx_t *f)
{
    int i = (int) rn(NOFF);
    if (O[i].withdrawn) {
        return;
    }
    rand_offer(i, f->now, !O[i].exists);
    ev_offer(f, i);
    /* capacity lowered: PROPOSED newest first until the live total fits */
    for (int k = nA - 1; k >= 0 && m_live(i) > O[i].cap; k--) {
        if (A[k].off == i && A[k].state == ST(PROPOSED)) {
            m_change(k, ST(CANCELLED));
        }
    }
}

static void
step_withdraw(mfx_t *f)
{
    int i = (int) rn(NOFF);
    if (!O[i].exists || O[i].withdrawn) {
        return;
    }
    O[i].withdrawn = true;
    ev_withdraw(f, i);
    for (int k = 0; k < nA; k++) {
        if (A[k].off == i && A[k].state == ST(PROPOSED)) {
            m_change(k, ST(CANCELLED));
        }
    }
}

static void
step_post(mfx_t *f)
{
    if (nD >= MAXDEM) {
        return;
    }
    rand_demand(&D[nD], nD, f->now);
    D[nD].dirty = true;
    nD++;
    ev_demand(f, nD - 1);
}

static void
step_cancel(mfx_t *f)
{
    if (nD == 0) {
        return;
    }
    int d = (int) rn((uint64_t) nD);
    ev_cancel(f, d);
    if (D[d].status == DS(CANCELLED) || D[d].status == DS(EXPIRED)) {
        return;
    }
    for (int k = 0; k < nA; k++) {
        if (A[k].dem == d && is_live(A[k].state)) {
            A[k].state = ST(CANCELLED);
        }
    }
    D[d].status = DS(CANCELLED);
    D[d].dirty = true;
}

static void
step_respond(mfx_t *f)
{
    if (nA == 0) {
        return;
    }
    /* mostly PROPOSED ones, sometimes anything (must then be refused) */
    int k = (int) rn((uint64_t) nA);
    for (int t = 0; t < 20 && A[k].state != ST(PROPOSED) && chance(90); t++) {
        k = (int) rn((uint64_t) nA);
    }
    bool accept = chance(50);
    char id[32];
    snprintf(id, sizeof(id), "%s/%u", D[A[k].dem].id, A[k].n);
    rantai_reply_t *r = mfx_respond(f, id, accept);
    if (A[k].state != ST(PROPOSED)) {
        assert_int_equal(
            r->code, RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION);
        return;
    }
    assert_int_equal(r->code, RANTAI__V1__STATUS_CODE__STATUS_CODE_OK);
    m_change(k, accept ? ST(ACCEPTED) : ST(DECLINED));
}

static void
step_expire(mfx_t *f)
{
    f->now += HOUR + (int64_t) rn(30 * HOUR);
    mfx_expire(f);
    for (int k = 0; k < nA; k++) {
        if (A[k].state == ST(PROPOSED) &&
            f->now - A[k].created > MATCHER_ACCEPT_TIMEOUT_MS) {
            m_change(k, ST(EXPIRED));
        }
    }
    for (int d = 0; d < nD; d++) {
        if (D[d].status == DS(OPEN) && D[d].deliver_by != 0 &&
            D[d].deliver_by < f->now) {
            for (int k = 0; k < nA; k++) {
                if (A[k].dem == d && A[k].state == ST(PROPOSED)) {
                    A[k].state = ST(CANCELLED);
                }
            }
            D[d].status = DS(EXPIRED);
            D[d].dirty = true;
        }
    }
}

/* ---- comparison and invariants ---- */

static void
check_demand(mfx_t *f, int d)
{
    const m_dem_t *m = &D[d];
    Rantai__V1__DemandState *st = mfx_dstate(f, m->id);
    if (st->status != m->status) {
        fail_msg("demand %s: engine status %d, model %u", m->id, st->status,
                 m->status);
    }
    uint64_t filled = 0;
    size_t n = 0;
    for (int k = 0; k < nA; k++) {
        if (A[k].dem != d) {
            continue;
        }
        const m_alloc_t *a = &A[k];
        if (n >= st->n_allocations) {
            fail_msg("demand %s: engine lacks allocation %u", m->id, a->n);
        }
        const Rantai__V1__Allocation *e = st->allocations[n++];
        char id[32];
        snprintf(id, sizeof(id), "%s/%u", m->id, a->n);
        char oid[8];
        snprintf(oid, sizeof(oid), "o%d", a->off);
        if (strcmp(e->id, id) != 0 || strcmp(e->offer_id, oid) != 0 ||
            e->quantity->milli != a->q || (int) e->state != a->state ||
            e->distance_m != a->dist || e->landed_micro_idr != a->landed ||
            e->created_at != a->created) {
            fail_msg("allocation %s: engine %s offer %s q %llu state %d "
                     "landed %llu; model offer %s q %llu state %d landed %llu",
                     id, e->id, e->offer_id,
                     (unsigned long long) e->quantity->milli, e->state,
                     (unsigned long long) e->landed_micro_idr, oid,
                     (unsigned long long) a->q, a->state,
                     (unsigned long long) a->landed);
        }
        if (is_live(a->state)) {
            filled += a->q;
        }
    }
    assert_int_equal(n, st->n_allocations);
    assert_int_equal(st->filled->milli, filled);
    /* remaining never negative: filled never exceeds the quantity */
    assert_true(filled <= m->qnorm);
    assert_int_equal(st->remaining->milli, m->qnorm - filled);
}

static void
check_offer(mfx_t *f, int o)
{
    char id[8];
    snprintf(id, sizeof(id), "o%d", o);
    Rantai__V1__OfferState *st = mfx_ostate(f, id);
    uint64_t live = m_live(o);
    assert_int_equal(st->allocated->milli, live);
    assert_int_equal(st->remaining->milli, m_remaining(o));
    assert_int_equal(st->withdrawn, O[o].withdrawn);
    if (live > O[o].cap) {
        /* only ACCEPTED allocations may stand above the capacity */
        for (int k = 0; k < nA; k++) {
            assert_false(A[k].off == o && A[k].state == ST(PROPOSED));
        }
    }
}

/* Every match_proposed since `from`: ranked, all-or-nothing kept. */
static void
check_log(mfx_t *f, uint64_t from, uint64_t to)
{
    for (uint64_t s = from; s <= to; s++) {
        rantai_event_t *ev = mfx_event(f, s);
        if (ev->body_case != RANTAI__V1__EVENT__BODY_MATCH_PROPOSED) {
            continue;
        }
        const Rantai__V1__MatchProposed *mp = ev->match_proposed;
        assert_true(mp->n_allocations > 0);
        int d = atoi(mp->demand_id + 1);
        assert_true(d >= 0 && d < nD);
        if (!D[d].partial) {
            assert_int_equal(mp->remaining->milli, 0);
        }
        for (size_t i = 1; i < mp->n_allocations; i++) {
            const Rantai__V1__Allocation *a = mp->allocations[i - 1];
            const Rantai__V1__Allocation *b = mp->allocations[i];
            matcher_rank_key_t ka = {a->landed_micro_idr, a->distance_m,
                                     a->offer_id};
            matcher_rank_key_t kb = {b->landed_micro_idr, b->distance_m,
                                     b->offer_id};
            assert_true(matcher_rank_cmp(&ka, &kb) < 0);
        }
    }
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != 0 ? strtoull(v, NULL, 10) : dflt;
}

static void
run(uint64_t seed, uint64_t steps, bool scan)
{
    s_rng = seed;
    memset(P, 0, sizeof(P));
    memset(O, 0, sizeof(O));
    D = calloc(MAXDEM, sizeof(*D));
    A = calloc(MAXAL, sizeof(*A));
    nD = 0;
    nA = 0;
    matcher_pass_use_scan(scan);
    mfx_t *f = mfx_new(T0);
    for (int i = 0; i < NPROD - 1; i++) {
        rand_producer(i);
        P[i].exists = true;
        ev_producer(f, i);
    }
    ev_buyer(f);
    uint64_t checked = mfx_head(f);
    for (uint64_t step = 0; step < steps; step++) {
        f->now += 1000 + (int64_t) rn(60000);
        int r = (int) rn(100);
        if (r < 25) {
            step_offer_put(f);
        } else if (r < 29) {
            step_withdraw(f);
        } else if (r < 33) {
            int i = (int) rn(NPROD - 1);
            rand_producer(i);
            ev_producer(f, i);
        } else if (r < 55) {
            step_post(f);
        } else if (r < 60) {
            step_cancel(f);
        } else if (r < 88) {
            step_respond(f);
        } else {
            step_expire(f);
        }
        m_settle(f->now);
        bool full = step % 10 == 0 || step + 1 == steps;
        for (int d = 0; d < nD; d++) {
            if (full || D[d].dirty) {
                check_demand(f, d);
            }
            D[d].dirty = false;
        }
        if (full) {
            for (int o = 0; o < NOFF; o++) {
                if (O[o].exists) {
                    check_offer(f, o);
                }
            }
        }
        uint64_t h = mfx_head(f);
        check_log(f, checked + 1, h);
        checked = h;
        rantai_arena_reset(f->arena);
    }
    /* the run must have exercised the interesting paths */
    int states[8] = {0};
    for (int k = 0; k < nA; k++) {
        states[A[k].state & 7]++;
    }
    if (steps >= 1000) {
        assert_true(nA > 100);
        assert_true(states[ST(ACCEPTED)] > 0 && states[ST(DECLINED)] > 0 &&
                    states[ST(CANCELLED)] > 0);
    }
    print_message("property: seed %llu, %llu steps, %d demands, %d "
                  "allocations\n",
                  (unsigned long long) seed, (unsigned long long) steps, nD,
                  nA);
    matcher_pass_use_scan(false);
    mfx_destroy(f);
    free(D);
    free(A);
}

#ifndef MATCHER_PROPERTY_NO_MAIN
static void
test_property_index(void **state)
{
    (void) state;
    run(env_u64("RANTAI_PROPERTY_SEED", 20240601),
        env_u64("RANTAI_PROPERTY_EVENTS", 3000), false);
}

/* The old full scan must agree with the same model (the scan is the
   index's brute-force cross-check). */
static void
test_property_scan(void **state)
{
    (void) state;
    run(env_u64("RANTAI_PROPERTY_SEED", 20240601) + 1,
        env_u64("RANTAI_PROPERTY_EVENTS", 3000) / 3, true);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_index),
        cmocka_unit_test(test_property_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
