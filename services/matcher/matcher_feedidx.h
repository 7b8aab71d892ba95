/*  matcher_feedidx.h - the party index of the matcher feed (PROTOCOL.md
    s5): every matcher event is tagged, in the transaction that appends
    it, with the parties that may see it (its buyer and that buyer's
    marketplace; the producer and cooperative of each allocation in it),
    so a party subscription walks only its own seqs (evlog.h). */
#ifndef MATCHER_FEEDIDX_H
#define MATCHER_FEEDIDX_H

#include "rantai/codec.h"
#include "service.h"
#include "store.h"

#include <stdint.h>

/* Tag event `ev`, just appended at `seq` in write txn `txn`, with its
   parties. Store errors (RANTAI_EMAPFULL must reach the store). */
int
matcher_feedidx_tag(rantai_txn_t *txn, const rantai_event_t *ev, uint64_t seq);

/* service.h feed_next hook: for a COOPERATIVE / PRODUCER / BUYER /
   MARKETPLACE party the next tagged seq >= from_seq (RANTAI_ENOTFOUND
   when none); RANTAI_EUNIMPL for ALL (every event is a candidate), and
   for seqs older than the index (a store created before it existed). */
int matcher_feed_next(void *core,
                      rantai_txn_t *txn,
                      const rantai_principal_t *who,
                      const Rantai__V1__Party *party,
                      uint64_t from_seq,
                      uint64_t *next_seq);

#endif
