/*  client.c - request/reply client over a DEALER (see rantai/client.h).

    Sockets come from CZMQ (its shared context, CURVE via zcert); messages
    go through raw libzmq calls on the resolved handle. */
#include "rantai/client.h"

#include "rantai/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>
#include <zmq.h>

#define S_DEFAULT_TIMEOUT_MS 5000
#define S_DEFAULT_RETRIES    2
/* Backoff: each retry waits 1.5 x longer than the last, at most
   S_BACKOFF_CAP x the configured timeout and never past S_BACKOFF_MAX_MS
   (unless the configured timeout itself is longer). */
#define S_BACKOFF_CAP    8
#define S_BACKOFF_MAX_MS 60000

struct rantai_client_t {
    char *endpoint;
    zcert_t *cert;       /* our CURVE certificate, NULL without CURVE */
    char server_key[41]; /* Z85, valid when cert is set */
    zsock_t *sock;
    int timeout_ms;
    int retries;
    uint64_t next_id;
};

/* A random-ish starting request_id, so a restarted client does not reuse
   the ids of its previous life (a service might still be answering). */
static uint64_t
s_random_base(void)
{
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, &v, sizeof v);
        close(fd);
        if (n == (ssize_t) sizeof v) {
            return v >> 1; /* room to count up without wrapping */
        }
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    v = (uint64_t) ts.tv_sec * 1000000007u ^ (uint64_t) ts.tv_nsec ^
        ((uint64_t) getpid() << 32) ^ (uint64_t) (uintptr_t) &v;
    return v >> 1;
}

static bool
s_z85_key_valid(const char *key)
{
    if (!key || strlen(key) != 40) {
        return false;
    }
    uint8_t bin[32];
    return zmq_z85_decode(bin, key) != NULL;
}

static zsock_t *
s_socket_new(rantai_client_t *self)
{
    zsock_t *sock = zsock_new(ZMQ_DEALER);
    if (!sock) {
        fprintf(stderr, "rantai: cannot create socket: %s\n",
                zmq_strerror(zmq_errno()));
        return NULL;
    }
    zsock_set_linger(sock, 0);
    zsock_set_maxmsgsize(sock, RANTAI_DEFAULT_MAX_MSG);
    zsock_set_sndtimeo(sock, self->timeout_ms);
    if (self->cert) {
        zcert_apply(self->cert, sock);
        zsock_set_curve_serverkey(sock, self->server_key);
    }
    if (zsock_connect(sock, "%s", self->endpoint) != 0) {
        fprintf(stderr, "rantai: cannot connect to '%s': %s\n", self->endpoint,
                zmq_strerror(zmq_errno()));
        zsock_destroy(&sock);
        return NULL;
    }
    return sock;
}

rantai_client_t *
rantai_client_new(const char *endpoint, const rantai_security_t *sec)
{
    if (!endpoint || !*endpoint) {
        fprintf(stderr, "rantai: empty endpoint\n");
        return NULL;
    }
    rantai_client_t *self = calloc(1, sizeof(*self));
    if (!self) {
        abort(); /* project policy: out of memory aborts */
    }
    self->endpoint = strdup(endpoint);
    if (!self->endpoint) {
        abort();
    }
    self->timeout_ms = S_DEFAULT_TIMEOUT_MS;
    self->retries = S_DEFAULT_RETRIES;
    self->next_id = s_random_base();

    bool has_cert = sec && sec->client_cert && *sec->client_cert;
    bool has_key = sec && sec->server_key && *sec->server_key;
    if (has_cert != has_key) {
        fprintf(stderr, "rantai: CURVE needs both a client certificate and "
                        "the server key\n");
        goto fail;
    }
    if (has_cert) {
        if (!s_z85_key_valid(sec->server_key)) {
            fprintf(stderr,
                    "rantai: server key is not a 40-character Z85 key\n");
            goto fail;
        }
        memcpy(self->server_key, sec->server_key, 41);
        self->cert = zcert_load(sec->client_cert);
        if (!self->cert) {
            fprintf(stderr, "rantai: cannot read certificate '%s'\n",
                    sec->client_cert);
            goto fail;
        }
        /* A public-only certificate loads with an all-zero secret. */
        static const char zero_key[] =
            "0000000000000000000000000000000000000000";
        if (strcmp(zcert_secret_txt(self->cert), zero_key) == 0) {
            fprintf(stderr, "rantai: certificate '%s' has no secret key\n",
                    sec->client_cert);
            goto fail;
        }
    }
    self->sock = s_socket_new(self);
    if (!self->sock) {
        goto fail;
    }
    return self;
fail:
    rantai_client_destroy(&self);
    return NULL;
}

