/*  test_buyer_core.c - the buyer registry rules, driven through
    buyer_service.handle() on a real store (child write txn per request,
    as the server does), with a fixed clock. */
#include "buyer_core.h"
#include "evlog.h"
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
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_buyer_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    assert_int_equal(rantai_store_open(&fx->store, fx->dir,
                                       buyer_service.db_names,
                                       buyer_service.db_count, NULL),
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
    rc = buyer_service.handle(NULL, &ctx, c->req, c->reply);
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
    if (buyer_service.is_write(req)) {
        assert_int_equal(rantai_store_write(fx->store, s_write_cb, &c), 0);
    } else {
        rantai_txn_t *txn;
        assert_int_equal(rantai_store_read(fx->store, &txn), 0);
        rantai_ctx_t ctx = {txn, fx->arena, NOW, who};
        rantai__v1__reply__init(reply);
        assert_int_equal(buyer_service.handle(NULL, &ctx, req, reply), 0);
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

static Rantai__V1__Buyer *
s_buyer(fx_t *fx, const char *id, const char *market)
{
    Rantai__V1__Buyer *b = RANTAI_ANEW(fx->arena, Rantai__V1__Buyer);
    rantai__v1__buyer__init(b);
    b->id = (char *) id;
    b->name = "Warung Bu Sri";
    b->marketplace_id = (char *) market;
    return b;
}

static Rantai__V1__Demand *
s_demand(fx_t *fx, const char *id, const char *buyer, const char *commodity)
{
    Rantai__V1__Demand *d = RANTAI_ANEW(fx->arena, Rantai__V1__Demand);
    rantai__v1__demand__init(d);
    d->id = (char *) id;
    d->buyer_id = (char *) buyer;
    d->commodity = (char *) commodity;
    d->quantity = RANTAI_ANEW(fx->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(d->quantity);
    d->quantity->milli = 1000;
    d->quantity->unit = UNIT(TONNE);
    d->delivery = RANTAI_ANEW(fx->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(d->delivery);
    d->delivery->lat = -6.2;
    d->delivery->lon = 106.8;
    return d;
}

static Rantai__V1__Price *
s_price(fx_t *fx, uint64_t idr, int per)
{
    Rantai__V1__Price *p = RANTAI_ANEW(fx->arena, Rantai__V1__Price);
    rantai__v1__price__init(p);
    p->idr = idr;
    p->per = (Rantai__V1__Unit) per;
    return p;
}

static rantai_request_t *
s_req(fx_t *fx)
{
    rantai_request_t *r = RANTAI_ANEW(fx->arena, rantai_request_t);
    rantai__v1__request__init(r);
    return r;
}

static rantai_request_t *
s_put_buyer(fx_t *fx, Rantai__V1__Buyer *b)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    r->put_buyer = RANTAI_ANEW(fx->arena, Rantai__V1__PutBuyer);
    rantai__v1__put_buyer__init(r->put_buyer);
    r->put_buyer->buyer = b;
    return r;
}

static rantai_request_t *
s_post(fx_t *fx, Rantai__V1__Demand *d)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    r->post_demand = RANTAI_ANEW(fx->arena, Rantai__V1__PostDemand);
    rantai__v1__post_demand__init(r->post_demand);
    r->post_demand->demand = d;
    return r;
}

static rantai_request_t *
s_cancel(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND;
    r->cancel_demand = RANTAI_ANEW(fx->arena, Rantai__V1__CancelDemand);
    rantai__v1__cancel_demand__init(r->cancel_demand);
    r->cancel_demand->demand_id = (char *) id;
    return r;
}

static rantai_request_t *
s_get_demand(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND;
    r->get_demand = RANTAI_ANEW(fx->arena, Rantai__V1__GetDemand);
    rantai__v1__get_demand__init(r->get_demand);
    r->get_demand->id = (char *) id;
    return r;
}

static rantai_request_t *
s_get_buyer(fx_t *fx, const char *id)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_BUYER;
    r->get_buyer = RANTAI_ANEW(fx->arena, Rantai__V1__GetBuyer);
    rantai__v1__get_buyer__init(r->get_buyer);
    r->get_buyer->id = (char *) id;
    return r;
}

static rantai_request_t *
s_list(fx_t *fx,
       const char *buyer,
       const char *prefix,
       const char *token,
       uint32_t limit)
{
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_LIST_DEMANDS;
    r->list_demands = RANTAI_ANEW(fx->arena, Rantai__V1__ListDemands);
    rantai__v1__list_demands__init(r->list_demands);
    r->list_demands->buyer_id = (char *) buyer;
    r->list_demands->commodity_prefix = (char *) prefix;
    r->list_demands->page_token = (char *) token;
    r->list_demands->limit = limit;
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

static void
s_expect_ids(rantai_reply_t *r, const char *ids, const char *next)
{
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->body_case, RANTAI__V1__REPLY__BODY_DEMAND_LIST);
    char got[256] = "";
    for (size_t i = 0; i < r->demand_list->n_demands; i++) {
        strcat(got, i ? " " : "");
        strcat(got, r->demand_list->demands[i]->id);
    }
    assert_string_equal(got, ids);
    assert_string_equal(r->demand_list->next_page_token, next);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_put_buyer(void **state)
{
    fx_t *fx = *state;
    rantai_reply_t *r = s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_string_equal(r->buyer->marketplace_id, "M1");
    r = s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 1);
    assert_int_equal(s_head(fx), 1);

    Rantai__V1__Buyer *b = s_buyer(fx, "b1", "M1");
    b->name = "Toko Sri";
    r = s_call(fx, s_put_buyer(fx, b));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    r = s_call(fx, s_get_buyer(fx, "b1"));
    s_expect(r, ST(OK), NULL);
    assert_string_equal(r->buyer->name, "Toko Sri");

    s_expect(s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M2"))),
             ST(FAILED_PRECONDITION), NULL);
    s_expect(s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", ""))),
             ST(FAILED_PRECONDITION), NULL);
    s_expect(s_call(fx, s_put_buyer(fx, s_buyer(fx, "b 1", "M1"))),
             ST(INVALID_ARGUMENT), "buyer.id");
    s_expect(s_call(fx, s_put_buyer(fx, s_buyer(fx, "b2", "M/1"))),
             ST(INVALID_ARGUMENT), "buyer.marketplace_id");
    b = s_buyer(fx, "b2", "M1");
    b->name = "nul\x01";
    s_expect(s_call(fx, s_put_buyer(fx, b)), ST(INVALID_ARGUMENT),
             "buyer.name");
    s_expect(s_call(fx, s_put_buyer(fx, NULL)), ST(INVALID_ARGUMENT), "buyer");
    assert_int_equal(s_head(fx), 2);
}

static void
test_demand_validation(void **state)
{
    fx_t *fx = *state;
    s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    const char *fields[] = {
        "demand.id",
        "demand.buyer_id",
        "demand.commodity",
        "demand.commodity",
        "demand.quantity.unit",
        "demand.quantity.unit",
        "demand.quantity.milli",
        "demand.max_price.per",
        "demand.max_price.per",
        "demand.max_price.per",
        "demand.required_certifications[1]",
        "demand.required_certifications[0]",
        "demand.delivery",
        "demand.delivery.lat",
        "demand.delivery.lon",
        "demand.origin_provinces[1]",
    };
    Rantai__V1__Certification certs[2] = {
        RANTAI__V1__CERTIFICATION__CERTIFICATION_HALAL, 0};
    char *provs[2] = {"32", "99"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "0901");
        switch (i) {
            case 0:
                d->id = "d:1/x";
                break;
            case 1:
                d->buyer_id = "";
                break;
            case 2:
                d->commodity = "9";
                break;
            case 3:
                d->commodity = "0901111111111";
                break;
            case 4:
                d->quantity = NULL;
                break;
            case 5:
                d->quantity->unit = 14;
                break;
            case 6:
                d->quantity->milli = 0;
                break;
            case 7:
                d->max_price = s_price(fx, 100, 0);
                break;
            case 8:
                d->max_price = s_price(fx, 100, UNIT(LITRE));
                break;
            case 9:
                d->max_price = s_price(fx, 0, 42);
                break;
            case 10:
                d->n_required_certifications = 2;
                d->required_certifications = certs;
                break;
            case 11:
                d->n_required_certifications = 1;
                d->required_certifications = &certs[1];
                break;
            case 12:
                d->delivery = NULL;
                break;
            case 13:
                d->delivery->lat = NAN;
                break;
            case 14:
                d->delivery->lon = -INFINITY;
                break;
            default:
                d->n_origin_provinces = 2;
                d->origin_provinces = provs;
                break;
        }
        s_expect(s_call(fx, s_post(fx, d)), ST(INVALID_ARGUMENT), fields[i]);
    }
    assert_int_equal(s_head(fx), 1);

    /* Allowed: no price limit with a stray unit, duplicated provinces. */
    Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "09");
    d->max_price = s_price(fx, 0, UNIT(LITRE));
    char *dup[2] = {"32", "32"};
    d->n_origin_provinces = 2;
    d->origin_provinces = dup;
    d->max_suppliers = 3;
    s_expect(s_call(fx, s_post(fx, d)), ST(OK), NULL);
    d = s_demand(fx, "d2", "b1", "090111");
    d->max_price = s_price(fx, 120000, UNIT(KILOGRAM));
    s_expect(s_call(fx, s_post(fx, d)), ST(OK), NULL);
    assert_int_equal(s_head(fx), 3);
}

