/*  units.c - units, dimensions, integer normal forms (docs/MATCHING.md)
    and parsing/formatting of human quantities and prices. */
#include "rantai/units.h"

#include "rantai/err.h"
#include "rantai/v1/types.pb-c.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 128-bit arithmetic for the price normal form; __extension__ keeps
   -Wpedantic quiet about a GCC/Clang type we rely on deliberately. */
__extension__ typedef unsigned __int128 s_u128_t;

typedef struct {
    int unit;
    const char *code; /* data/units.csv code */
    rantai_dim_t dim;
    uint64_t factor;    /* to the dimension's base unit */
    const char *symbol; /* display symbol */
    const char *alias1; /* extra accepted spellings, or NULL */
    const char *alias2;
} s_unit_t;

/* Mirrors data/units.csv (tests check it against the file). */
static const s_unit_t s_units[] = {
    {RANTAI__V1__UNIT__UNIT_KILOGRAM, "KILOGRAM", RANTAI_DIM_MASS, 1, "kg",
     "kilo", NULL},
    {RANTAI__V1__UNIT__UNIT_QUINTAL, "QUINTAL", RANTAI_DIM_MASS, 100, "q",
     "kuintal", NULL},
    {RANTAI__V1__UNIT__UNIT_TONNE, "TONNE", RANTAI_DIM_MASS, 1000, "t", "ton",
     NULL},
    {RANTAI__V1__UNIT__UNIT_LITRE, "LITRE", RANTAI_DIM_VOLUME, 1, "l", "liter",
     NULL},
    {RANTAI__V1__UNIT__UNIT_KILOLITRE, "KILOLITRE", RANTAI_DIM_VOLUME, 1000,
     "kl", "kiloliter", NULL},
    {RANTAI__V1__UNIT__UNIT_CUBIC_METRE, "CUBIC_METRE", RANTAI_DIM_VOLUME, 1000,
     "m3", NULL, NULL},
    {RANTAI__V1__UNIT__UNIT_PIECE, "PIECE", RANTAI_DIM_COUNT, 1, "pcs", "pc",
     "buah"},
    {RANTAI__V1__UNIT__UNIT_DOZEN, "DOZEN", RANTAI_DIM_COUNT, 12, "dozen",
     "lusin", NULL},
    {RANTAI__V1__UNIT__UNIT_KODI, "KODI", RANTAI_DIM_COUNT, 20, "kodi", NULL,
     NULL},
    {RANTAI__V1__UNIT__UNIT_HEAD, "HEAD", RANTAI_DIM_LIVESTOCK, 1, "head",
     "ekor", NULL},
    {RANTAI__V1__UNIT__UNIT_ROOM_NIGHT, "ROOM_NIGHT", RANTAI_DIM_LODGING, 1,
     "room-night", NULL, NULL},
    {RANTAI__V1__UNIT__UNIT_METRE, "METRE", RANTAI_DIM_LENGTH, 1, "m", "meter",
     NULL},
    {RANTAI__V1__UNIT__UNIT_SQUARE_METRE, "SQUARE_METRE", RANTAI_DIM_AREA, 1,
     "m2", NULL, NULL},
};

#define S_NUNITS (sizeof s_units / sizeof s_units[0])

static const s_unit_t *
s_unit(int unit)
{
    for (size_t i = 0; i < S_NUNITS; i++) {
        if (s_units[i].unit == unit) {
            return &s_units[i];
        }
    }
    return NULL;
}

rantai_dim_t
rantai_unit_dim(int unit)
{
    const s_unit_t *u = s_unit(unit);
    return u ? u->dim : RANTAI_DIM_NONE;
}

uint64_t
rantai_unit_factor(int unit)
{
    const s_unit_t *u = s_unit(unit);
    return u ? u->factor : 0;
}

int
rantai_dim_base_unit(rantai_dim_t dim)
{
    if (dim == RANTAI_DIM_NONE) {
        return 0;
    }
    for (size_t i = 0; i < S_NUNITS; i++) {
        if (s_units[i].dim == dim && s_units[i].factor == 1) {
            return s_units[i].unit;
        }
    }
    return 0;
}

