/*  matcher_int.h - internals shared by the matcher core's files
    (matcher_core.c, matcher_state.c, matcher_pass.c, matcher_handle.c).
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
    MDB_CAND_PRICE       /* commodity \0 BE64 price offer_id -> "" */
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

/* Queue: demand itself / every OPEN demand whose commodity is a prefix
   of `commodity`. */
int matcher_enqueue(rantai_txn_t *txn, uint64_t order, const char *demand_id);
int matcher_enqueue_prefixes(rantai_txn_t *txn, const char *commodity);

/* Counters in meta. */
int matcher_counter_add(rantai_txn_t *txn, const char *key, int64_t delta);

/* Quantity in the base unit of `dim` (arena). */
Rantai__V1__Quantity *
matcher_base_qty(rantai_arena_t *arena, int dim, uint64_t norm);

/* ---- matcher_pass.c ------------------------------------------------ */

/* Run passes until every OPEN demand is stable (MATCHING.md "When passes
   run"), taking the earliest queued demand each time. */
int matcher_settle(matcher_core_t *core, rantai_txn_t *txn, int64_t now_ms);

#endif
