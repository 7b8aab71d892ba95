/*  matcher_pass.c - allocation passes and settling (MATCHING.md
    "Allocation pass" and "When passes run"). */
#include "matcher_index.h"
#include "matcher_int.h"

#include <stdlib.h>
#include <string.h>

/* One eligible offer of a pass. `key` first: qsort compares it. */
typedef struct {
    matcher_rank_key_t key;
    matcher_offer_t offer;
    matcher_producer_t producer;
    uint64_t remaining;
    bool has_live;
} s_cand_t;

typedef struct {
    s_cand_t *v;
    size_t n, cap;
} s_cands_t;

static int
s_cand_cmp(const void *a, const void *b)
{
    return matcher_rank_cmp(&((const s_cand_t *) a)->key,
                            &((const s_cand_t *) b)->key);
}

static s_cand_t *
s_cands_push(s_cands_t *c, rantai_arena_t *arena)
{
    if (c->n == c->cap) {
        size_t cap = c->cap == 0 ? 64 : c->cap * 2;
        s_cand_t *v = rantai_arena_alloc(arena, cap * sizeof(*v));
        if (c->n > 0) {
            memcpy(v, c->v, c->n * sizeof(*v));
        }
        c->v = v;
        c->cap = cap;
    }
    return &c->v[c->n++];
}

/* The demand as the rules see it, plus what the pass needs. */
typedef struct {
    matcher_demand_view_t view;
    const Rantai__V1__Demand *msg;
    double lat, lon;
} s_demand_ctx_t;

static int
s_demand_ctx(rantai_arena_t *arena,
             const matcher_demand_t *d,
             s_demand_ctx_t *dc)
{
    memset(dc, 0, sizeof(*dc));
    const Rantai__V1__Demand *m = (const Rantai__V1__Demand *) rantai_decode(
        &rantai__v1__demand__descriptor, d->packed, d->h.packed_len,
        (size_t) d->h.packed_len + 1, arena);
    if (m == NULL) {
        return RANTAI_EINTERNAL;
    }
    dc->msg = m;
    matcher_demand_view_t *v = &dc->view;
    v->commodity = d->h.commodity;
    v->qty_dim = (rantai_dim_t) d->h.dim;
    if (m->max_price != NULL && m->max_price->idr > 0) {
        v->has_max_price = true;
        if (matcher_price_norm(m->max_price->idr, (int) m->max_price->per,
                               &v->max_price_norm, &v->max_price_dim) != 0) {
            return RANTAI_EINVAL; /* no offer can satisfy a broken limit */
        }
    }
    int *req = rantai_arena_alloc(arena, (m->n_required_certifications + 1) *
                                             sizeof(int));
    for (size_t i = 0; i < m->n_required_certifications; i++) {
        req[i] = (int) m->required_certifications[i];
    }
    v->required_certs = req;
    v->n_required = m->n_required_certifications;
    v->max_distance_km = m->max_distance_km;
    v->deliver_by = m->deliver_by;
    v->origin_provinces = (const char *const *) m->origin_provinces;
    v->n_origin = m->n_origin_provinces;
    if (m->delivery != NULL) {
        dc->lat = m->delivery->lat;
        dc->lon = m->delivery->lon;
    }
    return 0;
}

/* Everything needed to evaluate one offer for the demand of a pass. */
typedef struct {
    rantai_txn_t *txn;
    rantai_arena_t *arena;
    const char *demand_id;
    const s_demand_ctx_t *dc;
    int64_t now_ms;
} s_eval_t;

/* Load offer `oid` with its producer and pair; *out (arena) when it is
   eligible for the demand, else NULL. Both candidate sources use this, so
   the index and the scan cannot disagree on eligibility or keys. */
