/* tls.c -- see tls.h. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* ---- errors ----------------------------------------------------------------- */

/* "PATH: reason", the reason taken from the OpenSSL error queue: a system
 * error (file missing, unreadable) as strerror, else OpenSSL's text for the
 * innermost error, else fallback. Clears the queue. */
static void tls_file_error(char *err, size_t errlen, const char *path, const char *fallback)
{
    const char *reason = NULL;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        if (ERR_GET_LIB(e) == ERR_LIB_SYS) {
            reason = strerror(ERR_GET_REASON(e));
            break;
        }
        if (!reason) reason = ERR_reason_error_string(e);
    }
    ERR_clear_error();
    if (err && errlen) snprintf(err, errlen, "%s: %s", path, reason ? reason : fallback);
}

static void tls_set_error(char *err, size_t errlen, const char *path, const char *msg)
{
    ERR_clear_error();
    if (err && errlen) snprintf(err, errlen, "%s: %s", path, msg);
}

/* Never prompt on the terminal for an encrypted key: a daemon has no one to ask. */
static int tls_no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

/* ---- loading ---------------------------------------------------------------- */

/* Add every certificate (want_crl false) or CRL (true) of a PEM file to st.
 * At least one is required. */
static int tls_load_pem(X509_STORE *st, const char *path, bool want_crl, char *err, size_t errlen)
{
    BIO *in = BIO_new_file(path, "r");
    if (!in) {
        tls_file_error(err, errlen, path, "cannot open");
        return -1;
    }
    STACK_OF(X509_INFO) *items = PEM_X509_INFO_read_bio(in, NULL, tls_no_password, NULL);
    BIO_free(in);
    if (!items) {
        tls_file_error(err, errlen, path, "not a PEM file");
        return -1;
    }
    int added = 0, rc = 0;
    for (int i = 0; i < sk_X509_INFO_num(items) && rc == 0; i++) {
        X509_INFO *it = sk_X509_INFO_value(items, i);
        if (!want_crl && it->x509) {
            if (X509_STORE_add_cert(st, it->x509) != 1) rc = -1;
            added++;
        } else if (want_crl && it->crl) {
            if (X509_STORE_add_crl(st, it->crl) != 1) rc = -1;
            added++;
        }
    }
    sk_X509_INFO_pop_free(items, X509_INFO_free);
    if (rc != 0) {
        tls_file_error(err, errlen, path, "cannot add to the trust store");
        return -1;
    }
    if (added == 0) {
        tls_set_error(err, errlen, path, want_crl ? "no CRL in file" : "no certificate in file");
        return -1;
    }
    return 0;
}

/* A CRL nobody can verify would refuse every sensor: check its signature
 * against the trusted CAs now, so a bad reload keeps the old CRL instead. */
static int tls_check_crls(X509_STORE *st, const char *path, char *err, size_t errlen)
{
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(st);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
        X509_CRL *crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objs, i));
        if (!crl) continue;
        bool ok = false;
        for (int j = 0; j < sk_X509_OBJECT_num(objs) && !ok; j++) {
            X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, j));
            if (ca && X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)) == 0 &&
                X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
                ok = true;
        }
        if (!ok) {
            tls_set_error(err, errlen, path, "CRL not signed by the trusted CA");
            return -1;
        }
    }
    return 0;
}

/* A trust store holding the CA certificates (from ca, or copied from an
 * existing store) and, when crl is given, the CRL with CRL checking on. */
static X509_STORE *tls_make_store(const char *ca, X509_STORE *copy_from, const char *crl, char *err,
                                  size_t errlen)
{
    X509_STORE *st = X509_STORE_new();
    if (!st) {
        tls_set_error(err, errlen, ca ? ca : "trust store", "out of memory");
        return NULL;
    }
    int rc = 0;
    if (ca) {
        rc = tls_load_pem(st, ca, false, err, errlen);
    } else if (copy_from) {
        STACK_OF(X509) *certs = X509_STORE_get1_all_certs(copy_from);
        for (int i = 0; certs && i < sk_X509_num(certs) && rc == 0; i++)
            if (X509_STORE_add_cert(st, sk_X509_value(certs, i)) != 1) rc = -1;
        if (!certs || sk_X509_num(certs) == 0) rc = -1;
        sk_X509_pop_free(certs, X509_free);
        if (rc != 0) tls_set_error(err, errlen, "trust store", "no CA certificate");
    }
    if (rc == 0 && crl) {
        rc = tls_load_pem(st, crl, true, err, errlen);
        if (rc == 0) rc = tls_check_crls(st, crl, err, errlen);
        if (rc == 0) X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
    }
    if (rc != 0) {
        X509_STORE_free(st);
        return NULL;
    }
    return st;
}

