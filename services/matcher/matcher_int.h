/*  matcher_int.h - internals shared by the matcher core's files
    (matcher_core.c, matcher_state.c, matcher_times.c, matcher_pass.c,
    matcher_settle.c, matcher_handle.c).
    Not a public interface: records are native-endian structs local to
    one machine's store (the feed and replies carry only protobuf). */
#ifndef MATCHER_INT_H
#define MATCHER_INT_H

#include "evlog.h"
#include "matcher_core.h"
#include "matcher_rules.h"
#include "rantai/err.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Databases, in the order of matcher_db_names. */
enum {
    MDB_PRODUCERS = RANTAI_DB_FIRST, /* id -> matcher_producer_t */
    MDB_BUYERS,                      /* id -> marketplace_id bytes */
    MDB_OFFERS,            /* id -> matcher_offer_hdr_t, certs, packed Offer */
    MDB_DEMANDS,           /* id -> matcher_demand_hdr_t, packed Demand */
    MDB_ALLOCS,            /* demand_id \0 BE32 n -> BE64 ctr, packed Alloc */
    MDB_OFFER_ALLOCS,      /* offer_id \0 BE64 ctr -> alloc key (live only) */
    MDB_PAIRS,             /* demand_id \0 offer_id -> matcher_pair_t */
    MDB_OPEN_BY_ORDER,     /* BE64 order -> demand_id (OPEN demands) */
    MDB_OPEN_BY_COMMODITY, /* commodity \0 BE64 order -> demand_id (OPEN) */
    MDB_OFFERS_BY_COMMODITY, /* commodity \0 offer_id -> "" (not withdrawn) */
    MDB_PRODUCER_OFFERS,     /* producer_id \0 offer_id -> "" */
    MDB_PROPOSED_BY_TIME,    /* BE64 created_at alloc key -> "" (PROPOSED) */
    MDB_DEADLINES,           /* BE64 deliver_by demand_id -> "" (OPEN) */
    MDB_QUEUE,               /* BE64 order -> demand_id (settle queue) */
    MDB_CAND_IDX,            /* candidate index, matcher_index.h */
    MDB_CAND_CELLS,          /* (commodity, cell) -> offers in cand_idx */
    MDB_CAND_OF,             /* offer_id -> its cand_idx keys */
    MDB_CAND_FINE,       /* the index again with a fine cell after the cell */
    MDB_CAND_FINE_CELLS, /* (commodity, cell, fine cell) -> offers */
    MDB_CAND_PRICE,      /* commodity \0 BE64 price offer_id -> "" */
    MDB_OPEN_AON,        /* commodity \0 BE64 order -> demand_id (OPEN,
                            allow_partial false) */
    MDB_TOUCHED,         /* offer_id -> "" (offers to check in this settle) */
    MDB_ELIG_TIMES       /* BE64 t offer_id -> "" (eligibility ends after t) */
};

#define MATCHER_OFFER_WITHDRAWN    1u
#define MATCHER_OFFER_HAS_LOCATION 2u

/* Key buffer sizes: ids <= 64, commodity <= 12. */
#define MATCHER_KEY_MAX 160

typedef struct {
    char cooperative_id[RANTAI_ID_MAX + 1];
    char province[8];
    uint32_t has_location;
    uint32_t pad;
    double lat, lon;
} matcher_producer_t;

typedef struct {
    char producer_id[RANTAI_ID_MAX + 1];
    char commodity[RANTAI_COMMODITY_MAX + 1];
    uint32_t flags;
    int32_t qty_dim, price_dim, price_per;
    uint32_t n_certs, packed_len;
    uint64_t capacity_norm, min_order_norm, price_norm, price_idr;
    uint64_t allocated_norm; /* sum of live (PROPOSED + ACCEPTED) */
    double lat, lon;         /* own location when HAS_LOCATION */
    int64_t available_from, available_until;
} matcher_offer_hdr_t;

