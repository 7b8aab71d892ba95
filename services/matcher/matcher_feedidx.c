/*  matcher_feedidx.c - see matcher_feedidx.h. The tags only need to be a
    superset of what matcher_feed_filter lets through (the filter still
    decides), so they follow the same facts: an allocation's producer and
    cooperative are fixed when it is made, and a buyer's marketplace
    cannot change (PROTOCOL.md s4). */
#include "matcher_feedidx.h"

#include "evlog.h"
#include "matcher_int.h"

#include <string.h>

/* First seq the index covers (meta): older events are walked. */
#define S_SINCE "feedidx_since"

static int
s_tag(rantai_txn_t *txn, uint64_t seq, int kind, const char *id)
{
    if (id == NULL || id[0] == 0 || strlen(id) > RANTAI_ID_MAX) {
        return 0;
    }
    return rantai_evlog_tag(txn, seq, kind, id);
}

static int
s_tag_buyer(rantai_txn_t *txn, uint64_t seq, const char *buyer_id)
{
    if (buyer_id == NULL || buyer_id[0] == 0) {
        return 0;
    }
    int rc =
        s_tag(txn, seq, RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER, buyer_id);
    if (rc != 0) {
        return rc;
    }
    rantai_val_t v;
    rc = rantai_get(txn, MDB_BUYERS, buyer_id, strlen(buyer_id), &v);
    if (rc == RANTAI_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    char mp[RANTAI_ID_MAX + 1];
    if (v.size == 0 || v.size > RANTAI_ID_MAX) {
        return 0;
    }
    memcpy(mp, v.data, v.size);
    mp[v.size] = 0;
    return s_tag(txn, seq, RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE, mp);
}

static int
s_tag_alloc(rantai_txn_t *txn, uint64_t seq, const Rantai__V1__Allocation *a)
{
    if (a == NULL) {
        return 0;
    }
    int rc = s_tag(txn, seq, RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER,
                   a->producer_id);
    if (rc == 0) {
        rc = s_tag(txn, seq, RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE,
                   a->cooperative_id);
    }
    return rc;
}

int
matcher_feedidx_tag(rantai_txn_t *txn, const rantai_event_t *ev, uint64_t seq)
{
    if (rantai_meta_u64(txn, S_SINCE) == 0) {
        int rc = rantai_meta_put_u64(txn, S_SINCE, seq);
        if (rc != 0) {
            return rc;
        }
    }
    int rc = 0;
    switch (ev->body_case) {
        case RANTAI__V1__EVENT__BODY_MATCH_PROPOSED: {
            const Rantai__V1__MatchProposed *mp = ev->match_proposed;
            if (mp == NULL) {
                return 0;
            }
            rc = s_tag_buyer(txn, seq, mp->buyer_id);
            for (size_t i = 0; rc == 0 && i < mp->n_allocations; i++) {
                rc = s_tag_alloc(txn, seq, mp->allocations[i]);
            }
            return rc;
        }
        case RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED: {
            const Rantai__V1__AllocationUpdated *au = ev->allocation_updated;
            if (au == NULL || au->allocation == NULL) {
                return 0;
            }
            rc = s_tag_buyer(txn, seq, au->allocation->buyer_id);
            return rc == 0 ? s_tag_alloc(txn, seq, au->allocation) : rc;
        }
        case RANTAI__V1__EVENT__BODY_DEMAND_UPDATED:
            return ev->demand_updated == NULL
                       ? 0
                       : s_tag_buyer(txn, seq, ev->demand_updated->buyer_id);
        default:
            return 0;
    }
}

int
matcher_feed_next(void *core,
                  rantai_txn_t *txn,
                  const rantai_principal_t *who,
                  const Rantai__V1__Party *party,
                  uint64_t from_seq,
                  uint64_t *next_seq)
{
    (void) core;
    (void) who; /* the filter checks who may see what */
    if (party == NULL) {
        return RANTAI_EUNIMPL;
    }
    switch (party->kind) {
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE:
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER:
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER:
        case RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE:
            break;
        default:
            return RANTAI_EUNIMPL;
    }
    if (party->id == NULL || party->id[0] == 0) {
        return RANTAI_ENOTFOUND; /* the filter shows such a party nothing */
    }
    uint64_t since = rantai_meta_u64(txn, S_SINCE);
    if (since == 0) {
        /* Nothing tagged yet: either no event at all, or only events
           from before the index. */
        if (rantai_evlog_head(txn) == 0) {
            return RANTAI_ENOTFOUND;
        }
        *next_seq = from_seq;
        return 0;
    }
    if (from_seq < since) {
        *next_seq = from_seq; /* walk the old, untagged part */
        return 0;
    }
    return rantai_evlog_tag_next(txn, (int) party->kind, party->id, from_seq,
                                 next_seq);
}
