/*  security_fx.h - the cluster of test_security.c: client keys of
    every role (K_*), made with CZMQ as `rantai keygen` makes them, in a
    client-certificate directory; the three services and their server
    keys started with --security curve; calls to service s as key k with
    the expected status. Header-only, static state and functions; include
    once per test program. */
#ifndef SECURITY_FX_H
#define SECURITY_FX_H

#include "harness_curve.h"
#include "rantai/err.h"
#include "test_security_reqs.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>

#include <cmocka.h>

#define ST(x) RANTAI__V1__STATUS_CODE__STATUS_CODE_##x

enum {
    K_ADMIN,
    K_COOP1,
    K_COOP2,
    K_PRD9,
    K_MKT1,
    K_MKT2,
    K_SERVICE,
    K_UNKNOWN, /* never in the directory */
    K_COOP3,   /* added while running */
    K_MKT9,    /* revoked while subscribed */
    K_COUNT
};

static const struct {
    const char *file, *role, *party;
} sx_keys[K_COUNT] = {
    {"admin", "admin", NULL},         {"kop1", "cooperative", "KOP-1"},
    {"kop2", "cooperative", "KOP-2"}, {"prd9", "producer", "PRD-9"},
    {"mkt1", "marketplace", "MKT-1"}, {"mkt2", "marketplace", "MKT-2"},
    {"matcher", "service", NULL},     {"stranger", "admin", NULL},
    {"kop3", "cooperative", "KOP-3"}, {"mkt9", "marketplace", "MKT-9"},
};

static h_cluster_t sx_c;
static char sx_clients[400], sx_certs[400];
static char sx_secret[K_COUNT][600];
static char sx_server_key[H_COUNT][41];
static rantai_security_t sx_sec[H_COUNT][K_COUNT];
static rantai_arena_t *sx_arena;

static inline int64_t
sx_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
sx_public_path(int k, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", sx_clients, sx_keys[k].file);
}

