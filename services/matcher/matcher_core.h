/*  matcher_core.h - the matcher's rules engine (docs/MATCHING.md): state
    in the store, application of upstream registry events, allocation
    passes, lifecycle and expiry, request handling and the feed filter.

    No sockets, no clock reads: the time of a pass triggered by an
    upstream event is that event's `time`, so replaying the same events
    yields byte-identical allocations; timers take `now_ms` from the
    caller. Every function taking a write txn may return RANTAI_EMAPFULL
    from the store: the caller's rantai_store_write() grows the map and
    runs the whole callback again, so these functions have no side effects
    outside the transaction (the core's scratch arena is reset on entry).

    Not thread-safe: one core, used from the server's one writer thread. */
#ifndef MATCHER_CORE_H
#define MATCHER_CORE_H

#include "rantai/arena.h"
#include "rantai/codec.h"
#include "service.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which registry feed an upstream event came from. */
#define MATCHER_SOURCE_PRODUCER 0
#define MATCHER_SOURCE_BUYER    1

/* The matcher's own databases (pass to rantai_store_open / the service
   def). */
#define MATCHER_DB_COUNT 23
extern const char *const matcher_db_names[MATCHER_DB_COUNT];

/* Default accept_timeout: 48 h. */
#define MATCHER_ACCEPT_TIMEOUT_MS (48LL * 3600 * 1000)

typedef struct matcher_core_t matcher_core_t;

/* A new core; accept_timeout_ms <= 0 means the default. Never NULL
   (aborts on OOM). Caller owns it. */
matcher_core_t *matcher_core_new(int64_t accept_timeout_ms);

/* Free the core; idempotent, NULLs *self. */
void matcher_core_destroy(matcher_core_t **self);

/* Change accept_timeout (ms, > 0). */
void matcher_core_set_accept_timeout(matcher_core_t *self, int64_t ms);

/* Highest seq of `source` applied (meta "producer_seq" / "buyer_seq"). */
uint64_t matcher_core_applied_seq(rantai_txn_t *txn, int source);

/* Apply one upstream event from `source` in write txn `txn`, then settle.
   Events with seq <= the applied seq of the source are skipped (0, no
   change), so re-applying a batch is harmless; the applied seq is stored
   in the same txn. Event bodies that do not belong to the source, or are
   inconsistent (unknown units...), only advance the seq. `ev` is
   borrowed; `arena` is for temporaries (caller resets it). Returns 0 or
   a store error. */
int matcher_core_apply(matcher_core_t *self,
                       rantai_txn_t *txn,
                       rantai_arena_t *arena,
                       int source,
                       const rantai_event_t *ev);

/* Timers at `now_ms`: PROPOSED allocations older than accept_timeout ->
   EXPIRED; OPEN demands past deliver_by -> EXPIRED (PROPOSED cancelled);
   then settle. At most `max` expirations per call (0 = 1000); *done (may
   be NULL) gets how many happened, so a caller can loop while it equals
   max. Returns 0 or a store error. */
int matcher_core_expire(matcher_core_t *self,
                        rantai_txn_t *txn,
                        int64_t now_ms,
                        size_t max,
                        size_t *done);

/* True if matcher_core_expire() at now_ms would expire something (a
   read-only look, so an idle timer costs no write). */
bool matcher_core_expiry_due(matcher_core_t *self,
                             rantai_txn_t *txn,
                             int64_t now_ms);

/* service.h hooks: RespondAllocation is the only write. */
bool matcher_is_write(const rantai_request_t *req);

/* service.h handle hook: GetDemandState, GetOfferState, RespondAllocation,
   GetMatcherStatus (others UNIMPLEMENTED). `core` is a matcher_core_t. */
int matcher_handle(void *core,
                   rantai_ctx_t *ctx,
                   const rantai_request_t *req,
                   rantai_reply_t *reply);

/* service.h feed_authorize hook: admin anything; service ALL; a
   cooperative / producer its own COOPERATIVE / PRODUCER party; a
   marketplace its own MARKETPLACE party or a BUYER party (the filter then
   checks the buyer is its own). RANTAI_EDENIED otherwise. */
int matcher_feed_authorize(void *core,
                           const rantai_principal_t *who,
                           const Rantai__V1__Party *party);

/* service.h feed_filter hook (PROTOCOL.md s5): ALL sees everything; a
   cooperative / producer its own allocations (match_proposed trimmed, no
   demand_updated); a buyer / marketplace the events of its demands. */
int matcher_feed_filter(void *core,
                        rantai_txn_t *txn,
                        const rantai_principal_t *who,
                        const Rantai__V1__Party *party,
                        rantai_event_t *ev,
                        rantai_arena_t *arena,
                        rantai_event_t **out);

#endif
