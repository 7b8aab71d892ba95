/*  matcher_pass.c - one allocation pass of a demand (MATCHING.md
    "Allocation pass"): eligible offers in rank order, from the candidate
    index or the old full scan, picked greedily and committed. The settle
    loop that decides which passes run is in matcher_settle.c. */
#include "matcher_index.h"
#include "matcher_int.h"

#include <stdlib.h>
#include <string.h>

/* Work counters (matcher_pass_stats); the check counters are
   matcher_settle.c's. */
static matcher_pass_stats_t s_stats;

void
matcher_pass_stats(matcher_pass_stats_t *out)
{
    *out = s_stats;
    matcher_settle_counts(&out->checks, &out->check_skips);
}

uint64_t
matcher_pass_evaluated(void)
{
    return s_stats.offers_evaluated;
}

static bool s_use_scan = false;

void
matcher_pass_use_scan(bool on)
{
    s_use_scan = on;
}

/* One eligible offer of a pass: what ranking and the greedy loop need,
   small and self-contained so skipped ones can be reused (a pass that
   visits many offers must not grow its arena with each). */
typedef struct s_cand_t {
    matcher_rank_key_t key; /* key.offer_id points at id */
    uint64_t remaining, min_order;
    bool has_live;
    struct s_cand_t *next_free;
    char id[RANTAI_ID_MAX + 1];
    char commodity[RANTAI_COMMODITY_MAX + 1];
} s_cand_t;

int
matcher_dctx(rantai_arena_t *arena,
             const matcher_demand_t *d,
             matcher_dctx_t *dc)
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

int
matcher_offer_load(rantai_txn_t *txn,
                   rantai_arena_t *arena,
                   const char *oid,
                   matcher_loaded_t *l)
{
    memset(l, 0, sizeof(*l));
    int rc = matcher_offer_get(txn, arena, oid, &l->offer);
    if (rc != 0) {
        return rc;
    }
    const matcher_offer_hdr_t *h = &l->offer.h;
    rc = matcher_producer_get(txn, h->producer_id, &l->producer);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    l->registered = rc == 0;
    if ((h->flags & MATCHER_OFFER_HAS_LOCATION) != 0) {
        l->lat = h->lat;
        l->lon = h->lon;
    } else if (l->registered && l->producer.has_location) {
        l->lat = l->producer.lat;
        l->lon = l->producer.lon;
    }
    return 0;
}

uint64_t
matcher_offer_remaining(const matcher_offer_hdr_t *h)
{
    return (h->flags & MATCHER_OFFER_WITHDRAWN) != 0 ||
                   h->allocated_norm >= h->capacity_norm
               ? 0
               : h->capacity_norm - h->allocated_norm;
}

int
matcher_offer_judge(rantai_txn_t *txn,
                    const char *demand_id,
                    const matcher_dctx_t *dc,
                    const char *oid,
                    const matcher_loaded_t *l,
                    int64_t now_ms,
                    matcher_judged_t *j)
{
    memset(j, 0, sizeof(*j));
    matcher_pair_t pair;
    int rc = matcher_pair_get(txn, demand_id, oid, &pair);
    if (rc != 0) {
        return rc;
    }
    const matcher_offer_hdr_t *h = &l->offer.h;
    j->has_live = pair.live > 0;
    j->remaining = matcher_offer_remaining(h);
    matcher_offer_view_t ov = {
        .id = oid,
        .commodity = h->commodity,
        .qty_dim = (rantai_dim_t) h->qty_dim,
        .price_dim = (rantai_dim_t) h->price_dim,
        .price_norm = h->price_norm,
        .remaining_norm = j->remaining,
        .withdrawn = (h->flags & MATCHER_OFFER_WITHDRAWN) != 0,
        .producer_registered = l->registered,
        .certs = l->offer.certs,
        .n_certs = h->n_certs,
        .available_from = h->available_from,
        .available_until = h->available_until,
        .province = l->registered ? l->producer.province : "",
        .barred = pair.barred != 0,
    };
    j->distance_m = matcher_distance_m(l->lat, l->lon, dc->lat, dc->lon);
    j->rule = matcher_eligible(&ov, &dc->view, j->distance_m, now_ms);
    if (j->rule == 0) {
        j->landed = matcher_landed(h->price_norm,
                                   dc->msg->transport_milli_idr_per_unit_km,
                                   j->distance_m);
    }
    return 0;
}

/* Everything needed to evaluate one offer for the demand of a pass. */
typedef struct {
    rantai_txn_t *txn;
    rantai_arena_t *arena; /* the pass: candidates */
    rantai_arena_t *tmp;   /* one offer's records, reset before each */
    const char *demand_id;
    const matcher_dctx_t *dc;
    int64_t now_ms;
    s_cand_t *free; /* candidates the pass skipped, for reuse */
} s_eval_t;