static void
test_post_idempotent(void **state)
{
    fx_t *fx = *state;
    s_expect(s_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901"))),
             ST(FAILED_PRECONDITION), NULL);
    s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    rantai_reply_t *r =
        s_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_string_equal(r->demand->commodity, "0901");

    /* An unset limit written as {0, UNSPECIFIED} is the same demand. */
    Rantai__V1__Demand *d = s_demand(fx, "d1", "b1", "0901");
    d->max_price = s_price(fx, 0, 0);
    r = s_call(fx, s_post(fx, d));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);
    assert_int_equal(s_head(fx), 2);

    d = s_demand(fx, "d1", "b1", "0901");
    d->allow_partial = 1;
    s_expect(s_call(fx, s_post(fx, d)), ST(ALREADY_EXISTS), NULL);
    assert_int_equal(s_head(fx), 2);
}

static void
test_cancel(void **state)
{
    fx_t *fx = *state;
    s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    s_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    s_expect(s_call(fx, s_cancel(fx, "d9")), ST(NOT_FOUND), NULL);
    s_expect(s_call(fx, s_cancel(fx, "")), ST(INVALID_ARGUMENT), "demand_id");
    rantai_reply_t *r = s_call(fx, s_cancel(fx, "d1"));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    r = s_call(fx, s_cancel(fx, "d1"));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 3);
    assert_int_equal(s_head(fx), 3);
    r = s_call(fx, s_get_demand(fx, "d1"));
    s_expect(r, ST(OK), NULL);
    assert_string_equal(r->demand->buyer_id, "b1");
    /* Reposting the identical demand is still a no-op. */
    r = s_call(fx, s_post(fx, s_demand(fx, "d1", "b1", "0901")));
    s_expect(r, ST(OK), NULL);
    assert_int_equal(r->seq, 2);

    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx->store, &txn), 0);
    rantai_val_t v;
    assert_int_equal(rantai_evlog_get(txn, 3, &v), 0);
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v.data, v.size, SIZE_MAX, fx->arena);
    rantai_txn_abort(&txn);
    assert_non_null(ev);
    assert_int_equal(ev->body_case, RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED);
    assert_string_equal(ev->demand_cancelled->demand_id, "d1");
    assert_string_equal(ev->demand_cancelled->buyer_id, "b1");
}

