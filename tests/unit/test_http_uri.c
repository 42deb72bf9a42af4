/* test_http_uri.c -- http.uri normalisation (libhtp IDS personality as
 * Suricata 7 configures it) and URI splitting.
 *
 * Expected values are worked out by hand from the rules in http_uri.c and
 * were cross-checked against libhtp 0.5.42 set up like Suricata (IDS
 * personality, path lowercasing off, plus-to-space off) with Suricata's
 * path + "?" decoded query + "#" fragment assembly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/http_buffers.h"

#define U8(s) ((const uint8_t *)(s))

typedef struct {
    const char *in;
    size_t in_len; /* 0: strlen(in) */
    const char *out;
    size_t out_len; /* 0: strlen(out) */
} uri_case_t;

/* clang-format off */
static const uri_case_t cases[] = {
    {"/", 0, "/", 0},
    {"/index.html", 0, "/index.html", 0},
    /* dot segments (RFC 3986 5.2.4) */
    {"/a/./b", 0, "/a/b", 0},
    {"/a/../b", 0, "/b", 0},
    {"/a/b/../../c", 0, "/c", 0},
    {"/a/b/./../c/", 0, "/a/c/", 0},
    {"/../x", 0, "/x", 0},                       /* above the root stays at it */
    {"/../../etc/passwd", 0, "/etc/passwd", 0},
    {"./a", 0, "a", 0},                          /* rule A: leading "./" */
    {"/a/.", 0, "/a", 0},                        /* libhtp drops the final "/" */
    {"/a/./", 0, "/a", 0},
    {"/a/..", 0, "", 0},
    {"/a/..#x/../y", 0, "#x/../y", 0},           /* fragment not dot-normalised */
    {"/a;jsessionid=1/../b", 0, "/b", 0},
    /* percent decoding in the path, separators included */
    {"/%2e%2e/%2e%2e/etc/passwd", 0, "/etc/passwd", 0},
    {"/a/%2E%2e/b", 0, "/b", 0},
    {"/%41%42c", 0, "/ABc", 0},
    {"/a%2fb", 0, "/a/b", 0},
    {"/a%2F%2Fb", 0, "/a/b", 0},                 /* decoded, then squeezed */
    {"/a%5cb", 0, "/a/b", 0},                    /* encoded '\' is a separator */
    {"/%2e%2e%5c%2e%2e%5cwin.ini", 0, "/win.ini", 0},
    {"/%00x", 0, "/\0x", 3},                     /* NUL kept, does not end the path */
    {"/%25%32%65", 0, "/%2e", 0},                /* one round of decoding only */
    {"/a+b%20c", 0, "/a+b c", 0},
    /* invalid escapes keep the '%' */
    {"/a%zz", 0, "/a%zz", 0},
    {"/a%4", 0, "/a%4", 0},
    {"/a%", 0, "/a%", 0},
    /* %u encoding (IDS personality) and best fit */
    {"/%u0041", 0, "/A", 0},
    {"/%u12", 0, "/%u12", 0},
    {"/a%uff0f..%uff0fb", 0, "/b", 0},           /* fullwidth '/' */
    {"/%uFF0E%uFF0E/x", 0, "/x", 0},             /* fullwidth '.' */
    /* separators, backslashes */
    {"//a///b", 0, "/a/b", 0},
    {"/a//../b", 0, "/b", 0},
    {"/a\\b\\..\\c", 0, "/a/c", 0},
    /* UTF-8 to single bytes */
    {"/%c0%af", 0, "//", 0},                     /* overlong '/', after squeezing */
    {"/%C0%80x", 0, "/\0x", 3},                  /* overlong NUL */
    {"/caf%C3%A9", 0, "/caf\xe9", 0},            /* U+00E9 is the byte E9 */
    {"/x%E2%88%95..%E2%88%95y", 0, "/y", 0},     /* U+2215 DIVISION SLASH */
    {"/%E4%B8%AD", 0, "/?", 0},                  /* no best fit */
    {"/%f0%9f%98%80", 0, "/?", 0},               /* beyond U+FFFF */
    {"/a%e9b", 0, "/a?b", 0},                    /* lone lead byte */
    {"/\xff", 0, "/?", 0},
    {"/a\xc3", 0, "/a", 0},                      /* cut sequence vanishes */
    {"/a\xed\xa0\x80" "b", 0, "/a???b", 0},      /* surrogate: three bad bytes */
    /* query: %XX only, '+' kept, no dot removal */
    {"/a?q=%41+b", 0, "/a?q=A+b", 0},
    {"/a?x=%2e%2e/../y", 0, "/a?x=../../y", 0},
    {"/a?q=%u0041", 0, "/a?q=%u0041", 0},
    {"/a?b#c?d", 0, "/a?b#c?d", 0},
    {"/a#frag%41", 0, "/a#fragA", 0},
    /* absolute form and odd targets */
    {"http://Example.COM:8080/p/../q?x", 0, "/q?x", 0},
    {"https://u:p@h/x", 0, "/x", 0},
    {"http://host", 0, "", 0},
    {"*", 0, "*", 0},
    {"", 0, "", 0},
};
/* clang-format on */

