/*  bench_rantai - the Rantai scenarios with the real binaries on loopback:
    durable offer ingest (pipelined clients) at several store fills,
    open-loop request latency at 10/50/90 % of the measured maximum,
    CURVE on vs off (and an end-to-end CURVE check), then demand->match
    latency, feed fan-out, memory and store size (bench_match.c).

    Prints "name value unit" lines (see bench_util.h); exit code non-zero
    only when a scenario broke (a service died or did not start), never
    because of a figure. */
#include "bench_rantai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#define S_CLIENTS 8
#define S_WINDOW  32
#define S_THREADS 2

void
br_gen_init(br_gen_t *g, const bu_world_t *w, uint64_t salt)
{
    g->w = *w;
    for (int i = 0; i < 8; i++) {
        g->rng[i] = salt * 1000003ULL + (uint64_t) i * 7919ULL;
    }
}

void
br_fill_offer(void *arg,
              int thread,
              uint64_t n,
              rantai_arena_t *arena,
              rantai_request_t *req)
{
    (void) n;
    br_gen_t *g = arg;
    bu_world_put_offer(&g->w, &g->rng[thread], arena, req);
}

void
br_fill_producer(void *arg,
                 int thread,
                 uint64_t n,
                 rantai_arena_t *arena,
                 rantai_request_t *req)
{
    (void) thread;
    br_gen_t *g = arg;
    bu_world_put_producer(&g->w, (int) n, arena, req);
}

int
br_register_producers(bc_cluster_t *c, const bu_world_t *w)
{
    br_gen_t g;
    br_gen_init(&g, w, 1);
    bu_load_t l = {
        c->svc[BC_PRODUCER].api,  bc_sec(c, BC_PRODUCER), 1, 1, 64, 0,
        (uint64_t) w->nproducers, br_fill_producer,       &g};
    bu_load_result_t r;
    if (bu_load_run(&l, &r) != 0 || r.ok != (uint64_t) w->nproducers) {
        fprintf(stderr, "bench: registering producers: %llu of %d ok\n",
                (unsigned long long) r.ok, w->nproducers);
        return -1;
    }
    return 0;
}

double
br_load_offers(bc_cluster_t *c, br_gen_t *g, uint64_t count, uint64_t *max_seq)
{
    if (count == 0) {
        return 0;
    }
    bu_load_t l = {c->svc[BC_PRODUCER].api,
                   bc_sec(c, BC_PRODUCER),
                   S_THREADS,
                   S_CLIENTS,
                   S_WINDOW,
                   0,
                   count,
                   br_fill_offer,
                   g};
    bu_load_result_t r;
    if (bu_load_run(&l, &r) != 0 || r.failed > 0) {
        fprintf(stderr,
                "bench: loading offers: %llu ok, %llu failed, %llu "
                "lost\n",
                (unsigned long long) r.ok, (unsigned long long) r.failed,
                (unsigned long long) r.lost);
        return -1;
    }
    if (r.max_seq > *max_seq) {
        *max_seq = r.max_seq;
    }
    return r.secs > 0 ? (double) r.ok / r.secs : 0;
}

static int
s_parse_fills(const char *s, long *fill, char (*tok)[16], int max)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    int n = 0;
    for (char *t = strtok(buf, ","); t && n < max; t = strtok(NULL, ",")) {
        char *end = NULL;
        long v = strtol(t, &end, 10);
        if (end && (*end == 'k' || *end == 'K')) {
            v *= 1000;
        } else if (end && (*end == 'm' || *end == 'M')) {
            v *= 1000000;
        }
        fill[n] = v;
        snprintf(tok[n], sizeof tok[n], "%s", t);
        n++;
    }
    return n;
}

/* Ingest reps at the current fill; returns the median rate. */
static double
s_ingest(
    br_t *b, bc_cluster_t *c, br_gen_t *g, const char *name, uint64_t *stored)
{
    bu_load_t l = {c->svc[BC_PRODUCER].api,
                   bc_sec(c, BC_PRODUCER),
                   S_THREADS,
                   S_CLIENTS,
                   S_WINDOW,
                   b->o.dur_ms,
                   0,
                   br_fill_offer,
                   g};
    bu_samples_t rates = {0};
    for (int r = 0; r < b->o.reps; r++) {
        bu_load_result_t res;
        if (bu_load_run(&l, &res) != 0 || res.failed > 0) {
            bu_note("%s: rep %d: %llu failed (first %s), %llu lost", name, r,
                    (unsigned long long) res.failed,
                    rantai_status_name(res.first_error),
                    (unsigned long long) res.lost);
        }
        *stored += res.ok;
        bu_samples_add(&rates, res.secs > 0 ? (double) res.ok / res.secs : 0);
    }
    bu_figure_reps(name, &rates, "msg/s");
    double median = bu_quantile(&rates, 0.5);
    bu_samples_free(&rates);
    return median;
}

