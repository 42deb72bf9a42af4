/* test_app_layer.c -- the per-flow glue: probing, TCP in-order handling
 * (retransmissions, gaps), HTTP request/response pairing, TLS hellos across
 * segments, memcap and nDPI hints. Flows and packets are built by hand and
 * the events collected by a test sink. Expected values are read off the
 * literal messages; MD5s of the hand-made fingerprints come from Python's
 * hashlib. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_layer.h"

/* ---- event log ---- */

typedef struct ev_http {
    char host[300], url[2100], method[40], proto[20], ua[600], ct[200], loc[600];
    int32_t port;
    uint16_t status;
    uint64_t length;
    bool has_req, has_resp, trunc;
} ev_http_t;

typedef struct ev_tls {
    char sni[300], ja3[33], ja3s[33], ja3_str[256], ja3s_str[256];
    uint16_t version, client_version;
    bool has_ja3, has_ja3s;
    uint32_t client_alpn_len;
} ev_tls_t;

typedef struct evlog {
    int n_http, n_tls, n_dns;
    ev_http_t http[64];
    ev_tls_t tls[4];
} evlog_t;

static evlog_t lg;

static void cp(char *dst, size_t cap, app_str_t s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static void on_http(void *ud, const flow_t *f, const http_tx_t *tx)
{
    (void)f;
    evlog_t *l = ud;
    if (l->n_http < 64) {
        ev_http_t *e = &l->http[l->n_http];
        cp(e->host, sizeof(e->host), tx->hostname);
        cp(e->url, sizeof(e->url), tx->url);
        cp(e->method, sizeof(e->method), tx->method);
        cp(e->proto, sizeof(e->proto), tx->protocol);
        cp(e->ua, sizeof(e->ua), tx->user_agent);
        cp(e->ct, sizeof(e->ct), tx->content_type);
        cp(e->loc, sizeof(e->loc), tx->redirect);
        e->port = tx->http_port;
        e->status = tx->status;
        e->length = tx->length;
        e->has_req = tx->has_request;
        e->has_resp = tx->has_response;
        e->trunc = tx->truncated;
    }
    l->n_http++;
}

static void on_tls(void *ud, const flow_t *f, const tls_info_t *t)
{
    (void)f;
    evlog_t *l = ud;
    if (l->n_tls < 4) {
        ev_tls_t *e = &l->tls[l->n_tls];
        cp(e->sni, sizeof(e->sni), t->sni);
        memcpy(e->ja3, t->ja3_hash, 33);
        memcpy(e->ja3s, t->ja3s_hash, 33);
        cp(e->ja3_str, sizeof(e->ja3_str), t->ja3);
        cp(e->ja3s_str, sizeof(e->ja3s_str), t->ja3s);
        e->version = t->version;
        e->client_version = t->client_version;
        e->has_ja3 = t->has_ja3;
        e->has_ja3s = t->has_ja3s;
        e->client_alpn_len = t->client_alpn.len;
    }
    l->n_tls++;
}

static void on_dns(void *ud, flow_t *f, const dns_msg_t *m, int dir)
{
    (void)f;
    (void)m;
    (void)dir;
    ((evlog_t *)ud)->n_dns++;
}

/* ---- a hand-made TCP connection ---- */

typedef struct conn {
    app_layer_t *al;
    flow_t f;
    uint32_t seq[2];
} conn_t;

static void conn_open(conn_t *c, size_t memcap, uint16_t dport)
{
    memset(&lg, 0, sizeof(lg));
    app_event_sink_t sink = {.http = on_http, .dns = on_dns, .tls = on_tls, .ud = &lg};
    c->al = app_layer_new(memcap, &sink);
    assert_non_null(c->al);
    memset(&c->f, 0, sizeof(c->f));
    c->f.key.proto = 6;
    c->f.key.port[0] = 40000;
    c->f.key.port[1] = dport;
    c->seq[0] = 1000;
    c->seq[1] = 5000;
}

static void seg_at(conn_t *c, int dir, uint32_t seq, const void *data, size_t n)
{
    packet_t p;
    memset(&p, 0, sizeof(p));
    p.ip_proto = 6;
    p.tcp_seq = seq;
    p.tcp_flags = TH_ACK | TH_PSH;
    p.payload = data;
    p.payload_len = (uint32_t)n;
    app_layer_packet(c->al, &c->f, dir, &p);
}

/* Next in-order segment. */
static void seg(conn_t *c, int dir, const void *data, size_t n)
{
    seg_at(c, dir, c->seq[dir], data, n);
    c->seq[dir] += (uint32_t)n;
}

static void sends(conn_t *c, int dir, const char *s)
{
    seg(c, dir, s, strlen(s));
}

static void conn_close(conn_t *c)
{
    app_layer_flow_end(c->al, &c->f);
    assert_null(c->f.app);
    assert_int_equal(app_layer_get_stats(c->al)->mem_used, 0);
    app_layer_free(c->al);
}

enum { TS = DIR_TOSERVER, TC = DIR_TOCLIENT };

static uint64_t mem_used_of(const app_layer_t *al)
{
    return app_layer_get_stats(al)->mem_used;
}

/* ---- HTTP ---- */

static void test_http_pipelined(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS,
          "GET /1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: t/1\r\n\r\n"
          "GET /2 HTTP/1.1\r\nHost: www.example.com\r\n\r\n"
          "HEAD /3 HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
    assert_int_equal(c.f.app_proto, APP_HTTP);
    assert_int_equal(lg.n_http, 0);
    sends(&c, TC,
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
          "Content-Type: text/html; charset=utf-8\r\n\r\n"
          "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"
          "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc"
          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    assert_int_equal(lg.n_http, 3);
    ev_http_t *e = lg.http;
    assert_string_equal(e[0].url, "/1");
    assert_string_equal(e[0].host, "www.example.com");
    assert_int_equal(e[0].port, 8080);
    assert_string_equal(e[0].method, "GET");
    assert_string_equal(e[0].proto, "HTTP/1.1");
    assert_string_equal(e[0].ua, "t/1");
    assert_string_equal(e[0].ct, "text/html; charset=utf-8");
    assert_int_equal(e[0].status, 200);
    assert_int_equal(e[0].length, 9);
    assert_true(e[0].has_req && e[0].has_resp);
    assert_string_equal(e[1].url, "/2");
    assert_int_equal(e[1].port, -1);
    assert_int_equal(e[1].status, 404);
    assert_int_equal(e[1].length, 3);
    assert_string_equal(e[2].method, "HEAD");
    assert_int_equal(e[2].status, 200);
    assert_int_equal(e[2].length, 0); /* no body after a HEAD */
    /* The connection goes on after the HEAD response. */
    sends(&c, TS, "GET /4 HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 4);
    assert_string_equal(e[3].loc, "/new");
    assert_int_equal(app_layer_get_stats(c.al)->tx[APP_HTTP], 4);
    conn_close(&c);
    assert_int_equal(lg.n_http, 4);
}

static void test_http_split_every_offset(void **state)
{
    (void)state;
    const char *req = "POST /form HTTP/1.1\r\nHost: h.example\r\nContent-Length: 5\r\n\r\nx=1&y";
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    size_t rn = strlen(req), sn = strlen(resp);
    for (size_t cut = 1; cut < rn; cut++) {
        conn_t c;
        conn_open(&c, 1 << 20, 80);
        seg(&c, TS, req, cut);
        seg(&c, TS, req + cut, rn - cut);
        size_t rcut = cut % sn ? cut % sn : 1;
        seg(&c, TC, resp, rcut);
        seg(&c, TC, resp + rcut, sn - rcut);
        assert_int_equal(lg.n_http, 1);
        assert_string_equal(lg.http[0].url, "/form");
        assert_string_equal(lg.http[0].host, "h.example");
        assert_int_equal(lg.http[0].status, 200);
        assert_int_equal(lg.http[0].length, 2);
        /* The next pair still lines up: the request body was skipped. */
        sends(&c, TS, "GET /b HTTP/1.1\r\n\r\n");
        sends(&c, TC, "HTTP/1.1 204 No Content\r\n\r\n");
        assert_int_equal(lg.n_http, 2);
        assert_string_equal(lg.http[1].url, "/b");
        assert_int_equal(lg.http[1].status, 204);
        conn_close(&c);
    }
}

static void test_http_interim_and_304(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 100 Continue\r\n\r\n");
    assert_int_equal(lg.n_http, 0); /* interim: the tx waits for the final answer */
    sends(&c, TS, "data");
    sends(&c, TC, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    sends(&c, TS, "GET /c HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
    sends(&c, TS, "GET /d HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ");
    assert_int_equal(lg.n_http, 3);
    assert_int_equal(lg.http[0].status, 201);
    assert_int_equal(lg.http[1].status, 304);
    assert_int_equal(lg.http[1].length, 0);
    assert_string_equal(lg.http[2].url, "/d");
    assert_int_equal(lg.http[2].length, 1);
    conn_close(&c);
}

static void test_http_retransmission(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    const char *req = "GET /retx HTTP/1.1\r\nHost: r\r\n\r\n";
    size_t n = strlen(req);
    uint32_t s0 = c.seq[TS];
    seg_at(&c, TS, s0, req, 10);
    seg_at(&c, TS, s0, req, 10);            /* exact retransmission */
    seg_at(&c, TS, s0 + 5, req + 5, n - 5); /* overlaps 5 old bytes */
    seg_at(&c, TS, s0, req, n);             /* whole thing again */
    c.seq[TS] = s0 + (uint32_t)n;
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"); /* no request for it */
    assert_int_equal(lg.n_http, 2);
    assert_string_equal(lg.http[0].url, "/retx");
    assert_true(lg.http[0].has_req);
    assert_false(lg.http[1].has_req); /* response without request still logged */
    assert_int_equal(lg.http[1].status, 200);
    assert_int_equal(app_layer_get_stats(c.al)->gaps[APP_HTTP], 0);
    conn_close(&c);
}

static void test_http_gaps(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    static char body[1000];
    memset(body, 'b', sizeof(body));
    sends(&c, TS, "GET /big HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    seg(&c, TC, body, 100);
    c.seq[TC] += 500; /* 500 body bytes lost */
    seg(&c, TC, body, 400);
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 2);
    assert_int_equal(lg.http[0].length, 1000); /* the gap was body: skipped in place */
    assert_string_equal(lg.http[1].url, "/after");

    /* A gap inside a chunked body loses the framing: the tx ends with what
     * was seen and parsing resumes at a packet starting a response. */
    sends(&c, TS, "GET /chunked HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123");
    c.seq[TC] += 30;
    sends(&c, TC, "tail of something\r\n0\r\n\r\n"); /* not a head: dropped */
    sends(&c, TC, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 4);
    assert_string_equal(lg.http[2].url, "/chunked");
    assert_int_equal(lg.http[2].length, 4);
    assert_string_equal(lg.http[3].url, "/next");
    assert_int_equal(lg.http[3].status, 202);

    /* A gap in the requests: resync at the next packet starting one. */
    c.seq[TS] += 7;
    sends(&c, TS, "st: lost.example\r\n\r\n");
    sends(&c, TS, "GET /resync HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 5);
    assert_string_equal(lg.http[4].url, "/resync");
    assert_int_equal(app_layer_get_stats(c.al)->gaps[APP_HTTP], 3);
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_HTTP], 0);
    conn_close(&c);
}

static void test_http_flow_end(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
    sends(&c, TC, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    sends(&c, TC, "until the connection closes, fifty bytes of body..");
    assert_int_equal(lg.n_http, 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 2);
    assert_string_equal(lg.http[0].url, "/a");
    assert_int_equal(lg.http[0].length, 50);
    assert_string_equal(lg.http[0].ct, "text/plain");
    assert_string_equal(lg.http[1].url, "/b");
    assert_false(lg.http[1].has_resp);
    assert_int_equal(lg.http[1].status, 0);

    /* A response head buffered across segments, then a malformed chunk in
     * the same packet: the direction stops (its buffer goes) and the tx,
     * with its Content-Type, is logged at flow end. */
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET /c HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
    sends(&c, TC, "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_HTTP], 1);
    assert_int_equal(lg.n_http, 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].url, "/c");
    assert_string_equal(lg.http[0].ct, "text/plain");
    assert_int_equal(lg.http[0].status, 200);
}

static void test_http_connect_tunnel(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 3128);
    sends(&c, TS, "CONNECT www.example.org:443 HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 Connection established\r\n\r\n");
    sends(&c, TS, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00");
    sends(&c, TC, "\x16\x03\x03 binary tunnel data");
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].method, "CONNECT");
    assert_string_equal(lg.http[0].url, "www.example.org:443");
    assert_string_equal(lg.http[0].host, "www.example.org");
    assert_int_equal(lg.http[0].port, 443);
    assert_int_equal(lg.n_tls, 0);
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_HTTP], 0);
    /* Stopped both ways with nothing pending: the state is gone already. */
    assert_non_null(c.f.app);
    assert_int_equal(app_layer_get_stats(c.al)->mem_used, 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 1);
}

static void test_http_bounds(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    /* A 3000-byte URL is cut to 2 KiB and marked. */
    static char req[4096];
    memcpy(req, "GET /", 5);
    memset(req + 5, 'u', 2995);
    strcpy(req + 3000, " HTTP/1.1\r\n\r\n");
    sends(&c, TS, req);
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 1);
    assert_int_equal(strlen(lg.http[0].url), 2048);
    assert_true(lg.http[0].trunc);
    uint64_t idle = app_layer_get_stats(c.al)->mem_used; /* no tx pending */

    /* 40 pipelined requests before any response: the queue holds 32, the
     * oldest 8 are emitted early and their responses skipped. */
    for (int i = 0; i < 40; i++) {
        char r[64];
        snprintf(r, sizeof(r), "GET /%d HTTP/1.1\r\n\r\n", i);
        sends(&c, TS, r);
    }
    assert_int_equal(lg.n_http, 1 + 8);
    for (int i = 0; i < 40; i++) {
        char r[80];
        snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%.*s", i % 3, i % 3,
                 "xyz");
        sends(&c, TC, r);
    }
    assert_int_equal(lg.n_http, 1 + 40);
    assert_string_equal(lg.http[1].url, "/0");
    assert_false(lg.http[1].has_resp);
    assert_string_equal(lg.http[9].url, "/8");
    assert_true(lg.http[9].has_resp);
    assert_int_equal(lg.http[9].length, 8 % 3);
    assert_string_equal(lg.http[40].url, "/39");
    assert_int_equal(lg.http[40].length, 39 % 3);
    assert_true(app_layer_get_stats(c.al)->truncated >= 9);
    /* The arena grown for the queue went once the queue was empty. */
    assert_int_equal(app_layer_get_stats(c.al)->mem_used, idle);
    conn_close(&c);

    /* A head growing past 16 KiB over many segments is an error. */
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET / HTTP/1.1\r\n");
    static char hdr[1000];
    memset(hdr, 'h', sizeof(hdr));
    for (int i = 0; i < 20; i++)
        seg(&c, TS, hdr, sizeof(hdr));
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_HTTP], 1);
    assert_int_equal(lg.n_http, 0);
    conn_close(&c);
}

