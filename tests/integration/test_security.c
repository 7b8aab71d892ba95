/*  test_security - the real binaries with --security curve (PROTOCOL.md
    s6, docs/SECURITY.md): every row of the role table, allowed and
    denied, on every service and feed; nothing of other parties leaks
    (reads answer as for a missing id, lists and feeds are trimmed);
    unknown keys get nothing at all; revocation and addition of client
    certificates without a restart; SIGHUP reloads instead of killing; the
    matcher reaches the registries as role service; and the none-mode
    guard. Certificates are made with CZMQ as `rantai keygen` makes them.

    Parties: cooperatives KOP-1 (producer P-K1) and KOP-2 (P-K2), the
    independent producer PRD-9, marketplaces MKT-1 (buyer B-1, demand
    D-1) and MKT-2 (buyer B-2). D-1 needs 800 kg: only pooling O-K1
    (500 kg, KOP-1) and O-K2 (500 kg, KOP-2) fills it. The cluster and
    its keys are security_fx.h; the requests test_security_reqs.c. */
#include "harness_curve.h"
#include "rantai/err.h"
#include "security_fx.h"
#include "test_security_reqs.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>

#include <cmocka.h>

static uint64_t s_pseq, s_bseq;

/* ------------------------------------------------------------- tests */

/* Producer registry: puts, withdrawals, reads and lists per role. */
static void
test_producer_roles(void **state)
{
    (void) state;
    const h_service_t P = H_PRODUCER;
    /* cooperative: its own producers and their offers only */
    sx_expect(P, K_COOP1, sr_put_producer("P-K1", "KOP-1"), ST(OK));
    sx_expect(P, K_COOP1, sr_put_producer("P-X", "KOP-2"),
              ST(PERMISSION_DENIED));
    sx_expect(P, K_COOP1, sr_put_producer("P-Y", ""), ST(PERMISSION_DENIED));
    sx_expect(P, K_COOP2, sr_put_producer("P-K2", "KOP-2"), ST(OK));
    /* a cooperative may not take over another's producer either */
    sx_expect(P, K_COOP1, sr_put_producer("P-K2", "KOP-1"),
              ST(PERMISSION_DENIED));
    /* producer: itself only */
    sx_expect(P, K_PRD9, sr_put_producer("PRD-9", ""), ST(OK));
    sx_expect(P, K_PRD9, sr_put_producer("PRD-8", ""), ST(PERMISSION_DENIED));
    /* marketplace, service: no producer writes */
    sx_expect(P, K_MKT1, sr_put_producer("P-M", ""), ST(PERMISSION_DENIED));
    sx_expect(P, K_SERVICE, sr_put_producer("P-S", ""), ST(PERMISSION_DENIED));
    /* admin: everything */
    sx_expect(P, K_ADMIN, sr_put_producer("P-ADM", "KOP-9"), ST(OK));

    sx_expect(P, K_COOP1, sr_put_offer("O-K1", "P-K1"), ST(OK));
    sx_expect(P, K_COOP1, sr_put_offer("O-K1B", "P-K1"), ST(OK));
    sx_expect(P, K_COOP1, sr_put_offer("O-X", "P-K2"), ST(PERMISSION_DENIED));
    sx_expect(P, K_PRD9, sr_put_offer("O-9", "PRD-9"), ST(OK));
    sx_expect(P, K_PRD9, sr_put_offer("O-9X", "P-K1"), ST(PERMISSION_DENIED));
    sx_expect(P, K_MKT1, sr_put_offer("O-M", "P-K1"), ST(PERMISSION_DENIED));
    sx_expect(P, K_SERVICE, sr_put_offer("O-S", "P-K1"), ST(PERMISSION_DENIED));
    rantai_reply_t *r = sx_as(P, K_COOP2, sr_put_offer("O-K2", "P-K2"));
    assert_int_equal(r->code, ST(OK));
    s_pseq = r->seq;

    /* withdraw: the owner only; the other party cannot touch it */
    sx_expect(P, K_COOP2,
              sr_id_req(RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER, "O-K1B"),
              ST(PERMISSION_DENIED));
    sx_expect(P, K_MKT1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER, "O-K1B"),
              ST(PERMISSION_DENIED));
    r = sx_as(P, K_COOP1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER, "O-K1B"));
    assert_int_equal(r->code, ST(OK));
    s_pseq = r->seq; /* the producer log's last write */

    /* reads: own yes, others' as if missing */
    sx_expect(P, K_COOP1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_PRODUCER, "P-K1"),
              ST(OK));
    sx_expect(P, K_COOP1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-K1"), ST(OK));
    sx_expect(P, K_PRD9, sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-9"),
              ST(OK));
    sx_expect_as_missing(P, K_COOP1, RANTAI__V1__REQUEST__BODY_GET_PRODUCER,
                         "P-K2", "P-NONE");
    sx_expect_as_missing(P, K_COOP1, RANTAI__V1__REQUEST__BODY_GET_OFFER,
                         "O-K2", "O-NONE");
    sx_expect_as_missing(P, K_PRD9, RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-K1",
                         "O-NONE");
    /* marketplaces do not read offers; service reads nothing */
    assert_int_not_equal(
        sx_as(P, K_MKT1, sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-K1"))
            ->code,
        ST(OK));
    assert_int_not_equal(
        sx_as(P, K_SERVICE,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-K1"))
            ->code,
        ST(OK));
    sx_expect(P, K_ADMIN,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER, "O-K2"), ST(OK));

    /* lists: only one's own, whatever the filter asks for */
    const char *coops[] = {"", "KOP-2"};
    for (int i = 0; i < 2; i++) {
        Rantai__V1__ListOffers lo = RANTAI__V1__LIST_OFFERS__INIT;
        lo.cooperative_id = (char *) coops[i];
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_LIST_OFFERS;
        req.list_offers = &lo;
        r = sx_as(P, K_COOP1, &req);
        if (r->code == ST(OK)) {
            assert_non_null(r->offer_list);
            for (size_t j = 0; j < r->offer_list->n_offers; j++) {
                assert_string_equal(r->offer_list->offers[j]->producer_id,
                                    "P-K1");
            }
            if (i == 0) {
                assert_true(r->offer_list->n_offers >= 1);
            }
        } else {
            assert_int_equal(i, 1); /* only the foreign filter may fail */
            assert_int_equal(r->code, ST(PERMISSION_DENIED));
        }
    }
}

/* Buyer registry: buyers and demands per role. */
static void
test_buyer_roles(void **state)
{
    (void) state;
    const h_service_t B = H_BUYER;
    /* demands meet the offers as they are now (O-K1B withdrawn) */
    assert_true(hc_wait_applied(&sx_c, &sx_sec[H_MATCHER][K_ADMIN], s_pseq, 0));
    sx_expect(B, K_MKT1, sr_put_buyer("B-1", "MKT-1"), ST(OK));
    sx_expect(B, K_MKT1, sr_put_buyer("B-X", "MKT-2"), ST(PERMISSION_DENIED));
    sx_expect(B, K_MKT2, sr_put_buyer("B-2", "MKT-2"), ST(OK));
    sx_expect(B, K_MKT1, sr_put_buyer("B-2", "MKT-1"), ST(PERMISSION_DENIED));
    sx_expect(B, K_COOP1, sr_put_buyer("B-C", "MKT-1"), ST(PERMISSION_DENIED));
    sx_expect(B, K_PRD9, sr_put_buyer("B-P", "MKT-1"), ST(PERMISSION_DENIED));
    sx_expect(B, K_SERVICE, sr_put_buyer("B-S", "MKT-1"),
              ST(PERMISSION_DENIED));
    sx_expect(B, K_ADMIN, sr_put_buyer("B-ADM", "MKT-9"), ST(OK));

    sx_expect(B, K_MKT2, sr_post_demand("D-X", "B-1"), ST(PERMISSION_DENIED));
    sx_expect(B, K_COOP1, sr_post_demand("D-C", "B-1"), ST(PERMISSION_DENIED));
    sx_expect(B, K_SERVICE, sr_post_demand("D-S", "B-1"),
              ST(PERMISSION_DENIED));
    sx_expect(B, K_MKT2, sr_post_demand("D-2", "B-2"), ST(OK));
    sx_expect(B, K_MKT2,
              sr_id_req(RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND, "D-2"),
              ST(OK));

    /* reads */
    sx_expect(B, K_MKT2, sr_id_req(RANTAI__V1__REQUEST__BODY_GET_BUYER, "B-2"),
              ST(OK));
    sx_expect_as_missing(B, K_MKT2, RANTAI__V1__REQUEST__BODY_GET_BUYER, "B-1",
                         "B-NONE");
    sx_expect_as_missing(B, K_MKT1, RANTAI__V1__REQUEST__BODY_GET_DEMAND, "D-2",
                         "D-NONE");
    /* cooperatives and producers do not read demands */
    assert_int_not_equal(
        sx_as(B, K_COOP1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND, "D-2"))
            ->code,
        ST(OK));
    assert_int_not_equal(
        sx_as(B, K_PRD9, sr_id_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND, "D-2"))
            ->code,
        ST(OK));

    /* lists */
    Rantai__V1__ListDemands ld = RANTAI__V1__LIST_DEMANDS__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_LIST_DEMANDS;
    req.list_demands = &ld;
    rantai_reply_t *r = sx_as(B, K_MKT1, &req);
    assert_int_equal(r->code, ST(OK));
    assert_int_equal(r->demand_list->n_demands, 0); /* D-2 is MKT-2's */
    r = sx_as(B, K_MKT2, &req);
    assert_int_equal(r->code, ST(OK));
    assert_int_equal(r->demand_list->n_demands, 1);
    ld.buyer_id = "B-2";
    r = sx_as(B, K_MKT1, &req);
    assert_true(r->code != ST(OK) || r->demand_list->n_demands == 0);

    /* finally the demand the matcher tests use */
    r = sx_as(B, K_MKT1, sr_post_demand("D-1", "B-1"));
    assert_int_equal(r->code, ST(OK));
    s_bseq = r->seq;
    sx_expect(B, K_MKT2,
              sr_id_req(RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND, "D-1"),
              ST(PERMISSION_DENIED));
}

