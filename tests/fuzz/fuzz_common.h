/*  fuzz_common.h - shared pieces of the libFuzzer targets: a temporary
    store that lives for the whole fuzzing process, the record framing of
    the request-handler targets and the principal a record runs as.

    Handler targets read their input as a sequence of records, so one
    input can build state (put a producer, then its offer, then...):

        [selector: 1 byte][length: 2 bytes little-endian][payload]

    a short tail is one record with whatever is left. The selector picks
    the principal (fuzz_principal) and, for the matcher, whether the
    payload is a request or an upstream event. */
#ifndef RANTAI_FUZZ_COMMON_H
#define RANTAI_FUZZ_COMMON_H

#include "rantai/arena.h"
#include "rantai/codec.h"
#include "service.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    uint8_t selector;
    const uint8_t *payload;
    size_t len;
} fuzz_record_t;

/* Next record of data[*off..size); false at the end. */
bool fuzz_next_record(const uint8_t *data,
                      size_t size,
                      size_t *off,
                      fuzz_record_t *rec);

/* The principal for a selector: role = selector % 6 (NONE..SERVICE),
   party one of a few ids that the seed corpora use. `who` borrows a
   static string. */
void fuzz_principal(uint8_t selector, rantai_principal_t *who);

/* Open (once per process) a store in a mkdtemp directory removed at
   exit. Aborts if it cannot. */
rantai_store_t *
fuzz_store(const char *name, const char *const *db_names, int db_count);

/* Run one request through a service handler as the server does: a child
   write txn for writes (rolled back unless the reply is OK), a read txn
   otherwise. Then check what must hold whatever the input: the reply
   encodes and decodes again, a principal without rights (role NONE) never
   gets OK, a failed write leaves the event log head where it was.
   Aborts (a finding) when a check fails. */
void fuzz_handle(rantai_store_t *store,
                 const rantai_service_def_t *def,
                 void *core,
                 const rantai_principal_t *who,
                 const rantai_request_t *req,
                 int64_t now_ms,
                 rantai_arena_t *arena);

#endif
