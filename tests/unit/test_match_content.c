/* test_match_content.c -- the items of one buffer: content and its modifiers,
 * pcre, byte_test, byte_jump, isdataat, bsize, dotprefix, backtracking.
 *
 * Rules go through the real parser (rule_set_add_rule); each expected result
 * is worked out by hand from Suricata's documented semantics (rule.h repeats
 * them): absolute windows [offset, offset + depth), relative windows from
 * the cursor c: start >= c + distance, end <= c + distance + within, the
 * cursor moving to the end of each positive match. Comments spell out the
 * cases where the answer is not obvious from the bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/match.h"
#include "detect/rule_set.h"

static rule_set_t *rs;
static match_scratch_t *ms;
static uint32_t next_sid = 1;

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(NULL);
    ms = match_scratch_new();
    if (!rs || !ms) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    match_scratch_free(ms);
    return 0;
}

/* "HEADER (OPTS sid:N;)" with a fresh sid. */
static const rule_t *parse_rule(const char *header, const char *opts)
{
    char text[2048];
    snprintf(text, sizeof text, "%s (%s sid:%u;)", header, opts, next_sid++);
    const rule_t *r = rule_set_add_rule(rs, text, "test", 1);
    if (!r) fail_msg("rule refused: %s -- %s", text, rule_set_last_error(rs));
    return r;
}

/* Options of a tcp rule with one buffer. */
static const rule_buffer_t *parse_opts(const char *opts)
{
    const rule_t *r = parse_rule("alert tcp any any -> any any", opts);
    assert_int_equal(r->n_bufs, 1);
    return &r->bufs[0];
}

static bool run(const char *opts, const void *buf, uint32_t len)
{
    return match_buffer(parse_opts(opts), buf, len, ms);
}

typedef struct mcase {
    const char *opts;
    const char *buf;
    uint32_t len;
    bool want;
} mcase_t;

#define M(o, b, w)                                                                                 \
    {                                                                                              \
        o, b, sizeof(b) - 1, w                                                                     \
    }

static void run_table(const mcase_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool got = run(t[i].opts, t[i].buf, t[i].len);
        if (got != t[i].want)
            fail_msg("case %zu: %s on \"%.*s\": got %d, want %d", i, t[i].opts, (int)t[i].len,
                     t[i].buf, got, t[i].want);
    }
}

/* ---- content ---- */

