/* Unit tests for common/json_writer.c. Expected strings are written by hand
 * from RFC 8259 / RFC 3629; timestamps come from `date -u -d @SECONDS`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_writer.h"

/* ---- a tiny strict JSON checker (independent of the writer) ---------------- */

typedef struct {
    const unsigned char *p, *end;
    int depth;
} chk_t;

static int chk_value(chk_t *c);

static void chk_ws(chk_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int is_hex(unsigned char x)
{
    return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'f') || (x >= 'A' && x <= 'F');
}

/* Strict UTF-8 (RFC 3629 table 3-7); returns sequence length or 0. */
static size_t chk_utf8(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) return (n >= 2 && s[1] >= 0x80 && s[1] <= 0xbf) ? 2 : 0;
    unsigned lo = 0x80, hi = 0xbf;
    size_t len;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        if (s[0] == 0xe0) lo = 0xa0;
        if (s[0] == 0xed) hi = 0x9f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        if (s[0] == 0xf0) lo = 0x90;
        if (s[0] == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

static int chk_string(chk_t *c)
{
    if (c->p >= c->end || *c->p != '"') return 0;
    c->p++;
    while (c->p < c->end) {
        unsigned char x = *c->p;
        if (x == '"') {
            c->p++;
            return 1;
        }
        if (x < 0x20) return 0;
        if (x == '\\') {
            if (c->end - c->p < 2) return 0;
            unsigned char e = c->p[1];
            if (e == 'u') {
                if (c->end - c->p < 6) return 0;
                for (int i = 2; i < 6; i++)
                    if (!is_hex(c->p[i])) return 0;
                c->p += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                c->p += 2;
            } else {
                return 0;
            }
            continue;
        }
        size_t k = chk_utf8(c->p, (size_t)(c->end - c->p));
        if (!k) return 0;
        c->p += k;
    }
    return 0;
}

static int chk_number(chk_t *c)
{
    const unsigned char *s = c->p;
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p >= c->end) return 0;
    if (*c->p == '0') {
        c->p++;
    } else if (*c->p >= '1' && *c->p <= '9') {
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    } else {
        return 0;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') return 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') return 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            c->p++;
    }
    return c->p > s;
}

static int chk_lit(chk_t *c, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return 0;
    c->p += n;
    return 1;
}

static int chk_container(chk_t *c, char open, char close)
{
    if (++c->depth > 64) return 0;
    c->p++; /* open */
    (void)open;
    chk_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return 1;
    }
    for (;;) {
        chk_ws(c);
        if (close == '}') {
            if (!chk_string(c)) return 0;
            chk_ws(c);
            if (c->p >= c->end || *c->p != ':') return 0;
            c->p++;
            chk_ws(c);
        }
        if (!chk_value(c)) return 0;
        chk_ws(c);
        if (c->p >= c->end) return 0;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != close) return 0;
        c->p++;
        c->depth--;
        return 1;
    }
}

static int chk_value(chk_t *c)
{
    chk_ws(c);
    if (c->p >= c->end) return 0;
    switch (*c->p) {
    case '{': return chk_container(c, '{', '}');
    case '[': return chk_container(c, '[', ']');
    case '"': return chk_string(c);
    case 't': return chk_lit(c, "true");
    case 'f': return chk_lit(c, "false");
    case 'n': return chk_lit(c, "null");
    default: return chk_number(c);
    }
}

static int json_valid(const char *s, size_t n)
{
    chk_t c = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    if (!chk_value(&c)) return 0;
    chk_ws(&c);
    return c.p == c.end;
}

static int json_valid_s(const char *s)
{
    return json_valid(s, strlen(s));
}

static void test_checker_itself(void **state)
{
    (void)state;
    assert_true(json_valid_s("{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\"]}"));
    assert_false(json_valid_s("{\"a\":1,}"));
    assert_false(json_valid_s("\"\x01\""));
    assert_false(json_valid_s("\"\xc0\x80\""));
    assert_false(json_valid_s("\"\xed\xa0\x80\""));
    assert_false(json_valid_s("\"\\x\""));
    assert_false(json_valid_s("01"));
}

/* ---- helpers --------------------------------------------------------------- */

/* Escape n bytes as a whole JSON string value and compare with expected (the
 * quoted form). Also checks the NUL terminator and JSON validity. */
