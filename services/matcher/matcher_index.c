/*  matcher_index.c - the candidate index and its best-first search (see
    matcher_index.h for the layout and the ordering argument). */
#include "matcher_index.h"

#include <math.h>
#include <string.h>

#define S_EARTH_KM 6371.0088

/* ---- geometry ------------------------------------------------------ */

static double
s_rad(double deg)
{
    return deg * M_PI / 180.0;
}

/* Haversine in metres, unrounded, as matcher_distance_m computes it. */
static double
s_hav_m(double lat1, double lon1, double lat2, double lon2)
{
    double s1 = sin((s_rad(lat2) - s_rad(lat1)) / 2.0);
    double s2 = sin((s_rad(lon2) - s_rad(lon1)) / 2.0);
    double a = s1 * s1 + cos(s_rad(lat1)) * cos(s_rad(lat2)) * (s2 * s2);
    a = a > 0.0 ? (a < 1.0 ? a : 1.0) : 0.0;
    return 1000.0 * 2.0 * S_EARTH_KM * asin(sqrt(a));
}

static double
s_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

uint32_t
matcher_cell_of(double lat, double lon)
{
    if (!(lat >= -90.0)) {
        lat = -90.0; /* NaN lands here too: the registry refuses it */
    }
    if (!(lon >= -180.0)) {
        lon = -180.0;
    }
    double r = floor((s_clamp(lat, -90.0, 90.0) + 90.0) / MATCHER_CELL_DEG);
    double c = floor((s_clamp(lon, -180.0, 180.0) + 180.0) / MATCHER_CELL_DEG);
    return ((uint32_t) r << 16) | (uint32_t) c;
}

/* Shortest distance from (lat, lon) to the meridian segment at longitude
   `e` between lat0 and lat1: the foot of the perpendicular onto the
   meridian's great circle, clamped to the segment (distance grows
   monotonically away from the foot). Beyond 90 degrees of longitude the
   bound is simply 0. */
static double
s_edge_m(double lat, double lon, double e, double lat0, double lat1)
{
    double dl = fmod(lon - e, 360.0);
    if (dl > 180.0) {
        dl -= 360.0;
    } else if (dl < -180.0) {
        dl += 360.0;
    }
    if (fabs(dl) >= 90.0) {
        return 0.0;
    }
    double foot = atan2(tan(s_rad(lat)), cos(s_rad(dl))) * 180.0 / M_PI;
    return s_hav_m(lat, lon, s_clamp(foot, lat0, lat1), e);
}

/* Lower bound from (lat, lon) to the box of row r, column c of a grid of
   `deg` degree cells. */
static uint64_t
s_box_min_m(uint32_t r, uint32_t c, double deg, double lat, double lon)
{
    double lat0 = (double) r * deg - 90.0;
    double lon0 = (double) c * deg - 180.0;
    double lat1 = lat0 + deg;
    double lon1 = lon0 + deg;
    double d;
    if (lon >= lon0 && lon <= lon1) {
        /* along the meridian: R x |dphi| */
        double cl = s_clamp(lat, lat0, lat1);
        d = 1000.0 * S_EARTH_KM * fabs(s_rad(lat) - s_rad(cl));
    } else {
        double a = s_edge_m(lat, lon, lon0, lat0, lat1);
        double b = s_edge_m(lat, lon, lon1, lat0, lat1);
        d = a < b ? a : b;
    }
    /* the spec's distance is llround of a double computed another way:
       keep a margin well above any rounding difference */
    d = d * (1.0 - 1e-9) - 2.0;
    return d > 0.0 ? (uint64_t) d : 0;
}

uint64_t
matcher_cell_min_distance_m(uint32_t cell, double lat, double lon)
{
    return s_box_min_m(cell >> 16, cell & 0xffffu, MATCHER_CELL_DEG, lat, lon);
}

uint32_t
matcher_fine_cell_of(double lat, double lon)
{
    if (!(lat >= -90.0)) {
        lat = -90.0;
    }
    if (!(lon >= -180.0)) {
        lon = -180.0;
    }
    double r = floor((s_clamp(lat, -90.0, 90.0) + 90.0) / MATCHER_FINE_DEG);
    double c = floor((s_clamp(lon, -180.0, 180.0) + 180.0) / MATCHER_FINE_DEG);
    return ((uint32_t) r << 16) | (uint32_t) c;
}

