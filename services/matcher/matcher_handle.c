/*  matcher_handle.c - the matcher's requests (PROTOCOL.md s4) with the
    authorisation of s6, and the per-party feed filter of s5. */
#include "matcher_index.h"
#include "matcher_int.h"

#include <stdlib.h>
#include <string.h>

#define S_CODE(x) RANTAI__V1__STATUS_CODE__STATUS_CODE_##x

bool
matcher_is_write(const rantai_request_t *req)
{
    return req != NULL &&
           req->body_case == RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
}

/* Marketplace of buyer `id` into buf (RANTAI_ID_MAX+1); "" if unknown. */
static int
s_buyer_marketplace(rantai_txn_t *txn, const char *id, char *buf)
{
    buf[0] = 0;
    if (id == NULL || id[0] == 0) {
        return 0;
    }
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_BUYERS, id, strlen(id), &v);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    size_t l = v.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : v.size;
    memcpy(buf, v.data, l);
    buf[l] = 0;
    return 0;
}

static bool
s_party_is(const rantai_principal_t *who, const char *id)
{
    return who->party != NULL && id != NULL && who->party[0] != 0 &&
           strcmp(who->party, id) == 0;
}

/* May `who` read demand of buyer `buyer_id`? 0, or NOT_FOUND/DENIED. */
static int
s_auth_demand(rantai_txn_t *txn,
              const rantai_principal_t *who,
              const char *buyer_id)
{
    char mp[RANTAI_ID_MAX + 1];
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return 0;
        case RANTAI_ROLE_MARKETPLACE: {
            int rc = s_buyer_marketplace(txn, buyer_id, mp);
            if (rc != 0) {
                return rc;
            }
            return s_party_is(who, mp) ? 0 : RANTAI_ENOTFOUND;
        }
        case RANTAI_ROLE_COOPERATIVE:
        case RANTAI_ROLE_PRODUCER:
            return RANTAI_ENOTFOUND;
        default:
            return RANTAI_EDENIED;
    }
}

/* May `who` act on an object of producer_id / cooperative_id? */
static int
s_auth_supply(const rantai_principal_t *who,
              const char *producer_id,
              const char *cooperative_id)
{
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return 0;
        case RANTAI_ROLE_COOPERATIVE:
            return s_party_is(who, cooperative_id) ? 0 : RANTAI_ENOTFOUND;
        case RANTAI_ROLE_PRODUCER:
            return s_party_is(who, producer_id) ? 0 : RANTAI_ENOTFOUND;
        case RANTAI_ROLE_MARKETPLACE:
            return RANTAI_ENOTFOUND;
        default:
            return RANTAI_EDENIED;
    }
}

/* Map an authorisation result to a reply; returns 1 when it replied. */
static int
s_auth_reply(int rc,
             rantai_reply_t *reply,
             rantai_arena_t *arena,
             const char *what)
{
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, arena, S_CODE(NOT_FOUND), NULL,
                           "%s not found", what);
        return 1;
    }
    if (rc == RANTAI_EDENIED) {
        rantai_reply_error(reply, arena, S_CODE(PERMISSION_DENIED), NULL,
                           "not allowed");
        return 1;
    }
    return 0;
}

