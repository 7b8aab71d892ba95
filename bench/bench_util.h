/*  bench_util.h - shared helpers of Rantai's benchmark programs: clocks,
    statistics over repetitions, figure output, child processes (the real
    service binaries or a benchmark's own server mode), peak RSS, a
    pipelined closed-loop load driver and an open-loop latency driver over
    librantai clients, and a deterministic synthetic world (producers,
    cooperatives, offers, demands) drawn from the reference data.

    Everything here aborts on out-of-memory, like the rest of Rantai. Not
    thread-safe unless a function says so. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include "rantai/arena.h"
#include "rantai/client.h"
#include "rantai/codec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ------------------------------------------------------------- run mode */

typedef enum { BU_SMOKE = 0, BU_QUICK, BU_DEFAULT, BU_FULL } bu_mode_t;

/* Common command line: --smoke|--quick|--default|--full, --work DIR
   (scratch space, created), --bin-dir DIR (service binaries). Unknown
   arguments are left for the caller (returned index of the first one, or
   argc). */
typedef struct {
    bu_mode_t mode;
    char work[256];
    char bin_dir[256];
    int reps;       /* repetitions per figure */
    int64_t dur_ms; /* length of one repetition */
} bu_opts_t;

int bu_opts_parse(bu_opts_t *o, int argc, char **argv);

/* ---------------------------------------------------------- time, stats */

int64_t bu_now_ns(void);
int64_t bu_wall_ms(void);
void bu_sleep_ms(int ms);

/* Growable array of doubles (samples). */
typedef struct {
    double *v;
    size_t n, cap;
} bu_samples_t;

void bu_samples_add(bu_samples_t *s, double x);
void bu_samples_free(bu_samples_t *s);
/* q in [0,1]; sorts s in place; 0 for an empty set. */
double bu_quantile(bu_samples_t *s, double q);

/* Print one figure: "name value unit" on stdout, plus a comment line
   "# reps name v1 v2 ..." with every repetition (median of them is the
   value) so report.py can compute the spread. reps may be NULL. */
void bu_figure(const char *name, double value, const char *unit);
void bu_figure_reps(const char *name, bu_samples_t *reps, const char *unit);
/* A free-text note carried into the report ("# note text"). */
void bu_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------ processes */

typedef struct {
    char name[32];
    pid_t pid;
    char log_path[600];
} bu_proc_t;

/* Start argv[0] with argv (NULL-terminated), stdout+stderr to log_path.
   Returns 0 or -1. */
int bu_spawn(bu_proc_t *p,
             const char *name,
             const char *const *argv,
             const char *log_path);
/* SIGTERM, wait up to 5 s (then SIGKILL); exit code or -1. */
int bu_stop(bu_proc_t *p);
/* True while the child runs (reaps it if it exited). */
bool bu_alive(bu_proc_t *p);
/* Peak (VmHWM) and current (VmRSS) resident set in KiB; 0 if unknown. */
long bu_rss_peak_kib(pid_t pid);
long bu_rss_kib(pid_t pid);
/* Anonymous resident memory (heap, stacks; not LMDB's file-backed map)
   in KiB. */
long bu_rss_anon_kib(pid_t pid);
/* Size in bytes of a file (0 if missing). */
long long bu_file_size(const char *path);
/* A free TCP port on 127.0.0.1, not handed out twice. */
int bu_free_port(void);
/* rm -rf path (must be under /tmp or contain "bench"). */
void bu_rmrf(const char *path);
/* mkdir -p. */
int bu_mkdirs(const char *path);
/* Wait until a Rantai api endpoint answers a request (any reply). */
bool bu_wait_api(const char *endpoint,
                 const rantai_security_t *sec,
                 bu_proc_t *p,
                 int timeout_ms);
/* Raise RLIMIT_NOFILE to the hard limit (children inherit it). */
void bu_raise_nofile(void);

/* --------------------------------------------------------- load drivers */

/* Receive a reply only if one is waiting now (rantai_client_recv with
   timeout 0 returns RANTAI_ETIMEOUT without reading). 0 or an error. */
int bu_recv_now(rantai_client_t *client,
                rantai_arena_t *arena,
                rantai_reply_t **reply);

/* Fill req (in arena) for request number n of driver thread `thread`.
   Must be safe to call from several threads with distinct `thread`. */
typedef void bu_fill_fn(void *arg,
                        int thread,
                        uint64_t n,
                        rantai_arena_t *arena,
                        rantai_request_t *req);

typedef struct {
    const char *endpoint;
    const rantai_security_t *sec;
    int nthreads;        /* driver threads */
    int nclients;        /* DEALERs in all, spread over threads */
    int window;          /* requests in flight per client */
    int64_t duration_ms; /* stop sending after this (if count == 0) */
    uint64_t count;      /* or: stop after this many requests */
    bu_fill_fn *fill;
    void *arg;
} bu_load_t;

typedef struct {
    uint64_t sent, ok, failed, lost;
    double secs;      /* first send to last reply */
    uint64_t max_seq; /* highest seq an OK reply carried */
    int first_error;  /* reply code of the first failure */
} bu_load_result_t;

/* Closed loop, pipelined: each client keeps `window` requests in flight. */
int bu_load_run(const bu_load_t *l, bu_load_result_t *r);

/* Open loop: one client sends at a fixed `rate` per second for
   duration_ms regardless of replies; latency of each request is measured
   from its scheduled send time (no coordinated omission), in
   microseconds, into lat. Returns 0, or -1 if more than 1% were lost. */
int bu_open_loop(const bu_load_t *l,
                 double rate,
                 bu_samples_t *lat,
                 bu_load_result_t *r);

/* ---------------------------------------------------------- the world */

/* A deterministic synthetic population. Producers are spread over the
   provinces, grouped into `ncoops` cooperatives; offers draw commodities
   from a skewed (Zipf-like) distribution over data/commodities.csv. */
typedef struct {
    int nproducers, ncoops;
    uint64_t seed;
} bu_world_t;

/* Ids: "BP-<i>", "KOP-<i>". Written to buf. */
void bu_producer_id(int i, char *buf, size_t size);
void bu_coop_id(int i, char *buf, size_t size);

/* PutProducer for producer i. */
void bu_world_put_producer(const bu_world_t *w,
                           int i,
                           rantai_arena_t *arena,
                           rantai_request_t *req);
/* PutOffer with a random id ("OF-<16 hex>") from the rng state *rng. */
void bu_world_put_offer(const bu_world_t *w,
                        uint64_t *rng,
                        rantai_arena_t *arena,
                        rantai_request_t *req);
/* PostDemand `id` for buyer_id: small quantity of a commodity drawn like
   offers', delivered to a random province capital, partial allowed. */
void bu_world_post_demand(const bu_world_t *w,
                          uint64_t *rng,
                          const char *id,
                          const char *buyer_id,
                          rantai_arena_t *arena,
                          rantai_request_t *req);
/* splitmix64 step. */
uint64_t bu_rand(uint64_t *state);

#endif
