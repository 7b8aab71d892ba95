/*  matcher_server.c - glue between the shared server and the matcher
    core: settings, the two upstream registry subscriptions (applied in
    batches, one durable write per batch, acked after commit) and the
    expiry timer. No rules here. */
#include "matcher_server.h"

#include "log.h"
#include "matcher_core.h"
#include "matcher_feedidx.h"
#include "matcher_metrics.h"
#include "rantai/err.h"
#include "rantai/feed.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#define S_BATCH_MAX 1000
#define S_TICK_MS   200

const rantai_setting_t matcher_settings[] = {
    {"matcher/producer_feed", "producer-feed", RANTAI_CFG_ENDPOINT,
     "tcp://127.0.0.1:7402", 0, 0, NULL,
     "feed endpoint of the producer registry"},
    {"matcher/buyer_feed", "buyer-feed", RANTAI_CFG_ENDPOINT,
     "tcp://127.0.0.1:7412", 0, 0, NULL, "feed endpoint of the buyer registry"},
    {"matcher/accept_timeout", "accept-timeout", RANTAI_CFG_DURATION, "48h",
     1000, 366LL * 24 * 3600 * 1000, NULL,
     "a PROPOSED allocation older than this EXPIRES"},
    {"security/client_cert", "client-cert", RANTAI_CFG_STRING, NULL, 0, 0, NULL,
     "our secret certificate as a client of the registries (curve)"},
    {"security/producer_key", "producer-key", RANTAI_CFG_STRING, NULL, 0, 0,
     NULL, "public key (Z85) of the producer registry (curve)"},
    {"security/buyer_key", "buyer-key", RANTAI_CFG_STRING, NULL, 0, 0, NULL,
     "public key (Z85) of the buyer registry (curve)"},
    {NULL, NULL, RANTAI_CFG_STRING, NULL, 0, 0, NULL, NULL},
};

/* One upstream subscription and the batch being applied from it. */
typedef struct {
    int source; /* MATCHER_SOURCE_* */
    const char *name;
    rantai_feed_sub_t *sub;
    rantai_arena_t *batch_arena;
    rantai_event_t *batch[S_BATCH_MAX];
    size_t n; /* events waiting to be applied */
} s_upstream_t;

/* Process-wide: the service hooks receive only the core pointer. */
static struct {
    matcher_core_t *core;
    rantai_arena_t *tmp; /* temporaries of one write callback */
    s_upstream_t up[2];
} s_app;

