/*  rantai.c - the `rantai` command: global options, endpoints, dispatch,
    help, and the one place that calls a service and reports its errors.
    The subcommands live in cmd_producer.c, cmd_buyer.c, cmd_matcher.c;
    readable output in print.c. */
#include "cli.h"
#include "rantai/err.h"
#include "rantai/json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

/* Endpoints by service name: only before the command word, because after
   it --producer and --buyer are entity ids. */
static const cli_opt_t s_pre_opts[] = {
    {"producer", "ENDPOINT", 0,
     "producer api (default tcp://127.0.0.1:7401, env RANTAI_PRODUCER_API)"},
    {"buyer", "ENDPOINT", 0,
     "buyer api (default tcp://127.0.0.1:7411, env RANTAI_BUYER_API)"},
    {"matcher", "ENDPOINT", 0,
     "matcher api (default tcp://127.0.0.1:7421, env RANTAI_MATCHER_API)"},
    {NULL, NULL, 0, NULL}};

/* Accepted before or after the command word. */
static const cli_opt_t s_global_opts[] = {
    {"producer-api", "ENDPOINT", 0, "same as --producer, anywhere"},
    {"buyer-api", "ENDPOINT", 0, "same as --buyer, anywhere"},
    {"matcher-api", "ENDPOINT", 0, "same as --matcher, anywhere"},
    {"producer-feed", "ENDPOINT", 0,
     "producer feed (default: api port + 1, env RANTAI_PRODUCER_FEED)"},
    {"buyer-feed", "ENDPOINT", 0,
     "buyer feed (default: api port + 1, env RANTAI_BUYER_FEED)"},
    {"matcher-feed", "ENDPOINT", 0,
     "matcher feed (default: api port + 1, env RANTAI_MATCHER_FEED)"},
    {"timeout", "MS", 0,
     "per-attempt reply timeout in ms (default 5000); wait and watch: "
     "see their help"},
    {"retries", "N", 0,
     "resend a request N times after a timeout (default 2; requests are "
     "idempotent)"},
    {"json", NULL, 0,
     "machine output: the whole Reply (or Event) as one JSON line"},
    {"pretty", NULL, 0, "like --json, indented"},
    {"client-cert", "FILE", 0,
     "CURVE: our secret certificate (zcert; env RANTAI_CLIENT_CERT)"},
    {"server-key", "Z85", 0,
     "CURVE: the service's public key (env RANTAI_SERVER_KEY)"},
    {NULL, NULL, 0, NULL}};

static const char *const s_defaults[CLI_NSERVICES] = {
    "tcp://127.0.0.1:7401", "tcp://127.0.0.1:7411", "tcp://127.0.0.1:7421"};
static const char *const s_env_api[CLI_NSERVICES] = {
    "RANTAI_PRODUCER_API", "RANTAI_BUYER_API", "RANTAI_MATCHER_API"};
static const char *const s_env_feed[CLI_NSERVICES] = {
    "RANTAI_PRODUCER_FEED", "RANTAI_BUYER_FEED", "RANTAI_MATCHER_FEED"};

const char *
cli_service_name(cli_service_t s)
{
    static const char *const names[] = {"producer", "buyer", "matcher", "any"};
    return s <= CLI_NSERVICES ? names[s] : "?";
}

int
cli_usage_error(const cli_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rantai%s%s: ", ctx->cmd ? " " : "",
            ctx->cmd ? ctx->cmd->name : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(try 'rantai %s%s--help')\n",
            ctx->cmd ? ctx->cmd->name : "", ctx->cmd ? " " : "");
    return CLI_EXIT_USAGE;
}

void
cli_print_json(const cli_ctx_t *ctx, const ProtobufCMessage *msg)
{
    rantai_json_print(stdout, msg, ctx->json_flags);
    fputc('\n', stdout);
    fflush(stdout);
}

/* cmd_keygen.c (declared here, not in cli.h, as only this table uses it). */
extern const cli_cmd_t cli_keygen_cmds[];

static const cli_cmd_t *const s_tables[] = {cli_producer_cmds, cli_buyer_cmds,
                                            cli_matcher_cmds, cli_keygen_cmds};

static const cli_cmd_t *
s_find_cmd(const char *name)
{
    for (size_t t = 0; t < sizeof s_tables / sizeof s_tables[0]; t++) {
        for (const cli_cmd_t *c = s_tables[t]; c->name != NULL; c++) {
            if (strcmp(c->name, name) == 0) {
                return c;
            }
        }
    }
    return NULL;
}

