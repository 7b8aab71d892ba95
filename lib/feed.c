/*  feed.c - durable feed subscriber (see rantai/feed.h).

    The connection is a rantai_client_t used only for its socket (DEALER,
    linger 0, size limit, CURVE), so both share one security setup. A
    resubscribe reuses it; stale frames of the old subscription are
    dropped as redeliveries (seq <= last_seq), and both streams are in seq
    order, so nothing is lost or seen twice. */
#include "rantai/feed.h"

#include "rantai/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>
#include <zmq.h>

#define S_DEFAULT_DEAD_MS 3000

struct rantai_feed_sub_t {
    char *endpoint;
    char *cert; /* copies of opts->security, for reconnecting */
    char *server_key;
    char *party_id;
    int party_kind;
    uint32_t window;
    int dead_ms;
    uint64_t from_seq; /* as first asked */
    uint64_t last_seq; /* highest delivered (from_seq - 1 before any) */
    bool delivered;    /* anything delivered yet */
    uint64_t head_seq;
    int64_t last_rx; /* zclock_mono() of the last frame (or connect) */
    rantai_client_t *conn;
};

static char *
s_strdup_or_null(const char *s)
{
    if (!s) {
        return NULL;
    }
    char *d = strdup(s);
    if (!d) {
        abort();
    }
    return d;
}

static int
s_send(rantai_feed_sub_t *self, const rantai_feed_request_t *req)
{
    size_t size = protobuf_c_message_get_packed_size(&req->base);
    uint8_t buf[256]; /* a FeedRequest is tiny: ids are at most 64 bytes */
    if (size > sizeof buf) {
        return RANTAI_EINVAL;
    }
    protobuf_c_message_pack(&req->base, buf);
    void *sock = rantai_client_socket(self->conn);
    if (zmq_send(sock, buf, size, ZMQ_DONTWAIT) < 0) {
        /* EAGAIN: queue full; the subscription recovers via dead_ms. */
        return zmq_errno() == EINTR ? RANTAI_EINTR : RANTAI_EIO;
    }
    return 0;
}

/* Subscribe from where we are. The socket is made once and kept: libzmq
   reconnects a DEALER by itself and delivers what was queued, and callers
   poll this socket in their own loops. */
static int
s_subscribe(rantai_feed_sub_t *self)
{
    if (!self->conn) {
        rantai_security_t sec = {self->cert, self->server_key};
        self->conn = rantai_client_new(self->endpoint, &sec);
    }
    self->last_rx = zclock_mono();
    if (!self->conn) {
        return RANTAI_EIO;
    }
    Rantai__V1__Party party = RANTAI__V1__PARTY__INIT;
    party.kind = (Rantai__V1__PartyKind) self->party_kind;
    party.id = self->party_id ? self->party_id : (char *) "";
    Rantai__V1__Subscribe sub = RANTAI__V1__SUBSCRIBE__INIT;
    sub.from_seq = self->delivered ? self->last_seq + 1 : self->from_seq;
    sub.party = &party;
    sub.window = self->window;
    rantai_feed_request_t req = RANTAI__V1__FEED_REQUEST__INIT;
    req.body_case = RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE;
    req.subscribe = &sub;
    return s_send(self, &req);
}

rantai_feed_sub_t *
rantai_feed_sub_new(const char *endpoint, const rantai_feed_opts_t *opts)
{
    if (!endpoint || !*endpoint) {
        fprintf(stderr, "rantai: empty feed endpoint\n");
        return NULL;
    }
    rantai_feed_opts_t defaults = {0};
    if (!opts) {
        opts = &defaults;
    }
    if (opts->party_id && strlen(opts->party_id) > RANTAI_ID_MAX) {
        fprintf(stderr, "rantai: feed party id too long\n");
        return NULL;
    }
    rantai_feed_sub_t *self = calloc(1, sizeof(*self));
    if (!self) {
        abort();
    }
    self->endpoint = s_strdup_or_null(endpoint);
    if (opts->security) {
        self->cert = s_strdup_or_null(opts->security->client_cert);
        self->server_key = s_strdup_or_null(opts->security->server_key);
    }
    self->party_id = s_strdup_or_null(opts->party_id);
    self->party_kind = opts->party_kind
                           ? opts->party_kind
                           : RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    self->window = opts->window;
    self->dead_ms = opts->dead_ms > 0 ? opts->dead_ms : S_DEFAULT_DEAD_MS;
    self->from_seq = opts->from_seq;
    self->last_seq = opts->from_seq > 0 ? opts->from_seq - 1 : 0;
    if (s_subscribe(self) != 0) {
        rantai_feed_sub_destroy(&self);
        return NULL;
    }
    return self;
}

void
rantai_feed_sub_destroy(rantai_feed_sub_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_feed_sub_t *self = *self_p;
    rantai_client_destroy(&self->conn);
    free(self->endpoint);
    free(self->cert);
    free(self->server_key);
    free(self->party_id);
    free(self);
    *self_p = NULL;
}

/* An error Reply for a frame that is not a FeedMessage. */
static rantai_reply_t *
s_garbage_error(rantai_arena_t *arena)
{
    rantai_reply_t *r = RANTAI_ANEW(arena, rantai_reply_t);
    rantai__v1__reply__init(r);
    rantai_reply_error(r, arena, RANTAI__V1__STATUS_CODE__STATUS_CODE_INTERNAL,
                       NULL, "feed sent a frame that is not a FeedMessage");
    return r;
}

