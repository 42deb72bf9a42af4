/* test_http_buffers.c -- Suricata HTTP sticky buffers from request and
 * response heads, and de-chunked body buffers.
 *
 * Expected bytes are written by hand from Suricata's documentation and
 * detect-http-*.c formats (header "Name: value\r\n", header_names
 * "\r\nA\r\nB\r\n\r\n", start = line + headers + CRLF) and libhtp's header
 * rules (repeats joined with ", ", folded lines joined); the odd cases were
 * cross-checked against libhtp 0.5.42 configured as Suricata. */
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

static http_bufs_t *B;

static int setup(void **state)
{
    (void)state;
    B = malloc(sizeof(*B));
    return B == NULL;
}

static int teardown(void **state)
{
    (void)state;
    free(B);
    return 0;
}

static void assert_buf_n(int id, const char *want, size_t n)
{
    hbuf_t h = B->b[id];
    if (h.p == NULL) fail_msg("%s absent, want \"%s\"", http_buffer_name(id), want);
    if (h.len != n || memcmp(h.p, want, n) != 0)
        fail_msg("%s is \"%.*s\" (%u), want \"%s\"", http_buffer_name(id), (int)h.len,
                 (const char *)h.p, h.len, want);
}

static void assert_buf(int id, const char *want)
{
    assert_buf_n(id, want, strlen(want));
}

static void assert_absent(int id)
{
    if (B->b[id].p != NULL) fail_msg("%s present", http_buffer_name(id));
}

static void request(const char *head)
{
    http_request_t r;
    size_t n = strlen(head);
    assert_int_equal(http_parse_request(U8(head), n, &r), APP_PARSE_DONE);
    assert_true(http_bufs_request(B, U8(head), n, &r));
}

static void response(const char *head)
{
    http_response_t r;
    size_t n = strlen(head);
    assert_int_equal(http_parse_response(U8(head), n, &r), APP_PARSE_DONE);
    assert_true(http_bufs_response(B, U8(head), n, &r));
}

static void assert_response_absent(void)
{
    static const int ids[] = {HTTP_BUF_STAT_CODE,   HTTP_BUF_STAT_MSG, HTTP_BUF_RESPONSE_LINE,
                              HTTP_BUF_LOCATION,    HTTP_BUF_SERVER,   HTTP_BUF_RESPONSE_BODY,
                              HTTP_BUF_REQUEST_BODY};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_absent(ids[i]);
}

/* ---- requests ---- */

static void test_minimal_get(void **state)
{
    (void)state;
    request("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\n\r\n");
    assert_buf(HTTP_BUF_METHOD, "GET");
    assert_buf(HTTP_BUF_URI, "/");
    assert_buf(HTTP_BUF_URI_RAW, "/");
    assert_buf(HTTP_BUF_PROTOCOL, "HTTP/1.1");
    assert_buf(HTTP_BUF_REQUEST_LINE, "GET / HTTP/1.1");
    assert_buf(HTTP_BUF_HOST, "a");
    assert_buf(HTTP_BUF_HOST_RAW, "a");
    assert_buf(HTTP_BUF_USER_AGENT, "b");
    assert_buf(HTTP_BUF_HEADER_NAMES, "\r\nHost\r\nUser-Agent\r\n\r\n");
    assert_buf(HTTP_BUF_HEADER, "Host: a\r\nUser-Agent: b\r\n");
    assert_buf(HTTP_BUF_HEADER_RAW, "Host: a\r\nUser-Agent: b\r\n\r\n");
    assert_buf(HTTP_BUF_START, "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\n\r\n");
    assert_absent(HTTP_BUF_COOKIE);
    assert_absent(HTTP_BUF_ACCEPT);
    assert_absent(HTTP_BUF_CONTENT_LEN);
    assert_response_absent();
    assert_false(B->truncated);
}

