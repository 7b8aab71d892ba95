/*  matcher_rules.c - pure rules of docs/MATCHING.md. */
#include "matcher_rules.h"

#include "rantai/err.h"

#include <math.h>
#include <string.h>

int
matcher_qty_norm(uint64_t milli, int unit, uint64_t *norm, rantai_dim_t *dim)
{
    rantai_dim_t d = rantai_unit_dim(unit);
    if (d == RANTAI_DIM_NONE) {
        return RANTAI_EINVAL;
    }
    int rc = rantai_qty_norm(milli, unit, norm);
    if (rc != 0) {
        return rc;
    }
    *dim = d;
    return 0;
}

int
matcher_price_norm(uint64_t idr, int per, uint64_t *norm, rantai_dim_t *dim)
{
    rantai_dim_t d = rantai_unit_dim(per);
    if (d == RANTAI_DIM_NONE) {
        return RANTAI_EINVAL;
    }
    int rc = rantai_price_norm(idr, per, norm);
    if (rc != 0) {
        return rc;
    }
    *dim = d;
    return 0;
}

static double
s_rad(double deg)
{
    /* degrees x pi / 180, in this order, as the spec writes it */
    return deg * M_PI / 180.0;
}

uint64_t
matcher_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double phi1 = s_rad(lat1);
    double phi2 = s_rad(lat2);
    double dphi = s_rad(lat2) - s_rad(lat1);
    double dlam = s_rad(lon2) - s_rad(lon1);
    double s1 = sin(dphi / 2.0);
    double s2 = sin(dlam / 2.0);
    /* (cos phi1 x cos phi2) x sin^2: not ((.. x s2) x s2), which rounds
       differently and can move llround by a metre */
    double a = s1 * s1 + cos(phi1) * cos(phi2) * (s2 * s2);
    if (!(a > 0.0)) {
        a = 0.0;
    }
    if (a > 1.0) {
        a = 1.0;
    }
    double km = 2.0 * 6371.0088 * asin(sqrt(a));
    long long m = llround(1000.0 * km);
    return m < 0 ? 0 : (uint64_t) m;
}

uint64_t
matcher_landed(uint64_t price_norm,
               uint64_t transport_milli_idr_per_unit_km,
               uint64_t distance_m)
{
    uint64_t room = UINT64_MAX - price_norm;
    if (transport_milli_idr_per_unit_km != 0 &&
        distance_m > room / transport_milli_idr_per_unit_km) {
        return UINT64_MAX;
    }
    return price_norm + transport_milli_idr_per_unit_km * distance_m;
}

bool
matcher_commodity_has_prefix(const char *code, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(code, prefix, n) == 0;
}

static bool
s_has_cert(const matcher_offer_view_t *o, int scheme, int64_t valid_at)
{
    for (size_t i = 0; i < o->n_certs; i++) {
        const matcher_cert_t *c = &o->certs[i];
        if (c->scheme == scheme &&
            (c->valid_until == 0 || c->valid_until >= valid_at)) {
            return true;
        }
    }
    return false;
}

int
matcher_eligible(const matcher_offer_view_t *o,
                 const matcher_demand_view_t *d,
                 uint64_t distance_m,
                 int64_t now_ms)
{
    if (!matcher_commodity_has_prefix(o->commodity, d->commodity)) {
        return 1;
    }
    if (o->qty_dim == RANTAI_DIM_NONE || o->qty_dim != o->price_dim ||
        o->qty_dim != d->qty_dim ||
        (d->has_max_price && d->max_price_dim != d->qty_dim)) {
        return 2;
    }
    if (o->withdrawn || !o->producer_registered || o->remaining_norm == 0) {
        return 3;
    }
    if (d->has_max_price && o->price_norm > d->max_price_norm) {
        return 4;
    }
    int64_t valid_at = d->deliver_by != 0 ? d->deliver_by : now_ms;
    for (size_t i = 0; i < d->n_required; i++) {
        if (!s_has_cert(o, d->required_certs[i], valid_at)) {
            return 5;
        }
    }
    if (d->max_distance_km != 0 &&
        distance_m > 1000u * (uint64_t) d->max_distance_km) {
        return 6;
    }
    if (o->available_from != 0 && d->deliver_by != 0 &&
        o->available_from > d->deliver_by) {
        return 7;
    }
    if (o->available_until != 0 && o->available_until < now_ms) {
        return 7;
    }
    if (d->n_origin > 0) {
        bool found = false;
        for (size_t i = 0; i < d->n_origin && !found; i++) {
            found = o->province != NULL &&
                    strcmp(o->province, d->origin_provinces[i]) == 0;
        }
        if (!found) {
            return 8;
        }
    }
    if (o->barred) {
        return 9;
    }
    return 0;
}

int
matcher_rank_cmp(const matcher_rank_key_t *a, const matcher_rank_key_t *b)
{
    if (a->landed != b->landed) {
        return a->landed < b->landed ? -1 : 1;
    }
    if (a->distance_m != b->distance_m) {
        return a->distance_m < b->distance_m ? -1 : 1;
    }
    /* strcmp compares as unsigned char: bytewise */
    return strcmp(a->offer_id, b->offer_id);
}
