/* Unit tests for appliance/socctl/pki*.c: the certificates are read back
 * with OpenSSL and checked field by field against what pki.h promises;
 * epoch values come from `date -u -d '2024-02-29 12:00:00' +%s` and the
 * list output is written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "socctl/pki.h"

#define DAY 86400

static char root[64]; /* temporary directory for every test */
static char dir[128]; /* the PKI made in setup */

/* ---- helpers ------------------------------------------------------------------ */

static const char *path_of(const char *d, const char *file)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    int n = snprintf(buf[i], sizeof(buf[i]), "%s/%s", d, file);
    assert_true(n > 0 && (size_t)n < sizeof(buf[i]));
    return buf[i];
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static X509_CRL *load_crl(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509_CRL *c = PEM_read_X509_CRL(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(c);
    return c;
}

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

/* Whole file into a static buffer. */
static const char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
    return timegm(&tm);
}

static void name_entry(X509_NAME *n, int nid, char *out, size_t outlen)
{
    out[0] = '\0';
    int i = X509_NAME_get_index_by_NID(n, nid, -1);
    if (i < 0) return;
    X509_NAME_get_text_by_NID(n, nid, out, (int)outlen);
}

/* SANs as "DNS:x,IP:y" (IPv4 dotted, IPv6 compressed lower case). */
static void san_text(X509 *x, char *out, size_t outlen)
{
    out[0] = '\0';
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t len = 0;
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char item[128] = "?";
        if (g->type == GEN_DNS) {
            snprintf(item, sizeof(item), "DNS:%s",
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
            int n = ASN1_STRING_length(g->d.iPAddress);
            char txt[64];
            if (n == 4)
                snprintf(txt, sizeof(txt), "%d.%d.%d.%d", a[0], a[1], a[2], a[3]);
            else
                inet_ntop(AF_INET6, a, txt, sizeof(txt));
            snprintf(item, sizeof(item), "IP:%s", txt);
        }
        len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? "," : "", item);
    }
    GENERAL_NAMES_free(gens);
}

