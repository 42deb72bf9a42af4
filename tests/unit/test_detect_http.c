/* test_detect_http.c -- HTTP and TLS transactions inspected by the signature
 * engine: the app layer's inspection hooks wired to sensor_detect as the
 * pipeline wires them, rules loaded from a file, alerts read back from the
 * EVE file. Expected sids follow from the rules and the literal messages
 * (URI normalisation as libhtp/Suricata: "/a/../b%2ex" is "/b.x"); the TLS
 * hellos are the zeek/tls/tls13-ech.pcap ones of test_tls.c, whose SNI, JA3
 * and JA3S are tshark 4.0's:
 *   frame 7: cloudflare-ech.com, ja3 2fcbf8655473005933c5869b2b5d8044
 *   frame 9: ja3s f4febc55ea12b31ae17cfb7e614afda8 ("771,4865,43-51") */
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
#include "output/eve.h"
#include "pipeline/sensor_detect.h"

/* ---- rules ---- */

static const char RULES[] =
    "alert http any any -> any any (msg:\"uri normalised\"; flow:established,to_server; "
    "http.uri; content:\"/b.x\"; bsize:4; sid:1;)\n"
    "alert http any any -> any any (msg:\"uri raw\"; flow:established,to_server; "
    "http.uri.raw; content:\"%2ex\"; endswith; sid:2;)\n"
    "alert http any any -> any any (msg:\"method\"; flow:established,to_server; "
    "http.method; content:\"POST\"; bsize:4; sid:3;)\n"
    "alert http any any -> any any (msg:\"host\"; flow:established,to_server; "
    "http.host; content:\"www.example.com\"; bsize:15; sid:4;)\n"
    "alert http any any -> any any (msg:\"header\"; flow:established,to_server; "
    "http.header; content:\"X-Custom|3a 20|abc|0d 0a|\"; sid:5;)\n"
    "alert http any any -> any any (msg:\"header names\"; flow:established,to_server; "
    "http.header_names; content:\"|0d 0a|Host|0d 0a|User-Agent|0d 0a|\"; startswith; sid:6;)\n"
    "alert http any any -> any any (msg:\"user agent\"; flow:established,to_server; "
    "http.user_agent; content:\"EvilBot/1.0\"; sid:7;)\n"
    "alert http any any -> any any (msg:\"request body\"; flow:established,to_server; "
    "http.request_body; content:\"secret=42\"; sid:8;)\n"
    "alert http any any -> any any (msg:\"stat code\"; flow:established,to_client; "
    "http.stat_code; content:\"404\"; sid:9;)\n"
    "alert http any any -> any any (msg:\"file data\"; flow:established,to_client; "
    "file.data; content:\"<script>evil\"; sid:10;)\n"
    "alert http any any -> any any (msg:\"never\"; http.uri; content:\"/never\"; sid:11;)\n"
    "alert http any any -> any any (msg:\"code and body\"; flow:established,to_client; "
    "http.stat_code; content:\"404\"; file.data; content:\"not here\"; sid:12;)\n"
    "alert http any any -> any any (msg:\"method and body\"; flow:established,to_server; "
    "http.method; content:\"POST\"; http.request_body; content:\"secret\"; sid:13;)\n"
    "alert http any any -> any any (msg:\"server\"; flow:established,to_client; "
    "http.server; content:\"nginx\"; sid:14;)\n"
    "alert http any any -> any any (msg:\"body of a GET\"; http.request_body; "
    "content:\"x\"; sid:15;)\n"
    "alert tls any any -> any any (msg:\"sni\"; flow:established,to_server; "
    "tls.sni; content:\"cloudflare-ech.com\"; bsize:18; sid:20;)\n"
    "alert tls any any -> any any (msg:\"ja3\"; ja3.hash; "
    "content:\"2fcbf8655473005933c5869b2b5d8044\"; sid:21;)\n"
    "alert tls any any -> any any (msg:\"ja3s\"; flow:established,to_client; ja3s.hash; "
    "content:\"f4febc55ea12b31ae17cfb7e614afda8\"; sid:22;)\n"
    "alert tls any any -> any any (msg:\"other sni\"; tls.sni; content:\"other.example\"; "
    "sid:23;)\n"
    "alert tls any any -> any any (msg:\"ja3 string\"; ja3.string; "
    "content:\"771,4865-4866-4867-\"; startswith; sid:24;)\n"
    "alert tls any any -> any any (msg:\"ja3s string\"; ja3s.string; "
    "content:\"771,4865,43-51\"; bsize:14; sid:25;)\n";

