/*  bench_cluster.h - run the real Rantai services for bench_rantai:
    ephemeral loopback ports, a data dir per service under the work dir,
    and optionally CURVE with certificates generated here (CZMQ zcert). */
#ifndef BENCH_CLUSTER_H
#define BENCH_CLUSTER_H

#include "bench_util.h"

typedef enum { BC_PRODUCER = 0, BC_BUYER, BC_MATCHER, BC_COUNT } bc_service_t;

typedef struct {
    char api[64], feed[64], http[64];
    char data_dir[600];
    char log_path[600];
    char server_secret[600]; /* curve: our secret certificate */
    char server_public[41];  /* curve: Z85 public key */
    bu_proc_t proc;
} bc_svc_t;

typedef struct {
    char root[320];
    char bin_dir[256];
    bool curve;
    char certs_dir[600];      /* allowed clients' public certificates */
    char admin_secret[600];   /* the bench's client certificate (admin) */
    char matcher_secret[600]; /* the matcher's client certificate */
    rantai_security_t sec[BC_COUNT]; /* for clients of each service */
    bc_svc_t svc[BC_COUNT];
} bc_cluster_t;

/* Prepare (fresh root work/name; certificates when curve). 0 or -1. */
int bc_init(bc_cluster_t *c,
            const char *work,
            const char *name,
            const char *bin_dir,
            bool curve);

/* Start a service and wait until it answers (60 s). 0 or -1. */
int bc_start(bc_cluster_t *c, bc_service_t s);

/* SIGTERM; returns the exit code (-1: killed or not running). */
int bc_stop(bc_cluster_t *c, bc_service_t s);

/* Stop all and remove the root. */
void bc_fini(bc_cluster_t *c);

/* Client security for service s (NULL without curve). */
const rantai_security_t *bc_sec(bc_cluster_t *c, bc_service_t s);

/* A client of service s, timeout_ms, no retries; aborts on failure. */
rantai_client_t *bc_client(bc_cluster_t *c, bc_service_t s, int timeout_ms);

/* Call; NULL on timeout. Reply in arena. */
rantai_reply_t *
bc_call(rantai_client_t *client, rantai_request_t *req, rantai_arena_t *arena);

/* Matcher status (NULL on failure), in arena. */
Rantai__V1__MatcherStatus *bc_matcher_status(bc_cluster_t *c,
                                             rantai_arena_t *arena);

/* Wait until the matcher applied producer_seq and buyer_seq. */
bool bc_wait_applied(bc_cluster_t *c,
                     uint64_t producer_seq,
                     uint64_t buyer_seq,
                     int timeout_ms);

#endif