static void test_table(void **state)
{
    (void)state;
    uint8_t out[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uri_case_t *c = &cases[i];
        size_t in_len = c->in_len ? c->in_len : strlen(c->in);
        size_t want = c->out_len ? c->out_len : strlen(c->out);
        memset(out, 0xAA, sizeof(out));
        size_t n = http_uri_normalize(U8(c->in), in_len, out, sizeof(out));
        if (n != want || memcmp(out, c->out, want) != 0)
            fail_msg("case %zu \"%s\": got %zu bytes \"%.*s\"", i, c->in, n, (int)n, out);
        assert_true(n <= in_len);
        assert_int_equal(out[in_len], 0xAA); /* nothing written past the input's length */
    }
}

static void test_in_place(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uri_case_t *c = &cases[i];
        size_t in_len = c->in_len ? c->in_len : strlen(c->in);
        size_t want = c->out_len ? c->out_len : strlen(c->out);
        uint8_t buf[256];
        memcpy(buf, c->in, in_len);
        size_t n = http_uri_normalize(buf, in_len, buf, in_len);
        assert_int_equal(n, want);
        assert_memory_equal(buf, c->out, want);
    }
}

/* With outcap < len the URI is taken as cut at outcap bytes, and no byte
 * past outcap is touched. */
static void test_bounded(void **state)
{
    (void)state;
    const char *u = "/a/b/../c?q=%41";
    uint8_t out[32];
    memset(out, 0xAA, sizeof(out));
    /* "/a/b/../": the "/" that rule C leaves at the end is dropped */
    size_t n = http_uri_normalize(U8(u), strlen(u), out, 8);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "/a", 2);
    for (size_t i = 8; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xAA);
    assert_int_equal(http_uri_normalize(U8(u), strlen(u), out, 0), 0);
    /* cutting inside an escape leaves it invalid: kept as is */
    n = http_uri_normalize(U8("/x%41"), 5, out, 4);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "/x%4", 4);
}

static void assert_part(hbuf_t h, const char *want)
{
    if (want == NULL) {
        assert_null(h.p);
        return;
    }
    assert_non_null(h.p);
    assert_int_equal(h.len, strlen(want));
    assert_memory_equal(h.p, want, h.len);
}

static void test_split(void **state)
{
    (void)state;
    http_uri_parts_t p;
    const char *u = "http://us:pw@Host.Example:8080/p/a?q=1#f";
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.scheme, "http");
    assert_part(p.user, "us");
    assert_part(p.password, "pw");
    assert_part(p.host, "Host.Example");
    assert_part(p.port, "8080");
    assert_part(p.path, "/p/a");
    assert_part(p.query, "q=1");
    assert_part(p.fragment, "f");

    u = "/just/a/path";
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.scheme, NULL);
    assert_part(p.host, NULL);
    assert_part(p.path, "/just/a/path");
    assert_part(p.query, NULL);

    u = "http://[::1]:81/x"; /* IPv6 literal keeps its brackets */
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.host, "[::1]");
    assert_part(p.port, "81");
    assert_part(p.path, "/x");

    u = "http:///x"; /* three slashes: a path, no authority */
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.scheme, "http");
    assert_part(p.host, NULL);
    assert_part(p.path, "///x");

    u = "a.php?x=b:c"; /* libhtp reads up to the first ':' as a scheme */
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.scheme, "a.php?x=b");
    assert_part(p.path, "c");

    u = "/p?";
    http_uri_split(U8(u), strlen(u), &p);
    assert_part(p.query, ""); /* present, empty */
    uint8_t out[8];
    assert_int_equal(http_uri_normalize(U8(u), 3, out, sizeof(out)), 3);
    assert_memory_equal(out, "/p?", 3);

    http_uri_split(U8(""), 0, &p);
    assert_part(p.path, NULL);
}

static void test_host_normalize(void **state)
{
    (void)state;
    uint8_t h[32];
    memcpy(h, "WWW.Ex%41mple.COM..", 19);
    size_t n = http_uri_host_normalize(h, 19);
    assert_int_equal(n, 15);
    assert_memory_equal(h, "www.example.com", 15);
    memcpy(h, "...", 3);
    assert_int_equal(http_uri_host_normalize(h, 3), 0);
}

/* Every byte value alone and in pairs after a '/': never longer than the
 * input, and normalising twice changes nothing more for plain ASCII paths
 * without '%' (decoding can expose new escapes, so only those). */
static void test_never_grows(void **state)
{
    (void)state;
    uint8_t in[4], out[4];
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b += 5) {
            in[0] = '/';
            in[1] = (uint8_t)a;
            in[2] = (uint8_t)b;
            size_t n = http_uri_normalize(in, 3, out, sizeof(out));
            assert_true(n <= 3);
        }
    }
    const char *ascii = "/a//b/./c/../d\\e";
    uint8_t once[32], twice[32];
    size_t n1 = http_uri_normalize(U8(ascii), strlen(ascii), once, sizeof(once));
    size_t n2 = http_uri_normalize(once, n1, twice, sizeof(twice));
    assert_int_equal(n1, n2);
    assert_memory_equal(once, twice, n1);
    assert_memory_equal(once, "/a/b/d/e", n1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),          cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_bounded),        cmocka_unit_test(test_split),
        cmocka_unit_test(test_host_normalize), cmocka_unit_test(test_never_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
