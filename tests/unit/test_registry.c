/*  test_registry.c - the pieces the producer and buyer registries share
    (services/common/registry.c): records and their header on a real store,
    canonical copies, index keys, the checks and the field they name. The
    request flows are covered through both cores (test_producer_core,
    test_buyer_core) and over the wire (test_validation). */
#include "rantai/err.h"
#include "registry.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ST(x) RANTAI__V1__STATUS_CODE__STATUS_CODE_##x

static const char *const s_dbs[] = {"things"};
enum { DB_THINGS = RANTAI_DB_FIRST };

typedef struct {
    char dir[64];
    rantai_store_t *store;
} fx_t;

static int
s_rec_cb(rantai_txn_t *txn, void *arg)
{
    (void) arg;
    int rc = rantai_rec_put(txn, DB_THINGS, "a", 7, 9, "xyz", 3);
    if (rc == 0) {
        rc = rantai_rec_put(txn, DB_THINGS, "empty", 1, 0, NULL, 0);
    }
    if (rc == 0) { /* shorter than a header: damage */
        rc = rantai_put(txn, DB_THINGS, "short", 5, "12345", 5);
    }
    return rc;
}

static void
test_records(void **state)
{
    (void) state;
    fx_t fx;
    snprintf(fx.dir, sizeof fx.dir, "/tmp/test_registry_XXXXXX");
    assert_non_null(mkdtemp(fx.dir));
    assert_int_equal(rantai_store_open(&fx.store, fx.dir, s_dbs, 1, NULL), 0);
    assert_int_equal(rantai_store_write(fx.store, s_rec_cb, NULL), 0);
    rantai_txn_t *txn;
    assert_int_equal(rantai_store_read(fx.store, &txn), 0);
    rantai_rec_t rec;
    assert_int_equal(rantai_rec_get(txn, DB_THINGS, "a", &rec), 0);
    assert_int_equal(rec.seq, 7);
    assert_int_equal(rec.end_seq, 9);
    assert_int_equal(rec.size, 3);
    assert_memory_equal(rec.body, "xyz", 3);
    assert_int_equal(rantai_rec_get(txn, DB_THINGS, "empty", &rec), 0);
    assert_int_equal(rec.size, 0);
    assert_int_equal(rantai_rec_get(txn, DB_THINGS, "short", &rec), RANTAI_EIO);
    assert_int_equal(rantai_rec_get(txn, DB_THINGS, "none", &rec),
                     RANTAI_ENOTFOUND);
    /* An invalid id never reaches the store. */
    assert_int_equal(rantai_rec_get(txn, DB_THINGS, "no such id!", &rec),
                     RANTAI_ENOTFOUND);
    rantai_txn_abort(&txn);
    rantai_store_destroy(&fx.store);
    char path[128];
    snprintf(path, sizeof path, "%s/data.mdb", fx.dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", fx.dir);
    unlink(path);
    rmdir(fx.dir);
}

static void
test_copy_strips_unknown_fields(void **state)
{
    (void) state;
    rantai_arena_t *arena = rantai_arena_new();
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    at.lat = -7.0;
    Rantai__V1__Producer p = RANTAI__V1__PRODUCER__INIT;
    p.id = "p1";
    p.location = &at;
    size_t n;
    uint8_t *packed = rantai_encode(&p.base, arena, &n);
    /* Append field 99 (varint 1) at the top, re-decode: one unknown. */
    uint8_t *with = rantai_arena_alloc(arena, n + 3);
    memcpy(with, packed, n);
    memcpy(with + n, "\x98\x06\x01", 3);
    Rantai__V1__Producer *d = (Rantai__V1__Producer *) rantai_decode(
        &rantai__v1__producer__descriptor, with, n + 3, SIZE_MAX, arena);
    assert_non_null(d);
    assert_int_equal(d->base.n_unknown_fields, 1);
    Rantai__V1__Producer *c = rantai_msg_copy(&d->base, arena);
    assert_non_null(c);
    assert_int_equal(c->base.n_unknown_fields, 0);
    assert_string_equal(c->id, "p1");
    assert_true(c->location != NULL && c->location->lat == -7.0);
    size_t m;
    uint8_t *again = rantai_encode(&c->base, arena, &m);
    assert_int_equal(m, n);
    assert_memory_equal(again, packed, n);
    rantai_arena_destroy(&arena);
}

static void
test_keys_and_canon(void **state)
{
    (void) state;
    rantai_arena_t *arena = rantai_arena_new();
    size_t len;
    char *k = rantai_key2(arena, "coop", "offer", &len);
    assert_int_equal(len, 10);
    assert_memory_equal(k, "coop\0offer", 10);
    k = rantai_key2(arena, "coop", "", &len);
    assert_int_equal(len, 5);
    assert_memory_equal(k, "coop\0", 5);
    Rantai__V1__GeoPoint g = RANTAI__V1__GEO_POINT__INIT;
    g.lat = -0.0;
    g.lon = -0.0;
    rantai_geo_canon(&g);
    assert_false(signbit(g.lat));
    assert_false(signbit(g.lon));
    rantai_geo_canon(NULL);
    rantai_principal_t who = {RANTAI_ROLE_ADMIN, NULL};
    assert_string_equal(rantai_party(&who), "");
    rantai_arena_destroy(&arena);
}

static void
test_checks_name_the_field(void **state)
{
    (void) state;
    rantai_arena_t *arena = rantai_arena_new();
    rantai_ctx_t ctx = {NULL, arena, 0, NULL};
    rantai_reply_t reply = RANTAI__V1__REPLY__INIT;
    Rantai__V1__GeoPoint g = RANTAI__V1__GEO_POINT__INIT;
    g.lat = NAN;
    assert_false(rantai_check_geo(&ctx, &reply, &g, "x.at"));
    assert_int_equal(reply.code, ST(INVALID_ARGUMENT));
    assert_string_equal(reply.field, "x.at.lat");
    g.lat = 0;
    g.lon = 180.5;
    assert_false(rantai_check_geo(&ctx, &reply, &g, "x.at"));
    assert_string_equal(reply.field, "x.at.lon");
    g.lon = -180;
    assert_true(rantai_check_geo(&ctx, &reply, &g, "x.at"));

    assert_false(rantai_check_qty(&ctx, &reply, NULL, "x.q"));
    assert_string_equal(reply.field, "x.q.unit");
    Rantai__V1__Quantity q = RANTAI__V1__QUANTITY__INIT;
    q.unit = RANTAI__V1__UNIT__UNIT_TONNE;
    assert_false(rantai_check_qty(&ctx, &reply, &q, "x.q"));
    assert_string_equal(reply.field, "x.q.milli");
    q.milli = UINT64_MAX;
    assert_false(rantai_check_qty(&ctx, &reply, &q, "x.q"));
    assert_string_equal(reply.field, "x.q.milli");
    q.milli = 1;
    assert_true(rantai_check_qty(&ctx, &reply, &q, "x.q"));

    assert_false(rantai_check_unit(&ctx, &reply, RANTAI__V1__UNIT__UNIT_LITRE,
                                   RANTAI_DIM_MASS, "x.per"));
    assert_string_equal(reply.field, "x.per");
    assert_false(rantai_check_unit(&ctx, &reply, 999, RANTAI_DIM_NONE, "x.u"));
    assert_true(rantai_check_id(&ctx, &reply, "", "x.id", true));
    assert_false(rantai_check_id(&ctx, &reply, "", "x.id", false));
    assert_string_equal(reply.field, "x.id");
    assert_true(rantai_check_prefix(&ctx, &reply, "", "f.p"));
    assert_true(rantai_check_prefix(&ctx, &reply, "09", "f.p"));
    assert_false(rantai_check_prefix(&ctx, &reply, "9", "f.p"));
    assert_string_equal(reply.field, "f.p");
    assert_false(rantai_check_text(&ctx, &reply, "a\001", "x.name"));
    assert_string_equal(reply.field, "x.name");
    rantai_arena_destroy(&arena);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_copy_strips_unknown_fields),
        cmocka_unit_test(test_keys_and_canon),
        cmocka_unit_test(test_checks_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
