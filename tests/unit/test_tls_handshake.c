/* test_tls_handshake.c -- the TLS app layer past the hellos: the server's
 * Certificate gathered across records and segments (split at every byte),
 * bounded (a chain over TLS_MAX_CERT_MSG is cut, more than TLS_MAX_CERTS
 * certificates dropped), the stops (TLS 1.3, resumption, ServerHelloDone,
 * errors, gaps, memcap), the hooks, the log event and
 * app_layer_tls_version().
 *
 * Messages are built by hand (RFC 5246 7.4): a ClientHello and ServerHello
 * without extensions (legacy version 0x0303), a TLS 1.3 ServerHello with
 * supported_versions 0x0304, the Certificate holding
 * tests/data/tls/leaf.der then ca.der, whose subject Suricata prints as
 * LEAF_SUBJECT (see test_tls_cert.c and tests/data/tls/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_layer.h"

static const char LEAF_SUBJECT[] = "C=VN, ST=Can Tho, L=C\xe1\xba\xa7n Th\xc6\xa1, O=Example Inc, "
                                   "OU=Ops + OU=Web, CN=www.example.com, Email=admin@example.com";

/* ---- what the app layer hands out ---- */

typedef struct hook_ev {
    char kind;        /* 'c' ClientHello, 's' ServerHello, 'C' Certificate */
    uint16_t version; /* app_layer_tls_version() during the hook */
    uint32_t ncerts;
    bool truncated, has_cert;
    uint32_t der0_len;
    char subject[TLS_CERT_NAME_MAX];
} hook_ev_t;

static struct {
    hook_ev_t ev[8];
    int n;
    int n_log;
    uint16_t log_version;
    char log_subject[TLS_CERT_NAME_MAX]; /* "" without a certificate */
    bool log_ja3, log_ja3s;
} rec;

static void push(char kind, flow_t *f, const tls_info_t *t)
{
    assert_true(rec.n < 8);
    hook_ev_t *e = &rec.ev[rec.n++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->version = app_layer_tls_version(f);
    if (t->certs) {
        e->ncerts = t->certs->n;
        e->truncated = t->certs->truncated;
        e->der0_len = t->certs->n ? t->certs->der[0].len : 0;
    }
    if (t->cert) {
        e->has_cert = true;
        snprintf(e->subject, sizeof(e->subject), "%s", t->cert->subject);
    }
}

static void on_ch(void *ud, flow_t *f, const tls_client_hello_t *ch, const tls_info_t *t)
{
    (void)ud, (void)ch;
    push('c', f, t);
}

static void on_sh(void *ud, flow_t *f, const tls_server_hello_t *sh, const tls_info_t *t)
{
    (void)ud, (void)sh;
    push('s', f, t);
}

static void on_cert(void *ud, flow_t *f, const tls_info_t *t)
{
    (void)ud;
    push('C', f, t);
}

static void on_tls(void *ud, const flow_t *f, const tls_info_t *t)
{
    (void)ud, (void)f;
    rec.n_log++;
    rec.log_version = t->version;
    rec.log_ja3 = t->has_ja3;
    rec.log_ja3s = t->has_ja3s;
    snprintf(rec.log_subject, sizeof(rec.log_subject), "%s", t->cert ? t->cert->subject : "");
}

/* The hooks' kinds in order, as "csC". */
static const char *kinds(void)
{
    static char s[9];
    for (int i = 0; i < rec.n; i++)
        s[i] = rec.ev[i].kind;
    s[rec.n] = '\0';
    return s;
}

/* ---- a TCP flow to port 443 ---- */

typedef struct conn {
    app_layer_t *al;
    flow_t f;
    uint32_t seq[2];
} conn_t;

static void conn_open(conn_t *c, size_t memcap)
{
    memset(c, 0, sizeof(*c));
    memset(&rec, 0, sizeof(rec));
    app_event_sink_t sink = {.tls = on_tls,
                             .tls_client_hello = on_ch,
                             .tls_server_hello = on_sh,
                             .tls_certificate = on_cert};
    c->al = app_layer_new(memcap, &sink);
    assert_non_null(c->al);
    c->f.key.proto = 6;
    c->f.key.ip_version = 4;
    c->f.key.port[0] = 50000;
    c->f.key.port[1] = 443;
    c->seq[0] = 1000;
    c->seq[1] = 90000;
}

static void seg(conn_t *c, int dir, const uint8_t *p, size_t n)
{
    packet_t pk;
    memset(&pk, 0, sizeof(pk));
    pk.tcp_seq = c->seq[dir];
    pk.tcp_flags = TH_ACK;
    pk.payload = p;
    pk.payload_len = (uint32_t)n;
    c->seq[dir] += (uint32_t)n;
    app_layer_packet(c->al, &c->f, dir, &pk);
}

static uint64_t mem_used(const conn_t *c)
{
    return app_layer_get_stats(c->al)->mem_used;
}

static void conn_close(conn_t *c)
{
    app_layer_flow_end(c->al, &c->f);
    assert_int_equal(mem_used(c), 0);
    app_layer_free(c->al);
}

/* ---- messages ---- */

static size_t put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16), p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)v;
    return 3;
}