static const char BROWSER[] = "POST /login.php?next=%2Fhome&q=a+b HTTP/1.1\r\n"
                              "Host: WWW.Example.COM:8080\r\n"
                              "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
                              "Accept: text/html,*/*;q=0.8\r\n"
                              "Accept-Language: vi-VN,vi;q=0.9\r\n"
                              "Accept-Encoding: gzip, deflate\r\n"
                              "Referer: http://www.example.com/\r\n"
                              "Cookie: sid=abc; theme=dark\r\n"
                              "Connection: keep-alive\r\n"
                              "Content-Type: application/x-www-form-urlencoded\r\n"
                              "Content-Length: 27\r\n"
                              "\r\n"
                              "user=admin&pass=hunter2xyz1";

static void test_browser_post(void **state)
{
    (void)state;
    request(BROWSER);
    assert_buf(HTTP_BUF_METHOD, "POST");
    assert_buf(HTTP_BUF_URI, "/login.php?next=/home&q=a+b");
    assert_buf(HTTP_BUF_URI_RAW, "/login.php?next=%2Fhome&q=a+b");
    assert_buf(HTTP_BUF_HOST, "www.example.com");
    assert_buf(HTTP_BUF_HOST_RAW, "WWW.Example.COM:8080");
    assert_buf(HTTP_BUF_USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64)");
    assert_buf(HTTP_BUF_ACCEPT, "text/html,*/*;q=0.8");
    assert_buf(HTTP_BUF_ACCEPT_LANG, "vi-VN,vi;q=0.9");
    assert_buf(HTTP_BUF_ACCEPT_ENC, "gzip, deflate");
    assert_buf(HTTP_BUF_REFERER, "http://www.example.com/");
    assert_buf(HTTP_BUF_COOKIE, "sid=abc; theme=dark");
    assert_buf(HTTP_BUF_CONNECTION, "keep-alive");
    assert_buf(HTTP_BUF_CONTENT_TYPE, "application/x-www-form-urlencoded");
    assert_buf(HTTP_BUF_CONTENT_LEN, "27");
    /* http.header leaves the Cookie out; names and start keep it */
    assert_buf(HTTP_BUF_HEADER, "Host: WWW.Example.COM:8080\r\n"
                                "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
                                "Accept: text/html,*/*;q=0.8\r\n"
                                "Accept-Language: vi-VN,vi;q=0.9\r\n"
                                "Accept-Encoding: gzip, deflate\r\n"
                                "Referer: http://www.example.com/\r\n"
                                "Connection: keep-alive\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n"
                                "Content-Length: 27\r\n");
    assert_buf(HTTP_BUF_HEADER_NAMES, "\r\nHost\r\nUser-Agent\r\nAccept\r\nAccept-Language\r\n"
                                      "Accept-Encoding\r\nReferer\r\nCookie\r\nConnection\r\n"
                                      "Content-Type\r\nContent-Length\r\n\r\n");
    /* the raw block and http.start end at the empty line: no body */
    size_t head_len = strlen(BROWSER) - 27;
    const char *raw = strstr(BROWSER, "\r\n") + 2;
    assert_buf_n(HTTP_BUF_HEADER_RAW, raw, (size_t)(BROWSER + head_len - raw));
    assert_buf_n(HTTP_BUF_START, BROWSER, head_len); /* already normalised: same bytes */
    assert_response_absent();
}

/* Proxy form: http.uri drops scheme and authority, the host comes from the
 * URI (lowercased, trailing dot gone) and wins over the Host header. */
static void test_absolute_uri(void **state)
{
    (void)state;
    request("GET http://WWW.Example.com.:8080/a/../b?x=%41 HTTP/1.1\r\n"
            "Host: other.example\r\n\r\n");
    assert_buf(HTTP_BUF_URI, "/b?x=A");
    assert_buf(HTTP_BUF_URI_RAW, "http://WWW.Example.com.:8080/a/../b?x=%41");
    assert_buf(HTTP_BUF_HOST, "www.example.com");
    assert_buf(HTTP_BUF_HOST_RAW, "www.example.com");
}

/* libhtp reads CONNECT's target as host:port: no path, so http.uri is
 * empty (but there), and the host is the target's. */