static const mcase_t content_cases[] = {
    /* plain */
    M("content:\"abc\";", "xxabcxx", true), M("content:\"abd\";", "xxabcxx", false),
    M("content:\"ABC\";", "xxabcxx", false), M("content:\"ABC\"; nocase;", "xxabcxx", true),
    M("content:\"a|42|c\"; nocase;", "xAbCx", true),
    M("content:\"|00 01|\";", "\x02\x00\x01", true), M("content:\"a|00|b\";", "xa\0b", true),
    M("content:\"a|00|b\";", "xa\0c", false),
    /* nocase folds ASCII letters only: C3 A9 (e acute) vs C3 89 (E acute) */
    M("content:\"|C3 A9|\"; nocase;", "\xc3\x89", false),
    /* '[' 0x5b and '{' 0x7b differ by 0x20 but are not letters */
    M("content:\"[\"; nocase;", "{", false), M("content:\"@\"; nocase;", "`", false),
    M("content:\"abcdef\";", "abc", false), M("content:\"abc\";", "abc", true),
    M("content:\"world\"; content:\"hello\";", "hello world", true), /* absolute: any order */
    /* offset / depth (depth counts from offset) */
    M("content:\"abc\"; offset:2;", "abcabc", true),  /* the second abc, at 3 */
    M("content:\"abc\"; offset:4;", "abcabc", false), /* from 4 only "bc" is left */
    M("content:\"abc\"; depth:3;", "abcxxx", true),
    M("content:\"abc\"; depth:4;", "xxabc", false), /* needs s + 3 <= 4, abc is at 2 */
    M("content:\"abc\"; depth:5;", "xxabc", true),
    M("content:\"abc\"; offset:2; depth:3;", "xxabc", true),
    M("content:\"abc\"; offset:1; depth:3;", "xxabc", false), /* window [1, 4) */
    M("content:\"abc\"; offset:1; depth:4;", "xxabc", true),  /* window [1, 5) */
    M("content:\"abc\"; offset:10;", "abc", false),
    M("content:!\"abc\"; offset:10;", "abc", true),   /* empty window: negation holds */
    M("content:!\"abc\"; depth:4;", "xxxxabc", true), /* abc at 4 is past [0, 4) */
    M("content:!\"abc\"; depth:5;", "xxabcxx", false),
    /* startswith / endswith */
    M("content:\"GET\"; startswith;", "GET /", true),
    M("content:\"GET\"; startswith;", " GET /", false),
    M("content:\"html\"; endswith;", "index.html", true),
    M("content:\"html\"; endswith;", "index.html ", false),
    M("content:\"ab\"; endswith;", "abab", true), /* the second ab ends the buffer */
    M("content:\"HTML\"; nocase; endswith;", "a.html", true),
    M("content:\"abc\"; startswith; endswith;", "abc", true),
    M("content:\"abc\"; startswith; endswith;", "abcabc", false),
    M("content:!\"x\"; endswith;", "abx", false),
    M("content:!\"x\"; endswith;", "xab", true), /* an x that does not end the buffer */
    M("content:\"a\"; content:\"z\"; distance:0; endswith;", "azbz", true),
    /* negation */
    M("content:!\"abc\";", "xyz", true), M("content:!\"abc\";", "xabcx", false),
    M("content:\"GET\"; content:!\"admin\";", "GET /index", true),
    M("content:\"GET\"; content:!\"admin\";", "GET /admin", false),
    M("content:\"user\"; content:!\"root\"; distance:0; within:10;", "user root", false),
    M("content:\"user\"; content:!\"root\"; distance:0; within:10;", "user guest", true),
    /* root at 11: window [4, 14) holds it; within:6 gives [4, 10), ending too soon */
    M("content:\"user\"; content:!\"root\"; distance:0; within:6;", "user guest root", true),
    /* relative */
    M("content:\"a\"; content:\"b\"; distance:0;", "ba", false),
    M("content:\"a\"; content:\"b\"; distance:0;", "ab", true),
    M("content:\"a\"; content:\"b\"; distance:1;", "ab", false), /* b must start at >= 2 */
    M("content:\"a\"; content:\"b\"; distance:1;", "axb", true),
    M("content:\"a\"; content:\"b\"; within:1;", "ab", true),
    M("content:\"a\"; content:\"b\"; within:1;", "axb", false),
    M("content:\"a\"; content:\"bc\"; distance:1; within:2;", "axbc", true),   /* [2, 4) */
    M("content:\"a\"; content:\"bc\"; distance:1; within:2;", "axxbc", false), /* bc ends at 5 */
    M("content:\"a\"; content:\"bc\"; within:2;", "abc", true),
    M("content:\"hello\"; content:\"world\"; distance:0;", "world hello", false),
    M("content:\"HOST:\"; nocase; content:\"evil\"; nocase; distance:0;", "host: EVIL.com", true),
    /* offset 1 skips the a at 0; the a at 2 is followed by b */
    M("content:\"a\"; offset:1; content:\"b\"; distance:0; within:1;", "abab", true),
    /* depth 1 allows only the a at 0, followed by c: no other a to retry */
    M("content:\"a\"; depth:1; content:\"b\"; distance:0; within:1;", "acab", false),
    /* a relative content first in its buffer is relative to 0 */
    M("content:\"b\"; distance:1;", "ab", true), M("content:\"b\"; distance:1;", "ba", false),
    /* backtracking: the first A is not followed by B, a later one is */
    M("content:\"A\"; content:\"B\"; distance:0; within:1;", "AxAB", true),
    M("content:\"A\"; content:\"B\"; distance:0; within:1;", "AxAyAzAB", true),
    M("content:\"A\"; content:\"B\"; distance:0; within:1;", "AxAyAz", false),
    M("content:\"A\"; content:\"B\"; distance:0; within:1;", "BAxA", false),
    /* within 3: [1, 4) after A0 holds no B; [5, 8) after A4 holds B at 6 */
    M("content:\"A\"; content:\"B\"; distance:0; within:3;", "AxxxAxB", true),
    M("content:\"A\"; content:\"B\"; distance:0; within:3;", "AxxxAxxxB", false),
    /* three levels: a0 b1 then x at 2 fails c; b has no other place in
     * [1, 2); a retried at 3: b4 c5 */
    M("content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;", "abxabc", true),
    /* overlapping occurrences: aa at 0 leaves [2, 4) holding "a" only; aa
     * at 1 leaves [3, 5): nothing; "aaaa" has aa at 2 after aa at 0 */
    M("content:\"aa\"; content:\"aa\"; distance:0; within:2;", "aaa", false),
    M("content:\"aa\"; content:\"aa\"; distance:0; within:2;", "aaaa", true),
    /* endswith inside a relative window, after a retry: a0 allows b only at
     * 1, which does not end the buffer; a2 allows b at 3, the end */
    M("content:\"a\"; content:\"b\"; within:1; endswith;", "abab", true),
    /* negated relative with a retry: b follows a0; nothing in [3, 4) after a2 */
    M("content:\"a\"; content:!\"b\"; within:1;", "abac", true),
    M("content:\"a\"; content:!\"b\"; within:1;", "abab", false),
    /* negative distance: def ends at 6; distance -6 allows a start >= 0 */
    M("content:\"def\"; content:\"abc\"; distance:-6;", "abcdef", true),
    M("content:\"def\"; content:\"abc\"; distance:-5;", "abcdef", false), /* start >= 1 */
    /* start clamped at 0; within counts from c + distance = -8: end <= 4 */
    M("content:\"b\"; content:\"ab\"; distance:-10; within:12;", "ab", true),
    M("content:\"b\"; content:\"a\"; distance:-10; within:9;", "ab", true),   /* end <= 1 */
    M("content:\"b\"; content:\"a\"; distance:-10; within:8;", "ab", false),  /* end <= 0 */
    M("content:\"aba\"; content:\"a\"; distance:-1; within:1;", "aba", true), /* a at 2 */
};

