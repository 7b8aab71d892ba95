/*  harness.c - see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const s_names[H_COUNT] = {"producer", "buyer", "matcher"};

static int64_t
s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
h_free_port(void)
{
    static int handed[256];
    static int nhanded;
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (bind(fd, (struct sockaddr *) &a, sizeof a) != 0 ||
            getsockname(fd, (struct sockaddr *) &a, &len) != 0) {
            close(fd);
            continue;
        }
        close(fd);
        int port = ntohs(a.sin_port);
        bool seen = false;
        for (int i = 0; i < nhanded; i++) {
            seen |= handed[i] == port;
        }
        if (!seen && nhanded < 256) {
            handed[nhanded++] = port;
            return port;
        }
    }
    abort();
}

void
h_binary(const char *name, char *path, size_t size)
{
    const char *dir = getenv("RANTAI_BIN_DIR");
    if (!dir) {
        dir = RANTAI_BUILD_DIR;
    }
    static const char *const subdirs[] = {"", "/services", "/cli", NULL};
    for (int i = 0; subdirs[i]; i++) {
        snprintf(path, size, "%s%s/%s", dir, subdirs[i], name);
        if (access(path, X_OK) == 0) {
            return;
        }
    }
    snprintf(path, size, "%s/%s", dir, name);
}

void
h_cluster_init(h_cluster_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->root, sizeof c->root, "/tmp/rantai-it-XXXXXX");
    if (!mkdtemp(c->root)) {
        abort();
    }
    char path[600];
    snprintf(path, sizeof path, "%s/logs", c->root);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/data", c->root);
    mkdir(path, 0750);
    for (int s = 0; s < H_COUNT; s++) {
        h_proc_t *p = &c->svc[s];
        p->name = s_names[s];
        char bin[64];
        snprintf(bin, sizeof bin, "rantai-%s", p->name);
        h_binary(bin, p->binary, sizeof p->binary);
        snprintf(p->api, sizeof p->api, "tcp://127.0.0.1:%d", h_free_port());
        snprintf(p->feed, sizeof p->feed, "tcp://127.0.0.1:%d", h_free_port());
        snprintf(p->http, sizeof p->http, "127.0.0.1:%d", h_free_port());
        snprintf(p->data_dir, sizeof p->data_dir, "%s/data/%s", c->root,
                 p->name);
        snprintf(p->log_path, sizeof p->log_path, "%s/logs/%s.log", c->root,
                 p->name);
    }
    h_proc_t *m = &c->svc[H_MATCHER];
    snprintf(m->extra[m->nextra++], 320, "--producer-feed");
    snprintf(m->extra[m->nextra++], 320, "%s", c->svc[H_PRODUCER].feed);
    snprintf(m->extra[m->nextra++], 320, "--buyer-feed");
    snprintf(m->extra[m->nextra++], 320, "%s", c->svc[H_BUYER].feed);
}

int
h_probe(h_cluster_t *c,
        h_service_t s,
        rantai_client_t *client,
        rantai_arena_t *arena)
{
    int status = 0;
    if (waitpid(c->svc[s].pid, &status, WNOHANG) == c->svc[s].pid) {
        fprintf(stderr, "%s exited while starting; see %s\n", c->svc[s].name,
                c->svc[s].log_path);
        c->svc[s].pid = 0;
        return -1;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    Rantai__V1__GetProducer gp = RANTAI__V1__GET_PRODUCER__INIT;
    Rantai__V1__GetBuyer gb = RANTAI__V1__GET_BUYER__INIT;
    gp.id = gb.id = "readiness-probe";
    if (s == H_MATCHER) {
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req.get_matcher_status = &st;
    } else if (s == H_PRODUCER) {
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
        req.get_producer = &gp;
    } else {
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_BUYER;
        req.get_buyer = &gb;
    }
    rantai_reply_t *reply = NULL;
    int answered = rantai_client_call(client, &req, arena, &reply) == 0;
    rantai_arena_reset(arena);
    return answered;
}

static bool
s_ready(h_cluster_t *c, h_service_t s)
{
    rantai_client_t *client = h_client(c, s);
    rantai_client_set_timeout(client, 250);
    rantai_arena_t *arena = rantai_arena_new();
    bool ready = false;
    int64_t deadline = s_ms() + 30000;
    while (!ready && s_ms() < deadline) {
        int r = h_probe(c, s, client, arena);
        if (r < 0) {
            break;
        }
        ready = r > 0;
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&client);
    return ready;
}

pid_t
h_spawn(const h_proc_t *p, const char *const *args)
{
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
    return pid;
}

bool
h_start(h_cluster_t *c, h_service_t s)
{
    h_proc_t *p = &c->svc[s];
    const char *extra[9];
    int n = 0;
    for (int i = 0; i < p->nextra && n < 8; i++) {
        extra[n++] = p->extra[i];
    }
    extra[n] = NULL;
    p->pid = h_spawn(p, extra);
    return s_ready(c, s);
}

bool
h_start_all(h_cluster_t *c)
{
    for (int s = 0; s < H_COUNT; s++) {
        if (!h_start(c, (h_service_t) s)) {
            return false;
        }
    }
    return true;
}

int
h_stop(h_cluster_t *c, h_service_t s)
{
    h_proc_t *p = &c->svc[s];
    if (p->pid <= 0) {
        return -1;
    }
    kill(p->pid, SIGTERM);
    int64_t deadline = s_ms() + 5000;
    int status = 0;
    while (s_ms() < deadline) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        struct timespec ts = {0, 5 * 1000 * 1000}; /* polling a child */
        nanosleep(&ts, NULL);
    }
    h_kill9(c, s);
    return -1;
}

