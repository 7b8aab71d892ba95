/*  feed_server.c - durable subscriptions over a ROUTER socket. */
#include "feed_server.h"

#include "evlog.h"
#include "log.h"
#include "rantai/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define S_ID_MAX 256

typedef struct s_sub_t {
    uint8_t id[S_ID_MAX]; /* routing id of the subscriber */
    size_t id_len;
    uint64_t next_seq; /* next seq to consider */
    uint64_t acked;    /* highest seq acked */
    uint64_t *ring;    /* seqs sent and not yet acked (FIFO) */
    uint32_t ring_head, ring_len, window;
    Rantai__V1__Party party;
    char party_id[RANTAI_ID_MAX + 1];
    rantai_principal_t who;
    char who_party[RANTAI_ID_MAX + 1];
    char user[48]; /* authenticated key (Z85), "" in none mode */
    int64_t last_send_ms;
    bool blocked;  /* HWM reached: retry on the next pump */
    bool no_index; /* feed_next said: walk every seq */
    struct s_sub_t *next;
} s_sub_t;

struct rantai_feed_server_t {
    void *socket;
    rantai_store_t *store;
    const rantai_service_def_t *def;
    void *core;
    rantai_feed_server_opts_t opts;
    rantai_principal_fn *principal;
    void *principal_arg;
    s_sub_t *subs;
    uint32_t count;
    rantai_arena_t *arena;
};

rantai_feed_server_t *
rantai_feed_server_new(void *socket,
                       rantai_store_t *store,
                       const rantai_service_def_t *def,
                       void *core,
                       const rantai_feed_server_opts_t *opts,
                       rantai_principal_fn *principal,
                       void *principal_arg)
{
    rantai_feed_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    self->socket = socket;
    self->store = store;
    self->def = def;
    self->core = core;
    self->opts = *opts;
    self->principal = principal;
    self->principal_arg = principal_arg;
    self->arena = rantai_arena_new();
    int on = 1;
    zmq_setsockopt(socket, ZMQ_ROUTER_MANDATORY, &on, sizeof on);
    return self;
}

static void
s_sub_free(s_sub_t *sub)
{
    free(sub->ring);
    free(sub);
}

void
rantai_feed_server_destroy(rantai_feed_server_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_feed_server_t *self = *self_p;
    while (self->subs) {
        s_sub_t *next = self->subs->next;
        s_sub_free(self->subs);
        self->subs = next;
    }
    rantai_arena_destroy(&self->arena);
    free(self);
    *self_p = NULL;
}

static s_sub_t *
s_find(rantai_feed_server_t *self, const void *id, size_t len)
{
    for (s_sub_t *s = self->subs; s; s = s->next) {
        if (s->id_len == len && memcmp(s->id, id, len) == 0) {
            return s;
        }
    }
    return NULL;
}

static void
s_drop(rantai_feed_server_t *self, s_sub_t *sub)
{
    for (s_sub_t **p = &self->subs; *p; p = &(*p)->next) {
        if (*p == sub) {
            *p = sub->next;
            s_sub_free(sub);
            self->count--;
            return;
        }
    }
}

/* Send one frame to routing id. 0, or -1 with errno (EAGAIN: subscriber's
   queue full; EHOSTUNREACH: gone). */