/* Requests pushed out early while a response is being read: the current
 * transaction's request must survive intact, later pairs stay in order. */
static void test_http_queue_behind_current(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET /cur HTTP/1.1\r\nHost: cur.example\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"); /* body pending */
    for (int i = 0; i < 33; i++) {                                 /* one over the queue */
        char r[64];
        snprintf(r, sizeof(r), "GET /q%d HTTP/1.1\r\n\r\n", i);
        sends(&c, TS, r);
    }
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].url, "/q0");
    assert_false(lg.http[0].has_resp);
    sends(&c, TC, "xyz");
    assert_int_equal(lg.n_http, 2);
    assert_string_equal(lg.http[1].url, "/cur");
    assert_string_equal(lg.http[1].host, "cur.example");
    assert_int_equal(lg.http[1].length, 3);
    for (int i = 0; i < 33; i++)
        sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 2 + 32);
    assert_string_equal(lg.http[2].url, "/q1");
    assert_true(lg.http[2].has_resp);
    assert_string_equal(lg.http[33].url, "/q32");
    assert_true(lg.http[33].has_resp);

    /* Long URLs: the current request and two queued ones fill the 8 KiB
     * bound (about 2.1 KiB each), so the fourth pushes the oldest queued
     * one out. */
    static char req[2200];
    const char *tail = " HTTP/1.1\r\n\r\n";
    for (int k = 0; k < 4; k++) {
        memset(req, 'a' + k, 2100);
        req[0] = '/';
        memcpy(req + 2100, tail, strlen(tail) + 1);
        char line[2300];
        snprintf(line, sizeof(line), "GET %s", req);
        sends(&c, TS, line);
        if (k == 0) sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n");
    }
    assert_int_equal(lg.n_http, 34 + 1);
    assert_int_equal(lg.http[34].url[1], 'b');
    assert_false(lg.http[34].has_resp);
    sends(&c, TC, "!"); /* ends the first one's body */
    assert_int_equal(lg.n_http, 36);
    assert_int_equal(lg.http[35].url[1], 'a');
    assert_int_equal(strlen(lg.http[35].url), 2048);
    assert_true(lg.http[35].trunc);
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"); /* b's: skipped */
    sends(&c, TC, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 38);
    assert_int_equal(lg.http[36].url[1], 'c');
    assert_int_equal(lg.http[36].status, 201);
    assert_int_equal(lg.http[37].url[1], 'd');
    assert_int_equal(lg.http[37].status, 202);
    conn_close(&c);
}

