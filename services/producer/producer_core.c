/*  producer_core.c - rules of the producer registry (see producer_core.h). */
#include "producer_core.h"

#include "evlog.h"
#include "rantai/err.h"
#include "rantai/units.h"

#include <stdint.h>
#include <string.h>

#define S_OK        RANTAI__V1__STATUS_CODE__STATUS_CODE_OK
#define S_INVALID   RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT
#define S_NOT_FOUND RANTAI__V1__STATUS_CODE__STATUS_CODE_NOT_FOUND
#define S_DENIED    RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED
#define S_PRECOND   RANTAI__V1__STATUS_CODE__STATUS_CODE_FAILED_PRECONDITION
#define S_UNIMPL    RANTAI__V1__STATUS_CODE__STATUS_CODE_UNIMPLEMENTED

#define S_TEXT_MAX  256 /* names and certificate numbers, in bytes */
#define S_HDR       16  /* record header: put seq, withdrawal seq */
#define S_LIMIT_DEF 100
#define S_LIMIT_MAX 1000

enum { DB_PRODUCERS = RANTAI_DB_FIRST, DB_OFFERS, DB_BY_PRODUCER, DB_BY_COOP };

static const char *const s_db_names[] = {
    "producers", "offers", "offers_by_producer", "offers_by_coop"};

typedef Rantai__V1__Producer producer_t;
typedef Rantai__V1__Offer offer_t;

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
            return coop_id[0] != '\0' && strcmp(coop_id, s_party(who)) == 0;
        case RANTAI_ROLE_PRODUCER:
            return strcmp(producer_id, s_party(who)) == 0;
        default:
            return false;
    }
}

/* The stored producer `id` decoded into *out; RANTAI_ENOTFOUND if none. */
static int
s_producer_load(rantai_ctx_t *ctx,
                const char *id,
                producer_t **out,
                uint64_t *seq)
{
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_PRODUCERS, id, &rec);
    if (rc != 0) {
        return rc;
    }
    *out = s_decode(&rantai__v1__producer__descriptor, &rec, ctx->arena);
    if (seq != NULL) {
        *seq = rec.seq;
    }
    return *out ? 0 : RANTAI_EIO;
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
    int rc = s_producer_load(ctx, producer_id, &p, NULL);
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

static bool
s_check_text(rantai_ctx_t *ctx,
             rantai_reply_t *reply,
             const char *s,
             const char *field)
{
    if (!rantai_text_valid(s, S_TEXT_MAX)) {
        return s_bad(ctx, reply, field,
                     "must be UTF-8 text of at most 256 bytes");
    }
    return true;
}