/* The matcher consumed both registries' feeds over CURVE as role
   service, so D-1 got allocations from both cooperatives; reads and
   responses per role. */
static void
test_matcher_roles(void **state)
{
    (void) state;
    const h_service_t M = H_MATCHER;
    assert_true(hc_wait_applied(&sx_c, &sx_sec[M][K_ADMIN], s_pseq, s_bseq));
    rantai_reply_t *r =
        sx_as(M, K_MKT1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE, "D-1"));
    assert_int_equal(r->code, ST(OK));
    Rantai__V1__DemandState *ds = r->demand_state;
    assert_int_equal(ds->n_allocations, 2);
    const char *alloc_k1 = NULL, *alloc_k2 = NULL;
    for (size_t i = 0; i < ds->n_allocations; i++) {
        if (strcmp(ds->allocations[i]->cooperative_id, "KOP-1") == 0) {
            alloc_k1 = ds->allocations[i]->id;
        } else {
            assert_string_equal(ds->allocations[i]->cooperative_id, "KOP-2");
            alloc_k2 = ds->allocations[i]->id;
        }
    }
    assert_non_null(alloc_k1);
    assert_non_null(alloc_k2);
    char a1[80], a2[80];
    snprintf(a1, sizeof a1, "%s", alloc_k1);
    snprintf(a2, sizeof a2, "%s", alloc_k2);

    sx_expect_as_missing(M, K_MKT2, RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE,
                         "D-1", "D-NONE");
    sx_expect_as_missing(M, K_COOP1, RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE,
                         "D-1", "D-NONE");
    assert_int_not_equal(
        sx_as(M, K_SERVICE,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE, "D-1"))
            ->code,
        ST(OK));
    sx_expect(M, K_ADMIN,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE, "D-1"),
              ST(OK));

    sx_expect(M, K_COOP1,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE, "O-K1"),
              ST(OK));
    sx_expect_as_missing(M, K_COOP1, RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE,
                         "O-K2", "O-NONE");
    sx_expect_as_missing(M, K_MKT1, RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE,
                         "O-K1", "O-NONE");
    sx_expect(M, K_PRD9,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE, "O-9"),
              ST(OK));

    /* respond: the allocation's cooperative only */
    assert_int_not_equal(sx_as(M, K_COOP2, sr_respond(a1, true))->code, ST(OK));
    assert_int_not_equal(sx_as(M, K_MKT1, sr_respond(a1, true))->code, ST(OK));
    assert_int_not_equal(sx_as(M, K_PRD9, sr_respond(a1, true))->code, ST(OK));
    assert_int_not_equal(sx_as(M, K_SERVICE, sr_respond(a1, true))->code,
                         ST(OK));
    r = sx_as(M, K_COOP1, sr_respond(a1, true));
    assert_int_equal(r->code, ST(OK));
    assert_int_equal(r->allocation->state,
                     RANTAI__V1__ALLOCATION_STATE__ALLOCATION_STATE_ACCEPTED);
    sx_expect(M, K_COOP2, sr_respond(a2, true), ST(OK));
}

