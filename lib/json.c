/*  json.c - protobuf-c message -> JSON, by walking the descriptors.
    The mapping is documented in rantai/json.h. */
#include "rantai/json.h"

#include "rantai/err.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_DEPTH 64

typedef struct {
    FILE *out;
    unsigned flags;
    int err;
} s_writer_t;

static void
s_puts(s_writer_t *w, const char *s)
{
    if (w->err == 0 && fputs(s, w->out) == EOF) {
        w->err = RANTAI_EIO;
    }
}

static void
s_putc(s_writer_t *w, char c)
{
    if (w->err == 0 && fputc(c, w->out) == EOF) {
        w->err = RANTAI_EIO;
    }
}

static void
s_write(s_writer_t *w, const char *s, size_t len)
{
    if (w->err == 0 && len > 0 && fwrite(s, 1, len, w->out) != len) {
        w->err = RANTAI_EIO;
    }
}

static void
s_newline(s_writer_t *w, int depth)
{
    if (w->flags & RANTAI_JSON_PRETTY) {
        s_putc(w, '\n');
        for (int i = 0; i < depth; i++) {
            s_puts(w, "  ");
        }
    }
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid: no
   overlongs, no surrogates, nothing above U+10FFFF. */
static size_t
s_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (avail < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return n;
}

static void
s_string(s_writer_t *w, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *) str;
    size_t run = 0; /* bytes at s[i - run .. i) to copy verbatim */
    s_putc(w, '"');
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        const char *esc = NULL;
        char ubuf[8];
        size_t n = 1;
        if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\b') {
            esc = "\\b";
        } else if (c == '\f') {
            esc = "\\f";
        } else if (c < 0x20) {
            snprintf(ubuf, sizeof ubuf, "\\u%04x", (unsigned) c);
            esc = ubuf;
        } else if (c >= 0x80) {
            n = s_utf8_len(s + i, len - i);
            if (n == 0) {
                esc = "\\ufffd";
                n = 1;
            }
        }
        if (esc != NULL) {
            s_write(w, (const char *) s + i - run, run);
            run = 0;
            s_puts(w, esc);
        } else {
            run += n;
        }
        i += n;
    }
    s_write(w, (const char *) s + i - run, run);
    s_putc(w, '"');
}

static void
s_base64(s_writer_t *w, const uint8_t *data, size_t len)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    s_putc(w, '"');
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t) data[i] << 16;
        size_t rest = len - i;
        if (rest > 1) {
            v |= (uint32_t) data[i + 1] << 8;
        }
        if (rest > 2) {
            v |= data[i + 2];
        }
        char q[5] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                     rest > 1 ? tab[(v >> 6) & 63] : '=',
                     rest > 2 ? tab[v & 63] : '=', '\0'};
        s_puts(w, q);
    }
    s_putc(w, '"');
}

/* Shortest %.Ng that reads back exactly: 0.1 prints as 0.1, not as
   0.10000000000000001, and nothing is lost. */