static int
s_apply_batch(rantai_txn_t *txn, void *arg)
{
    s_upstream_t *u = arg;
    rantai_arena_reset(s_app.tmp); /* re-runnable after map growth */
    for (size_t i = 0; i < u->n; i++) {
        int rc = matcher_core_apply(s_app.core, txn, s_app.tmp, u->source,
                                    u->batch[i]);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Apply what is waiting; on failure keep it for the next tick (the
   subscriber has moved past it, so it must not be dropped). */
static int
s_flush(rantai_server_t *server, s_upstream_t *u)
{
    if (u->n == 0) {
        return 0;
    }
    int64_t t0 = zclock_usecs();
    int rc = rantai_server_write(server, s_apply_batch, u);
    rantai_arena_reset(s_app.tmp);
    if (rc == 0) {
        matcher_metrics_settled((zclock_usecs() - t0) * 1000, u->n);
    }
    if (rc != 0) {
        rantai_log_error("matcher", "applying %zu %s events failed: %s", u->n,
                         u->name, rantai_strerror(rc));
        return rc;
    }
    uint64_t last = u->batch[u->n - 1]->seq;
    rantai_feed_sub_ack(u->sub, last);
    u->n = 0;
    rantai_arena_reset(u->batch_arena);
    return 0;
}

static void
s_drain(rantai_server_t *server, s_upstream_t *u)
{
    if (u->sub == NULL || s_flush(server, u) != 0) {
        return;
    }
    for (;;) {
        while (u->n < S_BATCH_MAX) {
            rantai_event_t *ev = NULL;
            rantai_reply_t *err = NULL;
            int rc = rantai_feed_sub_next(u->sub, u->batch_arena, 0, &ev, &err);
            if (rc == 1 && ev != NULL) {
                u->batch[u->n++] = ev;
                continue;
            }
            if (rc == RANTAI_EPROTO && err != NULL) {
                rantai_log_limited(RANTAI_LOG_ERROR, "matcher",
                                   "%s feed refused us: %s %s", u->name,
                                   rantai_status_name(err->code),
                                   err->message != NULL ? err->message : "");
            }
            break;
        }
        bool full = u->n == S_BATCH_MAX;
        if (u->n == 0) {
            rantai_arena_reset(u->batch_arena); /* heartbeats, errors */
            return;
        }
        if (s_flush(server, u) != 0 || !full) {
            return;
        }
    }
}

static int
s_on_readable(rantai_server_t *server, void *socket, void *arg)
{
    (void) socket;
    s_drain(server, arg);
    return 0;
}

static int
s_parse_duration(const char *text, int64_t *out)
{
    char *end = NULL;
    if (text == NULL || !isdigit((unsigned char) text[0])) {
        return RANTAI_EINVAL;
    }
    long long v = strtoll(text, &end, 10);
    int64_t mul = 1;
    if (strcmp(end, "") == 0 || strcmp(end, "ms") == 0) {
        mul = 1;
    } else if (strcmp(end, "s") == 0) {
        mul = 1000;
    } else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) {
        mul = 60 * 1000;
    } else if (strcmp(end, "h") == 0) {
        mul = 3600 * 1000;
    } else if (strcmp(end, "d") == 0) {
        mul = 24 * 3600 * 1000;
    } else {
        return RANTAI_EINVAL;
    }
    *out = (int64_t) v * mul;
    return 0;
}

static int
s_start_upstream(rantai_server_t *server,
                 s_upstream_t *u,
                 const char *endpoint,
                 const char *key,
                 uint64_t applied)
{
    rantai_security_t sec = {
        .client_cert = rantai_server_setting(server, "security/client_cert"),
        .server_key = key,
    };
    rantai_feed_opts_t opts = {
        .from_seq = applied + 1,
        .party_kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL,
        .security = sec.client_cert != NULL && key != NULL ? &sec : NULL,
    };
    u->batch_arena = rantai_arena_new();
    u->sub = rantai_feed_sub_new(endpoint, &opts);
    if (u->sub == NULL) {
        rantai_log_error("matcher", "cannot subscribe to the %s feed at %s",
                         u->name, endpoint);
        return RANTAI_EINVAL;
    }
    rantai_log_info("matcher", "following the %s feed at %s from seq %llu",
                    u->name, endpoint, (unsigned long long) (applied + 1));
    return rantai_server_add_reader(server, rantai_feed_sub_socket(u->sub),
                                    s_on_readable, u);
}

static int
s_start(void *core, rantai_server_t *server)
{
    s_app.core = core;
    s_app.tmp = rantai_arena_new();
    int64_t timeout = MATCHER_ACCEPT_TIMEOUT_MS;
    const char *t = rantai_server_setting(server, "matcher/accept_timeout");
    if (t != NULL && s_parse_duration(t, &timeout) != 0) {
        rantai_log_error("matcher", "setting matcher/accept_timeout: bad %s",
                         t);
        return RANTAI_EINVAL;
    }
    matcher_core_set_accept_timeout(s_app.core, timeout);

    rantai_txn_t *txn = NULL;
    int rc = rantai_store_read(rantai_server_store(server), &txn);
    if (rc != 0) {
        return rc;
    }
    uint64_t pseq = matcher_core_applied_seq(txn, MATCHER_SOURCE_PRODUCER);
    uint64_t bseq = matcher_core_applied_seq(txn, MATCHER_SOURCE_BUYER);
    rantai_txn_abort(&txn);

    s_app.up[0] =
        (s_upstream_t){.source = MATCHER_SOURCE_PRODUCER, .name = "producer"};
    s_app.up[1] =
        (s_upstream_t){.source = MATCHER_SOURCE_BUYER, .name = "buyer"};
    rc = s_start_upstream(
        server, &s_app.up[0],
        rantai_server_setting(server, "matcher/producer_feed"),
        rantai_server_setting(server, "security/producer_key"), pseq);
    if (rc == 0) {
        rc = s_start_upstream(
            server, &s_app.up[1],
            rantai_server_setting(server, "matcher/buyer_feed"),
            rantai_server_setting(server, "security/buyer_key"), bseq);
    }
    /* not ready until both registries have been heard from */
    rantai_server_set_ready(server, false);
    return rc;
}

static int
s_expire(rantai_txn_t *txn, void *arg)
{
    const int64_t *now = arg;
    return matcher_core_expire(s_app.core, txn, *now, 0, NULL);
}

static void
s_tick(void *core, rantai_server_t *server, int64_t now_ms)
{
    (void) core;
    bool ready = true;
    for (int i = 0; i < 2; i++) {
        s_upstream_t *u = &s_app.up[i];
        /* also drives silence detection and resubscription */
        s_drain(server, u);
        ready =
            ready && u->sub != NULL && rantai_feed_sub_silent_ms(u->sub) < 3000;
    }
    rantai_server_set_ready(server, ready);
    /* look before writing: an empty write would still cost an fsync */
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(rantai_server_store(server), &txn) != 0) {
        return;
    }
    bool due = matcher_core_expiry_due(s_app.core, txn, now_ms);
    rantai_txn_abort(&txn);
    if (!due) {
        return;
    }
    int rc = rantai_server_write(server, s_expire, &now_ms);
    if (rc != 0) {
        rantai_log_error("matcher", "expiry failed: %s", rantai_strerror(rc));
    }
}

const rantai_service_def_t matcher_service = {
    .name = "matcher",
    .db_names = matcher_db_names,
    .db_count = MATCHER_DB_COUNT,
    .is_write = matcher_is_write,
    .handle = matcher_handle,
    .feed_authorize = matcher_feed_authorize,
    .feed_filter = matcher_feed_filter,
    .feed_next = matcher_feed_next,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = S_TICK_MS,
    .committed = matcher_metrics_committed,
    .metrics = matcher_metrics_render,
};

int
matcher_server_main(int argc, char **argv)
{
    static const char *const defaults[][2] = {
        {"service/api", "tcp://127.0.0.1:7421"},
        {"service/feed", "tcp://127.0.0.1:7422"},
        {"service/http", "127.0.0.1:9421"},
        {NULL, NULL},
    };
    s_app.core = matcher_core_new(0);
    int rc = rantai_server_main(&matcher_service, s_app.core, matcher_settings,
                                defaults, argc, argv);
    for (int i = 0; i < 2; i++) {
        rantai_feed_sub_destroy(&s_app.up[i].sub);
        rantai_arena_destroy(&s_app.up[i].batch_arena);
    }
    rantai_arena_destroy(&s_app.tmp);
    matcher_core_destroy(&s_app.core);
    return rc;
}
