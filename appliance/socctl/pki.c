/* pki.c -- the appliance CA: keys, certificates and the CRL (OpenSSL's C
 * API). Layout and index format in pki.h. */
#include "socctl/pki.h"
#include "socctl/pki_files.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define PKI_PEM_MAX (1u << 20) /* any key, certificate or CRL file we read */
#define PKI_DAY     86400

typedef struct pki_ca {
    X509 *cert;
    EVP_PKEY *key;
} pki_ca_t;

/* An X.509v3 extension in OpenSSL's configuration syntax. */
typedef struct pki_ext {
    int nid;
    const char *value;
} pki_ext_t;

/* What a certificate is made from. issuer NULL: self-signed with key. */
typedef struct pki_cert_spec {
    const char *org; /* may be NULL */
    const char *cn;
    EVP_PKEY *key;
    const pki_ca_t *issuer;
    time_t not_before, not_after;
    const pki_ext_t *ext; /* ends with nid 0 */
} pki_cert_spec_t;

/* ---- errors and small helpers ------------------------------------------------- */

/* "WHAT: reason" from the OpenSSL error queue (or fallback); clears it. */
static int pki_ossl_error(char *err, size_t errlen, const char *what, const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    snprintf(err, errlen, "%s: %s", what, reason ? reason : fallback);
    ERR_clear_error();
    return -1;
}

static int pki_never_prompt(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0; /* encrypted keys are refused, never prompted for */
}

static int pki_check_days(const char *what, int days, char *err, size_t errlen)
{
    if (days >= 1 && days <= PKI_MAX_DAYS) return 0;
    snprintf(err, errlen, "%s: expected 1..%d days, got %d", what, PKI_MAX_DAYS, days);
    return -1;
}

static bool pki_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static time_t pki_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return timegm(&tm);
}

/* ---- files -------------------------------------------------------------------- */

/* Write what a PEM encoder put in mem-BIO b to path; frees b. */
static int pki_save_bio(BIO *b, int ok, const char *path, mode_t mode, char *err, size_t errlen)
{
    char *data = NULL;
    long n = b ? BIO_get_mem_data(b, &data) : 0;
    int rc = (ok == 1 && n > 0) ? pki_write_atomic(path, data, (size_t)n, mode, err, errlen)
                                : pki_ossl_error(err, errlen, path, "cannot encode PEM");
    BIO_free(b);
    return rc;
}

static int pki_save_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
    BIO *b = BIO_new(BIO_s_mem());
    int ok = b ? PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) : 0;
    return pki_save_bio(b, ok, path, 0600, err, errlen);
}

static int pki_save_cert(const char *path, X509 *x, char *err, size_t errlen)
{
    BIO *b = BIO_new(BIO_s_mem());
    int ok = b ? PEM_write_bio_X509(b, x) : 0;
    return pki_save_bio(b, ok, path, 0644, err, errlen);
}

static int pki_save_crl(const char *path, X509_CRL *crl, char *err, size_t errlen)
{
    BIO *b = BIO_new(BIO_s_mem());
    int ok = b ? PEM_write_bio_X509_CRL(b, crl) : 0;
    return pki_save_bio(b, ok, path, 0644, err, errlen);
}

/* A PEM file's contents as a memory BIO; a missing CA file points at init. */
static BIO *pki_open_pem(const char *path, bool hint_init, char *err, size_t errlen)
{
    char *data;
    size_t len;
    if (pki_read_file(path, PKI_PEM_MAX, &data, &len, err, errlen) != 0) {
        if (hint_init && errno == ENOENT) {
            size_t n = strlen(err);
            snprintf(err + n, errlen - n, " (run socctl pki init)");
        }
        return NULL;
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || BIO_write(b, data, (int)len) != (int)len) {
        BIO_free(b);
        b = NULL;
        snprintf(err, errlen, "%s: out of memory", path);
    }
    free(data);
    return b;
}

static void pki_ca_free(pki_ca_t *ca)
{
    X509_free(ca->cert);
    EVP_PKEY_free(ca->key);
    ca->cert = NULL;
    ca->key = NULL;
}

