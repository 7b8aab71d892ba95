/*  cli_args.h - argument parsing for the `rantai` command: a small option
    parser driven by tables (which also produce the --help text) and the
    parsers for human-friendly values (quantities, prices, coordinates,
    certificates, dates, transport rates, parties, endpoints).

    Every value parser returns 0, or RANTAI_EINVAL and writes a message
    for the user (without the option name) into err[errsz]. Nothing here
    does I/O; all functions are thread-safe. */
#ifndef RANTAI_CLI_ARGS_H
#define RANTAI_CLI_ARGS_H

#include "rantai/codec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Option flags. */
#define CLI_OPT_REPEAT 1u /* may be given more than once */

/* One long option, "--name VALUE" / "--name=VALUE", or a flag when metavar
   is NULL. Tables end with an entry whose name is NULL. */
typedef struct {
    const char *name;    /* without the dashes */
    const char *metavar; /* NULL: a flag without value */
    unsigned flags;
    const char *help;
} cli_opt_t;

#define CLI_MAX_ITEMS 128
#define CLI_MAX_POS   8

/* The result of cli_parse(). Values point into argv (borrowed). */
typedef struct {
    struct {
        const char *name;  /* the table entry's name (static) */
        const char *value; /* NULL for flags */
    } items[CLI_MAX_ITEMS];
    size_t n_items;
    const char *pos[CLI_MAX_POS]; /* positional arguments, in order */
    size_t n_pos;
    bool help; /* -h or --help was given */
} cli_args_t;

/* Parse argv[0..argc) against the option tables in `tables` (n_tables
   tables, each ending with a NULL name). "-h"/"--help" set args->help;
   "--" ends the options. A value is taken from the next argument even if
   it starts with '-' ("--at -6.9,107.6"). A non-repeatable option given
   twice, an unknown option, a missing value or too many positionals:
   RANTAI_EINVAL with a message in err. */
int cli_parse(cli_args_t *args,
              const cli_opt_t *const *tables,
              size_t n_tables,
              int argc,
              char **argv,
              char *err,
              size_t errsz);

/* The last value of option `name`, or NULL if absent (or a flag). */
const char *cli_get(const cli_args_t *args, const char *name);

/* Whether option (or flag) `name` was given. */
bool cli_has(const cli_args_t *args, const char *name);

/* All values of `name` in order: at most `max` stored in out; returns how
   many were given. */
size_t cli_get_all(const cli_args_t *args,
                   const char *name,
                   const char **out,
                   size_t max);

/* Print "  --name METAVAR   help" lines of `table` into buf (appends;
   always terminated). */
void cli_format_options(const cli_opt_t *table, char *buf, size_t size);

/* Unsigned decimal integer within [0, max]; '_' allowed as separator. */
int cli_parse_u64(
    const char *text, uint64_t max, uint64_t *out, char *err, size_t errsz);

/* Quantity "2.5t", "300 kg", "12 DOZEN", or a bare number in default_unit
   (0: a unit is required). Nonzero. */
int cli_parse_qty(const char *text,
                  int default_unit,
                  Rantai__V1__Quantity *out,
                  char *err,
                  size_t errsz);

/* Price "95000/kg", "95_000/kg", "95,000/kg", or a bare number of rupiah
   per default_unit (0: the unit is required). */
int cli_parse_price(const char *text,
                    int default_unit,
                    Rantai__V1__Price *out,
                    char *err,
                    size_t errsz);

/* "LAT,LON" in decimal degrees, finite and within +-90 / +-180. */
int cli_parse_geo(const char *text,
                  Rantai__V1__GeoPoint *out,
                  char *err,
                  size_t errsz);

/* A point in time as Unix ms (UTC): "YYYY-MM-DD" (00:00 UTC that day),
   "YYYY-MM-DDTHH:MM[:SS][Z]" (UTC), or a plain number of Unix ms ("0":
   not set). */
int cli_parse_time(const char *text, int64_t *ms, char *err, size_t errsz);

/* Format Unix ms as "2026-01-31" when it is midnight UTC, else
   "2026-01-31T08:30:00Z"; "-" for 0. */
void cli_format_time(int64_t ms, char *buf, size_t size);

/* A certificate "SCHEME[:NUMBER[:VALID_UNTIL]]", e.g. "HALAL",
   "HALAL:ID-123", "HALAL:ID-123:2027-01-31", "HALAL::1798675200000".
   The number (possibly empty) is copied to numbuf, NUL-terminated; the
   number itself cannot contain ':'. VALID_UNTIL as cli_parse_time(). */
int cli_parse_cert(const char *text,
                   int *scheme,
                   char *numbuf,
                   size_t numsize,
                   int64_t *valid_until,
                   char *err,
                   size_t errsz);

/* A certification scheme code ("HALAL", "certification_halal"). */
int cli_parse_scheme(const char *text, int *scheme, char *err, size_t errsz);

/* Enterprise class: micro, small, medium (any case, with or without the
   ENTERPRISE_CLASS_ prefix). */
int cli_parse_class(const char *text, int *cls, char *err, size_t errsz);

/* Province: a code of data/provinces.csv ("32") or its name ("Jawa
   Barat", case-insensitive). *code is the static code string. */
int cli_parse_province(const char *text,
                       const char **code,
                       char *err,
                       size_t errsz);

/* Commodity code: HS digits with or without dots ("0901.11") or CPC code,
   at least min_len characters after removing dots. Written, uppercased,
   into buf (size >= RANTAI_COMMODITY_MAX + 1). */
int cli_parse_commodity(const char *text,
                        size_t min_len,
                        char *buf,
                        size_t size,
                        char *err,
                        size_t errsz);

/* Transport rate, as Demand.transport_milli_idr_per_unit_km: a plain
   integer is milli-rupiah per base unit per km ("2000"); "R/UNIT/km" is
   rupiah (up to three decimals) per UNIT per km ("2/kg/km" = 2000,
   "1.5/t/km" = 1.5 milli-rupiah per kg per km: refused, not integral).
   *unit is the UNIT given (0 for a plain integer) so the caller can check
   it against the demand's dimension. */
int cli_parse_transport(
    const char *text, uint64_t *milli, int *unit, char *err, size_t errsz);

/* A feed party: "all", or KIND:ID with KIND cooperative, producer, buyer
   or marketplace. *id points into text. */
int cli_parse_party(
    const char *text, int *kind, const char **id, char *err, size_t errsz);

/* The feed endpoint of a service api endpoint by the default layout
   (port + 1): "tcp://127.0.0.1:7421" -> "tcp://127.0.0.1:7422". Only for
   tcp endpoints with a numeric port. */
int cli_feed_endpoint(
    const char *api, char *buf, size_t size, char *err, size_t errsz);

/* Rupiah from micro-rupiah: "Rp 88,600" or "Rp 88,600.5" (trailing
   zeros of the fraction dropped). */
void cli_format_micro_idr(uint64_t micro, char *buf, size_t size);

/* Rupiah from milli-rupiah, as cli_format_micro_idr() ("Rp 1.5"); every
   uint64_t value, without scaling it up first. */
void cli_format_milli_idr(uint64_t milli, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
