/*  registry.c - what the producer and buyer registries share (see
    registry.h): records, checks, the put/get/end flows and request
    routing. Paged Lists are registry_list.c. */
#include "registry.h"

#include "rantai/err.h"

#include <stdint.h>
#include <string.h>

#define S_OK        RANTAI__V1__STATUS_CODE__STATUS_CODE_OK
#define S_INVALID   RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT
#define S_NOT_FOUND RANTAI__V1__STATUS_CODE__STATUS_CODE_NOT_FOUND
#define S_EXISTS    RANTAI__V1__STATUS_CODE__STATUS_CODE_ALREADY_EXISTS
#define S_DENIED    RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED
#define S_UNIMPL    RANTAI__V1__STATUS_CODE__STATUS_CODE_UNIMPLEMENTED

/* ---- records ------------------------------------------------------------ */

int
rantai_rec_get(rantai_txn_t *txn, int db, const char *id, rantai_rec_t *rec)
{
    if (!rantai_id_valid(id)) {
        return RANTAI_ENOTFOUND; /* and never an over-long key */
    }
    rantai_val_t v;
    int rc = rantai_get(txn, db, id, strlen(id), &v);
    if (rc != 0) {
        return rc;
    }
    if (v.size < RANTAI_REC_HDR) {
        return RANTAI_EIO;
    }
    rec->seq = rantai_be64_get(v.data);
    rec->end_seq = rantai_be64_get((const uint8_t *) v.data + 8);
    rec->body = (const uint8_t *) v.data + RANTAI_REC_HDR;
    rec->size = v.size - RANTAI_REC_HDR;
    return 0;
}

int
rantai_rec_put(rantai_txn_t *txn,
               int db,
               const char *id,
               uint64_t seq,
               uint64_t end_seq,
               const void *body,
               size_t size)
{
    void *dst;
    int rc = rantai_put_reserve(txn, db, id, strlen(id), RANTAI_REC_HDR + size,
                                &dst);
    if (rc != 0) {
        return rc;
    }
    rantai_be64_put(dst, seq);
    rantai_be64_put((uint8_t *) dst + 8, end_seq);
    if (size > 0) {
        memcpy((uint8_t *) dst + RANTAI_REC_HDR, body, size);
    }
    return 0;
}

int
rantai_rec_load(rantai_ctx_t *ctx,
                int db,
                const char *id,
                const ProtobufCMessageDescriptor *desc,
                void **out,
                rantai_rec_t *rec)
{
    rantai_rec_t r;
    int rc = rantai_rec_get(ctx->txn, db, id, &r);
    if (rc != 0) {
        return rc;
    }
    *out = rantai_decode(desc, r.body, r.size, SIZE_MAX, ctx->arena);
    if (rec != NULL) {
        *rec = r;
    }
    return *out ? 0 : RANTAI_EIO;
}

/* ---- messages and keys --------------------------------------------------- */

void
rantai_msg_strip(ProtobufCMessage *m)
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
                rantai_msg_strip(a[j]);
            }
        } else {
            rantai_msg_strip(
                *(ProtobufCMessage **) (void *) (base + f->offset));
        }
    }
}

void *
rantai_msg_copy(const ProtobufCMessage *m, rantai_arena_t *arena)
{
    size_t n;
    void *buf = rantai_encode(m, arena, &n);
    ProtobufCMessage *c = rantai_decode(m->descriptor, buf, n, SIZE_MAX, arena);
    rantai_msg_strip(c);
    return c;
}

char *
rantai_key2(rantai_arena_t *arena, const char *a, const char *b, size_t *len)
{
    size_t la = strlen(a), lb = strlen(b);
    char *k = rantai_arena_alloc(arena, la + lb + 2);
    memcpy(k, a, la);
    k[la] = '\0';
    memcpy(k + la + 1, b, lb);
    *len = la + 1 + lb;
    return k;
}

int
rantai_index_put(rantai_ctx_t *ctx, int db, const char *a, const char *b)
{
    size_t len;
    char *k = rantai_key2(ctx->arena, a, b, &len);
    return rantai_put(ctx->txn, db, k, len, "", 0);
}

void
rantai_geo_canon(Rantai__V1__GeoPoint *p)
{
    if (p != NULL) {
        p->lat = p->lat == 0 ? 0.0 : p->lat;
        p->lon = p->lon == 0 ? 0.0 : p->lon;
    }
}

const char *
rantai_party(const rantai_principal_t *who)
{
    return who->party ? who->party : "";
}

/* ---- replies and checks -------------------------------------------------- */

int
rantai_reply_denied(rantai_ctx_t *ctx, rantai_reply_t *reply, const char *what)
{
    rantai_reply_error(reply, ctx->arena, S_DENIED, NULL, "not allowed to %s",
                       what);
    return 0;
}

