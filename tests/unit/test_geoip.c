/* Unit tests for sensor/enrich/geoip.c.
 *
 * Expected values are taken from MaxMind-DB's JSON sources, independent of
 * libmaxminddb (../shared/data/geoip/source-data/):
 *   GeoIP2-City-Test.json:
 *     ::81.2.69.160/123     GB "United Kingdom", city "London"
 *     ::89.160.20.112/124   SE "Sweden", city "Link\u00f6ping"
 *     ::175.16.199.0/120    CN "China", city "Changchun"
 *     2001:218::/32         JP "Japan", no city
 *     2001:480:10::/48      US "United States", city "San Diego"
 *     ::2.3.3.0/120         continent only (no country, no city)
 *   GeoLite2-ASN-Test.json:
 *     1.0.0.0/24       15169 "Google Inc."
 *     1.128.0.0/11     1221  "Telstra Pty Ltd"
 *     12.81.96.0/19    7018  (no organisation)
 *     81.128.0.0/11    2856  "BTnet UK Regional network"
 *     89.160.20.112/29 29518 "Bredband2 AB"
 *     2001:1700::/27   6730  "Sunrise Communications AG"
 *   8.8.8.8 is in neither (MANIFEST.md: "not found"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "enrich/geoip.h"

static char dir[1024];
static char err[512];

/* Rotating buffers so two paths can be passed in one call. */
static const char *data_path(const char *file)
{
    static char path[4][1200];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof(path[0]), "%s/%s", dir, file);
    return p;
}

static int setup_dir(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    if (src) {
        snprintf(dir, sizeof(dir), "%s/tests/data/geoip", src);
    } else { /* run by hand: derive the repo from this file's path */
        snprintf(dir, sizeof(dir), "%s", __FILE__);
        char *cut = strstr(dir, "tests/unit/");
        if (cut) strcpy(cut, "tests/data/geoip");
    }
    return 0;
}

/* Parse text into (version, addr[16]) with inet_pton. */
static int parse(const char *text, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, text, addr) == 1) return 4;
    if (inet_pton(AF_INET6, text, addr) == 1) return 6;
    fail_msg("bad address in test: %s", text);
    return 0;
}

static bool lookup(geoip_t *g, const char *ip, geoip_info_t *out)
{
    uint8_t a[16];
    int v = parse(ip, a);
    return geoip_lookup(g, v, a, out);
}

static bool is_private(const char *ip)
{
    uint8_t a[16];
    int v = parse(ip, a);
    return geoip_is_private(v, a);
}

static void expect_place(geoip_t *g, const char *ip, const char *iso, const char *country,
                         const char *city)
{
    geoip_info_t i;
    if (!lookup(g, ip, &i)) fail_msg("%s: not found", ip);
    assert_int_equal(i.has_country, 1);
    assert_string_equal(i.country_iso, iso);
    assert_string_equal(i.country, country);
    if (city) {
        assert_int_equal(i.has_city, 1);
        assert_string_equal(i.city, city);
    } else {
        assert_int_equal(i.has_city, 0);
        assert_string_equal(i.city, "");
    }
}

static void expect_as(geoip_t *g, const char *ip, uint32_t asn, const char *org)
{
    geoip_info_t i;
    if (!lookup(g, ip, &i)) fail_msg("%s: not found", ip);
    assert_int_equal(i.has_asn, 1);
    assert_int_equal(i.asn, asn);
    assert_string_equal(i.as_org, org);
}

