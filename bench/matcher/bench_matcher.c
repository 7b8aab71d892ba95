/*  bench_matcher.c - the matcher core at scale (issue item 7): load N
    open offers through matcher_core_apply() in large transactions, with
    producers spread over the provinces of data/provinces.csv (Java
    weighted like its share of UMKM) and commodities of
    data/commodities.csv (Zipf-like popularity), then post demands one by
    one and time the settle each triggers (one allocation pass, in the
    write transaction, before the commit), and time the matcher's start-up
    on the loaded store (open + first GetMatcherStatus).

      bench_matcher [--sizes 10000,100000,1000000] [--full] [--demands N]
                    [--work DIR] [--scan] [--keep]

    --full adds 10,000,000. --scan also times the old full scan (sizes up
    to 1M) for comparison. Output: one line of figures per size. */
#define _GNU_SOURCE
#include "matcher_core.h"
#include "matcher_index.h"
#include "rantai/refdata.h"
#include "store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T0 1700000000000LL

static uint64_t s_rng = 7;

static uint64_t
rnd(void)
{
    uint64_t z = (s_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double
rf(double lo, double hi)
{
    return lo + (hi - lo) * (double) (rnd() >> 11) / 9007199254740992.0;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* ---- the synthetic world ---- */

static const rantai_province_t *s_prov;
static size_t s_nprov;
static double *s_prov_cdf;
static const rantai_commodity_t *s_comm;
static size_t s_ncomm;
static double *s_comm_cdf;
static uint64_t *s_comm_price; /* idr per kg */

static size_t
s_pick(const double *cdf, size_t n)
{
    double u = rf(0, cdf[n - 1]);
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (cdf[m] < u) {
            lo = m + 1;
        } else {
            hi = m;
        }
    }
    return lo;
}

static void
s_world_init(void)
{
    s_prov = rantai_provinces(&s_nprov);
    s_prov_cdf = calloc(s_nprov, sizeof(double));
    double acc = 0;
    for (size_t i = 0; i < s_nprov; i++) {
        /* Java (31-36) holds over half of Indonesia's UMKM */
        int c = atoi(s_prov[i].code);
        acc += c >= 31 && c <= 36 ? 8.0 : (c < 20 ? 2.0 : 1.0);
        s_prov_cdf[i] = acc;
    }
    s_comm = rantai_commodities(&s_ncomm);
    s_comm_cdf = calloc(s_ncomm, sizeof(double));
    s_comm_price = calloc(s_ncomm, sizeof(uint64_t));
    acc = 0;
    for (size_t i = 0; i < s_ncomm; i++) {
        acc += 1.0 / (double) (i + 1); /* the table lists staples first */
        s_comm_cdf[i] = acc;
        s_comm_price[i] = 5000 + rnd() % 195000;
    }
}

typedef struct {
    uint64_t prod_seq, buy_seq;
    int64_t time;
} s_seqs_t;

typedef struct {
    matcher_core_t *core;
    rantai_arena_t *arena;
    rantai_event_t **evs;
    int *src;
    size_t n;
    double apply_s; /* time inside apply, summed */
    double *lat_s;  /* per event apply time (may be NULL) */
} s_batch_t;

static int
s_batch_cb(rantai_txn_t *txn, void *arg)
{
    s_batch_t *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        double t = now_s();
        int rc =
            matcher_core_apply(b->core, txn, b->arena, b->src[i], b->evs[i]);
        double dt = now_s() - t;
        if (rc != 0) {
            return rc;
        }
        b->apply_s += dt;
        if (b->lat_s != NULL) {
            b->lat_s[i] = dt;
        }
    }
    return 0;
}

static Rantai__V1__GeoPoint *
s_geo(rantai_arena_t *a, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(a, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

static Rantai__V1__Quantity *
s_qty(rantai_arena_t *a, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(a, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

static Rantai__V1__Price *
s_price(rantai_arena_t *a, uint64_t idr, int per)
{
    Rantai__V1__Price *p = RANTAI_ANEW(a, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = (Rantai__V1__Unit) per;
    return p;
}

static int
s_unit_of(size_t ci)
{
    int u = s_comm[ci].default_unit;
    return u != 0 ? u : RANTAI__V1__UNIT__UNIT_KILOGRAM;
}

typedef struct {
    double lat, lon;
    size_t prov;
} s_prod_t;

static rantai_event_t *
s_producer_ev(rantai_arena_t *a, size_t i, s_prod_t *p, s_seqs_t *sq)
{
    p->prov = s_pick(s_prov_cdf, s_nprov);
    p->lat = s_prov[p->prov].lat + rf(-1.2, 1.2);
    p->lon = s_prov[p->prov].lon + rf(-1.5, 1.5);
    Rantai__V1__Producer *pr = RANTAI_ANEW(a, Rantai__V1__Producer);
    rantai__v1__producer__init(pr);
    pr->id = rantai_arena_printf(a, "P%zu", i);
    pr->cooperative_id = rantai_arena_printf(a, "K%zu", i / 20);
    pr->province = (char *) s_prov[p->prov].code;
    pr->location = s_geo(a, p->lat, p->lon);
    Rantai__V1__ProducerPut *pp = RANTAI_ANEW(a, Rantai__V1__ProducerPut);
    rantai__v1__producer_put__init(pp);
    pp->producer = pr;
    rantai_event_t *ev = RANTAI_ANEW(a, rantai_event_t);
    rantai__v1__event__init(ev);
    ev->seq = ++sq->prod_seq;
    ev->time = sq->time;
    ev->body_case = RANTAI__V1__EVENT__BODY_PRODUCER_PUT;
    ev->producer_put = pp;
    return ev;
}

static rantai_event_t *
s_offer_ev(rantai_arena_t *a,
           size_t i,
           const s_prod_t *prods,
           size_t nprod,
           s_seqs_t *sq)
{
    size_t pi = (size_t) (rnd() % nprod);
    size_t ci = s_pick(s_comm_cdf, s_ncomm);
    int unit = s_unit_of(ci);
    Rantai__V1__Offer *o = RANTAI_ANEW(a, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = rantai_arena_printf(a, "O%zu", i);
    o->producer_id = rantai_arena_printf(a, "P%zu", pi);
    o->commodity = (char *) s_comm[ci].code;
    o->quantity = s_qty(a, (100 + rnd() % 9900) * 1000, unit);
    uint64_t price = s_comm_price[ci] * (80 + rnd() % 41) / 100;
    o->price = s_price(a, price, unit);
    if (rnd() % 10 < 3) {
        o->location = s_geo(a, prods[pi].lat + rf(-0.3, 0.3),
                            prods[pi].lon + rf(-0.3, 0.3));
    }
    if (rnd() % 10 < 3) {
        Rantai__V1__Certificate *c = RANTAI_ANEW(a, Rantai__V1__Certificate);
        rantai__v1__certificate__init(c);
        c->scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
        c->number = "H";
        o->certificates = rantai_arena_alloc(a, sizeof(void *));
        o->certificates[0] = c;
        o->n_certificates = 1;
    }
    Rantai__V1__OfferPut *op = RANTAI_ANEW(a, Rantai__V1__OfferPut);
    rantai__v1__offer_put__init(op);
    op->offer = o;
    rantai_event_t *ev = RANTAI_ANEW(a, rantai_event_t);
    rantai__v1__event__init(ev);
    ev->seq = ++sq->prod_seq;
    ev->time = sq->time;
    ev->body_case = RANTAI__V1__EVENT__BODY_OFFER_PUT;
    ev->offer_put = op;
    return ev;
}

static rantai_event_t *
s_buyer_ev(rantai_arena_t *a, s_seqs_t *sq)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(a, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = "B1";
    b->marketplace_id = "MP1";
    Rantai__V1__BuyerPut *bp = RANTAI_ANEW(a, Rantai__V1__BuyerPut);
    rantai__v1__buyer_put__init(bp);
    bp->buyer = b;
    rantai_event_t *ev = RANTAI_ANEW(a, rantai_event_t);
    rantai__v1__event__init(ev);
    ev->seq = ++sq->buy_seq;
    ev->time = sq->time;
    ev->body_case = RANTAI__V1__EVENT__BODY_BUYER_PUT;
    ev->buyer_put = bp;
    return ev;
}

/* A realistic demand: mostly a full code, some headings and chapters,
   delivered near a province capital, Rp 2/kg/km transport, some with a
   distance limit, HALAL or a price cap; partial fills allowed. */
static rantai_event_t *
s_demand_ev(rantai_arena_t *a, size_t i, s_seqs_t *sq)
{
    size_t ci = s_pick(s_comm_cdf, s_ncomm);
    const char *code = s_comm[ci].code;
    size_t len = strlen(code);
    uint64_t r = rnd() % 10;
    if (r == 0 && code[0] >= '0' && code[0] <= '9') {
        len = 2;
    } else if (r < 3 && code[0] >= '0' && code[0] <= '9') {
        len = 4;
    }
    int unit = s_unit_of(ci);
    size_t pv = s_pick(s_prov_cdf, s_nprov);
    Rantai__V1__Demand *d = RANTAI_ANEW(a, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = rantai_arena_printf(a, "D%zu", i);
    d->buyer_id = "B1";
    d->commodity = rantai_arena_strndup(a, code, len);
    d->quantity = s_qty(a, (500 + rnd() % 20000) * 1000, unit);
    d->delivery = s_geo(a, s_prov[pv].lat + rf(-0.5, 0.5),
                        s_prov[pv].lon + rf(-0.5, 0.5));
    d->allow_partial = true;
    d->transport_milli_idr_per_unit_km = 2000;
    if (rnd() % 10 < 3) {
        d->max_distance_km = (uint32_t) (300 + rnd() % 700);
    }
    if (rnd() % 10 < 2) {
        d->required_certifications =
            rantai_arena_alloc(a, sizeof(Rantai__V1__Certification));
        d->required_certifications[0] =
            RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
        d->n_required_certifications = 1;
    }
    if (rnd() % 10 < 3 && len == strlen(code)) {
        d->max_price = s_price(a, s_comm_price[ci] * 110 / 100, unit);
    }
    Rantai__V1__DemandPosted *dp = RANTAI_ANEW(a, Rantai__V1__DemandPosted);
    rantai__v1__demand_posted__init(dp);
    dp->demand = d;
    rantai_event_t *ev = RANTAI_ANEW(a, rantai_event_t);
    rantai__v1__event__init(ev);
    ev->seq = ++sq->buy_seq;
    ev->time = sq->time;
    ev->body_case = RANTAI__V1__EVENT__BODY_DEMAND_POSTED;
    ev->demand_posted = dp;
    return ev;
}

static rantai_event_t *
s_cancel_ev(rantai_arena_t *a, size_t i, s_seqs_t *sq)
{
    Rantai__V1__DemandCancelled *c =
        RANTAI_ANEW(a, Rantai__V1__DemandCancelled);
    rantai__v1__demand_cancelled__init(c);
    c->demand_id = rantai_arena_printf(a, "D%zu", i);
    c->buyer_id = "B1";
    rantai_event_t *ev = RANTAI_ANEW(a, rantai_event_t);
    rantai__v1__event__init(ev);
    ev->seq = ++sq->buy_seq;
    ev->time = sq->time;
    ev->body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
    ev->demand_cancelled = c;
    return ev;
}

static int
s_dcmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

static double
s_pct(double *v, size_t n, double p)
{
    if (n == 0) {
        return 0;
    }
    size_t i = (size_t) ceil(p * (double) n) - 1;
    return v[i < n ? i : n - 1];
}

static uint64_t
s_du(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t) st.st_blocks * 512 : 0;
}

typedef struct {
    double lat_p50, lat_p99, per_s, per_s_durable;
} s_fig_t;

/* Post `nd` demands, one write transaction each; figures into *f. */
static int
s_run_demands(rantai_store_t *st,
              matcher_core_t *core,
              size_t nd,
              size_t first,
              s_seqs_t *sq,
              s_fig_t *f)
{
    rantai_arena_t *a = rantai_arena_new();
    double *lat = calloc(nd, sizeof(double));
    double total_apply = 0, wall = 0;
    for (size_t i = 0; i < nd; i++) {
        sq->time += 1000;
        double tw = now_s();
        uint64_t ev0 = matcher_pass_evaluated();
        rantai_event_t *ev = s_demand_ev(a, first + i, sq);
        int src = MATCHER_SOURCE_BUYER;
        double one = 0;
        s_batch_t b = {core, a, &ev, &src, 1, 0, &one};
        int rc = rantai_store_write(st, s_batch_cb, &b);
        if (rc != 0) {
            fprintf(stderr, "demand %zu: %s\n", i, rantai_strerror(rc));
            return rc;
        }
        lat[i] = one;
        total_apply += one;
        if (getenv("BENCH_MATCHER_TRACE") != NULL && one > 0.002) {
            const Rantai__V1__Demand *dm = ev->demand_posted->demand;
            fprintf(stderr,
                    "slow %s: %.0f us, %llu evaluated, commodity %s qty %llu "
                    "unit %d max_km %u certs %zu max_price %d\n",
                    dm->id, one * 1e6,
                    (unsigned long long) (matcher_pass_evaluated() - ev0),
                    dm->commodity, (unsigned long long) dm->quantity->milli,
                    dm->quantity->unit, dm->max_distance_km,
                    dm->n_required_certifications, dm->max_price != NULL);
        }
        wall += now_s() - tw;
        /* withdraw it again (untimed): every timed settle is then exactly
           the new demand's pass, with no earlier OPEN demand re-queued,
           and the offers keep their capacity (a steady state) */
        ev = s_cancel_ev(a, first + i, sq);
        b.apply_s = 0;
        b.lat_s = NULL;
        rc = rantai_store_write(st, s_batch_cb, &b);
        if (rc != 0) {
            fprintf(stderr, "cancel %zu: %s\n", i, rantai_strerror(rc));
            return rc;
        }
        rantai_arena_reset(a);
    }
    qsort(lat, nd, sizeof(double), s_dcmp);
    f->lat_p50 = s_pct(lat, nd, 0.50) * 1e6;
    f->lat_p99 = s_pct(lat, nd, 0.99) * 1e6;
    f->per_s = (double) nd / total_apply;
    f->per_s_durable = (double) nd / wall;
    free(lat);
    rantai_arena_destroy(&a);
    return 0;
}

static int
s_startup(const char *dir, double *secs, uint64_t *open_offers)
{
    double t = now_s();
    rantai_store_t *st = NULL;
    int rc =
        rantai_store_open(&st, dir, matcher_db_names, MATCHER_DB_COUNT, NULL);
    if (rc != 0) {
        return rc;
    }
    matcher_core_t *core = matcher_core_new(0);
    rantai_arena_t *a = rantai_arena_new();
    rantai_txn_t *txn = NULL;
    rc = rantai_store_read(st, &txn);
    if (rc == 0) {
        rantai_principal_t admin = {RANTAI_ROLE_ADMIN, ""};
        rantai_ctx_t ctx = {txn, a, T0, &admin};
        Rantai__V1__GetMatcherStatus g = RANTAI__V1__GET_MATCHER_STATUS__INIT;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req.get_matcher_status = &g;
        rantai_reply_t reply = RANTAI__V1__REPLY__INIT;
        rc = matcher_handle(core, &ctx, &req, &reply);
        if (rc == 0 && reply.matcher_status != NULL) {
            *open_offers = reply.matcher_status->open_offers;
        }
        rantai_txn_abort(&txn);
    }
    *secs = now_s() - t;
    rantai_arena_destroy(&a);
    matcher_core_destroy(&core);
    rantai_store_destroy(&st);
    return rc;
}

static int
s_size(const char *work, size_t n, size_t nd, bool scan, bool keep)
{
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/matcher-%zu", work, n);
    char cmd[2400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0) {
        return -1;
    }
    rantai_store_opts_t opts = {0};
    opts.map_size = (size_t) n * 2048 + ((size_t) 256 << 20);
    rantai_store_t *st = NULL;
    int rc =
        rantai_store_open(&st, dir, matcher_db_names, MATCHER_DB_COUNT, &opts);
    if (rc != 0) {
        fprintf(stderr, "open %s: %s\n", dir, rantai_strerror(rc));
        return rc;
    }
    matcher_core_t *core = matcher_core_new(0);
    s_seqs_t sq = {0, 0, T0};
    size_t nprod = n / 20 < 500 ? 500 : (n / 20 > 200000 ? 200000 : n / 20);
    s_prod_t *prods = calloc(nprod, sizeof(*prods));
    rantai_arena_t *a = rantai_arena_new();
    const size_t batch = 20000;
    rantai_event_t **evs = calloc(batch, sizeof(*evs));
    int *src = calloc(batch, sizeof(int));
    double t0 = now_s();
    /* producers and the buyer */
    for (size_t i = 0; i < nprod;) {
        size_t k = 0;
        for (; k < batch && i < nprod; k++, i++) {
            evs[k] = s_producer_ev(a, i, &prods[i], &sq);
            src[k] = MATCHER_SOURCE_PRODUCER;
        }
        s_batch_t b = {core, a, evs, src, k, 0, NULL};
        rc = rantai_store_write(st, s_batch_cb, &b);
        rantai_arena_reset(a);
        if (rc != 0) {
            fprintf(stderr, "load producers: %s\n", rantai_strerror(rc));
            return rc;
        }
    }
    evs[0] = s_buyer_ev(a, &sq);
    src[0] = MATCHER_SOURCE_BUYER;
    s_batch_t bb = {core, a, evs, src, 1, 0, NULL};
    rc = rantai_store_write(st, s_batch_cb, &bb);
    rantai_arena_reset(a);
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t k = 0;
        for (; k < batch && i < n; k++, i++) {
            evs[k] = s_offer_ev(a, i, prods, nprod, &sq);
            src[k] = MATCHER_SOURCE_PRODUCER;
        }
        s_batch_t b = {core, a, evs, src, k, 0, NULL};
        rc = rantai_store_write(st, s_batch_cb, &b);
        rantai_arena_reset(a);
        if (n >= 1000000 && i % 1000000 == 0) {
            fprintf(stderr, "  loaded %zu offers, %.0f s\n", i, now_s() - t0);
        }
    }
    if (rc != 0) {
        fprintf(stderr, "load offers: %s\n", rantai_strerror(rc));
        return rc;
    }
    double load_s = now_s() - t0;
    s_fig_t f = {0}, fs = {0};
    rc = s_run_demands(st, core, nd, 0, &sq, &f);
    if (rc == 0 && scan && n <= 1000000) {
        matcher_pass_use_scan(true);
        rc = s_run_demands(st, core, nd / 10 > 0 ? nd / 10 : 1, nd, &sq, &fs);
        matcher_pass_use_scan(false);
    }
    matcher_core_destroy(&core);
    rantai_store_destroy(&st);
    free(evs);
    free(src);
    free(prods);
    rantai_arena_destroy(&a);
    if (rc != 0) {
        return rc;
    }
    double start_s = 0;
    uint64_t open = 0;
    rc = s_startup(dir, &start_s, &open);
    if (rc != 0) {
        return rc;
    }
    printf("offers %9zu  load %7.1f s  store %6.2f GiB  | demands %5zu  pass "
           "p50 %8.1f us  p99 %8.1f us  matched/s %8.0f (durable %6.0f/s)  "
           "| start-up %.3f s (open_offers %llu)\n",
           n, load_s, (double) s_du(dir) / (1 << 30), nd, f.lat_p50, f.lat_p99,
           f.per_s, f.per_s_durable, start_s, (unsigned long long) open);
    if (scan && n <= 1000000) {
        printf("          old full scan (for comparison): pass p50 %8.1f us  "
               "p99 %8.1f us  matched/s %8.0f\n",
               fs.lat_p50, fs.lat_p99, fs.per_s);
    }
    fflush(stdout);
    if (!keep) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *sizes = "10000,100000,1000000";
    const char *work = "/var/tmp/rantai-bench-matcher";
    size_t nd = 2000;
    bool full = false, scan = false, keep = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            sizes = argv[++i];
        } else if (strcmp(argv[i], "--full") == 0) {
            full = true;
        } else if (strcmp(argv[i], "--scan") == 0) {
            scan = true;
        } else if (strcmp(argv[i], "--keep") == 0) {
            keep = true;
        } else if (strcmp(argv[i], "--demands") == 0 && i + 1 < argc) {
            nd = (size_t) strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) {
            work = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: %s [--sizes N,N,...] [--full] [--demands N] "
                    "[--work DIR] [--scan] [--keep]\n",
                    argv[0]);
            return 2;
        }
    }
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", work);
    if (system(cmd) != 0) {
        return 1;
    }
    s_world_init();
    char list[256];
    snprintf(list, sizeof(list), "%s%s", sizes, full ? ",10000000" : "");
    for (char *tok = strtok(list, ","); tok != NULL; tok = strtok(NULL, ",")) {
        size_t n = (size_t) strtoull(tok, NULL, 10);
        s_rng = 7 + n; /* each size its own reproducible world */
        if (s_size(work, n, nd, scan, keep) != 0) {
            return 1;
        }
    }
    return 0;
}
