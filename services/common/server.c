/*  server.c - the process every service runs: settings, store, sockets,
    the poll loop, feeds, timers, HTTP and signals. The group-commit
    request path the loop calls is server_batch.c. */
#include "server.h"

#include "auth.h"
#include "evlog.h"
#include "feed_server.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "rantai/err.h"
#include "server_int.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <czmq.h>
#include <zmq.h>
#ifdef RANTAI_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define S_PUMP_MS  100   /* feed timer: heartbeats, blocked peers */
#define S_MAINT_MS 10000 /* reader check, retention */

const rantai_setting_t rantai_server_settings[] = {
    {"service/api", "api", RANTAI_CFG_ENDPOINT, "tcp://127.0.0.1:7401", 0, 0,
     NULL, "api endpoint to bind (ROUTER; Request -> Reply)"},
    {"service/feed", "feed", RANTAI_CFG_ENDPOINT, "tcp://127.0.0.1:7402", 0, 0,
     NULL, "feed endpoint to bind (ROUTER; durable event subscriptions)"},
    {"service/http", "http", RANTAI_CFG_HOSTPORT, "127.0.0.1:9401", 0, 0, NULL,
     "metrics and health HTTP address host:port (\"\" disables)"},
    {"service/data_dir", "data-dir", RANTAI_CFG_STRING, "./data", 0, 0, NULL,
     "directory of this service's LMDB environment"},
    {"service/max_msg_size", NULL, RANTAI_CFG_SIZE, "1MiB", 256, 1LL << 30,
     NULL, "largest frame accepted (ZMQ_MAXMSGSIZE)"},
    {"service/batch", NULL, RANTAI_CFG_INT, "256", 1, 65536, NULL,
     "most requests committed together in one durable transaction"},
    {"security/mode", "security", RANTAI_CFG_CHOICE, "none", 0, 0, "none|curve",
     "none (loopback only) or curve (CurveZMQ + ZAP)"},
    {"security/server_cert", "server-cert", RANTAI_CFG_STRING, NULL, 0, 0, NULL,
     "this service's secret certificate (zcert), curve mode"},
    {"security/client_certs", "client-certs", RANTAI_CFG_STRING, NULL, 0, 0,
     NULL, "directory of allowed clients' public certificates, curve mode"},
    {"feed/window", NULL, RANTAI_CFG_INT, "1024", 1, 65536, NULL,
     "events sent past the last ack when a subscriber asks for 0"},
    {"feed/max_window", NULL, RANTAI_CFG_INT, "65536", 1, 1 << 20, NULL,
     "largest window a subscriber may ask for"},
    {"feed/heartbeat", NULL, RANTAI_CFG_DURATION, "500ms", 50, 1000, NULL,
     "idle time before a heartbeat (contract: at most 1s)"},
    {"feed/retention", NULL, RANTAI_CFG_DURATION, "7d", 60000,
     3650LL * 86400000, NULL, "how long events are kept for subscribers"},
    {"feed/max_subscribers", NULL, RANTAI_CFG_INT, "100000", 1, 10000000, NULL,
     "most concurrent feed subscriptions"},
    {"store/map_size", NULL, RANTAI_CFG_SIZE, "64MiB", 1 << 20, 1LL << 40, NULL,
     "initial LMDB map size (grows automatically)"},
    {"store/max_map_size", NULL, RANTAI_CFG_SIZE, "1TiB", 1 << 20, 1LL << 44,
     NULL, "LMDB map size limit"},
    {"log/level", NULL, RANTAI_CFG_CHOICE, "info", 0, 0,
     "debug|info|warn|error", "minimum log level"},
    {"log/format", NULL, RANTAI_CFG_CHOICE, "logfmt", 0, 0, "logfmt|json",
     "log line format"},
    {NULL, NULL, 0, NULL, 0, 0, NULL, NULL}};

static volatile sig_atomic_t s_stop;
static volatile sig_atomic_t s_reload;

static void
s_on_signal(int sig)
{
    if (sig == SIGHUP) {
        s_reload = 1;
    } else {
        s_stop = 1;
    }
}

