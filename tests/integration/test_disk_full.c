/*  test_disk_full - a full disk, with the real producer binary.

    test_disk_full: a producer on an 8 MiB tmpfs is written to until it
    answers RESOURCE_EXHAUSTED; it still serves reads, loses nothing
    acknowledged, survives kill -9, and writes again once the tmpfs
    grows. Skipped when tmpfs cannot be mounted (not root). The requests
    and clients are faults_fx.h's. */
#include "faults_fx.h"
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cmocka.h>

static int
s_put_big_producer(rantai_client_t *cl, int i, rantai_arena_t *arena)
{
    char id[32], coop[32];
    Rantai__V1__Producer p;
    Rantai__V1__GeoPoint at;
    fx_producer_req(i % FX_MAX_PAIRS, &p, &at, id, coop);
    sprintf(id, "BIG-%d", i);
    char name[201];
    memset(name, 'a' + i % 26, 200);
    name[200] = 0;
    p.name = name;
    Rantai__V1__PutProducer pp = RANTAI__V1__PUT_PRODUCER__INIT;
    pp.producer = &p;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req.put_producer = &pp;
    rantai_reply_t *r = fx_call(cl, &req, arena);
    return (int) r->code;
}

static bool
s_readable(rantai_client_t *cl, int i, rantai_arena_t *arena)
{
    char id[32];
    sprintf(id, "BIG-%d", i);
    Rantai__V1__GetProducer g = RANTAI__V1__GET_PRODUCER__INIT;
    g.id = id;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
    req.get_producer = &g;
    rantai_reply_t *r = fx_call(cl, &req, arena);
    bool ok = r->code == 0 && r->producer && strlen(r->producer->name) == 200 &&
              r->producer->name[0] == 'a' + i % 26;
    rantai_arena_reset(arena);
    return ok;
}

static void
test_disk_full(void **state)
{
    (void) state;
    h_cluster_t c;
    h_cluster_init(&c);
    char mnt[300];
    snprintf(mnt, sizeof mnt, "%s/tmpfs", c.root);
    mkdir(mnt, 0750);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=8m") != 0) {
        fprintf(stderr, "faults: SKIPPED disk-full test: cannot mount a "
                        "tmpfs (needs root / CAP_SYS_ADMIN)\n");
        h_cluster_fini(&c, false);
        skip();
    }
    snprintf(c.svc[H_PRODUCER].data_dir, sizeof c.svc[H_PRODUCER].data_dir,
             "%s/producer", mnt);
    assert_true(h_start(&c, H_PRODUCER));
    rantai_client_t *cl = fx_client(c.svc[H_PRODUCER].api);
    rantai_arena_t *arena = rantai_arena_new();
    int acked = 0, code = 0;
    while (acked < 200000) {
        code = s_put_big_producer(cl, acked, arena);
        rantai_arena_reset(arena);
        if (code != 0) {
            break;
        }
        acked++;
    }
    fprintf(stderr, "faults: disk full after %d acked writes (code %d)\n",
            acked, code);
    assert_int_equal(code,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED);
    assert_true(acked > 100);
    /* Still answering: another write gets a clean answer (freed pages
       may still fit a small one), and every acknowledged write reads. */
    code = s_put_big_producer(cl, acked, arena);
    rantai_arena_reset(arena);
    assert_true(code == 0 ||
                code ==
                    RANTAI__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED);
    acked += code == 0;
    int lost = 0;
    for (int i = 0; i < acked; i++) {
        lost += !s_readable(cl, i, arena);
    }
    assert_int_equal(lost, 0);
    /* Nothing corrupt on disk: a crash now and a restart keep it all. */
    rantai_client_destroy(&cl);
    h_kill9(&c, H_PRODUCER);
    assert_true(h_start(&c, H_PRODUCER));
    cl = fx_client(c.svc[H_PRODUCER].api);
    for (int i = 0; i < acked; i++) {
        lost += !s_readable(cl, i, arena);
    }
    assert_int_equal(lost, 0);
    /* More space: writes are accepted again, without a restart. */
    assert_int_equal(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=64m"), 0);
    assert_int_equal(s_put_big_producer(cl, acked, arena), 0);
    rantai_arena_reset(arena);
    assert_true(s_readable(cl, acked, arena));
    fprintf(stderr,
            "faults: disk full: acked=%d lost=%d, writes resume "
            "after the tmpfs grew\n",
            acked, lost);
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&cl);
    assert_int_equal(h_stop(&c, H_PRODUCER), 0);
    assert_int_equal(umount(mnt), 0);
    h_cluster_fini(&c, false);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