static void test_connect(void **state)
{
    (void)state;
    request("CONNECT Mail.Example.COM:443 HTTP/1.1\r\nHost: mail.example.com:443\r\n\r\n");
    assert_buf(HTTP_BUF_URI, "");
    assert_buf(HTTP_BUF_URI_RAW, "Mail.Example.COM:443");
    assert_buf(HTTP_BUF_HOST, "mail.example.com");
    assert_buf(HTTP_BUF_HOST_RAW, "mail.example.com");
}

/* Suricata's documented examples: repeats are joined with ", " in order. */
static void test_repeated_headers(void **state)
{
    (void)state;
    request("GET /test.html HTTP/1.1\r\n"
            "User-Agent: SuriTester/0.8\r\n"
            "Host: ABC.com\r\n"
            "Accept: */*\r\n"
            "User-Agent: GGGG\r\n"
            "Host: efg.net\r\n"
            "Content-Length: 5\r\n"
            "content-length: 5\r\n"
            "\r\n");
    assert_buf(HTTP_BUF_USER_AGENT, "SuriTester/0.8, GGGG");
    assert_buf(HTTP_BUF_HOST, "abc.com, efg.net");
    assert_buf(HTTP_BUF_HOST_RAW, "ABC.com, efg.net");
    assert_buf(HTTP_BUF_CONTENT_LEN, "5"); /* a repeated Content-Length is not joined */
    assert_buf(HTTP_BUF_HEADER, "User-Agent: SuriTester/0.8, GGGG\r\n"
                                "Host: ABC.com, efg.net\r\n"
                                "Accept: */*\r\n"
                                "Content-Length: 5\r\n");
    assert_buf(HTTP_BUF_HEADER_NAMES, "\r\nUser-Agent\r\nHost\r\nAccept\r\nContent-Length\r\n\r\n");
}

/* libhtp keeps the second occurrence of a name and then 64 more repeats,
 * counted over all names. */
