/* test_dpi.c -- nDPI glue with a real detection module: verdicts on the
 * committed captures, DNS.Google style master/app pairs, release of nDPI's
 * per-flow state, the bound on states in use, risk names, and the mapping to
 * Suricata's app_proto names.
 *
 * Packets go decode -> flow table -> dpi_packet as in pipeline.c. Expected
 * verdicts are ndpiReader's (Debian's nDPI 4.2) on the same captures, e.g.
 * "[proto: 5/DNS] ... [cat: Network/14]" for every dns.pcap flow and
 * "[proto: 5.126/DNS.Google] ... [cat: Web/5]" for the Google query below;
 * protocol ids from ndpi_protocol_ids.h (DNS 5, HTTP 7, TLS 91, YouTube 124,
 * Google 126). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/dpi.h"
#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"

enum { ID_UNKNOWN = 0, ID_DNS = 5, ID_HTTP = 7, ID_TLS = 91, ID_YOUTUBE = 124, ID_GOOGLE = 126 };
enum { CAT_WEB = 5, CAT_NETWORK = 14 };

#define MAX_ENDED 16

/* What a flow looked like when it ended. */
typedef struct verdict {
    uint16_t sport, dport;
    uint8_t proto;
    uint16_t master, app, category;
    uint16_t app_proto;
    uint8_t flags;
    bool ndpi_left; /* f->ndpi still set after dpi_flow_end */
} verdict_t;

typedef struct rig {
    decoder_t dec;
    flow_table_t *ft;
    dpi_t *dpi;
    verdict_t ended[MAX_ENDED];
    int n_ended;
} rig_t;

static void on_end(flow_t *f, flow_end_reason_t reason, void *ud)
{
    (void)reason;
    rig_t *r = ud;
    dpi_flow_end(r->dpi, f);
    assert_true(r->n_ended < MAX_ENDED);
    verdict_t *v = &r->ended[r->n_ended++];
    v->sport = f->key.port[0];
    v->dport = f->key.port[1];
    v->proto = f->key.proto;
    v->master = f->ndpi_master;
    v->app = f->ndpi_app;
    v->category = f->ndpi_category;
    v->app_proto = f->app_proto;
    v->flags = f->flags;
    v->ndpi_left = f->ndpi != NULL;
}

static rig_t *rig_new(uint32_t max_detecting)
{
    rig_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    assert_int_equal(decoder_init(&r->dec, NULL), 0);
    flow_config_t fc;
    flow_config_defaults(&fc);
    fc.max_flows = 64;
    r->ft = flow_table_new(&fc, on_end, r);
    assert_non_null(r->ft);
    dpi_config_t dc;
    dpi_config_defaults(&dc);
    dc.max_detecting = max_detecting;
    char err[256];
    r->dpi = dpi_new(&dc, err, sizeof(err));
    assert_non_null(r->dpi);
    return r;
}

static void rig_free(rig_t *r)
{
    flow_table_flush(r->ft, FLOW_END_SHUTDOWN);
    flow_table_free(r->ft);
    dpi_free(r->dpi);
    decoder_free(&r->dec);
    free(r);
}

/* One frame through decode, flow table and nDPI, as pipeline_packet does. */
static flow_t *feed(rig_t *r, int linktype, const uint8_t *data, uint32_t len, int64_t ts)
{
    packet_t p;
    p.ts_usec = ts;
    p.frame = data;
    p.caplen = p.wirelen = len;
    p.linktype = linktype;
    decode_result_t res = decode_packet(&r->dec, &p);
    if (!p.l4 || res == DECODE_HELD) return NULL;
    int dir;
    flow_t *f = flow_table_packet(r->ft, &p, &dir);
    if (f && !(f->flags & FLOW_F_DPI_DONE)) {
        dpi_packet(r->dpi, f, dir, &p);
        if (f->ndpi && f->tcp_state == FLOW_TCP_CLOSED) dpi_flow_end(r->dpi, f);
    }
    return f;
}

static const char *pcap_path(const char *name)
{
    static char buf[1024];
    const char *root = getenv("SOC_SOURCE_DIR");
    snprintf(buf, sizeof(buf), "%s/pcaps/%s", root ? root : "/work/main", name);
    return buf;
}

