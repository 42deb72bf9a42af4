/* test_detect_tls.c -- the TLS certificate keywords and tls.version in the
 * signature engine: parsing (sticky buffers, the legacy tls.subject /
 * tls.issuerdn / tls.fingerprint options), the tls.certs multi-buffer in
 * match_buffer, and whole handshakes through the app layer's hooks wired to
 * sensor_detect as the pipeline wires them, alerts read back from EVE.
 *
 * The server certificates are tests/data/tls/leaf.der and ca.der; their
 * strings (openssl's, converted by hand: tests/data/tls/README.md):
 *   leaf subject  C=VN, ST=Can Tho, L=Cần Thơ, O=Example Inc,
 *                 OU=Ops + OU=Web, CN=www.example.com, Email=admin@example.com
 *   issuer        C=VN, O=SOC Test, CN=SOC Test Root CA (37 bytes)
 *   serial        00:E1:A2:B3:C4:D5:E6:F7:08 (26 bytes)
 *   fingerprint   03:b9:95:cc:51:13:2d:ef:41:4b:13:b4:32:63:01:4b:8a:38:9d:fd
 * leaf.der is 575 bytes, ca.der 411; only ca.der holds "340301000000Z"
 * (its notAfter, 2034) and it comes after its subject "SOC Test Root CA";
 * both hold "SOC Test Root CA"; only the leaf holds "Example Inc". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/app_layer.h"
#include "detect/match.h"
#include "detect/rule_set.h"
#include "output/eve.h"
#include "pipeline/sensor_detect.h"

/* ---- parsing and the multi-buffer ---- */

static rule_set_t *load(const char *text)
{
    rule_set_opts_t o = {.pcre_jit = false};
    rule_set_t *rs = rule_set_new(&o);
    assert_non_null(rs);
    assert_true(rule_set_load_buffer(rs, "t.rules", text, strlen(text)) >= 0);
    return rs;
}

static void test_keywords_parse(void **state)
{
    (void)state;
    rule_set_t *rs =
        load("alert tls any any -> any any (tls.cert_subject; content:\"a\"; tls_cert_issuer; "
             "content:\"b\"; tls.cert_serial; content:\"c\"; tls_cert_fingerprint; content:\"d\"; "
             "tls.certs; content:\"e\"; sid:1;)\n"
             /* a legacy option between a sticky buffer and its next content */
             "alert tls any any -> any any (tls.sni; content:\"x\"; tls.subject:\"CN=y\"; "
             "content:\"z\"; distance:0; tls.issuerdn:!\"Evil CA\"; sid:2;)\n"
             "alert tcp any any -> any any (tls.fingerprint:\"ab:cd\"; tls.version:ssl3; sid:3;)\n"
             /* certificates come from the server */
             "alert tls any any -> any any (flow:to_server; tls.cert_subject; content:\"a\"; "
             "sid:4;)\n"
             "alert dns any any -> any any (tls.subject:\"x\"; sid:5;)\n"
             "alert tls any any -> any any (tls.subject:\"\"; sid:6;)\n");
    assert_int_equal(rule_set_count(rs), 3);
    const rule_t *r = rule_set_rule(rs, 0);
    assert_int_equal(r->n_bufs, 5);
    assert_int_equal(r->bufs[0].id, RULE_BUF_TLS_CERT_SUBJECT);
    assert_int_equal(r->bufs[1].id, RULE_BUF_TLS_CERT_ISSUER);
    assert_int_equal(r->bufs[2].id, RULE_BUF_TLS_CERT_SERIAL);
    assert_int_equal(r->bufs[3].id, RULE_BUF_TLS_CERT_FINGERPRINT);
    assert_int_equal(r->bufs[4].id, RULE_BUF_TLS_CERTS);
    assert_true(rule_buf_multi(RULE_BUF_TLS_CERTS));
    assert_false(rule_buf_multi(RULE_BUF_TLS_CERT_SUBJECT));
    assert_string_equal(rule_buf_info(RULE_BUF_TLS_CERTS)->name, "tls.certs");

    r = rule_set_rule(rs, 1);
    assert_int_equal(r->n_bufs, 3);
    assert_int_equal(r->bufs[0].id, RULE_BUF_TLS_SNI); /* x, then z relative to x */
    assert_int_equal(r->bufs[0].n_items, 2);
    assert_int_equal(r->bufs[0].items[1].u.content.flags & RULE_CT_RELATIVE, RULE_CT_RELATIVE);
    assert_int_equal(r->bufs[1].id, RULE_BUF_TLS_CERT_SUBJECT);
    assert_memory_equal(r->bufs[1].items[0].u.content.pat, "CN=y", 4);
    assert_int_equal(r->bufs[1].items[0].u.content.flags, 0);
    assert_int_equal(r->bufs[2].id, RULE_BUF_TLS_CERT_ISSUER);
    assert_memory_equal(r->bufs[2].items[0].u.content.pat, "Evil CA", 7);
    assert_int_equal(r->bufs[2].items[0].u.content.flags, RULE_CT_NEGATED);

    r = rule_set_rule(rs, 2);
    assert_int_equal(r->app, APP_TLS);
    assert_int_equal(r->tls_version, 0x0300);
    assert_int_equal(r->bufs[0].id, RULE_BUF_TLS_CERT_FINGERPRINT);
    assert_int_equal(rule_set_stats(rs)->skipped, 3);
    rule_set_free(rs);
}

