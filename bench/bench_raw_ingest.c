/*  bench_raw_ingest - baseline "ingest ceiling": a server with zero
    logic that receives the same PutOffer requests over ZeroMQ/TCP,
    unpacks them, writes each offer (packed) under its id to LMDB with
    group commit (every message waiting, up to 256, in one synced
    transaction; replies only after the commit) and answers OK. Measured
    on an empty store and on stores pre-filled like the Rantai scenarios,
    with the same load generator as the Rantai ingest figure. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>
#include <zmq.h>

#define S_BATCH 256

typedef struct {
    zmq_msg_t id;
    rantai_request_t *req;
} s_item_t;

static int
s_prefill(MDB_env *env, MDB_dbi dbi, long n)
{
    bu_world_t w = {10000, 1000, 99};
    uint64_t rng = 0xfeed;
    rantai_arena_t *arena = rantai_arena_new();
    for (long done = 0; done < n;) {
        MDB_txn *txn = NULL;
        if (mdb_txn_begin(env, NULL, 0, &txn) != 0) {
            return -1;
        }
        for (int i = 0; i < 10000 && done < n; i++, done++) {
            rantai_request_t req = RANTAI__V1__REQUEST__INIT;
            bu_world_put_offer(&w, &rng, arena, &req);
            Rantai__V1__Offer *o = req.put_offer->offer;
            size_t size = 0;
            void *buf = rantai_encode(&o->base, arena, &size);
            MDB_val k = {strlen(o->id), o->id}, v = {size, buf};
            if (mdb_put(txn, dbi, &k, &v, 0) != 0) {
                mdb_txn_abort(txn);
                return -1;
            }
            rantai_arena_reset(arena);
        }
        if (mdb_txn_commit(txn) != 0) {
            return -1;
        }
    }
    rantai_arena_destroy(&arena);
    return 0;
}

static int
s_serve(const char *endpoint, const char *dir, long prefill)
{
    MDB_env *env = NULL;
    MDB_dbi dbi;
    MDB_txn *txn = NULL;
    bu_mkdirs(dir);
    if (mdb_env_create(&env) != 0 ||
        mdb_env_set_mapsize(env, (size_t) 16 << 30) != 0 ||
        mdb_env_open(env, dir, MDB_NOTLS, 0640) != 0 ||
        mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
        mdb_dbi_open(txn, NULL, 0, &dbi) != 0 || mdb_txn_commit(txn) != 0 ||
        s_prefill(env, dbi, prefill) != 0) {
        fprintf(stderr, "raw ingest: cannot open/fill %s\n", dir);
        return 1;
    }
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int hwm = 100000;
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(router, endpoint) != 0) {
        return 1;
    }
    rantai_arena_t *arena = rantai_arena_new();
    s_item_t items[S_BATCH];
    uint64_t seq = 0;
    for (;;) {
        zmq_pollitem_t pi = {router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, -1) < 0) {
            break;
        }
        int n = 0;
        while (n < S_BATCH) {
            zmq_msg_init(&items[n].id);
            if (zmq_msg_recv(&items[n].id, router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&items[n].id);
                break;
            }
            zmq_msg_t body;
            zmq_msg_init(&body);
            zmq_msg_recv(&body, router, 0);
            items[n].req = (rantai_request_t *) rantai_decode(
                &rantai__v1__request__descriptor, zmq_msg_data(&body),
                zmq_msg_size(&body), RANTAI_DEFAULT_MAX_MSG, arena);
            zmq_msg_close(&body);
            n++;
        }
        if (mdb_txn_begin(env, NULL, 0, &txn) != 0) {
            return 1;
        }
        for (int i = 0; i < n; i++) {
            rantai_request_t *req = items[i].req;
            if (req && req->body_case == RANTAI__V1__REQUEST__BODY_PUT_OFFER &&
                req->put_offer->offer && req->put_offer->offer->id) {
                Rantai__V1__Offer *o = req->put_offer->offer;
                size_t size = 0;
                void *buf = rantai_encode(&o->base, arena, &size);
                MDB_val k = {strlen(o->id), o->id}, v = {size, buf};
                if (mdb_put(txn, dbi, &k, &v, 0) != 0) {
                    return 1;
                }
            }
        }
        if (mdb_txn_commit(txn) != 0) {
            return 1;
        }
        for (int i = 0; i < n; i++) {
            rantai_reply_t rep = RANTAI__V1__REPLY__INIT;
            rep.request_id = items[i].req ? items[i].req->request_id : 0;
            rep.seq = ++seq;
            size_t size = 0;
            void *buf = rantai_encode(&rep.base, arena, &size);
            zmq_msg_send(&items[i].id, router, ZMQ_SNDMORE);
            zmq_send(router, buf, size, 0);
        }
        rantai_arena_reset(arena);
    }
    mdb_env_close(env);
    return 0;
}

typedef struct {
    bu_world_t w;
    uint64_t rng[8];
} s_gen_t;

static void
s_fill(void *arg,
       int thread,
       uint64_t n,
       rantai_arena_t *arena,
       rantai_request_t *req)
{
    (void) n;
    s_gen_t *g = arg;
    bu_world_put_offer(&g->w, &g->rng[thread], arena, req);
}

static long
s_parse_fill(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end && (*end == 'k' || *end == 'K')) {
        v *= 1000;
    } else if (end && (*end == 'm' || *end == 'M')) {
        v *= 1000000;
    }
    return v;
}

int
main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--serve") == 0) {
        return s_serve(argv[2], argv[3], atol(argv[4]));
    }
    bu_opts_t o;
    int next = bu_opts_parse(&o, argc, argv);
    /* Fill levels: --fills 0,100k (the same as bench_rantai's). */
    char fills[128] = "0";
    if (next + 1 < argc && strcmp(argv[next], "--fills") == 0) {
        snprintf(fills, sizeof fills, "%s", argv[next + 1]);
    }
    char self_exe[512];
    ssize_t len = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (len <= 0) {
        return 1;
    }
    self_exe[len] = '\0';
    int rc = 0;
    for (char *tok = strtok(fills, ","); tok; tok = strtok(NULL, ",")) {
        long fill = s_parse_fill(tok);
        char endpoint[64], dir[600], log[600], fill_arg[32], name[96];
        snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
                 bu_free_port());
        snprintf(dir, sizeof dir, "%s/raw-ingest-%ld", o.work, fill);
        snprintf(log, sizeof log, "%s/raw-ingest-%ld.log", o.work, fill);
        snprintf(fill_arg, sizeof fill_arg, "%ld", fill);
        bu_rmrf(dir);
        const char *args[] = {self_exe, "--serve", endpoint,
                              dir,      fill_arg,  NULL};
        bu_proc_t server;
        if (bu_spawn(&server, "raw-ingest-server", args, log) != 0 ||
            !bu_wait_api(endpoint, NULL, &server, 600000)) {
            fprintf(stderr, "bench_raw_ingest: server did not start\n");
            bu_stop(&server);
            return 1;
        }
        s_gen_t gen = {{10000, 1000, 99}, {0}};
        for (int i = 0; i < 8; i++) {
            gen.rng[i] = 0xabc0000ULL + (uint64_t) i * 7919 + (uint64_t) fill;
        }
        bu_load_t l = {endpoint, NULL, 2, 8, 32, o.dur_ms, 0, s_fill, &gen};
        bu_samples_t rates = {0};
        for (int r = 0; r < o.reps; r++) {
            bu_load_result_t res;
            bu_load_run(&l, &res);
            bu_samples_add(&rates,
                           res.secs > 0 ? (double) res.ok / res.secs : 0);
        }
        snprintf(name, sizeof name, "raw_ingest_rate_fill%s", tok);
        bu_figure_reps(name, &rates, "msg/s");
        bu_samples_free(&rates);
        if (!bu_alive(&server)) {
            rc = 1;
        }
        bu_stop(&server);
        bu_rmrf(dir);
    }
    return rc;
}
