/* test_match_header.c -- a rule's header and its checks without a buffer:
 * protocols, IPv4/IPv6 address groups, ports, "<>", the flow keyword,
 * dsize, flags, itype/icode, ip_proto, tls.version.
 *
 * Rules go through the real parser; the packets are described by hand and
 * each expectation follows from the addresses and numbers written here and
 * Suricata's rule documentation (ranges are inclusive, "a<>b" exclusive,
 * flags modifiers + * !). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/match.h"
#include "detect/rule_set.h"
#include "flow/flow.h"

static rule_set_t *rs;
static uint32_t next_sid = 1;

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(NULL);
    if (!rs) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

static const rule_t *rule(const char *header, const char *opts)
{
    char text[1024];
    snprintf(text, sizeof text, "%s (%s sid:%u;)", header, opts, next_sid++);
    const rule_t *r = rule_set_add_rule(rs, text, "test", 1);
    if (!r) fail_msg("rule refused: %s -- %s", text, rule_set_last_error(rs));
    return r;
}

static soc_addr_t addr(const char *s)
{
    soc_addr_t a;
    memset(&a, 0, sizeof a);
    if (strchr(s, ':'))
        assert_int_equal(inet_pton(AF_INET6, s, a.b), 1);
    else
        assert_int_equal(inet_pton(AF_INET, s, a.b), 1);
    return a;
}

/* A packet of an established flow, to the server, not stream data. */
static match_pkt_t pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
                       uint8_t proto)
{
    match_pkt_t mp;
    memset(&mp, 0, sizeof mp);
    mp.ip_version = strchr(src, ':') ? 6 : 4;
    mp.ip_proto = proto;
    mp.src = addr(src);
    mp.dst = addr(dst);
    mp.sport = sport;
    mp.dport = dport;
    mp.has_flow = true;
    mp.to_server = true;
    mp.established = true;
    return mp;
}

static match_pkt_t tcp4(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    return pkt(src, sport, dst, dport, 6);
}

/* ---- addresses ---- */

static void test_addresses_v4(void **state)
{
    (void)state;
    const rule_t *r = rule("alert tcp 10.0.0.0/8 any -> any any", "");
    assert_true(match_header(r, &(match_pkt_t){0}) == false); /* no IP at all */
    match_pkt_t p = tcp4("10.1.2.3", 1000, "8.8.8.8", 80);
    assert_true(match_header(r, &p));
    p = tcp4("11.0.0.1", 1000, "8.8.8.8", 80);
    assert_false(match_header(r, &p));
    p = tcp4("9.255.255.255", 1000, "8.8.8.8", 80);
    assert_false(match_header(r, &p));
    p = tcp4("10.255.255.255", 1000, "8.8.8.8", 80);
    assert_true(match_header(r, &p));
    p = pkt("2001:db8::1", 1000, "2001:db8::2", 80, 6); /* v4-only group */
    assert_false(match_header(r, &p));

    r = rule("alert tcp any any -> 192.168.1.0/24 any", "");
    p = tcp4("1.1.1.1", 1, "192.168.1.0", 2);
    assert_true(match_header(r, &p));
    p = tcp4("1.1.1.1", 1, "192.168.1.255", 2);
    assert_true(match_header(r, &p));
    p = tcp4("1.1.1.1", 1, "192.168.2.0", 2);
    assert_false(match_header(r, &p));
    p = tcp4("1.1.1.1", 1, "192.168.0.255", 2);
    assert_false(match_header(r, &p));

    /* ranges and lists, several ranges searched by bisection */
    r = rule("alert tcp [192.168.1.10-192.168.1.20,10.0.0.1,172.16.0.0/12] any -> any any", "");
    const char *yes[] = {"192.168.1.10", "192.168.1.20", "192.168.1.15",
                         "10.0.0.1",     "172.16.0.0",   "172.31.255.255"};
    const char *no[] = {"192.168.1.9", "192.168.1.21", "10.0.0.0",       "10.0.0.2",
                        "172.32.0.0",  "0.0.0.0",      "255.255.255.255"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        p = tcp4(yes[i], 1, "1.1.1.1", 2);
        if (!match_header(r, &p)) fail_msg("%s should match", yes[i]);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        p = tcp4(no[i], 1, "1.1.1.1", 2);
        if (match_header(r, &p)) fail_msg("%s should not match", no[i]);
    }

    /* negation */
    r = rule("alert tcp ![10.0.0.0/8,192.168.0.0/16] any -> any any", "");
    p = tcp4("10.1.1.1", 1, "1.1.1.1", 2);
    assert_false(match_header(r, &p));
    p = tcp4("192.168.5.5", 1, "1.1.1.1", 2);
    assert_false(match_header(r, &p));
    p = tcp4("8.8.8.8", 1, "1.1.1.1", 2);
    assert_true(match_header(r, &p));
}