static void expect_str(const void *in, size_t n, const char *expected)
{
    jw_t w;
    jw_init(&w);
    jw_strn(&w, in, n);
    assert_false(w.oom);
    assert_int_equal(w.len, strlen(expected));
    assert_memory_equal(w.buf, expected, w.len);
    assert_int_equal(w.buf[w.len], '\0');
    assert_true(json_valid(w.buf, w.len));
    jw_free(&w);
}

#define EXPECT_STR(lit, expected) expect_str(lit, sizeof(lit) - 1, expected)

/* ---- structure -------------------------------------------------------------- */

static void test_empty_containers(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_object_close(&w);
    assert_string_equal(w.buf, "{}");
    jw_reset(&w);
    jw_array_open(&w);
    jw_array_close(&w);
    assert_string_equal(w.buf, "[]");
    jw_reset(&w);
    jw_object_open(&w);
    jw_kobject_open(&w, "o");
    jw_object_close(&w);
    jw_karray_open(&w, "a");
    jw_array_close(&w);
    jw_object_close(&w);
    assert_string_equal(w.buf, "{\"o\":{},\"a\":[]}");
    jw_free(&w);
}

static void test_nested(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kstr(&w, "event_type", "flow");
    jw_kuint(&w, "src_port", 443);
    jw_kobject_open(&w, "flow");
    jw_kuint(&w, "pkts_toserver", 3);
    jw_karray_open(&w, "list");
    jw_uint(&w, 1);
    jw_str(&w, "two");
    jw_object_open(&w);
    jw_kbool(&w, "t", true);
    jw_kbool(&w, "f", false);
    jw_object_close(&w);
    jw_array_open(&w);
    jw_array_close(&w);
    jw_null(&w);
    jw_array_close(&w);
    jw_object_close(&w);
    jw_knull(&w, "n");
    jw_kint(&w, "neg", -42);
    jw_kraw(&w, "raw", "{\"x\":[1]}");
    jw_key(&w, "k");
    jw_bool(&w, true);
    jw_object_close(&w);
    assert_false(w.oom);
    assert_int_equal(w.depth, 0);
    assert_string_equal(w.buf, "{\"event_type\":\"flow\",\"src_port\":443,\"flow\":{"
                               "\"pkts_toserver\":3,\"list\":[1,\"two\",{\"t\":true,\"f\":false},"
                               "[],null]},\"n\":null,\"neg\":-42,\"raw\":{\"x\":[1]},\"k\":true}");
    assert_true(json_valid(w.buf, w.len));
    jw_free(&w);
}

static void test_array_of_values(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_array_open(&w);
    jw_str(&w, NULL);
    jw_strn(&w, "ab", 1);
    jw_int(&w, 0);
    jw_double(&w, 1.5);
    jw_array_close(&w);
    assert_string_equal(w.buf, "[null,\"a\",0,1.5]");
    jw_free(&w);
}

static void test_keys_escaped(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kstr(&w, "a\"b\\c\n", "v");
    jw_object_close(&w);
    assert_string_equal(w.buf, "{\"a\\\"b\\\\c\\n\":\"v\"}");
    jw_free(&w);
}

static void test_reset_reuses_buffer(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_kstr(&w, "a", "b");
    jw_object_close(&w);
    char *before = w.buf;
    size_t cap = w.cap;
    jw_reset(&w);
    assert_int_equal(w.len, 0);
    assert_ptr_equal(w.buf, before);
    assert_int_equal(w.cap, cap);
    jw_object_open(&w);
    jw_object_close(&w);
    assert_string_equal(w.buf, "{}");
    jw_free(&w);
    assert_null(w.buf);
}

static void test_depth_bounded(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_open(&w);
    assert_false(w.oom);
    assert_int_equal(w.depth, JW_MAX_DEPTH);
    jw_array_open(&w); /* one too many */
    assert_true(w.oom);
    jw_uint(&w, 1); /* ignored, must not crash */
    jw_array_close(&w);
    assert_true(w.oom);
    jw_reset(&w);
    assert_false(w.oom);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_open(&w);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_close(&w);
    assert_false(w.oom);
    assert_int_equal(w.len, 2 * JW_MAX_DEPTH);
    assert_true(json_valid(w.buf, w.len));
    jw_free(&w);
}

static void test_unbalanced_close(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_close(&w);
    assert_true(w.oom);
    jw_free(&w);
}

/* ---- escaping ------------------------------------------------------------------ */