uint64_t
matcher_fine_min_distance_m(uint32_t fine, double lat, double lon)
{
    return s_box_min_m(fine >> 16, fine & 0xffffu, MATCHER_FINE_DEG, lat, lon);
}

/* ---- maintenance --------------------------------------------------- */

static void
s_be32(uint8_t *k, uint32_t v)
{
    k[0] = (uint8_t) (v >> 24);
    k[1] = (uint8_t) (v >> 16);
    k[2] = (uint8_t) (v >> 8);
    k[3] = (uint8_t) v;
}

static uint32_t
s_get32(const uint8_t *k)
{
    return ((uint32_t) k[0] << 24) | ((uint32_t) k[1] << 16) |
           ((uint32_t) k[2] << 8) | k[3];
}

/* cand_idx key (fine == NULL) or cand_fine key. */
static size_t
s_idx_key(uint8_t *k,
          const char *commodity,
          uint32_t cell,
          const uint32_t *fine,
          uint64_t price,
          const char *id)
{
    size_t cl = strlen(commodity);
    size_t il = strlen(id);
    memcpy(k, commodity, cl);
    k[cl] = 0;
    size_t o = cl + 1;
    s_be32(k + o, cell);
    o += 4;
    if (fine != NULL) {
        s_be32(k + o, *fine);
        o += 4;
    }
    rantai_be64_put(k + o, price);
    memcpy(k + o + 8, id, il);
    return o + 8 + il;
}

