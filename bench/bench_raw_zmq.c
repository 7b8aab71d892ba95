/*  bench_raw_zmq - baseline: plain ZeroMQ DEALER -> ROUTER request/reply
    between two processes on loopback, with the byte sizes of Rantai's
    PutOffer request and its reply, and no work at all in the server.
    Figures: pipelined throughput with the same clients/window as the
    Rantai ingest scenario, and ping-pong round-trip latency. */
#include "bench_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#define S_CLIENTS 8
#define S_WINDOW  32
#define S_THREADS 2

static int
s_serve(const char *endpoint, size_t reply_size)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int hwm = 100000;
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(router, endpoint) != 0) {
        fprintf(stderr, "raw zmq: cannot bind %s\n", endpoint);
        return 1;
    }
    char *reply = calloc(1, reply_size);
    for (;;) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, router, 0) < 0 ||
            zmq_msg_recv(&body, router, 0) < 0) {
            break;
        }
        zmq_msg_send(&id, router, ZMQ_SNDMORE);
        zmq_msg_close(&body);
        zmq_send(router, reply, reply_size, 0);
    }
    return 0;
}

typedef struct {
    void *ctx;
    const char *endpoint;
    size_t req_size;
    int nclients;
    int64_t dur_ms;
    uint64_t replies;
    int64_t t_last;
} s_thr_t;

static void *
s_thread(void *arg)
{
    s_thr_t *t = arg;
    void *socks[S_CLIENTS];
    int inflight[S_CLIENTS];
    zmq_pollitem_t items[S_CLIENTS];
    char *req = calloc(1, t->req_size);
    char buf[4096];
    for (int c = 0; c < t->nclients; c++) {
        socks[c] = zmq_socket(t->ctx, ZMQ_DEALER);
        zmq_connect(socks[c], t->endpoint);
        inflight[c] = 0;
        items[c] = (zmq_pollitem_t){socks[c], 0, ZMQ_POLLIN, 0};
    }
    int64_t stop = bu_now_ns() + t->dur_ms * 1000000;
    int64_t drain = stop + 10000000000LL;
    for (;;) {
        int64_t now = bu_now_ns();
        int total = 0;
        for (int c = 0; c < t->nclients; c++) {
            while (now < stop && inflight[c] < S_WINDOW) {
                zmq_send(socks[c], req, t->req_size, 0);
                inflight[c]++;
            }
            total += inflight[c];
        }
        if (now >= stop && (total == 0 || now > drain)) {
            break;
        }
        zmq_poll(items, t->nclients, 100);
        for (int c = 0; c < t->nclients; c++) {
            while (inflight[c] > 0 &&
                   zmq_recv(socks[c], buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
                inflight[c]--;
                t->replies++;
                t->t_last = bu_now_ns();
            }
        }
    }
    for (int c = 0; c < t->nclients; c++) {
        int linger = 0;
        zmq_setsockopt(socks[c], ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(socks[c]);
    }
    free(req);
    return NULL;
}

static double
s_throughput(void *ctx, const char *endpoint, size_t req_size, int64_t dur_ms)
{
    s_thr_t t[S_THREADS];
    pthread_t tid[S_THREADS];
    int64_t t0 = bu_now_ns();
    for (int i = 0; i < S_THREADS; i++) {
        t[i] = (s_thr_t){ctx,    endpoint, req_size, S_CLIENTS / S_THREADS,
                         dur_ms, 0,        0};
        pthread_create(&tid[i], NULL, s_thread, &t[i]);
    }
    uint64_t n = 0;
    int64_t last = t0;
    for (int i = 0; i < S_THREADS; i++) {
        pthread_join(tid[i], NULL);
        n += t[i].replies;
        last = t[i].t_last > last ? t[i].t_last : last;
    }
    return (double) n / ((double) (last - t0) / 1e9);
}

static void
s_latency(void *ctx,
          const char *endpoint,
          size_t req_size,
          int64_t dur_ms,
          bu_samples_t *rtt)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    zmq_connect(s, endpoint);
    char *req = calloc(1, req_size);
    char buf[4096];
    zmq_send(s, req, req_size, 0); /* warm-up: connection established */
    zmq_recv(s, buf, sizeof buf, 0);
    int64_t end = bu_now_ns() + dur_ms * 1000000;
    while (bu_now_ns() < end) {
        int64_t a = bu_now_ns();
        zmq_send(s, req, req_size, 0);
        if (zmq_recv(s, buf, sizeof buf, 0) < 0) {
            break;
        }
        bu_samples_add(rtt, (double) (bu_now_ns() - a) / 1000.0);
    }
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    free(req);
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--serve") == 0) {
        return s_serve(argv[2], (size_t) atol(argv[3]));
    }
    bu_opts_t o;
    bu_opts_parse(&o, argc, argv);

    /* Sizes of a typical PutOffer request and its reply (the offer). */
    rantai_arena_t *arena = rantai_arena_new();
    bu_world_t w = {1000, 100, 7};
    uint64_t rng = 1;
    size_t req_size = 0, rep_size = 0, total_req = 0, total_rep = 0;
    for (int i = 0; i < 100; i++) {
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        bu_world_put_offer(&w, &rng, arena, &req);
        req.request_id = 0x123456789ULL;
        rantai_encode(&req.base, arena, &req_size);
        rantai_reply_t rep = RANTAI__V1__REPLY__INIT;
        rep.request_id = req.request_id;
        rep.seq = 123456;
        rep.body_case = RANTAI__V1__REPLY__BODY_OFFER;
        rep.offer = req.put_offer->offer;
        rantai_encode(&rep.base, arena, &rep_size);
        total_req += req_size;
        total_rep += rep_size;
    }
    req_size = total_req / 100;
    rep_size = total_rep / 100;
    rantai_arena_destroy(&arena);
    bu_note("raw zmq: request %zu bytes, reply %zu bytes (mean PutOffer)",
            req_size, rep_size);

    char self_exe[512], endpoint[64], size_arg[32], log[600];
    ssize_t len = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (len <= 0) {
        return 1;
    }
    self_exe[len] = '\0';
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", bu_free_port());
    snprintf(size_arg, sizeof size_arg, "%zu", rep_size);
    snprintf(log, sizeof log, "%s/raw-zmq.log", o.work);
    const char *args[] = {self_exe, "--serve", endpoint, size_arg, NULL};
    bu_proc_t server;
    if (bu_spawn(&server, "raw-zmq-server", args, log) != 0) {
        return 1;
    }
    void *ctx = zmq_ctx_new();
    bu_samples_t thr = {0}, p50 = {0}, p99 = {0}, p999 = {0};
    for (int r = 0; r < o.reps; r++) {
        bu_samples_add(&thr, s_throughput(ctx, endpoint, req_size, o.dur_ms));
        bu_samples_t rtt = {0};
        s_latency(ctx, endpoint, req_size, o.dur_ms / 2, &rtt);
        bu_samples_add(&p50, bu_quantile(&rtt, 0.5));
        bu_samples_add(&p99, bu_quantile(&rtt, 0.99));
        bu_samples_add(&p999, bu_quantile(&rtt, 0.999));
        bu_samples_free(&rtt);
    }
    bool alive = bu_alive(&server);
    bu_stop(&server);
    zmq_ctx_term(ctx);
    bu_figure_reps("raw_zmq_reqrep_rate", &thr, "msg/s");
    bu_figure_reps("raw_zmq_rtt_p50", &p50, "us");
    bu_figure_reps("raw_zmq_rtt_p99", &p99, "us");
    bu_figure_reps("raw_zmq_rtt_p999", &p999, "us");
    return alive ? 0 : 1;
}