/* Feed a whole capture; after_frame (1-based frame number, its flow) is
 * called for each frame if given. */
static void feed_file(rig_t *r, const char *name, void (*after)(rig_t *, int, flow_t *))
{
    capture_config_t cc = {.file = pcap_path(name)};
    char err[1024];
    capture_t *c = capture_open(&cc, err, sizeof(err));
    if (!c) fail_msg("%s", err);
    capture_frame_t fr;
    int n = 0;
    while (capture_next(c, &fr) == CAPTURE_FRAME) {
        flow_t *f = feed(r, capture_linktype(c), fr.data, fr.caplen, fr.ts_usec);
        if (after) after(r, ++n, f);
    }
    capture_close(c);
}

static void assert_verdict(rig_t *r, const verdict_t *v, uint16_t master, uint16_t app,
                           uint16_t category, const char *label, app_proto_t app_proto)
{
    assert_true(v->flags & FLOW_F_DPI_DONE);
    assert_false(v->ndpi_left);
    assert_int_equal(v->master, master);
    assert_int_equal(v->app, app);
    assert_int_equal(v->category, category);
    assert_int_equal(v->app_proto, app_proto);
    flow_t f;
    memset(&f, 0, sizeof(f));
    f.ndpi_master = v->master;
    f.ndpi_app = v->app;
    f.ndpi_category = v->category;
    char buf[64];
    dpi_protocol_label(r->dpi, &f, buf, sizeof(buf));
    assert_string_equal(buf, label);
}

/* ---- dns.pcap ---------------------------------------------------------- */

/* Frame 2 answers frame 1 (53001, one A record): detection is complete
 * there and the state goes back at once. */
static void dns_after(rig_t *r, int n, flow_t *f)
{
    assert_non_null(f); /* every dns.pcap frame is UDP or TCP */
    if (n == 1) {
        assert_non_null(f->ndpi);
        assert_int_equal(dpi_get_stats(r->dpi)->detecting, 1);
    }
    if (n == 2) {
        assert_null(f->ndpi);
        assert_true(f->flags & FLOW_F_DPI_DONE);
        assert_int_equal(f->dpi_pkts, 2);
        assert_int_equal(f->ndpi_app, ID_DNS);
        assert_int_equal(f->app_proto, APP_DNS);
        assert_int_equal(dpi_get_stats(r->dpi)->detecting, 0);
    }
}

static void test_dns_capture(void **state)
{
    (void)state;
    rig_t *r = rig_new(16);
    feed_file(r, "dns.pcap", dns_after);
    /* Two flows are still open to nDPI: the NXDOMAIN answer (53004) has no
     * answer record and the query on 53005 got no reply, so nDPI could
     * still learn more (ndpiReader: 2 flows not completed). The other five,
     * TCP included, are done. Most at once: 53004, 53005 and 53006. */
    const dpi_stats_t *st = dpi_get_stats(r->dpi);
    assert_int_equal(st->detecting, 2);
    assert_int_equal(st->detected, 5);
    assert_int_equal(st->given_up, 0);
    assert_int_equal(st->detecting_max, 3);
    assert_int_equal(st->pool_exhausted, 0);

    flow_table_flush(r->ft, FLOW_END_SHUTDOWN);
    assert_int_equal(st->detecting, 0);
    /* nDPI had named both while waiting for more: detections, not give-ups. */
    assert_int_equal(st->given_up, 0);
    assert_int_equal(st->detected, 7);
    assert_int_equal(r->n_ended, 7);
    int tcp = 0;
    for (int i = 0; i < r->n_ended; i++) {
        assert_int_equal(r->ended[i].dport, 53);
        tcp += r->ended[i].proto == 6;
        assert_verdict(r, &r->ended[i], ID_UNKNOWN, ID_DNS, CAT_NETWORK, "DNS", APP_DNS);
    }
    assert_int_equal(tcp, 1);
    assert_string_equal(dpi_proto_name(r->dpi, ID_DNS), "DNS");
    assert_string_equal(dpi_proto_name(r->dpi, ID_UNKNOWN), "Unknown");
    assert_string_equal(dpi_category_name(r->dpi, CAT_NETWORK), "Network");
    rig_free(r);
}

