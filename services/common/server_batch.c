/*  server_batch.c - the group-commit request path of the server loop:
    read the waiting requests, handle them in one durable write (each
    write in a child transaction) or one read snapshot, and reply only
    once the batch is committed. */
#include "log.h"
#include "rantai/err.h"
#include "server_int.h"

#include <string.h>
#include <time.h>

static int64_t
s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
s_item_reset(rantai_server_item_t *item)
{
    for (int i = 0; i < item->nenv; i++) {
        zmq_msg_close(&item->env[i]);
    }
    item->nenv = 0;
}

/* Read one multipart request into item; false when nothing is waiting. */
static bool
s_recv_item(rantai_server_t *self, rantai_server_item_t *item)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, self->api_h, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&part);
        return false;
    }
    memset(item, 0, sizeof *item);
    item->t0_ns = s_now_ns();
    int nframes = 1;
    while (zmq_msg_more(&part)) {
        if (item->nenv < RANTAI_SERVER_ENV_MAX) {
            item->env[item->nenv++] = part;
        } else {
            zmq_msg_close(&part);
        }
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, self->api_h, 0) < 0) {
            break;
        }
        nframes++;
    }
    rantai__v1__reply__init(&item->reply);
    rantai_auth_principal(self->auth, &part, NULL, &item->who, item->party,
                          sizeof item->party);
    item->who.party = item->party;
    if (item->nenv == 0 || nframes > RANTAI_SERVER_ENV_MAX + 1) {
        /* Not from a ROUTER peer we can answer, or a flood of frames. */
        rantai_log_limited(RANTAI_LOG_WARN, "api",
                           "dropped a message of %d frames", nframes);
        zmq_msg_close(&part);
        s_item_reset(item);
        item->nenv = -1;
        return true;
    }
    item->req = (rantai_request_t *) rantai_decode(
        &rantai__v1__request__descriptor, zmq_msg_data(&part),
        zmq_msg_size(&part), self->max_msg, self->arena);
    if (!item->req) {
        rantai_log_limited(RANTAI_LOG_WARN, "api",
                           "malformed request of %zu bytes",
                           zmq_msg_size(&part));
        rantai_reply_error(
            &item->reply, self->arena,
            RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT, NULL,
            "frame is not a valid rantai.v1.Request");
    } else if (item->req->body_case == RANTAI__V1__REQUEST__BODY__NOT_SET) {
        rantai_reply_error(
            &item->reply, self->arena,
            RANTAI__V1__STATUS_CODE__STATUS_CODE_INVALID_ARGUMENT, "body",
            "request has no body");
        item->reply.request_id = item->req->request_id;
        item->req = NULL;
    } else {
        item->write = self->def->is_write(item->req);
    }
    zmq_msg_close(&part);
    return true;
}

static int
s_handle_one(rantai_server_t *self,
             rantai_server_item_t *item,
             rantai_txn_t *txn,
             int64_t now_ms)
{
    rantai__v1__reply__init(&item->reply);
    item->reply.request_id = item->req->request_id;
    rantai_ctx_t ctx = {txn, self->arena, now_ms, &item->who};
    rantai_txn_t *child = NULL;
    if (item->write) {
        int rc = rantai_txn_child(txn, &child);
        if (rc != 0) {
            return rc == RANTAI_EMAPFULL ? rc : RANTAI_EIO;
        }
        ctx.txn = child;
    }
    int rc = self->def->handle(self->core, &ctx, item->req, &item->reply);
    if (rc == RANTAI_EMAPFULL) {
        rantai_txn_abort(&child);
        return rc;
    }
    if (rc < 0) {
        rantai_log_error("api", "%s failed: %s", rantai_request_name(item->req),
                         rantai_strerror(rc));
        rantai__v1__reply__init(&item->reply);
        item->reply.request_id = item->req->request_id;
        rantai_reply_error(&item->reply, self->arena, rantai_err_status(rc),
                           NULL, "%s", rantai_strerror(rc));
    }
    if (!child) {
        return 0;
    }
    if (item->reply.code != RANTAI__V1__STATUS_CODE__STATUS_CODE_OK) {
        rantai_txn_abort(&child);
        return 0;
    }
    return rantai_txn_commit(&child);
}

