/*  buyer_core.c - rules of the buyer registry (see buyer_core.h). */
#include "buyer_core.h"

#include "evlog.h"
#include "rantai/err.h"
#include "rantai/units.h"

#include <stdint.h>
#include <string.h>

#define S_OK        RANTAI__V1__STATUS_CODE__STATUS_CODE_OK
#define S_INVALID   RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT
#define S_NOT_FOUND RANTAI__V1__STATUS_CODE__STATUS_CODE_NOT_FOUND
#define S_EXISTS    RANTAI__V1__STATUS_CODE__STATUS_CODE_ALREADY_EXISTS
#define S_DENIED    RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED
#define S_PRECOND   RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION
#define S_UNIMPL    RANTAI__V1__STATUS_CODE__STATUS_CODE_UNIMPLEMENTED

#define S_TEXT_MAX  256 /* names, in bytes */
#define S_HDR       16  /* record header: put seq, cancellation seq */
#define S_LIMIT_DEF 100
#define S_LIMIT_MAX 1000

enum { DB_BUYERS = RANTAI_DB_FIRST, DB_DEMANDS, DB_BY_BUYER, DB_BY_MARKET };

static const char *const s_db_names[] = {
    "buyers", "demands", "demands_by_buyer", "demands_by_marketplace"};

typedef Rantai__V1__Buyer buyer_t;
typedef Rantai__V1__Demand demand_t;

/* A stored record; `body` points into the map (valid until the next write
   in the txn or its end). */
typedef struct {
    uint64_t seq;
    uint64_t end_seq;
    const uint8_t *body;
    size_t size;
} s_rec_t;

/* ---- records, keys, copies --------------------------------------------- */

/* Invalid ids are never stored, so they are simply not found (and never
   reach the store as over-long keys). */
static int
s_rec_get(rantai_txn_t *txn, int db, const char *id, s_rec_t *rec)
{
    if (!rantai_id_valid(id)) {
        return RANTAI_ENOTFOUND;
    }
    rantai_val_t v;
    int rc = rantai_get(txn, db, id, strlen(id), &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size < S_HDR) {
        return RANTAI_EIO;
    }
    rec->seq = rantai_be64_get(v.data);
    rec->end_seq = rantai_be64_get((const uint8_t *) v.data + 8);
    rec->body = (const uint8_t *) v.data + S_HDR;
    rec->size = v.size - S_HDR;
    return 0;
}

static int
s_rec_put(rantai_txn_t *txn,
          int db,
          const char *id,
          uint64_t seq,
          uint64_t end_seq,
          const void *body,
          size_t size)
{
    void *dst;
    int rc = rantai_put_reserve(txn, db, id, strlen(id), S_HDR + size, &dst);
    if (rc != 0) {
        return rc;
    }
    rantai_be64_put(dst, seq);
    rantai_be64_put((uint8_t *) dst + 8, end_seq);
    if (size > 0) {
        memcpy((uint8_t *) dst + S_HDR, body, size);
    }
    return 0;
}

/* Stored bodies were packed by us; one that does not decode is damage. */
static void *
s_decode(const ProtobufCMessageDescriptor *desc,
         const s_rec_t *rec,
         rantai_arena_t *arena)
{
    return rantai_decode(desc, rec->body, rec->size, SIZE_MAX, arena);
}

/* Unknown fields would make identical puts compare different and would be
   forwarded to every subscriber: drop them, in every nested message. */
static void
s_strip(ProtobufCMessage *m)
{
    if (m == NULL) {
        return;
    }
    m->n_unknown_fields = 0;
    m->unknown_fields = NULL;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        char *base = (char *) m;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *) (void *) (base + f->quantifier_offset);
            ProtobufCMessage **a =
                *(ProtobufCMessage ***) (void *) (base + f->offset);
            for (size_t j = 0; j < n; j++) {
                s_strip(a[j]);
            }
        } else {
            s_strip(*(ProtobufCMessage **) (void *) (base + f->offset));
        }
    }
}