static int
s_send(rantai_feed_server_t *self,
       const void *id,
       size_t id_len,
       const void *data,
       size_t size)
{
    if (zmq_send(self->socket, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    /* After the identity frame was accepted the rest cannot block. */
    return zmq_send(self->socket, data, size, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

static int
s_send_msg(rantai_feed_server_t *self,
           const void *id,
           size_t id_len,
           const Rantai__V1__FeedMessage *msg)
{
    size_t size = 0;
    void *buf = rantai_encode(&msg->base, self->arena, &size);
    return s_send(self, id, id_len, buf, size);
}

static void
s_send_error(rantai_feed_server_t *self,
             const void *id,
             size_t id_len,
             int code,
             const char *message)
{
    Rantai__V1__Reply reply = RANTAI__V1__REPLY__INIT;
    reply.code = (Rantai__V1__StatusCode) code;
    reply.message = (char *) message;
    Rantai__V1__FeedMessage msg = RANTAI__V1__FEED_MESSAGE__INIT;
    msg.body_case = RANTAI__V1__FEED_MESSAGE__BODY_ERROR;
    msg.error = &reply;
    s_send_msg(self, id, id_len, &msg);
}

static int
s_authorize(rantai_feed_server_t *self,
            const rantai_principal_t *who,
            const Rantai__V1__Party *party)
{
    if (self->def->feed_authorize) {
        return self->def->feed_authorize(self->core, who, party);
    }
    return who->role == RANTAI_ROLE_ADMIN || who->role == RANTAI_ROLE_SERVICE
               ? 0
               : RANTAI_EDENIED;
}

static void
s_subscribe(rantai_feed_server_t *self,
            const void *id,
            size_t id_len,
            const rantai_principal_t *who,
            const char *user,
            const Rantai__V1__Subscribe *req,
            int64_t now_ms)
{
    Rantai__V1__Party all = RANTAI__V1__PARTY__INIT;
    const Rantai__V1__Party *party = req->party ? req->party : &all;
    bool party_ok = rantai_enum_defined(&rantai__v1__party_kind__descriptor,
                                        (int) party->kind) &&
                    (party->id[0] == '\0' || rantai_id_valid(party->id));
    if (!party_ok) {
        s_send_error(self, id, id_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT,
                     "subscribe.party: unknown kind or malformed id");
        return;
    }
    if (s_authorize(self, who, party) != 0) {
        rantai_log_limited(RANTAI_LOG_WARN, "feed",
                           "subscription refused for role %d", who->role);
        s_send_error(self, id, id_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED,
                     "not allowed to subscribe for this party");
        return;
    }
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(self->store, &txn) != 0) {
        s_send_error(self, id, id_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_UNAVAILABLE,
                     "store unavailable");
        return;
    }
    uint64_t first = rantai_evlog_first(txn);
    rantai_txn_abort(&txn);
    if (req->from_seq != 0 && req->from_seq < first) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "from_seq %llu is no longer retained; oldest is %llu",
                 (unsigned long long) req->from_seq,
                 (unsigned long long) first);
        s_send_error(self, id, id_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_OUT_OF_RANGE, msg);
        return;
    }
    s_sub_t *sub = s_find(self, id, id_len);
    if (!sub) {
        if (self->count >= self->opts.max_subscribers || id_len > S_ID_MAX) {
            s_send_error(
                self, id, id_len,
                RANTAI__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED,
                "too many subscribers");
            return;
        }
        sub = calloc(1, sizeof *sub);
        if (!sub) {
            abort();
        }
        memcpy(sub->id, id, id_len);
        sub->id_len = id_len;
        sub->next = self->subs;
        self->subs = sub;
        self->count++;
    }
    /* A new Subscribe on a known routing id restarts that subscription. */
    uint32_t window = req->window ? req->window : self->opts.default_window;
    if (window > self->opts.max_window) {
        window = self->opts.max_window;
    }
    if (window != sub->window || !sub->ring) {
        free(sub->ring);
        sub->ring = calloc(window, sizeof *sub->ring);
        if (!sub->ring) {
            abort();
        }
    }
    sub->window = window;
    sub->ring_head = sub->ring_len = 0;
    sub->next_seq = req->from_seq ? req->from_seq : first;
    sub->acked = sub->next_seq - 1;
    sub->party.kind = party->kind;
    snprintf(sub->party_id, sizeof sub->party_id, "%s", party->id);
    sub->party.id = sub->party_id;
    sub->who.role = who->role;
    snprintf(sub->who_party, sizeof sub->who_party, "%s", who->party);
    sub->who.party = sub->who_party;
    snprintf(sub->user, sizeof sub->user, "%s", user ? user : "");
    sub->blocked = false;
    sub->no_index = false;
    /* Heartbeat at once: the subscriber learns the head and that it is
       subscribed, even if there is nothing to send. */
    sub->last_send_ms = now_ms - self->opts.heartbeat_ms;
}

static void
s_ack(s_sub_t *sub, uint64_t seq)
{
    if (seq > sub->acked) {
        sub->acked = seq;
    }
    while (sub->ring_len > 0 && sub->ring[sub->ring_head] <= sub->acked) {
        sub->ring_head = (sub->ring_head + 1) % sub->window;
        sub->ring_len--;
    }
}

static void
s_handle(rantai_feed_server_t *self,
         zmq_msg_t *id,
         zmq_msg_t *body,
         int64_t now_ms)
{
    rantai_principal_t who = {RANTAI_ROLE_NONE, ""};
    char party[RANTAI_ID_MAX + 1] = "";
    self->principal(self->principal_arg, body, NULL, &who, party, sizeof party);
    who.party = party;
    const char *user = zmq_msg_gets(body, "User-Id");
    const void *rid = zmq_msg_data(id);
    size_t rid_len = zmq_msg_size(id);
    Rantai__V1__FeedRequest *req = (Rantai__V1__FeedRequest *) rantai_decode(
        &rantai__v1__feed_request__descriptor, zmq_msg_data(body),
        zmq_msg_size(body), RANTAI_DEFAULT_MAX_MSG, self->arena);
    if (!req) {
        rantai_log_limited(RANTAI_LOG_WARN, "feed",
                           "malformed FeedRequest (%zu bytes)",
                           zmq_msg_size(body));
        s_send_error(self, rid, rid_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT,
                     "not a FeedRequest");
        return;
    }
    if (req->body_case == RANTAI__V1__FEED_REQUEST__BODY_SUBSCRIBE) {
        s_subscribe(self, rid, rid_len, &who, user, req->subscribe, now_ms);
    } else if (req->body_case == RANTAI__V1__FEED_REQUEST__BODY_ACK) {
        s_sub_t *sub = s_find(self, rid, rid_len);
        if (sub && strcmp(sub->user, user ? user : "") != 0) {
            /* Another key behind a known routing id: the subscription
               belongs to its key only. */
            rantai_log_limited(RANTAI_LOG_WARN, "feed",
                               "ack from another key; subscription ended");
            s_drop(self, sub);
        } else if (sub) {
            s_ack(sub, req->ack);
        }
    } else {
        s_send_error(self, rid, rid_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT,
                     "FeedRequest without subscribe or ack");
    }
}

void
rantai_feed_server_recv(rantai_feed_server_t *self, int64_t now_ms)
{
    /* Bounded so a flood of acks cannot starve the loop. */
    for (int n = 0; n < 1000; n++) {
        zmq_msg_t frames[3];
        int count = 0;
        int more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, self->socket, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&part);
                for (int i = 0; i < count; i++) {
                    zmq_msg_close(&frames[i]);
                }
                return; /* EAGAIN: nothing more to read */
            }
            more = zmq_msg_more(&part);
            if (count < 3) {
                frames[count++] = part;
            } else {
                zmq_msg_close(&part); /* extra frames: ignored */
                count = 4;
            }
        }
        if (count == 2) {
            s_handle(self, &frames[0], &frames[1], now_ms);
        } else {
            rantai_log_limited(RANTAI_LOG_WARN, "feed",
                               "dropped a feed message of %d frames", count);
        }
        for (int i = 0; i < count && i < 3; i++) {
            zmq_msg_close(&frames[i]);
        }
        rantai_arena_reset(self->arena);
    }
}