static void test_content_table(void **state)
{
    (void)state;
    size_t n = sizeof content_cases / sizeof content_cases[0];
    assert_true(n >= 60);
    run_table(content_cases, n);
}

static void test_content_empty_and_absent(void **state)
{
    (void)state;
    static const uint8_t none[1];
    assert_false(run("content:\"a\";", none, 0));
    assert_true(run("content:!\"a\";", none, 0));  /* an empty buffer exists */
    assert_false(run("content:!\"a\";", NULL, 0)); /* an absent one does not */
}

/* The budget bounds the retries: 3000 A's never followed by B would take
 * 3000 retries; the walk gives up after MATCH_RETRY_BUDGET and counts it. */
static void test_retry_budget(void **state)
{
    (void)state;
    static uint8_t buf[3002]; /* 3001 A's (0..3000), then B at 3001 */
    memset(buf, 'A', 3001);
    buf[3001] = 'B';
    const rule_buffer_t *b = parse_opts("content:\"A\"; content:\"B\"; distance:0; within:1;");
    uint64_t before = match_scratch_stats(ms)->budget_exhausted;
    /* reaching the last A takes 3000 retries: past the budget */
    assert_false(match_buffer(b, buf, sizeof buf, ms));
    assert_int_equal(match_scratch_stats(ms)->budget_exhausted, before + 1);
    /* from 2000: 1001 A's, the last one 1000 retries away: within 1024 */
    assert_true(match_buffer(b, buf + 2000, 1002, ms));
    /* from 1900: 1100 retries */
    assert_false(match_buffer(b, buf + 1900, 1102, ms));
    assert_int_equal(match_scratch_stats(ms)->budget_exhausted, before + 2);
}