static int
s_count_add(rantai_txn_t *txn, int db, const uint8_t *ck, size_t cl, int delta)
{
    rantai_val_t v;
    uint64_t n = 0;
    int rc = rantai_get(txn, db, ck, cl, &v);
    if (rc == 0 && v.size == 8) {
        n = rantai_be64_get(v.data);
    } else if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    n = delta < 0 ? (n > 0 ? n - 1 : 0) : n + 1;
    if (n == 0) {
        rc = rantai_del(txn, db, ck, cl);
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    uint8_t b[8];
    rantai_be64_put(b, n);
    return rantai_put(txn, db, ck, cl, b, 8);
}

/* Add or remove one key pair (k1 in cand_idx, k2 in cand_fine) with the
   cell counters; the cell prefix of k1 ends 5 bytes after its \0, that
   of k2 9 bytes after. */
static int
s_keys_apply(rantai_txn_t *txn,
             const uint8_t *k1,
             size_t l1,
             const uint8_t *k2,
             size_t l2,
             bool add)
{
    const uint8_t *z = memchr(k1, 0, l1);
    if (z == NULL) {
        return RANTAI_EINTERNAL;
    }
    size_t c1 = (size_t) (z - k1) + 5;
    size_t c2 = c1 + 4;
    if (c1 + 8 > l1 || c2 + 8 > l2) {
        return RANTAI_EINTERNAL;
    }
    /* the commodity's price order: k1 without its cell */
    uint8_t k3[MATCHER_KEY_MAX];
    size_t l3 = l1 - 4;
    memcpy(k3, k1, c1 - 4);
    memcpy(k3 + c1 - 4, k1 + c1, l1 - c1);
    int rc;
    if (add) {
        rc = rantai_put(txn, MDB_CAND_IDX, k1, l1, "", 0);
        if (rc == 0) {
            rc = rantai_put(txn, MDB_CAND_FINE, k2, l2, "", 0);
        }
        if (rc == 0) {
            rc = rantai_put(txn, MDB_CAND_PRICE, k3, l3, "", 0);
        }
    } else {
        rc = rantai_del(txn, MDB_CAND_IDX, k1, l1);
        if (rc == 0 || rc == RANTAI_ENOTFOUND) {
            rc = rantai_del(txn, MDB_CAND_FINE, k2, l2);
        }
        if (rc == 0 || rc == RANTAI_ENOTFOUND) {
            rc = rantai_del(txn, MDB_CAND_PRICE, k3, l3);
        }
        rc = rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    if (rc == 0) {
        rc = s_count_add(txn, MDB_CAND_CELLS, k1, c1, add ? 1 : -1);
    }
    if (rc == 0) {
        rc = s_count_add(txn, MDB_CAND_FINE_CELLS, k2, c2, add ? 1 : -1);
    }
    return rc;
}

int
matcher_cidx_sync(rantai_txn_t *txn,
                  const char *id,
                  const matcher_offer_hdr_t *h)
{
    uint8_t nv[2 + 2 * MATCHER_KEY_MAX];
    size_t nvl = 0, l1 = 0, l2 = 0;
    if ((h->flags & MATCHER_OFFER_WITHDRAWN) == 0 &&
        h->allocated_norm < h->capacity_norm) {
        double lat = 0.0, lon = 0.0;
        matcher_producer_t p;
        if ((h->flags & MATCHER_OFFER_HAS_LOCATION) != 0) {
            lat = h->lat;
            lon = h->lon;
        } else {
            int rc = matcher_producer_get(txn, h->producer_id, &p);
            if (rc == 0 && p.has_location) {
                lat = p.lat;
                lon = p.lon;
            } else if (rc != 0 && rc != RANTAI_ENOTFOUND) {
                return rc;
            }
        }
        uint32_t cell = matcher_cell_of(lat, lon);
        uint32_t fine = matcher_fine_cell_of(lat, lon);
        l1 = s_idx_key(nv + 2, h->commodity, cell, NULL, h->price_norm, id);
        l2 = s_idx_key(nv + 2 + l1, h->commodity, cell, &fine, h->price_norm,
                       id);
        nv[0] = (uint8_t) (l1 >> 8);
        nv[1] = (uint8_t) l1;
        nvl = 2 + l1 + l2;
    }
    size_t il = strlen(id);
    rantai_val_t v;
    int rc = rantai_get(txn, MDB_CAND_OF, id, il, &v);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    bool had = rc == 0;
    if (had) {
        if (v.size == nvl && memcmp(v.data, nv, nvl) == 0) {
            return 0;
        }
        uint8_t ov[2 + 2 * MATCHER_KEY_MAX];
        if (v.size < 2 || v.size > sizeof(ov)) {
            return RANTAI_EINTERNAL;
        }
        memcpy(ov, v.data, v.size);
        size_t o1 = ((size_t) ov[0] << 8) | ov[1];
        if (2 + o1 > v.size) {
            return RANTAI_EINTERNAL;
        }
        rc = s_keys_apply(txn, ov + 2, o1, ov + 2 + o1, v.size - 2 - o1, false);
        if (rc != 0) {
            return rc;
        }
    }
    if (nvl == 0) {
        if (!had) {
            return 0;
        }
        rc = rantai_del(txn, MDB_CAND_OF, id, il);
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    rc = s_keys_apply(txn, nv + 2, l1, nv + 2 + l1, l2, true);
    if (rc == 0) {
        rc = rantai_put(txn, MDB_CAND_OF, id, il, nv, nvl);
    }
    return rc;
}

int
matcher_cidx_ensure(rantai_txn_t *txn)
{
    if (rantai_meta_u64(txn, "cidx_version") == 3) {
        return 0;
    }
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, MDB_OFFERS, &cur);
    rantai_val_t kv, vv;
    if (rc == 0) {
        rc = rantai_cursor_seek(cur, NULL, 0, &kv, &vv);
    }
    while (rc == 0) {
        char id[RANTAI_ID_MAX + 1];
        size_t il = kv.size > RANTAI_ID_MAX ? RANTAI_ID_MAX : kv.size;
        memcpy(id, kv.data, il);
        id[il] = 0;
        matcher_offer_hdr_t h;
        if (vv.size >= sizeof(h)) {
            memcpy(&h, vv.data, sizeof(h));
            rc = matcher_cidx_sync(txn, id, &h);
            if (rc == 0) {
                rc = rantai_cursor_seek(cur, id, il, &kv, &vv);
            }
        }
        if (rc == 0) {
            rc = rantai_cursor_next(cur, &kv, &vv);
        }
    }
    rantai_cursor_close(&cur);
    if (rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    return rantai_meta_put_u64(txn, "cidx_version", 3);
}

/* ---- best-first search --------------------------------------------- */

enum {
    S_CELL = 0, /* a cell, its cheapest price not yet read */
    S_CELL_P,   /* a cell keyed by its cheapest price: opens */
    S_FINE,     /* a fine cell, its cheapest price not yet read */
    S_FINE_P,   /* a fine cell at one of its offers */
    S_EXACT     /* an evaluated, eligible offer */
};

typedef struct {
    uint64_t value;
    int kind;
    const uint8_t *key; /* cell prefix or, for S_FINE_P, the offer's key */
    uint32_t klen, plen;
    uint64_t mind;  /* distance bound of the (fine) cell */
    uint64_t price; /* S_CELL_P: the cell's cheapest price */
    const matcher_rank_key_t *rk;
    void *cand;
} s_ent_t;

struct matcher_cidx_iter_t {
    rantai_arena_t *arena;
    rantai_cursor_t *cur;  /* cand_idx */
    rantai_cursor_t *fcur; /* cand_fine */
    rantai_cursor_t *ccur; /* cand_fine_cells */
    matcher_cidx_query_t q;
    matcher_cidx_eval_fn *eval;
    void *eval_arg;
    s_ent_t *heap;
    size_t n, cap;
    uint64_t evaluated;
};

static int
s_ent_cmp(const s_ent_t *a, const s_ent_t *b)
{
    if (a->value != b->value) {
        return a->value < b->value ? -1 : 1;
    }
    bool ea = a->kind == S_EXACT, eb = b->kind == S_EXACT;
    if (ea != eb) {
        return ea ? 1 : -1; /* unexpanded entries first at equal value */
    }
    if (ea) {
        return matcher_rank_cmp(a->rk, b->rk);
    }
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    uint32_t l = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, l);
    return c != 0 ? c : (int) a->klen - (int) b->klen;
}

static void
s_push(matcher_cidx_iter_t *it, const s_ent_t *e)
{
    if (it->n == it->cap) {
        size_t cap = it->cap == 0 ? 64 : it->cap * 2;
        s_ent_t *h = rantai_arena_alloc(it->arena, cap * sizeof(*h));
        if (it->n > 0) {
            memcpy(h, it->heap, it->n * sizeof(*h));
        }
        it->heap = h;
        it->cap = cap;
    }
    size_t i = it->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s_ent_cmp(&it->heap[p], e) <= 0) {
            break;
        }
        it->heap[i] = it->heap[p];
        i = p;
    }
    it->heap[i] = *e;
}