void
h_kill9(h_cluster_t *c, h_service_t s)
{
    h_proc_t *p = &c->svc[s];
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
}

void
h_cluster_fini(h_cluster_t *c, bool keep)
{
    for (int s = H_COUNT - 1; s >= 0; s--) {
        if (c->svc[s].pid > 0) {
            h_stop(c, (h_service_t) s);
        }
    }
    if (keep) {
        fprintf(stderr, "harness: logs and data kept in %s\n", c->root);
        return;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->root);
    if (system(cmd) != 0) {
        fprintf(stderr, "harness: could not remove %s\n", c->root);
    }
}

rantai_client_t *
h_client_sec(h_cluster_t *c, h_service_t s, const rantai_security_t *sec)
{
    rantai_client_t *client = rantai_client_new(c->svc[s].api, sec);
    if (!client) {
        abort();
    }
    rantai_client_set_timeout(client, 5000);
    rantai_client_set_retries(client, 0);
    return client;
}

rantai_client_t *
h_client(h_cluster_t *c, h_service_t s)
{
    return h_client_sec(c, s, NULL);
}

rantai_reply_t *
h_call(rantai_client_t *client, rantai_request_t *req, rantai_arena_t *arena)
{
    rantai_reply_t *reply = NULL;
    if (rantai_client_call(client, req, arena, &reply) != 0 || !reply) {
        fprintf(stderr, "harness: no reply to %s\n", rantai_request_name(req));
        abort();
    }
    return reply;
}

bool
h_wait_applied(h_cluster_t *c, uint64_t producer_seq, uint64_t buyer_seq)
{
    return h_wait_applied_sec(c, NULL, producer_seq, buyer_seq);
}

bool
h_wait_applied_sec(h_cluster_t *c,
                   const rantai_security_t *sec,
                   uint64_t producer_seq,
                   uint64_t buyer_seq)
{
    rantai_client_t *client = h_client_sec(c, H_MATCHER, sec);
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

int
h_run(const char *binary, const char *const *argv, char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execv(binary, (char *const *) argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], out + len, size - 1 - len)) > 0) {
        len += (size_t) n;
        if (len + 1 >= size) {
            break;
        }
    }
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