static int pki_load_ca(const char *dir, pki_ca_t *ca, char *err, size_t errlen)
{
    char kpath[PKI_PATH_MAX], cpath[PKI_PATH_MAX];
    memset(ca, 0, sizeof(*ca));
    if (pki_path(kpath, sizeof(kpath), dir, "ca.key", err, errlen) != 0 ||
        pki_path(cpath, sizeof(cpath), dir, "ca.crt", err, errlen) != 0)
        return -1;
    BIO *b = pki_open_pem(kpath, true, err, errlen);
    if (!b) return -1;
    ca->key = PEM_read_bio_PrivateKey(b, NULL, pki_never_prompt, NULL);
    BIO_free(b);
    if (!ca->key) return pki_ossl_error(err, errlen, kpath, "not a PEM private key");
    b = pki_open_pem(cpath, true, err, errlen);
    if (b) {
        ca->cert = PEM_read_bio_X509(b, NULL, pki_never_prompt, NULL);
        BIO_free(b);
        if (!ca->cert) pki_ossl_error(err, errlen, cpath, "not a PEM certificate");
    }
    if (ca->cert && X509_check_private_key(ca->cert, ca->key) != 1) {
        ERR_clear_error();
        snprintf(err, errlen, "%s: does not match %s", kpath, cpath);
        X509_free(ca->cert);
        ca->cert = NULL;
    }
    if (!ca->cert) {
        pki_ca_free(ca);
        return -1;
    }
    return 0;
}

/* The lock of an existing PKI; a missing CA points at init. */
static int pki_lock_ca(const char *dir, char *err, size_t errlen)
{
    char path[PKI_PATH_MAX];
    if (pki_path(path, sizeof(path), dir, "ca.key", err, errlen) != 0) return -1;
    if (access(path, F_OK) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s%s", path, strerror(e),
                 e == ENOENT ? " (run socctl pki init)" : "");
        return -1;
    }
    return pki_lock(dir, err, errlen);
}

/* ---- certificates ------------------------------------------------------------- */

/* A random positive 128-bit serial (RFC 5280 4.1.2.2) set on x, and its hex. */
static int pki_set_serial(X509 *x, char hex[PKI_SERIAL_MAX + 1])
{
    unsigned char raw[16];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai = NULL;
    int rc = -1;
    do {
        if (RAND_bytes(raw, sizeof(raw)) != 1) return -1;
        BN_free(bn);
        bn = BN_bin2bn(raw, sizeof(raw), NULL);
    } while (bn && BN_is_zero(bn));
    char *h = bn ? BN_bn2hex(bn) : NULL;
    if (h && strlen(h) <= PKI_SERIAL_MAX && (ai = BN_to_ASN1_INTEGER(bn, NULL)) &&
        X509_set_serialNumber(x, ai) == 1) {
        memcpy(hex, h, strlen(h) + 1);
        rc = 0;
    }
    OPENSSL_free(h);
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    return rc;
}

static int pki_set_name(X509 *x, const char *org, const char *cn)
{
    X509_NAME *name = X509_get_subject_name(x);
    const unsigned char *o = (const unsigned char *)org, *c = (const unsigned char *)cn;
    if (org && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, o, -1, -1, 0) != 1) return -1;
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, c, -1, -1, 0) == 1 ? 0 : -1;
}

static int pki_add_exts(X509 *x, const pki_cert_spec_t *s)
{
    X509V3_CTX v3;
    X509 *issuer = s->issuer ? s->issuer->cert : x;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509V3_set_issuer_pkey(&v3, s->issuer ? s->issuer->key : s->key);
    for (const pki_ext_t *e = s->ext; e->nid; e++) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, e->nid, e->value);
        int ok = ext && X509_add_ext(x, ext, -1) == 1;
        X509_EXTENSION_free(ext);
        if (!ok) return -1;
    }
    return 0;
}