static void test_private_ranges(void **state)
{
    (void)state;
    static const char *const priv[] = {"0.0.0.0",
                                       "0.255.255.255",
                                       "10.0.0.0",
                                       "10.255.255.255",
                                       "100.64.0.0",
                                       "100.127.255.255",
                                       "127.0.0.1",
                                       "169.254.0.1",
                                       "172.16.0.0",
                                       "172.31.255.255",
                                       "192.0.0.8",
                                       "192.0.2.1",
                                       "192.168.0.1",
                                       "192.168.255.255",
                                       "198.18.0.1",
                                       "198.19.255.255",
                                       "198.51.100.7",
                                       "203.0.113.9",
                                       "224.0.0.1",
                                       "239.255.255.250",
                                       "240.0.0.1",
                                       "255.255.255.255",
                                       "::",
                                       "::1",
                                       "::ffff:10.0.0.1",
                                       "::ffff:192.168.1.1",
                                       "64:ff9b::10.1.2.3",
                                       "64:ff9b:1::1",
                                       "fc00::1",
                                       "fdff:ffff::1",
                                       "fe80::1",
                                       "febf::1",
                                       "fec0::1",
                                       "ff02::1",
                                       "ff0e::1",
                                       "2001:db8::1",
                                       "2001:db8:ffff::1",
                                       "2001:2::1",
                                       "3fff::1",
                                       "3fff:fff::1",
                                       "100::1",
                                       "::127.0.0.1",
                                       "4000::1",
                                       "e000::1"};
    static const char *const pub[] = {
        "1.1.1.1",          "8.8.8.8",         "9.255.255.255",   "11.0.0.0",
        "100.63.255.255",   "100.128.0.0",     "126.255.255.255", "128.0.0.0",
        "169.253.255.255",  "169.255.0.0",     "172.15.255.255",  "172.32.0.0",
        "192.0.1.1",        "192.0.3.1",       "192.167.255.255", "192.169.0.0",
        "198.17.255.255",   "198.20.0.0",      "198.51.101.1",    "203.0.114.1",
        "223.255.255.255",  "2001:4860::8888", "2a02:d3c0::1",    "2001:db9::1",
        "2001:3::1",        "3ffe::1",         "3fff:1000::1",    "::ffff:8.8.8.8",
        "64:ff9b::8.8.8.8", "2000::1",         "3fff:ffff::1"};
    for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
        if (!is_private(priv[i])) fail_msg("%s should be private", priv[i]);
    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
        if (is_private(pub[i])) fail_msg("%s should be public", pub[i]);
    uint8_t a[16] = {8, 8, 8, 8};
    assert_true(geoip_is_private(5, a)); /* no such IP version */
}

static void test_city_lookups(void **state)
{
    (void)state;
    geoip_t *g = geoip_open(data_path("GeoIP2-City-Test.mmdb"), NULL, err, sizeof(err));
    if (!g) fail_msg("%s", err);
    expect_place(g, "81.2.69.160", "GB", "United Kingdom", "London");
    expect_place(g, "81.2.69.191", "GB", "United Kingdom", "London"); /* end of the /27 */
    expect_place(g, "89.160.20.112", "SE", "Sweden", "Link\xc3\xb6ping");
    expect_place(g, "175.16.199.1", "CN", "China", "Changchun");
    expect_place(g, "2001:218::1", "JP", "Japan", NULL);
    expect_place(g, "2001:480:10::1", "US", "United States", "San Diego");
    /* IPv6 forms carrying an IPv4 address */
    expect_place(g, "::ffff:81.2.69.160", "GB", "United Kingdom", "London");
    expect_place(g, "64:ff9b::81.2.69.160", "GB", "United Kingdom", "London");

    geoip_info_t i;
    memset(&i, 0x55, sizeof(i));
    assert_false(lookup(g, "2.3.3.3", &i)); /* entry without country or city */
    assert_int_equal(i.has_country, 0);
    assert_string_equal(i.country_iso, "");
    assert_false(lookup(g, "8.8.8.8", &i));
    assert_false(lookup(g, "1.128.0.1", &i)); /* an ASN-only address */
    assert_int_equal(i.has_asn, 0);

    /* private addresses never reach the database */
    uint64_t hits0, db0, hits1, db1;
    geoip_counters(g, &hits0, &db0);
    assert_false(lookup(g, "10.1.2.3", &i));
    assert_false(lookup(g, "fe80::1", &i));
    assert_false(lookup(g, "::ffff:192.168.0.1", &i));
    geoip_counters(g, &hits1, &db1);
    assert_int_equal(hits1, hits0);
    assert_int_equal(db1, db0);
    geoip_close(g);
}