static void test_multi_buffer(void **state)
{
    (void)state;
    rule_set_t *rs = load(
        "alert tls any any -> any any (tls.certs; content:\"ab\"; content:\"cd\"; sid:1;)\n"
        "alert tls any any -> any any (tls.certs; bsize:3; content:\"xy\"; startswith; sid:2;)\n"
        "alert tls any any -> any any (tls.certs; content:!\"ab\"; sid:3;)\n");
    match_scratch_t *ms = match_scratch_new();
    assert_non_null(ms);
    const rule_buffer_t *both = &rule_set_rule(rs, 0)->bufs[0];
    const rule_buffer_t *xy3 = &rule_set_rule(rs, 1)->bufs[0];
    const rule_buffer_t *not_ab = &rule_set_rule(rs, 2)->bufs[0];
    /* "ab" alone, "cd" alone: no element holds both. */
    const uint8_t split[] = {0, 0, 2, 'a', 'b', 0, 0, 2, 'c', 'd'};
    assert_false(match_buffer(both, split, sizeof(split), ms));
    assert_true(match_buffer(not_ab, split, sizeof(split), ms)); /* "cd" lacks ab */
    /* The second element holds both; cursors do not leak across elements. */
    const uint8_t second[] = {0, 0, 1, 'a', 0, 0, 5, 'a', 'b', '-', 'c', 'd'};
    assert_true(match_buffer(both, second, sizeof(second), ms));
    assert_false(match_buffer(not_ab, (const uint8_t *)"\0\0\2ab", 5, ms));
    /* bsize and startswith per element. */
    const uint8_t sizes[] = {0, 0, 4, 'x', 'y', 'z', 'w', 0, 0, 3, 'x', 'y', 'z'};
    assert_true(match_buffer(xy3, sizes, sizeof(sizes), ms));
    assert_false(match_buffer(xy3, sizes, 7, ms)); /* first element only: 4 bytes */
    /* A broken list: an element longer than the rest ends it; no element,
     * no match (not even for a negated content). */
    const uint8_t broken[] = {0, 0, 9, 'a', 'b', 'c', 'd'};
    assert_false(match_buffer(both, broken, sizeof(broken), ms));
    assert_false(match_buffer(not_ab, (const uint8_t *)"", 0, ms));
    assert_false(match_buffer(not_ab, (const uint8_t *)"\0\0", 2, ms));
    const uint8_t after_good[] = {0, 0, 2, 'x', 'x', 0, 0, 7, 'a', 'b', 'c', 'd'};
    assert_false(match_buffer(both, after_good, sizeof(after_good), ms));
    assert_true(match_buffer(not_ab, after_good, sizeof(after_good), ms));
    match_scratch_free(ms);
    rule_set_free(rs);
}

/* ---- handshakes through the app layer and sensor_detect ---- */

