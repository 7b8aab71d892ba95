/*  registry_fx.c - see registry_fx.h. */
#include "registry_fx.h"

#include "evlog.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

const rantai_principal_t rfx_admin = {RANTAI_ROLE_ADMIN, ""};

int
rfx_setup(void **state, const rantai_service_def_t *svc, const char *tag)
{
    rfx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/%s_XXXXXX", tag);
    assert_non_null(mkdtemp(fx->dir));
    fx->svc = svc;
    assert_int_equal(rantai_store_open(&fx->store, fx->dir, svc->db_names,
                                       svc->db_count, NULL),
                     0);
    fx->arena = rantai_arena_new();
    *state = fx;
    return 0;
}

int
rfx_teardown(void **state)
{
    rfx_t *fx = *state;
    rantai_store_destroy(&fx->store);
    rantai_arena_destroy(&fx->arena);
    DIR *d = opendir(fx->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", fx->dir, e->d_name);
            unlink(path);
        }
    }
    if (d) {
        closedir(d);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

typedef struct {
    rfx_t *fx;
    const rantai_principal_t *who;
    const rantai_request_t *req;
    rantai_reply_t *reply;
} s_call_t;

static int
s_write_cb(rantai_txn_t *txn, void *arg)
{
    s_call_t *c = arg;
    rantai_txn_t *child;
    int rc = rantai_txn_child(txn, &child);
    if (rc != 0) {
        return rc;
    }
    rantai_ctx_t ctx = {child, c->fx->arena, NOW, c->who};
    rantai__v1__reply__init(c->reply);
    rc = c->fx->svc->handle(NULL, &ctx, c->req, c->reply);
    if (rc == 0 && c->reply->code == ST(OK)) {
        return rantai_txn_commit(&child);
    }
    rantai_txn_abort(&child);
    return rc;
}

rantai_reply_t *
rfx_call_as(rfx_t *fx, const rantai_principal_t *who, rantai_request_t *req)
{
    rantai_reply_t *reply = RANTAI_ANEW(fx->arena, rantai_reply_t);
    s_call_t c = {fx, who, req, reply};
    if (fx->svc->is_write(req)) {
        assert_int_equal(rantai_store_write(fx->store, s_write_cb, &c), 0);
    } else {
        rantai_txn_t *txn;
        assert_int_equal(rantai_store_read(fx->store, &txn), 0);
        rantai_ctx_t ctx = {txn, fx->arena, NOW, who};
        rantai__v1__reply__init(reply);
        assert_int_equal(fx->svc->handle(NULL, &ctx, req, reply), 0);
        rantai_txn_abort(&txn);
    }
    return reply;
}

rantai_reply_t *
rfx_call(rfx_t *fx, rantai_request_t *req)
{
    return rfx_call_as(fx, &rfx_admin, req);
}

uint64_t
rfx_head(rfx_t *fx)
{
    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    uint64_t h = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    return h;
}

void
rfx_expect(const rantai_reply_t *r, int code, const char *field)
{
    if ((int) r->code != code || (field && strcmp(r->field, field) != 0)) {
        fail_msg("want %d field '%s', got %d field '%s' (%s)", code,
                 field ? field : "", (int) r->code, r->field, r->message);
    }
}

/* Append " id" (no space before the first) to got. */
static void
s_append(char *got, size_t cap, const char *id)
{
    size_t len = strlen(got);
    int n = snprintf(got + len, cap - len, "%s%s", len ? " " : "", id);
    assert_true(n >= 0 && (size_t) n < cap - len);
}

const char *
rfx_list_ids(const rantai_reply_t *r, char *got, size_t cap)
{
    rfx_expect(r, ST(OK), NULL);
    got[0] = '\0';
    switch (r->body_case) {
        case RANTAI__V1__REPLY__BODY_OFFER_LIST:
            for (size_t i = 0; i < r->offer_list->n_offers; i++) {
                s_append(got, cap, r->offer_list->offers[i]->id);
            }
            return r->offer_list->next_page_token;
        case RANTAI__V1__REPLY__BODY_DEMAND_LIST:
            for (size_t i = 0; i < r->demand_list->n_demands; i++) {
                s_append(got, cap, r->demand_list->demands[i]->id);
            }
            return r->demand_list->next_page_token;
        default:
            fail_msg("not a list reply: body case %d", (int) r->body_case);
            return "";
    }
}

void
rfx_expect_ids(const rantai_reply_t *r, const char *ids, const char *next)
{
    char got[256];
    const char *token = rfx_list_ids(r, got, sizeof got);
    assert_string_equal(got, ids);
    assert_string_equal(token, next);
}

/* ---- builders ---------------------------------------------------------- */

rantai_request_t *
rfx_req(rfx_t *fx)
{
    rantai_request_t *r = RANTAI_ANEW(fx->arena, rantai_request_t);
    rantai__v1__request__init(r);
    return r;
}

rantai_request_t *
rfx_request(rfx_t *fx, int body_case, const char *field, const void *value)
{
    /* The body is a oneof member: its field number is the body case. */
    const ProtobufCFieldDescriptor *fb =
        protobuf_c_message_descriptor_get_field(
            &rantai__v1__request__descriptor, (unsigned) body_case);
    assert_non_null(fb);
    const ProtobufCMessageDescriptor *bd = fb->descriptor;
    ProtobufCMessage *body = rantai_arena_alloc(fx->arena, bd->sizeof_message);
    protobuf_c_message_init(bd, body);
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(bd, field);
    assert_non_null(f);
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        assert_true(value == NULL ||
                    ((const ProtobufCMessage *) value)->descriptor ==
                        f->descriptor);
    } else {
        assert_int_equal(f->type, PROTOBUF_C_TYPE_STRING);
    }
    memcpy((char *) body + f->offset, &value, sizeof value);
    rantai_request_t *r = rfx_req(fx);
    r->body_case = (Rantai__V1__Request__BodyCase) body_case;
    memcpy((char *) r + fb->offset, &body, sizeof body);
    return r;
}