static void test_repeat_budget(void **state)
{
    (void)state;
    char head[2048];
    size_t n = (size_t)snprintf(head, sizeof(head), "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(head + n, sizeof(head) - n, "X: %c\r\n", 'A' + i % 26);
    n += (size_t)snprintf(head + n, sizeof(head) - n, "\r\n");
    request(head);
    char want[512];
    size_t w = (size_t)snprintf(want, sizeof(want), "X: A");
    for (int i = 1; i < 66; i++)
        w += (size_t)snprintf(want + w, sizeof(want) - w, ", %c", 'A' + i % 26);
    w += (size_t)snprintf(want + w, sizeof(want) - w, "\r\n");
    assert_buf(HTTP_BUF_HEADER, want);
}

/* Folded lines join the header before them, CR/LF dropped, blanks kept;
 * a line with no ':' is a header with an empty name; bare LF ends lines. */
static void test_folding_and_odd_lines(void **state)
{
    (void)state;
    request("GET / HTTP/1.0\n"
            "X-Long: one\n"
            "   two\r\n"
            "\tthree\n"
            "no colon here\r\n"
            "Empty:\r\n"
            "Spaced  :  v  \r\n"
            "\n");
    assert_buf(HTTP_BUF_REQUEST_LINE, "GET / HTTP/1.0");
    assert_buf(HTTP_BUF_HEADER, "X-Long: one   two\tthree\r\n"
                                ": no colon here\r\n"
                                "Empty: \r\n"
                                "Spaced: v\r\n");
    assert_buf(HTTP_BUF_HEADER_NAMES, "\r\nX-Long\r\n\r\nEmpty\r\nSpaced\r\n\r\n");
    assert_buf(HTTP_BUF_HEADER_RAW, "X-Long: one\n   two\r\n\tthree\nno colon here\r\n"
                                    "Empty:\r\nSpaced  :  v  \r\n\n");
    assert_absent(HTTP_BUF_HOST);
    assert_absent(HTTP_BUF_HOST_RAW);
}

static void test_empty_values(void **state)
{
    (void)state;
    request("GET / HTTP/1.1\r\nHost:  \r\nAccept:\r\n\r\n");
    assert_buf(HTTP_BUF_HOST_RAW, ""); /* the header is there, empty */
    assert_absent(HTTP_BUF_HOST);      /* but names no host */
    assert_buf(HTTP_BUF_ACCEPT, "");
}

static void test_no_headers(void **state)
{
    (void)state;
    request("\r\n\r\nGET /x HTTP/1.0\r\n\r\ntrailing bytes are not the head");
    assert_buf(HTTP_BUF_REQUEST_LINE, "GET /x HTTP/1.0");
    assert_buf(HTTP_BUF_HEADER, "");
    assert_buf(HTTP_BUF_HEADER_NAMES, "");
    assert_buf(HTTP_BUF_HEADER_RAW, "\r\n");
    assert_buf(HTTP_BUF_START, "GET /x HTTP/1.0\r\n"); /* no final CRLF without headers */
    assert_absent(HTTP_BUF_HOST);
}

static void test_host_forms(void **state)
{
    (void)state;
    request("GET / HTTP/1.1\r\nHost: [FE80::1]:8080\r\n\r\n");
    assert_buf(HTTP_BUF_HOST, "[fe80::1]");
    assert_buf(HTTP_BUF_HOST_RAW, "[FE80::1]:8080");
    request("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n");
    assert_absent(HTTP_BUF_HOST); /* no ']' */
    request("GET / HTTP/1.1\r\nHost: Example.ORG.\r\n\r\n");
    assert_buf(HTTP_BUF_HOST, "example.org."); /* a header's trailing dot stays */
}

/* ---- responses ---- */

static void test_response(void **state)
{
    (void)state;
    response("HTTP/1.1 302 Found\r\n"
             "Server: nginx/1.22.1\r\n"
             "Content-Type: text/html\r\n"
             "Content-Length: 145\r\n"
             "Set-Cookie: a=1\r\n"
             "Location: https://portal.cantho.gov.vn/\r\n"
             "Set-Cookie: b=2; HttpOnly\r\n"
             "\r\n");
    assert_buf(HTTP_BUF_RESPONSE_LINE, "HTTP/1.1 302 Found");
    assert_buf(HTTP_BUF_PROTOCOL, "HTTP/1.1");
    assert_buf(HTTP_BUF_STAT_CODE, "302");
    assert_buf(HTTP_BUF_STAT_MSG, "Found");
    assert_buf(HTTP_BUF_SERVER, "nginx/1.22.1");
    assert_buf(HTTP_BUF_CONTENT_TYPE, "text/html");
    assert_buf(HTTP_BUF_CONTENT_LEN, "145");
    assert_buf(HTTP_BUF_LOCATION, "https://portal.cantho.gov.vn/");
    assert_buf(HTTP_BUF_COOKIE, "a=1, b=2; HttpOnly"); /* Set-Cookie in responses */
    assert_buf(HTTP_BUF_HEADER, "Server: nginx/1.22.1\r\n"
                                "Content-Type: text/html\r\n"
                                "Content-Length: 145\r\n"
                                "Location: https://portal.cantho.gov.vn/\r\n");
    assert_buf(HTTP_BUF_HEADER_NAMES,
               "\r\nServer\r\nContent-Type\r\nContent-Length\r\nSet-Cookie\r\nLocation\r\n\r\n");
    assert_buf(HTTP_BUF_START, "HTTP/1.1 302 Found\r\n"
                               "Server: nginx/1.22.1\r\n"
                               "Content-Type: text/html\r\n"
                               "Content-Length: 145\r\n"
                               "Set-Cookie: a=1, b=2; HttpOnly\r\n"
                               "Location: https://portal.cantho.gov.vn/\r\n"
                               "\r\n");
    static const int req_ids[] = {HTTP_BUF_URI,  HTTP_BUF_METHOD,     HTTP_BUF_REQUEST_LINE,
                                  HTTP_BUF_HOST, HTTP_BUF_USER_AGENT, HTTP_BUF_REQUEST_BODY};
    for (size_t i = 0; i < sizeof(req_ids) / sizeof(req_ids[0]); i++)
        assert_absent(req_ids[i]);
}

static void test_status_line_forms(void **state)
{
    (void)state;
    response("HTTP/1.1 204\r\n\r\n");
    assert_buf(HTTP_BUF_STAT_CODE, "204");
    assert_absent(HTTP_BUF_STAT_MSG);
    assert_buf(HTTP_BUF_START, "HTTP/1.1 204\r\n");
    response("HTTP/1.0 404   Not  Found \r\n\r\n");
    assert_buf(HTTP_BUF_STAT_MSG, "Not  Found "); /* trailing blanks kept, as libhtp */
    assert_buf(HTTP_BUF_PROTOCOL, "HTTP/1.0");
}

/* In an HTTP/1.1 response a folded line with a ':' after a line with one
 * is a header of its own (first byte dropped); in HTTP/1.0 it joins.
 * A response's colon-less line is trimmed. */
static void test_response_folding(void **state)
{
    (void)state;
    response("HTTP/1.1 200 OK\r\nA: 1\r\n B: 2\r\n more\r\nbare line  \r\n\r\n");
    assert_buf(HTTP_BUF_HEADER, "A: 1\r\nB: 2 more\r\n: bare line\r\n");
    response("HTTP/1.0 200 OK\r\nA: 1\r\n B: 2\r\n\r\n");
    assert_buf(HTTP_BUF_HEADER, "A: 1 B: 2\r\n");
}

/* ---- bounds and bad input ---- */

static void test_bad_input(void **state)
{
    (void)state;
    const char *head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    http_request_t r;
    assert_int_equal(http_parse_request(U8(head), strlen(head), &r), APP_PARSE_DONE);
    /* the head cut before its empty line */
    assert_false(http_bufs_request(B, U8(head), strlen(head) - 2, &r));
    for (int i = 0; i < HTTP_BUF_COUNT; i++)
        assert_absent(i);
    /* spans that are not inside the given bytes */
    char copy[64];
    memcpy(copy, head, strlen(head) + 1);
    assert_false(http_bufs_request(B, U8(copy), strlen(copy), &r));
    http_response_t resp;
    memset(&resp, 0, sizeof(resp));
    assert_false(http_bufs_response(B, U8("HTTP/1.1 200 OK\r\n\r\n"), 19, &resp));
}

/* More header lines than kept: truncated is set, the first ones are there,
 * nothing overruns. */
static void test_field_cap(void **state)
{
    (void)state;
    size_t cap = 16 + (HTTP_BUF_MAX_FIELDS + 10) * 8 + 3;
    char *head = malloc(cap);
    assert_non_null(head);
    size_t n = (size_t)snprintf(head, cap, "GET / HTTP/1.1\r\n");
    for (unsigned i = 0; i < HTTP_BUF_MAX_FIELDS + 10; i++)
        n += (size_t)snprintf(head + n, cap - n, "h%04u:\n", i);
    n += (size_t)snprintf(head + n, cap - n, "\r\n");
    assert_true(n <= HTTP_MAX_HEAD);
    request(head);
    assert_true(B->truncated);
    hbuf_t names = B->b[HTTP_BUF_HEADER_NAMES];
    assert_int_equal(names.len, 2 + HTTP_BUF_MAX_FIELDS * 7 + 2);
    assert_memory_equal(names.p, "\r\nh0000\r\nh0001\r\n", 16);
    free(head);
}

/* A head of the largest size with as many short distinct names as are
 * kept (the worst growth for http.start and http.header, which a Cookie
 * makes separate buffers), the rest one long folded line: the arena is
 * never the limit. */
static void test_worst_case_head(void **state)
{
    (void)state;
    static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    char *head = malloc(HTTP_MAX_HEAD + 1);
    assert_non_null(head);
    size_t n = (size_t)snprintf(head, HTTP_MAX_HEAD, "GET / HTTP/1.1\r\nCookie: c\r\n");
    for (unsigned i = 0; i + 1 < HTTP_BUF_MAX_FIELDS; i++) {
        head[n++] = al[i / 38];
        head[n++] = al[i % 38];
        head[n++] = ':';
        head[n++] = '\n';
    }
    while (n + 3 <= HTTP_MAX_HEAD - 1) {
        head[n++] = ' ';
        head[n++] = 'x';
        head[n++] = '\n';
    }
    head[n++] = '\n';
    head[n] = 0;
    request(head);
    assert_false(B->truncated);
    assert_int_equal(B->nfields, HTTP_BUF_MAX_FIELDS);
    hbuf_t h = B->b[HTTP_BUF_HEADER];
    assert_memory_equal(h.p, "aa: \r\nab: \r\n", 12);
    free(head);
}

/* ---- names ---- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(http_buffer_name(HTTP_BUF_URI), "http.uri");
    assert_string_equal(http_buffer_name(HTTP_BUF_HEADER_NAMES), "http.header_names");
    assert_null(http_buffer_name(HTTP_BUF_COUNT));
    assert_null(http_buffer_name(-1));
    assert_int_equal(http_buffer_lookup("http.uri.raw", 12), HTTP_BUF_URI_RAW);
    assert_int_equal(http_buffer_lookup("http_raw_uri", 12), HTTP_BUF_URI_RAW);
    assert_int_equal(http_buffer_lookup("http_client_body", 16), HTTP_BUF_REQUEST_BODY);
    assert_int_equal(http_buffer_lookup("http_server_body", 16), HTTP_BUF_RESPONSE_BODY);
    assert_int_equal(http_buffer_lookup("http.cookiex", 11), HTTP_BUF_COOKIE); /* len counts */
    assert_int_equal(http_buffer_lookup("http.nope", 9), -1);
    assert_int_equal(http_buffer_dirs(HTTP_BUF_STAT_CODE), HTTP_BUF_DIR_RESPONSE);
    assert_int_equal(http_buffer_dirs(HTTP_BUF_USER_AGENT), HTTP_BUF_DIR_REQUEST);
    assert_int_equal(http_buffer_dirs(HTTP_BUF_START),
                     HTTP_BUF_DIR_REQUEST | HTTP_BUF_DIR_RESPONSE);
    for (int i = 0; i < HTTP_BUF_COUNT; i++) {
        const char *nm = http_buffer_name(i);
        assert_non_null(nm);
        assert_int_equal(http_buffer_lookup(nm, strlen(nm)), i);
    }
}

