/*  server_int.h - internals shared by server.c (settings, setup, the
    poll loop, timers) and server_batch.c (the group-commit request
    path). Not a public interface: services see service.h and server.h. */
#ifndef RANTAI_SERVER_INT_H
#define RANTAI_SERVER_INT_H

#include "auth.h"
#include "config.h"
#include "feed_server.h"
#include "http.h"
#include "metrics.h"
#include "server.h"
#include "store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <czmq.h>
#include <zmq.h>

/* Routing envelope frames kept per request. */
#define RANTAI_SERVER_ENV_MAX     8
#define RANTAI_SERVER_READERS_MAX 8

typedef struct {
    void *socket;
    rantai_reader_fn *fn;
    void *arg;
} rantai_server_reader_t;

typedef struct {
    zmq_msg_t env[RANTAI_SERVER_ENV_MAX];
    int nenv;
    rantai_request_t *req; /* NULL: malformed, reply already set */
    rantai_reply_t reply;
    rantai_principal_t who;
    char party[RANTAI_ID_MAX + 1];
    bool write;
    int64_t t0_ns;
} rantai_server_item_t;

struct rantai_server_t {
    const rantai_service_def_t *def;
    void *core;
    rantai_config_t *cfg;
    rantai_store_t *store;
    zsock_t *api, *feed;
    void *api_h, *feed_h;
    rantai_auth_t *auth;
    rantai_feed_server_t *fs;
    rantai_http_t *http;
    rantai_arena_t *arena;
    rantai_metrics_t metrics;
    rantai_server_reader_t readers[RANTAI_SERVER_READERS_MAX];
    int nreaders;
    rantai_server_item_t *items;
    int nitems, max_items;
    size_t max_msg;
    atomic_bool ready;
    int64_t watchdog_ms;
};

/* rantai_feed_server_pump at the current time: send the feed
   subscribers what is due (events, heartbeats). */
void rantai_server_pump(rantai_server_t *self);

/* Serve what waits on the api socket, up to service/batch requests: the
   writes in one durable transaction, each in its own child (a failed
   request leaves no trace), replies sent only after the commit. When the
   commit fails the writes get an error reply and the reads are answered
   again from a snapshot. */
void rantai_server_serve_batch(rantai_server_t *self);

#endif