/* A private, mutable copy of a request message (the request is const and
   owned by the server), without unknown fields. NULL only if the codec
   cannot round-trip its own output. */
static void *
s_copy(const ProtobufCMessage *m, rantai_arena_t *arena)
{
    size_t n;
    void *buf = rantai_encode(m, arena, &n);
    ProtobufCMessage *c = rantai_decode(m->descriptor, buf, n, SIZE_MAX, arena);
    s_strip(c);
    return c;
}

/* "a\0b": index keys sort by a, then by b. */
static char *
s_key2(rantai_arena_t *arena, const char *a, const char *b, size_t *len)
{
    size_t la = strlen(a), lb = strlen(b);
    char *k = rantai_arena_alloc(arena, la + lb + 2);
    memcpy(k, a, la);
    k[la] = '\0';
    memcpy(k + la + 1, b, lb);
    *len = la + 1 + lb;
    return k;
}

static void
s_geo_canon(Rantai__V1__GeoPoint *p)
{
    if (p != NULL) {
        p->lat = p->lat == 0 ? 0.0 : p->lat; /* -0.0 packs differently */
        p->lon = p->lon == 0 ? 0.0 : p->lon;
    }
}

static const char *
s_party(const rantai_principal_t *who)
{
    return who->party ? who->party : "";
}

/* ---- authorisation (PROTOCOL.md s6) ------------------------------------ */

/* May `who` act on a buyer of this marketplace? */
static bool
s_owns(const rantai_principal_t *who, const char *market_id)
{
    switch (who->role) {
        case RANTAI_ROLE_ADMIN:
            return true;
        case RANTAI_ROLE_MARKETPLACE:
            return market_id[0] != '\0' && strcmp(market_id, s_party(who)) == 0;
        default:
            return false;
    }
}

/* The stored buyer `id` decoded into *out; RANTAI_ENOTFOUND if none. */
static int
s_buyer_load(rantai_ctx_t *ctx, const char *id, buyer_t **out, uint64_t *seq)
{
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_BUYERS, id, &rec);
    if (rc != 0) {
        return rc;
    }
    *out = s_decode(&rantai__v1__buyer__descriptor, &rec, ctx->arena);
    if (seq != NULL) {
        *seq = rec.seq;
    }
    return *out ? 0 : RANTAI_EIO;
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
    int rc = s_buyer_load(ctx, buyer_id, &b, NULL);
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
s_denied(rantai_ctx_t *ctx, rantai_reply_t *reply, const char *what)
{
    rantai_reply_error(reply, ctx->arena, S_DENIED, NULL, "not allowed to %s",
                       what);
    return 0;
}

/* ---- validation (PROTOCOL.md s2-4) ------------------------------------- */

/* Each check returns true if valid, else fills the reply. */
static bool
s_bad(rantai_ctx_t *ctx,
      rantai_reply_t *reply,
      const char *field,
      const char *msg)
{
    rantai_reply_error(reply, ctx->arena, S_INVALID, field, "%s: %s", field,
                       msg);
    return false;
}

static bool
s_check_id(rantai_ctx_t *ctx,
           rantai_reply_t *reply,
           const char *id,
           const char *field,
           bool optional)
{
    if (optional && id[0] == '\0') {
        return true;
    }
    if (!rantai_id_valid(id)) {
        return s_bad(ctx, reply, field, "must be 1-64 of [A-Za-z0-9._:-]");
    }
    return true;
}

/* A unit that must be set, defined and (want != NONE) of dimension want. */
static bool
s_check_unit(rantai_ctx_t *ctx,
             rantai_reply_t *reply,
             int unit,
             rantai_dim_t want,
             const char *field)
{
    if (unit == 0) {
        return s_bad(ctx, reply, field, "unit is required");
    }
    rantai_dim_t dim = rantai_unit_dim(unit);
    if (dim == RANTAI_DIM_NONE) {
        return s_bad(ctx, reply, field, "not a defined Unit");
    }
    if (want != RANTAI_DIM_NONE && dim != want) {
        return s_bad(ctx, reply, field,
                     "unit of another dimension than the quantity");
    }
    return true;
}