/* ---- a sensor without capture: detect + app layer + EVE file ---- */

typedef struct rig {
    char dir[64], rules[96], eve_path[96];
    eve_t *eve;
    sensor_detect_t *det;
    app_layer_t *al;
    const packet_t *cur_p; /* as the pipeline's: the packet being processed */
    flow_t f;
    uint32_t seq[2];
    int64_t ts;
} rig_t;

static void on_req(void *ud, flow_t *f, const app_http_msg_t *m)
{
    rig_t *r = ud;
    sensor_detect_http(r->det, f, DIR_TOSERVER, r->cur_p, m);
}

static void on_resp(void *ud, flow_t *f, const app_http_msg_t *m)
{
    rig_t *r = ud;
    sensor_detect_http(r->det, f, DIR_TOCLIENT, r->cur_p, m);
}

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

static void rig_open(rig_t *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_detect_http.XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->rules, sizeof(r->rules), "%s/t.rules", r->dir);
    snprintf(r->eve_path, sizeof(r->eve_path), "%s/eve.json", r->dir);
    FILE *fp = fopen(r->rules, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(RULES, fp) >= 0, 1);
    fclose(fp);

    char err[256];
    r->eve = eve_open(r->eve_path, "t", NULL, err, sizeof(err));
    assert_non_null(r->eve);
    static sensor_config_t cfg; /* large: not on the stack */
    sensor_config_defaults(&cfg);
    cfg.rule_files[0] = r->rules;
    cfg.n_rule_files = 1;
    r->det = sensor_detect_new(&cfg, r->eve, err, sizeof(err));
    assert_non_null(r->det);
    unsigned need = sensor_detect_app_needs(r->det);
    assert_int_equal(need, SD_NEED_HTTP | SD_NEED_HTTP_REQUEST_BODY | SD_NEED_HTTP_RESPONSE_BODY |
                               SD_NEED_TLS);
    app_event_sink_t sink = {.http_request = on_req,
                             .http_response = on_resp,
                             .http_request_body = on_req,
                             .http_response_body = on_resp,
                             .tls_client_hello = on_ch,
                             .tls_server_hello = on_sh,
                             .ud = r};
    r->al = app_layer_new(1 << 20, &sink);
    assert_non_null(r->al);
}

/* A new established TCP flow 10.0.0.1:40000 -> 10.0.0.2:dport. */
static void flow_start(rig_t *r, uint16_t dport)
{
    memset(&r->f, 0, sizeof(r->f));
    r->f.key.proto = 6;
    r->f.key.ip_version = 4;
    r->f.key.addr[0].b[0] = 10, r->f.key.addr[0].b[3] = 1;
    r->f.key.addr[1].b[0] = 10, r->f.key.addr[1].b[3] = 2;
    r->f.key.port[0] = 40000;
    r->f.key.port[1] = dport;
    r->f.tcp_state = FLOW_TCP_ESTABLISHED;
    r->f.flow_id = 42;
    r->seq[0] = 1000;
    r->seq[1] = 5000;
    r->ts = 1700000000000000;
}

static void seg(rig_t *r, int dir, const void *data, size_t n)
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
    r->cur_p = NULL;
}

static void sends(rig_t *r, int dir, const char *s)
{
    seg(r, dir, s, strlen(s));
}

/* Flow end as in the pipeline: app layer first (no current packet), then
 * the engine's per-flow state. */