static void test_addresses_v6_and_any(void **state)
{
    (void)state;
    const rule_t *r = rule("alert tcp [2001:db8::/32] any -> any any", "");
    match_pkt_t p = pkt("2001:db8::1", 1, "::1", 2, 6);
    assert_true(match_header(r, &p));
    p = pkt("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::1", 2, 6);
    assert_true(match_header(r, &p));
    p = pkt("2001:db9::", 1, "::1", 2, 6);
    assert_false(match_header(r, &p));
    p = pkt("2001:db7:ffff::1", 1, "::1", 2, 6);
    assert_false(match_header(r, &p));
    p = tcp4("32.1.13.184", 1, "1.1.1.1", 2); /* 2001:0db8 as IPv4 bytes */
    assert_false(match_header(r, &p));

    r = rule("alert tcp any any -> any any", "");
    p = tcp4("1.2.3.4", 1, "5.6.7.8", 2);
    assert_true(match_header(r, &p));
    p = pkt("fe80::1", 1, "ff02::1", 2, 6);
    assert_true(match_header(r, &p));

    /* match_addr directly: NULL and "any" groups, a bad family */
    soc_addr_t a = addr("1.2.3.4");
    assert_true(match_addr(NULL, 4, &a));
    rule_addr_t g = {.any = false};
    assert_false(match_addr(&g, 4, &a));
    assert_false(match_addr(&g, 6, &a));
    g.any = true;
    assert_true(match_addr(&g, 4, &a));
    rule_v4_range_t rg = {0x01020304, 0x01020304};
    rule_addr_t one = {.n4 = 1, .v4 = &rg};
    assert_true(match_addr(&one, 4, &a));
    assert_false(match_addr(&one, 5, &a));
}

/* ---- ports ---- */

static void test_ports(void **state)
{
    (void)state;
    const rule_t *r = rule("alert tcp any any -> any 80", "");
    match_pkt_t p = tcp4("1.1.1.1", 1000, "2.2.2.2", 80);
    assert_true(match_header(r, &p));
    p.dport = 81;
    assert_false(match_header(r, &p));

    r = rule("alert tcp any any -> any [80,443,8000:8080]", "");
    const uint16_t yes[] = {80, 443, 8000, 8080, 8042};
    const uint16_t no[] = {0, 79, 81, 442, 444, 7999, 8081, 65535};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        p.dport = yes[i];
        if (!match_header(r, &p)) fail_msg("port %u should match", yes[i]);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        p.dport = no[i];
        if (match_header(r, &p)) fail_msg("port %u should not match", no[i]);
    }

    r = rule("alert tcp any 1024: -> any any", "");
    p = tcp4("1.1.1.1", 1024, "2.2.2.2", 80);
    assert_true(match_header(r, &p));
    p.sport = 1023;
    assert_false(match_header(r, &p));
    p.sport = 65535;
    assert_true(match_header(r, &p));

    r = rule("alert tcp any any -> any !80", "");
    p = tcp4("1.1.1.1", 1, "2.2.2.2", 80);
    assert_false(match_header(r, &p));
    p.dport = 81;
    assert_true(match_header(r, &p));

    /* UDP and SCTP have ports too */
    r = rule("alert udp any any -> any 53", "");
    p = pkt("1.1.1.1", 5353, "2.2.2.2", 53, 17);
    assert_true(match_header(r, &p));
    r = rule("alert sctp any any -> any 2905", "");
    p = pkt("1.1.1.1", 1, "2.2.2.2", 2905, 132);
    assert_true(match_header(r, &p));

    /* a port-less protocol never matches a rule naming ports */
    r = rule("alert ip any any -> any 80", "");
    p = pkt("1.1.1.1", 0, "2.2.2.2", 80, 1); /* ICMP, whatever the port fields say */
    assert_false(match_header(r, &p));
    p = pkt("1.1.1.1", 0, "2.2.2.2", 80, 6);
    assert_true(match_header(r, &p));
    p.is_fragment = true; /* a fragment has no ports to compare */
    assert_false(match_header(r, &p));
    r = rule("alert ip any any -> any any", "");
    p = pkt("1.1.1.1", 0, "2.2.2.2", 0, 1);
    assert_true(match_header(r, &p));
    p.is_fragment = true;
    assert_true(match_header(r, &p));

    assert_true(match_port(NULL, 5));
    rule_ports_t none = {.any = false};
    assert_false(match_port(&none, 5));
}