static s_ent_t
s_pop(matcher_cidx_iter_t *it)
{
    s_ent_t top = it->heap[0];
    s_ent_t last = it->heap[--it->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= it->n) {
            break;
        }
        size_t m =
            l + 1 < it->n && s_ent_cmp(&it->heap[l + 1], &it->heap[l]) < 0
                ? l + 1
                : l;
        if (s_ent_cmp(&last, &it->heap[m]) <= 0) {
            break;
        }
        it->heap[i] = it->heap[m];
        i = m;
    }
    if (it->n > 0) {
        it->heap[i] = last;
    }
    return top;
}

static const uint8_t *
s_dup(matcher_cidx_iter_t *it, const void *p, size_t n)
{
    uint8_t *d = rantai_arena_alloc(it->arena, n);
    memcpy(d, p, n);
    return d;
}

static bool
s_price_ok(const matcher_cidx_iter_t *it, uint64_t price)
{
    return !it->q.has_max_price || price <= it->q.max_price_norm;
}

int
matcher_cidx_iter_open(rantai_txn_t *txn,
                       rantai_arena_t *arena,
                       const matcher_cidx_query_t *q,
                       matcher_cidx_eval_fn *eval,
                       void *eval_arg,
                       matcher_cidx_iter_t **out)
{
    matcher_cidx_iter_t *it = RANTAI_ANEW(arena, matcher_cidx_iter_t);
    memset(it, 0, sizeof(*it));
    it->arena = arena;
    it->q = *q;
    it->eval = eval;
    it->eval_arg = eval_arg;
    rantai_cursor_t *cc = NULL;
    int rc = rantai_cursor_open(txn, MDB_CAND_IDX, &it->cur);
    if (rc == 0) {
        rc = rantai_cursor_open(txn, MDB_CAND_FINE, &it->fcur);
    }
    if (rc == 0) {
        rc = rantai_cursor_open(txn, MDB_CAND_FINE_CELLS, &it->ccur);
    }
    if (rc == 0) {
        rc = rantai_cursor_open(txn, MDB_CAND_CELLS, &cc);
    }
    if (rc != 0) {
        matcher_cidx_iter_close(it);
        return rc;
    }
    rantai_cursor_t *pc = NULL;
    rc = rantai_cursor_open(txn, MDB_CAND_PRICE, &pc);
    if (rc != 0) {
        rantai_cursor_close(&cc);
        matcher_cidx_iter_close(it);
        return rc;
    }
    size_t pl = strlen(q->commodity);
    uint64_t max_m = 1000u * (uint64_t) q->max_distance_km;
    uint8_t comm[RANTAI_COMMODITY_MAX + 2] = {0};
    size_t comml = 0;
    uint64_t minprice = 0;
    rantai_val_t kv, vv;
    rc = rantai_cursor_seek(cc, q->commodity, pl, &kv, &vv);
    while (rc == 0 && kv.size >= pl && memcmp(kv.data, q->commodity, pl) == 0) {
        const uint8_t *z = memchr(kv.data, 0, kv.size);
        if (z != NULL &&
            (size_t) (z - (const uint8_t *) kv.data) + 5 == kv.size) {
            size_t cl = kv.size - 4; /* commodity \0 */
            if (cl != comml || memcmp(comm, kv.data, cl) != 0) {
                /* a new commodity: its cheapest offer bounds its cells */
                if (cl > sizeof(comm)) {
                    break;
                }
                memcpy(comm, kv.data, cl);
                comml = cl;
                rantai_val_t pk, pv;
                int prc = rantai_cursor_seek(pc, comm, comml, &pk, &pv);
                minprice = 0;
                if (prc == 0 && pk.size > comml + 8 &&
                    memcmp(pk.data, comm, comml) == 0) {
                    minprice =
                        rantai_be64_get((const uint8_t *) pk.data + comml);
                } else if (prc != 0 && prc != RANTAI_ENOTFOUND) {
                    rc = prc;
                    break;
                }
            }
            uint32_t cell = s_get32((const uint8_t *) kv.data + kv.size - 4);
            uint64_t mind = matcher_cell_min_distance_m(cell, q->lat, q->lon);
            if ((q->max_distance_km == 0 || mind <= max_m) &&
                s_price_ok(it, minprice)) {
                s_ent_t e;
                memset(&e, 0, sizeof(e));
                e.kind = S_CELL;
                e.key = s_dup(it, kv.data, kv.size);
                e.klen = e.plen = (uint32_t) kv.size;
                e.mind = mind;
                e.value = matcher_landed(minprice, q->rate, mind);
                s_push(it, &e);
            }
        }
        rc = rantai_cursor_next(cc, &kv, &vv);
    }
    rantai_cursor_close(&cc);
    rantai_cursor_close(&pc);
    if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        matcher_cidx_iter_close(it);
        return rc;
    }
    *out = it;
    return 0;
}