static void test_escape_control_bytes(void **state)
{
    (void)state;
    static const char *const expected[32] = {
        "\"\\u0000\"", "\"\\u0001\"", "\"\\u0002\"", "\"\\u0003\"", "\"\\u0004\"", "\"\\u0005\"",
        "\"\\u0006\"", "\"\\u0007\"", "\"\\b\"",     "\"\\t\"",     "\"\\n\"",     "\"\\u000b\"",
        "\"\\f\"",     "\"\\r\"",     "\"\\u000e\"", "\"\\u000f\"", "\"\\u0010\"", "\"\\u0011\"",
        "\"\\u0012\"", "\"\\u0013\"", "\"\\u0014\"", "\"\\u0015\"", "\"\\u0016\"", "\"\\u0017\"",
        "\"\\u0018\"", "\"\\u0019\"", "\"\\u001a\"", "\"\\u001b\"", "\"\\u001c\"", "\"\\u001d\"",
        "\"\\u001e\"", "\"\\u001f\""};
    for (int b = 0; b < 32; b++) {
        unsigned char c = (unsigned char)b;
        expect_str(&c, 1, expected[b]);
    }
}

static void test_escape_specials(void **state)
{
    (void)state;
    EXPECT_STR("\"", "\"\\\"\"");
    EXPECT_STR("\\", "\"\\\\\"");
    EXPECT_STR("\x7f", "\"\\u007f\"");
    EXPECT_STR("/", "\"/\"");
    EXPECT_STR("", "\"\"");
    EXPECT_STR("GET /index.html HTTP/1.1", "\"GET /index.html HTTP/1.1\"");
    EXPECT_STR("a\0b", "\"a\\u0000b\"");
    EXPECT_STR("say \"hi\"\r\n", "\"say \\\"hi\\\"\\r\\n\"");
    /* every printable ASCII byte except '"' and '\\' is copied as is */
    for (int b = 0x20; b < 0x7f; b++) {
        if (b == '"' || b == '\\') continue;
        char in = (char)b, exp[4] = {'"', (char)b, '"', 0};
        expect_str(&in, 1, exp);
    }
}

