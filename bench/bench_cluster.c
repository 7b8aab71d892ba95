/*  bench_cluster.c - see bench_cluster.h. */
#include "bench_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

static const char *const s_names[BC_COUNT] = {"producer", "buyer", "matcher"};

/* Save a new certificate: public part into certs_dir (when given), secret
   part to secret_path. Returns the cert (caller destroys) or NULL. */
static zcert_t *
s_make_cert(const char *role, const char *public_path, const char *secret_path)
{
    zcert_t *cert = zcert_new();
    if (!cert) {
        return NULL;
    }
    if (role) {
        zcert_set_meta(cert, "role", "%s", role);
    }
    if ((public_path && zcert_save_public(cert, public_path) != 0) ||
        zcert_save_secret(cert, secret_path) != 0) {
        zcert_destroy(&cert);
    }
    return cert;
}

int
bc_init(bc_cluster_t *c,
        const char *work,
        const char *name,
        const char *bin_dir,
        bool curve)
{
    memset(c, 0, sizeof *c);
    snprintf(c->root, sizeof c->root, "%s/%s", work, name);
    snprintf(c->bin_dir, sizeof c->bin_dir, "%s", bin_dir);
    bu_rmrf(c->root);
    bu_mkdirs(c->root);
    c->curve = curve;
    char path[700];
    for (int s = 0; s < BC_COUNT; s++) {
        bc_svc_t *v = &c->svc[s];
        snprintf(v->api, sizeof v->api, "tcp://127.0.0.1:%d", bu_free_port());
        snprintf(v->feed, sizeof v->feed, "tcp://127.0.0.1:%d", bu_free_port());
        snprintf(v->http, sizeof v->http, "127.0.0.1:%d", bu_free_port());
        snprintf(v->data_dir, sizeof v->data_dir, "%s/data-%s", c->root,
                 s_names[s]);
        snprintf(v->log_path, sizeof v->log_path, "%s/%s.log", c->root,
                 s_names[s]);
    }
    if (!curve) {
        return 0;
    }
    snprintf(c->certs_dir, sizeof c->certs_dir, "%s/clients", c->root);
    snprintf(path, sizeof path, "%s/keys", c->root);
    bu_mkdirs(c->certs_dir);
    bu_mkdirs(path);
    char pub[700];
    snprintf(pub, sizeof pub, "%s/bench-admin.cert", c->certs_dir);
    snprintf(c->admin_secret, sizeof c->admin_secret,
             "%s/keys/bench-admin.secret", c->root);
    zcert_t *admin = s_make_cert("admin", pub, c->admin_secret);
    snprintf(pub, sizeof pub, "%s/matcher.cert", c->certs_dir);
    snprintf(c->matcher_secret, sizeof c->matcher_secret,
             "%s/keys/matcher-client.secret", c->root);
    zcert_t *matcher = s_make_cert("service", pub, c->matcher_secret);
    if (!admin || !matcher) {
        zcert_destroy(&admin);
        zcert_destroy(&matcher);
        return -1;
    }
    zcert_destroy(&admin);
    zcert_destroy(&matcher);
    for (int s = 0; s < BC_COUNT; s++) {
        bc_svc_t *v = &c->svc[s];
        snprintf(v->server_secret, sizeof v->server_secret,
                 "%s/keys/%s-server.secret", c->root, s_names[s]);
        zcert_t *server = s_make_cert(NULL, NULL, v->server_secret);
        if (!server) {
            return -1;
        }
        snprintf(v->server_public, sizeof v->server_public, "%s",
                 zcert_public_txt(server));
        zcert_destroy(&server);
        c->sec[s].client_cert = c->admin_secret;
        c->sec[s].server_key = v->server_public;
    }
    return 0;
}

const rantai_security_t *
bc_sec(bc_cluster_t *c, bc_service_t s)
{
    return c->curve ? &c->sec[s] : NULL;
}

