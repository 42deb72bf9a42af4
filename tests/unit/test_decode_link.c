/* test_decode_link.c -- link layers: Ethernet, VLAN/QinQ, SLL, SLL2, BSD
 * loopback, raw IP; and the packet reset / statistics contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_decode_util.h"

/* IPv4 192.168.0.1 -> 192.168.0.2, TTL 64, total length 32, UDP 5000 -> 53,
 * UDP length 12, payload "data". */
static const uint8_t V4UDP[32] = {0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00,
                                  0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0x02, 0x13, 0x88,
                                  0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'd',  'a',  't',  'a'};

/* IPv6 2001:db8::1 -> 2001:db8::2, hop limit 64, payload length 12, UDP
 * 5000 -> 53, length 12, payload "data". */
static const uint8_t V6UDP[52] = {0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d,
                                  0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x13, 0x88, 0x00, 0x35,
                                  0x00, 0x0c, 0x00, 0x00, 'd',  'a',  't',  'a'};

static const uint8_t MAC12[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                  0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

static uint8_t frame[256];

/* frame = hdr followed by pkt; returns the length. */
static size_t cat(const uint8_t *hdr, size_t hlen, const uint8_t *pkt, size_t plen)
{
    memcpy(frame, hdr, hlen);
    memcpy(frame + hlen, pkt, plen);
    return hlen + plen;
}

static int setup(void **state)
{
    static decoder_t d;
    assert_int_equal(decoder_init(&d, NULL), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    decoder_free(*state);
    return 0;
}

/* The V4UDP packet decoded with its IP header at frame offset l3off. */
static void check_v4udp(const packet_t *p, size_t l3off)
{
    const uint8_t src[16] = {192, 168, 0, 1}, dst[16] = {192, 168, 0, 2};
    assert_int_equal(p->ip_version, 4);
    assert_ptr_equal(p->l3, p->frame + l3off);
    assert_int_equal(p->l3_len, 32);
    assert_memory_equal(p->src.b, src, 16);
    assert_memory_equal(p->dst.b, dst, 16);
    assert_int_equal(p->ip_proto, 17);
    assert_int_equal(p->ttl, 64);
    assert_ptr_equal(p->l4, p->frame + l3off + 20);
    assert_int_equal(p->l4_len, 12);
    assert_int_equal(p->sport, 5000);
    assert_int_equal(p->dport, 53);
    assert_ptr_equal(p->payload, p->frame + l3off + 28);
    assert_int_equal(p->payload_len, 4);
    assert_false(p->reassembled);
    assert_int_equal(p->anomaly_count, 0);
}

static void check_v6udp(const packet_t *p, size_t l3off)
{
    const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    assert_int_equal(p->ip_version, 6);
    assert_ptr_equal(p->l3, p->frame + l3off);
    assert_int_equal(p->l3_len, 52);
    assert_memory_equal(p->src.b, src, 16);
    assert_memory_equal(p->dst.b, dst, 16);
    assert_int_equal(p->ip_proto, 17);
    assert_int_equal(p->ttl, 64);
    assert_ptr_equal(p->l4, p->frame + l3off + 40);
    assert_int_equal(p->sport, 5000);
    assert_int_equal(p->dport, 53);
    assert_int_equal(p->payload_len, 4);
    assert_memory_equal(p->payload, "data", 4);
    assert_int_equal(p->anomaly_count, 0);
}

static void test_ethernet_ipv4_padded(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* 14 + 32 = 46 bytes, padded to the 60-byte Ethernet minimum. */
    memset(frame, 0, sizeof(frame));
    cat(ETH_HDR_V4, 14, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, 60), DECODE_OK);
    check_v4udp(&p, 14);
    assert_int_equal(p.vlan_count, 0);
    assert_int_equal(p.ts_usec, 1000000);
    assert_int_equal(p.caplen, 60);
    assert_int_equal(p.wirelen, 60);
    assert_int_equal(d->stats.pkts, 1);
    assert_int_equal(d->stats.bytes, 60);
    assert_int_equal(d->stats.ethernet, 1);
    assert_int_equal(d->stats.ipv4, 1);
    assert_int_equal(d->stats.udp, 1);
    assert_int_equal(d->stats.not_ip, 0);
}

static void test_ethernet_ipv6(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    size_t n = cat(ETH_HDR_V6, 14, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    check_v6udp(&p, 14);
    assert_int_equal(d->stats.ipv6, 1);
}

static void test_vlan_8021q(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* TCI 0xa064: priority 5, VLAN 100. */
    uint8_t hdr[18];
    memcpy(hdr, MAC12, 12);
    memcpy(hdr + 12, (const uint8_t[]){0x81, 0x00, 0xa0, 0x64, 0x08, 0x00}, 6);
    size_t n = cat(hdr, 18, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    assert_int_equal(p.vlan_count, 1);
    assert_int_equal(p.vlan[0], 100);
    check_v4udp(&p, 18);
    assert_int_equal(d->stats.vlan, 1);
    assert_int_equal(d->stats.vlan_qinq, 0);
}

static void test_vlan_qinq(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* 802.1ad outer tag VLAN 200, 802.1Q inner VLAN 100. */
    uint8_t hdr[22];
    memcpy(hdr, MAC12, 12);
    memcpy(hdr + 12, (const uint8_t[]){0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd},
           10);
    size_t n = cat(hdr, 22, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    assert_int_equal(p.vlan_count, 2);
    assert_int_equal(p.vlan[0], 200);
    assert_int_equal(p.vlan[1], 100);
    check_v6udp(&p, 22);
    assert_int_equal(d->stats.vlan, 1);
    assert_int_equal(d->stats.vlan_qinq, 1);

    /* Old-style 0x9100 outer tag, VLAN 4095 (all id bits) under 3000. */
    memcpy(hdr + 12, (const uint8_t[]){0x91, 0x00, 0xff, 0xff, 0x81, 0x00, 0x0b, 0xb8, 0x08, 0x00},
           10);
    n = cat(hdr, 22, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    assert_int_equal(p.vlan_count, 2);
    assert_int_equal(p.vlan[0], 4095);
    assert_int_equal(p.vlan[1], 3000);
    check_v4udp(&p, 22);
}

static void test_vlan_too_many_and_truncated(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    uint8_t hdr[26];
    memcpy(hdr, MAC12, 12);
    memcpy(hdr + 12,
           (const uint8_t[]){0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x81, 0x00, 0x00, 0x03,
                             0x08, 0x00},
           14);
    size_t n = cat(hdr, 26, V4UDP, sizeof(V4UDP));
    /* Third tag: its ethertype is at 20, the tag itself would start at 22. */
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_VLAN_TOO_MANY, 22);
    assert_int_equal(p.ip_version, 0);
    assert_int_equal(d->stats.anomalies[ANOM_VLAN_TOO_MANY], 1);

    /* 802.1Q ethertype but only 3 bytes of tag. */
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 17), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_VLAN_TRUNC, 14);
    /* A complete tag, then nothing: an IPv4 header of 0 bytes. */
    memcpy(hdr + 12, (const uint8_t[]){0x81, 0x00, 0x00, 0x05, 0x08, 0x00}, 6);
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 18), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC, 18);
    assert_int_equal(p.vlan_count, 1);
    assert_int_equal(p.vlan[0], 5);
}

