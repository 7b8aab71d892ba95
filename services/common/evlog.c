/*  evlog.c - the append-only event log of a service.

    Events are packed straight into the page with MDB_RESERVE under their
    big-endian seq, so appends are sequential inserts (cheap in a B+tree)
    and a feed reads them back with one cursor walk. */
#include "evlog.h"

#include "rantai/err.h"

#include <string.h>

#define S_HEAD  "head"
#define S_FIRST "first"

/* Party index key sizes: tag byte, kind, id, NUL, BE64 seq. */
#define S_TAG_KEY_MAX (1 + 1 + RANTAI_ID_MAX + 1 + 8)

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

/* 'p' kind id \0 (the prefix of one party's keys); returns its length. */
static size_t
s_party_prefix(uint8_t *k, int kind, const char *id, size_t id_len)
{
    k[0] = 'p';
    k[1] = (uint8_t) kind;
    memcpy(k + 2, id, id_len);
    k[2 + id_len] = 0;
    return 3 + id_len;
}

int
rantai_evlog_tag(rantai_txn_t *txn, uint64_t seq, int kind, const char *id)
{
    size_t id_len = id ? strlen(id) : 0;
    if (id_len == 0 || id_len > RANTAI_ID_MAX || kind < 0 || kind > 255) {
        return RANTAI_EINVAL;
    }
    uint8_t k[S_TAG_KEY_MAX];
    size_t n = s_party_prefix(k, kind, id, id_len);
    rantai_be64_put(k + n, seq);
    int rc = rantai_put(txn, RANTAI_DB_FEEDIDX, k, n + 8, "", 0);
    if (rc != 0) {
        return rc;
    }
    k[0] = 's';
    rantai_be64_put(k + 1, seq);
    k[9] = (uint8_t) kind;
    memcpy(k + 10, id, id_len);
    return rantai_put(txn, RANTAI_DB_FEEDIDX, k, 10 + id_len, "", 0);
}

int
rantai_evlog_tag_next(rantai_txn_t *txn,
                      int kind,
                      const char *id,
                      uint64_t from_seq,
                      uint64_t *next)
{
    size_t id_len = id ? strlen(id) : 0;
    if (id_len == 0 || id_len > RANTAI_ID_MAX || kind < 0 || kind > 255) {
        return RANTAI_EINVAL;
    }
    uint8_t k[S_TAG_KEY_MAX];
    size_t n = s_party_prefix(k, kind, id, id_len);
    rantai_be64_put(k + n, from_seq);
    rantai_cursor_t *cur = NULL;
    int rc = rantai_cursor_open(txn, RANTAI_DB_FEEDIDX, &cur);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t kv;
    rc = rantai_cursor_seek(cur, k, n + 8, &kv, NULL);
    if (rc == 0) {
        if (kv.size == n + 8 && memcmp(kv.data, k, n) == 0) {
            *next = rantai_be64_get((const uint8_t *) kv.data + n);
        } else {
            rc = RANTAI_ENOTFOUND; /* past this party's keys */
        }
    }
    rantai_cursor_close(&cur);
    return rc;
}

/* Delete the party tags of event `seq` (both key forms). */
static int
s_untag(rantai_txn_t *txn, uint64_t seq)
{
    uint8_t sk[10];
    sk[0] = 's';
    rantai_be64_put(sk + 1, seq);
    for (;;) {
        rantai_cursor_t *cur = NULL;
        int rc = rantai_cursor_open(txn, RANTAI_DB_FEEDIDX, &cur);
        if (rc != 0) {
            return rc;
        }
        rantai_val_t kv;
        uint8_t k[S_TAG_KEY_MAX];
        size_t klen = 0;
        rc = rantai_cursor_seek(cur, sk, 9, &kv, NULL);
        if (rc == 0 && kv.size > 10 && kv.size <= 10 + RANTAI_ID_MAX &&
            memcmp(kv.data, sk, 9) == 0) {
            klen = kv.size;
            memcpy(k, kv.data, klen);
        }
        rantai_cursor_close(&cur);
        if (rc == RANTAI_ENOTFOUND || (rc == 0 && klen == 0)) {
            return 0;
        }
        if (rc != 0) {
            return rc;
        }
        rc = rantai_del(txn, RANTAI_DB_FEEDIDX, k, klen);
        if (rc != 0) {
            return rc;
        }
        char id[RANTAI_ID_MAX + 1];
        memcpy(id, k + 10, klen - 10);
        id[klen - 10] = 0;
        uint8_t pk[S_TAG_KEY_MAX];
        size_t n = s_party_prefix(pk, k[9], id, klen - 10);
        rantai_be64_put(pk + n, seq);
        rc = rantai_del(txn, RANTAI_DB_FEEDIDX, pk, n + 8);
        if (rc != 0 && rc != RANTAI_ENOTFOUND) {
            return rc;
        }
    }
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
        if (rc == 0) {
            rc = s_untag(txn, first);
        }
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
