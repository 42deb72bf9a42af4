/* test_tls_cert.c -- the Certificate message parser (tls.c), the X.509
 * fields in Suricata's form (tls_cert.c) and their EVE rendering.
 *
 * Certificate messages are built by hand (RFC 5246 7.4.2: a 3-byte list
 * length, then each certificate with a 3-byte length); their expected
 * splits follow from those lengths. The certificates are
 * tests/data/tls/{leaf,ca,odd}.der; the expected strings are openssl's
 * (`openssl x509 -noout -subject -issuer -serial -fingerprint -dates
 * -nameopt oneline,-esc_msb`, recorded in tests/data/tls/README.md)
 * converted by hand to Suricata's forms:
 *   - names: spaces around '=' dropped; emailAddress -> Email, UID ->
 *     OID(0.9.2342.19200300.100.1.1), jurisdictionC -> msJurisdictionCountry,
 *     pseudonym -> OID(2.5.4.65) (x509-parser's labels);
 *   - serial: the DER INTEGER bytes, so openssl's E1A2B3C4D5E6F708 gets the
 *     leading 00 DER puts before a high bit: 00:E1:A2:B3:C4:D5:E6:F7:08;
 *   - fingerprint: openssl's, lower-cased;
 *   - dates: `date -u -d '2024-03-01 08:00:00' +%s` = 1709280000. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_layer.h"
#include "app/tls.h"
#include "app/tls_cert.h"
#include "output/eve_app.h"

/* ---- test data ---- */

static char data_dir[512];

static int setup_dir(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    if (src) {
        snprintf(data_dir, sizeof(data_dir), "%s/tests/data/tls", src);
    } else { /* run by hand: derive the repo from this file's path */
        snprintf(data_dir, sizeof(data_dir), "%s", __FILE__);
        char *cut = strstr(data_dir, "tests/unit/");
        if (cut) strcpy(cut, "tests/data/tls");
    }
    return 0;
}

/* A file of tests/data/tls, malloc'ed. */
static uint8_t *load(const char *name, size_t *len)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t tmp[8192];
    *len = fread(tmp, 1, sizeof(tmp), f);
    fclose(f);
    assert_true(*len > 0 && *len < sizeof(tmp));
    uint8_t *p = malloc(*len);
    assert_non_null(p);
    memcpy(p, tmp, *len);
    return p;
}

/* ---- the Certificate message ---- */

/* Two certificates "AAAA" and "BBBBBB": body 3 + 7 + 9 = 19 bytes. */
static const uint8_t two[] = {0x0b, 0x00, 0x00, 0x13, 0x00, 0x00, 0x10, 0x00, 0x00, 0x04, 'A', 'A',
                              'A',  'A',  0x00, 0x00, 0x06, 'B',  'B',  'B',  'B',  'B',  'B'};

