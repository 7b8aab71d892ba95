/*  test_faults - durability under faults, with the real binaries.

    test_kill_restart: two writer threads put producers + offers and
    buyers + demands (Lazy Pirate clients, retrying the same put until
    OK), a subscriber thread follows the matcher feed as ALL (dropping
    and resuming its subscription from last + 1 every second) and as one
    cooperative; meanwhile the main thread kill -9s a random service and
    restarts it RANTAI_FAULT_KILLS times (default 20), and SIGSTOPs /
    SIGCONTs one in the middle. Then it checks:
      - every put that got OK is readable with the same content, and its
        registry log holds exactly one event for it, at the OK's seq;
      - a second matcher built from scratch from the registry feeds has
        the same demand and offer states as the one that was killed;
      - the ALL subscriber saw every matcher event exactly once with the
        bytes of the log, the cooperative exactly the events about its
        own allocations (match_proposed trimmed to them) and nothing else.
    and prints acked / lost / duplicated / kills.

    The load is faults_fx.h; the full disk is test_disk_full.c. */
#include "faults_fx.h"
#include "harness.h"
#include "rantai/err.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ----------------------------------------------------------- subscribers */

typedef struct {
    uint8_t *data; /* packed Event, malloc'ed */
    size_t size;
    int seen; /* times delivered (after the library's dedup) */
} s_seen_t;

typedef struct {
    s_seen_t *ev;
    size_t cap;
} s_seen_map_t;

static void
s_seen_add(s_seen_map_t *m, const rantai_event_t *ev)
{
    if (ev->seq >= m->cap) {
        size_t cap = m->cap ? m->cap : 1024;
        while (cap <= ev->seq) {
            cap *= 2;
        }
        m->ev = realloc(m->ev, cap * sizeof *m->ev);
        if (!m->ev) {
            abort();
        }
        memset(m->ev + m->cap, 0, (cap - m->cap) * sizeof *m->ev);
        m->cap = cap;
    }
    s_seen_t *s = &m->ev[ev->seq];
    if (s->seen++ == 0) {
        s->size = protobuf_c_message_get_packed_size(&ev->base);
        s->data = malloc(s->size + 1);
        if (!s->data) {
            abort();
        }
        protobuf_c_message_pack(&ev->base, s->data);
    }
}

static void
s_seen_free(s_seen_map_t *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->ev[i].data);
    }
    free(m->ev);
    memset(m, 0, sizeof *m);
}

typedef struct {
    h_cluster_t *c;
    s_seen_map_t all, coop;
    atomic_bool stop;
    atomic_uint_fast64_t all_last;
    int resumes, errors;
} s_subs_t;

static rantai_feed_sub_t *
s_sub_new(h_cluster_t *c, uint64_t from, int kind, const char *party)
{
    rantai_feed_opts_t o = {0};
    o.from_seq = from;
    o.party_kind = kind;
    o.party_id = party;
    o.dead_ms = 1000;
    o.window = 64;
    return rantai_feed_sub_new(c->svc[H_MATCHER].feed, &o);
}

/* Read what is there (waiting up to `ms` for the first event) from sub
   into map; acks as it goes. */
static void
s_sub_step(s_subs_t *s, rantai_feed_sub_t *sub, s_seen_map_t *map, int ms)
{
    rantai_arena_t *arena = rantai_arena_new();
    for (int n = 0; n < 512; n++) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(sub, arena, n == 0 ? ms : 0, &ev, &err);
        if (rc == 1) {
            s_seen_add(map, ev);
            rantai_feed_sub_ack(sub, ev->seq);
        } else if (rc < 0) {
            fprintf(stderr, "faults: feed error %d: %s\n", rc,
                    err && err->message ? err->message : "");
            s->errors++;
        }
        rantai_arena_reset(arena);
        if (rc != 1) {
            break;
        }
    }
    rantai_arena_destroy(&arena);
}