/* Wrap packed Event bytes as FeedMessage{event} without re-encoding:
   field 1, wire type 2, varint length, bytes. */
static void *
s_wrap_event(rantai_arena_t *arena,
             const void *ev,
             size_t size,
             size_t *out_size)
{
    uint8_t *buf = rantai_arena_alloc(arena, size + 11);
    size_t n = 0;
    buf[n++] = 0x0a;
    size_t len = size;
    do {
        uint8_t b = (uint8_t) (len & 0x7f);
        len >>= 7;
        buf[n++] = len ? (uint8_t) (b | 0x80) : b;
    } while (len);
    memcpy(buf + n, ev, size);
    *out_size = n + size;
    return buf;
}

/* The bytes to send for the event at v for sub: NULL if filtered out. */
static void *
s_visible(rantai_feed_server_t *self,
          rantai_txn_t *txn,
          s_sub_t *sub,
          const rantai_val_t *v,
          size_t *size)
{
    if (!self->def->feed_filter) {
        return s_wrap_event(self->arena, v->data, v->size, size);
    }
    rantai_event_t *ev = (rantai_event_t *) rantai_decode(
        &rantai__v1__event__descriptor, v->data, v->size, SIZE_MAX,
        self->arena);
    if (!ev) {
        rantai_log_error("feed", "event log entry does not unpack");
        return NULL;
    }
    rantai_event_t *out = NULL;
    if (self->def->feed_filter(self->core, txn, &sub->who, &sub->party, ev,
                               self->arena, &out) != 0 ||
        !out) {
        return NULL;
    }
    if (out == ev) {
        return s_wrap_event(self->arena, v->data, v->size, size);
    }
    size_t ev_size = 0;
    void *packed = rantai_encode(&out->base, self->arena, &ev_size);
    return s_wrap_event(self->arena, packed, ev_size, size);
}

