/*  example.c - a Rantai integrator in C, with librantai.

    A cooperative registers two coffee producers and their offers with the
    producer registry, a marketplace registers a buyer and posts a demand
    that only both offers together can fill, then the marketplace follows
    the matcher's feed (its own events only) until the demand's
    match_proposed arrives, and prints the allocations.

    Build against an installed librantai:
        cc example.c $(pkg-config --cflags --libs rantai) -o rantai-example
    Run (endpoints from the environment, defaults are the services'):
        RANTAI_PRODUCER_API=tcp://127.0.0.1:7401 \
        RANTAI_BUYER_API=tcp://127.0.0.1:7411 \
        RANTAI_MATCHER_FEED=tcp://127.0.0.1:7422 ./rantai-example [ID-PREFIX]

    Every id starts with ID-PREFIX (default EXC) so several runs can share
    the services. Exit status 0 when the demand was matched, 1 otherwise.
    In curve mode, fill a rantai_security_t (our secret certificate and the
    service's public key) and pass it where this passes NULL. */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */

#include <rantai/client.h>
#include <rantai/codec.h>
#include <rantai/err.h>
#include <rantai/feed.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define S_ID_MAX 64

static const char *
s_env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

/* Call and check the status; prints the error and returns NULL on
   failure. The reply lives in `arena`. */
static rantai_reply_t *
s_call(rantai_client_t *client,
       rantai_request_t *req,
       rantai_arena_t *arena,
       const char *what)
{
    rantai_reply_t *reply = NULL;
    int rc = rantai_client_call(client, req, arena, &reply);
    if (rc != 0) {
        fprintf(stderr, "%s: no reply (%d)\n", what, rc);
        return NULL;
    }
    if (reply->code != RANTAI__V1__STATUS_CODE__STATUS_CODE_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, rantai_status_name(reply->code),
                reply->message ? reply->message : "");
        return NULL;
    }
    printf("%s: ok, seq %llu\n", what, (unsigned long long) reply->seq);
    return reply;
}

static bool
s_put_producer(rantai_client_t *c,
               rantai_arena_t *a,
               const char *id,
               const char *coop,
               double lat,
               double lon)
{
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    at.lat = lat;
    at.lon = lon;
    Rantai__V1__Producer p = RANTAI__V1__PRODUCER__INIT;
    p.id = (char *) id;
    p.name = (char *) id;
    p.cooperative_id = (char *) coop;
    p.province = "35"; /* Jawa Timur */
    p.location = &at;
    p.enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    Rantai__V1__PutProducer body = RANTAI__V1__PUT_PRODUCER__INIT;
    body.producer = &p;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req.put_producer = &body;
    return s_call(c, &req, a, "PutProducer") != NULL;
}

static bool
s_put_offer(rantai_client_t *c,
            rantai_arena_t *a,
            const char *id,
            const char *producer,
            uint64_t kg,
            uint64_t idr_per_kg,
            uint64_t *seq)
{
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = kg * 1000;
    q.unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Price price = RANTAI__V1__PRICE__INIT;
    price.idr = idr_per_kg;
    price.per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Certificate halal = RANTAI__V1__CERTIFICATE__INIT;
    halal.scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
    halal.number = "ID00410000123";
    Rantai__V1__Certificate *certs[] = {&halal};
    Rantai__V1__Offer o = RANTAI__V1__OFFER__INIT;
    o.id = (char *) id;
    o.producer_id = (char *) producer;
    o.commodity = "090111"; /* coffee, not roasted */
    o.quantity = &q;
    o.price = &price;
    o.n_certificates = 1;
    o.certificates = certs;
    Rantai__V1__PutOffer body = RANTAI__V1__PUT_OFFER__INIT;
    body.offer = &o;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req.put_offer = &body;
    rantai_reply_t *reply = s_call(c, &req, a, "PutOffer");
    if (reply) {
        *seq = reply->seq;
    }
    return reply != NULL;
}