/* ---- TLS ---- */

/* Hand-made ClientHello: ciphers 0x1301 0xc02f, SNI example.org, groups
 * x25519, ALPN h2, point formats: JA3 "771,4865-49199,0-10-16-11,29,0". */
static const uint8_t client_hello[] = {
    0x01, 0x00, 0x00, 0x58, 0x03, 0x03, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00, /* session id */
    0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f,                   /* ciphers */
    0x01, 0x00,                                           /* compression */
    0x00, 0x2b,                                           /* extensions: 43 bytes */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, 'e',  'x',  'a',  'm',  'p',  'l',
    'e',  '.',  'o',  'r',  'g',  0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d, 0x00, 0x10,
    0x00, 0x05, 0x00, 0x03, 0x02, 'h',  '2',  0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
};

/* Matching ServerHello: cipher 0xc02f, ALPN h2, renegotiation_info:
 * JA3S "771,49199,16-65281". */
static const uint8_t server_hello[] = {
    0x02, 0x00, 0x00, 0x36, 0x03, 0x03, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0e, 0x00,
    0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h',  '2',  0xff, 0x01, 0x00, 0x01, 0x00,
};

/* Handshake bytes wrapped in records of at most `chunk` bytes. */
static size_t records(const uint8_t *hs, size_t n, size_t chunk, uint8_t *out)
{
    size_t o = 0;
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        const uint8_t h[5] = {0x16, 0x03, 0x01, (uint8_t)(k >> 8), (uint8_t)k};
        memcpy(out + o, h, 5);
        memcpy(out + o + 5, hs, k);
        o += 5 + k;
        hs += k;
        n -= k;
    }
    return o;
}