/* Handshake bytes wrapped in records of at most chunk bytes. */
static size_t records(const uint8_t *hs, size_t n, size_t chunk, uint8_t *out)
{
    size_t o = 0;
    while (n > 0) {
        size_t k = n < chunk ? n : chunk;
        const uint8_t h[5] = {0x16, 0x03, 0x03, (uint8_t)(k >> 8), (uint8_t)k};
        memcpy(out + o, h, 5);
        memcpy(out + o + 5, hs, k);
        o += 5 + k;
        hs += k;
        n -= k;
    }
    return o;
}

/* ClientHello: version 0x0303, zero random, no session id, one cipher
 * 0xc02b, null compression, no extensions: body 2 + 32 + 1 + 4 + 2. */
static size_t client_hello(uint8_t *out)
{
    uint8_t m[4 + 41] = {0x01, 0x00, 0x00, 41, 0x03, 0x03};
    memcpy(m + 4 + 34, "\x00\x00\x02\xc0\x2b\x01\x00", 7);
    return records(m, sizeof(m), 16384, out);
}

/* ServerHello 0x0303, cipher 0xc02b; tls13 adds supported_versions 0x0304. */
static size_t server_hello(uint8_t *out, bool tls13)
{
    size_t body = 2 + 32 + 1 + 2 + 1 + (tls13 ? 8 : 0);
    out[0] = 0x02;
    put24(out + 1, body);
    memset(out + 4, 0x22, body);
    memcpy(out + 4, "\x03\x03", 2);
    memcpy(out + 4 + 34, "\x00\xc0\x2b\x00", 4);
    if (tls13) memcpy(out + 4 + 38, "\x00\x06\x00\x2b\x00\x02\x03\x04", 8);
    return 4 + body;
}

