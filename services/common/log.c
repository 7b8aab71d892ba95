/*  log.c - logfmt / JSON lines on stderr. */
#include "log.h"

#include "rantai/err.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define S_LIMIT_PER_SEC 10

static char s_service[32] = "rantai";
static bool s_json = false;
static rantai_log_level_t s_min = RANTAI_LOG_INFO;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t s_window;
static int s_in_window;
static unsigned long s_suppressed;

static const char *const s_names[] = {"debug", "info", "warn", "error"};

int
rantai_log_setup(const char *service, const char *format, const char *level)
{
    if (service) {
        snprintf(s_service, sizeof s_service, "%s", service);
    }
    if (format) {
        if (strcasecmp(format, "json") == 0) {
            s_json = true;
        } else if (strcasecmp(format, "logfmt") == 0) {
            s_json = false;
        } else {
            return RANTAI_EINVAL;
        }
    }
    if (level) {
        for (int i = 0; i <= RANTAI_LOG_ERROR; i++) {
            if (strcasecmp(level, s_names[i]) == 0) {
                s_min = (rantai_log_level_t) i;
                return 0;
            }
        }
        return RANTAI_EINVAL;
    }
    return 0;
}

/* Quote for logfmt/JSON: backslash, quote and control characters. */
static void
s_quote(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void
s_emit(rantai_log_level_t level,
       const char *module,
       const char *msg,
       unsigned long suppressed)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[96];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    flockfile(stderr);
    if (s_json) {
        fprintf(stderr,
                "{\"ts\":\"%s\",\"level\":\"%s\",\"service\":\"%s\","
                "\"module\":\"%s\",\"msg\":",
                when, s_names[level], s_service, module);
        s_quote(stderr, msg);
        if (suppressed) {
            fprintf(stderr, ",\"suppressed\":%lu", suppressed);
        }
        fputs("}\n", stderr);
    } else {
        fprintf(stderr, "ts=%s level=%s service=%s module=%s msg=", when,
                s_names[level], s_service, module);
        s_quote(stderr, msg);
        if (suppressed) {
            fprintf(stderr, " suppressed=%lu", suppressed);
        }
        fputc('\n', stderr);
    }
    fflush(stderr);
    funlockfile(stderr);
}

void
rantai_log(rantai_log_level_t level, const char *module, const char *fmt, ...)
{
    if (level < s_min) {
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_emit(level, module, msg, 0);
}

void
rantai_log_limited(rantai_log_level_t level,
                   const char *module,
                   const char *fmt,
                   ...)
{
    if (level < s_min) {
        return;
    }
    time_t now = time(NULL);
    unsigned long suppressed = 0;
    pthread_mutex_lock(&s_lock);
    if (now != s_window) {
        s_window = now;
        s_in_window = 0;
    }
    bool emit = s_in_window++ < S_LIMIT_PER_SEC;
    if (emit) {
        suppressed = s_suppressed;
        s_suppressed = 0;
    } else {
        s_suppressed++;
    }
    pthread_mutex_unlock(&s_lock);
    if (!emit) {
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_emit(level, module, msg, suppressed);
}
