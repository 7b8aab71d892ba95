/*  print.c - readable output of the `rantai` command: entities, demand
    and offer states (explaining every allocation), matcher status and
    feed events. Names come from the reference data, amounts from
    rantai_qty_format / rantai_idr_format. */
#include "cli.h"
#include "rantai/refdata.h"
#include "rantai/units.h"

#include <inttypes.h>
#include <string.h>

/* Quantity x landed cost can exceed 64 bits before scaling down. */
__extension__ typedef unsigned __int128 s_u128_t;

const char *
cli_enum_name(const ProtobufCEnumDescriptor *desc,
              int v,
              char *buf,
              size_t size)
{
    const ProtobufCEnumValue *ev =
        protobuf_c_enum_descriptor_get_value(desc, v);
    if (ev == NULL) {
        snprintf(buf, size, "%d", v);
        return buf;
    }
    /* Strip "<ENUM>_": the prefix is the upper-snake enum name, which is
       the part of the first value name before "UNSPECIFIED"/"OK". */
    const char *name = ev->name;
    const char *first = desc->values[0].name;
    const char *tail = strstr(first, "UNSPECIFIED");
    if (tail == NULL) {
        tail = strstr(first, "OK");
    }
    size_t plen = tail ? (size_t) (tail - first) : 0;
    if (plen > 0 && strncmp(name, first, plen) == 0) {
        name += plen;
    }
    snprintf(buf, size, "%s", name);
    return buf;
}

void
cli_fmt_qty(const Rantai__V1__Quantity *q, char *buf, size_t size)
{
    if (q == NULL) {
        snprintf(buf, size, "-");
        return;
    }
    rantai_qty_format(q->milli, q->unit, buf, size);
}

void
cli_fmt_price(const Rantai__V1__Price *p, char *buf, size_t size)
{
    if (p == NULL) {
        snprintf(buf, size, "-");
        return;
    }
    char idr[40];
    rantai_idr_format(p->idr, idr, sizeof idr);
    snprintf(buf, size, "%s/%s", idr, rantai_unit_symbol(p->per));
}

