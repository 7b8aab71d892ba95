/*  bench_world.c - the synthetic population the benchmarks load (see
    bench_util.h). Deterministic for a given seed and rng state. */
#include "bench_util.h"
#include "rantai/refdata.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static double *s_cdf;
static size_t s_ncomm;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

/* Zipf-like (s = 0.9) over the commodity table: a few staples (rice,
   maize, coffee come first in data/commodities.csv) carry most offers, as
   in real UMKM supply. */
static void
s_init(void)
{
    const rantai_commodity_t *c = rantai_commodities(&s_ncomm);
    (void) c;
    s_cdf = calloc(s_ncomm, sizeof *s_cdf);
    if (!s_cdf) {
        abort();
    }
    double sum = 0;
    for (size_t i = 0; i < s_ncomm; i++) {
        sum += 1.0 / pow((double) (i + 1), 0.9);
        s_cdf[i] = sum;
    }
    for (size_t i = 0; i < s_ncomm; i++) {
        s_cdf[i] /= sum;
    }
}

uint64_t
bu_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double
s_unit(uint64_t *rng)
{
    return (double) (bu_rand(rng) >> 11) / 9007199254740992.0;
}

static const rantai_commodity_t *
s_commodity(uint64_t *rng)
{
    pthread_once(&s_once, s_init);
    size_t n = 0;
    const rantai_commodity_t *table = rantai_commodities(&n);
    double u = s_unit(rng);
    size_t lo = 0, hi = s_ncomm - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s_cdf[mid] < u) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return &table[lo];
}

static int
s_unit_of(const rantai_commodity_t *c)
{
    return c->default_unit > 0 ? c->default_unit
                               : RANTAI__V1__UNIT__UNIT_KILOGRAM;
}

void
bu_producer_id(int i, char *buf, size_t size)
{
    snprintf(buf, size, "BP-%07d", i);
}

void
bu_coop_id(int i, char *buf, size_t size)
{
    snprintf(buf, size, "KOP-%05d", i);
}

void
bu_world_put_producer(const bu_world_t *w,
                      int i,
                      rantai_arena_t *arena,
                      rantai_request_t *req)
{
    size_t nprov = 0;
    const rantai_province_t *prov = rantai_provinces(&nprov);
    uint64_t rng = w->seed ^ ((uint64_t) i * 0x100000001B3ULL);
    const rantai_province_t *p = &prov[(size_t) i % nprov];
    Rantai__V1__GeoPoint *at = RANTAI_ANEW(arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(at);
    at->lat = p->lat + (s_unit(&rng) - 0.5) * 0.8;
    at->lon = p->lon + (s_unit(&rng) - 0.5) * 0.8;
    Rantai__V1__Producer *pr = RANTAI_ANEW(arena, Rantai__V1__Producer);
    rantai__v1__producer__init(pr);
    char id[32];
    bu_producer_id(i, id, sizeof id);
    pr->id = rantai_arena_printf(arena, "%s", id);
    pr->name = rantai_arena_printf(arena, "UMKM %s", p->name);
    if (w->ncoops > 0) {
        bu_coop_id(i % w->ncoops, id, sizeof id);
        pr->cooperative_id = rantai_arena_printf(arena, "%s", id);
    }
    pr->province = (char *) p->code;
    pr->location = at;
    pr->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    Rantai__V1__PutProducer *body = RANTAI_ANEW(arena, Rantai__V1__PutProducer);
    rantai__v1__put_producer__init(body);
    body->producer = pr;
    req->body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req->put_producer = body;
}

void
bu_world_put_offer(const bu_world_t *w,
                   uint64_t *rng,
                   rantai_arena_t *arena,
                   rantai_request_t *req)
{
    const rantai_commodity_t *c = s_commodity(rng);
    int unit = s_unit_of(c);
    Rantai__V1__Quantity *q = RANTAI_ANEW(arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = (100 + bu_rand(rng) % 5000) * 1000;
    q->unit = (Rantai__V1__Unit) unit;
    Rantai__V1__Price *price = RANTAI_ANEW(arena, Rantai__V1__Price);
    rantai__v1__price__init(price);
    price->idr = 1000 + bu_rand(rng) % 100000;
    price->per = (Rantai__V1__Unit) unit;
    Rantai__V1__Offer *o = RANTAI_ANEW(arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = rantai_arena_printf(arena, "OF-%016llx",
                                (unsigned long long) bu_rand(rng));
    char pid[32];
    bu_producer_id((int) (bu_rand(rng) % (uint64_t) w->nproducers), pid,
                   sizeof pid);
    o->producer_id = rantai_arena_printf(arena, "%s", pid);
    o->commodity = (char *) c->code;
    o->quantity = q;
    o->price = price;
    if (bu_rand(rng) % 2 == 0) {
        Rantai__V1__Certificate *cert =
            RANTAI_ANEW(arena, Rantai__V1__Certificate);
        rantai__v1__certificate__init(cert);
        cert->scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
        cert->number = rantai_arena_printf(
            arena, "ID%011llu",
            (unsigned long long) (bu_rand(rng) % 100000000000ULL));
        Rantai__V1__Certificate **certs =
            rantai_arena_alloc(arena, sizeof *certs);
        certs[0] = cert;
        o->n_certificates = 1;
        o->certificates = certs;
    }
    Rantai__V1__PutOffer *body = RANTAI_ANEW(arena, Rantai__V1__PutOffer);
    rantai__v1__put_offer__init(body);
    body->offer = o;
    req->body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req->put_offer = body;
}

void
bu_world_post_demand(const bu_world_t *w,
                     uint64_t *rng,
                     const char *id,
                     const char *buyer_id,
                     rantai_arena_t *arena,
                     rantai_request_t *req)
{
    (void) w;
    size_t nprov = 0;
    const rantai_province_t *prov = rantai_provinces(&nprov);
    const rantai_province_t *p = &prov[bu_rand(rng) % nprov];
    const rantai_commodity_t *c = s_commodity(rng);
    Rantai__V1__Quantity *q = RANTAI_ANEW(arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = 10 * 1000;
    q->unit = (Rantai__V1__Unit) s_unit_of(c);
    Rantai__V1__GeoPoint *at = RANTAI_ANEW(arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(at);
    at->lat = p->lat;
    at->lon = p->lon;
    Rantai__V1__Demand *d = RANTAI_ANEW(arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = rantai_arena_printf(arena, "%s", id);
    d->buyer_id = rantai_arena_printf(arena, "%s", buyer_id);
    d->commodity = (char *) c->code;
    d->quantity = q;
    d->delivery = at;
    d->allow_partial = true;
    d->transport_milli_idr_per_unit_km = 20000;
    Rantai__V1__PostDemand *body = RANTAI_ANEW(arena, Rantai__V1__PostDemand);
    rantai__v1__post_demand__init(body);
    body->demand = d;
    req->body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    req->post_demand = body;
}