static int
s_demand_state(rantai_ctx_t *ctx,
               const Rantai__V1__GetDemandState *b,
               rantai_reply_t *reply)
{
    rantai_arena_t *ar = ctx->arena;
    const char *id = b != NULL ? b->demand_id : NULL;
    if (id == NULL || !rantai_id_valid(id)) {
        rantai_reply_error(reply, ar, S_CODE(INVALID_ARGUMENT),
                           "get_demand_state.demand_id", "malformed id");
        return 0;
    }
    matcher_demand_t d;
    int rc = matcher_demand_get(ctx->txn, ar, id, &d);
    if (rc == 0) {
        rc = s_auth_demand(ctx->txn, ctx->who, d.h.buyer_id);
    }
    if (s_auth_reply(rc, reply, ar, "demand")) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    Rantai__V1__DemandState *st = RANTAI_ANEW(ar, Rantai__V1__DemandState);
    rantai__v1__demand_state__init(st);
    st->demand = (Rantai__V1__Demand *) rantai_decode(
        &rantai__v1__demand__descriptor, d.packed, d.h.packed_len,
        (size_t) d.h.packed_len + 1, ar);
    if (st->demand == NULL) {
        return RANTAI_EINTERNAL;
    }
    st->status = (Rantai__V1__DemandStatus) d.h.status;
    st->filled = matcher_base_qty(ar, d.h.dim, d.h.filled_norm);
    st->remaining = matcher_base_qty(ar, d.h.dim,
                                     d.h.quantity_norm > d.h.filled_norm
                                         ? d.h.quantity_norm - d.h.filled_norm
                                         : 0);
    size_t cap = d.h.next_n;
    st->allocations = rantai_arena_alloc(ar, (cap + 1) * sizeof(void *));
    for (uint32_t n = 1; n < d.h.next_n; n++) {
        Rantai__V1__Allocation *a;
        uint64_t ctr;
        rc = matcher_alloc_get(ctx->txn, ar, id, n, &a, &ctr);
        if (rc == RANTAI_ENOTFOUND) {
            continue;
        }
        if (rc != 0) {
            return rc;
        }
        st->allocations[st->n_allocations++] = a;
    }
    if (d.h.status == RANTAI__V1__DEMAND_STATUS__DEMAND_STATUS_OPEN) {
        /* bounded: at most MATCHER_EXPLAIN_MAX offers looked at */
        rc = matcher_explain(ctx->txn, ar, id, ctx->now_ms, MATCHER_EXPLAIN_MAX,
                             &st->explanation);
        if (rc != 0) {
            return rc;
        }
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_DEMAND_STATE;
    reply->demand_state = st;
    return 0;
}

static int
s_offer_state(rantai_ctx_t *ctx,
              const Rantai__V1__GetOfferState *b,
              rantai_reply_t *reply)
{
    rantai_arena_t *ar = ctx->arena;
    const char *id = b != NULL ? b->offer_id : NULL;
    if (id == NULL || !rantai_id_valid(id)) {
        rantai_reply_error(reply, ar, S_CODE(INVALID_ARGUMENT),
                           "get_offer_state.offer_id", "malformed id");
        return 0;
    }
    matcher_offer_t o;
    int rc = matcher_offer_get(ctx->txn, ar, id, &o);
    if (rc == 0) {
        matcher_producer_t p;
        memset(&p, 0, sizeof(p));
        rc = matcher_producer_get(ctx->txn, o.h.producer_id, &p);
        rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
        if (rc == 0) {
            rc = s_auth_supply(ctx->who, o.h.producer_id, p.cooperative_id);
        }
    }
    if (s_auth_reply(rc, reply, ar, "offer")) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    Rantai__V1__OfferState *st = RANTAI_ANEW(ar, Rantai__V1__OfferState);
    rantai__v1__offer_state__init(st);
    st->offer = (Rantai__V1__Offer *) rantai_decode(
        &rantai__v1__offer__descriptor, o.packed, o.h.packed_len,
        (size_t) o.h.packed_len + 1, ar);
    if (st->offer == NULL) {
        return RANTAI_EINTERNAL;
    }
    st->withdrawn = (o.h.flags & MATCHER_OFFER_WITHDRAWN) != 0;
    st->allocated = matcher_base_qty(ar, o.h.qty_dim, o.h.allocated_norm);
    uint64_t rem = st->withdrawn || o.h.allocated_norm >= o.h.capacity_norm
                       ? 0
                       : o.h.capacity_norm - o.h.allocated_norm;
    st->remaining = matcher_base_qty(ar, o.h.qty_dim, rem);
    reply->body_case = RANTAI__V1__REPLY__BODY_OFFER_STATE;
    reply->offer_state = st;
    return 0;
}

static int
s_respond(matcher_core_t *core,
          rantai_ctx_t *ctx,
          const Rantai__V1__RespondAllocation *b,
          rantai_reply_t *reply)
{
    rantai_arena_t *ar = ctx->arena;
    char did[RANTAI_ID_MAX + 1];
    uint32_t n;
    if (b == NULL || matcher_alloc_id_parse(b->allocation_id, did, &n) != 0) {
        rantai_reply_error(reply, ar, S_CODE(INVALID_ARGUMENT),
                           "respond_allocation.allocation_id",
                           "malformed allocation id");
        return 0;
    }
    if (b->reason != NULL && !rantai_text_valid(b->reason, 1024)) {
        rantai_reply_error(reply, ar, S_CODE(INVALID_ARGUMENT),
                           "respond_allocation.reason", "malformed reason");
        return 0;
    }
    Rantai__V1__Allocation *a;
    uint64_t ctr;
    int rc = matcher_alloc_get(ctx->txn, ar, did, n, &a, &ctr);
    if (rc == 0) {
        rc = s_auth_supply(ctx->who, a->producer_id, a->cooperative_id);
        if (rc == RANTAI_ENOTFOUND &&
            ctx->who->role == RANTAI_ROLE_MARKETPLACE &&
            s_auth_demand(ctx->txn, ctx->who, a->buyer_id) == 0) {
            rc = RANTAI_EDENIED; /* it may see it, not answer for it */
        }
    }
    if (s_auth_reply(rc, reply, ar, "allocation")) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (a->state != RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_PROPOSED) {
        rantai_reply_error(reply, ar, S_CODE(FAILED_PRECONDITION), NULL,
                           "allocation %s is not PROPOSED", a->id);
        return 0;
    }
    int state = b->accept
                    ? RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_ACCEPTED
                    : RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_DECLINED;
    const char *reason = b->reason != NULL && b->reason[0] != 0
                             ? b->reason
                             : (b->accept ? "accepted" : "declined");
    uint64_t seq = 0;
    rantai_arena_reset(core->scratch);
    rc = matcher_aux_ensure(ctx->txn);
    if (rc != 0) {
        return rc;
    }
    rc = matcher_alloc_change(ctx->txn, ar, a, ctr, state, reason, ctx->now_ms,
                              &seq);
    if (rc == 0) {
        /* an accept returns no capacity, but the clock may have ended an
           offer's eligibility since the last settle */
        rc = matcher_settle(core, ctx->txn, ctx->now_ms);
    }
    if (rc == 0) {
        rc = matcher_alloc_get(ctx->txn, ar, did, n, &a, &ctr);
    }
    if (rc != 0) {
        return rc;
    }
    reply->seq = seq;
    reply->body_case = RANTAI__V1__REPLY__BODY_ALLOCATION;
    reply->allocation = a;
    return 0;
}

static int
s_status(rantai_ctx_t *ctx, rantai_reply_t *reply)
{
    if (ctx->who->role == RANTAI_ROLE_NONE) {
        rantai_reply_error(reply, ctx->arena, S_CODE(PERMISSION_DENIED), NULL,
                           "not allowed");
        return 0;
    }
    Rantai__V1__MatcherStatus *st =
        RANTAI_ANEW(ctx->arena, Rantai__V1__MatcherStatus);
    rantai__v1__matcher_status__init(st);
    st->producer_seq = rantai_meta_u64(ctx->txn, "producer_seq");
    st->buyer_seq = rantai_meta_u64(ctx->txn, "buyer_seq");
    st->head_seq = rantai_evlog_head(ctx->txn);
    st->open_offers = rantai_meta_u64(ctx->txn, "open_offers");
    st->open_demands = rantai_meta_u64(ctx->txn, "open_demands");
    st->live_allocations = rantai_meta_u64(ctx->txn, "live_allocations");
    reply->body_case = RANTAI__V1__REPLY__BODY_MATCHER_STATUS;
    reply->matcher_status = st;
    return 0;
}

int
matcher_handle(void *core,
               rantai_ctx_t *ctx,
               const rantai_request_t *req,
               rantai_reply_t *reply)
{
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE:
            return s_demand_state(ctx, req->get_demand_state, reply);
        case RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE:
            return s_offer_state(ctx, req->get_offer_state, reply);
        case RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION:
            return s_respond(core, ctx, req->respond_allocation, reply);
        case RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS:
            return s_status(ctx, reply);
        default:
            rantai_reply_error(reply, ctx->arena, S_CODE(UNIMPLEMENTED), NULL,
                               "%s is not served by the matcher",
                               rantai_request_name(req));
            return 0;
    }
}