static void *
s_subscriber(void *arg)
{
    s_subs_t *s = arg;
    rantai_feed_sub_t *all =
        s_sub_new(s->c, 1, RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL, NULL);
    rantai_feed_sub_t *coop = s_sub_new(
        s->c, 1, RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE, FX_COOP);
    int64_t resume_at = fx_ms() + 1000;
    while (!atomic_load(&s->stop)) {
        s_sub_step(s, all, &s->all, 20);
        s_sub_step(s, coop, &s->coop, 5);
        atomic_store(&s->all_last, rantai_feed_sub_last_seq(all));
        if (fx_ms() >= resume_at) {
            /* Disconnect, reconnect from last + 1 on a new socket. */
            uint64_t last = rantai_feed_sub_last_seq(all);
            rantai_feed_sub_destroy(&all);
            all = s_sub_new(s->c, last + 1,
                            RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL, NULL);
            s->resumes++;
            resume_at = fx_ms() + 1000;
        }
    }
    /* Drain: the cooperative catches up too. */
    for (int i = 0; i < 200; i++) {
        s_sub_step(s, coop, &s->coop, 5);
    }
    rantai_feed_sub_destroy(&all);
    rantai_feed_sub_destroy(&coop);
    return NULL;
}

/* ------------------------------------------------------------ verifying */

static Rantai__V1__MatcherStatus *
s_status(rantai_client_t *cl, rantai_arena_t *arena)
{
    Rantai__V1__GetMatcherStatus b = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req.get_matcher_status = &b;
    rantai_reply_t *r = fx_call(cl, &req, arena);
    assert_int_equal(r->code, 0);
    return r->matcher_status;
}

/* Every event of a feed from 1 to its head, in a map (fresh subscriber). */
static void
s_read_log(const char *endpoint, uint64_t head, s_seen_map_t *m)
{
    rantai_feed_opts_t o = {0};
    o.from_seq = 1;
    rantai_feed_sub_t *sub = rantai_feed_sub_new(endpoint, &o);
    assert_non_null(sub);
    rantai_arena_t *arena = rantai_arena_new();
    int64_t deadline = fx_ms() + 30000;
    while (rantai_feed_sub_last_seq(sub) < head && fx_ms() < deadline) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(sub, arena, 1000, &ev, &err);
        assert_true(rc >= 0);
        if (rc == 1) {
            s_seen_add(m, ev);
            rantai_feed_sub_ack(sub, ev->seq);
        }
        rantai_arena_reset(arena);
    }
    assert_int_equal(rantai_feed_sub_last_seq(sub), head);
    rantai_arena_destroy(&arena);
    rantai_feed_sub_destroy(&sub);
}

static rantai_event_t *
s_unpack(const s_seen_t *s, rantai_arena_t *arena)
{
    return (rantai_event_t *) rantai_decode(&rantai__v1__event__descriptor,
                                            s->data, s->size, 1 << 24, arena);
}

/* Registry checks: content of each acked put, and exactly one event per
   id at the acked seq. Adds to *lost / *dup. */