int
rantai_reply_not_found(rantai_ctx_t *ctx,
                       rantai_reply_t *reply,
                       const char *what,
                       const char *id)
{
    rantai_reply_error(reply, ctx->arena, S_NOT_FOUND, NULL, "no %s %s", what,
                       id);
    return 0;
}

bool
rantai_check_fail(rantai_ctx_t *ctx,
                  rantai_reply_t *reply,
                  const char *field,
                  const char *msg)
{
    rantai_reply_error(reply, ctx->arena, S_INVALID, field, "%s: %s", field,
                       msg);
    return false;
}

bool
rantai_check_id(rantai_ctx_t *ctx,
                rantai_reply_t *reply,
                const char *id,
                const char *field,
                bool optional)
{
    if (optional && id[0] == '\0') {
        return true;
    }
    if (!rantai_id_valid(id)) {
        return rantai_check_fail(ctx, reply, field,
                                 "must be 1-64 of [A-Za-z0-9._:-]");
    }
    return true;
}

bool
rantai_check_text(rantai_ctx_t *ctx,
                  rantai_reply_t *reply,
                  const char *s,
                  const char *field)
{
    if (!rantai_text_valid(s, RANTAI_TEXT_MAX)) {
        return rantai_check_fail(ctx, reply, field,
                                 "must be UTF-8 text of at most 256 bytes");
    }
    return true;
}

bool
rantai_check_geo(rantai_ctx_t *ctx,
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
    return rantai_check_fail(ctx, reply, f,
                             "must be a finite coordinate within +-90 / +-180");
}

bool
rantai_check_unit(rantai_ctx_t *ctx,
                  rantai_reply_t *reply,
                  int unit,
                  rantai_dim_t want,
                  const char *field)
{
    if (unit == 0) {
        return rantai_check_fail(ctx, reply, field, "unit is required");
    }
    rantai_dim_t dim = rantai_unit_dim(unit);
    if (dim == RANTAI_DIM_NONE) {
        return rantai_check_fail(ctx, reply, field, "not a defined Unit");
    }
    if (want != RANTAI_DIM_NONE && dim != want) {
        return rantai_check_fail(ctx, reply, field,
                                 "unit of another dimension than the quantity");
    }
    return true;
}

bool
rantai_check_qty(rantai_ctx_t *ctx,
                 rantai_reply_t *reply,
                 const Rantai__V1__Quantity *q,
                 const char *path)
{
    /* An absent Quantity reads as its default: unit unset, zero. */
    int unit = q ? (int) q->unit : 0;
    if (!rantai_check_unit(ctx, reply, unit, RANTAI_DIM_NONE,
                           rantai_arena_printf(ctx->arena, "%s.unit", path))) {
        return false;
    }
    const char *milli = rantai_arena_printf(ctx->arena, "%s.milli", path);
    uint64_t norm;
    if (q->milli == 0) {
        return rantai_check_fail(ctx, reply, milli, "must be > 0");
    }
    if (rantai_qty_norm(q->milli, unit, &norm) != 0) {
        return rantai_check_fail(ctx, reply, milli, "too large");
    }
    return true;
}

bool
rantai_check_prefix(rantai_ctx_t *ctx,
                    rantai_reply_t *reply,
                    const char *s,
                    const char *field)
{
    if (s[0] != '\0' && !rantai_commodity_valid(s, 2)) {
        return rantai_check_fail(ctx, reply, field,
                                 "must be 2-12 characters of [0-9A-Z]");
    }
    return true;
}

/* ---- request flows ---------------------------------------------------- */

/* The string field `name` of m ("" if unset); NULL if m has no such
   field. Every registry object has an `id`. */
static const char *
s_str_field(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING) {
        return NULL;
    }
    const char *s =
        *(const char *const *) (const void *) ((const char *) m + f->offset);
    return s ? s : "";
}

/* Set the oneof member `f` of `m` to `sub`, or clear the oneof if sub is
   NULL, as protobuf-c's unpacker does. */
static void
s_oneof_set(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, void *sub)
{
    char *base = (char *) m;
    *(uint32_t *) (void *) (base + f->quantifier_offset) = sub ? f->id : 0;
    *(void **) (void *) (base + f->offset) = sub;
}

void
rantai_reg_reply(rantai_reply_t *reply, const rantai_kind_t *kind, void *obj)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(
            &rantai__v1__reply__descriptor, kind->name);
    s_oneof_set(&reply->base, f, obj);
}

/* Set ev's body to its field `body` (a message of string and message
   fields), filled from `obj` as registry.h says for put_event. */
