/*  cli_args.c - option tables and human-friendly value parsers for the
    `rantai` command (see cli_args.h). */
#include "cli_args.h"

#include "rantai/err.h"
#include "rantai/refdata.h"
#include "rantai/units.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int s_fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
s_fail(char *err, size_t errsz, const char *fmt, ...)
{
    if (err != NULL && errsz > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return RANTAI_EINVAL;
}

static const cli_opt_t *
s_find(const cli_opt_t *const *tables,
       size_t n_tables,
       const char *name,
       size_t len)
{
    for (size_t t = 0; t < n_tables; t++) {
        for (const cli_opt_t *o = tables[t]; o->name != NULL; o++) {
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
                return o;
            }
        }
    }
    return NULL;
}

int
cli_parse(cli_args_t *args,
          const cli_opt_t *const *tables,
          size_t n_tables,
          int argc,
          char **argv,
          char *err,
          size_t errsz)
{
    memset(args, 0, sizeof *args);
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done &&
            (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            args->help = true;
            continue;
        }
        if (options_done || a[0] != '-' || a[1] == '\0') {
            if (args->n_pos == CLI_MAX_POS) {
                return s_fail(err, errsz, "too many arguments: '%s'", a);
            }
            args->pos[args->n_pos++] = a;
            continue;
        }
        if (a[1] != '-') {
            return s_fail(err, errsz,
                          "unknown option '%s' (options are --long-names)", a);
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t) (eq - name) : strlen(name);
        const cli_opt_t *o = s_find(tables, n_tables, name, len);
        if (o == NULL) {
            return s_fail(err, errsz, "unknown option '--%.*s'", (int) len,
                          name);
        }
        const char *value = NULL;
        if (o->metavar == NULL) {
            if (eq != NULL) {
                return s_fail(err, errsz, "option --%s takes no value",
                              o->name);
            }
        } else if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return s_fail(err, errsz, "option --%s needs a value (%s)", o->name,
                          o->metavar);
        }
        if (!(o->flags & CLI_OPT_REPEAT) && cli_has(args, o->name)) {
            return s_fail(err, errsz, "option --%s given twice", o->name);
        }
        if (args->n_items == CLI_MAX_ITEMS) {
            return s_fail(err, errsz, "too many options");
        }
        args->items[args->n_items].name = o->name;
        args->items[args->n_items].value = value;
        args->n_items++;
    }
    return 0;
}

const char *
cli_get(const cli_args_t *args, const char *name)
{
    for (size_t i = args->n_items; i > 0; i--) {
        if (strcmp(args->items[i - 1].name, name) == 0) {
            return args->items[i - 1].value;
        }
    }
    return NULL;
}

