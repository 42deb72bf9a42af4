/* test_detect.c -- the engine: prefilter + verification + alert decisions.
 * Packets and flows are built by hand; rules come from strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"
#include "detect/match.h"
#include "detect/rule_set.h"

#define MAX_ALERTS 32

typedef struct rig {
    rule_set_t *rs;
    detect_engine_t *de;
    uint32_t sids[MAX_ALERTS];
    int n;
} rig_t;

static void on_alert(void *ud, const rule_t *r, const detect_input_t *in)
{
    (void)in;
    rig_t *g = ud;
    if (g->n < MAX_ALERTS) g->sids[g->n++] = r->sid;
}

static rig_t *rig(const char *rules)
{
    static rig_t g;
    memset(&g, 0, sizeof(g));
    rule_set_opts_t o = {.pcre_jit = false};
    g.rs = rule_set_new(&o);
    assert_non_null(g.rs);
    assert_true(rule_set_load_buffer(g.rs, "t.rules", rules, strlen(rules)) >= 0);
    detect_config_t dc = {.threshold_entries = 64};
    char err[256];
    g.de = detect_engine_new(g.rs, &dc, on_alert, &g, err, sizeof(err));
    assert_non_null(g.de);
    return &g;
}

static void rig_free(rig_t *g)
{
    detect_engine_free(g->de);
    rule_set_free(g->rs);
}

/* A TCP packet 10.0.0.1:1234 -> 10.0.0.2:80 in an established flow. */
static void tcp_pkt(packet_t *p, flow_t *f, const char *payload)
{
    memset(p, 0, sizeof(*p));
    memset(f, 0, sizeof(*f));
    p->ip_version = 4;
    p->ip_proto = 6;
    uint8_t s[4] = {10, 0, 0, 1}, d[4] = {10, 0, 0, 2};
    memcpy(p->src.b, s, 4);
    memcpy(p->dst.b, d, 4);
    p->sport = 1234;
    p->dport = 80;
    p->tcp_flags = TH_ACK | TH_PSH;
    p->payload = (const uint8_t *)payload;
    p->payload_len = (uint32_t)strlen(payload);
    p->ts_usec = 1700000000000000LL;
    f->key.ip_version = 4;
    f->key.proto = 6;
    f->key.addr[0] = p->src;
    f->key.addr[1] = p->dst;
    f->key.port[0] = 1234;
    f->key.port[1] = 80;
    f->tcp_state = FLOW_TCP_ESTABLISHED;
    f->pkts[0] = f->pkts[1] = 2;
}

static detect_input_t input(packet_t *p, flow_t *f)
{
    detect_input_t in = {
        .p = p, .f = f, .dir = DIR_TOSERVER, .payload = p->payload, .payload_len = p->payload_len};
    return in;
}

static void test_prefilter_and_verify(void **state)
{
    (void)state;
    rig_t *g =
        rig("alert tcp any any -> any 80 (msg:\"a\"; content:\"evil\"; sid:1;)\n"
            "alert tcp any any -> any 80 (msg:\"b\"; content:\"evil\"; content:\"zzz\"; sid:2;)\n"
            "alert tcp any any -> any 81 (msg:\"c\"; content:\"evil\"; sid:3;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "some evil payload");
    detect_input_t in = input(&p, &f);
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 1); /* 2 needs zzz, 3 wants port 81 */
    assert_int_equal(g->sids[0], 1);
    assert_true(f.flags & FLOW_F_ALERTED);
    rig_free(g);
}

static void test_pass_silences(void **state)
{
    (void)state;
    rig_t *g = rig("alert tcp any any -> any any (msg:\"a\"; content:\"evil\"; sid:1;)\n"
                   "pass tcp any any -> any any (msg:\"ok\"; content:\"allowed\"; sid:2;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "evil but allowed");
    detect_input_t in = input(&p, &f);
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 0);
    assert_true(f.flags & FLOW_F_PASSED);
    tcp_pkt(&p, &f, "evil");
    f.flags |= FLOW_F_PASSED; /* a passed flow is not inspected again */
    in = input(&p, &f);
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 0);
    rig_free(g);
}

