/*  fuzz_matcher_handle - the matcher core (in-process, on a temporary
    store): its request handler, the application of upstream registry
    events (which the registries validated, but the matcher must survive
    anything a feed delivers), its expiry timer and its per-party feed
    authorisation and filter.

    Records (fuzz_common.h): a selector with the top bit clear is a Request
    run as fuzz_principal(selector); with it set, the payload is an Event
    from the producer registry (bit 6 clear) or the buyer registry (bit 6
    set), applied with the next seq of that source (so no event is skipped
    as already applied) and then passed through the feed filter for a few
    parties. */
#include "fuzz_common.h"
#include "matcher_core.h"
#include "rantai/err.h"

#include <stdio.h>
#include <stdlib.h>

static bool
s_is_write(const rantai_request_t *req)
{
    return matcher_is_write(req);
}

static const rantai_service_def_t s_def = {
    .name = "matcher",
    .db_names = matcher_db_names,
    .db_count = MATCHER_DB_COUNT,
    .is_write = s_is_write,
    .handle = matcher_handle,
};

typedef struct {
    matcher_core_t *core;
    rantai_arena_t *arena;
    int source;
    rantai_event_t *ev;
    int64_t now;
} s_apply_t;

static int
s_apply_cb(rantai_txn_t *txn, void *arg)
{
    s_apply_t *a = arg;
    int rc = matcher_core_apply(a->core, txn, a->arena, a->source, a->ev);
    if (rc != 0) {
        return rc;
    }
    size_t done = 0;
    return matcher_core_expire(a->core, txn, a->now, 0, &done);
}

static void
s_filter(matcher_core_t *core,
         rantai_store_t *store,
         rantai_event_t *ev,
         uint8_t selector,
         rantai_arena_t *arena)
{
    static const int kinds[] = {RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL,
                                RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE,
                                RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER,
                                RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER,
                                RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE};
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(store, &txn) != 0) {
        abort();
    }
    for (int k = 0; k < 5; k++) {
        rantai_principal_t who;
        fuzz_principal((uint8_t) (selector + k), &who);
        Rantai__V1__Party party = RANTAI__V1__PARTY__INIT;
        party.kind = (Rantai__V1__PartyKind) kinds[k];
        party.id = (char *) who.party;
        if (matcher_feed_authorize(core, &who, &party) != 0) {
            continue;
        }
        if (who.role == RANTAI_ROLE_NONE) {
            fprintf(stderr, "fuzz: feed authorised a principal without role\n");
            abort();
        }
        rantai_event_t *out = NULL;
        int rc = matcher_feed_filter(core, txn, &who, &party, ev, arena, &out);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            fprintf(stderr, "fuzz: feed filter failed: %s\n",
                    rantai_strerror(rc));
            abort();
        }
    }
    rantai_txn_abort(&txn);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rantai_arena_t *arena;
    static matcher_core_t *core;
    static uint64_t seq[2];
    static int64_t now = 1700000000000;
    if (!arena) {
        arena = rantai_arena_new();
        core = matcher_core_new(5000); /* short: expiry runs often */
    }
    rantai_store_t *store =
        fuzz_store("matcher", matcher_db_names, MATCHER_DB_COUNT);
    size_t off = 0;
    fuzz_record_t rec;
    while (fuzz_next_record(data, size, &off, &rec)) {
        now += 1000;
        if (!(rec.selector & 0x80)) {
            const rantai_request_t *req =
                (const rantai_request_t *) rantai_decode(
                    &rantai__v1__request__descriptor, rec.payload, rec.len,
                    RANTAI_DEFAULT_MAX_MSG, arena);
            if (req && req->body_case != RANTAI__V1__REQUEST__BODY__NOT_SET) {
                rantai_principal_t who;
                fuzz_principal(rec.selector, &who);
                fuzz_handle(store, &s_def, core, &who, req, now, arena);
            }
            rantai_arena_reset(arena);
            continue;
        }
        rantai_event_t *ev = (rantai_event_t *) rantai_decode(
            &rantai__v1__event__descriptor, rec.payload, rec.len,
            RANTAI_DEFAULT_MAX_MSG, arena);
        if (ev) {
            int source = rec.selector & 0x40 ? MATCHER_SOURCE_BUYER
                                             : MATCHER_SOURCE_PRODUCER;
            /* The registries stamp seq and time; everything else is the
               fuzzer's. */
            ev->seq = ++seq[source];
            ev->time = now;
            s_apply_t a = {core, rantai_arena_new(), source, ev, now};
            int rc = rantai_store_write(store, s_apply_cb, &a);
            rantai_arena_destroy(&a.arena);
            if (rc != 0) {
                fprintf(stderr, "fuzz: applying an event failed: %s\n",
                        rantai_strerror(rc));
                abort();
            }
            s_filter(core, store, ev, rec.selector, arena);
        }
        rantai_arena_reset(arena);
    }
    return 0;
}
