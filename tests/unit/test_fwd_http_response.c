/* Unit tests for correlator/forward/fwd_http_response.c: hand-written
 * responses (RFC 9112 framing), whole and cut into pieces, truncated,
 * malformed and oversized. Offsets and lengths in the expectations are
 * counted by hand from the literal bytes (the counts are in the comments),
 * not taken from the parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_http_response.h"

#define CAP (1u << 20)

static fwd_http_resp_t R;

/* Whole input in one call. */
static fwd_http_rc_t feed_all(const char *s, size_t len, uint64_t cap, size_t *used)
{
    fwd_http_resp_init(&R, cap);
    return fwd_http_resp_feed(&R, s, len, used);
}

#define FEED(lit, used) feed_all(lit, sizeof(lit) - 1, CAP, used)

/* Input one byte at a time: every strict prefix is MORE, and the result is
 * the same as in one piece. */
static fwd_http_rc_t feed_bytes(const char *s, size_t len)
{
    fwd_http_resp_init(&R, CAP);
    fwd_http_rc_t rc = FWD_HTTP_MORE;
    for (size_t i = 0; i < len; i++) {
        size_t used = 99;
        rc = fwd_http_resp_feed(&R, s + i, 1, &used);
        if (rc != FWD_HTTP_MORE) {
            assert_int_equal(i, len - 1);
            assert_int_equal(used, 1);
        }
    }
    return rc;
}

static void expect_error(const char *s, size_t len, const char *msg)
{
    size_t used;
    assert_int_equal(feed_all(s, len, CAP, &used), FWD_HTTP_ERROR);
    assert_string_equal(R.err, msg);
    assert_false(R.keep_alive);
}

#define EXPECT_ERROR(lit, msg) expect_error(lit, sizeof(lit) - 1, msg)

/* ---- well-formed responses --------------------------------------------------------- */

/* TAXII 2.1 status after an add-objects POST. Body {"status":"complete"}:
 * { 1, "status" 8, : 1, "complete" 10, } 1 = 21 bytes. */
static const char taxii_202[] = "HTTP/1.1 202 Accepted\r\n"
                                "Content-Type: application/taxii+json;version=2.1\r\n"
                                "Content-Length: 21\r\n"
                                "\r\n"
                                "{\"status\":\"complete\"}";

static void test_content_length(void **state)
{
    (void)state;
    size_t used = 0;
    assert_int_equal(FEED(taxii_202, &used), FWD_HTTP_DONE);
    /* 23 + 50 + 20 + 2 + 21 = 116 */
    assert_int_equal(used, 116);
    assert_int_equal(R.status, 202);
    assert_string_equal(R.reason, "Accepted");
    assert_true(R.headers_done);
    assert_true(R.keep_alive);
    assert_true(R.have_length);
    assert_false(R.chunked);
    assert_true(R.length == 21);
    assert_true(R.body_len == 21);
    assert_int_equal(R.body_kept, 21);
    assert_memory_equal(R.body, "{\"status\":\"complete\"}", 21);
    assert_int_equal(R.retry_after, 0);
    assert_true(fwd_http_resp_started(&R));

    assert_int_equal(feed_bytes(taxii_202, sizeof(taxii_202) - 1), FWD_HTTP_DONE);
    assert_int_equal(R.status, 202);
    assert_true(R.body_len == 21);
    assert_true(R.keep_alive);

    /* After DONE nothing more is taken. */
    assert_int_equal(fwd_http_resp_feed(&R, "xyz", 3, &used), FWD_HTTP_DONE);
    assert_int_equal(used, 0);
}

/* The chunked example of RFC 9112's predecessors: "Wiki" (4), "pedia" (5),
 * " in\r\n\r\nchunks." (14 = 0xE), with a chunk extension and a trailer. */
