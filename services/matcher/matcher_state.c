/*  matcher_state.c - the matcher's records and indexes, the settle
    queue's entries, and the one place where allocations change state (so
    capacity, counters and indexes can never drift apart). The
    eligibility-time table is matcher_times.c. */
#include "matcher_feedidx.h"
#include "matcher_index.h"
#include "matcher_int.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t s_empty[1] = {0};

size_t
matcher_key2(uint8_t *buf, const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    memcpy(buf, a, la);
    buf[la] = 0;
    memcpy(buf + la + 1, b, lb);
    return la + 1 + lb;
}

static size_t
s_alloc_key(uint8_t *buf, const char *demand_id, uint32_t n)
{
    size_t l = strlen(demand_id);
    memcpy(buf, demand_id, l);
    buf[l] = 0;
    buf[l + 1] = (uint8_t) (n >> 24);
    buf[l + 2] = (uint8_t) (n >> 16);
    buf[l + 3] = (uint8_t) (n >> 8);
    buf[l + 4] = (uint8_t) n;
    return l + 5;
}

int
matcher_producer_get(rantai_txn_t *txn, const char *id, matcher_producer_t *p)
{
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_PRODUCERS, id, strlen(id), &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size != sizeof(*p)) {
        return RANTAI_EINTERNAL;
    }
    memcpy(p, v.data, sizeof(*p));
    return 0;
}

int
matcher_offer_get(rantai_txn_t *txn,
                  rantai_arena_t *arena,
                  const char *id,
                  matcher_offer_t *o)
{
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_OFFERS, id, strlen(id), &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size < sizeof(o->h)) {
        return RANTAI_EINTERNAL;
    }
    memcpy(&o->h, v.data, sizeof(o->h));
    size_t certs = (size_t) o->h.n_certs * sizeof(matcher_cert_t);
    if (v.size != sizeof(o->h) + certs + o->h.packed_len) {
        return RANTAI_EINTERNAL;
    }
    const uint8_t *p = (const uint8_t *) v.data + sizeof(o->h);
    o->certs = rantai_arena_alloc(arena, certs + 1);
    memcpy(o->certs, p, certs);
    void *packed = rantai_arena_alloc(arena, o->h.packed_len + 1);
    memcpy(packed, p + certs, o->h.packed_len);
    o->packed = packed;
    return 0;
}

int
matcher_offer_put(rantai_txn_t *txn, const char *id, const matcher_offer_t *o)
{
    size_t certs = (size_t) o->h.n_certs * sizeof(matcher_cert_t);
    size_t size = sizeof(o->h) + certs + o->h.packed_len;
    void *dst;
    int rc = rantai_put_reserve(txn, MDB_OFFERS, id, strlen(id), size, &dst);
    if (rc != 0) {
        return rc;
    }
    uint8_t *p = dst;
    memcpy(p, &o->h, sizeof(o->h));
    if (certs > 0) {
        memcpy(p + sizeof(o->h), o->certs, certs);
    }
    if (o->h.packed_len > 0) {
        memcpy(p + sizeof(o->h) + certs, o->packed, o->h.packed_len);
    }
    /* every capacity or withdrawal change passes here: keep the
       candidate index in the same transaction */
    return matcher_cidx_sync(txn, id, &o->h);
}

int
matcher_demand_get(rantai_txn_t *txn,
                   rantai_arena_t *arena,
                   const char *id,
                   matcher_demand_t *d)
{
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_DEMANDS, id, strlen(id), &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size < sizeof(d->h)) {
        return RANTAI_EINTERNAL;
    }
    memcpy(&d->h, v.data, sizeof(d->h));
    if (v.size != sizeof(d->h) + d->h.packed_len) {
        return RANTAI_EINTERNAL;
    }
    void *packed = rantai_arena_alloc(arena, d->h.packed_len + 1);
    memcpy(packed, (const uint8_t *) v.data + sizeof(d->h), d->h.packed_len);
    d->packed = packed;
    return 0;
}

int
matcher_demand_put(rantai_txn_t *txn, const char *id, const matcher_demand_t *d)
{
    void *dst;
    int rc = rantai_put_reserve(txn, MDB_DEMANDS, id, strlen(id),
                                sizeof(d->h) + d->h.packed_len, &dst);
    if (rc != 0) {
        return rc;
    }
    memcpy(dst, &d->h, sizeof(d->h));
    if (d->h.packed_len > 0) {
        memcpy((uint8_t *) dst + sizeof(d->h), d->packed, d->h.packed_len);
    }
    return 0;
}

