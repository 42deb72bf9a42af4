/* Unit tests for the threat-intel loaders (correlator/context/intel_*.c):
 * plain lists, CSV, Adblock, ipsum, STIX 2.1, the feeds file, and the
 * RFC 3339 parser they share. Expected messages and counts are written by
 * hand from the inputs; epoch values come from `date -u -d ... +%s`
 * (2026-01-01T00:00:00Z = 1767225600). Counts over the public samples were
 * taken from the files themselves (their MANIFEST, grep, a Python count of
 * the STIX patterns), not from this code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "context/intel.h"

#define T2026 1767225600000000LL /* 2026-01-01T00:00:00Z in microseconds */
#define SHA   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define MAX_LINES 64
static char lines[MAX_LINES][CTX_DIAG_LINE_MAX];
static size_t nlines;

static void collect(void *arg, const char *line)
{
    (void)arg;
    if (nlines < MAX_LINES) snprintf(lines[nlines], sizeof(lines[0]), "%s", line);
    nlines++;
}

static ctx_diag_t diag = {collect, NULL, 1000, 0};
static char err[512];
static intel_load_stats_t st;

static int setup(void **state)
{
    *state = intel_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    intel_free(*state);
    return 0;
}

static bool load_n(intel_set_t *set, const intel_feed_t *f, const char *name, const char *text,
                   size_t len)
{
    nlines = 0;
    err[0] = '\0';
    memset(&st, 0, sizeof(st));
    return intel_load_buffer(set, f, name, text, len, &diag, &st, err, sizeof(err));
}

static bool load(intel_set_t *set, const intel_feed_t *f, const char *name, const char *text)
{
    return load_n(set, f, name, text, strlen(text));
}

static void expect_lines(const char *const *want, size_t n)
{
    for (size_t i = 0; i < nlines && i < n; i++)
        assert_string_equal(lines[i], want[i]);
    if (nlines != n) fail_msg("%zu lines, want %zu (first: %s)", nlines, n, nlines ? lines[0] : "");
}

static void expect_stats(size_t loaded, size_t dup, size_t bad, size_t unsup, size_t filtered)
{
    assert_int_equal(st.loaded, loaded);
    assert_int_equal(st.duplicates, dup);
    assert_int_equal(st.bad, bad);
    assert_int_equal(st.unsupported, unsup);
    assert_int_equal(st.filtered, filtered);
}

static void finish(intel_set_t *set)
{
    if (!intel_finish(set, err, sizeof(err))) fail_msg("%s", err);
}

/* The single hit for an address / name / url / hash, checked in full. */
static void expect_hit(const intel_hit_t *h, size_t n, intel_type_t type, const char *value,
                       const char *source, int conf, int64_t expires, const char *desc)
{
    assert_int_equal(n, 1);
    assert_int_equal(h->type, type);
    assert_string_equal(h->value, value);
    assert_string_equal(h->source, source);
    assert_int_equal(h->confidence, conf);
    assert_true(h->expires_usec == expires);
    assert_string_equal(h->description, desc);
}

static size_t ip_hits(const intel_set_t *set, const char *ip, int64_t ts, intel_hit_t *h,
                      size_t max)
{
    ctx_ip_t a;
    if (!ctx_ip_parse(ip, strlen(ip), &a)) fail_msg("bad test address %s", ip);
    return intel_match_ip(set, a, ts, "f", h, max);
}

static size_t dom_hits(const intel_set_t *set, const char *d, intel_hit_t *h)
{
    return intel_match_domain(set, d, strlen(d), 0, "f", h, 8);
}

/* ---- RFC 3339 ---------------------------------------------------------------- */

static void test_time(void **state)
{
    (void)state;
    int64_t t;
    assert_true(ctx_time_parse("2026-01-01T00:00:00Z", 20, &t));
    assert_true(t == T2026);
    assert_true(ctx_time_parse("2026-01-01", 10, &t));
    assert_true(t == T2026);
    assert_true(ctx_time_parse("2025-12-31T23:00:00-01:00", 25, &t));
    assert_true(t == T2026);
    assert_true(ctx_time_parse("2026-01-01T07:00:00+0700", 24, &t)); /* EVE's form */
    assert_true(t == T2026);
    assert_true(ctx_time_parse("2024-03-01T10:40:00.002000+0000", 31, &t));
    assert_true(t == 1709289600000000LL + 2000); /* date -u -d 2024-03-01T10:40:00Z +%s */
    assert_true(ctx_time_parse("2026-01-01t00:00:00.5z", 22, &t));
    assert_true(t == T2026 + 500000);
    assert_true(ctx_time_parse("1970-01-01T00:00:00Z", 20, &t));
    assert_true(t == 0);
    assert_true(ctx_time_parse("2024-02-29", 10, &t)); /* leap year */
    static const char *const bad[] = {
        "2023-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-01-32",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00Zjunk",
        "2026-01-01T00:00Z",
        "26-01-01",
        "2026-01-01T00:00:00.Z",
        "1969-12-31",
        "2026-01-01T00:00:00+2400",
        "",
        "yesterday",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ctx_time_parse(bad[i], strlen(bad[i]), &t)) fail_msg("accepted '%s'", bad[i]);
}

/* ---- plain lists --------------------------------------------------------------- */