/* ---- feeds ----------------------------------------------------------- */

static int
s_kind(const Rantai__V1__Party *party)
{
    /* an unset party means everything, like ALL */
    if (party == NULL ||
        party->kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_UNSPECIFIED) {
        return RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    }
    return (int) party->kind;
}

int
matcher_feed_authorize(void *core,
                       const rantai_principal_t *who,
                       const Rantai__V1__Party *party)
{
    (void) core;
    int kind = s_kind(party);
    const char *id = party != NULL ? party->id : NULL;
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return 0;
        case RANTAI_ROLE_SERVICE:
            return kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL
                       ? 0
                       : RANTAI_EDENIED;
        case RANTAI_ROLE_COOPERATIVE:
            return kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE &&
                           s_party_is(who, id)
                       ? 0
                       : RANTAI_EDENIED;
        case RANTAI_ROLE_PRODUCER:
            return kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER &&
                           s_party_is(who, id)
                       ? 0
                       : RANTAI_EDENIED;
        case RANTAI_ROLE_MARKETPLACE:
            if (kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE) {
                return s_party_is(who, id) ? 0 : RANTAI_EDENIED;
            }
            return kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER &&
                           id != NULL && id[0] != 0
                       ? 0
                       : RANTAI_EDENIED;
        default:
            return RANTAI_EDENIED;
    }
}

