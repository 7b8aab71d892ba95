/*  config.c - settings from flags, environment, ZPL file and defaults. */
#include "config.h"

#include "rantai/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <czmq.h>

#define S_MAX_SETTINGS 128

typedef struct {
    const rantai_setting_t *def;
    char *value; /* owned; NULL = unset */
    const char *source;
    int64_t number;
} s_entry_t;

struct rantai_config_t {
    s_entry_t entries[S_MAX_SETTINGS];
    int count;
};

/* The flag of a setting, unless the table names one: the key for the
   "service" section ("service/data_dir" -> "data-dir"), else section and
   key ("log/level" -> "log-level"). */
static void
s_flag_name(const rantai_setting_t *def, char *buf, size_t size)
{
    const char *src = def->flag;
    if (!src) {
        src =
            strncmp(def->name, "service/", 8) == 0 ? def->name + 8 : def->name;
    }
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++) {
        buf[i] = src[i] == '_' || src[i] == '/' ? '-' : src[i];
    }
    buf[i] = '\0';
}

/* "service/data_dir" -> "RANTAI_SERVICE_DATA_DIR". */
static void
s_env_name(const rantai_setting_t *def, char *buf, size_t size)
{
    size_t n = (size_t) snprintf(buf, size, "RANTAI_");
    for (const char *p = def->name; *p && n + 1 < size; p++, n++) {
        buf[n] =
            *p == '/' || *p == '-' ? '_' : (char) toupper((unsigned char) *p);
    }
    buf[n < size ? n : size - 1] = '\0';
}

static int
s_parse_int(const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        return RANTAI_EINVAL;
    }
    *out = v;
    return 0;
}

static int
s_parse_scaled(const char *text,
               const char *const *units,
               const int64_t *scales,
               int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || v < 0) {
        return RANTAI_EINVAL;
    }
    int64_t scale = 0;
    for (int i = 0; units[i]; i++) {
        if (strcasecmp(end, units[i]) == 0) {
            scale = scales[i];
            break;
        }
    }
    if (scale == 0 || v > INT64_MAX / scale) {
        return RANTAI_EINVAL;
    }
    *out = v * scale;
    return 0;
}

static int
s_parse_duration(const char *text, int64_t *out)
{
    static const char *const units[] = {"", "ms", "s", "m", "h", "d", NULL};
    static const int64_t scales[] = {1, 1, 1000, 60000, 3600000, 86400000};
    return s_parse_scaled(text, units, scales, out);
}

static int
s_parse_size(const char *text, int64_t *out)
{
    static const char *const units[] = {"",  "B", "KiB", "MiB", "GiB", "TiB",
                                        "K", "M", "G",   "T",   NULL};
    static const int64_t scales[] = {1,         1,         1LL << 10, 1LL << 20,
                                     1LL << 30, 1LL << 40, 1LL << 10, 1LL << 20,
                                     1LL << 30, 1LL << 40};
    return s_parse_scaled(text, units, scales, out);
}