/* b1 (M1): d01..d07, b2 (M2): d08..d10; odd ones coffee, even ones rice. */
static void
s_list_fixture(fx_t *fx)
{
    s_call(fx, s_put_buyer(fx, s_buyer(fx, "b1", "M1")));
    s_call(fx, s_put_buyer(fx, s_buyer(fx, "b2", "M2")));
    for (int i = 1; i <= 10; i++) {
        char *id = rantai_arena_printf(fx->arena, "d%02d", i);
        const char *c = i % 2 ? "0901" : "1006";
        s_expect(
            s_call(fx, s_post(fx, s_demand(fx, id, i <= 7 ? "b1" : "b2", c))),
            ST(OK), NULL);
    }
}

static void
test_list_paging(void **state)
{
    fx_t *fx = *state;
    s_list_fixture(fx);
    s_call(fx, s_cancel(fx, "d03"));
    s_expect_ids(s_call(fx, s_list(fx, "b1", "", "", 3)), "d01 d02 d03", "d03");
    s_expect_ids(s_call(fx, s_list(fx, "b1", "", "d03", 3)), "d04 d05 d06",
                 "d06");
    s_expect_ids(s_call(fx, s_list(fx, "b1", "", "d06", 3)), "d07", "");
    s_expect_ids(s_call(fx, s_list(fx, "", "1006", "", 0)),
                 "d02 d04 d06 d08 d10", "");
    s_expect_ids(s_call(fx, s_list(fx, "b2", "09", "", 0)), "d09", "");
    s_expect_ids(s_call(fx, s_list(fx, "nobody", "", "", 0)), "", "");
    s_expect(s_call(fx, s_list(fx, "", "", "d 3", 0)), ST(INVALID_ARGUMENT),
             "list_demands.page_token");
    s_expect(s_call(fx, s_list(fx, "", "ab", "", 0)), ST(INVALID_ARGUMENT),
             "list_demands.commodity_prefix");
    s_expect(s_call(fx, s_list(fx, "b\n", "", "", 0)), ST(INVALID_ARGUMENT),
             "list_demands.buyer_id");
}

