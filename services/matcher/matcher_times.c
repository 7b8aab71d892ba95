/*  matcher_times.c - the eligibility-time table (MDB_ELIG_TIMES) and the
    one-time build of the settle's auxiliary databases (MDB_OPEN_AON,
    MDB_ELIG_TIMES, the queue sentinels) for a store that predates them.

    Rule 7 (available_until >= now) and rule 5 without deliver_by
    (valid_until >= now) make an offer ineligible by the clock alone, with
    no event to queue anyone. Losing an offer cannot let a partial
    demand's pass allocate (matcher_settle.c), but it can an
    all-or-nothing one's: the greedy pass no longer spends R on it, or a
    min_order / max_suppliers skip lands elsewhere. So each such time t
    of a live offer is kept here, and the first settle at a time after t
    re-queues the OPEN all-or-nothing demands of the offer's prefixes.
    This goes beyond MATCHING.md's trigger list only to uphold its
    "afterwards every OPEN demand is stable". */
#include "matcher_int.h"

#include <string.h>

static const uint8_t s_empty[1] = {0};

static size_t
s_elig_key(uint8_t *k, int64_t t, const char *id)
{
    size_t il = strlen(id);
    rantai_be64_put(k, (uint64_t) t);
    memcpy(k + 8, id, il);
    return 8 + il;
}

static int
s_elig_apply(rantai_txn_t *txn,
             const char *id,
             const matcher_offer_t *o,
             bool add)
{
    uint8_t k[8 + RANTAI_ID_MAX + 1];
    int rc = 0;
    /* t <= 0: never eligible (negative) or no limit (0): nothing ends */
    for (uint32_t i = 0; rc == 0 && i <= o->h.n_certs; i++) {
        int64_t t =
            i == o->h.n_certs ? o->h.available_until : o->certs[i].valid_until;
        if (t <= 0) {
            continue;
        }
        size_t kl = s_elig_key(k, t, id);
        rc = add ? rantai_put(txn, MDB_ELIG_TIMES, k, kl, s_empty, 1)
                 : rantai_del(txn, MDB_ELIG_TIMES, k, kl);
        rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    return rc;
}

int
matcher_elig_times_sync(rantai_txn_t *txn,
                        const char *id,
                        const matcher_offer_t *old,
                        const matcher_offer_t *now)
{
    int rc = old != NULL ? s_elig_apply(txn, id, old, false) : 0;
    if (rc == 0 && now != NULL) {
        rc = s_elig_apply(txn, id, now, true);
    }
    return rc;
}

/* First entry of the index: 0 with its time and offer id. */
static int
s_elig_first(rantai_txn_t *txn, uint8_t *k, size_t *kl)
{
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, MDB_ELIG_TIMES, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
    if (rc == 0) {
        if (kv.size <= 8 || kv.size > 8 + RANTAI_ID_MAX) {
            rc = RANTAI_EINTERNAL;
        } else {
            memcpy(k, kv.data, kv.size);
            k[kv.size] = 0;
            *kl = kv.size;
        }
    }
    rantai_cursor_close(&cur);
    return rc;
}

bool
matcher_elig_times_due(rantai_txn_t *txn, int64_t now_ms)
{
    uint8_t k[8 + RANTAI_ID_MAX + 1];
    size_t kl;
    return s_elig_first(txn, k, &kl) == 0 &&
           (int64_t) rantai_be64_get(k) < now_ms;
}

int
matcher_elig_times_fire(rantai_txn_t *txn, int64_t now_ms, size_t *fired)
{
    size_t n = 0;
    int rc;
    for (;;) {
        uint8_t k[8 + RANTAI_ID_MAX + 1];
        size_t kl;
        rc = s_elig_first(txn, k, &kl);
        if (rc != 0 || (int64_t) rantai_be64_get(k) >= now_ms) {
            break;
        }
        rantai_val_t v;
        matcher_offer_hdr_t h;
        rc = rantai_get(txn, MDB_OFFERS, k + 8, kl - 8, &v);
        if (rc == 0 && v.size >= sizeof(h)) {
            memcpy(&h, v.data, sizeof(h));
            if ((h.flags & MATCHER_OFFER_WITHDRAWN) == 0) {
                rc = matcher_enqueue_aon(txn, h.commodity);
            }
        } else if (rc == RANTAI_ENOTFOUND) {
            rc = 0;
        }
        if (rc == 0) {
            rc = rantai_del(txn, MDB_ELIG_TIMES, k, kl);
        }
        if (rc != 0) {
            break;
        }
        n++;
    }
    if (fired != NULL) {
        *fired = n;
    }
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int s_aux_build(rantai_txn_t *txn, rantai_arena_t *arena);

int
matcher_aux_ensure(rantai_txn_t *txn)
{
    if (rantai_meta_u64(txn, "aux_version") == 1) {
        return 0;
    }
    rantai_arena_t *arena = rantai_arena_new();
    int rc = s_aux_build(txn, arena);
    rantai_arena_destroy(&arena);
    if (rc == 0) {
        rc = rantai_put(txn, MDB_QUEUE, MATCHER_SENTINEL, 8, s_empty, 1);
    }
    if (rc == 0) {
        rc = rantai_put(txn, MDB_TOUCHED, MATCHER_SENTINEL, 1, s_empty, 1);
    }
    return rc == 0 ? rantai_meta_put_u64(txn, "aux_version", 1) : rc;
}

/* One pass over the OPEN demands and one over the offers, the arena
   reset after each record. */
static int
s_aux_build(rantai_txn_t *txn, rantai_arena_t *arena)
{
    /* all-or-nothing OPEN demands */
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, MDB_OPEN_BY_COMMODITY, &cur);
    rantai_val_t kv, vv;
    if (rc == 0) {
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
    }
    while (rc == 0) {
        char id[RANTAI_ID_MAX + 1];
        size_t il = vv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : vv.size;
        memcpy(id, vv.data, il);
        id[il] = 0;
        matcher_demand_t d;
        rc = matcher_demand_get(txn, arena, id, &d);
        if (rc == 0 && matcher_demand_aon(arena, &d)) {
            rc = rantai_put(txn, MDB_OPEN_AON, kv.data, kv.size, id, il);
        }
        rantai_arena_reset(arena);
        if (rc == 0) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
    }
    rantai_cursor_close(&cur);
    if (rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    /* eligibility times of the offers not withdrawn */
    rc = rantai_cursor_open(txn, MDB_OFFERS, &cur);
    if (rc == 0) {
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
    }
    while (rc == 0) {
        char id[RANTAI_ID_MAX + 1];
        size_t il = kv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : kv.size;
        memcpy(id, kv.data, il);
        id[il] = 0;
        matcher_offer_t o;
        rc = matcher_offer_get(txn, arena, id, &o);
        if (rc == 0 && (o.h.flags & MATCHER_OFFER_WITHDRAWN) == 0) {
            rc = s_elig_apply(txn, id, &o, true);
        }
        rantai_arena_reset(arena);
        if (rc == 0) {
            rc = rantai_cursor_seek(cur, id, il, &kv, &vv);
        }
        if (rc == 0) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
    }
    rantai_cursor_close(&cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}