static const char plain[] = "# watch list\n"                                 /* 1 */
                            "198.51.100.7\n"                                 /* 2 */
                            "203.0.113.0/24   # a comment after the value\n" /* 3 */
                            "Evil.Example.\n"                                /* 4 */
                            "http://EVIL.example:80/a?b#frag\n"              /* 5 */
                            "0123456789ABCDEF0123456789abcdef\n"             /* 6 */
    SHA "\n"                                                                 /* 7 */
                            "not a value!\n"                                 /* 8 */
                            "10.0.0.1/8\n"                                   /* 9 */
                            "1.2.3.4 extra\n"                                /* 10 */
                            "\n"                                             /* 11 */
                            "\t  # indented comment\r\n"                     /* 12 */
                            "*.wild.example\r\n"                             /* 13 */
                            "single\n"                                       /* 14 */
                            "2001:DB8::1\n"                                  /* 15 */
                            "300.1.2.3\n"                                    /* 16 */
                            "198.51.100.7\n"                                 /* 17 */
                            "http://\n"                                      /* 18 */
                            "a..b.example";                                  /* 19 */

static void test_plain_auto(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "plain-feed", INTEL_FMT_PLAIN);
    assert_true(load(set, &f, "p.txt", plain));
    static const char *const want[] = {
        "p.txt:8: unexpected text after the value: 'a value!'",
        "p.txt:9: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)",
        "p.txt:10: unexpected text after the value: 'extra'",
        "p.txt:14: not an ip, cidr, domain, url, ja3 or sha256 value: 'single'",
        "p.txt:16: not an ip, cidr, domain, url, ja3 or sha256 value: '300.1.2.3'",
        "p.txt:18: expected an absolute URL (scheme://host/path), got 'http://'",
        "p.txt:19: not an ip, cidr, domain, url, ja3 or sha256 value: 'a..b.example'",
    };
    expect_lines(want, sizeof(want) / sizeof(want[0]));
    expect_stats(8, 1, 7, 0, 0);
    finish(set);
    assert_int_equal(intel_count(set, INTEL_TYPE_COUNT), 8);
    assert_int_equal(intel_count(set, INTEL_IP), 2);
    assert_int_equal(intel_count(set, INTEL_CIDR), 1);
    assert_int_equal(intel_count(set, INTEL_DOMAIN), 2);
    assert_int_equal(intel_count(set, INTEL_URL), 1);
    assert_int_equal(intel_count(set, INTEL_JA3), 1);
    assert_int_equal(intel_count(set, INTEL_SHA256), 1);
    intel_hit_t h[8];
    size_t n = ip_hits(set, "198.51.100.7", 0, h, 8);
    expect_hit(h, n, INTEL_IP, "198.51.100.7", "plain-feed", 50, INTEL_NEVER, "");
    n = ip_hits(set, "203.0.113.77", 0, h, 8);
    expect_hit(h, n, INTEL_CIDR, "203.0.113.0/24", "plain-feed", 50, INTEL_NEVER, "");
    n = ip_hits(set, "2001:db8:0::1", 0, h, 8);
    expect_hit(h, n, INTEL_IP, "2001:db8::1", "plain-feed", 50, INTEL_NEVER, "");
    n = dom_hits(set, "x.evil.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "evil.example", "plain-feed", 50, INTEL_NEVER, "");
    n = dom_hits(set, "a.wild.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "wild.example", "plain-feed", 50, INTEL_NEVER, "");
    n = intel_match_url(set, "http://evil.example/a?b", 23, 0, "f", h, 8);
    expect_hit(h, n, INTEL_URL, "http://evil.example/a?b", "plain-feed", 50, INTEL_NEVER, "");
    n = intel_match_hash(set, INTEL_JA3, "0123456789abcdef0123456789ABCDEF", 32, 0, "f", h, 8);
    expect_hit(h, n, INTEL_JA3, "0123456789abcdef0123456789abcdef", "plain-feed", 50, INTEL_NEVER,
               "");
    n = intel_match_hash(set, INTEL_SHA256, SHA, 64, 0, "f", h, 8);
    expect_hit(h, n, INTEL_SHA256, SHA, "plain-feed", 50, INTEL_NEVER, "");
}

static void test_plain_typed(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "typed", INTEL_FMT_PLAIN);
    f.type = INTEL_DOMAIN;
    f.confidence = 70;
    f.expires_usec = T2026;
    assert_true(load(set, &f, "d.txt", "evil.example\n1.2.3.4\n"));
    static const char *const w1[] = {"d.txt:2: expected a domain name, got '1.2.3.4'"};
    expect_lines(w1, 1);
    f.type = INTEL_IP;
    assert_true(load(set, &f, "i.txt", "10.0.0.0/8\n"));
    static const char *const w2[] = {"i.txt:1: expected an IPv4 or IPv6 address, got '10.0.0.0/8'"};
    expect_lines(w2, 1);
    f.type = INTEL_CIDR;
    assert_true(load(set, &f, "c.txt", "10.1.1.1\n"));
    assert_int_equal(nlines, 0);
    f.type = INTEL_JA3;
    assert_true(load(set, &f, "j.txt", "0123456789abcdef0123456789abcde\n"));
    static const char *const w3[] = {
        "j.txt:1: expected a JA3 hash (32 hex digits), got '0123456789abcdef0123456789abcde'"};
    expect_lines(w3, 1);
    f.type = INTEL_SHA256;
    assert_true(load(set, &f, "s.txt", "xyz\n"));
    static const char *const w4[] = {"s.txt:1: expected a SHA-256 hash (64 hex digits), got 'xyz'"};
    expect_lines(w4, 1);
    finish(set);
    intel_hit_t h[4];
    size_t n = ip_hits(set, "10.1.1.1", 0, h, 4);
    expect_hit(h, n, INTEL_CIDR, "10.1.1.1/32", "typed", 70, T2026, "");
    n = dom_hits(set, "evil.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "evil.example", "typed", 70, T2026, "");
}

static void test_plain_lines(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "l", INTEL_FMT_PLAIN);
    char buf[6000];
    size_t k = 0;
    memset(buf, 'a', 5000);
    k = 5000;
    memcpy(buf + k, "\nok.example\nbad\0x.example\n", 26);
    k += 26;
    assert_true(load_n(set, &f, "l.txt", buf, k));
    static const char *const want[] = {"l.txt:1: line longer than 4096 bytes",
                                       "l.txt:3: NUL byte in line"};
    expect_lines(want, 2);
    expect_stats(1, 0, 2, 0, 0);
    /* a byte order mark is not part of the first value */
    assert_true(load(set, &f, "bom.txt",
                     "\xef\xbb\xbf"
                     "bom.example\n"));
    expect_stats(1, 0, 0, 0, 0);
    /* empty files are fine */
    assert_true(load(set, &f, "empty.txt", ""));
    expect_stats(0, 0, 0, 0, 0);
}