static bool
s_check_buyer(rantai_ctx_t *ctx, rantai_reply_t *reply, const buyer_t *b)
{
    if (!s_check_id(ctx, reply, b->id, "buyer.id", false)) {
        return false;
    }
    if (!rantai_text_valid(b->name, S_TEXT_MAX)) {
        return s_bad(ctx, reply, "buyer.name",
                     "must be UTF-8 text of at most 256 bytes");
    }
    return s_check_id(ctx, reply, b->marketplace_id, "buyer.marketplace_id",
                      true);
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
            return s_bad(ctx, reply, "demand.max_price.per",
                         "not a defined Unit");
        }
        if (mp->per == 0) {
            d->max_price = NULL; /* same as unset: store it that way */
        }
        return true;
    }
    if (!s_check_unit(ctx, reply, (int) mp->per, dim, "demand.max_price.per")) {
        return false;
    }
    uint64_t norm;
    if (rantai_price_norm(mp->idr, (int) mp->per, &norm) != 0) {
        return s_bad(ctx, reply, "demand.max_price.idr", "too large");
    }
    return true;
}

static bool
s_check_demand(rantai_ctx_t *ctx, rantai_reply_t *reply, demand_t *d)
{
    if (!s_check_id(ctx, reply, d->id, "demand.id", false) ||
        !s_check_id(ctx, reply, d->buyer_id, "demand.buyer_id", false)) {
        return false;
    }
    if (!rantai_commodity_valid(d->commodity, 2)) {
        return s_bad(ctx, reply, "demand.commodity",
                     "must be 2-12 characters of [0-9A-Z]");
    }
    /* An absent Quantity reads as its default: unit unset, zero. */
    const Rantai__V1__Quantity *q = d->quantity;
    int q_unit = q ? (int) q->unit : 0;
    if (!s_check_unit(ctx, reply, q_unit, RANTAI_DIM_NONE,
                      "demand.quantity.unit")) {
        return false;
    }
    uint64_t norm;
    if (q->milli == 0) {
        return s_bad(ctx, reply, "demand.quantity.milli", "must be > 0");
    }
    if (rantai_qty_norm(q->milli, q_unit, &norm) != 0) {
        return s_bad(ctx, reply, "demand.quantity.milli", "too large");
    }
    if (!s_check_max_price(ctx, reply, d, rantai_unit_dim(q_unit))) {
        return false;
    }
    for (size_t i = 0; i < d->n_required_certifications; i++) {
        int c = (int) d->required_certifications[i];
        if (c == 0 ||
            !rantai_enum_defined(&rantai__v1__certification__descriptor, c)) {
            return s_bad(
                ctx, reply,
                rantai_arena_printf(ctx->arena,
                                    "demand.required_certifications[%zu]", i),
                "not a defined Certification");
        }
    }
    /* Distances and landed costs are measured to the delivery point. */
    if (d->delivery == NULL) {
        return s_bad(ctx, reply, "demand.delivery", "is required");
    }
    if (!rantai_geo_valid(d->delivery)) {
        bool lat_ok = d->delivery->lat >= -90.0 && d->delivery->lat <= 90.0;
        return s_bad(ctx, reply,
                     lat_ok ? "demand.delivery.lon" : "demand.delivery.lat",
                     "must be a finite coordinate within +-90 / +-180");
    }
    for (size_t i = 0; i < d->n_origin_provinces; i++) {
        if (!rantai_province_valid(d->origin_provinces[i])) {
            return s_bad(ctx, reply,
                         rantai_arena_printf(ctx->arena,
                                             "demand.origin_provinces[%zu]", i),
                         "not a province code of data/provinces.csv");
        }
    }
    s_geo_canon(d->delivery);
    return true;
}

/* ---- requests ---------------------------------------------------------- */

