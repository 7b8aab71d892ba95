/*  rantai-matcher: the matching process (PROTOCOL.md s7). All the work is
    in the shared server, matcher_server.c and the matcher core. */
#include "matcher_server.h"

int
main(int argc, char **argv)
{
    return matcher_server_main(argc, argv);
}