static bool
s_alloc_of(const Rantai__V1__Allocation *a, int kind, const char *id)
{
    if (a == NULL || id == NULL) {
        return false;
    }
    const char *v = kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE
                        ? a->cooperative_id
                        : a->producer_id;
    return v != NULL && v[0] != 0 && strcmp(v, id) == 0;
}

static const char *
s_event_buyer(const rantai_event_t *ev)
{
    switch (ev->body_case) {
        case RANTAI__V1__EVENT__BODY_MATCH_PROPOSED:
            return ev->match_proposed != NULL ? ev->match_proposed->buyer_id
                                              : NULL;
        case RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED:
            return ev->allocation_updated != NULL &&
                           ev->allocation_updated->allocation != NULL
                       ? ev->allocation_updated->allocation->buyer_id
                       : NULL;
        case RANTAI__V1__EVENT__BODY_DEMAND_UPDATED:
            return ev->demand_updated != NULL ? ev->demand_updated->buyer_id
                                              : NULL;
        default:
            return NULL;
    }
}

static int
s_filter_supply(int kind,
                const char *id,
                rantai_event_t *ev,
                rantai_arena_t *arena,
                rantai_event_t **out)
{
    if (ev->body_case == RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED) {
        if (ev->allocation_updated != NULL &&
            s_alloc_of(ev->allocation_updated->allocation, kind, id)) {
            *out = ev;
        }
        return 0;
    }
    if (ev->body_case != RANTAI__V1__EVENT__BODY_MATCH_PROPOSED ||
        ev->match_proposed == NULL) {
        return 0;
    }
    const Rantai__V1__MatchProposed *mp = ev->match_proposed;
    size_t mine = 0;
    for (size_t i = 0; i < mp->n_allocations; i++) {
        mine += s_alloc_of(mp->allocations[i], kind, id) ? 1 : 0;
    }
    if (mine == 0) {
        return 0;
    }
    if (mine == mp->n_allocations) {
        *out = ev;
        return 0;
    }
    Rantai__V1__MatchProposed *t =
        RANTAI_ANEW(arena, Rantai__V1__MatchProposed);
    *t = *mp;
    t->allocations = rantai_arena_alloc(arena, mine * sizeof(void *));
    t->n_allocations = 0;
    for (size_t i = 0; i < mp->n_allocations; i++) {
        if (s_alloc_of(mp->allocations[i], kind, id)) {
            t->allocations[t->n_allocations++] = mp->allocations[i];
        }
    }
    rantai_event_t *e = RANTAI_ANEW(arena, rantai_event_t);
    *e = *ev;
    e->match_proposed = t;
    *out = e;
    return 0;
}