static uint8_t *load(const char *name, size_t *len)
{
    char path[600];
    const char *src = getenv("SOC_SOURCE_DIR");
    if (src)
        snprintf(path, sizeof(path), "%s/tests/data/tls/%s", src, name);
    else
        snprintf(path, sizeof(path), "%.*stests/data/tls/%s",
                 (int)(strstr(__FILE__, "tests/unit/") - __FILE__), __FILE__, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t tmp[8192];
    *len = fread(tmp, 1, sizeof(tmp), f);
    fclose(f);
    uint8_t *p = malloc(*len);
    assert_non_null(p);
    memcpy(p, tmp, *len);
    return p;
}

/* A Certificate message of the given DER certificates. */
static size_t certificate(uint8_t *out, const uint8_t *const *der, const size_t *len, int n)
{
    size_t list = 0;
    for (int i = 0; i < n; i++)
        list += 3 + len[i];
    out[0] = 0x0b;
    put24(out + 1, list + 3);
    put24(out + 4, list);
    size_t o = 7;
    for (int i = 0; i < n; i++) {
        o += put24(out + o, len[i]);
        memcpy(out + o, der[i], len[i]);
        o += len[i];
    }
    return o;
}

static const uint8_t shd[4] = {0x0e, 0x00, 0x00, 0x00}; /* ServerHelloDone */

/* The server's flight ServerHello, Certificate (leaf, ca), ServerHelloDone
 * as handshake bytes. */
static size_t flight(uint8_t *out)
{
    size_t ln, cn;
    uint8_t *leaf = load("leaf.der", &ln), *ca = load("ca.der", &cn);
    const uint8_t *der[2] = {leaf, ca};
    size_t len[2] = {ln, cn};
    size_t o = server_hello(out, false);
    o += certificate(out + o, der, len, 2);
    memcpy(out + o, shd, 4);
    free(leaf);
    free(ca);
    return o + 4;
}

static void check_full_handshake(const conn_t *c)
{
    assert_string_equal(kinds(), "csC");
    assert_int_equal(rec.ev[0].version, 0x0303); /* the ClientHello's */
    assert_int_equal(rec.ev[1].version, 0x0303); /* negotiated */
    assert_int_equal(rec.ev[2].version, 0x0303);
    assert_int_equal(rec.ev[2].ncerts, 2);
    assert_false(rec.ev[2].truncated);
    assert_int_equal(rec.ev[2].der0_len, 575);
    assert_true(rec.ev[2].has_cert);
    assert_string_equal(rec.ev[2].subject, LEAF_SUBJECT);
    assert_int_equal(rec.n_log, 1);
    assert_string_equal(rec.log_subject, LEAF_SUBJECT);
    assert_true(rec.log_ja3 && rec.log_ja3s);
    assert_int_equal(rec.log_version, 0x0303);
    assert_int_equal(app_layer_tls_version(&c->f), 0); /* outside the hooks */
    assert_int_equal(mem_used(c), 0);                  /* done: state freed */
}

/* ---- tests ---- */

static void test_flight_split_everywhere(void **state)
{
    (void)state;
    static uint8_t hs[4096], ch[256], st[4096];
    size_t chn = client_hello(ch);
    size_t n = records(hs, flight(hs), 16384, st); /* one record */
    for (size_t i = 1; i < n; i++) {
        conn_t c;
        conn_open(&c, 1 << 20);
        seg(&c, DIR_TOSERVER, ch, chn);
        seg(&c, DIR_TOCLIENT, st, i);
        assert_int_equal(rec.n_log, i >= n - 4 ? 1 : 0); /* the Certificate ends 4 before */
        seg(&c, DIR_TOCLIENT, st + i, n - i);
        check_full_handshake(&c);
        /* Encrypted records afterwards are not looked at. */
        seg(&c, DIR_TOCLIENT, (const uint8_t *)"\x17\x03\x03\x00\x02zz", 7);
        assert_int_equal(rec.n_log, 1);
        conn_close(&c);
        assert_int_equal(rec.n_log, 1);
    }
}

static void test_flight_tiny_records(void **state)
{
    (void)state;
    static uint8_t hs[4096], ch[256], st[16384];
    size_t chn = client_hello(ch), hn = flight(hs);
    /* Records of 1..9 handshake bytes, segments of 1..13 bytes. */
    for (size_t chunk = 1; chunk <= 9; chunk++) {
        size_t n = records(hs, hn, chunk, st);
        for (size_t step = 1; step <= 13; step += 4) {
            conn_t c;
            conn_open(&c, 1 << 20);
            seg(&c, DIR_TOSERVER, ch, chn);
            for (size_t off = 0; off < n; off += step)
                seg(&c, DIR_TOCLIENT, st + off, n - off < step ? n - off : step);
            check_full_handshake(&c);
            conn_close(&c);
        }
    }
}

static void test_stops_without_certificate(void **state)
{
    (void)state;
    uint8_t ch[256], sh[128], st[512];
    size_t chn = client_hello(ch);
    conn_t c;

    /* TLS 1.3: the Certificate would be encrypted; done at the ServerHello. */
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    size_t n = records(sh, server_hello(sh, true), 16384, st);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_string_equal(kinds(), "cs");
    assert_int_equal(rec.ev[1].version, 0x0304);
    assert_int_equal(rec.n_log, 1);
    assert_int_equal(rec.log_version, 0x0304);
    assert_int_equal(mem_used(&c), 0);
    conn_close(&c);

    /* Resumed TLS 1.2 session: ServerHello, ChangeCipherSpec. */
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    n = records(sh, server_hello(sh, false), 16384, st);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_int_equal(rec.n_log, 0); /* a Certificate may still come */
    assert_true(mem_used(&c) > 0);
    seg(&c, DIR_TOCLIENT, (const uint8_t *)"\x14\x03\x03\x00\x01\x01", 6);
    assert_string_equal(kinds(), "cs");
    assert_int_equal(rec.n_log, 1);
    assert_string_equal(rec.log_subject, "");
    assert_int_equal(mem_used(&c), 0);
    conn_close(&c);

    /* Anonymous key exchange: ServerHello, ServerHelloDone in one record. */
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    size_t m = server_hello(sh, false);
    memcpy(sh + m, shd, 4);
    n = records(sh, m + 4, 16384, st);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_string_equal(kinds(), "cs");
    assert_int_equal(rec.n_log, 1);
    conn_close(&c);

    /* Flow end after the ServerHello: the event then, server fields in. */
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    n = records(sh, server_hello(sh, false), 16384, st);
    seg(&c, DIR_TOCLIENT, st, n);
    conn_close(&c);
    assert_int_equal(rec.n_log, 1);
    assert_int_equal(rec.log_version, 0x0303);
    assert_true(rec.log_ja3s);

    /* A server that opens with something else than a ServerHello. */
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    n = records(shd, 4, 16384, st);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_TLS], 1);
    assert_int_equal(rec.n_log, 1); /* the client's fields */
    assert_false(rec.log_ja3s);
    conn_close(&c);
}