/* Move sub->next_seq to the next seq its party may see, by the
   service's index (feed_next) when it has one: a cooperative back after
   a day walks its own seqs only. False when nothing up to head is left
   to consider (next_seq is then head + 1). */
static bool
s_skip_invisible(rantai_feed_server_t *self,
                 rantai_txn_t *txn,
                 s_sub_t *sub,
                 uint64_t head)
{
    if (!self->def->feed_next || sub->no_index) {
        return true;
    }
    uint64_t next = 0;
    int rc = self->def->feed_next(self->core, txn, &sub->who, &sub->party,
                                  sub->next_seq, &next);
    if (rc == RANTAI_EUNIMPL) {
        sub->no_index = true; /* this subscription sees (nearly) all */
        return true;
    }
    if (rc == RANTAI_ENOTFOUND || (rc == 0 && next > head)) {
        sub->next_seq = head + 1;
        return false;
    }
    if (rc != 0) {
        return false; /* store trouble: try again on the next pump */
    }
    if (next > sub->next_seq) {
        sub->next_seq = next;
    }
    return true;
}

/* Send up to the window / batch to one subscriber. True if more remain. */
static bool
s_pump_one(rantai_feed_server_t *self,
           rantai_txn_t *txn,
           s_sub_t *sub,
           uint64_t first,
           uint64_t head,
           int64_t now_ms,
           bool *gone)
{
    uint32_t sent = 0;
    uint32_t scanned = 0;
    if (sub->next_seq < first && sub->next_seq <= head) {
        /* Retention pruned what this subscriber had not yet been sent:
           what it may have been entitled to is gone. Say so. */
        s_send_error(self, sub->id, sub->id_len,
                     RANTAI__V1__STATUS_CODE__STATUS_CODE_OUT_OF_RANGE,
                     "events pruned by retention before delivery");
        *gone = true;
        return false;
    }
    /* Both bounds: a party that sees few events must not make one pump
       walk the whole log (the feed_next index makes that rare). */
    while (sub->next_seq <= head && sub->ring_len < sub->window &&
           sent < self->opts.batch && scanned++ < 16 * self->opts.batch) {
        if (!s_skip_invisible(self, txn, sub, head)) {
            break;
        }
        rantai_val_t v;
        int rc = rantai_evlog_get(txn, sub->next_seq, &v);
        if (rc == RANTAI_ENOTFOUND) {
            /* Pruned under a slow subscriber: tell it, end the stream. */
            s_send_error(self, sub->id, sub->id_len,
                         RANTAI__V1__STATUS_CODE__STATUS_CODE_OUT_OF_RANGE,
                         "events pruned by retention before delivery");
            *gone = true;
            return false;
        }
        if (rc != 0) {
            return false;
        }
        size_t size = 0;
        void *frame = s_visible(self, txn, sub, &v, &size);
        if (frame) {
            if (s_send(self, sub->id, sub->id_len, frame, size) != 0) {
                *gone = errno == EHOSTUNREACH;
                sub->blocked = errno == EAGAIN;
                return false;
            }
            uint32_t tail = (sub->ring_head + sub->ring_len) % sub->window;
            sub->ring[tail] = sub->next_seq;
            sub->ring_len++;
            sub->last_send_ms = now_ms;
            sent++;
        }
        sub->next_seq++;
    }
    if (now_ms - sub->last_send_ms >= self->opts.heartbeat_ms) {
        Rantai__V1__Heartbeat hb = RANTAI__V1__HEARTBEAT__INIT;
        hb.head_seq = head;
        Rantai__V1__FeedMessage msg = RANTAI__V1__FEED_MESSAGE__INIT;
        msg.body_case = RANTAI__V1__FEED_MESSAGE__BODY_HEARTBEAT;
        msg.heartbeat = &hb;
        if (s_send_msg(self, sub->id, sub->id_len, &msg) == 0) {
            sub->last_send_ms = now_ms;
        } else {
            *gone = errno == EHOSTUNREACH;
        }
    }
    return sub->next_seq <= head && sub->ring_len < sub->window;
}

