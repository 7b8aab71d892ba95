/*  test_validation_cases.h - the cases of test_validation.c: a valid
    template of each registry object and the tables of what to break in it
    and what the service must answer. Included by test_validation.c only. */
#ifndef TEST_VALIDATION_CASES_H
#define TEST_VALIDATION_CASES_H

#include "harness.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define ST(x)   RANTAI__V1__STATUS_CODE__STATUS_CODE_##x
#define UNIT(x) RANTAI__V1__UNIT__UNIT_##x
#define CERT(x) RANTAI__V1__CERTIFICATION__CERTIFICATION_##x
#define BODY(x) RANTAI__V1__REQUEST__BODY_##x

static char s_long[300]; /* 257 bytes of text: one over the limit */
static char s_id65[66];  /* an id one byte too long */

/* ---- objects: a valid template, mutated by each case ------------------- */

typedef struct {
    Rantai__V1__Producer p;
    Rantai__V1__GeoPoint p_loc;
    Rantai__V1__Offer o;
    Rantai__V1__Quantity o_qty, o_min;
    Rantai__V1__Price o_price;
    Rantai__V1__Certificate o_cert[2];
    Rantai__V1__Certificate *o_certs[2];
    Rantai__V1__GeoPoint o_loc;
    Rantai__V1__Buyer b;
    Rantai__V1__Demand d;
    Rantai__V1__Quantity d_qty;
    Rantai__V1__Price d_max;
    Rantai__V1__GeoPoint d_at;
    Rantai__V1__Certification d_certs[2];
    char *d_provs[2];
} s_tpl_t;

static void
s_tpl_offer(s_tpl_t *t, const char *id)
{
    rantai__v1__offer__init(&t->o);
    rantai__v1__quantity__init(&t->o_qty);
    rantai__v1__quantity__init(&t->o_min);
    rantai__v1__price__init(&t->o_price);
    rantai__v1__geo_point__init(&t->o_loc);
    t->o.id = (char *) id;
    t->o.producer_id = "P-BASE";
    t->o.commodity = "090111";
    t->o_qty.milli = 500000;
    t->o_qty.unit = UNIT(KILOGRAM);
    t->o.quantity = &t->o_qty;
    t->o_min.milli = 1000;
    t->o_min.unit = UNIT(TONNE);
    t->o.min_order = &t->o_min;
    t->o_price.idr = 92000;
    t->o_price.per = UNIT(KILOGRAM);
    t->o.price = &t->o_price;
    for (int i = 0; i < 2; i++) {
        rantai__v1__certificate__init(&t->o_cert[i]);
        t->o_cert[i].scheme = i ? CERT(SNI) : CERT(HALAL);
        t->o_cert[i].number = "ID00410000123";
        t->o_certs[i] = &t->o_cert[i];
    }
    t->o.n_certificates = 2;
    t->o.certificates = t->o_certs;
    t->o_loc.lat = -7.7;
    t->o_loc.lon = 112.6;
    t->o.location = &t->o_loc;
    t->o.available_from = 1700000000000;
    t->o.available_until = 1800000000000;
}

static void
s_tpl_demand(s_tpl_t *t, const char *id)
{
    rantai__v1__demand__init(&t->d);
    rantai__v1__quantity__init(&t->d_qty);
    rantai__v1__price__init(&t->d_max);
    rantai__v1__geo_point__init(&t->d_at);
    t->d.id = (char *) id;
    t->d.buyer_id = "B-BASE";
    t->d.commodity = "0901";
    t->d_qty.milli = 1200;
    t->d_qty.unit = UNIT(TONNE);
    t->d.quantity = &t->d_qty;
    t->d_max.idr = 100000;
    t->d_max.per = UNIT(KILOGRAM);
    t->d.max_price = &t->d_max;
    t->d_certs[0] = CERT(HALAL);
    t->d_certs[1] = CERT(SNI);
    t->d.n_required_certifications = 2;
    t->d.required_certifications = t->d_certs;
    t->d_at.lat = -7.257;
    t->d_at.lon = 112.752;
    t->d.delivery = &t->d_at;
    t->d_provs[0] = "35";
    t->d_provs[1] = "32";
    t->d.n_origin_provinces = 2;
    t->d.origin_provinces = t->d_provs;
}

/* Valid objects named `id` (producer, offer, buyer and demand all share
   it); offers belong to producer "P-BASE", demands to buyer "B-BASE". */