static void
s_usage(FILE *out)
{
    static char buf[8192];
    fprintf(out, "usage: rantai [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
                 "       rantai COMMAND --help\n\n"
                 "Talk to Rantai's producer, buyer and matcher services.\n\n"
                 "commands:\n");
    for (size_t t = 0; t < sizeof s_tables / sizeof s_tables[0]; t++) {
        for (const cli_cmd_t *c = s_tables[t]; c->name != NULL; c++) {
            fprintf(out, "  %-18s %-9s %s\n", c->name,
                    cli_service_name(c->service), c->summary);
        }
    }
    buf[0] = '\0';
    cli_format_options(s_pre_opts, buf, sizeof buf);
    fprintf(out, "\nendpoints (before COMMAND):\n%s", buf);
    buf[0] = '\0';
    cli_format_options(s_global_opts, buf, sizeof buf);
    fprintf(out,
            "\nglobal options (before or after COMMAND):\n%s\n"
            "Exit status: 0 ok, 1 error reply or no reply, 2 bad arguments.\n",
            buf);
}

static void
s_cmd_help(const cli_cmd_t *c)
{
    static char buf[16384];
    if (c->service == CLI_NSERVICES) {
        printf("usage: rantai %s %s\n\n%s.\n", c->name, c->synopsis,
               c->summary);
    } else {
        printf("usage: rantai %s%s%s\n\n%s; served by the %s service.\n",
               c->name, c->synopsis[0] ? " " : "", c->synopsis, c->summary,
               cli_service_name(c->service));
    }
    if (c->details != NULL) {
        printf("\n%s", c->details);
    }
    buf[0] = '\0';
    cli_format_options(c->opts, buf, sizeof buf);
    if (buf[0] != '\0') {
        printf("\noptions:\n%s", buf);
    }
    printf("\nexamples:\n%s\nglobal options: see 'rantai --help'.\n",
           c->examples);
}

/* The command word: the first argument that is neither an option nor the
   value of a global option given before it. Returns its index, or 0. */
static int
s_find_cmd_index(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            return i;
        }
        if (strncmp(a, "--", 2) != 0 || strchr(a, '=') != NULL) {
            continue;
        }
        const cli_opt_t *const tables[] = {s_pre_opts, s_global_opts};
        for (size_t t = 0; t < 2; t++) {
            for (const cli_opt_t *o = tables[t]; o->name; o++) {
                if (strcmp(o->name, a + 2) == 0 && o->metavar != NULL) {
                    i++;
                }
            }
        }
    }
    return 0;
}

/* A global option's value: after the command word wins. */
static const char *
s_global(const cli_ctx_t *ctx, const char *name)
{
    const char *v = cli_get(&ctx->args, name);
    return v != NULL ? v : cli_get(&ctx->pre, name);
}

static bool
s_global_has(const cli_ctx_t *ctx, const char *name)
{
    return cli_has(&ctx->args, name) || cli_has(&ctx->pre, name);
}

