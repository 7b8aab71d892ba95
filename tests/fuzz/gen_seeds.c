/*  gen_seeds.c - writes the committed seed corpora of the fuzz targets
    (tests/fuzz/corpus/<target>/): valid requests and events of every kind,
    alone and as stories (register, offer, post, match, respond), run as
    the principals that own them and as others. Run it again after a proto
    change: `fuzz_gen_seeds tests/fuzz/corpus`. Not a test. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* fuzz_principal selectors: role + 6 * party index. */
#define SEL_NONE   0
#define SEL_ADMIN  1
#define SEL_COOP1  (2 + 6 * 0)
#define SEL_PRD1   (3 + 6 * 1)
#define SEL_PRD2   (3 + 6 * 2)
#define SEL_MKT1   (4 + 6 * 3)
#define SEL_OTHER  (2 + 6 * 4)
#define SEL_SVC    5
#define SEL_EV_PRD 0x80
#define SEL_EV_BUY 0xc0

typedef struct {
    uint8_t buf[65536];
    size_t len;
} seed_t;

static const char *s_root;
static rantai_arena_t *s_arena;

static void
s_add(seed_t *s, uint8_t selector, const ProtobufCMessage *m)
{
    size_t n = 0;
    const uint8_t *b = rantai_encode(m, s_arena, &n);
    s->buf[s->len++] = selector;
    s->buf[s->len++] = (uint8_t) (n & 0xff);
    s->buf[s->len++] = (uint8_t) (n >> 8);
    memcpy(s->buf + s->len, b, n);
    s->len += n;
}

