/*  rantai/refdata.h - reference data compiled from the data/ csv files at
    build time (provinces, commodities, certification schemes). Static,
    read-only, thread-safe. */
#ifndef RANTAI_REFDATA_H
#define RANTAI_REFDATA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *code; /* two-digit Kemendagri code, "32" */
    const char *name; /* "Jawa Barat" */
    const char *capital;
    double lat, lon; /* capital, WGS 84 */
} rantai_province_t;

typedef struct {
    const char *code; /* "090111" or "CPC63110" */
    const char *name_en;
    const char *name_id;
    int default_unit; /* wire Unit value */
} rantai_commodity_t;

typedef struct {
    const char *code; /* "HALAL" */
    const char *name;
    int value; /* wire Certification value */
} rantai_certification_t;

/* The province with `code`, or NULL. */
const rantai_province_t *rantai_province_find(const char *code);

/* The commodity whose code is exactly `code`, or NULL. */
const rantai_commodity_t *rantai_commodity_find(const char *code);

/* The certification scheme named `code` ("HALAL", "CERTIFICATION_HALAL",
   case-insensitive) or NULL. */
const rantai_certification_t *rantai_certification_find(const char *code);

/* The scheme with wire value `value`, or NULL. */
const rantai_certification_t *rantai_certification_by_value(int value);

/* Tables, for iteration: `*count` set to the number of rows. */
const rantai_province_t *rantai_provinces(size_t *count);
const rantai_commodity_t *rantai_commodities(size_t *count);
const rantai_certification_t *rantai_certifications(size_t *count);

#ifdef __cplusplus
}
#endif

#endif
