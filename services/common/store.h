/*  store.h - the only module that talks to LMDB.

    One environment per service under --data-dir. Database 0 is "meta", 1
    is "log" and 2 is "feedidx" (both owned by evlog: the event log and
    its per-party index); a service's own databases follow, numbered from
    RANTAI_DB_FIRST in the order of the names given to rantai_store_open().
    Databases are opened by name, so adding a fixed one keeps existing
    environments readable.

    Keys and values are byte strings. Values returned through rantai_val_t
    point into the map: they are valid only until the transaction ends
    (copy them out before commit/abort) and must not be written to.

    Writes go through rantai_store_write(), which runs a callback in one
    write transaction, grows the map and retries on MDB_MAP_FULL (the
    callback must therefore be re-runnable: no side effects outside the
    transaction), and returns only when the commit is durable (fsynced).

    Threads: one writer thread; read transactions may be used from any
    thread (MDB_NOTLS). Never hold a read transaction across a poll. */
#ifndef RANTAI_STORE_H
#define RANTAI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANTAI_DB_META    0
#define RANTAI_DB_LOG     1
#define RANTAI_DB_FEEDIDX 2
#define RANTAI_DB_FIRST   3
#define RANTAI_DB_MAX     32

typedef struct rantai_store_t rantai_store_t;
typedef struct rantai_txn_t rantai_txn_t;
typedef struct rantai_cursor_t rantai_cursor_t;

typedef struct {
    const void *data;
    size_t size;
} rantai_val_t;

typedef struct {
    size_t map_size;      /* initial map size; 0 = 64 MiB */
    size_t max_map_size;  /* hard cap; 0 = 1 TiB */
    unsigned max_readers; /* 0 = 256 */
} rantai_store_opts_t;

typedef struct {
    size_t map_size;  /* bytes mapped */
    size_t used;      /* bytes in use (last page number x page) */
    unsigned readers; /* reader slots in use */
    unsigned max_readers;
} rantai_store_stat_t;

/* Open (creating if needed) the environment in directory `dir` with the
   service databases `names[0..count)`. opts may be NULL. On success *out
   is owned by the caller. Errors: RANTAI_EIO (with errno-style detail in
   the log), RANTAI_EINVAL. Runs mdb_reader_check once. */
int rantai_store_open(rantai_store_t **out,
                      const char *dir,
                      const char *const *names,
                      int count,
                      const rantai_store_opts_t *opts);

/* Close the environment; idempotent, NULLs *self. No txn may be open. */
void rantai_store_destroy(rantai_store_t **self);

/* Callback for rantai_store_write(): do the work in `txn`. Return 0 to
   commit, a negative rantai_err_t to abort (RANTAI_EMAPFULL from any store
   call must be returned as is: the store grows the map and calls again). */
typedef int(rantai_write_fn)(rantai_txn_t *txn, void *arg);

/* Run fn in a write transaction and commit durably. Returns 0, fn's error,
   RANTAI_ENOSPC when the map cannot grow (disk full or max_map_size), or
   RANTAI_EIO. */
int rantai_store_write(rantai_store_t *self, rantai_write_fn *fn, void *arg);

/* A read-only transaction (snapshot). Release with rantai_txn_abort(). */
int rantai_store_read(rantai_store_t *self, rantai_txn_t **txn);

/* A nested write transaction inside `parent` (for one request inside a
   group commit): commit merges into the parent, abort discards only it. */
int rantai_txn_child(rantai_txn_t *parent, rantai_txn_t **child);

/* Commit a child transaction into its parent; *txn is NULLed either way. */
int rantai_txn_commit(rantai_txn_t **txn);

/* Abort (or end a read) transaction; idempotent, NULLs *txn. */
void rantai_txn_abort(rantai_txn_t **txn);

/* Get `key` from database `db`: 0 and *val set, or RANTAI_ENOTFOUND. */
int rantai_get(
    rantai_txn_t *txn, int db, const void *key, size_t klen, rantai_val_t *val);

/* Put key -> value (replacing). RANTAI_EMAPFULL, RANTAI_EINVAL (key too
   long: max 511 bytes), RANTAI_EIO. */
int rantai_put(rantai_txn_t *txn,
               int db,
               const void *key,
               size_t klen,
               const void *val,
               size_t vlen);

/* Reserve `vlen` bytes for key and return where to write them in *dst
   (valid until the next write in this txn). Errors as rantai_put. */
int rantai_put_reserve(rantai_txn_t *txn,
                       int db,
                       const void *key,
                       size_t klen,
                       size_t vlen,
                       void **dst);

/* Delete key; 0 or RANTAI_ENOTFOUND. */
int rantai_del(rantai_txn_t *txn, int db, const void *key, size_t klen);

/* Cursors. Open one on db in txn; it dies with the txn at the latest. */
int rantai_cursor_open(rantai_txn_t *txn, int db, rantai_cursor_t **cur);
void rantai_cursor_close(rantai_cursor_t **cur);

/* Position at the first key >= key (key NULL: the first key). 0 with
   k and v set, or RANTAI_ENOTFOUND at the end. */
int rantai_cursor_seek(rantai_cursor_t *cur,
                       const void *key,
                       size_t klen,
                       rantai_val_t *k,
                       rantai_val_t *v);

/* Next / previous entry; RANTAI_ENOTFOUND at the end. */
int rantai_cursor_next(rantai_cursor_t *cur, rantai_val_t *k, rantai_val_t *v);
int rantai_cursor_prev(rantai_cursor_t *cur, rantai_val_t *k, rantai_val_t *v);

/* Last entry of the database. */
int rantai_cursor_last(rantai_cursor_t *cur, rantai_val_t *k, rantai_val_t *v);

/* Delete the entry under the cursor. */
int rantai_cursor_del(rantai_cursor_t *cur);

/* Number of entries in db. */
int rantai_count(rantai_txn_t *txn, int db, uint64_t *count);

/* Clear stale reader slots (crashed processes); *dead = slots cleared. */
int rantai_store_reader_check(rantai_store_t *self, int *dead);

/* Sizes for metrics. */
void rantai_store_stat(rantai_store_t *self, rantai_store_stat_t *st);

/* Copy the live environment compacted into directory `dir` (mdb_env_copy2
   with MDB_CP_COMPACT); safe while serving. */
int rantai_store_backup(rantai_store_t *self, const char *dir);

/* Helpers for big-endian keys (sort order = numeric order). */
void rantai_be64_put(uint8_t *dst, uint64_t v);
uint64_t rantai_be64_get(const uint8_t *src);

#endif
