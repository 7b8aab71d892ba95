/*  buyer_core.c - rules of the buyer registry (see buyer_core.h; the flows
    shared with the producer registry are in registry.c). */
#include "buyer_core.h"

#include "rantai/err.h"
#include "registry.h"

#include <stdint.h>
#include <string.h>

#define S_PRECOND RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION

enum { DB_BUYERS = RANTAI_DB_FIRST, DB_DEMANDS, DB_BY_BUYER, DB_BY_MARKET };

static const char *const s_db_names[] = {
    "buyers", "demands", "demands_by_buyer", "demands_by_marketplace"};

typedef Rantai__V1__Buyer buyer_t;
typedef Rantai__V1__Demand demand_t;

/* ---- authorisation (PROTOCOL.md s6) ------------------------------------ */

/* May `who` act on a buyer of this marketplace? */
static bool
s_owns(const rantai_principal_t *who, const char *market_id)
{
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return true;
        case RANTAI_ROLE_MARKETPLACE:
            return market_id[0] != '\0' &&
                   strcmp(market_id, rantai_party(who)) == 0;
        default:
            return false;
    }
}

/* The stored buyer `id` decoded into *out; RANTAI_ENOTFOUND if none. */
static int
s_buyer_load(rantai_ctx_t *ctx, const char *id, buyer_t **out)
{
    void *b;
    int rc = rantai_rec_load(ctx, DB_BUYERS, id, &rantai__v1__buyer__descriptor,
                             &b, NULL);
    *out = b;
    return rc;
}

/* Does `who` own the buyer stored under `buyer_id`? Unknown buyers belong
   to nobody but admin. Sets *owned; returns 0 or a store error. */