/* ---- bodies ---- */

static void test_body_length(void **state)
{
    (void)state;
    http_request_t r;
    assert_int_equal(http_parse_request(U8(BROWSER), strlen(BROWSER), &r), APP_PARSE_DONE);
    http_body_t framing;
    http_body_request(&framing, &r);
    uint8_t mem[16];
    http_body_buf_t bb;
    http_body_buf_init(&bb, mem, sizeof(mem), &framing);
    uint8_t body[64]; /* the body, then the next request */
    memcpy(body, BROWSER + r.head_len, 27);
    memcpy(body + 27, "GET /next HTTP/1.1\r\n\r\n", 22);
    size_t used;
    assert_int_equal(http_body_buf_feed(&bb, body, 10, &used), APP_PARSE_MORE);
    assert_int_equal(used, 10);
    assert_int_equal(http_body_buf_feed(&bb, body + 10, 30, &used), APP_PARSE_DONE);
    assert_int_equal(used, 17); /* the rest belongs to the next message */
    hbuf_t v = http_body_buf_view(&bb);
    assert_int_equal(v.len, 16);
    assert_memory_equal(v.p, "user=admin&pass=", 16);
    assert_true(bb.truncated);

    http_body_buf_init(&bb, mem, sizeof(mem), &framing);
    http_body_buf_append(&bb, U8("abc"), 3);
    http_body_buf_append(&bb, U8("def"), 3);
    assert_int_equal(bb.len, 6);
    assert_memory_equal(bb.data, "abcdef", 6);
    assert_false(bb.truncated);
}