/* A file of many bad lines shows the first `limit` and counts the rest. */
static void test_diag_limit(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "l", INTEL_FMT_PLAIN);
    char buf[1000] = "";
    for (int i = 0; i < 30; i++)
        strcat(buf, "bad!\n");
    ctx_diag_t limited = {collect, NULL, 0, 0}; /* 0: the default, 20 */
    nlines = 0;
    assert_true(
        intel_load_buffer(set, &f, "many.txt", buf, strlen(buf), &limited, &st, err, sizeof(err)));
    assert_int_equal(nlines, 21);
    assert_string_equal(lines[0], "many.txt:1: not an ip, cidr, domain, url, ja3 or sha256 value: "
                                  "'bad!'");
    assert_string_equal(lines[19], "many.txt:20: not an ip, cidr, domain, url, ja3 or sha256 "
                                   "value: 'bad!'");
    assert_string_equal(lines[20], "many.txt: 10 more problems not shown");
    assert_int_equal(limited.lines, 21);
}

/* ---- Adblock ------------------------------------------------------------------- */

static void test_adblock(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "ab", INTEL_FMT_ADBLOCK);
    assert_true(load(set, &f, "a.txt",
                     "[Adblock Plus]\n"                 /* 1 */
                     "! Title: test\n"                  /* 2 */
                     "||bad.example^\n"                 /* 3 */
                     "||Other.Bad.Example^\n"           /* 4 */
                     "||tracker.example^$third-party\n" /* 5 */
                     "@@||good.example^\n"              /* 6 */
                     "||wild*.example^\n"               /* 7 */
                     "example.org##.ad\n"               /* 8 */
                     "||bad_label!.example^\n"          /* 9 */
                     "||bad.example^\n"                 /* 10 */
                     "||path.example/x^\n"));           /* 11 */
    static const char *const want[] = {
        "a.txt:5: only '||domain^' rules are supported, skipped '||tracker.example^$third-party'",
        "a.txt:6: only '||domain^' rules are supported, skipped '@@||good.example^'",
        "a.txt:7: only '||domain^' rules are supported, skipped '||wild*.example^'",
        "a.txt:8: only '||domain^' rules are supported, skipped 'example.org##.ad'",
        "a.txt:9: expected a domain name, got 'bad_label!.example'",
        "a.txt:11: only '||domain^' rules are supported, skipped '||path.example/x^'",
    };
    expect_lines(want, sizeof(want) / sizeof(want[0]));
    expect_stats(2, 1, 1, 5, 0);
    finish(set);
    intel_hit_t h[4];
    size_t n = dom_hits(set, "x.other.bad.example", h); /* under both names */
    assert_int_equal(n, 2);
    assert_string_equal(h[0].value, "other.bad.example"); /* most specific first */
    assert_string_equal(h[1].value, "bad.example");
    n = dom_hits(set, "other.bad.example", h);
    assert_int_equal(n, 2);
    n = dom_hits(set, "bad.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "bad.example", "ab", 50, INTEL_NEVER, "");
    assert_int_equal(dom_hits(set, "good.example", h), 0);
}

/* The ET-derived list in rules/intel/: its header says 2,059 entries. */
static void test_adblock_et(void **state)
{
    intel_set_t *set = *state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/rules/intel/et-derived-domains.txt", src ? src : ".");
    intel_feed_t f;
    intel_feed_defaults(&f, "et-derived-domains", INTEL_FMT_ADBLOCK);
    f.confidence = 70;
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    expect_stats(2059, 0, 0, 0, 0);
    finish(set);
    intel_hit_t h[4];
    size_t n = dom_hits(set, "ab3520430c23.com", h); /* city_mix.pcap looks it up */
    expect_hit(h, n, INTEL_DOMAIN, "ab3520430c23.com", "et-derived-domains", 70, INTEL_NEVER, "");
}

/* ---- ipsum ------------------------------------------------------------------- */