void
rantai_client_destroy(rantai_client_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_client_t *self = *self_p;
    zsock_destroy(&self->sock);
    zcert_destroy(&self->cert);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

void
rantai_client_set_timeout(rantai_client_t *self, int timeout_ms)
{
    if (self && timeout_ms > 0) {
        self->timeout_ms = timeout_ms;
        if (self->sock) {
            zsock_set_sndtimeo(self->sock, timeout_ms);
        }
    }
}

void
rantai_client_set_retries(rantai_client_t *self, int retries)
{
    if (self && retries >= 0) {
        self->retries = retries;
    }
}

void *
rantai_client_socket(rantai_client_t *self)
{
    return self && self->sock ? zsock_resolve(self->sock) : NULL;
}

static int
s_send_bytes(rantai_client_t *self, const void *data, size_t size)
{
    if (zmq_send(zsock_resolve(self->sock), data, size, 0) < 0) {
        int e = zmq_errno();
        if (e == EAGAIN) {
            return RANTAI_ETIMEOUT;
        }
        return e == EINTR ? RANTAI_EINTR : RANTAI_EIO;
    }
    return 0;
}

/* Wait until the socket is readable or `deadline` (zclock_mono ms). */
static int
s_wait(rantai_client_t *self, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - zclock_mono();
        if (left <= 0) {
            return RANTAI_ETIMEOUT;
        }
        zmq_pollitem_t item = {zsock_resolve(self->sock), 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, (long) left);
        if (rc < 0) {
            return zmq_errno() == EINTR ? RANTAI_EINTR : RANTAI_EIO;
        }
        if (rc > 0) {
            return 0;
        }
    }
}

/* Receive one message (readable socket) and decode it as a Reply. A
   REQ-style empty delimiter in front is tolerated; anything else that is
   not exactly one Reply frame is a protocol error. */
static int
s_recv_reply(rantai_client_t *self,
             rantai_arena_t *arena,
             rantai_reply_t **reply)
{
    void *sock = zsock_resolve(self->sock);
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    int nparts = 0;
    rantai_reply_t *got = NULL;
    bool bad = false;
    for (;;) {
        if (zmq_msg_recv(&frame, sock, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            zmq_msg_close(&frame);
            if (nparts == 0 && e == EAGAIN) {
                return RANTAI_ETIMEOUT; /* spurious wakeup */
            }
            return e == EINTR ? RANTAI_EINTR : RANTAI_EIO;
        }
        nparts++;
        bool more = zmq_msg_more(&frame);
        size_t size = zmq_msg_size(&frame);
        if (!(more && size == 0 && nparts == 1)) {
            if (got || more) {
                bad = true;
            } else {
                got = (rantai_reply_t *) rantai_decode(
                    &rantai__v1__reply__descriptor, zmq_msg_data(&frame), size,
                    RANTAI_DEFAULT_MAX_MSG, arena);
                bad = bad || !got;
            }
        }
        if (!more) {
            break;
        }
    }
    zmq_msg_close(&frame);
    if (bad || !got) {
        return RANTAI_EPROTO;
    }
    *reply = got;
    return 0;
}

int
rantai_client_send(rantai_client_t *self,
                   rantai_request_t *req,
                   uint64_t *request_id)
{
    if (!self || !req || !self->sock) {
        return RANTAI_EINVAL;
    }
    req->request_id = self->next_id++;
    size_t size = protobuf_c_message_get_packed_size(&req->base);
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0) {
        abort();
    }
    protobuf_c_message_pack(&req->base, zmq_msg_data(&msg));
    if (zmq_msg_send(&msg, zsock_resolve(self->sock), 0) < 0) {
        int e = zmq_errno();
        zmq_msg_close(&msg);
        return e == EAGAIN ? RANTAI_ETIMEOUT
                           : (e == EINTR ? RANTAI_EINTR : RANTAI_EIO);
    }
    if (request_id) {
        *request_id = req->request_id;
    }
    return 0;
}

