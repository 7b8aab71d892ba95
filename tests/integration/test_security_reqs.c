/*  test_security_reqs.c - see test_security_reqs.h. */
#include "test_security_reqs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

rantai_arena_t *sr_arena;

rantai_request_t *
sr_put_producer(const char *id, const char *coop)
{
    Rantai__V1__GeoPoint *at = rantai_arena_alloc(sr_arena, sizeof *at);
    rantai__v1__geo_point__init(at);
    at->lat = -7.78;
    at->lon = 112.55;
    Rantai__V1__Producer *p = rantai_arena_alloc(sr_arena, sizeof *p);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->name = (char *) id;
    p->cooperative_id = (char *) coop;
    p->province = "35";
    p->location = at;
    p->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    Rantai__V1__PutProducer *b = rantai_arena_alloc(sr_arena, sizeof *b);
    rantai__v1__put_producer__init(b);
    b->producer = p;
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req->put_producer = b;
    return req;
}

rantai_request_t *
sr_put_offer(const char *id, const char *producer)
{
    Rantai__V1__Quantity *q = rantai_arena_alloc(sr_arena, sizeof *q);
    rantai__v1__quantity__init(q);
    q->milli = 500000;
    q->unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Price *price = rantai_arena_alloc(sr_arena, sizeof *price);
    rantai__v1__price__init(price);
    price->idr = 90000;
    price->per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__Offer *o = rantai_arena_alloc(sr_arena, sizeof *o);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    /* PRD-9 grows rice: D-1 (coffee) is for the cooperatives only. */
    o->commodity = strcmp(producer, "PRD-9") == 0 ? "100630" : "090111";
    o->quantity = q;
    o->price = price;
    Rantai__V1__PutOffer *b = rantai_arena_alloc(sr_arena, sizeof *b);
    rantai__v1__put_offer__init(b);
    b->offer = o;
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req->put_offer = b;
    return req;
}

rantai_request_t *
sr_put_buyer(const char *id, const char *mkt)
{
    Rantai__V1__Buyer *by = rantai_arena_alloc(sr_arena, sizeof *by);
    rantai__v1__buyer__init(by);
    by->id = (char *) id;
    by->name = (char *) id;
    by->marketplace_id = (char *) mkt;
    Rantai__V1__PutBuyer *b = rantai_arena_alloc(sr_arena, sizeof *b);
    rantai__v1__put_buyer__init(b);
    b->buyer = by;
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    req->put_buyer = b;
    return req;
}

rantai_request_t *
sr_post_demand(const char *id, const char *buyer)
{
    Rantai__V1__Quantity *q = rantai_arena_alloc(sr_arena, sizeof *q);
    rantai__v1__quantity__init(q);
    q->milli = 800000;
    q->unit = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    Rantai__V1__GeoPoint *sby = rantai_arena_alloc(sr_arena, sizeof *sby);
    rantai__v1__geo_point__init(sby);
    sby->lat = -7.257;
    sby->lon = 112.752;
    Rantai__V1__Demand *d = rantai_arena_alloc(sr_arena, sizeof *d);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = (char *) buyer;
    d->commodity = "0901";
    d->quantity = q;
    d->delivery = sby;
    d->allow_partial = true;
    d->transport_milli_idr_per_unit_km = 1000;
    Rantai__V1__PostDemand *b = rantai_arena_alloc(sr_arena, sizeof *b);
    rantai__v1__post_demand__init(b);
    b->demand = d;
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    req->post_demand = b;
    return req;
}

/* A request whose body is one id string (Get*, Withdraw, Cancel...). */
rantai_request_t *
sr_id_req(int body_case, const char *id)
{
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = (Rantai__V1__Request__BodyCase) body_case;
    switch (body_case) {
        case RANTAI__V1__REQUEST__BODY_GET_PRODUCER:
            req->get_producer = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_producer__init(req->get_producer);
            req->get_producer->id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_GET_OFFER:
            req->get_offer = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_offer__init(req->get_offer);
            req->get_offer->id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER:
            req->withdraw_offer = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__withdraw_offer__init(req->withdraw_offer);
            req->withdraw_offer->offer_id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_GET_BUYER:
            req->get_buyer = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_buyer__init(req->get_buyer);
            req->get_buyer->id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_GET_DEMAND:
            req->get_demand = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_demand__init(req->get_demand);
            req->get_demand->id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND:
            req->cancel_demand = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__cancel_demand__init(req->cancel_demand);
            req->cancel_demand->demand_id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE:
            req->get_demand_state = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_demand_state__init(req->get_demand_state);
            req->get_demand_state->demand_id = (char *) id;
            break;
        case RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE:
            req->get_offer_state = rantai_arena_alloc(sr_arena, 64);
            rantai__v1__get_offer_state__init(req->get_offer_state);
            req->get_offer_state->offer_id = (char *) id;
            break;
        default:
            fail_msg("no id request for body %d", body_case);
    }
    return req;
}

rantai_request_t *
sr_respond(const char *allocation_id, bool accept)
{
    Rantai__V1__RespondAllocation *b = rantai_arena_alloc(sr_arena, sizeof *b);
    rantai__v1__respond_allocation__init(b);
    b->allocation_id = (char *) allocation_id;
    b->accept = accept;
    rantai_request_t *req = rantai_arena_alloc(sr_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
    req->respond_allocation = b;
    return req;
}
