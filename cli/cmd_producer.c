/*  cmd_producer.c - `rantai` commands served by the producer service:
    put-producer, get-producer, put-offer, get-offer, withdraw-offer,
    list-offers. */
#include "cli.h"
#include "rantai/refdata.h"
#include "rantai/units.h"

#include <string.h>

#define S_MAX_CERTS 32

/* ---- put-producer --------------------------------------------------- */

static const cli_opt_t s_put_producer_opts[] = {
    {"id", "ID", 0, "producer id (required)"},
    {"name", "TEXT", 0, "display name"},
    {"coop", "ID", 0, "cooperative id; omit for an independent UMKM"},
    {"province", "CODE", 0,
     "two-digit Kemendagri code (32) or name (\"Jawa Barat\") (required)"},
    {"at", "LAT,LON", 0, "location in decimal degrees (-6.9,107.6) (required)"},
    {"class", "CLASS", 0, "enterprise class: micro, small or medium"},
    {NULL, NULL, 0, NULL}};

static int
s_put_producer(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    char err[256];
    Rantai__V1__Producer p = RANTAI__V1__PRODUCER__INIT;
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    p.id = (char *) cli_need_id(ctx, "id", &rc);
    if (p.id == NULL) {
        return rc;
    }
    const char *v = cli_get(&ctx->args, "name");
    if (v != NULL) {
        p.name = (char *) v;
    }
    v = cli_opt_id(ctx, "coop", &rc);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (v != NULL) {
        p.cooperative_id = (char *) v;
    }
    /* The service requires both (offers are placed by the producer's). */
    const char *code;
    if ((v = cli_need(ctx, "province", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_province(v, &code, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "province", err);
    }
    p.province = (char *) code;
    if ((v = cli_need(ctx, "at", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_geo(v, &at, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "at", err);
    }
    p.location = &at;
    if ((v = cli_get(&ctx->args, "class")) != NULL) {
        int cls;
        if (cli_parse_class(v, &cls, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "class", err);
        }
        p.enterprise_class = (Rantai__V1__EnterpriseClass) cls;
    }
    Rantai__V1__PutProducer body = RANTAI__V1__PUT_PRODUCER__INIT;
    body.producer = &p;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_PRODUCER;
    req.put_producer = &body;
    return cli_write(ctx, CLI_PRODUCER, &req, "producer", p.id);
}

/* ---- put-offer ------------------------------------------------------ */

static const cli_opt_t s_put_offer_opts[] = {
    {"id", "ID", 0, "offer id (required)"},
    {"producer", "ID", 0, "the producer offering (required)"},
    {"commodity", "CODE", 0,
     "HS code of at least 4 digits (090111, 0901.11) or CPC code "
     "(required)"},
    {"qty", "QTY", 0,
     "capacity offered: 2.5t, 300kg, 12 DOZEN; a bare number is in the "
     "commodity's default unit (required)"},
    {"min-order", "QTY", 0,
     "smallest allocation accepted (default: none); bare number: unit of "
     "--qty"},
    {"price", "PRICE", 0,
     "whole rupiah per unit: 95000/kg, 95_000/kg, 95,000/kg (required)"},
    {"cert", "CERT", CLI_OPT_REPEAT,
     "certificate SCHEME[:NUMBER[:VALID_UNTIL]], e.g. HALAL, "
     "HALAL:ID-123:2027-01-31 (repeatable)"},
    {"at", "LAT,LON", 0, "where the goods are (default: the producer's)"},
    {"from", "TIME", 0,
     "available from: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z (UTC) or Unix ms"},
    {"until", "TIME", 0, "available until (default: open-ended)"},
    {NULL, NULL, 0, NULL}};

static int
s_put_offer(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    char err[256];
    const char *v;
    Rantai__V1__Offer o = RANTAI__V1__OFFER__INIT;
    Rantai__V1__Quantity qty = RANTAI__V1__QUANTITY__INIT;
    Rantai__V1__Quantity min = RANTAI__V1__QUANTITY__INIT;
    Rantai__V1__Price price = RANTAI__V1__PRICE__INIT;
    Rantai__V1__GeoPoint at = RANTAI__V1__GEO_POINT__INIT;
    char commodity[RANTAI_COMMODITY_MAX + 1];

    if ((o.id = (char *) cli_need_id(ctx, "id", &rc)) == NULL ||
        (o.producer_id = (char *) cli_need_id(ctx, "producer", &rc)) == NULL ||
        (v = cli_need(ctx, "commodity", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_commodity(v, 4, commodity, sizeof commodity, err,
                            sizeof err) != 0) {
        return CLI_BAD(ctx, "commodity", err);
    }
    o.commodity = commodity;
    const rantai_commodity_t *known = rantai_commodity_find(commodity);
    int default_unit = known ? known->default_unit : 0;

    if ((v = cli_need(ctx, "qty", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_qty(v, default_unit, &qty, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "qty", err);
    }
    o.quantity = &qty;
    if ((v = cli_get(&ctx->args, "min-order")) != NULL) {
        if (cli_parse_qty(v, qty.unit, &min, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "min-order", err);
        }
        o.min_order = &min;
    }
    if ((v = cli_need(ctx, "price", &rc)) == NULL) {
        return rc;
    }
    if (cli_parse_price(v, 0, &price, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "price", err);
    }
    o.price = &price;
    if (rantai_unit_dim(price.per) != rantai_unit_dim(qty.unit) ||
        (o.min_order &&
         rantai_unit_dim(min.unit) != rantai_unit_dim(qty.unit))) {
        return cli_usage_error(ctx,
                               "--qty, --min-order and --price must use "
                               "units of one dimension (here %s)",
                               rantai_dim_name(rantai_unit_dim(qty.unit)));
    }

    const char *certs[S_MAX_CERTS];
    size_t ncert = cli_get_all(&ctx->args, "cert", certs, S_MAX_CERTS);
    if (ncert > S_MAX_CERTS) {
        return cli_usage_error(ctx, "at most %d --cert", S_MAX_CERTS);
    }
    Rantai__V1__Certificate cert[S_MAX_CERTS];
    Rantai__V1__Certificate *cptr[S_MAX_CERTS];
    char numbers[S_MAX_CERTS][128];
    for (size_t i = 0; i < ncert; i++) {
        Rantai__V1__Certificate init = RANTAI__V1__CERTIFICATE__INIT;
        int scheme;
        int64_t until;
        cert[i] = init;
        if (cli_parse_cert(certs[i], &scheme, numbers[i], sizeof numbers[i],
                           &until, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "cert", err);
        }
        cert[i].scheme = (Rantai__V1__Certification) scheme;
        cert[i].number = numbers[i];
        cert[i].valid_until = until;
        cptr[i] = &cert[i];
    }
    o.n_certificates = ncert;
    o.certificates = ncert ? cptr : NULL;

    if ((v = cli_get(&ctx->args, "at")) != NULL) {
        if (cli_parse_geo(v, &at, err, sizeof err) != 0) {
            return CLI_BAD(ctx, "at", err);
        }
        o.location = &at;
    }
    if ((v = cli_get(&ctx->args, "from")) != NULL &&
        cli_parse_time(v, &o.available_from, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "from", err);
    }
    if ((v = cli_get(&ctx->args, "until")) != NULL &&
        cli_parse_time(v, &o.available_until, err, sizeof err) != 0) {
        return CLI_BAD(ctx, "until", err);
    }
    if (o.available_until != 0 && o.available_until < o.available_from) {
        return cli_usage_error(ctx, "--until is before --from");
    }
    Rantai__V1__PutOffer body = RANTAI__V1__PUT_OFFER__INIT;
    body.offer = &o;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_PUT_OFFER;
    req.put_offer = &body;
    return cli_write(ctx, CLI_PRODUCER, &req, "offer", o.id);
}

/* ---- get-producer, get-offer, withdraw-offer ------------------------ */

static int
s_get_producer(cli_ctx_t *ctx)
{
    Rantai__V1__GetProducer body = RANTAI__V1__GET_PRODUCER__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_PRODUCER;
    req.get_producer = &body;
    return cli_run_by_id(ctx, CLI_PRODUCER, &req, &body.id, NULL);
}

static int
s_get_offer(cli_ctx_t *ctx)
{
    Rantai__V1__GetOffer body = RANTAI__V1__GET_OFFER__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_GET_OFFER;
    req.get_offer = &body;
    return cli_run_by_id(ctx, CLI_PRODUCER, &req, &body.id, NULL);
}

static int
s_withdraw_offer(cli_ctx_t *ctx)
{
    Rantai__V1__WithdrawOffer body = RANTAI__V1__WITHDRAW_OFFER__INIT;
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_WITHDRAW_OFFER;
    req.withdraw_offer = &body;
    return cli_run_by_id(ctx, CLI_PRODUCER, &req, &body.offer_id,
                         "withdrawn offer");
}

/* ---- list-offers ---------------------------------------------------- */

static const cli_opt_t s_list_offers_opts[] = {
    {"producer", "ID", 0, "only this producer's offers"},
    {"coop", "ID", 0, "only offers of this cooperative's producers"},
    {"commodity", "PREFIX", 0, "only codes starting with PREFIX (09, 0901)"},
    {"limit", "N", 0, "page size (default 100, at most 1000)"},
    {"page-token", "TOKEN", 0, "continue after a previous page"},
    {"all", NULL, 0, "fetch every page"},
    {NULL, NULL, 0, NULL}};

static int
s_list_offers(cli_ctx_t *ctx)
{
    int rc = CLI_EXIT_OK;
    Rantai__V1__ListOffers body = RANTAI__V1__LIST_OFFERS__INIT;
    const char *v = cli_opt_id(ctx, "producer", &rc);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (v != NULL) {
        body.producer_id = (char *) v;
    }
    if ((v = cli_opt_id(ctx, "coop", &rc)) != NULL) {
        body.cooperative_id = (char *) v;
    } else if (rc != CLI_EXIT_OK) {
        return rc;
    }
    rantai_request_t req = RANTAI__V1__REQUEST__INIT;
    req.body_case = RANTAI__V1__REQUEST__BODY_LIST_OFFERS;
    req.list_offers = &body;
    return cli_run_list(ctx, CLI_PRODUCER, &req, &body.commodity_prefix,
                        &body.limit, &body.page_token, "offer");
}

const cli_cmd_t cli_producer_cmds[] = {
    {"put-producer", CLI_PRODUCER,
     "--id ID --province CODE --at LAT,LON [--name TEXT]\n"
     "       [--coop ID] [--class CLASS]",
     "Create or update a producer", NULL,
     "  rantai put-producer --id KOP1-P1 --name \"Tani Maju\" --coop KOP-1 "
     "\\\n"
     "      --province 32 --at -7.2,107.9 --class micro\n",
     s_put_producer_opts, s_put_producer},
    {"get-producer", CLI_PRODUCER, "--id ID", "Show a producer", NULL,
     "  rantai get-producer --id KOP1-P1\n", cli_id_opts, s_get_producer},
    {"put-offer", CLI_PRODUCER,
     "--id ID --producer ID --commodity CODE --qty QTY\n"
     "       --price PRICE [--min-order QTY] [--cert CERT]... [--at LAT,LON]\n"
     "       [--from TIME] [--until TIME]",
     "Create or update an offer", NULL,
     "  rantai put-offer --id KOP1-P1-KOPI --producer KOP1-P1 --commodity "
     "090111 \\\n"
     "      --qty 2.5t --min-order 100kg --price 95000/kg \\\n"
     "      --cert HALAL:ID-123:2027-01-31\n"
     "  rantai put-offer --id KOP1-P1-KOPI --producer KOP1-P1 --commodity "
     "090111 \\\n"
     "      --qty 1500 --price 95,000/kg\n",
     s_put_offer_opts, s_put_offer},
    {"get-offer", CLI_PRODUCER, "--id ID", "Show an offer", NULL,
     "  rantai get-offer --id KOP1-P1-KOPI\n", cli_id_opts, s_get_offer},
    {"withdraw-offer", CLI_PRODUCER, "--id ID", "Withdraw an offer (final)",
     "Withdrawal is final: the id cannot be put again. Its PROPOSED\n"
     "allocations are cancelled; ACCEPTED ones stand.\n",
     "  rantai withdraw-offer --id KOP1-P1-KOPI\n", cli_id_opts,
     s_withdraw_offer},
    {"list-offers", CLI_PRODUCER,
     "[--producer ID] [--coop ID] [--commodity PREFIX]\n"
     "       [--limit N] [--page-token TOKEN | --all]",
     "List offers in id order, one per line", NULL,
     "  rantai list-offers --coop KOP-1 --commodity 0901\n"
     "  rantai --json list-offers --all\n",
     s_list_offers_opts, s_list_offers},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
