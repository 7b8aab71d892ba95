/*  test_client_poll.c - rantai_client_recv() with timeout_ms = 0 polls
    once: it returns a reply that is already waiting (and ETIMEOUT only
    when none is). */
#include "rantai/client.h"
#include "rantai/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <czmq.h>

#include <cmocka.h>

static void
test_recv_zero_timeout_polls_once(void **state)
{
    (void) state;
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    assert_non_null(router);
    int port = zsock_bind(router, "tcp://127.0.0.1:*");
    assert_true(port > 0);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    rantai_client_t *c = rantai_client_new(ep, NULL);
    assert_non_null(c);
    rantai_arena_t *a = rantai_arena_new();
    rantai_reply_t *reply = NULL;
    /* Nothing waiting: an immediate timeout. */
    assert_int_equal(rantai_client_recv(c, a, 0, &reply), RANTAI_ETIMEOUT);

    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__GetOffer get = RANTAI__V1__GET_OFFER__INIT;
    get.id = "x";
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req.get_offer = &get;
    uint64_t id = 0;
    assert_int_equal(rantai_client_send(c, &req, &id), 0);
    zsock_set_rcvtimeo(router, 5000);
    zmsg_t *m = zmsg_recv(router);
    assert_non_null(m);
    zframe_t *peer = zmsg_pop(m);
    zmsg_destroy(&m);
    rantai_reply_t out = RANTAI__V1__REPLY__INIT;
    out.request_id = id;
    size_t size = 0;
    void *buf = rantai_encode(&out.base, a, &size);
    zframe_send(&peer, router, ZFRAME_MORE);
    assert_int_equal(zmq_send(zsock_resolve(router), buf, size, 0), (int) size);

    /* Poll until the reply has crossed loopback (before the fix, a zero
       timeout never read and this ran into the deadline). */
    int64_t deadline = zclock_mono() + 5000;
    int rc = RANTAI_ETIMEOUT;
    while (rc == RANTAI_ETIMEOUT && zclock_mono() < deadline) {
        rc = rantai_client_recv(c, a, 0, &reply);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(reply->request_id, id);
    rantai_arena_destroy(&a);
    rantai_client_destroy(&c);
    zsock_destroy(&router);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recv_zero_timeout_polls_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