static int tls_use_cert_key(SSL_CTX *ctx, const char *cert, const char *key, char *err,
                            size_t errlen)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        tls_file_error(err, errlen, cert, "cannot load certificate");
        return -1;
    }
    /* Loading the key checks it against the certificate already. */
    bool ok = SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1;
    unsigned long e = ERR_peek_last_error();
    if (!ok &&
        !(ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)) {
        tls_file_error(err, errlen, key, "cannot load private key");
        return -1;
    }
    if (!ok || SSL_CTX_check_private_key(ctx) != 1) {
        char msg[512];
        snprintf(msg, sizeof(msg), "private key does not match certificate %s", cert);
        tls_set_error(err, errlen, key, msg);
        return -1;
    }
    return 0;
}

/* What both sides share: TLS 1.3 only, no password prompts, the pinned
 * trust store as the verify store (the system store is never loaded). */
static SSL_CTX *tls_ctx_common(const SSL_METHOD *method, const char *cert, const char *key,
                               const char *ca, const char *crl, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (!ctx) {
        tls_file_error(err, errlen, "TLS", "cannot create context");
        return NULL;
    }
    SSL_CTX_set_default_passwd_cb(ctx, tls_no_password);
    X509_STORE *st = NULL;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
        tls_file_error(err, errlen, "TLS", "TLS 1.3 not available");
        goto fail;
    }
    if (cert && tls_use_cert_key(ctx, cert, key, err, errlen) != 0) goto fail;
    st = tls_make_store(ca, NULL, crl, err, errlen);
    if (!st) goto fail;
    if (SSL_CTX_set1_verify_cert_store(ctx, st) != 1) {
        tls_file_error(err, errlen, ca, "cannot install trust store");
        goto fail;
    }
    X509_STORE_free(st);
    return ctx;
fail:
    X509_STORE_free(st);
    SSL_CTX_free(ctx);
    return NULL;
}

/* ---- contexts --------------------------------------------------------------- */

SSL_CTX *tls_server_ctx(const char *cert, const char *key, const char *ca, const char *crl,
                        char *err, size_t errlen)
{
    if (!cert || !key || !ca) {
        tls_set_error(err, errlen, "TLS", "server needs a certificate, a key and a CA");
        return NULL;
    }
    SSL_CTX *ctx = tls_ctx_common(TLS_server_method(), cert, key, ca, crl, err, errlen);
    if (!ctx) return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    /* Tell clients which CA we accept, so one holding several picks ours. */
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);
    if (names) SSL_CTX_set_client_CA_list(ctx, names);
    /* No resumption: a resumed session skips certificate and CRL checks. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    ERR_clear_error();
    return ctx;
}

int tls_server_reload_crl(SSL_CTX *ctx, const char *crl, char *err, size_t errlen)
{
    X509_STORE *old = NULL;
    if (!ctx || !crl || SSL_CTX_get0_verify_cert_store(ctx, &old) != 1 || !old) {
        tls_set_error(err, errlen, crl ? crl : "CRL", "no server context to reload");
        return -1;
    }
    X509_STORE *st = tls_make_store(NULL, old, crl, err, errlen);
    if (!st) return -1;
    /* set1 takes a reference; SSL objects already made hold the old store. */
    int ok = SSL_CTX_set1_verify_cert_store(ctx, st);
    X509_STORE_free(st);
    if (ok != 1) {
        tls_file_error(err, errlen, crl, "cannot install trust store");
        return -1;
    }
    return 0;
}

SSL_CTX *tls_client_ctx(const char *cert, const char *key, const char *ca, char *err, size_t errlen)
{
    if (!ca || (cert == NULL) != (key == NULL)) {
        tls_set_error(err, errlen, "TLS", "client needs a CA, and a key with its certificate");
        return NULL;
    }
    SSL_CTX *ctx = tls_ctx_common(TLS_client_method(), cert, key, ca, NULL, err, errlen);
    if (!ctx) return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ERR_clear_error();
    return ctx;
}

int tls_client_set_host(SSL *ssl, const char *host)
{
    if (!ssl || !host || !*host) return -1;
    unsigned char addr[16];
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1 ? 0 : -1;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, host) != 1) return -1;
    return SSL_set_tlsext_host_name(ssl, host) == 1 ? 0 : -1;
}

/* ---- peer ------------------------------------------------------------------- */

int tls_peer_name(SSL *ssl, char *cn, size_t cnlen)
{
    if (!ssl || !cn || cnlen == 0) return -1;
    cn[0] = '\0';
    X509 *peer = SSL_get0_peer_certificate(ssl);
    if (!peer || SSL_get_verify_result(ssl) != X509_V_OK) return -1;
    X509_NAME *subj = X509_get_subject_name(peer);
    int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    /* Exactly one CN: with two, which one names the sensor is ambiguous. */
    if (idx < 0 || X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0) return -1;
    ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    int rc = -1;
    if (n > 0 && (size_t)n < cnlen) {
        rc = 0;
        for (int i = 0; i < n; i++)
            if (utf8[i] < 0x20 || utf8[i] == 0x7f) rc = -1;
        if (rc == 0) memcpy(cn, utf8, (size_t)n + 1);
    }
    OPENSSL_free(utf8);
    return rc;
}

