/*  bench_match.c - bench_rantai's matching scenarios on the plain
    cluster: demand->match latency at each store fill, feed fan-out to
    many cooperatives while matches are produced, RSS and store size. */
#include "bench_rantai.h"
#include "rantai/feed.h"
#include "rantai/refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define S_BUYER            "BUY-BENCH-1"
#define S_MKT              "MKT-BENCH"
#define S_MATCH_TIMEOUT_MS 5000

static int
s_put_buyer(bc_cluster_t *c, const char *id)
{
    rantai_client_t *client = bc_client(c, BC_BUYER, 10000);
    rantai_arena_t *arena = rantai_arena_new();
    Rantai__V1__Buyer by = RANTAI__V1__BUYER__INIT;
    by.id = (char *) id;
    by.name = "PT Bench Nusantara";
    by.marketplace_id = S_MKT;
    Rantai__V1__PutBuyer body = RANTAI__V1__PUT_BUYER__INIT;
    body.buyer = &by;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    req.put_buyer = &body;
    rantai_reply_t *r = bc_call(client, &req, arena);
    int rc = r && r->code == 0 ? 0 : -1;
    if (rc != 0) {
        bu_note("PutBuyer failed: %s",
                r ? rantai_status_name((int) r->code) : "no reply");
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&client);
    return rc;
}

static rantai_feed_sub_t *
s_subscribe(bc_cluster_t *c, int kind, const char *party, uint64_t from)
{
    rantai_feed_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.from_seq = from;
    opts.party_kind = kind;
    opts.party_id = party;
    opts.dead_ms = 10000;
    opts.security = bc_sec(c, BC_MATCHER);
    return rantai_feed_sub_new(c->svc[BC_MATCHER].feed, &opts);
}

/* Post demand `id` and wait for its match_proposed on sub. Returns the
   latency in microseconds, -1 if no match came, -2 if the post failed. */
static double
s_demand_match(rantai_client_t *buyer,
               rantai_feed_sub_t *sub,
               uint64_t *rng,
               const char *id,
               const char *commodity,
               rantai_arena_t *arena)
{
    bu_world_t w = {1, 0, 0};
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    bu_world_post_demand(&w, rng, id, S_BUYER, arena, &req);
    const rantai_commodity_t *cm =
        commodity ? rantai_commodity_find(commodity) : NULL;
    if (cm) {
        req.post_demand->demand->commodity = (char *) cm->code;
        if (cm->default_unit > 0) {
            req.post_demand->demand->quantity->unit =
                (Rantai__V1__Unit) cm->default_unit;
        }
    }
    int64_t t0 = bu_now_ns();
    rantai_reply_t *r = bc_call(buyer, &req, arena);
    if (!r || r->code != 0) {
        bu_note("PostDemand %s failed: %s %s", id,
                r ? rantai_status_name((int) r->code) : "no reply",
                r && r->message ? r->message : "");
        return -2;
    }
    int64_t deadline = t0 + (int64_t) S_MATCH_TIMEOUT_MS * 1000000;
    for (;;) {
        int64_t now = bu_now_ns();
        if (now >= deadline) {
            return -1;
        }
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(
            sub, arena, (int) ((deadline - now) / 1000000) + 1, &ev, &err);
        if (rc == 1) {
            rantai_feed_sub_ack(sub, ev->seq);
            if (ev->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED &&
                strcmp(ev->match_proposed->demand_id, id) == 0) {
                return (double) (bu_now_ns() - t0) / 1000.0;
            }
        } else if (rc < 0) {
            bu_note("feed error while waiting for %s: %s", id,
                    err ? rantai_status_name((int) err->code) : "?");
            return -1;
        }
    }
}