bool
cli_has(const cli_args_t *args, const char *name)
{
    for (size_t i = 0; i < args->n_items; i++) {
        if (strcmp(args->items[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

size_t
cli_get_all(const cli_args_t *args,
            const char *name,
            const char **out,
            size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < args->n_items; i++) {
        if (strcmp(args->items[i].name, name) == 0) {
            if (n < max) {
                out[n] = args->items[i].value;
            }
            n++;
        }
    }
    return n;
}

/* Append `text` word-wrapped to 79 columns, continuation lines indented
   by `indent` columns; the first line starts at column `col`. */
static size_t
s_wrap(char *buf,
       size_t size,
       size_t used,
       const char *text,
       size_t col,
       size_t indent)
{
    const size_t width = 79;
    const char *p = text;
    while (*p != '\0' && used + 1 < size) {
        size_t wlen = strcspn(p, " ");
        if (col > indent && col + 1 + wlen > width) {
            int n =
                snprintf(buf + used, size - used, "\n%*s", (int) indent, "");
            used += n > 0 ? (size_t) n : 0;
            col = indent;
            if (used + 1 >= size) {
                break;
            }
        } else if (col > indent) {
            buf[used++] = ' ';
            col++;
        }
        int n = snprintf(buf + used, size - used, "%.*s", (int) wlen, p);
        used += n > 0 ? (size_t) n : 0;
        col += wlen;
        p += wlen;
        while (*p == ' ') {
            p++;
        }
    }
    if (used >= size) {
        used = size - 1;
    }
    buf[used] = '\0';
    return used;
}

void
cli_format_options(const cli_opt_t *table, char *buf, size_t size)
{
    size_t used = strlen(buf);
    for (const cli_opt_t *o = table; o->name != NULL && used + 1 < size; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        int n;
        if (strlen(left) <= 24) {
            n = snprintf(buf + used, size - used, "  %-24s ", left);
        } else {
            n = snprintf(buf + used, size - used, "  %s\n%27s", left, "");
        }
        used += n > 0 ? (size_t) n : 0;
        if (used + 1 >= size) {
            buf[size - 1] = '\0';
            break;
        }
        used = s_wrap(buf, size, used, o->help, 27, 27);
        if (used + 1 < size) {
            buf[used++] = '\n';
            buf[used] = '\0';
        }
    }
}

int
cli_parse_u64(
    const char *text, uint64_t max, uint64_t *out, char *err, size_t errsz)
{
    uint64_t v = 0;
    size_t nd = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '_' && nd > 0 && isdigit((unsigned char) p[1])) {
            continue;
        }
        if (!isdigit((unsigned char) *p)) {
            return s_fail(err, errsz, "not a whole number: '%s'", text);
        }
        uint64_t d = (uint64_t) (*p - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return s_fail(err, errsz, "number too large: '%s'", text);
        }
        v = v * 10 + d;
        nd++;
    }
    if (nd == 0) {
        return s_fail(err, errsz, "not a whole number: '%s'", text);
    }
    if (v > max) {
        return s_fail(err, errsz, "%s is more than the maximum %" PRIu64, text,
                      max);
    }
    *out = v;
    return 0;
}

/* True if text is digits (and '_', '.') only: a number without unit. */
static bool
s_is_bare_number(const char *text)
{
    while (isspace((unsigned char) *text)) {
        text++;
    }
    size_t n = strspn(text, "0123456789_.,");
    return n > 0 && text[n + strspn(text + n, " \t")] == '\0';
}

int
cli_parse_qty(const char *text,
              int default_unit,
              Rantai__V1__Quantity *out,
              char *err,
              size_t errsz)
{
    uint64_t milli;
    int unit;
    if (default_unit == 0 && s_is_bare_number(text)) {
        return s_fail(err, errsz,
                      "'%s' needs a unit, e.g. %st or %skg (units: kg q t l "
                      "kl m3 pcs dozen kodi head room-night m m2)",
                      text, text, text);
    }
    if (rantai_qty_parse(text, default_unit, &milli, &unit) != 0) {
        return s_fail(err, errsz,
                      "not a quantity: '%s' (examples: 2.5t, 300kg, "
                      "12 DOZEN; at most three decimals)",
                      text);
    }
    if (milli == 0) {
        return s_fail(err, errsz, "quantity must be more than zero: '%s'",
                      text);
    }
    out->milli = milli;
    out->unit = (Rantai__V1__Unit) unit;
    return 0;
}

int
cli_parse_price(const char *text,
                int default_unit,
                Rantai__V1__Price *out,
                char *err,
                size_t errsz)
{
    uint64_t idr;
    int per;
    if (strchr(text, '/') == NULL) {
        if (default_unit == 0) {
            return s_fail(err, errsz,
                          "'%s' needs a unit: rupiah per unit, e.g. "
                          "%s/kg",
                          text, text);
        }
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%s/%s", text,
                 rantai_unit_symbol(default_unit));
        if (rantai_price_parse(tmp, &idr, &per) != 0) {
            return s_fail(err, errsz,
                          "not a price: '%s' (whole rupiah per unit, e.g. "
                          "95000/kg or 95,000/kg)",
                          text);
        }
    } else if (rantai_price_parse(text, &idr, &per) != 0) {
        return s_fail(err, errsz,
                      "not a price: '%s' (whole rupiah per unit, e.g. "
                      "95000/kg, 95_000/kg or 95,000/kg)",
                      text);
    }
    out->idr = idr;
    out->per = (Rantai__V1__Unit) per;
    return 0;
}

int
cli_parse_geo(const char *text,
              Rantai__V1__GeoPoint *out,
              char *err,
              size_t errsz)
{
    char *end;
    double lat = strtod(text, &end);
    if (end == text || *end != ',') {
        return s_fail(err, errsz,
                      "not a coordinate: '%s' (LAT,LON in decimal degrees, "
                      "e.g. -6.9,107.6)",
                      text);
    }
    const char *p = end + 1;
    double lon = strtod(p, &end);
    if (end == p || *end != '\0') {
        return s_fail(err, errsz,
                      "not a coordinate: '%s' (LAT,LON in decimal degrees, "
                      "e.g. -6.9,107.6)",
                      text);
    }
    if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90.0 ||
        fabs(lon) > 180.0) {
        return s_fail(err, errsz,
                      "coordinate out of range: '%s' (latitude within "
                      "+-90, longitude within +-180)",
                      text);
    }
    out->lat = lat;
    out->lon = lon;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
s_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
s_civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* n digits at *p as a number, advancing *p; -1 if not n digits. */
static int64_t
s_digits(const char **p, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i])) {
            return -1;
        }
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

