/*  rantai/feed.h - a durable feed subscriber (PROTOCOL.md section 5).

    A DEALER connected to a service's feed endpoint. It subscribes from a
    seq, receives events in order, drops redeliveries (seq <= last seen),
    acks what the caller says it has processed, and resubscribes from
    last_seen + 1 (a new Subscribe on the same socket: libzmq reconnects
    the DEALER by itself) whenever the feed has been silent for longer
    than `dead_ms` (heartbeats come every second), so a service restart or
    a lost connection loses nothing and duplicates nothing. Events still in
    flight from the old subscription are dropped as redeliveries.

    Not thread-safe: one subscriber per thread. */
#ifndef RANTAI_FEED_H
#define RANTAI_FEED_H

#include "rantai/arena.h"
#include "rantai/client.h"
#include "rantai/codec.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rantai_feed_sub_t rantai_feed_sub_t;

typedef struct {
    uint64_t from_seq;    /* first seq wanted (0: oldest retained) */
    int party_kind;       /* Rantai__V1__PartyKind; 0 = ALL */
    const char *party_id; /* NULL or "" for ALL */
    uint32_t window;      /* 0 = service default (1024) */
    int dead_ms;          /* silence before resubscribing; 0 = 3000 */
    const rantai_security_t *security; /* NULL: none */
} rantai_feed_opts_t;

/* Connect and subscribe. NULL (logged) on a bad endpoint or certificate. */
rantai_feed_sub_t *rantai_feed_sub_new(const char *endpoint,
                                       const rantai_feed_opts_t *opts);

/* Close; idempotent, NULLs *self. */
void rantai_feed_sub_destroy(rantai_feed_sub_t **self);

/* Wait up to timeout_ms for the next event. Returns 1 with *event set
   (allocated in `arena`), 0 on timeout (heartbeats are consumed here and
   update the head seq), RANTAI_EPROTO for an error message from the
   service (*error set to that Reply, allocated in `arena`), or
   RANTAI_EINTR if interrupted. Redeliveries are dropped silently. Also
   resubscribes after `dead_ms` of silence. */
int rantai_feed_sub_next(rantai_feed_sub_t *self,
                         rantai_arena_t *arena,
                         int timeout_ms,
                         rantai_event_t **event,
                         rantai_reply_t **error);

/* Tell the service everything up to `seq` is processed (opens the
   window). Cheap; call after each batch. */
int rantai_feed_sub_ack(rantai_feed_sub_t *self, uint64_t seq);

/* Highest seq delivered so far (from_seq - 1 before the first). */
uint64_t rantai_feed_sub_last_seq(rantai_feed_sub_t *self);

/* Last head_seq a heartbeat announced (0 if none yet). */
uint64_t rantai_feed_sub_head_seq(rantai_feed_sub_t *self);

/* Milliseconds since anything arrived (for readiness checks). */
int64_t rantai_feed_sub_silent_ms(rantai_feed_sub_t *self);

/* The libzmq socket, for polling. Borrowed; the same for the subscriber's
   whole life. */
void *rantai_feed_sub_socket(rantai_feed_sub_t *self);

#ifdef __cplusplus
}
#endif

#endif