static int
s_eval_offer_why(const s_eval_t *ev, const char *oid, s_cand_t **out, int *rule)
{
    *out = NULL;
    *rule = 3;
    s_cand_t *c = RANTAI_ANEW(ev->arena, s_cand_t);
    memset(c, 0, sizeof(*c));
    int rc = matcher_offer_get(ev->txn, ev->arena, oid, &c->offer);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    const matcher_offer_hdr_t *h = &c->offer.h;
    rc = matcher_producer_get(ev->txn, h->producer_id, &c->producer);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    bool registered = rc == 0;
    matcher_pair_t pair;
    rc = matcher_pair_get(ev->txn, ev->demand_id, oid, &pair);
    if (rc != 0) {
        return rc;
    }
    c->has_live = pair.live > 0;
    c->remaining = (h->flags & MATCHER_OFFER_WITHDRAWN) != 0 ||
                           h->allocated_norm >= h->capacity_norm
                       ? 0
                       : h->capacity_norm - h->allocated_norm;
    double lat = 0.0, lon = 0.0;
    if ((h->flags & MATCHER_OFFER_HAS_LOCATION) != 0) {
        lat = h->lat;
        lon = h->lon;
    } else if (registered && c->producer.has_location) {
        lat = c->producer.lat;
        lon = c->producer.lon;
    }
    matcher_offer_view_t ov = {
        .id = oid,
        .commodity = h->commodity,
        .qty_dim = (rantai_dim_t) h->qty_dim,
        .price_dim = (rantai_dim_t) h->price_dim,
        .price_norm = h->price_norm,
        .remaining_norm = c->remaining,
        .withdrawn = (h->flags & MATCHER_OFFER_WITHDRAWN) != 0,
        .producer_registered = registered,
        .certs = c->offer.certs,
        .n_certs = h->n_certs,
        .available_from = h->available_from,
        .available_until = h->available_until,
        .province = registered ? c->producer.province : "",
        .barred = pair.barred != 0,
    };
    const s_demand_ctx_t *dc = ev->dc;
    uint64_t dist = matcher_distance_m(lat, lon, dc->lat, dc->lon);
    *rule = matcher_eligible(&ov, &dc->view, dist, ev->now_ms);
    if (*rule != 0) {
        *out = c; /* for the explanation: which scheme was missing */
        return 0;
    }
    c->key.landed = matcher_landed(
        h->price_norm, dc->msg->transport_milli_idr_per_unit_km, dist);
    c->key.distance_m = dist;
    c->key.offer_id = rantai_arena_strndup(ev->arena, oid, strlen(oid));
    *out = c;
    return 0;
}

static int
s_eval_offer(const s_eval_t *ev, const char *oid, s_cand_t **out)
{
    int rule;
    int rc = s_eval_offer_why(ev, oid, out, &rule);
    if (rule != 0) {
        *out = NULL;
    }
    return rc;
}

static int
s_eval_cb(void *arg,
          const char *offer_id,
          void **cand,
          const matcher_rank_key_t **key)
{
    s_cand_t *c;
    int rc = s_eval_offer(arg, offer_id, &c);
    *cand = c;
    *key = c != NULL ? &c->key : NULL;
    return rc;
}

static bool s_use_scan = false;
static uint64_t s_evaluated; /* offers evaluated by index passes */

uint64_t
matcher_pass_evaluated(void)
{
    return s_evaluated;
}

void
matcher_pass_use_scan(bool on)
{
    s_use_scan = on;
}

/* The old lookup, kept as a cross-check for tests: every offer whose
   commodity starts with D's prefix, evaluated, then sorted. */
static int
s_candidates_scan(const s_eval_t *ev, s_cands_t *out)
{
    const char *prefix = ev->dc->view.commodity;
    size_t pl = strlen(prefix);
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(ev->txn, MDB_OFFERS_BY_COMMODITY, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, prefix, pl, &kv, &vv);
    while (rc == 0 && kv.size >= pl && memcmp(kv.data, prefix, pl) == 0) {
        const char *k = kv.data;
        const char *z = memchr(k, 0, kv.size);
        size_t il = z != NULL ? kv.size - (size_t) (z - k) - 1 : 0;
        if (z != NULL && il > 0 && il <= RANTAI_ID_MAX) {
            char *oid = rantai_arena_strndup(ev->arena, z + 1, il);
            s_cand_t *c;
            rc = s_eval_offer(ev, oid, &c);
            if (rc != 0) {
                break;
            }
            if (c != NULL) {
                *s_cands_push(out, ev->arena) = *c;
            }
        }
        rc = rantai_cursor_next(cur, &kv, &vv);
    }
    rantai_cursor_close(&cur);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (out->n > 1) {
        qsort(out->v, out->n, sizeof(*out->v), s_cand_cmp);
    }
    return 0;
}

/* Candidates in rank order from the index (or the scan in tests). */
typedef struct {
    s_cands_t all;
    size_t pos;
    matcher_cidx_iter_t *it;
} s_src_t;