/* A subscription lives as long as its key keeps the rights it was
   granted with (keys can be revoked while subscribed). */
static bool
s_still_allowed(rantai_feed_server_t *self, s_sub_t *sub)
{
    if (!sub->user[0]) {
        return true; /* none mode: nothing to revoke */
    }
    rantai_principal_t now = {RANTAI_ROLE_NONE, ""};
    char party[RANTAI_ID_MAX + 1] = "";
    self->principal(self->principal_arg, NULL, sub->user, &now, party,
                    sizeof party);
    return now.role == sub->who.role && strcmp(party, sub->who_party) == 0;
}

bool
rantai_feed_server_pump(rantai_feed_server_t *self, int64_t now_ms)
{
    if (!self->subs) {
        return false;
    }
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(self->store, &txn) != 0) {
        return false;
    }
    uint64_t head = rantai_evlog_head(txn);
    uint64_t first = rantai_evlog_first(txn);
    bool more = false;
    s_sub_t *sub = self->subs;
    while (sub) {
        s_sub_t *next = sub->next;
        bool gone = false;
        sub->blocked = false;
        if (!s_still_allowed(self, sub)) {
            s_send_error(self, sub->id, sub->id_len,
                         RANTAI__V1__STATUS_CODE__STATUS_CODE_PERMISSION_DENIED,
                         "key revoked or rights changed");
            rantai_log_info("feed", "subscription ended: its key lost "
                                    "its rights");
            s_drop(self, sub);
            sub = next;
            continue;
        }
        if (s_pump_one(self, txn, sub, first, head, now_ms, &gone)) {
            more = true;
        }
        rantai_arena_reset(self->arena);
        if (gone) {
            rantai_log_info("feed", "subscriber gone at seq %llu",
                            (unsigned long long) sub->next_seq);
            s_drop(self, sub);
        }
        sub = next;
    }
    rantai_txn_abort(&txn);
    return more;
}

uint32_t
rantai_feed_server_count(rantai_feed_server_t *self, uint64_t *max_lag)
{
    if (max_lag) {
        *max_lag = 0;
        rantai_txn_t *txn = NULL;
        if (rantai_store_read(self->store, &txn) == 0) {
            uint64_t head = rantai_evlog_head(txn);
            rantai_txn_abort(&txn);
            for (s_sub_t *s = self->subs; s; s = s->next) {
                uint64_t lag = head > s->acked ? head - s->acked : 0;
                if (lag > *max_lag) {
                    *max_lag = lag;
                }
            }
        }
    }
    return self->count;
}