/* An offer record loaded into an arena. */
typedef struct {
    matcher_offer_hdr_t h;
    matcher_cert_t *certs;
    const void *packed; /* the Offer as last put */
} matcher_offer_t;

typedef struct {
    char buyer_id[RANTAI_ID_MAX + 1];
    char commodity[RANTAI_COMMODITY_MAX + 1];
    uint32_t status; /* Rantai__V1__DemandStatus */
    int32_t dim;
    uint64_t order; /* posting order, from 1 */
    uint64_t quantity_norm, filled_norm;
    uint32_t next_n;         /* n of the next allocation */
    uint32_t live_suppliers; /* distinct offers with a live allocation */
    uint32_t proposed;       /* allocations in state PROPOSED */
    uint32_t packed_len;
    int64_t deliver_by;
} matcher_demand_hdr_t;

typedef struct {
    matcher_demand_hdr_t h;
    const void *packed;
} matcher_demand_t;

typedef struct {
    uint32_t live;   /* live allocations of the offer to the demand */
    uint32_t barred; /* one was DECLINED or EXPIRED (rule 9) */
} matcher_pair_t;

struct matcher_core_t {
    int64_t accept_timeout_ms;
    rantai_arena_t *scratch; /* per pass, reset after each */
    rantai_arena_t *tmp;     /* per offer looked at, reset before each */
};

/* ---- matcher_state.c: records, indexes, transitions ---------------- */

/* Key "a \0 b" into buf; returns its length. */
size_t matcher_key2(uint8_t *buf, const char *a, const char *b);

int
matcher_producer_get(rantai_txn_t *txn, const char *id, matcher_producer_t *p);
int matcher_offer_get(rantai_txn_t *txn,
                      rantai_arena_t *arena,
                      const char *id,
                      matcher_offer_t *o);
int
matcher_offer_put(rantai_txn_t *txn, const char *id, const matcher_offer_t *o);
int matcher_demand_get(rantai_txn_t *txn,
                       rantai_arena_t *arena,
                       const char *id,
                       matcher_demand_t *d);
int matcher_demand_put(rantai_txn_t *txn,
                       const char *id,
                       const matcher_demand_t *d);
int matcher_pair_get(rantai_txn_t *txn,
                     const char *demand_id,
                     const char *offer_id,
                     matcher_pair_t *p);

/* Load allocation n of demand_id (decoded into arena) and its creation
   counter. RANTAI_ENOTFOUND when absent. */
int matcher_alloc_get(rantai_txn_t *txn,
                      rantai_arena_t *arena,
                      const char *demand_id,
                      uint32_t n,
                      Rantai__V1__Allocation **out,
                      uint64_t *ctr);

/* Parse "<demand_id>/<n>"; demand_id copied into buf (RANTAI_ID_MAX+1).
   RANTAI_EINVAL when malformed. */
int matcher_alloc_id_parse(const char *id, char *demand_id, uint32_t *n);

/* All-or-nothing (allow_partial false)? A record that does not decode
   counts as one: those always get full passes, the safe side. Decodes
   into arena. */
bool matcher_demand_aon(rantai_arena_t *arena, const matcher_demand_t *d);

/* Status a live demand should have from its counters. */
uint32_t matcher_demand_live_status(const matcher_demand_hdr_t *h);

/* Move demand `id` (record d, already holding its new counters) to
   status `status`, keeping the OPEN indexes, deadline index and the
   open_demands counter right; stores the record. Emits demand_updated
   when status or remaining changed against old_status/old_remaining. */
int matcher_demand_commit(rantai_txn_t *txn,
                          rantai_arena_t *arena,
                          const char *id,
                          matcher_demand_t *d,
                          uint32_t old_status,
                          uint64_t old_filled,
                          uint32_t status,
                          bool emit,
                          int64_t now_ms);

/* Append an event (time = now_ms); *seq may be NULL. */
int matcher_emit(rantai_txn_t *txn,
                 rantai_event_t *ev,
                 int64_t now_ms,
                 uint64_t *seq);

