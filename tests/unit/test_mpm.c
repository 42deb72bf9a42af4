/* test_mpm.c -- the Hyperscan multi-pattern prefilter and its disk cache.
 *
 * Expected ids and end offsets are counted by hand from the bytes written in
 * each test (end offset = index of the literal's last byte + 1); the 20k
 * pattern test checks against a naive search written here. Cache images are
 * corrupted by the header/body offsets documented in mpm.h, with checksums
 * recomputed by OpenSSL directly where the point is to get past them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "detect/mpm.h"

#define MAXHITS 64

typedef struct hit {
    uint32_t id;
    uint64_t end;
} hit_t;

typedef struct hits {
    hit_t h[MAXHITS];
    size_t n;
    size_t stop_after; /* 0 = never stop */
    uint64_t last_end; /* delivery must be in end-offset order */
    int out_of_order;
} hits_t;

static int collect(uint32_t id, uint64_t end, void *ctx)
{
    hits_t *hs = ctx;
    if (end < hs->last_end) hs->out_of_order = 1;
    hs->last_end = end;
    if (hs->n < MAXHITS) hs->h[hs->n] = (hit_t){id, end};
    hs->n++;
    return hs->stop_after && hs->n >= hs->stop_after;
}

static int cmp_hit(const void *va, const void *vb)
{
    const hit_t *a = va, *b = vb;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return a->id < b->id ? -1 : (a->id > b->id);
}

/* Scans and returns the hits sorted by (end, id): ids sharing an end offset
 * come in no promised order. */
static int scan_sorted(const mpm_t *m, mpm_scratch_t *s, const void *data, size_t len, hits_t *hs)
{
    memset(hs, 0, sizeof(*hs));
    int rc = mpm_scan(m, s, data, len, collect, hs);
    assert_false(hs->out_of_order);
    qsort(hs->h, hs->n < MAXHITS ? hs->n : MAXHITS, sizeof(hit_t), cmp_hit);
    return rc;
}

static void expect_hits(const hits_t *hs, const hit_t *want, size_t n)
{
    assert_int_equal(hs->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hs->h[i].id, want[i].id);
        assert_int_equal(hs->h[i].end, want[i].end);
    }
}

static void add_str(mpm_builder_t *b, const char *s, bool nocase, uint32_t id)
{
    assert_int_equal(mpm_add(b, (const uint8_t *)s, strlen(s), nocase, id), 0);
}

/* Builds and reserves a scratch for it. */
static mpm_t *build_ok(mpm_builder_t *b, mpm_scratch_t **s)
{
    char err[256] = "";
    mpm_t *m = mpm_build(b, err, sizeof(err));
    if (!m) fail_msg("mpm_build: %s", err);
    *s = mpm_scratch_new();
    assert_non_null(*s);
    assert_int_equal(mpm_scratch_reserve(*s, m), 0);
    return m;
}