static X509 *pki_make_cert(const pki_cert_spec_t *s, char serial[PKI_SERIAL_MAX + 1])
{
    X509 *x = X509_new();
    EVP_PKEY *signer = s->issuer ? s->issuer->key : s->key;
    bool ok = x && X509_set_version(x, X509_VERSION_3) == 1 && pki_set_serial(x, serial) == 0 &&
              pki_set_name(x, s->org, s->cn) == 0 &&
              X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer->cert)
                                                : X509_get_subject_name(x)) == 1 &&
              ASN1_TIME_set(X509_getm_notBefore(x), s->not_before) &&
              ASN1_TIME_set(X509_getm_notAfter(x), s->not_after) &&
              X509_set_pubkey(x, s->key) == 1 && pki_add_exts(x, s) == 0 &&
              X509_sign(x, signer, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static EVP_PKEY *pki_new_key(void)
{
    return EVP_EC_gen("P-256");
}

/* ---- CRL ---------------------------------------------------------------------- */

/* The number of the CRL now in path (0 if none): each new CRL is one more. */
static int64_t pki_crl_number(const char *path)
{
    char err[256];
    BIO *b = pki_exists(path) ? pki_open_pem(path, false, err, sizeof(err)) : NULL;
    X509_CRL *crl = b ? PEM_read_bio_X509_CRL(b, NULL, pki_never_prompt, NULL) : NULL;
    ASN1_INTEGER *ai = crl ? X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL) : NULL;
    int64_t n = 0;
    if (!ai || ASN1_INTEGER_get_int64(&n, ai) != 1 || n < 0) n = 0;
    ASN1_INTEGER_free(ai);
    X509_CRL_free(crl);
    BIO_free(b);
    ERR_clear_error();
    return n;
}

static int pki_crl_add_revoked(X509_CRL *crl, const pki_entry_t *e)
{
    X509_REVOKED *r = X509_REVOKED_new();
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai = NULL;
    ASN1_TIME *t = NULL;
    bool ok = r && BN_hex2bn(&bn, e->serial) > 0 && (ai = BN_to_ASN1_INTEGER(bn, NULL)) &&
              X509_REVOKED_set_serialNumber(r, ai) == 1 &&
              (t = ASN1_TIME_set(NULL, e->revoked_at)) &&
              X509_REVOKED_set_revocationDate(r, t) == 1 && X509_CRL_add0_revoked(crl, r) == 1;
    if (!ok) X509_REVOKED_free(r);
    ASN1_TIME_free(t);
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    return ok ? 0 : -1;
}

/* CRL extensions: the CRL number and the CA's key identifier (RFC 5280 5.2). */
static int pki_crl_add_exts(X509_CRL *crl, const pki_ca_t *ca, int64_t number)
{
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    int ok = num && ASN1_INTEGER_set_int64(num, number) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
    ASN1_INTEGER_free(num);
    if (!ok) return -1;
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, ca->cert, NULL, NULL, crl, 0);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
    ok = ext && X509_CRL_add_ext(crl, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* Sign a fresh crl.pem listing every revoked certificate of the index. */
static int pki_write_crl(const char *dir, const pki_ca_t *ca, const pki_index_t *idx, int days,
                         char *err, size_t errlen)
{
    char path[PKI_PATH_MAX];
    if (pki_path(path, sizeof(path), dir, "crl.pem", err, errlen) != 0) return -1;
    time_t now = time(NULL);
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = ASN1_TIME_set(NULL, now);
    ASN1_TIME *next = ASN1_TIME_set(NULL, now + (time_t)days * PKI_DAY);
    bool ok = crl && last && next && X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) == 1 &&
              X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1;
    for (size_t i = 0; ok && i < idx->n; i++)
        if (idx->v[i].revoked) ok = pki_crl_add_revoked(crl, &idx->v[i]) == 0;
    ok = ok && X509_CRL_sort(crl) == 1 &&
         pki_crl_add_exts(crl, ca, pki_crl_number(path) + 1) == 0 &&
         X509_CRL_sign(crl, ca->key, EVP_sha256()) > 0;
    int rc = ok ? pki_save_crl(path, crl, err, errlen)
                : pki_ossl_error(err, errlen, path, "cannot build the CRL");
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    return rc;
}

