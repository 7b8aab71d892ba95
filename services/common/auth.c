/*  auth.c - CURVE server setup, our ZAP handler, key -> role look-up. */
#include "auth.h"

#include "log.h"
#include "rantai/codec.h"
#include "rantai/err.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#define S_ZAP_ENDPOINT "inproc://zeromq.zap.01"

typedef struct {
    rantai_role_t role;
    char party[RANTAI_ID_MAX + 1];
} s_client_t;

/* Set by SIGHUP; the next refresh (within 100 ms, from the server's pump
   timer) re-reads the directory even if its fingerprint did not change. */
static volatile sig_atomic_t s_hup;

static void
s_on_hup(int sig)
{
    (void) sig;
    s_hup = 1;
}

struct rantai_auth_t {
    bool curve;
    zcert_t *server_cert;
    char *certs_dir;
    zhashx_t *clients;  /* Z85 public key -> s_client_t */
    zsock_t *zap;       /* REP on S_ZAP_ENDPOINT */
    zhashx_t *owners;   /* hex routing id chosen by a client -> its key */
    char signature[64]; /* directory fingerprint at last load */
};

rantai_role_t
rantai_role_parse(const char *name)
{
    static const char *const names[] = {
        "", "admin", "cooperative", "producer", "marketplace", "service"};
    for (int i = 1; name && i < 6; i++) {
        if (strcmp(name, names[i]) == 0) {
            return (rantai_role_t) i;
        }
    }
    return RANTAI_ROLE_NONE;
}

static bool
s_loopback(const char *endpoint)
{
    if (strncmp(endpoint, "ipc://", 6) == 0 ||
        strncmp(endpoint, "inproc://", 9) == 0) {
        return true;
    }
    if (strncmp(endpoint, "tcp://", 6) != 0) {
        return false;
    }
    const char *host = endpoint + 6;
    if (strncmp(host, "localhost:", 10) == 0 ||
        strncmp(host, "[::1]:", 6) == 0) {
        return true;
    }
    /* 127.x.y.z only as a numeric address: "127.example.com" is a name. */
    if (strncmp(host, "127.", 4) != 0) {
        return false;
    }
    const char *p = host + 4;
    while (isdigit((unsigned char) *p) || *p == '.') {
        p++;
    }
    return *p == ':';
}

/* Fingerprint of the directory: names, sizes and mtimes. */
static void
s_signature(const char *dir, char *out, size_t size)
{
    uint64_t h = 1469598103934665603ULL;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (stat(path, &st) != 0) {
                continue;
            }
            uint64_t parts[3] = {(uint64_t) st.st_size,
                                 (uint64_t) st.st_mtim.tv_sec,
                                 (uint64_t) st.st_mtim.tv_nsec};
            /* Order-independent: sum of per-file hashes. */
            uint64_t fh = 1469598103934665603ULL;
            for (const char *p = e->d_name; *p; p++) {
                fh = (fh ^ (uint8_t) *p) * 1099511628211ULL;
            }
            for (int i = 0; i < 3; i++) {
                fh = (fh ^ parts[i]) * 1099511628211ULL;
            }
            h += fh;
        }
        closedir(d);
    }
    snprintf(out, size, "%llx", (unsigned long long) h);
}

/* Roles that act for a party need a valid party id; the others have
   none. Truncating an over-long id could make it equal to another
   party's, so such a certificate is refused, not cut. */
static bool
s_party_ok(rantai_role_t role, const char *party)
{
    if (role == RANTAI_ROLE_COOPERATIVE || role == RANTAI_ROLE_PRODUCER ||
        role == RANTAI_ROLE_MARKETPLACE) {
        return party && rantai_id_valid(party);
    }
    return true;
}