/* Change the state of a live allocation (PROPOSED -> ACCEPTED, or a live
   state -> DECLINED / EXPIRED / CANCELLED) with every index, counter and
   capacity that follows; bars the pair on DECLINED/EXPIRED; appends
   allocation_updated{reason}; re-queues the demand and the demands
   sharing the offer's prefixes when capacity was returned. The demand's
   status is NOT refreshed (callers batch that); its record is updated.
   *seq gets the event's seq (may be NULL). */
int matcher_alloc_transition(rantai_txn_t *txn,
                             rantai_arena_t *arena,
                             const Rantai__V1__Allocation *a,
                             uint64_t ctr,
                             int state,
                             const char *reason,
                             int64_t now_ms,
                             uint64_t *seq);

/* matcher_alloc_transition, then refresh the demand's status (unless it
   is CANCELLED or EXPIRED) with a demand_updated when it changed. */
int matcher_alloc_change(rantai_txn_t *txn,
                         rantai_arena_t *arena,
                         const Rantai__V1__Allocation *a,
                         uint64_t ctr,
                         int state,
                         const char *reason,
                         int64_t now_ms,
                         uint64_t *seq);

/* Recompute a live demand's status after transitions and emit
   demand_updated when it or remaining changed. old_* as before. */
int matcher_demand_refresh(rantai_txn_t *txn,
                           rantai_arena_t *arena,
                           const char *id,
                           uint32_t old_status,
                           uint64_t old_filled,
                           int64_t now_ms);

/* Store a new PROPOSED allocation `a` (n of demand did) with its
   offer index, time index, pair count and live counter. The caller
   updates the demand and offer records. */
int matcher_alloc_create(rantai_txn_t *txn,
                         rantai_arena_t *arena,
                         const Rantai__V1__Allocation *a,
                         const char *did,
                         uint32_t n);

/* Split an alloc key (demand_id \0 BE32 n); did needs RANTAI_ID_MAX+1. */
int
matcher_alloc_key_parse(const void *key, size_t len, char *did, uint32_t *n);

/* MDB_QUEUE and MDB_TOUCHED are emptied by every settle. LMDB frees the
   root page of a database that becomes empty and allocates a new one for
   the next put, a fresh dirty page per event that LMDB then caches on
   the heap for good: each keeps one sentinel entry instead, the key
   "\0" (1 byte in MDB_TOUCHED, 8 in MDB_QUEUE: order 0 is never used),
   which every reader skips. */
#define MATCHER_SENTINEL "\0\0\0\0\0\0\0\0"

static inline bool
matcher_is_sentinel(const void *key, size_t len)
{
    return (len == 1 || len == 8) && memcmp(key, MATCHER_SENTINEL, len) == 0;
}

/* Settle queue values: a mode byte, then the demand id. A FULL entry
   runs the demand's pass; a CHECK entry (partial demands only) first
   asks whether one of this settle's touched offers lets the pass
   allocate (matcher_settle.c). FULL wins over CHECK. */
#define MATCHER_QUEUE_FULL  'F'
#define MATCHER_QUEUE_CHECK 'C'

/* Queue the demand itself for a full pass. */
int matcher_enqueue(rantai_txn_t *txn, uint64_t order, const char *demand_id);

/* Queue (CHECK) unless it is already queued. */
int
matcher_enqueue_check(rantai_txn_t *txn, uint64_t order, const char *demand_id);

/* Queue for a full pass every OPEN all-or-nothing demand whose commodity
   is a prefix of `commodity`: what offer changes that cannot help a
   partial demand (capacity taken or lost, withdrawal, passing time) need.
   See matcher_settle.c for why partial demands are left out. */
int matcher_enqueue_aon(rantai_txn_t *txn, const char *commodity);

/* Offer `id` (of `commodity`) was put, gained capacity or its producer
   changed: queue the all-or-nothing demands of its prefixes and mark it
   touched, so the next settle checks the partial demands against it. */
int
matcher_offer_touched(rantai_txn_t *txn, const char *id, const char *commodity);

/* ---- matcher_times.c: eligibility times, auxiliary databases ------- */