static void test_match_find(void **state)
{
    (void)state;
    const uint8_t *h = (const uint8_t *)"xxHeLLo";
    assert_int_equal(match_find(h, 7, (const uint8_t *)"hello", 5, true), 2);
    assert_int_equal(match_find(h, 7, (const uint8_t *)"hello", 5, false), -1);
    assert_int_equal(match_find(h, 7, (const uint8_t *)"HeLLo", 5, false), 2);
    assert_int_equal(match_find(h, 7, (const uint8_t *)"x", 0, false), -1);
    assert_int_equal(match_find(h, 4, (const uint8_t *)"HeLLo", 5, false), -1);
    assert_int_equal(match_find(h, 7, (const uint8_t *)"o", 1, true), 6);
    /* a first byte that is not a letter */
    assert_int_equal(match_find((const uint8_t *)"ab\0xY", 5, (const uint8_t *)"\0Xy", 3, true), 2);
    assert_int_equal(match_find((const uint8_t *)"1a1b", 4, (const uint8_t *)"1B", 2, true), 2);
    assert_int_equal(match_find((const uint8_t *)"1a1b", 4, (const uint8_t *)"1c", 2, true), -1);
}

/* A naive reference written here, against random text over a small
 * alphabet where matches and near-matches are common. */
static int64_t naive_find(const uint8_t *h, uint32_t n, const uint8_t *p, uint32_t m, bool nocase)
{
    for (uint32_t i = 0; m && i + m <= n; i++) {
        uint32_t k = 0;
        for (; k < m; k++) {
            uint8_t a = h[i + k], b = p[k];
            if (nocase) {
                if (a >= 'A' && a <= 'Z') a = (uint8_t)(a + 32);
                if (b >= 'A' && b <= 'Z') b = (uint8_t)(b + 32);
            }
            if (a != b) break;
        }
        if (k == m) return i;
    }
    return -1;
}

static void test_match_find_random(void **state)
{
    (void)state;
    static const uint8_t alpha[] = {'a', 'A', 'b', 'B', '0', '[', '{'};
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t h[64], p[6];
        seed = seed * 1103515245u + 12345u;
        uint32_t n = (seed >> 16) % 64, m = 1 + (seed >> 8) % 6;
        for (uint32_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            h[i] = alpha[(seed >> 16) % sizeof alpha];
        }
        for (uint32_t i = 0; i < m; i++) {
            seed = seed * 1103515245u + 12345u;
            p[i] = alpha[(seed >> 16) % sizeof alpha];
        }
        for (int nc = 0; nc < 2; nc++)
            assert_int_equal(match_find(h, n, p, m, nc), naive_find(h, n, p, m, nc));
    }
}

/* ---- pcre ---- */