int
cli_parse_time(const char *text, int64_t *ms, char *err, size_t errsz)
{
    const char *p = text;
    size_t len = strlen(text);
    if (len > 0 && strspn(text, "0123456789") == len) {
        uint64_t v;
        if (cli_parse_u64(text, INT64_MAX, &v, err, errsz) != 0) {
            return RANTAI_EINVAL;
        }
        *ms = (int64_t) v;
        return 0;
    }
    int64_t y = s_digits(&p, 4), mo = -1, d = -1, h = 0, mi = 0, s = 0;
    if (y >= 0 && *p == '-') {
        p++;
        mo = s_digits(&p, 2);
    }
    if (mo >= 0 && *p == '-') {
        p++;
        d = s_digits(&p, 2);
    }
    bool ok = y >= 1970 && mo >= 1 && mo <= 12 && d >= 1;
    if (ok && (*p == 'T' || *p == ' ')) {
        p++;
        h = s_digits(&p, 2);
        ok = h >= 0 && *p == ':';
        if (ok) {
            p++;
            mi = s_digits(&p, 2);
            ok = mi >= 0;
        }
        if (ok && *p == ':') {
            p++;
            s = s_digits(&p, 2);
            ok = s >= 0;
        }
        if (ok && *p == 'Z') {
            p++;
        }
        ok = ok && h <= 23 && mi <= 59 && s <= 59;
    }
    if (ok) {
        static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = d <= mdays[mo - 1] && !(mo == 2 && d == 29 && !leap);
    }
    if (!ok || *p != '\0') {
        return s_fail(err, errsz,
                      "not a time: '%s' (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z "
                      "in UTC, or Unix milliseconds)",
                      text);
    }
    *ms = ((s_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000;
    return 0;
}

void
cli_format_time(int64_t ms, char *buf, size_t size)
{
    if (ms == 0) {
        snprintf(buf, size, "-");
        return;
    }
    /* Floor division without negating (-INT64_MIN overflows). */
    int64_t secs = ms / 1000 - (ms % 1000 < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int64_t rem = secs - days * 86400;
    int64_t y, m, d;
    s_civil_from_days(days, &y, &m, &d);
    if (rem == 0 && ms % 1000 == 0) {
        snprintf(buf, size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d);
    } else {
        snprintf(buf, size,
                 "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64
                 ":%02" PRId64 ":%02" PRId64 "Z",
                 y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
    }
}

int
cli_parse_scheme(const char *text, int *scheme, char *err, size_t errsz)
{
    const rantai_certification_t *c = rantai_certification_find(text);
    if (c == NULL) {
        return s_fail(err, errsz,
                      "unknown certification '%s' (e.g. HALAL, SNI, PIRT, "
                      "BPOM_MD, ORGANIC, SVLK, HACCP; see "
                      "data/certifications.csv)",
                      text);
    }
    *scheme = c->value;
    return 0;
}

int
cli_parse_cert(const char *text,
               int *scheme,
               char *numbuf,
               size_t numsize,
               int64_t *valid_until,
               char *err,
               size_t errsz)
{
    char code[64];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t) (colon - text) : strlen(text);
    if (len >= sizeof code) {
        return s_fail(err, errsz, "unknown certification '%s'", text);
    }
    memcpy(code, text, len);
    code[len] = '\0';
    if (cli_parse_scheme(code, scheme, err, errsz) != 0) {
        return RANTAI_EINVAL;
    }
    numbuf[0] = '\0';
    *valid_until = 0;
    if (colon == NULL) {
        return 0;
    }
    const char *num = colon + 1;
    const char *colon2 = strchr(num, ':');
    size_t nlen = colon2 ? (size_t) (colon2 - num) : strlen(num);
    if (nlen >= numsize) {
        return s_fail(err, errsz, "certificate number too long in '%s'", text);
    }
    memcpy(numbuf, num, nlen);
    numbuf[nlen] = '\0';
    if (colon2 != NULL && colon2[1] != '\0' &&
        cli_parse_time(colon2 + 1, valid_until, err, errsz) != 0) {
        return s_fail(err, errsz,
                      "bad valid-until date in '%s' (SCHEME[:NUMBER[:"
                      "YYYY-MM-DD or Unix ms]])",
                      text);
    }
    return 0;
}

int
cli_parse_class(const char *text, int *cls, char *err, size_t errsz)
{
    static const char *const names[] = {"MICRO", "SMALL", "MEDIUM"};
    const char *p = text;
    if (strncasecmp(p, "ENTERPRISE_CLASS_", 17) == 0) {
        p += 17;
    }
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(p, names[i]) == 0) {
            *cls = i + 1;
            return 0;
        }
    }
    return s_fail(err, errsz,
                  "unknown enterprise class '%s' (micro, small or medium)",
                  text);
}

int
cli_parse_province(const char *text, const char **code, char *err, size_t errsz)
{
    const rantai_province_t *p = rantai_province_find(text);
    if (p == NULL) {
        size_t n;
        const rantai_province_t *all = rantai_provinces(&n);
        for (size_t i = 0; i < n; i++) {
            if (strcasecmp(all[i].name, text) == 0) {
                p = &all[i];
                break;
            }
        }
    }
    if (p == NULL) {
        return s_fail(err, errsz,
                      "unknown province '%s' (a two-digit Kemendagri code "
                      "such as 32, or a name such as \"Jawa Barat\")",
                      text);
    }
    *code = p->code;
    return 0;
}

int
cli_parse_commodity(const char *text,
                    size_t min_len,
                    char *buf,
                    size_t size,
                    char *err,
                    size_t errsz)
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '.') {
            continue;
        }
        if (n + 1 >= size || n >= RANTAI_COMMODITY_MAX) {
            n = RANTAI_COMMODITY_MAX + 1;
            break;
        }
        buf[n++] = (char) toupper((unsigned char) *p);
    }
    if (n > RANTAI_COMMODITY_MAX) {
        buf[0] = '\0';
        return s_fail(err, errsz, "commodity code too long: '%s'", text);
    }
    buf[n] = '\0';
    if (!rantai_commodity_valid(buf, min_len)) {
        return s_fail(err, errsz,
                      "not a commodity code: '%s' (%zu-12 characters of "
                      "0-9A-Z: HS digits such as 090111, or CPC codes)",
                      text, min_len);
    }
    return 0;
}