/* ---- init --------------------------------------------------------------------- */

static int pki_check_init_opts(const pki_init_opts_t *o, int days, char *err, size_t errlen)
{
    if (pki_check_days("--days", days, err, errlen) != 0) return -1;
    if (o->n_server_names > PKI_MAX_SERVER_NAMES) {
        snprintf(err, errlen, "--server-name: at most %d names", PKI_MAX_SERVER_NAMES);
        return -1;
    }
    for (size_t i = 0; i < o->n_server_names; i++) {
        if (!pki_server_name_valid(o->server_names[i])) {
            snprintf(err, errlen, "--server-name '%.253s': not a DNS name or IP address",
                     o->server_names[i] ? o->server_names[i] : "");
            return -1;
        }
    }
    return 0;
}

/* "DNS:localhost,IP:127.0.0.1" and each extra name once. Names were
 * validated, so none can smuggle a ',' into the extension syntax. */
static void pki_server_san(const pki_init_opts_t *o, char *san, size_t cap)
{
    size_t len = (size_t)snprintf(san, cap, "DNS:localhost,IP:127.0.0.1");
    for (size_t i = 0; i < o->n_server_names; i++) {
        const char *n = o->server_names[i];
        bool dup = strcmp(n, "localhost") == 0 || strcmp(n, "127.0.0.1") == 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(n, o->server_names[j]) == 0;
        if (dup) continue;
        unsigned char addr[16];
        bool ip = inet_pton(AF_INET, n, addr) == 1 || inet_pton(AF_INET6, n, addr) == 1;
        int w = snprintf(san + len, cap - len, ",%s:%s", ip ? "IP" : "DNS", n);
        if (w > 0 && (size_t)w < cap - len) len += (size_t)w;
    }
}

typedef struct pki_init_files {
    char ca_key[PKI_PATH_MAX], ca_crt[PKI_PATH_MAX];
    char srv_key[PKI_PATH_MAX], srv_crt[PKI_PATH_MAX];
} pki_init_files_t;

static int pki_init_paths(const char *dir, pki_init_files_t *f, char *err, size_t errlen)
{
    return (pki_path(f->ca_key, sizeof(f->ca_key), dir, "ca.key", err, errlen) == 0 &&
            pki_path(f->ca_crt, sizeof(f->ca_crt), dir, "ca.crt", err, errlen) == 0 &&
            pki_path(f->srv_key, sizeof(f->srv_key), dir, "server.key", err, errlen) == 0 &&
            pki_path(f->srv_crt, sizeof(f->srv_crt), dir, "server.crt", err, errlen) == 0)
               ? 0
               : -1;
}

