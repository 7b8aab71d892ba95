/*  test_validation - bad input over the wire to the real producer and buyer
    binaries (PROTOCOL.md sections 1-4): every INVALID_ARGUMENT case with
    its exact `field`, FAILED_PRECONDITION, ALREADY_EXISTS, NOT_FOUND and
    UNIMPLEMENTED, malformed and oversized frames; after each refusal the
    object is unchanged (or still absent), no seq was used (the next good
    write is exactly the previous seq + 1), and the service still answers.
    Also idempotent puts and List paging. Only the two registries run. */
#include "harness.h"
#include "test_validation_cases.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <cmocka.h>

static h_cluster_t s_c;
static rantai_client_t *s_cl[2]; /* H_PRODUCER, H_BUYER */
static rantai_arena_t *s_arena;
static uint64_t s_seq[2]; /* last seq each registry handed out */

/* ---- set-up ------------------------------------------------------------ */

static int
s_setup(void **state)
{
    (void) state;
    memset(s_long, 'a', 257);
    memset(s_id65, 'x', 65);
    h_cluster_init(&s_c);
    if (!h_start(&s_c, H_PRODUCER) || !h_start(&s_c, H_BUYER)) {
        return -1;
    }
    s_cl[H_PRODUCER] = h_client(&s_c, H_PRODUCER);
    s_cl[H_BUYER] = h_client(&s_c, H_BUYER);
    s_arena = rantai_arena_new();
    return 0;
}

static int
s_teardown(void **state)
{
    (void) state;
    rantai_client_destroy(&s_cl[H_PRODUCER]);
    rantai_client_destroy(&s_cl[H_BUYER]);
    rantai_arena_destroy(&s_arena);
    assert_int_equal(h_stop(&s_c, H_BUYER), 0);
    assert_int_equal(h_stop(&s_c, H_PRODUCER), 0);
    h_cluster_fini(&s_c, false);
    return 0;
}

static rantai_reply_t *
s_call(h_service_t s, rantai_request_t *req)
{
    return h_call(s_cl[s], req, s_arena);
}

static void
s_expect(const rantai_reply_t *r, int code, const char *field, const char *ctx)
{
    if ((int) r->code != code ||
        (field != NULL && strcmp(r->field, field) != 0)) {
        fail_msg("%s: want %s field '%s', got %s field '%s' (%s)", ctx,
                 rantai_status_name(code), field ? field : "",
                 rantai_status_name((int) r->code), r->field, r->message);
    }
}

/* A good write: OK at exactly the next seq of its registry. */
static void
s_expect_next(h_service_t s, const rantai_reply_t *r, const char *ctx)
{
    s_expect(r, ST(OK), "", ctx);
    if (r->seq != s_seq[s] + 1) {
        fail_msg("%s: want seq %llu, got %llu", ctx,
                 (unsigned long long) s_seq[s] + 1,
                 (unsigned long long) r->seq);
    }
    s_seq[s] = r->seq;
}

/* The four puts, each of its template object (t NULL: no object). */
static const h_service_t s_svc_of[] = {H_PRODUCER, H_PRODUCER, H_BUYER,
                                       H_BUYER};

static rantai_reply_t *
s_put(s_kind_t k, s_tpl_t *t)
{
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__PutProducer pp = RANTAI__V1__PUT_PRODUCER__INIT;
    Rantai__V1__PutOffer po = RANTAI__V1__PUT_OFFER__INIT;
    Rantai__V1__PutBuyer pb = RANTAI__V1__PUT_BUYER__INIT;
    Rantai__V1__PostDemand pd = RANTAI__V1__POST_DEMAND__INIT;
    pp.producer = t ? &t->p : NULL;
    po.offer = t ? &t->o : NULL;
    pb.buyer = t ? &t->b : NULL;
    pd.demand = t ? &t->d : NULL;
    switch (k) {
        case K_PRODUCER:
            req.body_case = BODY(PUT_PRODUCER);
            req.put_producer = &pp;
            break;
        case K_OFFER:
            req.body_case = BODY(PUT_OFFER);
            req.put_offer = &po;
            break;
        case K_BUYER:
            req.body_case = BODY(PUT_BUYER);
            req.put_buyer = &pb;
            break;
        default:
            req.body_case = BODY(POST_DEMAND);
            req.post_demand = &pd;
            break;
    }
    return s_call(s_svc_of[k], &req);
}

