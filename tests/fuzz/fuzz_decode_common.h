/*  fuzz_decode_common.h - the checks the envelope-decoder targets share:
    decode with the service's size limit, print as JSON (the CLI does),
    and check that re-encoding is stable (encode(decode(encode(m))) ==
    encode(m)). Included by fuzz_request_decode.c and fuzz_feed_decode.c
    only; static functions, so each target is one translation unit. */
#ifndef RANTAI_FUZZ_DECODE_COMMON_H
#define RANTAI_FUZZ_DECODE_COMMON_H

#include "rantai/arena.h"
#include "rantai/codec.h"
#include "rantai/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *s_sink;

/* Drop unknown fields everywhere in m: protobuf-c keeps them verbatim,
   and accepts some it cannot write back (an over-long tag 0), while we
   never forward them (the registries store canonical records). */
static void
s_strip_unknown(ProtobufCMessage *m)
{
    m->n_unknown_fields = 0;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        char *base = (char *) m;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(uint32_t *) (base + f->quantifier_offset);
            if (which != f->id) {
                continue;
            }
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *) (base + f->quantifier_offset);
            ProtobufCMessage **arr = *(ProtobufCMessage ***) (base + f->offset);
            for (size_t k = 0; k < n; k++) {
                s_strip_unknown(arr[k]);
            }
        } else {
            ProtobufCMessage *sub = *(ProtobufCMessage **) (base + f->offset);
            if (sub) {
                s_strip_unknown(sub);
            }
        }
    }
}

/* Decode data as `desc`; returns the message or NULL. */
static ProtobufCMessage *
s_decode_check(const ProtobufCMessageDescriptor *desc,
               const uint8_t *data,
               size_t size,
               rantai_arena_t *arena)
{
    if (!s_sink) {
        s_sink = fopen("/dev/null", "w");
        if (!s_sink) {
            abort();
        }
    }
    ProtobufCMessage *m =
        rantai_decode(desc, data, size, RANTAI_DEFAULT_MAX_MSG, arena);
    if (!m) {
        return NULL;
    }
    rantai_json_print(s_sink, m, 0);
    rantai_json_print(s_sink, m, RANTAI_JSON_DEFAULTS);
    s_strip_unknown(m);
    size_t n1 = 0, n2 = 0;
    void *b1 = rantai_encode(m, arena, &n1);
    ProtobufCMessage *m2 = rantai_decode(desc, b1, n1, SIZE_MAX, arena);
    if (!m2) {
        fprintf(stderr, "fuzz: %s re-encoding does not decode\n", desc->name);
        abort();
    }
    void *b2 = rantai_encode(m2, arena, &n2);
    if (n1 != n2 || memcmp(b1, b2, n1) != 0) {
        fprintf(stderr, "fuzz: %s encoding is not stable\n", desc->name);
        abort();
    }
    return m;
}

#endif
