/*  matcher_rules.h - the pure parts of docs/MATCHING.md: normal forms,
    distance, landed cost, eligibility rules 1-9 and the ranking order.

    No store, no clock, no protobuf: callers fill plain views. Everything
    here is deterministic (the distance is IEEE double exactly as the spec
    writes it, then llround) and thread-safe. */
#ifndef MATCHER_RULES_H
#define MATCHER_RULES_H

#include "rantai/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One certificate of an offer. */
typedef struct {
    int scheme;          /* Rantai__V1__Certification */
    int64_t valid_until; /* 0 = does not expire */
} matcher_cert_t;

/* What the rules need to know about an offer O (borrowed pointers). */
typedef struct {
    const char *id;
    const char *commodity;
    rantai_dim_t qty_dim;    /* dimension of O.quantity.unit */
    rantai_dim_t price_dim;  /* dimension of O.price.per */
    uint64_t price_norm;     /* micro-rupiah per base unit */
    uint64_t remaining_norm; /* remaining capacity, milli-base-units */
    bool withdrawn;
    bool producer_registered;
    const matcher_cert_t *certs;
    size_t n_certs;
    int64_t available_from;  /* 0 = not set */
    int64_t available_until; /* 0 = open-ended */
    const char *province;    /* the producer's province ("" unknown) */
    bool barred;             /* an earlier allocation of O to D was
                                DECLINED or EXPIRED (rule 9) */
} matcher_offer_view_t;

/* What the rules need to know about a demand D (borrowed pointers). */
typedef struct {
    const char *commodity;
    rantai_dim_t qty_dim;       /* dimension of D.quantity.unit */
    bool has_max_price;         /* max_price.idr > 0 */
    rantai_dim_t max_price_dim; /* dimension of D.max_price.per */
    uint64_t max_price_norm;
    const int *required_certs; /* Rantai__V1__Certification values */
    size_t n_required;
    uint32_t max_distance_km; /* 0 = no limit */
    int64_t deliver_by;       /* 0 = not set */
    const char *const *origin_provinces;
    size_t n_origin;
} matcher_demand_view_t;

/* Ranking key of an eligible offer. */
typedef struct {
    uint64_t landed; /* micro-rupiah per base unit */
    uint64_t distance_m;
    const char *offer_id; /* borrowed */
} matcher_rank_key_t;

/* Quantity normal form (milli x factor) and the unit's dimension.
   Returns 0, RANTAI_EINVAL (unit unset/undefined) or RANTAI_ERANGE. */
int
matcher_qty_norm(uint64_t milli, int unit, uint64_t *norm, rantai_dim_t *dim);

/* Price normal form (floor(idr x 1e6 / factor)) and the dimension of
   `per`. Returns 0, RANTAI_EINVAL or RANTAI_ERANGE. */
int
matcher_price_norm(uint64_t idr, int per, uint64_t *norm, rantai_dim_t *dim);

/* Great-circle distance in whole metres from (lat1, lon1) (the offer) to
   (lat2, lon2) (the delivery point), degrees in, exactly as MATCHING.md:
   llround(1000 x 2 x 6371.0088 x asin(sqrt(a))). `a` is clamped to
   [0, 1] so rounding near antipodes cannot produce NaN. */
uint64_t matcher_distance_m(double lat1, double lon1, double lat2, double lon2);

/* Landed cost: price_norm + transport x distance_m, checked for overflow
   and saturated at UINT64_MAX (absurd rates must not wrap around). */
uint64_t matcher_landed(uint64_t price_norm,
                        uint64_t transport_milli_idr_per_unit_km,
                        uint64_t distance_m);

/* True if `prefix` is a prefix of `code` (rule 1; "" is a prefix of all). */
bool matcher_commodity_has_prefix(const char *code, const char *prefix);

/* Eligibility of O for D at `now_ms` given the distance between them.
   Returns 0 when O is eligible, else the number (1..9) of the first rule
   of MATCHING.md that fails. */
int matcher_eligible(const matcher_offer_view_t *o,
                     const matcher_demand_view_t *d,
                     uint64_t distance_m,
                     int64_t now_ms);

/* Ranking order: landed asc, distance_m asc, offer id bytewise asc.
   Negative, zero or positive like strcmp. */
int matcher_rank_cmp(const matcher_rank_key_t *a, const matcher_rank_key_t *b);

#endif
