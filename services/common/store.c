/*  store.c - LMDB environment, transactions, cursors, map growth.

    The only file that includes lmdb.h. LMDB return codes are mapped to
    rantai_err_t here and nowhere else. */
#include "store.h"

#include "log.h"
#include "rantai/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <lmdb.h>

#define S_DEFAULT_MAP ((size_t) 64 << 20)
#define S_DEFAULT_MAX ((size_t) 1 << 40)
#define S_MAX_RETRIES 40
/* A failed commit with less free space than this is a full disk. */
#define S_LOW_DISK ((uint64_t) 16 << 20)

struct rantai_store_t {
    MDB_env *env;
    MDB_dbi dbi[RANTAI_DB_MAX];
    int ndbs;
    size_t map_size;
    size_t max_map_size;
    char *dir;
};

struct rantai_txn_t {
    MDB_txn *txn;
    rantai_store_t *store;
};

struct rantai_cursor_t {
    MDB_cursor *cur;
};

static int
s_err(int rc)
{
    switch (rc) {
        case MDB_SUCCESS:
            return RANTAI_OK;
        case MDB_NOTFOUND:
            return RANTAI_ENOTFOUND;
        case MDB_MAP_FULL:
            return RANTAI_EMAPFULL;
        case MDB_BAD_VALSIZE:
        case EINVAL:
            return RANTAI_EINVAL;
        case ENOSPC:
        case EDQUOT:
            return RANTAI_ENOSPC;
        case MDB_READERS_FULL:
        case MDB_TXN_FULL:
        case MDB_CURSOR_FULL:
        case ENOMEM:
            return RANTAI_ENOSPC;
        default:
            return RANTAI_EIO;
    }
}

static rantai_txn_t *
s_txn_wrap(rantai_store_t *store, MDB_txn *txn)
{
    rantai_txn_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    self->txn = txn;
    self->store = store;
    return self;
}

static int
s_open_dbs(rantai_store_t *self, const char *const *names, int count)
{
    static const char *const fixed[] = {"meta", "log", "feedidx"};
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "begin failed: %s", mdb_strerror(rc));
        return s_err(rc);
    }
    for (int i = 0; i < RANTAI_DB_FIRST + count; i++) {
        const char *name =
            i < RANTAI_DB_FIRST ? fixed[i] : names[i - RANTAI_DB_FIRST];
        rc = mdb_dbi_open(txn, name, MDB_CREATE, &self->dbi[i]);
        if (rc != MDB_SUCCESS) {
            rantai_log_error("store", "open db %s: %s", name, mdb_strerror(rc));
            mdb_txn_abort(txn);
            return s_err(rc);
        }
    }
    rc = mdb_txn_commit(txn);
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "commit failed: %s", mdb_strerror(rc));
        return s_err(rc);
    }
    self->ndbs = RANTAI_DB_FIRST + count;
    return 0;
}

int
rantai_store_open(rantai_store_t **out,
                  const char *dir,
                  const char *const *names,
                  int count,
                  const rantai_store_opts_t *opts)
{
    if (!out || !dir || count < 0 || RANTAI_DB_FIRST + count > RANTAI_DB_MAX) {
        return RANTAI_EINVAL;
    }
    *out = NULL;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        rantai_log_error("store", "cannot create %s: %s", dir, strerror(errno));
        return RANTAI_EIO;
    }
    rantai_store_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    self->dir = strdup(dir);
    self->map_size = opts && opts->map_size ? opts->map_size : S_DEFAULT_MAP;
    self->max_map_size =
        opts && opts->max_map_size ? opts->max_map_size : S_DEFAULT_MAX;
    unsigned readers = opts && opts->max_readers ? opts->max_readers : 256;

    int rc = mdb_env_create(&self->env);
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_set_maxdbs(self->env, RANTAI_DB_MAX);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_set_maxreaders(self->env, readers);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_set_mapsize(self->env, self->map_size);
    }
    if (rc == MDB_SUCCESS) {
        /* NOTLS: read txns are not tied to threads (HTTP metrics thread).
           No NOSYNC/NOMETASYNC: a commit is durable when it returns. */
        rc = mdb_env_open(self->env, dir, MDB_NOTLS, 0640);
    }
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "open %s: %s", dir, mdb_strerror(rc));
        rantai_store_destroy(&self);
        return s_err(rc) == RANTAI_ENOSPC ? RANTAI_ENOSPC : RANTAI_EIO;
    }
    /* An existing environment may be bigger than our initial size. */
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    if (info.me_mapsize > self->map_size) {
        self->map_size = info.me_mapsize;
    }
    int dead = 0;
    mdb_reader_check(self->env, &dead);
    if (dead > 0) {
        rantai_log_warn("store", "cleared %d stale reader slots", dead);
    }
    rc = s_open_dbs(self, names, count);
    if (rc != 0) {
        rantai_store_destroy(&self);
        return rc;
    }
    *out = self;
    return 0;
}

