/*  log.h - one line per event on stderr: logfmt by default
    (ts=... level=info service=producer module=store msg="..."), or JSON
    lines. Payload bodies are never logged at info. Thread-safe (one
    fprintf per line). */
#ifndef RANTAI_LOG_H
#define RANTAI_LOG_H

#include <stdbool.h>

typedef enum {
    RANTAI_LOG_DEBUG = 0,
    RANTAI_LOG_INFO,
    RANTAI_LOG_WARN,
    RANTAI_LOG_ERROR
} rantai_log_level_t;

/* Set the service name, format ("logfmt" or "json") and minimum level
   ("debug", "info", "warn", "error"). Returns 0 or RANTAI_EINVAL. */
int
rantai_log_setup(const char *service, const char *format, const char *level);

void
rantai_log(rantai_log_level_t level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* At most `per_sec` lines per second for `module` (bad client input);
   the number suppressed is reported on the next line that gets through. */
void rantai_log_limited(rantai_log_level_t level,
                        const char *module,
                        const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

#define rantai_log_debug(m, ...) rantai_log(RANTAI_LOG_DEBUG, m, __VA_ARGS__)
#define rantai_log_info(m, ...)  rantai_log(RANTAI_LOG_INFO, m, __VA_ARGS__)
#define rantai_log_warn(m, ...)  rantai_log(RANTAI_LOG_WARN, m, __VA_ARGS__)
#define rantai_log_error(m, ...) rantai_log(RANTAI_LOG_ERROR, m, __VA_ARGS__)

#endif