static void flow_end(rig_t *r)
{
    app_layer_flow_end(r->al, &r->f);
    sensor_detect_flow_end(r->det, &r->f);
}

/* Closes everything and reads the EVE file into a malloc'ed string. */
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

/* The EVE line of the first alert with this sid. */
static const char *alert_line(const char *eve, unsigned sid, char *line, size_t cap)
{
    char key[48];
    snprintf(key, sizeof(key), "\"signature_id\":%u,", sid);
    const char *p = strstr(eve, key);
    assert_non_null(p);
    const char *b = p, *e = strchr(p, '\n');
    while (b > eve && b[-1] != '\n')
        b--;
    size_t n = (size_t)((e ? e : p + strlen(p)) - b);
    assert_true(n < cap);
    memcpy(line, b, n);
    line[n] = '\0';
    return line;
}

/* ---- HTTP ---- */

static void test_http_request_and_response(void **state)
{
    (void)state;
    rig_t r;
    rig_open(&r);
    flow_start(&r, 80);
    /* Head, then a chunked body whose match spans chunks and segments. */
    sends(&r, DIR_TOSERVER,
          "POST /a/../b%2ex HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\n"
          "User-Agent: EvilBot/1.0\r\nX-Custom: abc\r\nTransfer-Encoding: chunked\r\n\r\n");
    sends(&r, DIR_TOSERVER, "3\r\nsec\r\n");
    sends(&r, DIR_TOSERVER, "6\r\nret=42\r\n0\r\n\r\n");
    /* A GET without body: its rules on the head only; nothing for sid 15. */
    sends(&r, DIR_TOSERVER, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    sends(&r, DIR_TOSERVER, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    sends(&r, DIR_TOCLIENT,
          "HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Length: 8\r\n\r\nnot ");
    sends(&r, DIR_TOCLIENT, "here");
    sends(&r, DIR_TOCLIENT, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    sends(&r, DIR_TOCLIENT, "c\r\n<script>evil\r\n0\r\n\r\n");
    /* HTTP/1.0, close-delimited: the body ends with the flow, inspected
     * with a packet standing in at flow end. */
    sends(&r, DIR_TOCLIENT, "HTTP/1.0 200 OK\r\n\r\nsome <script>evil");
    flow_end(&r);
    char *eve = rig_close(&r);
    char sids[256];
    alert_sids(eve, sids, sizeof(sids));
    /* Request head: 1-7; its body: 8, 13 (not 3 again); the 404 head: 9,
     * 14; its body: 12 (not 9 again); the chunked and the close-delimited
     * bodies: 10 each. */
    assert_string_equal(sids, "1,2,3,4,5,6,7,8,13,9,14,12,10,10");

    char line[4096];
    alert_line(eve, 1, line, sizeof(line));
    assert_non_null(strstr(line, "\"src_ip\":\"10.0.0.1\",\"src_port\":40000,"
                                 "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,"));
    assert_non_null(strstr(line, "\"app_proto\":\"http\""));
    assert_non_null(strstr(line, "\"http\":{\"hostname\":\"www.example.com\",\"http_port\":8080,"
                                 "\"url\":\"/a/../b%2ex\",\"http_user_agent\":\"EvilBot/1.0\","
                                 "\"http_method\":\"POST\",\"protocol\":\"HTTP/1.1\","
                                 "\"length\":0}"));
    alert_line(eve, 12, line, sizeof(line));
    assert_non_null(strstr(line, "\"src_ip\":\"10.0.0.2\",\"src_port\":80,"));
    assert_non_null(strstr(line, "\"url\":\"/a/../b%2ex\"")); /* the 404 answers the POST */
    assert_non_null(strstr(line, "\"status\":404"));
    /* The flow-end alert: the server's side, at the flow's last time. */
    const char *last = strrchr(eve, '\n');
    assert_non_null(last);
    while (last > eve && last[-1] != '\n')
        last--;
    assert_non_null(strstr(last, "\"signature_id\":10,"));
    assert_non_null(strstr(last, "\"src_ip\":\"10.0.0.2\""));
    free(eve);
}

static void test_http_limits_and_pass(void **state)
{
    (void)state;
    rig_t r;
    rig_open(&r);
    flow_start(&r, 80);
    /* The request body rule's content lies past the 32 KiB kept: no match;
     * one within them matches even though the body goes on. */
    static char big[40000];
    memset(big, 'a', sizeof(big));
    memcpy(big + 33000, "secret=42", 9);
    char head[128];
    snprintf(head, sizeof(head), "PUT /up HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", sizeof(big));
    sends(&r, DIR_TOSERVER, head);
    for (size_t o = 0; o < sizeof(big); o += 1000)
        seg(&r, DIR_TOSERVER, big + o, 1000);
    memcpy(big + 100, "secret=42", 9);
    sends(&r, DIR_TOSERVER, head);
    for (size_t o = 0; o < sizeof(big); o += 1000)
        seg(&r, DIR_TOSERVER, big + o, 1000);
    /* A malformed head is not inspected. */
    sends(&r, DIR_TOCLIENT, "HTTP/1.1 4044 Nope\r\n\r\n");
    flow_end(&r);

    /* TLS on the same engine, next flow: each hello at its own time. */
    flow_start(&r, 443);
    static const uint8_t ech_ch[517] = {
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xd8, 0x20, 0x98, 0x6a,
        0x1f, 0xb4, 0xdc, 0x3a, 0x70, 0xfa, 0xc9, 0x1f, 0x13, 0x59, 0xff, 0x5e, 0x32, 0x0c, 0x6a,
        0x5e, 0x07, 0x39, 0x7a, 0xb3, 0x6f, 0x8c, 0x51, 0x3b, 0xe4, 0x58, 0x5f, 0x5d, 0x20, 0x7c,
        0x77, 0xf9, 0x68, 0xec, 0xbe, 0xda, 0x04, 0x05, 0x98, 0xf4, 0x7a, 0xf5, 0x26, 0x5f, 0xb5,
        0xf0, 0xf5, 0xef, 0x32, 0x79, 0xf0, 0x8b, 0x43, 0xd0, 0x3c, 0x31, 0xa5, 0x7c, 0xe0, 0xc6,
        0x30, 0x00, 0x20, 0x2a, 0x2a, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f,
        0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00,
        0x9d, 0x00, 0x2f, 0x00, 0x35, 0x01, 0x00, 0x01, 0x93, 0xda, 0xda, 0x00, 0x00, 0xff, 0x01,
        0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74,
        0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08,
        0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01, 0x00, 0x33,
        0x00, 0x2b, 0x00, 0x29, 0x1a, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x1d, 0x00, 0x20, 0x23, 0x1c,
        0xb3, 0xa7, 0xbd, 0xe0, 0xd1, 0x5d, 0x97, 0xdf, 0xdf, 0xc4, 0xd3, 0x15, 0xb1, 0x12, 0x89,
        0x9e, 0x94, 0x80, 0xd1, 0xdc, 0x7a, 0x0e, 0x73, 0x9c, 0x40, 0x58, 0xbb, 0xe7, 0x27, 0x6d,
        0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x44, 0x69, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32,
        0x00, 0x23, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x07, 0x06, 0x8a, 0x8a, 0x03, 0x04, 0x03, 0x03,
        0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x1a, 0x1a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0xfe,
        0x0d, 0x00, 0xba, 0x00, 0x00, 0x01, 0x00, 0x01, 0xd1, 0x00, 0x20, 0xcc, 0xe5, 0xc8, 0x32,
        0x99, 0xbb, 0x8d, 0xff, 0xdb, 0x74, 0xba, 0xfd, 0x0a, 0x1d, 0x52, 0x4b, 0x82, 0x97, 0x3e,
        0x22, 0x4c, 0x12, 0x99, 0x9b, 0xee, 0xd1, 0x69, 0xee, 0x7a, 0x9a, 0xd6, 0x7d, 0x00, 0x90,
        0x0b, 0x7b, 0x2d, 0xc3, 0xb1, 0x7a, 0xdb, 0x2e, 0xab, 0xc1, 0xf7, 0xfa, 0xbb, 0x61, 0xbd,
        0xd5, 0xdb, 0x77, 0x73, 0x36, 0xa9, 0xda, 0x36, 0x79, 0xc5, 0x37, 0x3f, 0xf6, 0x9f, 0x00,
        0x87, 0xb9, 0x45, 0x3b, 0xd3, 0xec, 0x42, 0xb6, 0xd1, 0x7b, 0x1b, 0x7d, 0x02, 0x4c, 0xd7,
        0xc4, 0xb6, 0x27, 0xd1, 0xb0, 0xcd, 0x3a, 0xe9, 0xfb, 0xe5, 0x42, 0x2f, 0x13, 0x21, 0x87,
        0x78, 0x9d, 0x6c, 0x7f, 0x89, 0xf2, 0x92, 0x01, 0xff, 0x0e, 0x64, 0x85, 0x3d, 0x39, 0x88,
        0xad, 0xb7, 0x23, 0xff, 0xf5, 0x52, 0x44, 0x7e, 0xbd, 0x08, 0x7a, 0x55, 0x42, 0x2a, 0xbe,
        0x56, 0x8a, 0x8d, 0xfe, 0x45, 0x96, 0xa5, 0x82, 0x0f, 0x13, 0x4e, 0xc9, 0xf1, 0x92, 0x62,
        0x0e, 0x4b, 0x36, 0x77, 0x64, 0x31, 0xe1, 0x4e, 0x35, 0xa6, 0xc9, 0xdd, 0xbe, 0x91, 0x23,
        0x59, 0xb1, 0xbd, 0xe0, 0xd7, 0x4a, 0x06, 0x2e, 0x63, 0x4e, 0xb5, 0xce, 0xd3, 0x06, 0x3b,
        0xed, 0x83, 0xf0, 0xb5, 0x62, 0xf2, 0x62, 0x78, 0x03, 0x00, 0x17, 0x00, 0x00, 0x00, 0x05,
        0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x02,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x17, 0x00, 0x15, 0x00, 0x00, 0x12, 0x63, 0x6c, 0x6f, 0x75,
        0x64, 0x66, 0x6c, 0x61, 0x72, 0x65, 0x2d, 0x65, 0x63, 0x68, 0x2e, 0x63, 0x6f, 0x6d, 0x00,
        0x1b, 0x00, 0x03, 0x02, 0x00, 0x02, 0x9a, 0x9a, 0x00, 0x01, 0x00, 0x00, 0x15, 0x00, 0x07,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    static const uint8_t ech_sh[133] = {
        0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0xcd, 0x86, 0xaf, 0xb4,
        0xbb, 0x27, 0x02, 0x20, 0xf3, 0xb7, 0xc3, 0x30, 0xc6, 0xfc, 0x84, 0xb3, 0xad, 0xa6, 0xa0,
        0x0d, 0x98, 0xb2, 0x85, 0xa5, 0x02, 0x2d, 0xe6, 0xf5, 0xce, 0xd7, 0x0e, 0xfc, 0x20, 0x7c,
        0x77, 0xf9, 0x68, 0xec, 0xbe, 0xda, 0x04, 0x05, 0x98, 0xf4, 0x7a, 0xf5, 0x26, 0x5f, 0xb5,
        0xf0, 0xf5, 0xef, 0x32, 0x79, 0xf0, 0x8b, 0x43, 0xd0, 0x3c, 0x31, 0xa5, 0x7c, 0xe0, 0xc6,
        0x30, 0x13, 0x01, 0x00, 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00,
        0x24, 0x00, 0x1d, 0x00, 0x20, 0x0f, 0xf6, 0xe1, 0x45, 0x2d, 0x32, 0x66, 0x6a, 0x00, 0x36,
        0xd0, 0x07, 0x1d, 0xbf, 0xce, 0xad, 0xdc, 0x64, 0x8e, 0x2d, 0x5a, 0xa6, 0xfd, 0x1c, 0x53,
        0x0c, 0x3f, 0x15, 0xf8, 0x23, 0x27, 0x1f, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
    };
    /* The ClientHello cut in two segments; the ServerHello whole. */
    seg(&r, DIR_TOSERVER, ech_ch, 200);
    seg(&r, DIR_TOSERVER, ech_ch + 200, sizeof(ech_ch) - 200);
    seg(&r, DIR_TOCLIENT, ech_sh, sizeof(ech_sh));
    flow_end(&r);
    char *eve = rig_close(&r);
    char sids[256];
    alert_sids(eve, sids, sizeof(sids));
    /* First body: nothing within 32 KiB; second: 8. ClientHello: 20, 21,
     * 24 (not 23); ServerHello: 22, 25. */
    assert_string_equal(sids, "8,20,21,24,22,25");
    char line[4096];
    alert_line(eve, 20, line, sizeof(line));
    assert_non_null(strstr(line, "\"app_proto\":\"tls\""));
    assert_non_null(strstr(line, "\"tls\":{\"sni\":\"cloudflare-ech.com\""));
    assert_non_null(strstr(line, "\"ja3\":{\"hash\":\"2fcbf8655473005933c5869b2b5d8044\""));
    alert_line(eve, 22, line, sizeof(line));
    assert_non_null(strstr(line, "\"src_ip\":\"10.0.0.2\",\"src_port\":443,"));
    assert_non_null(strstr(line, "\"ja3s\":{\"hash\":\"f4febc55ea12b31ae17cfb7e614afda8\""));
    free(eve);
}

/* Direct calls with odd input: a message whose head does not parse as
 * given, an empty body, a flow that a pass rule silenced. */
static void test_direct_odd_input(void **state)
{
    (void)state;
    rig_t r;
    rig_open(&r);
    flow_start(&r, 80);
    r.f.app_proto = APP_HTTP;
    http_request_t req;
    const char *h = "POST /b.x HTTP/1.1\r\n\r\n";
    assert_int_equal(http_parse_request((const uint8_t *)h, strlen(h), &req), APP_PARSE_DONE);
    http_tx_t tx;
    memset(&tx, 0, sizeof(tx));
    /* The head cut short of its end: no buffers, no inspection. */
    app_http_msg_t m = {.head = (const uint8_t *)h, .head_len = 10, .req = &req, .tx = &tx};
    sensor_detect_http(r.det, &r.f, DIR_TOSERVER, NULL, &m);
    /* Neither request nor response: nothing. */
    m.head_len = (uint32_t)strlen(h);
    m.req = NULL;
    sensor_detect_http(r.det, &r.f, DIR_TOSERVER, NULL, &m);
    /* An empty body adds nothing. */
    m.req = &req;
    m.has_body = true;
    sensor_detect_http(r.det, &r.f, DIR_TOSERVER, NULL, &m);
    /* The whole head, at flow end (no packet): sids 1 and 3. */
    m.has_body = false;
    sensor_detect_http(r.det, &r.f, DIR_TOSERVER, NULL, &m);
    /* A flow a pass rule silenced is not inspected. */
    r.f.flags |= FLOW_F_PASSED;
    sensor_detect_http(r.det, &r.f, DIR_TOSERVER, NULL, &m);
    tls_info_t t;
    memset(&t, 0, sizeof(t));
    sensor_detect_tls(r.det, &r.f, DIR_TOSERVER, NULL, &t);
    r.f.flags = 0;
    r.f.app_proto = APP_TLS;
    sensor_detect_tls(r.det, &r.f, DIR_TOCLIENT, NULL, &t); /* no ja3s: nothing */
    flow_end(&r);
    char *eve = rig_close(&r);
    char sids[64];
    alert_sids(eve, sids, sizeof(sids));
    assert_string_equal(sids, "1,3");
    free(eve);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_request_and_response),
        cmocka_unit_test(test_http_limits_and_pass),
        cmocka_unit_test(test_direct_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