static int
s_put_buyer(rantai_ctx_t *ctx,
            const Rantai__V1__PutBuyer *body,
            rantai_reply_t *reply)
{
    if (body->buyer == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, "buyer",
                           "buyer is required");
        return 0;
    }
    buyer_t *b = s_copy(&body->buyer->base, ctx->arena);
    if (b == NULL) {
        /* The server's decoder rejects such frames; be safe anyway. */
        rantai_reply_error(reply, ctx->arena, S_INVALID, "buyer",
                           "buyer does not round-trip (invalid UTF-8?)");
        return 0;
    }
    buyer_t *old = NULL;
    uint64_t old_seq = 0;
    int rc = s_buyer_load(ctx, b->id, &old, &old_seq);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (!s_owns(ctx->who, b->marketplace_id) ||
        (old != NULL && !s_owns(ctx->who, old->marketplace_id))) {
        return s_denied(ctx, reply, "put this buyer");
    }
    if (!s_check_buyer(ctx, reply, b)) {
        return 0;
    }
    size_t size;
    void *packed = rantai_encode(&b->base, ctx->arena, &size);
    reply->body_case = RANTAI__V1__REPLY__BODY_BUYER;
    reply->buyer = b;
    if (old != NULL) {
        if (strcmp(old->marketplace_id, b->marketplace_id) != 0) {
            rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                               "a buyer's marketplace_id cannot change");
            return 0;
        }
        s_rec_t rec;
        if ((rc = s_rec_get(ctx->txn, DB_BUYERS, b->id, &rec)) != 0) {
            return rc;
        }
        if (rec.size == size && memcmp(rec.body, packed, size) == 0) {
            reply->seq = old_seq;
            return 0;
        }
    }
    Rantai__V1__BuyerPut put = RANTAI__V1__BUYER_PUT__INIT;
    put.buyer = b;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_BUYER_PUT;
    ev.buyer_put = &put;
    uint64_t seq;
    if ((rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_BUYERS, b->id, seq, 0, packed, size)) !=
            0) {
        return rc;
    }
    reply->seq = seq;
    return 0;
}

/* Index entries never change: a demand is immutable and its buyer's
   marketplace_id is fixed. */
static int
s_index_demand(rantai_ctx_t *ctx, const demand_t *d, const buyer_t *b)
{
    size_t len;
    char *k = s_key2(ctx->arena, d->buyer_id, d->id, &len);
    int rc = rantai_put(ctx->txn, DB_BY_BUYER, k, len, "", 0);
    if (rc != 0 || b->marketplace_id[0] == '\0') {
        return rc;
    }
    k = s_key2(ctx->arena, b->marketplace_id, d->id, &len);
    return rantai_put(ctx->txn, DB_BY_MARKET, k, len, "", 0);
}