static void
s_double(s_writer_t *w, double v, bool is_float)
{
    char buf[40];
    if (isnan(v)) {
        s_puts(w, "\"NaN\"");
        return;
    }
    if (isinf(v)) {
        s_puts(w, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    int lo = is_float ? 6 : 15;
    int hi = is_float ? 9 : 17;
    for (int prec = lo; prec <= hi; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (is_float ? strtof(buf, NULL) == (float) v
                     : strtod(buf, NULL) == v) {
            break;
        }
    }
    s_puts(w, buf);
}

static void
s_enum(s_writer_t *w, const ProtobufCEnumDescriptor *desc, int32_t v)
{
    const ProtobufCEnumValue *ev =
        desc != NULL ? protobuf_c_enum_descriptor_get_value(desc, v) : NULL;
    if (ev != NULL) {
        s_string(w, ev->name, strlen(ev->name));
    } else {
        char buf[16];
        snprintf(buf, sizeof buf, "%" PRId32, v);
        s_puts(w, buf);
    }
}

static size_t
s_elem_size(ProtobufCType type)
{
    switch (type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_ENUM:
            return 4;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
            return 8;
        case PROTOBUF_C_TYPE_FLOAT:
            return sizeof(float);
        case PROTOBUF_C_TYPE_DOUBLE:
            return sizeof(double);
        case PROTOBUF_C_TYPE_BOOL:
            return sizeof(protobuf_c_boolean);
        case PROTOBUF_C_TYPE_STRING:
            return sizeof(char *);
        case PROTOBUF_C_TYPE_BYTES:
            return sizeof(ProtobufCBinaryData);
        case PROTOBUF_C_TYPE_MESSAGE:
            return sizeof(ProtobufCMessage *);
    }
    return 0;
}

static void s_message(s_writer_t *w, const ProtobufCMessage *msg, int depth);

/* One value of `field` stored at `p`. */
static void
s_value(s_writer_t *w,
        const ProtobufCFieldDescriptor *field,
        const void *p,
        int depth)
{
    char buf[32];
    switch (field->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32: {
            int32_t v;
            memcpy(&v, p, sizeof v);
            snprintf(buf, sizeof buf, "%" PRId32, v);
            s_puts(w, buf);
            break;
        }
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32: {
            uint32_t v;
            memcpy(&v, p, sizeof v);
            snprintf(buf, sizeof buf, "%" PRIu32, v);
            s_puts(w, buf);
            break;
        }
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64: {
            int64_t v;
            memcpy(&v, p, sizeof v);
            snprintf(buf, sizeof buf, "\"%" PRId64 "\"", v);
            s_puts(w, buf);
            break;
        }
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64: {
            uint64_t v;
            memcpy(&v, p, sizeof v);
            snprintf(buf, sizeof buf, "\"%" PRIu64 "\"", v);
            s_puts(w, buf);
            break;
        }
        case PROTOBUF_C_TYPE_FLOAT: {
            float v;
            memcpy(&v, p, sizeof v);
            s_double(w, (double) v, true);
            break;
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double v;
            memcpy(&v, p, sizeof v);
            s_double(w, v, false);
            break;
        }
        case PROTOBUF_C_TYPE_BOOL: {
            protobuf_c_boolean v;
            memcpy(&v, p, sizeof v);
            s_puts(w, v ? "true" : "false");
            break;
        }
        case PROTOBUF_C_TYPE_ENUM: {
            int32_t v;
            memcpy(&v, p, sizeof v);
            s_enum(w, field->descriptor, v);
            break;
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(const char *const *) p;
            if (s == NULL) {
                s = "";
            }
            s_string(w, s, strlen(s));
            break;
        }
        case PROTOBUF_C_TYPE_BYTES: {
            const ProtobufCBinaryData *b = p;
            s_base64(w, b->data, b->len);
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *m = *(const ProtobufCMessage *const *) p;
            if (m == NULL) {
                s_puts(w, "null");
            } else {
                s_message(w, m, depth);
            }
            break;
        }
    }
}

/* True if the proto3 (no presence) value at p is its type's default. */
static bool
s_is_default(const ProtobufCFieldDescriptor *field, const void *p)
{
    switch (field->type) {
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(const char *const *) p;
            return s == NULL || s[0] == '\0';
        }
        case PROTOBUF_C_TYPE_BYTES:
            return ((const ProtobufCBinaryData *) p)->len == 0;
        case PROTOBUF_C_TYPE_MESSAGE:
            return *(const void *const *) p == NULL;
        default: {
            /* All-zero bits is the default for every scalar (-0.0 is not:
               protobuf-c sends it, so we print it). */
            static const unsigned char zero[8];
            return memcmp(p, zero, s_elem_size(field->type)) == 0;
        }
    }
}

/* Whether `field` of `msg` is printed, by its presence rules. */
static bool
s_field_present(const ProtobufCMessage *msg,
                const ProtobufCFieldDescriptor *field,
                unsigned flags)
{
    const char *base = (const char *) msg;
    const void *p = base + field->offset;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t n;
        memcpy(&n, base + field->quantifier_offset, sizeof n);
        return n > 0 || (flags & RANTAI_JSON_DEFAULTS);
    }
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t which;
        memcpy(&which, base + field->quantifier_offset, sizeof which);
        if (which != field->id) {
            return false;
        }
        return field->type != PROTOBUF_C_TYPE_MESSAGE ||
               *(const void *const *) p != NULL;
    }
    if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
        return *(const void *const *) p != NULL;
    }
    switch (field->label) {
        case PROTOBUF_C_LABEL_REQUIRED:
            return true;
        case PROTOBUF_C_LABEL_OPTIONAL:
            if (field->type == PROTOBUF_C_TYPE_STRING) {
                const char *s = *(const char *const *) p;
                return s != NULL && s != field->default_value;
            }
            {
                protobuf_c_boolean has;
                memcpy(&has, base + field->quantifier_offset, sizeof has);
                return has != 0;
            }
        default:
            return (flags & RANTAI_JSON_DEFAULTS) || !s_is_default(field, p);
    }
}

static void
s_message(s_writer_t *w, const ProtobufCMessage *msg, int depth)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    if (desc == NULL || desc->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC ||
        depth >= S_MAX_DEPTH) {
        w->err = w->err != 0 ? w->err : RANTAI_EINVAL;
        return;
    }
    const char *base = (const char *) msg;
    const char *sep = (w->flags & RANTAI_JSON_PRETTY) ? ": " : ":";
    bool first = true;
    s_putc(w, '{');
    for (unsigned i = 0; i < desc->n_fields && w->err == 0; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        if (!s_field_present(msg, field, w->flags)) {
            continue;
        }
        if (!first) {
            s_putc(w, ',');
        }
        first = false;
        s_newline(w, depth + 1);
        s_string(w, field->name, strlen(field->name));
        s_puts(w, sep);
        if (field->label != PROTOBUF_C_LABEL_REPEATED) {
            s_value(w, field, base + field->offset, depth + 1);
            continue;
        }
        size_t n;
        const char *arr;
        memcpy(&n, base + field->quantifier_offset, sizeof n);
        memcpy(&arr, base + field->offset, sizeof arr);
        size_t size = s_elem_size(field->type);
        s_putc(w, '[');
        for (size_t k = 0; k < n && arr != NULL; k++) {
            if (k > 0) {
                s_putc(w, ',');
            }
            s_newline(w, depth + 2);
            s_value(w, field, arr + k * size, depth + 2);
        }
        if (n > 0) {
            s_newline(w, depth + 1);
        }
        s_putc(w, ']');
    }
    if (!first) {
        s_newline(w, depth);
    }
    s_putc(w, '}');
}

int
rantai_json_print(FILE *out, const ProtobufCMessage *msg, unsigned flags)
{
    if (out == NULL || msg == NULL) {
        return RANTAI_EINVAL;
    }
    s_writer_t w = {out, flags, 0};
    s_message(&w, msg, 0);
    return w.err;
}