static void test_case_and_nocase(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "abc", false, 1);
    add_str(b, "ABC", true, 2);
    add_str(b, "Abc", false, 3); /* only "abc" and "ABC" occur */
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs;
    /* x x a b c A B C: "abc" ends at 5 */
    assert_int_equal(scan_sorted(m, s, "xxabcABC", 8, &hs), 2);
    expect_hits(&hs, (hit_t[]){{1, 5}, {2, 5}}, 2);
    /* only the caseless one sees "aBc" */
    assert_int_equal(scan_sorted(m, s, "aBc", 3, &hs), 1);
    expect_hits(&hs, (hit_t[]){{2, 3}}, 1);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_overlap(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "abcd", false, 1);
    add_str(b, "bc", false, 2);
    add_str(b, "cde", false, 3);
    add_str(b, "e", false, 4);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs;
    /* a0 b1 c2 d3 e4: bc ends 3, abcd 4, cde and e 5 */
    assert_int_equal(scan_sorted(m, s, "abcde", 5, &hs), 4);
    expect_hits(&hs, (hit_t[]){{2, 3}, {1, 4}, {3, 5}, {4, 5}}, 4);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_start_end(void **state)
{
    (void)state;
    static const char req[] = "GET /x HTTP/1.0\r\n"; /* 4 + 2 + 9 + 2 = 17 bytes */
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "GET ", false, 10);
    add_str(b, "\r\n", false, 11);
    add_str(b, req, false, 12); /* the whole buffer */
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs;
    assert_int_equal(scan_sorted(m, s, req, 17, &hs), 3);
    expect_hits(&hs, (hit_t[]){{10, 4}, {11, 17}, {12, 17}}, 3);
    /* one byte short: the whole-buffer literal and "\r\n" are gone */
    assert_int_equal(scan_sorted(m, s, req, 16, &hs), 1);
    expect_hits(&hs, (hit_t[]){{10, 4}}, 1);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_binary(void **state)
{
    (void)state;
    static const uint8_t p00ff[] = {0x00, 0xff};
    static const uint8_t pa0b[] = {'a', 0x00, 'b'};
    static const uint8_t pA0[] = {'A', 0x00};
    static const uint8_t data[] = {0x41, 0x00, 0xff, 0x00, 0xff, 'a', 0x00, 'b'};
    mpm_builder_t *b = mpm_builder_new();
    assert_int_equal(mpm_add(b, p00ff, 2, false, 7), 0);
    assert_int_equal(mpm_add(b, pa0b, 3, false, 8), 0);
    assert_int_equal(mpm_add(b, pA0, 2, true, 9), 0);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs;
    /* 41 00 at 0-1 (nocase "A\0"), 00 ff at 1-2 and 3-4 (once), a 00 b at 5-7;
     * "a\0" at 5-6 is the same rule 9 again */
    assert_int_equal(scan_sorted(m, s, data, sizeof(data), &hs), 3);
    expect_hits(&hs, (hit_t[]){{9, 2}, {7, 3}, {8, 8}}, 3);
    /* 0xff is not a letter: nocase must not fold it to 0xdf */
    static const uint8_t df[] = {0x00, 0xdf};
    assert_int_equal(scan_sorted(m, s, df, 2, &hs), 0);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_rule_dedupe(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "foo", false, 5);
    add_str(b, "bar", false, 5);
    add_str(b, "bar", false, 6);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs;
    /* f0 o1 o2 _3 b4 a5 r6 ...: rule 5 once (foo, end 3), rule 6 at 7 */
    assert_int_equal(scan_sorted(m, s, "foo bar foo bar", 15, &hs), 2);
    expect_hits(&hs, (hit_t[]){{5, 3}, {6, 7}}, 2);
    /* the next scan reports both again */
    assert_int_equal(scan_sorted(m, s, "bar", 3, &hs), 2);
    expect_hits(&hs, (hit_t[]){{5, 3}, {6, 3}}, 2);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_duplicate_patterns(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "evil", false, 10);
    add_str(b, "evil", false, 11);
    add_str(b, "evil", false, 12);
    add_str(b, "evil", false, 10); /* same pair again */
    add_str(b, "EVIL", true, 13);
    add_str(b, "evil", true, 14); /* same caseless literal as 13 */
    assert_int_equal(mpm_builder_count(b), 6);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    mpm_stats_t st;
    mpm_get_stats(m, &st);
    assert_int_equal(st.patterns, 2); /* evil, evil/nocase */
    assert_int_equal(st.entries, 5);  /* 10 11 12, 13 14 */
    assert_int_equal(st.rule_ids, 5);
    assert_int_equal(mpm_pattern_count(m), 2);
    assert_true(mpm_db_size(m) > 0);
    assert_int_equal(st.db_bytes, mpm_db_size(m));
    hits_t hs;
    /* "an EVIL evil": EVIL at 3-6, evil at 8-11 */
    assert_int_equal(scan_sorted(m, s, "an EVIL evil", 12, &hs), 5);
    expect_hits(&hs, (hit_t[]){{13, 7}, {14, 7}, {10, 12}, {11, 12}, {12, 12}}, 5);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_stop(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "a", false, 1);
    add_str(b, "b", false, 2);
    add_str(b, "c", false, 3);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs = {.stop_after = 1};
    assert_int_equal(mpm_scan(m, s, (const uint8_t *)"abc", 3, collect, &hs), 1);
    assert_int_equal(hs.n, 1);
    assert_int_equal(hs.h[0].id, 1);
    assert_int_equal(hs.h[0].end, 1);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_empty_buffer(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "a", false, 1);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    hits_t hs = {0};
    assert_int_equal(mpm_scan(m, s, (const uint8_t *)"", 0, collect, &hs), 0);
    assert_int_equal(mpm_scan(m, s, NULL, 0, collect, &hs), 0);
    assert_int_equal(hs.n, 0);
    assert_int_equal(mpm_scan(m, s, NULL, 1, collect, &hs), -1);
    assert_int_equal(mpm_scan(m, s, (const uint8_t *)"a", 1, NULL, &hs), -1);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_zero_patterns(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    mpm_stats_t st;
    mpm_get_stats(m, &st);
    assert_int_equal(st.patterns, 0);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.rule_ids, 0);
    assert_int_equal(st.db_bytes, 0);
    hits_t hs = {0};
    assert_int_equal(mpm_scan(m, s, (const uint8_t *)"abc", 3, collect, &hs), 0);
    assert_int_equal(hs.n, 0);
    /* it serializes and comes back too */
    uint8_t *img;
    size_t len;
    uint8_t key[MPM_KEY_LEN] = {1};
    assert_int_equal(mpm_cache_encode(m, key, &img, &len), 0);
    char err[256];
    mpm_t *m2 = mpm_cache_decode(img, len, key, err, sizeof(err));
    assert_non_null(m2);
    assert_int_equal(mpm_pattern_count(m2), 0);
    assert_int_equal(mpm_scan(m2, s, (const uint8_t *)"abc", 3, collect, &hs), 0);
    free(img);
    mpm_free(m2);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_add_limits(void **state)
{
    (void)state;
    mpm_builder_t *b = mpm_builder_new();
    static uint8_t big[MPM_PATTERN_MAX + 1];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 31 + 7);
    errno = 0;
    assert_int_equal(mpm_add(b, big, 0, false, 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(mpm_add(b, NULL, 3, false, 1), -1);
    assert_int_equal(mpm_add(NULL, big, 3, false, 1), -1);
    errno = 0;
    assert_int_equal(mpm_add(b, big, MPM_PATTERN_MAX + 1, false, 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(mpm_builder_count(b), 0);
    assert_int_equal(mpm_add(b, big, MPM_PATTERN_MAX, false, 2), 0);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    /* 10 filler bytes, then the literal: it ends at 10 + 8192 */
    size_t len = 10 + MPM_PATTERN_MAX + 5;
    uint8_t *data = malloc(len);
    assert_non_null(data);
    memset(data, 'Z', len);
    memcpy(data + 10, big, MPM_PATTERN_MAX);
    hits_t hs;
    assert_int_equal(scan_sorted(m, s, data, len, &hs), 1);
    expect_hits(&hs, (hit_t[]){{2, 10 + MPM_PATTERN_MAX}}, 1);
    free(data);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
}

static void test_scratch_fit(void **state)
{
    (void)state;
    mpm_builder_t *b1 = mpm_builder_new(), *b3 = mpm_builder_new();
    add_str(b1, "one", false, 1);
    add_str(b3, "one", false, 1);
    add_str(b3, "two", false, 2);
    add_str(b3, "three", false, 3);
    char err[128];
    mpm_t *m1 = mpm_build(b1, err, sizeof(err)), *m3 = mpm_build(b3, err, sizeof(err));
    assert_non_null(m1);
    assert_non_null(m3);
    mpm_scratch_t *s = mpm_scratch_new();
    hits_t hs = {0};
    assert_int_equal(mpm_scan(m1, s, (const uint8_t *)"one", 3, collect, &hs), -1);
    assert_int_equal(mpm_scratch_reserve(s, m1), 0);
    assert_int_equal(mpm_scan(m1, s, (const uint8_t *)"one", 3, collect, &hs), 1);
    /* reserved for m1 only: m3 has more rule ids */
    assert_int_equal(mpm_scan(m3, s, (const uint8_t *)"two", 3, collect, &hs), -1);
    assert_int_equal(mpm_scratch_reserve(s, m3), 0);
    mpm_scratch_t *c = mpm_scratch_clone(s);
    assert_non_null(c);
    assert_int_equal(scan_sorted(m3, c, "three two", 9, &hs), 2);
    expect_hits(&hs, (hit_t[]){{3, 5}, {2, 9}}, 2);
    assert_int_equal(scan_sorted(m1, c, "xone", 4, &hs), 1);
    expect_hits(&hs, (hit_t[]){{1, 4}}, 1);
    assert_int_equal(scan_sorted(m1, s, "one", 3, &hs), 1);
    mpm_scratch_free(c);
    mpm_scratch_free(s);
    mpm_free(m1);
    mpm_free(m3);
    mpm_builder_free(b1);
    mpm_builder_free(b3);
}

/* --- many random patterns ------------------------------------------------ */

#define NPAT   20000
#define NPLANT 40
#define DLEN   8192

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

typedef struct rpat {
    uint8_t b[24];
    uint8_t len, nocase;
} rpat_t;

static uint8_t fold(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Naive first occurrence: end offset, or 0 if absent. */
static uint64_t naive_first(const uint8_t *d, size_t n, const rpat_t *p)
{
    for (size_t i = 0; i + p->len <= n; i++) {
        size_t k = 0;
        while (k < p->len && (p->nocase ? fold(d[i + k]) == fold(p->b[k]) : d[i + k] == p->b[k]))
            k++;
        if (k == p->len) return i + p->len;
    }
    return 0;
}

typedef struct all_hits {
    uint64_t end[NPAT]; /* 0 = not reported */
    size_t n, dup;
} all_hits_t;

static int collect_all(uint32_t id, uint64_t end, void *ctx)
{
    all_hits_t *a = ctx;
    assert_true(id < NPAT);
    if (a->end[id]) a->dup++;
    a->end[id] = end;
    a->n++;
    return 0;
}

static void make_random(rpat_t *p, uint8_t *data)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < NPAT; i++) {
        p[i].len = (uint8_t)(8 + rng_next(&x) % 17); /* 8..24 */
        p[i].nocase = i % 3 == 0;
        for (int k = 0; k < p[i].len; k++)
            p[i].b[k] = (uint8_t)rng_next(&x);
    }
    for (int i = 0; i < DLEN; i++)
        data[i] = (uint8_t)rng_next(&x);
    /* Plant every 497th pattern 200 bytes apart; caseless ones in upper
     * case so folding is exercised. */
    for (int j = 0; j < NPLANT; j++) {
        const rpat_t *q = &p[j * 497];
        for (int k = 0; k < q->len; k++) {
            uint8_t c = q->b[k];
            data[j * 200 + k] = q->nocase && c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
        }
    }
}

static void test_random_20k(void **state)
{
    (void)state;
    rpat_t *p = calloc(NPAT, sizeof(*p));
    uint8_t *data = malloc(DLEN);
    all_hits_t *a = calloc(1, sizeof(*a));
    assert_true(p && data && a);
    make_random(p, data);
    mpm_builder_t *b = mpm_builder_new();
    for (uint32_t i = 0; i < NPAT; i++)
        assert_int_equal(mpm_add(b, p[i].b, p[i].len, p[i].nocase, i), 0);
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    assert_int_equal(mpm_pattern_count(m), NPAT);
    int rc = mpm_scan(m, s, data, DLEN, collect_all, a);
    assert_int_equal(a->dup, 0);
    assert_int_equal((size_t)rc, a->n);
    size_t expected = 0;
    for (int i = 0; i < NPAT; i++) {
        uint64_t want = naive_first(data, DLEN, &p[i]);
        if (want) expected++;
        if (a->end[i] != want)
            fail_msg("pattern %d: end %llu, naive %llu", i, (unsigned long long)a->end[i],
                     (unsigned long long)want);
    }
    assert_int_equal(a->n, expected);
    for (int j = 0; j < NPLANT; j++)
        assert_int_equal(a->end[j * 497], (uint64_t)j * 200 + p[j * 497].len);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
    free(a);
    free(data);
    free(p);
}

/* --- cache --------------------------------------------------------------- */

typedef struct tmpdir {
    char path[256];
} tmpdir_t;

static void tmpdir_make(tmpdir_t *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->path, sizeof(t->path), "%s/test_mpm.XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->path));
}

/* Removes the cache files the tests write (one level, *.mpm). */
static void tmpdir_drop(tmpdir_t *t, const uint8_t *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char hex[2 * MPM_KEY_LEN + 1], f[512];
        mpm_key_hex(keys[i], hex);
        snprintf(f, sizeof(f), "%s/%s.mpm", t->path, hex);
        unlink(f);
    }
    assert_int_equal(rmdir(t->path), 0);
}

static void cache_file(const tmpdir_t *t, const uint8_t *key, char *out, size_t outlen)
{
    char hex[2 * MPM_KEY_LEN + 1];
    mpm_key_hex(key, hex);
    snprintf(out, outlen, "%s/%s.mpm", t->path, hex);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 22);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 22, f);
    fclose(f);
    return buf;
}