static void test_not_ip(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* ARP request (ethertype 0x0806): 28 bytes after the header. */
    uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44,
                       0x55, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01};
    assert_int_equal(dec(d, &p, LT_ETH, arp, sizeof(arp)), DECODE_NOT_IP);
    /* Everything derived is reset (dec() filled p with 0xA5 first). */
    assert_int_equal(p.ip_version, 0);
    assert_null(p.l3);
    assert_null(p.l4);
    assert_null(p.payload);
    assert_int_equal(p.vlan_count, 0);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.anomaly_count, 0);
    assert_false(p.reassembled);
    /* LLDP, and an 802.3 length field (LLC) instead of an ethertype. */
    arp[12] = 0x88, arp[13] = 0xcc;
    assert_int_equal(dec(d, &p, LT_ETH, arp, sizeof(arp)), DECODE_NOT_IP);
    arp[12] = 0x00, arp[13] = 0x1c;
    assert_int_equal(dec(d, &p, LT_ETH, arp, sizeof(arp)), DECODE_NOT_IP);
    assert_int_equal(d->stats.not_ip, 3);
    assert_int_equal(d->stats.ipv4, 0);
    for (int k = 0; k < ANOM_COUNT; k++)
        assert_int_equal(d->stats.anomalies[k], 0);
}

