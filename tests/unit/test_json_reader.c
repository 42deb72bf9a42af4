/* Unit tests for common/json_reader.c. Byte offsets in expected errors and
 * token positions are counted by hand from the texts; UTF-8 bytes of the
 * \u escapes are worked out by hand from RFC 3629 (shown next to each). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "json_reader.h"

#define MAX_TOKS 512

static json_tok_t toks[MAX_TOKS];
static char err[256];

static int parse(const char *s)
{
    err[0] = '\0';
    return json_parse(s, strlen(s), toks, MAX_TOKS, err, sizeof err);
}

static int parse_n(const char *s, size_t n)
{
    err[0] = '\0';
    return json_parse(s, n, toks, MAX_TOKS, err, sizeof err);
}

/* Parse must fail with an error at byte `at` whose text contains `what`. */
static void reject_n(const char *s, size_t n, size_t at, const char *what)
{
    char prefix[64];
    int r = parse_n(s, n);
    if (r >= 0) fail_msg("accepted %zu bytes, expected an error at byte %zu", n, at);
    snprintf(prefix, sizeof prefix, "json: byte %zu: ", at);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, what))
        fail_msg("for input at %zu: got \"%s\", expected \"%s...%s\"", at, err, prefix, what);
}

static void reject(const char *s, size_t at, const char *what)
{
    reject_n(s, strlen(s), at, what);
}

static void assert_tok(int i, json_type_t type, uint32_t start, uint32_t end, int size, int next)
{
    assert_int_equal(toks[i].type, type);
    assert_int_equal(toks[i].start, start);
    assert_int_equal(toks[i].end, end);
    assert_int_equal(toks[i].size, size);
    assert_int_equal(toks[i].next, next);
}

/* ---- structure ----------------------------------------------------------------- */

static void test_token_layout(void **state)
{
    (void)state;
    /*           0123456789012345678 */
    const char *s = "[1,[2,3],{\"a\":[]}]";
    assert_int_equal(parse(s), 8);
    assert_tok(0, JSON_ARRAY, 0, 18, 3, 8);
    assert_tok(1, JSON_NUMBER, 1, 2, 0, 2);
    assert_tok(2, JSON_ARRAY, 3, 8, 2, 5);
    assert_tok(3, JSON_NUMBER, 4, 5, 0, 4);
    assert_tok(4, JSON_NUMBER, 6, 7, 0, 5);
    assert_tok(5, JSON_OBJECT, 9, 17, 1, 8);
    assert_tok(6, JSON_STRING, 11, 12, 0, 7); /* the key, without quotes */
    assert_tok(7, JSON_ARRAY, 14, 16, 0, 8);
    assert_int_equal(toks[1].flags, JSON_TOK_INTEGER);
}

