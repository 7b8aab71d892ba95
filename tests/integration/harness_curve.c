/*  harness_curve.c - see harness_curve.h. */
#include "harness_curve.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    rantai_client_t *client = rantai_client_new(c->svc[s].api, sec);
    if (!client) {
        abort();
    }
    rantai_client_set_timeout(client, 5000);
    rantai_client_set_retries(client, 0);
    return client;
}

static void
s_probe_request(h_service_t s,
                rantai_request_t *req,
                Rantai__V1__GetMatcherStatus *st,
                Rantai__V1__GetProducer *gp,
                Rantai__V1__GetBuyer *gb)
{
    gp->id = gb->id = "readiness-probe";
    if (s == H_MATCHER) {
        req->body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req->get_matcher_status = st;
    } else if (s == H_PRODUCER) {
        req->body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
        req->get_producer = gp;
    } else {
        req->body_case = RANTAI__V1__REQUEST__BODY_GET_BUYER;
        req->get_buyer = gb;
    }
}

static bool
s_ready(h_cluster_t *c, h_service_t s, const rantai_security_t *probe)
{
    rantai_arena_t *arena = rantai_arena_new();
    bool ready = false;
    int64_t deadline = s_ms() + 30000;
    while (!ready && s_ms() < deadline) {
        int status = 0;
        if (waitpid(c->svc[s].pid, &status, WNOHANG) == c->svc[s].pid) {
            fprintf(stderr, "%s exited while starting; see %s\n",
                    c->svc[s].name, c->svc[s].log_path);
            c->svc[s].pid = 0;
            break;
        }
        /* A new client per attempt: one that connected before the
           service bound may sit in libzmq's reconnect back-off. */
        rantai_client_t *client = hc_client(c, s, probe);
        rantai_client_set_timeout(client, 250);
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
        Rantai__V1__GetProducer gp = RANTAI__V1__GET_PRODUCER__INIT;
        Rantai__V1__GetBuyer gb = RANTAI__V1__GET_BUYER__INIT;
        s_probe_request(s, &req, &st, &gp, &gb);
        rantai_reply_t *reply = NULL;
        ready = rantai_client_call(client, &req, arena, &reply) == 0;
        rantai_client_destroy(&client);
        rantai_arena_reset(arena);
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
    h_proc_t *p = &c->svc[s];
    const char *argv[64];
    int n = 0;
    argv[n++] = p->binary;
    argv[n++] = "--api";
    argv[n++] = p->api;
    argv[n++] = "--feed";
    argv[n++] = p->feed;
    argv[n++] = "--http";
    argv[n++] = p->http;
    argv[n++] = "--data-dir";
    argv[n++] = p->data_dir;
    for (int i = 0; args && args[i] && n < 63; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(p->log_path, O_WRONLY | O_CREAT | O_APPEND, 0640);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        setsid();
        execv(p->binary, (char *const *) argv);
        _exit(127);
    }
    p->pid = pid;
    return s_ready(c, s, probe);
}

bool
hc_wait_applied(h_cluster_t *c,
                const rantai_security_t *sec,
                uint64_t producer_seq,
                uint64_t buyer_seq)
{
    rantai_client_t *client = hc_client(c, H_MATCHER, sec);
    rantai_arena_t *arena = rantai_arena_new();
    int64_t deadline = s_ms() + 15000;
    bool ok = false;
    while (!ok && s_ms() < deadline) {
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req.get_matcher_status = &st;
        rantai_reply_t *r = h_call(client, &req, arena);
        ok = r->matcher_status &&
             r->matcher_status->producer_seq >= producer_seq &&
             r->matcher_status->buyer_seq >= buyer_seq;
        rantai_arena_reset(arena);
        if (!ok) {
            struct timespec ts = {0, 2 * 1000 * 1000}; /* polling a barrier */
            nanosleep(&ts, NULL);
        }
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&client);
    return ok;
}