static void test_escape_valid_utf8(void **state)
{
    (void)state;
    EXPECT_STR("\xc3\xa9", "\"\xc3\xa9\"");                 /* U+00E9 */
    EXPECT_STR("\xc2\x80", "\"\xc2\x80\"");                 /* U+0080, smallest 2-byte */
    EXPECT_STR("\xdf\xbf", "\"\xdf\xbf\"");                 /* U+07FF */
    EXPECT_STR("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");         /* U+0800, smallest 3-byte */
    EXPECT_STR("\xe2\x82\xac", "\"\xe2\x82\xac\"");         /* U+20AC euro */
    EXPECT_STR("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");         /* U+D7FF, below surrogates */
    EXPECT_STR("\xee\x80\x80", "\"\xee\x80\x80\"");         /* U+E000, above surrogates */
    EXPECT_STR("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");         /* U+FFFF */
    EXPECT_STR("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\""); /* U+10000 */
    EXPECT_STR("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
    EXPECT_STR("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF, the last */
    EXPECT_STR("C\xe1\xba\xa7n Th\xc6\xa1", "\"C\xe1\xba\xa7n Th\xc6\xa1\"");
}

static void test_escape_invalid_utf8(void **state)
{
    (void)state;
    EXPECT_STR("\x80", "\"\\u0080\""); /* lone continuation */
    EXPECT_STR("a\xbf"
               "b",
               "\"a\\u00bfb\"");
    EXPECT_STR("\xe2\x82", "\"\\u00e2\\u0082\""); /* truncated at end */
    EXPECT_STR("\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"");
    EXPECT_STR("\xc3", "\"\\u00c3\"");
    EXPECT_STR("\xc3"
               "A",
               "\"\\u00c3A\"");                   /* lead without continuation */
    EXPECT_STR("\xc0\x80", "\"\\u00c0\\u0080\""); /* overlong NUL */
    EXPECT_STR("\xc1\xbf", "\"\\u00c1\\u00bf\""); /* overlong */
    EXPECT_STR("\xe0\x80\x80", "\"\\u00e0\\u0080\\u0080\"");
    EXPECT_STR("\xf0\x80\x80\x80", "\"\\u00f0\\u0080\\u0080\\u0080\"");
    EXPECT_STR("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");            /* surrogate U+D800 */
    EXPECT_STR("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");            /* surrogate U+DFFF */
    EXPECT_STR("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
    EXPECT_STR("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
    EXPECT_STR("\xfe\xff", "\"\\u00fe\\u00ff\"");
    /* a valid sequence right after an invalid byte is kept */
    EXPECT_STR("\xff\xc3\xa9", "\"\\u00ff\xc3\xa9\"");
}

/* Runs of safe bytes longer than the escaper's internal chunk, with escapes
 * and multi-byte sequences straddling the chunk boundary. */
static void test_escape_long_inputs(void **state)
{
    (void)state;
    size_t n = 10000;
    char *in = malloc(n);
    char *exp = malloc(n * 6 + 3);
    assert_non_null(in);
    assert_non_null(exp);
    for (size_t split = 4090; split < 4100; split++) {
        memset(in, 'a', n);
        memcpy(in + split, "\xe2\x82\xac", 3); /* euro sign across the boundary */
        in[split + 5] = '\n';
        size_t k = 0;
        exp[k++] = '"';
        for (size_t i = 0; i < n; i++) {
            if (in[i] == '\n') {
                exp[k++] = '\\';
                exp[k++] = 'n';
            } else {
                exp[k++] = in[i];
            }
        }
        exp[k++] = '"';
        exp[k] = 0;
        expect_str(in, n, exp);
    }
    /* worst case expansion: every byte becomes \u00XX */
    memset(in, 0x01, n);
    jw_t w;
    jw_init(&w);
    jw_strn(&w, in, n);
    assert_false(w.oom);
    assert_int_equal(w.len, n * 6 + 2);
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(w.buf + 1 + i * 6, "\\u0001", 6);
    jw_free(&w);
    free(in);
    free(exp);
}

static void test_escape_random_bytes_valid(void **state)
{
    (void)state;
    /* Bytes drawn mostly from the interesting ones so that valid and broken
     * sequences both occur often. */
    static const unsigned char pool[] = {0x00, 0x01, 0x1f, 0x20, 'a',  '"',  '\\', 0x7f, 0x80,
                                         0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
                                         0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90};
    unsigned char buf[64];
    jw_t w;
    jw_init(&w);
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (seed = seed * 1103515245u + 12345u) >> 26; /* 0..63 */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] =
                (seed >> 24) & 1 ? pool[(seed >> 16) % sizeof(pool)] : (unsigned char)(seed >> 8);
        }
        jw_reset(&w);
        jw_object_open(&w);
        jw_kstrn(&w, "v", buf, n);
        jw_object_close(&w);
        assert_false(w.oom);
        if (!json_valid(w.buf, w.len)) fail_msg("invalid JSON at iteration %d", iter);
    }
    jw_free(&w);
}

/* ---- numbers ----------------------------------------------------------------- */

static void expect_num(void (*fn)(jw_t *), const char *expected)
{
    jw_t w;
    jw_init(&w);
    fn(&w);
    assert_string_equal(w.buf, expected);
    jw_free(&w);
}

#define NUM_CASE(name, stmt)                                                                       \
    static void name(jw_t *w)                                                                      \
    {                                                                                              \
        stmt;                                                                                      \
    }
NUM_CASE(u0, jw_uint(w, 0))
NUM_CASE(u9, jw_uint(w, 9))
NUM_CASE(u10, jw_uint(w, 10))
NUM_CASE(u99, jw_uint(w, 99))
NUM_CASE(u100, jw_uint(w, 100))
NUM_CASE(u1000001, jw_uint(w, 1000001))
NUM_CASE(umax, jw_uint(w, UINT64_MAX))
NUM_CASE(i0, jw_int(w, 0))
NUM_CASE(im1, jw_int(w, -1))
NUM_CASE(imin, jw_int(w, INT64_MIN))
NUM_CASE(imax, jw_int(w, INT64_MAX))
NUM_CASE(d15, jw_double(w, 1.5))
NUM_CASE(d01, jw_double(w, 0.1))
NUM_CASE(dneg, jw_double(w, -2.25))
NUM_CASE(dbig, jw_double(w, 1e300))
NUM_CASE(dnan, jw_double(w, NAN))
NUM_CASE(dinf, jw_double(w, -INFINITY))

static void test_integers(void **state)
{
    (void)state;
    expect_num(u0, "0");
    expect_num(u9, "9");
    expect_num(u10, "10");
    expect_num(u99, "99");
    expect_num(u100, "100");
    expect_num(u1000001, "1000001");
    expect_num(umax, "18446744073709551615");
    expect_num(i0, "0");
    expect_num(im1, "-1");
    expect_num(imin, "-9223372036854775808");
    expect_num(imax, "9223372036854775807");
}

static void test_doubles(void **state)
{
    (void)state;
    expect_num(d15, "1.5");
    expect_num(d01, "0.1");
    expect_num(dneg, "-2.25");
    expect_num(dbig, "1e+300");
    expect_num(dnan, "null");
    expect_num(dinf, "null");
}

static void test_integers_powers_of_ten(void **state)
{
    (void)state;
    /* 10^k and 10^k - 1 for every k: exercises each digit count */
    uint64_t p = 1;
    char exp[32];
    jw_t w;
    jw_init(&w);
    for (int k = 0; k <= 19; k++) {
        jw_reset(&w);
        jw_uint(&w, p);
        exp[0] = '1';
        memset(exp + 1, '0', (size_t)k);
        exp[k + 1] = 0;
        assert_string_equal(w.buf, exp);
        if (k > 0) {
            jw_reset(&w);
            jw_uint(&w, p - 1);
            memset(exp, '9', (size_t)k);
            exp[k] = 0;
            assert_string_equal(w.buf, exp);
        }
        if (k < 19) p *= 10;
    }
    jw_free(&w);
}

/* ---- timestamps ---------------------------------------------------------------- */

static void expect_ts(int64_t usec, const char *expected)
{
    char out[40];
    memset(out, 'X', sizeof(out));
    size_t n = jw_format_timestamp(out, usec);
    assert_int_equal(n, strlen(expected));
    assert_string_equal(out, expected);
}

static void test_timestamps(void **state)
{
    (void)state;
    expect_ts(0, "1970-01-01T00:00:00.000000+0000");
    expect_ts(1478632402103474LL, "2016-11-08T19:13:22.103474+0000");
    expect_ts(1478632402000001LL, "2016-11-08T19:13:22.000001+0000"); /* same second: cache */
    expect_ts(1478632403999999LL, "2016-11-08T19:13:23.999999+0000");
    expect_ts(-1, "1969-12-31T23:59:59.999999+0000");
    expect_ts(951782400000000LL, "2000-02-29T00:00:00.000000+0000");
    expect_ts(951868799500000LL, "2000-02-29T23:59:59.500000+0000");
    expect_ts(1709164800000000LL, "2024-02-29T00:00:00.000000+0000");
    expect_ts(2147483647000000LL, "2038-01-19T03:14:07.000000+0000");
    expect_ts(4102444799000000LL, "2099-12-31T23:59:59.000000+0000");
    expect_ts(-2208988800000000LL, "1900-01-01T00:00:00.000000+0000");
    expect_ts(-62135596800000000LL, "0001-01-01T00:00:00.000000+0000");
    expect_ts(253402300799999999LL, "9999-12-31T23:59:59.999999+0000");
    /* beyond the four-digit years: clamped, never a crash */
    expect_ts(INT64_MAX, "9999-12-31T23:59:59.999999+0000");
    expect_ts(INT64_MIN, "0000-01-01T00:00:00.000000+0000");
    expect_ts(-62167219200000000LL, "0000-01-01T00:00:00.000000+0000");
}

static void test_ktimestamp(void **state)
{
    (void)state;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    jw_ktimestamp(&w, "timestamp", 1478632402103474LL);
    jw_kstr(&w, "event_type", "alert");
    jw_object_close(&w);
    assert_string_equal(
        w.buf, "{\"timestamp\":\"2016-11-08T19:13:22.103474+0000\",\"event_type\":\"alert\"}");
    jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_itself),
        cmocka_unit_test(test_empty_containers),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_array_of_values),
        cmocka_unit_test(test_keys_escaped),
        cmocka_unit_test(test_reset_reuses_buffer),
        cmocka_unit_test(test_depth_bounded),
        cmocka_unit_test(test_unbalanced_close),
        cmocka_unit_test(test_escape_control_bytes),
        cmocka_unit_test(test_escape_specials),
        cmocka_unit_test(test_escape_valid_utf8),
        cmocka_unit_test(test_escape_invalid_utf8),
        cmocka_unit_test(test_escape_long_inputs),
        cmocka_unit_test(test_escape_random_bytes_valid),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_integers_powers_of_ten),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_ktimestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