/* The first key of prefix (key, plen) in cursor cur: 0 with *price and
   kv set, RANTAI_ENOTFOUND when the prefix is empty. */
static int
s_first(rantai_cursor_t *cur,
        const uint8_t *key,
        uint32_t plen,
        rantai_val_t *kv,
        uint64_t *price)
{
    rantai_val_t vv;
    int rc = rantai_cursor_seek(cur, key, plen, kv, &vv);
    if (rc != 0) {
        return rc;
    }
    if (kv->size <= (size_t) plen + 8 || memcmp(kv->data, key, plen) != 0) {
        return RANTAI_ENOTFOUND;
    }
    *price = rantai_be64_get((const uint8_t *) kv->data + plen);
    return 0;
}

/* Open a priced cell: push each of its fine cells (near enough). */
static int
s_open_cell(matcher_cidx_iter_t *it, const s_ent_t *e)
{
    uint64_t max_m = 1000u * (uint64_t) it->q.max_distance_km;
    rantai_val_t kv, vv;
    int rc = rantai_cursor_seek(it->ccur, e->key, e->plen, &kv, &vv);
    while (rc == 0 && kv.size == (size_t) e->plen + 4 &&
           memcmp(kv.data, e->key, e->plen) == 0) {
        uint32_t fine = s_get32((const uint8_t *) kv.data + e->plen);
        uint64_t mind = matcher_fine_min_distance_m(fine, it->q.lat, it->q.lon);
        if (it->q.max_distance_km == 0 || mind <= max_m) {
            s_ent_t f;
            memset(&f, 0, sizeof(f));
            f.kind = S_FINE;
            f.key = s_dup(it, kv.data, kv.size);
            f.klen = f.plen = (uint32_t) kv.size;
            f.mind = mind;
            /* the cell's cheapest price bounds every fine cell in it */
            f.value = matcher_landed(e->price, it->q.rate, mind);
            s_push(it, &f);
        }
        rc = rantai_cursor_next(it->ccur, &kv, &vv);
    }
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}