/* ---- http_basic.pcap, tls.pcap ------------------------------------------ */

static void test_http_capture(void **state)
{
    (void)state;
    rig_t *r = rig_new(16);
    feed_file(r, "http_basic.pcap", NULL);
    /* All three connections closed (FIN, RST, FIN): their states are back
     * before the end of the capture. */
    assert_int_equal(dpi_get_stats(r->dpi)->detecting, 0);
    flow_table_flush(r->ft, FLOW_END_SHUTDOWN);
    assert_int_equal(r->n_ended, 3);
    for (int i = 0; i < 3; i++)
        assert_verdict(r, &r->ended[i], ID_UNKNOWN, ID_HTTP, CAT_WEB, "HTTP", APP_HTTP);
    assert_string_equal(dpi_proto_name(r->dpi, ID_HTTP), "HTTP");
    assert_string_equal(dpi_category_name(r->dpi, CAT_WEB), "Web");
    rig_free(r);
}

static void test_tls_capture(void **state)
{
    (void)state;
    rig_t *r = rig_new(16);
    feed_file(r, "tls.pcap", NULL);
    flow_table_flush(r->ft, FLOW_END_SHUTDOWN);
    assert_int_equal(dpi_get_stats(r->dpi)->detecting, 0);
    assert_int_equal(r->n_ended, 3);
    for (int i = 0; i < 3; i++)
        assert_verdict(r, &r->ended[i], ID_UNKNOWN, ID_TLS, CAT_WEB, "TLS", APP_TLS);
    rig_free(r);
}

/* ---- DNS.Google -------------------------------------------------------- */

/* Made with scapy: 10.0.0.1:40001 -> 8.8.8.8:53, A query for
 * www.google.com (id 0x1234), and the answer 142.250.1.1. */
static const char GOOGLE_Q[] =
    "02000000000202000000000108004500003c00010000401160a00a000001080808089c4100350028a83b1234"
    "010000010000000000000377777706676f6f676c6503636f6d0000010001";
static const char GOOGLE_R[] =
    "02000000000102000000000208004500005a0002000040116081080808080a00000100359c410046099c1234"
    "818000010001000000000377777706676f6f676c6503636f6d00000100010377777706676f6f676c6503636f"
    "6d00000100010000003c00048efa0101";

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void test_dns_google(void **state)
{
    (void)state;
    rig_t *r = rig_new(4);
    uint8_t q[128], a[128];
    size_t qn = unhex(GOOGLE_Q, q, sizeof(q)), an = unhex(GOOGLE_R, a, sizeof(a));
    assert_int_equal(qn, 74);
    assert_int_equal(an, 104);
    flow_t *f = feed(r, 1, q, (uint32_t)qn, 1700000000000000LL);
    assert_non_null(f);
    /* The name is known from the query; nDPI waits for the answer. */
    assert_non_null(f->ndpi);
    assert_false(f->flags & FLOW_F_DPI_DONE);
    f = feed(r, 1, a, (uint32_t)an, 1700000000010000LL);
    assert_non_null(f);
    assert_null(f->ndpi);
    assert_true(f->flags & FLOW_F_DPI_DONE);
    assert_int_equal(f->ndpi_master, ID_DNS);
    assert_int_equal(f->ndpi_app, ID_GOOGLE);
    assert_int_equal(f->ndpi_category, CAT_WEB);
    assert_int_equal(f->app_proto, APP_DNS);
    assert_string_equal(dpi_proto_name(r->dpi, f->ndpi_master), "DNS");
    assert_string_equal(dpi_proto_name(r->dpi, f->ndpi_app), "Google");
    char label[64];
    dpi_protocol_label(r->dpi, f, label, sizeof(label));
    assert_string_equal(label, "DNS.Google");
    const dpi_stats_t *st = dpi_get_stats(r->dpi);
    assert_int_equal(st->detected, 1);
    assert_int_equal(st->detecting, 0);
    rig_free(r);
}

