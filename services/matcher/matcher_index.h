/*  matcher_index.h - the candidate index of the allocation pass: offers
    that may be eligible (not withdrawn, remaining > 0) keyed by
    (commodity, geo cell, price_norm, offer_id) in LMDB, and a best-first
    search over it that yields offers in exact MATCHING.md rank order
    without scanning offers that cannot rank before the pass stops.

    Databases (appended to matcher_db_names):
      cand_idx        commodity \0 BE32 cell BE64 price_norm offer_id
      cand_cells      commodity \0 BE32 cell -> BE64 offers
      cand_fine       commodity \0 BE32 cell BE32 fine BE64 price offer_id
      cand_fine_cells commodity \0 BE32 cell BE32 fine -> BE64 offers
      cand_of         offer_id -> BE16 len, cand_idx key, cand_fine key

    Cells are 1 degree, fine cells 1/8 degree. The search is best-first
    over a heap: every (commodity-with-prefix, cell) enters keyed by
    rate x min_distance(cell, delivery); popped, it is re-keyed with the
    cell's cheapest price (first cand_idx key); popped again it opens into
    its fine cells keyed by that price + rate x min_distance(fine cell);
    each fine cell is then re-keyed by its own cheapest price and walked in
    price order, each offer evaluated and pushed with its exact
    (landed, distance_m, offer_id). Every key is a lower bound of the
    landed cost of all offers below it, and at equal value a non-exact
    entry comes first, so an offer is yielded only when no unexpanded
    offer can rank before it. Only cells near enough to matter are opened,
    and inside a fine cell the distance slack is at most 1/8 degree. */
#ifndef MATCHER_INDEX_H
#define MATCHER_INDEX_H

#include "matcher_int.h"

/* Cell size in degrees (latitude and longitude). */
#define MATCHER_CELL_DEG 1.0

/* Fine cell size: a power-of-two fraction of MATCHER_CELL_DEG, so every
   fine cell lies in exactly one cell. */
#define MATCHER_FINE_DEG 0.125

/* Fine cell of a point and its distance bound, as for cells. */
uint32_t matcher_fine_cell_of(double lat, double lon);
uint64_t matcher_fine_min_distance_m(uint32_t fine, double lat, double lon);

/* Cell of a point: BE-sortable (lat row << 16 | lon column). */
uint32_t matcher_cell_of(double lat, double lon);

/* A lower bound (metres) of matcher_distance_m(p, delivery) over every
   point p of `cell`, with a margin for floating-point rounding. */
uint64_t matcher_cell_min_distance_m(uint32_t cell, double lat, double lon);

/* Bring offer `id`'s index entry in line with its record `h` (and the
   producer's current location when the offer has none). Call after every
   write of the offer record or of its producer. */
int matcher_cidx_sync(rantai_txn_t *txn,
                      const char *id,
                      const matcher_offer_hdr_t *h);

/* Build the index from the offer records when the store predates it
   (meta "cidx_version" unset); no-op afterwards. */
int matcher_cidx_ensure(rantai_txn_t *txn);

/* Evaluate one offer for the search: *key set (borrowed, must live as
   long as the pass arena) and *cand an opaque pointer when the offer is
   eligible, *cand NULL when not. */
typedef int(matcher_cidx_eval_fn)(void *arg,
                                  const char *offer_id,
                                  void **cand,
                                  const matcher_rank_key_t **key);

typedef struct matcher_cidx_iter_t matcher_cidx_iter_t;

/* What the search needs of the demand. */
typedef struct {
    const char *commodity; /* prefix */
    double lat, lon;       /* delivery point */
    uint64_t rate;         /* transport_milli_idr_per_unit_km */
    bool has_max_price;
    uint64_t max_price_norm;
    uint32_t max_distance_km; /* 0 = no limit */
} matcher_cidx_query_t;

/* Start a search (arena-allocated, no cleanup beyond the arena; the txn
   must outlive it). */
int matcher_cidx_iter_open(rantai_txn_t *txn,
                           rantai_arena_t *arena,
                           const matcher_cidx_query_t *q,
                           matcher_cidx_eval_fn *eval,
                           void *eval_arg,
                           matcher_cidx_iter_t **out);

/* Next eligible offer in rank order: 0 with *cand set, RANTAI_ENOTFOUND
   when none is left, or a store error. */
int matcher_cidx_iter_next(matcher_cidx_iter_t *it, void **cand);

/* Release the search's LMDB cursor (idempotent; the arena holds the
   rest). */
void matcher_cidx_iter_close(matcher_cidx_iter_t *it);

/* Offers evaluated so far (for tests and the benchmark). */
uint64_t matcher_cidx_iter_evaluated(const matcher_cidx_iter_t *it);

/* Offers GetDemandState's explanation looks at, at most. */
#define MATCHER_EXPLAIN_MAX 10000

/* Why demand `did` is (partly) unfilled at now_ms: its commodity
   prefix's offers (at most max_offers looked at; capped set beyond)
   counted by the first rule they fail, and the eligible ones by the pass
   step that skipped them. *out in arena. RANTAI_ENOTFOUND for an unknown
   demand, or a store error. */
int matcher_explain(rantai_txn_t *txn,
                    rantai_arena_t *arena,
                    const char *did,
                    int64_t now_ms,
                    size_t max_offers,
                    Rantai__V1__DemandExplanation **out);

/* Offers evaluated by passes since the process started (for the
   benchmark; global, not thread-safe). */
uint64_t matcher_pass_evaluated(void);

/* Work of passes and settling since the process started, for tests and
   the benchmark (global, not thread-safe, never reset). */
typedef struct {
    uint64_t passes;           /* allocation passes run */
    uint64_t offers_evaluated; /* offers judged by those passes */
    uint64_t checks;           /* (partial demand, touched offer) judged */
    uint64_t check_skips;      /* CHECK entries that needed no pass */
} matcher_pass_stats_t;

void matcher_pass_stats(matcher_pass_stats_t *out);

/* Test hook: true makes passes use the old full scan of the offers of the
   demand's commodity prefix instead of the index (global, not
   thread-safe). */
void matcher_pass_use_scan(bool on);

#endif