static int
s_parse_bool(const char *text, int64_t *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on", NULL};
    static const char *const no[] = {"0", "false", "no", "off", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return RANTAI_EINVAL;
}

static bool
s_choice_ok(const char *choices, const char *text)
{
    size_t len = strlen(text);
    for (const char *p = choices; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t) (bar - p) : strlen(p);
        if (n == len && strncmp(p, text, n) == 0) {
            return true;
        }
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

static bool
s_port_ok(const char *port)
{
    if (strcmp(port, "*") == 0) {
        return true;
    }
    int64_t v = 0;
    return s_parse_int(port, &v) == 0 && v >= 0 && v <= 65535;
}

static bool
s_endpoint_ok(const char *text)
{
    if (strncmp(text, "ipc://", 6) == 0 || strncmp(text, "inproc://", 9) == 0) {
        return text[strncmp(text, "ipc://", 6) == 0 ? 6 : 9] != '\0';
    }
    if (strncmp(text, "tcp://", 6) != 0) {
        return false;
    }
    const char *colon = strrchr(text + 6, ':');
    return colon && colon > text + 6 && s_port_ok(colon + 1);
}

static bool
s_hostport_ok(const char *text)
{
    if (*text == '\0') {
        return true;
    }
    const char *colon = strrchr(text, ':');
    return colon && colon > text && s_port_ok(colon + 1);
}

/* Check and convert one value; message in err naming the setting. */
static int
s_validate(s_entry_t *e, char *err, size_t errlen)
{
    const rantai_setting_t *d = e->def;
    const char *v = e->value;
    int rc = 0;
    e->number = 0;
    if (!v) {
        return 0;
    }
    switch (d->type) {
        case RANTAI_CFG_STRING:
            break;
        case RANTAI_CFG_INT:
            rc = s_parse_int(v, &e->number);
            break;
        case RANTAI_CFG_BOOL:
            rc = s_parse_bool(v, &e->number);
            break;
        case RANTAI_CFG_DURATION:
            rc = s_parse_duration(v, &e->number);
            break;
        case RANTAI_CFG_SIZE:
            rc = s_parse_size(v, &e->number);
            break;
        case RANTAI_CFG_CHOICE:
            rc = s_choice_ok(d->choices, v) ? 0 : RANTAI_EINVAL;
            break;
        case RANTAI_CFG_ENDPOINT:
            rc = s_endpoint_ok(v) ? 0 : RANTAI_EINVAL;
            break;
        case RANTAI_CFG_HOSTPORT:
            rc = s_hostport_ok(v) ? 0 : RANTAI_EINVAL;
            break;
    }
    bool bounded = d->type == RANTAI_CFG_INT ||
                   d->type == RANTAI_CFG_DURATION || d->type == RANTAI_CFG_SIZE;
    if (rc == 0 && bounded && (d->min != 0 || d->max != 0) &&
        (e->number < d->min || e->number > d->max)) {
        snprintf(err, errlen,
                 "setting %s (from %s): %s is out of range [%lld, %lld]",
                 d->name, e->source, v, (long long) d->min, (long long) d->max);
        return RANTAI_EINVAL;
    }
    if (rc != 0) {
        static const char *const what[] = {
            "a string",
            "an integer",
            "true or false",
            "a duration such as 500ms, 5s, 48h or 7d",
            "a size such as 64MiB",
            "one of",
            "an endpoint such as "
            "tcp://127.0.0.1:7401",
            "host:port"};
        snprintf(err, errlen, "setting %s (from %s): '%s' is not %s%s%s",
                 d->name, e->source, v, what[d->type],
                 d->type == RANTAI_CFG_CHOICE ? " " : "",
                 d->type == RANTAI_CFG_CHOICE ? d->choices : "");
    }
    return rc;
}

static void
s_set(s_entry_t *e, const char *value, const char *source)
{
    free(e->value);
    e->value = value ? strdup(value) : NULL;
    e->source = source;
}

static void
s_usage(const rantai_setting_t *const *tables, const char *program, FILE *out)
{
    fprintf(out,
            "usage: %s [--config FILE] [--SETTING VALUE]...\n\n"
            "Every setting is a flag, an environment variable "
            "RANTAI_<SECTION>_<KEY>,\nor a key in the ZPL config file; "
            "precedence: flag, env, file, default.\n\n",
            program);
    fprintf(out, "  %-26s %s\n", "--config FILE", "ZPL config file");
    fprintf(out, "  %-26s %s\n", "--print-config",
            "print a commented example config and exit");
    fprintf(out, "  %-26s %s\n", "--help, --version", "this text / version");
    for (int t = 0; tables[t]; t++) {
        for (const rantai_setting_t *d = tables[t]; d->name; d++) {
            char flag[64];
            char env[96];
            char left[80];
            s_flag_name(d, flag, sizeof flag);
            s_env_name(d, env, sizeof env);
            snprintf(left, sizeof left, "--%s", flag);
            fprintf(out, "  %-26s %s\n  %-26s [%s; default %s]\n", left,
                    d->help, "", env,
                    d->def ? (*d->def ? d->def : "\"\"") : "unset");
        }
    }
}

/* Sections in order of first appearance, each with all its settings,
   whichever table they come from. */
void
rantai_config_example(const rantai_setting_t *const *tables,
                      const char *program,
                      FILE *out)
{
    fprintf(out,
            "#   Example configuration for %s (ZPL, CZMQ zconfig).\n"
            "#   Flags and RANTAI_<SECTION>_<KEY> variables override it.\n",
            program);
    for (int t = 0; tables[t]; t++) {
        for (const rantai_setting_t *d = tables[t]; d->name; d++) {
            const char *slash = strchr(d->name, '/');
            size_t n = slash ? (size_t) (slash - d->name) : 0;
            bool seen = false;
            for (int pt = 0; pt <= t && !seen; pt++) {
                for (const rantai_setting_t *p = tables[pt];
                     p->name && p != d && !seen; p++) {
                    seen = strncmp(p->name, d->name, n + 1) == 0;
                }
            }
            if (seen) {
                continue;
            }
            fprintf(out, "\n%.*s\n", (int) n, d->name);
            for (int st = t; tables[st]; st++) {
                for (const rantai_setting_t *e = tables[st]; e->name; e++) {
                    if (strncmp(e->name, d->name, n + 1) != 0) {
                        continue;
                    }
                    const char *key = e->name + n + 1;
                    fprintf(out, "    #   %s\n", e->help);
                    if (e->def) {
                        fprintf(out, "    %s = \"%s\"\n", key, e->def);
                    } else {
                        fprintf(out, "    #%s = \n", key);
                    }
                }
            }
        }
    }
}

static s_entry_t *
s_by_flag(rantai_config_t *self, const char *flag, size_t len)
{
    for (int i = 0; i < self->count; i++) {
        char name[64];
        s_flag_name(self->entries[i].def, name, sizeof name);
        if (strlen(name) == len && strncmp(name, flag, len) == 0) {
            return &self->entries[i];
        }
    }
    return NULL;
}

static int
s_load_file(rantai_config_t *self, const char *path, char *err, size_t errlen)
{
    zconfig_t *root = zconfig_load(path);
    if (!root) {
        snprintf(err, errlen, "setting config: cannot read ZPL file %s", path);
        return RANTAI_EINVAL;
    }
    int rc = 0;
    /* Every key in the file must be a known setting: a typo should not
       silently fall back to a default. */
    for (zconfig_t *sec = zconfig_child(root); sec && rc == 0;
         sec = zconfig_next(sec)) {
        /* Settings are section/key: a key outside a section (a flat
           file) or under another key would otherwise be skipped. */
        const char *flat = zconfig_value(sec);
        if (flat && *flat) {
            snprintf(err, errlen,
                     "setting %s in %s: unknown setting (settings are "
                     "section/key, e.g. service/data_dir)",
                     zconfig_name(sec), path);
            rc = RANTAI_EINVAL;
            break;
        }
        for (zconfig_t *key = zconfig_child(sec); key;
             key = zconfig_next(key)) {
            char name[128];
            snprintf(name, sizeof name, "%s/%s", zconfig_name(sec),
                     zconfig_name(key));
            s_entry_t *e = NULL;
            for (int i = 0; i < self->count; i++) {
                if (strcmp(self->entries[i].def->name, name) == 0) {
                    e = &self->entries[i];
                }
            }
            if (e && zconfig_child(key)) {
                snprintf(err, errlen, "setting %s/%s in %s: unknown setting",
                         name, zconfig_name(zconfig_child(key)), path);
                rc = RANTAI_EINVAL;
                break;
            }
            if (!e) {
                snprintf(err, errlen, "setting %s in %s: unknown setting", name,
                         path);
                rc = RANTAI_EINVAL;
                break;
            }
            s_set(e, zconfig_value(key), "file");
        }
    }
    zconfig_destroy(&root);
    return rc;
}

static int
s_apply_flags(
    rantai_config_t *self, int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--config") == 0 || strncmp(arg, "--config=", 9) == 0) {
            i += arg[8] == '=' ? 0 : 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errlen,
                     "unexpected argument '%s' (settings are "
                     "--name value)",
                     arg);
            return RANTAI_EINVAL;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t) (eq - arg - 2) : strlen(arg + 2);
        s_entry_t *e = s_by_flag(self, arg + 2, len);
        if (!e) {
            snprintf(err, errlen, "setting %.*s: unknown flag (see --help)",
                     (int) len + 2, arg);
            return RANTAI_EINVAL;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "setting %s: flag %s needs a value",
                         e->def->name, arg);
                return RANTAI_EINVAL;
            }
            value = argv[++i];
        }
        s_set(e, value, "flag");
    }
    return 0;
}

