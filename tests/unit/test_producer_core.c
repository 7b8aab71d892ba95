/*  test_producer_core.c - the producer registry rules, driven through
    producer_service.handle() on a real store (child write txn per request,
    as the server does), with a fixed clock. */
#include "evlog.h"
#include "producer_core.h"
#include "rantai/err.h"

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ST(x)   RANTAI__V1__STATUS_CODE__STATUS_CODE_##x
#define UNIT(x) RANTAI__V1__UNIT__UNIT_##x
#define NOW     1700000000000

typedef struct {
    char dir[64];
    rantai_store_t *store;
    rantai_arena_t *arena;
} fx_t;

static const rantai_principal_t s_admin = {RANTAI_ROLE_ADMIN, ""};

static int
s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_producer_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    assert_int_equal(rantai_store_open(&fx->store, fx->dir,
                                       producer_service.db_names,
                                       producer_service.db_count, NULL),
                     0);
    fx->arena = rantai_arena_new();
    *state = fx;
    return 0;
}

static int
s_teardown(void **state)
{
    fx_t *fx = *state;
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
    fx_t *fx;
    const rantai_principal_t *who;
    const rantai_request_t *req;
    rantai_reply_t *reply;
} call_t;

static int
s_write_cb(rantai_txn_t *txn, void *arg)
{
    call_t *c = arg;
    rantai_txn_t *child;
    int rc = rantai_txn_child(txn, &child);
    if (rc != 0) {
        return rc;
    }
    rantai_ctx_t ctx = {child, c->fx->arena, NOW, c->who};
    rantai__v1__reply__init(c->reply);
    rc = producer_service.handle(NULL, &ctx, c->req, c->reply);
    if (rc == 0 && c->reply->code == ST(OK)) {
        return rantai_txn_commit(&child);
    }
    rantai_txn_abort(&child);
    return rc;
}

/* Run one request as `who` (a write in its own durable txn, a read in a
   snapshot) and return the reply (in the arena). */
static rantai_reply_t *
s_call_as(fx_t *fx, const rantai_principal_t *who, rantai_request_t *req)
{
    rantai_reply_t *reply = RANTAI_ANEW(fx->arena, rantai_reply_t);
    call_t c = {fx, who, req, reply};
    if (producer_service.is_write(req)) {
        assert_int_equal(rantai_store_write(fx->store, s_write_cb, &c), 0);
    } else {
        rantai_txn_t *txn;
        assert_int_equal(rantai_store_read(fx->store, &txn), 0);
        rantai_ctx_t ctx = {txn, fx->arena, NOW, who};
        rantai__v1__reply__init(reply);
        assert_int_equal(producer_service.handle(NULL, &ctx, req, reply), 0);
        rantai_txn_abort(&txn);
    }
    return reply;
}

static rantai_reply_t *
s_call(fx_t *fx, rantai_request_t *req)
{
    return s_call_as(fx, &s_admin, req);
}

static uint64_t
s_head(fx_t *fx)
{
    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    uint64_t h = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    return h;
}

/* ---- builders ---------------------------------------------------------- */

