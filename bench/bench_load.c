/*  bench_load.c - closed-loop pipelined and open-loop load over librantai
    clients (see bench_util.h). */
#include "bench_util.h"
#include "rantai/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define S_MAX_CLIENTS 64
#define S_DRAIN_MS    15000

typedef struct {
    const bu_load_t *l;
    int index;
    int nclients;
    uint64_t quota; /* requests this thread sends (count mode) */
    bu_load_result_t r;
    int64_t t_first, t_last;
} s_thread_t;

int
bu_recv_now(rantai_client_t *client,
            rantai_arena_t *arena,
            rantai_reply_t **reply)
{
    int events = 0;
    size_t len = sizeof events;
    if (zmq_getsockopt(rantai_client_socket(client), ZMQ_EVENTS, &events,
                       &len) != 0 ||
        !(events & ZMQ_POLLIN)) {
        return RANTAI_ETIMEOUT;
    }
    return rantai_client_recv(client, arena, 1, reply);
}

static void
s_account(bu_load_result_t *r, const rantai_reply_t *reply)
{
    if (reply->code == RANTAI__V1__STATUS_CODE__STATUS_CODE_OK) {
        r->ok++;
        if (reply->seq > r->max_seq) {
            r->max_seq = reply->seq;
        }
    } else {
        if (r->failed == 0) {
            r->first_error = (int) reply->code;
            fprintf(stderr, "bench: request failed: %s %s (%s)\n",
                    rantai_status_name((int) reply->code),
                    reply->message ? reply->message : "",
                    reply->field ? reply->field : "");
        }
        r->failed++;
    }
}

static void *
s_thread(void *arg)
{
    s_thread_t *t = arg;
    const bu_load_t *l = t->l;
    rantai_client_t *clients[S_MAX_CLIENTS];
    int inflight[S_MAX_CLIENTS];
    zmq_pollitem_t items[S_MAX_CLIENTS];
    rantai_arena_t *req_arena = rantai_arena_new();
    rantai_arena_t *rep_arena = rantai_arena_new();
    for (int c = 0; c < t->nclients; c++) {
        clients[c] = rantai_client_new(l->endpoint, l->sec);
        if (!clients[c]) {
            abort();
        }
        rantai_client_set_timeout(clients[c], 30000);
        inflight[c] = 0;
        items[c] = (zmq_pollitem_t){rantai_client_socket(clients[c]), 0,
                                    ZMQ_POLLIN, 0};
    }
    uint64_t n = 0;
    t->t_first = bu_now_ns();
    int64_t stop_at = t->t_first + l->duration_ms * 1000000;
    bool sending = true;
    int64_t drain_deadline = 0;
    for (;;) {
        if (sending) {
            bool expired = l->count ? n >= t->quota : bu_now_ns() >= stop_at;
            if (expired) {
                sending = false;
                drain_deadline = bu_now_ns() + (int64_t) S_DRAIN_MS * 1000000;
            }
        }
        for (int c = 0; sending && c < t->nclients; c++) {
            while (inflight[c] < l->window && (l->count == 0 || n < t->quota)) {
                rantai_request_t req = RANTAI__V1__REQUEST__INIT;
                l->fill(l->arg, t->index, n, req_arena, &req);
                if (rantai_client_send(clients[c], &req, NULL) != 0) {
                    break;
                }
                rantai_arena_reset(req_arena);
                inflight[c]++;
                n++;
                t->r.sent++;
            }
        }
        int total = 0;
        for (int c = 0; c < t->nclients; c++) {
            total += inflight[c];
        }
        if (!sending && (total == 0 || bu_now_ns() > drain_deadline)) {
            t->r.lost = (uint64_t) total;
            break;
        }
        if (zmq_poll(items, t->nclients, 100) < 0) {
            continue;
        }
        for (int c = 0; c < t->nclients; c++) {
            if (!(items[c].revents & ZMQ_POLLIN)) {
                continue;
            }
            rantai_reply_t *reply = NULL;
            while (inflight[c] > 0 &&
                   bu_recv_now(clients[c], rep_arena, &reply) == 0) {
                s_account(&t->r, reply);
                inflight[c]--;
                rantai_arena_reset(rep_arena);
                t->t_last = bu_now_ns();
            }
        }
    }
    for (int c = 0; c < t->nclients; c++) {
        rantai_client_destroy(&clients[c]);
    }
    rantai_arena_destroy(&req_arena);
    rantai_arena_destroy(&rep_arena);
    return NULL;
}