static void
s_tpl(s_tpl_t *t, const char *id)
{
    memset(t, 0, sizeof *t);
    rantai__v1__producer__init(&t->p);
    rantai__v1__geo_point__init(&t->p_loc);
    t->p.id = (char *) id;
    t->p.name = "Tani Makmur";
    t->p.cooperative_id = "KOP-1";
    t->p.province = "35";
    t->p_loc.lat = -7.78;
    t->p_loc.lon = 112.55;
    t->p.location = &t->p_loc;
    t->p.enterprise_class =
        RANTAI__V1__ENTERPRISE_CLASS__ENTERPRISE_CLASS_MICRO;
    s_tpl_offer(t, id);
    rantai__v1__buyer__init(&t->b);
    t->b.id = (char *) id;
    t->b.name = "PT Kopi Ekspor";
    t->b.marketplace_id = "MKT-1";
    s_tpl_demand(t, id);
}

typedef enum { K_PRODUCER, K_OFFER, K_BUYER, K_DEMAND } s_kind_t;

/* ---- INVALID_ARGUMENT cases of the puts ---------------------------------- */

typedef struct {
    s_kind_t kind;
    const char *field; /* expected `field` */
    void (*mutate)(s_tpl_t *t);
} s_bad_t;

#define MUT(name, stmt)          \
    static void name(s_tpl_t *t) \
    {                            \
        stmt;                    \
    }

/* producer */
MUT(m_p_id_empty, t->p.id = "")
MUT(m_p_id_chars, t->p.id = "P 1")
MUT(m_p_id_long, t->p.id = s_id65)
MUT(m_p_name_long, t->p.name = s_long)
MUT(m_p_name_ctrl, t->p.name = "Tani\001")
MUT(m_p_coop, t->p.cooperative_id = "KOP/1")
MUT(m_p_prov_bogus, t->p.province = "99")
MUT(m_p_prov_empty, t->p.province = "")
MUT(m_p_loc_unset, t->p.location = NULL)
MUT(m_p_lat_high, t->p_loc.lat = 90.0001)
MUT(m_p_lat_nan, t->p_loc.lat = NAN)
MUT(m_p_lon_inf, t->p_loc.lon = INFINITY)
MUT(m_p_lon_low, t->p_loc.lon = -180.5)
MUT(m_p_class, t->p.enterprise_class = (Rantai__V1__EnterpriseClass) 99)
/* offer */
MUT(m_o_id, t->o.id = "OF#1")
MUT(m_o_producer_id, t->o.producer_id = "")
MUT(m_o_comm_short, t->o.commodity = "090")
MUT(m_o_comm_lower, t->o.commodity = "09ab")
MUT(m_o_comm_long, t->o.commodity = "0901110000000")
MUT(m_o_qty_unset, t->o.quantity = NULL)
MUT(m_o_qty_unit0, t->o_qty.unit = 0)
MUT(m_o_qty_unit_bogus, t->o_qty.unit = (Rantai__V1__Unit) 999)
MUT(m_o_qty_zero, t->o_qty.milli = 0)
MUT(m_o_qty_huge, (t->o_qty.milli = UINT64_MAX, t->o_qty.unit = UNIT(TONNE)))
MUT(m_o_min_dim, t->o_min.unit = UNIT(LITRE))
MUT(m_o_min_unit0, t->o_min.unit = 0)
MUT(m_o_price_unset, t->o.price = NULL)
MUT(m_o_price_dim, t->o_price.per = UNIT(PIECE))
MUT(m_o_price_huge, t->o_price.idr = UINT64_MAX)
MUT(m_o_cert_scheme0, t->o_cert[0].scheme = 0)
MUT(m_o_cert_scheme_bogus,
    t->o_cert[1].scheme = (Rantai__V1__Certification) 999)
MUT(m_o_cert_number, t->o_cert[1].number = s_long)
MUT(m_o_loc_lat, t->o_loc.lat = -91)
MUT(m_o_loc_lon, t->o_loc.lon = NAN)
MUT(m_o_until, t->o.available_until = t->o.available_from - 1)
/* buyer */
MUT(m_b_id, t->b.id = "")
MUT(m_b_name, t->b.name = s_long)
MUT(m_b_market, t->b.marketplace_id = "MKT 1")
/* demand */
MUT(m_d_id, t->d.id = "D?")
MUT(m_d_buyer_id, t->d.buyer_id = "")
MUT(m_d_comm_short, t->d.commodity = "0")
MUT(m_d_comm_lower, t->d.commodity = "ab")
MUT(m_d_qty_unset, t->d.quantity = NULL)
MUT(m_d_qty_unit0, t->d_qty.unit = 0)
MUT(m_d_qty_zero, t->d_qty.milli = 0)
MUT(m_d_max_dim, t->d_max.per = UNIT(LITRE))
MUT(m_d_max_unit0, t->d_max.per = 0)
MUT(m_d_max_bogus_unit,
    (t->d_max.idr = 0, t->d_max.per = (Rantai__V1__Unit) 999))
