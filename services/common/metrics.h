/*  metrics.h - Prometheus counters of a service. Written by the service
    thread with relaxed atomics, rendered by the HTTP thread. */
#ifndef RANTAI_METRICS_H
#define RANTAI_METRICS_H

#include "http.h"
#include "store.h"

#include <stdatomic.h>
#include <stdint.h>

#define RANTAI_METRICS_BODIES  48 /* Request body field numbers */
#define RANTAI_METRICS_CODES   17 /* StatusCode 0..16 */
#define RANTAI_METRICS_BUCKETS 14

typedef struct {
    atomic_uint_fast64_t requests[RANTAI_METRICS_BODIES][RANTAI_METRICS_CODES];
    atomic_uint_fast64_t latency[RANTAI_METRICS_BODIES][RANTAI_METRICS_BUCKETS];
    atomic_uint_fast64_t latency_sum_ns[RANTAI_METRICS_BODIES];
    atomic_uint_fast64_t events; /* events appended since start */
    atomic_uint_fast64_t head_seq;
    atomic_uint_fast64_t subscribers;
    atomic_uint_fast64_t max_lag;
    atomic_uint_fast64_t batches; /* durable write transactions */
    atomic_uint_fast64_t map_size, used, readers; /* LMDB, sampled */
} rantai_metrics_t;

/* Sample LMDB sizes (service thread only: a map resize must not race). */
void rantai_metrics_sample(rantai_metrics_t *m, rantai_store_t *store);

/* One request answered with `code` after `ns` nanoseconds. */
void
rantai_metrics_request(rantai_metrics_t *m, int body, int code, int64_t ns);

/* After a durable commit: count events appended since head `before`. */
void rantai_metrics_committed(rantai_metrics_t *m,
                              rantai_store_t *store,
                              uint64_t before);

/* Render everything as Prometheus text (any thread). */
void rantai_metrics_render(rantai_metrics_t *m,
                           const char *service,
                           rantai_buf_t *out);

#endif
