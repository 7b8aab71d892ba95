/*  test_producer_list.c - ListOffers by cooperative: the merge of the
    cooperative's producers' offers_by_producer ranges must page exactly
    like one index in offer id order (producer_core.c, registry.c). */
#include "producer_core.h"
#include "rantai/err.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ST(x) RANTAI__V1__STATUS_CODE__STATUS_CODE_##x
#define NOW   1700000000000

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
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_plist_XXXXXX");
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
    rantai_ctx_t ctx = {txn, c->fx->arena, NOW, c->who};
    rantai__v1__reply__init(c->reply);
    return producer_service.handle(NULL, &ctx, c->req, c->reply);
}

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

static rantai_request_t *
s_req(fx_t *fx)
{
    rantai_request_t *r = RANTAI_ANEW(fx->arena, rantai_request_t);
    rantai__v1__request__init(r);
    return r;
}

static void
s_put_producer(fx_t *fx, const char *id, const char *coop)
{
    Rantai__V1__Producer *p = RANTAI_ANEW(fx->arena, Rantai__V1__Producer);
    rantai__v1__producer__init(p);
    p->id = (char *) id;
    p->name = "Tani";
    p->cooperative_id = (char *) coop;
    p->province = "32";
    p->location = RANTAI_ANEW(fx->arena, Rantai__V1__GeoPoint);
    rantai__v1__geo_point__init(p->location);
    p->location->lat = -6.9;
    p->location->lon = 107.6;
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    r->put_producer = RANTAI_ANEW(fx->arena, Rantai__V1__PutProducer);
    rantai__v1__put_producer__init(r->put_producer);
    r->put_producer->producer = p;
    assert_int_equal(s_call_as(fx, &s_admin, r)->code, ST(OK));
}

static void
s_put_offer(fx_t *fx, const char *id, const char *producer, const char *com)
{
    Rantai__V1__Offer *o = RANTAI_ANEW(fx->arena, Rantai__V1__Offer);
    rantai__v1__offer__init(o);
    o->id = (char *) id;
    o->producer_id = (char *) producer;
    o->commodity = (char *) com;
    o->quantity = RANTAI_ANEW(fx->arena, Rantai__V1__Quantity);
    rantai__v1__quantity__init(o->quantity);
    o->quantity->milli = 2500;
    o->quantity->unit = RANTAI__V1__UNIT__UNIT_TONNE;
    o->price = RANTAI_ANEW(fx->arena, Rantai__V1__Price);
    rantai__v1__price__init(o->price);
    o->price->idr = 95000;
    o->price->per = RANTAI__V1__UNIT__UNIT_KILOGRAM;
    rantai_request_t *r = s_req(fx);
    r->body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    r->put_offer = RANTAI_ANEW(fx->arena, Rantai__V1__PutOffer);
    rantai__v1__put_offer__init(r->put_offer);
    r->put_offer->offer = o;
    assert_int_equal(s_call_as(fx, &s_admin, r)->code, ST(OK));
}

/* One page as `who`: the ids space-separated into got, the next token. */
static const char *
s_page(fx_t *fx,
       const rantai_principal_t *who,
       const char *producer,
       const char *coop,
       const char *prefix,
       const char *token,
       uint32_t limit,
       char *got,
       size_t cap)
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
    rantai_reply_t *rep = s_call_as(fx, who, r);
    assert_int_equal(rep->code, ST(OK));
    assert_int_equal(rep->body_case, RANTAI__V1__REPLY__BODY_OFFER_LIST);
    got[0] = '\0';
    for (size_t i = 0; i < rep->offer_list->n_offers; i++) {
        size_t len = strlen(got);
        snprintf(got + len, cap - len, "%s%s", len ? " " : "",
                 rep->offer_list->offers[i]->id);
    }
    return rep->offer_list->next_page_token;
}

/* Every page of a list, concatenated. */
static void
s_all(fx_t *fx,
      const rantai_principal_t *who,
      const char *coop,
      const char *prefix,
      uint32_t limit,
      char *out,
      size_t cap)
{
    char page[4096];
    const char *token = "";
    out[0] = '\0';
    do {
        token =
            s_page(fx, who, "", coop, prefix, token, limit, page, sizeof page);
        size_t len = strlen(out);
        size_t plen = strlen(page);
        assert_true(len + plen + 2 <= cap);
        if (plen > 0) {
            if (len > 0) {
                out[len++] = ' ';
            }
            memcpy(out + len, page, plen + 1);
        }
        token = rantai_arena_strndup(fx->arena, token, strlen(token));
    } while (token[0] != '\0');
}

