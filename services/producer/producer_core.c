/*  producer_core.c - rules of the producer registry (see producer_core.h;
    the flows shared with the buyer registry are in registry.c). */
#include "producer_core.h"

#include "rantai/err.h"
#include "registry.h"

#include <stdint.h>
#include <string.h>

#define S_PRECOND RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION

enum { DB_PRODUCERS = RANTAI_DB_FIRST, DB_OFFERS, DB_BY_PRODUCER, DB_BY_COOP };

static const char *const s_db_names[] = {
    "producers", "offers", "offers_by_producer", "offers_by_coop"};

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
    }
    return 0;
}

/* Index entries never change: producer_id and (through the producer)
   cooperative_id of an offer are fixed at its first put. */
static int
s_index_offer(rantai_ctx_t *ctx, const offer_t *o, const producer_t *p)
{
    int rc = rantai_index_put(ctx, DB_BY_PRODUCER, o->producer_id, o->id);
    if (rc != 0 || p->cooperative_id[0] == '\0') {
        return rc;
    }
    return rantai_index_put(ctx, DB_BY_COOP, p->cooperative_id, o->id);
}

static int
s_offer_rules(rantai_ctx_t *ctx,
              rantai_reply_t *reply,
              void *obj,
              const void *stored,
              const rantai_rec_t *rec)
{
    const offer_t *o = obj, *old = stored;
    producer_t *p;
    int rc = s_producer_load(ctx, o->producer_id, &p);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "unknown producer %s", o->producer_id);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (old == NULL) {
        return s_index_offer(ctx, o, p);
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

typedef struct {
    const char *producer_id; /* "" = any */
    const char *coop_id;     /* "" = any */
    const char *prefix;      /* commodity prefix, "" = any */
    int db;                  /* index scanned */
} s_filter_t;

/* Does offer `obj` match the filters the scanned index does not imply? */
static int
s_list_keep(
    rantai_ctx_t *ctx, const void *obj, const char *id, void *arg, bool *keep)
{
    const s_filter_t *f = arg;
    const offer_t *x = obj;
    *keep = false;
    if (strncmp(x->commodity, f->prefix, strlen(f->prefix)) != 0 ||
        (f->producer_id[0] && strcmp(x->producer_id, f->producer_id))) {
        return 0;
    }
    if (f->coop_id[0] && f->db != DB_BY_COOP) {
        size_t len;
        char *k = rantai_key2(ctx->arena, f->coop_id, id, &len);
        rantai_val_t v;
        int rc = rantai_get(ctx->txn, DB_BY_COOP, k, len, &v);
        if (rc != 0) {
            return rc == RANTAI_ENOTFOUND ? 0 : rc;
        }
    }
    *keep = true;
    return 0;
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

    s_filter_t f = {body->producer_id, body->cooperative_id,
                    body->commodity_prefix, DB_OFFERS};
    /* Lists show only one's own: pin the filter to the caller's party. */
    const char *party = rantai_party(ctx->who);
    if (ctx->who->role == RANTAI_ROLE_PRODUCER) {
        if (f.producer_id[0] && strcmp(f.producer_id, party) != 0) {
            return 0;
        }
        f.producer_id = party;
    } else if (ctx->who->role == RANTAI_ROLE_COOPERATIVE) {
        if (f.coop_id[0] && strcmp(f.coop_id, party) != 0) {
            return 0;
        }
        f.coop_id = party;
    }
    rantai_scan_t sc = {&s_offer_kind, DB_OFFERS, "", 0, s_list_keep, &f};
    if (f.producer_id[0]) {
        sc.index_db = f.db = DB_BY_PRODUCER;
        sc.key_prefix = rantai_key2(ctx->arena, f.producer_id, "", &sc.kp_len);
    } else if (f.coop_id[0]) {
        sc.index_db = f.db = DB_BY_COOP;
        sc.key_prefix = rantai_key2(ctx->arena, f.coop_id, "", &sc.kp_len);
    }
    return rantai_reg_scan(ctx, &sc, body->page_token, body->limit,
                           &list->base);
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
};