static const char RULES[] =
    "alert tls any any -> any any (msg:\"subject\"; flow:established,to_client; "
    "tls.cert_subject; content:\"CN=www.example.com\"; sid:1;)\n"
    "alert tls any any -> any any (msg:\"subject legacy name\"; tls_cert_subject; "
    "content:\"O=Example Inc, OU=Ops + OU=Web,\"; sid:2;)\n"
    "alert tls any any -> any any (msg:\"issuer\"; tls.cert_issuer; "
    "content:\"CN=SOC Test Root CA\"; endswith; bsize:37; sid:3;)\n"
    "alert tls any any -> any any (msg:\"issuer legacy\"; tls_cert_issuer; content:\"C=VN\"; "
    "startswith; sid:4;)\n"
    "alert tls any any -> any any (msg:\"serial\"; tls.cert_serial; "
    "content:\"00:E1:A2:B3:C4:D5:E6:F7:08\"; bsize:26; sid:5;)\n"
    "alert tls any any -> any any (msg:\"serial nocase\"; tls_cert_serial; content:\"e1:a2\"; "
    "nocase; sid:6;)\n"
    "alert tls any any -> any any (msg:\"fingerprint\"; tls.cert_fingerprint; "
    "content:\"03:b9:95:cc\"; startswith; bsize:59; sid:7;)\n"
    "alert tls any any -> any any (msg:\"fingerprint upper\"; tls_cert_fingerprint; "
    "content:\"03:B9\"; sid:8;)\n"
    "alert tls any any -> any any (msg:\"certs both\"; tls.certs; "
    "content:\"SOC Test Root CA\"; sid:9;)\n"
    "alert tls any any -> any any (msg:\"certs split\"; tls.certs; content:\"Example Inc\"; "
    "content:\"340301000000Z\"; sid:10;)\n"
    "alert tls any any -> any any (msg:\"certs ca\"; tls.certs; content:\"SOC Test Root CA\"; "
    "content:\"340301000000Z\"; distance:0; sid:11;)\n"
    "alert tls any any -> any any (msg:\"certs leaf size\"; tls.certs; content:\"|30 82|\"; "
    "startswith; bsize:575; sid:12;)\n"
    "alert tls any any -> any any (msg:\"subject option\"; tls.subject:\"CN=www.example.com\"; "
    "sid:13;)\n"
    "alert tls any any -> any any (msg:\"subject option negated\"; "
    "tls.subject:!\"CN=www.example.com\"; sid:14;)\n"
    "alert tls any any -> any any (msg:\"issuerdn option\"; tls.issuerdn:\"SOC Test\"; "
    "sid:15;)\n"
    "alert tls any any -> any any (msg:\"fingerprint option\"; "
    "tls.fingerprint:\"03:b9:95:cc:51:13:2d:ef:41:4b:13:b4:32:63:01:4b:8a:38:9d:fd\"; "
    "sid:16;)\n"
    "alert tls any any -> any any (msg:\"1.2 cert\"; tls.version:1.2; tls.cert_subject; "
    "content:\"CN=\"; sid:17;)\n"
    "alert tls any any -> any any (msg:\"1.3 cert\"; tls.version:1.3; tls.cert_subject; "
    "content:\"CN=\"; sid:18;)\n"
    "alert tls any any -> any any (msg:\"not 1.3 sni\"; tls.version:!1.3; tls.sni; "
    "content:\"www.example.com\"; sid:19;)\n"
    "alert tls any any -> any any (msg:\"1.2 ja3s\"; tls.version:0x0303; ja3s.string; "
    "content:\"771,49195\"; startswith; sid:20;)\n"
    "alert tls any any -> any any (msg:\"1.3 ja3s\"; tls.version:1.3; ja3s.string; "
    "content:\"771,4865\"; startswith; sid:21;)\n"
    "alert tls any any -> any any (msg:\"sni\"; tls.sni; content:\"www.example.com\"; "
    "sid:22;)\n"
    "alert tls any any -> any any (msg:\"other subject\"; tls.cert_subject; "
    "content:\"Let's Encrypt\"; sid:23;)\n";

typedef struct rig {
    char dir[64], rules[96], eve_path[96];
    eve_t *eve;
    sensor_detect_t *det;
    app_layer_t *al;
    const packet_t *cur_p;
    flow_t f;
    uint32_t seq[2];
    int64_t ts;
} rig_t;

static void on_ch(void *ud, flow_t *f, const tls_client_hello_t *ch, const tls_info_t *t)
{
    rig_t *r = ud;
    (void)ch;
    sensor_detect_tls(r->det, f, DIR_TOSERVER, r->cur_p, t);
}

static void on_sh(void *ud, flow_t *f, const tls_server_hello_t *sh, const tls_info_t *t)
{
    rig_t *r = ud;
    (void)sh;
    sensor_detect_tls(r->det, f, DIR_TOCLIENT, r->cur_p, t);
}

/* The wiring the pipeline needs for the certificate keywords. */
static void on_cert(void *ud, flow_t *f, const tls_info_t *t)
{
    rig_t *r = ud;
    sensor_detect_tls(r->det, f, DIR_TOCLIENT, r->cur_p, t);
}

