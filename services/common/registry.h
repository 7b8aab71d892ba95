/*  registry.h - what the producer and buyer registries share: records with
    their seq header, canonical copies of request messages, index keys,
    the validation checks of PROTOCOL.md sections 2-4, and the request
    flows that are the same for every kind of registry object (put, get,
    withdraw/cancel, paged list).

    A record is a 16-byte header - the big-endian seq of the last put and
    the big-endian seq of the end (withdrawal, cancellation; 0 while live)
    - followed by the canonical packed protobuf, so an idempotent put is a
    byte comparison.

    Everything a function returns or fills in is allocated in ctx->arena
    (or points into the map where said) and lives as long as the arena.
    Functions that return int return 0 or a negative rantai_err_t from the
    store (RANTAI_EMAPFULL must reach the server); a rule broken by the
    request is not an error but a reply code (the function returns 0). */
#ifndef RANTAI_REGISTRY_H
#define RANTAI_REGISTRY_H

#include "evlog.h"
#include "rantai/units.h"
#include "service.h"

#include <stdbool.h>
#include <stdint.h>

#define RANTAI_REC_HDR   16  /* record header: put seq, end seq */
#define RANTAI_TEXT_MAX  256 /* names and certificate numbers, in bytes */
#define RANTAI_LIMIT_DEF 100 /* List page size when the request says 0 */
#define RANTAI_LIMIT_MAX 1000

/* ---- records ------------------------------------------------------------ */

/* A stored record; `body` points into the map (valid until the next write
   in the txn or its end). */
typedef struct {
    uint64_t seq;     /* seq of the last put */
    uint64_t end_seq; /* seq of the withdrawal/cancellation, 0 while live */
    const uint8_t *body;
    size_t size;
} rantai_rec_t;

/* The record stored under `id` in `db`. An invalid id is never stored, so
   it is RANTAI_ENOTFOUND without reaching the store. RANTAI_EIO for a
   record shorter than its header; other store errors as rantai_get(). */
int
rantai_rec_get(rantai_txn_t *txn, int db, const char *id, rantai_rec_t *rec);

/* Store header (seq, end_seq) and `size` bytes of `body` under `id`.
   Errors as rantai_put_reserve(). */
int rantai_rec_put(rantai_txn_t *txn,
                   int db,
                   const char *id,
                   uint64_t seq,
                   uint64_t end_seq,
                   const void *body,
                   size_t size);

/* The record under `id` decoded as `desc` into *out (arena memory); its
   header and body into *rec if rec is not NULL. RANTAI_ENOTFOUND if none,
   RANTAI_EIO if the body does not decode (we packed it: damage). */
int rantai_rec_load(rantai_ctx_t *ctx,
                    int db,
                    const char *id,
                    const ProtobufCMessageDescriptor *desc,
                    void **out,
                    rantai_rec_t *rec);

/* ---- messages and keys --------------------------------------------------- */

/* Drop unknown fields from `m` and every message nested in it (they would
   make identical puts compare different and reach every subscriber). */
void rantai_msg_strip(ProtobufCMessage *m);

/* A private, mutable copy of `m` in `arena` (request messages are const
   and owned by the server), without unknown fields. NULL only if the codec
   cannot round-trip its own output. */
void *rantai_msg_copy(const ProtobufCMessage *m, rantai_arena_t *arena);

/* The key "a\0b" in `arena` (not NUL-terminated as a whole: use *len):
   index keys sort by a, then by b. b = "" gives the prefix of all keys
   of a. */
char *
rantai_key2(rantai_arena_t *arena, const char *a, const char *b, size_t *len);

/* Put the empty index entry a\0b into `db`. Errors as rantai_put(). */
int rantai_index_put(rantai_ctx_t *ctx, int db, const char *a, const char *b);

/* Make -0.0 coordinates 0.0 (they pack differently). p may be NULL. */
void rantai_geo_canon(Rantai__V1__GeoPoint *p);

/* The caller's party id, "" if none. Never NULL. */
const char *rantai_party(const rantai_principal_t *who);

/* ---- replies and checks (PROTOCOL.md s2-4) --------------------------------
 */

/* PERMISSION_DENIED "not allowed to <what>". Returns 0 (for tail calls
   from request handlers). */
int
rantai_reply_denied(rantai_ctx_t *ctx, rantai_reply_t *reply, const char *what);

/* NOT_FOUND "no <what> <id>". Returns 0. */
int rantai_reply_not_found(rantai_ctx_t *ctx,
                           rantai_reply_t *reply,
                           const char *what,
                           const char *id);

