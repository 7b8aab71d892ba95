/*  http.h - /healthz, /readyz and /metrics over HTTP (libmicrohttpd, its
    own thread). The page renderers run on that thread: they may read
    atomics and call thread-safe functions only (no LMDB txn that could
    overlap a map resize; mdb_env_info is fine). */
#ifndef RANTAI_HTTP_H
#define RANTAI_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* A growable text buffer. */
typedef struct rantai_buf_t {
    char *data;
    size_t len, cap;
} rantai_buf_t;

/* Append printf-formatted text (aborts on OOM). */
void rantai_buf_printf(rantai_buf_t *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void rantai_buf_free(rantai_buf_t *buf);

typedef struct rantai_http_t rantai_http_t;

typedef struct {
    void (*metrics)(void *arg, rantai_buf_t *out); /* Prometheus text */
    bool (*ready)(void *arg, rantai_buf_t *why);   /* /readyz */
    void *arg;
} rantai_http_pages_t;

/* Serve on "host:port" (port 0: ephemeral). NULL with a log line if the
   address cannot be bound. */
rantai_http_t *rantai_http_start(const char *hostport,
                                 const rantai_http_pages_t *pages);

/* The port actually bound. */
unsigned rantai_http_port(rantai_http_t *self);

void rantai_http_stop(rantai_http_t **self);

#endif
