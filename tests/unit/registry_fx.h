/*  registry_fx.h - the fixture shared by the unit tests of the registry
    cores (test_producer_core.c, test_buyer_core.c, test_producer_list.c):
    a service on a real store in a mkdtemp directory, its handle() called
    as the server calls it (a write in a child of a durable write txn that
    is rolled back unless the reply is OK, a read in a snapshot), with a
    fixed clock, and builders of requests.

    Everything a function returns is allocated in fx->arena and lives until
    the teardown. Failures are cmocka failures of the calling test. */
#ifndef RANTAI_TEST_REGISTRY_FX_H
#define RANTAI_TEST_REGISTRY_FX_H

#include "service.h"

#include <stddef.h>
#include <stdint.h>

#define ST(x)   RANTAI__V1__STATUS_CODE__STATUS_CODE_##x
#define UNIT(x) RANTAI__V1__UNIT__UNIT_##x
#define BODY(x) RANTAI__V1__REQUEST__BODY_##x
#define NOW     1700000000000 /* ctx->now_ms of every request */

typedef struct {
    char dir[64];
    const rantai_service_def_t *svc;
    rantai_store_t *store;
    rantai_arena_t *arena;
} rfx_t;

/* The principal of rfx_call(). */
extern const rantai_principal_t rfx_admin;

/* A cmocka setup: a new rfx_t in *state, serving `svc` on a store of its
   databases in a fresh directory /tmp/<tag>_XXXXXX. Returns 0. */
int rfx_setup(void **state, const rantai_service_def_t *svc, const char *tag);

/* A cmocka teardown for rfx_setup(): closes the store, removes its
   directory and frees the fixture. Returns 0. */
int rfx_teardown(void **state);

/* Run one request as `who` (a write in its own durable txn, a read in a
   snapshot) and return the reply; handle() must return 0. */
rantai_reply_t *
rfx_call_as(rfx_t *fx, const rantai_principal_t *who, rantai_request_t *req);

/* rfx_call_as() as rfx_admin. */
rantai_reply_t *rfx_call(rfx_t *fx, rantai_request_t *req);

/* The seq of the last event in the store's log (0 if none). */
uint64_t rfx_head(rfx_t *fx);

/* Fail unless the reply has `code` and, if field is not NULL, names
   `field`. */
void rfx_expect(const rantai_reply_t *r, int code, const char *field);

/* Fail unless the reply is an OK OfferList or DemandList; its ids
   space-separated into got (cap bytes, at least 1). Returns its
   next_page_token. */
const char *rfx_list_ids(const rantai_reply_t *r, char *got, size_t cap);

/* Fail unless the reply is an OK list of exactly `ids` (space-separated)
   with next_page_token `next`. */
void rfx_expect_ids(const rantai_reply_t *r, const char *ids, const char *next);

/* ---- builders (strings are borrowed, not copied) ----------------------- */

/* An empty Request. */
rantai_request_t *rfx_req(rfx_t *fx);

/* A Request with body `body_case` (BODY(GET_OFFER)) whose field named
   `field` is `value`: a string, or a message of that field's type (or
   NULL); every other field of the body is its default. Fails the test for
   a field of another type. */
rantai_request_t *
rfx_request(rfx_t *fx, int body_case, const char *field, const void *value);

Rantai__V1__GeoPoint *rfx_geo(rfx_t *fx, double lat, double lon);
Rantai__V1__Quantity *rfx_qty(rfx_t *fx, uint64_t milli, int unit);
Rantai__V1__Price *rfx_price(rfx_t *fx, uint64_t idr, int per);

/* A valid micro producer in province 32 at -6.9,107.6. */
Rantai__V1__Producer *rfx_producer(rfx_t *fx, const char *id, const char *coop);

/* A valid offer of 2.5 t at Rp 95,000/kg. */
Rantai__V1__Offer *rfx_offer(rfx_t *fx,
                             const char *id,
                             const char *producer,
                             const char *commodity);

/* PutProducer, PutOffer (rfx_request()). */
rantai_request_t *rfx_put_producer(rfx_t *fx, Rantai__V1__Producer *p);
rantai_request_t *rfx_put_offer(rfx_t *fx, Rantai__V1__Offer *o);

/* ListOffers with these filters ("" = any), page token and limit. */
rantai_request_t *rfx_list_offers(rfx_t *fx,
                                  const char *producer,
                                  const char *coop,
                                  const char *prefix,
                                  const char *token,
                                  uint32_t limit);

#endif