static void rig_open(rig_t *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_detect_tls.XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->rules, sizeof(r->rules), "%s/t.rules", r->dir);
    snprintf(r->eve_path, sizeof(r->eve_path), "%s/eve.json", r->dir);
    FILE *fp = fopen(r->rules, "w");
    assert_non_null(fp);
    assert_true(fputs(RULES, fp) >= 0);
    fclose(fp);
    char err[256];
    r->eve = eve_open(r->eve_path, "t", NULL, err, sizeof(err));
    assert_non_null(r->eve);
    static sensor_config_t cfg;
    sensor_config_defaults(&cfg);
    cfg.rule_files[0] = r->rules;
    cfg.n_rule_files = 1;
    r->det = sensor_detect_new(&cfg, r->eve, err, sizeof(err));
    assert_non_null(r->det);
    assert_int_equal(sensor_detect_app_needs(r->det), SD_NEED_TLS);
    app_event_sink_t sink = {
        .tls_client_hello = on_ch, .tls_server_hello = on_sh, .tls_certificate = on_cert, .ud = r};
    r->al = app_layer_new(1 << 20, &sink);
    assert_non_null(r->al);
}

static void flow_start(rig_t *r)
{
    memset(&r->f, 0, sizeof(r->f));
    r->f.key.proto = 6;
    r->f.key.ip_version = 4;
    r->f.key.addr[0].b[0] = 10, r->f.key.addr[0].b[3] = 1;
    r->f.key.addr[1].b[0] = 10, r->f.key.addr[1].b[3] = 2;
    r->f.key.port[0] = 40000;
    r->f.key.port[1] = 443;
    r->f.tcp_state = FLOW_TCP_ESTABLISHED;
    r->f.flow_id = 7;
    r->seq[0] = 1000;
    r->seq[1] = 5000;
    r->ts = 1700000000000000;
}

static void seg(rig_t *r, int dir, const uint8_t *data, size_t n)
{
    packet_t p;
    memset(&p, 0, sizeof(p));
    int s = dir == DIR_TOSERVER ? 0 : 1;
    p.ts_usec = r->ts += 1000;
    p.ip_version = 4;
    p.ip_proto = 6;
    p.src = r->f.key.addr[s];
    p.dst = r->f.key.addr[1 - s];
    p.sport = r->f.key.port[s];
    p.dport = r->f.key.port[1 - s];
    p.tcp_flags = TH_ACK | TH_PSH;
    p.tcp_seq = r->seq[dir];
    p.payload = data;
    p.payload_len = (uint32_t)n;
    r->seq[dir] += (uint32_t)n;
    r->f.last_usec = p.ts_usec;
    r->cur_p = &p;
    app_layer_packet(r->al, &r->f, dir, &p);
    sensor_detect_packet(r->det, &r->f, dir, &p);
    r->cur_p = NULL;
}

static char *rig_close(rig_t *r)
{
    char err[256];
    app_layer_free(r->al);
    sensor_detect_free(r->det);
    assert_int_equal(eve_close(r->eve, err, sizeof(err)), 0);
    FILE *fp = fopen(r->eve_path, "r");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = calloc(1, (size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    unlink(r->eve_path);
    unlink(r->rules);
    rmdir(r->dir);
    return s;
}

/* The signature ids of the alert events, in order, as "1,2,3". */
static void alert_sids(const char *eve, char *out, size_t cap)
{
    out[0] = '\0';
    size_t o = 0;
    for (const char *p = eve; (p = strstr(p, "\"signature_id\":")) != NULL; p++) {
        unsigned sid = (unsigned)strtoul(p + 15, NULL, 10);
        o += (size_t)snprintf(out + o, cap - o, "%s%u", o ? "," : "", sid);
        assert_true(o < cap);
    }
}

/* ---- messages (RFC 5246 7.4) ---- */

static size_t put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16), p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)v;
    return 3;
}

static size_t record(const uint8_t *hs, size_t n, uint8_t *out)
{
    memcpy(out, "\x16\x03\x03", 3);
    out[3] = (uint8_t)(n >> 8), out[4] = (uint8_t)n;
    memcpy(out + 5, hs, n);
    return 5 + n;
}

/* ClientHello 0x0303, cipher 0xc02b, SNI www.example.com: body 2 + 32 + 1
 * + 4 + 2 + 2 + 24 = 67. */
static size_t client_hello(uint8_t *out)
{
    uint8_t m[4 + 67] = {0x01, 0x00, 0x00, 67, 0x03, 0x03};
    memcpy(m + 4 + 34, "\x00\x00\x02\xc0\x2b\x01\x00\x00\x18\x00\x00\x00\x14\x00\x12\x00\x00\x0f",
           18);
    memcpy(m + 4 + 52, "www.example.com", 15);
    return record(m, sizeof(m), out);
}