static int
s_post_demand(rantai_ctx_t *ctx,
              const Rantai__V1__PostDemand *body,
              rantai_reply_t *reply)
{
    if (body->demand == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, "demand",
                           "demand is required");
        return 0;
    }
    demand_t *d = s_copy(&body->demand->base, ctx->arena);
    if (d == NULL) {
        /* The server's decoder rejects such frames; be safe anyway. */
        rantai_reply_error(reply, ctx->arena, S_INVALID, "demand",
                           "demand does not round-trip (invalid UTF-8?)");
        return 0;
    }
    s_rec_t rec = {0};
    demand_t *old = NULL;
    int rc = s_rec_get(ctx->txn, DB_DEMANDS, d->id, &rec);
    if (rc == 0) {
        old = s_decode(&rantai__v1__demand__descriptor, &rec, ctx->arena);
        if (old == NULL) {
            return RANTAI_EIO;
        }
    } else if (rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    bool owned = true, owned_old = true;
    if ((rc = s_owns_stored(ctx, d->buyer_id, &owned)) != 0 ||
        (old != NULL &&
         (rc = s_owns_stored(ctx, old->buyer_id, &owned_old)) != 0)) {
        return rc;
    }
    if (!owned || !owned_old) {
        return s_denied(ctx, reply, "post demands of this buyer");
    }
    if (!s_check_demand(ctx, reply, d)) {
        return 0;
    }
    buyer_t *b;
    rc = s_buyer_load(ctx, d->buyer_id, &b, NULL);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "unknown buyer %s", d->buyer_id);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    size_t size;
    void *packed = rantai_encode(&d->base, ctx->arena, &size);
    reply->body_case = RANTAI__V1__REPLY__BODY_DEMAND;
    reply->demand = d;
    if (old != NULL) {
        if (rec.size == size && memcmp(rec.body, packed, size) == 0) {
            reply->seq = rec.seq;
            return 0;
        }
        reply->body_case = RANTAI__V1__REPLY__BODY__NOT_SET;
        reply->demand = NULL;
        rantai_reply_error(reply, ctx->arena, S_EXISTS, NULL,
                           "demand %s exists with other content (demands "
                           "are immutable: cancel and post anew)",
                           d->id);
        return 0;
    }
    Rantai__V1__DemandPosted posted = RANTAI__V1__DEMAND_POSTED__INIT;
    posted.demand = d;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev.demand_posted = &posted;
    uint64_t seq;
    if ((rc = s_index_demand(ctx, d, b)) != 0 ||
        (rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_DEMANDS, d->id, seq, 0, packed, size)) !=
            0) {
        return rc;
    }
    reply->seq = seq;
    return 0;
}

static int
s_cancel_demand(rantai_ctx_t *ctx,
                const Rantai__V1__CancelDemand *body,
                rantai_reply_t *reply)
{
    const char *id = body->demand_id;
    if (!s_check_id(ctx, reply, id, "demand_id", false)) {
        return 0;
    }
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_DEMANDS, id, &rec);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_NOT_FOUND, NULL, "no demand %s",
                           id);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    /* Copy before any write: rec points into the map. */
    size_t size = rec.size;
    uint64_t put_seq = rec.seq, end_seq = rec.end_seq;
    void *packed = rantai_arena_alloc(ctx->arena, size + 1);
    memcpy(packed, rec.body, size);
    demand_t *d = s_decode(&rantai__v1__demand__descriptor, &rec, ctx->arena);
    if (d == NULL) {
        return RANTAI_EIO;
    }
    bool owned;
    if ((rc = s_owns_stored(ctx, d->buyer_id, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return s_denied(ctx, reply, "cancel demands of this buyer");
    }
    if (end_seq != 0) {
        reply->seq = end_seq;
        return 0;
    }
    Rantai__V1__DemandCancelled dc = RANTAI__V1__DEMAND_CANCELLED__INIT;
    dc.demand_id = d->id;
    dc.buyer_id = d->buyer_id;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
    ev.demand_cancelled = &dc;
    uint64_t seq;
    if ((rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_DEMANDS, id, put_seq, seq, packed,
                        size)) != 0) {
        return rc;
    }
    reply->seq = seq;
    return 0;
}

static int
s_not_found(rantai_ctx_t *ctx,
            rantai_reply_t *reply,
            const char *what,
            const char *id)
{
    rantai_reply_error(reply, ctx->arena, S_NOT_FOUND, NULL, "no %s %s", what,
                       id);
    return 0;
}

static int
s_get_buyer(rantai_ctx_t *ctx, const char *id, rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, id, "id", false)) {
        return 0;
    }
    buyer_t *b;
    int rc = s_buyer_load(ctx, id, &b, NULL);
    if (rc == RANTAI_ENOTFOUND ||
        (rc == 0 && !s_owns(ctx->who, b->marketplace_id))) {
        return s_not_found(ctx, reply, "buyer", id);
    }
    if (rc != 0) {
        return rc;
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_BUYER;
    reply->buyer = b;
    return 0;
}

