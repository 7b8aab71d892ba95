/*  evlog.h - the event log of a service: every committed change is one
    Event with a strictly increasing seq, appended in the same transaction
    as the change itself. Stored in RANTAI_DB_LOG under the big-endian seq
    (sequential keys: appends are cheap), packed as rantai.v1.Event.

    The head seq lives in RANTAI_DB_META under "head"; the first retained
    seq under "first" (retention prunes from the front).

    Party index (RANTAI_DB_FEEDIDX): a service whose feed is filtered per
    party tags each event, in the transaction that appends it, with the
    parties that may see it, so a party's subscription walks only its own
    seqs instead of the whole log. Keys: 'p' kind id \0 BE64 seq (walked
    by subscriptions) and 's' BE64 seq kind id (walked by pruning, which
    drops the tags of the events it deletes). */
#ifndef RANTAI_EVLOG_H
#define RANTAI_EVLOG_H

#include "rantai/codec.h"
#include "store.h"

#include <stdint.h>

/* Append `ev` (its body set by the caller) at head+1 with ev->time =
   now_ms: sets ev->seq and *seq. Errors from the store (RANTAI_EMAPFULL
   must reach rantai_store_write()). */
int rantai_evlog_append(rantai_txn_t *txn,
                        rantai_event_t *ev,
                        int64_t now_ms,
                        uint64_t *seq);

/* Highest seq appended (0 when empty). */
uint64_t rantai_evlog_head(rantai_txn_t *txn);

/* Lowest seq still retained (head+1 when empty). */
uint64_t rantai_evlog_first(rantai_txn_t *txn);

/* The packed Event at `seq`: 0 and *packed (valid until the txn ends), or
   RANTAI_ENOTFOUND. */
int rantai_evlog_get(rantai_txn_t *txn, uint64_t seq, rantai_val_t *packed);

/* Delete events older than `before_ms` (by Event.time), keeping at least
   the head, with their party tags; at most `max` per call so a write txn
   stays short. Sets *pruned. */
int rantai_evlog_prune(rantai_txn_t *txn,
                       int64_t before_ms,
                       uint64_t max,
                       uint64_t *pruned);

/* Tag event `seq` with party (kind, id): a subscription for that party
   will consider it. Idempotent. id: 1..RANTAI_ID_MAX bytes, else
   RANTAI_EINVAL. Store errors as rantai_put (RANTAI_EMAPFULL...). */
int rantai_evlog_tag(rantai_txn_t *txn, uint64_t seq, int kind, const char *id);

/* The lowest seq >= from_seq tagged with (kind, id): 0 and *next, or
   RANTAI_ENOTFOUND when there is none (yet). */
int rantai_evlog_tag_next(rantai_txn_t *txn,
                          int kind,
                          const char *id,
                          uint64_t from_seq,
                          uint64_t *next);

/* Meta key/value helpers for u64 counters (e.g. upstream seqs). */
uint64_t rantai_meta_u64(rantai_txn_t *txn, const char *key);
int rantai_meta_put_u64(rantai_txn_t *txn, const char *key, uint64_t v);

#endif