static void
s_check_registries(h_cluster_t *c,
                   fx_load_t *l,
                   uint64_t phead,
                   uint64_t bhead,
                   int *lost,
                   int *dup)
{
    rantai_arena_t *arena = rantai_arena_new();
    rantai_client_t *pc = fx_client(c->svc[H_PRODUCER].api);
    rantai_client_t *bc = fx_client(c->svc[H_BUYER].api);
    int np = atomic_load(&l->pairs_supply), nd = atomic_load(&l->pairs_demand);
    for (int i = 0; i < np; i++) {
        char id[32];
        sprintf(id, "O-%d", i);
        Rantai__V1__GetOffer g = RANTAI__V1__GET_OFFER__INIT;
        g.id = id;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
        req.get_offer = &g;
        rantai_reply_t *r = fx_call(pc, &req, arena);
        if (r->code != 0 || !r->offer || !r->offer->quantity ||
            r->offer->quantity->milli != (uint64_t) (100 + i % 7) * 1000 ||
            r->offer->price->idr != 90000 + (uint64_t) i) {
            fprintf(stderr, "faults: lost offer %s\n", id);
            (*lost)++;
        }
        rantai_arena_reset(arena);
        sprintf(id, "P-%d", i);
        Rantai__V1__GetProducer gp = RANTAI__V1__GET_PRODUCER__INIT;
        gp.id = id;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
        req.get_producer = &gp;
        r = fx_call(pc, &req, arena);
        Rantai__V1__GeoPoint at;
        fx_point(i, &at);
        if (r->code != 0 || !r->producer || !r->producer->location ||
            r->producer->location->lat != at.lat ||
            strcmp(r->producer->province, "32") != 0) {
            fprintf(stderr, "faults: lost producer %s\n", id);
            (*lost)++;
        }
        rantai_arena_reset(arena);
    }
    for (int i = 0; i < nd; i++) {
        char id[32];
        sprintf(id, "D-%d", i);
        Rantai__V1__GetDemand g = RANTAI__V1__GET_DEMAND__INIT;
        g.id = id;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND;
        req.get_demand = &g;
        rantai_reply_t *r = fx_call(bc, &req, arena);
        if (r->code != 0 || !r->demand || !r->demand->quantity ||
            r->demand->quantity->milli != (uint64_t) (100 + i % 7) * 1000 ||
            r->demand->max_distance_km != 1) {
            fprintf(stderr, "faults: lost demand %s\n", id);
            (*lost)++;
        }
        rantai_arena_reset(arena);
    }
    /* The logs: one event per id, at the seq the OK carried. */
    s_seen_map_t plog = {0}, blog = {0};
    s_read_log(c->svc[H_PRODUCER].feed, phead, &plog);
    s_read_log(c->svc[H_BUYER].feed, bhead, &blog);
    int *count = calloc(3 * FX_MAX_PAIRS, sizeof *count);
    for (uint64_t s = 1; s <= phead; s++) {
        assert_true(s < plog.cap && plog.ev[s].seen == 1); /* no gaps */
        rantai_event_t *ev = s_unpack(&plog.ev[s], arena);
        int i = -1;
        if (ev->body_case == RANTAI__V1__EVENT__BODY_PRODUCER_PUT &&
            sscanf(ev->producer_put->producer->id, "P-%d", &i) == 1 && i >= 0 &&
            i < FX_MAX_PAIRS) {
            count[i]++;
            if (i < np && l->prod_seq[i] != s) {
                (*dup)++; /* an event not at the acked seq */
            }
        } else if (ev->body_case == RANTAI__V1__EVENT__BODY_OFFER_PUT &&
                   sscanf(ev->offer_put->offer->id, "O-%d", &i) == 1 &&
                   i >= 0 && i < FX_MAX_PAIRS) {
            count[FX_MAX_PAIRS + i]++;
            if (i < np && l->offer_seq[i] != s) {
                (*dup)++;
            }
        }
        rantai_arena_reset(arena);
    }
    for (uint64_t s = 1; s <= bhead; s++) {
        assert_true(s < blog.cap && blog.ev[s].seen == 1);
        rantai_event_t *ev = s_unpack(&blog.ev[s], arena);
        int i = -1;
        if (ev->body_case == RANTAI__V1__EVENT__BODY_DEMAND_POSTED &&
            sscanf(ev->demand_posted->demand->id, "D-%d", &i) == 1 && i >= 0 &&
            i < FX_MAX_PAIRS) {
            count[2 * FX_MAX_PAIRS + i]++;
            if (i < nd && l->demand_seq[i] != s) {
                (*dup)++;
            }
        }
        rantai_arena_reset(arena);
    }
    for (int i = 0; i < 3 * FX_MAX_PAIRS; i++) {
        *dup += count[i] > 1 ? count[i] - 1 : 0;
    }
    for (int i = 0; i < np; i++) {
        *lost += (count[i] == 0) + (count[FX_MAX_PAIRS + i] == 0);
    }
    for (int i = 0; i < nd; i++) {
        *lost += count[2 * FX_MAX_PAIRS + i] == 0;
    }
    free(count);
    s_seen_free(&plog);
    s_seen_free(&blog);
    rantai_client_destroy(&pc);
    rantai_client_destroy(&bc);
    rantai_arena_destroy(&arena);
}