static Rantai__V1__GeoPoint *
s_geo(fx_t *fx, double lat, double lon)
{
    Rantai__V1__GeoPoint *g = RANTAI_ANEW(fx->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(g);
    g->lat = lat;
    g->lon = lon;
    return g;
}

static Rantai__V1__Quantity *
s_qty(fx_t *fx, uint64_t milli, int unit)
{
    Rantai__V1__Quantity *q = RANTAI_ANEW(fx->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(q);
    q->milli = milli;
    q->unit = (Rantai__V1__Unit) unit;
    return q;
}

static Rantai__V1__Producer *
s_producer(fx_t *fx, const char *id, const char *coop)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(fx->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->name = "Kopi Tani";
    p->cooperative_id = (char *) coop;
    p->province = "32";
    p->location = s_geo(fx, -6.9, 107.6);
    p->enterprise_class = RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    return p;
}

static Rantai__V1__Offer *
s_offer(fx_t *fx, const char *id, const char *producer, const char *commodity)
{
    Rantai__V1__Offer *o = RANTAI_ANEW(fx->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = (char *) commodity;
    o->quantity = s_qty(fx, 2500, UNIT(TONNE));
    o->price = RANTAI_ANEW(fx->arena, Rantai__V1__Price);
    rantai__v1__price__init(o->price);
    o->price->idr = 95000;
    o->price->per = UNIT(KILOGRAM);
    return o;
}

static rantai_request_t *
s_req(fx_t *fx)
{
    rantai_request_t *r = RANTAI_ANEW(fx->arena, rantai_request_t);
    rantai__v1__request__init(r);
    return r;
}

static rantai_request_t *
s_put_producer(fx_t *fx, Rantai__V1__Producer *p)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    r->put_producer = RANTAI_ANEW(fx->arena, Rantai__V1__PutProducer);
    rantai__v1__put_producer__init(r->put_producer);
    r->put_producer->producer = p;
    return r;
}

static rantai_request_t *
s_put_offer(fx_t *fx, Rantai__V1__Offer *o)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    r->put_offer = RANTAI_ANEW(fx->arena, Rantai__V1__PutOffer);
    rantai__v1__put_offer__init(r->put_offer);
    r->put_offer->offer = o;
    return r;
}

static rantai_request_t *
s_withdraw(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER;
    r->withdraw_offer = RANTAI_ANEW(fx->arena, Rantai__V1__WithdrawOffer);
    rantai__v1__withdraw_offer__init(r->withdraw_offer);
    r->withdraw_offer->offer_id = (char *) id;
    return r;
}

static rantai_request_t *
s_get_offer(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    r->get_offer = RANTAI_ANEW(fx->arena, Rantai__V1__GetOffer);
    rantai__v1__get_offer__init(r->get_offer);
    r->get_offer->id = (char *) id;
    return r;
}

static rantai_request_t *
s_get_producer(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
    r->get_producer = RANTAI_ANEW(fx->arena, Rantai__V1__GetProducer);
    rantai__v1__get_producer__init(r->get_producer);
    r->get_producer->id = (char *) id;
    return r;
}

static rantai_request_t *
s_list(fx_t *fx,
       const char *producer,
       const char *coop,
       const char *prefix,
       const char *token,
       uint32_t limit)
{
    rantai_request_t *r = s_req(fx);
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

static void
s_expect(rantai_reply_t *r, int code, const char *field)
{
    if ((int) r->code != code || (field && strcmp(r->field, field) != 0)) {
        fail_msg("want %d field '%s', got %d field '%s' (%s)", code,
                 field ? field : "", (int) r->code, r->field, r->message);
    }
}

/* ---- tests ------------------------------------------------------------- */

static void
test_put_producer_idempotent(void **state)
{
    fx_t *fx = *state;
    Rantai__V1__Producer *p = s_producer(fx, "p1", "C1");
    rantai_reply_t *r = s_call(fx, s_put_producer(fx, p));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(r->body_case, RANTAI__V1__REPLY__BODY_PRODUCER);
    assert_string_equal(r->producer->id, "p1");

    r = s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "C1")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(s_head(fx), 1);

    p = s_producer(fx, "p1", "C1");
    p->name = "Kopi Tani Makmur";
    r = s_call(fx, s_put_producer(fx, p));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(s_head(fx), 2);
    r = s_call(fx, s_get_producer(fx, "p1"));
    s_expect(r, ST(OK), NULL);
    assert_string_equal(r->producer->name, "Kopi Tani Makmur");

    /* -0.0 and 0.0 are the same place: still idempotent. */
    p = s_producer(fx, "p0", "");
    p->location->lon = 0.0;
    s_expect(s_call(fx, s_put_producer(fx, p)), ST(OK), NULL);
    p = s_producer(fx, "p0", "");
    p->location->lon = -0.0;
    r = s_call(fx, s_put_producer(fx, p));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(s_head(fx), 3);

    r = s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "C2")));
    s_expect(r, ST(FAILED_PRECONDITION), NULL);
    assert_int_equal(s_head(fx), 3);
    r = s_call(fx, s_get_producer(fx, "nope"));
    s_expect(r, ST(NOT_FOUND), NULL);
}

