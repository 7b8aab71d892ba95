/*  matcher_server.h - the matcher process: the shared server plus two
    upstream registry feeds and a timer (matcher_server.c). */
#ifndef MATCHER_SERVER_H
#define MATCHER_SERVER_H

#include "server.h"

/* The matcher's service definition and its own settings table
   (matcher/producer_feed, matcher/buyer_feed, matcher/accept_timeout,
   security/client_cert, security/producer_key, security/buyer_key). */
extern const rantai_service_def_t matcher_service;
extern const rantai_setting_t matcher_settings[];

/* Run the matcher process until SIGTERM/SIGINT; returns the exit code
   (PROTOCOL.md s7). Uses process-wide state: call once. */
int matcher_server_main(int argc, char **argv);

#endif
