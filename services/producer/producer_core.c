/*  producer_core.c - rules of the producer registry (see producer_core.h;
    the flows shared with the buyer registry are in registry.c). */
#include "producer_core.h"

#include "rantai/err.h"
#include "registry.h"

#include <stdint.h>
#include <string.h>

#define S_PRECOND RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION

enum {
    DB_PRODUCERS = RANTAI_DB_FIRST,
    DB_OFFERS,
    DB_BY_PRODUCER,
    DB_COOP_PRODUCERS
};

/* Stores written before producers_by_coop kept an offers_by_coop index
   (one more random page per offer put); it is no longer opened. */
static const char *const s_db_names[] = {
    "producers", "offers", "offers_by_producer", "producers_by_coop"};

typedef Rantai__V1__Producer producer_t;
typedef Rantai__V1__Offer offer_t;

/* ---- authorisation (PROTOCOL.md s6) ------------------------------------ */

/* May `who` act on a producer with this id and cooperative? */
static bool
s_owns(const rantai_principal_t *who,
       const char *producer_id,
       const char *coop_id)
{
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return true;
        case RANTAI_ROLE_COOPERATIVE:
            return coop_id[0] != '\0' &&
                   strcmp(coop_id, rantai_party(who)) == 0;
        case RANTAI_ROLE_PRODUCER:
            return strcmp(producer_id, rantai_party(who)) == 0;
        default:
            return false;
    }
}

/* The stored producer `id` decoded into *out; RANTAI_ENOTFOUND if none. */
static int
s_producer_load(rantai_ctx_t *ctx, const char *id, producer_t **out)
{
    void *p;
    int rc = rantai_rec_load(ctx, DB_PRODUCERS, id,
                             &rantai__v1__producer__descriptor, &p, NULL);
    *out = p;
    return rc;
}

/* Does `who` own the producer stored under `producer_id`? Unknown producers
   belong to nobody but admin (and a producer role naming itself). Sets
   *owned; returns 0 or a store error. */