/* --------------------------------------------------------------- feeds */

typedef struct {
    int events, proposed, updated_demand, foreign;
    size_t widest;  /* most allocations in one match_proposed */
    int error_code; /* -1: none */
} feed_seen_t;

/* Subscribe to service s as key k for party kind/id and read until the
   feed is idle at the service's head (a heartbeat announced a head we
   have passed) or an error comes. */
static feed_seen_t
s_watch(h_service_t s,
        int k,
        int kind,
        const char *id,
        const char *own_coop,
        const char *own_buyer)
{
    rantai_feed_opts_t opts = {0};
    opts.from_seq = 1;
    opts.party_kind = kind;
    opts.party_id = id;
    opts.security = &sx_sec[s][k];
    rantai_feed_sub_t *sub = rantai_feed_sub_new(sx_c.svc[s].feed, &opts);
    assert_non_null(sub);
    feed_seen_t seen = {0, 0, 0, 0, 0, -1};
    int64_t deadline = sx_ms() + 10000;
    while (sx_ms() < deadline) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(sub, sx_arena, 500, &ev, &err);
        if (rc == RANTAI_EPROTO) {
            seen.error_code = err ? (int) err->code : -2;
            break;
        }
        if (rc == 1) {
            seen.events++;
            rantai_feed_sub_ack(sub, ev->seq);
            if (ev->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED) {
                seen.proposed++;
                if (ev->match_proposed->n_allocations > seen.widest) {
                    seen.widest = ev->match_proposed->n_allocations;
                }
                if (own_buyer &&
                    strcmp(ev->match_proposed->buyer_id, own_buyer) != 0) {
                    seen.foreign++;
                }
                for (size_t i = 0; i < ev->match_proposed->n_allocations; i++) {
                    const char *coop =
                        ev->match_proposed->allocations[i]->cooperative_id;
                    if (own_coop && strcmp(coop, own_coop) != 0) {
                        seen.foreign++;
                    }
                }
            }
            if (ev->body_case == RANTAI__V1__EVENT__BODY_DEMAND_UPDATED) {
                seen.updated_demand++;
            }
            continue;
        }
        uint64_t head = rantai_feed_sub_head_seq(sub);
        if (rc == 0 && head > 0 && rantai_feed_sub_last_seq(sub) <= head &&
            rantai_feed_sub_silent_ms(sub) < 1000) {
            /* idle and heartbeating: everything up to head was offered */
            break;
        }
    }
    rantai_feed_sub_destroy(&sub);
    rantai_arena_reset(sx_arena);
    return seen;
}