MUT(m_d_max_huge, t->d_max.idr = UINT64_MAX)
MUT(m_d_cert0, t->d_certs[1] = 0)
MUT(m_d_cert_bogus, t->d_certs[0] = (Rantai__V1__Certification) 999)
MUT(m_d_at_unset, t->d.delivery = NULL)
MUT(m_d_at_lat, t->d_at.lat = NAN)
MUT(m_d_at_lon, t->d_at.lon = 181)
MUT(m_d_prov, t->d_provs[1] = "XX")

static const s_bad_t s_bad[] = {
    {K_PRODUCER, "producer.id", m_p_id_empty},
    {K_PRODUCER, "producer.id", m_p_id_chars},
    {K_PRODUCER, "producer.id", m_p_id_long},
    {K_PRODUCER, "producer.name", m_p_name_long},
    {K_PRODUCER, "producer.name", m_p_name_ctrl},
    {K_PRODUCER, "producer.cooperative_id", m_p_coop},
    {K_PRODUCER, "producer.province", m_p_prov_bogus},
    {K_PRODUCER, "producer.province", m_p_prov_empty},
    {K_PRODUCER, "producer.location", m_p_loc_unset},
    {K_PRODUCER, "producer.location.lat", m_p_lat_high},
    {K_PRODUCER, "producer.location.lat", m_p_lat_nan},
    {K_PRODUCER, "producer.location.lon", m_p_lon_inf},
    {K_PRODUCER, "producer.location.lon", m_p_lon_low},
    {K_PRODUCER, "producer.enterprise_class", m_p_class},
    {K_OFFER, "offer.id", m_o_id},
    {K_OFFER, "offer.producer_id", m_o_producer_id},
    {K_OFFER, "offer.commodity", m_o_comm_short},
    {K_OFFER, "offer.commodity", m_o_comm_lower},
    {K_OFFER, "offer.commodity", m_o_comm_long},
    {K_OFFER, "offer.quantity.unit", m_o_qty_unset},
    {K_OFFER, "offer.quantity.unit", m_o_qty_unit0},
    {K_OFFER, "offer.quantity.unit", m_o_qty_unit_bogus},
    {K_OFFER, "offer.quantity.milli", m_o_qty_zero},
    {K_OFFER, "offer.quantity.milli", m_o_qty_huge},
    {K_OFFER, "offer.min_order.unit", m_o_min_dim},
    {K_OFFER, "offer.min_order.unit", m_o_min_unit0},
    {K_OFFER, "offer.price.per", m_o_price_unset},
    {K_OFFER, "offer.price.per", m_o_price_dim},
    {K_OFFER, "offer.price.idr", m_o_price_huge},
    {K_OFFER, "offer.certificates[0].scheme", m_o_cert_scheme0},
    {K_OFFER, "offer.certificates[1].scheme", m_o_cert_scheme_bogus},
    {K_OFFER, "offer.certificates[1].number", m_o_cert_number},
    {K_OFFER, "offer.location.lat", m_o_loc_lat},
    {K_OFFER, "offer.location.lon", m_o_loc_lon},
    {K_OFFER, "offer.available_until", m_o_until},
    {K_BUYER, "buyer.id", m_b_id},
    {K_BUYER, "buyer.name", m_b_name},
    {K_BUYER, "buyer.marketplace_id", m_b_market},
    {K_DEMAND, "demand.id", m_d_id},
    {K_DEMAND, "demand.buyer_id", m_d_buyer_id},
    {K_DEMAND, "demand.commodity", m_d_comm_short},
    {K_DEMAND, "demand.commodity", m_d_comm_lower},
    {K_DEMAND, "demand.quantity.unit", m_d_qty_unset},
    {K_DEMAND, "demand.quantity.unit", m_d_qty_unit0},
    {K_DEMAND, "demand.quantity.milli", m_d_qty_zero},
    {K_DEMAND, "demand.max_price.per", m_d_max_dim},
    {K_DEMAND, "demand.max_price.per", m_d_max_unit0},
    {K_DEMAND, "demand.max_price.per", m_d_max_bogus_unit},
    {K_DEMAND, "demand.max_price.idr", m_d_max_huge},
    {K_DEMAND, "demand.required_certifications[1]", m_d_cert0},
    {K_DEMAND, "demand.required_certifications[0]", m_d_cert_bogus},
    {K_DEMAND, "demand.delivery", m_d_at_unset},
    {K_DEMAND, "demand.delivery.lat", m_d_at_lat},
    {K_DEMAND, "demand.delivery.lon", m_d_at_lon},
    {K_DEMAND, "demand.origin_provinces[1]", m_d_prov},
};

