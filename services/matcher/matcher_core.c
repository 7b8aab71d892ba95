/*  matcher_core.c - the matcher core: lifecycle, application of upstream
    registry events (MATCHING.md "Lifecycle") and timers. Records and
    transitions live in matcher_state.c, passes in matcher_pass.c, settling in
   matcher_settle.c, requests and the feed filter in matcher_handle.c. */
#include "matcher_index.h"
#include "matcher_int.h"

#include <stdlib.h>
#include <string.h>

const char *const matcher_db_names[MATCHER_DB_COUNT] = {"producers",
                                                        "buyers",
                                                        "offers",
                                                        "demands",
                                                        "allocs",
                                                        "offer_allocs",
                                                        "pairs",
                                                        "open_by_order",
                                                        "open_by_commodity",
                                                        "offers_by_commodity",
                                                        "producer_offers",
                                                        "proposed_by_time",
                                                        "deadlines",
                                                        "queue",
                                                        "cand_idx",
                                                        "cand_cells",
                                                        "cand_of",
                                                        "cand_fine",
                                                        "cand_fine_cells",
                                                        "cand_price",
                                                        "open_aon",
                                                        "touched",
                                                        "elig_times"};

matcher_core_t *
matcher_core_new(int64_t accept_timeout_ms)
{
    matcher_core_t *self = calloc(1, sizeof(*self));
    if (self == NULL) {
        abort(); /* one allocator policy: OOM aborts */
    }
    self->accept_timeout_ms =
        accept_timeout_ms > 0 ? accept_timeout_ms : MATCHER_ACCEPT_TIMEOUT_MS;
    self->scratch = rantai_arena_new();
    self->tmp = rantai_arena_new();
    return self;
}

void
matcher_core_destroy(matcher_core_t **self)
{
    if (self == NULL || *self == NULL) {
        return;
    }
    rantai_arena_destroy(&(*self)->scratch);
    rantai_arena_destroy(&(*self)->tmp);
    free(*self);
    *self = NULL;
}

void
matcher_core_set_accept_timeout(matcher_core_t *self, int64_t ms)
{
    if (ms > 0) {
        self->accept_timeout_ms = ms;
    }
}

static const char *
s_seq_key(int source)
{
    return source == MATCHER_SOURCE_PRODUCER ? "producer_seq" : "buyer_seq";
}

uint64_t
matcher_core_applied_seq(rantai_txn_t *txn, int source)
{
    return rantai_meta_u64(txn, s_seq_key(source));
}

static bool
s_str_ok(const char *s, size_t max)
{
    return s != NULL && strlen(s) <= max;
}

/* Live allocations of an offer (oldest first), as alloc keys. */
typedef struct {
    char did[RANTAI_ID_MAX + 1];
    uint32_t n;
} s_akey_t;

static int
s_offer_live(rantai_txn_t *txn,
             rantai_arena_t *arena,
             const char *offer_id,
             s_akey_t **out,
             size_t *count)
{
    size_t ol = strlen(offer_id);
    uint8_t prefix[RANTAI_ID_MAX + 1];
    memcpy(prefix, offer_id, ol);
    prefix[ol] = 0;
    size_t cap = 16, n = 0;
    s_akey_t *v = rantai_arena_alloc(arena, cap * sizeof(*v));
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, MDB_OFFER_ALLOCS, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, prefix, ol + 1, &kv, &vv);
    while (rc == 0 && kv.size == ol + 9 &&
           memcmp(kv.data, prefix, ol + 1) == 0) {
        if (n == cap) {
            s_akey_t *nv = rantai_arena_alloc(arena, 2 * cap * sizeof(*nv));
            memcpy(nv, v, n * sizeof(*v));
            v = nv;
            cap *= 2;
        }
        if (matcher_alloc_key_parse(vv.data, vv.size, v[n].did, &v[n].n) == 0) {
            n++;
        }
        rc = rantai_cursor_next(cur, &kv, &vv);
    }
    rantai_cursor_close(&cur);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    *out = v;
    *count = n;
    return 0;
}

