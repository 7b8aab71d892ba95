/*  bench_util.c - see bench_util.h: options, clocks, statistics, figures,
    child processes and RSS. Load drivers are in bench_load.c, the
    synthetic world in bench_world.c. */
#include "bench_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
bu_opts_parse(bu_opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->mode = BU_DEFAULT;
    snprintf(o->work, sizeof o->work, "/tmp/rantai-bench");
    snprintf(o->bin_dir, sizeof o->bin_dir, ".");
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            o->mode = BU_SMOKE;
        } else if (strcmp(argv[i], "--quick") == 0) {
            o->mode = BU_QUICK;
        } else if (strcmp(argv[i], "--default") == 0) {
            o->mode = BU_DEFAULT;
        } else if (strcmp(argv[i], "--full") == 0) {
            o->mode = BU_FULL;
        } else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) {
            snprintf(o->work, sizeof o->work, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--bin-dir") == 0 && i + 1 < argc) {
            snprintf(o->bin_dir, sizeof o->bin_dir, "%s", argv[++i]);
        } else {
            break;
        }
    }
    static const int reps[] = {1, 3, 5, 5};
    static const int64_t dur[] = {300, 1000, 2000, 2000};
    o->reps = reps[o->mode];
    o->dur_ms = dur[o->mode];
    bu_mkdirs(o->work);
    return i;
}

int64_t
bu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
bu_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
bu_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

void
bu_samples_add(bu_samples_t *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) {
            abort();
        }
    }
    s->v[s->n++] = x;
}

void
bu_samples_free(bu_samples_t *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int
s_cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

double
bu_quantile(bu_samples_t *s, double q)
{
    if (s->n == 0) {
        return 0;
    }
    qsort(s->v, s->n, sizeof *s->v, s_cmp);
    double pos = q * (double) (s->n - 1);
    size_t lo = (size_t) pos;
    if (lo + 1 >= s->n) {
        return s->v[s->n - 1];
    }
    double frac = pos - (double) lo;
    return s->v[lo] * (1 - frac) + s->v[lo + 1] * frac;
}

void
bu_figure(const char *name, double value, const char *unit)
{
    printf("%s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

void
bu_figure_reps(const char *name, bu_samples_t *reps, const char *unit)
{
    printf("# reps %s", name);
    for (size_t i = 0; i < reps->n; i++) {
        printf(" %.6g", reps->v[i]);
    }
    printf("\n");
    bu_figure(name, bu_quantile(reps, 0.5), unit);
}

void
bu_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# note ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

/* ------------------------------------------------------------ processes */

int
bu_spawn(bu_proc_t *p,
         const char *name,
         const char *const *argv,
         const char *log_path)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->log_path, sizeof p->log_path, "%s", log_path);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0640);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *) argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
}

bool
bu_alive(bu_proc_t *p)
{
    if (p->pid <= 0) {
        return false;
    }
    int status = 0;
    if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
        fprintf(stderr, "bench: %s exited (status %d); see %s\n", p->name,
                status, p->log_path);
        p->pid = 0;
        return false;
    }
    return true;
}

int
bu_stop(bu_proc_t *p)
{
    if (p->pid <= 0) {
        return -1;
    }
    kill(p->pid, SIGTERM);
    int64_t deadline = bu_now_ns() + 5000000000LL;
    int status = 0;
    while (bu_now_ns() < deadline) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        bu_sleep_ms(5); /* polling a child's exit */
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
    return -1;
}

static long
s_status_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *f = fopen(path, "r");
    long v = 0;
    size_t flen = strlen(field);
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, field, flen) == 0) {
            v = strtol(line + flen, NULL, 10);
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return v;
}

long
bu_rss_peak_kib(pid_t pid)
{
    return s_status_kib(pid, "VmHWM:");
}

long
bu_rss_kib(pid_t pid)
{
    return s_status_kib(pid, "VmRSS:");
}

long
bu_rss_anon_kib(pid_t pid)
{
    return s_status_kib(pid, "RssAnon:");
}

long long
bu_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long) st.st_size : 0;
}

int
bu_free_port(void)
{
    static int handed[512];
    static int nhanded;
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof a) != 0 ||
            getsockname(fd, (struct sockaddr *) &a, &len) != 0) {
            if (fd >= 0) {
                close(fd);
            }
            continue;
        }
        close(fd);
        int port = ntohs(a.sin_port);
        bool seen = false;
        for (int i = 0; i < nhanded; i++) {
            seen |= handed[i] == port;
        }
        if (!seen && nhanded < 512) {
            handed[nhanded++] = port;
            return port;
        }
    }
    abort();
}

void
bu_rmrf(const char *path)
{
    if (!strstr(path, "bench") && strncmp(path, "/tmp/", 5) != 0) {
        return;
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench: could not remove %s\n", path);
    }
}

int
bu_mkdirs(const char *path)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0750);
            *p = '/';
        }
    }
    return mkdir(tmp, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

bool
bu_wait_api(const char *endpoint,
            const rantai_security_t *sec,
            bu_proc_t *p,
            int timeout_ms)
{
    rantai_client_t *client = rantai_client_new(endpoint, sec);
    if (!client) {
        return false;
    }
    rantai_client_set_timeout(client, 250);
    rantai_client_set_retries(client, 0);
    rantai_arena_t *arena = rantai_arena_new();
    int64_t deadline = bu_now_ns() + (int64_t) timeout_ms * 1000000;
    bool ready = false;
    while (!ready && bu_now_ns() < deadline && (!p || bu_alive(p))) {
        rantai_request_t req = RANTAI__V1__REQUEST__INIT;
        Rantai__V1__GetMatcherStatus st = RANTAI__V1__GET_MATCHER_STATUS__INIT;
        req.body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
        req.get_matcher_status = &st;
        rantai_reply_t *reply = NULL;
        ready = rantai_client_call(client, &req, arena, &reply) == 0;
        rantai_arena_reset(arena);
    }
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&client);
    return ready;
}

void
bu_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}