int
cli_parse_transport(
    const char *text, uint64_t *milli, int *unit, char *err, size_t errsz)
{
    const char *slash = strchr(text, '/');
    if (slash == NULL) {
        *unit = 0;
        return cli_parse_u64(text, UINT64_MAX, milli, err, errsz);
    }
    char num[32], ustr[32];
    size_t nlen = (size_t) (slash - text);
    const char *slash2 = strchr(slash + 1, '/');
    size_t ulen = slash2 ? (size_t) (slash2 - slash - 1) : 0;
    if (slash2 == NULL || strcasecmp(slash2 + 1, "km") != 0 ||
        nlen >= sizeof num || ulen >= sizeof ustr || ulen == 0) {
        return s_fail(err, errsz,
                      "not a transport rate: '%s' (milli-rupiah per base "
                      "unit per km such as 2000, or RUPIAH/UNIT/km such as "
                      "2/kg/km)",
                      text);
    }
    memcpy(num, text, nlen);
    num[nlen] = '\0';
    memcpy(ustr, slash + 1, ulen);
    ustr[ulen] = '\0';
    /* Reuse the quantity parser for "rupiah with up to 3 decimals". */
    uint64_t rate_milli;
    int dummy;
    int u = rantai_unit_parse(ustr);
    if (u == 0 || !s_is_bare_number(num) ||
        rantai_qty_parse(num, RANTAI__V1__UNIT__UNIT_KILOGRAM, &rate_milli,
                         &dummy) != 0 ||
        dummy != RANTAI__V1__UNIT__UNIT_KILOGRAM) {
        return s_fail(err, errsz,
                      "not a transport rate: '%s' (RUPIAH/UNIT/km with at "
                      "most three decimals, e.g. 2/kg/km or 2.5/t/km)",
                      text);
    }
    uint64_t f = rantai_unit_factor(u);
    if (rate_milli % f != 0) {
        return s_fail(
            err, errsz,
            "transport rate '%s' is not a whole number of "
            "milli-rupiah per %s per km",
            text, rantai_unit_symbol(rantai_dim_base_unit(rantai_unit_dim(u))));
    }
    *milli = rate_milli / f;
    *unit = u;
    return 0;
}