static void
test_producer_validation(void **state)
{
    fx_t *fx = *state;
    struct {
        const char *field;
    } cases[] = {{"producer.id"},
                 {"producer.name"},
                 {"producer.cooperative_id"},
                 {"producer.province"},
                 {"producer.province"},
                 {"producer.location"},
                 {"producer.location.lat"},
                 {"producer.location.lon"},
                 {"producer.enterprise_class"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Rantai__V1__Producer *p = s_producer(fx, "p1", "");
        switch (i) {
            case 0:
                p->id = "bad id";
                break;
            case 1:
                p->name = "tab\tok, bell\a not";
                break;
            case 2:
                p->cooperative_id = "c/1";
                break;
            case 3:
                p->province = "99";
                break;
            case 4:
                p->province = "";
                break;
            case 5:
                p->location = NULL;
                break;
            case 6:
                p->location->lat = NAN;
                break;
            case 7:
                p->location->lon = 180.5;
                break;
            default:
                p->enterprise_class = 7;
                break;
        }
        s_expect(s_call(fx, s_put_producer(fx, p)), ST(INVALID_ARGUMENT),
                 cases[i].field);
    }
    s_expect(s_call(fx, s_put_producer(fx, NULL)), ST(INVALID_ARGUMENT),
             "producer");
    /* Invalid UTF-8 never passes the wire decoder; the core refuses it. */
    Rantai__V1__Producer *bad = s_producer(fx, "p1", "");
    bad->name = "\xff\xfe";
    rantai_reply_t *r = s_call(fx, s_put_producer(fx, bad));
    assert_int_equal(r->code, ST(INVALID_ARGUMENT));
    assert_non_null(strstr(r->field, "producer"));
    assert_int_equal(s_head(fx), 0);
}

static void
test_offer_validation(void **state)
{
    fx_t *fx = *state;
    s_expect(s_call(fx, s_put_producer(fx, s_producer(fx, "p1", ""))), ST(OK),
             NULL);
    const char *fields[] = {
        "offer.id",
        "offer.producer_id",
        "offer.commodity",
        "offer.commodity",
        "offer.quantity.unit",
        "offer.quantity.unit",
        "offer.quantity.unit",
        "offer.quantity.milli",
        "offer.min_order.unit",
        "offer.min_order.unit",
        "offer.price.per",
        "offer.price.per",
        "offer.price.per",
        "offer.certificates[0].scheme",
        "offer.certificates[1].scheme",
        "offer.location.lat",
        "offer.location.lon",
        "offer.available_until",
    };
    Rantai__V1__Certificate good = RANTAI__V1__CERTIFICATE__INIT;
    good.scheme = RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL;
    Rantai__V1__Certificate bad = RANTAI__V1__CERTIFICATE__INIT;
    Rantai__V1__Certificate *certs[2] = {&good, &bad};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        Rantai__V1__Offer *o = s_offer(fx, "o1", "p1", "090111");
        switch (i) {
            case 0:
                o->id = "";
                break;
            case 1:
                o->producer_id = "p 1";
                break;
            case 2:
                o->commodity = "090";
                break;
            case 3:
                o->commodity = "0901ab";
                break;
            case 4:
                o->quantity = NULL;
                break;
            case 5:
                o->quantity->unit = 0;
                break;
            case 6:
                o->quantity->unit = 77;
                break;
            case 7:
                o->quantity->milli = 0;
                break;
            case 8:
                o->min_order = s_qty(fx, 100, UNIT(LITRE));
                break;
            case 9:
                o->min_order = s_qty(fx, 100, 0);
                break;
            case 10:
                o->price = NULL;
                break;
            case 11:
                o->price->per = 0;
                break;
            case 12:
                o->price->per = UNIT(PIECE);
                break;
            case 13:
                bad.scheme = 0;
                o->n_certificates = 1;
                o->certificates = &certs[1];
                break;
            case 14:
                bad.scheme = 99;
                o->n_certificates = 2;
                o->certificates = certs;
                break;
            case 15:
                o->location = s_geo(fx, -90.5, 100);
                break;
            case 16:
                o->location = s_geo(fx, 1, INFINITY);
                break;
            default:
                o->available_from = NOW;
                o->available_until = NOW - 1;
                break;
        }
        s_expect(s_call(fx, s_put_offer(fx, o)), ST(INVALID_ARGUMENT),
                 fields[i]);
    }
    assert_int_equal(s_head(fx), 1);

    /* What is allowed: free offer, open-ended, a kg min_order of a t offer. */
    Rantai__V1__Offer *o = s_offer(fx, "o1", "p1", "090111");
    o->price->idr = 0;
    o->min_order = s_qty(fx, 500, UNIT(KILOGRAM));
    o->available_from = NOW;
    o->n_certificates = 1;
    o->certificates = certs;
    s_expect(s_call(fx, s_put_offer(fx, o)), ST(OK), NULL);

    /* Validation comes before the producer lookup. */
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o2", "ghost", "09"))),
             ST(INVALID_ARGUMENT), "offer.commodity");
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o2", "ghost", "0901"))),
             ST(FAILED_PRECONDITION), NULL);
}