/* Evaluate the offer of a fine cell's entry; push the cell's next. The
   popped entry's key buffer (MATCHER_KEY_MAX bytes, owned by that entry
   alone) carries the next key, so walking many offers does not grow the
   arena. */
static int
s_walk_fine(matcher_cidx_iter_t *it, const s_ent_t *e)
{
    rantai_val_t kv, vv;
    int rc = rantai_cursor_seek(it->fcur, e->key, e->klen, &kv, &vv);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    uint32_t pl = e->plen;
    if (kv.size <= (size_t) pl + 8 || memcmp(kv.data, e->key, pl) != 0) {
        return 0;
    }
    size_t il = kv.size - pl - 8;
    if (il == 0 || il > RANTAI_ID_MAX) {
        return RANTAI_EINTERNAL;
    }
    char id[RANTAI_ID_MAX + 1];
    memcpy(id, (const char *) kv.data + pl + 8, il);
    id[il] = 0;
    rc = rantai_cursor_next(it->fcur, &kv, &vv);
    if (rc == 0 && kv.size > (size_t) pl + 8 && kv.size <= MATCHER_KEY_MAX &&
        memcmp(kv.data, e->key, pl) == 0) {
        uint64_t np = rantai_be64_get((const uint8_t *) kv.data + pl);
        if (s_price_ok(it, np)) {
            s_ent_t n = *e;
            memcpy((uint8_t *) e->key, kv.data, kv.size);
            n.klen = (uint32_t) kv.size;
            n.value = matcher_landed(np, it->q.rate, e->mind);
            s_push(it, &n);
        }
    } else if (rc != 0 && rc != RANTAI_ENOTFOUND) {
        return rc;
    }
    void *cand = NULL;
    const matcher_rank_key_t *rk = NULL;
    it->evaluated++;
    rc = it->eval(it->eval_arg, id, &cand, &rk);
    if (rc == 0 && cand != NULL) {
        s_ent_t x;
        memset(&x, 0, sizeof(x));
        x.kind = S_EXACT;
        x.value = rk->landed;
        x.rk = rk;
        x.cand = cand;
        s_push(it, &x);
    }
    return rc;
}

static int
s_expand(matcher_cidx_iter_t *it, const s_ent_t *e)
{
    rantai_val_t kv;
    uint64_t price;
    int rc;
    switch (e->kind) {
        case S_CELL:
        case S_FINE:
            rc = s_first(e->kind == S_CELL ? it->cur : it->fcur, e->key,
                         e->plen, &kv, &price);
            if (rc == RANTAI_ENOTFOUND || (rc == 0 && !s_price_ok(it, price))) {
                return 0; /* empty, or every price above the limit */
            }
            if (rc == 0) {
                s_ent_t n = *e;
                n.kind = e->kind == S_CELL ? S_CELL_P : S_FINE_P;
                n.price = price;
                n.value = matcher_landed(price, it->q.rate, e->mind);
                if (n.kind == S_FINE_P) {
                    /* room for every later key of the walk */
                    if (kv.size > MATCHER_KEY_MAX) {
                        return RANTAI_EINTERNAL;
                    }
                    uint8_t *b = rantai_arena_alloc(it->arena, MATCHER_KEY_MAX);
                    memcpy(b, kv.data, kv.size);
                    n.key = b;
                    n.klen = (uint32_t) kv.size;
                }
                s_push(it, &n);
            }
            return rc;
        case S_CELL_P:
            return s_open_cell(it, e);
        case S_FINE_P:
            return s_walk_fine(it, e);
        default:
            return RANTAI_EINTERNAL;
    }
}

int
matcher_cidx_iter_next(matcher_cidx_iter_t *it, void **cand)
{
    while (it->n > 0) {
        s_ent_t e = s_pop(it);
        if (e.kind == S_EXACT) {
            *cand = e.cand;
            return 0;
        }
        int rc = s_expand(it, &e);
        if (rc != 0) {
            return rc;
        }
    }
    matcher_cidx_iter_close(it);
    return RANTAI_ENOTFOUND;
}

void
matcher_cidx_iter_close(matcher_cidx_iter_t *it)
{
    if (it == NULL) {
        return;
    }
    rantai_cursor_close(&it->cur);
    rantai_cursor_close(&it->fcur);
    rantai_cursor_close(&it->ccur);
}

uint64_t
matcher_cidx_iter_evaluated(const matcher_cidx_iter_t *it)
{
    return it->evaluated;
}
