/*  matcher_model.h - the deliberately simple model of the matcher that
    test_matcher_property.c checks the engine against: producers, offers,
    demands and allocations in plain arrays, a pass that scans every offer
    with the pure rules of matcher_rules.h exactly as MATCHING.md writes
    it, and a settle that repeats the earliest allocating pass until none
    allocates. Header-only, static state and functions; include once per
    test program, after cmocka.h. */
#ifndef MATCHER_MODEL_H
#define MATCHER_MODEL_H

#include "matcher_rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ST(x)  RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_##x
#define DS(x)  RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_##x
#define NPROD  7 /* p6 is never registered */
#define NOFF   40
#define MAXDEM 4000
#define MAXAL  40000

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


static inline bool
is_live(int st)
{
    return st == ST(PROPOSED) || st == ST(ACCEPTED);
}

static inline uint64_t
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

static inline uint64_t
m_remaining(int o)
{
    uint64_t l = m_live(o);
    return O[o].withdrawn || l >= O[o].cap ? 0 : O[o].cap - l;
}

static inline void
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

static inline void
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

static inline int
m_cand_cmp(const void *a, const void *b)
{
    return matcher_rank_cmp(&((const m_cand_t *) a)->key,
                            &((const m_cand_t *) b)->key);
}

/* One pass of demand d exactly as MATCHING.md writes it; true if it
   allocated. */
static inline bool
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
static inline void
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


#endif