int
matcher_pair_get(rantai_txn_t *txn,
                 const char *demand_id,
                 const char *offer_id,
                 matcher_pair_t *p)
{
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl = matcher_key2(k, demand_id, offer_id);
    rantai_val_t v;
    memset(p, 0, sizeof(*p));
    int rc = rantai_get(txn, MDB_PAIRS, k, kl, &v);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (v.size == sizeof(*p)) {
        memcpy(p, v.data, sizeof(*p));
    }
    return 0;
}

static int
s_pair_put(rantai_txn_t *txn,
           const char *demand_id,
           const char *offer_id,
           const matcher_pair_t *p)
{
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl = matcher_key2(k, demand_id, offer_id);
    if (p->live == 0 && p->barred == 0) {
        int rc = rantai_del(txn, MDB_PAIRS, k, kl);
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    return rantai_put(txn, MDB_PAIRS, k, kl, p, sizeof(*p));
}

int
matcher_alloc_get(rantai_txn_t *txn,
                  rantai_arena_t *arena,
                  const char *demand_id,
                  uint32_t n,
                  Rantai__V1__Allocation **out,
                  uint64_t *ctr)
{
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl = s_alloc_key(k, demand_id, n);
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_ALLOCS, k, kl, &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size < 8) {
        return RANTAI_EINTERNAL;
    }
    *ctr = rantai_be64_get(v.data);
    *out = (Rantai__V1__Allocation *) rantai_decode(
        &rantai__v1__allocation__descriptor, (const uint8_t *) v.data + 8,
        v.size - 8, v.size, arena);
    return *out != NULL ? 0 : RANTAI_EINTERNAL;
}

static int
s_alloc_put(rantai_txn_t *txn,
            rantai_arena_t *arena,
            const Rantai__V1__Allocation *a,
            uint64_t ctr)
{
    uint32_t n;
    char did[RANTAI_ID_MAX + 1];
    if (matcher_alloc_id_parse(a->id, did, &n) != 0) {
        return RANTAI_EINTERNAL;
    }
    size_t len;
    void *packed = rantai_encode(&a->base, arena, &len);
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl = s_alloc_key(k, did, n);
    void *dst;
    int rc = rantai_put_reserve(txn, MDB_ALLOCS, k, kl, len + 8, &dst);
    if (rc != 0) {
        return rc;
    }
    rantai_be64_put(dst, ctr);
    memcpy((uint8_t *) dst + 8, packed, len);
    return 0;
}

int
matcher_alloc_id_parse(const char *id, char *demand_id, uint32_t *n)
{
    if (id == NULL) {
        return RANTAI_EINVAL;
    }
    const char *slash = strrchr(id, '/');
    if (slash == NULL || slash == id || (size_t) (slash - id) > RANTAI_ID_MAX) {
        return RANTAI_EINVAL;
    }
    size_t dl = (size_t) (slash - id);
    memcpy(demand_id, id, dl);
    demand_id[dl] = 0;
    if (!rantai_id_valid(demand_id)) {
        return RANTAI_EINVAL;
    }
    const char *p = slash + 1;
    if (*p < '1' || *p > '9') {
        return RANTAI_EINVAL; /* no leading zero: one spelling per id */
    }
    uint64_t v = 0;
    for (; *p != 0; p++) {
        if (*p < '0' || *p > '9') {
            return RANTAI_EINVAL;
        }
        v = v * 10 + (uint64_t) (*p - '0');
        if (v > UINT32_MAX) {
            return RANTAI_EINVAL;
        }
    }
    *n = (uint32_t) v;
    return 0;
}

uint32_t
matcher_demand_live_status(const matcher_demand_hdr_t *h)
{
    if (h->filled_norm < h->quantity_norm) {
        return RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN;
    }
    return h->proposed > 0 ? RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_ALLOCATED
                           : RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_FULFILLED;
}

int
matcher_counter_add(rantai_txn_t *txn, const char *key, int64_t delta)
{
    uint64_t v = rantai_meta_u64(txn, key);
    if (delta < 0 && (uint64_t) (-delta) > v) {
        v = 0;
    } else {
        v = (uint64_t) ((int64_t) v + delta);
    }
    return rantai_meta_put_u64(txn, key, v);
}

Rantai__V1__Quantity *
matcher_base_qty(rantai_arena_t *arena, int dim, uint64_t norm)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = norm;
    q->unit = (Rantai__V1__Unit) rantai_dim_base_unit((rantai_dim_t) dim);
    return q;
}