static void
test_offer_idempotent_update(void **state)
{
    fx_t *fx = *state;
    s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "")));
    rantai_reply_t *r =
        s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p1", "090111")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_string_equal(r->offer->commodity, "090111");

    /* An empty min_order is the same as none. */
    Rantai__V1__Offer *o = s_offer(fx, "o1", "p1", "090111");
    o->min_order = s_qty(fx, 0, 0);
    r = s_call(fx, s_put_offer(fx, o));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(s_head(fx), 2);

    /* Same dimension, other unit and price: an update. */
    o = s_offer(fx, "o1", "p1", "090111");
    o->quantity->unit = UNIT(KILOGRAM);
    o->price->idr = 90000;
    r = s_call(fx, s_put_offer(fx, o));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(s_head(fx), 3);
    r = s_call(fx, s_get_offer(fx, "o1"));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->offer->price->idr, 90000);
    assert_int_equal(r->offer->quantity->unit, UNIT(KILOGRAM));
}

static void
test_offer_forbidden_changes(void **state)
{
    fx_t *fx = *state;
    s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "")));
    s_call(fx, s_put_producer(fx, s_producer(fx, "p2", "")));
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p1", "090111"))),
             ST(OK), NULL);
    assert_int_equal(s_head(fx), 3);
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p2", "090111"))),
             ST(FAILED_PRECONDITION), NULL);
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p1", "090112"))),
             ST(FAILED_PRECONDITION), NULL);
    Rantai__V1__Offer *o = s_offer(fx, "o1", "p1", "090111");
    o->quantity->unit = UNIT(LITRE);
    o->price->per = UNIT(LITRE);
    s_expect(s_call(fx, s_put_offer(fx, o)), ST(FAILED_PRECONDITION), NULL);
    assert_int_equal(s_head(fx), 3);
}

static void
test_withdraw_final(void **state)
{
    fx_t *fx = *state;
    s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "")));
    s_expect(s_call(fx, s_withdraw(fx, "o1")), ST(NOT_FOUND), NULL);
    s_expect(s_call(fx, s_withdraw(fx, "o 1")), ST(INVALID_ARGUMENT),
             "offer_id");
    s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p1", "090111")));
    rantai_reply_t *r = s_call(fx, s_withdraw(fx, "o1"));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    r = s_call(fx, s_withdraw(fx, "o1"));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(s_head(fx), 3);
    s_expect(s_call(fx, s_put_offer(fx, s_offer(fx, "o1", "p1", "090111"))),
             ST(FAILED_PRECONDITION), NULL);
    assert_int_equal(s_head(fx), 3);
    r = s_call(fx, s_get_offer(fx, "o1"));
    s_expect(r, ST(OK), NULL);
    assert_string_equal(r->offer->producer_id, "p1");

    /* The event carries both ids. */
    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, 3, &v), 0);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v.data, v.size, SIZE_MAX, fx->arena);
    rantai_txn_abort(&txn);
    assert_non_null(ev);
    assert_int_equal(ev->body_case, RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN);
    assert_string_equal(ev->offer_withdrawn->offer_id, "o1");
    assert_string_equal(ev->offer_withdrawn->producer_id, "p1");
    assert_int_equal(ev->time, NOW);
}

/* p1 (coop C1): o01..o07, every other one rice; p2 (coop C2): o08..o10. */
static void
s_list_fixture(fx_t *fx)
{
    s_call(fx, s_put_producer(fx, s_producer(fx, "p1", "C1")));
    s_call(fx, s_put_producer(fx, s_producer(fx, "p2", "C2")));
    for (int i = 1; i <= 10; i++) {
        char *id = rantai_arena_printf(fx->arena, "o%02d", i);
        const char *c = i % 2 ? "090111" : "100630";
        Rantai__V1__Offer *o = s_offer(fx, id, i <= 7 ? "p1" : "p2", c);
        s_expect(s_call(fx, s_put_offer(fx, o)), ST(OK), NULL);
    }
}

