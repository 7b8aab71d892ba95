/*  matcher_metrics.h - the matcher's own Prometheus series: open offers
    and demands, live allocations, applied upstream seqs, and how long
    applying an upstream batch (with every pass it triggered, up to the
    durable commit) takes. Sampled on the service thread after each
    commit; rendered on the HTTP thread from atomics. */
#ifndef MATCHER_METRICS_H
#define MATCHER_METRICS_H

#include "http.h"
#include "service.h"

#include <stdint.h>

/* After a durable commit: sample the counters (service thread). */
void matcher_metrics_committed(void *core, rantai_server_t *server);

/* One upstream batch applied and settled in `ns` nanoseconds. */
void matcher_metrics_settled(int64_t ns, uint64_t events);

/* Append the series to `out` (HTTP thread). */
void
matcher_metrics_render(void *core, rantai_server_t *server, rantai_buf_t *out);

#endif
