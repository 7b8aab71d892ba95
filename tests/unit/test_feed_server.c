/*  test_feed_server - the shared feed implementation (PROTOCOL.md s5) on a
    real store and a real ROUTER over tcp://127.0.0.1: resume from a seq,
    order without gaps, window and ack, heartbeats when idle, OUT_OF_RANGE
    after retention, the party index (feed_next) instead of a log walk,
    and a stalled subscriber that does not hold back another one. The
    test drives the server's recv/pump itself (one thread), and waits for
    conditions with deadlines, never with sleeps. */
#include "evlog.h"
#include "feed_server.h"
#include "rantai/err.h"
#include "store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include <cmocka.h>

#define S_PARTY_KIND RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER

typedef struct {
    char dir[64];
    rantai_store_t *store;
    void *ctx, *router;
    char endpoint[64];
    rantai_feed_server_t *fs;
    rantai_service_def_t def;
    rantai_arena_t *arena;
    int filter_calls;
} s_fix_t;

static s_fix_t *s_fix; /* for the hooks */

static int64_t
s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_principal(void *arg,
            void *msg,
            const char *user,
            rantai_principal_t *who,
            char *p,
            size_t n)
{
    (void) arg;
    (void) msg;
    (void) user;
    (void) p;
    (void) n;
    who->role = RANTAI_ROLE_ADMIN;
}

/* Index hook: party subscriptions walk their tags, ALL walks the log. */
static int
s_feed_next(void *core,
            rantai_txn_t *txn,
            const rantai_principal_t *who,
            const Rantai__V1__Party *party,
            uint64_t from_seq,
            uint64_t *next)
{
    (void) core;
    (void) who;
    if (party->kind != S_PARTY_KIND) {
        return RANTAI_EUNIMPL;
    }
    return rantai_evlog_tag_next(txn, (int) party->kind, party->id, from_seq,
                                 next);
}