static void test_ipsum(void **state)
{
    intel_set_t *set = *state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/data/intel/ipsum-head.txt", src ? src : ".");
    intel_feed_t f;
    intel_feed_defaults(&f, "ipsum", INTEL_FMT_IPSUM);
    f.min_count = 8;
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    expect_stats(23, 0, 0, 0, 10); /* 3 x 10, 6 x 9, 14 x 8 kept; 10 x 7 under min-count */

    assert_true(load(set, &f, "s.txt",
                     "# header\n"         /* 1 */
                     "1.2.3.4\n"          /* 2 */
                     "1.2.3.5\tx\n"       /* 3 */
                     "1.2.3.6\t0\n"       /* 4 */
                     "example.com\t3\n"   /* 5 */
                     "1.2.3.7\t3\n"       /* 6: under min-count 8 */
                     "1.2.3.8 \t 12\n")); /* 7 */
    static const char *const want[] = {
        "s.txt:2: expected 'IP<TAB>count' (count 1..1000000), got '1.2.3.4'",
        "s.txt:3: expected 'IP<TAB>count' (count 1..1000000), got '1.2.3.5?x'",
        "s.txt:4: expected 'IP<TAB>count' (count 1..1000000), got '1.2.3.6?0'",
        "s.txt:5: expected an IPv4 or IPv6 address, got 'example.com'",
    };
    expect_lines(want, 4);
    expect_stats(1, 0, 4, 0, 1);
    finish(set);
    intel_hit_t h[4];
    size_t n = ip_hits(set, "77.90.185.20", 0, h, 4); /* count 10 */
    expect_hit(h, n, INTEL_IP, "77.90.185.20", "ipsum", 100, INTEL_NEVER, "");
    n = ip_hits(set, "2.57.122.53", 0, h, 4); /* count 9 */
    expect_hit(h, n, INTEL_IP, "2.57.122.53", "ipsum", 90, INTEL_NEVER, "");
    n = ip_hits(set, "2.57.122.238", 0, h, 4); /* count 8 */
    expect_hit(h, n, INTEL_IP, "2.57.122.238", "ipsum", 80, INTEL_NEVER, "");
    n = ip_hits(set, "1.2.3.8", 0, h, 4); /* count 12 */
    expect_hit(h, n, INTEL_IP, "1.2.3.8", "ipsum", 100, INTEL_NEVER, "");
    assert_int_equal(ip_hits(set, "45.148.10.152", 0, h, 4), 0); /* count 7 */
    assert_int_equal(ip_hits(set, "1.2.3.7", 0, h, 4), 0);
}

/* ---- CSV --------------------------------------------------------------------- */

static const char csv[] =
    "# comment\n"                                                                 /* 1 */
    "type,value,source,confidence,expires,description\n"                          /* 2 */
    "ip,198.51.100.1,cert-vn,90,2026-01-01T00:00:00Z,\"C2, seen \"\"live\"\"\"\n" /* 3 */
    "domain,evil.example,,,,\n"                                                   /* 4 */
    ",203.0.113.0/24,,75,never,\n"                                                /* 5 */
    "hash,abc,,,,\n"                                                              /* 6 */
    "ip,1.2.3.4,src,101,,\n"                                                      /* 7 */
    "ip,1.2.3.5,src,50,yesterday,\n"                                              /* 8 */
    "ip,1.2.3.6,src,50\n"                                                         /* 9 */
    "ip,\"1.2.3.7,src,50,,\n"                                                     /* 10 */
    "url,http://Evil.Example/x,src,50,2026-01-01,\"x\" y\n"                       /* 11 */
    "sha256," SHA ",\"my src\",10,2025-12-31T23:00:00-01:00,\n"                   /* 12 */
    "ja3,0123456789abcdef0123456789abcdef,src, 5 ,,\n"                            /* 13 */
    "ip,not-an-ip,src,,,\n"                                                       /* 14 */
    "ip,1.2.3.9,bad\001src,,,\n";                                                 /* 15 */

static void test_csv(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "csv-feed", INTEL_FMT_CSV);
    assert_true(load(set, &f, "c.csv", csv));
    static const char *const want[] = {
        "c.csv:6: type: unknown type 'hash' (expected ip, cidr, domain, url, ja3, sha256 or auto)",
        "c.csv:7: confidence: expected an integer 0..100, got '101'",
        ("c.csv:8: expires: expected an RFC 3339 time (2026-01-31T00:00:00Z) or 'never', got "
         "'yesterday'"),
        "c.csv:9: expected 6 fields, got 4",
        "c.csv:10: unterminated quoted field (quoted line breaks are not supported)",
        "c.csv:11: text after a closing quote",
        "c.csv:14: value: expected an IPv4 or IPv6 address, got 'not-an-ip'",
        "c.csv:15: source: expected printable ASCII of at most 64 bytes, got 'bad?src'",
    };
    expect_lines(want, sizeof(want) / sizeof(want[0]));
    expect_stats(5, 0, 8, 0, 0);
    finish(set);
    intel_hit_t h[4];
    size_t n = ip_hits(set, "198.51.100.1", 0, h, 4);
    expect_hit(h, n, INTEL_IP, "198.51.100.1", "cert-vn", 90, T2026, "C2, seen \"live\"");
    n = dom_hits(set, "evil.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "evil.example", "csv-feed", 50, INTEL_NEVER, "");
    n = ip_hits(set, "203.0.113.5", 0, h, 4);
    expect_hit(h, n, INTEL_CIDR, "203.0.113.0/24", "csv-feed", 75, INTEL_NEVER, "");
    n = intel_match_hash(set, INTEL_SHA256, SHA, 64, 0, "f", h, 4);
    expect_hit(h, n, INTEL_SHA256, SHA, "my src", 10, T2026, "");
    n = intel_match_hash(set, INTEL_JA3, "0123456789abcdef0123456789abcdef", 32, 0, "f", h, 4);
    expect_hit(h, n, INTEL_JA3, "0123456789abcdef0123456789abcdef", "src", 5, INTEL_NEVER, "");
    /* expiry: matches strictly before 2026-01-01T00:00:00Z */
    assert_int_equal(ip_hits(set, "198.51.100.1", T2026 - 1, h, 4), 1);
    assert_int_equal(ip_hits(set, "198.51.100.1", T2026, h, 4), 0);
}