int
matcher_emit(rantai_txn_t *txn,
             rantai_event_t *ev,
             int64_t now_ms,
             uint64_t *seq)
{
    uint64_t s = 0;
    int rc = rantai_evlog_append(txn, ev, now_ms, &s);
    if (rc == 0) {
        /* same txn as the event: the party index never lags the log */
        rc = matcher_feedidx_tag(txn, ev, s);
    }
    if (rc == 0 && seq != NULL) {
        *seq = s;
    }
    return rc;
}

static int
s_open_index(rantai_txn_t *txn,
             const char *id,
             const matcher_demand_hdr_t *h,
             bool aon,
             bool add)
{
    uint8_t k[MATCHER_KEY_MAX];
    size_t il = strlen(id);
    int rc;
    rantai_be64_put(k, h->order);
    rc = add ? rantai_put(txn, MDB_OPEN_BY_ORDER, k, 8, id, il)
             : rantai_del(txn, MDB_OPEN_BY_ORDER, k, 8);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    size_t cl = strlen(h->commodity);
    memcpy(k, h->commodity, cl);
    k[cl] = 0;
    rantai_be64_put(k + cl + 1, h->order);
    rc = add ? rantai_put(txn, MDB_OPEN_BY_COMMODITY, k, cl + 9, id, il)
             : rantai_del(txn, MDB_OPEN_BY_COMMODITY, k, cl + 9);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (aon || !add) {
        rc = add ? rantai_put(txn, MDB_OPEN_AON, k, cl + 9, id, il)
                 : rantai_del(txn, MDB_OPEN_AON, k, cl + 9);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
    }
    if (h->deliver_by != 0) {
        rantai_be64_put(k, (uint64_t) h->deliver_by);
        memcpy(k + 8, id, il);
        rc = add ? rantai_put(txn, MDB_DEADLINES, k, 8 + il, s_empty, 1)
                 : rantai_del(txn, MDB_DEADLINES, k, 8 + il);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
    }
    return matcher_counter_add(txn, "open_demands", add ? 1 : -1);
}

bool
matcher_demand_aon(rantai_arena_t *arena, const matcher_demand_t *d)
{
    const Rantai__V1__Demand *m = (const Rantai__V1__Demand *) rantai_decode(
        &rantai__v1__demand__descriptor, d->packed, d->h.packed_len,
        (size_t) d->h.packed_len + 1, arena);
    return m == NULL || !m->allow_partial;
}

int
matcher_demand_commit(rantai_txn_t *txn,
                      rantai_arena_t *arena,
                      const char *id,
                      matcher_demand_t *d,
                      uint32_t old_status,
                      uint64_t old_filled,
                      uint32_t status,
                      bool emit,
                      int64_t now_ms)
{
    (void) old_filled;
    const uint32_t open = RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN;
    int rc;
    if ((old_status == open) != (status == open)) {
        bool add = status == open;
        rc = s_open_index(txn, id, &d->h, add && matcher_demand_aon(arena, d),
                          add);
        if (rc != 0) {
            return rc;
        }
    }
    d->h.status = status;
    rc = matcher_demand_put(txn, id, d);
    if (rc != 0 || !emit) {
        return rc;
    }
    Rantai__V1__DemandUpdated *du =
        RANTAI_ANEW(arena, Rantai__V1__DemandUpdated);
    rantai__v1__demand_updated__init(du);
    du->demand_id = rantai_arena_strndup(arena, id, strlen(id));
    du->buyer_id =
        rantai_arena_strndup(arena, d->h.buyer_id, strlen(d->h.buyer_id));
    du->status = (Rantai__V1__DemandStatus) status;
    uint64_t rem = d->h.quantity_norm > d->h.filled_norm
                       ? d->h.quantity_norm - d->h.filled_norm
                       : 0;
    du->remaining = matcher_base_qty(arena, d->h.dim, rem);
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_UPDATED;
    ev.demand_updated = du;
    return matcher_emit(txn, &ev, now_ms, NULL);
}

static int
s_queue_put(rantai_txn_t *txn, uint64_t order, const char *demand_id, int mode)
{
    uint8_t k[8];
    uint8_t v[RANTAI_ID_MAX + 2];
    size_t il = strlen(demand_id);
    if (il > RANTAI_ID_MAX) {
        return RANTAI_EINTERNAL;
    }
    rantai_be64_put(k, order);
    if (mode == MATCHER_QUEUE_CHECK) {
        rantai_val_t old;
        int rc = rantai_get(txn, MDB_QUEUE, k, 8, &old);
        if (rc != RANTAI_ENOTFOUND) {
            return rc; /* queued already (FULL or CHECK), or an error */
        }
    }
    v[0] = (uint8_t) mode;
    memcpy(v + 1, demand_id, il);
    return rantai_put(txn, MDB_QUEUE, k, 8, v, il + 1);
}

