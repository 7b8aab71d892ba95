/*  rantai-buyer: the buyer registry process (PROTOCOL.md s7). All the work is
    in the shared server and buyer_core.c. */
#include "buyer_core.h"
#include "server.h"

#include <stddef.h>

int
main(int argc, char **argv)
{
    static const char *const defaults[][2] = {
        {"service/api", "tcp://127.0.0.1:7411"},
        {"service/feed", "tcp://127.0.0.1:7412"},
        {"service/http", "127.0.0.1:9411"},
        {NULL, NULL},
    };
    return rantai_server_main(&buyer_service, NULL, NULL, defaults, argc, argv);
}