static void
s_load_clients(rantai_auth_t *self)
{
    zhashx_t *clients = zhashx_new();
    zhashx_set_destructor(clients, (zhashx_destructor_fn *) zstr_free);
    /* Keys listed twice with different rights are refused altogether
       (which file wins would depend on readdir order). */
    zhashx_t *conflicts = zhashx_new();
    DIR *d = opendir(self->certs_dir);
    int n = 0;
    if (!d) {
        rantai_log_error("auth", "cannot read client certificates in %s",
                         self->certs_dir);
    }
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.') {
            continue;
        }
        /* A secret certificate has no business here (and would be loaded
           as its public half): skip it and say so. */
        if (len > 7 && strcmp(e->d_name + len - 7, "_secret") == 0) {
            rantai_log_warn("auth",
                            "%s/%s: a secret certificate in the client "
                            "directory, ignored (move it away)",
                            self->certs_dir, e->d_name);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", self->certs_dir, e->d_name);
        zcert_t *cert = zcert_load(path);
        if (!cert) {
            continue;
        }
        rantai_role_t role = rantai_role_parse(zcert_meta(cert, "role"));
        const char *party = zcert_meta(cert, "party");
        const char *key = zcert_public_txt(cert);
        /* zcert_load() leaves the key all zeros when the file has no
           (valid) public-key: never admit that. */
        if (strcmp(key, "0000000000000000000000000000000000000000") == 0) {
            rantai_log_warn("auth", "%s: no valid curve public-key, ignored",
                            path);
        } else if (role == RANTAI_ROLE_NONE) {
            rantai_log_warn("auth", "%s: no valid role, ignored", path);
        } else if (!s_party_ok(role, party)) {
            rantai_log_warn("auth",
                            "%s: role %s needs a party id of 1-64 "
                            "[A-Za-z0-9._:-], ignored",
                            path, zcert_meta(cert, "role"));
        } else {
            s_client_t *c = zmalloc(sizeof *c);
            c->role = role;
            if (role == RANTAI_ROLE_COOPERATIVE ||
                role == RANTAI_ROLE_PRODUCER ||
                role == RANTAI_ROLE_MARKETPLACE) {
                snprintf(c->party, sizeof c->party, "%s", party);
            }
            const s_client_t *old = zhashx_lookup(clients, key);
            if (old &&
                (old->role != c->role || strcmp(old->party, c->party) != 0)) {
                rantai_log_warn("auth",
                                "%s: key %s is listed with other rights in "
                                "another file; refusing it",
                                path, key);
                zhashx_update(conflicts, key, (void *) "");
                free(c);
            } else if (old) {
                free(c);
            } else {
                zhashx_insert(clients, key, c);
            }
        }
        zcert_destroy(&cert);
    }
    if (d) {
        closedir(d);
    }
    for (void *v = zhashx_first(conflicts); v; v = zhashx_next(conflicts)) {
        zhashx_delete(clients, zhashx_cursor(conflicts));
    }
    zhashx_destroy(&conflicts);
    n = (int) zhashx_size(clients);
    zhashx_destroy(&self->clients);
    self->clients = clients;
    rantai_log_info("auth", "%d client keys loaded from %s", n,
                    self->certs_dir);
}

void
rantai_auth_refresh(rantai_auth_t *self, bool force)
{
    if (!self->curve) {
        return;
    }
    if (s_hup) {
        s_hup = 0;
        force = true;
        rantai_log_info("auth", "SIGHUP: reloading client certificates");
    }
    char sig[64];
    s_signature(self->certs_dir, sig, sizeof sig);
    if (force || strcmp(sig, self->signature) != 0) {
        snprintf(self->signature, sizeof self->signature, "%s", sig);
        s_load_clients(self);
    }
}