static void test_csv_header(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "h", INTEL_FMT_CSV);
    assert_false(load(set, &f, "h.csv", "type,value,colour\n"));
    assert_string_equal(err, "h.csv:1: header: unknown column 'colour' (expected type, value, "
                             "source, confidence, expires, description)");
    assert_false(load(set, &f, "h.csv", "type,source\n"));
    assert_string_equal(err, "h.csv:1: header: no 'value' column");
    assert_false(load(set, &f, "h.csv", "# x\nvalue,VALUE\n"));
    assert_string_equal(err, "h.csv:2: header: column 'value' twice");
    assert_false(load(set, &f, "h.csv", "# only a comment\n"));
    assert_string_equal(err, "h.csv: no header line (type,value,source,confidence,expires)");
    assert_false(load(set, &f, "h.csv", "\"type,value\n"));
    assert_string_equal(err, "h.csv:1: header: unterminated quoted field (quoted line breaks are "
                             "not supported)");
    assert_false(load(set, &f, "h.csv", "type,value,source,confidence,expires,description,x\n"));
    assert_string_equal(err, "h.csv:1: header: unknown column 'x' (expected type, value, source, "
                             "confidence, expires, description)");
    assert_false(load(set, &f, "h.csv", "a,b,c,d,e,f,g,h\n"));
    assert_string_equal(err, "h.csv:1: header: too many fields");
    /* a value column alone: the feed's type (auto) */
    assert_true(load(set, &f, "v.csv", " Value \nevil.example\n10.0.0.0/8\n"));
    expect_stats(2, 0, 0, 0, 0);
}

/* Descriptions are cut at 256 bytes, never inside a UTF-8 sequence. */
static void test_long_description(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "d", INTEL_FMT_CSV);
    char text[2048] = "value,description\na.example,";
    for (int i = 0; i < 300; i++)
        strcat(text, "\xc3\xa9"); /* U+00E9, two bytes */
    strcat(text, "\nb.example,");
    for (int i = 0; i < 300; i++)
        strcat(text, "x");
    strcat(text, "\n");
    assert_true(load(set, &f, "d.csv", text));
    expect_stats(2, 0, 0, 0, 0);
    intel_feed_defaults(&f, "s", INTEL_FMT_STIX);
    char json[2048] = "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":"
                      "\"[domain-name:value = 'c.example']\",\"description\":\"";
    for (int i = 0; i < 1500; i++) /* longer than the unescape buffer: its raw start */
        strcat(json, "y");
    strcat(json, "\"}");
    assert_true(load(set, &f, "d.json", json));
    expect_stats(1, 0, 0, 0, 0);
    finish(set);
    intel_hit_t h[4];
    assert_int_equal(dom_hits(set, "a.example", h), 1);
    assert_int_equal(strlen(h[0].description), 256); /* 128 whole characters */
    assert_memory_equal(h[0].description, "\xc3\xa9\xc3\xa9", 4);
    assert_int_equal(dom_hits(set, "b.example", h), 1);
    assert_int_equal(strlen(h[0].description), 256);
    assert_int_equal(dom_hits(set, "c.example", h), 1);
    assert_int_equal(strlen(h[0].description), 256);
    assert_int_equal(h[0].description[255], 'y');
}

/* ---- STIX -------------------------------------------------------------------- */