static int
s_src_open(const s_eval_t *ev, s_src_t *src)
{
    memset(src, 0, sizeof(*src));
    if (s_use_scan) {
        return s_candidates_scan(ev, &src->all);
    }
    const s_demand_ctx_t *dc = ev->dc;
    matcher_cidx_query_t q = {
        .commodity = dc->view.commodity,
        .lat = dc->lat,
        .lon = dc->lon,
        .rate = dc->msg->transport_milli_idr_per_unit_km,
        .has_max_price = dc->view.has_max_price,
        .max_price_norm = dc->view.max_price_norm,
        .max_distance_km = dc->view.max_distance_km,
    };
    return matcher_cidx_iter_open(ev->txn, ev->arena, &q, s_eval_cb,
                                  (void *) ev, &src->it);
}

/* Next candidate: 0 with *c, RANTAI_ENOTFOUND at the end. */
static int
s_src_next(s_src_t *src, s_cand_t **c)
{
    if (src->it == NULL) {
        if (src->pos >= src->all.n) {
            return RANTAI_ENOTFOUND;
        }
        *c = &src->all.v[src->pos++];
        return 0;
    }
    void *v = NULL;
    int rc = matcher_cidx_iter_next(src->it, &v);
    *c = v;
    return rc;
}

static Rantai__V1__Allocation *
s_new_alloc(rantai_arena_t *arena,
            const char *did,
            uint32_t n,
            const matcher_demand_t *d,
            const s_cand_t *c,
            uint64_t q,
            int64_t now_ms)
{
    const matcher_offer_hdr_t *h = &c->offer.h;
    Rantai__V1__Allocation *a = RANTAI_ANEW(arena, Rantai__V1__Allocation);
    rantai__v1__allocation__init(a);
    a->id = rantai_arena_printf(arena, "%s/%u", did, n);
    a->demand_id = rantai_arena_strndup(arena, did, strlen(did));
    a->buyer_id =
        rantai_arena_strndup(arena, d->h.buyer_id, strlen(d->h.buyer_id));
    a->offer_id = (char *) c->key.offer_id;
    a->producer_id =
        rantai_arena_strndup(arena, h->producer_id, strlen(h->producer_id));
    a->cooperative_id = rantai_arena_strndup(
        arena, c->producer.cooperative_id, strlen(c->producer.cooperative_id));
    a->commodity =
        rantai_arena_strndup(arena, h->commodity, strlen(h->commodity));
    a->quantity = matcher_base_qty(arena, h->qty_dim, q);
    Rantai__V1__Price *p = RANTAI_ANEW(arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = h->price_idr;
    p->per = (Rantai__V1__Unit) h->price_per;
    a->price = p;
    a->distance_m = c->key.distance_m;
    a->landed_micro_idr = c->key.landed;
    a->state = RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED;
    a->created_at = now_ms;
    return a;
}

/* One pass of demand `did`; *allocated says whether it committed. */
static int
s_pass(rantai_txn_t *txn,
       rantai_arena_t *arena,
       const char *did,
       int64_t now_ms,
       bool *allocated)
{
    *allocated = false;
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, did, &d);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (d.h.status != RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN ||
        d.h.filled_norm >= d.h.quantity_norm) {
        return 0;
    }
    s_demand_ctx_t dc;
    rc = s_demand_ctx(arena, &d, &dc);
    if (rc == RANTAI_EINVAL) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    s_eval_t sev = {txn, arena, did, &dc, now_ms};
    s_src_t src;
    rc = s_src_open(&sev, &src);
    if (rc != 0) {
        return rc;
    }
    uint64_t r = d.h.quantity_norm - d.h.filled_norm;
    uint32_t s = d.h.live_suppliers;
    uint32_t maxs = dc.msg->max_suppliers;
    size_t cap = 8, np = 0;
    s_cand_t **pick = rantai_arena_alloc(arena, cap * sizeof(*pick));
    uint64_t *qty = rantai_arena_alloc(arena, cap * sizeof(*qty));
    while (r > 0) {
        s_cand_t *c;
        rc = s_src_next(&src, &c);
        if (rc != 0) {
            break;
        }
        if (maxs > 0 && s >= maxs && !c->has_live) {
            continue;
        }
        uint64_t q = r < c->remaining ? r : c->remaining;
        if (q < c->offer.h.min_order_norm) {
            continue;
        }
        if (np == cap) {
            s_cand_t **np2 = rantai_arena_alloc(arena, 2 * cap * sizeof(*np2));
            uint64_t *nq = rantai_arena_alloc(arena, 2 * cap * sizeof(*nq));
            memcpy(np2, pick, np * sizeof(*pick));
            memcpy(nq, qty, np * sizeof(*qty));
            pick = np2;
            qty = nq;
            cap *= 2;
        }
        pick[np] = c;
        qty[np++] = q;
        r -= q;
        if (!c->has_live) {
            s++;
        }
    }
    if (src.it != NULL) {
        s_evaluated += matcher_cidx_iter_evaluated(src.it);
        matcher_cidx_iter_close(src.it);
    }
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (np == 0 || (!dc.msg->allow_partial && r > 0)) {
        return 0;
    }
    uint64_t old_filled = d.h.filled_norm;
    Rantai__V1__Allocation **allocs =
        rantai_arena_alloc(arena, np * sizeof(*allocs));
    for (size_t j = 0; j < np; j++) {
        s_cand_t *c = pick[j];
        uint32_t n = d.h.next_n++;
        Rantai__V1__Allocation *a =
            s_new_alloc(arena, did, n, &d, c, qty[j], now_ms);
        rc = matcher_alloc_create(txn, arena, a, did, n);
        if (rc != 0) {
            return rc;
        }
        /* re-read: an earlier pick of this pass cannot share the offer,
           but the record must not be written from a stale copy */
        matcher_offer_t o;
        rc = matcher_offer_get(txn, arena, a->offer_id, &o);
        if (rc != 0) {
            return rc;
        }
        o.h.allocated_norm += qty[j];
        rc = matcher_offer_put(txn, a->offer_id, &o);
        if (rc != 0) {
            return rc;
        }
        d.h.filled_norm += qty[j];
        d.h.proposed++;
        if (!c->has_live) {
            d.h.live_suppliers++;
        }
        allocs[j] = a;
    }
    Rantai__V1__MatchProposed *mp =
        RANTAI_ANEW(arena, Rantai__V1__MatchProposed);
    rantai__v1__match_proposed__init(mp);
    mp->demand_id = (char *) did;
    mp->buyer_id = d.h.buyer_id;
    mp->n_allocations = np;
    mp->allocations = allocs;
    mp->remaining =
        matcher_base_qty(arena, d.h.dim, d.h.quantity_norm - d.h.filled_norm);
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_MATCH_PROPOSED;
    ev.match_proposed = mp;
    rc = matcher_emit(txn, &ev, now_ms, NULL);
    if (rc != 0) {
        return rc;
    }
    /* match_proposed already carries the new remaining: demand_updated
       only when the status moves */
    uint32_t status = matcher_demand_live_status(&d.h);
    rc = matcher_demand_commit(txn, arena, did, &d, d.h.status, old_filled,
                               status, status != d.h.status, now_ms);
    if (rc != 0) {
        return rc;
    }
    for (size_t j = 0; j < np; j++) {
        rc = matcher_enqueue_prefixes(txn, pick[j]->offer.h.commodity);
        if (rc != 0) {
            return rc;
        }
    }
    *allocated = true;
    return 0;
}

