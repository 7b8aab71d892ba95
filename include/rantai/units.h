/*  rantai/units.h - units, dimensions and the integer normal forms of
    docs/MATCHING.md, plus parsing of human-friendly quantities and prices.

    Unit numbers are the wire enum values (Rantai__V1__Unit). All functions
    are pure and thread-safe. */
#ifndef RANTAI_UNITS_H
#define RANTAI_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    RANTAI_DIM_NONE = 0, /* unit unset or unknown */
    RANTAI_DIM_MASS,
    RANTAI_DIM_VOLUME,
    RANTAI_DIM_COUNT,
    RANTAI_DIM_LIVESTOCK,
    RANTAI_DIM_LODGING,
    RANTAI_DIM_LENGTH,
    RANTAI_DIM_AREA
} rantai_dim_t;

/* Dimension of wire unit `unit`; RANTAI_DIM_NONE when unset or undefined. */
rantai_dim_t rantai_unit_dim(int unit);

/* Integer factor from `unit` to its dimension's base unit; 0 if invalid. */
uint64_t rantai_unit_factor(int unit);

/* The base unit (factor 1) of dimension `dim`; 0 if none. */
int rantai_dim_base_unit(rantai_dim_t dim);

/* Code of `unit` as in data/units.csv ("TONNE"); "UNSPECIFIED" if unset,
   NULL if not defined. Static storage. */
const char *rantai_unit_code(int unit);

/* Lowercase short symbol for display ("kg", "t", "l", "pcs"); static. */
const char *rantai_unit_symbol(int unit);

/* Name of dimension `dim` ("mass"); static storage. */
const char *rantai_dim_name(rantai_dim_t dim);

/* Quantity normal form: milli x factor(unit), in milli-base-units.
   Returns 0 and sets *out, or RANTAI_EINVAL for an invalid unit and
   RANTAI_ERANGE on overflow. */
int rantai_qty_norm(uint64_t milli, int unit, uint64_t *out);

/* Price normal form: floor(idr x 1e6 / factor(per)) micro-rupiah per base
   unit (128-bit intermediate). RANTAI_EINVAL for an invalid unit,
   RANTAI_ERANGE if the result exceeds 64 bits. */
int rantai_price_norm(uint64_t idr, int per, uint64_t *out);

/* Parse a unit from text: a code ("TONNE", "UNIT_TONNE", case-insensitive)
   or symbol ("t", "kg", "l", "pcs", "ekor"...). Returns the unit, or 0. */
int rantai_unit_parse(const char *text);

/* Parse "2.5t", "300 kg", "12 DOZEN", "1500" (default_unit) into thousandths
   of a unit: at most three decimals. Returns 0 or RANTAI_EINVAL. */
int rantai_qty_parse(const char *text,
                     int default_unit,
                     uint64_t *milli,
                     int *unit);

/* Parse "95000/kg", "Rp95.000/kg" is NOT accepted (ambiguous separators):
   digits with optional '_' or ',' grouping, '/', unit. Returns 0 or
   RANTAI_EINVAL. */
int rantai_price_parse(const char *text, uint64_t *idr, int *per);

/* Format thousandths of `unit` as "2.5 t" into buf (always terminated). */
void rantai_qty_format(uint64_t milli, int unit, char *buf, size_t size);

/* Format whole rupiah with thousands separators: "Rp 95,000". */
void rantai_idr_format(uint64_t idr, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