int
matcher_feed_filter(void *core,
                    rantai_txn_t *txn,
                    const rantai_principal_t *who,
                    const Rantai__V1__Party *party,
                    rantai_event_t *ev,
                    rantai_arena_t *arena,
                    rantai_event_t **out)
{
    (void) core;
    *out = NULL;
    int kind = s_kind(party);
    const char *id = party != NULL ? party->id : NULL;
    bool admin = who->role == RANTAI_ROLE_ADMIN;
    switch (kind) {
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL:
            if (admin || who->role == RANTAI_ROLE_SERVICE) {
                *out = ev;
            }
            return 0;
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE:
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER:
            if (!admin && !s_party_is(who, id)) {
                return 0;
            }
            return s_filter_supply(kind, id, ev, arena, out);
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER:
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE: {
            const char *buyer = s_event_buyer(ev);
            if (buyer == NULL || buyer[0] == 0 || id == NULL) {
                return 0;
            }
            char mp[RANTAI_ID_MAX + 1];
            int rc = s_buyer_marketplace(txn, buyer, mp);
            if (rc != 0) {
                return rc;
            }
            bool ok = kind == RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER
                          ? strcmp(buyer, id) == 0
                          : strcmp(mp, id) == 0;
            /* a marketplace sees only its own buyers, whatever it asked */
            if (ok && !admin) {
                ok =
                    who->role == RANTAI_ROLE_MARKETPLACE && s_party_is(who, mp);
            }
            if (ok) {
                *out = ev;
            }
            return 0;
        }
        default:
            return 0;
    }
}

/* ---- explanation (GetDemandState): why a demand is (partly) unfilled:
   its prefix's offers counted by the first rule they fail, the eligible
   ones by the pass step that skipped them ------------------------------ */

typedef struct {
    matcher_rank_key_t key;
    uint64_t remaining, min_order;
    bool has_live;
} s_elig_t;

static int
s_elig_cmp(const void *a, const void *b)
{
    return matcher_rank_cmp(&((const s_elig_t *) a)->key,
                            &((const s_elig_t *) b)->key);
}

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

/* Name the first required scheme offer `o` lacks. */
static void
s_missing_scheme(Rantai__V1__DemandExplanation *x,
                 rantai_arena_t *arena,
                 const matcher_dctx_t *dc,
                 const matcher_offer_t *o,
                 int64_t now_ms)
{
    int64_t at = dc->view.deliver_by != 0 ? dc->view.deliver_by : now_ms;
    for (size_t i = 0; i < dc->view.n_required; i++) {
        int sc = dc->view.required_certs[i];
        bool ok = false;
        for (uint32_t j = 0; j < o->h.n_certs; j++) {
            const matcher_cert_t *ct = &o->certs[j];
            ok = ok || (ct->scheme == sc &&
                        (ct->valid_until == 0 || ct->valid_until >= at));
        }
        if (!ok) {
            s_add_scheme(x, arena, sc);
            return;
        }
    }
}

