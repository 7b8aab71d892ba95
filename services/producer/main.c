/*  rantai-producer: the producer registry process (PROTOCOL.md s7). All the
   work is in the shared server and producer_core.c. */
#include "producer_core.h"
#include "server.h"

#include <stddef.h>

int
main(int argc, char **argv)
{
    static const char *const defaults[][2] = {
        {"service/api", "tcp://127.0.0.1:7401"},
        {"service/feed", "tcp://127.0.0.1:7402"},
        {"service/http", "127.0.0.1:9401"},
        {NULL, NULL},
    };
    return rantai_server_main(&producer_service, NULL, NULL, defaults, argc,
                              argv);
}
