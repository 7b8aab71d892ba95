/*  test_matcher_property.c - randomized property test of the matcher core
    against a deliberately simple model (matcher_model.h): the same registry
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
#include "matcher_model.h"
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
#define T0      1700000000000LL
#define HOUR    3600000LL
#define DAY     (24 * HOUR)

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

static const char *const s_ocomm[] = {"090111", "090121", "100630", "090111",
                                      "090210"};
static const char *const s_dcomm[] = {"09",     "0901", "090111", "1006",
                                      "100630", "0902", "090121"};
static const char *const s_provs[] = {"31", "32", "33", "35"};

/* ---- building the registry events ---- */

static void
ev_producer(mfx_t *f, int i)
{
    mfx_put_producer(f, rantai_arena_printf(f->arena, "p%d", i),
                     rantai_arena_printf(f->arena, "K%d", i % 3), P[i].prov,
                     P[i].has_loc ? mfx_geo(f, P[i].lat, P[i].lon) : NULL);
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
    o->quantity = mfx_qty(f, x->qmilli, x->qunit);
    if (x->min_milli > 0) {
        o->min_order = mfx_qty(f, x->min_milli, x->qunit);
    }
    o->price = mfx_price(f, x->idr, x->punit);
    if (x->has_loc) {
        o->location = mfx_geo(f, x->lat, x->lon);
    }
    o->available_from = x->from;
    o->available_until = x->until;
    for (size_t k = 0; k < x->n_certs; k++) {
        mfx_add_cert(f, o, x->certs[k].scheme, "C-1", x->certs[k].valid_until);
    }
    mfx_put_offer(f, o);
}

static void
ev_withdraw(mfx_t *f, int i)
{
    mfx_withdraw(f, rantai_arena_printf(f->arena, "o%d", i),
                 rantai_arena_printf(f->arena, "p%d", O[i].prod));
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
    d->quantity = mfx_qty(f, m->qmilli, m->qunit);
    if (m->max_idr > 0) {
        d->max_price = mfx_price(f, m->max_idr, m->max_per);
    }
    d->n_required_certifications = m->n_req;
    d->required_certifications =
        rantai_arena_alloc(f->arena, 2 * sizeof(Rantai__V1__Certification));
    for (size_t k = 0; k < m->n_req; k++) {
        d->required_certifications[k] = (Rantai__V1__Certification) m->req[k];
    }
    d->delivery = mfx_geo(f, m->lat, m->lon);
    d->max_distance_km = m->max_km;
    d->deliver_by = m->deliver_by;
    d->allow_partial = m->partial;
    d->max_suppliers = m->max_sup;
    d->transport_milli_idr_per_unit_km = m->rate;
    d->n_origin_provinces = m->n_origin;
    d->origin_provinces = (char **) m->origin;
    mfx_post(f, d);
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
    mfx_cancel(f, D[d].id, "B1");
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
    mfx_put_buyer(f, "B1", "MP1");
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