static bool
s_alloc_same(const Rantai__V1__Allocation *a, const Rantai__V1__Allocation *b)
{
    /* created_at is the time of the event that completed the pair, which
       depends on how the two registry feeds interleaved: not compared */
    return strcmp(a->id, b->id) == 0 && strcmp(a->offer_id, b->offer_id) == 0 &&
           strcmp(a->cooperative_id, b->cooperative_id) == 0 &&
           a->quantity->milli == b->quantity->milli &&
           a->price->idr == b->price->idr && a->distance_m == b->distance_m &&
           a->landed_micro_idr == b->landed_micro_idr && a->state == b->state;
}

/* Compare the killed matcher with one built from scratch. */
static int
s_check_replay(h_cluster_t *c, fx_load_t *l, uint64_t pseq, uint64_t bseq)
{
    h_cluster_t fresh;
    h_cluster_init(&fresh);
    h_proc_t *m = &fresh.svc[H_MATCHER];
    snprintf(m->extra[1], sizeof m->extra[1], "%s", c->svc[H_PRODUCER].feed);
    snprintf(m->extra[3], sizeof m->extra[3], "%s", c->svc[H_BUYER].feed);
    assert_true(h_start(&fresh, H_MATCHER));
    assert_true(h_wait_applied(&fresh, pseq, bseq));
    rantai_client_t *a = fx_client(c->svc[H_MATCHER].api);
    rantai_client_t *b = fx_client(fresh.svc[H_MATCHER].api);
    rantai_arena_t *arena = rantai_arena_new();
    int mismatches = 0;
    int nd = atomic_load(&l->pairs_demand), np = atomic_load(&l->pairs_supply);
    for (int i = 0; i < nd; i++) {
        char id[32];
        sprintf(id, "D-%d", i);
        Rantai__V1__GetDemandState g = RANTAI__V1__GET_DEMAND_STATE__INIT;
        g.demand_id = id;
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
        req.get_demand_state = &g;
        rantai_reply_t *ra = fx_call(a, &req, arena);
        rantai_reply_t *rb = fx_call(b, &req, arena);
        bool same = ra->code == 0 && rb->code == 0;
        if (same) {
            Rantai__V1__DemandState *x = ra->demand_state,
                                    *y = rb->demand_state;
            same = x->status == y->status &&
                   x->filled->milli == y->filled->milli &&
                   x->n_allocations == y->n_allocations;
            for (size_t k = 0; same && k < x->n_allocations; k++) {
                same = s_alloc_same(x->allocations[k], y->allocations[k]);
            }
            /* and the pair was matched, as every acked pair must be */
            if (i < np && x->n_allocations != 1) {
                fprintf(stderr, "faults: %s has %zu allocations\n", id,
                        x->n_allocations);
                same = false;
            }
        }
        if (!same) {
            fprintf(stderr, "faults: %s differs from the replay\n", id);
            mismatches++;
        }
        rantai_arena_reset(arena);
    }
    Rantai__V1__MatcherStatus *sa = s_status(a, arena);
    Rantai__V1__MatcherStatus *sb = s_status(b, arena);
    if (sa->open_offers != sb->open_offers ||
        sa->open_demands != sb->open_demands ||
        sa->live_allocations != sb->live_allocations) {
        fprintf(stderr, "faults: matcher counters differ from the replay\n");
        mismatches++;
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&a);
    rantai_client_destroy(&b);
    h_cluster_fini(&fresh, mismatches > 0);
    return mismatches;
}

