/* Unit tests for correlator/context/asset.c (and the prefix table under it).
 * Line:column positions in expected messages are counted by hand from the
 * YAML text (1-based); the address edges come from the CIDR arithmetic
 * (10.1.2.128/25 is .128 .. .255). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "context/asset.h"

/* ---- diag capture ---------------------------------------------------------- */

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

static asset_set_t *load(const char *name, const char *text, asset_load_stats_t *st)
{
    nlines = 0;
    err[0] = '\0';
    return asset_load_buffer(name, text, strlen(text), &diag, st, err, sizeof(err));
}

static const char *name_at(const asset_set_t *set, const char *ip)
{
    const asset_t *a = asset_lookup_str(set, ip, strlen(ip));
    return a ? a->name : "(none)";
}

/* ---- the city's file --------------------------------------------------------- */

static void test_city_assets(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/rules/assets.yml", src ? src : ".");
    asset_load_stats_t st;
    nlines = 0;
    asset_set_t *set = asset_load_file(path, &diag, &st, err, sizeof(err));
    if (!set) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    assert_int_equal(st.loaded, 14);
    assert_int_equal(st.bad, 0);
    assert_int_equal(asset_count(set), 14);
    /* the capture hosts listed at the top of rules/assets.yml */
    static const char *const map[][2] = {
        {"10.20.0.10", "dichvucong"},
        {"10.20.0.30", "dichvucong"},
        {"10.20.0.31", "dichvucong"},
        {"10.20.0.32", "datacenter-servers"},
        {"10.20.0.40", "lgsp"},
        {"10.20.0.50", "qlvb"},
        {"10.20.0.60", "mail"},
        {"10.20.0.2", "dns-resolvers"},
        {"fd00:10::1", "dns-resolvers"},
        {"10.20.0.11", "congthongtin"},
        {"10.20.0.12", "datacenter-servers"},
        {"10.20.0.15", "datacenter-servers"},
        {"203.162.10.6", "dichvucong"},
        {"203.162.10.5", "congthongtin"},
        {"2001:ee0:100::5", "congthongtin"},
        {"203.162.10.7", "mail"},
        {"10.30.0.2", "mqtt-broker"},
        {"10.30.5.11", "iot-sensors"},
        {"10.30.5.13", "iot-sensors"},
        {"10.30.0.20", "camera-platform"},
        {"10.30.6.21", "cameras"},
        {"10.30.6.22", "cameras"},
        {"10.30.0.10", "ioc-dashboards"},
        {"10.30.0.5", "ioc-servers"},
        {"10.10.1.25", "office-users"},
        {"10.10.2.40", "office-users"},
        {"fd00:10::50", "office-users"},
        {"89.160.20.128", "(none)"},
        {"81.2.69.160", "(none)"},
        {"192.168.10.8", "(none)"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(name_at(set, map[i][0]), map[i][1]) != 0)
            fail_msg("%s: got %s, want %s", map[i][0], name_at(set, map[i][0]), map[i][1]);
    const asset_t *lgsp = asset_find(set, "lgsp");
    assert_non_null(lgsp);
    assert_int_equal(lgsp->level, 4);
    assert_int_equal(lgsp->criticality, ASSET_CRIT_HIGH);
    assert_int_equal(lgsp->ntags, 3);
    assert_string_equal(lgsp->tags[1], "data-integration");
    assert_int_equal(lgsp->ncidrs, 1);
    assert_null(asset_find(set, "nosuch"));
    asset_set_free(set);
}

/* ---- lookups ----------------------------------------------------------------- */

static const char nested[] =
    "assets:\n"
    "  - {name: ten, level: 1, criticality: low, cidrs: [10.0.0.0/8]}\n"
    "  - {name: ten-one, level: 2, criticality: low, cidrs: [10.1.0.0/16]}\n"
    "  - {name: net-a, level: 3, criticality: medium, cidrs: [10.1.2.0/24]}\n"
    "  - {name: net-b, level: 3, criticality: medium, cidrs: [10.1.2.128/25]}\n"
    "  - {name: host, level: 5, criticality: high, cidrs: [10.1.2.200]}\n"
    "  - {name: v6-wide, level: 1, criticality: low, cidrs: [\"2001:db8::/32\"]}\n"
    "  - {name: v6-net, level: 2, criticality: low, cidrs: [\"2001:db8:1::/48\"]}\n"
    "  - {name: v6-host, level: 3, criticality: low, cidrs: [\"2001:db8:1::1/128\"]}\n"
    "  - {name: top, level: 1, criticality: low, cidrs: [255.255.255.255/32, "
    "\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\"]}\n"
    "  - {name: bottom, level: 1, criticality: low, cidrs: [0.0.0.0/32, \"::/128\"]}\n";

static void test_longest_prefix(void **state)
{
    (void)state;
    asset_set_t *set = load("nested.yml", nested, NULL);
    if (!set) fail_msg("%s", err);
    assert_int_equal(nlines, 0);
    static const char *const want[][2] = {
        {"9.255.255.255", "(none)"},
        {"10.0.0.0", "ten"},
        {"10.255.255.255", "ten"},
        {"11.0.0.0", "(none)"},
        {"10.0.255.255", "ten"},
        {"10.1.0.0", "ten-one"},
        {"10.1.2.0", "net-a"},
        {"10.1.2.127", "net-a"},
        {"10.1.2.128", "net-b"},
        {"10.1.2.199", "net-b"},
        {"10.1.2.200", "host"},
        {"10.1.2.201", "net-b"},
        {"10.1.2.255", "net-b"},
        {"10.1.3.0", "ten-one"},
        {"10.1.255.255", "ten-one"},
        {"10.2.0.0", "ten"},
        {"::ffff:10.1.2.200", "host"}, /* IPv4-mapped IPv6 is the IPv4 address */
        {"2001:db8::", "v6-wide"},
        {"2001:db8:1::", "v6-net"},
        {"2001:db8:1::1", "v6-host"},
        {"2001:db8:1::2", "v6-net"},
        {"2001:db8:1:ffff:ffff:ffff:ffff:ffff", "v6-net"},
        {"2001:db8:2::", "v6-wide"},
        {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "v6-wide"},
        {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "(none)"},
        {"2001:db9::", "(none)"},
        {"255.255.255.255", "top"},
        {"255.255.255.254", "(none)"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "top"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "(none)"},
        {"0.0.0.0", "bottom"},
        {"0.0.0.1", "(none)"},
        {"::", "bottom"},
        {"::1", "(none)"},
        {"10.1.2", "(none)"}, /* not an address */
        {"", "(none)"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strcmp(name_at(set, want[i][0]), want[i][1]) != 0)
            fail_msg("%s: got %s, want %s", want[i][0], name_at(set, want[i][0]), want[i][1]);
    asset_set_free(set);
}

/* ::/0 covers ::ffff:0:0/96 in the 128-bit space but holds no IPv4 address;
 * 0.0.0.0/0 holds every IPv4 address and no IPv6 one. */
static void test_family_fence(void **state)
{
    (void)state;
    asset_set_t *set = load("v6all.yml",
                            "assets:\n"
                            "  - {name: v6-all, level: 1, criticality: low, cidrs: [\"::/0\"]}\n",
                            NULL);
    assert_non_null(set);
    assert_string_equal(name_at(set, "2001:db8::1"), "v6-all");
    assert_string_equal(name_at(set, "::1"), "v6-all");
    assert_string_equal(name_at(set, "::fffe:0:0"), "v6-all");
    assert_string_equal(name_at(set, "::1:0:0:0"), "v6-all");
    assert_string_equal(name_at(set, "1.2.3.4"), "(none)");
    assert_string_equal(name_at(set, "0.0.0.0"), "(none)");
    assert_string_equal(name_at(set, "255.255.255.255"), "(none)");
    asset_set_free(set);

    set = load("both.yml",
               "assets:\n"
               "  - {name: v6-all, level: 1, criticality: low, cidrs: [\"::/0\"]}\n"
               "  - {name: v4-all, level: 2, criticality: low, cidrs: [0.0.0.0/0]}\n"
               "  - {name: v4-net, level: 3, criticality: low, cidrs: [192.0.2.0/24]}\n",
               NULL);
    assert_non_null(set);
    assert_string_equal(name_at(set, "1.2.3.4"), "v4-all");
    assert_string_equal(name_at(set, "192.0.2.9"), "v4-net");
    assert_string_equal(name_at(set, "2001:db8::1"), "v6-all");
    assert_string_equal(name_at(set, "::"), "v6-all");
    asset_set_free(set);
}

/* ---- bad entries --------------------------------------------------------------- */

static const char bad[] = "assets:\n"                                       /* 1 */
                          "  - name: good-one\n"                            /* 2 */
                          "    level: 3\n"                                  /* 3 */
                          "    criticality: high\n"                         /* 4 */
                          "    cidrs: [10.0.0.0/24]\n"                      /* 5 */
                          "  - name: bad-level\n"                           /* 6 */
                          "    level: 7\n"                                  /* 7 */
                          "    criticality: low\n"                          /* 8 */
                          "    cidrs: [10.0.1.0/24]\n"                      /* 9 */
                          "  - name: bad-crit\n"                            /* 10 */
                          "    level: 2\n"                                  /* 11 */
                          "    criticality: extreme\n"                      /* 12 */
                          "    cidrs: [10.0.2.0/24]\n"                      /* 13 */
                          "  - name: unknown-key\n"                         /* 14 */
                          "    level: 2\n"                                  /* 15 */
                          "    criticality: low\n"                          /* 16 */
                          "    cidr: [10.0.3.0/24]\n"                       /* 17 */
                          "  - name: host-bits\n"                           /* 18 */
                          "    level: 2\n"                                  /* 19 */
                          "    criticality: low\n"                          /* 20 */
                          "    cidrs: [10.0.4.1/24]\n"                      /* 21 */
                          "  - name: not-an-ip\n"                           /* 22 */
                          "    level: 2\n"                                  /* 23 */
                          "    criticality: low\n"                          /* 24 */
                          "    cidrs: [10.0.5.0/24, fd00::/8, 300.1.1.1]\n" /* 25 */
                          "  - name: dup-cidr\n"                            /* 26 */
                          "    level: 2\n"                                  /* 27 */
                          "    criticality: low\n"                          /* 28 */
                          "    cidrs: [10.0.6.0/24, 10.0.0.0/24]\n"         /* 29 */
                          "  - name: good-one\n"                            /* 30 */
                          "    level: 1\n"                                  /* 31 */
                          "    criticality: low\n"                          /* 32 */
                          "    cidrs: [10.0.7.0/24]\n"                      /* 33 */
                          "  - name: no-level\n"                            /* 34 */
                          "    criticality: low\n"                          /* 35 */
                          "    cidrs: [10.0.8.0/24]\n"                      /* 36 */
                          "  - name: bad name\n"                            /* 37 */
                          "    level: 1\n"                                  /* 38 */
                          "    criticality: low\n"                          /* 39 */
                          "    cidrs: [10.0.9.0/24]\n"                      /* 40 */
                          "  - just a string\n"                             /* 41 */
                          "  - name: empty-cidrs\n"                         /* 42 */
                          "    level: 1\n"                                  /* 43 */
                          "    criticality: low\n"                          /* 44 */
                          "    cidrs: []\n"                                 /* 45 */
                          "  - name: twice\n"                               /* 46 */
                          "    level: 1\n"                                  /* 47 */
                          "    criticality: low\n"                          /* 48 */
                          "    cidrs: [10.0.10.0/24, 10.0.10.0/24]\n"       /* 49 */
                          "  - name: bad-tag\n"                             /* 50 */
                          "    level: 1\n"                                  /* 51 */
                          "    criticality: low\n"                          /* 52 */
                          "    cidrs: [10.0.11.0/24]\n"                     /* 53 */
                          "    tags: [ok, \"has space\"]\n"                 /* 54 */
                          "  - name: good-two\n"                            /* 55 */
                          "    description: second good one\n"              /* 56 */
                          "    owner: So TT&TT\n"                           /* 57 */
                          "    contact: soc@example.gov.vn\n"               /* 58 */
                          "    level: 5\n"                                  /* 59 */
                          "    criticality: medium\n"                       /* 60 */
                          "    cidrs: [\"fd00:1::/32\", 10.0.12.0/24]\n"    /* 61 */
                          "    tags: [a, \"b:c\"]\n"                        /* 62 */
                          "  - name: no-crit\n"                             /* 63 */
                          "    level: 1\n"                                  /* 64 */
                          "    cidrs: [10.0.13.0/24]\n";                    /* 65 */

static void test_bad_entries(void **state)
{
    (void)state;
    static const char *const want[] = {
        "t.yml:7:12: assets[1].level: expected an integer 1..5, got '7'",
        "t.yml:12:18: assets[2].criticality: expected low, medium or high, got 'extreme'",
        "t.yml:17:5: assets[3]: unknown key 'cidr' (did you mean 'cidrs'?)",
        ("t.yml:21:13: assets[4].cidrs[0]: host bits set in '10.0.4.1/24' (did you mean "
         "10.0.4.0/24?)"),
        ("t.yml:25:36: assets[5].cidrs[2]: expected an IPv4 or IPv6 address or CIDR, got "
         "'300.1.1.1'"),
        "t.yml:29:26: assets[6].cidrs[1]: 10.0.0.0/24 already belongs to asset 'good-one'",
        "t.yml:30:11: assets[7].name: asset 'good-one' is already defined",
        "t.yml:34:5: assets[8]: missing 'level' (security level 1-5, Decree 85/2016/ND-CP)",
        ("t.yml:37:11: assets[9].name: expected letters, digits, '.', '_' or '-' (at most 64), "
         "got 'bad name'"),
        "t.yml:41:5: assets[10]: expected a mapping, got a scalar",
        "t.yml:45:12: assets[11].cidrs: expected 1..4096 CIDRs, got 0",
        "t.yml:49:12: assets[12].cidrs: 10.0.10.0/24 is listed twice",
        ("t.yml:54:16: assets[13].tags[1]: expected a tag of letters, digits, '.', '_', '-' or ':' "
         "(at most 64), got 'has space'"),
        "t.yml:63:5: assets[15]: missing 'criticality' (low, medium or high)",
    };
    asset_load_stats_t st;
    asset_set_t *set = load("t.yml", bad, &st);
    if (!set) fail_msg("%s", err);
    size_t nwant = sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; i < nlines && i < nwant; i++)
        assert_string_equal(lines[i], want[i]);
    assert_int_equal(nlines, nwant);
    assert_int_equal(st.loaded, 2);
    assert_int_equal(st.bad, 14);
    assert_int_equal(asset_count(set), 2);
    const asset_t *g = asset_find(set, "good-two");
    assert_non_null(g);
    assert_string_equal(g->description, "second good one");
    assert_string_equal(g->owner, "So TT&TT");
    assert_string_equal(g->contact, "soc@example.gov.vn");
    assert_int_equal(g->level, 5);
    assert_int_equal(g->criticality, ASSET_CRIT_MEDIUM);
    assert_int_equal(g->ntags, 2);
    assert_string_equal(g->tags[1], "b:c");
    assert_string_equal(asset_find(set, "good-one")->description, "");
    /* skipped entries own no addresses: 10.0.6.0/24 of dup-cidr is free */
    assert_string_equal(name_at(set, "10.0.6.1"), "(none)");
    assert_string_equal(name_at(set, "10.0.0.9"), "good-one");
    assert_string_equal(name_at(set, "fd00:1:ffff::1"), "good-two");
    asset_set_free(set);
}

/* The file as a whole: these fail the load with one line. */
static void test_file_errors(void **state)
{
    (void)state;
    assert_null(load("t.yml", "asets:\n  - name: x\n", NULL));
    assert_string_equal(err, "t.yml:1:1: unknown key 'asets' (did you mean 'assets'?)");
    assert_null(load("t.yml", "assets: 5\n", NULL));
    assert_string_equal(err, "t.yml:1:9: assets: expected a sequence, got a scalar");
    assert_null(load("t.yml", "- a\n- b\n", NULL));
    assert_string_equal(err, "t.yml:1:1: expected a mapping with 'assets', got a sequence");
    assert_null(load("t.yml", "assets: []\n---\nassets: []\n", NULL));
    assert_string_equal(err, "t.yml: expected one YAML document, found 2");
    assert_null(load("t.yml", "assets: [\n", NULL));
    assert_true(strncmp(err, "t.yml:", 6) == 0);
    assert_null(strchr(err, '\n'));
    asset_load_stats_t st;
    assert_null(asset_load_file("/nonexistent/assets.yml", &diag, &st, err, sizeof(err)));
    assert_true(strncmp(err, "/nonexistent/assets.yml: ", 25) == 0);

    /* empty is fine: no assets */
    asset_set_t *set = load("t.yml", "", NULL);
    assert_non_null(set);
    assert_int_equal(asset_count(set), 0);
    assert_null(asset_lookup_str(set, "10.0.0.1", 8));
    asset_set_free(set);
    set = load("t.yml", "assets:\n", NULL);
    assert_non_null(set);
    assert_int_equal(asset_count(set), 0);
    asset_set_free(set);
    assert_null(asset_lookup_str(NULL, "10.0.0.1", 8));
}

static void test_criticality_names(void **state)
{
    (void)state;
    assert_string_equal(asset_criticality_name(ASSET_CRIT_LOW), "low");
    assert_string_equal(asset_criticality_name(ASSET_CRIT_MEDIUM), "medium");
    assert_string_equal(asset_criticality_name(ASSET_CRIT_HIGH), "high");
    assert_string_equal(asset_criticality_name(0), "unknown");
    assert_int_equal(asset_criticality_parse("high", 4), ASSET_CRIT_HIGH);
    assert_int_equal(asset_criticality_parse("hig", 3), 0);
    assert_int_equal(asset_criticality_parse("HIGH", 4), 0);
}

/* Lookup speed on the city's assets: printed, not asserted. */
static void test_lookup_speed(void **state)
{
    (void)state;
    const char *src = getenv("SOC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/rules/assets.yml", src ? src : ".");
    asset_set_t *set = asset_load_file(path, &diag, NULL, err, sizeof(err));
    if (!set) fail_msg("%s", err);
    enum { N = 2000000 };
    ctx_ip_t a;
    assert_true(ctx_ip_parse("10.0.0.0", 8, &a));
    uint64_t x = 88172645463325252ull, found = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) {
        x ^= x << 13; /* xorshift: addresses across 10.0.0.0/8 */
        x ^= x >> 7;
        x ^= x << 17;
        ctx_ip_t q = {a.hi, a.lo | (x & 0xffffff)};
        found += asset_lookup(set, q) != NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("asset lookup: %d lookups in %.3f s = %.1f M/s (%.0f ns each), %llu in an asset\n", N, s,
           N / s / 1e6, s / N * 1e9, (unsigned long long)found);
    asset_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_city_assets),  cmocka_unit_test(test_longest_prefix),
        cmocka_unit_test(test_family_fence), cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_file_errors),  cmocka_unit_test(test_criticality_names),
        cmocka_unit_test(test_lookup_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