/* A request naming an id (Get, Withdraw, Cancel) or filters (List: a is
   producer_id / buyer_id, b cooperative_id). */
static rantai_reply_t *
s_by_id(int body,
        const char *a,
        const char *b,
        const char *prefix,
        const char *token,
        uint32_t limit)
{
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__GetProducer gp = RANTAI__V1__GET_PRODUCER__INIT;
    Rantai__V1__GetOffer go = RANTAI__V1__GET_OFFER__INIT;
    Rantai__V1__WithdrawOffer wo = RANTAI__V1__WITHDRAW_OFFER__INIT;
    Rantai__V1__ListOffers lo = RANTAI__V1__LIST_OFFERS__INIT;
    Rantai__V1__GetBuyer gb = RANTAI__V1__GET_BUYER__INIT;
    Rantai__V1__GetDemand gd = RANTAI__V1__GET_DEMAND__INIT;
    Rantai__V1__CancelDemand cd = RANTAI__V1__CANCEL_DEMAND__INIT;
    Rantai__V1__ListDemands ld = RANTAI__V1__LIST_DEMANDS__INIT;
    gp.id = go.id = gb.id = gd.id = (char *) a;
    wo.offer_id = cd.demand_id = (char *) a;
    lo.producer_id = ld.buyer_id = (char *) a;
    lo.cooperative_id = (char *) b;
    lo.commodity_prefix = ld.commodity_prefix = (char *) prefix;
    lo.page_token = ld.page_token = (char *) token;
    lo.limit = ld.limit = limit;
    req.body_case = (Rantai__V1__Request__BodyCase) body;
    h_service_t s = H_BUYER;
    switch (body) {
        case BODY(GET_PRODUCER):
            req.get_producer = &gp;
            s = H_PRODUCER;
            break;
        case BODY(GET_OFFER):
            req.get_offer = &go;
            s = H_PRODUCER;
            break;
        case BODY(WITHDRAW_OFFER):
            req.withdraw_offer = &wo;
            s = H_PRODUCER;
            break;
        case BODY(LIST_OFFERS):
            req.list_offers = &lo;
            s = H_PRODUCER;
            break;
        case BODY(GET_BUYER):
            req.get_buyer = &gb;
            break;
        case BODY(GET_DEMAND):
            req.get_demand = &gd;
            break;
        case BODY(CANCEL_DEMAND):
            req.cancel_demand = &cd;
            break;
        default:
            req.list_demands = &ld;
            break;
    }
    return s_call(s, &req);
}

static const int s_get_of[] = {BODY(GET_PRODUCER), BODY(GET_OFFER),
                               BODY(GET_BUYER), BODY(GET_DEMAND)};

/* The stored object `id` of kind k, packed (NULL if NOT_FOUND), to compare
   before and after a refused write. */
static const char *
s_stored(s_kind_t k, const char *id, size_t *size)
{
    rantai_reply_t *r = s_by_id(s_get_of[k], id, "", "", "", 0);
    *size = 0;
    if (r->code == ST(NOT_FOUND)) {
        return NULL;
    }
    s_expect(r, ST(OK), "", "get");
    const ProtobufCMessage *m = k == K_PRODUCER ? &r->producer->base
                                : k == K_OFFER  ? &r->offer->base
                                : k == K_BUYER  ? &r->buyer->base
                                                : &r->demand->base;
    return rantai_encode(m, s_arena, size);
}

/* Put `t` of kind k as id, refused with `code` (and `field`, if not NULL):
   the stored object (or its absence) is the same after. */