/* ---- failure reasons ---------------------------------------------------------- */

static const char *tls_verify_reason(SSL *ssl, long v, char *buf, size_t buflen)
{
    switch (v) {
    case X509_V_ERR_CERT_REVOKED: return "certificate revoked";
    case X509_V_ERR_CERT_HAS_EXPIRED: return "certificate expired";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "certificate not yet valid";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return SSL_is_server(ssl) ? "unknown CA (certificate not issued by this appliance)"
                                  : "unknown CA (server certificate not issued by the pinned CA)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return "server name mismatch";
    case X509_V_ERR_INVALID_PURPOSE:
        return "certificate not valid for this purpose (extended key usage)";
    case X509_V_ERR_CRL_HAS_EXPIRED: return "CRL expired (run socctl pki crl)";
    case X509_V_ERR_CRL_NOT_YET_VALID: return "CRL not yet valid";
    case X509_V_ERR_UNABLE_TO_GET_CRL: return "no CRL for the issuing CA";
    case X509_V_ERR_CRL_SIGNATURE_FAILURE: return "CRL signature invalid";
    default:
        snprintf(buf, buflen, "certificate verification failed: %s",
                 X509_verify_cert_error_string(v));
        return buf;
    }
}

/* Reasons OpenSSL gives when the first bytes are not a TLS record header:
 * it names what it saw ("GET ", "CONNECT", a version byte that is not 3). */
static bool tls_reason_not_tls(int r)
{
    return r == SSL_R_HTTP_REQUEST || r == SSL_R_HTTPS_PROXY_REQUEST ||
           r == SSL_R_WRONG_VERSION_NUMBER || r == SSL_R_UNKNOWN_PROTOCOL ||
           r == SSL_R_PACKET_LENGTH_TOO_LONG || r == SSL_R_ENCRYPTED_LENGTH_TOO_LONG ||
           r == SSL_R_WRONG_SSL_VERSION || r == SSL_R_BAD_RECORD_TYPE ||
           r == SSL_R_UNEXPECTED_RECORD;
}

static const char *tls_ssl_reason(SSL *ssl, int r, char *buf, size_t buflen)
{
    if (r == SSL_R_CERTIFICATE_VERIFY_FAILED)
        return tls_verify_reason(ssl, SSL_get_verify_result(ssl), buf, buflen);
    if (r == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) return "client sent no certificate";
    if (tls_reason_not_tls(r)) return "not TLS (plain TCP or other protocol)";
    if (r == SSL_R_UNSUPPORTED_PROTOCOL || r == SSL_R_VERSION_TOO_LOW ||
        r == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || r == SSL_R_NO_PROTOCOLS_AVAILABLE)
        return "protocol version too old";
    if (r == SSL_R_UNEXPECTED_EOF_WHILE_READING) return "connection closed by peer";
    if (r > SSL_AD_REASON_OFFSET && r < SSL_AD_REASON_OFFSET + 256) {
        /* An alert from the peer: the reason it refused us. */
        const char *a = SSL_alert_desc_string_long(r - SSL_AD_REASON_OFFSET);
        if (r == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) a = "client certificate required";
        if (r == SSL_R_TLSV1_ALERT_UNKNOWN_CA) a = "unknown CA";
        snprintf(buf, buflen, "refused by peer: %s", a);
        return buf;
    }
    snprintf(buf, buflen, "TLS error: %s", ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, r)));
    return buf;
}

const char *tls_failure_reason(SSL *ssl, int ret, char *buf, size_t buflen)
{
    if (!buf || buflen == 0) return "";
    buf[0] = '\0';
    int saved_errno = errno;
    int kind = ssl ? SSL_get_error(ssl, ret) : SSL_ERROR_SSL;
    /* The first error queued is the cause; later ones are consequences. */
    unsigned long first = 0, first_ssl = 0, e;
    while ((e = ERR_get_error()) != 0) {
        if (!first) first = e;
        if (!first_ssl && ERR_GET_LIB(e) == ERR_LIB_SSL) first_ssl = e;
    }
    const char *out;
    if (first_ssl && ssl) {
        out = tls_ssl_reason(ssl, ERR_GET_REASON(first_ssl), buf, buflen);
    } else if (first) {
        snprintf(buf, buflen, "TLS error: %s", ERR_reason_error_string(first));
        out = buf;
    } else if (kind == SSL_ERROR_ZERO_RETURN || (kind == SSL_ERROR_SYSCALL && saved_errno == 0)) {
        out = "connection closed by peer";
    } else if (kind == SSL_ERROR_SYSCALL) {
        snprintf(buf, buflen, "connection error: %s", strerror(saved_errno));
        out = buf;
    } else if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
        out = "timed out waiting for the peer"; /* blocking socket with SO_RCVTIMEO */
    } else {
        snprintf(buf, buflen, "TLS error (code %d)", kind);
        out = buf;
    }
    if (out != buf) snprintf(buf, buflen, "%s", out);
    return buf;
}