static const mcase_t pcre_cases[] = {
    M("pcre:\"/ab+c/\";", "xabbbc", true),
    M("pcre:\"/AB+C/\";", "xabbbc", false),
    M("pcre:\"/AB+C/i\";", "xabbbc", true),
    M("pcre:\"/^abc/\";", "xabc", false),
    M("pcre:\"/^abc/\";", "abc", true),
    M("pcre:\"/^abc$/\";", "x\nabc\ny", false),
    M("pcre:\"/^abc$/m\";", "x\nabc\ny", true),
    M("pcre:\"/a.b/\";", "a\nb", false),
    M("pcre:\"/a.b/s\";", "a\nb", true),
    M("pcre:\"/a b c/\";", "abc", false),
    M("pcre:\"/a b c/x\";", "abc", true),
    M("pcre:!\"/abc/\";", "xyz", true),
    M("pcre:!\"/abc/\";", "xabcx", false),
    /* R: the subject starts at the cursor (3), so ^ anchors there */
    M("content:\"GET\"; pcre:\"/^ \\/admin/R\";", "GET /admin", true),
    M("content:\"GET\"; pcre:\"/^ \\/admin/R\";", "GET  /admin", false),
    M("content:\"b\"; pcre:\"/a/R\";", "ab", false), /* the a is before the cursor */
    M("content:\"b\"; pcre:\"/a/R\";", "aba", true),
    M("content:\"user=\"; pcre:!\"/^root/R\";", "user=root", false),
    M("content:\"user=\"; pcre:!\"/^root/R\";", "user=bob", true),
    /* a pcre moves the cursor to its end: a+ ends at 3, b is there */
    M("pcre:\"/a+/\"; content:\"b\"; within:1;", "aaab", true),
    M("pcre:\"/a+/\"; content:\"b\"; within:1;", "aaaxb", false),
    /* pcre retried at its next start: a1 and a2 are not followed by z, a3 is */
    M("pcre:\"/a./\"; content:\"z\"; within:1;", "a1a2a3z", true),
    /* a0 sets the cursor to 1; b at 1 (pcre, relative) leaves 2 where x is
     * not c; the pcre retries from its next start: b at 3, c at 4 */
    M("content:\"a\"; pcre:\"/b/R\"; content:\"c\"; within:1;", "abxbc", true),
};

static void test_pcre_table(void **state)
{
    (void)state;
    run_table(pcre_cases, sizeof pcre_cases / sizeof pcre_cases[0]);
}

/* A pattern that backtracks exponentially hits the match limit: no match,
 * counted; with the O flag the limit is PCRE2's and it completes. */