/* ServerHello 0x0303 cipher 0xc02b (ja3s "771,49195,"); TLS 1.3: cipher
 * 0x1301 and supported_versions 0x0304 (ja3s "771,4865,43"). */
static size_t server_hello(uint8_t *out, bool tls13)
{
    size_t body = 38 + (tls13 ? 8 : 0);
    out[0] = 0x02;
    put24(out + 1, body);
    memset(out + 4, 0x22, body);
    memcpy(out + 4, "\x03\x03", 2);
    memcpy(out + 4 + 34, tls13 ? "\x00\x13\x01\x00" : "\x00\xc0\x2b\x00", 4);
    if (tls13) memcpy(out + 4 + 38, "\x00\x06\x00\x2b\x00\x02\x03\x04", 8);
    return 4 + body;
}

static uint8_t *load_der(const char *name, size_t *len)
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

/* ServerHello, Certificate (leaf, ca), ServerHelloDone in one record. */
static size_t server_flight(uint8_t *out)
{
    static uint8_t hs[4096];
    size_t ln, cn;
    uint8_t *leaf = load_der("leaf.der", &ln), *ca = load_der("ca.der", &cn);
    size_t o = server_hello(hs, false);
    hs[o] = 0x0b;
    put24(hs + o + 1, 3 + 3 + ln + 3 + cn);
    put24(hs + o + 4, 3 + ln + 3 + cn);
    o += 7;
    o += put24(hs + o, ln);
    memcpy(hs + o, leaf, ln);
    o += ln;
    o += put24(hs + o, cn);
    memcpy(hs + o, ca, cn);
    o += cn;
    memcpy(hs + o, "\x0e\x00\x00\x00", 4);
    free(leaf);
    free(ca);
    return record(hs, o + 4, out);
}

static void test_tls12_certificate(void **state)
{
    (void)state;
    static uint8_t ch[256], st[4096];
    size_t chn = client_hello(ch), stn = server_flight(st);
    rig_t r;
    rig_open(&r);
    flow_start(&r);
    seg(&r, DIR_TOSERVER, ch, chn);
    seg(&r, DIR_TOCLIENT, st, 700); /* the Certificate spans two segments */
    seg(&r, DIR_TOCLIENT, st + 700, stn - 700);
    app_layer_flow_end(r.al, &r.f);
    sensor_detect_flow_end(r.det, &r.f);
    char *eve = rig_close(&r);
    char sids[256];
    alert_sids(eve, sids, sizeof(sids));
    /* ClientHello: 19 (version 0x0303 is not 1.3), 22; ServerHello: 20;
     * Certificate: the rest, each once, in rule order (8: case differs;
     * 10: no single certificate holds both; 14 negated; 18, 21: not 1.3;
     * 23: another subject). */
    assert_string_equal(sids, "19,22,20,1,2,3,4,5,6,7,9,11,12,13,15,16,17");
    /* The certificate alerts carry the certificate in their tls object. */
    const char *a = strstr(eve, "\"signature_id\":1,");
    assert_non_null(a);
    const char *nl = strchr(a, '\n');
    const char *subj = strstr(a, "\"tls\":{\"subject\":\"C=VN, ST=Can Tho");
    assert_true(subj != NULL && subj < nl);
    const char *ser = strstr(a, "\"serial\":\"00:E1:A2:B3:C4:D5:E6:F7:08\"");
    assert_true(ser != NULL && ser < nl);
    free(eve);
}

static void test_tls13_no_certificate(void **state)
{
    (void)state;
    static uint8_t ch[256], sh[128], st[256];
    size_t chn = client_hello(ch);
    size_t stn = record(sh, server_hello(sh, true), st);
    rig_t r;
    rig_open(&r);
    flow_start(&r);
    seg(&r, DIR_TOSERVER, ch, chn);
    seg(&r, DIR_TOCLIENT, st, stn);
    seg(&r, DIR_TOCLIENT, (const uint8_t *)"\x17\x03\x03\x00\x04zzzz", 9);
    app_layer_flow_end(r.al, &r.f);
    sensor_detect_flow_end(r.det, &r.f);
    char *eve = rig_close(&r);
    char sids[64];
    alert_sids(eve, sids, sizeof(sids));
    /* ClientHello: 19, 22 (its version is 0x0303); ServerHello: 21. */
    assert_string_equal(sids, "19,22,21");
    free(eve);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_parse),
        cmocka_unit_test(test_multi_buffer),
        cmocka_unit_test(test_tls12_certificate),
        cmocka_unit_test(test_tls13_no_certificate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
