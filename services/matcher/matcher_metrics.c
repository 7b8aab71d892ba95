/*  matcher_metrics.c - see matcher_metrics.h. */
#include "matcher_metrics.h"

#include "evlog.h"
#include "matcher_core.h"

#include <stdatomic.h>
#include <stdio.h>

#define S_BUCKETS 14

/* Upper bounds in seconds; the last bucket is +Inf. */
static const double s_bounds[S_BUCKETS - 1] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,  0.05,    0.1,    0.25,  0.5,    1.0};

static struct {
    atomic_uint_fast64_t open_offers, open_demands, live_allocations;
    atomic_uint_fast64_t producer_seq, buyer_seq;
    atomic_uint_fast64_t events;
    atomic_uint_fast64_t settle[S_BUCKETS];
    atomic_uint_fast64_t settle_sum_ns;
} s_m;

void
matcher_metrics_committed(void *core, rantai_server_t *server)
{
    (void) core;
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(rantai_server_store(server), &txn) != 0) {
        return;
    }
    atomic_store(&s_m.open_offers, rantai_meta_u64(txn, "open_offers"));
    atomic_store(&s_m.open_demands, rantai_meta_u64(txn, "open_demands"));
    atomic_store(&s_m.live_allocations,
                 rantai_meta_u64(txn, "live_allocations"));
    atomic_store(&s_m.producer_seq,
                 matcher_core_applied_seq(txn, MATCHER_SOURCE_PRODUCER));
    atomic_store(&s_m.buyer_seq,
                 matcher_core_applied_seq(txn, MATCHER_SOURCE_BUYER));
    rantai_txn_abort(&txn);
}

void
matcher_metrics_settled(int64_t ns, uint64_t events)
{
    double secs = (double) ns / 1e9;
    int b = 0;
    while (b < S_BUCKETS - 1 && secs > s_bounds[b]) {
        b++;
    }
    atomic_fetch_add(&s_m.settle[b], 1);
    atomic_fetch_add(&s_m.settle_sum_ns, (uint64_t) ns);
    atomic_fetch_add(&s_m.events, events);
}

static void
s_gauge(rantai_buf_t *out,
        const char *name,
        const char *type,
        const char *help,
        uint64_t v)
{
    rantai_buf_printf(out,
                      "# HELP %s %s\n# TYPE %s %s\n%s{service=\"matcher\"} "
                      "%llu\n",
                      name, help, name, type, name, (unsigned long long) v);
}

void
matcher_metrics_render(void *core, rantai_server_t *server, rantai_buf_t *out)
{
    (void) core;
    (void) server;
    s_gauge(out, "rantai_matcher_open_offers", "gauge",
            "Offers with remaining capacity.", atomic_load(&s_m.open_offers));
    s_gauge(out, "rantai_matcher_open_demands", "gauge", "OPEN demands.",
            atomic_load(&s_m.open_demands));
    s_gauge(out, "rantai_matcher_live_allocations", "gauge",
            "PROPOSED and ACCEPTED allocations.",
            atomic_load(&s_m.live_allocations));
    rantai_buf_printf(
        out,
        "# HELP rantai_matcher_applied_seq Highest registry seq applied.\n"
        "# TYPE rantai_matcher_applied_seq gauge\n"
        "rantai_matcher_applied_seq{service=\"matcher\",feed=\"producer\"} "
        "%llu\n"
        "rantai_matcher_applied_seq{service=\"matcher\",feed=\"buyer\"} "
        "%llu\n",
        (unsigned long long) atomic_load(&s_m.producer_seq),
        (unsigned long long) atomic_load(&s_m.buyer_seq));
    s_gauge(out, "rantai_matcher_upstream_events_total", "counter",
            "Registry events applied since start.", atomic_load(&s_m.events));
    rantai_buf_printf(out,
                      "# HELP rantai_matcher_pass_duration_seconds Time to "
                      "apply one batch of registry events and run every "
                      "allocation pass it triggered, to the durable commit.\n"
                      "# TYPE rantai_matcher_pass_duration_seconds "
                      "histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < S_BUCKETS; i++) {
        cum += atomic_load(&s_m.settle[i]);
        char le[32];
        if (i < S_BUCKETS - 1) {
            snprintf(le, sizeof le, "%g", s_bounds[i]);
        } else {
            snprintf(le, sizeof le, "+Inf");
        }
        rantai_buf_printf(out,
                          "rantai_matcher_pass_duration_seconds_bucket{service="
                          "\"matcher\",le=\"%s\"} %llu\n",
                          le, (unsigned long long) cum);
    }
    rantai_buf_printf(
        out,
        "rantai_matcher_pass_duration_seconds_sum{service=\"matcher\"} %.9f\n"
        "rantai_matcher_pass_duration_seconds_count{service=\"matcher\"} "
        "%llu\n",
        (double) atomic_load(&s_m.settle_sum_ns) / 1e9,
        (unsigned long long) cum);
}