static void test_tls_hellos_across_segments(void **state)
{
    (void)state;
    assert_int_equal(sizeof(client_hello), 4 + 0x58);
    assert_int_equal(sizeof(server_hello), 4 + 0x36);
    uint8_t stream[512];
    /* ClientHello in records of 30 bytes, sent in segments of every size. */
    size_t n = records(client_hello, sizeof(client_hello), 30, stream);
    for (size_t step = 1; step <= n; step++) {
        conn_t c;
        conn_open(&c, 1 << 20, 443);
        for (size_t off = 0; off < n; off += step)
            seg(&c, TS, stream + off, n - off < step ? n - off : step);
        assert_int_equal(c.f.app_proto, APP_TLS);
        assert_int_equal(lg.n_tls, 0);
        uint8_t sh[128];
        size_t m = records(server_hello, sizeof(server_hello), 100, sh);
        memcpy(sh + m, "\x16\x03\x03\x00\x04\x0b\x00\x00\x00", 9); /* a Certificate follows */
        seg(&c, TC, sh, m + 9);
        assert_int_equal(lg.n_tls, 1);
        ev_tls_t *e = &lg.tls[0];
        assert_string_equal(e->sni, "example.org");
        assert_true(e->has_ja3 && e->has_ja3s);
        assert_string_equal(e->ja3_str, "771,4865-49199,0-10-16-11,29,0");
        assert_string_equal(e->ja3, "e1c630bcf3eb477522c8aaa7f448c282");
        assert_string_equal(e->ja3s_str, "771,49199,16-65281");
        assert_string_equal(e->ja3s, "94d15fb85410d46db5a043124cf1b7ad");
        assert_int_equal(e->version, 0x0303);
        assert_int_equal(e->client_alpn_len, 3);
        /* Application data afterwards is not looked at. */
        sends(&c, TS, "\x17\x03\x03\x00\x02zz");
        conn_close(&c);
        assert_int_equal(lg.n_tls, 1);
    }
}

static void test_tls_client_only_and_errors(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 443);
    uint8_t stream[256];
    size_t n = records(client_hello, sizeof(client_hello), 200, stream);
    /* A retransmitted copy and a gap afterwards change nothing. */
    seg(&c, TS, stream, n);
    seg_at(&c, TS, c.seq[TS] - (uint32_t)n, stream, n);
    conn_close(&c);
    assert_int_equal(lg.n_tls, 1);
    assert_int_equal(lg.tls[0].version, 0);
    assert_false(lg.tls[0].has_ja3s);
    assert_string_equal(lg.tls[0].ja3, "e1c630bcf3eb477522c8aaa7f448c282");

    /* A ClientHello whose extensions overrun: parse error, no event. */
    conn_open(&c, 1 << 20, 443);
    uint8_t bad[sizeof(client_hello)];
    memcpy(bad, client_hello, sizeof(bad));
    bad[48] = 0x2c;
    n = records(bad, sizeof(bad), 200, stream);
    seg(&c, TS, stream, n);
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_TLS], 1);
    conn_close(&c);
    assert_int_equal(lg.n_tls, 0);

    /* A gap inside the ClientHello: it cannot complete; the next hello
     * starting a packet is taken. */
    conn_open(&c, 1 << 20, 443);
    n = records(client_hello, sizeof(client_hello), 200, stream);
    seg(&c, TS, stream, 40);
    c.seq[TS] += 10;
    seg(&c, TS, stream + 50, n - 50); /* not a record start: dropped */
    seg(&c, TS, stream, n);
    conn_close(&c);
    assert_int_equal(lg.n_tls, 1);
    assert_string_equal(lg.tls[0].sni, "example.org");
}

/* ---- inspection hooks ---- */

/* One hook call: kind 'q' request head, 'Q' request body, 'r' response
 * head, 'R' response body, 'c' ClientHello, 's' ServerHello. */
typedef struct hook_ev {
    char kind;
    char head[512]; /* the head as handed out */
    char body[256];
    uint32_t body_len;
    bool trunc;
    char url[64];    /* tx: request url */
    uint16_t status; /* tx: response status */
    uint64_t mem;    /* app-layer memory during the call */
    char sni[64];    /* TLS */
    char hash[33];   /* ja3 / ja3s */
    char fp[64];     /* ja3 / ja3s string */
} hook_ev_t;

static struct {
    int n;
    hook_ev_t ev[16];
    app_layer_t *al;
} hk;

static hook_ev_t *hook_next(char kind)
{
    hook_ev_t *e = &hk.ev[hk.n < 16 ? hk.n : 15];
    hk.n++;
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->mem = app_layer_get_stats(hk.al)->mem_used;
    return e;
}