const char *
rantai_unit_code(int unit)
{
    if (unit == RANTAI__V1__UNIT__UNIT_UNSPECIFIED) {
        return "UNSPECIFIED";
    }
    const s_unit_t *u = s_unit(unit);
    return u ? u->code : NULL;
}

const char *
rantai_unit_symbol(int unit)
{
    if (unit == RANTAI__V1__UNIT__UNIT_UNSPECIFIED) {
        return "";
    }
    const s_unit_t *u = s_unit(unit);
    return u ? u->symbol : "?";
}

const char *
rantai_dim_name(rantai_dim_t dim)
{
    switch (dim) {
        case RANTAI_DIM_MASS:
            return "mass";
        case RANTAI_DIM_VOLUME:
            return "volume";
        case RANTAI_DIM_COUNT:
            return "count";
        case RANTAI_DIM_LIVESTOCK:
            return "livestock";
        case RANTAI_DIM_LODGING:
            return "lodging";
        case RANTAI_DIM_LENGTH:
            return "length";
        case RANTAI_DIM_AREA:
            return "area";
        case RANTAI_DIM_NONE:
        default:
            return "none";
    }
}

int
rantai_qty_norm(uint64_t milli, int unit, uint64_t *out)
{
    uint64_t f = rantai_unit_factor(unit);
    if (f == 0) {
        return RANTAI_EINVAL;
    }
    if (milli > UINT64_MAX / f) {
        return RANTAI_ERANGE;
    }
    *out = milli * f;
    return 0;
}

int
rantai_price_norm(uint64_t idr, int per, uint64_t *out)
{
    uint64_t f = rantai_unit_factor(per);
    if (f == 0) {
        return RANTAI_EINVAL;
    }
    s_u128_t v = (s_u128_t) idr * 1000000u / f;
    if (v > UINT64_MAX) {
        return RANTAI_ERANGE;
    }
    *out = (uint64_t) v;
    return 0;
}

/* Case-insensitive compare of [s, s+len) with NUL-terminated `word`. */
static bool
s_eq(const char *s, size_t len, const char *word)
{
    return word && strlen(word) == len && strncasecmp(s, word, len) == 0;
}

static int
s_unit_parse_n(const char *s, size_t len)
{
    if (len > 5 && strncasecmp(s, "UNIT_", 5) == 0) {
        s += 5;
        len -= 5;
    }
    for (size_t i = 0; i < S_NUNITS; i++) {
        const s_unit_t *u = &s_units[i];
        if (s_eq(s, len, u->code) || s_eq(s, len, u->symbol) ||
            s_eq(s, len, u->alias1) || s_eq(s, len, u->alias2)) {
            return u->unit;
        }
    }
    return 0;
}

int
rantai_unit_parse(const char *text)
{
    if (!text) {
        return 0;
    }
    while (isspace((unsigned char) *text)) {
        text++;
    }
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char) text[len - 1])) {
        len--;
    }
    return len ? s_unit_parse_n(text, len) : 0;
}

/* v = v * 10 + d, false on overflow. */
static bool
s_push_digit(uint64_t *v, char c)
{
    uint64_t d = (uint64_t) (c - '0');
    if (*v > (UINT64_MAX - d) / 10) {
        return false;
    }
    *v = *v * 10 + d;
    return true;
}

