/*  http.c - health and metrics endpoints on libmicrohttpd. */
#include "http.h"

#include "log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct rantai_http_t {
    struct MHD_Daemon *daemon;
    rantai_http_pages_t pages;
    unsigned port;
};

void
rantai_buf_printf(rantai_buf_t *buf, const char *fmt, ...)
{
    for (;;) {
        size_t room = buf->cap - buf->len;
        va_list ap;
        va_start(ap, fmt);
        int n =
            vsnprintf(buf->data ? buf->data + buf->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if ((size_t) n < room) {
            buf->len += (size_t) n;
            return;
        }
        size_t cap = buf->cap ? buf->cap * 2 : 4096;
        while (cap - buf->len <= (size_t) n) {
            cap *= 2;
        }
        char *data = realloc(buf->data, cap);
        if (!data) {
            abort();
        }
        buf->data = data;
        buf->cap = cap;
    }
}

void
rantai_buf_free(rantai_buf_t *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

static enum MHD_Result
s_reply(struct MHD_Connection *conn,
        unsigned status,
        const char *type,
        rantai_buf_t *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        body->len, body->data, MHD_RESPMEM_MUST_FREE);
    body->data = NULL;
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result
s_handler(void *cls,
          struct MHD_Connection *conn,
          const char *url,
          const char *method,
          const char *version,
          const char *upload,
          size_t *upload_size,
          void **state)
{
    (void) version;
    (void) upload;
    (void) upload_size;
    (void) state;
    rantai_http_t *self = cls;
    rantai_buf_t body = {0};
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        rantai_buf_printf(&body, "method not allowed\n");
        return s_reply(conn, 405, "text/plain", &body);
    }
    if (strcmp(url, "/healthz") == 0) {
        rantai_buf_printf(&body, "ok\n");
        return s_reply(conn, 200, "text/plain", &body);
    }
    if (strcmp(url, "/readyz") == 0) {
        rantai_buf_t why = {0};
        bool ready =
            !self->pages.ready || self->pages.ready(self->pages.arg, &why);
        rantai_buf_printf(&body, "%s%s%s\n", ready ? "ready" : "not ready",
                          why.len ? ": " : "", why.len ? why.data : "");
        rantai_buf_free(&why);
        return s_reply(conn, ready ? 200 : 503, "text/plain", &body);
    }
    if (strcmp(url, "/metrics") == 0 && self->pages.metrics) {
        self->pages.metrics(self->pages.arg, &body);
        if (!body.data) {
            rantai_buf_printf(&body, "\n");
        }
        return s_reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8",
                       &body);
    }
    rantai_buf_printf(&body, "not found\n");
    return s_reply(conn, 404, "text/plain", &body);
}

rantai_http_t *
rantai_http_start(const char *hostport, const rantai_http_pages_t *pages)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t) (colon - hostport) >= sizeof host) {
        rantai_log_error("http", "bad address %s", hostport);
        return NULL;
    }
    snprintf(host, sizeof host, "%.*s", (int) (colon - hostport), hostport);
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *ai = NULL;
    const char *h = host;
    if (h[0] == '[') { /* [::1]:9401 */
        h++;
        host[strlen(host) - 1] = '\0';
    }
    if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai) != 0 || !ai) {
        rantai_log_error("http", "cannot resolve %s", hostport);
        return NULL;
    }
    rantai_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    self->pages = *pages;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    self->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, s_handler, self, MHD_OPTION_SOCK_ADDR,
        ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned) 64,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 10, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!self->daemon) {
        rantai_log_error("http", "cannot listen on %s", hostport);
        free(self);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : 0;
    return self;
}

unsigned
rantai_http_port(rantai_http_t *self)
{
    return self->port;
}

void
rantai_http_stop(rantai_http_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    MHD_stop_daemon((*self_p)->daemon);
    free(*self_p);
    *self_p = NULL;
}
