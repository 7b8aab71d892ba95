/*  install_client.c - the smallest integrator, built by test_install.sh
    against an installed librantai with `pkg-config --cflags --libs rantai`
    (and with find_package(rantai)). Includes every public header, asks
    the producer registry at argv[1] for a producer that does not exist and
    prints the status name; exit 0 only for NOT_FOUND. */
#include <rantai/arena.h>
#include <rantai/client.h>
#include <rantai/codec.h>
#include <rantai/err.h>
#include <rantai/feed.h>
#include <rantai/json.h>
#include <rantai/refdata.h>
#include <rantai/units.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: install_client PRODUCER_API\n");
        return 2;
    }
    rantai_client_t *client = rantai_client_new(argv[1], NULL);
    if (!client) {
        return 1;
    }
    rantai_arena_t *arena = rantai_arena_new();
    Rantai__V1__GetProducer body = RANTAI__V1__GET_PRODUCER__INIT;
    body.id = "NO-SUCH-PRODUCER";
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
    req.get_producer = &body;
    rantai_reply_t *reply = NULL;
    int rc = rantai_client_call(client, &req, arena, &reply);
    int code = rc == 0 ? (int) reply->code : -1;
    printf("%s\n", rc == 0 ? rantai_status_name(code) : "no reply");
    rantai_arena_destroy(&arena);
    rantai_client_destroy(&client);
    return code == RANTAI__V1__STATUS_CODE__STATUS_CODE_NOT_FOUND ? 0 : 1;
}
