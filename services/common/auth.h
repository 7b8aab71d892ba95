/*  auth.h - who is on the other end of a socket (PROTOCOL.md section 6).

    security = none: every peer is admin, and every endpoint must be on
    loopback (ipc:// and inproc:// count as local).
    security = curve: the service's sockets are CURVE servers; a ZAP
    handler (ours, on inproc://zeromq.zap.01, polled by the service loop)
    admits only public keys found in the client certificate directory
    (CZMQ zcert public files with metadata `role` and `party`) and tags
    each connection with User-Id = the client's Z85 public key. Roles are
    looked up by that key, never by anything a client sends. The directory
    is re-read on SIGHUP and whenever its contents change (fingerprint of
    names, sizes and mtimes, checked every 100 ms from the server's pump
    timer), so keys can be added and revoked without a restart. A revoked
    key cannot connect again (ZAP refuses it), and its open api
    connections keep no rights: every request is checked against the
    current table, so they get PERMISSION_DENIED.

    A certificate is ignored (with a warning) if its role is unknown, if
    a cooperative / producer / marketplace certificate has no valid party
    id (1-64 bytes of [A-Za-z0-9._:-]; never truncated), and a key listed
    in two files with different rights is refused altogether.

    rantai_auth_new() installs a SIGHUP handler (process-wide). */
#ifndef RANTAI_AUTH_H
#define RANTAI_AUTH_H

#include "config.h"
#include "service.h"

#include <stddef.h>

#include <czmq.h>

typedef struct rantai_auth_t rantai_auth_t;

/* From the security section. Checks that none mode only binds
   loopback (`endpoints` NULL-terminated). Returns 0, or RANTAI_EINVAL
   with a message naming the setting in err (exit 2). */
int rantai_auth_new(rantai_auth_t **out,
                    const rantai_config_t *cfg,
                    const char *const *endpoints,
                    char *err,
                    size_t errlen);

void rantai_auth_destroy(rantai_auth_t **self);

/* Make `sock` a CURVE server with our certificate (no-op in none mode).
   Call before bind. */
int rantai_auth_apply(rantai_auth_t *self, zsock_t *sock);

/* The ZAP socket to poll (NULL in none mode), and its handler. */
void *rantai_auth_zap_socket(rantai_auth_t *self);
void rantai_auth_zap_handle(rantai_auth_t *self);

/* Re-read the certificate directory if it changed (or `force`). */
void rantai_auth_refresh(rantai_auth_t *self, bool force);

/* The principal of the peer that sent `msg` (a zmq_msg_t *), or when msg
   is NULL of the authenticated key `user` (Z85): role and party copied
   into party[0..size). None mode: admin. */
void rantai_auth_principal(rantai_auth_t *self,
                           void *msg,
                           const char *user,
                           rantai_principal_t *who,
                           char *party,
                           size_t size);

/* Role from its name ("cooperative"), RANTAI_ROLE_NONE if unknown. */
rantai_role_t rantai_role_parse(const char *name);

#endif