/* Make and write the CA, the server certificate, an empty index and CRL. */
static int pki_init_locked(const char *dir, const pki_init_opts_t *o, int days,
                           const pki_init_files_t *f, char *err, size_t errlen)
{
    unsigned char id[4];
    char ca_cn[64], serial[PKI_SERIAL_MAX + 1];
    char san[PKI_MAX_SERVER_NAMES * 264 + 64];
    time_t now = time(NULL);
    pki_ca_t ca = {.key = pki_new_key()};
    EVP_PKEY *srv_key = pki_new_key();
    X509 *srv = NULL;
    pki_index_t empty = {0};
    int rc = -1;
    /* A random tag tells this appliance's CA from any other by name. */
    if (!ca.key || !srv_key || RAND_bytes(id, sizeof(id)) != 1) {
        pki_ossl_error(err, errlen, f->ca_key, "cannot generate a key");
        goto out;
    }
    snprintf(ca_cn, sizeof(ca_cn), "SOC appliance CA %02X%02X%02X%02X", id[0], id[1], id[2], id[3]);
    const pki_ext_t ca_ext[] = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                {NID_subject_key_identifier, "hash"},
                                {NID_authority_key_identifier, "keyid:always"},
                                {0, NULL}};
    pki_cert_spec_t cs = {
        "SOC appliance", ca_cn, ca.key, NULL, now - PKI_BACKDATE, now + (time_t)days * PKI_DAY,
        ca_ext};
    ca.cert = pki_make_cert(&cs, serial);
    pki_server_san(o, san, sizeof(san));
    const pki_ext_t srv_ext[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                                 {NID_key_usage, "critical,digitalSignature"},
                                 {NID_ext_key_usage, "serverAuth"},
                                 {NID_subject_key_identifier, "hash"},
                                 {NID_authority_key_identifier, "keyid:always"},
                                 {NID_subject_alt_name, san},
                                 {0, NULL}};
    pki_cert_spec_t ss = {NULL, PKI_SERVER_CN, srv_key, &ca, cs.not_before, cs.not_after, srv_ext};
    srv = ca.cert ? pki_make_cert(&ss, serial) : NULL;
    if (!srv) {
        pki_ossl_error(err, errlen, ca.cert ? f->srv_crt : f->ca_crt,
                       "cannot make the certificate");
        goto out;
    }
    if (pki_save_key(f->ca_key, ca.key, err, errlen) == 0 &&
        pki_save_cert(f->ca_crt, ca.cert, err, errlen) == 0 &&
        pki_save_key(f->srv_key, srv_key, err, errlen) == 0 &&
        pki_save_cert(f->srv_crt, srv, err, errlen) == 0 &&
        pki_index_save(dir, &empty, err, errlen) == 0 &&
        pki_write_crl(dir, &ca, &empty, PKI_CRL_DAYS, err, errlen) == 0)
        rc = 0;
out:
    X509_free(srv);
    EVP_PKEY_free(srv_key);
    pki_ca_free(&ca);
    return rc;
}

int pki_init(const char *dir, const pki_init_opts_t *opts, char *err, size_t errlen)
{
    const pki_init_opts_t none = {0};
    const pki_init_opts_t *o = opts ? opts : &none;
    int days = o->days ? o->days : PKI_CA_DAYS;
    pki_init_files_t f;
    if (pki_check_init_opts(o, days, err, errlen) != 0 ||
        pki_init_paths(dir, &f, err, errlen) != 0 || pki_mkdirs(dir, 0755, err, errlen) != 0)
        return -1;
    int lock = pki_lock(dir, err, errlen);
    if (lock < 0) return -1;
    int rc = -1;
    if (!o->force && (pki_exists(f.ca_key) || pki_exists(f.ca_crt))) {
        snprintf(err, errlen,
                 "%s: a CA already exists (--force replaces it; every certificate it issued "
                 "stops working)",
                 pki_exists(f.ca_key) ? f.ca_key : f.ca_crt);
    } else {
        rc = pki_init_locked(dir, o, days, &f, err, errlen);
    }
    pki_unlock(lock);
    return rc;
}

/* ---- issue -------------------------------------------------------------------- */

/* Validity from the options: defaults and order. A certificate never
 * outlives its CA: a computed not-after is capped at the CA's, an explicit
 * one beyond it is an error. */
static int pki_issue_validity(const pki_issue_opts_t *o, const pki_ca_t *ca, time_t *nb, time_t *na,
                              char *err, size_t errlen)
{
    int days = o->days ? o->days : PKI_SENSOR_DAYS;
    if (pki_check_days("--days", days, err, errlen) != 0) return -1;
    time_t now = time(NULL);
    time_t ca_end = pki_asn1_time(X509_get0_notAfter(ca->cert));
    *nb = o->not_before ? o->not_before : now - PKI_BACKDATE;
    *na = o->not_after ? o->not_after : (o->not_before ? *nb : now) + (time_t)days * PKI_DAY;
    char a[16], b[16];
    if (o->not_after && *na > ca_end) {
        pki_format_time(*na, a);
        pki_format_time(ca_end, b);
        snprintf(err, errlen, "--not-after %s: later than the CA's own expiry %s", a, b);
        return -1;
    }
    if (*na > ca_end) *na = ca_end;
    if (*na <= *nb) {
        pki_format_time(*nb, b);
        pki_format_time(*na, a);
        snprintf(err, errlen, "not-after %s: not later than not-before %s", a, b);
        return -1;
    }
    return 0;
}