/* The checks return true if valid, else fill the reply with
   INVALID_ARGUMENT naming `field` (copied) and return false. */

/* Always fills the reply and returns false: "<field>: <msg>". */
bool rantai_check_fail(rantai_ctx_t *ctx,
                       rantai_reply_t *reply,
                       const char *field,
                       const char *msg);

/* An id (PROTOCOL.md s2); "" passes if `optional`. */
bool rantai_check_id(rantai_ctx_t *ctx,
                     rantai_reply_t *reply,
                     const char *id,
                     const char *field,
                     bool optional);

/* UTF-8 text of at most RANTAI_TEXT_MAX bytes. */
bool rantai_check_text(rantai_ctx_t *ctx,
                       rantai_reply_t *reply,
                       const char *s,
                       const char *field);

/* A coordinate pair; the field named on failure is "<path>.lat" or
   "<path>.lon", whichever is at fault. p must not be NULL. */
bool rantai_check_geo(rantai_ctx_t *ctx,
                      rantai_reply_t *reply,
                      const Rantai__V1__GeoPoint *p,
                      const char *path);

/* A unit that must be set, defined and (want != RANTAI_DIM_NONE) of
   dimension `want`. */
bool rantai_check_unit(rantai_ctx_t *ctx,
                       rantai_reply_t *reply,
                       int unit,
                       rantai_dim_t want,
                       const char *field);

/* A required Quantity (q may be NULL: it reads as unset): "<path>.unit"
   set and defined, "<path>.milli" > 0 and convertible to the base unit. */
bool rantai_check_qty(rantai_ctx_t *ctx,
                      rantai_reply_t *reply,
                      const Rantai__V1__Quantity *q,
                      const char *path);

/* A List commodity prefix filter: "" or a code of 2-12 characters. */
bool rantai_check_prefix(rantai_ctx_t *ctx,
                         rantai_reply_t *reply,
                         const char *s,
                         const char *field);

/* ---- request flows ---------------------------------------------------- */

/* One kind of registry object (producer, offer, buyer, demand): how the
   shared flows below store, check and announce it. A const table in the
   core; every hook gets objects decoded as `desc`. */
typedef struct rantai_kind_t rantai_kind_t;
struct rantai_kind_t {
    const char *name; /* "offer": request body field, and in messages */
    int db;           /* id -> record */
    const ProtobufCMessageDescriptor *desc;
    const char *deny_put;  /* "put this producer" (after "not allowed to") */
    const char *deny_end;  /* "withdraw offers of this producer"; NULL if
                              the kind cannot end */
    const char *immutable; /* NULL, or a changed re-put is ALREADY_EXISTS
                              and this says why ("demands are immutable:
                              cancel and post anew") */

    /* May ctx->who act on `obj` (as sent, or as stored)? Sets *owned. */
    int (*owned)(rantai_ctx_t *ctx, const void *obj, bool *owned);

    /* Validate and canonicalise `obj`; false with the reply filled. */
    bool (*check)(rantai_ctx_t *ctx, rantai_reply_t *reply, void *obj);

    /* The rules of a valid put against the store: `old` is the live or
       ended stored version (NULL for a new object; then also write the
       index entries). Fill the reply with an error to refuse. */
    int (*rules)(rantai_ctx_t *ctx,
                 rantai_reply_t *reply,
                 void *obj,
                 const void *old,
                 const rantai_rec_t *rec);

    /* The Event body fields (feed.proto) announcing a put and an end
       ("offer_put", "offer_withdrawn"; end_event NULL if the kind cannot
       end). Their messages are filled from the object: the object itself
       under its kind's name, its id under "<name>_id", any other field
       from the object's field of the same name. */
    const char *put_event;
    const char *end_event;
};

/* Put `msg` (the request's object, NULL if absent: INVALID_ARGUMENT) as
   kind: copy, ownership of the new and the stored version, check, rules,
   then a no-op returning the stored seq if the canonical bytes are the
   same, ALREADY_EXISTS if they differ and the kind is immutable, else an
   event and the record at a new seq (reply->seq). */
int rantai_reg_put(rantai_ctx_t *ctx,
                   rantai_reply_t *reply,
                   const rantai_kind_t *kind,
                   const ProtobufCMessage *msg);

/* Set the reply body to `obj` of `kind` (the Reply field named as the
   kind), or clear it if obj is NULL. */
void
rantai_reg_reply(rantai_reply_t *reply, const rantai_kind_t *kind, void *obj);

/* Get object `id` into the reply; NOT_FOUND for a missing id and for one
   that ctx->who may not see. INVALID_ARGUMENT "id" for a malformed id. */
