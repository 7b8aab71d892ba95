/*  rantai/client.h - request/reply client for one service api endpoint.

    A DEALER socket; requests may be pipelined (send/recv) or made one at a
    time (call). call() retries on timeout in the Lazy Pirate style: it
    closes the socket, reconnects, and resends the same request (same
    request_id and content; Rantai's puts are idempotent, so a retry gets
    the original result and seq) with backoff, up to `retries` times:
    each attempt waits 1.5 x longer than the one before (the first waits
    the configured timeout), capped at 8 x the timeout or 60 s.

    Not thread-safe: one client per thread. */
#ifndef RANTAI_CLIENT_H
#define RANTAI_CLIENT_H

#include "rantai/arena.h"
#include "rantai/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rantai_client_t rantai_client_t;

/* Security of a client connection. All NULL: no CURVE. */
typedef struct {
    const char *client_cert; /* path of our secret certificate (zcert) */
    const char *server_key;  /* server's public key, Z85 (40 chars) */
} rantai_security_t;

/* Connect to `endpoint` ("tcp://127.0.0.1:7401"). sec may be NULL. Returns
   NULL (and logs why) if the certificate cannot be read or the endpoint is
   malformed. Caller owns the client. Default timeout 5000 ms, 2 retries. */
rantai_client_t *rantai_client_new(const char *endpoint,
                                   const rantai_security_t *sec);

/* Close; idempotent, NULLs *self. */
void rantai_client_destroy(rantai_client_t **self);

/* Per-attempt timeout in ms (>0) and retries after a timeout (>=0). */
void rantai_client_set_timeout(rantai_client_t *self, int timeout_ms);
void rantai_client_set_retries(rantai_client_t *self, int retries);

/* Send req and wait for its reply. Sets req->request_id. On success *reply
   is allocated in `arena` (valid until the arena is reset). Returns 0
   (whatever reply->code says), RANTAI_ETIMEOUT after all retries, or
   RANTAI_EPROTO if the service answered something that is not a Reply. */
int rantai_client_call(rantai_client_t *self,
                       rantai_request_t *req,
                       rantai_arena_t *arena,
                       rantai_reply_t **reply);

/* Pipelining: send req (sets req->request_id to a fresh id, returned in
 *request_id); no retry. */
int rantai_client_send(rantai_client_t *self,
                       rantai_request_t *req,
                       uint64_t *request_id);

/* Receive the next reply (any request_id) within timeout_ms. */
int rantai_client_recv(rantai_client_t *self,
                       rantai_arena_t *arena,
                       int timeout_ms,
                       rantai_reply_t **reply);

/* The libzmq socket, for polling alongside others. Borrowed. */
void *rantai_client_socket(rantai_client_t *self);

#ifdef __cplusplus
}
#endif

#endif