/* ---- ids and filters of Get, Withdraw/Cancel, List ----------------------- */

typedef struct {
    int body;
    const char *a, *b, *prefix, *token; /* as s_by_id() */
    int code;
    const char *field;
} s_idcase_t;

static const s_idcase_t s_idcases[] = {
    {BODY(GET_PRODUCER), "", "", "", "", ST(INVALID_ARGUMENT), "id"},
    {BODY(GET_PRODUCER), "P 1", "", "", "", ST(INVALID_ARGUMENT), "id"},
    {BODY(GET_PRODUCER), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(GET_OFFER), "OF/1", "", "", "", ST(INVALID_ARGUMENT), "id"},
    {BODY(GET_OFFER), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(WITHDRAW_OFFER), "", "", "", "", ST(INVALID_ARGUMENT), "offer_id"},
    {BODY(WITHDRAW_OFFER), "a\tb", "", "", "", ST(INVALID_ARGUMENT),
     "offer_id"},
    {BODY(WITHDRAW_OFFER), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(LIST_OFFERS), "P 1", "", "", "", ST(INVALID_ARGUMENT),
     "list_offers.producer_id"},
    {BODY(LIST_OFFERS), "", "K/1", "", "", ST(INVALID_ARGUMENT),
     "list_offers.cooperative_id"},
    {BODY(LIST_OFFERS), "", "", "9", "", ST(INVALID_ARGUMENT),
     "list_offers.commodity_prefix"},
    {BODY(LIST_OFFERS), "", "", "09x1", "", ST(INVALID_ARGUMENT),
     "list_offers.commodity_prefix"},
    {BODY(LIST_OFFERS), "", "", "", "tok en", ST(INVALID_ARGUMENT),
     "list_offers.page_token"},
    {BODY(GET_BUYER), "", "", "", "", ST(INVALID_ARGUMENT), "id"},
    {BODY(GET_BUYER), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(GET_DEMAND), "D?", "", "", "", ST(INVALID_ARGUMENT), "id"},
    {BODY(GET_DEMAND), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(CANCEL_DEMAND), "", "", "", "", ST(INVALID_ARGUMENT), "demand_id"},
    {BODY(CANCEL_DEMAND), "NOPE", "", "", "", ST(NOT_FOUND), ""},
    {BODY(LIST_DEMANDS), "B 1", "", "", "", ST(INVALID_ARGUMENT),
     "list_demands.buyer_id"},
    {BODY(LIST_DEMANDS), "", "", "0901234567890", "", ST(INVALID_ARGUMENT),
     "list_demands.commodity_prefix"},
    {BODY(LIST_DEMANDS), "", "", "", "x\xc3\xa9", ST(INVALID_ARGUMENT),
     "list_demands.page_token"},
};

/* ---- FAILED_PRECONDITION, ALREADY_EXISTS -------------------------------- */

MUT(m_p_coop_change, t->p.cooperative_id = "KOP-2")
MUT(m_o_unknown_producer, t->o.producer_id = "P-NOBODY")
MUT(m_o_producer_change, t->o.producer_id = "P-OTHER")
MUT(m_o_commodity_change, t->o.commodity = "090112")
MUT(m_o_dim_change,
    (t->o_qty.unit = UNIT(LITRE),
     t->o.min_order = NULL,
     t->o_price.per = UNIT(LITRE)))
MUT(m_b_market_change, t->b.marketplace_id = "MKT-2")
MUT(m_d_unknown_buyer, t->d.buyer_id = "B-NOBODY")
MUT(m_d_changed, t->d_qty.milli = 1300)
MUT(m_none, (void) t)