static void
s_refused(s_kind_t k,
          s_tpl_t *t,
          const char *id,
          int code,
          const char *field,
          const char *what)
{
    size_t before_n, after_n;
    const char *before = s_stored(k, id, &before_n);
    s_expect(s_put(k, t), code, field, what);
    const char *after = s_stored(k, id, &after_n);
    assert_int_equal(before_n, after_n);
    assert_true((before == NULL) == (after == NULL));
    assert_true(before_n == 0 || memcmp(before, after, after_n) == 0);
}

static const char *const s_base_id[] = {"P-BASE", "OF-BASE", "B-BASE",
                                        "D-BASE"};

/* The base objects the cases are measured against (once). */
static void
s_put_bases(void)
{
    if (s_seq[H_PRODUCER] != 0) {
        return;
    }
    for (int k = K_PRODUCER; k <= K_DEMAND; k++) {
        s_tpl_t t;
        s_tpl(&t, s_base_id[k]);
        s_expect_next(s_svc_of[k], s_put((s_kind_t) k, &t), s_base_id[k]);
    }
}

/* A good write to each registry: exactly the next seq (nothing before it
   used one). */
static void
s_still_counting(const char *id)
{
    s_tpl_t t;
    s_tpl(&t, id);
    s_expect_next(H_PRODUCER, s_put(K_PRODUCER, &t), id);
    s_expect_next(H_BUYER, s_put(K_BUYER, &t), id);
    rantai_arena_reset(s_arena);
}

/* ---- INVALID_ARGUMENT cases of the puts --------------------------------- */

/* Each case twice: as a new object (it stays NOT_FOUND) and as an update
   of the stored base object (it stays byte for byte the same). */
static void
test_invalid_puts(void **state)
{
    (void) state;
    s_put_bases();
    for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
        const s_bad_t *c = &s_bad[i];
        const char *ids[] = {"NEW-1", s_base_id[c->kind]};
        for (int j = 0; j < 2; j++) {
            s_tpl_t t;
            s_tpl(&t, ids[j]);
            c->mutate(&t);
            char what[96];
            snprintf(what, sizeof what, "case %zu (%s) as %s", i, c->field,
                     ids[j]);
            s_refused(c->kind, &t, ids[j], ST(INVALID_ARGUMENT), c->field,
                      what);
        }
        rantai_arena_reset(s_arena);
    }
    /* An absent object is INVALID_ARGUMENT naming the body's field. */
    static const char *const absent[] = {"producer", "offer", "buyer",
                                         "demand"};
    for (int k = K_PRODUCER; k <= K_DEMAND; k++) {
        s_expect(s_put((s_kind_t) k, NULL), ST(INVALID_ARGUMENT), absent[k],
                 absent[k]);
    }
    s_still_counting("AFTER-PUTS");
}

/* ---- ids and filters of Get, Withdraw/Cancel, List ---------------------- */

static void
test_invalid_ids_and_filters(void **state)
{
    (void) state;
    s_put_bases();
    for (size_t i = 0; i < sizeof s_idcases / sizeof s_idcases[0]; i++) {
        const s_idcase_t *c = &s_idcases[i];
        char what[64];
        snprintf(what, sizeof what, "id case %zu (%s)", i, c->field);
        s_expect(s_by_id(c->body, c->a, c->b, c->prefix, c->token, 0), c->code,
                 c->field, what);
        rantai_arena_reset(s_arena);
    }
    s_still_counting("AFTER-IDS");
}

/* ---- FAILED_PRECONDITION, ALREADY_EXISTS, idempotency ------------------- */

