/*  harness_curve.h - the integration harness with CURVE on: start a
    service with extra arguments and wait until it answers a client that
    authenticates with a given certificate (harness.c's readiness probe
    is unauthenticated, which a CURVE service never answers). */
#ifndef RANTAI_HARNESS_CURVE_H
#define RANTAI_HARNESS_CURVE_H

#include "harness.h"

/* Start service s with its usual arguments (api, feed, http, data dir),
   then `args` (NULL-terminated, may be NULL) instead of p->extra; wait
   (30 s) until a request made with `probe` gets any reply. False if the
   process exits or the deadline passes. */
bool hc_start(h_cluster_t *c,
              h_service_t s,
              const char *const *args,
              const rantai_security_t *probe);

/* A client for service s authenticating with sec (5 s timeout, no
   retries). Caller owns it. */
rantai_client_t *
hc_client(h_cluster_t *c, h_service_t s, const rantai_security_t *sec);

/* The matcher applied producer_seq / buyer_seq (15 s), asked as sec. */
bool hc_wait_applied(h_cluster_t *c,
                     const rantai_security_t *sec,
                     uint64_t producer_seq,
                     uint64_t buyer_seq);

#endif
