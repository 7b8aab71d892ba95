/*  matcher_settle.c - the settle loop (MATCHING.md "When passes run"):
    the queue of demands to pass, taken earliest posting order first, and
    the CHECK mode that spares partial demands passes that cannot allocate.
    The pass itself is matcher_pass.c.

    Settling without needless passes. MATCHING.md queues every OPEN demand
    whose commodity is a prefix of an offer that changed, and after each
    allocating pass those of the offers it took from. With many OPEN
    demands of one commodity that is a full pass per demand per event,
    each visiting every eligible offer it cannot use. Two facts cut it
    down without changing any allocation:

    1. Before an event every OPEN demand is stable. A pass that allocates
       nothing picks nothing, so R and S stay constant through it; for a
       partial demand (allow_partial, any max_suppliers) the pass then
       allocates iff SOME eligible offer O has
         (max_suppliers == 0 || S < max_suppliers || O has a live
          allocation to D) && min(R, remaining(O)) >= min_order(O)
       (the first such O in rank order would be picked). The offers
       other than those the event changed still fail that test (nothing
       about them or D changed; time only removes eligibility), so only
       the changed ("touched") offers need looking at: a partial demand
       is queued (CHECK) only if a touched offer passes, and when its turn
       comes it runs the pass only if one still does.
    2. Capacity taken by a pass, lost by a put, withdrawal, or the clock
       ending eligibility only make the test harder, so those triggers
       queue the all-or-nothing demands only (MDB_OPEN_AON).

    A partial demand's own changes (posted, capacity returned to it)
    still queue it for a full pass. Since the queue always holds every
    demand whose pass would allocate, and is taken earliest posting order
    first, the passes that allocate are exactly the spec's. */
#include "matcher_int.h"

#include <string.h>

/* Work counters (matcher_pass_stats). */
static uint64_t s_checks, s_check_skips;

void
matcher_settle_counts(uint64_t *checks, uint64_t *check_skips)
{
    *checks = s_checks;
    *check_skips = s_check_skips;
}

/* The offer header of `oid`; RANTAI_ENOTFOUND when none. */
static int
s_offer_hdr(rantai_txn_t *txn, const char *oid, matcher_offer_hdr_t *h)
{
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_OFFERS, oid, strlen(oid), &v);
    if (rc == 0) {
        if (v.size < sizeof(*h)) {
            return RANTAI_EINTERNAL;
        }
        memcpy(h, v.data, sizeof(*h));
    }
    return rc;
}

/* Could offer h pass fact 1's test for some partial demand of remaining
   r (r = 0: any)? Necessary conditions from the offer alone. */
static bool
s_usable(const matcher_offer_hdr_t *h, uint64_t r, int64_t now_ms)
{
    uint64_t rem = matcher_offer_remaining(h);
    if (rem == 0 || rem < h->min_order_norm ||
        (r > 0 && r < h->min_order_norm)) {
        return false;
    }
    return h->available_until == 0 || h->available_until >= now_ms;
}

/* Fact 1's test of partial demand (d, dc) against offer oid. */
static int
s_check_offer(matcher_core_t *core,
              rantai_txn_t *txn,
              const char *did,
              const matcher_demand_t *d,
              const matcher_dctx_t *dc,
              const char *oid,
              int64_t now_ms,
              bool *hit)
{
    *hit = false;
    s_checks++;
    rantai_arena_reset(core->tmp);
    matcher_loaded_t l;
    int rc = matcher_offer_load(txn, core->tmp, oid, &l);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    matcher_judged_t j;
    rc = matcher_offer_judge(txn, did, dc, oid, &l, now_ms, &j);
    if (rc != 0 || j.rule != 0) {
        return rc;
    }
    uint64_t r = d->h.quantity_norm - d->h.filled_norm;
    uint32_t maxs = dc->msg->max_suppliers;
    uint64_t q = r < j.remaining ? r : j.remaining;
    *hit = (maxs == 0 || d->h.live_suppliers < maxs || j.has_live) &&
           q >= l.offer.h.min_order_norm;
    return 0;
}

/* Demand did as a CHECK candidate: *d and *dc loaded (scratch); *skip
   when it is not OPEN with something left, or its max_price is broken;
   *aon when it is all-or-nothing. */
