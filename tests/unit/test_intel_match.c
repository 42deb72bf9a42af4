/* Unit tests for threat-intel matching (correlator/context/intel.c,
 * intel_event.c, intel_value.c): domains and their subdomains, CIDR edges,
 * nested prefixes, expiry at the exact boundary, URL normalisation, hashes,
 * whole EVE events; and the lookup speed (printed, not asserted). Expected
 * hits are worked out by hand from the indicators added in setup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "context/intel.h"
#include "json_reader.h"

#define T0  1709289600000000LL /* 2024-03-01T10:40:00Z, city_mix.pcap's clock */
#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define JA3 "e5a177480afbfff910a9b41d878c988a"

static char err[512];

static void add(intel_set_t *set, intel_type_t type, const char *value, const char *source,
                int conf, int64_t expires)
{
    int r =
        intel_add(set, type, value, strlen(value), source, conf, expires, NULL, err, sizeof(err));
    if (r < 0) fail_msg("add %s: %s", value, err);
}

static int setup(void **state)
{
    intel_set_t *set = intel_new();
    if (!set) return -1;
    add(set, INTEL_DOMAIN, "evil.example", "feed-a", 70, INTEL_NEVER);
    add(set, INTEL_DOMAIN, "Tracker.Example", "feed-a", 40, INTEL_NEVER);
    add(set, INTEL_CIDR, "203.0.113.0/24", "feed-a", 60, INTEL_NEVER);
    add(set, INTEL_CIDR, "10.0.0.0/8", "wide", 10, INTEL_NEVER);
    add(set, INTEL_CIDR, "10.1.0.0/16", "mid", 20, INTEL_NEVER);
    add(set, INTEL_IP, "10.1.2.3", "host", 30, INTEL_NEVER);
    add(set, INTEL_CIDR, "2001:db8:bad::/48", "feed-a", 65, INTEL_NEVER);
    add(set, INTEL_IP, "2001:db8::66", "feed-a", 66, INTEL_NEVER);
    add(set, INTEL_IP, "198.51.100.9", "expiring", 50, T0 + 1000000); /* one second after T0 */
    add(set, INTEL_IP, "198.51.100.10", "feed-a", 55, INTEL_NEVER);
    add(set, INTEL_IP, "198.51.100.10", "feed-b", 45, INTEL_NEVER);
    add(set, INTEL_IP, "198.51.100.11", "feed-a", 20, T0);
    add(set, INTEL_IP, "198.51.100.11", "feed-a", 35, T0 + 5); /* same source: merged */
    add(set, INTEL_URL, "http://Bad.Example:80/dl/x.exe?a=1", "feed-a", 75, INTEL_NEVER);
    add(set, INTEL_URL, "https://bad.example/login", "feed-a", 76, INTEL_NEVER);
    add(set, INTEL_URL, "http://bad.example:8080/panel", "feed-a", 77, INTEL_NEVER);
    add(set, INTEL_URL, "http://[2001:DB8::1]:80", "feed-a", 78, INTEL_NEVER);
    add(set, INTEL_JA3, JA3, "ja3-feed", 85, INTEL_NEVER);
    add(set, INTEL_SHA256, SHA, "hash-feed", 95, INTEL_NEVER);
    add(set, INTEL_IP, "89.160.20.128", "cantho-soc", 80, INTEL_NEVER);
    add(set, INTEL_DOMAIN, "ab3520430c23.com", "et", 70, INTEL_NEVER);
    if (!intel_finish(set, err, sizeof(err))) return -1;
    *state = set;
    return 0;
}

static int teardown(void **state)
{
    intel_free(*state);
    return 0;
}

static size_t dom(const intel_set_t *set, const char *d, intel_hit_t *h)
{
    return intel_match_domain(set, d, strlen(d), 0, "f", h, 8);
}

static size_t ip(const intel_set_t *set, const char *a, int64_t ts, intel_hit_t *h, size_t max)
{
    ctx_ip_t x;
    if (!ctx_ip_parse(a, strlen(a), &x)) fail_msg("bad test address %s", a);
    return intel_match_ip(set, x, ts, "f", h, max);
}