/* Evaluate offer `oid`: *out (pass arena or reused) when eligible for
   the demand, else NULL. Both candidate sources use this, so the index
   and the scan cannot disagree on eligibility or keys. */
static int
s_eval_offer(s_eval_t *ev, const char *oid, s_cand_t **out)
{
    *out = NULL;
    s_stats.offers_evaluated++;
    rantai_arena_reset(ev->tmp);
    matcher_loaded_t l;
    int rc = matcher_offer_load(ev->txn, ev->tmp, oid, &l);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    matcher_judged_t j;
    rc = matcher_offer_judge(ev->txn, ev->demand_id, ev->dc, oid, &l,
                             ev->now_ms, &j);
    if (rc != 0 || j.rule != 0) {
        return rc;
    }
    size_t il = strlen(oid);
    if (il > RANTAI_ID_MAX) {
        return RANTAI_EINTERNAL;
    }
    s_cand_t *c = ev->free;
    if (c != NULL) {
        ev->free = c->next_free;
    } else {
        c = RANTAI_ANEW(ev->arena, s_cand_t);
    }
    memset(c, 0, sizeof(*c));
    memcpy(c->id, oid, il);
    strcpy(c->commodity, l.offer.h.commodity);
    c->key.landed = j.landed;
    c->key.distance_m = j.distance_m;
    c->key.offer_id = c->id;
    c->remaining = j.remaining;
    c->min_order = l.offer.h.min_order_norm;
    c->has_live = j.has_live;
    *out = c;
    return 0;
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

static int
s_cand_cmp(const void *a, const void *b)
{
    return matcher_rank_cmp(&(*(const s_cand_t *const *) a)->key,
                            &(*(const s_cand_t *const *) b)->key);
}

/* Candidates in rank order from the index, or from the old full scan of
   the offers of the demand's prefix, kept as a cross-check for tests. */
typedef struct {
    s_cand_t **all;
    size_t n, pos;
    matcher_cidx_iter_t *it;
} s_src_t;

static int
s_candidates_scan(s_eval_t *ev, s_src_t *src)
{
    const char *prefix = ev->dc->view.commodity;
    size_t pl = strlen(prefix);
    size_t cap = 0;
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
            char oid[RANTAI_ID_MAX + 1];
            memcpy(oid, z + 1, il);
            oid[il] = 0;
            s_cand_t *c;
            rc = s_eval_offer(ev, oid, &c);
            if (rc != 0) {
                break;
            }
            if (c != NULL) {
                if (src->n == cap) {
                    cap = cap == 0 ? 64 : 2 * cap;
                    s_cand_t **v =
                        rantai_arena_alloc(ev->arena, cap * sizeof(*v));
                    if (src->n > 0) {
                        memcpy(v, src->all, src->n * sizeof(*v));
                    }
                    src->all = v;
                }
                src->all[src->n++] = c;
            }
        }
        rc = rantai_cursor_next(cur, &kv, &vv);
    }
    rantai_cursor_close(&cur);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (src->n > 1) {
        qsort(src->all, src->n, sizeof(*src->all), s_cand_cmp);
    }
    return 0;
}

static int
s_src_open(s_eval_t *ev, s_src_t *src)
{
    memset(src, 0, sizeof(*src));
    if (s_use_scan) {
        return s_candidates_scan(ev, src);
    }
    const matcher_dctx_t *dc = ev->dc;
    matcher_cidx_query_t q = {
        .commodity = dc->view.commodity,
        .lat = dc->lat,
        .lon = dc->lon,
        .rate = dc->msg->transport_milli_idr_per_unit_km,
        .has_max_price = dc->view.has_max_price,
        .max_price_norm = dc->view.max_price_norm,
        .max_distance_km = dc->view.max_distance_km,
    };
    return matcher_cidx_iter_open(ev->txn, ev->arena, &q, s_eval_cb, ev,
                                  &src->it);
}