static const char wiki[] = "HTTP/1.1 200 OK\r\n"
                           "Transfer-Encoding: chunked\r\n"
                           "\r\n"
                           "4\r\nWiki\r\n"
                           "5;name=value\r\npedia\r\n"
                           "E\r\n in\r\n\r\nchunks.\r\n"
                           "0\r\n"
                           "X-Checksum: 1\r\n"
                           "\r\n";

static void test_chunked(void **state)
{
    (void)state;
    size_t used = 0;
    assert_int_equal(FEED(wiki, &used), FWD_HTTP_DONE);
    assert_int_equal(used, sizeof(wiki) - 1);
    assert_int_equal(R.status, 200);
    assert_true(R.chunked);
    assert_false(R.have_length);
    assert_true(R.keep_alive);
    assert_true(R.body_len == 23);
    assert_int_equal(R.body_kept, 23);
    assert_memory_equal(R.body, "Wikipedia in\r\n\r\nchunks.", 23);

    assert_int_equal(feed_bytes(wiki, sizeof(wiki) - 1), FWD_HTTP_DONE);
    assert_true(R.body_len == 23);

    /* Lower-case hex, bare LF line ends, white space before the extension. */
    static const char lf[] = "HTTP/1.1 200 OK\n"
                             "transfer-encoding: Chunked\n"
                             "\n"
                             "a ;x\n0123456789\n"
                             "0\n"
                             "\n";
    assert_int_equal(FEED(lf, &used), FWD_HTTP_DONE);
    assert_true(R.body_len == 10);
    assert_memory_equal(R.body, "0123456789", 10);
}

static void test_connection(void **state)
{
    (void)state;
    size_t used;
    static const char close_[] =
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(close_, &used), FWD_HTTP_DONE);
    assert_false(R.keep_alive);
    /* A list, any case. */
    static const char list[] =
        "HTTP/1.1 200 OK\r\nConnection: TE, Close\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(list, &used), FWD_HTTP_DONE);
    assert_false(R.keep_alive);
    static const char http10[] = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(http10, &used), FWD_HTTP_DONE);
    assert_false(R.keep_alive);
    static const char http10_ka[] =
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(http10_ka, &used), FWD_HTTP_DONE);
    assert_true(R.keep_alive);
}

