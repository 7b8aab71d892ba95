/*  bench_rantai.h - scenario parameters and the scenario phases of
    bench_rantai (ingest/latency in bench_rantai.c, matching and feed
    fan-out in bench_match.c). */
#ifndef BENCH_RANTAI_H
#define BENCH_RANTAI_H

#include "bench_cluster.h"

#define BR_MAX_FILLS 4

typedef struct {
    bu_opts_t o;
    char ingest_fills[128]; /* "0,100k" as given (figure name suffixes) */
    long ingest_fill[BR_MAX_FILLS];
    char ingest_tok[BR_MAX_FILLS][16];
    int n_ingest;
    long match_fill[BR_MAX_FILLS];
    char match_tok[BR_MAX_FILLS][16];
    int n_match;
    int samples; /* demand->match samples per fill */
    int coops;   /* cooperatives (feed fan-out subscribers) */
    int producers;
    int64_t fanout_ms;  /* how long demands are posted in fan-out */
    double fanout_rate; /* demands per second during fan-out */
    int failures;       /* scenarios that broke (not figures) */
    bool only_ingest;   /* ingest rates only: no latency, CURVE, match */
} br_t;

/* Shared load generator state: one rng per driver thread. */
typedef struct {
    bu_world_t w;
    uint64_t rng[8];
} br_gen_t;

void br_gen_init(br_gen_t *g, const bu_world_t *w, uint64_t salt);
bu_fill_fn br_fill_offer;
bu_fill_fn br_fill_producer;

/* Register w->nproducers producers through `endpoint`. 0 or -1. */
int br_register_producers(bc_cluster_t *c, const bu_world_t *w);

/* Put `count` more offers (pipelined, 8 clients); *max_seq updated;
   returns the rate (offers/s) or -1 on failure. */
double
br_load_offers(bc_cluster_t *c, br_gen_t *g, uint64_t count, uint64_t *max_seq);

/* Over CURVE: put a buyer, post a demand for the commonest commodity
   and wait for match_proposed on the buyer's matcher feed (15 s). True
   if it arrived; otherwise notes what failed. */
bool br_curve_match_check(bc_cluster_t *c, uint64_t producer_seq);

/* Phase: demand->match latency at each match fill, feed fan-out, memory
   and store size (plain security). */
void br_phase_match(br_t *b);

#endif