static bool
s_check_geo(rantai_ctx_t *ctx,
            rantai_reply_t *reply,
            const Rantai__V1__GeoPoint *p,
            const char *path)
{
    if (rantai_geo_valid(p)) {
        return true;
    }
    /* Name the coordinate at fault; NaN fails both comparisons. */
    bool lat_ok = p->lat >= -90.0 && p->lat <= 90.0;
    const char *f =
        rantai_arena_printf(ctx->arena, "%s.%s", path, lat_ok ? "lon" : "lat");
    return s_bad(ctx, reply, f,
                 "must be a finite coordinate within +-90 / +-180");
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
s_check_producer(rantai_ctx_t *ctx, rantai_reply_t *reply, producer_t *p)
{
    if (!s_check_id(ctx, reply, p->id, "producer.id", false) ||
        !s_check_text(ctx, reply, p->name, "producer.name") ||
        !s_check_id(ctx, reply, p->cooperative_id, "producer.cooperative_id",
                    true)) {
        return false;
    }
    if (!rantai_province_valid(p->province)) {
        return s_bad(ctx, reply, "producer.province",
                     "not a province code of data/provinces.csv");
    }
    /* The matcher needs a distance for every offer without a location. */
    if (p->location == NULL) {
        return s_bad(ctx, reply, "producer.location", "is required");
    }
    if (!s_check_geo(ctx, reply, p->location, "producer.location")) {
        return false;
    }
    if (!rantai_enum_defined(&rantai__v1__enterprise_class__descriptor,
                             (int) p->enterprise_class)) {
        return s_bad(ctx, reply, "producer.enterprise_class",
                     "not a defined EnterpriseClass");
    }
    s_geo_canon(p->location);
    return true;
}

static bool
s_check_offer(rantai_ctx_t *ctx, rantai_reply_t *reply, offer_t *o)
{
    if (!s_check_id(ctx, reply, o->id, "offer.id", false) ||
        !s_check_id(ctx, reply, o->producer_id, "offer.producer_id", false)) {
        return false;
    }
    if (!rantai_commodity_valid(o->commodity, 4)) {
        return s_bad(ctx, reply, "offer.commodity",
                     "must be 4-12 characters of [0-9A-Z]");
    }
    /* An absent Quantity/Price reads as its default: unit unset, zero. */
    const Rantai__V1__Quantity *q = o->quantity;
    int q_unit = q ? (int) q->unit : 0;
    if (!s_check_unit(ctx, reply, q_unit, RANTAI_DIM_NONE,
                      "offer.quantity.unit")) {
        return false;
    }
    rantai_dim_t dim = rantai_unit_dim(q_unit);
    uint64_t norm;
    if (q->milli == 0) {
        return s_bad(ctx, reply, "offer.quantity.milli", "must be > 0");
    }
    if (rantai_qty_norm(q->milli, q_unit, &norm) != 0) {
        return s_bad(ctx, reply, "offer.quantity.milli", "too large");
    }
    Rantai__V1__Quantity *mo = o->min_order;
    if (mo != NULL && mo->milli == 0 && mo->unit == 0) {
        o->min_order = mo = NULL; /* same as unset: store it that way */
    }
    if (mo != NULL) {
        if (!s_check_unit(ctx, reply, (int) mo->unit, dim,
                          "offer.min_order.unit")) {
            return false;
        }
        if (rantai_qty_norm(mo->milli, (int) mo->unit, &norm) != 0) {
            return s_bad(ctx, reply, "offer.min_order.milli", "too large");
        }
    }
    const Rantai__V1__Price *pr = o->price;
    int per = pr ? (int) pr->per : 0;
    if (!s_check_unit(ctx, reply, per, dim, "offer.price.per")) {
        return false;
    }
    if (rantai_price_norm(pr->idr, per, &norm) != 0) {
        return s_bad(ctx, reply, "offer.price.idr", "too large");
    }
    for (size_t i = 0; i < o->n_certificates; i++) {
        const Rantai__V1__Certificate *c = o->certificates[i];
        if (c->scheme == 0 ||
            !rantai_enum_defined(&rantai__v1__certification__descriptor,
                                 (int) c->scheme)) {
            return s_bad(ctx, reply,
                         rantai_arena_printf(
                             ctx->arena, "offer.certificates[%zu].scheme", i),
                         "not a defined Certification");
        }
        if (!s_check_text(ctx, reply, c->number,
                          rantai_arena_printf(ctx->arena,
                                              "offer.certificates[%zu].number",
                                              i))) {
            return false;
        }
    }
    if (o->location != NULL &&
        !s_check_geo(ctx, reply, o->location, "offer.location")) {
        return false;
    }
    if (o->available_from != 0 && o->available_until != 0 &&
        o->available_until < o->available_from) {
        return s_bad(ctx, reply, "offer.available_until",
                     "before available_from");
    }
    s_geo_canon(o->location);
    return true;
}

/* ---- requests ---------------------------------------------------------- */

static int
s_put_producer(rantai_ctx_t *ctx,
               const Rantai__V1__PutProducer *body,
               rantai_reply_t *reply)
{
    if (body->producer == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, "producer",
                           "producer is required");
        return 0;
    }
    producer_t *p = s_copy(&body->producer->base, ctx->arena);
    if (p == NULL) {
        /* The server's decoder rejects such frames; be safe anyway. */
        rantai_reply_error(reply, ctx->arena, S_INVALID, "producer",
                           "producer does not round-trip (invalid UTF-8?)");
        return 0;
    }
    producer_t *old = NULL;
    uint64_t old_seq = 0;
    int rc = s_producer_load(ctx, p->id, &old, &old_seq);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    if (!s_owns(ctx->who, p->id, p->cooperative_id) ||
        (old != NULL && !s_owns(ctx->who, old->id, old->cooperative_id))) {
        return s_denied(ctx, reply, "put this producer");
    }
    if (!s_check_producer(ctx, reply, p)) {
        return 0;
    }
    size_t size;
    void *packed = rantai_encode(&p->base, ctx->arena, &size);
    reply->body_case = RANTAI__V1__REPLY__BODY_PRODUCER;
    reply->producer = p;
    if (old != NULL) {
        if (strcmp(old->cooperative_id, p->cooperative_id) != 0) {
            rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                               "a producer's cooperative_id cannot change");
            return 0;
        }
        s_rec_t rec;
        if ((rc = s_rec_get(ctx->txn, DB_PRODUCERS, p->id, &rec)) != 0) {
            return rc;
        }
        if (rec.size == size && memcmp(rec.body, packed, size) == 0) {
            reply->seq = old_seq;
            return 0;
        }
    }
    Rantai__V1__ProducerPut put = RANTAI__V1__PRODUCER_PUT__INIT;
    put.producer = p;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev.producer_put = &put;
    uint64_t seq;
    if ((rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_PRODUCERS, p->id, seq, 0, packed, size)) !=
            0) {
        return rc;
    }
    reply->seq = seq;
    return 0;
}