/* Read-your-writes (PROTOCOL.md section 4): the producer and buyer
   registries are separate logs, so before posting a demand that should
   meet these offers, wait until the matcher has applied them. */
static bool
s_wait_applied(const char *matcher_api, uint64_t producer_seq, int timeout_s)
{
    rantai_client_t *m = rantai_client_new(matcher_api, NULL);
    rantai_arena_t *a = rantai_arena_new();
    bool done = false;
    time_t deadline = time(NULL) + timeout_s;
    while (m && !done && time(NULL) < deadline) {
        Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req.get_matcher_status = &st;
        rantai_reply_t *reply = NULL;
        if (rantai_client_call(m, &req, a, &reply) != 0) {
            fprintf(stderr, "GetMatcherStatus: no reply\n");
            break;
        }
        if (reply->code != RANTAI__V1__STATUS_CODE__STATUS_CODE_OK) {
            fprintf(stderr, "GetMatcherStatus: %s: %s\n",
                    rantai_status_name(reply->code),
                    reply->message ? reply->message : "");
            break;
        }
        done = reply->matcher_status &&
               reply->matcher_status->producer_seq >= producer_seq;
        rantai_arena_reset(a);
        if (!done) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL); /* polling the barrier, with a deadline */
        }
    }
    rantai_arena_destroy(&a);
    rantai_client_destroy(&m);
    return done;
}

static bool
s_post_demand(rantai_client_t *c,
              rantai_arena_t *a,
              const char *id,
              const char *buyer,
              const char *marketplace,
              uint64_t kg)
{
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    b.id = (char *) buyer;
    b.name = "Kafe Contoh";
    b.marketplace_id = (char *) marketplace;
    Rantai__V1__PutBuyer pb = RANTAI__V1__PUT_BUYER__INIT;
    pb.buyer = &b;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    req.put_buyer = &pb;
    if (!s_call(c, &req, a, "PutBuyer")) {
        return false;
    }
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.milli = kg * 1000;
    q.unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Price max = RANTAI__V1__PRICE__INIT;
    max.idr = 100000;
    max.per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__GeoPoint surabaya = RANTAI__V1__GEO_POINT__INIT;
    surabaya.lat = -7.257;
    surabaya.lon = 112.752;
    Rantai__V1__Certification need[] = {
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL};
    Rantai__V1__Demand d = RANTAI__V1__DEMAND__INIT;
    d.id = (char *) id;
    d.buyer_id = (char *) buyer;
    d.commodity = "0901"; /* any coffee */
    d.quantity = &q;
    d.max_price = &max;
    d.n_required_certifications = 1;
    d.required_certifications = need;
    d.delivery = &surabaya;
    d.allow_partial = true;
    d.transport_milli_idr_per_unit_km = 2000; /* 2 rupiah per kg per km */
    Rantai__V1__PostDemand pd = RANTAI__V1__POST_DEMAND__INIT;
    pd.demand = &d;
    req.body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    req.post_demand = &pd;
    return s_call(c, &req, a, "PostDemand") != NULL;
}

/* Follow the matcher feed as the marketplace until `demand`'s
   match_proposed (true) or `timeout_s` without it (false). */