int
bu_load_run(const bu_load_t *l, bu_load_result_t *r)
{
    memset(r, 0, sizeof *r);
    int nthreads = l->nthreads > 0 ? l->nthreads : 1;
    if (nthreads > l->nclients) {
        nthreads = l->nclients;
    }
    s_thread_t *t = calloc((size_t) nthreads, sizeof *t);
    pthread_t *tid = calloc((size_t) nthreads, sizeof *tid);
    if (!t || !tid) {
        abort();
    }
    for (int i = 0; i < nthreads; i++) {
        t[i].l = l;
        t[i].index = i;
        t[i].nclients =
            l->nclients / nthreads + (i < l->nclients % nthreads ? 1 : 0);
        if (t[i].nclients > S_MAX_CLIENTS) {
            t[i].nclients = S_MAX_CLIENTS;
        }
        t[i].quota = l->count / (uint64_t) nthreads +
                     ((uint64_t) i < l->count % (uint64_t) nthreads ? 1 : 0);
        pthread_create(&tid[i], NULL, s_thread, &t[i]);
    }
    int64_t first = INT64_MAX, last = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(tid[i], NULL);
        r->sent += t[i].r.sent;
        r->ok += t[i].r.ok;
        r->failed += t[i].r.failed;
        r->lost += t[i].r.lost;
        if (t[i].r.max_seq > r->max_seq) {
            r->max_seq = t[i].r.max_seq;
        }
        if (!r->first_error) {
            r->first_error = t[i].r.first_error;
        }
        first = t[i].t_first < first ? t[i].t_first : first;
        last = t[i].t_last > last ? t[i].t_last : last;
    }
    r->secs = last > first ? (double) (last - first) / 1e9 : 0;
    free(t);
    free(tid);
    return r->lost == 0 ? 0 : -1;
}

int
bu_open_loop(const bu_load_t *l,
             double rate,
             bu_samples_t *lat,
             bu_load_result_t *r)
{
    memset(r, 0, sizeof *r);
    rantai_client_t *client = rantai_client_new(l->endpoint, l->sec);
    if (!client || rate <= 0) {
        rantai_client_destroy(&client);
        return -1;
    }
    size_t total = (size_t) (rate * (double) l->duration_ms / 1000.0);
    if (total == 0) {
        total = 1;
    }
    int64_t *due = calloc(total, sizeof *due);
    if (!due) {
        abort();
    }
    rantai_arena_t *req_arena = rantai_arena_new();
    rantai_arena_t *rep_arena = rantai_arena_new();
    /* Warm-up: the connection (and CURVE handshake) is made before the
       clock starts. */
    rantai_client_set_timeout(client, 10000);
    rantai_request_t warm = RANTAI__V1__REQUEST__INIT;
    l->fill(l->arg, 0, 0, req_arena, &warm);
    rantai_reply_t *warm_reply = NULL;
    rantai_client_call(client, &warm, rep_arena, &warm_reply);
    rantai_arena_reset(req_arena);
    rantai_arena_reset(rep_arena);
    double interval_ns = 1e9 / rate;
    int64_t t0 = bu_now_ns();
    uint64_t first_id = 0;
    size_t sent = 0, got = 0;
    int64_t deadline = t0 + (l->duration_ms + S_DRAIN_MS) * 1000000;
    while (got < sent || sent < total) {
        int64_t now = bu_now_ns();
        if (now > deadline) {
            break;
        }
        while (sent < total &&
               (due[sent] = t0 + (int64_t) ((double) sent * interval_ns)) <=
                   now) {
            rantai_request_t req = RANTAI__V1__REQUEST__INIT;
            l->fill(l->arg, 0, sent, req_arena, &req);
            uint64_t id = 0;
            if (rantai_client_send(client, &req, &id) != 0) {
                break;
            }
            if (sent == 0) {
                first_id = id;
            }
            rantai_arena_reset(req_arena);
            sent++;
        }
        int64_t wait_ns =
            sent < total ? t0 + (int64_t) ((double) sent * interval_ns) - now
                         : 100000000;
        int wait_ms = (int) (wait_ns / 1000000);
        zmq_pollitem_t item = {rantai_client_socket(client), 0, ZMQ_POLLIN, 0};
        /* Sub-millisecond gaps: poll without blocking and spin; sending on
           time matters more than the CPU of one driver thread. */
        if (zmq_poll(&item, 1, wait_ms > 0 ? wait_ms : 0) <= 0) {
            continue;
        }
        rantai_reply_t *reply = NULL;
        while (bu_recv_now(client, rep_arena, &reply) == 0) {
            int64_t done = bu_now_ns();
            uint64_t i = reply->request_id - first_id;
            if (i < sent) {
                bu_samples_add(lat, (double) (done - due[i]) / 1000.0);
            }
            s_account(r, reply);
            got++;
            rantai_arena_reset(rep_arena);
        }
    }
    r->sent = sent;
    r->lost = sent - got;
    r->secs = (double) (bu_now_ns() - t0) / 1e9;
    free(due);
    rantai_arena_destroy(&req_arena);
    rantai_arena_destroy(&rep_arena);
    rantai_client_destroy(&client);
    return r->lost * 100 <= r->sent ? 0 : -1;
}