int
matcher_enqueue(rantai_txn_t *txn, uint64_t order, const char *demand_id)
{
    return s_queue_put(txn, order, demand_id, MATCHER_QUEUE_FULL);
}

int
matcher_enqueue_check(rantai_txn_t *txn, uint64_t order, const char *demand_id)
{
    return s_queue_put(txn, order, demand_id, MATCHER_QUEUE_CHECK);
}

int
matcher_enqueue_aon(rantai_txn_t *txn, const char *commodity)
{
    size_t len = strlen(commodity);
    for (size_t pl = 2; pl <= len; pl++) {
        uint8_t k[RANTAI_COMMODITY_MAX + 2];
        memcpy(k, commodity, pl);
        k[pl] = 0;
        rantai_cursor_t *cur = NULL;
        int rc = rantai_cursor_open(txn, MDB_OPEN_AON, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, k, pl + 1, &kv, &vv);
        while (rc == 0 && kv.size == pl + 9 &&
               memcmp(kv.data, k, pl + 1) == 0) {
            char id[RANTAI_ID_MAX + 1];
            size_t il = vv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : vv.size;
            memcpy(id, vv.data, il);
            id[il] = 0;
            uint64_t order =
                rantai_be64_get((const uint8_t *) kv.data + pl + 1);
            rc = matcher_enqueue(txn, order, id);
            if (rc == 0) {
                rc = rantai_cursor_next(cur, &kv, &vv);
            }
        }
        rantai_cursor_close(&cur);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
    }
    return 0;
}

int
matcher_offer_touched(rantai_txn_t *txn, const char *id, const char *commodity)
{
    int rc = matcher_enqueue_aon(txn, commodity);
    if (rc == 0) {
        rc = rantai_put(txn, MDB_TOUCHED, id, strlen(id), s_empty, 1);
    }
    return rc;
}

static bool
s_is_live(int state)
{
    return state == RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED ||
           state == RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_ACCEPTED;
}

/* Key of the PROPOSED-by-time index for allocation a. */
static size_t
s_proposed_key(uint8_t *k,
               const Rantai__V1__Allocation *a,
               const char *did,
               uint32_t n)
{
    rantai_be64_put(k, (uint64_t) a->created_at);
    return 8 + s_alloc_key(k + 8, did, n);
}

int
matcher_alloc_transition(rantai_txn_t *txn,
                         rantai_arena_t *arena,
                         const Rantai__V1__Allocation *a,
                         uint64_t ctr,
                         int state,
                         const char *reason,
                         int64_t now_ms,
                         uint64_t *seq)
{
    const int proposed =
        RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED;
    if (!s_is_live(a->state) || (int) a->state == state) {
        return RANTAI_EPRECOND;
    }
    char did[RANTAI_ID_MAX + 1];
    uint32_t n;
    if (matcher_alloc_id_parse(a->id, did, &n) != 0) {
        return RANTAI_EINTERNAL;
    }
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, did, &d);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? RANTAI_EINTERNAL : rc;
    }
    uint64_t q = a->quantity != NULL ? a->quantity->milli : 0;
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl;
    if ((int) a->state == proposed) {
        d.h.proposed--;
        kl = s_proposed_key(k, a, did, n);
        rc = rantai_del(txn, MDB_PROPOSED_BY_TIME, k, kl);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
    }
    if (!s_is_live(state)) {
        matcher_offer_t o;
        rc = matcher_offer_get(txn, arena, a->offer_id, &o);
        if (rc == 0) {
            o.h.allocated_norm =
                o.h.allocated_norm > q ? o.h.allocated_norm - q : 0;
            rc = matcher_offer_put(txn, a->offer_id, &o);
            if (rc == 0) {
                rc = matcher_offer_touched(txn, a->offer_id, o.h.commodity);
            }
        } else if (rc == RANTAI_ENOTFOUND) {
            rc = 0;
        }
        if (rc != 0) {
            return rc;
        }
        size_t ol = strlen(a->offer_id);
        memcpy(k, a->offer_id, ol);
        k[ol] = 0;
        rantai_be64_put(k + ol + 1, ctr);
        rc = rantai_del(txn, MDB_OFFER_ALLOCS, k, ol + 9);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
        matcher_pair_t pair;
        rc = matcher_pair_get(txn, did, a->offer_id, &pair);
        if (rc != 0) {
            return rc;
        }
        if (pair.live > 0 && --pair.live == 0 && d.h.live_suppliers > 0) {
            d.h.live_suppliers--;
        }
        if (state == RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_DECLINED ||
            state == RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_EXPIRED) {
            pair.barred = 1;
        }
        rc = s_pair_put(txn, did, a->offer_id, &pair);
        if (rc != 0) {
            return rc;
        }
        d.h.filled_norm = d.h.filled_norm > q ? d.h.filled_norm - q : 0;
        rc = matcher_counter_add(txn, "live_allocations", -1);
        if (rc == 0) {
            rc = matcher_enqueue(txn, d.h.order, did);
        }
        if (rc != 0) {
            return rc;
        }
    }
    rc = matcher_demand_put(txn, did, &d);
    if (rc != 0) {
        return rc;
    }
    Rantai__V1__Allocation *na = RANTAI_ANEW(arena, Rantai__V1__Allocation);
    *na = *a;
    na->state = (Rantai__V1__AllocationState) state;
    rc = s_alloc_put(txn, arena, na, ctr);
    if (rc != 0) {
        return rc;
    }
    Rantai__V1__AllocationUpdated *au =
        RANTAI_ANEW(arena, Rantai__V1__AllocationUpdated);
    rantai__v1__allocation_updated__init(au);
    au->allocation = na;
    au->reason = rantai_arena_strndup(arena, reason, strlen(reason));
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED;
    ev.allocation_updated = au;
    return matcher_emit(txn, &ev, now_ms, seq);
}