static void test_pppoe(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* PPPoE session (0x8864): ver/type 0x11, code 0, session 0x0102, length
     * 34 (PPP protocol + IP), PPP protocol 0x0021 (IPv4). */
    uint8_t hdr[22];
    memcpy(hdr, MAC12, 12);
    memcpy(hdr + 12, (const uint8_t[]){0x88, 0x64, 0x11, 0x00, 0x01, 0x02, 0x00, 0x22, 0x00, 0x21},
           10);
    size_t n = cat(hdr, 22, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    check_v4udp(&p, 22);
    /* Compressed protocol field (one byte, 0x57 = IPv6). */
    memcpy(hdr + 12, (const uint8_t[]){0x88, 0x64, 0x11, 0x00, 0x01, 0x02, 0x00, 0x35, 0x57}, 9);
    n = cat(hdr, 21, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_ETH, frame, n), DECODE_OK);
    check_v6udp(&p, 21);
    /* LCP (0xc021) and PPPoE discovery (0x8863) are not IP. */
    memcpy(hdr + 12, (const uint8_t[]){0x88, 0x64, 0x11, 0x00, 0x01, 0x02, 0x00, 0x04, 0xc0, 0x21},
           10);
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 22), DECODE_NOT_IP);
    hdr[13] = 0x63;
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 22), DECODE_NOT_IP);
    /* Session header cut after 7 bytes, the protocol needing 2. */
    hdr[13] = 0x64;
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 21), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_PPPOE_TRUNC, 14);
    assert_int_equal(dec(d, &p, LT_ETH, hdr, 16), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_PPPOE_TRUNC, 14);
}

static void test_ethernet_truncated(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    assert_int_equal(dec(d, &p, LT_ETH, ETH_HDR_V4, 13), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_ETH_TRUNC, 0);
    assert_int_equal(dec(d, &p, LT_ETH, ETH_HDR_V4, 0), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_ETH_TRUNC, 0);
    assert_int_equal(d->stats.anomalies[ANOM_ETH_TRUNC], 2);
}

static void test_sll(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* Linux cooked v1: to us (0), ARPHRD_ETHER (1), address length 6, MAC
     * + 2 pad bytes, protocol 0x0800. */
    const uint8_t sll[16] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11,
                             0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x08, 0x00};
    size_t n = cat(sll, 16, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_SLL, frame, n), DECODE_OK);
    check_v4udp(&p, 16);
    assert_int_equal(d->stats.sll, 1);

    /* Protocol 0x8100: the kernel left a VLAN tag (VLAN 7) in place. */
    uint8_t sllv[20];
    memcpy(sllv, sll, 14);
    memcpy(sllv + 14, (const uint8_t[]){0x81, 0x00, 0x00, 0x07, 0x86, 0xdd}, 6);
    n = cat(sllv, 20, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_SLL, frame, n), DECODE_OK);
    assert_int_equal(p.vlan_count, 1);
    assert_int_equal(p.vlan[0], 7);
    check_v6udp(&p, 20);

    assert_int_equal(dec(d, &p, LT_SLL, sll, 15), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_SLL_TRUNC, 0);
}

static void test_sll2(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* Linux cooked v2: protocol 0x86dd, reserved, ifindex 2, ARPHRD_ETHER,
     * outgoing (4), address length 6, MAC + 2 pad bytes. */
    const uint8_t sll2[20] = {0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
                              0x04, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00};
    size_t n = cat(sll2, 20, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_SLL2, frame, n), DECODE_OK);
    check_v6udp(&p, 20);
    assert_int_equal(d->stats.sll2, 1);
    assert_int_equal(dec(d, &p, LT_SLL2, sll2, 19), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_SLL2_TRUNC, 0);
    /* Protocol 0x0806 (ARP) is not IP. */
    uint8_t arp[20];
    memcpy(arp, sll2, 20);
    arp[0] = 0x08, arp[1] = 0x06;
    assert_int_equal(dec(d, &p, LT_SLL2, arp, 20), DECODE_NOT_IP);
}

static void test_null_and_loop(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* DLT_NULL: family in the capturing host's order, either works. */
    size_t n = cat((const uint8_t[]){0x02, 0x00, 0x00, 0x00}, 4, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_NULL, frame, n), DECODE_OK);
    check_v4udp(&p, 4);
    n = cat((const uint8_t[]){0x00, 0x00, 0x00, 0x02}, 4, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_NULL, frame, n), DECODE_OK);
    check_v4udp(&p, 4);
    /* AF_INET6 as NetBSD (24), FreeBSD (28) and macOS (30) number it. */
    const uint8_t fams[3] = {24, 28, 30};
    for (int i = 0; i < 3; i++) {
        n = cat((const uint8_t[]){fams[i], 0x00, 0x00, 0x00}, 4, V6UDP, sizeof(V6UDP));
        assert_int_equal(dec(d, &p, LT_NULL, frame, n), DECODE_OK);
        check_v6udp(&p, 4);
    }
    /* AF 7 (not IP) and a short header. */
    n = cat((const uint8_t[]){0x07, 0x00, 0x00, 0x00}, 4, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_NULL, frame, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_NULL_UNKNOWN_FAMILY, 0);
    assert_int_equal(dec(d, &p, LT_NULL, frame, 3), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_NULL_TRUNC, 0);

    /* DLT_LOOP: network order only. */
    n = cat((const uint8_t[]){0x00, 0x00, 0x00, 0x18}, 4, V6UDP, sizeof(V6UDP));
    assert_int_equal(dec(d, &p, LT_LOOP, frame, n), DECODE_OK);
    check_v6udp(&p, 4);
    n = cat((const uint8_t[]){0x00, 0x00, 0x00, 0x02}, 4, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_LOOP, frame, n), DECODE_OK);
    check_v4udp(&p, 4);
    n = cat((const uint8_t[]){0x02, 0x00, 0x00, 0x00}, 4, V4UDP, sizeof(V4UDP));
    assert_int_equal(dec(d, &p, LT_LOOP, frame, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_NULL_UNKNOWN_FAMILY, 0);
    assert_int_equal(d->stats.null, 10);
}

