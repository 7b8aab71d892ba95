/*  harness_curve.c - see harness_curve.h. */
#include "harness_curve.h"

#include <time.h>

static int64_t
s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rantai_client_t *
hc_client(h_cluster_t *c, h_service_t s, const rantai_security_t *sec)
{
    return h_client_sec(c, s, sec);
}

static bool
s_ready(h_cluster_t *c, h_service_t s, const rantai_security_t *probe)
{
    rantai_arena_t *arena = rantai_arena_new();
    bool ready = false;
    int64_t deadline = s_ms() + 30000;
    while (!ready && s_ms() < deadline) {
        /* A new client per attempt: one that connected before the
           service bound may sit in libzmq's reconnect back-off. */
        rantai_client_t *client = hc_client(c, s, probe);
        rantai_client_set_timeout(client, 250);
        int r = h_probe(c, s, client, arena);
        rantai_client_destroy(&client);
        if (r < 0) {
            break;
        }
        ready = r > 0;
    }
    rantai_arena_destroy(&arena);
    return ready;
}

bool
hc_start(h_cluster_t *c,
         h_service_t s,
         const char *const *args,
         const rantai_security_t *probe)
{
    c->svc[s].pid = h_spawn(&c->svc[s], args);
    return s_ready(c, s, probe);
}

bool
hc_wait_applied(h_cluster_t *c,
                const rantai_security_t *sec,
                uint64_t producer_seq,
                uint64_t buyer_seq)
{
    return h_wait_applied_sec(c, sec, producer_seq, buyer_seq);
}
