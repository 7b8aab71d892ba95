/*  test_client.c - the request/reply client and the feed subscriber
    against tiny in-test ROUTER servers on tcp://127.0.0.1:*. */
#include "rantai/client.h"
#include "rantai/codec.h"
#include "rantai/err.h"
#include "rantai/feed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include <cmocka.h>

/* ---- in-test api server ---------------------------------------------- */

enum {
    API_ECHO,       /* answer every request */
    API_DROP_FIRST, /* ignore the first request, answer the rest */
    API_STALE,      /* send a reply for another request_id first */
    API_GARBAGE,    /* answer with bytes that are not a Reply */
    API_SILENT      /* never answer */
};

typedef struct {
    int mode;
    zcert_t *server_cert; /* CURVE server when set */
} api_args_t;

static void
s_send_msg(zsock_t *router, zframe_t *id, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    zframe_t *body = zframe_new(NULL, n);
    protobuf_c_message_pack(m, zframe_data(body));
    zframe_send(&id, router, ZFRAME_MORE | ZFRAME_REUSE);
    zframe_send(&body, router, 0);
}

/* The loop both in-test servers share: a ROUTER on an ephemeral port
   (CURVE server when cert is set) whose port goes to the pipe; pipe
   commands go to on_cmd (which answers on the pipe) until $TERM, and
   each [id, body] request to on_msg (the arena is reset after each). */
typedef struct {
    zcert_t *cert;
    void (*on_cmd)(zsock_t *pipe, const char *cmd, void *state);
    void (*on_msg)(zsock_t *router,
                   zframe_t *id,
                   zframe_t *body,
                   rantai_arena_t *a,
                   void *state);
    void *state;
} s_server_t;

static void
s_server_run(zsock_t *pipe, const s_server_t *srv)
{
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    if (srv->cert) {
        zcert_apply(srv->cert, router);
        zsock_set_curve_server(router, 1);
    }
    int port = zsock_bind(router, "tcp://127.0.0.1:*");
    zsock_signal(pipe, 0);
    zstr_sendf(pipe, "%d", port);
    zpoller_t *poller = zpoller_new(pipe, router, NULL);
    rantai_arena_t *a = rantai_arena_new();
    while (true) {
        void *which = zpoller_wait(poller, -1);
        if (which == pipe) {
            char *cmd = zstr_recv(pipe);
            bool term = !cmd || streq(cmd, "$TERM");
            if (cmd && !term) {
                srv->on_cmd(pipe, cmd, srv->state);
            }
            zstr_free(&cmd);
            if (term) {
                break;
            }
            continue;
        }
        if (which != router) {
            break;
        }
        zmsg_t *msg = zmsg_recv(router);
        zframe_t *id = zmsg_pop(msg);
        zframe_t *body = zmsg_pop(msg);
        srv->on_msg(router, id, body, a, srv->state);
        zframe_destroy(&id);
        zframe_destroy(&body);
        zmsg_destroy(&msg);
        rantai_arena_reset(a);
    }
    rantai_arena_destroy(&a);
    zpoller_destroy(&poller);
    zsock_destroy(&router);
}

/* Start an in-test server actor and put its endpoint in endpoint. */
static zactor_t *
s_start_server(zactor_fn *fn, void *args, char *endpoint, size_t size)
{
    zactor_t *actor = zactor_new(fn, args);
    assert_non_null(actor);
    char *port = zstr_recv(actor);
    assert_non_null(port);
    assert_true(atoi(port) > 0);
    snprintf(endpoint, size, "tcp://127.0.0.1:%s", port);
    zstr_free(&port);
    return actor;
}

typedef struct {
    const api_args_t *args;
    int nreq;
} api_state_t;

static void
s_api_cmd(zsock_t *pipe, const char *cmd, void *state_)
{
    api_state_t *st = state_;
    if (streq(cmd, "COUNT")) {
        zstr_sendf(pipe, "%d", st->nreq);
    }
}