static int
s_owns_stored(rantai_ctx_t *ctx, const char *buyer_id, bool *owned)
{
    if (ctx->who->role == RANTAI_ROLE_ADMIN) {
        *owned = true;
        return 0;
    }
    buyer_t *b;
    int rc = s_buyer_load(ctx, buyer_id, &b);
    if (rc == RANTAI_ENOTFOUND) {
        *owned = false;
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    *owned = s_owns(ctx->who, b->marketplace_id);
    return 0;
}

static int
s_buyer_owned(rantai_ctx_t *ctx, const void *obj, bool *owned)
{
    *owned = s_owns(ctx->who, ((const buyer_t *) obj)->marketplace_id);
    return 0;
}

static int
s_demand_owned(rantai_ctx_t *ctx, const void *obj, bool *owned)
{
    return s_owns_stored(ctx, ((const demand_t *) obj)->buyer_id, owned);
}

/* ---- validation (PROTOCOL.md s2-4) ------------------------------------- */

/* Each check returns true if valid, else fills the reply. */
static bool
s_check_buyer(rantai_ctx_t *ctx, rantai_reply_t *reply, void *obj)
{
    const buyer_t *b = obj;
    return rantai_check_id(ctx, reply, b->id, "buyer.id", false) &&
           rantai_check_text(ctx, reply, b->name, "buyer.name") &&
           rantai_check_id(ctx, reply, b->marketplace_id,
                           "buyer.marketplace_id", true);
}

/* Price limit: unset (idr 0) needs no unit, but a unit given must exist. */
static bool
s_check_max_price(rantai_ctx_t *ctx,
                  rantai_reply_t *reply,
                  demand_t *d,
                  rantai_dim_t dim)
{
    Rantai__V1__Price *mp = d->max_price;
    if (mp == NULL) {
        return true;
    }
    if (mp->idr == 0) {
        if (mp->per != 0 && rantai_unit_dim((int) mp->per) == RANTAI_DIM_NONE) {
            return rantai_check_fail(ctx, reply, "demand.max_price.per",
                                     "not a defined Unit");
        }
        if (mp->per == 0) {
            d->max_price = NULL; /* same as unset: store it that way */
        }
        return true;
    }
    if (!rantai_check_unit(ctx, reply, (int) mp->per, dim,
                           "demand.max_price.per")) {
        return false;
    }
    uint64_t norm;
    if (rantai_price_norm(mp->idr, (int) mp->per, &norm) != 0) {
        return rantai_check_fail(ctx, reply, "demand.max_price.idr",
                                 "too large");
    }
    return true;
}

static bool
s_check_demand(rantai_ctx_t *ctx, rantai_reply_t *reply, void *obj)
{
    demand_t *d = obj;
    if (!rantai_check_id(ctx, reply, d->id, "demand.id", false) ||
        !rantai_check_id(ctx, reply, d->buyer_id, "demand.buyer_id", false)) {
        return false;
    }
    if (!rantai_commodity_valid(d->commodity, 2)) {
        return rantai_check_fail(ctx, reply, "demand.commodity",
                                 "must be 2-12 characters of [0-9A-Z]");
    }
    if (!rantai_check_qty(ctx, reply, d->quantity, "demand.quantity") ||
        !s_check_max_price(ctx, reply, d,
                           rantai_unit_dim((int) d->quantity->unit))) {
        return false;
    }
    for (size_t i = 0; i < d->n_required_certifications; i++) {
        int c = (int) d->required_certifications[i];
        if (c == 0 ||
            !rantai_enum_defined(&rantai__v1__certification__descriptor, c)) {
            return rantai_check_fail(
                ctx, reply,
                rantai_arena_printf(ctx->arena,
                                    "demand.required_certifications[%zu]", i),
                "not a defined Certification");
        }
    }
    /* Distances and landed costs are measured to the delivery point. */
    if (d->delivery == NULL) {
        return rantai_check_fail(ctx, reply, "demand.delivery", "is required");
    }
    if (!rantai_check_geo(ctx, reply, d->delivery, "demand.delivery")) {
        return false;
    }
    for (size_t i = 0; i < d->n_origin_provinces; i++) {
        if (!rantai_province_valid(d->origin_provinces[i])) {
            return rantai_check_fail(
                ctx, reply,
                rantai_arena_printf(ctx->arena, "demand.origin_provinces[%zu]",
                                    i),
                "not a province code of data/provinces.csv");
        }
    }
    rantai_geo_canon(d->delivery);
    return true;
}

/* ---- the kinds: what may change ------------------------------------------ */

static const rantai_kind_t s_buyer_kind;

static int
s_buyer_rules(rantai_ctx_t *ctx,
              rantai_reply_t *reply,
              void *obj,
              const void *stored,
              const rantai_rec_t *rec)
{
    (void) rec;
    const buyer_t *b = obj, *old = stored;
    if (old != NULL && strcmp(old->marketplace_id, b->marketplace_id) != 0) {
        /* This refusal has always carried the buyer as its body. */
        rantai_reg_reply(reply, &s_buyer_kind, obj);
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "a buyer's marketplace_id cannot change");
    }
    return 0;
}

/* Index entries never change: a demand is immutable and its buyer's
   marketplace_id is fixed. */
static int
s_demand_rules(rantai_ctx_t *ctx,
               rantai_reply_t *reply,
               void *obj,
               const void *stored,
               const rantai_rec_t *rec)
{
    (void) rec;
    const demand_t *d = obj;
    buyer_t *b;
    int rc = s_buyer_load(ctx, d->buyer_id, &b);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "unknown buyer %s", d->buyer_id);
        return 0;
    }
    if (rc != 0 || stored != NULL) {
        return rc;
    }
    rc = rantai_index_put(ctx, DB_BY_BUYER, d->buyer_id, d->id);
    if (rc != 0 || b->marketplace_id[0] == '\0') {
        return rc;
    }
    return rantai_index_put(ctx, DB_BY_MARKET, b->marketplace_id, d->id);
}

static const rantai_kind_t s_buyer_kind = {
    .name = "buyer",
    .db = DB_BUYERS,
    .desc = &rantai__v1__buyer__descriptor,
    .deny_put = "put this buyer",
    .owned = s_buyer_owned,
    .check = s_check_buyer,
    .rules = s_buyer_rules,
    .put_event = "buyer_put",
};

static const rantai_kind_t s_demand_kind = {
    .name = "demand",
    .db = DB_DEMANDS,
    .desc = &rantai__v1__demand__descriptor,
    .deny_put = "post demands of this buyer",
    .deny_end = "cancel demands of this buyer",
    .immutable = "demands are immutable: cancel and post anew",
    .owned = s_demand_owned,
    .check = s_check_demand,
    .rules = s_demand_rules,
    .put_event = "demand_posted",
    .end_event = "demand_cancelled",
};