static void
test_rules_and_idempotency(void **state)
{
    (void) state;
    s_put_bases();
    s_tpl_t t;
    s_tpl(&t, "P-OTHER");
    s_expect_next(H_PRODUCER, s_put(K_PRODUCER, &t), "other producer");
    s_tpl(&t, "OF-GONE");
    s_expect_next(H_PRODUCER, s_put(K_OFFER, &t), "offer to withdraw");
    rantai_reply_t *r = s_by_id(BODY(WITHDRAW_OFFER), "OF-GONE", "", "", "", 0);
    s_expect_next(H_PRODUCER, r, "withdraw");
    /* Withdrawing again answers the first withdrawal's seq. */
    r = s_by_id(BODY(WITHDRAW_OFFER), "OF-GONE", "", "", "", 0);
    s_expect(r, ST(OK), "", "withdraw again");
    assert_int_equal(r->seq, s_seq[H_PRODUCER]);

    for (size_t i = 0; i < sizeof s_rules / sizeof s_rules[0]; i++) {
        const s_rule_t *c = &s_rules[i];
        s_tpl(&t, c->id);
        c->mutate(&t);
        char what[64];
        snprintf(what, sizeof what, "rule case %zu (%s)", i, c->id);
        s_refused(c->kind, &t, c->id, c->code, "", what);
        rantai_arena_reset(s_arena);
    }

    /* The same put twice: its original seq, no new event. */
    for (int k = K_PRODUCER; k <= K_DEMAND; k++) {
        s_tpl(&t, s_base_id[k]);
        r = s_put((s_kind_t) k, &t);
        s_expect(r, ST(OK), "", "same put");
        assert_true(r->seq > 0 && r->seq < s_seq[s_svc_of[k]]);
    }
    /* Changed content: exactly the next seq, then idempotent again. */
    s_tpl(&t, "P-BASE");
    t.p.name = "Tani Makmur Jaya";
    s_expect_next(H_PRODUCER, s_put(K_PRODUCER, &t), "changed producer");
    r = s_put(K_PRODUCER, &t);
    s_expect(r, ST(OK), "", "changed producer again");
    assert_int_equal(r->seq, s_seq[H_PRODUCER]);
    s_tpl(&t, "OF-BASE");
    t.o_qty.milli = 400000;
    s_expect_next(H_PRODUCER, s_put(K_OFFER, &t), "changed offer");
    r = s_put(K_OFFER, &t);
    s_expect(r, ST(OK), "", "changed offer again");
    assert_int_equal(r->seq, s_seq[H_PRODUCER]);
    s_tpl(&t, "B-BASE");
    t.b.name = "PT Kopi Ekspor Nusantara";
    s_expect_next(H_BUYER, s_put(K_BUYER, &t), "changed buyer");

    /* Cancel twice: one seq. A cancelled demand posted again as it was is
       the same put (its original seq); changed, it is ALREADY_EXISTS. */
    s_tpl(&t, "D-CANCEL");
    s_expect_next(H_BUYER, s_put(K_DEMAND, &t), "demand to cancel");
    uint64_t posted = s_seq[H_BUYER];
    s_expect_next(H_BUYER,
                  s_by_id(BODY(CANCEL_DEMAND), "D-CANCEL", "", "", "", 0),
                  "cancel");
    r = s_by_id(BODY(CANCEL_DEMAND), "D-CANCEL", "", "", "", 0);
    s_expect(r, ST(OK), "", "cancel again");
    assert_int_equal(r->seq, s_seq[H_BUYER]);
    r = s_put(K_DEMAND, &t);
    s_expect(r, ST(OK), "", "re-post");
    assert_int_equal(r->seq, posted);
    t.d_qty.milli = 5;
    s_refused(K_DEMAND, &t, "D-CANCEL", ST(ALREADY_EXISTS), "",
              "changed re-post");
    s_still_counting("AFTER-RULES");
}

/* ---- paging ------------------------------------------------------------- */

/* Walk a List `limit` at a time; the ids seen, in order, each followed by
   ",". */