static int
s_get_demand(rantai_ctx_t *ctx, const char *id, rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, id, "id", false)) {
        return 0;
    }
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_DEMANDS, id, &rec);
    if (rc == RANTAI_ENOTFOUND) {
        return s_not_found(ctx, reply, "demand", id);
    }
    if (rc != 0) {
        return rc;
    }
    demand_t *d = s_decode(&rantai__v1__demand__descriptor, &rec, ctx->arena);
    if (d == NULL) {
        return RANTAI_EIO;
    }
    bool owned;
    if ((rc = s_owns_stored(ctx, d->buyer_id, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return s_not_found(ctx, reply, "demand", id);
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_DEMAND;
    reply->demand = d;
    return 0;
}

/* ---- lists ------------------------------------------------------------- */

typedef struct {
    const char *buyer_id;   /* "" = any */
    const char *prefix;     /* commodity prefix, "" = any */
    int db;                 /* index scanned */
    const char *key_prefix; /* index key prefix ("x\0"), length kp_len */
    size_t kp_len;
} s_scan_t;

/* Demand `id` decoded into *d if it matches the filters the scanned index
   does not imply, else *d = NULL. */
static int
s_list_match(rantai_ctx_t *ctx,
             const s_scan_t *sc,
             const char *id,
             demand_t **d)
{
    *d = NULL;
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_DEMANDS, id, &rec);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc; /* stale index: skip */
    }
    demand_t *x = s_decode(&rantai__v1__demand__descriptor, &rec, ctx->arena);
    if (x == NULL) {
        return RANTAI_EIO;
    }
    if (strncmp(x->commodity, sc->prefix, strlen(sc->prefix)) == 0 &&
        (!sc->buyer_id[0] || strcmp(x->buyer_id, sc->buyer_id) == 0)) {
        *d = x;
    }
    return 0;
}

static int
s_list_scan(rantai_ctx_t *ctx,
            const s_scan_t *sc,
            const char *token,
            uint32_t limit,
            Rantai__V1__DemandList *list)
{
    rantai_cursor_t *cur;
    int rc = rantai_cursor_open(ctx->txn, sc->db, &cur);
    if (rc != 0) {
        return rc;
    }
    size_t tlen = strlen(token);
    char *start = rantai_arena_alloc(ctx->arena, sc->kp_len + tlen + 1);
    memcpy(start, sc->key_prefix, sc->kp_len);
    memcpy(start + sc->kp_len, token, tlen);
    size_t slen = sc->kp_len + tlen;
    rantai_val_t k, v;
    list->demands = rantai_arena_alloc(ctx->arena, limit * sizeof(demand_t *));
    rc = slen ? rantai_cursor_seek(cur, start, slen, &k, &v)
              : rantai_cursor_seek(cur, NULL, 0, &k, &v);
    for (; rc == 0; rc = rantai_cursor_next(cur, &k, &v)) {
        if (k.size < sc->kp_len ||
            memcmp(k.data, sc->key_prefix, sc->kp_len) != 0) {
            break;
        }
        if (tlen && k.size == slen && memcmp(k.data, start, slen) == 0) {
            continue; /* the token is the last id already returned */
        }
        const char *id =
            rantai_arena_strndup(ctx->arena, (const char *) k.data + sc->kp_len,
                                 k.size - sc->kp_len);
        demand_t *d;
        if ((rc = s_list_match(ctx, sc, id, &d)) != 0) {
            break;
        }
        if (d == NULL) {
            continue;
        }
        if (list->n_demands == limit) {
            list->next_page_token = list->demands[limit - 1]->id;
            break;
        }
        list->demands[list->n_demands++] = d;
    }
    rantai_cursor_close(&cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int
s_list_demands(rantai_ctx_t *ctx,
               const Rantai__V1__ListDemands *body,
               rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, body->buyer_id, "list_demands.buyer_id",
                    true) ||
        !s_check_id(ctx, reply, body->page_token, "list_demands.page_token",
                    true)) {
        return 0;
    }
    if (body->commodity_prefix[0] &&
        !rantai_commodity_valid(body->commodity_prefix, 2)) {
        s_bad(ctx, reply, "list_demands.commodity_prefix",
              "must be 2-12 characters of [0-9A-Z]");
        return 0;
    }
    Rantai__V1__DemandList *list =
        RANTAI_ANEW(ctx->arena, Rantai__V1__DemandList);
    rantai__v1__demand_list__init(list);
    reply->body_case = RANTAI__V1__REPLY__BODY_DEMAND_LIST;
    reply->demand_list = list;

    s_scan_t sc = {body->buyer_id, body->commodity_prefix, DB_DEMANDS, "", 0};
    if (sc.buyer_id[0]) {
        /* Lists show only one's own: another's buyer lists nothing. */
        bool owned;
        int rc = s_owns_stored(ctx, sc.buyer_id, &owned);
        if (rc != 0 || !owned) {
            return rc;
        }
        sc.db = DB_BY_BUYER;
        sc.key_prefix = s_key2(ctx->arena, sc.buyer_id, "", &sc.kp_len);
    } else if (ctx->who->role != RANTAI_ROLE_ADMIN) {
        sc.db = DB_BY_MARKET;
        sc.key_prefix = s_key2(ctx->arena, s_party(ctx->who), "", &sc.kp_len);
    }
    uint32_t limit = body->limit == 0 ? S_LIMIT_DEF : body->limit;
    limit = limit > S_LIMIT_MAX ? S_LIMIT_MAX : limit;
    return s_list_scan(ctx, &sc, body->page_token, limit, list);
}