static int
s_check_load(matcher_core_t *core,
             rantai_txn_t *txn,
             const char *did,
             matcher_demand_t *d,
             matcher_dctx_t *dc,
             bool *skip,
             bool *aon)
{
    *skip = true;
    *aon = false;
    int rc = matcher_demand_get(txn, core->scratch, did, d);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    if (d->h.status != RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN ||
        d->h.filled_norm >= d->h.quantity_norm) {
        return 0;
    }
    rc = matcher_dctx(core->scratch, d, dc);
    if (rc == RANTAI_EINVAL) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    *skip = false;
    *aon = !dc->msg->allow_partial;
    return 0;
}

/* The OPEN partial demands of touched offer oid's prefixes that are not
   queued yet: queued CHECK when the offer passes their test now. */
static int
s_touched_offer(matcher_core_t *core,
                rantai_txn_t *txn,
                const char *oid,
                int64_t now_ms)
{
    matcher_offer_hdr_t h;
    int rc = s_offer_hdr(txn, oid, &h);
    if (rc != 0 || !s_usable(&h, 0, now_ms)) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    size_t len = strlen(h.commodity);
    for (size_t pl = 2; pl <= len && rc == 0; pl++) {
        uint8_t k[RANTAI_COMMODITY_MAX + 2];
        memcpy(k, h.commodity, pl);
        k[pl] = 0;
        rantai_cursor_t *cur = NULL;
        rc = rantai_cursor_open(txn, MDB_OPEN_BY_COMMODITY, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, k, pl + 1, &kv, &vv);
        while (rc == 0 && kv.size == pl + 9 &&
               memcmp(kv.data, k, pl + 1) == 0) {
            uint8_t qk[8];
            memcpy(qk, (const uint8_t *) kv.data + pl + 1, 8);
            char did[RANTAI_ID_MAX + 1];
            size_t il = vv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : vv.size;
            memcpy(did, vv.data, il);
            did[il] = 0;
            rantai_val_t qv, dv;
            rc = rantai_get(txn, MDB_QUEUE, qk, 8, &qv);
            if (rc == RANTAI_ENOTFOUND) {
                /* the header alone rules most demands out */
                matcher_demand_hdr_t dh;
                rc = rantai_get(txn, MDB_DEMANDS, did, il, &dv);
                if (rc == 0 && dv.size >= sizeof(dh)) {
                    memcpy(&dh, dv.data, sizeof(dh));
                    uint64_t r = dh.quantity_norm > dh.filled_norm
                                     ? dh.quantity_norm - dh.filled_norm
                                     : 0;
                    if (r > 0 && dh.dim == h.qty_dim &&
                        s_usable(&h, r, now_ms)) {
                        matcher_demand_t d;
                        matcher_dctx_t dc;
                        bool skip, aon, hit = false;
                        rc = s_check_load(core, txn, did, &d, &dc, &skip, &aon);
                        if (rc == 0 && !skip && !aon) {
                            rc = s_check_offer(core, txn, did, &d, &dc, oid,
                                               now_ms, &hit);
                        }
                        if (rc == 0 && !skip && (aon || hit)) {
                            rc =
                                aon ? matcher_enqueue(txn, dh.order, did)
                                    : matcher_enqueue_check(txn, dh.order, did);
                        }
                        rantai_arena_reset(core->scratch);
                    }
                } else if (rc == RANTAI_ENOTFOUND) {
                    rc = 0;
                }
            }
            if (rc == 0) {
                rc = rantai_cursor_next(cur, &kv, &vv);
            }
        }
        rantai_cursor_close(&cur);
        rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    return rc;
}

/* Visit MDB_TOUCHED in key order: fn for each offer id until it fails or
   sets *stop. */
typedef int(s_touched_fn)(void *arg, const char *oid, bool *stop);

static int
s_touched_each(rantai_txn_t *txn, s_touched_fn *fn, void *arg)
{
    char oid[RANTAI_ID_MAX + 1] = "";
    size_t ol = 0;
    bool stop = false;
    while (!stop) {
        rantai_cursor_t *cur = NULL;
        int rc = rantai_cursor_open(txn, MDB_TOUCHED, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, ol > 0 ? oid : MATCHER_SENTINEL,
                                ol > 0 ? ol : 1, &kv, &vv);
        if (rc == 0 &&
            ((ol > 0 && kv.size == ol && memcmp(kv.data, oid, ol) == 0) ||
             matcher_is_sentinel(kv.data, kv.size))) {
            rc = rantai_cursor_next(cur, &kv, &vv); /* past the last one */
        }
        if (rc == 0) {
            ol = kv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : kv.size;
            memcpy(oid, kv.data, ol);
            oid[ol] = 0;
        }
        /* closed before fn: fn writes other databases */
        rantai_cursor_close(&cur);
        if (rc == RANTAI_ENOTFOUND) {
            return 0;
        }
        if (rc == 0) {
            rc = fn(arg, oid, &stop);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

typedef struct {
    matcher_core_t *core;
    rantai_txn_t *txn;
    int64_t now_ms;
    const char *did;
    const matcher_demand_t *d;
    const matcher_dctx_t *dc;
    bool hit;
} s_touch_arg_t;

static int
s_scan_cb(void *arg, const char *oid, bool *stop)
{
    s_touch_arg_t *a = arg;
    (void) stop;
    return s_touched_offer(a->core, a->txn, oid, a->now_ms);
}

static int
s_recheck_cb(void *arg, const char *oid, bool *stop)
{
    s_touch_arg_t *a = arg;
    matcher_offer_hdr_t h;
    int rc = s_offer_hdr(a->txn, oid, &h);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    const matcher_demand_hdr_t *dh = &a->d->h;
    size_t pl = strlen(dh->commodity);
    if (strncmp(h.commodity, dh->commodity, pl) != 0 || h.qty_dim != dh->dim ||
        !s_usable(&h, dh->quantity_norm - dh->filled_norm, a->now_ms)) {
        return 0;
    }
    rc = s_check_offer(a->core, a->txn, a->did, a->d, a->dc, oid, a->now_ms,
                       &a->hit);
    *stop = a->hit;
    return rc;
}

/* A CHECK entry's turn: does a touched offer still pass its test? */
static int
s_recheck(matcher_core_t *core,
          rantai_txn_t *txn,
          const char *did,
          int64_t now_ms,
          bool *run)
{
    matcher_demand_t d;
    matcher_dctx_t dc;
    bool skip, aon;
    int rc = s_check_load(core, txn, did, &d, &dc, &skip, &aon);
    *run = rc == 0 && !skip && aon; /* all-or-nothing: always */
    if (rc != 0 || skip || aon) {
        return rc;
    }
    s_touch_arg_t a = {core, txn, now_ms, did, &d, &dc, false};
    rc = s_touched_each(txn, s_recheck_cb, &a);
    *run = a.hit;
    return rc;
}

static int
s_touched_clear(rantai_txn_t *txn)
{
    for (;;) {
        rantai_cursor_t *cur = NULL;
        int rc = rantai_cursor_open(txn, MDB_TOUCHED, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
        if (rc == 0 && matcher_is_sentinel(kv.data, kv.size)) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
        if (rc == 0) {
            rc = rantai_cursor_del(cur);
        }
        rantai_cursor_close(&cur);
        if (rc != 0) {
            return rc == RANTAI_ENOTFOUND ? 0 : rc;
        }
    }
}

int
matcher_settle(matcher_core_t *core, rantai_txn_t *txn, int64_t now_ms)
{
    int rc = matcher_elig_times_fire(txn, now_ms, NULL);
    if (rc == 0) {
        s_touch_arg_t a = {core, txn, now_ms, NULL, NULL, NULL, false};
        rc = s_touched_each(txn, s_scan_cb, &a);
    }
    while (rc == 0) {
        rantai_cursor_t *cur = NULL;
        rc = rantai_cursor_open(txn, MDB_QUEUE, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv, vv;
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
        if (rc == 0 && matcher_is_sentinel(kv.data, kv.size)) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
        char did[RANTAI_ID_MAX + 1];
        int mode = MATCHER_QUEUE_FULL;
        if (rc == 0) {
            size_t il = vv.size > 0 ? vv.size - 1 : 0;
            il = il > RANTAI_ID_MAX ? RANTAI_ID_MAX : il;
            if (vv.size > 0) {
                mode = ((const uint8_t *) vv.data)[0];
                memcpy(did, (const uint8_t *) vv.data + 1, il);
            }
            did[il] = 0;
            rc = rantai_cursor_del(cur);
        }
        rantai_cursor_close(&cur);
        if (rc != 0) {
            break;
        }
        bool run = true, allocated;
        if (mode == MATCHER_QUEUE_CHECK) {
            rc = s_recheck(core, txn, did, now_ms, &run);
            rantai_arena_reset(core->scratch);
            s_check_skips += run ? 0 : 1;
        }
        if (rc == 0 && run && did[0] != 0) {
            rc = matcher_pass_run(core, txn, did, now_ms, &allocated);
            rantai_arena_reset(core->scratch);
        }
    }
    if (rc == RANTAI_ENOTFOUND) {
        rc = s_touched_clear(txn);
    }
    return rc;
}