/* An unanswered query is settled when the flow ends: nDPI's verdict so far
 * (it had named the flow, so it counts as detected), state released. */
static void test_flow_end_settles(void **state)
{
    (void)state;
    rig_t *r = rig_new(4);
    uint8_t q[128];
    size_t qn = unhex(GOOGLE_Q, q, sizeof(q));
    flow_t *f = feed(r, 1, q, (uint32_t)qn, 1700000000000000LL);
    assert_non_null(f->ndpi);
    assert_int_equal(dpi_get_stats(r->dpi)->detecting, 1);
    dpi_flow_end(r->dpi, f);
    assert_null(f->ndpi);
    assert_true(f->flags & FLOW_F_DPI_DONE);
    assert_int_equal(f->ndpi_master, ID_DNS);
    assert_int_equal(f->ndpi_app, ID_GOOGLE);
    assert_int_equal(f->app_proto, APP_DNS);
    assert_int_equal(dpi_get_stats(r->dpi)->detecting, 0);
    assert_int_equal(dpi_get_stats(r->dpi)->given_up, 0);
    assert_int_equal(dpi_get_stats(r->dpi)->detected, 1);
    /* Twice is harmless; later packets are not looked at. */
    dpi_flow_end(r->dpi, f);
    assert_int_equal(dpi_get_stats(r->dpi)->detected, 1);
    uint16_t pkts = f->dpi_pkts;
    packet_t p;
    p.ts_usec = 1700000000001000LL;
    p.frame = q;
    p.caplen = p.wirelen = (uint32_t)qn;
    p.linktype = 1;
    assert_int_equal(decode_packet(&r->dec, &p), DECODE_OK);
    dpi_packet(r->dpi, f, DIR_TOSERVER, &p);
    assert_int_equal(f->dpi_pkts, pkts);
    assert_null(f->ndpi);
    assert_int_equal(dpi_get_stats(r->dpi)->detecting, 0);
    rig_free(r);
}

/* ---- the pool bound ---------------------------------------------------- */

/* Ethernet + IPv4 10.0.0.<src> -> 10.0.0.200 + TCP SYN sport -> dport,
 * no options, no payload: 54 bytes. */
static size_t mk_syn(uint8_t *b, uint8_t src, uint16_t sport, uint16_t dport)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    memset(b, 0, 54);
    memcpy(b, eth, 14);
    uint8_t *ip = b + 14;
    ip[0] = 0x45;
    ip[3] = 40; /* total length */
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = 10, ip[15] = src;
    ip[16] = 10, ip[19] = 200;
    uint8_t *th = b + 34;
    th[0] = (uint8_t)(sport >> 8), th[1] = (uint8_t)sport;
    th[2] = (uint8_t)(dport >> 8), th[3] = (uint8_t)dport;
    th[7] = 1;     /* seq 1 */
    th[12] = 0x50; /* 20-byte header */
    th[13] = TH_SYN;
    th[14] = 0xff, th[15] = 0xff;
    return 54;
}