static const char CHUNKED[] = "4\r\nWiki\r\n"
                              "6;ext=1\r\npedia \r\n"
                              "E\r\nin \r\n\r\nchunks.\r\n"
                              "0\r\n"
                              "Trailer: x\r\n"
                              "\r\n"
                              "NEXT";
static const char DECHUNKED[] = "Wikipedia in \r\n\r\nchunks.";

static void chunked_framing(http_body_t *b)
{
    http_response_t resp;
    memset(&resp, 0, sizeof(resp));
    resp.status = 200;
    resp.chunked = true;
    http_body_response(b, &resp, false);
}

/* Every way of cutting the stream in two and in three gives the same bytes,
 * the same end and the same consumed count as one call. */
static void test_body_chunked_splits(void **state)
{
    (void)state;
    size_t total = strlen(CHUNKED), body_end = total - 4, want = strlen(DECHUNKED);
    http_body_t framing;
    chunked_framing(&framing);
    uint8_t mem[64];
    http_body_buf_t bb;
    for (size_t a = 0; a <= total; a++) {
        for (size_t c = a; c <= total; c++) {
            http_body_buf_init(&bb, mem, sizeof(mem), &framing);
            size_t cuts[4] = {0, a, c, total}, done = 0;
            app_parse_t st = APP_PARSE_MORE;
            for (int k = 0; k < 3 && st == APP_PARSE_MORE; k++) {
                size_t used;
                size_t from = cuts[k] > done ? cuts[k] : done;
                st = http_body_buf_feed(&bb, U8(CHUNKED) + from, cuts[k + 1] - from, &used);
                done = from + used;
            }
            assert_int_equal(st, APP_PARSE_DONE);
            assert_int_equal(done, body_end);
            assert_int_equal(bb.len, want);
            assert_memory_equal(bb.data, DECHUNKED, want);
            assert_false(bb.truncated);
            assert_int_equal(bb.framing.seen, want);
        }
    }
}