static void
s_event(rantai_ctx_t *ctx,
        const rantai_kind_t *kind,
        void *obj,
        const char *body,
        rantai_event_t *ev)
{
    const ProtobufCFieldDescriptor *fe =
        protobuf_c_message_descriptor_get_field_by_name(
            &rantai__v1__event__descriptor, body);
    const ProtobufCMessageDescriptor *d = fe->descriptor;
    ProtobufCMessage *m = rantai_arena_alloc(ctx->arena, d->sizeof_message);
    d->message_init(m);
    const char *id_name = rantai_arena_printf(ctx->arena, "%s_id", kind->name);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const void *v = obj;
        if (strcmp(f->name, id_name) == 0) {
            v = s_str_field(obj, "id");
        } else if (strcmp(f->name, kind->name) != 0) {
            const ProtobufCFieldDescriptor *src =
                protobuf_c_message_descriptor_get_field_by_name(kind->desc,
                                                                f->name);
            v = *(const void *const *) (const void *) ((const char *) obj +
                                                       src->offset);
        }
        *(const void **) (void *) ((char *) m + f->offset) = v;
    }
    s_oneof_set(&ev->base, fe, m);
}

/* Append `ev`; store the record of `id` as put at the new seq, or, if
   `ended` (the stored record) is not NULL, as ended at it; reply->seq =
   the new seq. */
static int
s_commit(rantai_ctx_t *ctx,
         rantai_reply_t *reply,
         const rantai_kind_t *kind,
         const char *id,
         rantai_event_t *ev,
         const rantai_rec_t *ended,
         const void *body,
         size_t size)
{
    uint64_t seq;
    int rc = rantai_evlog_append(ctx->txn, ev, ctx->now_ms, &seq);
    if (rc != 0) {
        return rc;
    }
    uint64_t put_seq = ended ? ended->seq : seq, end_seq = ended ? seq : 0;
    rc = rantai_rec_put(ctx->txn, kind->db, id, put_seq, end_seq, body, size);
    if (rc == 0) {
        reply->seq = seq;
    }
    return rc;
}

int
rantai_reg_put(rantai_ctx_t *ctx,
               rantai_reply_t *reply,
               const rantai_kind_t *kind,
               const ProtobufCMessage *msg)
{
    const char *name = kind->name;
    if (msg == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, name, "%s is required",
                           name);
        return 0;
    }
    void *obj = rantai_msg_copy(msg, ctx->arena);
    if (obj == NULL) {
        /* The server's decoder rejects such frames; be safe anyway. */
        rantai_reply_error(reply, ctx->arena, S_INVALID, name,
                           "%s does not round-trip (invalid UTF-8?)", name);
        return 0;
    }
    const char *id = s_str_field(obj, "id");
    rantai_rec_t rec = {0};
    void *old = NULL;
    int rc = rantai_rec_load(ctx, kind->db, id, kind->desc, &old, &rec);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    /* Ownership first: nothing else may tell another party anything. */
    bool owned = true, owned_old = true;
    if ((rc = kind->owned(ctx, obj, &owned)) != 0 ||
        (old != NULL && (rc = kind->owned(ctx, old, &owned_old)) != 0)) {
        return rc;
    }
    if (!owned || !owned_old) {
        return rantai_reply_denied(ctx, reply, kind->deny_put);
    }
    if (!kind->check(ctx, reply, obj)) {
        return 0;
    }
    rc = kind->rules(ctx, reply, obj, old, &rec);
    if (rc != 0 || reply->code != S_OK) {
        return rc;
    }
    size_t size;
    void *packed = rantai_encode(obj, ctx->arena, &size);
    rantai_reg_reply(reply, kind, obj);
    if (old != NULL) {
        if (rec.size == size && memcmp(rec.body, packed, size) == 0) {
            reply->seq = rec.seq;
            return 0;
        }
        if (kind->immutable != NULL) {
            rantai_reg_reply(reply, kind, NULL);
            rantai_reply_error(reply, ctx->arena, S_EXISTS, NULL,
                               "%s %s exists with other content (%s)", name, id,
                               kind->immutable);
            return 0;
        }
    }
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    s_event(ctx, kind, obj, kind->put_event, &ev);
    return s_commit(ctx, reply, kind, id, &ev, NULL, packed, size);
}

