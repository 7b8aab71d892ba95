/*  evlog.c - the append-only event log of a service.

    Events are packed straight into the page with MDB_RESERVE under their
    big-endian seq, so appends are sequential inserts (cheap in a B+tree)
    and a feed reads them back with one cursor walk. */
#include "evlog.h"

#include "rantai/err.h"

#include <string.h>

#define S_HEAD  "head"
#define S_FIRST "first"

uint64_t
rantai_meta_u64(rantai_txn_t *txn, const char *key)
{
    rantai_val_t v;
    if (rantai_get(txn, RANTAI_DB_META, key, strlen(key), &v) != 0 ||
        v.size != 8) {
        return 0;
    }
    return rantai_be64_get(v.data);
}

int
rantai_meta_put_u64(rantai_txn_t *txn, const char *key, uint64_t value)
{
    uint8_t buf[8];
    rantai_be64_put(buf, value);
    return rantai_put(txn, RANTAI_DB_META, key, strlen(key), buf, sizeof buf);
}

uint64_t
rantai_evlog_head(rantai_txn_t *txn)
{
    return rantai_meta_u64(txn, S_HEAD);
}

uint64_t
rantai_evlog_first(rantai_txn_t *txn)
{
    uint64_t first = rantai_meta_u64(txn, S_FIRST);
    return first ? first : 1;
}

int
rantai_evlog_append(rantai_txn_t *txn,
                    rantai_event_t *ev,
                    int64_t now_ms,
                    uint64_t *seq)
{
    uint64_t next = rantai_evlog_head(txn) + 1;
    ev->seq = next;
    ev->time = now_ms;
    size_t size = protobuf_c_message_get_packed_size(&ev->base);
    uint8_t key[8];
    rantai_be64_put(key, next);
    void *dst = NULL;
    int rc =
        rantai_put_reserve(txn, RANTAI_DB_LOG, key, sizeof key, size, &dst);
    if (rc != 0) {
        return rc;
    }
    protobuf_c_message_pack(&ev->base, dst);
    rc = rantai_meta_put_u64(txn, S_HEAD, next);
    if (rc != 0) {
        return rc;
    }
    if (seq) {
        *seq = next;
    }
    return 0;
}

int
rantai_evlog_get(rantai_txn_t *txn, uint64_t seq, rantai_val_t *packed)
{
    uint8_t key[8];
    rantai_be64_put(key, seq);
    return rantai_get(txn, RANTAI_DB_LOG, key, sizeof key, packed);
}

/* The time of a packed event (0 if it does not unpack). */
static int64_t
s_event_time(const rantai_val_t *v)
{
    Rantai__V1__Event *ev = rantai__v1__event__unpack(NULL, v->size, v->data);
    if (!ev) {
        return 0;
    }
    int64_t t = ev->time;
    rantai__v1__event__free_unpacked(ev, NULL);
    return t;
}

int
rantai_evlog_prune(rantai_txn_t *txn,
                   int64_t before_ms,
                   uint64_t max,
                   uint64_t *pruned)
{
    uint64_t head = rantai_evlog_head(txn);
    uint64_t first = rantai_evlog_first(txn);
    uint64_t n = 0;
    int rc = 0;
    while (n < max && first < head) {
        rantai_val_t v;
        rc = rantai_evlog_get(txn, first, &v);
        if (rc == RANTAI_ENOTFOUND) {
            first++;
            continue;
        }
        if (rc != 0 || s_event_time(&v) >= before_ms) {
            break;
        }
        uint8_t key[8];
        rantai_be64_put(key, first);
        rc = rantai_del(txn, RANTAI_DB_LOG, key, sizeof key);
        if (rc != 0) {
            break;
        }
        first++;
        n++;
    }
    if (rc == RANTAI_ENOTFOUND) {
        rc = 0;
    }
    if (rc == 0 && n > 0) {
        rc = rantai_meta_put_u64(txn, S_FIRST, first);
    }
    if (pruned) {
        *pruned = n;
    }
    return rc;
}