static inline void
sx_make_client_key(int k, bool listed)
{
    zcert_t *cert = zcert_new();
    assert_non_null(cert);
    zcert_set_meta(cert, "role", "%s", sx_keys[k].role);
    if (sx_keys[k].party) {
        zcert_set_meta(cert, "party", "%s", sx_keys[k].party);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", sx_certs, sx_keys[k].file);
    assert_int_equal(zcert_save(cert, path), 0); /* path and path_secret */
    snprintf(sx_secret[k], sizeof sx_secret[k], "%s_secret", path);
    if (listed) {
        sx_public_path(k, path, sizeof path);
        assert_int_equal(zcert_save_public(cert, path), 0);
    }
    zcert_destroy(&cert);
}

static inline void
sx_list_key(int k)
{
    zcert_t *cert = zcert_load(sx_secret[k]);
    assert_non_null(cert);
    char path[512];
    sx_public_path(k, path, sizeof path);
    assert_int_equal(zcert_save_public(cert, path), 0);
    zcert_destroy(&cert);
}

static inline int
sx_setup(void **state)
{
    (void) state;
    h_cluster_init(&sx_c);
    snprintf(sx_clients, sizeof sx_clients, "%s/clients", sx_c.root);
    snprintf(sx_certs, sizeof sx_certs, "%s/certs", sx_c.root);
    mkdir(sx_clients, 0750);
    mkdir(sx_certs, 0700);
    static char server_secret[H_COUNT][600];
    for (int s = 0; s < H_COUNT; s++) {
        zcert_t *cert = zcert_new();
        char path[512];
        snprintf(path, sizeof path, "%s/%s-server", sx_certs, sx_c.svc[s].name);
        assert_int_equal(zcert_save(cert, path), 0);
        snprintf(server_secret[s], sizeof server_secret[s], "%s_secret", path);
        snprintf(sx_server_key[s], sizeof sx_server_key[s], "%s",
                 zcert_public_txt(cert));
        zcert_destroy(&cert);
    }
    for (int k = 0; k < K_COUNT; k++) {
        sx_make_client_key(k, k != K_UNKNOWN && k != K_COOP3);
        for (int s = 0; s < H_COUNT; s++) {
            sx_sec[s][k].client_cert = sx_secret[k];
            sx_sec[s][k].server_key = sx_server_key[s];
        }
    }
    static const char *args[H_COUNT][24];
    for (int s = 0; s < H_COUNT; s++) {
        int n = 0;
        args[s][n++] = "--security";
        args[s][n++] = "curve";
        args[s][n++] = "--server-cert";
        args[s][n++] = server_secret[s];
        args[s][n++] = "--client-certs";
        args[s][n++] = sx_clients;
        if (s == H_MATCHER) {
            args[s][n++] = "--producer-feed";
            args[s][n++] = sx_c.svc[H_PRODUCER].feed;
            args[s][n++] = "--buyer-feed";
            args[s][n++] = sx_c.svc[H_BUYER].feed;
            args[s][n++] = "--client-cert";
            args[s][n++] = sx_secret[K_SERVICE];
            args[s][n++] = "--producer-key";
            args[s][n++] = sx_server_key[H_PRODUCER];
            args[s][n++] = "--buyer-key";
            args[s][n++] = sx_server_key[H_BUYER];
        }
        args[s][n] = NULL;
        if (!hc_start(&sx_c, (h_service_t) s, args[s], &sx_sec[s][K_ADMIN])) {
            h_cluster_fini(&sx_c, true);
            return -1;
        }
    }
    sx_arena = rantai_arena_new();
    sr_arena = sx_arena;
    return 0;
}

static inline int
sx_teardown(void **state)
{
    (void) state;
    rantai_arena_destroy(&sx_arena);
    for (int s = H_COUNT - 1; s >= 0; s--) {
        assert_int_equal(h_stop(&sx_c, (h_service_t) s), 0);
    }
    h_cluster_fini(&sx_c, false);
    return 0;
}

/* ------------------------------------------------------------ requests */

/* Call service s as key k; the reply, or NULL when none came in
   timeout_ms (a fresh connection each time, so a handshake is made). */
static inline rantai_reply_t *
sx_try(h_service_t s, int k, rantai_request_t *req, int timeout_ms)
{
    rantai_client_t *client = hc_client(&sx_c, s, &sx_sec[s][k]);
    rantai_client_set_timeout(client, timeout_ms);
    rantai_reply_t *reply = NULL;
    int rc = rantai_client_call(client, req, sx_arena, &reply);
    rantai_client_destroy(&client);
    return rc == 0 ? reply : NULL;
}

static inline rantai_reply_t *
sx_as(h_service_t s, int k, rantai_request_t *req)
{
    rantai_reply_t *r = sx_try(s, k, req, 5000);
    if (!r) {
        fail_msg("no reply from %s to %s as %s", sx_c.svc[s].name,
                 rantai_request_name(req), sx_keys[k].file);
    }
    return r;
}

static inline void
sx_expect(h_service_t s, int k, rantai_request_t *req, int code)
{
    rantai_reply_t *r = sx_as(s, k, req);
    if ((int) r->code != code) {
        fail_msg("%s as %s: expected %s, got %s (%s)", rantai_request_name(req),
                 sx_keys[k].file, rantai_status_name(code),
                 rantai_status_name((int) r->code),
                 r->message ? r->message : "");
    }
}

/* Reading another party's object answers exactly as for a missing id:
   same code, same message with the id swapped. */
static inline void
sx_expect_as_missing(h_service_t s,
                     int k,
                     int body_case,
                     const char *theirs,
                     const char *missing)
{
    rantai_reply_t *a = sx_as(s, k, sr_id_req(body_case, theirs));
    rantai_reply_t *b = sx_as(s, k, sr_id_req(body_case, missing));
    assert_int_equal(a->code, ST(NOT_FOUND));
    assert_int_equal(b->code, ST(NOT_FOUND));
    assert_int_equal(a->body_case, RANTAI__V1__REPLY__BODY__NOT_SET);
    char expect[512];
    const char *m = b->message ? b->message : "";
    const char *at = strstr(m, missing);
    if (at) {
        snprintf(expect, sizeof expect, "%.*s%s%s", (int) (at - m), m, theirs,
                 at + strlen(missing));
    } else {
        snprintf(expect, sizeof expect, "%s", m);
    }
    assert_string_equal(a->message ? a->message : "", expect);
}

#endif