int64_t
rantai_server_now(rantai_server_t *self)
{
    (void) self;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rantai_store_t *
rantai_server_store(rantai_server_t *self)
{
    return self->store;
}

const char *
rantai_server_setting(rantai_server_t *self, const char *key)
{
    return rantai_config_str(self->cfg, key);
}

void
rantai_server_set_ready(rantai_server_t *self, bool ready)
{
    atomic_store(&self->ready, ready);
}

int
rantai_server_add_reader(rantai_server_t *self,
                         void *socket,
                         rantai_reader_fn *fn,
                         void *arg)
{
    if (self->nreaders == RANTAI_SERVER_READERS_MAX) {
        return RANTAI_EINVAL;
    }
    self->readers[self->nreaders++] = (rantai_server_reader_t){socket, fn, arg};
    return 0;
}

void
rantai_server_pump(rantai_server_t *self)
{
    rantai_feed_server_pump(self->fs, rantai_server_now(self));
}

int
rantai_server_write(rantai_server_t *self, rantai_write_fn *fn, void *arg)
{
    uint64_t before = atomic_load(&self->metrics.head_seq);
    int rc = rantai_store_write(self->store, fn, arg);
    if (rc == 0) {
        rantai_metrics_committed(&self->metrics, self->store, before);
        if (self->def->committed) {
            self->def->committed(self->core, self);
        }
        rantai_server_pump(self);
    }
    return rc;
}

/* ----------------------------------------------------------- setup/loop */

static void
s_http_metrics(void *arg, rantai_buf_t *out)
{
    rantai_server_t *self = arg;
    rantai_metrics_render(&self->metrics, self->def->name, out);
    if (self->def->metrics) {
        self->def->metrics(self->core, self, out);
    }
}

static bool
s_http_ready(void *arg, rantai_buf_t *why)
{
    rantai_server_t *self = arg;
    bool ready = atomic_load(&self->ready);
    if (!ready) {
        rantai_buf_printf(why,
                          "%s is starting or its upstreams are not "
                          "connected",
                          self->def->name);
    }
    return ready;
}

static zsock_t *
s_bind(rantai_server_t *self,
       const char *endpoint,
       int hwm,
       char *err,
       size_t errlen,
       const char *setting)
{
    zsock_t *sock = zsock_new(ZMQ_ROUTER);
    if (!sock) {
        snprintf(err, errlen, "cannot create a socket for %s", setting);
        return NULL;
    }
    zsock_set_linger(sock, 1000);
    zsock_set_maxmsgsize(sock, (int) self->max_msg);
    zsock_set_sndhwm(sock, hwm);
    zsock_set_rcvhwm(sock, hwm);
    rantai_auth_apply(self->auth, sock);
    if (zsock_bind(sock, "%s", endpoint) < 0) {
        snprintf(err, errlen, "setting %s: cannot bind %s: %s", setting,
                 endpoint, zmq_strerror(zmq_errno()));
        zsock_destroy(&sock);
    }
    return sock;
}

/* Build the settings tables: shared (with this service's defaults) and
   the service's own. */
static rantai_setting_t *
s_tables(const char *const (*defaults)[2])
{
    size_t n = 0;
    while (rantai_server_settings[n].name) {
        n++;
    }
    rantai_setting_t *copy = calloc(n + 1, sizeof *copy);
    if (!copy) {
        abort();
    }
    memcpy(copy, rantai_server_settings, (n + 1) * sizeof *copy);
    for (int i = 0; defaults && defaults[i][0]; i++) {
        for (size_t j = 0; j < n; j++) {
            if (strcmp(copy[j].name, defaults[i][0]) == 0) {
                copy[j].def = defaults[i][1];
            }
        }
    }
    return copy;
}

/* mkdir -p: a data dir that cannot be made is a bad setting (exit 2). */
static int
s_make_dirs(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int) sizeof path) {
        snprintf(err, errlen, "setting service/data_dir: path too long");
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0750); /* errors show at the last component */
            *p = '/';
        }
    }
    struct stat st;
    if ((mkdir(path, 0750) != 0 && errno != EEXIST) || stat(path, &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen,
                 "setting service/data_dir: %s is not a directory we can "
                 "create or use (%s)",
                 dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* 2 for configuration errors, 1 for anything else, 0 when set up. */
static int
s_setup(rantai_server_t *self, char *err, size_t errlen)
{
    const rantai_config_t *cfg = self->cfg;
    if (rantai_log_setup(self->def->name, rantai_config_str(cfg, "log/format"),
                         rantai_config_str(cfg, "log/level")) != 0) {
        snprintf(err, errlen, "setting log/level or log/format: invalid");
        return 2;
    }
    self->max_msg = (size_t) rantai_config_int(cfg, "service/max_msg_size");
    self->max_items = (int) rantai_config_int(cfg, "service/batch");
    self->items = calloc((size_t) self->max_items, sizeof *self->items);
    if (!self->items) {
        abort();
    }
    const char *api = rantai_config_str(cfg, "service/api");
    const char *feed = rantai_config_str(cfg, "service/feed");
    const char *endpoints[] = {api, feed, NULL};
    if (rantai_auth_new(&self->auth, cfg, endpoints, err, errlen) != 0) {
        return 2;
    }
    const char *dir = rantai_config_str(cfg, "service/data_dir");
    if (!dir || !*dir) {
        snprintf(err, errlen, "setting service/data_dir: must not be empty");
        return 2;
    }
    if (s_make_dirs(dir, err, errlen) != 0) {
        return 2;
    }
    rantai_store_opts_t so = {
        (size_t) rantai_config_int(cfg, "store/map_size"),
        (size_t) rantai_config_int(cfg, "store/max_map_size"), 0};
    if (rantai_store_open(&self->store, dir, self->def->db_names,
                          self->def->db_count, &so) != 0) {
        snprintf(err, errlen,
                 "cannot open the store in %s "
                 "(setting service/data_dir)",
                 dir);
        return 1;
    }
    self->api = s_bind(self, api, 100000, err, errlen, "service/api");
    if (!self->api) {
        return 1;
    }
    self->feed = s_bind(self, feed, 10000, err, errlen, "service/feed");
    if (!self->feed) {
        return 1;
    }
    self->api_h = zsock_resolve(self->api);
    self->feed_h = zsock_resolve(self->feed);
    zsock_set_linger(self->feed, 0);
    rantai_feed_server_opts_t fo = {
        (uint32_t) rantai_config_int(cfg, "feed/window"),
        (uint32_t) rantai_config_int(cfg, "feed/max_window"),
        (int) rantai_config_int(cfg, "feed/heartbeat"),
        (uint32_t) rantai_config_int(cfg, "feed/max_subscribers"), 256};
    self->fs = rantai_feed_server_new(
        self->feed_h, self->store, self->def, self->core, &fo,
        (rantai_principal_fn *) rantai_auth_principal, self->auth);
    const char *http = rantai_config_str(cfg, "service/http");
    if (http && *http) {
        rantai_http_pages_t pages = {s_http_metrics, s_http_ready, self};
        self->http = rantai_http_start(http, &pages);
        if (!self->http) {
            snprintf(err, errlen, "setting service/http: cannot listen on %s",
                     http);
            return 1;
        }
    }
    return 0;
}

typedef struct {
    int64_t before_ms;
} s_prune_t;

static int
s_prune_cb(rantai_txn_t *txn, void *arg)
{
    s_prune_t *p = arg;
    uint64_t n = 0;
    return rantai_evlog_prune(txn, p->before_ms, 10000, &n);
}

static void
s_maintain(rantai_server_t *self, int64_t now_ms)
{
    int dead = 0;
    rantai_store_reader_check(self->store, &dead);
    if (dead) {
        rantai_log_warn("store", "cleared %d stale readers", dead);
    }
    s_prune_t p = {now_ms - rantai_config_int(self->cfg, "feed/retention")};
    rantai_server_write(self, s_prune_cb, &p);
}

static void
s_timers(rantai_server_t *self,
         int64_t *next_pump,
         int64_t *next_tick,
         int64_t *next_maint)
{
    int64_t now = rantai_server_now(self);
    if (now >= *next_pump) {
        rantai_server_pump(self);
        uint64_t lag = 0;
        atomic_store(&self->metrics.subscribers,
                     rantai_feed_server_count(self->fs, &lag));
        atomic_store(&self->metrics.max_lag, lag);
        rantai_metrics_sample(&self->metrics, self->store);
        rantai_auth_refresh(self->auth, false);
        *next_pump = now + S_PUMP_MS;
    }
    if (self->def->tick && now >= *next_tick) {
        self->def->tick(self->core, self, now);
        *next_tick = now + (self->def->tick_ms > 0 ? self->def->tick_ms : 1000);
    }
    if (now >= *next_maint) {
        s_maintain(self, now);
        *next_maint = now + S_MAINT_MS;
    }
#ifdef RANTAI_HAVE_SYSTEMD
    if (self->watchdog_ms > 0) {
        sd_notify(0, "WATCHDOG=1");
    }
#endif
}

static void
s_loop(rantai_server_t *self)
{
    int64_t now = rantai_server_now(self);
    int64_t next_pump = now, next_tick = now, next_maint = now + S_MAINT_MS;
    bool more = false;
    static volatile sig_atomic_t *stop = &s_stop;
    while (!*stop) {
        zmq_pollitem_t items[3 + RANTAI_SERVER_READERS_MAX];
        int n = 0;
        items[n++] = (zmq_pollitem_t){self->api_h, 0, ZMQ_POLLIN, 0};
        items[n++] = (zmq_pollitem_t){self->feed_h, 0, ZMQ_POLLIN, 0};
        void *zap = rantai_auth_zap_socket(self->auth);
        int zap_item = zap ? n : -1;
        if (zap) {
            items[n++] = (zmq_pollitem_t){zap, 0, ZMQ_POLLIN, 0};
        }
        int first_reader = n;
        for (int i = 0; i < self->nreaders; i++) {
            items[n++] =
                (zmq_pollitem_t){self->readers[i].socket, 0, ZMQ_POLLIN, 0};
        }
        now = rantai_server_now(self);
        int64_t wait = next_pump - now;
        if (self->def->tick && next_tick - now < wait) {
            wait = next_tick - now;
        }
        if (more || wait < 0) {
            wait = 0;
        }
        if (zmq_poll(items, n, (long) wait) < 0) {
            if (zmq_errno() == EINTR) {
                if (s_reload) {
                    s_reload = 0;
                    rantai_log_info("server", "SIGHUP: reloading client "
                                              "certificates");
                    rantai_auth_refresh(self->auth, true);
                }
                continue;
            }
            rantai_log_error("server", "poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (zap_item >= 0 && (items[zap_item].revents & ZMQ_POLLIN)) {
            rantai_auth_zap_handle(self->auth);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            rantai_feed_server_recv(self->fs, rantai_server_now(self));
            /* exact, not sampled: subscriptions start here */
            atomic_store(&self->metrics.subscribers,
                         rantai_feed_server_count(self->fs, NULL));
        }
        if (items[0].revents & ZMQ_POLLIN) {
            rantai_server_serve_batch(self);
        }
        for (int i = 0; i < self->nreaders; i++) {
            if (items[first_reader + i].revents & ZMQ_POLLIN) {
                rantai_server_reader_t *r = &self->readers[i];
                r->fn(self, r->socket, r->arg);
            }
        }
        more = rantai_feed_server_pump(self->fs, rantai_server_now(self));
        s_timers(self, &next_pump, &next_tick, &next_maint);
    }
}

static void
s_teardown(rantai_server_t *self)
{
    rantai_http_stop(&self->http);
    rantai_feed_server_destroy(&self->fs);
    zsock_destroy(&self->feed);
    zsock_destroy(&self->api);
    rantai_auth_destroy(&self->auth);
    rantai_store_destroy(&self->store);
    rantai_arena_destroy(&self->arena);
    free(self->items);
    rantai_config_destroy(&self->cfg);
}

int
rantai_server_main(const rantai_service_def_t *def,
                   void *core,
                   const rantai_setting_t *settings,
                   const char *const (*defaults)[2],
                   int argc,
                   char **argv)
{
    /* main owns the signals, not CZMQ. */
    zsys_handler_set(NULL);
    zsys_set_logstream(NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    rantai_setting_t *shared = s_tables(defaults);
    const rantai_setting_t *tables[] = {shared, settings, NULL};
    char program[64];
    snprintf(program, sizeof program, "rantai-%s", def->name);
    rantai_server_t server;
    memset(&server, 0, sizeof server);
    rantai_server_t *self = &server;
    self->def = def;
    self->core = core;
    self->arena = rantai_arena_new();
    char err[512] = "";
    int rc = rantai_config_load(&self->cfg, tables, program, argc, argv, err,
                                sizeof err, stdout);
    if (rc == 1) {
        free(shared);
        rantai_arena_destroy(&self->arena);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", program, err);
        free(shared);
        rantai_arena_destroy(&self->arena);
        return 2;
    }
    rc = s_setup(self, err, sizeof err);
    if (rc == 0 && def->start && def->start(core, self) != 0) {
        snprintf(err, sizeof err, "%s failed to start", def->name);
        rc = 1;
    }
    if (rc != 0) {
        rantai_log_error("server", "%s", err);
        fprintf(stderr, "%s: %s\n", program, err);
        s_teardown(self);
        free(shared);
        return rc;
    }
    if (!def->start) {
        atomic_store(&self->ready, true);
    }
    rantai_txn_t *txn = NULL;
    if (rantai_store_read(self->store, &txn) == 0) {
        atomic_store(&self->metrics.head_seq, rantai_evlog_head(txn));
        rantai_txn_abort(&txn);
    }
    rantai_log_info("server",
                    "ready: api=%s feed=%s http=%s data_dir=%s security=%s "
                    "head_seq=%llu",
                    rantai_config_str(self->cfg, "service/api"),
                    rantai_config_str(self->cfg, "service/feed"),
                    rantai_config_str(self->cfg, "service/http"),
                    rantai_config_str(self->cfg, "service/data_dir"),
                    rantai_config_str(self->cfg, "security/mode"),
                    (unsigned long long) atomic_load(&self->metrics.head_seq));
#ifdef RANTAI_HAVE_SYSTEMD
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) {
        self->watchdog_ms = (int64_t) (usec / 2000);
    }
    sd_notify(0, "READY=1");
#endif
    s_loop(self);
    rantai_log_info("server", "stopping");
#ifdef RANTAI_HAVE_SYSTEMD
    sd_notify(0, "STOPPING=1");
#endif
    s_teardown(self);
    free(shared);
    rantai_log_info("server", "stopped");
    return 0;
}
