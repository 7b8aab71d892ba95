/*  test_arena.c - the bump allocator and its protobuf-c face. */
#include "rantai/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void
test_alloc_aligned_and_zeroed(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    assert_non_null(a);
    for (size_t size = 0; size < 300; size++) {
        unsigned char *p = rantai_arena_alloc(a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t) p % 16, 0);
        for (size_t i = 0; i < size; i++) {
            assert_int_equal(p[i], 0);
        }
        memset(p, 0xAB, size); /* dirty it for the reuse check below */
    }
    rantai_arena_reset(a);
    /* Reused memory is zeroed again. */
    unsigned char *p = rantai_arena_alloc(a, 4096);
    for (size_t i = 0; i < 4096; i++) {
        assert_int_equal(p[i], 0);
    }
    rantai_arena_destroy(&a);
    assert_null(a);
    rantai_arena_destroy(&a); /* idempotent */
}

static void
test_blocks_chain_and_reset(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    /* Many blocks, plus a huge one-off: all usable at the same time. */
    char *ptrs[200];
    for (int i = 0; i < 200; i++) {
        ptrs[i] = rantai_arena_alloc(a, 1000);
        memset(ptrs[i], i, 1000);
    }
    char *big = rantai_arena_alloc(a, 3 * 1024 * 1024);
    memset(big, 0x5A, 3 * 1024 * 1024);
    char *small = rantai_arena_alloc(a, 8);
    for (int i = 0; i < 200; i++) {
        assert_int_equal((unsigned char) ptrs[i][0], i);
        assert_int_equal((unsigned char) ptrs[i][999], i);
    }
    assert_int_equal((unsigned char) big[3 * 1024 * 1024 - 1], 0x5A);
    assert_int_equal(small[0], 0);
    for (int round = 0; round < 50; round++) {
        rantai_arena_reset(a);
        /* A big request right after reset must not displace the first
           block (reset keeps it). */
        char *b = rantai_arena_alloc(a, 200 * 1024);
        b[200 * 1024 - 1] = 1;
        char *s = rantai_arena_alloc(a, 16);
        assert_int_equal(s[0], 0);
    }
    rantai_arena_destroy(&a);
}

static void
test_strings(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    char *s = rantai_arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(rantai_arena_strndup(a, NULL, 0), "");
    char *p = rantai_arena_printf(a, "%s-%d", "offer", 42);
    assert_string_equal(p, "offer-42");
    char longer[5000];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    p = rantai_arena_printf(a, "%s!", longer);
    assert_int_equal(strlen(p), sizeof longer);
    assert_int_equal(p[sizeof longer - 1], '!');
    rantai_arena_destroy(&a);
}

static void
test_protobuf_allocator(void **state)
{
    (void) state;
    rantai_arena_t *a = rantai_arena_new();
    ProtobufCAllocator *al = rantai_arena_allocator(a);
    assert_non_null(al);
    void *p = al->alloc(al->allocator_data, 100);
    assert_non_null(p);
    assert_int_equal((uintptr_t) p % 16, 0);
    al->free(al->allocator_data, p); /* no-op: memory stays valid */
    memset(p, 1, 100);
    void *q = al->alloc(al->allocator_data, 100);
    assert_ptr_not_equal(p, q);
    assert_int_equal(((unsigned char *) p)[99], 1);
    rantai_arena_destroy(&a);
}

static void
test_anew(void **state)
{
    (void) state;
    typedef struct {
        long double x;
        int y;
    } thing_t;
    rantai_arena_t *a = rantai_arena_new();
    thing_t *t = RANTAI_ANEW(a, thing_t);
    assert_non_null(t);
    assert_int_equal(t->y, 0);
    assert_int_equal((uintptr_t) t % _Alignof(thing_t), 0);
    rantai_arena_destroy(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_and_zeroed),
        cmocka_unit_test(test_blocks_chain_and_reset),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_protobuf_allocator),
        cmocka_unit_test(test_anew),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
