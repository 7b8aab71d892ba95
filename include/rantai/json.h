/*  rantai/json.h - print any protobuf-c message as JSON.

    A generic walker over protobuf-c descriptors that follows protobuf's
    proto3 JSON mapping, with these choices:

    - keys are the proto field names as written (snake_case), i.e. what
      protobuf's printers emit with preserving_proto_field_names and what
      every proto3 JSON parser accepts;
    - enums are their full proto value names ("UNIT_TONNE",
      "STATUS_CODE_NOT_FOUND"); a number the descriptor does not define is
      printed as a number, as proto3 JSON does;
    - 64-bit integers (int64, uint64, sint64, fixed64, sfixed64) are JSON
      strings ("17"); 32-bit ones are numbers;
    - proto3 fields holding their default value (0, "", false, empty
      repeated) are omitted unless RANTAI_JSON_DEFAULTS is given; a set
      oneof member and a present sub-message are always printed, an unset
      one never;
    - double and float: the shortest of %.15g, %.16g, %.17g (%.6g..%.9g for
      float) that reads back to the same value; NaN and infinities as the
      strings "NaN", "Infinity", "-Infinity";
    - strings: '"', '\\' and control characters escaped (\n, \t, \r, \b,
      \f, others \u00XX); valid UTF-8 passes through, each byte of an
      invalid sequence becomes \ufffd so the output is always valid JSON;
    - bytes: standard base64 with padding;
    - repeated fields (and protobuf-c map entries) as arrays.

    Pure and thread-safe (no shared state). */
#ifndef RANTAI_JSON_H
#define RANTAI_JSON_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Indent with two spaces and put one field per line; default is one line
   without spaces. */
#define RANTAI_JSON_PRETTY 1u
/* Print fields that hold their default value as well. */
#define RANTAI_JSON_DEFAULTS 2u

/* Write `msg` as one JSON object to `out` (no trailing newline). `msg` and
   `out` are borrowed. Returns 0, RANTAI_EINVAL if msg is NULL, not a
   message or nested deeper than 64 levels, or RANTAI_EIO if writing to
   `out` failed (what was written so far stays written). */
int rantai_json_print(FILE *out, const ProtobufCMessage *msg, unsigned flags);

#ifdef __cplusplus
}
#endif

#endif