static void
s_expect_ids(rantai_reply_t *r, const char *ids, const char *next)
{
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->body_case, RANTAI__V1__REPLY__BODY_OFFER_LIST);
    char got[256] = "";
    for (size_t i = 0; i < r->offer_list->n_offers; i++) {
        strcat(got, i ? " " : "");
        strcat(got, r->offer_list->offers[i]->id);
    }
    assert_string_equal(got, ids);
    assert_string_equal(r->offer_list->next_page_token, next);
}

static void
test_list_paging(void **state)
{
    fx_t *fx = *state;
    s_list_fixture(fx);
    s_call(fx, s_withdraw(fx, "o02"));
    /* Three pages by producer; withdrawn offers are still listed. */
    s_expect_ids(s_call(fx, s_list(fx, "p1", "", "", "", 3)), "o01 o02 o03",
                 "o03");
    s_expect_ids(s_call(fx, s_list(fx, "p1", "", "", "o03", 3)), "o04 o05 o06",
                 "o06");
    s_expect_ids(s_call(fx, s_list(fx, "p1", "", "", "o06", 3)), "o07", "");
    /* Exactly a page left: no next token. */
    s_expect_ids(s_call(fx, s_list(fx, "p1", "", "", "o04", 3)), "o05 o06 o07",
                 "");
    s_expect_ids(s_call(fx, s_list(fx, "", "C2", "", "", 0)), "o08 o09 o10",
                 "");
    s_expect_ids(s_call(fx, s_list(fx, "", "", "1006", "", 2)), "o02 o04",
                 "o04");
    s_expect_ids(s_call(fx, s_list(fx, "", "", "1006", "o04", 2)), "o06 o08",
                 "o08");
    s_expect_ids(s_call(fx, s_list(fx, "", "", "1006", "o08", 2)), "o10", "");
    s_expect_ids(s_call(fx, s_list(fx, "p1", "C1", "09", "", 0)),
                 "o01 o03 o05 o07", "");
    s_expect_ids(s_call(fx, s_list(fx, "p1", "C2", "", "", 0)), "", "");
    s_expect_ids(s_call(fx, s_list(fx, "", "", "", "", 0)),
                 "o01 o02 o03 o04 o05 o06 o07 o08 o09 o10", "");
    s_expect_ids(s_call(fx, s_list(fx, "", "", "", "", 5000)),
                 "o01 o02 o03 o04 o05 o06 o07 o08 o09 o10", "");

    s_expect(s_call(fx, s_list(fx, "", "", "", "o 1", 0)), ST(INVALID_ARGUMENT),
             "list_offers.page_token");
    s_expect(s_call(fx, s_list(fx, "", "", "9", "", 0)), ST(INVALID_ARGUMENT),
             "list_offers.commodity_prefix");
    s_expect(s_call(fx, s_list(fx, "p/1", "", "", "", 0)), ST(INVALID_ARGUMENT),
             "list_offers.producer_id");
    s_expect(s_call(fx, s_list(fx, "", "C 1", "", "", 0)), ST(INVALID_ARGUMENT),
             "list_offers.cooperative_id");
}