/* What the cooperative may see of `ev` (NULL: nothing), trimmed. */
static int
s_coop_allocs(const rantai_event_t *ev)
{
    if (ev->body_case == RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED) {
        return strcmp(ev->allocation_updated->allocation->cooperative_id,
                      FX_COOP) == 0;
    }
    if (ev->body_case != RANTAI__V1__EVENT__BODY_MATCH_PROPOSED) {
        return 0;
    }
    int n = 0;
    for (size_t i = 0; i < ev->match_proposed->n_allocations; i++) {
        n += strcmp(ev->match_proposed->allocations[i]->cooperative_id,
                    FX_COOP) == 0;
    }
    return n;
}

/* Subscribers: ALL saw every event once with the log's bytes; the
   cooperative exactly its own. Returns lost + duplicated + wrong. */
static int
s_check_subscribers(h_cluster_t *c, s_subs_t *s, uint64_t head, int *dup)
{
    s_seen_map_t log = {0};
    s_read_log(c->svc[H_MATCHER].feed, head, &log);
    rantai_arena_t *arena = rantai_arena_new();
    int bad = 0;
    for (uint64_t q = 1; q <= head; q++) {
        const s_seen_t *want = &log.ev[q];
        const s_seen_t *got = q < s->all.cap ? &s->all.ev[q] : NULL;
        if (!got || got->seen == 0) {
            if (bad < 10) {
                fprintf(stderr, "faults: ALL subscriber missed %llu\n",
                        (unsigned long long) q);
            }
            bad++;
            continue;
        }
        *dup += got->seen - 1;
        if (got->size != want->size ||
            memcmp(got->data, want->data, want->size) != 0) {
            bad++;
        }
        rantai_event_t *ev = s_unpack(want, arena);
        int mine = s_coop_allocs(ev);
        const s_seen_t *cg = q < s->coop.cap ? &s->coop.ev[q] : NULL;
        bool seen = cg && cg->seen > 0;
        if (seen != (mine > 0)) {
            fprintf(stderr, "faults: cooperative %s seq %llu\n",
                    seen ? "saw a foreign" : "missed its",
                    (unsigned long long) q);
            bad++;
        } else if (seen) {
            *dup += cg->seen - 1;
            rantai_event_t *ce = s_unpack(cg, arena);
            if (ce->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED &&
                (int) ce->match_proposed->n_allocations != mine) {
                bad++; /* not trimmed to its own */
            }
        }
        rantai_arena_reset(arena);
    }
    /* Nothing past the head either. */
    for (uint64_t q = head + 1; q < s->all.cap; q++) {
        bad += s->all.ev[q].seen > 0;
    }
    rantai_arena_destroy(&arena);
    s_seen_free(&log);
    return bad;
}

static uint64_t
s_barrier(h_cluster_t *c, h_service_t svc)
{
    rantai_client_t *cl = fx_client(c->svc[svc].api);
    rantai_arena_t *arena = rantai_arena_new();
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__Buyer bu;
    char id[32], mp[32];
    fx_buyer_req(FX_BUYERS, &bu, id, mp);
    Rantai__V1__PutBuyer pb = RANTAI__V1__PUT_BUYER__INIT;
    pb.buyer = &bu;
    Rantai__V1__Producer p;
    Rantai__V1__GeoPoint at;
    char coop[32];
    fx_producer_req(FX_MAX_PAIRS + 1, &p, &at, id, coop);
    Rantai__V1__PutProducer pp = RANTAI__V1__PUT_PRODUCER__INIT;
    pp.producer = &p;
    if (svc == H_BUYER) {
        req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
        req.put_buyer = &pb;
    } else {
        req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
        req.put_producer = &pp;
    }
    rantai_reply_t *r = fx_call(cl, &req, arena);
    assert_int_equal(r->code, 0);
    uint64_t seq = r->seq;
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&cl);
    return seq;
}

