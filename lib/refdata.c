/*  refdata.c - lookups over the tables scripts/gen_refdata.py generates
    from data/<name>.csv (<build>/gen/refdata.c). Tables are small (< 100
    rows), so linear search is simplest and fast enough. */
#include "rantai/refdata.h"

#include <string.h>
#include <strings.h>

extern const rantai_province_t rantai_refdata_provinces_[];
extern const size_t rantai_refdata_provinces_count_;
extern const rantai_commodity_t rantai_refdata_commodities_[];
extern const size_t rantai_refdata_commodities_count_;
extern const rantai_certification_t rantai_refdata_certifications_[];
extern const size_t rantai_refdata_certifications_count_;

const rantai_province_t *
rantai_province_find(const char *code)
{
    if (!code) {
        return NULL;
    }
    for (size_t i = 0; i < rantai_refdata_provinces_count_; i++) {
        if (strcmp(rantai_refdata_provinces_[i].code, code) == 0) {
            return &rantai_refdata_provinces_[i];
        }
    }
    return NULL;
}

const rantai_commodity_t *
rantai_commodity_find(const char *code)
{
    if (!code) {
        return NULL;
    }
    for (size_t i = 0; i < rantai_refdata_commodities_count_; i++) {
        if (strcmp(rantai_refdata_commodities_[i].code, code) == 0) {
            return &rantai_refdata_commodities_[i];
        }
    }
    return NULL;
}

const rantai_certification_t *
rantai_certification_find(const char *code)
{
    if (!code) {
        return NULL;
    }
    static const char prefix[] = "CERTIFICATION_";
    if (strncasecmp(code, prefix, sizeof prefix - 1) == 0) {
        code += sizeof prefix - 1;
    }
    for (size_t i = 0; i < rantai_refdata_certifications_count_; i++) {
        if (strcasecmp(rantai_refdata_certifications_[i].code, code) == 0) {
            return &rantai_refdata_certifications_[i];
        }
    }
    return NULL;
}

const rantai_certification_t *
rantai_certification_by_value(int value)
{
    for (size_t i = 0; i < rantai_refdata_certifications_count_; i++) {
        if (rantai_refdata_certifications_[i].value == value) {
            return &rantai_refdata_certifications_[i];
        }
    }
    return NULL;
}

const rantai_province_t *
rantai_provinces(size_t *count)
{
    if (count) {
        *count = rantai_refdata_provinces_count_;
    }
    return rantai_refdata_provinces_;
}

const rantai_commodity_t *
rantai_commodities(size_t *count)
{
    if (count) {
        *count = rantai_refdata_commodities_count_;
    }
    return rantai_refdata_commodities_;
}

const rantai_certification_t *
rantai_certifications(size_t *count)
{
    if (count) {
        *count = rantai_refdata_certifications_count_;
    }
    return rantai_refdata_certifications_;
}