bool
br_curve_match_check(bc_cluster_t *c, uint64_t producer_seq)
{
    if (s_put_buyer(c, S_BUYER) != 0) {
        bu_note("curve: PutBuyer over CURVE failed");
        return false;
    }
    if (!bc_wait_applied(c, producer_seq, 0, 30000)) {
        bu_note("curve: the matcher did not apply the producer feed over "
                "CURVE within 30 s (log %s)",
                c->svc[BC_MATCHER].log_path);
        return false;
    }
    rantai_feed_sub_t *sub =
        s_subscribe(c, RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER, S_BUYER, 1);
    rantai_client_t *buyer = bc_client(c, BC_BUYER, 10000);
    rantai_arena_t *arena = rantai_arena_new();
    size_t n = 0;
    const rantai_commodity_t *top = rantai_commodities(&n);
    uint64_t rng = 5;
    double lat =
        sub ? s_demand_match(buyer, sub, &rng, "DM-CURVE-1", top[0].code, arena)
            : -1;
    if (lat < 0) {
        Rantai__V1__MatcherStatus *st = bc_matcher_status(c, arena);
        rantai_client_t *m = bc_client(c, BC_MATCHER, 5000);
        Rantai__V1__GetDemandState gd = RANTAI__V1__GET_DEMAND_STATE__INIT;
        gd.demand_id = "DM-CURVE-1";
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
        req.get_demand_state = &gd;
        rantai_reply_t *ds = bc_call(m, &req, arena);
        rantai_client_destroy(&m);
        bu_note("curve: no match_proposed on the CURVE matcher feed within "
                "%d ms (subscriber %s; matcher producer_seq %llu buyer_seq "
                "%llu open_offers %llu open_demands %llu; GetDemandState: %s "
                "%zu allocations; feed last_seq %llu head_seq %llu)",
                S_MATCH_TIMEOUT_MS, sub ? "created" : "not created",
                st ? (unsigned long long) st->producer_seq : 0ULL,
                st ? (unsigned long long) st->buyer_seq : 0ULL,
                st ? (unsigned long long) st->open_offers : 0ULL,
                st ? (unsigned long long) st->open_demands : 0ULL,
                ds ? rantai_status_name((int) ds->code) : "no reply",
                ds && ds->demand_state ? ds->demand_state->n_allocations : 0,
                sub ? (unsigned long long) rantai_feed_sub_last_seq(sub) : 0ULL,
                sub ? (unsigned long long) rantai_feed_sub_head_seq(sub)
                    : 0ULL);
    } else {
        bu_figure("rantai_curve_demand_match_once", lat, "us");
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&buyer);
    rantai_feed_sub_destroy(&sub);
    return lat >= 0;
}

static void
s_rss_figures(bc_cluster_t *c, const char *what, bool peak)
{
    static const char *const names[] = {"producer", "buyer", "matcher"};
    for (int s = 0; s < BC_COUNT; s++) {
        char name[96];
        snprintf(name, sizeof name, "rantai_rss_%s_%s_%s",
                 peak ? "peak" : "now", names[s], what);
        pid_t pid = c->svc[s].proc.pid;
        long kib = peak ? bu_rss_peak_kib(pid) : bu_rss_kib(pid);
        bu_figure(name, (double) kib / 1024.0, "MiB");
        if (!peak) {
            snprintf(name, sizeof name, "rantai_rss_anon_%s_%s", names[s],
                     what);
            bu_figure(name, (double) bu_rss_anon_kib(pid) / 1024.0, "MiB");
        }
    }
}

/* ------------------------------------------------------------ fan-out */

typedef struct {
    rantai_feed_sub_t **subs;
    zmq_pollitem_t *items;
    int n;
    rantai_arena_t *arena;
    int64_t *post_ns; /* by demand index */
    size_t nposted;
    bu_samples_t lag_us, commit_lag_ms;
    uint64_t deliveries;
    int *heard;
} s_fan_t;

static void
s_fan_drain(s_fan_t *f, int i)
{
    for (;;) {
        rantai_event_t *ev = NULL;
        rantai_reply_t *err = NULL;
        int rc = rantai_feed_sub_next(f->subs[i], f->arena, 0, &ev, &err);
        if (rantai_feed_sub_head_seq(f->subs[i]) > 0) {
            f->heard[i] = 1;
        }
        if (rc != 1) {
            break;
        }
        f->heard[i] = 1;
        rantai_feed_sub_ack(f->subs[i], ev->seq);
        if (ev->body_case == RANTAI__V1__EVENT__BODY_MATCH_PROPOSED &&
            strncmp(ev->match_proposed->demand_id, "FO-", 3) == 0) {
            size_t k = strtoul(ev->match_proposed->demand_id + 3, NULL, 10);
            int64_t now = bu_now_ns();
            if (k < f->nposted) {
                bu_samples_add(&f->lag_us,
                               (double) (now - f->post_ns[k]) / 1000.0);
            }
            bu_samples_add(&f->commit_lag_ms,
                           (double) (bu_wall_ms() - ev->time));
            f->deliveries++;
        }
        rantai_arena_reset(f->arena);
    }
}