static void
s_write(const char *target, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", s_root, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", s_root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void
s_write_seed(const char *target, const char *name, const seed_t *s)
{
    s_write(target, name, s->buf, s->len);
}

/* A raw message as a seed of the decoder targets. */
static void
s_write_msg(const char *target, const char *name, const ProtobufCMessage *m)
{
    size_t n = 0;
    const void *b = rantai_encode(m, s_arena, &n);
    s_write(target, name, b, n);
}

static Rantai__V1__GeoPoint s_geo = {
    PROTOBUF_C_MESSAGE_INIT(&rantai__v1__geo_point__descriptor), -7.25, 112.75};

static rantai_request_t *
s_req(int body_case, void *body)
{
    rantai_request_t *r = rantai_arena_alloc(s_arena, sizeof *r);
    rantai__v1__request__init(r);
    r->request_id = 7;
    r->body_case = (Rantai__V1__Request__BodyCase) body_case;
    /* Every body pointer shares the oneof's storage. */
    r->put_producer = body;
    return r;
}

static Rantai__V1__Producer *
s_producer(const char *id, const char *coop)
{
    Rantai__V1__Producer *p = rantai_arena_alloc(s_arena, sizeof *p);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->name = "Kopi Ijen";
    p->cooperative_id = (char *) coop;
    p->province = "35";
    p->location = &s_geo;
    p->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    return p;
}

static Rantai__V1__Offer *
s_offer(const char *id, const char *producer)
{
    static Rantai__V1__Quantity q = {
        PROTOBUF_C_MESSAGE_INIT(&rantai__v1__quantity__descriptor), 500000,
        RANTAI__V1__UNIT__UNIT_KILOGRAM};
    static Rantai__V1__Price price = {
        PROTOBUF_C_MESSAGE_INIT(&rantai__v1__price__descriptor), 60000,
        RANTAI__V1__UNIT__UNIT_KILOGRAM};
    static Rantai__V1__Certificate cert = {
        PROTOBUF_C_MESSAGE_INIT(&rantai__v1__certificate__descriptor),
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL, "ID00410000123", 0};
    static Rantai__V1__Certificate *certs[] = {&cert};
    Rantai__V1__Offer *o = rantai_arena_alloc(s_arena, sizeof *o);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = "090111";
    o->quantity = &q;
    o->price = &price;
    o->n_certificates = 1;
    o->certificates = certs;
    return o;
}

static Rantai__V1__Buyer *
s_buyer(const char *id, const char *mkt)
{
    Rantai__V1__Buyer *b = rantai_arena_alloc(s_arena, sizeof *b);
    rantai__v1__buyer__init(b);
    b->id = (char *) id;
    b->name = "PT Kopi Ekspor";
    b->marketplace_id = (char *) mkt;
    return b;
}

static Rantai__V1__Demand *
s_demand(const char *id, const char *buyer)
{
    static Rantai__V1__Quantity q = {
        PROTOBUF_C_MESSAGE_INIT(&rantai__v1__quantity__descriptor), 300000,
        RANTAI__V1__UNIT__UNIT_KILOGRAM};
    static Rantai__V1__Price max = {
        PROTOBUF_C_MESSAGE_INIT(&rantai__v1__price__descriptor), 70000,
        RANTAI__V1__UNIT__UNIT_KILOGRAM};
    static char *provinces[] = {"35", "51"};
    Rantai__V1__Demand *d = rantai_arena_alloc(s_arena, sizeof *d);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = (char *) buyer;
    d->commodity = "0901";
    d->quantity = &q;
    d->max_price = &max;
    d->delivery = &s_geo;
    d->max_distance_km = 2000;
    d->allow_partial = 1;
    d->max_suppliers = 3;
    d->transport_milli_idr_per_unit_km = 5;
    d->n_origin_provinces = 2;
    d->origin_provinces = provinces;
    return d;
}

static void *
s_new(const ProtobufCMessageDescriptor *desc)
{
    void *m = rantai_arena_alloc(s_arena, desc->sizeof_message);
    protobuf_c_message_init(desc, m);
    return m;
}

static void
s_producer_seeds(const char *t)
{
    Rantai__V1__PutProducer *pp1 = s_new(&rantai__v1__put_producer__descriptor);
    pp1->producer = s_producer("PRD-1", "COOP-1");
    Rantai__V1__PutProducer *pp2 = s_new(&rantai__v1__put_producer__descriptor);
    pp2->producer = s_producer("PRD-2", "");
    Rantai__V1__PutOffer *po = s_new(&rantai__v1__put_offer__descriptor);
    po->offer = s_offer("OFF-1", "PRD-1");
    Rantai__V1__PutOffer *po2 = s_new(&rantai__v1__put_offer__descriptor);
    po2->offer = s_offer("OFF-2", "PRD-2");
    Rantai__V1__GetProducer *gp = s_new(&rantai__v1__get_producer__descriptor);
    gp->id = "PRD-1";
    Rantai__V1__GetOffer *go = s_new(&rantai__v1__get_offer__descriptor);
    go->id = "OFF-1";
    Rantai__V1__ListOffers *lo = s_new(&rantai__v1__list_offers__descriptor);
    lo->cooperative_id = "COOP-1";
    lo->commodity_prefix = "09";
    lo->limit = 1;
    Rantai__V1__WithdrawOffer *wo =
        s_new(&rantai__v1__withdraw_offer__descriptor);
    wo->offer_id = "OFF-1";

    rantai_request_t *put1 = s_req(RANTAI__V1__REQUEST__BODY_PUT_PRODUCER, pp1);
    rantai_request_t *put2 = s_req(RANTAI__V1__REQUEST__BODY_PUT_PRODUCER, pp2);
    rantai_request_t *off1 = s_req(RANTAI__V1__REQUEST__BODY_PUT_OFFER, po);
    rantai_request_t *off2 = s_req(RANTAI__V1__REQUEST__BODY_PUT_OFFER, po2);
    rantai_request_t *get1 = s_req(RANTAI__V1__REQUEST__BODY_GET_PRODUCER, gp);
    rantai_request_t *get2 = s_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, go);
    rantai_request_t *list = s_req(RANTAI__V1__REQUEST__BODY_LIST_OFFERS, lo);
    rantai_request_t *wd = s_req(RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER, wo);

    const rantai_request_t *all[] = {put1, put2, off1, off2,
                                     get1, get2, list, wd};
    const uint8_t sels[] = {SEL_ADMIN, SEL_COOP1, SEL_PRD1, SEL_PRD2,
                            SEL_MKT1,  SEL_OTHER, SEL_NONE, SEL_SVC};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        for (size_t k = 0; k < sizeof sels; k++) {
            seed_t s = {.len = 0};
            s_add(&s, sels[k], &all[i]->base);
            char name[64];
            snprintf(name, sizeof name, "req%zu-sel%d", i, sels[k]);
            s_write_seed(t, name, &s);
        }
    }
    seed_t story = {.len = 0};
    s_add(&story, SEL_COOP1, &put1->base);
    s_add(&story, SEL_PRD2, &put2->base);
    s_add(&story, SEL_PRD1, &off1->base);
    s_add(&story, SEL_PRD2, &off2->base);
    s_add(&story, SEL_COOP1, &list->base);
    s_add(&story, SEL_OTHER, &get2->base);
    s_add(&story, SEL_PRD2, &wd->base);
    s_add(&story, SEL_COOP1, &wd->base);
    s_add(&story, SEL_COOP1, &off1->base);
    s_write_seed(t, "story", &story);
}

