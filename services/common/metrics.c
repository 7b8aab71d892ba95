/*  metrics.c - request counters, latency histograms, store gauges. */
#include "metrics.h"

#include "evlog.h"
#include "rantai/codec.h"

#include <stdio.h>

/* Upper bounds in seconds; the last bucket is +Inf. */
static const double s_bounds[RANTAI_METRICS_BUCKETS - 1] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,  0.05,    0.1,    0.25,  0.5,    1.0};

void
rantai_metrics_request(rantai_metrics_t *m, int body, int code, int64_t ns)
{
    if (body < 0 || body >= RANTAI_METRICS_BODIES) {
        body = 0;
    }
    if (code < 0 || code >= RANTAI_METRICS_CODES) {
        code = 2; /* UNKNOWN */
    }
    atomic_fetch_add_explicit(&m->requests[body][code], 1,
                              memory_order_relaxed);
    double secs = (double) ns / 1e9;
    int b = 0;
    while (b < RANTAI_METRICS_BUCKETS - 1 && secs > s_bounds[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&m->latency[body][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_ns[body], (uint64_t) ns,
                              memory_order_relaxed);
}

void
rantai_metrics_committed(rantai_metrics_t *m,
                         rantai_store_t *store,
                         uint64_t before)
{
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(store, &txn) != 0) {
        return;
    }
    uint64_t head = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    if (head > before) {
        atomic_fetch_add_explicit(&m->events, head - before,
                                  memory_order_relaxed);
    }
    atomic_store_explicit(&m->head_seq, head, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->batches, 1, memory_order_relaxed);
}

static const char *
s_body_name(int body)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &rantai__v1__request__descriptor, (unsigned) body);
    return f ? f->name : "none";
}

static void
s_requests(rantai_metrics_t *m, const char *svc, rantai_buf_t *out)
{
    rantai_buf_printf(out, "# HELP rantai_requests_total Requests answered, by "
                           "request type and status code.\n"
                           "# TYPE rantai_requests_total counter\n");
    for (int b = 0; b < RANTAI_METRICS_BODIES; b++) {
        for (int c = 0; c < RANTAI_METRICS_CODES; c++) {
            uint64_t n =
                atomic_load_explicit(&m->requests[b][c], memory_order_relaxed);
            if (n) {
                rantai_buf_printf(out,
                                  "rantai_requests_total{service=\"%s\","
                                  "type=\"%s\",code=\"%s\"} %llu\n",
                                  svc, s_body_name(b), rantai_status_name(c),
                                  (unsigned long long) n);
            }
        }
    }
    rantai_buf_printf(out,
                      "# HELP rantai_request_duration_seconds Time from "
                      "receipt to reply (durable for writes).\n"
                      "# TYPE rantai_request_duration_seconds histogram\n");
    for (int b = 0; b < RANTAI_METRICS_BODIES; b++) {
        uint64_t cum = 0;
        uint64_t counts[RANTAI_METRICS_BUCKETS];
        for (int i = 0; i < RANTAI_METRICS_BUCKETS; i++) {
            counts[i] =
                atomic_load_explicit(&m->latency[b][i], memory_order_relaxed);
            cum += counts[i];
        }
        if (cum == 0) {
            continue;
        }
        const char *name = s_body_name(b);
        cum = 0;
        for (int i = 0; i < RANTAI_METRICS_BUCKETS; i++) {
            cum += counts[i];
            char le[32];
            if (i < RANTAI_METRICS_BUCKETS - 1) {
                snprintf(le, sizeof le, "%g", s_bounds[i]);
            } else {
                snprintf(le, sizeof le, "+Inf");
            }
            rantai_buf_printf(out,
                              "rantai_request_duration_seconds_bucket{service="
                              "\"%s\",type=\"%s\",le=\"%s\"} %llu\n",
                              svc, name, le, (unsigned long long) cum);
        }
        rantai_buf_printf(
            out,
            "rantai_request_duration_seconds_sum{service=\"%s\",type=\"%s\"} "
            "%.9f\n"
            "rantai_request_duration_seconds_count{service=\"%s\",type=\"%s\"}"
            " %llu\n",
            svc, name,
            (double) atomic_load_explicit(&m->latency_sum_ns[b],
                                          memory_order_relaxed) /
                1e9,
            svc, name, (unsigned long long) cum);
    }
}

static void
s_gauge(rantai_buf_t *out,
        const char *name,
        const char *type,
        const char *help,
        const char *svc,
        uint64_t v)
{
    rantai_buf_printf(
        out, "# HELP %s %s\n# TYPE %s %s\n%s{service=\"%s\"} %llu\n", name,
        help, name, type, name, svc, (unsigned long long) v);
}

void
rantai_metrics_sample(rantai_metrics_t *m, rantai_store_t *store)
{
    rantai_store_stat_t st;
    rantai_store_stat(store, &st);
    atomic_store(&m->map_size, st.map_size);
    atomic_store(&m->used, st.used);
    atomic_store(&m->readers, st.readers);
}

void
rantai_metrics_render(rantai_metrics_t *m, const char *svc, rantai_buf_t *out)
{
    s_requests(m, svc, out);
    s_gauge(out, "rantai_events_appended_total", "counter",
            "Events appended to the event log since start.", svc,
            atomic_load(&m->events));
    s_gauge(out, "rantai_event_head_seq", "gauge",
            "Highest seq in the event log.", svc, atomic_load(&m->head_seq));
    s_gauge(out, "rantai_write_batches_total", "counter",
            "Durable write transactions (group commits).", svc,
            atomic_load(&m->batches));
    s_gauge(out, "rantai_feed_subscribers", "gauge",
            "Feed subscriptions being served.", svc,
            atomic_load(&m->subscribers));
    s_gauge(out, "rantai_feed_max_lag_events", "gauge",
            "Largest gap between head seq and a subscriber's ack.", svc,
            atomic_load(&m->max_lag));
    s_gauge(out, "rantai_lmdb_map_size_bytes", "gauge", "LMDB map size.", svc,
            atomic_load(&m->map_size));
    s_gauge(out, "rantai_lmdb_used_bytes", "gauge", "LMDB pages in use.", svc,
            atomic_load(&m->used));
    s_gauge(out, "rantai_lmdb_readers", "gauge", "LMDB reader slots in use.",
            svc, atomic_load(&m->readers));
}
