/*  codec.c - decoding into arenas, encoding, and the shared field checks
    of PROTOCOL.md section 2. */
#include "rantai/codec.h"

#include "rantai/refdata.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid.
   Rejects overlong forms, surrogates and code points past U+10FFFF. */
static size_t
s_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c == 0xE0) {
        n = 3;
        lo = 0xA0;
    } else if (c == 0xED) {
        n = 3;
        hi = 0x9F;
    } else if (c >= 0xE1 && c <= 0xEF) {
        n = 3;
    } else if (c == 0xF0) {
        n = 4;
        lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        n = 4;
    } else if (c == 0xF4) {
        n = 4;
        hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < n) {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) {
            return 0;
        }
    }
    return n;
}

static bool
s_utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *) str;
    size_t len = strlen(str);
    size_t i = 0;
    while (i < len) {
        size_t n = s_utf8_seq(s + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

/* protobuf-c 1.4 does not check that string fields are UTF-8; proto3
   requires it, and everything downstream (JSON, logs) relies on it. An
   embedded NUL cannot be seen here (strings are NUL-terminated), which is
   why text fields are also checked with rantai_text_valid() by callers. */
static bool
s_message_utf8_valid(const ProtobufCMessage *msg, int depth)
{
    if (depth > 32) {
        return false; /* our schema is not recursive; be safe anyway */
    }
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const char *base = (const char *) msg;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_STRING &&
            f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        const void *member = base + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *) (base + f->quantifier_offset);
            void *const *arr = *(void *const *const *) member;
            for (size_t k = 0; k < n; k++) {
                if (!arr[k]) {
                    continue;
                }
                if (f->type == PROTOBUF_C_TYPE_STRING
                        ? !s_utf8_valid(arr[k])
                        : !s_message_utf8_valid(arr[k], depth + 1)) {
                    return false;
                }
            }
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *) (base + f->quantifier_offset);
            if (which != f->id) {
                continue; /* another member of the union is live */
            }
        }
        const void *p = *(const void *const *) member;
        if (!p) {
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_STRING
                ? !s_utf8_valid(p)
                : !s_message_utf8_valid(p, depth + 1)) {
            return false;
        }
    }
    return true;
}

ProtobufCMessage *
rantai_decode(const ProtobufCMessageDescriptor *desc,
              const void *data,
              size_t size,
              size_t max_size,
              rantai_arena_t *arena)
{
    if (!desc || !arena || size > max_size) {
        return NULL;
    }
    static const uint8_t s_empty[1] = {0};
    if (!data) {
        if (size > 0) {
            return NULL;
        }
        data = s_empty;
    }
    ProtobufCMessage *msg = protobuf_c_message_unpack(
        desc, rantai_arena_allocator(arena), size, data);
    if (!msg) {
        return NULL;
    }
    if (!s_message_utf8_valid(msg, 0)) {
        return NULL; /* the arena reclaims the message */
    }
    return msg;
}

void *
rantai_encode(const ProtobufCMessage *msg, rantai_arena_t *arena, size_t *size)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = rantai_arena_alloc(arena, n);
    *size = protobuf_c_message_pack(msg, buf);
    return buf;
}

bool
rantai_id_valid(const char *s)
{
    if (!s) {
        return false;
    }
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
                  c == '-';
        if (!ok || i >= RANTAI_ID_MAX) {
            return false;
        }
    }
    return i >= 1;
}

bool
rantai_commodity_valid(const char *s, size_t min_len)
{
    if (!s) {
        return false;
    }
    if (min_len < 2) {
        min_len = 2;
    }
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) ||
            i >= RANTAI_COMMODITY_MAX) {
            return false;
        }
    }
    return i >= min_len;
}

bool
rantai_text_valid(const char *s, size_t max_len)
{
    if (!s) {
        return false;
    }
    size_t len = strlen(s);
    if (len > max_len) {
        return false;
    }
    const unsigned char *u = (const unsigned char *) s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x20 && u[i] != '\t') {
            return false;
        }
        size_t n = s_utf8_seq(u + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

bool
rantai_geo_valid(const Rantai__V1__GeoPoint *p)
{
    return p && isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90.0 &&
           p->lat <= 90.0 && p->lon >= -180.0 && p->lon <= 180.0;
}

bool
rantai_province_valid(const char *code)
{
    return code && rantai_province_find(code) != NULL;
}

bool
rantai_enum_defined(const ProtobufCEnumDescriptor *desc, int v)
{
    return desc && protobuf_c_enum_descriptor_get_value(desc, v) != NULL;
}

const char *
rantai_status_name(int code)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &rantai__v1__status_code__descriptor, code);
    if (!v) {
        return "UNKNOWN";
    }
    static const char prefix[] = "STATUS_CODE_";
    if (strncmp(v->name, prefix, sizeof prefix - 1) == 0) {
        return v->name + sizeof prefix - 1;
    }
    return v->name;
}

const char *
rantai_request_name(const rantai_request_t *req)
{
    if (!req || req->body_case == RANTAI__V1__REQUEST__BODY__NOT_SET) {
        return "none";
    }
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &rantai__v1__request__descriptor, (unsigned) req->body_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || !f->descriptor) {
        return "unknown";
    }
    /* The body's message type is named like the call: "PutOffer". */
    return ((const ProtobufCMessageDescriptor *) f->descriptor)->short_name;
}

int
rantai_reply_error(rantai_reply_t *reply,
                   rantai_arena_t *arena,
                   int code,
                   const char *field,
                   const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg;
    if (n < 0) {
        msg = rantai_arena_strndup(arena, "", 0);
    } else {
        msg = rantai_arena_alloc(arena, (size_t) n + 1);
        vsnprintf(msg, (size_t) n + 1, fmt, ap2);
    }
    va_end(ap2);
    reply->code = (Rantai__V1__StatusCode) code;
    reply->message = msg;
    reply->field = field ? rantai_arena_strndup(arena, field, strlen(field))
                         : rantai_arena_strndup(arena, "", 0);
    return code;
}