static void
s_fan_poll(s_fan_t *f, int timeout_ms)
{
    if (zmq_poll(f->items, f->n, timeout_ms) <= 0) {
        return;
    }
    for (int i = 0; i < f->n; i++) {
        if (f->items[i].revents & ZMQ_POLLIN) {
            s_fan_drain(f, i);
        }
    }
}

static void
s_fanout(br_t *b, bc_cluster_t *c)
{
    rantai_arena_t *arena = rantai_arena_new();
    Rantai__V1__MatcherStatus *st = bc_matcher_status(c, arena);
    uint64_t from = st ? st->head_seq + 1 : 1;
    s_fan_t f;
    memset(&f, 0, sizeof f);
    f.n = b->coops;
    f.subs = calloc((size_t) f.n, sizeof *f.subs);
    f.items = calloc((size_t) f.n, sizeof *f.items);
    f.heard = calloc((size_t) f.n, sizeof *f.heard);
    size_t max_posts =
        (size_t) (b->fanout_rate * (double) b->fanout_ms / 1000.0) + 1;
    f.post_ns = calloc(max_posts, sizeof *f.post_ns);
    f.arena = rantai_arena_new();
    if (!f.subs || !f.items || !f.heard || !f.post_ns) {
        abort();
    }
    int created = 0;
    for (int i = 0; i < f.n; i++) {
        char coop[32];
        bu_coop_id(i, coop, sizeof coop);
        f.subs[i] = s_subscribe(
            c, RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE, coop, from);
        if (!f.subs[i]) {
            f.n = i;
            break;
        }
        f.items[i] = (zmq_pollitem_t){rantai_feed_sub_socket(f.subs[i]), 0,
                                      ZMQ_POLLIN, 0};
        created++;
    }
    /* Subscribed when a heartbeat (or event) came back on each. */
    int64_t deadline = bu_now_ns() + 30000000000LL;
    int heard = 0;
    while (heard < f.n && bu_now_ns() < deadline) {
        s_fan_poll(&f, 100);
        heard = 0;
        for (int i = 0; i < f.n; i++) {
            heard += f.heard[i];
        }
    }
    bu_figure("rantai_fanout_subscribers", heard, "subs");
    if (heard < b->coops) {
        bu_note("fan-out: %d of %d cooperative subscriptions answered "
                "(%d sockets created)",
                heard, b->coops, created);
    }
    rantai_client_t *buyer = bc_client(c, BC_BUYER, 10000);
    uint64_t rng = 77;
    int64_t t0 = bu_now_ns();
    double interval = 1e9 / b->fanout_rate;
    size_t replies = 0;
    int64_t end = t0 + b->fanout_ms * 1000000;
    while (bu_now_ns() < end + 3000000000LL) {
        int64_t now = bu_now_ns();
        while (f.nposted < max_posts &&
               t0 + (int64_t) ((double) f.nposted * interval) <= now &&
               now < end) {
            char id[32];
            snprintf(id, sizeof id, "FO-%zu", f.nposted);
            rantai_request_t req = RANTAI__V1__REQUEST__INIT;
            bu_world_t w = {1, 0, 0};
            bu_world_post_demand(&w, &rng, id, S_BUYER, arena, &req);
            f.post_ns[f.nposted] = bu_now_ns();
            if (rantai_client_send(buyer, &req, NULL) != 0) {
                break;
            }
            f.nposted++;
            rantai_arena_reset(arena);
        }
        rantai_reply_t *r = NULL;
        while (bu_recv_now(buyer, arena, &r) == 0) {
            replies++;
            rantai_arena_reset(arena);
        }
        s_fan_poll(&f, 2);
    }
    bu_figure("rantai_fanout_demands_posted", (double) f.nposted, "demands");
    bu_figure("rantai_fanout_deliveries", (double) f.deliveries, "events");
    bu_figure("rantai_fanout_lag_p50", bu_quantile(&f.lag_us, 0.5), "us");
    bu_figure("rantai_fanout_lag_p99", bu_quantile(&f.lag_us, 0.99), "us");
    bu_figure("rantai_fanout_commit_to_delivery_p99",
              bu_quantile(&f.commit_lag_ms, 0.99), "ms");
    if (replies < f.nposted) {
        bu_note("fan-out: %zu of %zu PostDemand replies", replies, f.nposted);
    }
    for (int i = 0; i < f.n; i++) {
        rantai_feed_sub_destroy(&f.subs[i]);
    }
    rantai_client_destroy(&buyer);
    bu_samples_free(&f.lag_us);
    bu_samples_free(&f.commit_lag_ms);
    free(f.subs);
    free(f.items);
    free(f.heard);
    free(f.post_ns);
    rantai_arena_destroy(&f.arena);
    rantai_arena_destroy(&arena);
}