static void hook_http(char kind, const app_http_msg_t *m)
{
    hook_ev_t *e = hook_next(kind);
    app_str_t h = {(const char *)m->head, m->head_len};
    cp(e->head, sizeof(e->head), h);
    if (m->has_body) {
        assert_true(kind == 'Q' || kind == 'R');
        app_str_t b = {(const char *)m->body, m->body_len};
        cp(e->body, sizeof(e->body), b);
        e->body_len = m->body_len;
        e->trunc = m->body_truncated;
    }
    /* The parse the hook gets lies on the head it gets. */
    if (kind == 'q' || kind == 'Q') {
        assert_non_null(m->req);
        assert_null(m->resp);
        assert_true(m->req->method.p >= m->head && m->req->method.p < m->head + m->head_len);
    } else {
        assert_non_null(m->resp);
        assert_null(m->req);
        assert_int_equal(m->resp->head_len, m->head_len);
        e->status = m->tx->status;
    }
    cp(e->url, sizeof(e->url), m->tx->url);
}

static void on_req(void *ud, flow_t *f, const app_http_msg_t *m)
{
    (void)ud, (void)f;
    hook_http(m->has_body ? 'Q' : 'q', m);
}

static void on_resp(void *ud, flow_t *f, const app_http_msg_t *m)
{
    (void)ud, (void)f;
    hook_http(m->has_body ? 'R' : 'r', m);
}

static void on_ch(void *ud, flow_t *f, const tls_client_hello_t *ch, const tls_info_t *t)
{
    (void)ud, (void)f, (void)ch;
    hook_ev_t *e = hook_next('c');
    cp(e->sni, sizeof(e->sni), t->sni);
    assert_true(t->has_ja3);
    memcpy(e->hash, t->ja3_hash, 33);
    cp(e->fp, sizeof(e->fp), t->ja3);
}

static void on_sh(void *ud, flow_t *f, const tls_server_hello_t *sh, const tls_info_t *t)
{
    (void)ud, (void)f;
    hook_ev_t *e = hook_next('s');
    cp(e->sni, sizeof(e->sni), t->sni);
    assert_true(t->has_ja3s);
    assert_int_equal(sh->cipher, 0xc02f);
    memcpy(e->hash, t->ja3s_hash, 33);
    cp(e->fp, sizeof(e->fp), t->ja3s);
}

/* Hook sets for hooks_open: heads only, or heads and bodies. */
enum { HOOK_HEADS = 1, HOOK_BODIES = 2 };

static void hooks_open(conn_t *c, uint16_t dport, int which, uint32_t body_limit)
{
    memset(&lg, 0, sizeof(lg));
    memset(&hk, 0, sizeof(hk));
    app_event_sink_t sink = {.http = on_http, .dns = on_dns, .tls = on_tls, .ud = &lg};
    if (which & HOOK_HEADS) {
        sink.http_request = on_req;
        sink.http_response = on_resp;
        sink.tls_client_hello = on_ch;
        sink.tls_server_hello = on_sh;
    }
    if (which & HOOK_BODIES) {
        sink.http_request_body = on_req;
        sink.http_response_body = on_resp;
    }
    sink.http_body_limit[0] = sink.http_body_limit[1] = body_limit;
    c->al = hk.al = app_layer_new(1 << 20, &sink);
    assert_non_null(c->al);
    memset(&c->f, 0, sizeof(c->f));
    c->f.key.proto = 6;
    c->f.key.port[0] = 40000;
    c->f.key.port[1] = dport;
    c->seq[0] = 1000;
    c->seq[1] = 5000;
}

static const char POST_HEAD[] =
    "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char POST_BODY[] = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n";
static const char RESP_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n";

static void test_hooks_http_heads_and_bodies(void **state)
{
    (void)state;
    char req[256];
    snprintf(req, sizeof(req), "%s%sGET /next HTTP/1.1\r\n\r\n", POST_HEAD, POST_BODY);
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"
                       "HTTP/1.1 204 No Content\r\n\r\n";
    size_t rn = strlen(req), sn = strlen(resp);
    /* Every split of the request and of the responses gives the same calls. */
    for (size_t cut = 1; cut < rn; cut++) {
        conn_t c;
        hooks_open(&c, 80, HOOK_HEADS | HOOK_BODIES, 0);
        seg(&c, TS, req, cut);
        seg(&c, TS, req + cut, rn - cut);
        size_t rcut = 1 + cut % (sn - 1);
        seg(&c, TC, resp, rcut);
        seg(&c, TC, resp + rcut, sn - rcut);
        assert_int_equal(hk.n, 6);
        hook_ev_t *e = hk.ev;
        assert_int_equal(e[0].kind, 'q');
        assert_string_equal(e[0].head, POST_HEAD);
        assert_string_equal(e[0].url, "/up");
        assert_int_equal(e[1].kind, 'Q'); /* de-chunked: data only */
        assert_string_equal(e[1].head, POST_HEAD);
        assert_string_equal(e[1].body, "Wikipedia");
        assert_int_equal(e[1].body_len, 9);
        assert_false(e[1].trunc);
        assert_string_equal(e[1].url, "/up");
        assert_int_equal(e[2].kind, 'q'); /* no body: no body call */
        assert_string_equal(e[2].head, "GET /next HTTP/1.1\r\n\r\n");
        assert_int_equal(e[3].kind, 'r');
        assert_string_equal(e[3].head, RESP_HEAD);
        assert_string_equal(e[3].url, "/up"); /* paired with its request */
        assert_int_equal(e[3].status, 200);
        assert_int_equal(e[4].kind, 'R');
        assert_string_equal(e[4].head, RESP_HEAD);
        assert_string_equal(e[4].body, "hello world");
        assert_false(e[4].trunc);
        assert_int_equal(e[5].kind, 'r');
        assert_int_equal(e[5].status, 204);
        assert_string_equal(e[5].url, "/next");
        /* The log events are those without hooks. */
        assert_int_equal(lg.n_http, 2);
        assert_int_equal(lg.http[0].length, 11);
        assert_string_equal(lg.http[1].url, "/next");
        conn_close(&c);
    }
}

