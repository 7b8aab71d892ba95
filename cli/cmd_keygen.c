/*  cmd_keygen.c - `rantai keygen`: write a CURVE certificate pair in CZMQ
    zcert format (docs/SECURITY.md). The public file goes into a service's
    --client-certs directory (its metadata `role` and `party` say what the
    key may do, PROTOCOL.md s6) or, for a service's own certificate, its
    public key is what clients pass as --server-key; the secret file
    (NAME_secret, mode 0600) stays with its owner. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <czmq.h>

static const cli_opt_t s_keygen_opts[] = {
    {"out", "FILE", 0,
     "public certificate FILE; the secret one is FILE_secret (required)"},
    {"role", "ROLE", 0,
     "admin, cooperative, producer, marketplace or service (clients); "
     "omit for a service's own certificate"},
    {"party", "ID", 0,
     "the cooperative, producer or marketplace id the key acts for"},
    {"name", "TEXT", 0, "who holds the key (metadata, for people)"},
    {"force", NULL, 0, "overwrite existing files"},
    {NULL, NULL, 0, NULL}};

static void
s_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

static bool
s_needs_party(const char *role)
{
    return strcmp(role, "cooperative") == 0 || strcmp(role, "producer") == 0 ||
           strcmp(role, "marketplace") == 0;
}

static int
s_check(cli_ctx_t *ctx, const char *out, const char *role, const char *party)
{
    static const char *const roles[] = {"admin", "cooperative", "producer",
                                        "marketplace", "service"};
    if (!out || !*out) {
        return cli_usage_error(ctx, "--out FILE is required");
    }
    if (role) {
        bool known = false;
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
            known |= strcmp(role, roles[i]) == 0;
        }
        if (!known) {
            return cli_usage_error(ctx,
                                   "unknown --role '%s' (admin, cooperative, "
                                   "producer, marketplace or service)",
                                   role);
        }
        if (s_needs_party(role) && !party) {
            return cli_usage_error(ctx, "--role %s needs --party ID", role);
        }
        if (!s_needs_party(role) && party) {
            return cli_usage_error(ctx,
                                   "--role %s acts for no party: drop "
                                   "--party",
                                   role);
        }
    } else if (party) {
        return cli_usage_error(ctx, "--party needs --role");
    }
    if (party && !rantai_id_valid(party)) {
        return cli_usage_error(ctx,
                               "--party '%s' is not an id (1-64 of "
                               "[A-Za-z0-9._:-])",
                               party);
    }
    return CLI_EXIT_OK;
}

static int
s_keygen(cli_ctx_t *ctx)
{
    const char *out = cli_get(&ctx->args, "out");
    const char *role = cli_get(&ctx->args, "role");
    const char *party = cli_get(&ctx->args, "party");
    const char *name = cli_get(&ctx->args, "name");
    if (ctx->args.n_pos != 0) {
        return cli_usage_error(ctx, "unexpected argument '%s'",
                               ctx->args.pos[0]);
    }
    int rc = s_check(ctx, out, role, party);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    char secret[4096];
    if ((size_t) snprintf(secret, sizeof secret, "%s_secret", out) >=
        sizeof secret) {
        return cli_usage_error(ctx, "--out is too long");
    }
    if (!cli_has(&ctx->args, "force") &&
        (access(out, F_OK) == 0 || access(secret, F_OK) == 0)) {
        fprintf(stderr,
                "error: %s or %s exists; use --force to replace "
                "(a replaced key loses its access)\n",
                out, secret);
        return CLI_EXIT_FAIL;
    }
    zcert_t *cert = zcert_new();
    if (!cert) {
        fprintf(stderr, "error: cannot create a key pair\n");
        return CLI_EXIT_FAIL;
    }
    if (role) {
        zcert_set_meta(cert, "role", "%s", role);
    }
    if (party) {
        zcert_set_meta(cert, "party", "%s", party);
    }
    if (name) {
        zcert_set_meta(cert, "name", "%s", name);
    }
    /* The secret file is created unreadable to others from the start. */
    mode_t old = umask(077);
    int saved = zcert_save(cert, out);
    umask(old);
    if (saved != 0 || chmod(out, 0644) != 0) {
        fprintf(stderr, "error: cannot write %s / %s: %s\n", out, secret,
                strerror(errno));
        zcert_destroy(&cert);
        return CLI_EXIT_FAIL;
    }
    if (ctx->json) {
        printf("{\"public_key\":\"%s\",\"public_file\":",
               zcert_public_txt(cert));
        s_json_string(out);
        printf(",\"secret_file\":");
        s_json_string(secret);
        printf("}\n");
    } else {
        printf("%s\n", zcert_public_txt(cert));
        fprintf(stderr,
                "wrote %s (public%s%s%s%s) and %s (secret, keep private)\n",
                out, role ? ", role " : "", role ? role : "",
                party ? ", party " : "", party ? party : "", secret);
    }
    zcert_destroy(&cert);
    return CLI_EXIT_OK;
}

const cli_cmd_t cli_keygen_cmds[] = {
    {"keygen", CLI_NSERVICES,
     "--out FILE [--role ROLE [--party ID]] [--name TEXT] [--force]",
     "Write a CURVE certificate pair (zcert) for a client or a service",
     "Prints the public key (Z85). FILE is the public certificate: put a\n"
     "client's into each service's --client-certs directory (its role and\n"
     "party say what the key may do); give a service's own FILE_secret as\n"
     "its --server-cert and its public key to clients as --server-key.\n"
     "FILE_secret is written with mode 0600 and never leaves its owner.\n",
     "  rantai keygen --out certs/producer-server\n"
     "  rantai keygen --out clients/kop1 --role cooperative --party KOP-1\n"
     "  rantai keygen --out clients/matcher --role service\n",
     s_keygen_opts, s_keygen},
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
