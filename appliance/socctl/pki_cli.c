/* pki_cli.c -- `socctl pki ...`: arguments, messages and exit codes around
 * the functions of pki.h. Exit 0 on success, 1 on failure, 2 on bad usage. */
#include "socctl/pki.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PKI_ERR_MAX 1024

enum {
    OPT_DIR = 1 << 0,
    OPT_SERVER_NAME = 1 << 1,
    OPT_DAYS = 1 << 2,
    OPT_FORCE = 1 << 3,
    OPT_NOT_BEFORE = 1 << 4,
    OPT_NOT_AFTER = 1 << 5,
    OPT_OUT = 1 << 6,
    OPT_CRL_DAYS = 1 << 7,
    OPT_JSON = 1 << 8,
};

typedef struct pki_args {
    const char *dir;
    const char *server_names[PKI_MAX_SERVER_NAMES];
    size_t n_server_names;
    int days, crl_days;
    time_t not_before, not_after;
    const char *out;
    bool force, json;
    const char *name; /* the positional NAME of issue and revoke */
} pki_args_t;

typedef struct pki_command {
    const char *name;
    const char *synopsis;
    const char *help;
    unsigned opts; /* OPT_* this command accepts */
    bool takes_name;
    int (*run)(const pki_args_t *a);
} pki_command_t;

static int pki_fail(const char *msg)
{
    fprintf(stderr, "socctl pki: %s\n", msg);
    return 1;
}

/* ---- the commands ------------------------------------------------------------- */

static int pki_cmd_init(const pki_args_t *a)
{
    char err[PKI_ERR_MAX];
    pki_init_opts_t o = {a->server_names, a->n_server_names, a->days, a->force};
    if (pki_init(a->dir, &o, err, sizeof(err)) != 0) return pki_fail(err);
    printf("%s: CA, soc-ingest certificate, empty CRL and index created\n", a->dir);
    return 0;
}

static int pki_cmd_issue(const pki_args_t *a)
{
    char err[PKI_ERR_MAX], serial[PKI_SERIAL_MAX + 1];
    pki_issue_opts_t o = {a->days, a->not_before, a->not_after, a->out, a->force};
    if (pki_issue(a->dir, a->name, &o, serial, err, sizeof(err)) != 0) return pki_fail(err);
    if (a->out)
        printf("%s: certificate %s issued into %s\n", a->name, serial, a->out);
    else
        printf("%s: certificate %s issued into %s/sensors/%s\n", a->name, serial, a->dir, a->name);
    return 0;
}

static int pki_cmd_revoke(const pki_args_t *a)
{
    char err[PKI_ERR_MAX];
    size_t n = 0;
    if (pki_revoke(a->dir, a->name, a->crl_days, &n, err, sizeof(err)) != 0) return pki_fail(err);
    printf("%s: %zu certificate%s revoked; %s/crl.pem re-signed (reload soc-ingest)\n", a->name, n,
           n == 1 ? "" : "s", a->dir);
    return 0;
}

static int pki_cmd_crl(const pki_args_t *a)
{
    char err[PKI_ERR_MAX];
    if (pki_update_crl(a->dir, a->crl_days, err, sizeof(err)) != 0) return pki_fail(err);
    printf("%s/crl.pem re-signed\n", a->dir);
    return 0;
}

static int pki_cmd_list(const pki_args_t *a)
{
    char err[PKI_ERR_MAX];
    pki_index_t idx;
    if (pki_index_load(a->dir, &idx, err, sizeof(err)) != 0) return pki_fail(err);
    int rc = pki_list_write(stdout, &idx, a->json, time(NULL));
    pki_index_free(&idx);
    if (rc != 0 || fflush(stdout) != 0) return pki_fail("cannot write to standard output");
    return 0;
}

static const pki_command_t pki_commands[] = {
    {"init", "[--server-name NAME]... [--days N] [--force]",
     "create the CA, soc-ingest's certificate, an empty CRL and index",
     OPT_DIR | OPT_SERVER_NAME | OPT_DAYS | OPT_FORCE, false, pki_cmd_init},
    {"issue", "NAME [--days N] [--not-before T] [--not-after T] [--out DIR2] [--force]",
     "issue sensor NAME a client certificate (into DIR/sensors/NAME/)",
     OPT_DIR | OPT_DAYS | OPT_NOT_BEFORE | OPT_NOT_AFTER | OPT_OUT | OPT_FORCE, true,
     pki_cmd_issue},
    {"revoke", "NAME [--crl-days N]", "revoke every certificate of NAME and re-sign the CRL",
     OPT_DIR | OPT_CRL_DAYS, true, pki_cmd_revoke},
    {"crl", "[--crl-days N]", "re-sign the CRL (it expires after N days; run it daily)",
     OPT_DIR | OPT_CRL_DAYS, false, pki_cmd_crl},
    {"list", "[--json]", "certificates and their status: valid, expired or revoked",
     OPT_DIR | OPT_JSON, false, pki_cmd_list},
};

#define PKI_NCOMMANDS (sizeof(pki_commands) / sizeof(pki_commands[0]))

