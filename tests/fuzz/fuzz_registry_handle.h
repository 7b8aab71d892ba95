/*  fuzz_registry_handle.h - body of the registry handler targets
    (fuzz_producer_handle.c, fuzz_buyer_handle.c): each record is a
    Request run through the service's handle() as the record's principal,
    on one store for the whole process, so inputs build on earlier state
    as well as on their own earlier records. */
#ifndef RANTAI_FUZZ_REGISTRY_HANDLE_H
#define RANTAI_FUZZ_REGISTRY_HANDLE_H

#include "fuzz_common.h"

static int
s_registry_one(const rantai_service_def_t *def,
               const uint8_t *data,
               size_t size)
{
    static rantai_arena_t *arena;
    static int64_t now = 1700000000000;
    if (!arena) {
        arena = rantai_arena_new();
    }
    rantai_store_t *store = fuzz_store(def->name, def->db_names, def->db_count);
    size_t off = 0;
    fuzz_record_t rec;
    while (fuzz_next_record(data, size, &off, &rec)) {
        const rantai_request_t *req = (const rantai_request_t *) rantai_decode(
            &rantai__v1__request__descriptor, rec.payload, rec.len,
            RANTAI_DEFAULT_MAX_MSG, arena);
        if (req && req->body_case != RANTAI__V1__REQUEST__BODY__NOT_SET) {
            rantai_principal_t who;
            fuzz_principal(rec.selector, &who);
            fuzz_handle(store, def, NULL, &who, req, now++, arena);
        }
        rantai_arena_reset(arena);
    }
    return 0;
}

#endif
