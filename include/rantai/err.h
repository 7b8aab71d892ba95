/*  rantai/err.h - error codes shared by librantai and the services.

    Every function that can fail returns 0 or a negative rantai_err_t.
    LMDB, ZeroMQ and protobuf-c codes are mapped to these once, at their
    module boundary; rantai_err_status() maps them to the wire StatusCode
    once. Thread-safe: everything here is pure. */
#ifndef RANTAI_ERR_H
#define RANTAI_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    RANTAI_OK = 0,
    RANTAI_EINVAL = -1,    /* bad argument or malformed input */
    RANTAI_ENOTFOUND = -2, /* no such key / object */
    RANTAI_EEXISTS = -3,   /* exists with other content */
    RANTAI_EPRECOND = -4,  /* state does not allow it */
    RANTAI_ENOSPC = -5,    /* disk or map full, cannot grow */
    RANTAI_EMAPFULL = -6,  /* LMDB map full: abort, grow, retry */
    RANTAI_EIO = -7,       /* storage or system failure */
    RANTAI_ETIMEOUT = -8,  /* no answer before the deadline */
    RANTAI_EINTR = -9,     /* interrupted (signal, $TERM) */
    RANTAI_EPROTO = -10,   /* peer sent something not in the contract */
    RANTAI_EDENIED = -11,  /* not allowed */
    RANTAI_ERANGE = -12,   /* out of range (e.g. pruned feed position) */
    RANTAI_EUNIMPL = -13,  /* not served here */
    RANTAI_EINTERNAL = -14 /* a bug */
} rantai_err_t;

/* A short English description of `err`; never NULL, static storage. */
const char *rantai_strerror(int err);

/* The wire StatusCode number (gRPC canonical) for `err`. */
int rantai_err_status(int err);

#ifdef __cplusplus
}
#endif

#endif