static const char *
s_nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static int
s_setup(cli_ctx_t *ctx)
{
    char err[256];
    ctx->json = s_global_has(ctx, "json") || s_global_has(ctx, "pretty");
    ctx->json_flags = s_global_has(ctx, "pretty") ? RANTAI_JSON_PRETTY : 0;
    ctx->timeout_ms = 5000;
    ctx->retries = 2;
    uint64_t v = 0;
    const char *s = s_global(ctx, "timeout");
    if (s != NULL) {
        if (cli_parse_u64(s, 86400000, &v, err, sizeof err) != 0) {
            return cli_usage_error(ctx, "--timeout: %s", err);
        }
        if (v == 0) {
            return cli_usage_error(ctx, "--timeout: must be more than 0 ms");
        }
        ctx->timeout_ms = (int) v;
        ctx->timeout_given = true;
    }
    s = s_global(ctx, "retries");
    if (s != NULL) {
        if (cli_parse_u64(s, 100, &v, err, sizeof err) != 0) {
            return cli_usage_error(ctx, "--retries: %s", err);
        }
        ctx->retries = (int) v;
    }
    for (int i = 0; i < CLI_NSERVICES; i++) {
        const char *svc = cli_service_name((cli_service_t) i);
        char opt[32];
        snprintf(opt, sizeof opt, "%s-api", svc);
        const char *api = s_nonempty(s_global(ctx, opt));
        if (api == NULL) {
            api = s_nonempty(cli_get(&ctx->pre, svc));
        }
        if (api == NULL) {
            api = s_nonempty(getenv(s_env_api[i]));
        }
        snprintf(ctx->api[i], sizeof ctx->api[i], "%s",
                 api ? api : s_defaults[i]);
        snprintf(opt, sizeof opt, "%s-feed", svc);
        const char *feed = s_nonempty(s_global(ctx, opt));
        if (feed == NULL) {
            feed = s_nonempty(getenv(s_env_feed[i]));
        }
        if (feed != NULL) {
            snprintf(ctx->feed[i], sizeof ctx->feed[i], "%s", feed);
        } else if (cli_feed_endpoint(ctx->api[i], ctx->feed[i],
                                     sizeof ctx->feed[i], NULL, 0) != 0) {
            ctx->feed[i][0] = '\0'; /* watch reports it if it needs it */
        }
    }
    ctx->sec.client_cert = s_nonempty(s_global(ctx, "client-cert"));
    if (ctx->sec.client_cert == NULL) {
        ctx->sec.client_cert = s_nonempty(getenv("RANTAI_CLIENT_CERT"));
    }
    ctx->sec.server_key = s_nonempty(s_global(ctx, "server-key"));
    if (ctx->sec.server_key == NULL) {
        ctx->sec.server_key = s_nonempty(getenv("RANTAI_SERVER_KEY"));
    }
    if ((ctx->sec.client_cert == NULL) != (ctx->sec.server_key == NULL)) {
        return cli_usage_error(ctx, "CURVE needs both --client-cert and "
                                    "--server-key");
    }
    if (ctx->sec.server_key && strlen(ctx->sec.server_key) != 40) {
        return cli_usage_error(ctx, "--server-key: a Z85 public key is 40 "
                                    "characters");
    }
    ctx->has_sec = ctx->sec.client_cert != NULL;
    return CLI_EXIT_OK;
}