static void test_certificate_message(void **state)
{
    (void)state;
    tls_certs_t c;
    assert_int_equal(sizeof(two), 23);
    assert_int_equal(tls_parse_certificate(two, sizeof(two), &c), APP_PARSE_DONE);
    assert_int_equal(c.n, 2);
    assert_false(c.truncated);
    assert_ptr_equal(c.der[0].p, two + 10);
    assert_int_equal(c.der[0].len, 4);
    assert_ptr_equal(c.der[1].p, two + 17);
    assert_int_equal(c.der[1].len, 6);
    assert_ptr_equal(c.list.p, two + 7);
    assert_int_equal(c.list.len, 16);

    /* Every prefix: MORE until the list length is there (7 bytes), then
     * the certificates wholly present, marked cut. */
    for (size_t i = 0; i < sizeof(two); i++) {
        app_parse_t st = tls_parse_certificate(two, i, &c);
        if (i < 7) {
            assert_int_equal(st, APP_PARSE_MORE);
            continue;
        }
        assert_int_equal(st, APP_PARSE_DONE);
        assert_true(c.truncated);
        assert_int_equal(c.n, i < 14 ? 0 : 1);
        assert_int_equal(c.list.len, i < 14 ? 0 : 7);
    }

    /* An empty list is a valid message without certificates. */
    const uint8_t none[] = {0x0b, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    assert_int_equal(tls_parse_certificate(none, sizeof(none), &c), APP_PARSE_DONE);
    assert_int_equal(c.n, 0);
    assert_false(c.truncated);

    /* Seventeen 1-byte certificates: the first sixteen are kept. */
    uint8_t many[7 + 17 * 4];
    memcpy(many, "\x0b\x00\x00\x47\x00\x00\x44", 7); /* body 71, list 68 */
    for (int i = 0; i < 17; i++)
        memcpy(many + 7 + 4 * i, "\x00\x00\x01", 3), many[10 + 4 * i] = (uint8_t)i;
    assert_int_equal(tls_parse_certificate(many, sizeof(many), &c), APP_PARSE_DONE);
    assert_int_equal(c.n, TLS_MAX_CERTS);
    assert_true(c.truncated);
    assert_int_equal(c.der[15].p[0], 15);
    assert_int_equal(c.list.len, 16 * 4);
}

static void test_certificate_malformed(void **state)
{
    (void)state;
    tls_certs_t c;
    uint8_t m[sizeof(two)];
    /* Not a Certificate. */
    memcpy(m, two, sizeof(m));
    m[0] = 0x0c;
    assert_int_equal(tls_parse_certificate(m, sizeof(m), &c), APP_PARSE_ERROR);
    /* Body too short for the list length. */
    assert_int_equal(tls_parse_certificate((const uint8_t *)"\x0b\x00\x00\x02\x00\x00", 6, &c),
                     APP_PARSE_ERROR);
    /* List length other than the body's. */
    memcpy(m, two, sizeof(m));
    m[6] = 0x0f;
    assert_int_equal(tls_parse_certificate(m, sizeof(m), &c), APP_PARSE_ERROR);
    /* Second certificate overruns the list (7 > 6 left). */
    memcpy(m, two, sizeof(m));
    m[16] = 0x07;
    assert_int_equal(tls_parse_certificate(m, sizeof(m), &c), APP_PARSE_ERROR);
    /* ... seen as soon as its length is there; before, a cut chain. */
    assert_int_equal(tls_parse_certificate(m, 17, &c), APP_PARSE_ERROR);
    assert_int_equal(tls_parse_certificate(m, 16, &c), APP_PARSE_DONE);
    assert_true(c.truncated);
    /* An empty certificate. */
    const uint8_t empty[] = {0x0b, 0x00, 0x00, 0x06, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    assert_int_equal(tls_parse_certificate(empty, sizeof(empty), &c), APP_PARSE_ERROR);
    /* Two stray bytes after the last certificate. */
    const uint8_t stray[] = {0x0b, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x09, 0x00,
                             0x00, 0x04, 'A',  'A',  'A',  'A',  0x00, 0x00};
    assert_int_equal(tls_parse_certificate(stray, sizeof(stray), &c), APP_PARSE_ERROR);
    /* A Certificate may be longer than a hello: the peek lets it through. */
    uint8_t type;
    size_t mlen;
    const uint8_t big[4] = {0x0b, 0x10, 0x00, 0x00};
    assert_int_equal(tls_handshake_peek(big, 4, &type, &mlen), APP_PARSE_MORE);
    assert_int_equal(mlen, 4 + 0x100000);
}

/* ---- X.509 ---- */

static const char LEAF_SUBJECT[] = "C=VN, ST=Can Tho, L=C\xe1\xba\xa7n Th\xc6\xa1, O=Example Inc, "
                                   "OU=Ops + OU=Web, CN=www.example.com, Email=admin@example.com";
static const char CA_NAME[] = "C=VN, O=SOC Test, CN=SOC Test Root CA";

static void test_leaf_and_ca(void **state)
{
    (void)state;
    static tls_cert_t c;
    size_t n;
    uint8_t *leaf = load("leaf.der", &n);
    assert_int_equal(n, 575);
    assert_true(tls_cert_parse(leaf, n, &c));
    assert_true(c.ok);
    assert_string_equal(c.subject, LEAF_SUBJECT);
    assert_int_equal(c.subject_len, strlen(LEAF_SUBJECT));
    assert_string_equal(c.issuer, CA_NAME);
    assert_int_equal(c.issuer_len, 37);
    assert_string_equal(c.serial, "00:E1:A2:B3:C4:D5:E6:F7:08");
    assert_int_equal(c.serial_len, 26);
    assert_string_equal(c.fingerprint,
                        "03:b9:95:cc:51:13:2d:ef:41:4b:13:b4:32:63:01:4b:8a:38:9d:fd");
    assert_true(c.has_validity);
    assert_int_equal(c.not_before, 1709280000); /* 2024-03-01 08:00:00 UTC */
    assert_int_equal(c.not_after, 1740816000);  /* 2025-03-01 08:00:00 UTC */
    free(leaf);

    uint8_t *ca = load("ca.der", &n);
    assert_true(tls_cert_parse(ca, n, &c));
    assert_string_equal(c.subject, CA_NAME);
    assert_string_equal(c.issuer, CA_NAME);
    assert_string_equal(c.serial, "3A");
    assert_string_equal(c.fingerprint,
                        "13:d6:6d:73:6f:8f:90:1d:cb:0e:ab:74:19:ee:04:e6:33:ce:7d:f0");
    assert_int_equal(c.not_before, 1709251200); /* 2024-03-01 00:00:00 */
    assert_int_equal(c.not_after, 2024784000);  /* 2034-03-01 00:00:00 */
    free(ca);
}

static void test_odd_names(void **state)
{
    (void)state;
    static tls_cert_t c;
    size_t n;
    uint8_t *odd = load("odd.der", &n);
    assert_true(tls_cert_parse(odd, n, &c));
    /* "Nguyễn Văn A" travels as a BMPString: converted to UTF-8. */
    assert_string_equal(c.subject, "DC=org, DC=example, OID(0.9.2342.19200300.100.1.1)=jdoe, "
                                   "serialNumber=A-1234, businessCategory=Private Organization, "
                                   "msJurisdictionCountry=VN, OID(2.5.4.65)=Ghost, "
                                   "CN=Nguy\xe1\xbb\x85n V\xc4\x83n A");
    assert_string_equal(c.serial, "7F");
    assert_string_equal(c.fingerprint,
                        "6d:3c:ed:86:d9:ca:ec:d2:f7:39:67:67:82:09:a3:5d:f4:e5:a8:3a");
    assert_int_equal(c.not_after, 1711929600); /* 2024-04-01 00:00:00 */
    free(odd);
}

static void test_bad_der(void **state)
{
    (void)state;
    static tls_cert_t c;
    size_t n;
    uint8_t *leaf = load("leaf.der", &n);
    /* Every cut: not a certificate, every field empty. */
    for (size_t i = 0; i < n; i++) {
        uint8_t *part = malloc(i ? i : 1);
        memcpy(part, leaf, i);
        assert_false(tls_cert_parse(part, i, &c));
        assert_false(c.ok);
        assert_int_equal(c.subject_len + c.issuer_len + c.serial_len, 0);
        assert_int_equal(c.fingerprint[0], '\0');
        free(part);
    }
    /* Every byte flipped: whatever decodes keeps its strings consistent. */
    for (size_t i = 0; i < n; i++) {
        leaf[i] ^= 0xff;
        if (tls_cert_parse(leaf, n, &c)) {
            assert_true(c.subject_len < sizeof(c.subject) && c.subject[c.subject_len] == '\0');
            assert_true(c.issuer_len < sizeof(c.issuer) && c.issuer[c.issuer_len] == '\0');
            assert_int_equal(strlen(c.serial), c.serial_len);
        }
        leaf[i] ^= 0xff;
    }
    assert_false(tls_cert_parse((const uint8_t *)"\x30\x03\x02\x01\x00", 5, &c));
    assert_false(tls_cert_parse(NULL, 0, &c));
    free(leaf);
}

/* Name text of hand-made DER: expected strings follow x509-parser's
 * rules (see tls_cert.h). */
static void name_is(const uint8_t *der, size_t n, const char *want, size_t want_len)
{
    char out[256];
    assert_int_equal(tls_cert_name_text(der, n, out, sizeof(out)), want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[want_len], '\0');
}

static void test_name_text(void **state)
{
    (void)state;
    /* A two-valued RDN, then OID 1.2.3.4 with an INTEGER value: hex. */
    const uint8_t multi[] = {0x30, 0x23, 0x31, 0x14, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04,
                             0x03, 0x0c, 0x01, 'a',  0x30, 0x08, 0x06, 0x03, 0x55, 0x04,
                             0x03, 0x0c, 0x01, 'b',  0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
                             0x2a, 0x03, 0x04, 0x02, 0x02, 0x01, 0xff};
    name_is(multi, sizeof(multi), "CN=a + CN=b, OID(1.2.3.4)=01FF", 30);
    /* A UTF8String that is not UTF-8 spoils the whole name, as in Suricata. */
    const uint8_t bad_utf8[] = {0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55,
                                0x04, 0x0a, 0x0c, 0x02, 0xc3, 0x28};
    uint8_t der[64] = {0x30, sizeof(bad_utf8)};
    memcpy(der + 2, bad_utf8, sizeof(bad_utf8));
    name_is(der, 2 + sizeof(bad_utf8), "<X509Error: Invalid X.509 name>", 31);
    /* BMPString "A" + U+1F600 as a surrogate pair; a lone surrogate. */
    const uint8_t bmp[] = {0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06, 0x03, 0x55, 0x04,
                           0x03, 0x1e, 0x06, 0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00};
    name_is(bmp, sizeof(bmp), "CN=A\xf0\x9f\x98\x80", 8);
    uint8_t lone[sizeof(bmp)];
    memcpy(lone, bmp, sizeof(lone));
    lone[17] = 0x00; /* high surrogate followed by U+0000 */
    name_is(lone, sizeof(lone), "<X509Error: Invalid X.509 name>", 31);
    /* An empty RDN: after text, x509-parser still writes the ", ". */
    const uint8_t empty_rdn[] = {0x30, 0x0e, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
                                 0x55, 0x04, 0x03, 0x0c, 0x01, 'a',  0x31, 0x00};
    name_is(empty_rdn, sizeof(empty_rdn), "CN=a, ", 6);
    const uint8_t empty_first[] = {0x30, 0x0e, 0x31, 0x00, 0x31, 0x0a, 0x30, 0x08,
                                   0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'a'};
    name_is(empty_first, sizeof(empty_first), "CN=a", 4);
    /* OID 2.999 (first byte pair 0x88 0x37 = 1079 = 2*40 + 999) and a
     * value with a high tag number: hex of its contents. */
    const uint8_t big_arc[] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x02,
                               0x88, 0x37, 0x1f, 0x81, 0x00, 0x01, 0xab};
    name_is(big_arc, sizeof(big_arc), "OID(2.999)=AB", 13);
    /* Broken DER, a text over the room given: absent. */
    char out[8];
    assert_int_equal(tls_cert_name_text(multi, sizeof(multi) - 1, out, sizeof(out)), 0);
    assert_int_equal(tls_cert_name_text(multi, sizeof(multi), out, sizeof(out)), 0);
    assert_string_equal(out, "");
    const uint8_t overrun[] = {0x30, 0x05, 0x31, 0x09, 0x30, 0x07, 0x06};
    assert_int_equal(tls_cert_name_text(overrun, sizeof(overrun), out, sizeof(out)), 0);
    const uint8_t no_oid[] = {0x30, 0x06, 0x31, 0x04, 0x30, 0x02, 0x0c, 0x00};
    assert_int_equal(tls_cert_name_text(no_oid, sizeof(no_oid), out, sizeof(out)), 0);
    const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
    assert_int_equal(tls_cert_name_text(indefinite, sizeof(indefinite), out, sizeof(out)), 0);
    /* Broken after some text was written: none of it stays. */
    char big[64];
    uint8_t late[sizeof(empty_rdn)];
    memcpy(late, empty_rdn, sizeof(late));
    late[14] = 0x32; /* the second RDN is not a SET */
    assert_int_equal(tls_cert_name_text(late, sizeof(late), big, sizeof(big)), 0);
    assert_string_equal(big, "");
}

static void test_time_text(void **state)
{
    (void)state;
    char t[32];
    tls_cert_time_text(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00");
    tls_cert_time_text(1709280000, t);
    assert_string_equal(t, "2024-03-01T08:00:00");
    tls_cert_time_text(951782399, t); /* date -u -d @951782399: 2000-02-28 23:59:59 */
    assert_string_equal(t, "2000-02-28T23:59:59");
    tls_cert_time_text(253402300799LL, t); /* the last second of 9999 */
    assert_string_equal(t, "9999-12-31T23:59:59");
}

/* ---- EVE ---- */

static void test_eve_certificate(void **state)
{
    (void)state;
    static tls_cert_t c;
    size_t n;
    uint8_t *leaf = load("leaf.der", &n);
    assert_true(tls_cert_parse(leaf, n, &c));
    tls_info_t t;
    memset(&t, 0, sizeof(t));
    t.sni.p = "www.example.com";
    t.sni.len = 15;
    t.version = 0x0303;
    t.cert = &c;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    eve_app_tls(&w, &t);
    jw_object_close(&w);
    assert_string_equal(
        w.buf, "{\"tls\":{\"subject\":\"C=VN, ST=Can Tho, L=C\xe1\xba\xa7n Th\xc6\xa1, "
               "O=Example Inc, OU=Ops + OU=Web, CN=www.example.com, Email=admin@example.com\","
               "\"issuerdn\":\"C=VN, O=SOC Test, CN=SOC Test Root CA\","
               "\"serial\":\"00:E1:A2:B3:C4:D5:E6:F7:08\","
               "\"fingerprint\":\"03:b9:95:cc:51:13:2d:ef:41:4b:13:b4:32:63:01:4b:8a:38:9d:fd\","
               "\"sni\":\"www.example.com\",\"version\":\"TLS 1.2\","
               "\"notbefore\":\"2024-03-01T08:00:00\",\"notafter\":\"2025-03-01T08:00:00\"}}");
    jw_free(&w);
    free(leaf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_message),
        cmocka_unit_test(test_certificate_malformed),
        cmocka_unit_test(test_leaf_and_ca),
        cmocka_unit_test(test_odd_names),
        cmocka_unit_test(test_bad_der),
        cmocka_unit_test(test_name_text),
        cmocka_unit_test(test_time_text),
        cmocka_unit_test(test_eve_certificate),
    };
    return cmocka_run_group_tests(tests, setup_dir, NULL);
}