/* Filter hook: a party sees the demand_cancelled events of its buyer. */
static int
s_feed_filter(void *core,
              rantai_txn_t *txn,
              const rantai_principal_t *who,
              const Rantai__V1__Party *party,
              rantai_event_t *ev,
              rantai_arena_t *arena,
              rantai_event_t **out)
{
    (void) core;
    (void) txn;
    (void) who;
    (void) arena;
    s_fix->filter_calls++;
    *out = NULL;
    if (party->kind != S_PARTY_KIND) {
        *out = ev;
    } else if (ev->demand_cancelled &&
               strcmp(ev->demand_cancelled->buyer_id, party->id) == 0) {
        *out = ev;
    }
    return 0;
}

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    s_fix = f;
    snprintf(f->dir, sizeof f->dir, "/tmp/rantai-fs-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(rantai_store_open(&f->store, f->dir, NULL, 0, NULL), 0);
    f->ctx = zmq_ctx_new();
    f->router = zmq_socket(f->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(f->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(f->router, "tcp://127.0.0.1:*"), 0);
    size_t len = sizeof f->endpoint;
    zmq_getsockopt(f->router, ZMQ_LAST_ENDPOINT, f->endpoint, &len);
    f->def.name = "test";
    f->def.feed_filter = s_feed_filter;
    f->def.feed_next = s_feed_next;
    rantai_feed_server_opts_t o = {1024, 65536, 50, 100, 64};
    f->fs = rantai_feed_server_new(f->router, f->store, &f->def, NULL, &o,
                                   s_principal, NULL);
    f->arena = rantai_arena_new();
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    rantai_feed_server_destroy(&f->fs);
    zmq_close(f->router);
    zmq_ctx_term(f->ctx);
    rantai_store_destroy(&f->store);
    rantai_arena_destroy(&f->arena);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

typedef struct {
    int n;
    int64_t time;
    const char *buyer; /* tag and body buyer for every `every`-th */
    int every;
} s_append_t;

static int
s_append_cb(rantai_txn_t *txn, void *arg)
{
    s_append_t *a = arg;
    for (int i = 0; i < a->n; i++) {
        Rantai__V1__DemandCancelled dc = RANTAI__V1__DEMAND_CANCELLED__INIT;
        dc.demand_id = "D1";
        bool mine = a->buyer && a->every && i % a->every == 0;
        dc.buyer_id = mine ? (char *) a->buyer : "OTHER";
        rantai_event_t ev = RANTAI__V1__EVENT__INIT;
        ev.body_case = RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED;
        ev.demand_cancelled = &dc;
        uint64_t seq = 0;
        int rc = rantai_evlog_append(txn, &ev, a->time, &seq);
        if (rc == 0 && mine) {
            rc = rantai_evlog_tag(txn, seq, S_PARTY_KIND, a->buyer);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static void
s_append(s_fix_t *f, int n, int64_t time, const char *buyer, int every)
{
    s_append_t a = {n, time, buyer, every};
    assert_int_equal(rantai_store_write(f->store, s_append_cb, &a), 0);
}

static void *
s_dealer(s_fix_t *f, int rcvhwm)
{
    void *d = zmq_socket(f->ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    if (rcvhwm > 0) {
        zmq_setsockopt(d, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
        int buf = 4096;
        zmq_setsockopt(d, ZMQ_RCVBUF, &buf, sizeof buf);
    }
    assert_int_equal(zmq_connect(d, f->endpoint), 0);
    return d;
}

static void
s_send_req(void *d, const rantai_feed_request_t *req)
{
    uint8_t buf[256];
    size_t size = protobuf_c_message_pack(&req->base, buf);
    assert_true(zmq_send(d, buf, size, 0) == (int) size);
}

static void
s_subscribe(void *d, uint64_t from, uint32_t window, const char *buyer)
{
    Rantai__V1__Party party = RANTAI__V1__PARTY__INIT;
    party.kind = buyer ? S_PARTY_KIND : RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    party.id = buyer ? (char *) buyer : "";
    Rantai__V1__Subscribe sub = RANTAI__V1__SUBSCRIBE__INIT;
    sub.from_seq = from;
    sub.window = window;
    sub.party = &party;
    rantai_feed_request_t req = RANTAI__V1__FEED_REQUEST__INIT;
    req.body_case = RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE;
    req.subscribe = &sub;
    s_send_req(d, &req);
}

static void
s_ack(void *d, uint64_t seq)
{
    rantai_feed_request_t req = RANTAI__V1__FEED_REQUEST__INIT;
    req.body_case = RANTAI__V1__FEED_REQUEST__BODY_ACK;
    req.ack = seq;
    s_send_req(d, &req);
}

/* Serve and read from d until a FeedMessage arrives or `ms` pass. */
static rantai_feed_message_t *
s_next(s_fix_t *f, void *d, int ms)
{
    int64_t deadline = s_now() + ms;
    while (s_now() < deadline) {
        rantai_feed_server_recv(f->fs, s_now());
        rantai_feed_server_pump(f->fs, s_now());
        zmq_pollitem_t items[] = {{d, 0, ZMQ_POLLIN, 0},
                                  {f->router, 0, ZMQ_POLLIN, 0}};
        zmq_poll(items, 2, 5);
        if (items[0].revents & ZMQ_POLLIN) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            assert_true(zmq_msg_recv(&m, d, 0) >= 0);
            rantai_feed_message_t *msg =
                (rantai_feed_message_t *) rantai_decode(
                    &rantai__v1__feed_message__descriptor, zmq_msg_data(&m),
                    zmq_msg_size(&m), 1 << 20, f->arena);
            zmq_msg_close(&m);
            assert_non_null(msg);
            return msg;
        }
    }
    return NULL;
}

/* The next event, skipping heartbeats; NULL after `ms`. */
static rantai_event_t *
s_next_event(s_fix_t *f, void *d, int ms)
{
    int64_t deadline = s_now() + ms;
    while (s_now() < deadline) {
        rantai_feed_message_t *m = s_next(f, d, (int) (deadline - s_now()));
        if (m && m->body_case == RANTAI__V1__FEED_MESSAGE__BODY_EVENT) {
            return m->event;
        }
        assert_true(!m || m->body_case != RANTAI__V1__FEED_MESSAGE__BODY_ERROR);
    }
    return NULL;
}

static void
test_resume_in_order(void **state)
{
    s_fix_t *f = *state;
    s_append(f, 10, s_now(), NULL, 0);
    void *d = s_dealer(f, 0);
    s_subscribe(d, 4, 0, NULL);
    for (uint64_t want = 4; want <= 10; want++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
    }
    /* Appended later: streamed on without a gap. */
    s_append(f, 3, s_now(), NULL, 0);
    for (uint64_t want = 11; want <= 13; want++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
    }
    /* Resubscribe on the same socket from 12: restarts there. */
    s_subscribe(d, 12, 0, NULL);
    rantai_event_t *ev = s_next_event(f, d, 2000);
    while (ev && ev->seq != 12) { /* anything still in flight */
        ev = s_next_event(f, d, 2000);
    }
    assert_non_null(ev);
    ev = s_next_event(f, d, 2000);
    assert_non_null(ev);
    assert_int_equal(ev->seq, 13);
    zmq_close(d);
}

static void
test_window_and_ack(void **state)
{
    s_fix_t *f = *state;
    s_append(f, 20, s_now(), NULL, 0);
    void *d = s_dealer(f, 0);
    s_subscribe(d, 1, 5, NULL);
    for (uint64_t want = 1; want <= 5; want++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
    }
    /* Window full: only heartbeats until an ack. */
    assert_null(s_next_event(f, d, 300));
    s_ack(d, 3);
    for (uint64_t want = 6; want <= 8; want++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
    }
    assert_null(s_next_event(f, d, 300));
    zmq_close(d);
}

static void
test_heartbeat_when_idle(void **state)
{
    s_fix_t *f = *state;
    s_append(f, 2, s_now(), NULL, 0);
    void *d = s_dealer(f, 0);
    s_subscribe(d, 3, 0, NULL);
    int beats = 0;
    int64_t t0 = s_now();
    while (beats < 3 && s_now() - t0 < 3000) {
        rantai_feed_message_t *m = s_next(f, d, 1000);
        assert_non_null(m); /* never a second without anything */
        assert_int_equal(m->body_case,
                         RANTAI__V1__FEED_MESSAGE__BODY_HEARTBEAT);
        assert_int_equal(m->heartbeat->head_seq, 2);
        beats++;
    }
    assert_int_equal(beats, 3);
    zmq_close(d);
}

typedef struct {
    int64_t before;
} s_prune_t;

static int
s_prune_cb(rantai_txn_t *txn, void *arg)
{
    s_prune_t *p = arg;
    uint64_t n = 0;
    return rantai_evlog_prune(txn, p->before, 1000, &n);
}

static void
test_out_of_range_after_retention(void **state)
{
    s_fix_t *f = *state;
    int64_t old = s_now() - 86400000;
    s_append(f, 10, old, "B1", 2);    /* tagged: 1, 3, 5, 7, 9 */
    s_append(f, 4, s_now(), "B1", 2); /* tagged: 11, 13 */
    s_prune_t p = {s_now() - 3600000};
    assert_int_equal(rantai_store_write(f->store, s_prune_cb, &p), 0);
    rantai_txn_t *txn = NULL;
    assert_int_equal(rantai_store_read(f->store, &txn), 0);
    assert_int_equal(rantai_evlog_first(txn), 11);
    uint64_t next = 0;
    /* The pruned events' tags went with them. */
    assert_int_equal(rantai_evlog_tag_next(txn, S_PARTY_KIND, "B1", 1, &next),
                     0);
    assert_int_equal(next, 11);
    rantai_txn_abort(&txn);

    void *d = s_dealer(f, 0);
    s_subscribe(d, 5, 0, NULL);
    rantai_feed_message_t *m = s_next(f, d, 2000);
    assert_non_null(m);
    assert_int_equal(m->body_case, RANTAI__V1__FEED_MESSAGE__BODY_ERROR);
    assert_int_equal(m->error->code,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_OUT_OF_RANGE);
    /* From the first retained seq (or 0 = oldest): fine. */
    s_subscribe(d, 0, 0, NULL);
    rantai_event_t *ev = s_next_event(f, d, 2000);
    assert_non_null(ev);
    assert_int_equal(ev->seq, 11);
    zmq_close(d);
}

static void
test_party_index_no_scan(void **state)
{
    s_fix_t *f = *state;
    /* 5000 events, one in 500 for B7: a party subscription must look at
       its 10 only, not walk 5000. */
    s_append(f, 5000, s_now(), "B7", 500);
    void *d = s_dealer(f, 0);
    f->filter_calls = 0;
    s_subscribe(d, 1, 0, "B7");
    uint64_t last = 0;
    for (int i = 0; i < 10; i++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_true(ev->seq > last);
        assert_int_equal((ev->seq - 1) % 500, 0);
        assert_string_equal(ev->demand_cancelled->buyer_id, "B7");
        last = ev->seq;
    }
    assert_null(s_next_event(f, d, 200));
    assert_int_equal(f->filter_calls, 10);
    /* New events for the party arrive live; others are never looked at. */
    s_append(f, 100, s_now(), "B7", 50);
    for (int i = 0; i < 2; i++) {
        rantai_event_t *ev = s_next_event(f, d, 2000);
        assert_non_null(ev);
        assert_string_equal(ev->demand_cancelled->buyer_id, "B7");
    }
    assert_int_equal(f->filter_calls, 12);
    zmq_close(d);
}

static void
test_stalled_subscriber_isolated(void **state)
{
    s_fix_t *f = *state;
    int hwm = 20;
    zmq_setsockopt(f->router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    s_append(f, 3000, s_now(), NULL, 0);
    void *stalled = s_dealer(f, 10);
    void *live = s_dealer(f, 0);
    s_subscribe(stalled, 1, 65536, NULL);
    s_subscribe(live, 1, 65536, NULL);
    /* `stalled` never reads: its queue fills, sends to it fail with
       EAGAIN and are retried later; `live` gets all 3000, in order. */
    uint64_t want = 1;
    int64_t t0 = s_now();
    while (want <= 3000 && s_now() - t0 < 20000) {
        rantai_event_t *ev = s_next_event(f, live, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
        want++;
        rantai_feed_server_recv(f->fs, s_now()); /* acks not needed */
        rantai_arena_reset(f->arena);
    }
    assert_int_equal(want, 3001);
    /* Writes were never held up by it either. */
    s_append(f, 10, s_now(), NULL, 0);
    uint64_t lag = 0;
    assert_int_equal(rantai_feed_server_count(f->fs, &lag), 2);
    assert_true(lag >= 3000);
    /* The stalled one, once it reads, gets its stream in order. */
    want = 1;
    while (want <= 100) {
        rantai_event_t *ev = s_next_event(f, stalled, 2000);
        assert_non_null(ev);
        assert_int_equal(ev->seq, want);
        want++;
    }
    zmq_close(stalled);
    zmq_close(live);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resume_in_order, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_window_and_ack, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_when_idle, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range_after_retention,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_party_index_no_scan, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_stalled_subscriber_isolated,
                                        s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