int
rantai_reg_get(rantai_ctx_t *ctx,
               rantai_reply_t *reply,
               const rantai_kind_t *kind,
               const char *id)
{
    if (!rantai_check_id(ctx, reply, id, "id", false)) {
        return 0;
    }
    void *obj;
    int rc = rantai_rec_load(ctx, kind->db, id, kind->desc, &obj, NULL);
    if (rc == RANTAI_ENOTFOUND) {
        return rantai_reply_not_found(ctx, reply, kind->name, id);
    }
    bool owned = false;
    if (rc != 0 || (rc = kind->owned(ctx, obj, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return rantai_reply_not_found(ctx, reply, kind->name, id);
    }
    rantai_reg_reply(reply, kind, obj);
    return 0;
}

int
rantai_reg_end(rantai_ctx_t *ctx,
               rantai_reply_t *reply,
               const rantai_kind_t *kind,
               const char *id,
               const char *field)
{
    if (!rantai_check_id(ctx, reply, id, field, false)) {
        return 0;
    }
    void *obj;
    rantai_rec_t rec;
    int rc = rantai_rec_load(ctx, kind->db, id, kind->desc, &obj, &rec);
    if (rc == RANTAI_ENOTFOUND) {
        return rantai_reply_not_found(ctx, reply, kind->name, id);
    }
    if (rc != 0) {
        return rc;
    }
    /* Copy before any write: rec.body points into the map. */
    void *packed = rantai_arena_alloc(ctx->arena, rec.size + 1);
    memcpy(packed, rec.body, rec.size);
    bool owned;
    if ((rc = kind->owned(ctx, obj, &owned)) != 0) {
        return rc;
    }
    if (!owned) {
        return rantai_reply_denied(ctx, reply, kind->deny_end);
    }
    if (rec.end_seq != 0) {
        reply->seq = rec.end_seq;
        return 0;
    }
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    s_event(ctx, kind, obj, kind->end_event, &ev);
    return s_commit(ctx, reply, kind, id, &ev, &rec, packed, rec.size);
}

int
rantai_keep_listed(
    rantai_ctx_t *ctx, const void *obj, const char *id, void *arg, bool *keep)
{
    (void) ctx;
    (void) id;
    const rantai_list_filter_t *f = arg;
    const char *commodity = s_str_field(obj, "commodity");
    const char *owner = s_str_field(obj, f->owner_field);
    if (commodity == NULL || owner == NULL) {
        return RANTAI_EINVAL; /* not a listed kind: a programming error */
    }
    *keep = strncmp(commodity, f->prefix, strlen(f->prefix)) == 0 &&
            (f->owner_id[0] == '\0' || strcmp(owner, f->owner_id) == 0);
    return 0;
}

static const rantai_route_t *
s_route(const rantai_registry_t *reg, const rantai_request_t *req)
{
    for (size_t i = 0; i < reg->n_routes; i++) {
        if (reg->routes[i].body_case == (int) req->body_case) {
            return &reg->routes[i];
        }
    }
    return NULL;
}

bool
rantai_reg_is_write(const rantai_registry_t *reg, const rantai_request_t *req)
{
    const rantai_route_t *r = s_route(reg, req);
    return r != NULL && (r->op == RANTAI_OP_PUT || r->op == RANTAI_OP_END);
}

static bool
s_role_ok(const rantai_registry_t *reg, const rantai_principal_t *who)
{
    rantai_role_t role = who ? who->role : RANTAI_ROLE_NONE;
    for (const rantai_role_t *r = reg->roles; *r != RANTAI_ROLE_NONE; r++) {
        if (*r == role) {
            return true;
        }
    }
    return false;
}

int
rantai_reg_handle(const rantai_registry_t *reg,
                  rantai_ctx_t *ctx,
                  const rantai_request_t *req,
                  rantai_reply_t *reply)
{
    reply->code = S_OK;
    const rantai_route_t *r = s_route(reg, req);
    if (r == NULL) {
        rantai_reply_error(reply, ctx->arena, S_UNIMPL, NULL,
                           "%s is not served by the %s service",
                           rantai_request_name(req), reg->name);
        return 0;
    }
    if (!s_role_ok(reg, ctx->who)) {
        return rantai_reply_denied(
            ctx, reply,
            rantai_arena_printf(ctx->arena, "use the %s service", reg->name));
    }
    /* The body (a oneof member, so by its field number) and its first
       field: the object put or the id got or ended. */
    const ProtobufCFieldDescriptor *fb =
        protobuf_c_message_descriptor_get_field(
            &rantai__v1__request__descriptor, (unsigned) r->body_case);
    const ProtobufCMessage *body =
        *(const ProtobufCMessage *const *) (const void *) ((const char *) req +
                                                           fb->offset);
    if (body == NULL) {
        rantai_reply_error(reply, ctx->arena, S_INVALID, "body",
                           "request has no body");
        return 0;
    }
    const ProtobufCFieldDescriptor *f0 = &body->descriptor->fields[0];
    const void *arg = *(
        const void *const *) (const void *) ((const char *) body + f0->offset);
    switch (r->op) {
        case RANTAI_OP_PUT:
            return rantai_reg_put(ctx, reply, r->kind, arg);
        case RANTAI_OP_END:
            return rantai_reg_end(ctx, reply, r->kind, arg, f0->name);
        case RANTAI_OP_GET:
            return rantai_reg_get(ctx, reply, r->kind, arg);
        default:
            return r->list(ctx, body, reply);
    }
}
