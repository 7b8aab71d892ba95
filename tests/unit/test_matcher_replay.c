/*  test_matcher_replay.c - determinism (issue item 5): record the inputs
    of a randomized run (registry events, responses, timer ticks, with
    their times), replay them twice on fresh stores, and compare the two
    matcher event logs and every demand's allocations byte for byte; a
    third replay with the old full-scan lookup must agree too. */
#define MATCHER_PROPERTY_NO_MAIN
#include "test_matcher_property.c"

static mfx_t *
replay(bool scan)
{
    matcher_pass_use_scan(scan);
    mfx_t *f = mfx_new(T0);
    bool was = mfx_recording;
    mfx_recording = false;
    for (size_t i = 0; i < mfx_nlog; i++) {
        const mfx_rec_t *r = &mfx_log[i];
        f->now = r->now;
        if (r->kind == 0) {
            rantai_event_t *ev = (rantai_event_t *) rantai_decode(
                &rantai__v1__event__descriptor, r->bytes, r->len, r->len + 1,
                f->arena);
            assert_non_null(ev);
            mfx_apply(f, r->source, ev);
        } else if (r->kind == 1) {
            (void) mfx_respond(f, r->id, r->accept);
        } else {
            mfx_expire(f);
        }
        rantai_arena_reset(f->arena);
    }
    mfx_recording = was;
    matcher_pass_use_scan(false);
    return f;
}

static void
same_bytes(mfx_t *a,
           mfx_t *b,
           const ProtobufCMessage *ma,
           const ProtobufCMessage *mb,
           const char *what)
{
    size_t la, lb;
    void *pa = rantai_encode(ma, a->arena, &la);
    void *pb = rantai_encode(mb, b->arena, &lb);
    if (la != lb || memcmp(pa, pb, la) != 0) {
        fail_msg("%s differs between replays", what);
    }
}

static void
compare(mfx_t *a, mfx_t *b)
{
    uint64_t h = mfx_head(a);
    assert_true(h > 1000);
    assert_int_equal(mfx_head(b), h);
    for (uint64_t s = 1; s <= h; s++) {
        size_t la, lb;
        void *pa = mfx_event_raw(a, s, &la);
        void *pb = mfx_event_raw(b, s, &lb);
        if (la != lb || memcmp(pa, pb, la) != 0) {
            fail_msg("matcher event %llu differs", (unsigned long long) s);
        }
        rantai_arena_reset(a->arena);
        rantai_arena_reset(b->arena);
    }
    size_t allocs = 0;
    for (int d = 0; d < nD; d++) {
        char id[16];
        snprintf(id, sizeof(id), "d%d", d);
        Rantai__V1__DemandState *sa = mfx_dstate(a, id);
        Rantai__V1__DemandState *sb = mfx_dstate(b, id);
        assert_int_equal(sa->n_allocations, sb->n_allocations);
        for (size_t i = 0; i < sa->n_allocations; i++) {
            same_bytes(a, b, &sa->allocations[i]->base,
                       &sb->allocations[i]->base, id);
        }
        allocs += sa->n_allocations;
        rantai_arena_reset(a->arena);
        rantai_arena_reset(b->arena);
    }
    assert_true(allocs > 100);
}

static void
test_replay_identical(void **state)
{
    (void) state;
    mfx_recording = true;
    run(env_u64("RANTAI_PROPERTY_SEED", 20240601) + 7, 1500, false);
    mfx_recording = false;
    mfx_t *a = replay(false);
    mfx_t *b = replay(false);
    compare(a, b);
    mfx_t *c = replay(true);
    compare(a, c);
    mfx_destroy(a);
    mfx_destroy(b);
    mfx_destroy(c);
    mfx_log_free();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