/* Change one allocation and refresh its demand's status. */
int
matcher_alloc_change(rantai_txn_t *txn,
                     rantai_arena_t *arena,
                     const Rantai__V1__Allocation *a,
                     uint64_t ctr,
                     int state,
                     const char *reason,
                     int64_t now_ms,
                     uint64_t *seq)
{
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, a->demand_id, &d);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? RANTAI_EINTERNAL : rc;
    }
    rc = matcher_alloc_transition(txn, arena, a, ctr, state, reason, now_ms,
                                  seq);
    if (rc != 0) {
        return rc;
    }
    if (d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_CANCELLED ||
        d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_EXPIRED) {
        return 0;
    }
    return matcher_demand_refresh(txn, arena, a->demand_id, d.h.status,
                                  d.h.filled_norm, now_ms);
}

/* Cancel PROPOSED allocations of an offer: all of them (withdraw), or
   newest first until allocated <= capacity (capacity lowered). */
static int
s_cancel_proposed(rantai_txn_t *txn,
                  rantai_arena_t *arena,
                  const char *offer_id,
                  bool all,
                  const char *reason,
                  int64_t now_ms)
{
    s_akey_t *keys;
    size_t n;
    int rc = s_offer_live(txn, arena, offer_id, &keys, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const s_akey_t *k = all ? &keys[i] : &keys[n - 1 - i];
        if (!all) {
            matcher_offer_t o;
            rc = matcher_offer_get(txn, arena, offer_id, &o);
            if (rc != 0 || o.h.allocated_norm <= o.h.capacity_norm) {
                break;
            }
        }
        Rantai__V1__Allocation *a;
        uint64_t ctr;
        rc = matcher_alloc_get(txn, arena, k->did, k->n, &a, &ctr);
        if (rc == 0 &&
            a->state ==
                RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED) {
            rc = matcher_alloc_change(
                txn, arena, a, ctr,
                RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_CANCELLED,
                reason, now_ms, NULL);
        }
    }
    return rc;
}