static int
s_owns_stored(rantai_ctx_t *ctx, const char *producer_id, bool *owned)
{
    if (ctx->who->role != RANTAI_ROLE_COOPERATIVE) {
        *owned = s_owns(ctx->who, producer_id, "");
        return 0;
    }
    producer_t *p;
    int rc = s_producer_load(ctx, producer_id, &p);
    if (rc == RANTAI_ENOTFOUND) {
        *owned = false;
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    *owned = s_owns(ctx->who, p->id, p->cooperative_id);
    return 0;
}

static int
s_producer_owned(rantai_ctx_t *ctx, const void *obj, bool *owned)
{
    const producer_t *p = obj;
    *owned = s_owns(ctx->who, p->id, p->cooperative_id);
    return 0;
}

static int
s_offer_owned(rantai_ctx_t *ctx, const void *obj, bool *owned)
{
    return s_owns_stored(ctx, ((const offer_t *) obj)->producer_id, owned);
}

/* ---- validation (PROTOCOL.md s2-4) ------------------------------------- */

/* Each check returns true if valid, else fills the reply. */
static bool
s_check_producer(rantai_ctx_t *ctx, rantai_reply_t *reply, void *obj)
{
    producer_t *p = obj;
    if (!rantai_check_id(ctx, reply, p->id, "producer.id", false) ||
        !rantai_check_text(ctx, reply, p->name, "producer.name") ||
        !rantai_check_id(ctx, reply, p->cooperative_id,
                         "producer.cooperative_id", true)) {
        return false;
    }
    if (!rantai_province_valid(p->province)) {
        return rantai_check_fail(ctx, reply, "producer.province",
                                 "not a province code of data/provinces.csv");
    }
    /* The matcher needs a distance for every offer without a location. */
    if (p->location == NULL) {
        return rantai_check_fail(ctx, reply, "producer.location",
                                 "is required");
    }
    if (!rantai_check_geo(ctx, reply, p->location, "producer.location")) {
        return false;
    }
    if (!rantai_enum_defined(&rantai__v1__enterprise_class__descriptor,
                             (int) p->enterprise_class)) {
        return rantai_check_fail(ctx, reply, "producer.enterprise_class",
                                 "not a defined EnterpriseClass");
    }
    rantai_geo_canon(p->location);
    return true;
}

/* min_order and price: units of the quantity's dimension. */
static bool
s_check_offer_terms(rantai_ctx_t *ctx, rantai_reply_t *reply, offer_t *o)
{
    rantai_dim_t dim = rantai_unit_dim((int) o->quantity->unit);
    uint64_t norm;
    Rantai__V1__Quantity *mo = o->min_order;
    if (mo != NULL && mo->milli == 0 && mo->unit == 0) {
        o->min_order = mo = NULL; /* same as unset: store it that way */
    }
    if (mo != NULL) {
        if (!rantai_check_unit(ctx, reply, (int) mo->unit, dim,
                               "offer.min_order.unit")) {
            return false;
        }
        if (rantai_qty_norm(mo->milli, (int) mo->unit, &norm) != 0) {
            return rantai_check_fail(ctx, reply, "offer.min_order.milli",
                                     "too large");
        }
    }
    /* An absent Price reads as its default: unit unset, zero. */
    const Rantai__V1__Price *pr = o->price;
    int per = pr ? (int) pr->per : 0;
    if (!rantai_check_unit(ctx, reply, per, dim, "offer.price.per")) {
        return false;
    }
    if (rantai_price_norm(pr->idr, per, &norm) != 0) {
        return rantai_check_fail(ctx, reply, "offer.price.idr", "too large");
    }
    return true;
}

static bool
s_check_offer(rantai_ctx_t *ctx, rantai_reply_t *reply, void *obj)
{
    offer_t *o = obj;
    if (!rantai_check_id(ctx, reply, o->id, "offer.id", false) ||
        !rantai_check_id(ctx, reply, o->producer_id, "offer.producer_id",
                         false)) {
        return false;
    }
    if (!rantai_commodity_valid(o->commodity, 4)) {
        return rantai_check_fail(ctx, reply, "offer.commodity",
                                 "must be 4-12 characters of [0-9A-Z]");
    }
    if (!rantai_check_qty(ctx, reply, o->quantity, "offer.quantity") ||
        !s_check_offer_terms(ctx, reply, o)) {
        return false;
    }
    for (size_t i = 0; i < o->n_certificates; i++) {
        const Rantai__V1__Certificate *c = o->certificates[i];
        if (c->scheme == 0 ||
            !rantai_enum_defined(&rantai__v1__certification__descriptor,
                                 (int) c->scheme)) {
            return rantai_check_fail(
                ctx, reply,
                rantai_arena_printf(ctx->arena,
                                    "offer.certificates[%zu].scheme", i),
                "not a defined Certification");
        }
        if (!rantai_check_text(
                ctx, reply, c->number,
                rantai_arena_printf(ctx->arena,
                                    "offer.certificates[%zu].number", i))) {
            return false;
        }
    }
    if (o->location != NULL &&
        !rantai_check_geo(ctx, reply, o->location, "offer.location")) {
        return false;
    }
    if (o->available_from != 0 && o->available_until != 0 &&
        o->available_until < o->available_from) {
        return rantai_check_fail(ctx, reply, "offer.available_until",
                                 "before available_from");
    }
    rantai_geo_canon(o->location);
    return true;
}

/* ---- the kinds: what may change ------------------------------------------ */

static const rantai_kind_t s_producer_kind;

static int
s_producer_rules(rantai_ctx_t *ctx,
                 rantai_reply_t *reply,
                 void *obj,
                 const void *stored,
                 const rantai_rec_t *rec)
{
    (void) rec;
    const producer_t *p = obj, *old = stored;
    if (old != NULL && strcmp(old->cooperative_id, p->cooperative_id) != 0) {
        /* This refusal has always carried the producer as its body. */
        rantai_reg_reply(reply, &s_producer_kind, obj);
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "a producer's cooperative_id cannot change");
        return 0;
    }
    /* The cooperative never changes, so its index entry is written once. */
    if (old != NULL || p->cooperative_id[0] == '\0') {
        return 0;
    }
    return rantai_index_put(ctx, DB_COOP_PRODUCERS, p->cooperative_id, p->id);
}

static int
s_offer_rules(rantai_ctx_t *ctx,
              rantai_reply_t *reply,
              void *obj,
              const void *stored,
              const rantai_rec_t *rec)
{
    const offer_t *o = obj, *old = stored;
    /* Existence only: no need to decode the producer. */
    rantai_rec_t prec;
    int rc = rantai_rec_get(ctx->txn, DB_PRODUCERS, o->producer_id, &prec);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "unknown producer %s", o->producer_id);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (old == NULL) {
        /* The index entry never changes: producer_id is fixed at the
           first put. */
        return rantai_index_put(ctx, DB_BY_PRODUCER, o->producer_id, o->id);
    }
    const char *why = NULL;
    if (rec->end_seq != 0) {
        why = "the offer was withdrawn (withdrawal is final)";
    } else if (strcmp(old->producer_id, o->producer_id) != 0) {
        why = "an offer's producer_id cannot change";
    } else if (strcmp(old->commodity, o->commodity) != 0) {
        why = "an offer's commodity cannot change";
    } else if (rantai_unit_dim((int) old->quantity->unit) !=
               rantai_unit_dim((int) o->quantity->unit)) {
        why = "an offer's unit dimension cannot change";
    }
    if (why != NULL) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL, "%s", why);
    }
    return 0;
}