/* Next candidate: 0 with *c, RANTAI_ENOTFOUND at the end. */
static int
s_src_next(s_src_t *src, s_cand_t **c)
{
    if (src->it == NULL) {
        if (src->pos >= src->n) {
            return RANTAI_ENOTFOUND;
        }
        *c = src->all[src->pos++];
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
            const matcher_offer_hdr_t *h,
            const matcher_producer_t *p,
            uint64_t q,
            int64_t now_ms)
{
    Rantai__V1__Allocation *a = RANTAI_ANEW(arena, Rantai__V1__Allocation);
    rantai__v1__allocation__init(a);
    a->id = rantai_arena_printf(arena, "%s/%u", did, n);
    a->demand_id = rantai_arena_strndup(arena, did, strlen(did));
    a->buyer_id =
        rantai_arena_strndup(arena, d->h.buyer_id, strlen(d->h.buyer_id));
    a->offer_id = rantai_arena_strndup(arena, c->id, strlen(c->id));
    a->producer_id =
        rantai_arena_strndup(arena, h->producer_id, strlen(h->producer_id));
    a->cooperative_id = rantai_arena_strndup(arena, p->cooperative_id,
                                             strlen(p->cooperative_id));
    a->commodity =
        rantai_arena_strndup(arena, h->commodity, strlen(h->commodity));
    a->quantity = matcher_base_qty(arena, h->qty_dim, q);
    Rantai__V1__Price *pr = RANTAI_ANEW(arena, Rantai__V1__Price);
    rantai__v1__price__init(pr);
    pr->idr = h->price_idr;
    pr->per = (Rantai__V1__Unit) h->price_per;
    a->price = pr;
    a->distance_m = c->key.distance_m;
    a->landed_micro_idr = c->key.landed;
    a->state = RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED;
    a->created_at = now_ms;
    return a;
}

/* Commit the picks of a pass: allocations, offer and demand records, one
   match_proposed, and the all-or-nothing demands the picks may unblock. */
static int
s_commit(rantai_txn_t *txn,
         rantai_arena_t *arena,
         const char *did,
         matcher_demand_t *d,
         s_cand_t **pick,
         const uint64_t *qty,
         size_t np,
         int64_t now_ms)
{
    uint64_t old_filled = d->h.filled_norm;
    Rantai__V1__Allocation **allocs =
        rantai_arena_alloc(arena, np * sizeof(*allocs));
    for (size_t j = 0; j < np; j++) {
        s_cand_t *c = pick[j];
        /* the records as they are now: an earlier pick of this pass
           cannot share the offer, but nothing is written from a stale
           copy */
        matcher_offer_t o;
        matcher_producer_t p;
        int rc = matcher_offer_get(txn, arena, c->id, &o);
        if (rc == 0) {
            rc = matcher_producer_get(txn, o.h.producer_id, &p);
        }
        if (rc != 0) {
            return rc == RANTAI_ENOTFOUND ? RANTAI_EINTERNAL : rc;
        }
        uint32_t n = d->h.next_n++;
        Rantai__V1__Allocation *a =
            s_new_alloc(arena, did, n, d, c, &o.h, &p, qty[j], now_ms);
        rc = matcher_alloc_create(txn, arena, a, did, n);
        if (rc != 0) {
            return rc;
        }
        o.h.allocated_norm += qty[j];
        rc = matcher_offer_put(txn, c->id, &o);
        if (rc != 0) {
            return rc;
        }
        d->h.filled_norm += qty[j];
        d->h.proposed++;
        if (!c->has_live) {
            d->h.live_suppliers++;
        }
        allocs[j] = a;
    }
    Rantai__V1__MatchProposed *mp =
        RANTAI_ANEW(arena, Rantai__V1__MatchProposed);
    rantai__v1__match_proposed__init(mp);
    mp->demand_id = (char *) did;
    mp->buyer_id = d->h.buyer_id;
    mp->n_allocations = np;
    mp->allocations = allocs;
    mp->remaining = matcher_base_qty(arena, d->h.dim,
                                     d->h.quantity_norm - d->h.filled_norm);
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_MATCH_PROPOSED;
    ev.match_proposed = mp;
    int rc = matcher_emit(txn, &ev, now_ms, NULL);
    if (rc != 0) {
        return rc;
    }
    /* match_proposed already carries the new remaining: demand_updated
       only when the status moves */
    uint32_t status = matcher_demand_live_status(&d->h);
    rc = matcher_demand_commit(txn, arena, did, d, d->h.status, old_filled,
                               status, status != d->h.status, now_ms);
    for (size_t j = 0; rc == 0 && j < np; j++) {
        /* capacity taken: only all-or-nothing demands can gain
           (matcher_settle.c, fact 2) */
        rc = matcher_enqueue_aon(txn, pick[j]->commodity);
    }
    return rc;
}

int
matcher_pass_run(matcher_core_t *core,
                 rantai_txn_t *txn,
                 const char *did,
                 int64_t now_ms,
                 bool *allocated)
{
    rantai_arena_t *arena = core->scratch;
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
    matcher_dctx_t dc;
    rc = matcher_dctx(arena, &d, &dc);
    if (rc == RANTAI_EINVAL) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    s_stats.passes++;
    s_eval_t sev = {txn, arena, core->tmp, did, &dc, now_ms, NULL};
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
        uint64_t q = r < c->remaining ? r : c->remaining;
        if ((maxs > 0 && s >= maxs && !c->has_live) || q < c->min_order) {
            c->next_free = sev.free; /* skipped: reusable */
            sev.free = c;
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
        matcher_cidx_iter_close(src.it);
    }
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (np == 0 || (!dc.msg->allow_partial && r > 0)) {
        return 0;
    }
    rc = s_commit(txn, arena, did, &d, pick, qty, np, now_ms);
    *allocated = rc == 0;
    return rc;
}
