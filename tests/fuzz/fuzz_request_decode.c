/*  fuzz_request_decode - the api envelope: Request (what every service
    decodes from untrusted clients) and Reply (what every client decodes),
    then the shared field checks a handler runs on the decoded strings. */
#include "fuzz_common.h"
#include "fuzz_decode_common.h"

static void
s_check_fields(const rantai_request_t *req)
{
    rantai_request_name(req);
    const char *ids[4] = {NULL, NULL, NULL, NULL};
    switch (req->body_case) {
        case RANTAI__V1__REQUEST__BODY_GET_PRODUCER:
            ids[0] = req->get_producer->id;
            break;
        case RANTAI__V1__REQUEST__BODY_LIST_OFFERS:
            ids[0] = req->list_offers->producer_id;
            ids[1] = req->list_offers->cooperative_id;
            rantai_commodity_valid(req->list_offers->commodity_prefix, 0);
            rantai_text_valid(req->list_offers->page_token, 256);
            break;
        case RANTAI__V1__REQUEST__BODY_PUT_PRODUCER:
            if (req->put_producer->producer) {
                const Rantai__V1__Producer *p = req->put_producer->producer;
                ids[0] = p->id;
                ids[1] = p->cooperative_id;
                rantai_text_valid(p->name, 200);
                rantai_province_valid(p->province);
                if (p->location) {
                    rantai_geo_valid(p->location);
                }
                rantai_enum_defined(&rantai__v1__enterprise_class__descriptor,
                                    (int) p->enterprise_class);
            }
            break;
        case RANTAI__V1__REQUEST__BODY_PUT_OFFER:
            if (req->put_offer->offer) {
                const Rantai__V1__Offer *o = req->put_offer->offer;
                ids[0] = o->id;
                ids[1] = o->producer_id;
                rantai_commodity_valid(o->commodity, 4);
                if (o->location) {
                    rantai_geo_valid(o->location);
                }
            }
            break;
        case RANTAI__V1__REQUEST__BODY_POST_DEMAND:
            if (req->post_demand->demand) {
                const Rantai__V1__Demand *d = req->post_demand->demand;
                ids[0] = d->id;
                ids[1] = d->buyer_id;
                rantai_commodity_valid(d->commodity, 2);
                for (size_t i = 0; i < d->n_origin_provinces; i++) {
                    rantai_province_valid(d->origin_provinces[i]);
                }
                if (d->delivery) {
                    rantai_geo_valid(d->delivery);
                }
            }
            break;
        case RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION:
            ids[0] = req->respond_allocation->allocation_id;
            rantai_text_valid(req->respond_allocation->reason, 500);
            break;
        default:
            break;
    }
    for (int i = 0; i < 4; i++) {
        if (ids[i]) {
            rantai_id_valid(ids[i]);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rantai_arena_t *arena;
    if (!arena) {
        arena = rantai_arena_new();
    }
    const ProtobufCMessage *m =
        s_decode_check(&rantai__v1__request__descriptor, data, size, arena);
    if (m) {
        s_check_fields((const rantai_request_t *) m);
    }
    s_decode_check(&rantai__v1__reply__descriptor, data, size, arena);
    rantai_arena_reset(arena);
    return 0;
}