static bool ext_critical(X509 *x, int nid)
{
    int i = X509_get_ext_by_NID(x, nid, -1);
    assert_true(i >= 0);
    return X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

static void assert_p256(EVP_PKEY *k)
{
    assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
    char group[64];
    size_t n = 0;
    assert_int_equal(EVP_PKEY_get_group_name(k, group, sizeof(group), &n), 1);
    assert_string_equal(group, "prime256v1");
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/soc-pki-XXXXXX");
    if (!mkdtemp(root)) return -1;
    snprintf(dir, sizeof(dir), "%s/pki", root);
    /* Duplicates of the built-in SANs and of each other are dropped. */
    const char *names[] = {"ingest.city.local", "10.1.2.3", "fd00::5", "localhost",
                           "ingest.city.local"};
    pki_init_opts_t o = {.server_names = names, .n_server_names = 5, .days = 100};
    char err[512];
    if (pki_init(dir, &o, err, sizeof(err)) != 0) {
        fprintf(stderr, "pki_init: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ---- init ----------------------------------------------------------------------- */

static void test_ca_fields(void **state)
{
    (void)state;
    X509 *ca = load_cert(path_of(dir, "ca.crt"));
    assert_int_equal(X509_get_version(ca), X509_VERSION_3);
    char cn[128], o[128];
    name_entry(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
    name_entry(X509_get_subject_name(ca), NID_organizationName, o, sizeof(o));
    assert_string_equal(o, "SOC appliance");
    /* "SOC appliance CA " and 8 upper-case hex digits */
    assert_int_equal(strlen(cn), 25);
    assert_memory_equal(cn, "SOC appliance CA ", 17);
    assert_int_equal(strspn(cn + 17, "0123456789ABCDEF"), 8);
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
    assert_int_equal(X509_check_ca(ca), 1);
    assert_true(ext_critical(ca, NID_basic_constraints));
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(ca, NID_basic_constraints, NULL, NULL);
    assert_non_null(bc);
    assert_true(bc->ca);
    assert_int_equal(ASN1_INTEGER_get(bc->pathlen), 0);
    BASIC_CONSTRAINTS_free(bc);
    assert_true(ext_critical(ca, NID_key_usage));
    assert_int_equal(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    assert_int_equal(X509_get_signature_nid(ca), NID_ecdsa_with_SHA256);
    assert_int_equal(X509_verify(ca, X509_get0_pubkey(ca)), 1); /* self-signed */
    assert_p256(X509_get0_pubkey(ca));
    time_t nb = asn1_time(X509_get0_notBefore(ca)), na = asn1_time(X509_get0_notAfter(ca));
    assert_int_equal(na - nb, 100 * DAY + 3600); /* --days 100, backdated an hour */
    time_t now = time(NULL);
    assert_true(nb <= now - 3600 && nb > now - 3600 - 120);
    EVP_PKEY *key = load_key(path_of(dir, "ca.key"));
    assert_int_equal(X509_check_private_key(ca, key), 1);
    EVP_PKEY_free(key);
    X509_free(ca);
}

static void test_server_fields(void **state)
{
    (void)state;
    X509 *ca = load_cert(path_of(dir, "ca.crt"));
    X509 *s = load_cert(path_of(dir, "server.crt"));
    char cn[128], san[512];
    name_entry(X509_get_subject_name(s), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "soc-ingest");
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(s), X509_get_subject_name(ca)), 0);
    assert_int_equal(X509_verify(s, X509_get0_pubkey(ca)), 1);
    assert_int_equal(X509_check_ca(s), 0);
    assert_true(ext_critical(s, NID_basic_constraints));
    assert_int_equal(X509_get_key_usage(s), KU_DIGITAL_SIGNATURE);
    assert_int_equal(X509_get_extended_key_usage(s), XKU_SSL_SERVER);
    san_text(s, san, sizeof(san));
    assert_string_equal(san,
                        "DNS:localhost,IP:127.0.0.1,DNS:ingest.city.local,IP:10.1.2.3,IP:fd00::5");
    /* The authority key id names the CA's key. */
    const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(s);
    const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(ca);
    assert_non_null(akid);
    assert_non_null(skid);
    assert_int_equal(ASN1_OCTET_STRING_cmp(akid, skid), 0);
    assert_int_equal(asn1_time(X509_get0_notAfter(s)), asn1_time(X509_get0_notAfter(ca)));
    EVP_PKEY *key = load_key(path_of(dir, "server.key"));
    assert_p256(key);
    assert_int_equal(X509_check_private_key(s, key), 1);
    EVP_PKEY_free(key);
    X509_free(s);
    X509_free(ca);
}

static void test_init_files(void **state)
{
    (void)state;
    assert_int_equal(mode_of(path_of(dir, "ca.key")), 0600);
    assert_int_equal(mode_of(path_of(dir, "server.key")), 0600);
    assert_int_equal(mode_of(path_of(dir, "ca.crt")), 0644);
    assert_int_equal(mode_of(path_of(dir, "crl.pem")), 0644);
    X509 *ca = load_cert(path_of(dir, "ca.crt"));
    X509_CRL *crl = load_crl(path_of(dir, "crl.pem"));
    assert_int_equal(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
    assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)), 0);
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(ca)), 1);
    assert_null(X509_CRL_get_REVOKED(crl)); /* no entries at all */
    time_t last = asn1_time(X509_CRL_get0_lastUpdate(crl));
    assert_int_equal(asn1_time(X509_CRL_get0_nextUpdate(crl)) - last, 30 * DAY);
    ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    assert_int_equal(ASN1_INTEGER_get(num), 1);
    ASN1_INTEGER_free(num);
    X509_CRL_free(crl);
    X509_free(ca);
    /* Nothing issued yet: the index is its header only. */
    assert_string_equal(slurp(path_of(dir, "index.txt")),
                        "# socctl pki index: serial name not-after status revoked-at (tabs)\n");
}