Rantai__V1__GeoPoint *
rfx_geo(rfx_t *fx, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(fx->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

Rantai__V1__Quantity *
rfx_qty(rfx_t *fx, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(fx->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

Rantai__V1__Price *
rfx_price(rfx_t *fx, uint64_t idr, int per)
{
    Rantai__V1__Price *p = RANTAI_ANEW(fx->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = (Rantai__V1__Unit) per;
    return p;
}

Rantai__V1__Producer *
rfx_producer(rfx_t *fx, const char *id, const char *coop)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(fx->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->name = "Kopi Tani";
    p->cooperative_id = (char *) coop;
    p->province = "32";
    p->location = rfx_geo(fx, -6.9, 107.6);
    p->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    return p;
}

Rantai__V1__Offer *
rfx_offer(rfx_t *fx,
          const char *id,
          const char *producer,
          const char *commodity)
{
    Rantai__V1__Offer *o = RANTAI_ANEW(fx->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = (char *) commodity;
    o->quantity = rfx_qty(fx, 2500, UNIT(TONNE));
    o->price = rfx_price(fx, 95000, UNIT(KILOGRAM));
    return o;
}

rantai_request_t *
rfx_put_producer(rfx_t *fx, Rantai__V1__Producer *p)
{
    return rfx_request(fx, BODY(PUT_PRODUCER), "producer", p);
}

rantai_request_t *
rfx_put_offer(rfx_t *fx, Rantai__V1__Offer *o)
{
    return rfx_request(fx, BODY(PUT_OFFER), "offer", o);
}

rantai_request_t *
rfx_list_offers(rfx_t *fx,
                const char *producer,
                const char *coop,
                const char *prefix,
                const char *token,
                uint32_t limit)
{
    rantai_request_t *r = rfx_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_LIST_OFFERS;
    r->list_offers = RANTAI_ANEW(fx->arena, Rantai__V1__ListOffers);
    rantai__v1__list_offers__init(r->list_offers);
    r->list_offers->producer_id = (char *) producer;
    r->list_offers->cooperative_id = (char *) coop;
    r->list_offers->commodity_prefix = (char *) prefix;
    r->list_offers->page_token = (char *) token;
    r->list_offers->limit = limit;
    return r;
}