static void test_chain_bounds(void **state)
{
    (void)state;
    static uint8_t hs[200000], st[220000], big[70000];
    uint8_t ch[256];
    size_t chn = client_hello(ch), ln;
    uint8_t *leaf = load("leaf.der", &ln);
    memset(big, 0x41, sizeof(big));

    /* leaf + 70000 bytes: the message is cut at TLS_MAX_CERT_MSG, the leaf
     * is whole, the rest of the chain is dropped. */
    const uint8_t *der[2] = {leaf, big};
    size_t len[2] = {ln, sizeof(big)};
    size_t o = server_hello(hs, false);
    o += certificate(hs + o, der, len, 2);
    assert_true(o - 42 > TLS_HS_HEADER_LEN + TLS_MAX_CERT_MSG);
    memcpy(hs + o, shd, 4);
    size_t n = records(hs, o + 4, 16384, st);
    conn_t c;
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    for (size_t off = 0; off < n; off += 1460)
        seg(&c, DIR_TOCLIENT, st + off, n - off < 1460 ? n - off : 1460);
    assert_string_equal(kinds(), "csC");
    assert_int_equal(rec.ev[2].ncerts, 1);
    assert_true(rec.ev[2].truncated);
    assert_string_equal(rec.ev[2].subject, LEAF_SUBJECT);
    const app_layer_stats_t *s = app_layer_get_stats(c.al);
    assert_int_equal(s->tls_cert_truncated, 1);
    assert_int_equal(s->errors[APP_TLS], 0);
    /* the buffer took the bound once (plus the flow's small state) */
    assert_true(s->mem_peak < TLS_HS_HEADER_LEN + TLS_MAX_CERT_MSG + 2048);
    assert_int_equal(mem_used(&c), 0);
    conn_close(&c);

    /* Twenty certificates: the first TLS_MAX_CERTS are kept. */
    const uint8_t *many[20];
    size_t mlen[20];
    for (int i = 0; i < 20; i++)
        many[i] = leaf, mlen[i] = ln;
    o = server_hello(hs, false);
    o += certificate(hs + o, many, mlen, 20);
    n = records(hs, o, 16384, st);
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_string_equal(kinds(), "csC");
    assert_int_equal(rec.ev[2].ncerts, TLS_MAX_CERTS);
    assert_true(rec.ev[2].truncated);
    conn_close(&c);

    /* The memcap refuses the Certificate's buffer: given up, counted, the
     * event still goes out with the hellos' fields. */
    o = server_hello(hs, false);
    o += certificate(hs + o, der, len, 2);
    n = records(hs, o, 16384, st);
    conn_open(&c, 4096);
    seg(&c, DIR_TOSERVER, ch, chn);
    seg(&c, DIR_TOCLIENT, st, 200); /* the ServerHello and a piece of the Certificate */
    seg(&c, DIR_TOCLIENT, st + 200, n - 200);
    assert_string_equal(kinds(), "cs");
    assert_int_equal(rec.n_log, 1);
    assert_true(app_layer_get_stats(c.al)->alloc[APP_TLS] >= 1);
    assert_int_equal(mem_used(&c), 0);
    conn_close(&c);
    free(leaf);
}