static void
s_walk(int body,
       const char *a,
       const char *b,
       const char *prefix,
       uint32_t limit,
       char *out,
       size_t size)
{
    bool offers = body == BODY(LIST_OFFERS);
    out[0] = '\0';
    const char *token = "";
    for (int pages = 0; pages < 20; pages++) {
        rantai_reply_t *r = s_by_id(body, a, b, prefix, token, limit);
        s_expect(r, ST(OK), "", "list");
        size_t n = offers ? r->offer_list->n_offers : r->demand_list->n_demands;
        const char *next = offers ? r->offer_list->next_page_token
                                  : r->demand_list->next_page_token;
        assert_true(n <= limit);
        for (size_t i = 0; i < n; i++) {
            const char *id = offers ? r->offer_list->offers[i]->id
                                    : r->demand_list->demands[i]->id;
            assert_true(strlen(out) + strlen(id) + 2 < size);
            strcat(out, id);
            strcat(out, ",");
        }
        if (next[0] == '\0') {
            return;
        }
        assert_int_equal(n, limit); /* a token only after a full page */
        token = rantai_arena_strndup(s_arena, next, strlen(next));
    }
    fail_msg("paging did not end");
}

static void
test_paging(void **state)
{
    (void) state;
    s_put_bases();
    s_tpl_t t;
    s_tpl(&t, "P-PAGE");
    t.p.cooperative_id = "KOP-PAGE";
    s_expect_next(H_PRODUCER, s_put(K_PRODUCER, &t), "page producer");
    s_tpl(&t, "B-PAGE");
    s_expect_next(H_BUYER, s_put(K_BUYER, &t), "page buyer");
    static const char *const ids[] = {"X-1", "X-2", "X-3", "X-4", "X-5"};
    for (int i = 0; i < 5; i++) {
        s_tpl(&t, ids[i]);
        t.o.producer_id = "P-PAGE";
        t.o.commodity = i < 3 ? "090111" : "100630";
        t.d.buyer_id = "B-PAGE";
        t.d.commodity = i < 3 ? "0901" : "10";
        s_expect_next(H_PRODUCER, s_put(K_OFFER, &t), "page offer");
        s_expect_next(H_BUYER, s_put(K_DEMAND, &t), "page demand");
    }
    for (size_t i = 0; i < sizeof s_pages / sizeof s_pages[0]; i++) {
        const s_page_t *p = &s_pages[i];
        char seen[256];
        s_walk(p->body, p->a, p->b, p->prefix, p->limit, seen, sizeof seen);
        if (strcmp(seen, p->want) != 0) {
            fail_msg("page case %zu: want '%s', got '%s'", i, p->want, seen);
        }
        rantai_arena_reset(s_arena);
    }
}

/* ---- frames ------------------------------------------------------------- */

static void *s_zctx;

/* A raw DEALER to a service's api, with timeouts. */
static void *
s_raw(h_service_t s)
{
    void *sock = zmq_socket(s_zctx, ZMQ_DEALER);
    int ms = 5000, zero = 0;
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &ms, sizeof ms);
    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &ms, sizeof ms);
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    assert_int_equal(zmq_connect(sock, s_c.svc[s].api), 0);
    return sock;
}

/* Send one frame, receive one Reply. */
static rantai_reply_t *
s_raw_call(void *sock, const void *data, size_t size)
{
    assert_int_equal(zmq_send(sock, data, size, 0), (int) size);
    zmq_msg_t m;
    zmq_msg_init(&m);
    assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
    rantai_reply_t *r = (rantai_reply_t *) rantai_decode(
        &rantai__v1__reply__descriptor, zmq_msg_data(&m), zmq_msg_size(&m),
        SIZE_MAX, s_arena);
    zmq_msg_close(&m);
    assert_non_null(r);
    return r;
}

/* A PAIR receiving `sock`'s disconnect events. */
static void *
s_monitor(void *sock)
{
    assert_int_equal(zmq_socket_monitor(sock, "inproc://validation-mon",
                                        ZMQ_EVENT_DISCONNECTED),
                     0);
    void *mon = zmq_socket(s_zctx, ZMQ_PAIR);
    int ms = 10000, zero = 0;
    zmq_setsockopt(mon, ZMQ_RCVTIMEO, &ms, sizeof ms);
    zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero);
    assert_int_equal(zmq_connect(mon, "inproc://validation-mon"), 0);
    return mon;
}