static void
test_permissions(void **state)
{
    fx_t *fx = *state;
    s_list_fixture(fx);
    const rantai_principal_t m1 = {RANTAI_ROLE_MARKETPLACE, "M1"};
    const rantai_principal_t coop = {RANTAI_ROLE_COOPERATIVE, "C1"};
    const rantai_principal_t prod = {RANTAI_ROLE_PRODUCER, "p1"};
    const rantai_principal_t service = {RANTAI_ROLE_SERVICE, "matcher"};
    uint64_t head = s_head(fx);

    s_expect(s_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", "M2"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b2", "M1"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", ""))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &m1, s_put_buyer(fx, s_buyer(fx, "b3", "M1"))),
             ST(OK), NULL);
    /* Denied before validation. */
    s_expect(s_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "b2", "9"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(
        s_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "ghost", "0901"))),
        ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &m1, s_post(fx, s_demand(fx, "d08", "b3", "0901"))),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &m1, s_post(fx, s_demand(fx, "d20", "b3", "0901"))),
             ST(OK), NULL);
    s_expect(s_call_as(fx, &m1, s_cancel(fx, "d09")), ST(PERMISSION_DENIED),
             NULL);
    s_expect(s_call_as(fx, &m1, s_cancel(fx, "d01")), ST(OK), NULL);
    assert_int_equal(s_head(fx), head + 3);

    s_expect(s_call_as(fx, &m1, s_get_demand(fx, "d01")), ST(OK), NULL);
    s_expect(s_call_as(fx, &m1, s_get_demand(fx, "d09")), ST(NOT_FOUND), NULL);
    s_expect(s_call_as(fx, &m1, s_get_buyer(fx, "b2")), ST(NOT_FOUND), NULL);
    s_expect(s_call_as(fx, &m1, s_get_buyer(fx, "b3")), ST(OK), NULL);
    s_expect_ids(s_call_as(fx, &m1, s_list(fx, "", "", "", 4)),
                 "d01 d02 d03 d04", "d04");
    s_expect_ids(s_call_as(fx, &m1, s_list(fx, "", "", "d04", 4)),
                 "d05 d06 d07 d20", "");
    s_expect_ids(s_call_as(fx, &m1, s_list(fx, "b2", "", "", 0)), "", "");

    s_expect(s_call_as(fx, &coop, s_get_demand(fx, "d01")),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &prod, s_list(fx, "", "", "", 0)),
             ST(PERMISSION_DENIED), NULL);
    s_expect(s_call_as(fx, &service, s_put_buyer(fx, s_buyer(fx, "b9", ""))),
             ST(PERMISSION_DENIED), NULL);
}

static void
test_unimplemented(void **state)
{
    fx_t *fx = *state;
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    Rantai__V1__GetOffer go = RANTAI__V1__GET_OFFER__INIT;
    go.id = "o1";
    r->get_offer = &go;
    s_expect(s_call(fx, r), ST(UNIMPLEMENTED), NULL);
    assert_true(buyer_service.is_write(s_cancel(fx, "d1")));
    assert_false(buyer_service.is_write(s_get_demand(fx, "d1")));
    assert_string_equal(buyer_service.name, "buyer");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_buyer, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_demand_validation, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_post_idempotent, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_cancel, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_permissions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unimplemented, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