int
rantai_client_recv(rantai_client_t *self,
                   rantai_arena_t *arena,
                   int timeout_ms,
                   rantai_reply_t **reply)
{
    if (!self || !arena || !reply || !self->sock) {
        return RANTAI_EINVAL;
    }
    if (timeout_ms <= 0) {
        /* Poll once: a reply already waiting is returned, not a timeout. */
        return s_recv_reply(self, arena, reply);
    }
    int64_t deadline = zclock_mono() + timeout_ms;
    for (;;) {
        int rc = s_wait(self, deadline);
        if (rc != 0) {
            return rc;
        }
        rc = s_recv_reply(self, arena, reply);
        if (rc != RANTAI_ETIMEOUT) {
            return rc;
        }
    }
}

int
rantai_client_call(rantai_client_t *self,
                   rantai_request_t *req,
                   rantai_arena_t *arena,
                   rantai_reply_t **reply)
{
    if (!self || !req || !arena || !reply) {
        return RANTAI_EINVAL;
    }
    req->request_id = self->next_id++;
    size_t size;
    const void *bytes = rantai_encode(&req->base, arena, &size);

    /* A service that is restarting or saturated should not be hammered
       at the same rate: the per-attempt timeout grows between retries. */
    int64_t attempt_ms = self->timeout_ms;
    int64_t cap_ms = (int64_t) self->timeout_ms * S_BACKOFF_CAP;
    if (cap_ms > S_BACKOFF_MAX_MS) {
        cap_ms = self->timeout_ms > S_BACKOFF_MAX_MS ? self->timeout_ms
                                                     : S_BACKOFF_MAX_MS;
    }
    for (int attempt = 0; attempt <= self->retries; attempt++) {
        if (!self->sock) {
            /* Lazy Pirate: a fresh socket drops whatever the old one had
               queued or half-received; the same bytes go out again. */
            self->sock = s_socket_new(self);
            if (!self->sock) {
                return RANTAI_EIO;
            }
        }
        int rc = s_send_bytes(self, bytes, size);
        if (rc == RANTAI_EINTR || rc == RANTAI_EIO) {
            return rc;
        }
        int64_t deadline = zclock_mono() + attempt_ms;
        attempt_ms = attempt_ms * 3 / 2;
        if (attempt_ms > cap_ms) {
            attempt_ms = cap_ms;
        }
        while (rc == 0) {
            rc = s_wait(self, deadline);
            if (rc != 0) {
                break;
            }
            rantai_reply_t *got = NULL;
            rc = s_recv_reply(self, arena, &got);
            if (rc == RANTAI_ETIMEOUT) {
                rc = 0; /* nothing there after all; keep waiting */
                continue;
            }
            if (rc != 0) {
                return rc;
            }
            if (got->request_id == req->request_id) {
                *reply = got;
                return 0;
            }
            /* A late reply to an earlier request: drop it. */
        }
        if (rc != RANTAI_ETIMEOUT) {
            return rc;
        }
        zsock_destroy(&self->sock);
        self->sock = s_socket_new(self);
        if (!self->sock) {
            return RANTAI_EIO;
        }
    }
    return RANTAI_ETIMEOUT;
}