static void spit(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A mixed set: the hand-checked literals plus 2000 random ones. */
static mpm_builder_t *mixed_builder(void)
{
    static const uint8_t bin[] = {0x00, 0xff};
    mpm_builder_t *b = mpm_builder_new();
    add_str(b, "abcd", false, 1);
    add_str(b, "bc", false, 2);
    add_str(b, "EVIL", true, 3);
    add_str(b, "evil", false, 4);
    add_str(b, "evil", false, 5);
    assert_int_equal(mpm_add(b, bin, 2, false, 4000000000u), 0);
    uint64_t x = 42;
    for (uint32_t i = 0; i < 2000; i++) {
        uint8_t pat[12];
        for (int k = 0; k < 12; k++)
            pat[k] = (uint8_t)('a' + rng_next(&x) % 26);
        assert_int_equal(mpm_add(b, pat, 4 + i % 9, i & 1, 100 + i), 0);
    }
    return b;
}

static void same_results(const mpm_t *m1, const mpm_t *m2, mpm_scratch_t *s)
{
    static const char *inputs[] = {"abcd evil EVIL", "xx\0\xffyy", "",
                                   "qwertyuiopasdfghjklzxcvbnm"};
    static const size_t lens[] = {14, 6, 0, 26};
    uint8_t rnd[4096];
    uint64_t x = 7;
    for (size_t i = 0; i < sizeof(rnd); i++)
        rnd[i] = (uint8_t)('a' + rng_next(&x) % 26);
    hits_t h1, h2;
    for (size_t i = 0; i < 5; i++) {
        const void *d = i < 4 ? (const void *)inputs[i] : rnd;
        size_t n = i < 4 ? lens[i] : sizeof(rnd);
        int r1 = scan_sorted(m1, s, d, n, &h1), r2 = scan_sorted(m2, s, d, n, &h2);
        assert_int_equal(r1, r2);
        assert_int_equal(h1.n, h2.n);
        assert_memory_equal(h1.h, h2.h, sizeof(h1.h));
    }
}

static void test_cache_roundtrip(void **state)
{
    (void)state;
    tmpdir_t t;
    tmpdir_make(&t);
    uint8_t key[MPM_KEY_LEN], other[MPM_KEY_LEN];
    assert_int_equal(mpm_key_of("rules v1", 8, key), 0);
    assert_int_equal(mpm_key_of("rules v2", 8, other), 0);
    mpm_builder_t *b = mixed_builder();
    mpm_scratch_t *s;
    mpm_t *m = build_ok(b, &s);
    char err[512] = "";
    mpm_t *got = NULL;
    assert_int_equal(mpm_cache_load(t.path, key, &got, err, sizeof(err)), MPM_CACHE_MISS);
    assert_null(got);
    assert_int_equal(mpm_cache_store(t.path, key, m, err, sizeof(err)), 0);
    assert_int_equal(mpm_cache_load(t.path, key, &got, err, sizeof(err)), MPM_CACHE_HIT);
    assert_non_null(got);
    mpm_stats_t a, c;
    mpm_get_stats(m, &a);
    mpm_get_stats(got, &c);
    assert_memory_equal(&a, &c, sizeof(a));
    assert_int_equal(mpm_scratch_reserve(s, got), 0);
    same_results(m, got, s);
    /* both mpms see id 4000000000 on 00 ff at 2-3 */
    hits_t hs;
    assert_int_equal(scan_sorted(got, s, "xx\0\xffyy", 6, &hs), 1);
    expect_hits(&hs, (hit_t[]){{4000000000u, 4}}, 1);
    /* storing again replaces the file atomically */
    assert_int_equal(mpm_cache_store(t.path, key, m, err, sizeof(err)), 0);
    /* another key has no file; a file renamed to it is refused */
    mpm_t *none = NULL;
    assert_int_equal(mpm_cache_load(t.path, other, &none, err, sizeof(err)), MPM_CACHE_MISS);
    char f1[512], f2[512];
    cache_file(&t, key, f1, sizeof(f1));
    cache_file(&t, other, f2, sizeof(f2));
    assert_int_equal(rename(f1, f2), 0);
    assert_int_equal(mpm_cache_load(t.path, other, &none, err, sizeof(err)), MPM_CACHE_REJECTED);
    assert_null(none);
    assert_non_null(strstr(err, "another key"));
    mpm_free(got);
    mpm_free(m);
    mpm_scratch_free(s);
    mpm_builder_free(b);
    tmpdir_drop(&t, (const uint8_t *const[]){key, other}, 2);
}

/* Loads path's image after mutate and expects a rejection naming why. */
static void expect_rejected(const tmpdir_t *t, const uint8_t *key, const uint8_t *img, size_t len,
                            const char *why)
{
    char f[512], err[512] = "";
    cache_file(t, key, f, sizeof(f));
    spit(f, img, len);
    mpm_t *m = (mpm_t *)1;
    assert_int_equal(mpm_cache_load(t->path, key, &m, err, sizeof(err)), MPM_CACHE_REJECTED);
    assert_null(m);
    if (!strstr(err, why)) fail_msg("wanted '%s', got '%s'", why, err);
    assert_null(strchr(err, '\n'));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the header checksum (offset 120) the way mpm.h describes. */
static void reseal(uint8_t *img, size_t len)
{
    memset(img + 120, 0, 32);
    unsigned int n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(md, img, len), 1);
    uint8_t sum[32];
    assert_int_equal(EVP_DigestFinal_ex(md, sum, &n), 1);
    EVP_MD_CTX_free(md);
    memcpy(img + 120, sum, 32);
}

static void test_cache_corrupt(void **state)
{
    (void)state;
    tmpdir_t t;
    tmpdir_make(&t);
    uint8_t key[MPM_KEY_LEN];
    assert_int_equal(mpm_key_of("corrupt", 7, key), 0);
    mpm_builder_t *b = mixed_builder();
    char err[512], f[512];
    mpm_t *m = mpm_build(b, err, sizeof(err));
    assert_non_null(m);
    assert_int_equal(mpm_cache_store(t.path, key, m, err, sizeof(err)), 0);
    cache_file(&t, key, f, sizeof(f));
    size_t len;
    uint8_t *good = slurp(f, &len);
    uint8_t *bad = malloc(len + 1);
    assert_non_null(bad);

    expect_rejected(&t, key, good, 0, "truncated header");
    expect_rejected(&t, key, good, 100, "truncated header");
    expect_rejected(&t, key, good, 159, "truncated header");
    expect_rejected(&t, key, good, len - 1, "body of");
    expect_rejected(&t, key, good, len / 2, "body of");
    memcpy(bad, good, len);
    bad[len] = 0;
    expect_rejected(&t, key, bad, len + 1, "body of");

#define MUTATE(off, expr, why)                                                                     \
    do {                                                                                           \
        memcpy(bad, good, len);                                                                    \
        bad[off] expr;                                                                             \
        expect_rejected(&t, key, bad, len, why);                                                   \
    } while (0)
    MUTATE(0, ^= 1, "bad magic");
    MUTATE(8, = 2, "format version 2");
    MUTATE(12, ^= 1, "header length");
    MUTATE(16, ^= 1, "another key");
    MUTATE(48, = '4', "built by hyperscan");
    MUTATE(96, ^= 0x80, "CPU features");
    MUTATE(104, ^= 1, "CPU features");
    MUTATE(108, = 1, "reserved");
    MUTATE(112, ^= 1, "body of");
    MUTATE(120, ^= 1, "checksum");
    MUTATE(200, ^= 1, "checksum");     /* tables */
    MUTATE(len - 1, ^= 1, "checksum"); /* hyperscan bytes */

    /* Past the checksum: the body's own checks. Body at 160: u32 npat 160,
     * nlist 164, nids 168, reserved 172, u64 db_len 176, first[] from 184. */
    const size_t body = 160, tabs = body + 24;
    uint32_t npat = get32(good + body), nlist = get32(good + body + 4);
    uint32_t nids = get32(good + body + 8);
    size_t list = tabs + 4 * ((size_t)npat + 1), ids = list + 4 * (size_t)nlist;
#define RESEAL(stmt, why)                                                                          \
    do {                                                                                           \
        memcpy(bad, good, len);                                                                    \
        stmt;                                                                                      \
        reseal(bad, len);                                                                          \
        expect_rejected(&t, key, bad, len, why);                                                   \
    } while (0)
    RESEAL(put32(bad + body, 0xffffffffu), "larger than the body");
    RESEAL(put32(bad + body + 8, 0xfffffffu), "larger than the body");
    RESEAL(put32(bad + body + 12, 1), "reserved");
    RESEAL(bad[body + 16] ^= 1, "database length");
    RESEAL(put32(bad + tabs, 1), "pattern table ends wrong");
    RESEAL(put32(bad + tabs + 4, 0), "pattern with no rule id");
    RESEAL(put32(bad + list, nids), "rule slot out of range");
    RESEAL(put32(bad + list + 4, 0xffffffffu), "rule slot out of range");
    RESEAL(put32(bad + ids + 4, 0), "not strictly increasing");
    RESEAL(memset(bad + ids + 4 * (size_t)nids, 0, 8), "not a hyperscan database");

    /* the good image still loads after all that */
    spit(f, good, len);
    mpm_t *got = NULL;
    assert_int_equal(mpm_cache_load(t.path, key, &got, err, sizeof(err)), MPM_CACHE_HIT);
    mpm_free(got);
    /* a directory where the file should be */
    unlink(f);
    assert_int_equal(mkdir(f, 0700), 0);
    assert_int_equal(mpm_cache_load(t.path, key, &got, err, sizeof(err)), MPM_CACHE_REJECTED);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(rmdir(f), 0);
    /* a symlink is refused, not followed */
    char target[600];
    snprintf(target, sizeof(target), "%s.real", f);
    spit(target, good, len);
    assert_int_equal(symlink(target, f), 0);
    assert_int_equal(mpm_cache_load(t.path, key, &got, err, sizeof(err)), MPM_CACHE_REJECTED);
    assert_null(got);
    unlink(f);
    unlink(target);

    free(bad);
    free(good);
    mpm_free(m);
    mpm_builder_free(b);
    tmpdir_drop(&t, (const uint8_t *const[]){key}, 1);
}

static void test_decode_garbage(void **state)
{
    (void)state;
    uint8_t key[MPM_KEY_LEN] = {0}, buf[512];
    char err[256];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13);
    for (size_t n = 0; n <= sizeof(buf); n += 37)
        assert_null(mpm_cache_decode(buf, n, key, err, sizeof(err)));
    for (size_t n = 0; n <= sizeof(buf); n += 37)
        assert_null(mpm_deserialize(buf, n, err, sizeof(err)));
    assert_null(mpm_deserialize(NULL, 0, err, sizeof(err)));
}