/* A name may hold one valid certificate unless the caller insists. */
static int pki_check_unique(const pki_index_t *idx, const char *name, char *err, size_t errlen)
{
    time_t now = time(NULL);
    for (size_t i = 0; i < idx->n; i++) {
        const pki_entry_t *e = &idx->v[i];
        if (strcmp(e->name, name) != 0 || pki_entry_status(e, now) != PKI_STATUS_VALID) continue;
        char na[21];
        pki_format_iso(e->not_after, na);
        snprintf(err, errlen,
                 "%s: a valid certificate already exists (serial %s, until %s; --force issues "
                 "another)",
                 name, e->serial, na);
        return -1;
    }
    return 0;
}

/* NAME.key, NAME.crt and a copy of ca.crt into out. */
static int pki_write_sensor(const char *dir, const char *out, const char *name, EVP_PKEY *key,
                            X509 *cert, char *err, size_t errlen)
{
    char file[PKI_NAME_MAX + 8], kpath[PKI_PATH_MAX], cpath[PKI_PATH_MAX];
    char src[PKI_PATH_MAX], dst[PKI_PATH_MAX];
    snprintf(file, sizeof(file), "%s.key", name);
    if (pki_path(kpath, sizeof(kpath), out, file, err, errlen) != 0) return -1;
    snprintf(file, sizeof(file), "%s.crt", name);
    if (pki_path(cpath, sizeof(cpath), out, file, err, errlen) != 0 ||
        pki_path(src, sizeof(src), dir, "ca.crt", err, errlen) != 0 ||
        pki_path(dst, sizeof(dst), out, "ca.crt", err, errlen) != 0 ||
        pki_mkdirs(out, 0700, err, errlen) != 0 || pki_save_key(kpath, key, err, errlen) != 0 ||
        pki_save_cert(cpath, cert, err, errlen) != 0)
        return -1;
    char *data;
    size_t len;
    if (pki_read_file(src, PKI_PEM_MAX, &data, &len, err, errlen) != 0) return -1;
    int rc = pki_write_atomic(dst, data, len, 0644, err, errlen);
    free(data);
    return rc;
}

static int pki_issue_locked(const char *dir, const char *name, const pki_issue_opts_t *o,
                            const char *out, char *serial_out, char *err, size_t errlen)
{
    pki_ca_t ca;
    pki_index_t idx = {0};
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    pki_entry_t e = {0};
    int rc = -1;
    if (pki_load_ca(dir, &ca, err, errlen) != 0) return -1;
    time_t nb, na;
    if (pki_issue_validity(o, &ca, &nb, &na, err, errlen) != 0 ||
        pki_index_load(dir, &idx, err, errlen) != 0 ||
        (!o->force && pki_check_unique(&idx, name, err, errlen) != 0))
        goto out;
    const pki_ext_t ext[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                             {NID_key_usage, "critical,digitalSignature"},
                             {NID_ext_key_usage, "clientAuth"},
                             {NID_subject_key_identifier, "hash"},
                             {NID_authority_key_identifier, "keyid:always"},
                             {0, NULL}};
    pki_cert_spec_t spec = {NULL, name, NULL, &ca, nb, na, ext};
    spec.key = key = pki_new_key();
    cert = key ? pki_make_cert(&spec, e.serial) : NULL;
    if (!cert) {
        pki_ossl_error(err, errlen, name, "cannot make the certificate");
        goto out;
    }
    memcpy(e.name, name, strlen(name) + 1);
    e.not_after = na;
    /* Index first: a certificate must never exist that revoke cannot find. */
    if (pki_index_add(&idx, &e) != 0) {
        snprintf(err, errlen, "%s/index.txt: more than %d certificates", dir, PKI_MAX_ENTRIES);
        goto out;
    }
    if (pki_index_save(dir, &idx, err, errlen) != 0 ||
        pki_write_sensor(dir, out, name, key, cert, err, errlen) != 0)
        goto out;
    if (serial_out) memcpy(serial_out, e.serial, sizeof(e.serial));
    rc = 0;
out:
    X509_free(cert);
    EVP_PKEY_free(key);
    pki_index_free(&idx);
    pki_ca_free(&ca);
    return rc;
}