static void
s_count_rule(Rantai__V1__DemandExplanation *x, int rule)
{
    switch (rule) {
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

typedef struct {
    s_elig_t *v;
    size_t n, cap;
} s_eligs_t;

/* Look at the prefix's offers (at most max_offers); the eligible ones
   into *el. Each offer's record lives in `tmp` only while it is judged. */
static int
s_classify(rantai_txn_t *txn,
           rantai_arena_t *arena,
           rantai_arena_t *tmp,
           const char *did,
           const matcher_dctx_t *dc,
           int64_t now_ms,
           size_t max_offers,
           Rantai__V1__DemandExplanation *x,
           s_eligs_t *el)
{
    const char *prefix = dc->view.commodity;
    size_t pl = strlen(prefix);
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, MDB_OFFERS_BY_COMMODITY, &cur);
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
            char oid[RANTAI_ID_MAX + 1];
            memcpy(oid, z + 1, il);
            oid[il] = 0;
            rantai_arena_reset(tmp);
            matcher_loaded_t l;
            matcher_judged_t j = {.rule = 3};
            rc = matcher_offer_load(txn, tmp, oid, &l);
            if (rc == 0) {
                rc = matcher_offer_judge(txn, did, dc, oid, &l, now_ms, &j);
            } else if (rc == RANTAI_ENOTFOUND) {
                rc = 0;
            }
            if (rc != 0) {
                break;
            }
            x->candidates++;
            if (j.rule == 0) {
                x->eligible++;
                if (el->n == el->cap) {
                    size_t cap = el->cap == 0 ? 64 : 2 * el->cap;
                    s_elig_t *v = rantai_arena_alloc(arena, cap * sizeof(*v));
                    if (el->n > 0) {
                        memcpy(v, el->v, el->n * sizeof(*v));
                    }
                    el->v = v;
                    el->cap = cap;
                }
                s_elig_t *e = &el->v[el->n++];
                e->key.landed = j.landed;
                e->key.distance_m = j.distance_m;
                e->key.offer_id = rantai_arena_strndup(arena, oid, il);
                e->remaining = j.remaining;
                e->min_order = l.offer.h.min_order_norm;
                e->has_live = j.has_live;
            } else {
                s_count_rule(x, j.rule);
                if (j.rule == 5) {
                    s_missing_scheme(x, arena, dc, &l.offer, now_ms);
                }
            }
        }
        rc = rantai_cursor_next(cur, &kv, &vv);
    }
    rantai_cursor_close(&cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
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
    matcher_dctx_t dc;
    rc = matcher_dctx(arena, &d, &dc);
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
    s_eligs_t el = {0};
    rantai_arena_t *tmp = rantai_arena_new();
    rc = s_classify(txn, arena, tmp, did, &dc, now_ms, max_offers, x, &el);
    rantai_arena_destroy(&tmp);
    if (rc != 0) {
        return rc;
    }
    /* the pass over the eligible ones, counting what it skipped */
    if (el.n > 1) {
        qsort(el.v, el.n, sizeof(*el.v), s_elig_cmp);
    }
    uint64_t r = d.h.quantity_norm > d.h.filled_norm
                     ? d.h.quantity_norm - d.h.filled_norm
                     : 0;
    uint32_t s = d.h.live_suppliers;
    uint32_t maxs = dc.msg->max_suppliers;
    for (size_t i = 0; i < el.n && r > 0; i++) {
        const s_elig_t *c = &el.v[i];
        if (maxs > 0 && s >= maxs && !c->has_live) {
            x->supplier_limit++;
            continue;
        }
        uint64_t q = r < c->remaining ? r : c->remaining;
        if (q < c->min_order) {
            x->min_order_too_big++;
            continue;
        }
        r -= q;
        s += c->has_live ? 0 : 1;
    }
    return 0;
}