int rantai_reg_get(rantai_ctx_t *ctx,
                   rantai_reply_t *reply,
                   const rantai_kind_t *kind,
                   const char *id);

/* End (withdraw, cancel) object `id`, named by request field `field`: an
   event and the end seq in its record; ending it again answers the first
   end's seq. The record stays readable. */
int rantai_reg_end(rantai_ctx_t *ctx,
                   rantai_reply_t *reply,
                   const rantai_kind_t *kind,
                   const char *id,
                   const char *field);

/* Does the object `obj` (of the scanned kind) with id `id` match the
   filters the scanned index does not imply? Sets *keep. */
typedef int(rantai_keep_fn)(
    rantai_ctx_t *ctx, const void *obj, const char *id, void *arg, bool *keep);

/* The filters of a List of offers or demands that its index may not imply:
   the commodity code starts with `prefix` and, unless owner_id is "", the
   object's string field `owner_field` is owner_id. */
typedef struct {
    const char *owner_field; /* "producer_id", "buyer_id" */
    const char *owner_id;    /* "" = any */
    const char *prefix;      /* commodity prefix, "" = any */
} rantai_list_filter_t;

/* rantai_keep_fn applying the rantai_list_filter_t `arg` to an object
   with string fields `commodity` and owner_field; RANTAI_EINVAL for an
   object without them. */
rantai_keep_fn rantai_keep_listed;

/* A paged List: scan `index_db` from key_prefix + page_token for keys
   key_prefix + id (with index_db == kind->db and kp_len 0 the records
   themselves), load each object and keep those `keep` accepts.

   With n_ranges > 0, key_prefix/kp_len are ignored and the scan merges
   the ranges ranges[i] + id (each a prefix ending in \0, e.g. one per
   producer of a cooperative) in id order, as if they were one range of
   one index: ids must be unique across the ranges. Each returned object
   costs one seek, so this suits lists over a few hundred ranges. */
typedef struct {
    const rantai_kind_t *kind;
    int index_db;
    const char *key_prefix;
    size_t kp_len;
    rantai_keep_fn *keep;
    void *arg;
    const char *const *ranges; /* n_ranges prefixes (arena memory) */
    const size_t *range_lens;
    size_t n_ranges;
} rantai_scan_t;

/* Fill `list`, an initialised list message (OfferList, DemandList), with
   up to `limit` objects (0: RANTAI_LIMIT_DEF; at most RANTAI_LIMIT_MAX)
   after the id `token` ("" for the first page): its repeated message field
   gets the objects, its next_page_token the id of the last one if more
   follow. Ids in the index without a record are skipped. */
int rantai_reg_scan(rantai_ctx_t *ctx,
                    const rantai_scan_t *scan,
                    const char *token,
                    uint32_t limit,
                    ProtobufCMessage *list);

/* ---- the service ------------------------------------------------------ */

/* What a request does to its kind. */
typedef enum {
    RANTAI_OP_PUT, /* rantai_reg_put() of the body's first field */
    RANTAI_OP_END, /* rantai_reg_end() of the id in the body's first field */
    RANTAI_OP_GET, /* rantai_reg_get() of the id in the body's first field */
    RANTAI_OP_LIST /* the route's list function */
} rantai_op_t;

/* One request a registry serves. */
typedef struct {
    int body_case; /* Request body case, RANTAI__V1__REQUEST__BODY_... */
    rantai_op_t op;
    const rantai_kind_t *kind; /* PUT, END, GET */
    /* LIST: answer the request body `body` (same contract as handle). */
    int (*list)(rantai_ctx_t *ctx,
                const ProtobufCMessage *body,
                rantai_reply_t *reply);
} rantai_route_t;

/* A registry service: its name, the roles that may use it (a list ending
   in RANTAI_ROLE_NONE) and the requests it serves. */
typedef struct {
    const char *name; /* "producer": in messages */
    const rantai_role_t *roles;
    const rantai_route_t *routes;
    size_t n_routes;
} rantai_registry_t;

/* True if `req` is a PUT or END the registry serves. */
bool rantai_reg_is_write(const rantai_registry_t *reg,
                         const rantai_request_t *req);

/* The service's handle(): UNIMPLEMENTED ("<Body> is not served by the
   <name> service") for a body without a route, PERMISSION_DENIED ("not
   allowed to use the <name> service") for a caller (ctx->who may be NULL)
   without one of the roles, else the route's operation. */
int rantai_reg_handle(const rantai_registry_t *reg,
                      rantai_ctx_t *ctx,
                      const rantai_request_t *req,
                      rantai_reply_t *reply);

#endif