static void
test_coop_merge_pages_in_id_order(void **state)
{
    fx_t *fx = *state;
    s_put_producer(fx, "pa", "C1");
    s_put_producer(fx, "pb", "C1");
    s_put_producer(fx, "pc", "C1");
    s_put_producer(fx, "pd", "C2");
    s_put_producer(fx, "pe", "");
    /* Interleaved ids, of different lengths ("x1" < "x10" < "x2"). */
    s_put_offer(fx, "x1", "pa", "090111");
    s_put_offer(fx, "x10", "pb", "100630");
    s_put_offer(fx, "x2", "pc", "090111");
    s_put_offer(fx, "x3", "pa", "100630");
    s_put_offer(fx, "x4", "pb", "090111");
    s_put_offer(fx, "x5", "pd", "090111");
    s_put_offer(fx, "x6", "pe", "090111");
    s_put_offer(fx, "x7", "pc", "100630");
    s_put_offer(fx, "x8", "pa", "090111");
    s_put_offer(fx, "a0", "pc", "090111");
    s_put_offer(fx, "z9", "pb", "100630");

    char got[4096];
    const char *next;
    next = s_page(fx, &s_admin, "", "C1", "", "", 3, got, sizeof got);
    assert_string_equal(got, "a0 x1 x10");
    assert_string_equal(next, "x10");
    next = s_page(fx, &s_admin, "", "C1", "", "x10", 3, got, sizeof got);
    assert_string_equal(got, "x2 x3 x4");
    assert_string_equal(next, "x4");
    next = s_page(fx, &s_admin, "", "C1", "", "x4", 3, got, sizeof got);
    assert_string_equal(got, "x7 x8 z9");
    assert_string_equal(next, "");
    /* A token that is no stored id: everything after it. */
    next = s_page(fx, &s_admin, "", "C1", "", "x35", 10, got, sizeof got);
    assert_string_equal(got, "x4 x7 x8 z9");
    assert_string_equal(next, "");
    /* Commodity filter across the merge, one per page. */
    s_all(fx, &s_admin, "C1", "1006", 1, got, sizeof got);
    assert_string_equal(got, "x10 x3 x7 z9");
    s_all(fx, &s_admin, "C2", "", 1, got, sizeof got);
    assert_string_equal(got, "x5");
    /* No producers in the cooperative: an empty list. */
    next = s_page(fx, &s_admin, "", "C9", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    assert_string_equal(next, "");
    /* A cooperative lists its own, whatever filter it sends. */
    const rantai_principal_t c1 = {RANTAI_ROLE_COOPERATIVE, "C1"};
    s_all(fx, &c1, "", "", 4, got, sizeof got);
    assert_string_equal(got, "a0 x1 x10 x2 x3 x4 x7 x8 z9");
    next = s_page(fx, &c1, "", "C2", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    /* Producer and cooperative: both must hold. */
    next = s_page(fx, &s_admin, "pb", "C1", "", "", 0, got, sizeof got);
    assert_string_equal(got, "x10 x4 z9");
    next = s_page(fx, &s_admin, "pb", "C2", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    next = s_page(fx, &s_admin, "pe", "C1", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    (void) next;
}

static int
s_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Random ids over many producers: paging the merge yields exactly the
   cooperative's offers, sorted, whatever the page size. */
static void
test_coop_merge_random(void **state)
{
    fx_t *fx = *state;
    enum { NPROD = 12, NOFF = 300 };
    char pid[NPROD][8];
    for (int i = 0; i < NPROD; i++) {
        snprintf(pid[i], sizeof pid[i], "p%d", i);
        s_put_producer(fx, pid[i], i % 3 == 0 ? "K" : "L");
    }
    const char *mine[NOFF];
    size_t n = 0;
    uint64_t rng = 12345;
    for (int i = 0; i < NOFF; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        int p = (int) ((rng >> 33) % NPROD);
        char *id = rantai_arena_printf(fx->arena, "o%llx",
                                       (unsigned long long) (rng >> 20));
        s_put_offer(fx, id, pid[p], "090111");
        if (p % 3 == 0) {
            mine[n++] = id;
        }
    }
    qsort(mine, n, sizeof mine[0], s_cmp);
    char want[16384] = "", got[16384];
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s%s", i ? " " : "", mine[i]);
    }
    static const uint32_t limits[] = {1, 7, 100, 1000};
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        s_all(fx, &s_admin, "K", "", limits[l], got, sizeof got);
        assert_string_equal(got, want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_coop_merge_pages_in_id_order,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_coop_merge_random, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