static void test_bidirectional(void **state)
{
    (void)state;
    const rule_t *r = rule("alert tcp 10.0.0.1 1234 <> 10.0.0.2 80", "");
    match_pkt_t p = tcp4("10.0.0.1", 1234, "10.0.0.2", 80);
    assert_true(match_header(r, &p));
    p = tcp4("10.0.0.2", 80, "10.0.0.1", 1234); /* the other way */
    assert_true(match_header(r, &p));
    p = tcp4("10.0.0.2", 1234, "10.0.0.1", 80); /* addresses swapped, ports not */
    assert_false(match_header(r, &p));
    p = tcp4("10.0.0.1", 80, "10.0.0.2", 1234); /* ports swapped, addresses not */
    assert_false(match_header(r, &p));

    r = rule("alert tcp 10.0.0.1 1234 -> 10.0.0.2 80", "");
    p = tcp4("10.0.0.2", 80, "10.0.0.1", 1234);
    assert_false(match_header(r, &p));
}

static void test_protocols(void **state)
{
    (void)state;
    match_pkt_t tcp = pkt("1.1.1.1", 1, "2.2.2.2", 2, 6);
    match_pkt_t udp = pkt("1.1.1.1", 1, "2.2.2.2", 2, 17);
    match_pkt_t icmp4 = pkt("1.1.1.1", 0, "2.2.2.2", 0, 1);
    match_pkt_t icmp6 = pkt("::1", 0, "::2", 0, 58);
    match_pkt_t gre = pkt("1.1.1.1", 0, "2.2.2.2", 0, 47);

    const rule_t *r = rule("alert tcp any any -> any any", "");
    assert_true(match_header(r, &tcp));
    assert_false(match_header(r, &udp));
    assert_false(match_header(r, &gre));
    r = rule("alert udp any any -> any any", "");
    assert_true(match_header(r, &udp));
    assert_false(match_header(r, &tcp));
    r = rule("alert icmp any any -> any any", "");
    assert_true(match_header(r, &icmp4));
    assert_true(match_header(r, &icmp6));
    assert_false(match_header(r, &tcp));
    r = rule("alert ip any any -> any any", "");
    assert_true(match_header(r, &gre));
    assert_true(match_header(r, &tcp));
    assert_true(match_header(r, &icmp6));

    /* app protocol: the flow must have been identified as it */
    r = rule("alert http any any -> any any", "");
    assert_false(match_header(r, &tcp));
    tcp.app_proto = APP_HTTP;
    assert_true(match_header(r, &tcp));
    tcp.app_proto = APP_TLS;
    assert_false(match_header(r, &tcp));

    /* ip_proto */
    r = rule("alert ip any any -> any any", "ip_proto:17;");
    assert_true(match_header(r, &udp));
    assert_false(match_header(r, &gre));
    r = rule("alert ip any any -> any any", "ip_proto:!6;");
    assert_false(match_header(r, &tcp));
    assert_true(match_header(r, &gre));
}

/* ---- the flow keyword ---- */