static void test_body_chunked_limit_and_errors(void **state)
{
    (void)state;
    http_body_t framing;
    chunked_framing(&framing);
    uint8_t mem[8];
    http_body_buf_t bb;
    http_body_buf_init(&bb, mem, sizeof(mem), &framing);
    size_t used;
    assert_int_equal(http_body_buf_feed(&bb, U8(CHUNKED), strlen(CHUNKED), &used), APP_PARSE_DONE);
    assert_int_equal(bb.len, 8);
    assert_memory_equal(mem, "Wikipedi", 8);
    assert_true(bb.truncated);
    assert_int_equal(bb.framing.seen, strlen(DECHUNKED)); /* framing saw it all */

    /* a bad size line: same ERROR and count as http_body_feed */
    const char *bad = "3\r\nabc\r\nzz\r\n";
    http_body_t ref;
    chunked_framing(&ref);
    size_t ref_used;
    assert_int_equal(http_body_feed(&ref, U8(bad), strlen(bad), &ref_used), APP_PARSE_ERROR);
    http_body_buf_init(&bb, mem, sizeof(mem), &framing);
    assert_int_equal(http_body_buf_feed(&bb, U8(bad), strlen(bad), &used), APP_PARSE_ERROR);
    assert_int_equal(used, ref_used);
    assert_int_equal(bb.len, 3);

    /* no storage at all: nothing kept, framing still followed */
    http_body_buf_init(&bb, NULL, 100, &framing);
    assert_int_equal(http_body_buf_feed(&bb, U8(CHUNKED), strlen(CHUNKED), &used), APP_PARSE_DONE);
    assert_int_equal(bb.len, 0);
    assert_true(bb.truncated);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_get),
        cmocka_unit_test(test_browser_post),
        cmocka_unit_test(test_absolute_uri),
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_repeated_headers),
        cmocka_unit_test(test_repeat_budget),
        cmocka_unit_test(test_folding_and_odd_lines),
        cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_no_headers),
        cmocka_unit_test(test_host_forms),
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_status_line_forms),
        cmocka_unit_test(test_response_folding),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_worst_case_head),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_body_length),
        cmocka_unit_test(test_body_chunked_splits),
        cmocka_unit_test(test_body_chunked_limit_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