static void test_whitespace_and_scalars(void **state)
{
    (void)state;
    assert_int_equal(parse(" \t\n\r{} \n"), 1);
    assert_tok(0, JSON_OBJECT, 4, 6, 0, 1);
    /* RFC 8259 section 13: top-level scalars are JSON texts too */
    assert_int_equal(parse("\"Hello world!\""), 1);
    assert_tok(0, JSON_STRING, 1, 13, 0, 1);
    assert_int_equal(parse("42"), 1);
    assert_tok(0, JSON_NUMBER, 0, 2, 0, 1);
    assert_int_equal(parse("true"), 1);
    assert_int_equal(toks[0].type, JSON_TRUE);
    assert_int_equal(parse(" false "), 1);
    assert_tok(0, JSON_FALSE, 1, 6, 0, 1);
    assert_int_equal(parse("null"), 1);
    assert_int_equal(toks[0].type, JSON_NULL);
    assert_int_equal(parse("[[],{},\"\",0,-0,1E5,1e-5,-1.5e+10,0.25]"), 10);
    assert_int_equal(toks[4].flags, JSON_TOK_INTEGER); /* 0 */
    assert_int_equal(toks[5].flags, JSON_TOK_INTEGER); /* -0 */
    assert_int_equal(toks[6].flags, 0);                /* 1E5 */
    assert_int_equal(toks[9].flags, 0);                /* 0.25 */
    /* DEL and valid multi-byte UTF-8 may appear raw in strings */
    assert_int_equal(parse("\"\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), 1);
    assert_int_equal(toks[0].flags, 0);
}

/* RFC 8259 section 13, first example. */
static const char rfc_image[] =
    "{\n"
    "  \"Image\": {\n"
    "      \"Width\":  800,\n"
    "      \"Height\": 600,\n"
    "      \"Title\":  \"View from 15th Floor\",\n"
    "      \"Thumbnail\": {\n"
    "          \"Url\":    \"http://www.example.com/image/481989943\",\n"
    "          \"Height\": 125,\n"
    "          \"Width\":  100\n"
    "      },\n"
    "      \"Animated\" : false,\n"
    "      \"IDs\": [116, 943, 234, 38793]\n"
    "    }\n"
    "}";

static void test_rfc8259_image(void **state)
{
    (void)state;
    const char *s = rfc_image;
    int n = parse(s);
    /* root, "Image", {}, 3 pairs, "Thumbnail", {}, 3 pairs, 1 pair, "IDs", [], 4 numbers */
    assert_int_equal(n, 25);
    assert_int_equal(toks[0].size, 1);
    const json_tok_t *img = json_get(s, toks, n, "Image");
    assert_non_null(img);
    assert_int_equal(img->type, JSON_OBJECT);
    assert_int_equal(img->size, 6);
    int64_t v = 0;
    assert_int_equal(json_tok_int64(s, json_get(s, toks, n, "Image.Width"), &v), JSON_OK);
    assert_int_equal(v, 800);
    assert_int_equal(json_tok_int64(s, json_get(s, toks, n, "Image.Height"), &v), JSON_OK);
    assert_int_equal(v, 600);
    assert_int_equal(json_tok_int64(s, json_get(s, toks, n, "Image.Thumbnail.Height"), &v),
                     JSON_OK);
    assert_int_equal(v, 125);
    assert_true(json_tok_eq(s, json_get(s, toks, n, "Image.Thumbnail.Url"),
                            "http://www.example.com/image/481989943"));
    assert_true(json_tok_eq(s, json_get(s, toks, n, "Image.Title"), "View from 15th Floor"));
    bool b = true;
    assert_int_equal(json_tok_bool(json_get(s, toks, n, "Image.Animated"), &b), JSON_OK);
    assert_false(b);
    const json_tok_t *ids = json_get(s, toks, n, "Image.IDs");
    assert_non_null(ids);
    assert_int_equal(ids->type, JSON_ARRAY);
    assert_int_equal(ids->size, 4);
    static const int64_t want[] = {116, 943, 234, 38793};
    int i = (int)(ids - toks) + 1;
    for (int m = 0; m < ids->size; m++, i = toks[i].next) {
        assert_int_equal(json_tok_int64(s, &toks[i], &v), JSON_OK);
        assert_int_equal(v, want[m]);
    }
    assert_int_equal(i, n);
    assert_null(json_get(s, toks, n, "Image.Thumbnail.Url.x")); /* not an object */
    assert_null(json_get(s, toks, n, "Image.Depth"));
    assert_null(json_get(s, toks, n, "image"));
}

/* RFC 8259 section 13, second example. */
static const char rfc_places[] = "[\n"
                                 "  {\n"
                                 "     \"precision\": \"zip\",\n"
                                 "     \"Latitude\":  37.7668,\n"
                                 "     \"Longitude\": -122.3959,\n"
                                 "     \"Address\":   \"\",\n"
                                 "     \"City\":      \"SAN FRANCISCO\",\n"
                                 "     \"State\":     \"CA\",\n"
                                 "     \"Zip\":       \"94107\",\n"
                                 "     \"Country\":   \"US\"\n"
                                 "  },\n"
                                 "  {\n"
                                 "     \"precision\": \"zip\",\n"
                                 "     \"Latitude\":  37.371991,\n"
                                 "     \"Longitude\": -122.026020,\n"
                                 "     \"Address\":   \"\",\n"
                                 "     \"City\":      \"SUNNYVALE\",\n"
                                 "     \"State\":     \"CA\",\n"
                                 "     \"Zip\":       \"94085\",\n"
                                 "     \"Country\":   \"US\"\n"
                                 "  }\n"
                                 "]";

static void test_rfc8259_places(void **state)
{
    (void)state;
    const char *s = rfc_places;
    int n = parse(s);
    assert_int_equal(n, 35); /* array + 2 * (object + 8 pairs) */
    assert_int_equal(toks[0].size, 2);
    assert_int_equal(toks[1].next, 18);
    int second = toks[1].next;
    assert_int_equal(toks[second].type, JSON_OBJECT);
    int v = json_object_find(s, toks, n, second, "City", 4);
    assert_true(v > second);
    assert_true(json_tok_eq(s, &toks[v], "SUNNYVALE"));
    double d = 0;
    v = json_object_find(s, toks, n, 1, "Longitude", 9);
    assert_int_equal(json_tok_double(s, &toks[v], &d), JSON_OK);
    assert_true(d == -122.3959);
    v = json_object_find(s, toks, n, second, "Latitude", 8);
    assert_int_equal(json_tok_double(s, &toks[v], &d), JSON_OK);
    assert_true(d == 37.371991);
    int64_t i64;
    assert_int_equal(json_tok_int64(s, &toks[v], &i64), JSON_E_FORMAT); /* has a fraction */
    v = json_object_find(s, toks, n, 1, "Address", 7);
    char buf[8];
    size_t len = 99;
    assert_int_equal(json_tok_string(s, &toks[v], buf, sizeof buf, &len), JSON_OK);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    assert_null(json_get(s, toks, n, "City")); /* top level is an array */
    assert_int_equal(json_object_find(s, toks, n, 0, "City", 4), -1);
}

/* ---- rejections -------------------------------------------------------------- */

static void test_reject_structure(void **state)
{
    (void)state;
    reject("", 0, "empty input");
    reject("   ", 3, "empty input");
    reject("{", 1, "expected a string member name, found end of input");
    reject("[", 1, "unexpected end of input, expected a value");
    reject("[1", 2, "expected ',' or ']' after an array element, found end of input");
    reject("{\"a\":1", 6, "expected ',' or '}' after an object member");
    reject("{\"a\"", 4, "expected ':' after a member name, found end of input");
    reject("{\"a\":", 5, "unexpected end of input, expected a value");
    reject("[1,]", 3, "expected a value, found ']'");
    reject("{\"a\":1,}", 7, "expected a string member name, found '}'");
    reject("[1 2]", 3, "expected ',' or ']' after an array element, found '2'");
    reject("{\"a\" 1}", 5, "expected ':' after a member name, found '1'");
    reject("{a:1}", 1, "expected a string member name, found 'a'");
    reject("{\"a\":1]", 6, "expected ',' or '}' after an object member, found ']'");
    reject("[}", 1, "expected a value, found '}'");
    reject("{} {}", 3, "unexpected '{' after the JSON value");
    reject("[]]", 2, "unexpected ']' after the JSON value");
    reject("truex", 4, "unexpected 'x' after the JSON value");
    reject("tru", 0, "expected a value, found 't'");
    reject("nul", 0, "expected a value, found 'n'");
    reject("True", 0, "expected a value, found 'T'");
    reject("'a'", 0, "expected a value, found '''");
    reject("\xef\xbb\xbf{}", 0, "expected a value, found byte 0xef"); /* BOM */
    reject_n("1\0", 2, 1, "unexpected byte 0x00 after the JSON value");
    reject("[1,,2]", 3, "expected a value, found ','");
    reject("{\"a\":1 \"b\":2}", 7, "found '\"'");
}

static void test_reject_numbers(void **state)
{
    (void)state;
    reject("01", 0, "leading zero in a number");
    reject("-01", 0, "leading zero in a number");
    reject("[00]", 1, "leading zero in a number");
    reject("1.", 2, "expected a digit after '.', found end of input");
    reject("1.e5", 2, "expected a digit after '.', found 'e'");
    reject(".5", 0, "expected a value, found '.'");
    reject("+1", 0, "expected a value, found '+'");
    reject("1e", 2, "expected a digit in the exponent, found end of input");
    reject("1e+", 3, "expected a digit in the exponent");
    reject("1E-x", 3, "expected a digit in the exponent, found 'x'");
    reject("-", 1, "expected a digit after '-', found end of input");
    reject("-a", 1, "expected a digit after '-', found 'a'");
    reject("[1.5.3]", 4, "expected ',' or ']'");
    reject("0x10", 1, "unexpected 'x' after the JSON value");
    reject("[NaN]", 1, "expected a value, found 'N'");
    reject("-Infinity", 1, "expected a digit after '-'");
}

static void test_reject_strings(void **state)
{
    (void)state;
    reject("\"abc", 0, "unterminated string");
    reject("[\"a\\\"]", 1, "unterminated string"); /* the quote is escaped */
    reject("\"a\\", 2, "unterminated escape at end of input");
    reject("\"a\\x\"", 2, "invalid escape (backslash before 'x')");
    reject("\"\\U0041\"", 1, "invalid escape (backslash before 'U')");
    reject("\"\\'\"", 1, "invalid escape (backslash before ''')");
    reject("\"\\u12G4\"", 1, "\\u must be followed by four hex digits");
    reject("\"\\u12\"", 1, "\\u must be followed by four hex digits");
    reject("\"\\u123", 1, "\\u must be followed by four hex digits");
    reject("\"\\uD800\"", 1, "lone high surrogate \\uD800");
    reject("\"\\uDBFF\\u0041\"", 1, "lone high surrogate \\uDBFF");
    reject("\"\\ud800\\ud800\"", 1, "lone high surrogate \\uD800");
    reject("\"\\uDC00\"", 1, "lone low surrogate \\uDC00");
    reject("\"\\uDE00\\uD83D\"", 1, "lone low surrogate");
    reject("\"a\tb\"", 2, "control character 0x09 in a string (must be escaped)");
    reject("\"\x01\"", 1, "control character 0x01");
    reject("\"line\nbreak\"", 5, "control character 0x0a");
    reject_n("\"a\0b\"", 5, 2, "control character 0x00");
    /* invalid UTF-8 (RFC 3629): overlong '/', encoded surrogate, truncated
     * sequence, stray continuation byte, above U+10FFFF, 0xff */
    reject("\"\xc0\xaf\"", 1, "invalid UTF-8 in a string");
    reject("\"\xe0\x80\xaf\"", 1, "invalid UTF-8");
    reject("\"ab\xed\xa0\x80\"", 3, "invalid UTF-8");
    reject("\"\xe2\x82\"", 1, "invalid UTF-8");
    reject("\"\x80\"", 1, "invalid UTF-8");
    reject("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8");
    reject("\"\xff\"", 1, "invalid UTF-8");
    reject_n("\"\xe2\x82", 3, 1, "invalid UTF-8"); /* cut by the end of input */
}

static void test_reject_depth(void **state)
{
    (void)state;
    char s[2 * (JSON_MAX_DEPTH + 1) + 1];
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        s[i] = '[';
        s[JSON_MAX_DEPTH + i] = ']';
    }
    assert_int_equal(parse_n(s, 2 * JSON_MAX_DEPTH), JSON_MAX_DEPTH);
    for (int i = 0; i <= JSON_MAX_DEPTH; i++) {
        s[i] = '[';
        s[JSON_MAX_DEPTH + 1 + i] = ']';
    }
    reject_n(s, 2 * (JSON_MAX_DEPTH + 1), 64, "nesting deeper than 64");
    /* objects count too: {"a":{"a":...}} */
    char o[6 * 65 + 65 + 1];
    size_t k = 0;
    for (int i = 0; i < 65; i++)
        k += (size_t)sprintf(o + k, "{\"a\":");
    reject_n(o, k, 5 * 64, "nesting deeper than 64");
}

static void test_reject_duplicates(void **state)
{
    (void)state;
    reject("{\"a\":1,\"a\":2}", 7, "duplicate member name \"a\" in an object");
    reject("{\"a\":1,\"b\":{\"a\":1},\"a\":[]}", 19, "duplicate member name \"a\"");
    /* the same name spelled with an escape: U+0061 is 'a' */
    reject("{\"ab\":1,\"\\u0061b\":2}", 8, "duplicate member name \"\\u0061b\"");
    reject("{\"\\n\":1,\"\\u000a\":2}", 8, "duplicate member name");
    /* the same name in different objects is fine */
    assert_int_equal(parse("[{\"a\":1},{\"a\":2}]"), 7);
    assert_int_equal(parse("{\"a\":{\"a\":{\"a\":1}}}"), 7);
    assert_int_equal(parse("{\"a\":1,\"A\":1,\"a \":1,\"\\u0062\":1}"), 9);

    /* large objects take the hashed path: 100 distinct names, then one
     * repeated at the end */
    static char big[4096];
    size_t k = 0, cap = sizeof big;
    k += (size_t)snprintf(big + k, cap - k, "{");
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(big + k, cap - k, "%s\"k%d\":%d", i ? "," : "", i, i);
    size_t members = k; /* where the closing brace or a 101st member goes */
    snprintf(big + members, cap - members, "}");
    assert_int_equal(parse_n(big, members + 1), 201);
    k = members + (size_t)snprintf(big + members, cap - members, ",\"k57\":0}");
    reject_n(big, k, members + 1, "duplicate member name \"k57\"");
    /* same with the repeat spelled with an escape ('k' = U+006B) */
    k = members + (size_t)snprintf(big + members, cap - members, ",\"\\u006b99\":0}");
    reject_n(big, k, members + 1, "duplicate member name");
}

static void test_reject_limits(void **state)
{
    (void)state;
    json_tok_t few[3];
    err[0] = '\0';
    assert_int_equal(json_parse("[1,2,3]", 7, few, 3, err, sizeof err), -1);
    assert_string_equal(err, "json: byte 5: more than 3 tokens");
    assert_int_equal(json_parse("[1,2]", 5, few, 3, err, sizeof err), 3);
    assert_int_equal(json_parse(NULL, 0, few, 3, err, sizeof err), -1);
    assert_int_equal(json_parse("1", 1, few, 0, NULL, 0), -1);

    /* members per object */
    size_t cap = 16 * (JSON_MAX_MEMBERS + 2);
    char *s = malloc(cap);
    json_tok_t *t = malloc(sizeof *t * (2 * JSON_MAX_MEMBERS + 4));
    assert_non_null(s);
    assert_non_null(t);
    size_t k = (size_t)sprintf(s, "{");
    for (int i = 0; i < JSON_MAX_MEMBERS; i++)
        k += (size_t)sprintf(s + k, "%s\"%d\":0", i ? "," : "", i);
    s[k] = '}';
    assert_int_equal(json_parse(s, k + 1, t, 2 * JSON_MAX_MEMBERS + 4, err, sizeof err),
                     2 * JSON_MAX_MEMBERS + 1);
    k += (size_t)sprintf(s + k, ",\"x\":0}");
    assert_int_equal(json_parse(s, k, t, 2 * JSON_MAX_MEMBERS + 4, err, sizeof err), -1);
    assert_string_equal(err, "json: byte 0: object with more than 4096 members");
    free(s);
    free(t);
}

/* ---- value readers ------------------------------------------------------------- */

/* Decode the first token (a string) of text and compare with want. */
static void check_unescape(const char *text, const char *want, size_t wantlen)
{
    char buf[64];
    size_t len = 0;
    assert_int_equal(parse(text), 1);
    assert_int_equal(json_tok_string(text, &toks[0], buf, sizeof buf, &len), JSON_OK);
    assert_int_equal(len, wantlen);
    assert_memory_equal(buf, want, wantlen);
    assert_int_equal(buf[len], '\0');
    assert_true(json_tok_eqn(text, &toks[0], want, wantlen));
}

static void test_unicode_escapes(void **state)
{
    (void)state;
    check_unescape("\"\\u0041\"", "A", 1);
    /* U+00E9: 110 00011, 10 101001 */
    check_unescape("\"caf\\u00e9\"", "caf\xc3\xa9", 5);
    check_unescape("\"caf\\u00E9\"", "caf\xc3\xa9", 5);
    /* U+07FF, the largest 2-byte: 110 11111, 10 111111 */
    check_unescape("\"\\u07ff\"", "\xdf\xbf", 2);
    /* U+0800, the smallest 3-byte: 1110 0000, 10 100000, 10 000000 */
    check_unescape("\"\\u0800\"", "\xe0\xa0\x80", 3);
    /* U+20AC euro: 1110 0010, 10 000010, 10 101100 */
    check_unescape("\"\\u20ac\"", "\xe2\x82\xac", 3);
    /* U+FFFF: 1110 1111, 10 111111, 10 111111 */
    check_unescape("\"\\uffff\"", "\xef\xbf\xbf", 3);
    /* D83D DE00: 0x10000 + (0x3d << 10) + 0x200 = U+1F600:
     * 11110 000, 10 011111, 10 011000, 10 000000 */
    check_unescape("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
    /* D834 DD1E = U+1D11E: 11110 000, 10 011101, 10 000100, 10 011110 */
    check_unescape("\"x\\uD834\\uDD1Ey\"", "x\xf0\x9d\x84\x9ey", 6);
    /* DBFF DFFF = U+10FFFF: 11110 100, 10 001111, 10 111111, 10 111111 */
    check_unescape("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);
    /* short escapes */
    check_unescape("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    /* raw UTF-8 passes through unchanged */
    check_unescape("\"\xe1\xbb\x87 \\u1ec7\"", "\xe1\xbb\x87 \xe1\xbb\x87", 7);
    /* a NUL byte from \u0000 */
    check_unescape("\"a\\u0000b\"", "a\0b", 3);
}

static void test_string_reader(void **state)
{
    (void)state;
    const char *s = "[\"abc\",\"a\\u0000b\",\"\\u00e9\",1]";
    assert_int_equal(parse(s), 5);
    char buf[8];
    size_t len;
    /* "abc" needs 4 bytes with the NUL */
    assert_int_equal(json_tok_string(s, &toks[1], buf, 4, &len), JSON_OK);
    assert_string_equal(buf, "abc");
    assert_int_equal(json_tok_string(s, &toks[1], buf, 3, &len), JSON_E_RANGE);
    assert_int_equal(json_tok_string(s, &toks[1], buf, 0, &len), JSON_E_RANGE);
    /* escaped: 2 bytes of UTF-8 + NUL */
    assert_int_equal(json_tok_string(s, &toks[3], buf, 3, &len), JSON_OK);
    assert_int_equal(len, 2);
    assert_int_equal(json_tok_string(s, &toks[3], buf, 2, &len), JSON_E_RANGE);
    assert_int_equal(json_tok_string(s, &toks[3], buf, 0, &len), JSON_E_RANGE);
    /* an embedded NUL is refused to callers that use a C string */
    assert_int_equal(json_tok_string(s, &toks[2], buf, sizeof buf, NULL), JSON_E_FORMAT);
    assert_int_equal(json_tok_string(s, &toks[2], buf, sizeof buf, &len), JSON_OK);
    assert_int_equal(len, 3);
    assert_int_equal(json_tok_string(s, &toks[4], buf, sizeof buf, &len), JSON_E_TYPE);
    assert_int_equal(json_tok_string(s, NULL, buf, sizeof buf, &len), JSON_E_MISSING);
    /* comparisons */
    assert_true(json_tok_eq(s, &toks[1], "abc"));
    assert_false(json_tok_eq(s, &toks[1], "ab"));
    assert_false(json_tok_eq(s, &toks[1], "abcd"));
    assert_true(json_tok_eq(s, &toks[3], "\xc3\xa9"));
    assert_false(json_tok_eq(s, &toks[3], "\xc3"));
    assert_false(json_tok_eq(s, &toks[3], "\xc3\xa9x"));
    assert_true(json_tok_eqn(s, &toks[2], "a\0b", 3));
    assert_false(json_tok_eq(s, &toks[2], "a")); /* C string stops at the NUL */
    assert_false(json_tok_eq(s, &toks[4], "1"));
    assert_false(json_tok_eq(s, NULL, "abc"));
}

static void test_escaped_keys(void **state)
{
    (void)state;
    const char *s = "{\"a\\u0062\":{\"c\\/d\":1},\"a.b\":2}";
    int n = parse(s);
    assert_int_equal(n, 7);
    int64_t v;
    assert_int_equal(json_tok_int64(s, json_get(s, toks, n, "ab.c/d"), &v), JSON_OK);
    assert_int_equal(v, 1);
    /* a key with a dot is reachable only through json_object_find */
    assert_null(json_get(s, toks, n, "a.b"));
    int i = json_object_find(s, toks, n, 0, "a.b", 3);
    assert_int_equal(json_tok_int64(s, &toks[i], &v), JSON_OK);
    assert_int_equal(v, 2);
}

static void test_integers(void **state)
{
    (void)state;
    const char *s = "[9223372036854775807,9223372036854775808,-9223372036854775808,"
                    "-9223372036854775809,18446744073709551615,18446744073709551616,"
                    "-0,1.0,1e3,\"1\",-1,0,99999999999999999999999]";
    assert_int_equal(parse(s), 14);
    int64_t i;
    uint64_t u;
    assert_int_equal(json_tok_int64(s, &toks[1], &i), JSON_OK);
    assert_true(i == INT64_MAX);
    assert_int_equal(json_tok_int64(s, &toks[2], &i), JSON_E_RANGE);
    assert_int_equal(json_tok_uint64(s, &toks[2], &u), JSON_OK);
    assert_true(u == 9223372036854775808ull);
    assert_int_equal(json_tok_int64(s, &toks[3], &i), JSON_OK);
    assert_true(i == INT64_MIN);
    assert_int_equal(json_tok_int64(s, &toks[4], &i), JSON_E_RANGE);
    assert_int_equal(json_tok_uint64(s, &toks[5], &u), JSON_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(json_tok_uint64(s, &toks[6], &u), JSON_E_RANGE);
    assert_int_equal(json_tok_int64(s, &toks[6], &i), JSON_E_RANGE);
    assert_int_equal(json_tok_int64(s, &toks[7], &i), JSON_OK); /* -0 */
    assert_true(i == 0);
    assert_int_equal(json_tok_uint64(s, &toks[7], &u), JSON_E_RANGE);
    assert_int_equal(json_tok_int64(s, &toks[8], &i), JSON_E_FORMAT); /* 1.0 */
    assert_int_equal(json_tok_int64(s, &toks[9], &i), JSON_E_FORMAT); /* 1e3 */
    assert_int_equal(json_tok_uint64(s, &toks[9], &u), JSON_E_FORMAT);
    assert_int_equal(json_tok_int64(s, &toks[10], &i), JSON_E_TYPE);
    assert_int_equal(json_tok_int64(s, &toks[11], &i), JSON_OK);
    assert_true(i == -1);
    assert_int_equal(json_tok_uint64(s, &toks[11], &u), JSON_E_RANGE);
    assert_int_equal(json_tok_uint64(s, &toks[12], &u), JSON_OK);
    assert_true(u == 0);
    assert_int_equal(json_tok_uint64(s, &toks[13], &u), JSON_E_RANGE);
    assert_int_equal(json_tok_int64(s, NULL, &i), JSON_E_MISSING);
    assert_int_equal(json_tok_uint64(s, NULL, &u), JSON_E_MISSING);
}

static void test_doubles_and_bools(void **state)
{
    (void)state;
    const char *s = "[1.5,-0.25,1e400,1e-400,2.5E-3,7,\"x\",true,false,null]";
    assert_int_equal(parse(s), 11);
    double d;
    assert_int_equal(json_tok_double(s, &toks[1], &d), JSON_OK);
    assert_true(d == 1.5);
    assert_int_equal(json_tok_double(s, &toks[2], &d), JSON_OK);
    assert_true(d == -0.25);
    assert_int_equal(json_tok_double(s, &toks[3], &d), JSON_E_RANGE);
    assert_int_equal(json_tok_double(s, &toks[4], &d), JSON_OK); /* underflow: ~0 */
    assert_true(d >= 0 && d < 1e-300);
    assert_int_equal(json_tok_double(s, &toks[5], &d), JSON_OK);
    assert_true(d == 0.0025);
    assert_int_equal(json_tok_double(s, &toks[6], &d), JSON_OK);
    assert_true(d == 7.0);
    assert_int_equal(json_tok_double(s, &toks[7], &d), JSON_E_TYPE);
    assert_int_equal(json_tok_double(s, NULL, &d), JSON_E_MISSING);
    bool b = false;
    assert_int_equal(json_tok_bool(&toks[8], &b), JSON_OK);
    assert_true(b);
    assert_int_equal(json_tok_bool(&toks[9], &b), JSON_OK);
    assert_false(b);
    assert_int_equal(json_tok_bool(&toks[10], &b), JSON_E_TYPE); /* null */
    assert_int_equal(json_tok_bool(&toks[7], &b), JSON_E_TYPE);
    assert_int_equal(json_tok_bool(NULL, &b), JSON_E_MISSING);
    assert_string_equal(json_type_name(toks[10].type), "null");
    assert_string_equal(json_type_name(toks[0].type), "array");

    /* a number longer than json_tok_double takes */
    char big[200];
    memset(big, '1', 150);
    big[150] = '\0';
    assert_int_equal(parse(big), 1);
    assert_int_equal(json_tok_double(big, &toks[0], &d), JSON_E_RANGE);
}

/* ---- EVE events --------------------------------------------------------------- */

/* Real events from soc-sensor on pcaps/city_mix.pcap. */
static const char eve_alert[] =
    "{\"timestamp\":\"2024-03-01T10:40:00.384000+0000\",\"flow_id\":6162255867543565,"
    "\"event_type\":\"alert\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,\"dest_ip\":"
    "\"10.20.0.10\",\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":"
    "1,\"signature_id\":9100001,\"rev\":1,\"signature\":\"CANTHO SQL injection tool (sqlmap) "
    "against a public service\",\"category\":\"Web Application Attack\",\"severity\":1,"
    "\"metadata\":{\"service\":[\"dichvucong\"],\"created_at\":[\"2026_11_21\"]}},\"app_proto\":"
    "\"http\",\"http\":{\"hostname\":\"dichvucong.cantho.gov.vn\",\"url\":\"/tracuu?maHoSo=1%27%"
    "20AND%201234%3D1234--%20-\",\"http_user_agent\":\"sqlmap/1.7.2#stable "
    "(https://sqlmap.org)\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"length\":0},"
    "\"sensor\":{\"name\":\"hcm-sensor-01\",\"boot_id\":\"e0339612d444b16f72aeb664dadabda5\","
    "\"seq\":10}}";

static const char eve_flow[] =
    "{\"timestamp\":\"2024-03-01T10:40:00.004000+0000\",\"flow_id\":3827176637988865,"
    "\"event_type\":\"flow\",\"src_ip\":\"10.10.1.25\",\"src_port\":52000,\"dest_ip\":"
    "\"10.20.0.2\",\"dest_port\":53,\"proto\":\"UDP\",\"app_proto\":\"dns\",\"flow\":{"
    "\"pkts_toserver\":1,\"pkts_toclient\":1,\"bytes_toserver\":84,\"bytes_toclient\":124,"
    "\"start\":\"2024-03-01T10:40:00.002000+0000\",\"end\":\"2024-03-01T10:40:00.004000+0000\","
    "\"age\":0,\"state\":\"established\",\"reason\":\"shutdown\",\"alerted\":false},\"ndpi\":{"
    "\"protocol\":\"DNS\",\"master_protocol\":\"Unknown\",\"app_protocol\":\"DNS\",\"category\":"
    "\"Network\"},\"sensor\":{\"name\":\"hcm-sensor-01\",\"boot_id\":"
    "\"e0339612d444b16f72aeb664dadabda5\",\"seq\":20}}";

static uint64_t get_u64(const char *s, int n, const char *path)
{
    uint64_t v = 0;
    int r = json_tok_uint64(s, json_get(s, toks, n, path), &v);
    if (r != JSON_OK) fail_msg("%s: %d", path, r);
    return v;
}

static void test_eve_alert(void **state)
{
    (void)state;
    const char *s = eve_alert;
    int n = parse(s);
    assert_true(n > 0);
    assert_true(json_tok_eq(s, json_get(s, toks, n, "event_type"), "alert"));
    assert_true(json_tok_eq(s, json_get(s, toks, n, "sensor.name"), "hcm-sensor-01"));
    assert_true(
        json_tok_eq(s, json_get(s, toks, n, "sensor.boot_id"), "e0339612d444b16f72aeb664dadabda5"));
    assert_true(get_u64(s, n, "sensor.seq") == 10);
    assert_true(get_u64(s, n, "alert.signature_id") == 9100001);
    assert_true(get_u64(s, n, "alert.severity") == 1);
    assert_true(get_u64(s, n, "flow_id") == 6162255867543565ull);
    assert_true(get_u64(s, n, "src_port") == 39001);
    assert_true(get_u64(s, n, "http.length") == 0);
    char buf[128];
    assert_int_equal(json_tok_string(s, json_get(s, toks, n, "http.url"), buf, sizeof buf, NULL),
                     JSON_OK);
    assert_string_equal(buf, "/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-");
    const json_tok_t *svc = json_get(s, toks, n, "alert.metadata.service");
    assert_non_null(svc);
    assert_int_equal(svc->type, JSON_ARRAY);
    assert_int_equal(svc->size, 1);
    assert_true(json_tok_eq(s, svc + 1, "dichvucong"));
    assert_null(json_get(s, toks, n, "alert.nope"));
    assert_null(json_get(s, toks, n, "event_type.x"));
    assert_null(json_get(s, toks, n, "sensor.seq.x"));
    assert_null(json_get(s, toks, n, "flow.bytes_toserver"));
    assert_null(json_get(s, toks, n, ""));
    assert_null(json_get(s, toks, n, "sensor."));
    /* "sensor" is the last member: its subtree ends the token array */
    const json_tok_t *sensor = json_get(s, toks, n, "sensor");
    assert_int_equal(sensor->next, n);
    assert_int_equal(toks[0].end, strlen(s));
}

static void test_eve_flow(void **state)
{
    (void)state;
    const char *s = eve_flow;
    int n = parse(s);
    assert_int_equal(n, 59); /* by hand: root 1 + 12 members 24 + flow 20 + ndpi 8 + sensor 6 */
    assert_true(get_u64(s, n, "flow.bytes_toserver") == 84);
    assert_true(get_u64(s, n, "flow.bytes_toclient") == 124);
    assert_true(get_u64(s, n, "dest_port") == 53);
    assert_true(get_u64(s, n, "sensor.seq") == 20);
    bool b = true;
    assert_int_equal(json_tok_bool(json_get(s, toks, n, "flow.alerted"), &b), JSON_OK);
    assert_false(b);
    assert_true(json_tok_eq(s, json_get(s, toks, n, "ndpi.app_protocol"), "DNS"));
    assert_true(json_tok_eq(s, json_get(s, toks, n, "flow.state"), "established"));
}

/* Not a benchmark with a pass mark: prints the rate so a regression shows
 * in the test log. The ingest needs ~150k events/s on 2 cores. */
static void test_speed(void **state)
{
    (void)state;
    const char *s = eve_flow;
    size_t len = strlen(s);
    const int rounds = 200000;
    struct timespec a, b;
    uint64_t sum = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int r = 0; r < rounds; r++) {
        int n = json_parse(s, len, toks, MAX_TOKS, NULL, 0);
        assert_true(n > 0);
        sum += toks[n - 1].end;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double sec = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    int n = json_parse(s, len, toks, MAX_TOKS, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int r = 0; r < rounds; r++) {
        uint64_t v;
        json_tok_uint64(s, json_get(s, toks, n, "sensor.seq"), &v);
        sum += v;
        json_tok_uint64(s, json_get(s, toks, n, "flow.bytes_toserver"), &v);
        sum += v;
        sum += json_tok_eq(s, json_get(s, toks, n, "sensor.name"), "hcm-sensor-01");
        sum += json_tok_eq(s, json_get(s, toks, n, "event_type"), "flow");
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double sec2 = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    print_message("json_parse: %zu-byte EVE line, %.0f ns/event, %.0f k events/s, %.0f MB/s "
                  "(1 core)\n",
                  len, sec / rounds * 1e9, rounds / sec / 1e3, (double)len * rounds / sec / 1e6);
    print_message("json_get: 4 lookups per event, %.0f ns/event (checksum %llu)\n",
                  sec2 / rounds * 1e9, (unsigned long long)sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_layout),      cmocka_unit_test(test_whitespace_and_scalars),
        cmocka_unit_test(test_rfc8259_image),     cmocka_unit_test(test_rfc8259_places),
        cmocka_unit_test(test_reject_structure),  cmocka_unit_test(test_reject_numbers),
        cmocka_unit_test(test_reject_strings),    cmocka_unit_test(test_reject_depth),
        cmocka_unit_test(test_reject_duplicates), cmocka_unit_test(test_reject_limits),
        cmocka_unit_test(test_unicode_escapes),   cmocka_unit_test(test_string_reader),
        cmocka_unit_test(test_escaped_keys),      cmocka_unit_test(test_integers),
        cmocka_unit_test(test_doubles_and_bools), cmocka_unit_test(test_eve_alert),
        cmocka_unit_test(test_eve_flow),          cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