static void test_hooks_body_limit_and_cuts(void **state)
{
    (void)state;
    conn_t c;
    /* Limit 8: the body goes out truncated as soon as 8 bytes are in,
     * before the response ends; the log still counts all 20. */
    hooks_open(&c, 80, HOOK_BODIES, 8);
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123");
    assert_int_equal(hk.n, 0);
    sends(&c, TC, "456789");
    assert_int_equal(hk.n, 1);
    assert_int_equal(hk.ev[0].kind, 'R');
    assert_string_equal(hk.ev[0].body, "01234567");
    assert_true(hk.ev[0].trunc);
    uint64_t held = hk.ev[0].mem;
    sends(&c, TC, "abcdefghij");
    assert_int_equal(hk.n, 1);
    assert_int_equal(lg.n_http, 1);
    assert_int_equal(lg.http[0].length, 20);
    assert_true(mem_used_of(c.al) < held); /* the hold went with the call */
    conn_close(&c);

    /* A close-delimited body ends with the flow: complete. A body cut by a
     * gap goes out with what came before it, truncated. */
    hooks_open(&c, 80, HOOK_BODIES, 0);
    sends(&c, TS, "POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    c.seq[TS] += 2; /* lost: "de" */
    assert_int_equal(hk.n, 0);
    sends(&c, TS, "fghij"); /* the gap shows with this segment */
    assert_int_equal(hk.n, 1);
    assert_int_equal(hk.ev[0].kind, 'Q');
    assert_string_equal(hk.ev[0].body, "abc");
    assert_true(hk.ev[0].trunc);
    sends(&c, TC, "HTTP/1.0 200 OK\r\n\r\nuntil close");
    assert_int_equal(hk.n, 1);
    conn_close(&c);
    assert_int_equal(hk.n, 2);
    assert_int_equal(hk.ev[1].kind, 'R');
    assert_string_equal(hk.ev[1].body, "until close");
    assert_false(hk.ev[1].trunc);
    assert_string_equal(hk.ev[1].url, "/p");

    /* A Content-Length body cut by the flow end: truncated. */
    hooks_open(&c, 80, HOOK_BODIES, 0);
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    conn_close(&c);
    assert_int_equal(hk.n, 1);
    assert_string_equal(hk.ev[0].body, "short");
    assert_true(hk.ev[0].trunc);

    /* A malformed chunk stops the direction: its hold is dropped, nothing
     * is handed out, no memory stays. */
    hooks_open(&c, 80, HOOK_HEADS | HOOK_BODIES, 0);
    sends(&c, TS, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
    assert_int_equal(hk.n, 1);
    assert_int_equal(hk.ev[0].kind, 'q');
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_HTTP], 1);
    conn_close(&c);
    assert_int_equal(hk.n, 1);
}

/* Hooks that are off keep nothing: the same traffic peaks at the same
 * memory without hooks and with head hooks; body hooks hold head and body
 * while the body is read, and nothing after. */