/* The isset rule comes first in the file but must see the bit set by the
 * later rule on the same data (setters run first). */
static void test_flowbits_order(void **state)
{
    (void)state;
    rig_t *g =
        rig("alert tcp any any -> any any (msg:\"use\"; content:\"B\"; flowbits:isset,x; sid:1;)\n"
            "alert tcp any any -> any any (msg:\"set\"; content:\"A\"; flowbits:set,x; "
            "flowbits:noalert; sid:2;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "A B");
    detect_input_t in = input(&p, &f);
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->sids[0], 1);
    flowbits_free(f.flowbits);
    rig_free(g);
}

/* Packet pass vs stream pass: a payload rule waits for the stream; a
 * header-only rule and a tcp-pkt rule run on the packet. */
static void test_packet_and_stream_passes(void **state)
{
    (void)state;
    rig_t *g = rig("alert tcp any any -> any any (msg:\"payload\"; content:\"evil\"; sid:1;)\n"
                   "alert tcp any any -> any any (msg:\"psh\"; flags:PA; sid:2;)\n"
                   "alert tcp-pkt any any -> any any (msg:\"pkt\"; content:\"evil\"; sid:3;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "evil");
    detect_input_t in = input(&p, &f);
    in.payload_in_stream = true;
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->sids[0], 2);
    assert_int_equal(g->sids[1], 3);
    g->n = 0;
    in.payload_in_stream = false;
    in.stream = true;
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->sids[0], 1);
    rig_free(g);
}

/* Stream chunks repeat a window of old bytes: a match entirely in the old
 * bytes must not alert again; one that reaches the new bytes must. */
static void test_stream_window_no_repeat(void **state)
{
    (void)state;
    rig_t *g = rig("alert tcp any any -> any any (msg:\"x\"; content:\"SECRET\"; sid:1;)\n"
                   "alert tcp any any -> any any (msg:\"nofp\"; dsize:>0; sid:2;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "old SECRET then new data");
    detect_input_t in = input(&p, &f);
    in.stream = true;
    in.payload_seen = 10; /* "old SECRET" was inspected already */
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 0); /* sid 2: dsize makes it packet-only, never on stream */
    tcp_pkt(&p, &f, "old SECRSECRET");
    in = input(&p, &f);
    in.stream = true;
    in.payload_seen = 8; /* "old SECR" old; a new SECRET ends in new bytes */
    detect_packet(g->de, &in);
    assert_int_equal(g->n, 1);
    rig_free(g);
}

static void test_tx_rules_need_their_buffer(void **state)
{
    (void)state;
    rig_t *g = rig("alert dns any any -> any any (msg:\"q\"; dns.query; content:\"evil\"; sid:1;)\n"
                   "alert udp any any -> any any (msg:\"p\"; content:\"evil\"; sid:2;)\n");
    packet_t p;
    flow_t f;
    tcp_pkt(&p, &f, "evil");
    p.ip_proto = 17;
    f.key.proto = 17;
    f.app_proto = APP_DNS;
    const uint8_t *buf[RULE_BUF_COUNT] = {0};
    uint32_t len[RULE_BUF_COUNT] = {0};
    buf[RULE_BUF_DNS_QUERY] = (const uint8_t *)"www.evil.example";
    len[RULE_BUF_DNS_QUERY] = 16;
    detect_input_t in = input(&p, &f);
    in.buf = buf;
    in.buf_len = len;
    detect_tx(g->de, &in); /* only the tx rule */
    assert_int_equal(g->n, 1);
    assert_int_equal(g->sids[0], 1);
    in.buf = NULL;
    detect_packet(g->de, &in); /* only the packet rule */
    assert_int_equal(g->n, 2);
    assert_int_equal(g->sids[1], 2);
    rig_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefilter_and_verify),
        cmocka_unit_test(test_pass_silences),
        cmocka_unit_test(test_flowbits_order),
        cmocka_unit_test(test_packet_and_stream_passes),
        cmocka_unit_test(test_stream_window_no_repeat),
        cmocka_unit_test(test_tx_rules_need_their_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
