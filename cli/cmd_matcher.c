/*  cmd_matcher.c - `rantai` commands served by the matcher, and the two
    that follow progress: get-demand-state, get-offer-state, accept,
    decline, status, wait (read-your-writes for scripts), watch (feeds). */
#include "cli.h"
#include "rantai/err.h"
#include "rantai/feed.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- get-demand-state, get-offer-state ------------------------------ */

static const cli_opt_t s_id_opts[] = {{"id", "ID", 0, "the id (required)"},
                                      {NULL, NULL, 0, NULL}};

static int
s_get_demand_state(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__GetDemandState body = RANTAI__V1__GET_DEMAND_STATE__INIT;
    if ((body.demand_id = (char *) cli_need_id(ctx, "id", &rc)) == NULL) {
        return rc;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND_STATE;
    req.get_demand_state = &body;
    rantai_reply_t *reply = NULL;
    if ((rc = cli_call(ctx, CLI_MATCHER, &req, &reply)) != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
    } else if (reply->demand_state != NULL) {
        cli_print_demand_state(stdout, reply->demand_state);
    }
    return CLI_EXIT_OK;
}

static int
s_get_offer_state(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__GetOfferState body = RANTAI__V1__GET_OFFER_STATE__INIT;
    if ((body.offer_id = (char *) cli_need_id(ctx, "id", &rc)) == NULL) {
        return rc;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER_STATE;
    req.get_offer_state = &body;
    rantai_reply_t *reply = NULL;
    if ((rc = cli_call(ctx, CLI_MATCHER, &req, &reply)) != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
    } else if (reply->offer_state != NULL) {
        cli_print_offer_state(stdout, reply->offer_state);
    }
    return CLI_EXIT_OK;
}

/* ---- accept, decline ------------------------------------------------ */

static const cli_opt_t s_accept_opts[] = {
    {"id", "ALLOCATION", 0, "allocation id, DEMAND_ID/N (required)"},
    {"reason", "TEXT", 0, "why (recorded with the allocation's update)"},
    {NULL, NULL, 0, NULL}};

static int
s_respond(cli_ctx_t *ctx, bool accept)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__RespondAllocation body = RANTAI__V1__RESPOND_ALLOCATION__INIT;
    /* "<demand_id>/<n>": not an id by PROTOCOL.md s2 ('/'), so the
       service checks it */
    if ((body.allocation_id = (char *) cli_need(ctx, "id", &rc)) == NULL) {
        return rc;
    }
    body.accept = accept;
    const char *reason = cli_get(&ctx->args, "reason");
    if (reason != NULL) {
        body.reason = (char *) reason;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_RESPOND_ALLOCATION;
    req.respond_allocation = &body;
    rantai_reply_t *reply = NULL;
    if ((rc = cli_call(ctx, CLI_MATCHER, &req, &reply)) != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
        return CLI_EXIT_OK;
    }
    char st[32];
    const Rantai__V1__Allocation *a = reply->allocation;
    printf("ok allocation %s %s seq %" PRIu64 "\n", body.allocation_id,
           a ? cli_enum_name(&rantai__v1__allocation_state__descriptor,
                             a->state, st, sizeof st)
             : (accept ? "ACCEPTED" : "DECLINED"),
           reply->seq);
    if (a != NULL) {
        cli_print_allocation(stdout, a, "  ");
    }
    return CLI_EXIT_OK;
}

static int
s_accept(cli_ctx_t *ctx)
{
    return s_respond(ctx, true);
}

static int
s_decline(cli_ctx_t *ctx)
{
    return s_respond(ctx, false);
}

/* ---- status, wait --------------------------------------------------- */

static const cli_opt_t s_no_opts[] = {{NULL, NULL, 0, NULL}};

static void
s_status_request(rantai_request_t *req, Rantai__V1__GetMatcherStatus *body)
{
    Rantai__V1__GetMatcherStatus b = RANTAI__V1__GET_MATCHER_STATUS__INIT;
    rantai_request_t r = RANTAI__V1__REQUEST__INIT;
    *body = b;
    *req = r;
    req->body_case = RANTAI__V1__REQUEST__BODY_GET_MATCHER_STATUS;
    req->get_matcher_status = body;
}

static int
s_status(cli_ctx_t *ctx)
{
    Rantai__V1__GetMatcherStatus body;
    rantai_request_t req;
    s_status_request(&req, &body);
    rantai_reply_t *reply = NULL;
    int rc = cli_call(ctx, CLI_MATCHER, &req, &reply);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (ctx->json) {
        cli_print_json(ctx, &reply->base);
    } else if (reply->matcher_status != NULL) {
        cli_print_matcher_status(stdout, reply->matcher_status);
    }
    return CLI_EXIT_OK;
}

static const cli_opt_t s_wait_opts[] = {
    {"producer-seq", "N", 0, "wait until the matcher applied producer seq N"},
    {"buyer-seq", "N", 0, "wait until the matcher applied buyer seq N"},
    {NULL, NULL, 0, NULL}};

static int
s_wait(cli_ctx_t *ctx)
{
    char err[256];
    uint64_t want_p = 0, want_b = 0;
    const char *v = cli_get(&ctx->args, "producer-seq");
    if (v != NULL &&
        cli_parse_u64(v, UINT64_MAX, &want_p, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "producer-seq", err);
    }
    v = cli_get(&ctx->args, "buyer-seq");
    if (v != NULL &&
        cli_parse_u64(v, UINT64_MAX, &want_b, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "buyer-seq", err);
    }
    int total = ctx->timeout_given ? ctx->timeout_ms : 10000;
    int64_t deadline = s_now_ms() + total;
    rantai_client_t *client = rantai_client_new(
        ctx->api[CLI_MATCHER], ctx->has_sec ? &ctx->sec : NULL);
    if (client == NULL) {
        fprintf(stderr, "error: cannot connect to the matcher at %s\n",
                ctx->api[CLI_MATCHER]);
        return CLI_EXIT_FAIL;
    }
    rantai_client_set_retries(client, 0);
    uint64_t have_p = 0, have_b = 0;
    bool answered = false;
    int rc = CLI_EXIT_FAIL;
    for (;;) {
        int64_t left = deadline - s_now_ms();
        if (left <= 0) {
            break;
        }
        rantai_client_set_timeout(client, (int) left);
        Rantai__V1__GetMatcherStatus body;
        rantai_request_t req;
        s_status_request(&req, &body);
        rantai_reply_t *reply = NULL;
        rantai_arena_reset(ctx->arena);
        int err_rc = rantai_client_call(client, &req, ctx->arena, &reply);
        if (err_rc == 0 && reply->code != 0) {
            if (ctx->json) {
                cli_print_json(ctx, &reply->base);
            } else {
                fprintf(stderr, "error: %s: %s\n",
                        rantai_status_name(reply->code),
                        reply->message ? reply->message : "");
            }
            break;
        }
        if (err_rc == 0 && reply->matcher_status != NULL) {
            answered = true;
            have_p = reply->matcher_status->producer_seq;
            have_b = reply->matcher_status->buyer_seq;
            if (have_p >= want_p && have_b >= want_b) {
                if (ctx->json) {
                    cli_print_json(ctx, &reply->base);
                } else {
                    printf("ok producer_seq %" PRIu64 " buyer_seq %" PRIu64
                           "\n",
                           have_p, have_b);
                }
                rc = CLI_EXIT_OK;
                break;
            }
        } else if (err_rc != 0 && err_rc != RANTAI_ETIMEOUT) {
            fprintf(stderr, "error: matcher at %s: %s\n", ctx->api[CLI_MATCHER],
                    rantai_strerror(err_rc));
            break;
        }
        /* Not there yet: poll again shortly (a CLI may poll; nothing
           here synchronises tests by sleeping). */
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (rc != CLI_EXIT_OK && s_now_ms() >= deadline) {
        if (answered) {
            fprintf(stderr, "error: timed out after %d ms waiting for", total);
            if (have_p < want_p) {
                fprintf(stderr, " producer_seq >= %" PRIu64 " (at %" PRIu64 ")",
                        want_p, have_p);
            }
            if (have_b < want_b) {
                fprintf(stderr, "%s buyer_seq >= %" PRIu64 " (at %" PRIu64 ")",
                        have_p < want_p ? " and" : "", want_b, have_b);
            }
            fputc('\n', stderr);
        } else {
            fprintf(stderr,
                    "error: no reply from the matcher at %s within %d ms\n",
                    ctx->api[CLI_MATCHER], total);
        }
    }
    rantai_client_destroy(&client);
    return rc;
}

/* ---- watch ---------------------------------------------------------- */

static volatile sig_atomic_t s_stop;

static void
s_on_signal(int sig)
{
    (void) sig;
    s_stop = 1;
}

static const cli_opt_t s_watch_opts[] = {
    {"party", "PARTY", 0,
     "whose events: all (default), cooperative:ID, producer:ID, buyer:ID, "
     "marketplace:ID"},
    {"from", "SEQ", 0, "first seq wanted (default 0: oldest retained)"},
    {"count", "N", 0, "exit after N events"},
    {"window", "N", 0, "events in flight past the last ack (default 1024)"},
    {NULL, NULL, 0, NULL}};

static int
s_watch(cli_ctx_t *ctx)
{
    char err[256];
    if (ctx->args.n_pos != 1) {
        return cli_usage_error(ctx,
                               "name one feed: producer, buyer or matcher");
    }
    cli_service_t svc;
    const char *name = ctx->args.pos[0];
    if (strcmp(name, "producer") == 0) {
        svc = CLI_PRODUCER;
    } else if (strcmp(name, "buyer") == 0) {
        svc = CLI_BUYER;
    } else if (strcmp(name, "matcher") == 0) {
        svc = CLI_MATCHER;
    } else {
        return cli_usage_error(ctx,
                               "unknown feed '%s' (producer, buyer or "
                               "matcher)",
                               name);
    }
    if (ctx->feed[svc][0] == '\0') {
        return cli_usage_error(ctx,
                               "cannot derive the %s feed from %s: give "
                               "--%s-feed",
                               name, ctx->api[svc], name);
    }
    rantai_feed_opts_t opts = {0};
    opts.party_kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
    opts.security = ctx->has_sec ? &ctx->sec : NULL;
    const char *v = cli_get(&ctx->args, "party");
    if (v != NULL && cli_parse_party(v, &opts.party_kind, &opts.party_id, err,
                                     sizeof err) != 0) {
        return CLI_BAD(ctx, "party", err);
    }
    uint64_t n;
    if ((v = cli_get(&ctx->args, "from")) != NULL) {
        if (cli_parse_u64(v, UINT64_MAX, &opts.from_seq, err, sizeof err) !=
            0) {
            return CLI_BAD(ctx, "from", err);
        }
    }
    if ((v = cli_get(&ctx->args, "window")) != NULL) {
        if (cli_parse_u64(v, UINT32_MAX, &n, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "window", err);
        }
        opts.window = (uint32_t) n;
    }
    uint64_t count = 0;
    if ((v = cli_get(&ctx->args, "count")) != NULL) {
        if (cli_parse_u64(v, UINT64_MAX, &count, err, sizeof err) != 0 ||
            count == 0) {
            return CLI_BAD(ctx, "count",
                           count == 0 ? "must be more than 0" : err);
        }
    }
    rantai_feed_sub_t *sub = rantai_feed_sub_new(ctx->feed[svc], &opts);
    if (sub == NULL) {
        fprintf(stderr, "error: cannot subscribe to the %s feed at %s\n", name,
                ctx->feed[svc]);
        return CLI_EXIT_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal; /* no SA_RESTART: polls return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    uint64_t seen = 0;
    int64_t last = s_now_ms();
    int rc = CLI_EXIT_OK;
    while (!s_stop && (count == 0 || seen < count)) {
        int slice = 500;
        if (ctx->timeout_given) {
            int64_t left = last + ctx->timeout_ms - s_now_ms();
            if (left <= 0) {
                if (count != 0) {
                    fprintf(stderr,
                            "error: %" PRIu64 " of %" PRIu64
                            " events, then %d ms of silence\n",
                            seen, count, ctx->timeout_ms);
                    rc = CLI_EXIT_FAIL;
                }
                break;
            }
            slice = left < slice ? (int) left : slice;
        }
        rantai_event_t *ev = NULL;
        rantai_reply_t *error = NULL;
        rantai_arena_reset(ctx->arena);
        int got = rantai_feed_sub_next(sub, ctx->arena, slice, &ev, &error);
        if (got == 1) {
            if (ctx->json) {
                cli_print_json(ctx, &ev->base);
            } else {
                cli_print_event(stdout, ev);
            }
            rantai_feed_sub_ack(sub, ev->seq);
            seen++;
            last = s_now_ms();
        } else if (got == RANTAI_EPROTO && error != NULL) {
            if (ctx->json) {
                cli_print_json(ctx, &error->base);
            } else {
                fprintf(stderr, "error: %s: %s\n",
                        rantai_status_name(error->code),
                        error->message ? error->message : "");
            }
            rc = CLI_EXIT_FAIL;
            break;
        } else if (got < 0 && got != RANTAI_EINTR) {
            fprintf(stderr, "error: %s feed at %s: %s\n", name, ctx->feed[svc],
                    rantai_strerror(got));
            rc = CLI_EXIT_FAIL;
            break;
        }
    }
    rantai_feed_sub_destroy(&sub);
    return rc;
}

const cli_cmd_t cli_matcher_cmds[] = {
    {"get-demand-state", CLI_MATCHER, "--id DEMAND_ID",
     "Explain a demand and its allocations",
     "Shows the demand's status, filled and remaining quantity, then each\n"
     "allocation in creation order: who supplies it (offer, producer,\n"
     "cooperative), quantity, price, distance in km, landed cost per base\n"
     "unit in rupiah (price plus transport, docs/MATCHING.md) and the total.\n",
     "  rantai get-demand-state --id D-1\n", s_id_opts, s_get_demand_state},
    {"get-offer-state", CLI_MATCHER, "--id OFFER_ID",
     "Show an offer's allocated and remaining capacity", NULL,
     "  rantai get-offer-state --id KOP1-P1-KOPI\n", s_id_opts,
     s_get_offer_state},
    {"accept", CLI_MATCHER, "--id ALLOCATION [--reason TEXT]",
     "Accept a PROPOSED allocation", NULL, "  rantai accept --id D-1/2\n",
     s_accept_opts, s_accept},
    {"decline", CLI_MATCHER, "--id ALLOCATION [--reason TEXT]",
     "Decline a PROPOSED allocation",
     "The declined offer is not proposed to that demand again.\n",
     "  rantai decline --id D-1/2 --reason \"stock sold locally\"\n",
     s_accept_opts, s_decline},
    {"status", CLI_MATCHER, "", "Show the matcher's progress and size", NULL,
     "  rantai status\n", s_no_opts, s_status},
    {"wait", CLI_MATCHER, "[--producer-seq N] [--buyer-seq N] [--timeout MS]",
     "Wait until the matcher applied registry writes",
     "Polls GetMatcherStatus until producer_seq >= N and buyer_seq >= N.\n"
     "--timeout is the whole wait here (default 10000 ms); exit 1 when it\n"
     "runs out.\n",
     "  seq=$(rantai --json put-offer ... | jq -r .seq)\n"
     "  rantai wait --producer-seq \"$seq\" \\\n"
     "      && rantai get-offer-state --id KOP1-P1-KOPI\n",
     s_wait_opts, s_wait},
    {"watch", CLI_NSERVICES,
     "producer|buyer|matcher [--party PARTY] [--from SEQ]\n"
     "       [--count N] [--window N] [--timeout MS]",
     "Stream a feed: a line (or JSON) per event",
     "Subscribes to the feed endpoint of the named service (--X-feed, or the\n"
     "api port + 1), acknowledging each event. --timeout here is the silence\n"
     "(no events) after which it exits: 0, or 1 if --count was not reached.\n"
     "Ctrl-C exits 0.\n",
     "  rantai watch matcher --party cooperative:KOP-1 --from 1\n"
     "  rantai --json watch producer --from 1 --count 10 --timeout 5000\n",
     s_watch_opts, s_watch},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