typedef struct {
    rantai_server_t *self;
    int64_t now_ms;
    bool reads_only;
} s_batch_t;

static int
s_batch_cb(rantai_txn_t *txn, void *arg)
{
    s_batch_t *b = arg;
    rantai_server_t *self = b->self;
    for (int i = 0; i < self->nitems; i++) {
        rantai_server_item_t *item = &self->items[i];
        if (!item->req || (b->reads_only && item->write)) {
            continue;
        }
        int rc = s_handle_one(self, item, txn, b->now_ms);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* When the batch cannot commit, its writes fail and its reads are
   answered again from a snapshot that excludes them. */
static void
s_batch_failed(rantai_server_t *self, int rc, s_batch_t *b)
{
    int code = rc == RANTAI_ENOSPC
                   ? RANTAI__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED
                   : RANTAI__V1__STATUS_CODE__STATUS_CODE_INTERNAL;
    rantai_log_limited(RANTAI_LOG_ERROR, "api", "batch of %d not committed: %s",
                       self->nitems, rantai_strerror(rc));
    b->reads_only = true;
    rantai_txn_t *txn = NULL;
    int read_rc = rantai_store_read(self->store, &txn);
    if (read_rc == 0) {
        read_rc = s_batch_cb(txn, b);
        rantai_txn_abort(&txn);
    }
    for (int i = 0; i < self->nitems; i++) {
        rantai_server_item_t *item = &self->items[i];
        if (!item->req || (!item->write && read_rc == 0)) {
            continue;
        }
        rantai__v1__reply__init(&item->reply);
        item->reply.request_id = item->req->request_id;
        rantai_reply_error(&item->reply, self->arena, code, NULL,
                           rc == RANTAI_ENOSPC
                               ? "storage full: write not accepted"
                               : "storage failure: write not accepted");
    }
}

static void
s_send_replies(rantai_server_t *self)
{
    int64_t done = s_now_ns();
    for (int i = 0; i < self->nitems; i++) {
        rantai_server_item_t *item = &self->items[i];
        if (item->nenv <= 0) {
            continue;
        }
        size_t size = 0;
        void *buf = rantai_encode(&item->reply.base, self->arena, &size);
        for (int f = 0; f < item->nenv; f++) {
            zmq_msg_send(&item->env[f], self->api_h, ZMQ_SNDMORE);
            zmq_msg_init(&item->env[f]); /* sent: now empty */
        }
        zmq_send(self->api_h, buf, size, 0);
        int body = item->req ? (int) item->req->body_case : 0;
        rantai_metrics_request(&self->metrics, body, (int) item->reply.code,
                               done - item->t0_ns);
        s_item_reset(item);
    }
}

void
rantai_server_serve_batch(rantai_server_t *self)
{
    self->nitems = 0;
    bool writes = false;
    while (self->nitems < self->max_items &&
           s_recv_item(self, &self->items[self->nitems])) {
        writes |= self->items[self->nitems].write;
        self->nitems++;
    }
    if (self->nitems == 0) {
        return;
    }
    s_batch_t b = {self, rantai_server_now(self), false};
    uint64_t before = atomic_load(&self->metrics.head_seq);
    int rc = 0;
    if (writes) {
        rc = rantai_store_write(self->store, s_batch_cb, &b);
    } else {
        rantai_txn_t *txn = NULL;
        rc = rantai_store_read(self->store, &txn);
        if (rc == 0) {
            rc = s_batch_cb(txn, &b);
            rantai_txn_abort(&txn);
        }
    }
    if (rc != 0) {
        s_batch_failed(self, rc, &b);
    }
    /* Replies only now: every OK write in this batch is durable. */
    s_send_replies(self);
    rantai_arena_reset(self->arena);
    if (writes && rc == 0) {
        rantai_metrics_committed(&self->metrics, self->store, before);
        if (self->def->committed) {
            self->def->committed(self->core, self);
        }
        rantai_server_pump(self);
    }
}