static void
test_kill_restart(void **state)
{
    (void) state;
    const char *env = getenv("RANTAI_FAULT_KILLS");
    int kills = env ? atoi(env) : 20;
    const char *seed_env = getenv("RANTAI_FAULT_SEED");
    unsigned seed =
        seed_env ? (unsigned) atoi(seed_env) : (unsigned) time(NULL);
    srand(seed);
    fprintf(stderr, "faults: %d kills, seed %u\n", kills, seed);

    h_cluster_t c;
    h_cluster_init(&c);
    assert_true(h_start_all(&c));
    fx_load_t *l = calloc(1, sizeof *l);
    l->c = &c;
    s_subs_t *subs = calloc(1, sizeof *subs);
    subs->c = &c;
    pthread_t tw[2], ts;
    pthread_create(&tw[0], NULL, fx_supply_writer, l);
    pthread_create(&tw[1], NULL, fx_demand_writer, l);
    pthread_create(&ts, NULL, s_subscriber, subs);

    int per[H_COUNT] = {0};
    int stops = 0;
    int64_t t0 = fx_ms();
    for (int k = 0; k < kills; k++) {
        /* Load must be flowing before each fault (a condition, with a
           deadline: a service that never recovers fails the test). */
        int before = atomic_load(&l->acked);
        int64_t deadline = fx_ms() + 30000;
        while (atomic_load(&l->acked) < before + 10 && fx_ms() < deadline) {
            fx_pause_ms(2);
        }
        assert_true(atomic_load(&l->acked) >= before + 10);
        h_service_t s = (h_service_t) (rand() % H_COUNT);
        if (k == kills / 2) {
            /* A frozen process: clients time out and back off. */
            kill(c.svc[s].pid, SIGSTOP);
            fx_pause_ms(1500);
            kill(c.svc[s].pid, SIGCONT);
            stops++;
        }
        h_kill9(&c, s);
        per[s]++;
        assert_true(h_start(&c, s));
    }
    int64_t fault_ms = fx_ms() - t0;
    atomic_store(&l->stop, true);
    pthread_join(tw[0], NULL);
    pthread_join(tw[1], NULL);

    uint64_t pseq = s_barrier(&c, H_PRODUCER);
    uint64_t bseq = s_barrier(&c, H_BUYER);
    assert_true(h_wait_applied(&c, pseq, bseq));
    rantai_client_t *mc = fx_client(c.svc[H_MATCHER].api);
    rantai_arena_t *arena = rantai_arena_new();
    uint64_t head = s_status(mc, arena)->head_seq;
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&mc);
    int64_t deadline = fx_ms() + 60000;
    while (atomic_load(&subs->all_last) < head && fx_ms() < deadline) {
        fx_pause_ms(5);
    }
    atomic_store(&subs->stop, true);
    pthread_join(ts, NULL);

    int lost = 0, dup = 0, sub_dup = 0;
    s_check_registries(&c, l, pseq, bseq, &lost, &dup);
    int mismatches = s_check_replay(&c, l, pseq, bseq);
    int sub_bad = s_check_subscribers(&c, subs, head, &sub_dup);
    fprintf(stderr,
            "faults: kills=%d (producer %d, buyer %d, matcher %d) stops=%d "
            "in %lld ms; writes acked=%d lost=%d duplicated=%d "
            "(client give-ups retried=%d, rejected=%d); pairs supply=%d "
            "demand=%d; matcher head=%llu replay mismatches=%d; "
            "subscriber resumes=%d lost/wrong=%d duplicated=%d errors=%d\n",
            kills, per[0], per[1], per[2], stops, (long long) fault_ms,
            atomic_load(&l->acked), lost, dup,
            atomic_load(&l->retries_exhausted), atomic_load(&l->rejected),
            atomic_load(&l->pairs_supply), atomic_load(&l->pairs_demand),
            (unsigned long long) head, mismatches, subs->resumes, sub_bad,
            sub_dup, subs->errors);
    bool ok = lost == 0 && dup == 0 && mismatches == 0 && sub_bad == 0 &&
              sub_dup == 0 && atomic_load(&l->rejected) == 0;
    s_seen_free(&subs->all);
    s_seen_free(&subs->coop);
    free(subs);
    free(l);
    h_cluster_fini(&c, !ok);
    assert_true(ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