int
cli_parse_party(
    const char *text, int *kind, const char **id, char *err, size_t errsz)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {
        {"cooperative", RANTAI__V1__PARTY_KIND__PARTY_KIND_COOPERATIVE},
        {"producer", RANTAI__V1__PARTY_KIND__PARTY_KIND_PRODUCER},
        {"buyer", RANTAI__V1__PARTY_KIND__PARTY_KIND_BUYER},
        {"marketplace", RANTAI__V1__PARTY_KIND__PARTY_KIND_MARKETPLACE},
    };
    if (strcasecmp(text, "all") == 0) {
        *kind = RANTAI__V1__PARTY_KIND__PARTY_KIND_ALL;
        *id = "";
        return 0;
    }
    const char *colon = strchr(text, ':');
    if (colon != NULL) {
        size_t len = (size_t) (colon - text);
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            if (strlen(kinds[i].name) == len &&
                strncasecmp(text, kinds[i].name, len) == 0) {
                if (!rantai_id_valid(colon + 1)) {
                    break;
                }
                *kind = kinds[i].kind;
                *id = colon + 1;
                return 0;
            }
        }
    }
    return s_fail(err, errsz,
                  "not a party: '%s' (all, or cooperative:ID, producer:ID, "
                  "buyer:ID, marketplace:ID)",
                  text);
}

int
cli_feed_endpoint(
    const char *api, char *buf, size_t size, char *err, size_t errsz)
{
    const char *colon = strrchr(api, ':');
    if (strncmp(api, "tcp://", 6) != 0 || colon == NULL || colon < api + 6) {
        return s_fail(err, errsz,
                      "cannot derive a feed endpoint from '%s': give it "
                      "explicitly",
                      api);
    }
    uint64_t port;
    if (cli_parse_u64(colon + 1, 65534, &port, NULL, 0) != 0 || port == 0) {
        return s_fail(err, errsz,
                      "cannot derive a feed endpoint from '%s': give it "
                      "explicitly",
                      api);
    }
    int n = snprintf(buf, size, "%.*s:%" PRIu64, (int) (colon - api), api,
                     port + 1);
    if (n < 0 || (size_t) n >= size) {
        return s_fail(err, errsz, "endpoint too long: '%s'", api);
    }
    return 0;
}

/* "Rp <whole>" and, unless frac is 0, "." and frac as `digits` digits
   with trailing zeros dropped. */
static void
s_format_idr(uint64_t whole, unsigned frac, int digits, char *buf, size_t size)
{
    rantai_idr_format(whole, buf, size);
    if (frac == 0) {
        return;
    }
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    size_t used = strlen(buf);
    if (used < size) {
        snprintf(buf + used, size - used, ".%0*u", digits, frac);
    }
}

void
cli_format_micro_idr(uint64_t micro, char *buf, size_t size)
{
    s_format_idr(micro / 1000000, (unsigned) (micro % 1000000), 6, buf, size);
}

void
cli_format_milli_idr(uint64_t milli, char *buf, size_t size)
{
    s_format_idr(milli / 1000, (unsigned) (milli % 1000), 3, buf, size);
}
