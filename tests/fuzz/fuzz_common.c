/*  fuzz_common.c - see fuzz_common.h. */
#include "fuzz_common.h"

#include "evlog.h"
#include "rantai/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char s_dir[64];

bool
fuzz_next_record(const uint8_t *data,
                 size_t size,
                 size_t *off,
                 fuzz_record_t *rec)
{
    if (*off >= size) {
        return false;
    }
    rec->selector = data[*off];
    size_t left = size - *off - 1;
    if (left < 2) {
        rec->payload = data + *off + 1;
        rec->len = left;
        *off = size;
        return true;
    }
    size_t len = (size_t) data[*off + 1] | (size_t) data[*off + 2] << 8;
    left -= 2;
    if (len > left) {
        len = left;
    }
    rec->payload = data + *off + 3;
    rec->len = len;
    *off += 3 + len;
    return true;
}

void
fuzz_principal(uint8_t selector, rantai_principal_t *who)
{
    /* The ids the seeds use: a cooperative, one of its producers, an
       independent producer, a marketplace and a buyer of it. */
    static const char *const parties[] = {"COOP-1", "PRD-1", "PRD-2", "MKT-1",
                                          "OTHER"};
    who->role = (rantai_role_t) (selector % 6);
    who->party = parties[(selector / 6) % 5];
}

static void
s_cleanup(void)
{
    if (s_dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "fuzz: could not remove %s\n", s_dir);
        }
    }
}

rantai_store_t *
fuzz_store(const char *name, const char *const *db_names, int db_count)
{
    static rantai_store_t *store;
    if (store) {
        return store;
    }
    /* tmpfs when there is one: every write commits durably, and fsync
       there costs nothing (the fuzzer wants executions, not durability). */
    struct stat st;
    const char *tmp =
        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(s_dir, sizeof s_dir, "%s/rantai-fuzz-%s-XXXXXX", tmp, name);
    if (!mkdtemp(s_dir)) {
        abort();
    }
    atexit(s_cleanup);
    if (rantai_store_open(&store, s_dir, db_names, db_count, NULL) != 0) {
        abort();
    }
    return store;
}

typedef struct {
    const rantai_service_def_t *def;
    void *core;
    rantai_ctx_t *ctx;
    const rantai_request_t *req;
    rantai_reply_t *reply;
    int rc;
} s_call_t;

static int
s_write_cb(rantai_txn_t *txn, void *arg)
{
    s_call_t *c = arg;
    rantai_txn_t *child = NULL;
    int rc = rantai_txn_child(txn, &child);
    if (rc != 0) {
        return rc;
    }
    rantai__v1__reply__init(c->reply);
    c->ctx->txn = child;
    c->rc = c->def->handle(c->core, c->ctx, c->req, c->reply);
    if (c->rc == RANTAI_EMAPFULL) {
        rantai_txn_abort(&child);
        return c->rc;
    }
    if (c->rc != 0 || c->reply->code != 0) {
        rantai_txn_abort(&child);
        return 0;
    }
    return rantai_txn_commit(&child);
}

static uint64_t
s_head(rantai_store_t *store)
{
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(store, &txn) != 0) {
        abort();
    }
    uint64_t head = rantai_evlog_head(txn);
    rantai_txn_abort(&txn);
    return head;
}

static void
s_fail(const char *what, const rantai_request_t *req, const rantai_reply_t *r)
{
    fprintf(stderr, "fuzz: %s: %s -> code %d (%s)\n", what,
            rantai_request_name(req), (int) r->code,
            r->message ? r->message : "");
    abort();
}

void
fuzz_handle(rantai_store_t *store,
            const rantai_service_def_t *def,
            void *core,
            const rantai_principal_t *who,
            const rantai_request_t *req,
            int64_t now_ms,
            rantai_arena_t *arena)
{
    rantai_reply_t reply;
    rantai__v1__reply__init(&reply);
    rantai_ctx_t ctx = {NULL, arena, now_ms, who};
    s_call_t call = {def, core, &ctx, req, &reply, 0};
    uint64_t before = s_head(store);
    if (def->is_write(req)) {
        int rc = rantai_store_write(store, s_write_cb, &call);
        if (rc != 0) {
            fprintf(stderr, "fuzz: store write failed: %s\n",
                    rantai_strerror(rc));
            abort();
        }
    } else {
        rantai_txn_t *txn = NULL;
        if (rantai_store_read(store, &txn) != 0) {
            abort();
        }
        ctx.txn = txn;
        call.rc = def->handle(core, &ctx, req, &reply);
        rantai_txn_abort(&txn);
    }
    if (call.rc != 0) {
        /* A store error on a healthy store is a bug in the handler. */
        fprintf(stderr, "fuzz: handle returned %s\n", rantai_strerror(call.rc));
        abort();
    }
    if (!rantai_enum_defined(&rantai__v1__status_code__descriptor,
                             (int) reply.code)) {
        s_fail("undefined status code", req, &reply);
    }
    if (who->role == RANTAI_ROLE_NONE && reply.code == 0) {
        s_fail("a principal without a role got OK", req, &reply);
    }
    if (reply.code != 0 && s_head(store) != before) {
        s_fail("a failed request changed the event log", req, &reply);
    }
    if (!def->is_write(req) && s_head(store) != before) {
        s_fail("a read changed the event log", req, &reply);
    }
    if (getenv("RANTAI_FUZZ_VERBOSE")) {
        fprintf(stderr, "fuzz: role %d party %s: %s -> %s %s\n",
                (int) who->role, who->party, rantai_request_name(req),
                rantai_status_name((int) reply.code),
                reply.message ? reply.message : "");
    }
    size_t size = 0;
    void *buf = rantai_encode(&reply.base, arena, &size);
    if (!rantai_decode(&rantai__v1__reply__descriptor, buf, size, SIZE_MAX,
                       arena)) {
        s_fail("the reply does not decode", req, &reply);
    }
}