static void
s_wait_disconnect(void *mon)
{
    zmq_msg_t ev, addr;
    zmq_msg_init(&ev);
    zmq_msg_init(&addr);
    assert_true(zmq_msg_recv(&ev, mon, 0) >= 6);
    assert_true(zmq_msg_recv(&addr, mon, 0) >= 0);
    uint16_t event;
    memcpy(&event, zmq_msg_data(&ev), sizeof event);
    assert_int_equal(event, ZMQ_EVENT_DISCONNECTED);
    zmq_msg_close(&ev);
    zmq_msg_close(&addr);
}

/* A packed Request with request_id 77 and `body` (0: none; PutProducer
   names the producer `name`). */
static void *
s_packed(int body, const char *name, size_t *size)
{
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.request_id = 77;
    Rantai__V1__PutProducer pp = RANTAI__V1__PUT_PRODUCER__INIT;
    Rantai__V1__GetBuyer gb = RANTAI__V1__GET_BUYER__INIT;
    Rantai__V1__GetMatcherStatus ms = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    s_tpl_t *t = rantai_arena_alloc(s_arena, sizeof *t);
    s_tpl(t, "P-RAW");
    t->p.name = (char *) name;
    pp.producer = &t->p;
    gb.id = "B-BASE";
    req.body_case = (Rantai__V1__Request__BodyCase) body;
    if (body == BODY(PUT_PRODUCER)) {
        req.put_producer = &pp;
    } else if (body == BODY(GET_BUYER)) {
        req.get_buyer = &gb;
    } else if (body == BODY(GET_MATCHER_STATUS)) {
        req.get_matcher_status = &ms;
    }
    return rantai_encode(&req.base, s_arena, size);
}

static void
test_frames(void **state)
{
    (void) state;
    s_put_bases();
    s_zctx = zmq_ctx_new();
    void *sock[2] = {s_raw(H_PRODUCER), s_raw(H_BUYER)};
    for (size_t i = 0; i < sizeof s_frames / sizeof s_frames[0]; i++) {
        const s_frame_t *f = &s_frames[i];
        size_t size = f->size;
        const void *data = f->data;
        if (data == NULL) {
            data = s_packed(f->body, f->name ? f->name : "", &size);
        }
        rantai_reply_t *r = s_raw_call(sock[f->svc], data, size);
        s_expect(r, f->code, f->field, f->what);
        assert_int_equal(r->request_id, f->request_id);
        rantai_arena_reset(s_arena);
    }

    /* Over 1 MiB: the service's libzmq drops the connection
       (ZMQ_MAXMSGSIZE) without a reply; we see the disconnect, and the
       service lives on and answers on a new connection. */
    void *mon = s_monitor(sock[H_PRODUCER]);
    size_t big = (1u << 20) + 64;
    char *huge = calloc(1, big);
    assert_int_equal(zmq_send(sock[H_PRODUCER], huge, big, 0), (int) big);
    free(huge);
    s_wait_disconnect(mon);
    zmq_close(mon);
    zmq_close(sock[H_PRODUCER]);
    zmq_close(sock[H_BUYER]);
    void *again = s_raw(H_PRODUCER);
    Rantai__V1__GetProducer gp = RANTAI__V1__GET_PRODUCER__INIT;
    gp.id = "P-BASE";
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.request_id = 5;
    req.body_case = BODY(GET_PRODUCER);
    req.get_producer = &gp;
    size_t size;
    void *packed = rantai_encode(&req.base, s_arena, &size);
    rantai_reply_t *r = s_raw_call(again, packed, size);
    s_expect(r, ST(OK), "", "get after an oversized frame");
    assert_int_equal(r->request_id, 5);
    assert_string_equal(r->producer->id, "P-BASE");
    zmq_close(again);
    zmq_ctx_term(s_zctx);
    s_zctx = NULL;
    rantai_arena_reset(s_arena);
    s_still_counting("AFTER-FRAMES");
}