static void test_flow_keyword(void **state)
{
    (void)state;
    match_pkt_t p = tcp4("1.1.1.1", 1, "2.2.2.2", 2);
    const rule_t *r = rule("alert tcp any any -> any any", "flow:to_server,established;");
    assert_true(match_header(r, &p));
    p.to_server = false;
    assert_false(match_header(r, &p));
    p.to_server = true;
    p.established = false;
    assert_false(match_header(r, &p));

    r = rule("alert tcp any any -> any any", "flow:to_client;");
    assert_false(match_header(r, &p));
    p.to_server = false;
    assert_true(match_header(r, &p));
    r = rule("alert tcp any any -> any any", "flow:from_server;"); /* = to_client */
    assert_true(match_header(r, &p));

    r = rule("alert tcp any any -> any any", "flow:not_established;");
    p.established = false;
    assert_true(match_header(r, &p));
    p.established = true;
    assert_false(match_header(r, &p));

    r = rule("alert tcp any any -> any any", "flow:stateless;");
    assert_true(match_header(r, &p));
    p.has_flow = false;
    assert_true(match_header(r, &p));

    /* without a flow there is no direction and nothing is established */
    r = rule("alert tcp any any -> any any", "flow:to_server;");
    assert_false(match_header(r, &p));
    r = rule("alert tcp any any -> any any", "flow:established;");
    p.established = false;
    assert_false(match_header(r, &p));

    p = tcp4("1.1.1.1", 1, "2.2.2.2", 2);
    r = rule("alert tcp any any -> any any", "flow:only_stream;");
    assert_false(match_header(r, &p));
    p.stream = true;
    assert_true(match_header(r, &p));
    r = rule("alert tcp any any -> any any", "flow:no_stream;");
    assert_false(match_header(r, &p));
    p.stream = false;
    assert_true(match_header(r, &p));
    r = rule("alert tcp-pkt any any -> any any", "");
    assert_true(match_header(r, &p));
    p.stream = true;
    assert_false(match_header(r, &p));
    r = rule("alert tcp-stream any any -> any any", "");
    assert_true(match_header(r, &p));

    r = rule("alert ip any any -> any any", "flow:only_frag;");
    assert_false(match_header(r, &p));
    p.frag_rebuilt = true;
    assert_true(match_header(r, &p));
    r = rule("alert ip any any -> any any", "flow:no_frag;");
    assert_false(match_header(r, &p));
}

static void test_flow_established_from_flow(void **state)
{
    (void)state;
    flow_t f;
    memset(&f, 0, sizeof f);
    assert_false(match_flow_established(NULL));
    f.key.proto = 6;
    f.pkts[DIR_TOSERVER] = f.pkts[DIR_TOCLIENT] = 3; /* TCP goes by the state only */
    f.tcp_state = FLOW_TCP_SYN_SENT;
    assert_false(match_flow_established(&f));
    f.tcp_state = FLOW_TCP_SYN_RECV;
    assert_false(match_flow_established(&f));
    f.tcp_state = FLOW_TCP_ESTABLISHED;
    assert_true(match_flow_established(&f));
    f.tcp_state = FLOW_TCP_FIN_WAIT;
    assert_true(match_flow_established(&f));
    f.tcp_state = FLOW_TCP_CLOSED;
    assert_true(match_flow_established(&f));

    memset(&f, 0, sizeof f);
    f.key.proto = 17;
    f.pkts[DIR_TOSERVER] = 5;
    assert_false(match_flow_established(&f));
    f.pkts[DIR_TOCLIENT] = 1;
    assert_true(match_flow_established(&f));

    /* match_pkt_fill copies the packet and asks the flow */
    packet_t p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.ip_proto = 17;
    p.src = addr("10.0.0.1");
    p.dst = addr("10.0.0.2");
    p.sport = 5353;
    p.dport = 53;
    p.payload_len = 42;
    p.reassembled = true;
    f.app_proto = APP_DNS;
    match_pkt_t mp;
    match_pkt_fill(&mp, &p, &f, DIR_TOCLIENT, false);
    assert_int_equal(mp.ip_version, 4);
    assert_int_equal(mp.ip_proto, 17);
    assert_memory_equal(mp.src.b, p.src.b, 16);
    assert_memory_equal(mp.dst.b, p.dst.b, 16);
    assert_int_equal(mp.sport, 5353);
    assert_int_equal(mp.dport, 53);
    assert_int_equal(mp.payload_len, 42);
    assert_true(mp.frag_rebuilt);
    assert_true(mp.has_flow);
    assert_false(mp.to_server);
    assert_true(mp.established);
    assert_int_equal(mp.app_proto, APP_DNS);
    match_pkt_fill(&mp, &p, NULL, DIR_TOSERVER, true);
    assert_false(mp.has_flow);
    assert_false(mp.established);
    assert_true(mp.stream);
}

/* ---- dsize, flags, itype, icode, tls.version ---- */

static void test_dsize(void **state)
{
    (void)state;
    match_pkt_t p = tcp4("1.1.1.1", 1, "2.2.2.2", 2);
    const rule_t *r = rule("alert tcp any any -> any any", "dsize:>10;");
    p.payload_len = 11;
    assert_true(match_header(r, &p));
    p.payload_len = 10;
    assert_false(match_header(r, &p));
    p.payload_len = 11;
    p.stream = true; /* dsize looks at packets only */
    assert_false(match_header(r, &p));
    p.stream = false;
    r = rule("alert tcp any any -> any any", "dsize:5<>10;");
    const uint32_t yes[] = {6, 9}, no[] = {0, 5, 10, 100};
    for (size_t i = 0; i < 2; i++) {
        p.payload_len = yes[i];
        assert_true(match_header(r, &p));
    }
    for (size_t i = 0; i < 4; i++) {
        p.payload_len = no[i];
        assert_false(match_header(r, &p));
    }
    r = rule("alert tcp any any -> any any", "dsize:0;");
    p.payload_len = 0;
    assert_true(match_header(r, &p));
}