static int
s_producer_put(rantai_txn_t *txn,
               rantai_arena_t *arena,
               const Rantai__V1__Producer *p)
{
    if (p == NULL || !rantai_id_valid(p->id) ||
        !s_str_ok(p->cooperative_id, RANTAI_ID_MAX) ||
        !s_str_ok(p->province, 7)) {
        return RANTAI_EINVAL;
    }
    matcher_producer_t rec, old;
    memset(&rec, 0, sizeof(rec));
    strcpy(rec.cooperative_id, p->cooperative_id);
    strcpy(rec.province, p->province);
    if (p->location != NULL) {
        rec.has_location = 1;
        rec.lat = p->location->lat;
        rec.lon = p->location->lon;
    }
    int rc = matcher_producer_get(txn, p->id, &old);
    if (rc == 0 && memcmp(&old, &rec, sizeof(rec)) == 0) {
        return 0;
    }
    rc =
        rantai_put(txn, MDB_PRODUCERS, p->id, strlen(p->id), &rec, sizeof(rec));
    if (rc != 0) {
        return rc;
    }
    /* the producer's offers changed with it: their demands take a look */
    size_t pl = strlen(p->id);
    uint8_t prefix[RANTAI_ID_MAX + 1];
    memcpy(prefix, p->id, pl);
    prefix[pl] = 0;
    rantai_cursor_t *cur = NULL;
    rc = rantai_cursor_open(txn, MDB_PRODUCER_OFFERS, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, prefix, pl + 1, &kv, &vv);
    while (rc == 0 && kv.size > pl + 1 &&
           memcmp(kv.data, prefix, pl + 1) == 0) {
        char *oid = rantai_arena_strndup(arena, (const char *) kv.data + pl + 1,
                                         kv.size - pl - 1);
        matcher_offer_t o;
        rc = matcher_offer_get(txn, arena, oid, &o);
        if (rc == 0 && (o.h.flags & MATCHER_OFFER_WITHDRAWN) == 0) {
            rc = matcher_cidx_sync(txn, oid, &o.h); /* may have moved */
            if (rc == 0) {
                rc = matcher_offer_touched(txn, oid, o.h.commodity);
            }
        }
        if (rc == 0) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
    }
    rantai_cursor_close(&cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int
s_offer_put(rantai_txn_t *txn,
            rantai_arena_t *arena,
            const Rantai__V1__Offer *m,
            int64_t now_ms)
{
    if (m == NULL || !rantai_id_valid(m->id) ||
        !rantai_id_valid(m->producer_id) ||
        !rantai_commodity_valid(m->commodity, 2) || m->quantity == NULL ||
        m->price == NULL) {
        return RANTAI_EINVAL;
    }
    matcher_offer_t o;
    memset(&o, 0, sizeof(o));
    matcher_offer_hdr_t *h = &o.h;
    rantai_dim_t qd, pd, md = RANTAI_DIM_NONE;
    if (matcher_qty_norm(m->quantity->milli, (int) m->quantity->unit,
                         &h->capacity_norm, &qd) != 0 ||
        matcher_price_norm(m->price->idr, (int) m->price->per, &h->price_norm,
                           &pd) != 0) {
        return RANTAI_EINVAL;
    }
    if (m->min_order != NULL && m->min_order->milli > 0 &&
        matcher_qty_norm(m->min_order->milli, (int) m->min_order->unit,
                         &h->min_order_norm, &md) != 0) {
        return RANTAI_EINVAL;
    }
    strcpy(h->producer_id, m->producer_id);
    strcpy(h->commodity, m->commodity);
    h->qty_dim = (int32_t) qd;
    h->price_dim = (int32_t) pd;
    h->price_per = (int32_t) m->price->per;
    h->price_idr = m->price->idr;
    if (m->location != NULL) {
        h->flags |= MATCHER_OFFER_HAS_LOCATION;
        h->lat = m->location->lat;
        h->lon = m->location->lon;
    }
    h->available_from = m->available_from;
    h->available_until = m->available_until;
    h->n_certs = (uint32_t) m->n_certificates;
    o.certs = rantai_arena_alloc(arena, (m->n_certificates + 1) *
                                            sizeof(matcher_cert_t));
    for (size_t i = 0; i < m->n_certificates; i++) {
        const Rantai__V1__Certificate *c = m->certificates[i];
        o.certs[i].scheme = c != NULL ? (int) c->scheme : 0;
        o.certs[i].valid_until = c != NULL ? c->valid_until : 0;
    }
    size_t len;
    o.packed = rantai_encode(&m->base, arena, &len);
    h->packed_len = (uint32_t) len;

    matcher_offer_t old;
    int rc = matcher_offer_get(txn, arena, m->id, &old);
    bool exists = rc == 0;
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (exists && (old.h.flags & MATCHER_OFFER_WITHDRAWN) != 0) {
        return 0; /* withdrawal is final */
    }
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl;
    if (exists) {
        h->allocated_norm = old.h.allocated_norm;
        if (strcmp(old.h.commodity, h->commodity) != 0) {
            kl = matcher_key2(k, old.h.commodity, m->id);
            rc = rantai_del(txn, MDB_OFFERS_BY_COMMODITY, k, kl);
            if (rc != 0 && rc != RANTAI_ENOTFOUND) {
                return rc;
            }
            /* gone from the old prefixes: only all-or-nothing demands
               there can gain from that */
            rc = matcher_enqueue_aon(txn, old.h.commodity);
            if (rc != 0) {
                return rc;
            }
        }
    }
    rc = matcher_offer_put(txn, m->id, &o);
    if (rc == 0) {
        kl = matcher_key2(k, h->commodity, m->id);
        rc = rantai_put(txn, MDB_OFFERS_BY_COMMODITY, k, kl, "", 1);
    }
    if (rc == 0) {
        kl = matcher_key2(k, h->producer_id, m->id);
        rc = rantai_put(txn, MDB_PRODUCER_OFFERS, k, kl, "", 1);
    }
    if (rc == 0 && !exists) {
        rc = matcher_counter_add(txn, "open_offers", 1);
    }
    if (rc == 0) {
        rc = matcher_elig_times_sync(txn, m->id, exists ? &old : NULL, &o);
    }
    if (rc == 0 && h->allocated_norm > h->capacity_norm) {
        rc = s_cancel_proposed(txn, arena, m->id, false,
                               "offer_capacity_lowered", now_ms);
    }
    if (rc == 0) {
        rc = matcher_offer_touched(txn, m->id, h->commodity);
    }
    return rc;
}

static int
s_offer_withdrawn(rantai_txn_t *txn,
                  rantai_arena_t *arena,
                  const char *id,
                  int64_t now_ms)
{
    if (id == NULL || !rantai_id_valid(id)) {
        return RANTAI_EINVAL;
    }
    matcher_offer_t o;
    int rc = matcher_offer_get(txn, arena, id, &o);
    if (rc == RANTAI_ENOTFOUND ||
        (rc == 0 && (o.h.flags & MATCHER_OFFER_WITHDRAWN) != 0)) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    o.h.flags |= MATCHER_OFFER_WITHDRAWN;
    rc = matcher_offer_put(txn, id, &o);
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl = matcher_key2(k, o.h.commodity, id);
    if (rc == 0) {
        rc = rantai_del(txn, MDB_OFFERS_BY_COMMODITY, k, kl);
        rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    if (rc == 0) {
        rc = matcher_counter_add(txn, "open_offers", -1);
    }
    if (rc == 0) {
        rc = matcher_elig_times_sync(txn, id, &o, NULL);
    }
    if (rc == 0) {
        rc = s_cancel_proposed(txn, arena, id, true, "offer_withdrawn", now_ms);
    }
    if (rc == 0) {
        rc = matcher_enqueue_aon(txn, o.h.commodity);
    }
    return rc;
}

static int
s_buyer_put(rantai_txn_t *txn, const Rantai__V1__Buyer *b)
{
    if (b == NULL || !rantai_id_valid(b->id) ||
        !s_str_ok(b->marketplace_id, RANTAI_ID_MAX)) {
        return RANTAI_EINVAL;
    }
    return rantai_put(txn, MDB_BUYERS, b->id, strlen(b->id), b->marketplace_id,
                      strlen(b->marketplace_id));
}

static int
s_demand_posted(rantai_txn_t *txn,
                rantai_arena_t *arena,
                const Rantai__V1__Demand *m,
                int64_t now_ms)
{
    if (m == NULL || !rantai_id_valid(m->id) || !rantai_id_valid(m->buyer_id) ||
        !rantai_commodity_valid(m->commodity, 2) || m->quantity == NULL) {
        return RANTAI_EINVAL;
    }
    matcher_demand_t d;
    memset(&d, 0, sizeof(d));
    rantai_dim_t dim;
    if (matcher_qty_norm(m->quantity->milli, (int) m->quantity->unit,
                         &d.h.quantity_norm, &dim) != 0 ||
        d.h.quantity_norm == 0) {
        return RANTAI_EINVAL;
    }
    matcher_demand_t old;
    int rc = matcher_demand_get(txn, arena, m->id, &old);
    if (rc == 0) {
        return 0; /* demands are immutable: a repeat changes nothing */
    }
    if (rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    strcpy(d.h.buyer_id, m->buyer_id);
    strcpy(d.h.commodity, m->commodity);
    d.h.dim = (int32_t) dim;
    d.h.order = rantai_meta_u64(txn, "post_order") + 1;
    d.h.next_n = 1;
    d.h.deliver_by = m->deliver_by;
    size_t len;
    d.packed = rantai_encode(&m->base, arena, &len);
    d.h.packed_len = (uint32_t) len;
    rc = rantai_meta_put_u64(txn, "post_order", d.h.order);
    if (rc == 0) {
        rc = matcher_demand_commit(
            txn, arena, m->id, &d, 0, 0,
            RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN, true, now_ms);
    }
    if (rc == 0) {
        rc = matcher_enqueue(txn, d.h.order, m->id);
    }
    return rc;
}

/* Cancel (or expire) a demand: its live allocations (only PROPOSED when
   expiring) become CANCELLED, then the demand takes `status`. */
static int
s_demand_end(rantai_txn_t *txn,
             rantai_arena_t *arena,
             const char *id,
             uint32_t status,
             bool accepted_too,
             const char *reason,
             int64_t now_ms)
{
    matcher_demand_t d;
    int rc = matcher_demand_get(txn, arena, id, &d);
    if (rc == RANTAI_ENOTFOUND ||
        (rc == 0 &&
         (d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_CANCELLED ||
          d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_EXPIRED))) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    uint32_t old_status = d.h.status;
    for (uint32_t n = 1; n < d.h.next_n && rc == 0; n++) {
        Rantai__V1__Allocation *a;
        uint64_t ctr;
        rc = matcher_alloc_get(txn, arena, id, n, &a, &ctr);
        if (rc == RANTAI_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0 &&
            (a->state ==
                 RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED ||
             (accepted_too &&
              a->state ==
                  RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_ACCEPTED))) {
            rc = matcher_alloc_transition(
                txn, arena, a, ctr,
                RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_CANCELLED,
                reason, now_ms, NULL);
        }
    }
    if (rc == 0) {
        rc = matcher_demand_get(txn, arena, id, &d);
    }
    if (rc == 0) {
        rc = matcher_demand_commit(txn, arena, id, &d, old_status,
                                   d.h.filled_norm, status, true, now_ms);
    }
    return rc;
}

int
matcher_core_apply(matcher_core_t *self,
                   rantai_txn_t *txn,
                   rantai_arena_t *arena,
                   int source,
                   const rantai_event_t *ev)
{
    const char *key = s_seq_key(source);
    if (ev->seq <= rantai_meta_u64(txn, key)) {
        return 0;
    }
    rantai_arena_reset(self->scratch);
    int64_t now = ev->time;
    bool prod = source == MATCHER_SOURCE_PRODUCER;
    int rc = matcher_cidx_ensure(txn);
    if (rc == 0) {
        rc = matcher_aux_ensure(txn);
    }
    if (rc != 0) {
        return rc;
    }
    switch (ev->body_case) {
        case RANTAI__V1__EVENT__BODY_PRODUCER_PUT:
            if (prod && ev->producer_put != NULL) {
                rc = s_producer_put(txn, arena, ev->producer_put->producer);
            }
            break;
        case RANTAI__V1__EVENT__BODY_OFFER_PUT:
            if (prod && ev->offer_put != NULL) {
                rc = s_offer_put(txn, arena, ev->offer_put->offer, now);
            }
            break;
        case RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN:
            if (prod && ev->offer_withdrawn != NULL) {
                rc = s_offer_withdrawn(txn, arena,
                                       ev->offer_withdrawn->offer_id, now);
            }
            break;
        case RANTAI__V1__EVENT__BODY_BUYER_PUT:
            if (!prod && ev->buyer_put != NULL) {
                rc = s_buyer_put(txn, ev->buyer_put->buyer);
            }
            break;
        case RANTAI__V1__EVENT__BODY_DEMAND_POSTED:
            if (!prod && ev->demand_posted != NULL) {
                rc =
                    s_demand_posted(txn, arena, ev->demand_posted->demand, now);
            }
            break;
        case RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED:
            if (!prod && ev->demand_cancelled != NULL &&
                rantai_id_valid(ev->demand_cancelled->demand_id)) {
                rc = s_demand_end(
                    txn, arena, ev->demand_cancelled->demand_id,
                    RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_CANCELLED, true,
                    "demand_cancelled", now);
            }
            break;
        default:
            break;
    }
    /* an event the registry should never have sent changes nothing (the
       handlers validate before writing); it must not stall the feed */
    if (rc == RANTAI_EINVAL) {
        rc = 0;
    }
    if (rc == 0) {
        rc = matcher_settle(self, txn, now);
    }
    if (rc == 0) {
        rc = rantai_meta_put_u64(txn, key, ev->seq);
    }
    return rc;
}

/* First key of db, copied (klen <= cap), or RANTAI_ENOTFOUND. */
static int
s_first_key(rantai_txn_t *txn, int db, uint8_t *buf, size_t cap, size_t *klen)
{
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, db, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
    if (rc == 0) {
        if (kv.size > cap) {
            rc = RANTAI_EINTERNAL;
        } else {
            memcpy(buf, kv.data, kv.size);
            *klen = kv.size;
        }
    }
    rantai_cursor_close(&cur);
    return rc;
}

int
matcher_core_expire(matcher_core_t *self,
                    rantai_txn_t *txn,
                    int64_t now_ms,
                    size_t max,
                    size_t *done)
{
    if (max == 0) {
        max = 1000;
    }
    rantai_arena_reset(self->scratch);
    int rc = matcher_cidx_ensure(txn);
    if (rc == 0) {
        rc = matcher_aux_ensure(txn);
    }
    if (rc != 0) {
        return rc;
    }
    rantai_arena_t *arena = rantai_arena_new();
    size_t count = 0;
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl;
    while (rc == 0 && count < max) {
        rc = s_first_key(txn, MDB_PROPOSED_BY_TIME, k, sizeof(k), &kl);
        if (rc != 0 || kl < 8 ||
            now_ms - (int64_t) rantai_be64_get(k) <= self->accept_timeout_ms) {
            break;
        }
        char did[RANTAI_ID_MAX + 1];
        uint32_t n;
        Rantai__V1__Allocation *a = NULL;
        uint64_t ctr;
        if (matcher_alloc_key_parse(k + 8, kl - 8, did, &n) == 0) {
            rc = matcher_alloc_get(txn, arena, did, n, &a, &ctr);
        }
        if (rc == 0 && a != NULL &&
            a->state ==
                RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED) {
            rc = matcher_alloc_change(
                txn, arena, a, ctr,
                RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_EXPIRED,
                "accept_timeout", now_ms, NULL);
            count++;
        } else if (rc == 0 || rc == RANTAI_ENOTFOUND) {
            rc = rantai_del(txn, MDB_PROPOSED_BY_TIME, k, kl); /* stale */
        }
    }
    rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    while (rc == 0 && count < max) {
        rc = s_first_key(txn, MDB_DEADLINES, k, sizeof(k) - 1, &kl);
        if (rc != 0 || kl <= 8 || (int64_t) rantai_be64_get(k) >= now_ms) {
            break;
        }
        k[kl] = 0;
        const char *did = (const char *) k + 8;
        matcher_demand_t d;
        rc = matcher_demand_get(txn, arena, did, &d);
        if (rc == 0 &&
            d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN) {
            rc = s_demand_end(txn, arena, did,
                              RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_EXPIRED,
                              false, "demand_expired", now_ms);
            count++;
        } else if (rc == 0 || rc == RANTAI_ENOTFOUND) {
            rc = rantai_del(txn, MDB_DEADLINES, k, kl); /* stale */
        }
    }
    rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    if (rc == 0) {
        /* also when nothing expired: the settle re-queues the demands of
           offers whose eligibility ended (matcher_elig_times_fire) */
        rc = matcher_settle(self, txn, now_ms);
    }
    rantai_arena_destroy(&arena);
    if (done != NULL) {
        *done = count;
    }
    return rc;
}

bool
matcher_core_expiry_due(matcher_core_t *self, rantai_txn_t *txn, int64_t now_ms)
{
    uint8_t k[MATCHER_KEY_MAX];
    size_t kl;
    if (s_first_key(txn, MDB_PROPOSED_BY_TIME, k, sizeof(k), &kl) == 0 &&
        kl >= 8 &&
        now_ms - (int64_t) rantai_be64_get(k) > self->accept_timeout_ms) {
        return true;
    }
    if (s_first_key(txn, MDB_DEADLINES, k, sizeof(k), &kl) == 0 && kl > 8 &&
        (int64_t) rantai_be64_get(k) < now_ms) {
        return true;
    }
    return matcher_elig_times_due(txn, now_ms);
}