static void test_raw(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const int lts[3] = {LT_RAW, LT_RAW14, LT_RAW101};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dec(d, &p, lts[i], V4UDP, sizeof(V4UDP)), DECODE_OK);
        check_v4udp(&p, 0);
        assert_int_equal(dec(d, &p, lts[i], V6UDP, sizeof(V6UDP)), DECODE_OK);
        check_v6udp(&p, 0);
    }
    /* Version 5, and nothing at all. */
    const uint8_t v5[20] = {0x55};
    assert_int_equal(dec(d, &p, LT_RAW, v5, sizeof(v5)), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_RAW_BAD_VERSION, 0);
    assert_int_equal(dec(d, &p, LT_RAW, v5, 0), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC, 0);

    /* DLT_IPV4 / DLT_IPV6 say the version; a mismatch is an anomaly. */
    assert_int_equal(dec(d, &p, LT_IPV4, V4UDP, sizeof(V4UDP)), DECODE_OK);
    check_v4udp(&p, 0);
    assert_int_equal(dec(d, &p, LT_IPV6, V6UDP, sizeof(V6UDP)), DECODE_OK);
    check_v6udp(&p, 0);
    assert_int_equal(dec(d, &p, LT_IPV4, V6UDP, sizeof(V6UDP)), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_WRONG_VERSION, 0);
    assert_int_equal(dec(d, &p, LT_IPV6, V4UDP, sizeof(V4UDP)), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_TRUNC, 0); /* 32 bytes < 40 */
    assert_int_equal(d->stats.raw, 12);
}

static void test_unsupported(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    assert_int_equal(dec(d, &p, 147, V4UDP, sizeof(V4UDP)), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_LINK_UNSUPPORTED, 0);
    const int yes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(decode_linktype_supported(yes[i]));
    assert_false(decode_linktype_supported(105)); /* 802.11 */
    assert_false(decode_linktype_supported(127)); /* radiotap */
    assert_false(decode_linktype_supported(-1));
}

static void test_anomaly_names(void **state)
{
    (void)state;
    assert_string_equal(anomaly_event(ANOM_ETH_TRUNC), "ethernet.pkt_too_small");
    assert_string_equal(anomaly_layer(ANOM_ETH_TRUNC), "ethernet");
    assert_string_equal(anomaly_event(ANOM_IPV4_FRAG_OVERLAP), "ipv4.frag_overlap");
    assert_string_equal(anomaly_layer(ANOM_FRAG_TIMEOUT), "defrag");
    assert_string_equal(anomaly_event(ANOM_COUNT), "unknown");
    for (int k = 0; k < ANOM_COUNT; k++) {
        assert_non_null(anomaly_event(k));
        assert_non_null(strchr(anomaly_event(k), '.'));
    }
}

static void test_anomaly_list_caps(void **state)
{
    (void)state;
    /* A packet holds at most PKT_MAX_ANOMALIES; the stats count them all. */
    decoder_t d;
    assert_int_equal(decoder_init(&d, NULL), 0);
    packet_t p;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dec(&d, &p, LT_ETH, ETH_HDR_V4, 5), DECODE_ANOMALY);
        assert_int_equal(p.anomaly_count, 1);
    }
    assert_int_equal(d.stats.anomalies[ANOM_ETH_TRUNC], 3);
    assert_int_equal(d.stats.pkts, 3);
    assert_int_equal(d.stats.bytes, 15);
    decoder_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ethernet_ipv4_padded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ethernet_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_8021q, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_qinq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_too_many_and_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pppoe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ethernet_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sll2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_and_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported, setup, teardown),
        cmocka_unit_test(test_anomaly_names),
        cmocka_unit_test(test_anomaly_list_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
