/* pki.h -- the appliance's own CA for sensor enrolment (socctl pki).
 *
 * A PKI directory (default $SOC_PKI_DIR or /etc/soc/pki) holds:
 *
 *   ca.key ca.crt           the CA (ECDSA P-256, CA:TRUE, pathlen 0)
 *   server.key server.crt   soc-ingest's certificate (CN=soc-ingest, serverAuth)
 *   crl.pem                 the CRL soc-ingest checks (re-signed on every change)
 *   index.txt               every certificate issued, one per line
 *   sensors/NAME/           NAME.key NAME.crt ca.crt, to copy to the sensor
 *
 * index.txt is tab-separated text, one certificate per line:
 *
 *   SERIAL  NAME  NOT-AFTER  STATUS  REVOKED-AT
 *
 * SERIAL in upper-case hex, times as YYYYMMDDHHMMSSZ (UTC), STATUS "valid"
 * or "revoked", REVOKED-AT "-" while valid. Lines starting with '#' are
 * comments. Keys are written 0600; every file is replaced atomically
 * (temporary file, fsync, rename) and changes take a lock on DIR/.lock.
 *
 * Functions return 0 on success, -1 with a one-line message in err
 * ("/etc/soc/pki/ca.key: No such file or directory (run socctl pki init)"). */
#ifndef SOC_SOCCTL_PKI_H
#define SOC_SOCCTL_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define PKI_DEFAULT_DIR      "/etc/soc/pki"
#define PKI_NAME_MAX         64     /* sensor name: [A-Za-z0-9._-], first char alnum */
#define PKI_SERIAL_MAX       40     /* hex digits (20 bytes, RFC 5280's limit) */
#define PKI_CA_DAYS          3650   /* CA and server certificate */
#define PKI_SENSOR_DAYS      825    /* sensor certificate */
#define PKI_CRL_DAYS         30     /* CRL nextUpdate */
#define PKI_MAX_DAYS         36500  /* upper bound for any --days */
#define PKI_MAX_SERVER_NAMES 32     /* --server-name entries */
#define PKI_MAX_ENTRIES      100000 /* index lines */
#define PKI_BACKDATE         3600   /* notBefore = now - 1 h: tolerate clock skew */
#define PKI_SERVER_CN        "soc-ingest"

typedef struct pki_init_opts {
    const char *const *server_names; /* extra SANs: DNS names or IP addresses */
    size_t n_server_names;
    int days;   /* CA and server lifetime; 0 = PKI_CA_DAYS */
    bool force; /* replace an existing CA (every certificate it issued dies) */
} pki_init_opts_t;

typedef struct pki_issue_opts {
    int days;            /* 0 = PKI_SENSOR_DAYS (used when not_after is 0) */
    time_t not_before;   /* 0 = now - PKI_BACKDATE */
    time_t not_after;    /* 0 = not_before (or now) + days, at most the CA's */
    const char *out_dir; /* NULL = DIR/sensors/NAME */
    bool force;          /* issue even if NAME holds a valid certificate */
} pki_issue_opts_t;

typedef enum pki_status {
    PKI_STATUS_VALID,
    PKI_STATUS_EXPIRED,
    PKI_STATUS_REVOKED,
} pki_status_t;

typedef struct pki_entry {
    char serial[PKI_SERIAL_MAX + 1];
    char name[PKI_NAME_MAX + 1];
    time_t not_after;
    bool revoked;
    time_t revoked_at; /* when revoked */
} pki_entry_t;

typedef struct pki_index {
    pki_entry_t *v; /* owned; pki_index_free */
    size_t n, cap;
} pki_index_t;

/* $SOC_PKI_DIR when set and non-empty, else PKI_DEFAULT_DIR. */
const char *pki_default_dir(void);
/* [A-Za-z0-9._-]{1,64} starting with a letter or digit (so never "." or
 * "..", nor an option-like "-x"). */
bool pki_name_valid(const char *name);
/* A server name for a SAN: an IPv4/IPv6 address or a DNS name (letters,
 * digits, '-' and '.', labels 1..63, at most 253 bytes). */
bool pki_server_name_valid(const char *name);
/* "YYYYMMDDHHMMSSZ" (UTC, a real date) -> time_t. */
int pki_parse_time(const char *s, time_t *out);
/* time_t -> "YYYYMMDDHHMMSSZ" (16 bytes with NUL). */
void pki_format_time(time_t t, char out[16]);
/* time_t -> "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void pki_format_iso(time_t t, char out[21]);

int pki_init(const char *dir, const pki_init_opts_t *opts, char *err, size_t errlen);
/* serial_out (PKI_SERIAL_MAX + 1 bytes, may be NULL) receives the serial. */
int pki_issue(const char *dir, const char *name, const pki_issue_opts_t *opts, char *serial_out,
              char *err, size_t errlen);
/* Revoke every certificate of name still valid and re-sign the CRL
 * (nextUpdate now + crl_days, 0 = PKI_CRL_DAYS); count gets how many were
 * newly revoked. An unknown name is an error. */
int pki_revoke(const char *dir, const char *name, int crl_days, size_t *count, char *err,
               size_t errlen);
/* Re-sign DIR/crl.pem from the index (it expires after crl_days). */
int pki_update_crl(const char *dir, int crl_days, char *err, size_t errlen);

/* The index of dir (an absent index.txt is empty). */
int pki_index_load(const char *dir, pki_index_t *idx, char *err, size_t errlen);
int pki_index_save(const char *dir, const pki_index_t *idx, char *err, size_t errlen);
int pki_index_add(pki_index_t *idx, const pki_entry_t *e);
void pki_index_free(pki_index_t *idx);
pki_status_t pki_entry_status(const pki_entry_t *e, time_t now);
const char *pki_status_name(pki_status_t s);
/* Table (or, json, one JSON array) of the index as of now. */
int pki_list_write(FILE *out, const pki_index_t *idx, bool json, time_t now);

/* socctl pki ...: argv[0] is "pki". Returns the exit code. */
int pki_main(int argc, char **argv);

#endif