int
bc_start(bc_cluster_t *c, bc_service_t s)
{
    bc_svc_t *v = &c->svc[s];
    char binary[700];
    snprintf(binary, sizeof binary, "%s/services/rantai-%s", c->bin_dir,
             s_names[s]);
    const char *argv[40];
    int n = 0;
    argv[n++] = binary;
    argv[n++] = "--api";
    argv[n++] = v->api;
    argv[n++] = "--feed";
    argv[n++] = v->feed;
    argv[n++] = "--http";
    argv[n++] = v->http;
    argv[n++] = "--data-dir";
    argv[n++] = v->data_dir;
    if (c->curve) {
        argv[n++] = "--security";
        argv[n++] = "curve";
        argv[n++] = "--server-cert";
        argv[n++] = v->server_secret;
        argv[n++] = "--client-certs";
        argv[n++] = c->certs_dir;
    }
    if (s == BC_MATCHER) {
        argv[n++] = "--producer-feed";
        argv[n++] = c->svc[BC_PRODUCER].feed;
        argv[n++] = "--buyer-feed";
        argv[n++] = c->svc[BC_BUYER].feed;
        if (c->curve) {
            argv[n++] = "--client-cert";
            argv[n++] = c->matcher_secret;
            argv[n++] = "--producer-key";
            argv[n++] = c->svc[BC_PRODUCER].server_public;
            argv[n++] = "--buyer-key";
            argv[n++] = c->svc[BC_BUYER].server_public;
        }
    }
    argv[n] = NULL;
    if (bu_spawn(&v->proc, s_names[s], argv, v->log_path) != 0) {
        return -1;
    }
    if (!bu_wait_api(v->api, bc_sec(c, s), &v->proc, 60000)) {
        fprintf(stderr, "bench: %s did not answer; see %s\n", s_names[s],
                v->log_path);
        return -1;
    }
    return 0;
}

int
bc_stop(bc_cluster_t *c, bc_service_t s)
{
    return bu_stop(&c->svc[s].proc);
}

void
bc_fini(bc_cluster_t *c)
{
    for (int s = BC_COUNT - 1; s >= 0; s--) {
        if (c->svc[s].proc.pid > 0) {
            bc_stop(c, (bc_service_t) s);
        }
    }
    if (getenv("BENCH_KEEP")) {
        fprintf(stderr, "bench: kept %s\n", c->root);
        return;
    }
    bu_rmrf(c->root);
}

rantai_client_t *
bc_client(bc_cluster_t *c, bc_service_t s, int timeout_ms)
{
    rantai_client_t *client = rantai_client_new(c->svc[s].api, bc_sec(c, s));
    if (!client) {
        abort();
    }
    rantai_client_set_timeout(client, timeout_ms);
    rantai_client_set_retries(client, 0);
    return client;
}

rantai_reply_t *
bc_call(rantai_client_t *client, rantai_request_t *req, rantai_arena_t *arena)
{
    rantai_reply_t *reply = NULL;
    if (rantai_client_call(client, req, arena, &reply) != 0) {
        return NULL;
    }
    return reply;
}

Rantai__V1__MatcherStatus *
bc_matcher_status(bc_cluster_t *c, rantai_arena_t *arena)
{
    rantai_client_t *client = bc_client(c, BC_MATCHER, 5000);
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req.get_matcher_status = &st;
    rantai_reply_t *r = bc_call(client, &req, arena);
    rantai_client_destroy(&client);
    return r ? r->matcher_status : NULL;
}

bool
bc_wait_applied(bc_cluster_t *c,
                uint64_t producer_seq,
                uint64_t buyer_seq,
                int timeout_ms)
{
    rantai_arena_t *arena = rantai_arena_new();
    int64_t deadline = bu_now_ns() + (int64_t) timeout_ms * 1000000;
    bool ok = false;
    while (!ok && bu_now_ns() < deadline &&
           bu_alive(&c->svc[BC_MATCHER].proc)) {
        Rantai__V1__MatcherStatus *st = bc_matcher_status(c, arena);
        ok = st && st->producer_seq >= producer_seq &&
             st->buyer_seq >= buyer_seq;
        rantai_arena_reset(arena);
        if (!ok) {
            bu_sleep_ms(20); /* polling the matcher's progress */
        }
    }
    rantai_arena_destroy(&arena);
    return ok;
}