static size_t url(const intel_set_t *set, const char *u, intel_hit_t *h)
{
    return intel_match_url(set, u, strlen(u), 0, "f", h, 8);
}

static void test_domains(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    static const char *const yes[] = {"evil.example",       "a.evil.example", "a.b.evil.example",
                                      "EVIL.Example.",      "x.EVIL.example", "tracker.example",
                                      "cdn.tracker.example"};
    static const char *const no[] = {"notevil.example", "evil.example.com",
                                     "example",         "vil.example",
                                     "evil-example",    "evilexample",
                                     ".example",        "",
                                     "a.evil.exampl",   "tracker.example.evil.examplex"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (dom(set, yes[i], h) != 1) fail_msg("%s: no hit", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (dom(set, no[i], h) != 0) fail_msg("%s: hit %s", no[i], h[0].value);
    assert_int_equal(dom(set, "a.b.evil.example", h), 1);
    assert_string_equal(h[0].value, "evil.example");
    assert_string_equal(h[0].field, "f");
    assert_int_equal(dom(set, "tracker.example", h), 1);
    assert_string_equal(h[0].value, "tracker.example"); /* stored lower-case */
    /* a name too long for DNS is no name */
    char longname[300];
    memset(longname, 'a', 280);
    strcpy(longname + 280, ".evil.example");
    assert_int_equal(dom(set, longname, h), 0);
}

static void test_cidr_edges(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    assert_int_equal(ip(set, "203.0.113.0", 0, h, 8), 1);
    assert_string_equal(h[0].value, "203.0.113.0/24");
    assert_int_equal(ip(set, "203.0.113.255", 0, h, 8), 1);
    assert_int_equal(ip(set, "203.0.112.255", 0, h, 8), 0);
    assert_int_equal(ip(set, "203.0.114.0", 0, h, 8), 0);
    assert_int_equal(ip(set, "2001:db8:bad::", 0, h, 8), 1);
    assert_string_equal(h[0].value, "2001:db8:bad::/48");
    assert_int_equal(ip(set, "2001:db8:bad:ffff:ffff:ffff:ffff:ffff", 0, h, 8), 1);
    assert_int_equal(ip(set, "2001:db8:bae::", 0, h, 8), 0);
    assert_int_equal(ip(set, "2001:db8:bac:ffff:ffff:ffff:ffff:ffff", 0, h, 8), 0);
    assert_int_equal(ip(set, "2001:db8::66", 0, h, 8), 1);
    assert_string_equal(h[0].value, "2001:db8::66");
    assert_int_equal(ip(set, "2001:db8::67", 0, h, 8), 0);
    /* IPv4 prefixes hold no IPv6 address, and the other way round */
    assert_int_equal(ip(set, "::cb00:7101", 0, h, 8), 0); /* 203.0.113.1 as bits, not mapped */
    assert_int_equal(ip(set, "::ffff:203.0.113.1", 0, h, 8), 1);
}

/* Every prefix containing the address hits, most specific first, after an
 * exact address. */
static void test_nested(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    assert_int_equal(ip(set, "10.1.2.3", 0, h, 8), 3);
    assert_string_equal(h[0].value, "10.1.2.3");
    assert_string_equal(h[0].source, "host");
    assert_int_equal(h[0].type, INTEL_IP);
    assert_string_equal(h[1].value, "10.1.0.0/16");
    assert_string_equal(h[1].source, "mid");
    assert_string_equal(h[2].value, "10.0.0.0/8");
    assert_string_equal(h[2].source, "wide");
    assert_int_equal(ip(set, "10.1.9.9", 0, h, 8), 2);
    assert_string_equal(h[0].value, "10.1.0.0/16");
    assert_int_equal(ip(set, "10.200.0.1", 0, h, 8), 1);
    assert_string_equal(h[0].value, "10.0.0.0/8");
    assert_int_equal(ip(set, "10.1.2.3", 0, h, 2), 2); /* max respected */
    assert_int_equal(ip(set, "11.0.0.0", 0, h, 8), 0);
}

static void test_expiry(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    /* expires at T0 + 1 s: matches before, not at, not after */
    assert_int_equal(ip(set, "198.51.100.9", T0, h, 8), 1);
    assert_true(h[0].expires_usec == T0 + 1000000);
    assert_int_equal(ip(set, "198.51.100.9", T0 + 999999, h, 8), 1);
    assert_int_equal(ip(set, "198.51.100.9", T0 + 1000000, h, 8), 0);
    assert_int_equal(ip(set, "198.51.100.9", T0 + 1000001, h, 8), 0);
    /* same value and source twice: one indicator, later expiry, higher confidence */
    assert_int_equal(ip(set, "198.51.100.11", T0 + 4, h, 8), 1);
    assert_int_equal(h[0].confidence, 35);
    assert_true(h[0].expires_usec == T0 + 5);
    assert_int_equal(ip(set, "198.51.100.11", T0 + 5, h, 8), 0);
    /* two sources: two hits */
    assert_int_equal(ip(set, "198.51.100.10", 0, h, 8), 2);
    assert_string_equal(h[0].source, "feed-a");
    assert_int_equal(h[0].confidence, 55);
    assert_string_equal(h[1].source, "feed-b");
    assert_int_equal(h[1].confidence, 45);
    assert_true(h[0].id != h[1].id);
}

static void test_urls(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    static const char *const yes[] = {
        "http://bad.example/dl/x.exe?a=1",
        "HTTP://BAD.EXAMPLE/dl/x.exe?a=1",
        "http://bad.example:80/dl/x.exe?a=1",
        "http://bad.example:0080/dl/x.exe?a=1",
        "http://bad.example/dl/x.exe?a=1#top",
        "https://bad.example/login",
        "https://bad.example:443/login",
        "http://bad.example:8080/panel",
        "http://[2001:db8::1]/",
        "http://[2001:db8::1]",
    };
    static const char *const no[] = {
        "http://bad.example/DL/x.exe?a=1",
        "http://bad.example/dl/x.exe?a=2",
        "http://bad.example/dl/x.exe",
        "https://bad.example/dl/x.exe?a=1",
        "http://bad.example/login",
        "https://bad.example:8443/login",
        "http://bad.example/panel",
        "http://bad.example:80/panel",
        "bad.example/login",
        "http://bad.example:99999/login",
        "http://bad.example:8o/login",
        "http:// bad.example/login",
        "",
        "http://",
    };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (url(set, yes[i], h) != 1) fail_msg("%s: no hit", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (url(set, no[i], h) != 0) fail_msg("%s: hit %s", no[i], h[0].value);
    assert_int_equal(url(set, "http://bad.example/dl/x.exe?a=1", h), 1);
    assert_string_equal(h[0].value, "http://bad.example/dl/x.exe?a=1");
    assert_int_equal(url(set, "http://[2001:db8::1]/", h), 1);
    assert_string_equal(h[0].value, "http://[2001:db8::1]/");
}

static void test_hashes(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[8];
    assert_int_equal(intel_match_hash(set, INTEL_JA3, "E5A177480AFBFFF910A9B41D878C988A", 32, 0,
                                      "tls.ja3.hash", h, 8),
                     1);
    assert_string_equal(h[0].value, JA3);
    assert_string_equal(h[0].field, "tls.ja3.hash");
    assert_int_equal(intel_match_hash(set, INTEL_SHA256, SHA, 64, 0, "f", h, 8), 1);
    assert_int_equal(intel_match_hash(set, INTEL_SHA256, JA3, 32, 0, "f", h, 8), 0);
    assert_int_equal(intel_match_hash(set, INTEL_JA3, SHA, 64, 0, "f", h, 8), 0);
    assert_int_equal(intel_match_hash(set, INTEL_DOMAIN, JA3, 32, 0, "f", h, 8), 0);
    /* nothing matches a NULL or unfinished set */
    assert_int_equal(intel_match_hash(NULL, INTEL_JA3, JA3, 32, 0, "f", h, 8), 0);
    intel_set_t *open = intel_new();
    add(open, INTEL_JA3, JA3, "x", 1, INTEL_NEVER);
    assert_int_equal(intel_match_hash(open, INTEL_JA3, JA3, 32, 0, "f", h, 8), 0);
    intel_free(open);
}

/* ---- events ------------------------------------------------------------------- */

static size_t event(const intel_set_t *set, const char *json, int64_t ts, intel_hit_t *h,
                    size_t max)
{
    json_tok_t toks[512];
    int n = json_parse(json, strlen(json), toks, 512, err, sizeof(err));
    if (n < 0) fail_msg("test event: %s", err);
    corr_doc_t d = {json, strlen(json), toks, n};
    return intel_match_event(set, &d, ts, h, max);
}

static void expect(const intel_hit_t *h, const char *value, const char *field)
{
    assert_string_equal(h->value, value);
    assert_string_equal(h->field, field);
}

static void test_event_fields(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[16];
    /* EVE lines as soc-sensor writes them for pcaps/city_mix.pcap */
    size_t n = event(set,
                     "{\"timestamp\":\"2024-03-01T10:40:00.384000+0000\",\"flow_id\":1,"
                     "\"event_type\":\"alert\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,"
                     "\"dest_ip\":\"10.20.0.10\",\"dest_port\":80,\"proto\":\"TCP\","
                     "\"app_proto\":\"http\",\"http\":{\"hostname\":\"dichvucong.cantho.gov.vn\","
                     "\"url\":\"/tracuu?maHoSo=1\"}}",
                     T0, h, 16);
    assert_int_equal(n, 2);
    expect(&h[0], "89.160.20.128", "src_ip");
    expect(&h[1], "10.0.0.0/8", "dest_ip");
    n = event(set,
              "{\"event_type\":\"dns\",\"src_ip\":\"10.10.2.40\",\"dest_ip\":\"203.0.113.2\","
              "\"dns\":{\"type\":\"query\",\"rrname\":\"ab3520430c23.com\",\"rrtype\":\"A\"}}",
              T0, h, 16);
    assert_int_equal(n, 3);
    expect(&h[0], "10.0.0.0/8", "src_ip");
    expect(&h[1], "203.0.113.0/24", "dest_ip");
    expect(&h[2], "ab3520430c23.com", "dns.rrname");
    /* Suricata 7/8 query arrays; answers: A/AAAA rdata is an address, CNAME a name */
    n = event(set,
              "{\"event_type\":\"dns\",\"dns\":{\"queries\":[{\"rrname\":\"www.evil.example\"}],"
              "\"query\":[{\"rrname\":\"x.tracker.example\"}, 5],"
              "\"answers\":[{\"rrname\":\"a.example\",\"rrtype\":\"CNAME\","
              "\"rdata\":\"cdn.tracker.example\"},{\"rrname\":\"a.example\",\"rrtype\":\"A\","
              "\"rdata\":\"198.51.100.10\"},{\"rrtype\":\"AAAA\",\"rdata\":\"2001:db8::66\"},"
              "{\"rrtype\":\"TXT\",\"rdata\":\"evil.example\"}]}}",
              T0, h, 16);
    assert_int_equal(n, 5);
    expect(&h[0], "tracker.example", "dns.query[].rrname");
    expect(&h[1], "evil.example", "dns.queries[].rrname");
    expect(&h[2], "198.51.100.10", "dns.answers[].rdata");
    assert_string_equal(h[2].source, "feed-a");
    expect(&h[3], "198.51.100.10", "dns.answers[].rdata");
    assert_string_equal(h[3].source, "feed-b");
    expect(&h[4], "2001:db8::66", "dns.answers[].rdata");
    /* the CNAME's tracker.example was already hit through dns.query: listed once */
    n = event(set,
              "{\"event_type\":\"tls\",\"tls\":{\"sni\":\"login.evil.example\","
              "\"ja3\":{\"hash\":\"" JA3 "\"}}}",
              T0, h, 16);
    assert_int_equal(n, 2);
    expect(&h[0], "evil.example", "tls.sni");
    expect(&h[1], JA3, "tls.ja3.hash");
    n = event(set, "{\"event_type\":\"fileinfo\",\"fileinfo\":{\"sha256\":\"" SHA "\"}}", T0, h,
              16);
    assert_int_equal(n, 1);
    expect(&h[0], SHA, "fileinfo.sha256");
}

static void test_event_urls(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[16];
    /* path + Host + port 80 (dest_port) */
    size_t n = event(set,
                     "{\"dest_port\":80,\"http\":{\"hostname\":\"BAD.example\","
                     "\"url\":\"/dl/x.exe?a=1\"}}",
                     0, h, 16);
    assert_int_equal(n, 1);
    expect(&h[0], "http://bad.example/dl/x.exe?a=1", "http.url");
    /* the Host header's port (http_port) wins over dest_port */
    n = event(set,
              "{\"dest_port\":80,\"http\":{\"hostname\":\"bad.example\",\"http_port\":8080,"
              "\"url\":\"/panel\"}}",
              0, h, 16);
    assert_int_equal(n, 1);
    expect(&h[0], "http://bad.example:8080/panel", "http.url");
    n = event(set,
              "{\"dest_port\":8080,\"http\":{\"hostname\":\"bad.example\",\"url\":\"/panel\"}}", 0,
              h, 16);
    assert_int_equal(n, 1);
    /* a proxy request carries the absolute URL */
    n = event(set,
              "{\"dest_port\":3128,\"http\":{\"hostname\":\"bad.example\","
              "\"url\":\"http://bad.example/dl/x.exe?a=1\"}}",
              0, h, 16);
    assert_int_equal(n, 1);
    expect(&h[0], "http://bad.example/dl/x.exe?a=1", "http.url");
    /* IPv6 literal host */
    n = event(set, "{\"dest_port\":80,\"http\":{\"hostname\":\"2001:db8::1\",\"url\":\"/\"}}", 0, h,
              16);
    assert_int_equal(n, 1);
    expect(&h[0], "http://[2001:db8::1]/", "http.url");
    /* no host: no URL */
    n = event(set, "{\"dest_port\":80,\"http\":{\"url\":\"/dl/x.exe?a=1\"}}", 0, h, 16);
    assert_int_equal(n, 0);
    /* the port is 80 when nothing says otherwise */
    n = event(set, "{\"http\":{\"hostname\":\"bad.example\",\"url\":\"/dl/x.exe?a=1\"}}", 0, h, 16);
    assert_int_equal(n, 1);
}

static void test_event_odd(void **state)
{
    const intel_set_t *set = *state;
    intel_hit_t h[4];
    /* wrong types, escapes, bad addresses: no crash, only real hits */
    assert_int_equal(
        event(set, "{\"src_ip\":5,\"dest_ip\":null,\"dns\":\"x\",\"tls\":[1]}", 0, h, 4), 0);
    assert_int_equal(event(set, "{\"src_ip\":\"10.1.2.3x\",\"http\":{\"hostname\":7}}", 0, h, 4),
                     0);
    assert_int_equal(event(set, "{\"tls\":{\"sni\":\"\\u0065vil.example\"}}", 0, h, 4), 1);
    assert_int_equal(event(set, "{\"tls\":{\"sni\":\"evil.example\\u0000.x\"}}", 0, h, 4), 0);
    assert_int_equal(event(set, "[1,2]", 0, h, 4), 0);
    assert_int_equal(event(set, "{}", 0, h, 4), 0);
    /* the caller's bound holds */
    assert_int_equal(event(set, "{\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"198.51.100.10\"}", 0, h, 4),
                     4);
    assert_int_equal(event(set, "{\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"198.51.100.10\"}", 0, h, 2),
                     2);
    /* expiry uses the event time */
    assert_int_equal(event(set, "{\"src_ip\":\"198.51.100.9\"}", T0, h, 4), 1);
    assert_int_equal(event(set, "{\"src_ip\":\"198.51.100.9\"}", T0 + 1000000, h, 4), 0);
}

/* ---- speed --------------------------------------------------------------------- */

static double seconds(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* The full ipsum list when ../shared has it, else 100,000 made-up
 * addresses; printed, not asserted. */
static void test_speed(void **state)
{
    (void)state;
    intel_set_t *set = intel_new();
    const char *sh = getenv("SOC_SHARED_DIR");
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/data/intel/ipsum/ipsum.txt", sh ? sh : "../shared");
    intel_feed_t f;
    intel_feed_defaults(&f, "ipsum", INTEL_FMT_IPSUM);
    ctx_diag_t quiet = {NULL, NULL, 1, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (stat(path, &sb) == 0) {
        if (!intel_load_file(set, &f, path, &quiet, NULL, err, sizeof(err))) fail_msg("%s", err);
    } else {
        char a[32];
        for (unsigned i = 0; i < 100000; i++) {
            snprintf(a, sizeof(a), "%u.%u.%u.%u", 1 + i % 200, (i * 7) & 255, (i * 13) & 255,
                     i & 255);
            intel_add(set, INTEL_IP, a, strlen(a), "synthetic", 50, INTEL_NEVER, NULL, err,
                      sizeof(err));
        }
    }
    for (unsigned i = 0; i < 1000; i++) {
        char c[32];
        snprintf(c, sizeof(c), "%u.%u.0.0/16", 100 + i / 256, i % 256);
        intel_add(set, INTEL_CIDR, c, strlen(c), "cidrs", 50, INTEL_NEVER, NULL, err, sizeof(err));
    }
    assert_true(intel_finish(set, err, sizeof(err)));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("intel: %zu indicators loaded and built in %.3f s\n", intel_count(set, INTEL_TYPE_COUNT),
           seconds(t0, t1));

    enum { N = 2000000 };
    intel_hit_t h[8];
    uint64_t x = 88172645463325252ull, hits = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ctx_ip_t q = {0, 0x0000ffff00000000ull | (x & 0xffffffffu)};
        hits += intel_match_ip(set, q, 0, "src_ip", h, 8);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = seconds(t0, t1);
    printf("intel ip lookup: %.1f M/s (%.0f ns each), %llu hits\n", N / s / 1e6, s / N * 1e9,
           (unsigned long long)hits);

    static const char ev[] =
        "{\"timestamp\":\"2024-03-01T10:40:00.020000+0000\",\"flow_id\":8803531905564675,"
        "\"event_type\":\"tls\",\"src_ip\":\"10.10.1.25\",\"src_port\":51000,\"dest_ip\":"
        "\"10.20.0.10\",\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"tls\":{\"sni\":"
        "\"dichvucong.cantho.gov.vn\",\"version\":\"TLS 1.3\",\"ja3\":{\"hash\":"
        "\"e5a177480afbfff910a9b41d878c988a\"}},\"sensor\":{\"name\":\"vm\",\"boot_id\":"
        "\"31bc6db5ea05c44ae2607301180382dc\",\"seq\":5}}";
    json_tok_t toks[128];
    int nt = json_parse(ev, strlen(ev), toks, 128, err, sizeof(err));
    assert_true(nt > 0);
    corr_doc_t d = {ev, strlen(ev), toks, nt};
    enum { M = 500000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < M; i++)
        hits += intel_match_event(set, &d, 0, h, 8);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s = seconds(t0, t1);
    printf("intel event match (tls event): %.2f M events/s (%.0f ns each)\n", M / s / 1e6,
           s / M * 1e9);
    intel_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_odd, setup, teardown),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