static void test_asn_lookups(void **state)
{
    (void)state;
    geoip_t *g = geoip_open(NULL, data_path("GeoLite2-ASN-Test.mmdb"), err, sizeof(err));
    if (!g) fail_msg("%s", err);
    expect_as(g, "1.0.0.1", 15169, "Google Inc.");
    expect_as(g, "1.128.0.1", 1221, "Telstra Pty Ltd");
    expect_as(g, "1.159.255.255", 1221, "Telstra Pty Ltd"); /* end of the /11 */
    expect_as(g, "12.81.96.5", 7018, "");
    expect_as(g, "81.128.0.1", 2856, "BTnet UK Regional network");
    expect_as(g, "2001:1700::1", 6730, "Sunrise Communications AG");
    geoip_info_t i;
    assert_true(lookup(g, "1.0.0.1", &i));
    assert_int_equal(i.has_country, 0);
    assert_int_equal(i.has_city, 0);
    assert_false(lookup(g, "8.8.8.8", &i));
    geoip_close(g);
}

static void test_both_databases(void **state)
{
    (void)state;
    geoip_t *g = geoip_open(data_path("GeoIP2-City-Test.mmdb"), data_path("GeoLite2-ASN-Test.mmdb"),
                            err, sizeof(err));
    if (!g) fail_msg("%s", err);
    geoip_info_t i;
    assert_true(lookup(g, "89.160.20.112", &i));
    assert_string_equal(i.country_iso, "SE");
    assert_string_equal(i.city, "Link\xc3\xb6ping");
    assert_int_equal(i.asn, 29518);
    assert_string_equal(i.as_org, "Bredband2 AB");
    /* 81.2.69.160 is outside 81.128.0.0/11: a city but no AS */
    assert_true(lookup(g, "81.2.69.160", &i));
    assert_string_equal(i.city, "London");
    assert_int_equal(i.has_asn, 0);
    assert_int_equal(i.asn, 0);
    assert_string_equal(i.as_org, "");
    /* only the ASN database knows this one */
    assert_true(lookup(g, "1.128.0.1", &i));
    assert_int_equal(i.has_country, 0);
    assert_int_equal(i.asn, 1221);
    geoip_close(g);
}

static void test_country_database(void **state)
{
    (void)state;
    geoip_t *g = geoip_open(data_path("GeoIP2-Country-Test.mmdb"), NULL, err, sizeof(err));
    if (!g) fail_msg("%s", err);
    expect_place(g, "2001:218::1", "JP", "Japan", NULL);
    expect_place(g, "81.2.69.160", "GB", "United Kingdom", NULL);
    geoip_close(g);
}

static void test_cache(void **state)
{
    (void)state;
    geoip_t *g = geoip_open(data_path("GeoIP2-City-Test.mmdb"), data_path("GeoLite2-ASN-Test.mmdb"),
                            err, sizeof(err));
    assert_non_null(g);
    uint64_t hits, db;
    geoip_info_t a, b;
    assert_true(lookup(g, "81.2.69.160", &a));
    geoip_counters(g, &hits, &db);
    assert_int_equal(hits, 0);
    assert_int_equal(db, 1);
    assert_true(lookup(g, "81.2.69.160", &b));
    assert_memory_equal(&a, &b, sizeof(a));
    assert_false(lookup(g, "8.8.8.8", &b)); /* negative results are cached too */
    assert_false(lookup(g, "8.8.8.8", &b));
    geoip_counters(g, &hits, &db);
    assert_int_equal(hits, 2);
    assert_int_equal(db, 2);
    /* many addresses: evictions never mix up results */
    for (int round = 0; round < 2; round++) {
        for (uint32_t x = 0; x < 20000; x++) {
            uint8_t addr[16] = {1, (uint8_t)(128 + (x >> 16) % 32), (uint8_t)(x >> 8), (uint8_t)x};
            assert_true(geoip_lookup(g, 4, addr, &b));
            assert_int_equal(b.asn, 1221);
            assert_true(lookup(g, "89.160.20.112", &b));
            assert_string_equal(b.city, "Link\xc3\xb6ping");
        }
    }
    geoip_close(g);
    /* a NULL handle finds nothing */
    assert_false(lookup(NULL, "81.2.69.160", &b));
    assert_int_equal(b.has_country, 0);
    geoip_close(NULL);
}

