/*  bench_raw_lmdb - baseline: synced LMDB transactions, one small put per
    transaction, on the disk the services use. This is the rate a service
    that commits each request on its own could never exceed, and its
    commit latency is "one fsync" in the latency targets. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

static int
s_run(const char *dir,
      int64_t dur_ms,
      uint64_t *rng,
      double *rate,
      bu_samples_t *commit_us)
{
    bu_rmrf(dir);
    bu_mkdirs(dir);
    MDB_env *env = NULL;
    MDB_dbi dbi;
    MDB_txn *txn = NULL;
    if (mdb_env_create(&env) != 0 ||
        mdb_env_set_mapsize(env, (size_t) 1 << 30) != 0 ||
        mdb_env_open(env, dir, MDB_NOTLS, 0640) != 0 ||
        mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
        mdb_dbi_open(txn, NULL, 0, &dbi) != 0 || mdb_txn_commit(txn) != 0) {
        fprintf(stderr, "bench_raw_lmdb: cannot open %s\n", dir);
        return -1;
    }
    char value[96];
    memset(value, 'v', sizeof value);
    uint64_t n = 0;
    int64_t t0 = bu_now_ns(), end = t0 + dur_ms * 1000000, now = t0;
    while (now < end) {
        char key[24];
        snprintf(key, sizeof key, "%016llx", (unsigned long long) bu_rand(rng));
        MDB_val k = {16, key}, v = {sizeof value, value};
        int64_t a = bu_now_ns();
        if (mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
            mdb_put(txn, dbi, &k, &v, 0) != 0 || mdb_txn_commit(txn) != 0) {
            fprintf(stderr, "bench_raw_lmdb: write failed\n");
            mdb_env_close(env);
            return -1;
        }
        now = bu_now_ns();
        bu_samples_add(commit_us, (double) (now - a) / 1000.0);
        n++;
    }
    *rate = (double) n / ((double) (now - t0) / 1e9);
    mdb_env_close(env);
    bu_rmrf(dir);
    return 0;
}

int
main(int argc, char **argv)
{
    bu_opts_t o;
    bu_opts_parse(&o, argc, argv);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/raw-lmdb", o.work);
    uint64_t rng = 42;
    bu_samples_t rates = {0}, p50 = {0}, p99 = {0};
    for (int r = 0; r < o.reps; r++) {
        bu_samples_t commit = {0};
        double rate = 0;
        if (s_run(dir, o.dur_ms, &rng, &rate, &commit) != 0) {
            return 1;
        }
        bu_samples_add(&rates, rate);
        bu_samples_add(&p50, bu_quantile(&commit, 0.5));
        bu_samples_add(&p99, bu_quantile(&commit, 0.99));
        bu_samples_free(&commit);
    }
    bu_figure_reps("raw_lmdb_synced_txn_rate", &rates, "txn/s");
    bu_figure_reps("raw_lmdb_commit_p50", &p50, "us");
    bu_figure_reps("raw_lmdb_commit_p99", &p99, "us");
    bu_samples_free(&rates);
    bu_samples_free(&p50);
    bu_samples_free(&p99);
    return 0;
}
