/*  server.h - the shared service process: config, store, api and feed
    sockets, group-commit loop, HTTP health/metrics, signals.

    main() of each service is: rantai_server_main(&def, core, settings,
    argc, argv). Exit codes (PROTOCOL.md s7): 0 clean stop, 2 bad
    configuration (message names the setting), 1 any other failure. */
#ifndef RANTAI_SERVER_H
#define RANTAI_SERVER_H

#include "config.h"
#include "service.h"

/* Settings every service has (service/api, service/feed, service/http,
   service/data_dir, and the security, feed, store and log sections). */
extern const rantai_setting_t rantai_server_settings[];

/* Run the service until SIGTERM/SIGINT. `settings` is the service's own
   table (may be NULL); `defaults` overrides defaults of the shared table
   by name ({"service/api", "tcp://127.0.0.1:7401"}, ..., {NULL, NULL}).
   `core` is passed to every hook. Returns the process exit code. */
int rantai_server_main(const rantai_service_def_t *def,
                       void *core,
                       const rantai_setting_t *settings,
                       const char *const (*defaults)[2],
                       int argc,
                       char **argv);

#endif
