/*  err.c - rantai_err_t descriptions and the one mapping to StatusCode. */
#include "rantai/err.h"

const char *
rantai_strerror(int err)
{
    switch (err) {
        case RANTAI_OK:
            return "success";
        case RANTAI_EINVAL:
            return "invalid argument";
        case RANTAI_ENOTFOUND:
            return "not found";
        case RANTAI_EEXISTS:
            return "already exists with other content";
        case RANTAI_EPRECOND:
            return "failed precondition";
        case RANTAI_ENOSPC:
            return "no space left";
        case RANTAI_EMAPFULL:
            return "database map full";
        case RANTAI_EIO:
            return "input/output error";
        case RANTAI_ETIMEOUT:
            return "timed out";
        case RANTAI_EINTR:
            return "interrupted";
        case RANTAI_EPROTO:
            return "protocol error";
        case RANTAI_EDENIED:
            return "permission denied";
        case RANTAI_ERANGE:
            return "out of range";
        case RANTAI_EUNIMPL:
            return "not implemented";
        case RANTAI_EINTERNAL:
            return "internal error";
        default:
            return "unknown error";
    }
}

/* Numbers are gRPC's canonical codes (rantai.v1.StatusCode); spelled out
   so this file needs no generated header. */
int
rantai_err_status(int err)
{
    switch (err) {
        case RANTAI_OK:
            return 0; /* OK */
        case RANTAI_EINTR:
            return 1; /* CANCELLED */
        case RANTAI_EINVAL:
            return 3; /* INVALID_ARGUMENT */
        case RANTAI_ENOTFOUND:
            return 5; /* NOT_FOUND */
        case RANTAI_EEXISTS:
            return 6; /* ALREADY_EXISTS */
        case RANTAI_EDENIED:
            return 7; /* PERMISSION_DENIED */
        case RANTAI_ENOSPC:
        case RANTAI_EMAPFULL:
            return 8; /* RESOURCE_EXHAUSTED */
        case RANTAI_EPRECOND:
            return 9; /* FAILED_PRECONDITION */
        case RANTAI_ERANGE:
            return 11; /* OUT_OF_RANGE */
        case RANTAI_EUNIMPL:
            return 12; /* UNIMPLEMENTED */
        case RANTAI_ETIMEOUT:
            return 14; /* UNAVAILABLE */
        case RANTAI_EIO:
        case RANTAI_EPROTO:
        case RANTAI_EINTERNAL:
            return 13; /* INTERNAL */
        default:
            return 2; /* UNKNOWN */
    }
}