/* ------------------------------------------------------------- phase */

static void
s_match_samples(br_t *b,
                bc_cluster_t *c,
                rantai_feed_sub_t *sub,
                const char *tok)
{
    rantai_client_t *buyer = bc_client(c, BC_BUYER, 10000);
    rantai_arena_t *arena = rantai_arena_new();
    uint64_t rng = 1000 + (uint64_t) strlen(tok) * 31;
    bu_samples_t lat = {0};
    int unmatched = 0;
    for (int k = 0; k < b->samples; k++) {
        char id[48];
        snprintf(id, sizeof id, "DM-%s-%d", tok, k);
        double us = s_demand_match(buyer, sub, &rng, id, NULL, arena);
        rantai_arena_reset(arena);
        if (us >= 0) {
            bu_samples_add(&lat, us);
        } else {
            unmatched++;
        }
    }
    char name[96];
    snprintf(name, sizeof name, "rantai_demand_match_p50_fill%s", tok);
    bu_figure(name, bu_quantile(&lat, 0.5), "us");
    snprintf(name, sizeof name, "rantai_demand_match_p99_fill%s", tok);
    bu_figure(name, bu_quantile(&lat, 0.99), "us");
    if (unmatched) {
        bu_note("demand->match at %s: %d of %d demands got no match within "
                "%d ms",
                tok, unmatched, b->samples, S_MATCH_TIMEOUT_MS);
    }
    bu_samples_free(&lat);
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&buyer);
}

void
br_phase_match(br_t *b)
{
    bc_cluster_t c;
    bu_world_t w = {b->producers, b->coops, 17};
    bool ok = bc_init(&c, b->o.work, "match", b->o.bin_dir, false) == 0;
    for (int s = 0; s < BC_COUNT && ok; s++) {
        ok = bc_start(&c, (bc_service_t) s) == 0;
    }
    ok = ok && br_register_producers(&c, &w) == 0 &&
         s_put_buyer(&c, S_BUYER) == 0;
    rantai_feed_sub_t *sub =
        ok ? s_subscribe(&c, RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER, S_BUYER,
                         1)
           : NULL;
    if (!sub) {
        b->failures++;
        bc_fini(&c);
        return;
    }
    br_gen_t g;
    br_gen_init(&g, &w, 4);
    uint64_t stored = 0, pseq = 0;
    for (int i = 0; i < b->n_match; i++) {
        uint64_t add = (uint64_t) b->match_fill[i] > stored
                           ? (uint64_t) b->match_fill[i] - stored
                           : 0;
        int64_t t0 = bu_now_ns();
        double rate = br_load_offers(&c, &g, add, &pseq);
        stored += add;
        int timeout = 120000 + (int) (add / 2); /* >= 2 ms per offer */
        if (rate < 0 || !bc_wait_applied(&c, pseq, 0, timeout)) {
            bu_note("match: loading %llu offers failed or the matcher did "
                    "not catch up",
                    (unsigned long long) add);
            b->failures++;
            break;
        }
        double secs = (double) (bu_now_ns() - t0) / 1e9;
        char name[96];
        snprintf(name, sizeof name, "rantai_load_to_matched_rate_fill%s",
                 b->match_tok[i]);
        bu_figure(name, (double) add / secs, "offers/s");
        s_match_samples(b, &c, sub, b->match_tok[i]);
        s_rss_figures(&c, b->match_tok[i], false);
        if (i == 0) {
            s_fanout(b, &c);
        }
    }
    s_rss_figures(&c, "end", true);
    char path[700];
    static const char *const names[] = {"producer", "buyer", "matcher"};
    for (int s = 0; s < BC_COUNT; s++) {
        snprintf(path, sizeof path, "%s/data.mdb", c.svc[s].data_dir);
        char name[96];
        snprintf(name, sizeof name, "rantai_lmdb_%s_per_1m_offers", names[s]);
        bu_figure(name,
                  stored ? (double) bu_file_size(path) / (double) stored * 1e6 /
                               1048576.0
                         : 0,
                  "MiB");
        if (!bu_alive(&c.svc[s].proc)) {
            b->failures++;
        }
    }
    rantai_feed_sub_destroy(&sub);
    bc_fini(&c);
}