static bool
s_follow(const char *feed_endpoint,
         const char *marketplace,
         const char *demand,
         int timeout_s)
{
    rantai_feed_opts_t opts = {0};
    opts.from_seq = 0; /* everything retained: the match may be done */
    opts.party_kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE;
    opts.party_id = marketplace;
    rantai_feed_sub_t *sub = rantai_feed_sub_new(feed_endpoint, &opts);
    if (!sub) {
        return false;
    }
    rantai_arena_t *arena = rantai_arena_new();
    bool found = false;
    time_t end = time(NULL) + timeout_s;
    while (!found && time(NULL) < end) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(sub, arena, 1000, &ev, &err);
        if (rc == RANTAI_EPROTO) {
            fprintf(stderr, "feed refused: %s: %s\n",
                    rantai_status_name(err->code),
                    err->message ? err->message : "");
            break;
        }
        if (rc == 1 &&
            ev->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED &&
            strcmp(ev->match_proposed->demand_id, demand) == 0) {
            Rantai__V1__MatchProposed *m = ev->match_proposed;
            printf("match_proposed %s (seq %llu): %zu allocations\n",
                   m->demand_id, (unsigned long long) ev->seq,
                   m->n_allocations);
            for (size_t i = 0; i < m->n_allocations; i++) {
                Rantai__V1__Allocation *al = m->allocations[i];
                printf("  %s offer %s (cooperative %s) %llu.%03llu kg at "
                       "%llu IDR/kg\n",
                       al->id, al->offer_id, al->cooperative_id,
                       (unsigned long long) (al->quantity->milli / 1000),
                       (unsigned long long) (al->quantity->milli % 1000),
                       (unsigned long long) al->price->idr);
            }
            found = true;
        }
        if (rc == 1) {
            rantai_feed_sub_ack(sub, ev->seq);
        }
        rantai_arena_reset(arena);
    }
    rantai_arena_destroy(&arena);
    rantai_feed_sub_destroy(&sub);
    return found;
}

int
main(int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "EXC";
    const char *producer_api =
        s_env("RANTAI_PRODUCER_API", "tcp://127.0.0.1:7401");
    const char *buyer_api = s_env("RANTAI_BUYER_API", "tcp://127.0.0.1:7411");
    const char *matcher_api =
        s_env("RANTAI_MATCHER_API", "tcp://127.0.0.1:7421");
    const char *matcher_feed =
        s_env("RANTAI_MATCHER_FEED", "tcp://127.0.0.1:7422");

    char coop[S_ID_MAX], p1[S_ID_MAX], p2[S_ID_MAX], o1[S_ID_MAX], o2[S_ID_MAX],
        buyer[S_ID_MAX], mkt[S_ID_MAX], demand[S_ID_MAX];
    snprintf(coop, sizeof coop, "%s-KOP", prefix);
    snprintf(p1, sizeof p1, "%s-KOP-P1", prefix);
    snprintf(p2, sizeof p2, "%s-KOP-P2", prefix);
    snprintf(o1, sizeof o1, "%s-OF-1", prefix);
    snprintf(o2, sizeof o2, "%s-OF-2", prefix);
    snprintf(buyer, sizeof buyer, "%s-BUYER", prefix);
    snprintf(mkt, sizeof mkt, "%s-MKT", prefix);
    snprintf(demand, sizeof demand, "%s-DEM-1", prefix);

    rantai_client_t *prod = rantai_client_new(producer_api, NULL);
    rantai_client_t *buy = rantai_client_new(buyer_api, NULL);
    rantai_arena_t *arena = rantai_arena_new();
    bool ok = prod && buy;
    /* Two micro producers near Malang, 300 kg and 200 kg: the 500 kg
       demand needs both. */
    ok = ok && s_put_producer(prod, arena, p1, coop, -7.98, 112.63);
    ok = ok && s_put_producer(prod, arena, p2, coop, -7.87, 112.52);
    uint64_t seq = 0;
    ok = ok && s_put_offer(prod, arena, o1, p1, 300, 90000, &seq);
    ok = ok && s_put_offer(prod, arena, o2, p2, 200, 91000, &seq);
    ok = ok && s_wait_applied(matcher_api, seq, 30);
    ok = ok && s_post_demand(buy, arena, demand, buyer, mkt, 500);
    ok = ok && s_follow(matcher_feed, mkt, demand, 30);
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&prod);
    rantai_client_destroy(&buy);
    printf("%s\n", ok ? "matched" : "not matched");
    return ok ? 0 : 1;
}