static const char bundle[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--01\",\"pattern_type\":\"stix\",\"pattern\":"
    "\"[ipv4-addr:value = '198.51.100.0/24' OR ipv6-addr:value = '2001:db8::/32'] OR "
    "[domain-name:value = 'evil.example']\",\"confidence\":85,"
    "\"valid_until\":\"2026-01-01T00:00:00Z\",\"name\":\"three terms\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--02\",\"pattern\":"
    "\"[url:value = 'http://e.example/it\\\\'s']\",\"description\":\"escaped quote\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--03\",\"pattern_type\":\"snort\","
    "\"pattern\":\"alert tcp any any -> any any (sid:1;)\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--04\",\"pattern\":"
    "\"[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x.example']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--05\",\"pattern\":"
    "\"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--06\",\"pattern\":"
    "\"[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--07\",\"pattern\":"
    "\"[ipv4-addr:value != '1.2.3.4']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--08\",\"pattern\":"
    "\"[domain-name:value LIKE '%.example']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--09\",\"pattern\":"
    "\"[file:hashes.MD5 = '001dd76872d80801692ff942308c64e6']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--10\",\"pattern\":\"[ipv4-addr:value = 1]\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--11\",\"pattern\":"
    "\"[ipv4-addr:value = '1.2.3.4'\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--12\",\"pattern\":\"[ipv4-addr:value = "
    "'::1']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--13\",\"pattern\":"
    "\"[domain-name:value = 'domain autuo.xicp.net' OR ipv4-addr:value = '60.10.1.115']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--14\",\"pattern\":"
    "\"[ipv4-addr:value = '5.6.7.8']\",\"valid_until\":\"soon\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--15\",\"pattern\":"
    "\"[ipv4-addr:value = '5.6.7.9']\",\"confidence\":150},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--16\"},\n"
    " {\"type\":\"indicator\",\"pattern\":"
    "\"[ipv4-addr:value = '9.9.9.9' OR url:value = 'https://EVIL.example:443']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--18\",\"pattern\":"
    "\"[ipv4-addr:value = '7.7.7.7']\",\"revoked\":true},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--19\",\"pattern\":"
    "\"([ipv4-addr:value = '7.7.7.8'])\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--20\",\"pattern\":"
    "\"[file:hashes.'SHA-256' = "
    "'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']\"},\n"
    " {\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"not an indicator\"},\n"
    " \"a string in objects\",\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--23\",\"pattern\":"
    "\"[ipv4-addr:value = '8.8.4.4'] garbage\"}\n"
    "]}\n";

static void test_stix(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "stix-feed", INTEL_FMT_STIX);
    if (!load(set, &f, "s.json", bundle)) fail_msg("%s", err);
    static const char *const want[] = {
        "s.json: indicator--03: cannot evaluate pattern: pattern_type 'snort' is not supported",
        "s.json: indicator--04: cannot evaluate pattern: AND is not supported",
        "s.json: indicator--05: cannot evaluate pattern: FOLLOWEDBY is not supported",
        "s.json: indicator--06: cannot evaluate pattern: qualifier WITHIN is not supported",
        "s.json: indicator--07: cannot evaluate pattern: operator '!=' is not supported",
        "s.json: indicator--08: cannot evaluate pattern: operator 'LIKE' is not supported",
        ("s.json: indicator--09: cannot evaluate pattern: object path 'file:hashes.MD5' is not "
         "supported"),
        "s.json: indicator--10: cannot evaluate pattern: only quoted string values are supported",
        "s.json: indicator--11: bad pattern: expected ']'",
        "s.json: indicator--12: ipv4-addr value '::1' is not an IPv4 address",
        "s.json: indicator--13: expected a domain name, got 'domain autuo.xicp.net'",
        "s.json: indicator--14: valid_until: expected an RFC 3339 time",
        "s.json: indicator--15: confidence: expected an integer 0..100",
        "s.json: indicator--16: missing pattern, or not a string of at most 65536 bytes",
        ("s.json: indicator--19: cannot evaluate pattern: parenthesised expressions are not "
         "supported"),
        "s.json: indicator--23: bad pattern: unexpected text after the pattern",
    };
    expect_lines(want, sizeof(want) / sizeof(want[0]));
    expect_stats(7, 0, 7, 9, 1);
    finish(set);
    intel_hit_t h[4];
    size_t n = ip_hits(set, "198.51.100.7", 0, h, 4);
    expect_hit(h, n, INTEL_CIDR, "198.51.100.0/24", "stix-feed", 85, T2026, "three terms");
    n = ip_hits(set, "2001:db8::5", 0, h, 4);
    expect_hit(h, n, INTEL_CIDR, "2001:db8::/32", "stix-feed", 85, T2026, "three terms");
    n = dom_hits(set, "www.evil.example", h);
    expect_hit(h, n, INTEL_DOMAIN, "evil.example", "stix-feed", 85, T2026, "three terms");
    n = intel_match_url(set, "http://e.example/it's", 21, 0, "f", h, 4);
    expect_hit(h, n, INTEL_URL, "http://e.example/it's", "stix-feed", 50, INTEL_NEVER,
               "escaped quote");
    n = ip_hits(set, "9.9.9.9", 0, h, 4); /* the object without an id */
    expect_hit(h, n, INTEL_IP, "9.9.9.9", "stix-feed", 50, INTEL_NEVER, "");
    n = intel_match_url(set, "https://evil.example/", 21, 0, "f", h, 4);
    expect_hit(h, n, INTEL_URL, "https://evil.example/", "stix-feed", 50, INTEL_NEVER, "");
    n = intel_match_hash(set, INTEL_SHA256, SHA, 64, 0, "f", h, 4);
    expect_hit(h, n, INTEL_SHA256, SHA, "stix-feed", 50, INTEL_NEVER, "");
    assert_int_equal(ip_hits(set, "7.7.7.7", 0, h, 4), 0);     /* revoked */
    assert_int_equal(ip_hits(set, "60.10.1.115", 0, h, 4), 0); /* whole indicator skipped */
}

static void test_stix_file_errors(void **state)
{
    intel_set_t *set = *state;
    intel_feed_t f;
    intel_feed_defaults(&f, "x", INTEL_FMT_STIX);
    assert_false(load(set, &f, "x.json", "not json"));
    assert_true(strncmp(err, "x.json: json: byte 0: ", 22) == 0);
    assert_false(load(set, &f, "x.json", "[1,2]"));
    assert_string_equal(err, "x.json: not a STIX bundle (expected a JSON object)");
    assert_false(load(set, &f, "x.json", "{\"id\":\"x\"}"));
    assert_string_equal(err, "x.json: not a STIX object (no \"type\")");
    assert_false(load(set, &f, "x.json", "{\"type\":\"bundle\",\"objects\":{}}"));
    assert_string_equal(err, "x.json: \"objects\" is not an array");
    assert_false(load(set, &f, "x.json", "{\"type\":\"bundle\",\"objects\":[]} x"));
    assert_true(strncmp(err, "x.json: json: byte ", 19) == 0);
    assert_true(load(set, &f, "x.json", "{\"type\":\"bundle\"}"));
    expect_stats(0, 0, 0, 0, 0);
    assert_true(load(set, &f, "x.json", "{\"type\":\"campaign\",\"id\":\"campaign--1\"}"));
    expect_stats(0, 0, 0, 0, 0);
    assert_true(load(set, &f, "x.json",
                     "{\"type\":\"indicator\",\"id\":\"indicator--x\","
                     "\"pattern\":\"[ipv4-addr:value = '4.4.4.4']\"}"));
    expect_stats(1, 0, 0, 0, 0);
    assert_int_equal(nlines, 0);
}