/* ---- the rantai CLI refuses what the service would (exit 2) ------------ */

/* Run `rantai --producer API --buyer API args...`; its exit code, its
   output in out. */
static int
s_cli(char *out, size_t size, const char *const *args)
{
    char bin[512];
    h_binary("rantai", bin, sizeof bin);
    const char *argv[32] = {"rantai", "--producer", s_c.svc[H_PRODUCER].api,
                            "--buyer", s_c.svc[H_BUYER].api};
    size_t n = 5;
    for (; args[n - 5] != NULL && n + 1 < 32; n++) {
        argv[n] = args[n - 5];
    }
    argv[n] = NULL;
    return h_run(bin, argv, out, size);
}

static void
s_cli_refused(const char *const *args, const char *want)
{
    char out[4096];
    int rc = s_cli(out, sizeof out, args);
    if (rc != 2 || strstr(out, want) == NULL) {
        fail_msg("rantai %s ...: want exit 2 and '%s', got %d: %s", args[0],
                 want, rc, out);
    }
}

static void
test_cli_usage(void **state)
{
    (void) state;
    s_put_bases();
    /* An unquoted name: the stray word must not be dropped silently. */
    s_cli_refused((const char *const[]){"put-producer", "--id", "CLI-P",
                                        "--name", "Tani", "Maju", "--province",
                                        "32", "--at", "-7.2,107.9", NULL},
                  "unexpected argument 'Maju'");
    /* What the service requires is required by the CLI too. */
    s_cli_refused((const char *const[]){"put-producer", "--id", "CLI-P", "--at",
                                        "-7.2,107.9", NULL},
                  "--province is required");
    s_cli_refused((const char *const[]){"put-producer", "--id", "CLI-P",
                                        "--province", "32", NULL},
                  "--at is required");
    s_cli_refused((const char *const[]){"post-demand", "--id", "CLI-D",
                                        "--buyer", "B-BASE", "--commodity",
                                        "100630", "--qty", "20t", NULL},
                  "--at is required");
    s_cli_refused((const char *const[]){"get-producer", "--id", "P-BASE",
                                        "--timeout", "abc", NULL},
                  "not a whole number");
    s_cli_refused((const char *const[]){"--bogus", NULL},
                  "unknown option '--bogus'");
    s_cli_refused((const char *const[]){"--json", NULL}, "no COMMAND given");
    s_cli_refused((const char *const[]){"help", "nosuch", NULL},
                  "unknown command 'nosuch'");
    /* Nothing reached the services. */
    s_still_counting("AFTER-CLI");

    /* post-demand's --help example, as printed, is accepted. */
    char out[4096];
    int rc = s_cli(out, sizeof out,
                   (const char *const[]){"post-demand", "--help", NULL});
    assert_int_equal(rc, 0);
    assert_non_null(
        strstr(out, "--qty 20t \\\n      --at -6.2,106.8 --origin 32"));
    rc = s_cli(out, sizeof out,
               (const char *const[]){"post-demand", "--id", "D-2", "--buyer",
                                     "B-BASE", "--commodity", "100630", "--qty",
                                     "20t", "--at", "-6.2,106.8", "--origin",
                                     "32", "--origin", "Jawa Tengah",
                                     "--deliver-by", "2026-03-01", NULL});
    if (rc != 0 || strncmp(out, "ok demand D-2 seq ", 18) != 0) {
        fail_msg("help example: exit %d: %s", rc, out);
    }
    assert_int_equal(strtoull(out + 18, NULL, 10), s_seq[H_BUYER] + 1);
    s_seq[H_BUYER]++;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_puts),
        cmocka_unit_test(test_invalid_ids_and_filters),
        cmocka_unit_test(test_rules_and_idempotency),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_cli_usage),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