static void pki_usage(FILE *out)
{
    fprintf(out, "usage: socctl pki COMMAND [--dir DIR] [OPTIONS]\n\n"
                 "The appliance CA: sensors authenticate to soc-ingest with its certificates.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < PKI_NCOMMANDS; i++)
        fprintf(out, "  %-6s %s\n         %s\n", pki_commands[i].name, pki_commands[i].synopsis,
                pki_commands[i].help);
    fprintf(out,
            "\n  --dir DIR  the PKI directory (default $SOC_PKI_DIR or %s)\n"
            "  T          a UTC time YYYYMMDDHHMMSSZ, e.g. 20270101000000Z\n",
            PKI_DEFAULT_DIR);
}

/* ---- arguments ---------------------------------------------------------------- */

static int pki_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "socctl pki %s: %s%s%s%s (see socctl pki --help)\n", cmd, msg, arg ? " '" : "",
            arg ? arg : "", arg ? "'" : "");
    return 2;
}

static int pki_parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < INT_MIN || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

/* One option's value into a; returns 0, or an exit code for a usage error. */
static int pki_take_option(const pki_command_t *c, int opt, const char *optname, const char *val,
                           pki_args_t *a)
{
    if (!(c->opts & (unsigned)opt)) {
        fprintf(stderr, "socctl pki %s: --%s is not an option of %s (see socctl pki --help)\n",
                c->name, optname, c->name);
        return 2;
    }
    switch (opt) {
    case OPT_DIR: a->dir = val; break;
    case OPT_SERVER_NAME:
        if (a->n_server_names == PKI_MAX_SERVER_NAMES)
            return pki_usage_error(c->name, "too many --server-name", NULL);
        a->server_names[a->n_server_names++] = val;
        break;
    case OPT_DAYS:
        if (pki_parse_int(val, &a->days) != 0 || a->days < 1 || a->days > PKI_MAX_DAYS)
            return pki_usage_error(c->name, "--days: expected 1..36500, got", val);
        break;
    case OPT_CRL_DAYS:
        if (pki_parse_int(val, &a->crl_days) != 0 || a->crl_days < 1 || a->crl_days > PKI_MAX_DAYS)
            return pki_usage_error(c->name, "--crl-days: expected 1..36500, got", val);
        break;
    case OPT_NOT_BEFORE:
    case OPT_NOT_AFTER:
        if (pki_parse_time(val, opt == OPT_NOT_BEFORE ? &a->not_before : &a->not_after) != 0)
            return pki_usage_error(c->name, "expected a time YYYYMMDDHHMMSSZ, got", val);
        break;
    case OPT_OUT: a->out = val; break;
    case OPT_FORCE: a->force = true; break;
    case OPT_JSON: a->json = true; break;
    }
    return 0;
}

/* 0: run the command; 2: usage error; -1: help was asked for and shown. */
static int pki_parse_args(const pki_command_t *c, int argc, char **argv, pki_args_t *a)
{
    static const struct option longopts[] = {
        {"dir", required_argument, NULL, OPT_DIR},
        {"server-name", required_argument, NULL, OPT_SERVER_NAME},
        {"days", required_argument, NULL, OPT_DAYS},
        {"force", no_argument, NULL, OPT_FORCE},
        {"not-before", required_argument, NULL, OPT_NOT_BEFORE},
        {"not-after", required_argument, NULL, OPT_NOT_AFTER},
        {"out", required_argument, NULL, OPT_OUT},
        {"crl-days", required_argument, NULL, OPT_CRL_DAYS},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof(*a));
    a->dir = pki_default_dir();
    optind = 0; /* glibc: full re-initialisation, so pki_main may run twice */
    opterr = 0;
    int opt, li = 0, rc;
    while ((opt = getopt_long(argc, argv, "", longopts, &li)) != -1) {
        if (opt == '?')
            return pki_usage_error(c->name, "unknown option or missing value:", argv[optind - 1]);
        if (opt == 'h') {
            pki_usage(stdout);
            return -1;
        }
        if ((rc = pki_take_option(c, opt, longopts[li].name, optarg, a)) != 0) return rc;
    }
    int left = argc - optind;
    if (c->takes_name && left != 1)
        return pki_usage_error(c->name, "expected exactly one NAME", NULL);
    if (!c->takes_name && left != 0)
        return pki_usage_error(c->name, "unexpected argument", argv[optind]);
    if (c->takes_name) a->name = argv[optind];
    return 0;
}

int pki_main(int argc, char **argv)
{
    if (argc < 2) {
        pki_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        pki_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < PKI_NCOMMANDS; i++) {
        if (strcmp(cmd, pki_commands[i].name) != 0) continue;
        pki_args_t a;
        int rc = pki_parse_args(&pki_commands[i], argc - 1, argv + 1, &a);
        if (rc < 0) return 0;
        return rc ? rc : pki_commands[i].run(&a);
    }
    fprintf(stderr, "socctl pki: unknown command '%s' (see socctl pki --help)\n", cmd);
    return 2;
}