static void test_bad_certificates(void **state)
{
    (void)state;
    static uint8_t hs[4096], st[4096];
    uint8_t ch[256];
    size_t chn = client_hello(ch);
    conn_t c;

    /* A leaf that is not DER: the chain is there, its fields are not. */
    const uint8_t *junk[1] = {(const uint8_t *)"not a certificate"};
    size_t jlen[1] = {17};
    size_t o = server_hello(hs, false);
    o += certificate(hs + o, junk, jlen, 1);
    size_t n = records(hs, o, 16384, st);
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_string_equal(kinds(), "csC");
    assert_int_equal(rec.ev[2].ncerts, 1);
    assert_false(rec.ev[2].has_cert);
    assert_int_equal(app_layer_get_stats(c.al)->tls_cert_invalid, 1);
    assert_int_equal(rec.n_log, 1);
    assert_string_equal(rec.log_subject, "");
    conn_close(&c);

    /* A broken Certificate message: a parse error, no hook, the event. */
    o = server_hello(hs, false);
    size_t m = certificate(hs + o, junk, jlen, 1);
    hs[o + 6] ^= 1; /* list length off by one */
    n = records(hs, o + m, 16384, st);
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    seg(&c, DIR_TOCLIENT, st, n);
    assert_string_equal(kinds(), "cs");
    assert_int_equal(app_layer_get_stats(c.al)->errors[APP_TLS], 1);
    assert_int_equal(rec.n_log, 1);
    conn_close(&c);

    /* A gap inside the Certificate: it is lost; the next record starting a
     * packet (ServerHelloDone) ends the handshake without it. */
    n = records(hs, flight(hs), 16384, st);
    conn_open(&c, 1 << 20);
    seg(&c, DIR_TOSERVER, ch, chn);
    seg(&c, DIR_TOCLIENT, st, 300);
    c.seq[DIR_TOCLIENT] += 100; /* 100 bytes never seen */
    seg(&c, DIR_TOCLIENT, st + 400, 200);
    uint8_t tail[16];
    seg(&c, DIR_TOCLIENT, tail, records(shd, 4, 16, tail));
    assert_string_equal(kinds(), "cs");
    assert_int_equal(rec.n_log, 1);
    assert_string_equal(rec.log_subject, "");
    assert_int_equal(mem_used(&c), 0);
    conn_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flight_split_everywhere),
        cmocka_unit_test(test_flight_tiny_records),
        cmocka_unit_test(test_stops_without_certificate),
        cmocka_unit_test(test_chain_bounds),
        cmocka_unit_test(test_bad_certificates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