static void stix_sample(intel_set_t *set, const char *file, const char *dir)
{
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", src ? src : ".", dir, file);
    intel_feed_t f;
    intel_feed_defaults(&f, file, INTEL_FMT_STIX);
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
}

/* The OASIS examples copied into tests/data/intel/. */
static void test_stix_samples(void **state)
{
    intel_set_t *set = *state;
    const char *d = "tests/data/intel";
    stix_sample(set, "indicator-for-c2-ip-address.json", d);
    expect_stats(1, 0, 0, 0, 0);
    stix_sample(set, "indicators-for-C2-with-COA.json", d);
    expect_stats(2, 0, 0, 0, 0);
    stix_sample(set, "indicator-for-malicious-url.json", d);
    expect_stats(1, 0, 0, 0, 0);
    stix_sample(set, "malware-indicator-for-file-hash.json", d);
    expect_stats(1, 0, 0, 0, 0);
    stix_sample(set, "sighting-of-an-indicator.json", d);
    expect_stats(1, 0, 0, 0, 0);
    stix_sample(set, "malicious-email-indicator-with-attachment.json", d);
    expect_stats(0, 0, 0, 2, 0);
    const char *src = getenv("SOC_SOURCE_DIR");
    char w0[512], w1[512];
    snprintf(w0, sizeof(w0),
             "%s/%s/malicious-email-indicator-with-attachment.json: "
             "indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7: cannot evaluate pattern: object "
             "path 'email-message:subject' is not supported",
             src ? src : ".", d);
    snprintf(w1, sizeof(w1),
             "%s/%s/malicious-email-indicator-with-attachment.json: "
             "indicator--2e17f6fe-3a4d-438a-911a-e509ba1b9933: cannot evaluate pattern: object "
             "path 'email-message:body_multipart[*].body_raw...' is not supported",
             src ? src : ".", d);
    const char *want[] = {w0, w1};
    expect_lines(want, 2);
    finish(set);
    intel_hit_t h[4];
    /* 10.0.0.0 is in two files, the hash in two: one indicator per source */
    size_t n = ip_hits(set, "10.0.0.0", 0, h, 4);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].source, "indicator-for-c2-ip-address.json");
    assert_string_equal(h[0].description, "IP Address for known C2 channel");
    assert_string_equal(h[1].source, "indicators-for-C2-with-COA.json");
    n = intel_match_url(set, "http://x4z9arb.cn/4712/", 23, 0, "f", h, 4);
    expect_hit(h, n, INTEL_URL, "http://x4z9arb.cn/4712/", "indicator-for-malicious-url.json", 50,
               INTEL_NEVER, "Malicious site hosting downloader");
    n = intel_match_url(set, "HTTP://PAYPA1.banking.com:80", 28, 0, "f", h, 4);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].value, "http://paypa1.banking.com/");
    n = intel_match_hash(set, INTEL_SHA256,
                         "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", 64, 0,
                         "f", h, 4);
    assert_int_equal(n, 2);
}

/* ---- the large samples in ../shared (skipped when absent) -------------------- */

static bool shared_path(char *out, size_t cap, const char *rel)
{
    const char *sh = getenv("SOC_SHARED_DIR");
    struct stat sb;
    snprintf(out, cap, "%s/data/intel/%s", sh ? sh : "../shared", rel);
    if (stat(out, &sb) == 0) return true;
    printf("skipped: %s is absent\n", out);
    return false;
}

static void test_shared_ipsum(void **state)
{
    intel_set_t *set = *state;
    char path[1024];
    if (!shared_path(path, sizeof(path), "ipsum/ipsum.txt")) {
        skip();
        return;
    }
    intel_feed_t f;
    intel_feed_defaults(&f, "ipsum", INTEL_FMT_IPSUM);
    f.min_count = 3;
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    /* MANIFEST: 120,430 entries; levels/3.txt (on >= 3 lists) has 14,217 */
    expect_stats(14217, 0, 0, 0, 120430 - 14217);
}

static void test_shared_stix(void **state)
{
    intel_set_t *set = *state;
    char path[1024];
    if (!shared_path(path, sizeof(path), "stix2.1/cti-stix2-json-schemas/apt1.json")) {
        skip();
        return;
    }
    intel_feed_t f;
    intel_feed_defaults(&f, "apt1", INTEL_FMT_STIX);
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
    /* 12 indicators: 4 IPv4 CIDRs, 3 domains; 3 MD5 hashes and 2 x509 ANDs */
    expect_stats(7, 0, 0, 5, 0);
    assert_int_equal(nlines, 5);
    assert_true(shared_path(path, sizeof(path), "stix2.1/cti-stix2-json-schemas/poisonivy.json"));
    f.name = "poisonivy";
    nlines = 0;
    memset(&st, 0, sizeof(st));
    if (!intel_load_file(set, &f, path, &diag, &st, err, sizeof(err))) fail_msg("%s", err);
    /* 25 indicators: 22 usable with 63 comparisons on 41 distinct values, 2 on
     * file:name, 1 with the domain 'domain autuo.xicp.net' */
    expect_stats(41, 22, 1, 2, 0);
    assert_int_equal(nlines, 3);
}