static void
s_api_msg(zsock_t *router,
          zframe_t *id,
          zframe_t *body,
          rantai_arena_t *a,
          void *state_)
{
    api_state_t *st = state_;
    int mode = st->args->mode;
    int nreq = ++st->nreq;
    rantai_request_t *req = (rantai_request_t *) rantai_decode(
        &rantai__v1__request__descriptor, zframe_data(body), zframe_size(body),
        RANTAI_DEFAULT_MAX_MSG, a);
    bool answer =
        req && mode != API_SILENT && !(mode == API_DROP_FIRST && nreq == 1);
    if (answer && mode == API_GARBAGE) {
        zframe_send(&id, router, ZFRAME_MORE | ZFRAME_REUSE);
        zstr_send(router, "\xff\xff\xff not protobuf");
    } else if (answer) {
        rantai_reply_t reply = RANTAI__V1__REPLY__INIT;
        if (mode == API_STALE) {
            reply.request_id = req->request_id ^ 0x5555;
            reply.message = (char *) "stale";
            s_send_msg(router, id, &reply.base);
        }
        reply.request_id = req->request_id;
        reply.seq = (uint64_t) nreq;
        reply.message = (char *) rantai_request_name(req);
        s_send_msg(router, id, &reply.base);
    }
}

static void
s_api_server(zsock_t *pipe, void *args_)
{
    api_args_t *args = args_;
    api_state_t st = {args, 0};
    s_server_t srv = {args->server_cert, s_api_cmd, s_api_msg, &st};
    s_server_run(pipe, &srv);
}

static int
s_actor_int(zactor_t *actor, const char *cmd)
{
    zstr_send(actor, cmd);
    char *s = zstr_recv(actor);
    assert_non_null(s);
    int v = atoi(s);
    zstr_free(&s);
    return v;
}

static zactor_t *
s_start_api(api_args_t *args, char *endpoint, size_t size)
{
    return s_start_server(s_api_server, args, endpoint, size);
}

static rantai_request_t *
s_get_offer(rantai_arena_t *a, const char *id)
{
    rantai_request_t *req = RANTAI_ANEW(a, rantai_request_t);
    rantai__v1__request__init(req);
    Rantai__V1__GetOffer *g = RANTAI_ANEW(a, Rantai__V1__GetOffer);
    rantai__v1__get_offer__init(g);
    g->id = rantai_arena_strndup(a, id, strlen(id));
    req->body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req->get_offer = g;
    return req;
}

/* ---- client tests ----------------------------------------------------- */