static const char *
s_config_path(int argc, char **argv)
{
    const char *path = getenv("RANTAI_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[i + 1];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            path = argv[i] + 9;
        }
    }
    return path;
}

int
rantai_config_load(rantai_config_t **out,
                   const rantai_setting_t *const *tables,
                   const char *program,
                   int argc,
                   char **argv,
                   char *err,
                   size_t errlen,
                   FILE *out_stream)
{
    *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(tables, program, out_stream);
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            fprintf(out_stream, "%s %s\n", program, RANTAI_VERSION);
            return 1;
        }
        if (strcmp(argv[i], "--print-config") == 0) {
            rantai_config_example(tables, program, out_stream);
            return 1;
        }
    }
    rantai_config_t *self = calloc(1, sizeof *self);
    if (!self) {
        abort();
    }
    for (int t = 0; tables[t]; t++) {
        for (const rantai_setting_t *d = tables[t]; d->name; d++) {
            if (self->count == S_MAX_SETTINGS) {
                abort(); /* programmer error: table too big */
            }
            s_entry_t *e = &self->entries[self->count++];
            e->def = d;
            s_set(e, d->def, "default");
        }
    }
    int rc = 0;
    const char *path = s_config_path(argc, argv);
    if (path) {
        rc = s_load_file(self, path, err, errlen);
    }
    for (int i = 0; rc == 0 && i < self->count; i++) {
        char env[96];
        s_env_name(self->entries[i].def, env, sizeof env);
        const char *v = getenv(env);
        if (v) {
            s_set(&self->entries[i], v, "env");
        }
    }
    if (rc == 0) {
        rc = s_apply_flags(self, argc, argv, err, errlen);
    }
    for (int i = 0; rc == 0 && i < self->count; i++) {
        rc = s_validate(&self->entries[i], err, errlen);
    }
    if (rc != 0) {
        rantai_config_destroy(&self);
        return RANTAI_EINVAL;
    }
    *out = self;
    return 0;
}

void
rantai_config_destroy(rantai_config_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    for (int i = 0; i < (*self_p)->count; i++) {
        free((*self_p)->entries[i].value);
    }
    free(*self_p);
    *self_p = NULL;
}

static const s_entry_t *
s_find(const rantai_config_t *self, const char *name)
{
    for (int i = 0; i < self->count; i++) {
        if (strcmp(self->entries[i].def->name, name) == 0) {
            return &self->entries[i];
        }
    }
    return NULL;
}

const char *
rantai_config_str(const rantai_config_t *self, const char *name)
{
    const s_entry_t *e = s_find(self, name);
    return e ? e->value : NULL;
}

int64_t
rantai_config_int(const rantai_config_t *self, const char *name)
{
    const s_entry_t *e = s_find(self, name);
    return e ? e->number : 0;
}

bool
rantai_config_bool(const rantai_config_t *self, const char *name)
{
    return rantai_config_int(self, name) != 0;
}

const char *
rantai_config_source(const rantai_config_t *self, const char *name)
{
    const s_entry_t *e = s_find(self, name);
    return e ? e->source : NULL;
}