void
rantai_store_destroy(rantai_store_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_store_t *self = *self_p;
    if (self->env) {
        mdb_env_close(self->env);
    }
    free(self->dir);
    free(self);
    *self_p = NULL;
}

/* Double the map (no transaction may be open in this process). */
static int
s_grow(rantai_store_t *self)
{
    if (self->map_size >= self->max_map_size) {
        return RANTAI_ENOSPC;
    }
    size_t next = self->map_size * 2;
    if (next > self->max_map_size) {
        next = self->max_map_size;
    }
    int rc = mdb_env_set_mapsize(self->env, next);
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "grow map to %zu: %s", next,
                         mdb_strerror(rc));
        return RANTAI_ENOSPC;
    }
    rantai_log_info("store", "map grown from %zu to %zu bytes", self->map_size,
                    next);
    self->map_size = next;
    return 0;
}

/* LMDB reports a short write of dirty pages as EIO, which is what a full
   disk usually looks like: tell the two apart by the free space left. */
static int
s_commit_err(rantai_store_t *self, int rc)
{
    struct statvfs fs;
    if (rc == EIO && statvfs(self->dir, &fs) == 0 &&
        (uint64_t) fs.f_bavail * fs.f_frsize < S_LOW_DISK) {
        return RANTAI_ENOSPC;
    }
    return s_err(rc);
}

int
rantai_store_write(rantai_store_t *self, rantai_write_fn *fn, void *arg)
{
    for (int attempt = 0; attempt < S_MAX_RETRIES; attempt++) {
        MDB_txn *txn = NULL;
        int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            /* Another process grew it (e.g. a backup tool); adopt. */
            mdb_env_set_mapsize(self->env, 0);
            rc = mdb_txn_begin(self->env, NULL, 0, &txn);
        }
        if (rc != MDB_SUCCESS) {
            rantai_log_error("store", "begin: %s", mdb_strerror(rc));
            return s_err(rc);
        }
        rantai_txn_t wrap = {txn, self};
        int err = fn(&wrap, arg);
        if (err == RANTAI_EMAPFULL) {
            mdb_txn_abort(txn);
            err = s_grow(self);
            if (err != 0) {
                return err;
            }
            continue;
        }
        if (err != 0) {
            mdb_txn_abort(txn);
            return err;
        }
        /* A failed commit has already freed the txn: never abort it. */
        rc = mdb_txn_commit(txn);
        if (rc == MDB_MAP_FULL) {
            err = s_grow(self);
            if (err != 0) {
                return err;
            }
            continue;
        }
        if (rc != MDB_SUCCESS) {
            rantai_log_error("store", "commit: %s", mdb_strerror(rc));
            return s_commit_err(self, rc);
        }
        return 0;
    }
    return RANTAI_ENOSPC;
}

int
rantai_store_read(rantai_store_t *self, rantai_txn_t **out)
{
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(self->env, 0);
        rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &txn);
    }
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "read begin: %s", mdb_strerror(rc));
        return s_err(rc);
    }
    *out = s_txn_wrap(self, txn);
    return 0;
}

int
rantai_txn_child(rantai_txn_t *parent, rantai_txn_t **out)
{
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(parent->store->env, parent->txn, 0, &txn);
    if (rc != MDB_SUCCESS) {
        return s_err(rc);
    }
    *out = s_txn_wrap(parent->store, txn);
    return 0;
}

int
rantai_txn_commit(rantai_txn_t **self_p)
{
    rantai_txn_t *self = *self_p;
    int rc = mdb_txn_commit(self->txn);
    free(self);
    *self_p = NULL;
    return s_err(rc);
}

void
rantai_txn_abort(rantai_txn_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    mdb_txn_abort((*self_p)->txn);
    free(*self_p);
    *self_p = NULL;
}

static int
s_dbi(rantai_txn_t *txn, int db, MDB_dbi *dbi)
{
    if (db < 0 || db >= txn->store->ndbs) {
        return RANTAI_EINVAL;
    }
    *dbi = txn->store->dbi[db];
    return 0;
}

int
rantai_get(
    rantai_txn_t *txn, int db, const void *key, size_t klen, rantai_val_t *val)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0 || klen == 0) {
        return RANTAI_EINVAL;
    }
    MDB_val k = {klen, (void *) key};
    MDB_val v;
    int rc = mdb_get(txn->txn, dbi, &k, &v);
    if (rc == MDB_SUCCESS && val) {
        val->data = v.mv_data;
        val->size = v.mv_size;
    }
    return s_err(rc);
}

int
rantai_put(rantai_txn_t *txn,
           int db,
           const void *key,
           size_t klen,
           const void *val,
           size_t vlen)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0 || klen == 0) {
        return RANTAI_EINVAL;
    }
    MDB_val k = {klen, (void *) key};
    MDB_val v = {vlen, (void *) val};
    return s_err(mdb_put(txn->txn, dbi, &k, &v, 0));
}