static void
test_permissions(void **state)
{
    fx_t *fx = *state;
    s_list_fixture(fx);
    uint64_t head = s_head(fx);
    const rantai_principal_t coop = {RANTAI_ROLE_COOPERATIVE, "C1"};
    const rantai_principal_t prod = {RANTAI_ROLE_PRODUCER, "p2"};
    const rantai_principal_t market = {RANTAI_ROLE_MARKETPLACE, "M1"};
    const rantai_principal_t service = {RANTAI_ROLE_SERVICE, "matcher"};
    const rantai_principal_t nobody = {RANTAI_ROLE_NONE, ""};

    /* Writes naming another party: denied before validation. */
    Rantai__V1__Producer *p = s_producer(fx, "p3", "C2");
    p->province = "99";
    s_expect(s_call_as(fx, &coop, s_put_producer(fx, p)), ST(PERMISSION_DENIED),
             NULL);
    s_expect(
        s_call_as(fx, &coop, s_put_producer(fx, s_producer(fx, "p2", "C1"))),
        ST(PERMISSION_DENIED), NULL);
    s_expect(
        s_call_as(fx, &coop, s_put_producer(fx, s_producer(fx, "p3", "C1"))),
        ST(OK), NULL);
    s_expect(s_call_as(fx, &coop,
                       s_put_offer(fx, s_offer(fx, "o08", "p1", "090111"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &coop,
                       s_put_offer(fx, s_offer(fx, "o20", "p2", "090111"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &coop,
                       s_put_offer(fx, s_offer(fx, "o20", "ghost", "090111"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &coop,
                       s_put_offer(fx, s_offer(fx, "o20", "p3", "090111"))),
             ST(OK), NULL);
    s_expect(s_call_as(fx, &coop, s_withdraw(fx, "o09")), ST(PERMISSION_DENIED),
             NULL);
    s_expect(s_call_as(fx, &coop, s_withdraw(fx, "o01")), ST(OK), NULL);
    assert_int_equal(s_head(fx), head + 3);

    /* Reads: another party's object is exactly as missing. */
    rantai_reply_t *mine = s_call_as(fx, &coop, s_get_offer(fx, "o01"));
    s_expect(mine, ST(OK), NULL);
    rantai_reply_t *theirs = s_call_as(fx, &coop, s_get_offer(fx, "o09"));
    s_expect(theirs, ST(NOT_FOUND), NULL);
    rantai_reply_t *none = s_call_as(fx, &coop, s_get_offer(fx, "o99"));
    s_expect(none, ST(NOT_FOUND), NULL);
    s_expect(s_call_as(fx, &coop, s_get_producer(fx, "p2")), ST(NOT_FOUND),
             NULL);
    s_expect_ids(s_call_as(fx, &coop, s_list(fx, "", "", "", "", 0)),
                 "o01 o02 o03 o04 o05 o06 o07 o20", "");
    s_expect_ids(s_call_as(fx, &coop, s_list(fx, "", "C2", "", "", 0)), "", "");
    s_expect_ids(s_call_as(fx, &coop, s_list(fx, "p2", "", "", "", 0)), "", "");

    /* A producer is only itself. */
    s_expect_ids(s_call_as(fx, &prod, s_list(fx, "", "", "", "", 0)),
                 "o08 o09 o10", "");
    s_expect(s_call_as(fx, &prod, s_get_producer(fx, "p1")), ST(NOT_FOUND),
             NULL);
    s_expect(s_call_as(fx, &prod, s_get_producer(fx, "p2")), ST(OK), NULL);
    s_expect(s_call_as(fx, &prod, s_withdraw(fx, "o03")), ST(PERMISSION_DENIED),
             NULL);
    s_expect(s_call_as(fx, &prod,
                       s_put_offer(fx, s_offer(fx, "o21", "p2", "100630"))),
             ST(OK), NULL);
    /* Itself, unregistered: no one else's secret, so the real answer. */
    const rantai_principal_t ghost = {RANTAI_ROLE_PRODUCER, "ghost"};
    s_expect(s_call_as(fx, &ghost,
                       s_put_offer(fx, s_offer(fx, "o22", "ghost", "100630"))),
             ST(FAILED_PRECONDITION), NULL);

    /* Roles that may not use this service at all. */
    s_expect(s_call_as(fx, &market, s_get_offer(fx, "o01")),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &market, s_list(fx, "", "", "", "", 0)),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &service, s_get_producer(fx, "p1")),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &nobody, s_get_producer(fx, "p1")),
             ST(PERMISSION_DENIED), NULL);
}

static void
test_unimplemented(void **state)
{
    fx_t *fx = *state;
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    Rantai__V1__GetMatcherStatus gms = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    r->get_matcher_status = &gms;
    s_expect(s_call(fx, r), ST(UNIMPLEMENTED), NULL);
    rantai_request_t *empty = s_req(fx);
    s_expect(s_call(fx, empty), ST(UNIMPLEMENTED), NULL);
    assert_false(producer_service.is_write(r));
    assert_string_equal(producer_service.name, "producer");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_producer_idempotent, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_producer_validation, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_offer_validation, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_offer_idempotent_update, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_offer_forbidden_changes, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_withdraw_final, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_permissions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unimplemented, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