static void test_keys(void **state)
{
    (void)state;
    /* FIPS 180-2 test vectors */
    static const char abc_hex[] =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static const char empty_hex[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    uint8_t k1[MPM_KEY_LEN], k2[MPM_KEY_LEN];
    char hex[2 * MPM_KEY_LEN + 1];
    assert_int_equal(mpm_key_of("abc", 3, k1), 0);
    mpm_key_hex(k1, hex);
    assert_string_equal(hex, abc_hex);
    mpm_key_ctx_t *k = mpm_key_begin();
    assert_non_null(k);
    assert_int_equal(mpm_key_update(k, "a", 1), 0);
    assert_int_equal(mpm_key_update(k, NULL, 0), 0);
    assert_int_equal(mpm_key_update(k, "bc", 2), 0);
    assert_int_equal(mpm_key_end(k, k2), 0);
    assert_memory_equal(k1, k2, MPM_KEY_LEN);
    assert_int_equal(mpm_key_of(NULL, 0, k1), 0);
    mpm_key_hex(k1, hex);
    assert_string_equal(hex, empty_hex);
    mpm_key_abort(mpm_key_begin());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_and_nocase),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_start_end),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_rule_dedupe),
        cmocka_unit_test(test_duplicate_patterns),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_empty_buffer),
        cmocka_unit_test(test_zero_patterns),
        cmocka_unit_test(test_add_limits),
        cmocka_unit_test(test_scratch_fit),
        cmocka_unit_test(test_random_20k),
        cmocka_unit_test(test_cache_roundtrip),
        cmocka_unit_test(test_cache_corrupt),
        cmocka_unit_test(test_decode_garbage),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
