/*  cmd_buyer.c - `rantai` commands served by the buyer service:
    put-buyer, get-buyer, post-demand, get-demand, cancel-demand,
    list-demands. */
#include "cli.h"
#include "rantai/refdata.h"
#include "rantai/units.h"

#include <string.h>

#define S_MAX_LIST 64

/* ---- put-buyer ------------------------------------------------------ */

static const cli_opt_t s_put_buyer_opts[] = {
    {"id", "ID", 0, "buyer id (required)"},
    {"name", "TEXT", 0, "display name"},
    {"marketplace", "ID", 0, "the marketplace the buyer belongs to"},
    {NULL, NULL, 0, NULL}};

static int
s_put_buyer(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__Buyer b = RANTAI__V1__BUYER__INIT;
    if ((b.id = (char *) cli_need_id(ctx, "id", &rc)) == NULL) {
        return rc;
    }
    const char *v = cli_get(&ctx->args, "name");
    if (v != NULL) {
        b.name = (char *) v;
    }
    if ((v = cli_opt_id(ctx, "marketplace", &rc)) != NULL) {
        b.marketplace_id = (char *) v;
    } else if (rc != CLI_EXIT_OK) {
        return rc;
    }
    Rantai__V1__PutBuyer body = RANTAI__V1__PUT_BUYER__INIT;
    body.buyer = &b;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_BUYER;
    req.put_buyer = &body;
    return cli_write(ctx, CLI_BUYER, &req, "buyer", b.id);
}

/* ---- post-demand ---------------------------------------------------- */

static const cli_opt_t s_post_demand_opts[] = {
    {"id", "ID", 0, "demand id (required); demands are immutable"},
    {"buyer", "ID", 0, "the buyer (required)"},
    {"commodity", "CODE", 0,
     "commodity code or prefix: chapter 09, heading 0901, 090111 "
     "(required)"},
    {"qty", "QTY", 0,
     "quantity wanted: 1t, 500kg; a bare number is in the commodity's "
     "default unit (required)"},
    {"max-price", "PRICE", 0,
     "highest price accepted, rupiah per unit: 100000/kg (default: no "
     "limit)"},
    {"require", "CERT", CLI_OPT_REPEAT,
     "required certification scheme, e.g. HALAL (repeatable)"},
    {"at", "LAT,LON", 0,
     "delivery point in decimal degrees (-6.9,107.6) (required)"},
    {"max-km", "N", 0, "farthest supplier in km (default: no limit)"},
    {"deliver-by", "TIME", 0,
     "deadline: YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM[:SS]Z or Unix ms "
     "(default: none)"},
    {"partial", NULL, 0, "accept a partial fill"},
    {"no-partial", NULL, 0,
     "all or nothing (the default, as in the protocol: allow_partial "
     "false)"},
    {"max-suppliers", "N", 0, "at most N offers (default: no limit)"},
    {"transport", "RATE", 0,
     "transport cost: milli-rupiah per base unit per km (2000), or "
     "RUPIAH/UNIT/km (2/kg/km = 2000)"},
    {"origin", "PROVINCE", CLI_OPT_REPEAT,
     "only producers in this province, code or name (repeatable)"},
    {NULL, NULL, 0, NULL}};