int
matcher_demand_refresh(rantai_txn_t *txn,
                       rantai_arena_t *arena,
                       const char *id,
                       uint32_t old_status,
                       uint64_t old_filled,
                       int64_t now_ms)
{
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, id, &d);
    if (rc != 0) {
        return rc;
    }
    uint32_t status = matcher_demand_live_status(&d.h);
    bool emit = status != old_status || d.h.filled_norm != old_filled;
    return matcher_demand_commit(txn, arena, id, &d, old_status, old_filled,
                                 status, emit, now_ms);
}

/* Exported for the core files: create allocation records and indexes. */
int
matcher_alloc_create(rantai_txn_t *txn,
                     rantai_arena_t *arena,
                     const Rantai__V1__Allocation *a,
                     const char *did,
                     uint32_t n)
{
    uint64_t ctr = rantai_meta_u64(txn, "alloc_ctr") + 1;
    int rc = rantai_meta_put_u64(txn, "alloc_ctr", ctr);
    if (rc == 0) {
        rc = s_alloc_put(txn, arena, a, ctr);
    }
    if (rc != 0) {
        return rc;
    }
    uint8_t k[MATCHER_KEY_MAX];
    uint8_t ak[MATCHER_KEY_MAX];
    size_t akl = s_alloc_key(ak, did, n);
    size_t ol = strlen(a->offer_id);
    memcpy(k, a->offer_id, ol);
    k[ol] = 0;
    rantai_be64_put(k + ol + 1, ctr);
    rc = rantai_put(txn, MDB_OFFER_ALLOCS, k, ol + 9, ak, akl);
    if (rc != 0) {
        return rc;
    }
    size_t kl = s_proposed_key(k, a, did, n);
    rc = rantai_put(txn, MDB_PROPOSED_BY_TIME, k, kl, s_empty, 1);
    if (rc != 0) {
        return rc;
    }
    matcher_pair_t pair;
    rc = matcher_pair_get(txn, did, a->offer_id, &pair);
    if (rc != 0) {
        return rc;
    }
    pair.live++;
    rc = s_pair_put(txn, did, a->offer_id, &pair);
    if (rc != 0) {
        return rc;
    }
    return matcher_counter_add(txn, "live_allocations", 1);
}

/* Parse an alloc key (demand_id \0 BE32 n) back into id and n. */
int
matcher_alloc_key_parse(const void *key, size_t len, char *did, uint32_t *n)
{
    const uint8_t *k = key;
    if (len < 6 || len - 5 > RANTAI_ID_MAX || k[len - 5] != 0) {
        return RANTAI_EINTERNAL;
    }
    memcpy(did, k, len - 5);
    did[len - 5] = 0;
    const uint8_t *b = k + len - 4;
    *n = ((uint32_t) b[0] << 24) | ((uint32_t) b[1] << 16) |
         ((uint32_t) b[2] << 8) | b[3];
    return 0;
}