/* Keep the eligibility-time index of offer `id` right: remove the times
   of `old` (may be NULL), add those of `now` (NULL when withdrawn). */
int matcher_elig_times_sync(rantai_txn_t *txn,
                            const char *id,
                            const matcher_offer_t *old,
                            const matcher_offer_t *now);

/* Re-queue the all-or-nothing demands of every offer whose eligibility
   ended before now_ms (entries with t < now_ms), removing the entries.
   *fired (may be NULL) gets how many. */
int matcher_elig_times_fire(rantai_txn_t *txn, int64_t now_ms, size_t *fired);

/* True when some eligibility time is before now_ms. */
bool matcher_elig_times_due(rantai_txn_t *txn, int64_t now_ms);

/* Build MDB_OPEN_AON and MDB_ELIG_TIMES when the store predates them
   (meta "aux_version"); no-op afterwards. */
int matcher_aux_ensure(rantai_txn_t *txn);

/* ---- matcher_state.c ---------------------------------------------- */

/* Counters in meta. */
int matcher_counter_add(rantai_txn_t *txn, const char *key, int64_t delta);

/* Quantity in the base unit of `dim` (arena). */
Rantai__V1__Quantity *
matcher_base_qty(rantai_arena_t *arena, int dim, uint64_t norm);

/* ---- matcher_pass.c ------------------------------------------------ */

/* What is left of offer h to allocate: 0 when withdrawn or full. */
uint64_t matcher_offer_remaining(const matcher_offer_hdr_t *h);

/* A demand as the rules see it, plus what a pass needs. */
typedef struct {
    matcher_demand_view_t view;
    const Rantai__V1__Demand *msg;
    double lat, lon; /* delivery point */
} matcher_dctx_t;

/* Decode demand d (arena). RANTAI_EINVAL when its max_price is broken
   (no offer can satisfy it), RANTAI_EINTERNAL when it does not decode. */
int matcher_dctx(rantai_arena_t *arena,
                 const matcher_demand_t *d,
                 matcher_dctx_t *dc);

/* An offer with what eligibility needs of its producer. */
typedef struct {
    matcher_offer_t offer;
    matcher_producer_t producer;
    bool registered;
    double lat, lon; /* the offer's own location, else its producer's */
} matcher_loaded_t;

/* Load offer oid (arena) and its producer. RANTAI_ENOTFOUND if none. */
int matcher_offer_load(rantai_txn_t *txn,
                       rantai_arena_t *arena,
                       const char *oid,
                       matcher_loaded_t *l);

/* A loaded offer judged for one demand at now_ms. */
typedef struct {
    int rule; /* 0 eligible, else the first MATCHING.md rule it fails */
    bool has_live;
    uint64_t remaining, distance_m, landed;
} matcher_judged_t;

int matcher_offer_judge(rantai_txn_t *txn,
                        const char *demand_id,
                        const matcher_dctx_t *dc,
                        const char *oid,
                        const matcher_loaded_t *l,
                        int64_t now_ms,
                        matcher_judged_t *j);

/* One allocation pass of demand `did` (MATCHING.md "Allocation pass");
   a demand that is gone, not OPEN, filled or has a broken max_price is
   left alone. *allocated says whether the pass committed allocations.
   Uses core->scratch and core->tmp; the caller resets scratch after. */
int matcher_pass_run(matcher_core_t *core,
                     rantai_txn_t *txn,
                     const char *did,
                     int64_t now_ms,
                     bool *allocated);

/* ---- matcher_settle.c ---------------------------------------------- */

/* Run passes until every OPEN demand is stable (MATCHING.md "When passes
   run"), taking the earliest queued demand each time. */
int matcher_settle(matcher_core_t *core, rantai_txn_t *txn, int64_t now_ms);

/* The settle's counters for matcher_pass_stats: (partial demand, touched
   offer) pairs judged, and CHECK entries that needed no pass. */
void matcher_settle_counts(uint64_t *checks, uint64_t *check_skips);

#endif
