/*  cli.h - internals of the `rantai` command shared by its source files:
    the run context, the command table, calling a service and printing.
    Not a library: one process, one thread. */
#ifndef RANTAI_CLI_H
#define RANTAI_CLI_H

#include "cli_args.h"
#include "rantai/arena.h"
#include "rantai/client.h"
#include "rantai/codec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (PROTOCOL.md s7): 0 ok, 1 failure or error reply, 2 usage. */
#define CLI_EXIT_OK    0
#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

typedef enum {
    CLI_PRODUCER = 0,
    CLI_BUYER,
    CLI_MATCHER,
    CLI_NSERVICES
} cli_service_t;

typedef struct cli_cmd_t cli_cmd_t;

typedef struct {
    const cli_cmd_t *cmd;
    cli_args_t args;     /* after the command word */
    cli_args_t pre;      /* before it (global options only) */
    bool json;           /* --json or --pretty */
    unsigned json_flags; /* RANTAI_JSON_* */
    int timeout_ms;      /* --timeout, default 5000 */
    bool timeout_given;
    int retries; /* --retries, default 2 */
    rantai_security_t sec;
    bool has_sec;
    char api[CLI_NSERVICES][256];
    char feed[CLI_NSERVICES][256];
    rantai_arena_t *arena;
} cli_ctx_t;

struct cli_cmd_t {
    const char *name;
    cli_service_t service;
    const char *synopsis;  /* after "rantai NAME " */
    const char *summary;   /* one line */
    const char *details;   /* extra help paragraphs, or NULL */
    const char *examples;  /* one example per line */
    const cli_opt_t *opts; /* the command's own options */
    int (*run)(cli_ctx_t *ctx);
};

/* Command tables of each source file, ending with a NULL name. */
extern const cli_cmd_t cli_producer_cmds[];
extern const cli_cmd_t cli_buyer_cmds[];
extern const cli_cmd_t cli_matcher_cmds[];

/* Name of a service ("producer"). */
const char *cli_service_name(cli_service_t s);

/* Report a usage error "rantai CMD: message" on stderr; returns
   CLI_EXIT_USAGE. */
int cli_usage_error(const cli_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Send req to the command's service and wait. On an OK reply sets *reply
   and returns CLI_EXIT_OK. Otherwise reports (stderr, or the reply as JSON
   on stdout with --json) and returns CLI_EXIT_FAIL. */
int cli_call(cli_ctx_t *ctx,
             cli_service_t service,
             rantai_request_t *req,
             rantai_reply_t **reply);

/* cli_call() for a write; on OK prints "ok WHAT ID seq N" (or the reply
   as JSON). Returns the exit code. */
int cli_write(cli_ctx_t *ctx,
              cli_service_t service,
              rantai_request_t *req,
              const char *what,
              const char *id);

/* The options of a command that takes only --id ID. */
extern const cli_opt_t cli_id_opts[];

/* Run a command that takes only --id ID: set *id (a field of req's body)
   to it, send req and, on OK, print the reply as JSON or, readable, "ok
   WHAT ID seq N" for a write (what != NULL: as cli_write()) or the object
   the reply carries for a read (what == NULL). Returns the exit code. */
int cli_run_by_id(cli_ctx_t *ctx,
                  cli_service_t service,
                  rantai_request_t *req,
                  char **id,
                  const char *what);

/* Run a List command once its own filters are in req's body: read
   --commodity PREFIX, --limit N and --page-token TOKEN into the body's
   fields *prefix, *limit and *page_token, then send req and print each
   page (the reply as JSON, or its items one per line) until the last page
   with --all; without it, after the first page and a hint how to go on.
   Readable output ends with the count of items, "(N <noun>s)". Returns
   the exit code. */
int cli_run_list(cli_ctx_t *ctx,
                 cli_service_t service,
                 rantai_request_t *req,
                 char **prefix,
                 uint32_t *limit,
                 char **page_token,
                 const char *noun);

/* Report a bad option value: "--NAME: message"; returns CLI_EXIT_USAGE. */
#define CLI_BAD(ctx, name, err) \
    cli_usage_error((ctx), "--%s: %s", (name), (err))

/* Print msg as JSON on stdout with the --json/--pretty flags and a
   newline. */
void cli_print_json(const cli_ctx_t *ctx, const ProtobufCMessage *msg);

/* Required string option: its value, or NULL after a usage error was
   reported (then *rc = CLI_EXIT_USAGE). */
const char *cli_need(cli_ctx_t *ctx, const char *name, int *rc);

/* Required id option (valid per PROTOCOL.md s2), as cli_need(). */
const char *cli_need_id(cli_ctx_t *ctx, const char *name, int *rc);

/* Optional id option: NULL if absent; a usage error (*rc set) if given
   but malformed, also NULL. */
const char *cli_opt_id(cli_ctx_t *ctx, const char *name, int *rc);

/* ---- readable output (print.c) ---------------------------------------- */

void cli_print_producer(FILE *out, const Rantai__V1__Producer *p);
void cli_print_offer(FILE *out, const Rantai__V1__Offer *o);
void cli_print_offer_line(FILE *out, const Rantai__V1__Offer *o);
void cli_print_offer_state(FILE *out, const Rantai__V1__OfferState *s);
void cli_print_buyer(FILE *out, const Rantai__V1__Buyer *b);
void cli_print_demand(FILE *out, const Rantai__V1__Demand *d);
void cli_print_demand_line(FILE *out, const Rantai__V1__Demand *d);
void cli_print_demand_state(FILE *out, const Rantai__V1__DemandState *s);
void cli_print_allocation(FILE *out,
                          const Rantai__V1__Allocation *a,
                          const char *indent);
void cli_print_matcher_status(FILE *out, const Rantai__V1__MatcherStatus *s);
void cli_print_event(FILE *out, const rantai_event_t *ev);

/* "2.5 t" / "-" for an unset quantity. */
void cli_fmt_qty(const Rantai__V1__Quantity *q, char *buf, size_t size);
/* "Rp 95,000/kg" / "-" for an unset price. */
void cli_fmt_price(const Rantai__V1__Price *p, char *buf, size_t size);
/* Enum value name without its prefix ("ALLOCATED"), or the number. */
const char *cli_enum_name(const ProtobufCEnumDescriptor *desc,
                          int v,
                          char *buf,
                          size_t size);

#endif