static void
test_feeds(void **state)
{
    (void) state;
    const int COOP = RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE;
    const int MKT = RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE;
    const int ALL = RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    const int PRD = RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER;
    /* a cooperative sees its own allocations only, trimmed */
    feed_seen_t s = s_watch(H_MATCHER, K_COOP1, COOP, "KOP-1", "KOP-1", NULL);
    assert_int_equal(s.error_code, -1);
    assert_true(s.proposed >= 1);
    assert_int_equal(s.foreign, 0);
    assert_int_equal(s.widest, 1); /* trimmed to KOP-1's allocation */
    assert_int_equal(s.updated_demand, 0);
    s = s_watch(H_MATCHER, K_COOP2, COOP, "KOP-2", "KOP-2", NULL);
    assert_true(s.proposed >= 1);
    assert_int_equal(s.foreign, 0);
    /* ... and nothing for another party */
    s = s_watch(H_MATCHER, K_COOP1, COOP, "KOP-2", NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
    assert_int_equal(s.events, 0);
    s = s_watch(H_MATCHER, K_COOP1, ALL, NULL, NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
    s = s_watch(H_MATCHER, K_PRD9, PRD, "PRD-9", NULL, NULL);
    assert_int_equal(s.error_code, -1);
    assert_int_equal(s.proposed, 0); /* PRD-9 got no allocation */
    s = s_watch(H_MATCHER, K_PRD9, PRD, "P-K1", NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
    /* a marketplace sees its demands' matches whole, and nothing else */
    s = s_watch(H_MATCHER, K_MKT1, MKT, "MKT-1", NULL, "B-1");
    assert_int_equal(s.error_code, -1);
    assert_true(s.proposed >= 1);
    assert_int_equal(s.widest, 2); /* D-1's match, not trimmed */
    assert_int_equal(s.foreign, 0);
    /* MKT-2 sees its own D-2 (matched, then cancelled), never D-1 */
    s = s_watch(H_MATCHER, K_MKT2, MKT, "MKT-2", NULL, "B-2");
    assert_int_equal(s.error_code, -1);
    assert_int_equal(s.foreign, 0);
    s = s_watch(H_MATCHER, K_MKT2, MKT, "MKT-1", NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
    /* registry feeds: service (the matcher's role) and admin only */
    s = s_watch(H_PRODUCER, K_SERVICE, ALL, NULL, NULL, NULL);
    assert_int_equal(s.error_code, -1);
    assert_true(s.events >= 5);
    s = s_watch(H_BUYER, K_SERVICE, ALL, NULL, NULL, NULL);
    assert_int_equal(s.error_code, -1);
    assert_true(s.events >= 3);
    s = s_watch(H_PRODUCER, K_ADMIN, ALL, NULL, NULL, NULL);
    assert_true(s.events >= 5);
    s = s_watch(H_PRODUCER, K_COOP1, COOP, "KOP-1", NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
    assert_int_equal(s.events, 0);
    s = s_watch(H_BUYER, K_MKT1, MKT, "MKT-1", NULL, NULL);
    assert_int_equal(s.error_code, ST(PERMISSION_DENIED));
}

/* ------------------------------------------------ authentication */

static rantai_request_t *
s_status_req(void)
{
    rantai_request_t *req = rantai_arena_alloc(sx_arena, sizeof *req);
    rantai__v1__request__init(req);
    req->body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req->get_matcher_status =
        rantai_arena_alloc(sx_arena, sizeof *req->get_matcher_status);
    rantai__v1__get_matcher_status__init(req->get_matcher_status);
    return req;
}

/* An unknown key, a client without CURVE, and a client that expects the
   wrong server key get nothing at all: not an error, no reply. */
static void
test_unknown_key_gets_nothing(void **state)
{
    (void) state;
    for (int s = 0; s < H_COUNT; s++) {
        rantai_request_t *req =
            s == H_MATCHER
                ? s_status_req()
                : sr_id_req(s == H_PRODUCER
                                ? RANTAI__V1__REQUEST__BODY_GET_PRODUCER
                                : RANTAI__V1__REQUEST__BODY_GET_BUYER,
                            "P-K1");
        assert_null(sx_try((h_service_t) s, K_UNKNOWN, req, 1500));
        rantai_client_t *plain = hc_client(&sx_c, (h_service_t) s, NULL);
        rantai_client_set_timeout(plain, 1500);
        rantai_reply_t *r = NULL;
        assert_int_equal(rantai_client_call(plain, req, sx_arena, &r),
                         RANTAI_ETIMEOUT);
        rantai_client_destroy(&plain);
        /* the admin key aimed at another service's key: no handshake */
        rantai_security_t wrong = {sx_secret[K_ADMIN],
                                   sx_server_key[(s + 1) % H_COUNT]};
        rantai_client_t *c = hc_client(&sx_c, (h_service_t) s, &wrong);
        rantai_client_set_timeout(c, 1500);
        assert_int_equal(rantai_client_call(c, req, sx_arena, &r),
                         RANTAI_ETIMEOUT);
        rantai_client_destroy(&c);
        /* the service is fine and answers a known key */
        assert_non_null(sx_try((h_service_t) s, K_ADMIN, req, 5000));
    }
    /* an unknown key cannot subscribe either: no error, no events */
    rantai_feed_opts_t opts = {0};
    opts.security = &sx_sec[H_PRODUCER][K_UNKNOWN];
    rantai_feed_sub_t *sub =
        rantai_feed_sub_new(sx_c.svc[H_PRODUCER].feed, &opts);
    rantai_event_t *ev = NULL;
    rantai_reply_t *err = NULL;
    assert_int_equal(rantai_feed_sub_next(sub, sx_arena, 1500, &ev, &err), 0);
    assert_int_equal(rantai_feed_sub_head_seq(sub), 0); /* not a heartbeat */
    rantai_feed_sub_destroy(&sub);
}

/* Deleting a key's certificate revokes it without a restart: an open
   connection's requests are denied (rights are looked up per request),
   a new connection is refused at the handshake. */
static void
test_revocation(void **state)
{
    (void) state;
    const h_service_t P = H_PRODUCER;
    rantai_client_t *open = hc_client(&sx_c, P, &sx_sec[P][K_PRD9]);
    rantai_request_t *get =
        sr_id_req(RANTAI__V1__REQUEST__BODY_GET_PRODUCER, "PRD-9");
    rantai_reply_t *r = NULL;
    assert_int_equal(rantai_client_call(open, get, sx_arena, &r), 0);
    assert_int_equal(r->code, ST(OK));

    char path[512];
    sx_public_path(K_PRD9, path, sizeof path);
    assert_int_equal(unlink(path), 0);
    int64_t deadline = sx_ms() + 5000;
    int code = ST(OK);
    while (code == ST(OK) && sx_ms() < deadline) {
        assert_int_equal(rantai_client_call(open, get, sx_arena, &r), 0);
        code = (int) r->code;
    }
    assert_int_equal(code, ST(PERMISSION_DENIED));
    assert_null(r->producer);
    rantai_client_destroy(&open);
    assert_null(sx_try(P, K_PRD9, get, 1500));
    /* the other services reload too */
    assert_null(sx_try(H_MATCHER, K_PRD9, s_status_req(), 1500));
    /* and the key's data is intact for admin */
    sx_expect(P, K_ADMIN, get, ST(OK));
}

/* An open feed subscription ends when its key is revoked: the subscriber
   gets PERMISSION_DENIED and nothing more. */
static void
test_revoked_subscription_ends(void **state)
{
    (void) state;
    rantai_feed_opts_t opts = {0};
    opts.from_seq = 1;
    opts.party_kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE;
    opts.party_id = "MKT-9";
    opts.security = &sx_sec[H_MATCHER][K_MKT9];
    opts.dead_ms = 60000; /* no resubscribe while we watch */
    rantai_feed_sub_t *sub =
        rantai_feed_sub_new(sx_c.svc[H_MATCHER].feed, &opts);
    assert_non_null(sub);
    rantai_event_t *ev = NULL;
    rantai_reply_t *err = NULL;
    /* Subscribed: heartbeats announce the head. */
    int64_t deadline = sx_ms() + 5000;
    while (rantai_feed_sub_head_seq(sub) == 0 && sx_ms() < deadline) {
        int rc = rantai_feed_sub_next(sub, sx_arena, 200, &ev, &err);
        assert_true(rc >= 0);
    }
    assert_true(rantai_feed_sub_head_seq(sub) > 0);
    char path[512];
    sx_public_path(K_MKT9, path, sizeof path);
    assert_int_equal(unlink(path), 0);
    int rc = 0;
    deadline = sx_ms() + 5000;
    while (rc != RANTAI_EPROTO && sx_ms() < deadline) {
        rc = rantai_feed_sub_next(sub, sx_arena, 200, &ev, &err);
    }
    assert_int_equal(rc, RANTAI_EPROTO);
    assert_int_equal(err->code, ST(PERMISSION_DENIED));
    rantai_feed_sub_destroy(&sub);
}

/* A certificate added to the directory is accepted without a restart. */
static void
test_add_key_without_restart(void **state)
{
    (void) state;
    const h_service_t P = H_PRODUCER;
    rantai_request_t *put = sr_put_producer("P-K3", "KOP-3");
    assert_null(sx_try(P, K_COOP3, put, 1000));
    sx_list_key(K_COOP3);
    int64_t deadline = sx_ms() + 5000;
    rantai_reply_t *r = NULL;
    while (!r && sx_ms() < deadline) {
        r = sx_try(P, K_COOP3, put, 500);
    }
    assert_non_null(r);
    assert_int_equal(r->code, ST(OK));
    sx_expect(P, K_COOP3, sr_put_producer("P-K3X", "KOP-1"),
              ST(PERMISSION_DENIED));
}

/* SIGHUP reloads the certificates; it does not end the service. */
static void
test_sighup_reloads(void **state)
{
    (void) state;
    const h_service_t P = H_PRODUCER;
    assert_int_equal(kill(sx_c.svc[P].pid, SIGHUP), 0);
    int64_t deadline = sx_ms() + 5000;
    bool logged = false;
    while (!logged && sx_ms() < deadline) {
        FILE *f = fopen(sx_c.svc[P].log_path, "r");
        char line[1024];
        while (f && fgets(line, sizeof line, f)) {
            logged |= strstr(line, "SIGHUP") != NULL;
        }
        if (f) {
            fclose(f);
        }
        if (!logged) {
            struct timespec ts = {0, 10 * 1000 * 1000}; /* polling a file */
            nanosleep(&ts, NULL);
        }
    }
    assert_true(logged);
    sx_expect(P, K_ADMIN,
              sr_id_req(RANTAI__V1__REQUEST__BODY_GET_PRODUCER, "P-K1"),
              ST(OK));
}

/* Hostile frames from an authenticated peer get INVALID_ARGUMENT and
   change nothing; the service keeps serving. */
static void
test_garbage_from_known_key(void **state)
{
    (void) state;
    const h_service_t B = H_BUYER;
    zsock_t *raw = zsock_new(ZMQ_DEALER);
    zcert_t *cert = zcert_load(sx_secret[K_MKT1]);
    zcert_apply(cert, raw);
    zsock_set_curve_serverkey(raw, sx_server_key[B]);
    zsock_set_rcvtimeo(raw, 5000);
    assert_int_equal(zsock_connect(raw, "%s", sx_c.svc[B].api), 0);
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a,
                                   0x80, 0x01, 0xc0, 0x00, 0x12};
    assert_int_equal(zmq_send(zsock_resolve(raw), junk, sizeof junk, 0),
                     (int) sizeof junk);
    zframe_t *f = zframe_recv(raw);
    assert_non_null(f);
    rantai_reply_t *r = (rantai_reply_t *) rantai_decode(
        &rantai__v1__reply__descriptor, zframe_data(f), zframe_size(f),
        RANTAI_DEFAULT_MAX_MSG, sx_arena);
    assert_non_null(r);
    assert_int_equal(r->code, ST(INVALID_ARGUMENT));
    zframe_destroy(&f);
    zcert_destroy(&cert);
    zsock_destroy(&raw);
    sx_expect(B, K_MKT1, sr_id_req(RANTAI__V1__REQUEST__BODY_GET_BUYER, "B-1"),
              ST(OK));
}

/* none mode refuses a non-loopback endpoint (exit 2, naming the
   setting); curve mode without its certificates too. */
static void
test_none_mode_guard(void **state)
{
    (void) state;
    char bin[512], out[4096], data[512];
    h_binary("rantai-producer", bin, sizeof bin);
    snprintf(data, sizeof data, "%s/data/guard", sx_c.root);
    char api[64];
    snprintf(api, sizeof api, "tcp://0.0.0.0:%d", h_free_port());
    const char *argv1[] = {bin,          "--api", api,          "--http", "",
                           "--data-dir", data,    "--security", "none",   NULL};
    assert_int_equal(h_run(bin, argv1, out, sizeof out), 2);
    assert_non_null(strstr(out, "security/mode"));
    snprintf(api, sizeof api, "tcp://127.example.com:%d", h_free_port());
    assert_int_equal(h_run(bin, argv1, out, sizeof out), 2);
    const char *argv2[] = {bin, "--data-dir", data,    "--http",
                           "",  "--security", "curve", NULL};
    assert_int_equal(h_run(bin, argv2, out, sizeof out), 2);
    assert_non_null(strstr(out, "security/server_cert"));
}

int
main(void)
{
    zsys_init();
    zsys_handler_set(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producer_roles),
        cmocka_unit_test(test_buyer_roles),
        cmocka_unit_test(test_matcher_roles),
        cmocka_unit_test(test_feeds),
        cmocka_unit_test(test_unknown_key_gets_nothing),
        cmocka_unit_test(test_garbage_from_known_key),
        cmocka_unit_test(test_add_key_without_restart),
        cmocka_unit_test(test_sighup_reloads),
        cmocka_unit_test(test_revocation),
        cmocka_unit_test(test_revoked_subscription_ends),
        cmocka_unit_test(test_none_mode_guard),
    };
    return cmocka_run_group_tests_name("security", tests, sx_setup,
                                       sx_teardown);
}