static const char *
s_str(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

static void
s_commodity(const char *code, char *buf, size_t size)
{
    const rantai_commodity_t *c = rantai_commodity_find(code ? code : "");
    if (c != NULL) {
        snprintf(buf, size, "%s %s", code, c->name_en);
    } else {
        snprintf(buf, size, "%s", s_str(code));
    }
}

static void
s_province(const char *code, char *buf, size_t size)
{
    const rantai_province_t *p = rantai_province_find(code ? code : "");
    if (p != NULL) {
        snprintf(buf, size, "%s %s", code, p->name);
    } else {
        snprintf(buf, size, "%s", s_str(code));
    }
}

static void
s_geo(const Rantai__V1__GeoPoint *g, const char *unset, char *buf, size_t size)
{
    if (g == NULL) {
        snprintf(buf, size, "%s", unset);
    } else {
        snprintf(buf, size, "%.6g, %.6g", g->lat, g->lon);
    }
}

static const char *
s_cert_name(int scheme, char *buf, size_t size)
{
    const rantai_certification_t *c = rantai_certification_by_value(scheme);
    if (c != NULL) {
        return c->code;
    }
    snprintf(buf, size, "%d", scheme);
    return buf;
}

/* The base unit symbol of q's dimension ("kg"). */
static const char *
s_base_symbol(int unit)
{
    return rantai_unit_symbol(rantai_dim_base_unit(rantai_unit_dim(unit)));
}

void
cli_print_producer(FILE *out, const Rantai__V1__Producer *p)
{
    char buf[256];
    char cls[32];
    fprintf(out, "producer %s  \"%s\"\n", s_str(p->id), p->name ? p->name : "");
    fprintf(out, "  cooperative   %s\n",
            p->cooperative_id && p->cooperative_id[0] ? p->cooperative_id
                                                      : "- (independent)");
    s_province(p->province, buf, sizeof buf);
    fprintf(out, "  province      %s\n", buf);
    s_geo(p->location, "-", buf, sizeof buf);
    fprintf(out, "  location      %s\n", buf);
    fprintf(out, "  class         %s\n",
            p->enterprise_class
                ? cli_enum_name(&rantai__v1__enterprise_class__descriptor,
                                p->enterprise_class, cls, sizeof cls)
                : "-");
}

static void
s_certificates(FILE *out, const Rantai__V1__Offer *o)
{
    if (o->n_certificates == 0) {
        fprintf(out, "  certificates  -\n");
        return;
    }
    for (size_t i = 0; i < o->n_certificates; i++) {
        const Rantai__V1__Certificate *c = o->certificates[i];
        char name[16], until[40];
        cli_format_time(c->valid_until, until, sizeof until);
        fprintf(out, "  %s  %s%s%s  %s%s\n",
                i == 0 ? "certificates" : "            ",
                s_cert_name(c->scheme, name, sizeof name),
                c->number && c->number[0] ? " " : "",
                c->number ? c->number : "",
                c->valid_until ? "valid until " : "no expiry",
                c->valid_until ? until : "");
    }
}

void
cli_print_offer(FILE *out, const Rantai__V1__Offer *o)
{
    char buf[256], a[64], b[64];
    fprintf(out, "offer %s  by producer %s\n", s_str(o->id),
            s_str(o->producer_id));
    s_commodity(o->commodity, buf, sizeof buf);
    fprintf(out, "  commodity     %s\n", buf);
    cli_fmt_qty(o->quantity, buf, sizeof buf);
    fprintf(out, "  quantity      %s\n", buf);
    cli_fmt_qty(o->min_order, buf, sizeof buf);
    fprintf(out, "  min order     %s\n", buf);
    cli_fmt_price(o->price, buf, sizeof buf);
    fprintf(out, "  price         %s\n", buf);
    s_certificates(out, o);
    s_geo(o->location, "the producer's", buf, sizeof buf);
    fprintf(out, "  location      %s\n", buf);
    cli_format_time(o->available_from, a, sizeof a);
    cli_format_time(o->available_until, b, sizeof b);
    fprintf(out, "  available     %s%s, %s%s\n",
            o->available_from ? "from " : "now", o->available_from ? a : "",
            o->available_until ? "until " : "open-ended",
            o->available_until ? b : "");
}

void
cli_print_offer_line(FILE *out, const Rantai__V1__Offer *o)
{
    char q[64], p[64];
    cli_fmt_qty(o->quantity, q, sizeof q);
    cli_fmt_price(o->price, p, sizeof p);
    fprintf(out, "%-24s %-16s %-12s %12s  %s\n", s_str(o->id),
            s_str(o->producer_id), s_str(o->commodity), q, p);
}

void
cli_print_offer_state(FILE *out, const Rantai__V1__OfferState *s)
{
    char buf[64];
    if (s->offer != NULL) {
        cli_print_offer(out, s->offer);
    }
    cli_fmt_qty(s->allocated, buf, sizeof buf);
    fprintf(out, "  allocated     %s\n", buf);
    cli_fmt_qty(s->remaining, buf, sizeof buf);
    fprintf(out, "  remaining     %s\n", buf);
    fprintf(out, "  withdrawn     %s\n", s->withdrawn ? "yes" : "no");
}

void
cli_print_buyer(FILE *out, const Rantai__V1__Buyer *b)
{
    fprintf(out, "buyer %s  \"%s\"\n", s_str(b->id), b->name ? b->name : "");
    fprintf(out, "  marketplace   %s\n", s_str(b->marketplace_id));
}

static void
s_transport(uint64_t milli, int unit, char *buf, size_t size)
{
    if (milli == 0) {
        snprintf(buf, size, "0 (not counted)");
        return;
    }
    char idr[64];
    cli_format_milli_idr(milli, idr, sizeof idr);
    const char *sym = s_base_symbol(unit);
    snprintf(buf, size, "%s/%s/km (%" PRIu64 " milli-rupiah per %s per km)",
             idr, sym, milli, sym);
}

void
cli_print_demand(FILE *out, const Rantai__V1__Demand *d)
{
    char buf[256];
    fprintf(out, "demand %s  by buyer %s\n", s_str(d->id), s_str(d->buyer_id));
    s_commodity(d->commodity, buf, sizeof buf);
    fprintf(out, "  commodity     %s\n", buf);
    cli_fmt_qty(d->quantity, buf, sizeof buf);
    fprintf(out, "  quantity      %s\n", buf);
    if (d->max_price != NULL && d->max_price->idr != 0) {
        cli_fmt_price(d->max_price, buf, sizeof buf);
    } else {
        snprintf(buf, sizeof buf, "no limit");
    }
    fprintf(out, "  max price     %s\n", buf);
    fprintf(out, "  requires      ");
    for (size_t i = 0; i < d->n_required_certifications; i++) {
        char name[16];
        fprintf(out, "%s%s", i ? ", " : "",
                s_cert_name(d->required_certifications[i], name, sizeof name));
    }
    fprintf(out, "%s\n", d->n_required_certifications ? "" : "-");
    s_geo(d->delivery, "-", buf, sizeof buf);
    fprintf(out, "  delivery      %s\n", buf);
    if (d->max_distance_km) {
        fprintf(out, "  max distance  %" PRIu32 " km\n", d->max_distance_km);
    } else {
        fprintf(out, "  max distance  no limit\n");
    }
    cli_format_time(d->deliver_by, buf, sizeof buf);
    fprintf(out, "  deliver by    %s\n", d->deliver_by ? buf : "no deadline");
    fprintf(out, "  partial       %s\n",
            d->allow_partial ? "allowed" : "no (all or nothing)");
    if (d->max_suppliers) {
        fprintf(out, "  max suppliers %" PRIu32 "\n", d->max_suppliers);
    } else {
        fprintf(out, "  max suppliers no limit\n");
    }
    s_transport(d->transport_milli_idr_per_unit_km,
                d->quantity ? d->quantity->unit : 0, buf, sizeof buf);
    fprintf(out, "  transport     %s\n", buf);
    fprintf(out, "  origins       ");
    for (size_t i = 0; i < d->n_origin_provinces; i++) {
        s_province(d->origin_provinces[i], buf, sizeof buf);
        fprintf(out, "%s%s", i ? ", " : "", buf);
    }
    fprintf(out, "%s\n", d->n_origin_provinces ? "" : "any province");
}

void
cli_print_demand_line(FILE *out, const Rantai__V1__Demand *d)
{
    char q[64], p[64];
    cli_fmt_qty(d->quantity, q, sizeof q);
    if (d->max_price != NULL && d->max_price->idr != 0) {
        cli_fmt_price(d->max_price, p, sizeof p);
    } else {
        snprintf(p, sizeof p, "no price limit");
    }
    fprintf(out, "%-24s %-16s %-12s %12s  %s\n", s_str(d->id),
            s_str(d->buyer_id), s_str(d->commodity), q, p);
}

void
cli_print_allocation(FILE *out,
                     const Rantai__V1__Allocation *a,
                     const char *indent)
{
    char st[32], q[64], p[64], landed[64], total[64];
    const Rantai__V1__Quantity *qty = a->quantity;
    int unit = qty ? qty->unit : 0;
    cli_fmt_qty(qty, q, sizeof q);
    cli_fmt_price(a->price, p, sizeof p);
    cli_format_micro_idr(a->landed_micro_idr, landed, sizeof landed);
    /* quantity is in base units (milli), landed per base unit (micro-Rp):
       the total is milli x micro / 1e3 micro-rupiah. */
    s_u128_t micro =
        (s_u128_t) (qty ? qty->milli : 0) * a->landed_micro_idr / 1000;
    if (micro <= UINT64_MAX) {
        cli_format_micro_idr((uint64_t) micro, total, sizeof total);
    } else {
        snprintf(total, sizeof total, "(too large)");
    }
    fprintf(out, "%s%s  %s  %s from offer %s (producer %s, %s%s)\n", indent,
            s_str(a->id),
            cli_enum_name(&rantai__v1__allocation_state__descriptor, a->state,
                          st, sizeof st),
            q, s_str(a->offer_id), s_str(a->producer_id),
            a->cooperative_id && a->cooperative_id[0] ? "cooperative "
                                                      : "independent",
            a->cooperative_id ? a->cooperative_id : "");
    fprintf(out,
            "%s    price %s, distance %" PRIu64 ".%" PRIu64
            " km, landed %s/%s, total %s\n",
            indent, p, a->distance_m / 1000, a->distance_m % 1000 / 100, landed,
            s_base_symbol(unit), total);
}

/* One "; N what" part of the explanation line, when N > 0. */
static void
s_why(FILE *out, uint64_t n, const char *what)
{
    if (n > 0) {
        fprintf(out, "; %" PRIu64 " %s", n, what);
    }
}

/* "why not filled: 3 offers of 0901 within 500 km; 2 lack HALAL; ..." */
static void
s_explanation(FILE *out,
              const Rantai__V1__DemandState *s,
              const Rantai__V1__DemandExplanation *x)
{
    const char *comm = s->demand != NULL ? s_str(s->demand->commodity) : "";
    const char *least = x->capped ? "at least " : "";
    fprintf(out, "  why not filled: ");
    if (x->within_km > 0) {
        uint64_t within =
            x->candidates > x->too_far ? x->candidates - x->too_far : 0;
        fprintf(out, "%s%" PRIu64 " offers of %s within %u km", least, within,
                comm, x->within_km);
    } else {
        fprintf(out, "%s%" PRIu64 " offers of %s", least, x->candidates, comm);
    }
    if (x->missing_certification > 0) {
        char schemes[128] = "", name[64];
        for (size_t i = 0; i < x->n_missing_schemes; i++) {
            size_t l = strlen(schemes);
            snprintf(schemes + l, sizeof schemes - l, "%s%s", i ? "/" : "",
                     s_cert_name(x->missing_schemes[i], name, sizeof name));
        }
        fprintf(out, "; %" PRIu64 " lack %s", x->missing_certification,
                schemes[0] ? schemes : "a certificate");
    }
    s_why(out, x->above_max_price, "above max price");
    s_why(out, x->not_available_in_time, "not available in time");
    s_why(out, x->outside_origin, "outside the origin provinces");
    s_why(out, x->declined_or_expired, "declined or let expire before");
    s_why(out, x->no_capacity, "with nothing left");
    s_why(out, x->wrong_dimension, "in another unit dimension");
    s_why(out, x->min_order_too_big, "with a min order above what is left");
    s_why(out, x->supplier_limit, "beyond max suppliers");
    if (x->eligible > x->min_order_too_big + x->supplier_limit &&
        s->demand != NULL && !s->demand->allow_partial) {
        fprintf(out,
                "; %" PRIu64 " eligible, too little together (no "
                "partial fill)",
                x->eligible - x->min_order_too_big - x->supplier_limit);
    }
    fprintf(out, "\n");
}

void
cli_print_demand_state(FILE *out, const Rantai__V1__DemandState *s)
{
    char buf[256], st[32];
    const Rantai__V1__Demand *d = s->demand;
    if (d != NULL) {
        cli_fmt_qty(d->quantity, buf, sizeof buf);
        fprintf(out, "demand %s  by buyer %s: %s of ", s_str(d->id),
                s_str(d->buyer_id), buf);
        s_commodity(d->commodity, buf, sizeof buf);
        fprintf(out, "%s\n", buf);
    }
    fprintf(out, "  status        %s\n",
            cli_enum_name(&rantai__v1__demand_status__descriptor, s->status, st,
                          sizeof st));
    cli_fmt_qty(s->filled, buf, sizeof buf);
    fprintf(out, "  filled        %s\n", buf);
    cli_fmt_qty(s->remaining, buf, sizeof buf);
    fprintf(out, "  remaining     %s\n", buf);
    if (s->explanation != NULL) {
        s_explanation(out, s, s->explanation);
    }
    if (s->n_allocations == 0) {
        fprintf(out, "no allocations\n");
        return;
    }
    fprintf(out, "allocations (%zu, in creation order):\n", s->n_allocations);
    for (size_t i = 0; i < s->n_allocations; i++) {
        cli_print_allocation(out, s->allocations[i], "  ");
    }
}

void
cli_print_matcher_status(FILE *out, const Rantai__V1__MatcherStatus *s)
{
    fprintf(out, "producer_seq      %" PRIu64 "\n", s->producer_seq);
    fprintf(out, "buyer_seq         %" PRIu64 "\n", s->buyer_seq);
    fprintf(out, "head_seq          %" PRIu64 "\n", s->head_seq);
    fprintf(out, "open offers       %" PRIu64 "\n", s->open_offers);
    fprintf(out, "open demands      %" PRIu64 "\n", s->open_demands);
    fprintf(out, "live allocations  %" PRIu64 "\n", s->live_allocations);
}

static void
s_event_body(FILE *out, const rantai_event_t *ev)
{
    char q[64], p[64], st[32];
    switch (ev->body_case) {
        case RANTAI__V1__EVENT__BODY_PRODUCER_PUT: {
            const Rantai__V1__Producer *pr = ev->producer_put->producer;
            if (pr != NULL) {
                s_province(pr->province, p, sizeof p);
                fprintf(out,
                        "producer_put %s \"%s\" cooperative %s province %s",
                        s_str(pr->id), pr->name ? pr->name : "",
                        s_str(pr->cooperative_id), p);
            }
            break;
        }
        case RANTAI__V1__EVENT__BODY_OFFER_PUT: {
            const Rantai__V1__Offer *o = ev->offer_put->offer;
            if (o != NULL) {
                cli_fmt_qty(o->quantity, q, sizeof q);
                cli_fmt_price(o->price, p, sizeof p);
                fprintf(out, "offer_put %s producer %s %s %s at %s",
                        s_str(o->id), s_str(o->producer_id),
                        s_str(o->commodity), q, p);
            }
            break;
        }
        case RANTAI__V1__EVENT__BODY_OFFER_WITHDRAWN:
            fprintf(out, "offer_withdrawn %s producer %s",
                    s_str(ev->offer_withdrawn->offer_id),
                    s_str(ev->offer_withdrawn->producer_id));
            break;
        case RANTAI__V1__EVENT__BODY_BUYER_PUT: {
            const Rantai__V1__Buyer *b = ev->buyer_put->buyer;
            if (b != NULL) {
                fprintf(out, "buyer_put %s \"%s\" marketplace %s", s_str(b->id),
                        b->name ? b->name : "", s_str(b->marketplace_id));
            }
            break;
        }
        case RANTAI__V1__EVENT__BODY_DEMAND_POSTED: {
            const Rantai__V1__Demand *d = ev->demand_posted->demand;
            if (d != NULL) {
                cli_fmt_qty(d->quantity, q, sizeof q);
                fprintf(out, "demand_posted %s buyer %s %s %s", s_str(d->id),
                        s_str(d->buyer_id), s_str(d->commodity), q);
            }
            break;
        }
        case RANTAI__V1__EVENT__BODY_DEMAND_CANCELLED:
            fprintf(out, "demand_cancelled %s buyer %s",
                    s_str(ev->demand_cancelled->demand_id),
                    s_str(ev->demand_cancelled->buyer_id));
            break;
        case RANTAI__V1__EVENT__BODY_MATCH_PROPOSED: {
            const Rantai__V1__MatchProposed *m = ev->match_proposed;
            cli_fmt_qty(m->remaining, q, sizeof q);
            fprintf(out,
                    "match_proposed demand %s buyer %s: %zu allocation%s, "
                    "remaining %s\n",
                    s_str(m->demand_id), s_str(m->buyer_id), m->n_allocations,
                    m->n_allocations == 1 ? "" : "s", q);
            for (size_t i = 0; i < m->n_allocations; i++) {
                cli_print_allocation(out, m->allocations[i], "    ");
            }
            return;
        }
        case RANTAI__V1__EVENT__BODY_ALLOCATION_UPDATED: {
            const Rantai__V1__AllocationUpdated *u = ev->allocation_updated;
            const Rantai__V1__Allocation *a = u->allocation;
            if (a != NULL) {
                cli_fmt_qty(a->quantity, q, sizeof q);
                fprintf(out, "allocation_updated %s %s %s offer %s%s%s%s",
                        s_str(a->id),
                        cli_enum_name(&rantai__v1__allocation_state__descriptor,
                                      a->state, st, sizeof st),
                        q, s_str(a->offer_id),
                        u->reason && u->reason[0] ? " (" : "",
                        u->reason ? u->reason : "",
                        u->reason && u->reason[0] ? ")" : "");
            }
            break;
        }
        case RANTAI__V1__EVENT__BODY_DEMAND_UPDATED: {
            const Rantai__V1__DemandUpdated *u = ev->demand_updated;
            cli_fmt_qty(u->remaining, q, sizeof q);
            fprintf(out, "demand_updated %s %s remaining %s",
                    s_str(u->demand_id),
                    cli_enum_name(&rantai__v1__demand_status__descriptor,
                                  u->status, st, sizeof st),
                    q);
            break;
        }
        default:
            fprintf(out, "(event of a kind this rantai does not know)");
            break;
    }
    fputc('\n', out);
}

void
cli_print_event(FILE *out, const rantai_event_t *ev)
{
    char t[40];
    cli_format_time(ev->time, t, sizeof t);
    fprintf(out, "#%" PRIu64 " %s ", ev->seq, t);
    s_event_body(out, ev);
    fflush(out);
}