static void test_pool_bound(void **state)
{
    (void)state;
    rig_t *r = rig_new(2);
    uint8_t b[64];
    const int64_t t = 1700000000000000LL;
    /* Ports no nDPI protocol claims, so a SYN decides nothing. */
    flow_t *f1 = feed(r, 1, b, (uint32_t)mk_syn(b, 1, 40001, 5555), t);
    flow_t *f2 = feed(r, 1, b, (uint32_t)mk_syn(b, 2, 40002, 5556), t + 1);
    flow_t *f3 = feed(r, 1, b, (uint32_t)mk_syn(b, 3, 40003, 5557), t + 2);
    assert_true(f1 && f2 && f3 && f1 != f2 && f2 != f3);
    assert_non_null(f1->ndpi);
    assert_non_null(f2->ndpi);
    assert_null(f3->ndpi);
    assert_true(f3->flags & FLOW_F_DPI_DONE);
    const dpi_stats_t *st = dpi_get_stats(r->dpi);
    assert_int_equal(st->detecting, 2);
    assert_int_equal(st->detecting_max, 2);
    assert_int_equal(st->pool_exhausted, 1);

    /* The third flow stays unclassified, even once a state is free. */
    dpi_flow_end(r->dpi, f1);
    assert_null(f1->ndpi);
    assert_int_equal(st->detecting, 1);
    assert_int_equal(st->given_up, 1);
    f3 = feed(r, 1, b, (uint32_t)mk_syn(b, 3, 40003, 5557), t + 3);
    assert_null(f3->ndpi);
    assert_int_equal(st->pool_exhausted, 1);
    assert_int_equal(st->detecting, 1);

    /* A new flow gets the freed state. */
    flow_t *f4 = feed(r, 1, b, (uint32_t)mk_syn(b, 4, 40004, 5558), t + 4);
    assert_non_null(f4->ndpi);
    assert_int_equal(st->detecting, 2);
    assert_int_equal(st->detecting_max, 2);
    assert_int_equal(st->pool_exhausted, 1);

    flow_table_flush(r->ft, FLOW_END_SHUTDOWN);
    assert_int_equal(st->detecting, 0);
    assert_int_equal(r->n_ended, 4);
    for (int i = 0; i < 4; i++) {
        assert_false(r->ended[i].ndpi_left);
        assert_true(r->ended[i].flags & FLOW_F_DPI_DONE);
        /* No port guess for 5555..5558: unknown everywhere. */
        assert_int_equal(r->ended[i].app, ID_UNKNOWN);
        assert_int_equal(r->ended[i].app_proto, APP_UNKNOWN);
    }
    char label[64];
    flow_t f;
    memset(&f, 0, sizeof(f));
    dpi_protocol_label(r->dpi, &f, label, sizeof(label));
    assert_string_equal(label, "Unknown");
    rig_free(r);
}

/* ---- names and mapping ------------------------------------------------- */

static void test_risk_names(void **state)
{
    (void)state;
    /* ndpi_risk_enum: 1 NDPI_URL_POSSIBLE_XSS, 6
     * NDPI_TLS_SELFSIGNED_CERTIFICATE; 42 is NDPI_MAX_RISK in 4.2. */
    assert_string_equal(dpi_risk_name(1), "XSS Attack");
    assert_string_equal(dpi_risk_name(6), "Self-signed Certificate");
    assert_null(dpi_risk_name(0));
    assert_null(dpi_risk_name(42));
    assert_null(dpi_risk_name(63));
    assert_null(dpi_risk_name(64));
    assert_null(dpi_risk_name(1000));
}

static void test_app_proto_map(void **state)
{
    (void)state;
    assert_int_equal(dpi_app_proto(ID_UNKNOWN, ID_DNS), APP_DNS);
    assert_int_equal(dpi_app_proto(ID_DNS, ID_GOOGLE), APP_DNS);   /* DNS.Google */
    assert_int_equal(dpi_app_proto(ID_TLS, ID_YOUTUBE), APP_TLS);  /* TLS.YouTube */
    assert_int_equal(dpi_app_proto(ID_HTTP, ID_GOOGLE), APP_HTTP); /* HTTP.Google */
    assert_int_equal(dpi_app_proto(ID_UNKNOWN, ID_HTTP), APP_HTTP);
    assert_int_equal(dpi_app_proto(ID_UNKNOWN, ID_TLS), APP_TLS);
    assert_int_equal(dpi_app_proto(ID_UNKNOWN, ID_GOOGLE), APP_UNKNOWN); /* no Suricata name */
    assert_int_equal(dpi_app_proto(ID_UNKNOWN, ID_UNKNOWN), APP_UNKNOWN);
    assert_string_equal(app_proto_name(dpi_app_proto(ID_DNS, ID_GOOGLE)), "dns");
    assert_string_equal(app_proto_name(dpi_app_proto(ID_TLS, ID_YOUTUBE)), "tls");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_capture),      cmocka_unit_test(test_http_capture),
        cmocka_unit_test(test_tls_capture),      cmocka_unit_test(test_dns_google),
        cmocka_unit_test(test_flow_end_settles), cmocka_unit_test(test_pool_bound),
        cmocka_unit_test(test_risk_names),       cmocka_unit_test(test_app_proto_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