typedef struct {
    s_kind_t kind;
    const char *id;
    void (*mutate)(s_tpl_t *t);
    int code;
} s_rule_t;

static const s_rule_t s_rules[] = {
    {K_PRODUCER, "P-BASE", m_p_coop_change, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-NEW", m_o_unknown_producer, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-BASE", m_o_unknown_producer, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-BASE", m_o_producer_change, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-BASE", m_o_commodity_change, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-BASE", m_o_dim_change, ST(FAILED_PRECONDITION)},
    {K_OFFER, "OF-GONE", m_none, ST(FAILED_PRECONDITION)},
    {K_BUYER, "B-BASE", m_b_market_change, ST(FAILED_PRECONDITION)},
    {K_DEMAND, "D-NEW", m_d_unknown_buyer, ST(FAILED_PRECONDITION)},
    {K_DEMAND, "D-BASE", m_d_changed, ST(ALREADY_EXISTS)},
};

/* ---- paging -------------------------------------------------------------- */

typedef struct {
    int body;
    const char *a, *b, *prefix;
    uint32_t limit;
    const char *want;
} s_page_t;

static const s_page_t s_pages[] = {
    {BODY(LIST_OFFERS), "P-PAGE", "", "", 2, "X-1,X-2,X-3,X-4,X-5,"},
    {BODY(LIST_OFFERS), "P-PAGE", "", "", 5, "X-1,X-2,X-3,X-4,X-5,"},
    {BODY(LIST_OFFERS), "", "KOP-PAGE", "", 3, "X-1,X-2,X-3,X-4,X-5,"},
    {BODY(LIST_OFFERS), "", "KOP-PAGE", "1006", 1, "X-4,X-5,"},
    {BODY(LIST_OFFERS), "P-PAGE", "KOP-PAGE", "0901", 2, "X-1,X-2,X-3,"},
    {BODY(LIST_OFFERS), "P-PAGE", "KOP-1", "", 2, ""},
    {BODY(LIST_DEMANDS), "B-PAGE", "", "", 2, "X-1,X-2,X-3,X-4,X-5,"},
    {BODY(LIST_DEMANDS), "B-PAGE", "", "09", 2, "X-1,X-2,X-3,"},
    {BODY(LIST_DEMANDS), "B-PAGE", "", "10", 1, "X-4,X-5,"},
    {BODY(LIST_DEMANDS), "B-NOBODY", "", "", 2, ""},
};

/* ---- frames (h_service_t is the socket to send on) ------------------------
 */

typedef struct {
    const char *what;
    const char *data; /* NULL: s_packed(body, name) */
    size_t size;
    int body;
    const char *name;
    h_service_t svc;
    int code;
    const char *field;
    uint64_t request_id; /* echoed when the frame decoded */
} s_frame_t;

static const s_frame_t s_frames[] = {
    {"garbage", "\xff\xff\xff\xff\xff", 5, 0, NULL, H_PRODUCER,
     ST(INVALID_ARGUMENT), "", 0},
    {"truncated", "\x0a\x20short", 7, 0, NULL, H_BUYER, ST(INVALID_ARGUMENT),
     "", 0},
    {"endless varint", "\x08\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80", 11, 0,
     NULL, H_PRODUCER, ST(INVALID_ARGUMENT), "", 0},
    {"empty frame", "", 0, 0, NULL, H_PRODUCER, ST(INVALID_ARGUMENT), "body",
     0},
    {"no body", NULL, 0, 0, NULL, H_BUYER, ST(INVALID_ARGUMENT), "body", 77},
    {"invalid UTF-8", NULL, 0, BODY(PUT_PRODUCER), "Tani \xc3\x28", H_PRODUCER,
     ST(INVALID_ARGUMENT), "", 0},
    {"buyer body at producer", NULL, 0, BODY(GET_BUYER), NULL, H_PRODUCER,
     ST(UNIMPLEMENTED), "", 77},
    {"producer body at buyer", NULL, 0, BODY(PUT_PRODUCER), "Tani", H_BUYER,
     ST(UNIMPLEMENTED), "", 77},
    {"matcher body at buyer", NULL, 0, BODY(GET_MATCHER_STATUS), NULL, H_BUYER,
     ST(UNIMPLEMENTED), "", 77},
    {"good request", NULL, 0, BODY(GET_BUYER), NULL, H_BUYER, ST(OK), "", 77},
};

#endif
