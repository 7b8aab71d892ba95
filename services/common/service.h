/*  service.h - what a service plugs into the shared server (server.c):
    its databases, its request handler (the "core": rules only, no sockets,
    no clock reads) and optional hooks for services that do more than
    answer requests (the matcher).

    The server owns the sockets and the loop. Per loop turn it drains up to
    a batch of requests, runs every write in its own child transaction of
    one write transaction (group commit), commits durably, and only then
    sends the replies; reads run in the same transaction so a client that
    pipelines a write and a read sees its write. */
#ifndef RANTAI_SERVICE_H
#define RANTAI_SERVICE_H

#include "rantai/arena.h"
#include "rantai/codec.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

/* Roles of PROTOCOL.md section 6. */
typedef enum {
    RANTAI_ROLE_NONE = 0, /* unknown key: nothing allowed */
    RANTAI_ROLE_ADMIN,
    RANTAI_ROLE_COOPERATIVE,
    RANTAI_ROLE_PRODUCER,
    RANTAI_ROLE_MARKETPLACE,
    RANTAI_ROLE_SERVICE
} rantai_role_t;

/* Who sent a request: from the authenticated key, never the message. */
typedef struct {
    rantai_role_t role;
    const char *party; /* cooperative/producer/marketplace id; "" */
} rantai_principal_t;

/* Everything a core needs for one request. */
typedef struct {
    rantai_txn_t *txn;     /* write (child) txn for writes, else read */
    rantai_arena_t *arena; /* for the reply and anything it points to */
    int64_t now_ms;        /* the time, passed in (tests control it) */
    const rantai_principal_t *who;
} rantai_ctx_t;

typedef struct rantai_server_t rantai_server_t;
struct rantai_buf_t; /* http.h */

typedef struct {
    const char *name;            /* "producer", "buyer", "matcher" */
    const char *const *db_names; /* the service's own databases */
    int db_count;

    /* True if req may change state (runs in a child write txn). */
    bool (*is_write)(const rantai_request_t *req);

    /* Answer req into reply (code, message, field, seq, body; all memory
       from ctx->arena). A reply with code != OK rolls the request's child
       transaction back. Return 0, or RANTAI_EMAPFULL as returned by the
       store (the whole batch is retried after the map grows); any other
       negative return becomes INTERNAL. */
    int (*handle)(void *core,
                  rantai_ctx_t *ctx,
                  const rantai_request_t *req,
                  rantai_reply_t *reply);

    /* Optional: may a subscriber authenticated as `who` subscribe for
       `party`? 0 or RANTAI_EDENIED. NULL hook: only admin and service. */
    int (*feed_authorize)(void *core,
                          const rantai_principal_t *who,
                          const Rantai__V1__Party *party);

    /* Optional: what of event `ev` may this subscription see? Set *out to
       NULL to skip the event, to `ev` to send it as is, or to a trimmed
       copy allocated in `arena`. `txn` is a read txn for look-ups. NULL
       hook: every event goes to every subscriber. */
    int (*feed_filter)(void *core,
                       rantai_txn_t *txn,
                       const rantai_principal_t *who,
                       const Rantai__V1__Party *party,
                       rantai_event_t *ev,
                       rantai_arena_t *arena,
                       rantai_event_t **out);

    /* Optional: the next seq >= from_seq that this subscription may see
       (from an index: it must not walk the log), for subscriptions that
       see few events. 0 and *next_seq, or RANTAI_ENOTFOUND when nothing
       at or past from_seq is visible yet; RANTAI_EUNIMPL (or a NULL
       hook) to walk every seq (e.g. for ALL). Candidates still go
       through feed_filter, so the index may return a superset, never
       less. `txn` is a read txn. */
    int (*feed_next)(void *core,
                     rantai_txn_t *txn,
                     const rantai_principal_t *who,
                     const Rantai__V1__Party *party,
                     uint64_t from_seq,
                     uint64_t *next_seq);

    /* Optional: called once after the store is open and sockets are bound,
       before the ready line. Non-zero aborts start-up (exit 1). */
    int (*start)(void *core, rantai_server_t *server);

    /* Optional: called every tick_ms with the current time. */
    void (*tick)(void *core, rantai_server_t *server, int64_t now_ms);
    int tick_ms;

    /* Optional: called after every durable commit (e.g. to ack upstream). */
    void (*committed)(void *core, rantai_server_t *server);

    /* Optional: extra Prometheus text appended to /metrics. */
    void (*metrics)(void *core,
                    rantai_server_t *server,
                    struct rantai_buf_t *out);
} rantai_service_def_t;

/* Reader callback for extra sockets (e.g. the matcher's upstream feeds). */
typedef int(rantai_reader_fn)(rantai_server_t *server, void *socket, void *arg);

/* Watch a libzmq socket in the server loop; fn runs when it is readable.
   The socket stays owned by the caller. */
int rantai_server_add_reader(rantai_server_t *self,
                             void *socket,
                             rantai_reader_fn *fn,
                             void *arg);

/* Run fn in a durable write transaction now (map growth handled), then
   let the feed send what was appended. Same contract as
   rantai_store_write(). */
int rantai_server_write(rantai_server_t *self, rantai_write_fn *fn, void *arg);

/* The server's store, for read transactions. */
rantai_store_t *rantai_server_store(rantai_server_t *self);

/* The current time in Unix ms (the only clock read: cores get it passed). */
int64_t rantai_server_now(rantai_server_t *self);

/* The server's configuration value for `key` (see config.h), or NULL. */
const char *rantai_server_setting(rantai_server_t *self, const char *key);

/* Mark the service ready / not ready for /readyz (default ready once
   started; the matcher clears it until its upstreams are connected). */
void rantai_server_set_ready(rantai_server_t *self, bool ready);

#endif