static void
s_buyer_seeds(const char *t)
{
    Rantai__V1__PutBuyer *pb = s_new(&rantai__v1__put_buyer__descriptor);
    pb->buyer = s_buyer("BUY-1", "MKT-1");
    Rantai__V1__PostDemand *pd = s_new(&rantai__v1__post_demand__descriptor);
    pd->demand = s_demand("DEM-1", "BUY-1");
    Rantai__V1__GetBuyer *gb = s_new(&rantai__v1__get_buyer__descriptor);
    gb->id = "BUY-1";
    Rantai__V1__GetDemand *gd = s_new(&rantai__v1__get_demand__descriptor);
    gd->id = "DEM-1";
    Rantai__V1__ListDemands *ld = s_new(&rantai__v1__list_demands__descriptor);
    ld->buyer_id = "BUY-1";
    ld->commodity_prefix = "0901";
    ld->limit = 1;
    Rantai__V1__CancelDemand *cd =
        s_new(&rantai__v1__cancel_demand__descriptor);
    cd->demand_id = "DEM-1";

    rantai_request_t *put = s_req(RANTAI__V1__REQUEST__BODY_PUT_BUYER, pb);
    rantai_request_t *post = s_req(RANTAI__V1__REQUEST__BODY_POST_DEMAND, pd);
    rantai_request_t *get1 = s_req(RANTAI__V1__REQUEST__BODY_GET_BUYER, gb);
    rantai_request_t *get2 = s_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND, gd);
    rantai_request_t *list = s_req(RANTAI__V1__REQUEST__BODY_LIST_DEMANDS, ld);
    rantai_request_t *cancel =
        s_req(RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND, cd);
    const rantai_request_t *all[] = {put, post, get1, get2, list, cancel};
    const uint8_t sels[] = {SEL_ADMIN, SEL_MKT1, SEL_COOP1, SEL_NONE, SEL_SVC};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        for (size_t k = 0; k < sizeof sels; k++) {
            seed_t s = {.len = 0};
            s_add(&s, sels[k], &all[i]->base);
            char name[64];
            snprintf(name, sizeof name, "req%zu-sel%d", i, sels[k]);
            s_write_seed(t, name, &s);
        }
    }
    seed_t story = {.len = 0};
    s_add(&story, SEL_MKT1, &put->base);
    s_add(&story, SEL_MKT1, &post->base);
    s_add(&story, SEL_MKT1, &list->base);
    s_add(&story, SEL_COOP1, &get2->base);
    s_add(&story, SEL_MKT1, &cancel->base);
    s_add(&story, SEL_MKT1, &post->base);
    s_write_seed(t, "story", &story);

    s_write_msg("fuzz_request_decode", "post_demand", &post->base);
    s_write_msg("fuzz_request_decode", "list_demands", &list->base);
    s_write_msg("fuzz_request_decode", "put_buyer", &put->base);
}

static rantai_event_t *
s_event(int body_case, void *body)
{
    rantai_event_t *e = s_new(&rantai__v1__event__descriptor);
    e->seq = 1;
    e->time = 1700000000000;
    e->body_case = (Rantai__V1__Event__BodyCase) body_case;
    e->producer_put = body; /* the oneof's storage */
    return e;
}