static int
s_post_demand(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    char err[256];
    const char *v;
    Rantai__V1__Demand d = RANTAI__V1__DEMAND__INIT;
    Rantai__V1__Quantity qty = RANTAI__V1__QUANTITY__INIT;
    Rantai__V1__Price max = RANTAI__V1__PRICE__INIT;
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    char commodity[RANTAI_COMMODITY_MAX + 1];
    uint64_t n;

    if ((d.id = (char *) cli_need_id(ctx, "id", &rc)) == NULL ||
        (d.buyer_id = (char *) cli_need_id(ctx, "buyer", &rc)) == NULL ||
        (v = cli_need(ctx, "commodity", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_commodity(v, 2, commodity, sizeof commodity, err,
                            sizeof err) != 0) {
        return CLI_BAD(ctx, "commodity", err);
    }
    d.commodity = commodity;
    const rantai_commodity_t *known = rantai_commodity_find(commodity);
    if ((v = cli_need(ctx, "qty", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_qty(v, known ? known->default_unit : 0, &qty, err,
                      sizeof err) != 0) {
        return CLI_BAD(ctx, "qty", err);
    }
    d.quantity = &qty;
    rantai_dim_t dim = rantai_unit_dim(qty.unit);
    if ((v = cli_get(&ctx->args, "max-price")) != NULL) {
        if (cli_parse_price(v, 0, &max, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "max-price", err);
        }
        if (rantai_unit_dim(max.per) != dim) {
            return cli_usage_error(ctx,
                                   "--max-price must be per a unit of %s "
                                   "like --qty",
                                   rantai_dim_name(dim));
        }
        d.max_price = &max;
    }

    const char *list[S_MAX_LIST];
    size_t nreq = cli_get_all(&ctx->args, "require", list, S_MAX_LIST);
    Rantai__V1__Certification reqs[S_MAX_LIST];
    if (nreq > S_MAX_LIST) {
        return cli_usage_error(ctx, "at most %d --require", S_MAX_LIST);
    }
    for (size_t i = 0; i < nreq; i++) {
        int scheme;
        if (cli_parse_scheme(list[i], &scheme, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "require", err);
        }
        reqs[i] = (Rantai__V1__Certification) scheme;
    }
    d.n_required_certifications = nreq;
    d.required_certifications = nreq ? reqs : NULL;

    /* The service requires it (distances are measured to it). */
    if ((v = cli_need(ctx, "at", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_geo(v, &at, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "at", err);
    }
    d.delivery = &at;
    if ((v = cli_get(&ctx->args, "max-km")) != NULL) {
        if (cli_parse_u64(v, UINT32_MAX, &n, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "max-km", err);
        }
        d.max_distance_km = (uint32_t) n;
    }
    if ((v = cli_get(&ctx->args, "deliver-by")) != NULL &&
        cli_parse_time(v, &d.deliver_by, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "deliver-by", err);
    }
    if (cli_has(&ctx->args, "partial") && cli_has(&ctx->args, "no-partial")) {
        return cli_usage_error(ctx, "--partial and --no-partial conflict");
    }
    d.allow_partial = cli_has(&ctx->args, "partial");
    if ((v = cli_get(&ctx->args, "max-suppliers")) != NULL) {
        if (cli_parse_u64(v, UINT32_MAX, &n, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "max-suppliers", err);
        }
        d.max_suppliers = (uint32_t) n;
    }
    if ((v = cli_get(&ctx->args, "transport")) != NULL) {
        int unit;
        if (cli_parse_transport(v, &d.transport_milli_idr_per_unit_km, &unit,
                                err, sizeof err) != 0) {
            return CLI_BAD(ctx, "transport", err);
        }
        if (unit != 0 && rantai_unit_dim(unit) != dim) {
            return cli_usage_error(ctx,
                                   "--transport must be per a unit of %s "
                                   "like --qty",
                                   rantai_dim_name(dim));
        }
    }
    size_t norig = cli_get_all(&ctx->args, "origin", list, S_MAX_LIST);
    char *origins[S_MAX_LIST];
    if (norig > S_MAX_LIST) {
        return cli_usage_error(ctx, "at most %d --origin", S_MAX_LIST);
    }
    for (size_t i = 0; i < norig; i++) {
        const char *code;
        if (cli_parse_province(list[i], &code, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "origin", err);
        }
        origins[i] = (char *) code;
    }
    d.n_origin_provinces = norig;
    d.origin_provinces = norig ? origins : NULL;

    Rantai__V1__PostDemand body = RANTAI__V1__POST_DEMAND__INIT;
    body.demand = &d;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_POST_DEMAND;
    req.post_demand = &body;
    return cli_write(ctx, CLI_BUYER, &req, "demand", d.id);
}

/* ---- get-buyer, get-demand, cancel-demand --------------------------- */

static int
s_get_buyer(cli_ctx_t *ctx)
{
    Rantai__V1__GetBuyer body = RANTAI__V1__GET_BUYER__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_BUYER;
    req.get_buyer = &body;
    return cli_run_by_id(ctx, CLI_BUYER, &req, &body.id, NULL);
}

static int
s_get_demand(cli_ctx_t *ctx)
{
    Rantai__V1__GetDemand body = RANTAI__V1__GET_DEMAND__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_DEMAND;
    req.get_demand = &body;
    return cli_run_by_id(ctx, CLI_BUYER, &req, &body.id, NULL);
}

static int
s_cancel_demand(cli_ctx_t *ctx)
{
    Rantai__V1__CancelDemand body = RANTAI__V1__CANCEL_DEMAND__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_CANCEL_DEMAND;
    req.cancel_demand = &body;
    return cli_run_by_id(ctx, CLI_BUYER, &req, &body.demand_id,
                         "cancelled demand");
}

/* ---- list-demands --------------------------------------------------- */

static const cli_opt_t s_list_demands_opts[] = {
    {"buyer", "ID", 0, "only this buyer's demands"},
    {"commodity", "PREFIX", 0, "only codes starting with PREFIX"},
    {"limit", "N", 0, "page size (default 100, at most 1000)"},
    {"page-token", "TOKEN", 0, "continue after a previous page"},
    {"all", NULL, 0, "fetch every page"},
    {NULL, NULL, 0, NULL}};

static int
s_list_demands(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__ListDemands body = RANTAI__V1__LIST_DEMANDS__INIT;
    const char *v = cli_opt_id(ctx, "buyer", &rc);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (v != NULL) {
        body.buyer_id = (char *) v;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_LIST_DEMANDS;
    req.list_demands = &body;
    return cli_run_list(ctx, CLI_BUYER, &req, &body.commodity_prefix,
                        &body.limit, &body.page_token, "demand");
}

const cli_cmd_t cli_buyer_cmds[] = {
    {"put-buyer", CLI_BUYER, "--id ID [--name TEXT] [--marketplace ID]",
     "Create or update a buyer", NULL,
     "  rantai put-buyer --id B-1 --name \"Kafe Senja\" --marketplace MP-1\n",
     s_put_buyer_opts, s_put_buyer},
    {"get-buyer", CLI_BUYER, "--id ID", "Show a buyer", NULL,
     "  rantai get-buyer --id B-1\n", cli_id_opts, s_get_buyer},
    {"post-demand", CLI_BUYER,
     "--id ID --buyer ID --commodity CODE --qty QTY --at LAT,LON\n"
     "       [--max-price PRICE] [--require CERT]...\n"
     "       [--max-km N] [--deliver-by TIME]"
     "\n"
     "       [--partial | --no-partial] [--max-suppliers N] [--transport "
     "RATE]\n"
     "       [--origin PROVINCE]...",
     "Post a demand (immutable)",
     "Demands are immutable: cancel and post anew to change one.\n"
     "Zero or absent means no limit for --max-price, --max-km, --deliver-by,\n"
     "--max-suppliers and --origin. Partial fills are off unless --partial.\n",
     "  rantai post-demand --id D-1 --buyer B-1 --commodity 0901 --qty 1t \\\n"
     "      --max-price 100000/kg --require HALAL --at -6.9,107.6 \\\n"
     "      --partial --transport 2/kg/km\n"
     "  rantai post-demand --id D-2 --buyer B-1 --commodity 100630 --qty 20t "
     "\\\n"
     "      --at -6.2,106.8 --origin 32 --origin \"Jawa Tengah\" \\\n"
     "      --deliver-by 2026-03-01\n",
     s_post_demand_opts, s_post_demand},
    {"get-demand", CLI_BUYER, "--id ID", "Show a demand", NULL,
     "  rantai get-demand --id D-1\n", cli_id_opts, s_get_demand},
    {"cancel-demand", CLI_BUYER, "--id ID",
     "Cancel a demand and its allocations",
     "Its PROPOSED and ACCEPTED allocations become CANCELLED.\n",
     "  rantai cancel-demand --id D-1\n", cli_id_opts, s_cancel_demand},
    {"list-demands", CLI_BUYER,
     "[--buyer ID] [--commodity PREFIX] [--limit N]\n"
     "       [--page-token TOKEN | --all]",
     "List demands in id order, one per line", NULL,
     "  rantai list-demands --buyer B-1\n", s_list_demands_opts,
     s_list_demands},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