/* Open-loop latency at pct % of max_rate: p50/p99/p99.9 figures. */
static void
s_latency(br_t *b,
          bc_cluster_t *c,
          br_gen_t *g,
          const char *prefix,
          double max_rate,
          int pct,
          uint64_t *stored)
{
    bu_load_t l = {c->svc[BC_PRODUCER].api,
                   bc_sec(c, BC_PRODUCER),
                   1,
                   1,
                   0,
                   b->o.dur_ms,
                   0,
                   br_fill_offer,
                   g};
    bu_samples_t p50 = {0}, p99 = {0}, p999 = {0};
    int reps = b->o.reps < 3 ? b->o.reps : 3;
    for (int r = 0; r < reps; r++) {
        bu_samples_t lat = {0};
        bu_load_result_t res;
        if (bu_open_loop(&l, max_rate * pct / 100.0, &lat, &res) != 0) {
            bu_note("%s at %d%%: %llu of %llu lost", prefix, pct,
                    (unsigned long long) res.lost,
                    (unsigned long long) res.sent);
        }
        *stored += res.ok;
        bu_samples_add(&p50, bu_quantile(&lat, 0.5));
        bu_samples_add(&p99, bu_quantile(&lat, 0.99));
        bu_samples_add(&p999, bu_quantile(&lat, 0.999));
        bu_samples_free(&lat);
    }
    char name[96];
    snprintf(name, sizeof name, "%s_p50_load%d", prefix, pct);
    bu_figure_reps(name, &p50, "us");
    snprintf(name, sizeof name, "%s_p99_load%d", prefix, pct);
    bu_figure_reps(name, &p99, "us");
    snprintf(name, sizeof name, "%s_p999_load%d", prefix, pct);
    bu_figure_reps(name, &p999, "us");
    bu_samples_free(&p50);
    bu_samples_free(&p99);
    bu_samples_free(&p999);
}

/* Plain producer registry alone: ingest at each fill, latency levels. */
static void
s_phase_ingest(br_t *b)
{
    bc_cluster_t c;
    bu_world_t w = {b->producers, b->coops, 11};
    if (bc_init(&c, b->o.work, "ingest", b->o.bin_dir, false) != 0 ||
        bc_start(&c, BC_PRODUCER) != 0 || br_register_producers(&c, &w)) {
        b->failures++;
        bc_fini(&c);
        return;
    }
    br_gen_t g;
    br_gen_init(&g, &w, 2);
    uint64_t stored = 0, seq = 0;
    double max_rate = 0;
    for (int i = 0; i < b->n_ingest; i++) {
        if ((long) stored < b->ingest_fill[i]) {
            double rate = br_load_offers(
                &c, &g, (uint64_t) b->ingest_fill[i] - stored, &seq);
            stored = (uint64_t) b->ingest_fill[i];
            bu_note("loaded producer registry to %llu offers at %.0f/s",
                    (unsigned long long) stored, rate);
        }
        char name[64];
        snprintf(name, sizeof name, "rantai_ingest_rate_fill%s",
                 b->ingest_tok[i]);
        double rate = s_ingest(b, &c, &g, name, &stored);
        if (i == 0 && !b->only_ingest) {
            max_rate = rate;
            static const int pcts[] = {10, 50, 90};
            for (int p = 0; p < 3; p++) {
                s_latency(b, &c, &g, "rantai_lat", max_rate, pcts[p], &stored);
            }
        }
    }
    char path[700];
    snprintf(path, sizeof path, "%s/data.mdb", c.svc[BC_PRODUCER].data_dir);
    bu_figure("rantai_ingest_producer_rss_peak",
              (double) bu_rss_peak_kib(c.svc[BC_PRODUCER].proc.pid) / 1024.0,
              "MiB");
    bu_figure("rantai_ingest_offers_stored", (double) stored, "offers");
    bu_figure("rantai_producer_lmdb_per_1m_offers",
              (double) bu_file_size(path) / (double) stored * 1e6 / 1048576.0,
              "MiB");
    if (!bu_alive(&c.svc[BC_PRODUCER].proc)) {
        b->failures++;
    }
    bc_fini(&c);
}