static void
s_matcher_seeds(const char *t)
{
    Rantai__V1__ProducerPut *pp1 = s_new(&rantai__v1__producer_put__descriptor);
    pp1->producer = s_producer("PRD-1", "COOP-1");
    Rantai__V1__ProducerPut *pp2 = s_new(&rantai__v1__producer_put__descriptor);
    pp2->producer = s_producer("PRD-2", "");
    Rantai__V1__OfferPut *op1 = s_new(&rantai__v1__offer_put__descriptor);
    op1->offer = s_offer("OFF-1", "PRD-1");
    Rantai__V1__OfferPut *op2 = s_new(&rantai__v1__offer_put__descriptor);
    op2->offer = s_offer("OFF-2", "PRD-2");
    Rantai__V1__BuyerPut *bp = s_new(&rantai__v1__buyer_put__descriptor);
    bp->buyer = s_buyer("BUY-1", "MKT-1");
    Rantai__V1__DemandPosted *dp =
        s_new(&rantai__v1__demand_posted__descriptor);
    dp->demand = s_demand("DEM-1", "BUY-1");
    Rantai__V1__OfferWithdrawn *ow =
        s_new(&rantai__v1__offer_withdrawn__descriptor);
    ow->offer_id = "OFF-2";
    ow->producer_id = "PRD-2";
    Rantai__V1__DemandCancelled *dc =
        s_new(&rantai__v1__demand_cancelled__descriptor);
    dc->demand_id = "DEM-1";
    dc->buyer_id = "BUY-1";

    Rantai__V1__GetDemandState *gds =
        s_new(&rantai__v1__get_demand_state__descriptor);
    gds->demand_id = "DEM-1";
    Rantai__V1__GetOfferState *gos =
        s_new(&rantai__v1__get_offer_state__descriptor);
    gos->offer_id = "OFF-1";
    Rantai__V1__RespondAllocation *ra =
        s_new(&rantai__v1__respond_allocation__descriptor);
    ra->allocation_id = "DEM-1/1";
    ra->accept = 1;
    Rantai__V1__RespondAllocation *rd =
        s_new(&rantai__v1__respond_allocation__descriptor);
    rd->allocation_id = "DEM-1/2";
    rd->accept = 0;
    rd->reason = "no truck";
    Rantai__V1__GetMatcherStatus *gms =
        s_new(&rantai__v1__get_matcher_status__descriptor);

    rantai_event_t *e_pp1 = s_event(RANTAI__V1__EVENT__BODY_PRODUCER_PUT, pp1);
    rantai_event_t *e_pp2 = s_event(RANTAI__V1__EVENT__BODY_PRODUCER_PUT, pp2);
    rantai_event_t *e_op1 = s_event(RANTAI__V1__EVENT__BODY_OFFER_PUT, op1);
    rantai_event_t *e_op2 = s_event(RANTAI__V1__EVENT__BODY_OFFER_PUT, op2);
    rantai_event_t *e_bp = s_event(RANTAI__V1__EVENT__BODY_BUYER_PUT, bp);
    rantai_event_t *e_dp = s_event(RANTAI__V1__EVENT__BODY_DEMAND_POSTED, dp);
    rantai_event_t *e_ow = s_event(RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN, ow);
    rantai_event_t *e_dc =
        s_event(RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED, dc);
    rantai_request_t *q_ds =
        s_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE, gds);
    rantai_request_t *q_os =
        s_req(RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE, gos);
    rantai_request_t *q_ra =
        s_req(RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION, ra);
    rantai_request_t *q_rd =
        s_req(RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION, rd);
    rantai_request_t *q_st =
        s_req(RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS, gms);

    seed_t story = {.len = 0};
    s_add(&story, SEL_EV_PRD, &e_pp1->base);
    s_add(&story, SEL_EV_PRD, &e_pp2->base);
    s_add(&story, SEL_EV_PRD, &e_op1->base);
    s_add(&story, SEL_EV_PRD, &e_op2->base);
    s_add(&story, SEL_EV_BUY, &e_bp->base);
    s_add(&story, SEL_EV_BUY, &e_dp->base);
    s_add(&story, SEL_MKT1, &q_ds->base);
    s_add(&story, SEL_COOP1, &q_ds->base);
    s_add(&story, SEL_PRD1, &q_os->base);
    s_add(&story, SEL_COOP1, &q_ra->base);
    s_add(&story, SEL_PRD2, &q_rd->base);
    s_add(&story, SEL_OTHER, &q_ds->base);
    s_add(&story, SEL_ADMIN, &q_st->base);
    s_add(&story, SEL_EV_PRD, &e_ow->base);
    s_add(&story, SEL_EV_BUY, &e_dc->base);
    s_add(&story, SEL_NONE, &q_st->base);
    s_write_seed(t, "story", &story);

    const rantai_request_t *reqs[] = {q_ds, q_os, q_ra, q_rd, q_st};
    const uint8_t sels[] = {SEL_ADMIN, SEL_COOP1, SEL_PRD1, SEL_MKT1,
                            SEL_NONE,  SEL_SVC,   SEL_OTHER};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        for (size_t k = 0; k < sizeof sels; k++) {
            seed_t s = {.len = 0};
            s_add(&s, sels[k], &reqs[i]->base);
            char name[64];
            snprintf(name, sizeof name, "req%zu-sel%d", i, sels[k]);
            s_write_seed(t, name, &s);
        }
        s_write_msg("fuzz_request_decode", rantai_request_name(reqs[i]),
                    &reqs[i]->base);
    }
    const rantai_event_t *evs[] = {e_pp1, e_op1, e_bp, e_dp, e_ow, e_dc};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "event%zu", i);
        s_write_msg("fuzz_feed_decode", name, &evs[i]->base);
        rantai_feed_message_t fm = RANTAI__V1__FEED_MESSAGE__INIT;
        fm.body_case = RANTAI__V1__FEED_MESSAGE__BODY_EVENT;
        fm.event = (rantai_event_t *) evs[i];
        snprintf(name, sizeof name, "message%zu", i);
        s_write_msg("fuzz_feed_decode", name, &fm.base);
    }
    Rantai__V1__Party party = RANTAI__V1__PARTY__INIT;
    party.kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE;
    party.id = "COOP-1";
    Rantai__V1__Subscribe sub = RANTAI__V1__SUBSCRIBE__INIT;
    sub.from_seq = 1;
    sub.party = &party;
    sub.window = 16;
    rantai_feed_request_t fr = RANTAI__V1__FEED_REQUEST__INIT;
    fr.body_case = RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE;
    fr.subscribe = &sub;
    s_write_msg("fuzz_feed_decode", "subscribe", &fr.base);
    rantai_feed_request_t ack = RANTAI__V1__FEED_REQUEST__INIT;
    ack.body_case = RANTAI__V1__FEED_REQUEST__BODY_ACK;
    ack.ack = 12;
    s_write_msg("fuzz_feed_decode", "ack", &ack.base);
    Rantai__V1__Heartbeat hb = RANTAI__V1__HEARTBEAT__INIT;
    hb.head_seq = 99;
    rantai_feed_message_t fh = RANTAI__V1__FEED_MESSAGE__INIT;
    fh.body_case = RANTAI__V1__FEED_MESSAGE__BODY_HEARTBEAT;
    fh.heartbeat = &hb;
    s_write_msg("fuzz_feed_decode", "heartbeat", &fh.base);
    rantai_reply_t err = RANTAI__V1__REPLY__INIT;
    rantai_reply_error(&err, s_arena,
                       RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED,
                       "party", "not yours");
    s_write_msg("fuzz_request_decode", "reply_error", &err.base);
    rantai_feed_message_t fe = RANTAI__V1__FEED_MESSAGE__INIT;
    fe.body_case = RANTAI__V1__FEED_MESSAGE__BODY_ERROR;
    fe.error = &err;
    s_write_msg("fuzz_feed_decode", "error", &fe.base);
}

/* LLVMFuzzerTestOneInput is not linked here. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void) data;
    (void) size;
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_gen_seeds CORPUS_ROOT\n");
        return 2;
    }
    s_root = argv[1];
    mkdir(s_root, 0755);
    s_arena = rantai_arena_new();
    s_producer_seeds("fuzz_producer_handle");
    s_buyer_seeds("fuzz_buyer_handle");
    s_matcher_seeds("fuzz_matcher_handle");
    rantai_arena_destroy(&s_arena);
    return 0;
}