static void test_pcre_limit(void **state)
{
    (void)state;
    static const char buf[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    uint64_t before = match_scratch_stats(ms)->pcre_errors;
    assert_false(run("pcre:\"/(a+)+$/\";", buf, sizeof buf - 1));
    assert_int_equal(match_scratch_stats(ms)->pcre_errors, before + 1);
    /* negated: an error is no match either (Suricata) */
    assert_false(run("pcre:!\"/(a+)+$/\";", buf, sizeof buf - 1));
}

/* ---- byte_test ---- */

static const mcase_t byte_test_cases[] = {
    M("byte_test:1,=,65,0;", "A", true),
    M("byte_test:2,=,0x0102,0;", "\x01\x02", true), /* big endian by default */
    M("byte_test:2,=,0x0201,0,little;", "\x01\x02", true),
    M("byte_test:2,=,0x0102,0,little;", "\x01\x02", false),
    M("byte_test:4,>,1000,0;", "\x00\x00\x03\xe9", true), /* 1001 */
    M("byte_test:4,<,1000,0;", "\x00\x00\x03\xe9", false),
    M("byte_test:3,=,0x010203,0,little;", "\x03\x02\x01", true),
    M("byte_test:8,=,0x0102030405060708,0;", "\x01\x02\x03\x04\x05\x06\x07\x08", true),
    M("byte_test:1,!=,5,0;", "\x05", false),
    M("byte_test:1,!=,5,0;", "\x06", true),
    M("byte_test:1,!<,5,0;", "\x05", true), /* not (5 < 5) */
    M("byte_test:1,&,0x80,0;", "\x81", true),
    M("byte_test:1,&,0x80,0;", "\x7f", false),
    M("byte_test:1,^,0xff,0;", "\xff", false), /* 0xff ^ 0xff == 0 */
    M("byte_test:1,^,0xff,0;", "\xfe", true),
    M("byte_test:1,<=,5,0;", "\x05", true),
    M("byte_test:1,>=,5,0;", "\x04", false),
    M("byte_test:1,>=,5,0;", "\x05", true),
    /* string numbers, read like strtoull */
    M("byte_test:3,=,123,0,string,dec;", "123", true),
    M("byte_test:3,=,123,0,string,dec;", "12a", false), /* reads 12 */
    M("byte_test:3,=,12,0,string,dec;", "12a", true),
    M("byte_test:3,=,7,0,string,dec;", "  7", true), /* leading spaces */
    M("byte_test:2,=,255,0,string,hex;", "ff", true),
    M("byte_test:4,=,255,0,string,hex;", "0xff", true),
    M("byte_test:3,=,8,0,string,oct;", "010", true),
    M("byte_test:1,=,8,0,string,oct;", "8", false),         /* 8 is no octal digit */
    M("byte_test:2,=,0,0,string,dec;", "ab", false),        /* no digit: the test fails */
    M("byte_test:2,!=,5,0,string,dec;", "ab", false),       /* ... even negated */
    M("byte_test:0,>,1000,0,string,dec;", "1234567", true), /* 0: the rest */
    M("byte_test:0,>,1000,2,string,dec;", "xx999", false),
    /* bounds */
    M("byte_test:4,=,0,0;", "\0\0\0", false),
    M("byte_test:2,=,0,2;", "\0\0\0", false), /* bytes 2..3 of 3 */
    M("byte_test:1,=,0,2;", "\0\0\0", true),
    M("byte_test:1,=,65,-1;", "A", false), /* before the buffer */
    /* relative */
    M("content:\"LEN\"; byte_test:1,=,5,0,relative;", "LEN\x05", true),
    M("content:\"LEN\"; byte_test:1,=,5,1,relative;", "LEN\x00\x05", true),
    M("content:\"LEN\"; byte_test:1,=,5,0,relative;", "LEN", false),
    M("content:\"LEN\"; byte_test:1,=,78,-1,relative;", "LEN", true), /* the N */
    /* the first 00 is followed by 01: retried at the second, followed by 05 */
    M("content:\"|00|\"; byte_test:1,=,5,0,relative;", "\x00\x01\x00\x05", true),
    /* bitmask: 0x1234 & 0x0ff0 = 0x0230, shifted right by 4: 0x23 */
    M("byte_test:2,=,0x23,0,bitmask 0x0ff0;", "\x12\x34", true),
    M("byte_test:2,=,0x230,0,bitmask 0x0ff0;", "\x12\x34", false),
    M("byte_test:1,=,0,0,bitmask 0xf0;", "\x0f", true),
};

static void test_byte_test_table(void **state)
{
    (void)state;
    run_table(byte_test_cases, sizeof byte_test_cases / sizeof byte_test_cases[0]);
}

/* ---- byte_jump ---- */

static const mcase_t byte_jump_cases[] = {
    /* reads 2 at 0; the jump counts from just after it (1): target 3 */
    M("byte_jump:1,0; content:\"X\"; within:1;",
      "\x02"
      "abX",
      true),
    M("byte_jump:1,0; content:\"X\"; within:1;",
      "\x02"
      "aXb",
      false),
    M("byte_jump:1,0,from_beginning; content:\"X\"; within:1;",
      "\x02"
      "aX",
      true),
    /* value 0, post_offset -1 from the end (4): target 3 */
    M("byte_jump:1,0,from_end,post_offset -1; content:\"Z\"; within:1;",
      "\x00"
      "abZ",
      true),
    M("byte_jump:1,0,multiplier 2; content:\"X\"; within:1;",
      "\x02"
      "abcdX",
      true), /* 1+4 */
    /* 1 rounds up to 4: target 1 + 4 = 5 */
    M("byte_jump:1,0,align; content:\"X\"; within:1;",
      "\x01"
      "abcdX",
      true),
    M("byte_jump:1,0,align; content:\"X\"; within:1;",
      "\x01"
      "Xbcd",
      false),
    M("byte_jump:1,0,post_offset 2; content:\"X\"; within:1;",
      "\x01"
      "abcX",
      true),                                                                 /* 1+3 */
    M("byte_jump:2,0,string,dec; content:\"X\"; within:1;", "03abcX", true), /* 2 + 3 */
    /* "2 a": the number takes 1 byte, so the jump counts from 1: target 3 */
    M("byte_jump:3,0,string,dec; content:\"X\"; within:1;", "2 aXb", true),
    M("byte_jump:1,0;",
      "\x05"
      "ab",
      false), /* target 6 > 3 */
    /* target 3 == length: allowed; nothing follows */
    M("byte_jump:1,0; isdataat:!1,relative;",
      "\x02"
      "ab",
      true),
    /* 0 - 5 from 2 is before the start: clamped to 0, where Q is */
    M("byte_jump:1,1,post_offset -5; content:\"Q\"; within:1;", "Q\x00", true),
    M("content:\"LEN\"; byte_jump:1,0,relative; content:\"END\"; within:3;", "LEN\x02xxEND", true),
    M("content:\"LEN\"; byte_jump:1,0,relative; content:\"END\"; within:3;", "LEN\x03xxEND", false),
    M("byte_jump:2,0,little; content:\"X\"; within:1;",
      "\x01\x00"
      "aX",
      true), /* 2 + 1 */
    M("byte_jump:2,0,little; content:\"X\"; within:1;",
      "\x01\x00"
      "X",
      false), /* X at 2 */
    M("byte_jump:2,0; content:\"X\"; within:1;",
      "\x01\x00"
      "aX",
      false), /* 256 */
    /* 0x21 & 0xf0 = 0x20, >> 4 = 2: target 3 */
    M("byte_jump:1,0,bitmask 0xf0; content:\"X\"; within:1;",
      "\x21"
      "abX",
      true),
    M("byte_jump:1,5;", "\x00", false), /* nothing to read at 5 */
};

static void test_byte_jump_table(void **state)
{
    (void)state;
    run_table(byte_jump_cases, sizeof byte_jump_cases / sizeof byte_jump_cases[0]);
}

/* ---- isdataat ---- */

static const mcase_t isdataat_cases[] = {
    M("isdataat:3;", "abc", false), /* absolute: a byte at index 3 */
    M("isdataat:3;", "abcd", true),
    M("isdataat:2;", "abc", true),
    M("isdataat:!3;", "abc", true),
    M("isdataat:!3;", "abcd", false),
    M("content:\"ab\"; isdataat:1,relative;", "abc", true), /* 2 + 1 <= 3 */
    M("content:\"ab\"; isdataat:1,relative;", "ab", false),
    M("content:\"ab\"; isdataat:!1,relative;", "ab", true),
    M("content:\"ab\"; isdataat:!1,relative;", "abc", false),
    M("content:\"a\"; isdataat:2,relative;", "abc", true),  /* n == bytes left */
    M("content:\"a\"; isdataat:3,relative;", "abc", false), /* one more than left */
    /* negated relative fails after a0 (data follows); a2 ends the buffer */
    M("content:\"a\"; isdataat:!1,relative;", "axa", true),
};

static void test_isdataat_table(void **state)
{
    (void)state;
    run_table(isdataat_cases, sizeof isdataat_cases / sizeof isdataat_cases[0]);
    static const uint8_t none[1];
    assert_false(run("isdataat:0;", none, 0));
    assert_true(run("isdataat:!0;", none, 0));
}

/* ---- bsize, dotprefix ---- */

static bool run_http(const char *opts, const char *buf, uint32_t len)
{
    const rule_t *r = parse_rule("alert http any any -> any any", opts);
    assert_int_equal(r->n_bufs, 1);
    return match_buffer(&r->bufs[0], (const uint8_t *)buf, len, ms);
}

static void test_bsize(void **state)
{
    (void)state;
    assert_true(run_http("http.uri; bsize:5;", "/abcd", 5));
    assert_false(run_http("http.uri; bsize:5;", "/abc", 4));
    assert_true(run_http("http.uri; bsize:<5;", "/abc", 4));
    assert_false(run_http("http.uri; bsize:<5;", "/abcd", 5));
    assert_true(run_http("http.uri; bsize:>=5;", "/abcd", 5));
    /* a<>b is exclusive: 3<>6 holds 4 and 5 */
    assert_false(run_http("http.uri; bsize:3<>6;", "/ab", 3));
    assert_true(run_http("http.uri; bsize:3<>6;", "/abc", 4));
    assert_true(run_http("http.uri; bsize:3<>6;", "/abcd", 5));
    assert_false(run_http("http.uri; bsize:3<>6;", "/abcde", 6));
    assert_true(run_http("http.uri; bsize:0;", "", 0)); /* an empty buffer */
    assert_true(run_http("http.uri; content:\"/a\"; bsize:2;", "/a", 2));
    assert_false(run_http("http.uri; content:\"/a\"; bsize:2;", "/ab", 3));
}

static bool run_dns(const char *opts, const char *name)
{
    const rule_t *r = parse_rule("alert dns any any -> any any", opts);
    assert_int_equal(r->n_bufs, 1);
    return match_buffer(&r->bufs[0], (const uint8_t *)name, (uint32_t)strlen(name), ms);
}

static void test_dotprefix(void **state)
{
    (void)state;
    const char *o = "dns.query; dotprefix; content:\".foo.com\"; endswith;";
    assert_true(run_dns(o, "www.foo.com"));
    assert_true(run_dns(o, "foo.com"));      /* ".foo.com" */
    assert_false(run_dns(o, "evilfoo.com")); /* ".evilfoo.com" */
    assert_false(run_dns(o, ""));            /* stays empty */
    assert_true(run_dns("dns.query; dotprefix; content:\".a\"; startswith;", "a.b"));
    assert_false(run_dns("dns.query; content:\".a\"; startswith;", "a.b"));
    /* too long for the transform scratch: no match, counted */
    static char big[MATCH_XFORM_MAX + 1];
    memset(big, 'a', MATCH_XFORM_MAX);
    uint64_t before = match_scratch_stats(ms)->xform_too_long;
    assert_false(run_dns("dns.query; dotprefix; content:\"a\";", big));
    assert_int_equal(match_scratch_stats(ms)->xform_too_long, before + 1);
}

/* ---- hand-built items the parser would refuse ---- */

static void test_malformed_items(void **state)
{
    (void)state;
    rule_item_t it[2];
    memset(it, 0, sizeof it);
    rule_buffer_t b = {.id = RULE_BUF_PAYLOAD, .n_items = 1, .items = it};
    it[0].type = 99; /* unknown */
    assert_false(match_buffer(&b, (const uint8_t *)"x", 1, ms));
    it[0].type = RULE_ITEM_CONTENT; /* NULL pattern */
    assert_false(match_buffer(&b, (const uint8_t *)"x", 1, ms));
    it[0].type = RULE_ITEM_PCRE; /* no code */
    assert_false(match_buffer(&b, (const uint8_t *)"x", 1, ms));
    it[0].type = RULE_ITEM_BYTE_TEST; /* 9 binary bytes */
    it[0].u.byte_test.nbytes = 9;
    assert_false(match_buffer(&b, (const uint8_t *)"123456789", 9, ms));
    b.n_items = 0; /* nothing to check */
    assert_true(match_buffer(&b, (const uint8_t *)"x", 1, ms));
    b.n_items = MATCH_MAX_ITEMS + 1;
    assert_false(match_buffer(&b, (const uint8_t *)"x", 1, ms));
    assert_false(match_buffer(NULL, (const uint8_t *)"x", 1, ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_table),
        cmocka_unit_test(test_content_empty_and_absent),
        cmocka_unit_test(test_retry_budget),
        cmocka_unit_test(test_match_find),
        cmocka_unit_test(test_match_find_random),
        cmocka_unit_test(test_pcre_table),
        cmocka_unit_test(test_pcre_limit),
        cmocka_unit_test(test_byte_test_table),
        cmocka_unit_test(test_byte_jump_table),
        cmocka_unit_test(test_isdataat_table),
        cmocka_unit_test(test_bsize),
        cmocka_unit_test(test_dotprefix),
        cmocka_unit_test(test_malformed_items),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