static void test_init_refuses_overwrite(void **state)
{
    (void)state;
    char err[512], want[512], before[8192];
    snprintf(before, sizeof(before), "%s", slurp(path_of(dir, "ca.crt")));
    assert_int_equal(pki_init(dir, NULL, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s/ca.key: a CA already exists (--force replaces it; every certificate it issued "
             "stops working)",
             dir);
    assert_string_equal(err, want);
    assert_string_equal(slurp(path_of(dir, "ca.crt")), before);

    /* --force in another directory: a new CA, a fresh index. */
    char other[160];
    snprintf(other, sizeof(other), "%s/other", root);
    assert_int_equal(pki_init(other, NULL, err, sizeof(err)), 0);
    snprintf(before, sizeof(before), "%s", slurp(path_of(other, "ca.crt")));
    assert_int_equal(pki_issue(other, "s1", NULL, NULL, err, sizeof(err)), 0);
    X509 *s1 = load_cert(path_of(other, "sensors/s1/s1.crt"));
    assert_int_equal(asn1_time(X509_get0_notAfter(s1)) - asn1_time(X509_get0_notBefore(s1)),
                     825 * DAY + 3600); /* the default lifetime */
    X509_free(s1);
    pki_init_opts_t force = {.force = true};
    assert_int_equal(pki_init(other, &force, err, sizeof(err)), 0);
    assert_string_not_equal(slurp(path_of(other, "ca.crt")), before);
    pki_index_t idx;
    assert_int_equal(pki_index_load(other, &idx, err, sizeof(err)), 0);
    assert_int_equal(idx.n, 0);
    pki_index_free(&idx);
    X509 *ca = load_cert(path_of(other, "ca.crt"));
    X509 *x = load_cert(path_of(other, "server.crt"));
    assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
    assert_int_equal(asn1_time(X509_get0_notAfter(ca)) - asn1_time(X509_get0_notBefore(ca)),
                     3650 * DAY + 3600);
    X509_free(x);
    X509_free(ca);
}

static void test_init_bad_options(void **state)
{
    (void)state;
    char err[512], d[160];
    snprintf(d, sizeof(d), "%s/bad", root);
    pki_init_opts_t o = {.days = 36501};
    assert_int_equal(pki_init(d, &o, err, sizeof(err)), -1);
    assert_string_equal(err, "--days: expected 1..36500 days, got 36501");
    o.days = -1;
    assert_int_equal(pki_init(d, &o, err, sizeof(err)), -1);
    assert_string_equal(err, "--days: expected 1..36500 days, got -1");
    const char *evil[] = {"ok.local", "a,DNS:evil.example"};
    pki_init_opts_t e = {.server_names = evil, .n_server_names = 2};
    assert_int_equal(pki_init(d, &e, err, sizeof(err)), -1);
    assert_string_equal(err, "--server-name 'a,DNS:evil.example': not a DNS name or IP address");
    assert_int_equal(access(d, F_OK), -1); /* nothing created */
}

/* ---- issue ---------------------------------------------------------------------- */

static void test_issue_fields(void **state)
{
    (void)state;
    char err[512], serial[PKI_SERIAL_MAX + 1];
    assert_int_equal(pki_issue(dir, "sensor-1", NULL, serial, err, sizeof(err)), 0);
    const char *sd = path_of(dir, "sensors/sensor-1");
    char sdir[256];
    snprintf(sdir, sizeof(sdir), "%s", sd);
    assert_int_equal(mode_of(sdir), 0700);
    assert_int_equal(mode_of(path_of(sdir, "sensor-1.key")), 0600);
    assert_int_equal(mode_of(path_of(sdir, "sensor-1.crt")), 0644);
    char ca_text[8192];
    snprintf(ca_text, sizeof(ca_text), "%s", slurp(path_of(dir, "ca.crt")));
    assert_string_equal(slurp(path_of(sdir, "ca.crt")), ca_text);

    X509 *ca = load_cert(path_of(dir, "ca.crt"));
    X509 *x = load_cert(path_of(sdir, "sensor-1.crt"));
    char cn[128], san[256];
    name_entry(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "sensor-1");
    assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 1);
    assert_int_equal(X509_verify(x, X509_get0_pubkey(ca)), 1);
    assert_int_equal(X509_check_ca(x), 0);
    assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
    assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
    san_text(x, san, sizeof(san));
    assert_string_equal(san, "");
    /* Serial: positive, at most 128 bits, the same as reported and indexed. */
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    assert_false(BN_is_negative(bn));
    assert_true(BN_num_bits(bn) <= 128 && BN_num_bits(bn) > 64);
    char *hex = BN_bn2hex(bn);
    assert_string_equal(hex, serial);
    OPENSSL_free(hex);
    BN_free(bn);
    /* 825 days would outlive this 100-day CA: capped at its not-after. */
    time_t nb = asn1_time(X509_get0_notBefore(x)), na = asn1_time(X509_get0_notAfter(x));
    assert_int_equal(na, asn1_time(X509_get0_notAfter(ca)));
    /* issued a moment after the CA (seconds apart on a slow or loaded run) */
    time_t ca_nb = asn1_time(X509_get0_notBefore(ca));
    assert_true(nb >= ca_nb && nb - ca_nb < 60);
    EVP_PKEY *key = load_key(path_of(sdir, "sensor-1.key"));
    assert_p256(key);
    assert_int_equal(X509_check_private_key(x, key), 1);
    EVP_PKEY_free(key);

    pki_index_t idx;
    assert_int_equal(pki_index_load(dir, &idx, err, sizeof(err)), 0);
    assert_int_equal(idx.n, 1);
    assert_string_equal(idx.v[0].serial, serial);
    assert_string_equal(idx.v[0].name, "sensor-1");
    assert_int_equal(idx.v[0].not_after, na);
    assert_false(idx.v[0].revoked);
    pki_index_free(&idx);
    X509_free(x);
    X509_free(ca);
}

static void test_issue_times_and_out(void **state)
{
    (void)state;
    char err[512], out[160];
    snprintf(out, sizeof(out), "%s/elsewhere", root);
    pki_issue_opts_t o = {.not_before = 1577836800, .not_after = 1580515200, .out_dir = out};
    assert_int_equal(pki_issue(dir, "old", &o, NULL, err, sizeof(err)), 0);
    X509 *x = load_cert(path_of(out, "old.crt"));
    assert_int_equal(asn1_time(X509_get0_notBefore(x)), 1577836800); /* 2020-01-01 */
    assert_int_equal(asn1_time(X509_get0_notAfter(x)), 1580515200);  /* 2020-02-01 */
    X509_free(x);
    assert_int_equal(access(path_of(out, "old.key"), F_OK), 0);
    assert_int_equal(access(path_of(out, "ca.crt"), F_OK), 0);
    /* Expired, so a new one needs no --force. */
    assert_int_equal(pki_issue(dir, "old", &o, NULL, err, sizeof(err)), 0);

    /* not-before alone: lifetime counts from it. */
    pki_issue_opts_t f = {.not_before = time(NULL) + 10 * DAY, .days = 5};
    assert_int_equal(pki_issue(dir, "future", &f, NULL, err, sizeof(err)), 0);
    x = load_cert(path_of(dir, "sensors/future/future.crt"));
    assert_int_equal(asn1_time(X509_get0_notAfter(x)) - asn1_time(X509_get0_notBefore(x)), 5 * DAY);
    X509_free(x);

    pki_issue_opts_t bad = {.not_before = 1580515200, .not_after = 1577836800};
    assert_int_equal(pki_issue(dir, "x1", &bad, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "not-after 20200101000000Z: not later than not-before "
                             "20200201000000Z");
    /* Beyond the CA (100 days): 2050-01-01 is later. */
    pki_issue_opts_t late = {.not_after = 2524608000};
    assert_int_equal(pki_issue(dir, "x1", &late, NULL, err, sizeof(err)), -1);
    assert_memory_equal(err, "--not-after 20500101000000Z: later than the CA's own expiry ", 60);
    pki_issue_opts_t days = {.days = 40000};
    assert_int_equal(pki_issue(dir, "x1", &days, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "--days: expected 1..36500 days, got 40000");
}

static void test_issue_refuses_duplicate(void **state)
{
    (void)state;
    char err[512], want[512], first[PKI_SERIAL_MAX + 1], second[PKI_SERIAL_MAX + 1];
    assert_int_equal(pki_issue(dir, "dup", NULL, first, err, sizeof(err)), 0);
    char na[21];
    pki_index_t idx;
    assert_int_equal(pki_index_load(dir, &idx, err, sizeof(err)), 0);
    pki_format_iso(idx.v[idx.n - 1].not_after, na);
    pki_index_free(&idx);
    assert_int_equal(pki_issue(dir, "dup", NULL, NULL, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "dup: a valid certificate already exists (serial %s, until %s; --force issues "
             "another)",
             first, na);
    assert_string_equal(err, want);
    pki_issue_opts_t force = {.force = true};
    assert_int_equal(pki_issue(dir, "dup", &force, second, err, sizeof(err)), 0);
    assert_string_not_equal(first, second);
    assert_int_equal(pki_index_load(dir, &idx, err, sizeof(err)), 0);
    size_t n = 0;
    for (size_t i = 0; i < idx.n; i++)
        n += strcmp(idx.v[i].name, "dup") == 0;
    assert_int_equal(n, 2);
    pki_index_free(&idx);
}

static void test_missing_pki(void **state)
{
    (void)state;
    char err[512], want[512], none[160];
    snprintf(none, sizeof(none), "%s/none", root);
    assert_int_equal(pki_issue(none, "s", NULL, NULL, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s/ca.key: No such file or directory (run socctl pki init)",
             none);
    assert_string_equal(err, want);
    size_t n;
    assert_int_equal(pki_revoke(none, "s", 0, &n, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(pki_update_crl(none, 0, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    pki_index_t idx;
    assert_int_equal(pki_index_load(none, &idx, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: No such file or directory (run socctl pki init)", none);
    assert_string_equal(err, want);
}

/* ---- revoke ------------------------------------------------------------------- */

static int64_t crl_number(void)
{
    X509_CRL *crl = load_crl(path_of(dir, "crl.pem"));
    ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    int64_t v = 0;
    ASN1_INTEGER_get_int64(&v, num);
    ASN1_INTEGER_free(num);
    X509_CRL_free(crl);
    return v;
}

static bool crl_lists(const char *serial)
{
    X509_CRL *crl = load_crl(path_of(dir, "crl.pem"));
    X509 *ca = load_cert(path_of(dir, "ca.crt"));
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(ca)), 1);
    STACK_OF(X509_REVOKED) *r = X509_CRL_get_REVOKED(crl);
    bool found = false;
    for (int i = 0; i < sk_X509_REVOKED_num(r); i++) {
        BIGNUM *bn =
            ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(r, i)), NULL);
        char *hex = BN_bn2hex(bn);
        found |= strcmp(hex, serial) == 0;
        OPENSSL_free(hex);
        BN_free(bn);
    }
    X509_free(ca);
    X509_CRL_free(crl);
    return found;
}

static void test_revoke(void **state)
{
    (void)state;
    char err[512], s1[PKI_SERIAL_MAX + 1], s2[PKI_SERIAL_MAX + 1], keep[PKI_SERIAL_MAX + 1];
    pki_issue_opts_t force = {.force = true};
    assert_int_equal(pki_issue(dir, "rv", NULL, s1, err, sizeof(err)), 0);
    assert_int_equal(pki_issue(dir, "rv", &force, s2, err, sizeof(err)), 0);
    assert_int_equal(pki_issue(dir, "keep", NULL, keep, err, sizeof(err)), 0);
    int64_t before = crl_number();
    size_t n = 99;
    time_t now = time(NULL);
    assert_int_equal(pki_revoke(dir, "rv", 7, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(crl_number(), before + 1);
    assert_true(crl_lists(s1));
    assert_true(crl_lists(s2));
    assert_false(crl_lists(keep));
    X509_CRL *crl = load_crl(path_of(dir, "crl.pem"));
    assert_int_equal(asn1_time(X509_CRL_get0_nextUpdate(crl)) -
                         asn1_time(X509_CRL_get0_lastUpdate(crl)),
                     7 * DAY);
    X509_CRL_free(crl);

    pki_index_t idx;
    assert_int_equal(pki_index_load(dir, &idx, err, sizeof(err)), 0);
    for (size_t i = 0; i < idx.n; i++) {
        if (strcmp(idx.v[i].name, "rv") != 0) continue;
        assert_true(idx.v[i].revoked);
        assert_true(idx.v[i].revoked_at >= now && idx.v[i].revoked_at <= now + 60);
        assert_int_equal(pki_entry_status(&idx.v[i], now), PKI_STATUS_REVOKED);
    }
    pki_index_free(&idx);

    /* Again: nothing new, but the CRL is re-signed. */
    assert_int_equal(pki_revoke(dir, "rv", 0, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(crl_number(), before + 2);
    /* Revoked names may be issued again without --force. */
    assert_int_equal(pki_issue(dir, "rv", NULL, NULL, err, sizeof(err)), 0);

    assert_int_equal(pki_revoke(dir, "nobody", 0, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "nobody: no certificate was issued to this name");
    assert_int_equal(pki_revoke(dir, "../x", 0, &n, err, sizeof(err)), -1);
    assert_string_equal(err, "'../x': bad sensor name");
    assert_int_equal(pki_update_crl(dir, 0, err, sizeof(err)), 0);
    assert_int_equal(crl_number(), before + 3);
    assert_true(crl_lists(s1));
}

/* ---- names and times ---------------------------------------------------------- */

static void test_name_validation(void **state)
{
    (void)state;
    char n64[65], n65[66];
    memset(n64, 'a', 64);
    n64[64] = '\0';
    memset(n65, 'b', 65);
    n65[65] = '\0';
    const char *good[] = {"a", "sensor-1", "S.1_x-y", "0day", "cantho.ioc.cam-07", n64};
    const char *bad[] = {"",  ".",   "..",  "-x",  ".hidden", "_x",   "a/b", "a b",
                         "é", "a\n", "a:b", "a,b", "a=b",     "a\tb", n65};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(pki_name_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(pki_name_valid(bad[i]));
    assert_false(pki_name_valid(NULL));
    char err[512];
    assert_int_equal(pki_issue(dir, "..", NULL, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, "'..': bad sensor name (1-64 of A-Z a-z 0-9 . _ -, starting with a "
                             "letter or digit)");
}

static void test_server_name_validation(void **state)
{
    (void)state;
    char l63[80], l64[80], long254[300];
    memset(l63, 'a', 63);
    strcpy(l63 + 63, ".b");
    memset(l64, 'a', 64);
    strcpy(l64 + 64, ".b");
    memset(long254, 'a', 254);
    for (int i = 63; i < 254; i += 64)
        long254[i] = '.';
    long254[254] = '\0';
    const char *good[] = {"a", "ingest.city.local", "10.0.0.1", "fd00::1", "::1", "x-1.y", l63};
    const char *bad[] = {"",      "a,DNS:evil", "-a.b", "a-.b",       "a..b", ".a",   "a.",
                         "a_b.c", "*.city",     "a b",  "10.0.0.1/8", l64,    long254};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(pki_server_name_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(pki_server_name_valid(bad[i]));
    long254[253] = '\0'; /* 253 bytes, labels of 63: allowed */
    assert_true(pki_server_name_valid(long254));
}

static void test_parse_time(void **state)
{
    (void)state;
    time_t t = 0;
    assert_int_equal(pki_parse_time("20240229120000Z", &t), 0);
    assert_int_equal(t, 1709208000);
    assert_int_equal(pki_parse_time("19500101000000Z", &t), 0);
    assert_int_equal(t, -631152000);
    assert_int_equal(pki_parse_time("20491231235959Z", &t), 0);
    assert_int_equal(t, 2524607999);
    const char *bad[] = {"20230229120000Z", /* not a leap year */
                         "20241301000000Z",  "20240100000000Z", "20240101240000Z",
                         "20240101006000Z",  "20240101000060Z", "2024010100000Z",
                         "202401010000000Z", "20240101000000",  "20240101000000z",
                         "2024-1-01000000Z", "19491231235959Z", "",
                         " 20240101000000Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 42;
        assert_int_equal(pki_parse_time(bad[i], &t), -1);
        assert_int_equal(t, 42);
    }
    assert_int_equal(pki_parse_time(NULL, &t), -1);
    char buf[21];
    pki_format_time(1709208000, buf);
    assert_string_equal(buf, "20240229120000Z");
    pki_format_iso(1804136767, buf);
    assert_string_equal(buf, "2027-03-04T05:06:07Z");
}

/* ---- index and list ------------------------------------------------------------- */

static void test_list_output(void **state)
{
    (void)state;
    pki_entry_t e[3] = {
        {.serial = "5109E74F28A0AD8367F4777AF84C9B43", .name = "sensor-1", .not_after = 1804136767},
        {.serial = "19AE", .name = "old", .not_after = 1580515200},
        {.serial = "0A",
         .name = "gone",
         .not_after = 1804136767,
         .revoked = true,
         .revoked_at = 1768465800},
    };
    pki_index_t idx = {e, 3, 3};
    time_t now = 1709208000; /* 2024-02-29: sensor-1 valid, old expired */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(pki_list_write(f, &idx, false, now), 0);
    fclose(f);
    assert_string_equal(buf,
                        "NAME                     SERIAL                             NOT-AFTER  "
                        "          STATUS\n"
                        "sensor-1                 5109E74F28A0AD8367F4777AF84C9B43   "
                        "2027-03-04T05:06:07Z valid\n"
                        "old                      19AE                               "
                        "2020-02-01T00:00:00Z expired\n"
                        "gone                     0A                                 "
                        "2027-03-04T05:06:07Z revoked\n");
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(pki_list_write(f, &idx, true, now), 0);
    fclose(f);
    assert_string_equal(
        buf, "[{\"name\":\"sensor-1\",\"serial\":\"5109E74F28A0AD8367F4777AF84C9B43\","
             "\"not_after\":\"2027-03-04T05:06:07Z\",\"status\":\"valid\",\"revoked_at\":null},"
             "{\"name\":\"old\",\"serial\":\"19AE\",\"not_after\":\"2020-02-01T00:00:00Z\","
             "\"status\":\"expired\",\"revoked_at\":null},"
             "{\"name\":\"gone\",\"serial\":\"0A\",\"not_after\":\"2027-03-04T05:06:07Z\","
             "\"status\":\"revoked\",\"revoked_at\":\"2026-01-15T08:30:00Z\"}]\n");
    free(buf);
    pki_index_t empty = {0};
    f = open_memstream(&buf, &len);
    assert_int_equal(pki_list_write(f, &empty, true, now), 0);
    fclose(f);
    assert_string_equal(buf, "[]\n");
    free(buf);
    /* At the instant of not-after a certificate is expired. */
    assert_int_equal(pki_entry_status(&e[0], 1804136767), PKI_STATUS_EXPIRED);
    assert_int_equal(pki_entry_status(&e[0], 1804136766), PKI_STATUS_VALID);
}

static void test_index_round_trip(void **state)
{
    (void)state;
    char d[160], err[512];
    snprintf(d, sizeof(d), "%s/idx", root);
    assert_int_equal(mkdir(d, 0700), 0);
    pki_entry_t e[2] = {
        {.serial = "ABCDEF0123456789", .name = "s.1", .not_after = 1804136767},
        {.serial = "1",
         .name = "s_2",
         .not_after = 1580515200,
         .revoked = true,
         .revoked_at = 1768465800},
    };
    pki_index_t idx = {e, 2, 2};
    assert_int_equal(pki_index_save(d, &idx, err, sizeof(err)), 0);
    assert_string_equal(slurp(path_of(d, "index.txt")),
                        "# socctl pki index: serial name not-after status revoked-at (tabs)\n"
                        "ABCDEF0123456789\ts.1\t20270304050607Z\tvalid\t-\n"
                        "1\ts_2\t20200201000000Z\trevoked\t20260115083000Z\n");
    pki_index_t back;
    assert_int_equal(pki_index_load(d, &back, err, sizeof(err)), 0);
    assert_int_equal(back.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(back.v[i].serial, e[i].serial);
        assert_string_equal(back.v[i].name, e[i].name);
        assert_int_equal(back.v[i].not_after, e[i].not_after);
        assert_int_equal(back.v[i].revoked, e[i].revoked);
        assert_int_equal(back.v[i].revoked_at, e[i].revoked_at);
    }
    pki_index_free(&back);
}

static void test_index_errors(void **state)
{
    (void)state;
    char d[160], err[512], want[512];
    snprintf(d, sizeof(d), "%s/bad-index", root);
    assert_int_equal(mkdir(d, 0700), 0);
    const char *p = path_of(d, "index.txt");
    char path[256];
    snprintf(path, sizeof(path), "%s", p);
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"# c\n\nAB\ts\t20270304050607Z\tvalid\n", ":3: expected 5 tab-separated fields"},
        {"AB\ts\t20270304050607Z\tvalid\t-\textra\n", ":1: expected 5 tab-separated fields"},
        {"ab\ts\t20270304050607Z\tvalid\t-\n", ":1: bad serial (upper-case hex, 1-40 digits)"},
        {"\ts\t20270304050607Z\tvalid\t-\n", ":1: bad serial (upper-case hex, 1-40 digits)"},
        {"AB\t../x\t20270304050607Z\tvalid\t-\n", ":1: bad name"},
        {"AB\ts\t2027030405060Z\tvalid\t-\n", ":1: bad not-after (YYYYMMDDHHMMSSZ)"},
        {"AB\ts\t20270304050607Z\tgood\t-\n", ":1: status must be 'valid' or 'revoked'"},
        {"AB\ts\t20270304050607Z\tvalid\t20270304050607Z\n",
         ":1: revoked-at must be '-' for a valid certificate"},
        {"AB\ts\t20270304050607Z\trevoked\t-\n", ":1: bad revoked-at (YYYYMMDDHHMMSSZ)"},
        {"AB\ts\t20270304050607Z\tvalid\t-\r\n", ":1: revoked-at must be '-' for a valid "
                                                 "certificate"},
    };
    pki_index_t idx;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_text(path, cases[i].text, strlen(cases[i].text));
        assert_int_equal(pki_index_load(d, &idx, err, sizeof(err)), -1);
        snprintf(want, sizeof(want), "%s%s", path, cases[i].msg);
        assert_string_equal(err, want);
        assert_null(idx.v);
    }
    /* 41 hex digits: longer than RFC 5280 allows. */
    char line[PKI_SERIAL_MAX + 64];
    memset(line, 'A', 41);
    strcpy(line + 41, "\ts\t20270304050607Z\tvalid\t-\n");
    write_text(path, line, strlen(line));
    assert_int_equal(pki_index_load(d, &idx, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:1: bad serial (upper-case hex, 1-40 digits)", path);
    assert_string_equal(err, want);
    /* A NUL byte, and an over-long line. */
    write_text(path, "AB\0\n", 4);
    assert_int_equal(pki_index_load(d, &idx, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: contains a NUL byte", path);
    assert_string_equal(err, want);
    char big[400];
    memset(big, 'A', sizeof(big));
    write_text(path, big, sizeof(big));
    assert_int_equal(pki_index_load(d, &idx, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:1: line too long", path);
    assert_string_equal(err, want);
    /* The last line needs no newline; comments and blank lines are skipped. */
    const char *ok = "# c\n\n1\ts\t20270304050607Z\tvalid\t-";
    write_text(path, ok, strlen(ok));
    assert_int_equal(pki_index_load(d, &idx, err, sizeof(err)), 0);
    assert_int_equal(idx.n, 1);
    assert_string_equal(idx.v[0].serial, "1");
    pki_index_free(&idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_fields),           cmocka_unit_test(test_server_fields),
        cmocka_unit_test(test_init_files),          cmocka_unit_test(test_init_refuses_overwrite),
        cmocka_unit_test(test_init_bad_options),    cmocka_unit_test(test_issue_fields),
        cmocka_unit_test(test_issue_times_and_out), cmocka_unit_test(test_issue_refuses_duplicate),
        cmocka_unit_test(test_missing_pki),         cmocka_unit_test(test_revoke),
        cmocka_unit_test(test_name_validation),     cmocka_unit_test(test_server_name_validation),
        cmocka_unit_test(test_parse_time),          cmocka_unit_test(test_list_output),
        cmocka_unit_test(test_index_round_trip),    cmocka_unit_test(test_index_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