static void test_tcp_flags(void **state)
{
    (void)state;
    static const struct {
        const char *opt;
        uint8_t flags;
        bool want;
    } cases[] = {
        {"flags:S;", TH_SYN, true},
        {"flags:S;", TH_SYN | TH_ACK, false}, /* exact */
        {"flags:SA;", TH_SYN | TH_ACK, true},
        {"flags:S+;", TH_SYN | TH_ACK, true}, /* S and maybe others */
        {"flags:S+;", TH_ACK, false},
        {"flags:*SF;", TH_ACK, false}, /* any of S, F */
        {"flags:*SF;", TH_FIN | TH_ACK, true},
        {"flags:!S;", TH_ACK, true}, /* not S */
        {"flags:!S;", TH_SYN, false},
        {"flags:S,CE;", TH_SYN | TH_CWR | TH_ECE, true}, /* C and E ignored */
        {"flags:S,CE;", TH_SYN | TH_CWR | TH_ACK, false},
        {"flags:0;", 0, true},
        {"flags:0;", TH_ACK, false},
        {"flags:FPU;", TH_FIN | TH_PSH | TH_URG, true}, /* the "xmas" scan */
        {"flags:A+;", TH_ACK | TH_PSH, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rule_t *r = rule("alert tcp any any -> any any", cases[i].opt);
        match_pkt_t p = tcp4("1.1.1.1", 1, "2.2.2.2", 2);
        p.tcp_flags = cases[i].flags;
        if (match_header(r, &p) != cases[i].want)
            fail_msg("case %zu: %s on 0x%02x", i, cases[i].opt, cases[i].flags);
    }
    const rule_t *r = rule("alert ip any any -> any any", "flags:S;");
    match_pkt_t p = pkt("1.1.1.1", 1, "2.2.2.2", 2, 17); /* not TCP */
    p.tcp_flags = TH_SYN;
    assert_false(match_header(r, &p));
}

static void test_icmp_checks(void **state)
{
    (void)state;
    match_pkt_t p4 = pkt("1.1.1.1", 0, "2.2.2.2", 0, 1);
    match_pkt_t p6 = pkt("::1", 0, "::2", 0, 58);
    const rule_t *r = rule("alert icmp any any -> any any", "itype:8;");
    p4.icmp_type = 8;
    assert_true(match_header(r, &p4));
    p4.icmp_type = 0;
    assert_false(match_header(r, &p4));
    p6.icmp_type = 128;
    assert_false(match_header(r, &p6));
    r = rule("alert icmp any any -> any any", "itype:>127;");
    assert_true(match_header(r, &p6));
    r = rule("alert icmp any any -> any any", "icode:>0;");
    p4.icmp_code = 0;
    assert_false(match_header(r, &p4));
    p4.icmp_code = 3;
    assert_true(match_header(r, &p4));
    /* protocol 1 over IPv6, 58 over IPv4: no ICMP header of that family */
    r = rule("alert ip any any -> any any", "itype:8;");
    match_pkt_t odd = pkt("::1", 0, "::2", 0, 1);
    odd.icmp_type = 8;
    assert_false(match_header(r, &odd));
    match_pkt_t t = tcp4("1.1.1.1", 1, "2.2.2.2", 2);
    assert_false(match_header(r, &t));
}

static void test_tls_version(void **state)
{
    (void)state;
    match_pkt_t p = tcp4("1.1.1.1", 1, "2.2.2.2", 443);
    p.app_proto = APP_TLS;
    const rule_t *r = rule("alert tls any any -> any any", "tls.version:1.2;");
    assert_false(match_header(r, &p)); /* version not known yet */
    p.tls_version = 0x0303;
    assert_true(match_header(r, &p));
    p.tls_version = 0x0304;
    assert_false(match_header(r, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_v4),
        cmocka_unit_test(test_addresses_v6_and_any),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_bidirectional),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_flow_keyword),
        cmocka_unit_test(test_flow_established_from_flow),
        cmocka_unit_test(test_dsize),
        cmocka_unit_test(test_tcp_flags),
        cmocka_unit_test(test_icmp_checks),
        cmocka_unit_test(test_tls_version),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