/* Index entries never change: producer_id and (through the producer)
   cooperative_id of an offer are fixed at its first put. */
static int
s_index_offer(rantai_ctx_t *ctx, const offer_t *o, const producer_t *p)
{
    size_t len;
    char *k = s_key2(ctx->arena, o->producer_id, o->id, &len);
    int rc = rantai_put(ctx->txn, DB_BY_PRODUCER, k, len, "", 0);
    if (rc != 0 || p->cooperative_id[0] == '\0') {
        return rc;
    }
    k = s_key2(ctx->arena, p->cooperative_id, o->id, &len);
    return rantai_put(ctx->txn, DB_BY_COOP, k, len, "", 0);
}

static int
s_put_offer(rantai_ctx_t *ctx,
            const Rantai__V1__PutOffer *body,
            rantai_reply_t *reply)
{
    if (body->offer == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, "offer",
                           "offer is required");
        return 0;
    }
    offer_t *o = s_copy(&body->offer->base, ctx->arena);
    if (o == NULL) {
        /* The server's decoder rejects such frames; be safe anyway. */
        rantai_reply_error(reply, ctx->arena, S_INVALID, "offer",
                           "offer does not round-trip (invalid UTF-8?)");
        return 0;
    }
    s_rec_t rec = {0};
    offer_t *old = NULL;
    int rc = s_rec_get(ctx->txn, DB_OFFERS, o->id, &rec);
    if (rc == 0) {
        old = s_decode(&rantai__v1__offer__descriptor, &rec, ctx->arena);
        if (old == NULL) {
            return RANTAI_EIO;
        }
    } else if (rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    bool owned = true, owned_old = true;
    if ((rc = s_owns_stored(ctx, o->producer_id, &owned)) != 0 ||
        (old != NULL &&
         (rc = s_owns_stored(ctx, old->producer_id, &owned_old)) != 0)) {
        return rc;
    }
    if (!owned || !owned_old) {
        return s_denied(ctx, reply, "put offers of this producer");
    }
    if (!s_check_offer(ctx, reply, o)) {
        return 0;
    }
    producer_t *p;
    rc = s_producer_load(ctx, o->producer_id, &p, NULL);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_PRECOND, NULL,
                           "unknown producer %s", o->producer_id);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    size_t size;
    void *packed = rantai_encode(&o->base, ctx->arena, &size);
    if (old != NULL) {
        const char *why = NULL;
        if (rec.end_seq != 0) {
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
            return 0;
        }
        reply->body_case = RANTAI__V1__REPLY__BODY_OFFER;
        reply->offer = o;
        if (rec.size == size && memcmp(rec.body, packed, size) == 0) {
            reply->seq = rec.seq;
            return 0;
        }
    } else if ((rc = s_index_offer(ctx, o, p)) != 0) {
        return rc;
    }
    Rantai__V1__OfferPut put = RANTAI__V1__OFFER_PUT__INIT;
    put.offer = o;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev.offer_put = &put;
    uint64_t seq;
    if ((rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_OFFERS, o->id, seq, 0, packed, size)) !=
            0) {
        return rc;
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_OFFER;
    reply->offer = o;
    reply->seq = seq;
    return 0;
}