int
rantai_put_reserve(rantai_txn_t *txn,
                   int db,
                   const void *key,
                   size_t klen,
                   size_t vlen,
                   void **dst)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0 || klen == 0) {
        return RANTAI_EINVAL;
    }
    MDB_val k = {klen, (void *) key};
    MDB_val v = {vlen, NULL};
    int rc = mdb_put(txn->txn, dbi, &k, &v, MDB_RESERVE);
    if (rc == MDB_SUCCESS) {
        *dst = v.mv_data;
    }
    return s_err(rc);
}

int
rantai_del(rantai_txn_t *txn, int db, const void *key, size_t klen)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0 || klen == 0) {
        return RANTAI_EINVAL;
    }
    MDB_val k = {klen, (void *) key};
    return s_err(mdb_del(txn->txn, dbi, &k, NULL));
}

int
rantai_cursor_open(rantai_txn_t *txn, int db, rantai_cursor_t **out)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0) {
        return RANTAI_EINVAL;
    }
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(txn->txn, dbi, &cur);
    if (rc != MDB_SUCCESS) {
        return s_err(rc);
    }
    rantai_cursor_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    self->cur = cur;
    *out = self;
    return 0;
}

void
rantai_cursor_close(rantai_cursor_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    mdb_cursor_close((*self_p)->cur);
    free(*self_p);
    *self_p = NULL;
}

static int
s_cursor_get(rantai_cursor_t *self,
             MDB_val *k,
             MDB_cursor_op op,
             rantai_val_t *key,
             rantai_val_t *val)
{
    MDB_val v = {0, NULL};
    int rc = mdb_cursor_get(self->cur, k, &v, op);
    if (rc == MDB_SUCCESS) {
        if (key) {
            key->data = k->mv_data;
            key->size = k->mv_size;
        }
        if (val) {
            val->data = v.mv_data;
            val->size = v.mv_size;
        }
    }
    return s_err(rc);
}

int
rantai_cursor_seek(rantai_cursor_t *self,
                   const void *key,
                   size_t klen,
                   rantai_val_t *k,
                   rantai_val_t *v)
{
    MDB_val mk = {klen, (void *) key};
    if (!key || klen == 0) {
        return s_cursor_get(self, &mk, MDB_FIRST, k, v);
    }
    return s_cursor_get(self, &mk, MDB_SET_RANGE, k, v);
}

int
rantai_cursor_next(rantai_cursor_t *self, rantai_val_t *k, rantai_val_t *v)
{
    MDB_val mk = {0, NULL};
    return s_cursor_get(self, &mk, MDB_NEXT, k, v);
}

int
rantai_cursor_prev(rantai_cursor_t *self, rantai_val_t *k, rantai_val_t *v)
{
    MDB_val mk = {0, NULL};
    return s_cursor_get(self, &mk, MDB_PREV, k, v);
}

int
rantai_cursor_last(rantai_cursor_t *self, rantai_val_t *k, rantai_val_t *v)
{
    MDB_val mk = {0, NULL};
    return s_cursor_get(self, &mk, MDB_LAST, k, v);
}

int
rantai_cursor_del(rantai_cursor_t *self)
{
    return s_err(mdb_cursor_del(self->cur, 0));
}

int
rantai_count(rantai_txn_t *txn, int db, uint64_t *count)
{
    MDB_dbi dbi;
    if (s_dbi(txn, db, &dbi) != 0) {
        return RANTAI_EINVAL;
    }
    MDB_stat st;
    int rc = mdb_stat(txn->txn, dbi, &st);
    if (rc == MDB_SUCCESS) {
        *count = st.ms_entries;
    }
    return s_err(rc);
}

int
rantai_store_reader_check(rantai_store_t *self, int *dead)
{
    int n = 0;
    int rc = mdb_reader_check(self->env, &n);
    if (dead) {
        *dead = n;
    }
    return s_err(rc);
}

void
rantai_store_stat(rantai_store_t *self, rantai_store_stat_t *st)
{
    MDB_envinfo info;
    MDB_stat stat;
    memset(st, 0, sizeof *st);
    if (mdb_env_info(self->env, &info) != MDB_SUCCESS ||
        mdb_env_stat(self->env, &stat) != MDB_SUCCESS) {
        return;
    }
    st->map_size = info.me_mapsize;
    st->used = (info.me_last_pgno + 1) * (size_t) stat.ms_psize;
    st->readers = info.me_numreaders;
    st->max_readers = info.me_maxreaders;
}

int
rantai_store_backup(rantai_store_t *self, const char *dir)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        return RANTAI_EIO;
    }
    int rc = mdb_env_copy2(self->env, dir, MDB_CP_COMPACT);
    if (rc != MDB_SUCCESS) {
        rantai_log_error("store", "backup to %s: %s", dir, mdb_strerror(rc));
    }
    return s_err(rc);
}

void
rantai_be64_put(uint8_t *dst, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        dst[i] = (uint8_t) (v & 0xff);
        v >>= 8;
    }
}

uint64_t
rantai_be64_get(const uint8_t *src)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | src[i];
    }
    return v;
}