/* Receive one frame (socket readable). 1: event, 0: consumed (heartbeat,
   redelivery, spurious wakeup), <0: error. */
static int
s_recv_one(rantai_feed_sub_t *self,
           rantai_arena_t *arena,
           rantai_event_t **event,
           rantai_reply_t **error)
{
    void *sock = rantai_client_socket(self->conn);
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, sock, ZMQ_DONTWAIT) < 0) {
        int e = zmq_errno();
        zmq_msg_close(&frame);
        if (e == EAGAIN) {
            return 0;
        }
        return e == EINTR ? RANTAI_EINTR : RANTAI_EIO;
    }
    self->last_rx = zclock_mono();
    rantai_feed_message_t *msg = (rantai_feed_message_t *) rantai_decode(
        &rantai__v1__feed_message__descriptor, zmq_msg_data(&frame),
        zmq_msg_size(&frame), RANTAI_DEFAULT_MAX_MSG, arena);
    bool more = zmq_msg_more(&frame);
    zmq_msg_close(&frame);
    if (more) {
        /* Not in the contract: drain the rest, then complain. */
        while (zmq_msg_init(&frame) == 0 &&
               zmq_msg_recv(&frame, sock, ZMQ_DONTWAIT) >= 0 &&
               zmq_msg_more(&frame)) {
            zmq_msg_close(&frame);
        }
        zmq_msg_close(&frame);
        msg = NULL;
    }
    if (!msg) {
        if (error) {
            *error = s_garbage_error(arena);
        }
        return RANTAI_EPROTO;
    }
    switch (msg->body_case) {
        case RANTAI__V1__FEED_MESSAGE__BODY_EVENT:
            if (!msg->event || msg->event->seq <= self->last_seq) {
                return 0; /* redelivery after a resubscribe */
            }
            self->last_seq = msg->event->seq;
            self->delivered = true;
            *event = msg->event;
            return 1;
        case RANTAI__V1__FEED_MESSAGE__BODY_HEARTBEAT:
            if (msg->heartbeat) {
                self->head_seq = msg->heartbeat->head_seq;
            }
            return 0;
        case RANTAI__V1__FEED_MESSAGE__BODY_ERROR:
            if (error) {
                *error = msg->error ? msg->error : s_garbage_error(arena);
            }
            return RANTAI_EPROTO;
        default:
            return 0; /* an empty message: harmless, ignore */
    }
}

int
rantai_feed_sub_next(rantai_feed_sub_t *self,
                     rantai_arena_t *arena,
                     int timeout_ms,
                     rantai_event_t **event,
                     rantai_reply_t **error)
{
    if (!self || !arena || !event) {
        return RANTAI_EINVAL;
    }
    int64_t deadline = zclock_mono() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        int64_t now = zclock_mono();
        if (now - self->last_rx >= self->dead_ms) {
            /* Silent too long: subscribe again from last_seq + 1. If even
               that fails, try again after dead_ms. */
            s_subscribe(self);
            now = zclock_mono();
        }
        int64_t wait = deadline - now;
        int64_t dead_left = self->last_rx + self->dead_ms - now;
        if (dead_left < wait) {
            wait = dead_left;
        }
        if (wait < 0) {
            wait = 0;
        }
        int rc;
        if (self->conn) {
            zmq_pollitem_t item = {rantai_client_socket(self->conn), 0,
                                   ZMQ_POLLIN, 0};
            rc = zmq_poll(&item, 1, (long) wait);
        } else {
            rc = zmq_poll(NULL, 0, (long) wait); /* just wait */
        }
        if (rc < 0) {
            return zmq_errno() == EINTR ? RANTAI_EINTR : RANTAI_EIO;
        }
        if (rc > 0) {
            rc = s_recv_one(self, arena, event, error);
            if (rc != 0) {
                return rc;
            }
        }
        if (zclock_mono() >= deadline) {
            return 0;
        }
    }
}

int
rantai_feed_sub_ack(rantai_feed_sub_t *self, uint64_t seq)
{
    if (!self) {
        return RANTAI_EINVAL;
    }
    if (!self->conn) {
        return 0; /* the next subscribe implies the ack */
    }
    rantai_feed_request_t req = RANTAI__V1__FEED_REQUEST__INIT;
    req.body_case = RANTAI__V1__FEED_REQUEST__BODY_ACK;
    req.ack = seq;
    return s_send(self, &req);
}

uint64_t
rantai_feed_sub_last_seq(rantai_feed_sub_t *self)
{
    return self ? self->last_seq : 0;
}

uint64_t
rantai_feed_sub_head_seq(rantai_feed_sub_t *self)
{
    return self ? self->head_seq : 0;
}

int64_t
rantai_feed_sub_silent_ms(rantai_feed_sub_t *self)
{
    return self ? zclock_mono() - self->last_rx : 0;
}

void *
rantai_feed_sub_socket(rantai_feed_sub_t *self)
{
    return self && self->conn ? rantai_client_socket(self->conn) : NULL;
}