static void test_open_errors(void **state)
{
    (void)state;
    char want[1400];
    assert_null(geoip_open("/nonexistent/City.mmdb", NULL, err, sizeof(err)));
    assert_string_equal(
        err, "/nonexistent/City.mmdb: cannot open GeoIP database: No such file or directory");
    assert_null(geoip_open(NULL, NULL, err, sizeof(err)));
    assert_string_equal(err, "no GeoIP database given");

    const char *asn = data_path("GeoLite2-ASN-Test.mmdb");
    snprintf(want, sizeof(want),
             "%s: wrong database type 'GeoLite2-ASN' (want a City or Country database)", asn);
    assert_null(geoip_open(asn, NULL, err, sizeof(err)));
    assert_string_equal(err, want);

    /* the second database failing releases the first (checked by ASan) */
    char city[1200];
    snprintf(city, sizeof(city), "%s", data_path("GeoIP2-City-Test.mmdb"));
    snprintf(want, sizeof(want), "%s: wrong database type 'GeoIP2-City' (want an ASN database)",
             city);
    assert_null(geoip_open(city, city, err, sizeof(err)));
    assert_string_equal(err, want);

    const char *bad = data_path("libmaxminddb-offset-integer-overflow.mmdb");
    snprintf(want, sizeof(want), "%s: cannot open GeoIP database: ", bad);
    assert_null(geoip_open(bad, NULL, err, sizeof(err)));
    assert_memory_equal(err, want, strlen(want));
    assert_true(strlen(err) > strlen(want));

    assert_null(geoip_open("/nonexistent/x.mmdb", NULL, NULL, 0)); /* no err buffer */
}

static void test_broken_database(void **state)
{
    (void)state;
    /* Intentionally broken (static MaxMind test file): must not crash. */
    geoip_t *g =
        geoip_open(data_path("GeoIP2-City-Test-Broken-Double-Format.mmdb"), NULL, err, sizeof(err));
    if (!g) return; /* refusing it is fine too */
    static const char *const ips[] = {"81.2.69.160",  "89.160.20.112", "2001:218::1",
                                      "175.16.199.1", "8.8.8.8",       "2a02:d3c0::1"};
    geoip_info_t i;
    for (size_t k = 0; k < sizeof(ips) / sizeof(ips[0]); k++)
        (void)lookup(g, ips[k], &i);
    geoip_close(g);
}

/* Flip bytes of a good database at pseudo-random places and look up many
 * addresses in each copy: every outcome is fine except a crash. */
static void test_corrupted_copies(void **state)
{
    (void)state;
    FILE *f = fopen(data_path("GeoIP2-City-Test.mmdb"), "rb");
    assert_non_null(f);
    static unsigned char orig[65536];
    size_t n = fread(orig, 1, sizeof(orig), f);
    fclose(f);
    assert_true(n > 1000 && n < sizeof(orig));
    char path[] = "/tmp/test_geoip_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static unsigned char copy[65536];
    uint32_t seed = 7;
    for (int round = 0; round < 60; round++) {
        memcpy(copy, orig, n);
        for (int k = 0; k < 8; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            copy[pos] = (unsigned char)(seed >> 16);
        }
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(copy, 1, n, f), n);
        fclose(f);
        geoip_t *g = geoip_open(path, NULL, err, sizeof(err));
        if (!g) continue;
        geoip_info_t i;
        for (uint32_t x = 0; x < 256; x++) {
            uint8_t a[16] = {(uint8_t)(x * 37), (uint8_t)(x * 11), (uint8_t)x, 1};
            (void)geoip_lookup(g, 4, a, &i);
            assert_true(strlen(i.country) < sizeof(i.country));
            uint8_t b[16] = {0x20, 0x01, 0x02, (uint8_t)x};
            (void)geoip_lookup(g, 6, b, &i);
        }
        (void)lookup(g, "81.2.69.160", &i);
        geoip_close(g);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_ranges),   cmocka_unit_test(test_city_lookups),
        cmocka_unit_test(test_asn_lookups),      cmocka_unit_test(test_both_databases),
        cmocka_unit_test(test_country_database), cmocka_unit_test(test_cache),
        cmocka_unit_test(test_open_errors),      cmocka_unit_test(test_broken_database),
        cmocka_unit_test(test_corrupted_copies),
    };
    return cmocka_run_group_tests(tests, setup_dir, NULL);
}