int
rantai_qty_parse(const char *text, int default_unit, uint64_t *milli, int *unit)
{
    if (!text || !milli || !unit) {
        return RANTAI_EINVAL;
    }
    const char *p = text;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    uint64_t whole = 0;
    size_t ndigits = 0;
    /* '_' may group digits ("1_500"); ',' may not (decimal comma). */
    while (isdigit((unsigned char) *p) || *p == '_') {
        if (*p == '_') {
            if (ndigits == 0 || !isdigit((unsigned char) p[1])) {
                return RANTAI_EINVAL;
            }
        } else {
            if (!s_push_digit(&whole, *p)) {
                return RANTAI_EINVAL;
            }
            ndigits++;
        }
        p++;
    }
    if (ndigits == 0) {
        return RANTAI_EINVAL; /* also rejects signs */
    }
    uint64_t frac = 0;
    if (*p == '.') {
        p++;
        size_t nfrac = 0;
        while (isdigit((unsigned char) *p)) {
            if (++nfrac > 3) {
                return RANTAI_EINVAL;
            }
            frac = frac * 10 + (uint64_t) (*p - '0');
            p++;
        }
        if (nfrac == 0) {
            return RANTAI_EINVAL;
        }
        for (; nfrac < 3; nfrac++) {
            frac *= 10;
        }
    }
    if (whole > (UINT64_MAX - frac) / 1000) {
        return RANTAI_EINVAL;
    }
    while (isspace((unsigned char) *p)) {
        p++;
    }
    int u;
    if (*p == '\0') {
        u = default_unit;
        if (rantai_unit_factor(u) == 0) {
            return RANTAI_EINVAL;
        }
    } else {
        u = rantai_unit_parse(p);
        if (u == 0) {
            return RANTAI_EINVAL;
        }
    }
    *milli = whole * 1000 + frac;
    *unit = u;
    return 0;
}

/* Whole rupiah: digits, optionally grouped by '_' anywhere between digits
   or by ',' in groups of three ("95,000"). */
static int
s_parse_idr(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t ndigits = 0, group = 0;
    char sep = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (isdigit((unsigned char) c)) {
            if (!s_push_digit(&v, c)) {
                return RANTAI_EINVAL;
            }
            ndigits++;
            group++;
            continue;
        }
        if (c != '_' && c != ',') {
            return RANTAI_EINVAL;
        }
        if (group == 0 || i + 1 == len || (sep && sep != c)) {
            return RANTAI_EINVAL;
        }
        if (c == ',' && ((sep == 0 && group > 3) || (sep != 0 && group != 3))) {
            return RANTAI_EINVAL;
        }
        sep = c;
        group = 0;
    }
    if (ndigits == 0 || (sep == ',' && group != 3)) {
        return RANTAI_EINVAL;
    }
    *out = v;
    return 0;
}

int
rantai_price_parse(const char *text, uint64_t *idr, int *per)
{
    if (!text || !idr || !per) {
        return RANTAI_EINVAL;
    }
    const char *p = text;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    /* "Rp 95,000/kg" round-trips rantai_idr_format(). */
    if (strncasecmp(p, "Rp", 2) == 0) {
        p += 2;
        while (isspace((unsigned char) *p)) {
            p++;
        }
    }
    const char *slash = strchr(p, '/');
    if (!slash) {
        return RANTAI_EINVAL;
    }
    size_t len = (size_t) (slash - p);
    while (len > 0 && isspace((unsigned char) p[len - 1])) {
        len--;
    }
    uint64_t v;
    if (s_parse_idr(p, len, &v) != 0) {
        return RANTAI_EINVAL;
    }
    int u = rantai_unit_parse(slash + 1);
    if (u == 0) {
        return RANTAI_EINVAL;
    }
    *idr = v;
    *per = u;
    return 0;
}

void
rantai_qty_format(uint64_t milli, int unit, char *buf, size_t size)
{
    if (!buf || size == 0) {
        return;
    }
    uint64_t whole = milli / 1000;
    unsigned frac = (unsigned) (milli % 1000);
    char num[32];
    if (frac == 0) {
        snprintf(num, sizeof num, "%llu", (unsigned long long) whole);
    } else {
        int digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        snprintf(num, sizeof num, "%llu.%0*u", (unsigned long long) whole,
                 digits, frac);
    }
    const char *sym = rantai_unit_symbol(unit);
    if (*sym) {
        snprintf(buf, size, "%s %s", num, sym);
    } else {
        snprintf(buf, size, "%s", num);
    }
}

void
rantai_idr_format(uint64_t idr, char *buf, size_t size)
{
    if (!buf || size == 0) {
        return;
    }
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long) idr);
    char grouped[32];
    size_t g = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            grouped[g++] = ',';
        }
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(buf, size, "Rp %s", grouped);
}