static void test_body_to_close(void **state)
{
    (void)state;
    size_t used;
    static const char resp[] = "HTTP/1.1 500 Internal Server Error\r\n\r\noops";
    assert_int_equal(FEED(resp, &used), FWD_HTTP_MORE);
    assert_int_equal(used, sizeof(resp) - 1);
    assert_true(R.headers_done);
    assert_int_equal(R.status, 500);
    assert_string_equal(R.reason, "Internal Server Error");
    assert_false(R.keep_alive);
    assert_int_equal(fwd_http_resp_eof(&R), FWD_HTTP_DONE);
    assert_true(R.body_len == 4);
    assert_memory_equal(R.body, "oops", 4);
    /* An empty body up to the close is fine too. */
    static const char empty[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n\r\n";
    assert_int_equal(FEED(empty, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_eof(&R), FWD_HTTP_DONE);
    assert_true(R.body_len == 0);
    assert_int_equal(R.retry_after, 120);
}

static void test_no_body_statuses(void **state)
{
    (void)state;
    size_t used;
    /* "HTTP/1.1 204 No Content\r\n" is 25 bytes, the empty line 2: the
     * response ends at 27 and what follows is not ours. */
    static const char two[] = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(FEED(two, &used), FWD_HTTP_DONE);
    assert_int_equal(used, 27);
    assert_int_equal(R.status, 204);
    assert_true(R.keep_alive);
    static const char not_modified[] = "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n";
    assert_int_equal(FEED(not_modified, &used), FWD_HTTP_DONE);
    assert_int_equal(R.status, 304);
    assert_true(R.body_len == 0);
    /* Content-Length 0: done at the empty line. */
    static const char zero[] = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(zero, &used), FWD_HTTP_DONE);
    assert_int_equal(R.status, 201);
}

static void test_interim(void **state)
{
    (void)state;
    size_t used;
    static const char resp[] = "HTTP/1.1 100 Continue\r\n\r\n"
                               "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                               "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    assert_int_equal(FEED(resp, &used), FWD_HTTP_DONE);
    assert_int_equal(used, sizeof(resp) - 1);
    assert_int_equal(R.status, 201);
    assert_string_equal(R.reason, "Created");
    assert_true(R.body_len == 2);
    /* An interim response's headers do not leak into the final one. */
    static const char leak[] = "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(leak, &used), FWD_HTTP_DONE);
    assert_true(R.keep_alive);
}

static void test_retry_after(void **state)
{
    (void)state;
    size_t used;
    static const char secs[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\n"
                               "Content-Length: 0\r\n\r\n";
    assert_int_equal(FEED(secs, &used), FWD_HTTP_DONE);
    assert_int_equal(R.status, 429);
    assert_int_equal(R.retry_after, 30);
    static const char date[] = "HTTP/1.1 503 Busy\r\nRetry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n"
                               "Content-Length: 0\r\n\r\n";
    assert_int_equal(FEED(date, &used), FWD_HTTP_DONE);
    assert_int_equal(R.retry_after, 0);
    static const char huge[] = "HTTP/1.1 503 Busy\r\nRetry-After: 99999999999999999999\r\n"
                               "Content-Length: 0\r\n\r\n";
    assert_int_equal(FEED(huge, &used), FWD_HTTP_DONE);
    assert_int_equal(R.retry_after, UINT32_MAX);
}

static void test_lenient_bits(void **state)
{
    (void)state;
    size_t used;
    /* No reason phrase (with and without the space), repeated identical
     * Content-Length, white space around values, unknown fields. */
    static const char a[] = "HTTP/1.1 200\r\nContent-Length: 1\r\nContent-Length:1\r\n"
                            "X-Odd:\t v a l \t\r\n\r\nx";
    assert_int_equal(FEED(a, &used), FWD_HTTP_DONE);
    assert_int_equal(R.status, 200);
    assert_string_equal(R.reason, "");
    assert_true(R.length == 1);
    static const char b[] = "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(b, &used), FWD_HTTP_DONE);
    /* Reason phrase with obs-text (UTF-8) is kept. */
    static const char c[] =
        "HTTP/1.1 200 \xc4\x90\xc3\xa3 nh\xe1\xba\xadn\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(c, &used), FWD_HTTP_DONE);
    assert_string_equal(R.reason, "\xc4\x90\xc3\xa3 nh\xe1\xba\xadn");
}

/* ---- malformed ------------------------------------------------------------------------ */

static void test_bad_status_line(void **state)
{
    (void)state;
    EXPECT_ERROR("HTPP/1.1 200 OK\r\n\r\n",
                 "HTTP response: byte 0: bad status line 'HTPP/1.1 200 OK'");
    EXPECT_ERROR("HTTP/2.0 200 OK\r\n\r\n", "HTTP response: byte 0: not HTTP/1.x: 'HTTP/2.0 200'");
    EXPECT_ERROR("HTTP/1.1 2x0 OK\r\n\r\n", "HTTP response: byte 9: bad status code '2x0'");
    EXPECT_ERROR("HTTP/1.1 600 X\r\n\r\n", "HTTP response: byte 9: bad status code '600'");
    EXPECT_ERROR("HTTP/1.1 099 X\r\n\r\n", "HTTP response: byte 9: bad status code '099'");
    EXPECT_ERROR("HTTP/1.1 2000 OK\r\n\r\n",
                 "HTTP response: byte 0: bad status line 'HTTP/1.1 2000 OK'");
    EXPECT_ERROR("HTTP/1.1  200 OK\r\n",
                 "HTTP response: byte 0: bad status line 'HTTP/1.1  200 OK'");
    EXPECT_ERROR("\r\nHTTP/1.1 200 OK\r\n", "HTTP response: byte 0: bad status line ''");
    EXPECT_ERROR("SSH-2.0-OpenSSH_9.2\r\n",
                 "HTTP response: byte 0: bad status line 'SSH-2.0-OpenSSH_9.2'");
    /* "HTTP/1.1 200 O" is 14 bytes: the NUL is byte 14. */
    expect_error("HTTP/1.1 200 O\0K\r\n\r\n", 20,
                 "HTTP response: byte 14: control byte 0x00 in the reason phrase");
    /* Control bytes in a quoted status line show as '?'. */
    EXPECT_ERROR("HTTP\x01\x02 200\r\n", "HTTP response: byte 0: bad status line 'HTTP?? 200'");
}

static void test_bad_headers(void **state)
{
    (void)state;
    /* The status line "HTTP/1.1 200 OK\r\n" is 17 bytes: the first header
     * line starts at byte 17. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n",
                 "HTTP response: byte 25: obsolete line folding"); /* 17 + "X-A: b\r\n" 8 */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n",
                 "HTTP response: byte 17: bad header line 'Content-Length : 5'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                 "HTTP response: byte 17: bad header line 'no colon here'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
                 "HTTP response: byte 17: bad header line ': empty name'");
    /* "X-A: a" puts the 0x01 at 17 + 6 = 23. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\x01"
                 "b\r\n\r\n",
                 "HTTP response: byte 23: control byte 0x01 in header X-A");
    /* A bare CR inside a line: 17 + "X-A: a" 6 = 23. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
                 "HTTP response: byte 23: bare CR in the header line");
    EXPECT_ERROR("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
                 "HTTP response: byte 15: bare CR in the status line");
}

static void test_bad_framing(void **state)
{
    (void)state;
    /* 17 + "Content-Length: 5\r\n" 19 = 36, the second line starts there. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                 "HTTP response: byte 36: Content-Length 6 after 5");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
                 "HTTP response: byte 17: bad Content-Length '5, 5'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                 "HTTP response: byte 17: bad Content-Length '-1'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
                 "HTTP response: byte 17: bad Content-Length '+5'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                 "HTTP response: byte 17: bad Content-Length ''");
    /* 19 digits: more than CONTENT_LENGTH_DIGITS (18). */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000000\r\n\r\n",
                 "HTTP response: byte 17: bad Content-Length '1000000000000000000'");
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                 "HTTP response: byte 17: unsupported transfer coding 'gzip'");
    EXPECT_ERROR(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP response: byte 45: chunked applied twice"); /* 17 + 28 */
    /* Both: the empty line ends the block at 17 + 28 + 19 = 64. */
    EXPECT_ERROR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
                 "HTTP response: byte 64: both Transfer-Encoding and Content-Length");
    assert_true(R.headers_done); /* the status is still known */
    assert_int_equal(R.status, 200);
    /* "HTTP/1.1 101 Switching Protocols\r\n" is 8 + 1 + 3 + 1 + 9 + 1 + 9 + 2
     * = 34 bytes: the empty line is at 34. */
    EXPECT_ERROR("HTTP/1.1 101 Switching Protocols\r\n\r\n",
                 "HTTP response: byte 34: unexpected 101 Switching Protocols");
}

