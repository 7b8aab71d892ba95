/*  rantai/codec.h - the wire codec: the generated protobuf-c types of
    proto/rantai/v1, decoding with size limits into an arena, encoding,
    and the field-level checks of PROTOCOL.md section 2 that every party
    (services, CLI, tests) shares.

    All functions are thread-safe (no shared state). */
#ifndef RANTAI_CODEC_H
#define RANTAI_CODEC_H

#include "rantai/arena.h"
#include "rantai/v1/api.pb-c.h"
#include "rantai/v1/feed.pb-c.h"
#include "rantai/v1/types.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Short names for the generated types. */
typedef Rantai__V1__Request rantai_request_t;
typedef Rantai__V1__Reply rantai_reply_t;
typedef Rantai__V1__FeedRequest rantai_feed_request_t;
typedef Rantai__V1__FeedMessage rantai_feed_message_t;
typedef Rantai__V1__Event rantai_event_t;

#define RANTAI_DEFAULT_MAX_MSG (1024 * 1024) /* 1 MiB, PROTOCOL.md s1 */
#define RANTAI_ID_MAX          64
#define RANTAI_COMMODITY_MAX   12

/* Unpack `size` bytes at `data` as message type `desc` into `arena`.
   Returns the message (owned by the arena: do not free it), or NULL if
   size > max_size or the bytes are not a valid message. */
ProtobufCMessage *rantai_decode(const ProtobufCMessageDescriptor *desc,
                                const void *data,
                                size_t size,
                                size_t max_size,
                                rantai_arena_t *arena);

/* Pack `msg` into a new arena buffer; sets *size. Never NULL. */
void *
rantai_encode(const ProtobufCMessage *msg, rantai_arena_t *arena, size_t *size);

/* True if `s` is a valid id: 1-64 bytes of [A-Za-z0-9._:-]. */
bool rantai_id_valid(const char *s);

/* True if `s` is a commodity code: 2-12 chars of [0-9A-Z], at least
   `min_len` long (4 for offers, 2 for demands and filters). */
bool rantai_commodity_valid(const char *s, size_t min_len);

/* True if `s` is valid UTF-8 without NUL or C0 control characters other
   than tab, and at most max_len bytes long. */
bool rantai_text_valid(const char *s, size_t max_len);

/* True if lat/lon are finite and within +-90 / +-180. */
bool rantai_geo_valid(const Rantai__V1__GeoPoint *p);

/* True if `code` is a province code of data/provinces.csv. */
bool rantai_province_valid(const char *code);

/* True if `v` is a value the contract defines for the enum `desc`
   (UNSPECIFIED included: callers decide whether it is allowed). */
bool rantai_enum_defined(const ProtobufCEnumDescriptor *desc, int v);

/* Name of a StatusCode without prefix ("INVALID_ARGUMENT"); static. */
const char *rantai_status_name(int code);

/* Name of the Request body case without prefix, e.g. "PutOffer"; "none"
   if unset. Static storage. */
const char *rantai_request_name(const rantai_request_t *req);

/* Set reply->code/message/field (strings copied into `arena`). `field`
   may be NULL. Returns `code` for chaining. */
int rantai_reply_error(rantai_reply_t *reply,
                       rantai_arena_t *arena,
                       int code,
                       const char *field,
                       const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

#ifdef __cplusplus
}
#endif

#endif
