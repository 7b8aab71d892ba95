/*  test_producer_list.c - ListOffers by cooperative: the merge of the
    cooperative's producers' offers_by_producer ranges must page exactly
    like one index in offer id order (producer_core.c, registry.c); the fixture
   is registry_fx.h. */
#include "producer_core.h"
#include "rantai/err.h"
#include "registry_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int
s_setup(void **state)
{
    return rfx_setup(state, &producer_service, "test_plist");
}

static void
s_put_producer(rfx_t *fx, const char *id, const char *coop)
{
    rfx_expect(rfx_call(fx, rfx_put_producer(fx, rfx_producer(fx, id, coop))),
               ST(OK), NULL);
}

static void
s_put_offer(rfx_t *fx, const char *id, const char *producer, const char *com)
{
    rfx_expect(
        rfx_call(fx, rfx_put_offer(fx, rfx_offer(fx, id, producer, com))),
        ST(OK), NULL);
}

/* One page as `who`: the ids space-separated into got, the next token. */
static const char *
s_page(rfx_t *fx,
       const rantai_principal_t *who,
       const char *producer,
       const char *coop,
       const char *prefix,
       const char *token,
       uint32_t limit,
       char *got,
       size_t cap)
{
    return rfx_list_ids(
        rfx_call_as(fx, who,
                    rfx_list_offers(fx, producer, coop, prefix, token, limit)),
        got, cap);
}

/* Every page of a list, concatenated. */
static void
s_all(rfx_t *fx,
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
    rfx_t *fx = *state;
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
    next = s_page(fx, &rfx_admin, "", "C1", "", "", 3, got, sizeof got);
    assert_string_equal(got, "a0 x1 x10");
    assert_string_equal(next, "x10");
    next = s_page(fx, &rfx_admin, "", "C1", "", "x10", 3, got, sizeof got);
    assert_string_equal(got, "x2 x3 x4");
    assert_string_equal(next, "x4");
    next = s_page(fx, &rfx_admin, "", "C1", "", "x4", 3, got, sizeof got);
    assert_string_equal(got, "x7 x8 z9");
    assert_string_equal(next, "");
    /* A token that is no stored id: everything after it. */
    next = s_page(fx, &rfx_admin, "", "C1", "", "x35", 10, got, sizeof got);
    assert_string_equal(got, "x4 x7 x8 z9");
    assert_string_equal(next, "");
    /* Commodity filter across the merge, one per page. */
    s_all(fx, &rfx_admin, "C1", "1006", 1, got, sizeof got);
    assert_string_equal(got, "x10 x3 x7 z9");
    s_all(fx, &rfx_admin, "C2", "", 1, got, sizeof got);
    assert_string_equal(got, "x5");
    /* No producers in the cooperative: an empty list. */
    next = s_page(fx, &rfx_admin, "", "C9", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    assert_string_equal(next, "");
    /* A cooperative lists its own, whatever filter it sends. */
    const rantai_principal_t c1 = {RANTAI_ROLE_COOPERATIVE, "C1"};
    s_all(fx, &c1, "", "", 4, got, sizeof got);
    assert_string_equal(got, "a0 x1 x10 x2 x3 x4 x7 x8 z9");
    next = s_page(fx, &c1, "", "C2", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    /* Producer and cooperative: both must hold. */
    next = s_page(fx, &rfx_admin, "pb", "C1", "", "", 0, got, sizeof got);
    assert_string_equal(got, "x10 x4 z9");
    next = s_page(fx, &rfx_admin, "pb", "C2", "", "", 0, got, sizeof got);
    assert_string_equal(got, "");
    next = s_page(fx, &rfx_admin, "pe", "C1", "", "", 0, got, sizeof got);
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
    rfx_t *fx = *state;
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
        s_all(fx, &rfx_admin, "K", "", limits[l], got, sizeof got);
        assert_string_equal(got, want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_coop_merge_pages_in_id_order,
                                        s_setup, rfx_teardown),
        cmocka_unit_test_setup_teardown(test_coop_merge_random, s_setup,
                                        rfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
