/*  config.h - table-driven settings (PROTOCOL.md section 7).

    Each service describes its settings in one table (name, type, default,
    bounds, help). The same table drives parsing of the ZPL config file
    (CZMQ zconfig, path "section/key"), the environment
    (RANTAI_<SECTION>_<KEY>), flags (--key, with '_' written '-'),
    validation, --help and the commented example config in deploy/.
    Precedence: flag, env, file, default.

    Not thread-safe while loading; read-only afterwards. */
#ifndef RANTAI_CONFIG_H
#define RANTAI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    RANTAI_CFG_STRING,
    RANTAI_CFG_INT,      /* integer within [min, max] */
    RANTAI_CFG_BOOL,     /* true/false/yes/no/1/0 */
    RANTAI_CFG_DURATION, /* "250ms", "5s", "48h", "7d" -> ms */
    RANTAI_CFG_SIZE,     /* "64MiB", "1GiB", "1048576" -> bytes */
    RANTAI_CFG_CHOICE,   /* one of `choices` ("none|curve") */
    RANTAI_CFG_ENDPOINT, /* tcp://host:port, ipc://path, inproc:// */
    RANTAI_CFG_HOSTPORT  /* host:port for HTTP; "" disables */
} rantai_cfg_type_t;

typedef struct {
    const char *name; /* "section/key", e.g. "service/api" */
    const char *flag; /* "api" for --api; NULL = key with '-' */
    rantai_cfg_type_t type;
    const char *def;     /* default as text; NULL = unset */
    int64_t min, max;    /* bounds for INT/DURATION/SIZE (0,0 = none) */
    const char *choices; /* CHOICE: "a|b|c" */
    const char *help;
} rantai_setting_t;

typedef struct rantai_config_t rantai_config_t;

/* Load settings: tables[] is a NULL-terminated list of tables (shared +
   service). Returns 0 and *out on success; 1 if --help or --version was
   handled (printed to `out_stream`, exit 0); RANTAI_EINVAL with a message
   naming the setting in `err` (exit 2). */
int rantai_config_load(rantai_config_t **out,
                       const rantai_setting_t *const *tables,
                       const char *program,
                       int argc,
                       char **argv,
                       char *err,
                       size_t errlen,
                       FILE *out_stream);

void rantai_config_destroy(rantai_config_t **self);

/* Value as text (NULL if unset). Borrowed, valid for the config's life. */
const char *rantai_config_str(const rantai_config_t *self, const char *name);

/* Value of an INT/DURATION/SIZE/BOOL setting (0 if unset). */
int64_t rantai_config_int(const rantai_config_t *self, const char *name);
bool rantai_config_bool(const rantai_config_t *self, const char *name);

/* Where a value came from: "flag", "env", "file", "default". */
const char *rantai_config_source(const rantai_config_t *self, const char *name);

/* Print a commented example ZPL config for the tables. */
void rantai_config_example(const rantai_setting_t *const *tables,
                           const char *program,
                           FILE *out);

#endif