static int
s_withdraw_offer(rantai_ctx_t *ctx,
                 const Rantai__V1__WithdrawOffer *body,
                 rantai_reply_t *reply)
{
    const char *id = body->offer_id;
    if (!s_check_id(ctx, reply, id, "offer_id", false)) {
        return 0;
    }
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_OFFERS, id, &rec);
    if (rc == RANTAI_ENOTFOUND) {
        rantai_reply_error(reply, ctx->arena, S_NOT_FOUND, NULL, "no offer %s",
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
    offer_t *o = s_decode(&rantai__v1__offer__descriptor, &rec, ctx->arena);
    if (o == NULL) {
        return RANTAI_EIO;
    }
    bool owned;
    if ((rc = s_owns_stored(ctx, o->producer_id, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return s_denied(ctx, reply, "withdraw offers of this producer");
    }
    if (end_seq != 0) {
        reply->seq = end_seq;
        return 0;
    }
    Rantai__V1__OfferWithdrawn wd = RANTAI__V1__OFFER_WITHDRAWN__INIT;
    wd.offer_id = o->id;
    wd.producer_id = o->producer_id;
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN;
    ev.offer_withdrawn = &wd;
    uint64_t seq;
    if ((rc = rantai_evlog_append(ctx->txn, &ev, ctx->now_ms, &seq)) != 0 ||
        (rc = s_rec_put(ctx->txn, DB_OFFERS, id, put_seq, seq, packed, size)) !=
            0) {
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
s_get_producer(rantai_ctx_t *ctx, const char *id, rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, id, "id", false)) {
        return 0;
    }
    producer_t *p;
    int rc = s_producer_load(ctx, id, &p, NULL);
    if (rc == RANTAI_ENOTFOUND ||
        (rc == 0 && !s_owns(ctx->who, p->id, p->cooperative_id))) {
        return s_not_found(ctx, reply, "producer", id);
    }
    if (rc != 0) {
        return rc;
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_PRODUCER;
    reply->producer = p;
    return 0;
}

static int
s_get_offer(rantai_ctx_t *ctx, const char *id, rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, id, "id", false)) {
        return 0;
    }
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_OFFERS, id, &rec);
    if (rc == RANTAI_ENOTFOUND) {
        return s_not_found(ctx, reply, "offer", id);
    }
    if (rc != 0) {
        return rc;
    }
    offer_t *o = s_decode(&rantai__v1__offer__descriptor, &rec, ctx->arena);
    if (o == NULL) {
        return RANTAI_EIO;
    }
    bool owned;
    if ((rc = s_owns_stored(ctx, o->producer_id, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return s_not_found(ctx, reply, "offer", id);
    }
    reply->body_case = RANTAI__V1__REPLY__BODY_OFFER;
    reply->offer = o;
    return 0;
}

/* ---- lists ------------------------------------------------------------- */

typedef struct {
    const char *producer_id; /* "" = any */
    const char *coop_id;     /* "" = any */
    const char *prefix;      /* commodity prefix, "" = any */
    int db;                  /* index scanned */
    const char *key_prefix;  /* index key prefix ("x\0"), length kp_len */
    size_t kp_len;
} s_scan_t;

/* Does offer `id` match the filters the scanned index does not imply?
   Sets *o (NULL if it does not match). */
static int
s_list_match(rantai_ctx_t *ctx, const s_scan_t *sc, const char *id, offer_t **o)
{
    *o = NULL;
    s_rec_t rec;
    int rc = s_rec_get(ctx->txn, DB_OFFERS, id, &rec);
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc; /* stale index: skip */
    }
    offer_t *x = s_decode(&rantai__v1__offer__descriptor, &rec, ctx->arena);
    if (x == NULL) {
        return RANTAI_EIO;
    }
    if (strncmp(x->commodity, sc->prefix, strlen(sc->prefix)) != 0 ||
        (sc->producer_id[0] && strcmp(x->producer_id, sc->producer_id))) {
        return 0;
    }
    if (sc->coop_id[0] && sc->db != DB_BY_COOP) {
        size_t len;
        char *k = s_key2(ctx->arena, sc->coop_id, id, &len);
        rantai_val_t v;
        rc = rantai_get(ctx->txn, DB_BY_COOP, k, len, &v);
        if (rc != 0) {
            return rc == RANTAI_ENOTFOUND ? 0 : rc;
        }
    }
    *o = x;
    return 0;
}

static int
s_list_scan(rantai_ctx_t *ctx,
            const s_scan_t *sc,
            const char *token,
            uint32_t limit,
            Rantai__V1__OfferList *list)
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
    list->offers = rantai_arena_alloc(ctx->arena, limit * sizeof(offer_t *));
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
        offer_t *o;
        if ((rc = s_list_match(ctx, sc, id, &o)) != 0) {
            break;
        }
        if (o == NULL) {
            continue;
        }
        if (list->n_offers == limit) {
            list->next_page_token = list->offers[limit - 1]->id;
            break;
        }
        list->offers[list->n_offers++] = o;
    }
    rantai_cursor_close(&cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

static int
s_list_offers(rantai_ctx_t *ctx,
              const Rantai__V1__ListOffers *body,
              rantai_reply_t *reply)
{
    if (!s_check_id(ctx, reply, body->producer_id, "list_offers.producer_id",
                    true) ||
        !s_check_id(ctx, reply, body->cooperative_id,
                    "list_offers.cooperative_id", true) ||
        !s_check_id(ctx, reply, body->page_token, "list_offers.page_token",
                    true)) {
        return 0;
    }
    if (body->commodity_prefix[0] &&
        !rantai_commodity_valid(body->commodity_prefix, 2)) {
        s_bad(ctx, reply, "list_offers.commodity_prefix",
              "must be 2-12 characters of [0-9A-Z]");
        return 0;
    }
    Rantai__V1__OfferList *list =
        RANTAI_ANEW(ctx->arena, Rantai__V1__OfferList);
    rantai__v1__offer_list__init(list);
    reply->body_case = RANTAI__V1__REPLY__BODY_OFFER_LIST;
    reply->offer_list = list;

    s_scan_t sc = {body->producer_id,
                   body->cooperative_id,
                   body->commodity_prefix,
                   DB_OFFERS,
                   "",
                   0};
    /* Lists show only one's own: pin the filter to the caller's party. */
    const char *party = s_party(ctx->who);
    if (ctx->who->role == RANTAI_ROLE_PRODUCER) {
        if (sc.producer_id[0] && strcmp(sc.producer_id, party) != 0) {
            return 0;
        }
        sc.producer_id = party;
    } else if (ctx->who->role == RANTAI_ROLE_COOPERATIVE) {
        if (sc.coop_id[0] && strcmp(sc.coop_id, party) != 0) {
            return 0;
        }
        sc.coop_id = party;
    }
    if (sc.producer_id[0]) {
        sc.db = DB_BY_PRODUCER;
        sc.key_prefix = s_key2(ctx->arena, sc.producer_id, "", &sc.kp_len);
    } else if (sc.coop_id[0]) {
        sc.db = DB_BY_COOP;
        sc.key_prefix = s_key2(ctx->arena, sc.coop_id, "", &sc.kp_len);
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
        case RANTAI__V1__REQUEST__BODY_PUT_PRODUCER:
        case RANTAI__V1__REQUEST__BODY_PUT_OFFER:
        case RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER:
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
        case RANTAI__V1__REQUEST__BODY_PUT_PRODUCER:
        case RANTAI__V1__REQUEST__BODY_PUT_OFFER:
        case RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER:
        case RANTAI__V1__REQUEST__BODY_GET_PRODUCER:
        case RANTAI__V1__REQUEST__BODY_GET_OFFER:
        case RANTAI__V1__REQUEST__BODY_LIST_OFFERS:
            break;
        default:
            rantai_reply_error(reply, ctx->arena, S_UNIMPL, NULL,
                               "%s is not served by the producer service",
                               rantai_request_name(req));
            return 0;
    }
    /* Marketplaces do not read offers; services only subscribe. */
    rantai_role_t role = ctx->who ? ctx->who->role : RANTAI_ROLE_NONE;
    if (role != RANTAI_ROLE_ADMIN && role != RANTAI_ROLE_COOPERATIVE &&
        role != RANTAI_ROLE_PRODUCER) {
        return s_denied(ctx, reply, "use the producer service");
    }
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_PUT_PRODUCER:
            return s_put_producer(ctx, req->put_producer, reply);
        case RANTAI__V1__REQUEST__BODY_PUT_OFFER:
            return s_put_offer(ctx, req->put_offer, reply);
        case RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER:
            return s_withdraw_offer(ctx, req->withdraw_offer, reply);
        case RANTAI__V1__REQUEST__BODY_GET_PRODUCER:
            return s_get_producer(ctx, req->get_producer->id, reply);
        case RANTAI__V1__REQUEST__BODY_GET_OFFER:
            return s_get_offer(ctx, req->get_offer->id, reply);
        default:
            return s_list_offers(ctx, req->list_offers, reply);
    }
}

const rantai_service_def_t producer_service = {
    .name = "producer",
    .db_names = s_db_names,
    .db_count = (int) (sizeof s_db_names / sizeof s_db_names[0]),
    .is_write = s_is_write,
    .handle = s_handle,
};