static const rantai_kind_t s_producer_kind = {
    .name = "producer",
    .db = DB_PRODUCERS,
    .desc = &rantai__v1__producer__descriptor,
    .deny_put = "put this producer",
    .owned = s_producer_owned,
    .check = s_check_producer,
    .rules = s_producer_rules,
    .put_event = "producer_put",
};

static const rantai_kind_t s_offer_kind = {
    .name = "offer",
    .db = DB_OFFERS,
    .desc = &rantai__v1__offer__descriptor,
    .deny_put = "put offers of this producer",
    .deny_end = "withdraw offers of this producer",
    .owned = s_offer_owned,
    .check = s_check_offer,
    .rules = s_offer_rules,
    .put_event = "offer_put",
    .end_event = "offer_withdrawn",
};

/* ---- lists ------------------------------------------------------------- */

/* Is producer `producer_id` in cooperative `coop_id`? */
static int
s_coop_has(rantai_ctx_t *ctx,
           const char *coop_id,
           const char *producer_id,
           bool *has)
{
    size_t len;
    char *k = rantai_key2(ctx->arena, coop_id, producer_id, &len);
    int rc = rantai_get(ctx->txn, DB_COOP_PRODUCERS, k, len, NULL);
    *has = rc == 0;
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

/* The offers_by_producer ranges ("producer\0") of every producer of
   cooperative `coop_id` into sc (arena memory). */
static int
s_coop_ranges(rantai_ctx_t *ctx, const char *coop_id, rantai_scan_t *sc)
{
    size_t plen;
    char *prefix = rantai_key2(ctx->arena, coop_id, "", &plen);
    rantai_cursor_t *cur;
    int rc = rantai_cursor_open(ctx->txn, DB_COOP_PRODUCERS, &cur);
    if (rc != 0) {
        return rc;
    }
    size_t cap = 16, n = 0;
    const char **ranges = rantai_arena_alloc(ctx->arena, cap * sizeof *ranges);
    size_t *lens = rantai_arena_alloc(ctx->arena, cap * sizeof *lens);
    rantai_val_t k, v;
    for (rc = rantai_cursor_seek(cur, prefix, plen, &k, &v); rc == 0;
         rc = rantai_cursor_next(cur, &k, &v)) {
        if (k.size <= plen || memcmp(k.data, prefix, plen) != 0) {
            break;
        }
        if (n == cap) {
            const char **r2 =
                rantai_arena_alloc(ctx->arena, 2 * cap * sizeof *r2);
            size_t *l2 = rantai_arena_alloc(ctx->arena, 2 * cap * sizeof *l2);
            memcpy(r2, ranges, n * sizeof *r2);
            memcpy(l2, lens, n * sizeof *l2);
            ranges = r2;
            lens = l2;
            cap *= 2;
        }
        /* "producer\0": the key's suffix and a NUL. */
        lens[n] = k.size - plen + 1;
        ranges[n] = rantai_arena_strndup(
            ctx->arena, (const char *) k.data + plen, k.size - plen);
        n++;
    }
    rantai_cursor_close(&cur);
    sc->ranges = ranges;
    sc->range_lens = lens;
    sc->n_ranges = n;
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int
s_list_offers(rantai_ctx_t *ctx,
              const ProtobufCMessage *msg,
              rantai_reply_t *reply)
{
    const Rantai__V1__ListOffers *body = (const void *) msg;
    if (!rantai_check_id(ctx, reply, body->producer_id,
                         "list_offers.producer_id", true) ||
        !rantai_check_id(ctx, reply, body->cooperative_id,
                         "list_offers.cooperative_id", true) ||
        !rantai_check_id(ctx, reply, body->page_token, "list_offers.page_token",
                         true) ||
        !rantai_check_prefix(ctx, reply, body->commodity_prefix,
                             "list_offers.commodity_prefix")) {
        return 0;
    }
    Rantai__V1__OfferList *list =
        RANTAI_ANEW(ctx->arena, Rantai__V1__OfferList);
    rantai__v1__offer_list__init(list);
    reply->body_case = RANTAI__V1__REPLY__BODY_OFFER_LIST;
    reply->offer_list = list;

    rantai_list_filter_t f = {"producer_id", body->producer_id,
                              body->commodity_prefix};
    const char *coop_id = body->cooperative_id;
    /* Lists show only one's own: pin the filter to the caller's party. */
    const char *party = rantai_party(ctx->who);
    if (ctx->who->role == RANTAI_ROLE_PRODUCER) {
        if (f.owner_id[0] && strcmp(f.owner_id, party) != 0) {
            return 0;
        }
        f.owner_id = party;
    } else if (ctx->who->role == RANTAI_ROLE_COOPERATIVE) {
        if (coop_id[0] && strcmp(coop_id, party) != 0) {
            return 0;
        }
        coop_id = party;
    }
    rantai_scan_t sc = {&s_offer_kind, DB_OFFERS, "", 0, rantai_keep_listed, &f,
                        NULL,          NULL,      0};
    int rc = 0;
    if (f.owner_id[0]) {
        /* A producer's cooperative never changes: one look-up decides. */
        bool has = true;
        if (coop_id[0] &&
            ((rc = s_coop_has(ctx, coop_id, f.owner_id, &has)) != 0 || !has)) {
            return rc;
        }
        sc.index_db = DB_BY_PRODUCER;
        sc.key_prefix = rantai_key2(ctx->arena, f.owner_id, "", &sc.kp_len);
    } else if (coop_id[0]) {
        /* Offers of the cooperative: its producers' ranges merged. */
        if ((rc = s_coop_ranges(ctx, coop_id, &sc)) != 0 || sc.n_ranges == 0) {
            return rc;
        }
        sc.index_db = DB_BY_PRODUCER;
    }
    return rantai_reg_scan(ctx, &sc, body->page_token, body->limit,
                           &list->base);
}

/* Stores written before producers_by_coop existed: index every producer
   with a cooperative once (the index is empty but producers are not). */
static int
s_migrate_cb(rantai_txn_t *txn, void *arg)
{
    (void) arg;
    uint64_t indexed = 0;
    int rc = rantai_count(txn, DB_COOP_PRODUCERS, &indexed);
    if (rc != 0 || indexed > 0) {
        return rc;
    }
    rantai_arena_t *arena = rantai_arena_new();
    rantai_cursor_t *cur;
    rc = rantai_cursor_open(txn, DB_PRODUCERS, &cur);
    rantai_val_t k, v;
    for (rc = rc ? rc : rantai_cursor_seek(cur, NULL, 0, &k, &v); rc == 0;
         rc = rantai_cursor_next(cur, &k, &v)) {
        if (v.size < RANTAI_REC_HDR) {
            continue;
        }
        producer_t *p = (producer_t *) rantai_decode(
            &rantai__v1__producer__descriptor,
            (const uint8_t *) v.data + RANTAI_REC_HDR, v.size - RANTAI_REC_HDR,
            SIZE_MAX, arena);
        if (p != NULL && p->cooperative_id[0] != '\0') {
            size_t len;
            char *key = rantai_key2(arena, p->cooperative_id, p->id, &len);
            if ((rc = rantai_put(txn, DB_COOP_PRODUCERS, key, len, "", 0)) !=
                0) {
                break;
            }
        }
        rantai_arena_reset(arena);
    }
    rantai_cursor_close(&cur);
    rantai_arena_destroy(&arena);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int
s_start(void *core, rantai_server_t *server)
{
    (void) core;
    rantai_server_set_ready(server, true);
    return rantai_server_write(server, s_migrate_cb, NULL);
}

/* ---- the service ------------------------------------------------------- */

static const rantai_route_t s_routes[] = {
    {RANTAI__V1__REQUEST__BODY_PUT_PRODUCER, RANTAI_OP_PUT, &s_producer_kind,
     NULL},
    {RANTAI__V1__REQUEST__BODY_PUT_OFFER, RANTAI_OP_PUT, &s_offer_kind, NULL},
    {RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER, RANTAI_OP_END, &s_offer_kind,
     NULL},
    {RANTAI__V1__REQUEST__BODY_GET_PRODUCER, RANTAI_OP_GET, &s_producer_kind,
     NULL},
    {RANTAI__V1__REQUEST__BODY_GET_OFFER, RANTAI_OP_GET, &s_offer_kind, NULL},
    {RANTAI__V1__REQUEST__BODY_LIST_OFFERS, RANTAI_OP_LIST, NULL,
     s_list_offers},
};

/* Marketplaces do not read offers; services only subscribe. */
static const rantai_role_t s_roles[] = {RANTAI_ROLE_ADMIN,
                                        RANTAI_ROLE_COOPERATIVE,
                                        RANTAI_ROLE_PRODUCER, RANTAI_ROLE_NONE};

static const rantai_registry_t s_registry = {
    "producer", s_roles, s_routes, sizeof s_routes / sizeof s_routes[0]};

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

const rantai_service_def_t producer_service = {
    .name = "producer",
    .db_names = s_db_names,
    .db_count = (int) (sizeof s_db_names / sizeof s_db_names[0]),
    .is_write = s_is_write,
    .handle = s_handle,
    .start = s_start,
};