static void test_bad_chunks(void **state)
{
    (void)state;
    /* The header block "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     * is 17 + 28 + 2 = 47 bytes; the first chunk line starts at 47. */
#define CH "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    EXPECT_ERROR(CH "zz\r\n", "HTTP response: byte 47: bad chunk size line 'zz'");
    EXPECT_ERROR(CH "\r\n", "HTTP response: byte 47: bad chunk size line ''");
    EXPECT_ERROR(CH "5 x\r\n", "HTTP response: byte 47: bad chunk size line '5 x'");
    EXPECT_ERROR(CH "-5\r\n", "HTTP response: byte 47: bad chunk size line '-5'");
    /* 17 hex digits do not fit 64 bits. */
    EXPECT_ERROR(CH "11111111111111111\r\n",
                 "HTTP response: byte 47: chunk size '11111111111111111' too large");
    /* "3\r\nabc" is 6 bytes: the line after the data starts at 53. */
    EXPECT_ERROR(CH "3\r\nabcX\r\n", "HTTP response: byte 53: chunk data not followed by CRLF");
    /* Trailer lines are checked like header lines: "0\r\n" ends at 50. */
    EXPECT_ERROR(CH "0\r\nbad trailer\r\n\r\n",
                 "HTTP response: byte 50: bad header line 'bad trailer'");
    assert_true(R.headers_done);
#undef CH
}