static void test_hooks_memory(void **state)
{
    (void)state;
    uint64_t peak[3];
    for (int which = 0; which < 3; which++) {
        conn_t c;
        hooks_open(&c, 80, which == 0 ? 0 : which == 1 ? HOOK_HEADS : HOOK_HEADS | HOOK_BODIES, 0);
        sends(&c, TS, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        uint64_t idle_req = mem_used_of(c.al);
        sends(&c, TC, RESP_HEAD);
        sends(&c, TC, "hello");
        if (which == 2) assert_true(mem_used_of(c.al) >= idle_req + strlen(RESP_HEAD) + 5);
        sends(&c, TC, " world");
        assert_int_equal(lg.n_http, 1);
        peak[which] = app_layer_get_stats(c.al)->mem_peak;
        assert_int_equal(hk.n, which == 0 ? 0 : which == 1 ? 2 : 3);
        conn_close(&c);
    }
    assert_int_equal(peak[1], peak[0]);
    assert_true(peak[2] > peak[0]);
}

static void test_hooks_tls(void **state)
{
    (void)state;
    conn_t c;
    hooks_open(&c, 443, HOOK_HEADS, 0);
    uint8_t stream[512];
    size_t n = records(client_hello, sizeof(client_hello), 30, stream);
    seg(&c, TS, stream, n);
    /* The ClientHello goes out at once; the log event waits. */
    assert_int_equal(hk.n, 1);
    assert_int_equal(lg.n_tls, 0);
    assert_int_equal(hk.ev[0].kind, 'c');
    assert_string_equal(hk.ev[0].sni, "example.org");
    assert_string_equal(hk.ev[0].fp, "771,4865-49199,0-10-16-11,29,0");
    assert_string_equal(hk.ev[0].hash, "e1c630bcf3eb477522c8aaa7f448c282");
    n = records(server_hello, sizeof(server_hello), 100, stream);
    memcpy(stream + n, "\x16\x03\x03\x00\x04\x0e\x00\x00\x00", 9); /* ServerHelloDone */
    seg(&c, TC, stream, n + 9);
    assert_int_equal(hk.n, 2);
    assert_int_equal(lg.n_tls, 1);
    assert_int_equal(hk.ev[1].kind, 's');
    assert_string_equal(hk.ev[1].sni, "example.org"); /* the client's, kept */
    assert_string_equal(hk.ev[1].fp, "771,49199,16-65281");
    assert_string_equal(hk.ev[1].hash, "94d15fb85410d46db5a043124cf1b7ad");
    conn_close(&c);
    assert_int_equal(hk.n, 2);
}

/* ---- probing, hints, memcap ---- */

static void test_probe_and_hints(void **state)
{
    (void)state;
    conn_t c;
    /* Neither side looks like ours: nothing is allocated. */
    conn_open(&c, 1 << 20, 22);
    sends(&c, TC, "SSH-2.0-OpenSSH_9.2\r\n");
    sends(&c, TS, "SSH-2.0-PuTTY\r\n");
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n"); /* too late: the first payload decided */
    assert_non_null(c.f.app);
    assert_int_equal(c.f.app_proto, APP_UNKNOWN);
    assert_int_equal(app_layer_get_stats(c.al)->mem_used, 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 0);

    /* nDPI said SMTP: no probing even for HTTP-looking bytes. */
    conn_open(&c, 1 << 20, 25);
    c.f.app_proto = APP_SMTP;
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_null(c.f.app);
    conn_close(&c);
    assert_int_equal(lg.n_http, 0);

    /* nDPI said HTTP: that parser is used (here the server speaks first). */
    conn_open(&c, 1 << 20, 8000);
    c.f.app_proto = APP_HTTP;
    sends(&c, TC, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 1);
    assert_int_equal(lg.http[0].status, 408);
    conn_close(&c);

    /* The server's first bytes decide when the client's did not. */
    conn_open(&c, 1 << 20, 8080);
    sends(&c, TS, "\x01\x02garbage");
    sends(&c, TC, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(c.f.app_proto, APP_HTTP);
    assert_int_equal(lg.n_http, 1);
    conn_close(&c);
}

static void test_memcap(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 100, 80); /* too small for any flow state */
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n");
    sends(&c, TS, "GET /2 HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    const app_layer_stats_t *st = app_layer_get_stats(c.al);
    assert_int_equal(st->memcap_hits, 1); /* counted once per flow */
    assert_int_equal(st->alloc[APP_HTTP], 1);
    assert_int_equal(st->flows[APP_HTTP], 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 0);

    /* Room for the flow state but not for a head buffer: the direction
     * that needs one stops (an error), the request is still logged. */
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET / HTTP/1.1\r\n\r\n");
    size_t state_size = app_layer_get_stats(c.al)->mem_used;
    conn_close(&c);
    conn_open(&c, state_size + 100, 80);
    sends(&c, TS, "GET /ok HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\n"); /* partial head: needs a buffer */
    sends(&c, TC, "Content-Length: 0\r\n\r\n");
    st = app_layer_get_stats(c.al);
    assert_int_equal(st->flows[APP_HTTP], 1);
    assert_int_equal(st->alloc[APP_HTTP], 1);
    assert_int_equal(st->errors[APP_HTTP], 1);
    assert_int_equal(lg.n_http, 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].url, "/ok");
    assert_false(lg.http[0].has_resp);

    /* Measure the state alone and with one queued request. */
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS, "GET /x HTTP/1.1\r\n\r\n");
    size_t queued = app_layer_get_stats(c.al)->mem_used;
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    size_t idle = app_layer_get_stats(c.al)->mem_used;
    conn_close(&c);
    assert_true(idle < queued);

    /* Room for the flow state only: each request is logged at once without
     * its response, and that response is skipped when it comes. */
    conn_open(&c, idle, 80);
    sends(&c, TS, "GET /x HTTP/1.1\r\n\r\n");
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].url, "/x");
    assert_false(lg.http[0].has_resp);
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 1);
    sends(&c, TS, "GET /y HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(lg.n_http, 2);
    assert_string_equal(lg.http[1].url, "/y");
    assert_false(lg.http[1].has_resp);
    st = app_layer_get_stats(c.al);
    assert_int_equal(st->alloc[APP_HTTP], 2);
    assert_int_equal(st->errors[APP_HTTP], 0);
    conn_close(&c);
    assert_int_equal(lg.n_http, 2);

    /* Room for the request, not for the Content-Type of a response that
     * outlives its head's packet: logged without it, marked truncated. */
    conn_open(&c, queued, 80);
    sends(&c, TS, "GET /x HTTP/1.1\r\n\r\n");
    sends(&c, TC, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n");
    sends(&c, TC, "abcd");
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].url, "/x");
    assert_true(lg.http[0].has_resp);
    assert_int_equal(lg.http[0].status, 200);
    assert_int_equal(lg.http[0].length, 4);
    assert_string_equal(lg.http[0].ct, "");
    assert_true(lg.http[0].trunc);
    assert_int_equal(app_layer_get_stats(c.al)->alloc[APP_HTTP], 1);
    conn_close(&c);
}

/* ---- memory per flow ---- */

/* Bounds for the product's 2 KB per flow: the app layer's share must stay
 * small while a transaction is pending and smaller once it is emitted. */
#define MEM_PENDING_MAX 768u
#define MEM_IDLE_MAX    256u

static uint64_t mem_used(const conn_t *c)
{
    return app_layer_get_stats(c->al)->mem_used;
}