/* ---- the feeds file -------------------------------------------------------- */

static void test_feeds_file(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/rules/intel/feeds.yml", src ? src : ".");
    intel_feeds_stats_t fs;
    nlines = 0;
    intel_set_t *set = intel_load_feeds(path, &diag, &fs, err, sizeof(err));
    if (!set) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    assert_int_equal(fs.feeds, 3);
    assert_int_equal(fs.feeds_failed, 0);
    assert_int_equal(fs.entries.loaded, 3 + 2059 + 23);
    intel_hit_t h[4];
    size_t n = ip_hits(set, "89.160.20.128", 0, h, 4);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].source, "cantho-soc");
    assert_int_equal(h[0].confidence, 80);
    n = ip_hits(set, "77.90.185.20", 0, h, 4);
    expect_hit(h, n, INTEL_IP, "77.90.185.20", "ipsum-level8", 80, INTEL_NEVER, "");
    intel_free(set);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_feeds_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_intel_feedsXXXXXX", path[256], list[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/feeds.yml", dir);
    snprintf(list, sizeof(list), "%s/list.txt", dir);
    write_file(list, "evil.example\n");
    write_file(path, "feeds:\n"                                                           /* 1 */
                     "  - {name: ok, file: list.txt, format: plain}\n"                    /* 2 */
                     "  - {name: ok, file: list.txt, format: plain}\n"                    /* 3 */
                     "  - {name: gone, file: nope.txt, format: plain}\n"                  /* 4 */
                     "  - {name: opt, file: nope.txt, format: plain, optional: yes}\n"    /* 5 */
                     "  - {name: fmt, file: list.txt, format: xml}\n"                     /* 6 */
                     "  - {name: typ, file: list.txt, format: adblock, type: ip}\n"       /* 7 */
                     "  - {name: mc, file: list.txt, format: plain, min-count: 2}\n"      /* 8 */
                     "  - {name: exp, file: list.txt, format: plain, expires: soon}\n"    /* 9 */
                     "  - {name: 'a b', file: list.txt, format: plain}\n"                 /* 10 */
                     "  - {file: list.txt, format: plain}\n"                              /* 11 */
                     "  - {name: conf, file: list.txt, format: plain, confidence: 101}\n" /* 12 */
                     "  - {name: k, file: list.txt, format: plain, colour: red}\n"        /* 13 */
                     "  - {name: ok2, file: list.txt, format: plain, type: domain, "
                     "confidence: 40, expires: 2026-01-01T00:00:00Z}\n"); /* 14 */
    intel_feeds_stats_t fs;
    nlines = 0;
    intel_set_t *set = intel_load_feeds(path, &diag, &fs, err, sizeof(err));
    if (!set) fail_msg("%s", err);
    char w[16][512];
    int k = 0;
    snprintf(w[k++], 512, "%s:3:12: feeds[1].name: feed 'ok' is already defined", path);
    snprintf(w[k++], 512, "%s/nope.txt: No such file or directory", dir);
    snprintf(w[k++], 512,
             "%s:6:41: feeds[4].format: expected plain, csv, adblock, ipsum or stix, "
             "got 'xml'",
             path);
    snprintf(w[k++], 512, "%s:7:56: feeds[5].type: type applies to plain and csv feeds only", path);
    snprintf(w[k++], 512, "%s:8:58: feeds[6].min-count: min-count applies to ipsum feeds only",
             path);
    snprintf(w[k++], 512,
             "%s:9:57: feeds[7].expires: expected an RFC 3339 time "
             "(2026-01-31T00:00:00Z) or 'never', got 'soon'",
             path);
    snprintf(w[k++], 512,
             "%s:10:12: feeds[8].name: expected letters, digits, '.', '_', '-' or ':' "
             "(at most 64), got 'a b'",
             path);
    snprintf(w[k++], 512, "%s:11:5: feeds[9]: missing 'name'", path);
    snprintf(w[k++], 512, "%s:12:61: feeds[10].confidence: expected an integer 0..100, got '101'",
             path);
    snprintf(w[k++], 512, "%s:13:46: feeds[11]: unknown key 'colour'", path);
    const char *want[16];
    for (int i = 0; i < k; i++)
        want[i] = w[i];
    expect_lines(want, (size_t)k);
    assert_int_equal(fs.feeds, 2);
    assert_int_equal(fs.feeds_failed, 10);
    intel_hit_t h[4];
    size_t n = dom_hits(set, "evil.example", h);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].source, "ok");
    assert_int_equal(h[0].confidence, 50);
    assert_string_equal(h[1].source, "ok2");
    assert_int_equal(h[1].confidence, 40);
    assert_true(h[1].expires_usec == T2026);
    intel_free(set);

    write_file(path, "feed:\n  - {name: x}\n");
    assert_null(intel_load_feeds(path, &diag, &fs, err, sizeof(err)));
    char want1[512];
    snprintf(want1, sizeof(want1), "%s:1:1: unknown key 'feed' (did you mean 'feeds'?)", path);
    assert_string_equal(err, want1);
    unlink(path);
    unlink(list);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test_setup_teardown(test_plain_auto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_typed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diag_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adblock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adblock_et, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipsum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_description, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stix_file_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stix_samples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_ipsum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_stix, setup, teardown),
        cmocka_unit_test(test_feeds_file),
        cmocka_unit_test(test_feeds_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