/* CURVE: an end-to-end check with all three services, then ingest and
   latency on the producer alone, to compare with plain. */
static void
s_phase_curve(br_t *b)
{
    bc_cluster_t c;
    bu_world_t w = {b->producers, b->coops, 13};
    if (bc_init(&c, b->o.work, "curve", b->o.bin_dir, true) != 0) {
        bu_note("curve: cannot generate certificates");
        b->failures++;
        return;
    }
    bool ok = true;
    for (int s = 0; s < BC_COUNT && ok; s++) {
        if (bc_start(&c, (bc_service_t) s) != 0) {
            bu_note("curve: %s did not start or answer with CURVE (log %s)",
                    s == 0   ? "producer"
                    : s == 1 ? "buyer"
                             : "matcher",
                    c.svc[s].log_path);
            ok = false;
        }
    }
    if (ok && br_register_producers(&c, &w) != 0) {
        bu_note("curve: PutProducer over CURVE failed");
        ok = false;
    }
    br_gen_t g;
    br_gen_init(&g, &w, 3);
    uint64_t stored = 0, pseq = 0;
    if (ok && br_load_offers(&c, &g, 200, &pseq) < 0) {
        bu_note("curve: PutOffer over CURVE failed");
        ok = false;
    }
    if (ok) {
        /* demand -> match over CURVE: buyer, demand, feed, matcher. */
        ok = br_curve_match_check(&c, pseq);
    }
    bu_figure("rantai_curve_e2e_ok", ok ? 1 : 0, "bool");
    bc_stop(&c, BC_MATCHER);
    bc_stop(&c, BC_BUYER);
    if (!bu_alive(&c.svc[BC_PRODUCER].proc)) {
        bu_note("curve: producer not running, no CURVE figures");
        b->failures++;
        bc_fini(&c);
        return;
    }
    double rate =
        s_ingest(b, &c, &g, "rantai_curve_ingest_rate_fill0", &stored);
    s_latency(b, &c, &g, "rantai_curve_lat", rate, 50, &stored);
    bc_fini(&c);
}

int
main(int argc, char **argv)
{
    br_t b;
    memset(&b, 0, sizeof b);
    int next = bu_opts_parse(&b.o, argc, argv);
    static const char *const ingest_default[] = {"0,2k", "0,20k", "0,100k",
                                                 "0,100k,1m"};
    static const char *const match_default[] = {"1k", "10k", "10k,100k",
                                                "10k,100k,1m"};
    static const int samples[] = {10, 100, 300, 300};
    static const int coops[] = {20, 200, 1000, 1000};
    snprintf(b.ingest_fills, sizeof b.ingest_fills, "%s",
             ingest_default[b.o.mode]);
    char match_fills[128];
    snprintf(match_fills, sizeof match_fills, "%s", match_default[b.o.mode]);
    bool only_match = false, skip_match = false;
    for (int i = next; i < argc; i++) {
        if (strcmp(argv[i], "--fills") == 0 && i + 1 < argc) {
            snprintf(b.ingest_fills, sizeof b.ingest_fills, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--match-fills") == 0 && i + 1 < argc) {
            snprintf(match_fills, sizeof match_fills, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--only-match") == 0) {
            only_match = true;
        } else if (strcmp(argv[i], "--skip-match") == 0) {
            skip_match = true;
        } else if (strcmp(argv[i], "--only-ingest") == 0) {
            b.only_ingest = skip_match = true;
        }
    }
    b.n_ingest = s_parse_fills(b.ingest_fills, b.ingest_fill, b.ingest_tok,
                               BR_MAX_FILLS);
    b.n_match =
        s_parse_fills(match_fills, b.match_fill, b.match_tok, BR_MAX_FILLS);
    b.samples = samples[b.o.mode];
    b.coops = coops[b.o.mode];
    b.producers = b.coops * 2;
    b.fanout_ms = b.o.mode == BU_SMOKE ? 1000 : 5000;
    b.fanout_rate = 100;

    /* 1,000 feed subscribers are 1,000 sockets in this process. */
    zsys_set_max_sockets(0);
    bu_raise_nofile();
    zsys_init();

    if (!only_match) {
        s_phase_ingest(&b);
        if (!b.only_ingest) {
            s_phase_curve(&b);
        }
    }
    if (!skip_match) {
        br_phase_match(&b);
    }
    if (b.failures) {
        fprintf(stderr, "bench_rantai: %d scenario(s) broke\n", b.failures);
    }
    return b.failures ? 1 : 0;
}