int
cli_call(cli_ctx_t *ctx,
         cli_service_t service,
         rantai_request_t *req,
         rantai_reply_t **reply)
{
    const char *ep = ctx->api[service];
    rantai_client_t *client =
        rantai_client_new(ep, ctx->has_sec ? &ctx->sec : NULL);
    if (client == NULL) {
        fprintf(stderr, "error: cannot connect to the %s service at %s\n",
                cli_service_name(service), ep);
        return CLI_EXIT_FAIL;
    }
    rantai_client_set_timeout(client, ctx->timeout_ms);
    rantai_client_set_retries(client, ctx->retries);
    int rc = rantai_client_call(client, req, ctx->arena, reply);
    rantai_client_destroy(&client);
    if (rc == RANTAI_ETIMEOUT) {
        fprintf(stderr,
                "error: no reply from the %s service at %s (%d attempt%s of "
                "%d ms); is rantai-%s running?\n",
                cli_service_name(service), ep, ctx->retries + 1,
                ctx->retries ? "s" : "", ctx->timeout_ms,
                cli_service_name(service));
        return CLI_EXIT_FAIL;
    }
    if (rc != 0) {
        fprintf(stderr, "error: %s service at %s: %s\n",
                cli_service_name(service), ep, rantai_strerror(rc));
        return CLI_EXIT_FAIL;
    }
    const rantai_reply_t *r = *reply;
    if (r->code != RANTAI__V1__STATUS_CODE__STATUS_CODE_OK) {
        if (ctx->json) {
            cli_print_json(ctx, &r->base);
        } else if (r->field != NULL && r->field[0] != '\0') {
            fprintf(stderr, "error: %s (%s): %s\n", rantai_status_name(r->code),
                    r->field, r->message ? r->message : "");
        } else {
            fprintf(stderr, "error: %s: %s\n", rantai_status_name(r->code),
                    r->message ? r->message : "");
        }
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int
cli_write(cli_ctx_t *ctx,
          cli_service_t service,
          rantai_request_t *req,
          const char *what,
          const char *id)
{
    rantai_reply_t *reply = NULL;
    int rc = cli_call(ctx, service, req, &reply);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
    } else {
        printf("ok %s %s seq %" PRIu64 "\n", what, id, reply->seq);
    }
    return CLI_EXIT_OK;
}

const cli_opt_t cli_id_opts[] = {{"id", "ID", 0, "the id (required)"},
                                 {NULL, NULL, 0, NULL}};

/* The object a Get reply carries, readable on stdout (nothing for a body
   that is not one). */
static void
s_print_object(const rantai_reply_t *r)
{
    switch (r->body_case) {
        case RANTAI__V1__REPLY__BODY_PRODUCER:
            if (r->producer != NULL) {
                cli_print_producer(stdout, r->producer);
            }
            break;
        case RANTAI__V1__REPLY__BODY_OFFER:
            if (r->offer != NULL) {
                cli_print_offer(stdout, r->offer);
            }
            break;
        case RANTAI__V1__REPLY__BODY_BUYER:
            if (r->buyer != NULL) {
                cli_print_buyer(stdout, r->buyer);
            }
            break;
        case RANTAI__V1__REPLY__BODY_DEMAND:
            if (r->demand != NULL) {
                cli_print_demand(stdout, r->demand);
            }
            break;
        case RANTAI__V1__REPLY__BODY_OFFER_STATE:
            if (r->offer_state != NULL) {
                cli_print_offer_state(stdout, r->offer_state);
            }
            break;
        case RANTAI__V1__REPLY__BODY_DEMAND_STATE:
            if (r->demand_state != NULL) {
                cli_print_demand_state(stdout, r->demand_state);
            }
            break;
        default:
            break;
    }
}

int
cli_run_by_id(cli_ctx_t *ctx,
              cli_service_t service,
              rantai_request_t *req,
              char **id,
              const char *what)
{
    int rc = CLI_EXIT_OK;
    if ((*id = (char *) cli_need_id(ctx, "id", &rc)) == NULL) {
        return rc;
    }
    if (what != NULL) {
        return cli_write(ctx, service, req, what, *id);
    }
    rantai_reply_t *reply = NULL;
    if ((rc = cli_call(ctx, service, req, &reply)) != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
    } else {
        s_print_object(reply);
    }
    return CLI_EXIT_OK;
}

/* The next page token of a List reply ("" on the last page); with
   `lines`, its items one per line on stdout and their number added to
   *total. */
static const char *
s_list_page(const rantai_reply_t *r, bool lines, size_t *total)
{
    const char *next = NULL;
    switch (r->body_case) {
        case RANTAI__V1__REPLY__BODY_OFFER_LIST:
            if (r->offer_list != NULL) {
                for (size_t i = 0; lines && i < r->offer_list->n_offers; i++) {
                    cli_print_offer_line(stdout, r->offer_list->offers[i]);
                }
                *total += r->offer_list->n_offers;
                next = r->offer_list->next_page_token;
            }
            break;
        case RANTAI__V1__REPLY__BODY_DEMAND_LIST:
            if (r->demand_list != NULL) {
                for (size_t i = 0; lines && i < r->demand_list->n_demands;
                     i++) {
                    cli_print_demand_line(stdout, r->demand_list->demands[i]);
                }
                *total += r->demand_list->n_demands;
                next = r->demand_list->next_page_token;
            }
            break;
        default:
            break;
    }
    return next != NULL ? next : "";
}

int
cli_run_list(cli_ctx_t *ctx,
             cli_service_t service,
             rantai_request_t *req,
             char **prefix,
             uint32_t *limit,
             char **page_token,
             const char *noun)
{
    char err[256];
    char buf[RANTAI_COMMODITY_MAX + 1];
    const char *v;
    if ((v = cli_get(&ctx->args, "commodity")) != NULL) {
        if (cli_parse_commodity(v, 2, buf, sizeof buf, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "commodity", err);
        }
        *prefix = buf;
    }
    if ((v = cli_get(&ctx->args, "limit")) != NULL) {
        uint64_t n;
        if (cli_parse_u64(v, 1000, &n, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "limit", err);
        }
        *limit = (uint32_t) n;
    }
    if ((v = cli_get(&ctx->args, "page-token")) != NULL) {
        *page_token = (char *) v;
    }
    bool all = cli_has(&ctx->args, "all");
    size_t total = 0;
    for (;;) {
        rantai_reply_t *reply = NULL;
        int rc = cli_call(ctx, service, req, &reply);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        if (ctx->json) {
            cli_print_json(ctx, &reply->base);
        }
        const char *next = s_list_page(reply, !ctx->json, &total);
        if (next[0] == '\0') {
            break;
        }
        if (!all) {
            if (!ctx->json) {
                printf("(more: --page-token %s, or --all)\n", next);
            }
            return CLI_EXIT_OK;
        }
        /* the token lives in the arena, which is not reset meanwhile */
        *page_token = (char *) next;
    }
    if (!ctx->json) {
        printf("(%zu %s%s)\n", total, noun, total == 1 ? "" : "s");
    }
    return CLI_EXIT_OK;
}

const char *
cli_need(cli_ctx_t *ctx, const char *name, int *rc)
{
    const char *v = cli_get(&ctx->args, name);
    if (v == NULL || v[0] == '\0') {
        *rc = cli_usage_error(ctx, "--%s is required", name);
        return NULL;
    }
    return v;
}

/* v if it is NULL or an id, else NULL after a usage error (*rc set). */
static const char *
s_id_or_error(cli_ctx_t *ctx, const char *name, const char *v, int *rc)
{
    if (v != NULL && !rantai_id_valid(v)) {
        *rc = cli_usage_error(ctx,
                              "--%s: '%s' is not an id (1-64 characters of "
                              "A-Z a-z 0-9 . _ : -)",
                              name, v);
        return NULL;
    }
    return v;
}

const char *
cli_need_id(cli_ctx_t *ctx, const char *name, int *rc)
{
    return s_id_or_error(ctx, name, cli_need(ctx, name, rc), rc);
}

const char *
cli_opt_id(cli_ctx_t *ctx, const char *name, int *rc)
{
    return s_id_or_error(ctx, name, cli_get(&ctx->args, name), rc);
}

int
main(int argc, char **argv)
{
    /* main owns the signals: the default action (exit) for every command
       but watch, which installs its own. */
    zsys_handler_set(NULL);
    cli_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    int ci = s_find_cmd_index(argc, argv);
    char err[256];
    const cli_opt_t *const pre_tables[] = {s_pre_opts, s_global_opts};
    if (ci == 0) {
        bool help = false;
        for (int i = 1; i < argc; i++) {
            help = help || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help");
        }
        if (!help) {
            /* Say what is wrong before the long usage text. */
            if (cli_parse(&ctx.pre, pre_tables, 2, argc - 1, argv + 1, err,
                          sizeof err) == 0) {
                snprintf(err, sizeof err, "no COMMAND given");
            }
            fprintf(stderr, "rantai: %s\n\n", err);
        }
        s_usage(help ? stdout : stderr);
        return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    const char *name = argv[ci];
    if (strcmp(name, "help") == 0) {
        if (ci + 1 >= argc) {
            s_usage(stdout);
            return CLI_EXIT_OK;
        }
        const cli_cmd_t *c = s_find_cmd(argv[ci + 1]);
        if (c == NULL) {
            fprintf(stderr,
                    "rantai: unknown command '%s' (try 'rantai --help')\n",
                    argv[ci + 1]);
            return CLI_EXIT_USAGE;
        }
        s_cmd_help(c);
        return CLI_EXIT_OK;
    }
    ctx.cmd = s_find_cmd(name);
    if (ctx.cmd == NULL) {
        fprintf(stderr, "rantai: unknown command '%s' (try 'rantai --help')\n",
                name);
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&ctx.pre, pre_tables, 2, ci - 1, argv + 1, err, sizeof err) !=
        0) {
        return cli_usage_error(&ctx, "%s", err);
    }
    /* The command's own options are listed first: --producer and --buyer
       after the command word are entity ids, never endpoints. */
    const cli_opt_t *const tables[] = {ctx.cmd->opts, s_global_opts};
    int rc;
    if (cli_parse(&ctx.args, tables, 2, argc - ci - 1, argv + ci + 1, err,
                  sizeof err) != 0) {
        rc = cli_usage_error(&ctx, "%s", err);
    } else if (ctx.args.help || ctx.pre.help) {
        s_cmd_help(ctx.cmd);
        rc = CLI_EXIT_OK;
    } else if (ctx.cmd->service != CLI_NSERVICES && ctx.args.n_pos > 0) {
        /* Service commands take only options: a stray word is usually an
           unquoted value ("--name Tani Maju") that must not be dropped. */
        rc = cli_usage_error(&ctx, "unexpected argument '%s'", ctx.args.pos[0]);
    } else if ((rc = s_setup(&ctx)) == CLI_EXIT_OK) {
        ctx.arena = rantai_arena_new();
        rc = ctx.cmd->run(&ctx);
        rantai_arena_destroy(&ctx.arena);
    }
    return rc;
}