static void test_limits(void **state)
{
    (void)state;
    size_t used;
    /* A header line "X: " + 8189 'a': 8192 bytes before the CR, 8193 with it. */
    size_t n = 17 + 3 + 8189 + 4;
    char *big = malloc(n);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(big + 20, 'a', 8189);
    memcpy(big + 20 + 8189, "\r\n\r\n", 4);
    expect_error(big, n, "HTTP response: byte 17: header line longer than 8192 bytes");
    /* One 'a' less fits exactly (8192 with the CR). */
    memcpy(big + 20 + 8188, "\r\n\r\n", 4);
    assert_int_equal(feed_all(big, n - 1, CAP, &used), FWD_HTTP_MORE);
    assert_true(R.headers_done);
    free(big);

    /* 129 fields. */
    char *many = malloc(17 + 129 * 6 + 2 + 1);
    memcpy(many, "HTTP/1.1 200 OK\r\n", 17);
    for (int i = 0; i < 129; i++)
        memcpy(many + 17 + i * 6, "A: b\r\n", 6);
    memcpy(many + 17 + 129 * 6, "\r\n", 2);
    /* the 129th starts at 17 + 128 * 6 = 785 */
    expect_error(many, 17 + 129 * 6 + 2, "HTTP response: byte 785: more than 128 header fields");
    free(many);

    /* 9 lines of 8000 bytes (7998 + CRLF): the 9th pushes the block past
     * 65536 (17 + 8 * 8000 = 64017; + 8000 = 72017). */
    size_t ln = 8000, tot = 17 + 9 * ln + 2;
    char *wide = malloc(tot);
    memcpy(wide, "HTTP/1.1 200 OK\r\n", 17);
    for (int i = 0; i < 9; i++) {
        char *l = wide + 17 + (size_t)i * ln;
        memset(l, 'v', ln);
        memcpy(l, "X: ", 3);
        memcpy(l + ln - 2, "\r\n", 2);
    }
    memcpy(wide + tot - 2, "\r\n", 2);
    expect_error(wide, tot,
                 "HTTP response: byte 64017: more than 65536 bytes of headers and chunk "
                 "framing");
    free(wide);

    /* Too many interim responses: 9 of "HTTP/1.1 100 Continue\r\n\r\n" (25
     * bytes); the 9th's empty line is at 8 * 25 + 23 = 223. */
    char interim[9 * 25 + 1];
    for (int i = 0; i < 9; i++)
        memcpy(interim + i * 25, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    expect_error(interim, 9 * 25, "HTTP response: byte 223: more than 8 interim (1xx) responses");
}

static void test_body_cap(void **state)
{
    (void)state;
    size_t used;
    /* "Content-Length: 2000" is line 2 (17..38), the empty line at 39. */
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n";
    assert_int_equal(feed_all(cl, sizeof(cl) - 1, 1000, &used), FWD_HTTP_ERROR);
    assert_string_equal(R.err, "HTTP response: byte 39: body of 2000 bytes over the 1000 limit");
    assert_true(R.headers_done);
    assert_int_equal(R.status, 200);
    /* Exactly at the cap is fine. */
    static const char at[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd";
    assert_int_equal(feed_all(at, sizeof(at) - 1, 4, &used), FWD_HTTP_DONE);

    /* Chunked: 4 + 8 = 12 > 10; the second size line starts at 47 + 9 = 56. */
    static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "4\r\nabcd\r\n8\r\nefghijkl\r\n0\r\n\r\n";
    assert_int_equal(feed_all(ch, sizeof(ch) - 1, 10, &used), FWD_HTTP_ERROR);
    assert_string_equal(R.err, "HTTP response: byte 56: body over the 10 byte limit");
    assert_true(R.body_len == 4);

    /* To the close: the 5th byte is one too many (header block 19 bytes). */
    static const char cls[] = "HTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(feed_all(cls, sizeof(cls) - 1, 4, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_feed(&R, "abcd", 4, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_feed(&R, "e", 1, &used), FWD_HTTP_ERROR);
    assert_int_equal(used, 0);
    assert_string_equal(R.err, "HTTP response: byte 23: body over the 4 byte limit");

    /* Only the first FWD_HTTP_BODY_KEEP bytes are kept, all are counted. */
    char body[3000];
    memset(body, 'b', sizeof(body));
    static const char h3[] = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n";
    assert_int_equal(feed_all(h3, sizeof(h3) - 1, CAP, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_feed(&R, body, sizeof(body), &used), FWD_HTTP_DONE);
    assert_int_equal(R.body_kept, FWD_HTTP_BODY_KEEP);
    assert_true(R.body_len == 3000);
}

/* ---- cut short ------------------------------------------------------------------------ */

static void expect_eof(const char *s, size_t len, const char *msg)
{
    size_t used;
    assert_int_equal(feed_all(s, len, CAP, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_eof(&R), FWD_HTTP_ERROR);
    assert_string_equal(R.err, msg);
}

static void test_truncated(void **state)
{
    (void)state;
    fwd_http_resp_init(&R, CAP);
    assert_false(fwd_http_resp_started(&R));
    assert_int_equal(fwd_http_resp_eof(&R), FWD_HTTP_ERROR);
    assert_string_equal(R.err, "HTTP response: byte 0: connection closed before any response");
    expect_eof("HTTP/1.1 2", 10, "HTTP response: byte 10: connection closed in the status line");
    expect_eof("HTTP/1.1 200 OK\r\nContent-Le", 27,
               "HTTP response: byte 27: connection closed in the headers");
    /* 116 bytes of taxii_202 less 18 of its body: 3 of 21 body bytes. */
    expect_eof(taxii_202, 98, "HTTP response: byte 98: connection closed after 3 of 21 body bytes");
    /* wiki up to "Wiki\r\n5;name=value\r\npe": 47 + 9 + 14 + 2 = 72 bytes, body 6. */
    expect_eof(wiki, 72, "HTTP response: byte 72: connection closed in the chunked body (6 bytes)");
    /* wiki without its last empty line: 17 + 28 + 2 + 9 + 14 + 7 + 3 + 14 + 2
     * + 3 + 15 = 114 bytes. */
    expect_eof(wiki, sizeof(wiki) - 3, "HTTP response: byte 114: connection closed in the trailer");

    /* Every strict prefix of a complete response is MORE, then an error at
     * the close. */
    for (size_t i = 1; i < sizeof(taxii_202) - 1; i++) {
        size_t used;
        assert_int_equal(feed_all(taxii_202, i, CAP, &used), FWD_HTTP_MORE);
        assert_int_equal(used, i);
        assert_int_equal(fwd_http_resp_eof(&R), FWD_HTTP_ERROR);
        assert_non_null(strstr(R.err, "connection closed"));
    }
}

/* ---- classes and summaries ------------------------------------------------------------ */

static void test_status_class(void **state)
{
    (void)state;
    assert_int_equal(fwd_http_status_class(200), FWD_DELIVERED);
    assert_int_equal(fwd_http_status_class(201), FWD_DELIVERED);
    assert_int_equal(fwd_http_status_class(202), FWD_DELIVERED);
    assert_int_equal(fwd_http_status_class(299), FWD_DELIVERED);
    assert_int_equal(fwd_http_status_class(301), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(400), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(401), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(403), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(404), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(408), FWD_RETRYABLE);
    assert_int_equal(fwd_http_status_class(413), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(415), FWD_PERMANENT);
    assert_int_equal(fwd_http_status_class(429), FWD_RETRYABLE);
    assert_int_equal(fwd_http_status_class(500), FWD_RETRYABLE);
    assert_int_equal(fwd_http_status_class(503), FWD_RETRYABLE);
    assert_int_equal(fwd_http_status_class(599), FWD_RETRYABLE);
    assert_string_equal(fwd_status_name(FWD_DELIVERED), "delivered");
    assert_string_equal(fwd_status_name(FWD_RETRYABLE), "retryable");
    assert_string_equal(fwd_status_name(FWD_PERMANENT), "permanent");
}

static void test_summary(void **state)
{
    (void)state;
    char out[200];
    size_t used;
    /* TAXII 2.1 error message (section 3.6.1). */
    static const char taxii[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 56\r\n\r\n"
                                "{\"title\":\"Bad envelope\",\"description\":\"objects missing\"}";
    /* { 1 "title" 7 : 1 "Bad envelope" 14 , 1 "description" 13 : 1
     * "objects missing" 17 } 1 = 56 */
    assert_int_equal(FEED(taxii, &used), FWD_HTTP_DONE);
    assert_string_equal(fwd_http_body_summary(&R, out, sizeof(out)),
                        "Bad envelope: objects missing");
    static const char plain[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 21\r\n\r\n"
                                "  Service\r\n  down \n\t ";
    assert_int_equal(FEED(plain, &used), FWD_HTTP_DONE);
    assert_string_equal(fwd_http_body_summary(&R, out, sizeof(out)), "Service down");
    static const char ctl[] = "HTTP/1.1 500 X\r\nContent-Length: 3\r\n\r\na\x01z";
    assert_int_equal(FEED(ctl, &used), FWD_HTTP_DONE);
    assert_string_equal(fwd_http_body_summary(&R, out, sizeof(out)), "a?z");
    static const char none[] = "HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(FEED(none, &used), FWD_HTTP_DONE);
    assert_string_equal(fwd_http_body_summary(&R, out, sizeof(out)), "");
    /* A JSON object without "title" reads as text. */
    static const char json[] = "HTTP/1.1 500 X\r\nContent-Length: 11\r\n\r\n{\"a\": \"b\"}\n";
    assert_int_equal(FEED(json, &used), FWD_HTTP_DONE);
    assert_string_equal(fwd_http_body_summary(&R, out, sizeof(out)), "{\"a\": \"b\"}");
    /* Long bodies are cut and marked; a small buffer is respected. */
    char body[600];
    memset(body, 'x', sizeof(body));
    static const char h[] = "HTTP/1.1 500 X\r\nContent-Length: 600\r\n\r\n";
    assert_int_equal(FEED(h, &used), FWD_HTTP_MORE);
    assert_int_equal(fwd_http_resp_feed(&R, body, sizeof(body), &used), FWD_HTTP_DONE);
    fwd_http_body_summary(&R, out, sizeof(out));
    assert_true(strlen(out) < sizeof(out));
    assert_string_equal(out + strlen(out) - 3, "...");
    char small[12];
    fwd_http_body_summary(&R, small, sizeof(small));
    assert_string_equal(small, "xxxxxxxx...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length),   cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_connection),       cmocka_unit_test(test_body_to_close),
        cmocka_unit_test(test_no_body_statuses), cmocka_unit_test(test_interim),
        cmocka_unit_test(test_retry_after),      cmocka_unit_test(test_lenient_bits),
        cmocka_unit_test(test_bad_status_line),  cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_framing),      cmocka_unit_test(test_bad_chunks),
        cmocka_unit_test(test_limits),           cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_truncated),        cmocka_unit_test(test_status_class),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