int pki_issue(const char *dir, const char *name, const pki_issue_opts_t *opts, char *serial_out,
              char *err, size_t errlen)
{
    const pki_issue_opts_t none = {0};
    const pki_issue_opts_t *o = opts ? opts : &none;
    if (!pki_name_valid(name)) {
        snprintf(err, errlen,
                 "'%.64s': bad sensor name (1-64 of A-Z a-z 0-9 . _ -, starting with a letter "
                 "or digit)",
                 name ? name : "");
        return -1;
    }
    char sensors[PKI_PATH_MAX], out[PKI_PATH_MAX];
    if (o->out_dir) {
        if (snprintf(out, sizeof(out), "%s", o->out_dir) >= (int)sizeof(out)) {
            snprintf(err, errlen, "--out: path too long");
            return -1;
        }
    } else if (pki_path(sensors, sizeof(sensors), dir, "sensors", err, errlen) != 0 ||
               pki_path(out, sizeof(out), sensors, name, err, errlen) != 0) {
        return -1;
    }
    int lock = pki_lock_ca(dir, err, errlen);
    if (lock < 0) return -1;
    int rc = pki_issue_locked(dir, name, o, out, serial_out, err, errlen);
    pki_unlock(lock);
    return rc;
}

/* ---- revoke and CRL ----------------------------------------------------------- */

static int pki_check_crl_days(int *days, char *err, size_t errlen)
{
    if (*days == 0) *days = PKI_CRL_DAYS;
    return pki_check_days("--crl-days", *days, err, errlen);
}

/* Under the lock: load CA and index, revoke name's certificates (when name
 * is not NULL), save the index, re-sign the CRL. */
static int pki_crl_update(const char *dir, const char *name, int days, size_t *count, char *err,
                          size_t errlen)
{
    int lock = pki_lock_ca(dir, err, errlen);
    if (lock < 0) return -1;
    pki_ca_t ca;
    pki_index_t idx = {0};
    int rc = -1;
    if (pki_load_ca(dir, &ca, err, errlen) != 0) goto unlock;
    if (pki_index_load(dir, &idx, err, errlen) != 0) goto out;
    if (name) {
        size_t found = 0, newly = 0;
        time_t now = time(NULL);
        for (size_t i = 0; i < idx.n; i++) {
            if (strcmp(idx.v[i].name, name) != 0) continue;
            found++;
            if (idx.v[i].revoked) continue;
            idx.v[i].revoked = true;
            idx.v[i].revoked_at = now;
            newly++;
        }
        if (found == 0) {
            snprintf(err, errlen, "%s: no certificate was issued to this name", name);
            goto out;
        }
        if (count) *count = newly;
        if (newly && pki_index_save(dir, &idx, err, errlen) != 0) goto out;
    }
    rc = pki_write_crl(dir, &ca, &idx, days, err, errlen);
out:
    pki_index_free(&idx);
    pki_ca_free(&ca);
unlock:
    pki_unlock(lock);
    return rc;
}

int pki_revoke(const char *dir, const char *name, int crl_days, size_t *count, char *err,
               size_t errlen)
{
    if (count) *count = 0;
    if (!pki_name_valid(name)) {
        snprintf(err, errlen, "'%.64s': bad sensor name", name ? name : "");
        return -1;
    }
    if (pki_check_crl_days(&crl_days, err, errlen) != 0) return -1;
    return pki_crl_update(dir, name, crl_days, count, err, errlen);
}

int pki_update_crl(const char *dir, int crl_days, char *err, size_t errlen)
{
    if (pki_check_crl_days(&crl_days, err, errlen) != 0) return -1;
    return pki_crl_update(dir, NULL, crl_days, NULL, err, errlen);
}