int
matcher_settle(matcher_core_t *core, rantai_txn_t *txn, int64_t now_ms)
{
    for (;;) {
        rantai_cursor_t *cur = NULL;
        int rc = rantai_cursor_open(txn, MDB_QUEUE, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
        char did[RANTAI_ID_MAX + 1];
        uint8_t key[8];
        if (rc == 0) {
            size_t il = vv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : vv.size;
            memcpy(did, vv.data, il);
            did[il] = 0;
            memcpy(key, kv.data, kv.size < 8 ? kv.size : 8);
        }
        rantai_cursor_close(&cur);
        if (rc == RANTAI_ENOTFOUND) {
            return 0;
        }
        if (rc != 0) {
            return rc;
        }
        rc = rantai_del(txn, MDB_QUEUE, key, 8);
        if (rc != 0) {
            return rc;
        }
        bool allocated;
        rc = s_pass(txn, core->scratch, did, now_ms, &allocated);
        rantai_arena_reset(core->scratch);
        if (rc != 0) {
            return rc;
        }
    }
}

/* ---- explanation (GetDemandState) ---------------------------------- */

static void
s_add_scheme(Rantai__V1__DemandExplanation *x, rantai_arena_t *arena, int sc)
{
    for (size_t i = 0; i < x->n_missing_schemes; i++) {
        if ((int) x->missing_schemes[i] == sc) {
            return;
        }
    }
    Rantai__V1__Certification *v =
        rantai_arena_alloc(arena, (x->n_missing_schemes + 1) * sizeof(*v));
    if (x->n_missing_schemes > 0) {
        memcpy(v, x->missing_schemes, x->n_missing_schemes * sizeof(*v));
    }
    v[x->n_missing_schemes++] = (Rantai__V1__Certification) sc;
    x->missing_schemes = v;
}

int
matcher_explain(rantai_txn_t *txn,
                rantai_arena_t *arena,
                const char *did,
                int64_t now_ms,
                size_t max_offers,
                Rantai__V1__DemandExplanation **out)
{
    *out = NULL;
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, did, &d);
    if (rc != 0) {
        return rc;
    }
    s_demand_ctx_t dc;
    rc = s_demand_ctx(arena, &d, &dc);
    if (rc != 0 && rc != RANTAI_EINVAL) {
        return rc;
    }
    Rantai__V1__DemandExplanation *x =
        RANTAI_ANEW(arena, Rantai__V1__DemandExplanation);
    rantai__v1__demand_explanation__init(x);
    x->within_km = dc.view.max_distance_km;
    *out = x;
    if (rc == RANTAI_EINVAL) {
        return 0; /* a broken max_price: nothing can match, nothing to say */
    }
    s_eval_t ev = {txn, arena, did, &dc, now_ms};
    const char *prefix = dc.view.commodity;
    size_t pl = strlen(prefix);
    s_cands_t elig = {0};
    rantai_cursor_t *cur = NULL;
    rc = rantai_cursor_open(txn, MDB_OFFERS_BY_COMMODITY, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, prefix, pl, &kv, &vv);
    while (rc == 0 && kv.size >= pl && memcmp(kv.data, prefix, pl) == 0) {
        if (x->candidates >= max_offers) {
            x->capped = true;
            break;
        }
        const char *z = memchr(kv.data, 0, kv.size);
        size_t il =
            z != NULL ? kv.size - (size_t) (z - (const char *) kv.data) - 1 : 0;
        if (z != NULL && il > 0 && il <= RANTAI_ID_MAX) {
            char *oid = rantai_arena_strndup(arena, z + 1, il);
            s_cand_t *c;
            int rule;
            rc = s_eval_offer_why(&ev, oid, &c, &rule);
            if (rc != 0) {
                break;
            }
            x->candidates++;
            switch (rule) {
                case 0:
                    x->eligible++;
                    *s_cands_push(&elig, arena) = *c;
                    break;
                case 2:
                    x->wrong_dimension++;
                    break;
                case 3:
                    x->no_capacity++;
                    break;
                case 4:
                    x->above_max_price++;
                    break;
                case 5:
                    x->missing_certification++;
                    /* name the first required scheme the offer lacks */
                    for (size_t i = 0; c != NULL && i < dc.view.n_required;
                         i++) {
                        int sc = dc.view.required_certs[i];
                        int64_t at = dc.view.deliver_by != 0
                                         ? dc.view.deliver_by
                                         : now_ms;
                        bool ok = false;
                        for (uint32_t j = 0; j < c->offer.h.n_certs; j++) {
                            const matcher_cert_t *ct = &c->offer.certs[j];
                            ok = ok ||
                                 (ct->scheme == sc && (ct->valid_until == 0 ||
                                                       ct->valid_until >= at));
                        }
                        if (!ok) {
                            s_add_scheme(x, arena, sc);
                            break;
                        }
                    }
                    break;
                case 6:
                    x->too_far++;
                    break;
                case 7:
                    x->not_available_in_time++;
                    break;
                case 8:
                    x->outside_origin++;
                    break;
                case 9:
                    x->declined_or_expired++;
                    break;
                default:
                    break;
            }
        }
        rc = rantai_cursor_next(cur, &kv, &vv);
    }
    rantai_cursor_close(&cur);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    /* the pass over the eligible ones, counting what it skipped */
    if (elig.n > 1) {
        qsort(elig.v, elig.n, sizeof(*elig.v), s_cand_cmp);
    }
    uint64_t r = d.h.quantity_norm > d.h.filled_norm
                     ? d.h.quantity_norm - d.h.filled_norm
                     : 0;
    uint32_t s = d.h.live_suppliers;
    uint32_t maxs = dc.msg->max_suppliers;
    for (size_t i = 0; i < elig.n && r > 0; i++) {
        const s_cand_t *c = &elig.v[i];
        if (maxs > 0 && s >= maxs && !c->has_live) {
            x->supplier_limit++;
            continue;
        }
        uint64_t q = r < c->remaining ? r : c->remaining;
        if (q < c->offer.h.min_order_norm) {
            x->min_order_too_big++;
            continue;
        }
        r -= q;
        s += c->has_live ? 0 : 1;
    }
    return 0;
}