/* ---- lists ------------------------------------------------------------- */

static int
s_list_demands(rantai_ctx_t *ctx,
               const ProtobufCMessage *msg,
               rantai_reply_t *reply)
{
    const Rantai__V1__ListDemands *body = (const void *) msg;
    if (!rantai_check_id(ctx, reply, body->buyer_id, "list_demands.buyer_id",
                         true) ||
        !rantai_check_id(ctx, reply, body->page_token,
                         "list_demands.page_token", true) ||
        !rantai_check_prefix(ctx, reply, body->commodity_prefix,
                             "list_demands.commodity_prefix")) {
        return 0;
    }
    Rantai__V1__DemandList *list =
        RANTAI_ANEW(ctx->arena, Rantai__V1__DemandList);
    rantai__v1__demand_list__init(list);
    reply->body_case = RANTAI__V1__REPLY__BODY_DEMAND_LIST;
    reply->demand_list = list;

    rantai_list_filter_t f = {"buyer_id", body->buyer_id,
                              body->commodity_prefix};
    rantai_scan_t sc = {
        &s_demand_kind, DB_DEMANDS, "", 0, rantai_keep_listed, &f,
        NULL,           NULL,       0};
    if (f.owner_id[0]) {
        /* Lists show only one's own: another's buyer lists nothing. */
        bool owned;
        int rc = s_owns_stored(ctx, f.owner_id, &owned);
        if (rc != 0 || !owned) {
            return rc;
        }
        sc.index_db = DB_BY_BUYER;
        sc.key_prefix = rantai_key2(ctx->arena, f.owner_id, "", &sc.kp_len);
    } else if (ctx->who->role != RANTAI_ROLE_ADMIN) {
        sc.index_db = DB_BY_MARKET;
        sc.key_prefix =
            rantai_key2(ctx->arena, rantai_party(ctx->who), "", &sc.kp_len);
    }
    return rantai_reg_scan(ctx, &sc, body->page_token, body->limit,
                           &list->base);
}

/* ---- the service ------------------------------------------------------- */

static const rantai_route_t s_routes[] = {
    {RANTAI__V1__REQUEST__BODY_PUT_BUYER, RANTAI_OP_PUT, &s_buyer_kind, NULL},
    {RANTAI__V1__REQUEST__BODY_POST_DEMAND, RANTAI_OP_PUT, &s_demand_kind,
     NULL},
    {RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND, RANTAI_OP_END, &s_demand_kind,
     NULL},
    {RANTAI__V1__REQUEST__BODY_GET_BUYER, RANTAI_OP_GET, &s_buyer_kind, NULL},
    {RANTAI__V1__REQUEST__BODY_GET_DEMAND, RANTAI_OP_GET, &s_demand_kind, NULL},
    {RANTAI__V1__REQUEST__BODY_LIST_DEMANDS, RANTAI_OP_LIST, NULL,
     s_list_demands},
};

/* Cooperatives and producers do not read demands (they learn of their
   allocations from the matcher feed); services only subscribe. */
static const rantai_role_t s_roles[] = {
    RANTAI_ROLE_ADMIN, RANTAI_ROLE_MARKETPLACE, RANTAI_ROLE_NONE};

static const rantai_registry_t s_registry = {
    "buyer", s_roles, s_routes, sizeof s_routes / sizeof s_routes[0]};

static bool
s_is_write(const rantai_request_t *req)
{
    return rantai_reg_is_write(&s_registry, req);
}

static int
s_handle(void *core,
         rantai_ctx_t *ctx,
         const rantai_request_t *req,
         rantai_reply_t *reply)
{
    (void) core;
    return rantai_reg_handle(&s_registry, ctx, req, reply);
}

const rantai_service_def_t buyer_service = {
    .name = "buyer",
    .db_names = s_db_names,
    .db_count = (int) (sizeof s_db_names / sizeof s_db_names[0]),
    .is_write = s_is_write,
    .handle = s_handle,
};
