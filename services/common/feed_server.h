/*  feed_server.h - serves a service's event log on its feed ROUTER socket
    (PROTOCOL.md section 5), for every service, in one implementation.

    A subscriber (DEALER) sends FeedRequest{subscribe{from_seq, party,
    window}}; the server sends every visible event with seq >= from_seq in
    order, at most `window` past the last FeedRequest{ack}, and a heartbeat
    when nothing was sent for a while. Sends never block: the socket has
    ZMQ_ROUTER_MANDATORY and a send high-water mark, so a slow subscriber
    only stops its own stream (we retry it on the next pump) and a gone one
    is dropped. Each pump sends a bounded number of events per subscriber,
    so a subscriber catching up a day of events cannot starve writes.

    Single-threaded: call everything from the thread that owns the socket. */
#ifndef RANTAI_FEED_SERVER_H
#define RANTAI_FEED_SERVER_H

#include "service.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rantai_feed_server_t rantai_feed_server_t;

typedef struct {
    uint32_t default_window;  /* window when the subscriber gives 0 */
    uint32_t max_window;      /* larger requests are clamped */
    int heartbeat_ms;         /* idle time before a heartbeat */
    uint32_t max_subscribers; /* more get RESOURCE_EXHAUSTED */
    uint32_t batch;           /* events per subscriber per pump */
} rantai_feed_server_opts_t;

/* Principal of the peer that sent `msg` (a zmq_msg_t *), or, when msg is
   NULL, of the authenticated key `user` (Z85; NULL in none mode): the
   feed server re-checks open subscriptions this way, so a revoked key
   stops receiving. */
typedef void(rantai_principal_fn)(void *arg,
                                  void *zmq_msg,
                                  const char *user,
                                  rantai_principal_t *who,
                                  char *party,
                                  size_t party_size);

/* A feed server on `socket` (a bound libzmq ROUTER, still owned by the
   caller) reading `store`; `def`/`core` supply the authorize and filter
   hooks; `principal` resolves who is subscribing. Never NULL. */
rantai_feed_server_t *
rantai_feed_server_new(void *socket,
                       rantai_store_t *store,
                       const rantai_service_def_t *def,
                       void *core,
                       const rantai_feed_server_opts_t *opts,
                       rantai_principal_fn *principal,
                       void *principal_arg);

void rantai_feed_server_destroy(rantai_feed_server_t **self);

/* Read and handle every FeedRequest waiting on the socket. */
void rantai_feed_server_recv(rantai_feed_server_t *self, int64_t now_ms);

/* Send what is due (events up to each window, heartbeats). Returns true
   if some subscriber still has events to send (call again soon). */
bool rantai_feed_server_pump(rantai_feed_server_t *self, int64_t now_ms);

/* Number of subscribers, and the largest lag (head - acked) among them. */
uint32_t rantai_feed_server_count(rantai_feed_server_t *self,
                                  uint64_t *max_lag);

#endif