static void
test_call_echo(void **state)
{
    (void) state;
    api_args_t args = {API_ECHO, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    assert_non_null(c);
    assert_non_null(rantai_client_socket(c));
    rantai_arena_t *a = rantai_arena_new();
    uint64_t prev = 0;
    for (int i = 0; i < 3; i++) {
        rantai_request_t *req = s_get_offer(a, "o-1");
        rantai_reply_t *reply = NULL;
        assert_int_equal(rantai_client_call(c, req, a, &reply), 0);
        assert_non_null(reply);
        assert_int_equal(reply->request_id, req->request_id);
        assert_string_equal(reply->message, "GetOffer");
        if (i > 0) {
            assert_int_equal(req->request_id, prev + 1); /* fresh ids */
        }
        prev = req->request_id;
        rantai_arena_reset(a);
    }
    assert_int_equal(s_actor_int(srv, "COUNT"), 3);
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    assert_null(c);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_lazy_pirate_retry(void **state)
{
    (void) state;
    api_args_t args = {API_DROP_FIRST, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    rantai_client_set_timeout(c, 300);
    rantai_client_set_retries(c, 2);
    rantai_arena_t *a = rantai_arena_new();
    rantai_request_t *req = s_get_offer(a, "o-2");
    rantai_reply_t *reply = NULL;
    int64_t t0 = zclock_mono();
    assert_int_equal(rantai_client_call(c, req, a, &reply), 0);
    assert_true(zclock_mono() - t0 >= 300); /* it did time out once */
    assert_int_equal(reply->request_id, req->request_id);
    assert_int_equal(reply->seq, 2); /* the second copy was answered */
    assert_int_equal(s_actor_int(srv, "COUNT"), 2);
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_timeout_after_retries(void **state)
{
    (void) state;
    api_args_t args = {API_SILENT, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    rantai_client_set_timeout(c, 100);
    rantai_client_set_retries(c, 2);
    rantai_arena_t *a = rantai_arena_new();
    rantai_reply_t *reply = NULL;
    assert_int_equal(rantai_client_call(c, s_get_offer(a, "x"), a, &reply),
                     RANTAI_ETIMEOUT);
    assert_null(reply);
    /* Wait (with a deadline) for the server to have seen all three. */
    int64_t deadline = zclock_mono() + 2000;
    int n = 0;
    while ((n = s_actor_int(srv, "COUNT")) < 3 && zclock_mono() < deadline) {
        zclock_sleep(10);
    }
    assert_int_equal(n, 3);
    assert_non_null(rantai_client_socket(c)); /* still usable */
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_stale_reply_dropped(void **state)
{
    (void) state;
    api_args_t args = {API_STALE, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    rantai_arena_t *a = rantai_arena_new();
    rantai_request_t *req = s_get_offer(a, "o-3");
    rantai_reply_t *reply = NULL;
    assert_int_equal(rantai_client_call(c, req, a, &reply), 0);
    assert_int_equal(reply->request_id, req->request_id);
    assert_string_equal(reply->message, "GetOffer");
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_garbage_reply(void **state)
{
    (void) state;
    api_args_t args = {API_GARBAGE, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    rantai_arena_t *a = rantai_arena_new();
    rantai_reply_t *reply = NULL;
    assert_int_equal(rantai_client_call(c, s_get_offer(a, "x"), a, &reply),
                     RANTAI_EPROTO);
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_pipelining(void **state)
{
    (void) state;
    api_args_t args = {API_ECHO, NULL};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    rantai_arena_t *a = rantai_arena_new();
    uint64_t ids[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rantai_client_send(c, s_get_offer(a, "p"), &ids[i]),
                         0);
    }
    bool seen[3] = {false, false, false};
    for (int i = 0; i < 3; i++) {
        rantai_reply_t *reply = NULL;
        assert_int_equal(rantai_client_recv(c, a, 2000, &reply), 0);
        for (int k = 0; k < 3; k++) {
            if (reply->request_id == ids[k]) {
                assert_false(seen[k]);
                seen[k] = true;
            }
        }
    }
    assert_true(seen[0] && seen[1] && seen[2]);
    rantai_reply_t *reply = NULL;
    assert_int_equal(rantai_client_recv(c, a, 50, &reply), RANTAI_ETIMEOUT);
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zactor_destroy(&srv);
}

static void
test_curve(void **state)
{
    (void) state;
    char dir[] = "/tmp/rantai-test-client-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/client.cert", dir);
    zcert_t *client_cert = zcert_new();
    assert_int_equal(zcert_save(client_cert, path), 0);
    zcert_t *server_cert = zcert_new();

    api_args_t args = {API_ECHO, server_cert};
    char ep[64];
    zactor_t *srv = s_start_api(&args, ep, sizeof ep);
    rantai_security_t sec = {path, zcert_public_txt(server_cert)};
    rantai_client_t *c = rantai_client_new(ep, &sec);
    assert_non_null(c);
    rantai_arena_t *a = rantai_arena_new();
    rantai_reply_t *reply = NULL;
    assert_int_equal(rantai_client_call(c, s_get_offer(a, "c"), a, &reply), 0);
    assert_string_equal(reply->message, "GetOffer");
    rantai_client_destroy(&c);

    /* Bad configurations fail at construction, not later. */
    rantai_security_t bad_key = {path, "tooshort"};
    assert_null(rantai_client_new(ep, &bad_key));
    char bad_z85[41];
    memset(bad_z85, '~' + 1, 40); /* not in the Z85 alphabet */
    bad_z85[40] = '\0';
    rantai_security_t bad_alpha = {path, bad_z85};
    assert_null(rantai_client_new(ep, &bad_alpha));
    rantai_security_t missing = {"/nonexistent/cert",
                                 zcert_public_txt(server_cert)};
    assert_null(rantai_client_new(ep, &missing));
    rantai_security_t half = {path, NULL};
    assert_null(rantai_client_new(ep, &half));
    /* A public-only certificate has no secret key to authenticate with. */
    char pub_only[160];
    snprintf(pub_only, sizeof pub_only, "%s/pub.cert", dir);
    assert_int_equal(zcert_save_public(client_cert, pub_only), 0);
    rantai_security_t pub = {pub_only, zcert_public_txt(server_cert)};
    assert_null(rantai_client_new(ep, &pub));
    assert_null(rantai_client_new("not-an-endpoint", NULL));
    assert_null(rantai_client_new("", NULL));

    zactor_destroy(&srv);
    rantai_arena_destroy(&a);
    zcert_destroy(&client_cert);
    zcert_destroy(&server_cert);
    char secret[160];
    snprintf(secret, sizeof secret, "%s_secret", path);
    unlink(secret);
    unlink(path);
    unlink(pub_only);
    rmdir(dir);
}

/* ---- in-test feed server ---------------------------------------------- */

enum {
    FEED_DUP,   /* 1,2,3,3,4,5 then heartbeat(5) */
    FEED_RESUB, /* 1st sub: 1,2 then silence; later: 2,3 */
    FEED_ERROR  /* answer with OUT_OF_RANGE */
};

static void
s_send_event(zsock_t *router, zframe_t *id, uint64_t seq)
{
    Rantai__V1__OfferWithdrawn ow = RANTAI__V1__OFFER_WITHDRAWN__INIT;
    ow.offer_id = (char *) "o-1";
    ow.producer_id = (char *) "p-1";
    rantai_event_t ev = RANTAI__V1__EVENT__INIT;
    ev.seq = seq;
    ev.time = 1700000000000;
    ev.body_case = RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN;
    ev.offer_withdrawn = &ow;
    rantai_feed_message_t m = RANTAI__V1__FEED_MESSAGE__INIT;
    m.body_case = RANTAI__V1__FEED_MESSAGE__BODY_EVENT;
    m.event = &ev;
    s_send_msg(router, id, &m.base);
}

typedef struct {
    int mode;
    int nsubs;
    uint64_t froms[8];
    uint64_t last_ack;
} feed_state_t;

static void
s_feed_cmd(zsock_t *pipe, const char *cmd, void *state_)
{
    feed_state_t *st = state_;
    if (streq(cmd, "ACK")) {
        zstr_sendf(pipe, "%d", (int) st->last_ack);
    } else if (streq(cmd, "SUBS")) {
        zstr_sendf(pipe, "%d", st->nsubs);
    } else if (strncmp(cmd, "FROM", 4) == 0) {
        zstr_sendf(pipe, "%d", (int) st->froms[atoi(cmd + 4) & 7]);
    }
}

static void
s_feed_msg(zsock_t *router,
           zframe_t *id,
           zframe_t *body,
           rantai_arena_t *a,
           void *state_)
{
    feed_state_t *st = state_;
    int mode = st->mode;
    rantai_feed_request_t *req = (rantai_feed_request_t *) rantai_decode(
        &rantai__v1__feed_request__descriptor, zframe_data(body),
        zframe_size(body), RANTAI_DEFAULT_MAX_MSG, a);
    if (req && req->body_case == RANTAI__V1__FEED_REQUEST__BODY_ACK) {
        st->last_ack = req->ack;
    } else if (req &&
               req->body_case == RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE) {
        st->froms[st->nsubs & 7] = req->subscribe->from_seq;
        st->nsubs++;
        if (mode == FEED_DUP) {
            const uint64_t seqs[] = {1, 2, 3, 3, 4, 5};
            for (size_t i = 0; i < 6; i++) {
                s_send_event(router, id, seqs[i]);
            }
            Rantai__V1__Heartbeat hb = RANTAI__V1__HEARTBEAT__INIT;
            hb.head_seq = 5;
            rantai_feed_message_t m = RANTAI__V1__FEED_MESSAGE__INIT;
            m.body_case = RANTAI__V1__FEED_MESSAGE__BODY_HEARTBEAT;
            m.heartbeat = &hb;
            s_send_msg(router, id, &m.base);
        } else if (mode == FEED_RESUB && st->nsubs == 1) {
            s_send_event(router, id, 1);
            s_send_event(router, id, 2);
        } else if (mode == FEED_RESUB) {
            s_send_event(router, id, 2);
            s_send_event(router, id, 3);
        } else {
            rantai_reply_t err = RANTAI__V1__REPLY__INIT;
            err.code = RANTAI__V1__STATUS_CODE__STATUS_CODE_OUT_OF_RANGE;
            err.message = (char *) "pruned";
            rantai_feed_message_t m = RANTAI__V1__FEED_MESSAGE__INIT;
            m.body_case = RANTAI__V1__FEED_MESSAGE__BODY_ERROR;
            m.error = &err;
            s_send_msg(router, id, &m.base);
        }
    }
}

static void
s_feed_server(zsock_t *pipe, void *args_)
{
    feed_state_t st = {.mode = *(int *) args_};
    s_server_t srv = {NULL, s_feed_cmd, s_feed_msg, &st};
    s_server_run(pipe, &srv);
}

static zactor_t *
s_start_feed(int *mode, char *endpoint, size_t size)
{
    return s_start_server(s_feed_server, mode, endpoint, size);
}

/* ---- feed tests ------------------------------------------------------- */

static void
test_feed_dedup_and_heartbeat(void **state)
{
    (void) state;
    int mode = FEED_DUP;
    char ep[64];
    zactor_t *srv = s_start_feed(&mode, ep, sizeof ep);
    rantai_feed_opts_t opts = {.from_seq = 1, .party_kind = 0};
    rantai_feed_sub_t *sub = rantai_feed_sub_new(ep, &opts);
    assert_non_null(sub);
    assert_int_equal(rantai_feed_sub_last_seq(sub), 0);
    assert_int_equal(rantai_feed_sub_head_seq(sub), 0);
    rantai_arena_t *a = rantai_arena_new();
    for (uint64_t want = 1; want <= 5; want++) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        assert_int_equal(rantai_feed_sub_next(sub, a, 2000, &ev, &err), 1);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
        assert_string_equal(ev->offer_withdrawn->offer_id, "o-1");
        assert_int_equal(rantai_feed_sub_last_seq(sub), want);
    }
    /* Only the heartbeat is left: consumed, no event. */
    rantai_event_t *ev = NULL;
    assert_int_equal(rantai_feed_sub_next(sub, a, 200, &ev, NULL), 0);
    assert_null(ev);
    assert_int_equal(rantai_feed_sub_head_seq(sub), 5);
    assert_true(rantai_feed_sub_silent_ms(sub) >= 0);
    assert_non_null(rantai_feed_sub_socket(sub));

    assert_int_equal(rantai_feed_sub_ack(sub, 5), 0);
    int64_t deadline = zclock_mono() + 2000;
    int acked = 0;
    while ((acked = s_actor_int(srv, "ACK")) != 5 && zclock_mono() < deadline) {
        zclock_sleep(5);
    }
    assert_int_equal(acked, 5);
    assert_int_equal(s_actor_int(srv, "FROM0"), 1);
    rantai_arena_destroy(&a);
    rantai_feed_sub_destroy(&sub);
    assert_null(sub);
    zactor_destroy(&srv);
}

static void
test_feed_resubscribe_after_silence(void **state)
{
    (void) state;
    int mode = FEED_RESUB;
    char ep[64];
    zactor_t *srv = s_start_feed(&mode, ep, sizeof ep);
    rantai_feed_opts_t opts = {
        .from_seq = 0, .dead_ms = 300, .party_kind = 3, .party_id = "b-1"};
    rantai_feed_sub_t *sub = rantai_feed_sub_new(ep, &opts);
    assert_non_null(sub);
    rantai_arena_t *a = rantai_arena_new();
    uint64_t got[3] = {0};
    int n = 0;
    int64_t deadline = zclock_mono() + 5000;
    while (n < 3 && zclock_mono() < deadline) {
        rantai_event_t *ev = NULL;
        int rc = rantai_feed_sub_next(sub, a, 100, &ev, NULL);
        assert_true(rc == 0 || rc == 1);
        if (rc == 1) {
            got[n++] = ev->seq;
        }
    }
    assert_int_equal(n, 3);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 3); /* the redelivered 2 was dropped */
    assert_int_equal(s_actor_int(srv, "SUBS"), 2);
    assert_int_equal(s_actor_int(srv, "FROM0"), 0);
    assert_int_equal(s_actor_int(srv, "FROM1"), 3);
    rantai_arena_destroy(&a);
    rantai_feed_sub_destroy(&sub);
    zactor_destroy(&srv);
}

static void
test_feed_error(void **state)
{
    (void) state;
    int mode = FEED_ERROR;
    char ep[64];
    zactor_t *srv = s_start_feed(&mode, ep, sizeof ep);
    rantai_feed_opts_t opts = {.from_seq = 1};
    rantai_feed_sub_t *sub = rantai_feed_sub_new(ep, &opts);
    rantai_arena_t *a = rantai_arena_new();
    rantai_event_t *ev = NULL;
    rantai_reply_t *err = NULL;
    assert_int_equal(rantai_feed_sub_next(sub, a, 2000, &ev, &err),
                     RANTAI_EPROTO);
    assert_non_null(err);
    assert_int_equal(err->code, 11);
    assert_string_equal(err->message, "pruned");
    assert_null(ev);
    assert_null(rantai_feed_sub_new("bogus://x", &opts));
    rantai_arena_destroy(&a);
    rantai_feed_sub_destroy(&sub);
    zactor_destroy(&srv);
}

int
main(void)
{
    zsys_init();
    zsys_handler_set(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_echo),
        cmocka_unit_test(test_lazy_pirate_retry),
        cmocka_unit_test(test_timeout_after_retries),
        cmocka_unit_test(test_stale_reply_dropped),
        cmocka_unit_test(test_garbage_reply),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_curve),
        cmocka_unit_test(test_feed_dedup_and_heartbeat),
        cmocka_unit_test(test_feed_resubscribe_after_silence),
        cmocka_unit_test(test_feed_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
