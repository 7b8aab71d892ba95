/*  registry_list.c - paged Lists of the registries (rantai_reg_scan,
    see registry.h): one range of an index, or several merged in id order
    through a min-heap of their heads, resuming after a page token. The
    filter most lists use (rantai_keep_listed) is in registry.c. */
#include "rantai/err.h"
#include "registry.h"

#include <string.h>

/* The repeated message field of a list message (its items). */
static const ProtobufCFieldDescriptor *
s_items_field(const ProtobufCMessageDescriptor *d)
{
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (d->fields[i].label == PROTOBUF_C_LABEL_REPEATED &&
            d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE) {
            return &d->fields[i];
        }
    }
    return NULL;
}

/* Where a scan is: one cursor over the index and, for a merged scan, the
   head id of every range in a min-heap (heap[0]: the smallest). */
typedef struct {
    rantai_ctx_t *ctx;
    const rantai_scan_t *sc;
    rantai_cursor_t *cur;
    const char *token;
    bool started;
    char **head;  /* merged: per range, its next id; NULL when done */
    size_t *heap; /* merged: ranges with a head */
    size_t nheap;
} s_iter_t;

/* The id in key k of a range with prefix `prefix` into *id, NULL if the
   cursor (rc) left the range. */
static int
s_range_id(s_iter_t *it,
           const char *prefix,
           size_t plen,
           int rc,
           const rantai_val_t *k,
           char **id)
{
    *id = NULL;
    if (rc != 0) {
        return rc == RANTAI_ENOTFOUND ? 0 : rc;
    }
    if (k->size < plen || memcmp(k->data, prefix, plen) != 0) {
        return 0;
    }
    *id = rantai_arena_strndup(it->ctx->arena, (const char *) k->data + plen,
                               k->size - plen);
    return 0;
}

/* The first id of range `prefix` after `after` ("": from its start). */
static int
s_range_first(
    s_iter_t *it, const char *prefix, size_t plen, const char *after, char **id)
{
    size_t alen = strlen(after), slen = plen + alen;
    char *start = rantai_arena_alloc(it->ctx->arena, slen + 1);
    memcpy(start, prefix, plen);
    memcpy(start + plen, after, alen);
    rantai_val_t k, v;
    int rc = rantai_cursor_seek(it->cur, slen ? start : NULL, slen, &k, &v);
    if (rc == 0 && alen && k.size == slen && memcmp(k.data, start, slen) == 0) {
        rc = rantai_cursor_next(it->cur, &k, &v); /* `after` itself */
    }
    return s_range_id(it, prefix, plen, rc, &k, id);
}

static bool
s_heap_less(const s_iter_t *it, size_t a, size_t b)
{
    return strcmp(it->head[it->heap[a]], it->head[it->heap[b]]) < 0;
}

static void
s_heap_down(s_iter_t *it, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < it->nheap && s_heap_less(it, l, m)) {
            m = l;
        }
        if (l + 1 < it->nheap && s_heap_less(it, l + 1, m)) {
            m = l + 1;
        }
        if (m == i) {
            return;
        }
        size_t t = it->heap[i];
        it->heap[i] = it->heap[m];
        it->heap[m] = t;
        i = m;
    }
}

/* Merged scan: the smallest head id over all ranges, advancing the range
   the previous call returned from. */
static int
s_merged_next(s_iter_t *it, const char **id)
{
    const rantai_scan_t *sc = it->sc;
    int rc = 0;
    if (!it->started) {
        it->head =
            rantai_arena_alloc(it->ctx->arena, sc->n_ranges * sizeof *it->head);
        it->heap =
            rantai_arena_alloc(it->ctx->arena, sc->n_ranges * sizeof *it->heap);
        for (size_t i = 0; i < sc->n_ranges && rc == 0; i++) {
            rc = s_range_first(it, sc->ranges[i], sc->range_lens[i], it->token,
                               &it->head[i]);
            if (it->head[i] != NULL) {
                it->heap[it->nheap++] = i;
            }
        }
        for (size_t i = it->nheap / 2; rc == 0 && i-- > 0;) {
            s_heap_down(it, i);
        }
    } else if (it->nheap > 0) {
        size_t r = it->heap[0];
        rc = s_range_first(it, sc->ranges[r], sc->range_lens[r], it->head[r],
                           &it->head[r]);
        if (it->head[r] == NULL) {
            it->heap[0] = it->heap[--it->nheap];
        }
        s_heap_down(it, 0);
    }
    it->started = true;
    *id = rc == 0 && it->nheap > 0 ? it->head[it->heap[0]] : NULL;
    return rc;
}

/* The next candidate id of the scan into *id; NULL at the end. */
static int
s_iter_next(s_iter_t *it, const char **id)
{
    const rantai_scan_t *sc = it->sc;
    if (sc->n_ranges > 0) {
        return s_merged_next(it, id);
    }
    char *next = NULL;
    int rc;
    if (!it->started) {
        it->started = true;
        rc = s_range_first(it, sc->key_prefix, sc->kp_len, it->token, &next);
    } else {
        rantai_val_t k, v;
        rc = rantai_cursor_next(it->cur, &k, &v);
        rc = s_range_id(it, sc->key_prefix, sc->kp_len, rc, &k, &next);
    }
    *id = next;
    return rc;
}

int
rantai_reg_scan(rantai_ctx_t *ctx,
                const rantai_scan_t *sc,
                const char *token,
                uint32_t limit,
                ProtobufCMessage *list)
{
    const ProtobufCFieldDescriptor *fi = s_items_field(list->descriptor);
    const ProtobufCFieldDescriptor *ft =
        protobuf_c_message_descriptor_get_field_by_name(list->descriptor,
                                                        "next_page_token");
    if (fi == NULL || ft == NULL) {
        return RANTAI_EINVAL; /* not a list message: a programming error */
    }
    limit = limit == 0 ? RANTAI_LIMIT_DEF : limit;
    limit = limit > RANTAI_LIMIT_MAX ? RANTAI_LIMIT_MAX : limit;
    /* Set the fields as protobuf-c's own unpacker does. */
    char *base = (char *) list;
    ProtobufCMessage **items =
        rantai_arena_alloc(ctx->arena, limit * sizeof *items);
    size_t *n = (size_t *) (void *) (base + fi->quantifier_offset);
    *(ProtobufCMessage ***) (void *) (base + fi->offset) = items;
    *n = 0;
    s_iter_t it = {ctx, sc, NULL, token, false, NULL, NULL, 0};
    int rc = rantai_cursor_open(ctx->txn, sc->index_db, &it.cur);
    if (rc != 0) {
        return rc;
    }
    const char *last = NULL, *id = NULL;
    while ((rc = s_iter_next(&it, &id)) == 0 && id != NULL) {
        void *obj;
        rc = rantai_rec_load(ctx, sc->kind->db, id, sc->kind->desc, &obj, NULL);
        if (rc == RANTAI_ENOTFOUND) {
            rc = 0; /* stale index: skip */
            continue;
        }
        bool keep = false;
        if (rc != 0 || (rc = sc->keep(ctx, obj, id, sc->arg, &keep)) != 0) {
            break;
        }
        if (!keep) {
            continue;
        }
        if (*n == limit) {
            *(const char **) (void *) (base + ft->offset) = last;
            break;
        }
        items[(*n)++] = obj;
        last = id;
    }
    rantai_cursor_close(&it.cur);
    return rc == RANTAI_ENOTFOUND ? 0 : rc;
}