static void test_memory_per_flow(void **state)
{
    (void)state;
    conn_t c;
    conn_open(&c, 1 << 20, 80);
    sends(&c, TS,
          "GET /static/js/app.min.js?v=20231101 HTTP/1.1\r\nHost: www.example.com\r\n"
          "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
          "Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
          "Referer: http://www.example.com/index.html\r\nConnection: keep-alive\r\n\r\n");
    uint64_t queued = mem_used(&c);
    assert_true(queued > 0 && queued < MEM_PENDING_MAX);
    /* Response head split in two segments, then half of the body: the head
     * buffer goes once the head is parsed; Content-Type is kept. */
    sends(&c, TC, "HTTP/1.1 200 OK\r\nDate: Tue, 21 Nov 2023 09:00:00 GMT\r\n");
    assert_true(mem_used(&c) > queued); /* the partial head is buffered */
    sends(&c, TC,
          "Server: nginx\r\nContent-Type: application/javascript\r\n"
          "Content-Length: 1000\r\n\r\n");
    uint64_t pending = mem_used(&c);
    assert_true(pending >= queued + 22 && pending < MEM_PENDING_MAX);
    static char body[1000];
    memset(body, 'j', sizeof(body));
    seg(&c, TC, body, 500);
    assert_int_equal(mem_used(&c), pending);
    seg(&c, TC, body + 500, 500);
    assert_int_equal(lg.n_http, 1);
    assert_string_equal(lg.http[0].ct, "application/javascript");
    assert_string_equal(lg.http[0].ua,
                        "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0");
    assert_int_equal(lg.http[0].length, 1000);
    uint64_t idle = mem_used(&c);
    assert_true(idle > 0 && idle < MEM_IDLE_MAX);
    /* A response whose body ends in its head's packet copies nothing. */
    sends(&c, TS, "GET /favicon.ico HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
    sends(&c, TC,
          "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
          "Content-Length: 5\r\n\r\nnope.");
    assert_int_equal(lg.n_http, 2);
    assert_string_equal(lg.http[1].ct, "text/html");
    assert_int_equal(mem_used(&c), idle);
    assert_true(app_layer_get_stats(c.al)->mem_peak < MEM_PENDING_MAX + 1024);
    conn_close(&c);

    /* TLS: the ClientHello's fields are kept until the server's handshake
     * messages are over (here a ServerHelloDone, no Certificate); then the
     * flow holds nothing and later records are not parsed. */
    conn_open(&c, 1 << 20, 443);
    uint8_t stream[256];
    size_t n = records(client_hello, sizeof(client_hello), 200, stream);
    seg(&c, TS, stream, 60); /* the hello spans two segments */
    assert_true(mem_used(&c) > 0);
    seg(&c, TS, stream + 60, n - 60);
    assert_true(mem_used(&c) > 0 && mem_used(&c) < MEM_IDLE_MAX + 64);
    n = records(server_hello, sizeof(server_hello), 200, stream);
    seg(&c, TC, stream, n);
    assert_int_equal(lg.n_tls, 0);
    /* no Certificate after all */
    seg(&c, TC, "\x16\x03\x03\x00\x04\x0e\x00\x00\x00", 9); /* ServerHelloDone */
    assert_int_equal(lg.n_tls, 1);
    assert_int_equal(mem_used(&c), 0);
    sends(&c, TS, "\x17\x03\x03\x00\x02zz");
    sends(&c, TC, "\x17\x03\x03\x00\x02zz");
    assert_int_equal(mem_used(&c), 0);
    assert_int_equal(app_layer_get_stats(c.al)->flows[APP_TLS], 1);
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_TLS], 0);
    conn_close(&c);
    assert_int_equal(lg.n_tls, 1);

    /* DNS over TCP: a message split across segments is buffered only until
     * it is whole. Query for "x" A IN, 19 bytes after the length. */
    conn_open(&c, 1 << 20, 53);
    const uint8_t q[] = {0x00, 19, 0x12, 0x34, 0x01, 0x00, 0,    1,    0,    0,   0,
                         0,    0,  0,    0x01, 'x',  0x00, 0x00, 0x01, 0x00, 0x01};
    seg(&c, TS, q, sizeof(q));
    assert_int_equal(lg.n_dns, 1);
    uint64_t dns_idle = mem_used(&c);
    assert_true(dns_idle > 0 && dns_idle < MEM_IDLE_MAX);
    seg(&c, TS, q, 9);
    assert_true(mem_used(&c) > dns_idle);
    seg(&c, TS, q + 9, sizeof(q) - 9);
    assert_int_equal(lg.n_dns, 2);
    assert_int_equal(mem_used(&c), dns_idle);
    conn_close(&c);
}

static void test_udp_dns_and_names(void **state)
{
    (void)state;
    memset(&lg, 0, sizeof(lg));
    app_event_sink_t sink = {.dns = on_dns, .ud = &lg};
    app_layer_t *al = app_layer_new(1 << 20, &sink);
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 17;
    f.key.port[0] = 5353;
    f.key.port[1] = 5353; /* not port 53: not probed */
    const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0,    1,    0,    0,    0,   0,
                         0,    0,    0x01, 'x',  0x00, 0x00, 0x01, 0x00, 0x01};
    packet_t p;
    memset(&p, 0, sizeof(p));
    p.payload = q;
    p.payload_len = sizeof(q);
    app_layer_packet(al, &f, DIR_TOSERVER, &p);
    assert_int_equal(lg.n_dns, 0);
    app_layer_flow_end(al, &f);
    f.app_proto = APP_DNS; /* ... unless nDPI says so */
    app_layer_packet(al, &f, DIR_TOSERVER, &p);
    assert_int_equal(lg.n_dns, 1);
    app_layer_flow_end(al, &f);
    app_layer_free(al);

    assert_string_equal(app_proto_name(APP_HTTP), "http");
    assert_string_equal(app_proto_name(APP_FTP_DATA), "ftp-data");
    assert_string_equal(app_proto_name(APP_DNP3), "dnp3");
    assert_string_equal(app_proto_name(APP_PGSQL), "pgsql");
    assert_string_equal(app_proto_name(APP_FAILED), "failed");
    assert_null(app_proto_name(APP_UNKNOWN));
    assert_null(app_proto_name(APP_PROTO_COUNT));
    for (int i = 1; i < APP_PROTO_COUNT; i++)
        assert_non_null(app_proto_name((app_proto_t)i));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_pipelined),
        cmocka_unit_test(test_http_split_every_offset),
        cmocka_unit_test(test_http_interim_and_304),
        cmocka_unit_test(test_http_retransmission),
        cmocka_unit_test(test_http_gaps),
        cmocka_unit_test(test_http_flow_end),
        cmocka_unit_test(test_http_connect_tunnel),
        cmocka_unit_test(test_http_bounds),
        cmocka_unit_test(test_http_queue_behind_current),
        cmocka_unit_test(test_tls_hellos_across_segments),
        cmocka_unit_test(test_tls_client_only_and_errors),
        cmocka_unit_test(test_hooks_http_heads_and_bodies),
        cmocka_unit_test(test_hooks_body_limit_and_cuts),
        cmocka_unit_test(test_hooks_memory),
        cmocka_unit_test(test_hooks_tls),
        cmocka_unit_test(test_probe_and_hints),
        cmocka_unit_test(test_memcap),
        cmocka_unit_test(test_memory_per_flow),
        cmocka_unit_test(test_udp_dns_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