int
rantai_auth_new(rantai_auth_t **out,
                const rantai_config_t *cfg,
                const char *const *endpoints,
                char *err,
                size_t errlen)
{
    *out = NULL;
    /* SIGHUP reloads the certificates (and must not end the process,
       its default). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_hup;
    sigaction(SIGHUP, &sa, NULL);
    const char *mode = rantai_config_str(cfg, "security/mode");
    rantai_auth_t *self = zmalloc(sizeof *self);
    self->curve = mode && strcmp(mode, "curve") == 0;
    if (!self->curve) {
        for (int i = 0; endpoints[i]; i++) {
            if (!s_loopback(endpoints[i])) {
                snprintf(err, errlen,
                         "setting security/mode: 'none' is allowed only when "
                         "every endpoint is on loopback, but %s is not; use "
                         "--security curve",
                         endpoints[i]);
                free(self);
                return RANTAI_EINVAL;
            }
        }
        *out = self;
        return 0;
    }
    const char *cert = rantai_config_str(cfg, "security/server_cert");
    const char *dir = rantai_config_str(cfg, "security/client_certs");
    if (!cert || !*cert || !(self->server_cert = zcert_load(cert))) {
        snprintf(err, errlen,
                 "setting security/server_cert: curve needs a readable "
                 "secret certificate (--server-cert FILE)%s%s",
                 cert ? ", cannot load " : "", cert ? cert : "");
        rantai_auth_destroy(&self);
        return RANTAI_EINVAL;
    }
    struct stat st;
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen,
                 "setting security/client_certs: curve needs the directory "
                 "of client public certificates (--client-certs DIR)");
        rantai_auth_destroy(&self);
        return RANTAI_EINVAL;
    }
    self->owners = zhashx_new();
    zhashx_set_destructor(self->owners, (zhashx_destructor_fn *) zstr_free);
    self->certs_dir = strdup(dir);
    self->zap = zsock_new(ZMQ_REP);
    if (!self->zap || zsock_bind(self->zap, S_ZAP_ENDPOINT) != 0) {
        snprintf(err, errlen,
                 "setting security/mode: cannot start the ZAP "
                 "handler");
        rantai_auth_destroy(&self);
        return RANTAI_EINVAL;
    }
    rantai_auth_refresh(self, true);
    *out = self;
    return 0;
}

void
rantai_auth_destroy(rantai_auth_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_auth_t *self = *self_p;
    zsock_destroy(&self->zap);
    zcert_destroy(&self->server_cert);
    zhashx_destroy(&self->clients);
    zhashx_destroy(&self->owners);
    free(self->certs_dir);
    free(self);
    *self_p = NULL;
}

int
rantai_auth_apply(rantai_auth_t *self, zsock_t *sock)
{
    if (!self->curve) {
        return 0;
    }
    zcert_apply(self->server_cert, sock);
    zsock_set_curve_server(sock, 1);
    zsock_set_zap_domain(sock, "rantai");
    return 0;
}

void *
rantai_auth_zap_socket(rantai_auth_t *self)
{
    return self->zap ? zsock_resolve(self->zap) : NULL;
}

/* Feeds address subscribers by routing id. A client may choose its own
   (ZMQ_ROUTING_ID); one that picked another key's id could receive what
   is sent to it after a reconnect. So a chosen id belongs to the first
   key that used it, and ids starting with a zero byte are libzmq's own. */
static bool
s_identity_ok(rantai_auth_t *self, zframe_t *identity, const char *user)
{
    size_t size = identity ? zframe_size(identity) : 0;
    if (size == 0) {
        return true; /* libzmq assigns one */
    }
    if (zframe_data(identity)[0] == 0 || size > 255) {
        return false;
    }
    char *hex = zframe_strhex(identity);
    const char *owner = zhashx_lookup(self->owners, hex);
    bool ok = !owner || strcmp(owner, user) == 0;
    if (!owner) {
        if (zhashx_size(self->owners) >= 100000) {
            zhashx_purge(self->owners); /* bounded; rare */
        }
        zhashx_insert(self->owners, hex, strdup(user));
    }
    zstr_free(&hex);
    return ok;
}

/* ZAP (RFC 27): version, request id, domain, address, identity,
   mechanism, credentials... -> version, request id, status code, status
   text, user id, metadata. */
void
rantai_auth_zap_handle(rantai_auth_t *self)
{
    zmsg_t *req = zmsg_recv(self->zap);
    if (!req) {
        return;
    }
    char *version = zmsg_popstr(req);
    char *sequence = zmsg_popstr(req);
    char *domain = zmsg_popstr(req);
    char *address = zmsg_popstr(req);
    zframe_t *identity = zmsg_pop(req);
    char *mechanism = zmsg_popstr(req);
    zframe_t *key = zmsg_pop(req);
    const char *status = "400";
    char user[41] = "";
    if (version && strcmp(version, "1.0") == 0 && mechanism &&
        strcmp(mechanism, "CURVE") == 0 && key && zframe_size(key) == 32) {
        zmq_z85_encode(user, zframe_data(key), 32);
        if (zhashx_lookup(self->clients, user) &&
            s_identity_ok(self, identity, user)) {
            status = "200";
        }
    }
    if (status[0] != '2') {
        rantai_log_limited(RANTAI_LOG_WARN, "auth", "refused %s key %s from %s",
                           mechanism ? mechanism : "?", user[0] ? user : "-",
                           address ? address : "?");
        user[0] = '\0';
    }
    zstr_sendx(self->zap, "1.0", sequence ? sequence : "", status,
               status[0] == '2' ? "OK" : "unknown key", user, "", NULL);
    zframe_destroy(&key);
    zstr_free(&version);
    zstr_free(&sequence);
    zstr_free(&domain);
    zstr_free(&address);
    zframe_destroy(&identity);
    zstr_free(&mechanism);
    zmsg_destroy(&req);
}

void
rantai_auth_principal(rantai_auth_t *self,
                      void *msg,
                      const char *user,
                      rantai_principal_t *who,
                      char *party,
                      size_t size)
{
    party[0] = '\0';
    who->party = party;
    if (!self->curve) {
        who->role = RANTAI_ROLE_ADMIN;
        return;
    }
    who->role = RANTAI_ROLE_NONE;
    if (msg) {
        user = zmq_msg_gets((zmq_msg_t *) msg, "User-Id");
    }
    const s_client_t *c = user ? zhashx_lookup(self->clients, user) : NULL;
    if (c) {
        who->role = c->role;
        snprintf(party, size, "%s", c->party);
    }
}