/* ---- the service ------------------------------------------------------- */

static bool
s_is_write(const rantai_request_t *req)
{
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_PUT_BUYER:
        case RANTAI__V1__REQUEST__BODY_POST_DEMAND:
        case RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND:
            return true;
        default:
            return false;
    }
}

static int
s_handle(void *core,
         rantai_ctx_t *ctx,
         const rantai_request_t *req,
         rantai_reply_t *reply)
{
    (void) core;
    reply->code = S_OK;
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_PUT_BUYER:
        case RANTAI__V1__REQUEST__BODY_POST_DEMAND:
        case RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND:
        case RANTAI__V1__REQUEST__BODY_GET_BUYER:
        case RANTAI__V1__REQUEST__BODY_GET_DEMAND:
        case RANTAI__V1__REQUEST__BODY_LIST_DEMANDS:
            break;
        default:
            rantai_reply_error(reply, ctx->arena, S_UNIMPL, NULL,
                               "%s is not served by the buyer service",
                               rantai_request_name(req));
            return 0;
    }
    /* Cooperatives and producers do not read demands (they learn of their
       allocations from the matcher feed); services only subscribe. */
    rantai_role_t role = ctx->who ? ctx->who->role : RANTAI_ROLE_NONE;
    if (role != RANTAI_ROLE_ADMIN && role != RANTAI_ROLE_MARKETPLACE) {
        return s_denied(ctx, reply, "use the buyer service");
    }
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_PUT_BUYER:
            return s_put_buyer(ctx, req->put_buyer, reply);
        case RANTAI__V1__REQUEST__BODY_POST_DEMAND:
            return s_post_demand(ctx, req->post_demand, reply);
        case RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND:
            return s_cancel_demand(ctx, req->cancel_demand, reply);
        case RANTAI__V1__REQUEST__BODY_GET_BUYER:
            return s_get_buyer(ctx, req->get_buyer->id, reply);
        case RANTAI__V1__REQUEST__BODY_GET_DEMAND:
            return s_get_demand(ctx, req->get_demand->id, reply);
        default:
            return s_list_demands(ctx, req->list_demands, reply);
    }
}

const rantai_service_def_t buyer_service = {
    .name = "buyer",
    .db_names = s_db_names,
    .db_count = (int) (sizeof s_db_names / sizeof s_db_names[0]),
    .is_write = s_is_write,
    .handle = s_handle,
};
