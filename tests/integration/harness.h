/*  harness.h - run the real service binaries on loopback for integration
    tests: ephemeral ports, a temporary data dir per service, readiness by
    asking the service (never by sleeping), SIGTERM with the exit code
    checked, SIGKILL, restart on the same ports and data. */
#ifndef RANTAI_HARNESS_H
#define RANTAI_HARNESS_H

#include "rantai/client.h"
#include "rantai/codec.h"
#include "rantai/feed.h"

#include <stdbool.h>
#include <sys/types.h>

typedef enum { H_PRODUCER = 0, H_BUYER, H_MATCHER, H_COUNT } h_service_t;

typedef struct {
    const char *name; /* "producer" */
    char binary[512];
    char api[64], feed[64], http[64];
    char data_dir[320];
    char log_path[320];
    char extra[8][320]; /* extra argv */
    int nextra;
    pid_t pid;
} h_proc_t;

typedef struct {
    char root[256]; /* temp dir: data/ and logs/ */
    h_proc_t svc[H_COUNT];
} h_cluster_t;

/* Prepare a cluster (ports, dirs) without starting it. bin_dir holds the
   binaries (RANTAI_BIN_DIR or the build tree). */
void h_cluster_init(h_cluster_t *c);

/* Start one service / all, waiting until each answers (30 s deadline). */
bool h_start(h_cluster_t *c, h_service_t s);
bool h_start_all(h_cluster_t *c);

/* SIGTERM and wait; returns the exit code (-1 if it had to be killed or
   did not exit within 5 s). */
int h_stop(h_cluster_t *c, h_service_t s);

/* SIGKILL and reap. */
void h_kill9(h_cluster_t *c, h_service_t s);

/* Stop everything and remove the temp dir (kept if keep or a test
   failed: logs are useful). */
void h_cluster_fini(h_cluster_t *c, bool keep);

/* Fork and exec service p with its usual arguments (api, feed, http,
   data dir) then `args` (NULL-terminated, may be NULL; at most 54 are
   used), stdout and stderr appended to p->log_path. Returns the child's
   pid (-1 if fork failed); does not wait for readiness. */
pid_t h_spawn(const h_proc_t *p, const char *const *args);

/* One readiness probe of service s through client (a status or lookup
   request; arena is reset after). Returns 1 if it answered, 0 if not,
   -1 if the process has exited (reaped, pid cleared, log path printed). */
int h_probe(h_cluster_t *c,
            h_service_t s,
            rantai_client_t *client,
            rantai_arena_t *arena);

/* A client for a service's api (5 s timeout, no retries). Caller owns it. */
rantai_client_t *h_client(h_cluster_t *c, h_service_t s);

/* The same, authenticating with sec (NULL: no CURVE). Caller owns it. */
rantai_client_t *
h_client_sec(h_cluster_t *c, h_service_t s, const rantai_security_t *sec);

/* Call and return the reply (in arena); aborts the test on timeout. */
rantai_reply_t *
h_call(rantai_client_t *client, rantai_request_t *req, rantai_arena_t *arena);

/* Wait until the matcher applied producer_seq/buyer_seq (15 s). */
bool h_wait_applied(h_cluster_t *c, uint64_t producer_seq, uint64_t buyer_seq);

/* The same, asking as sec (NULL: no CURVE). Aborts the test if a status
   request gets no reply. */
bool h_wait_applied_sec(h_cluster_t *c,
                        const rantai_security_t *sec,
                        uint64_t producer_seq,
                        uint64_t buyer_seq);

/* Run a binary with args and capture exit code and output (10 s). */
int h_run(const char *binary, const char *const *argv, char *out, size_t size);

/* Path of a binary in the build tree. */
void h_binary(const char *name, char *path, size_t size);

/* A free TCP port on 127.0.0.1 (not handed out twice). */
int h_free_port(void);

#endif
