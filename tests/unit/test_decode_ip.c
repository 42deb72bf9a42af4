/* test_decode_ip.c -- IPv4 (lengths, options, trailers, snaplen) and IPv6
 * (extension header chain). All frames are Ethernet; offsets below are frame
 * offsets (IP header at 14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test_decode_util.h"

static uint8_t f[512];

static int setup(void **state)
{
    static decoder_t d;
    defrag_config_t cfg = small_defrag(64 * 1024, 64, 30);
    assert_int_equal(decoder_init(&d, &cfg), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    decoder_free(*state);
    return 0;
}

/* ---------------- IPv4 ---------------- */

/* IPv4 with a 24-byte header (4 option bytes given), 10.0.0.1 -> 10.0.0.2,
 * UDP 5000 -> 53 length 12, "data". Total length 36. */
static size_t v4_opts(const uint8_t opt[4])
{
    static const uint8_t hdr[20] = {0x46, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11,
                                    0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
    static const uint8_t udp[12] = {0x13, 0x88, 0x00, 0x35, 0x00, 0x0c,
                                    0x00, 0x00, 'd',  'a',  't',  'a'};
    memcpy(f, ETH_HDR_V4, 14);
    memcpy(f + 14, hdr, 20);
    memcpy(f + 34, opt, 4);
    memcpy(f + 38, udp, 12);
    return 50;
}

static void test_ipv4_options_valid(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[][4] = {
        {0x94, 0x04, 0x00, 0x00}, /* router alert */
        {0x01, 0x01, 0x01, 0x00}, /* NOP NOP NOP EOL */
        {0x00, 0xff, 0x07, 0x63}, /* EOL: the rest is not looked at */
        {0x01, 0x82, 0x02, 0x01}, /* NOP, 2-byte option, NOP */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = v4_opts(ok[i]);
        assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_OK);
        assert_int_equal(p.l3_len, 36);
        assert_ptr_equal(p.l4, f + 38);
        assert_int_equal(p.sport, 5000);
        assert_int_equal(p.payload_len, 4);
        assert_int_equal(p.anomaly_count, 0);
    }
}

static void test_ipv4_options_malformed(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    struct {
        uint8_t opt[4];
        anomaly_kind_t kind;
        uint16_t off;
    } bad[] = {
        {{0x01, 0x83, 0x01, 0x00}, ANOM_IPV4_OPT_INVALID, 35},   /* LSRR length 1 */
        {{0x44, 0x00, 0x00, 0x00}, ANOM_IPV4_OPT_INVALID, 34},   /* timestamp length 0 */
        {{0x07, 0x09, 0x04, 0x00}, ANOM_IPV4_OPT_MALFORMED, 34}, /* RR length 9 > 4 left */
        {{0x01, 0x01, 0x01, 0x07}, ANOM_IPV4_OPT_MALFORMED, 37}, /* no length byte */
        {{0x01, 0x94, 0x04, 0x00}, ANOM_IPV4_OPT_MALFORMED, 35}, /* RA runs 1 byte over */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = v4_opts(bad[i].opt);
        assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_ANOMALY);
        assert_one_anomaly(&p, bad[i].kind, bad[i].off);
        /* The addresses were good before the options were looked at. */
        assert_int_equal(p.ip_version, 4);
        assert_int_equal(p.src.b[3], 1);
        assert_int_equal(p.dst.b[3], 2);
        assert_int_equal(p.ip_proto, 17);
        assert_null(p.l4);
        assert_int_equal(p.sport, 0);
    }
}

static void test_ipv4_max_header(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* IHL 15: 40 option bytes of NOP, then UDP. Total 60 + 12 = 72. */
    memcpy(f, ETH_HDR_V4, 14);
    const uint8_t hdr[20] = {0x4f, 0x00, 0x00, 0x48, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11,
                             0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
    memcpy(f + 14, hdr, 20);
    memset(f + 34, 0x01, 40);
    memcpy(f + 74, (const uint8_t[]){0x13, 0x88, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'd', 'a', 't', 'a'},
           12);
    assert_int_equal(dec(d, &p, LT_ETH, f, 86), DECODE_OK);
    assert_ptr_equal(p.l4, f + 74);
    assert_int_equal(p.l3_len, 72);
    /* The same header with only 59 bytes of it captured. */
    assert_int_equal(dec(d, &p, LT_ETH, f, 14 + 59), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC, 14);
}

static void test_ipv4_bad_lengths(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x01};
    size_t n = v4_opts(ok);

    f[14] = 0x44; /* IHL 4 = 16 bytes */
    assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_HLEN_TOO_SMALL, 14);
    assert_int_equal(p.ip_version, 0);

    n = v4_opts(ok);
    put16(f + 16, 23); /* total length 23 < header 24 */
    assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_IPLEN_SMALLER_THAN_HLEN, 16);
    assert_int_equal(p.ip_version, 0);

    n = v4_opts(ok);
    f[14] = 0x65; /* version 6 under ethertype IPv4 */
    assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_WRONG_VERSION, 14);

    n = v4_opts(ok);
    assert_int_equal(dec(d, &p, LT_ETH, f, 14 + 19), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC, 14);
    /* The datagram claims 36 bytes and the frame, captured whole, holds 34:
     * truncated on the wire. Flagged once, then decoded as far as it goes
     * (the UDP length is judged against the claimed IP length). */
    assert_int_equal(dec(d, &p, LT_ETH, f, 14 + 34), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC_PKT, 16);
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.l3_len, 34);
    assert_int_equal(p.dst.b[3], 2);
    assert_ptr_equal(p.l4, f + 38);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.payload_len, 2);
    /* Cut inside the UDP header: that is a second anomaly. */
    assert_int_equal(dec(d, &p, LT_ETH, f, 14 + 30), DECODE_ANOMALY);
    assert_int_equal(p.anomaly_count, 2);
    assert_int_equal(p.anomalies[0].kind, ANOM_IPV4_TRUNC_PKT);
    assert_int_equal(p.anomalies[1].kind, ANOM_UDP_TRUNC);
    assert_int_equal(p.anomalies[1].offset, 38);
    assert_int_equal(p.l3_len, 30);
    assert_null(p.l4);
    assert_int_equal(d->stats.ipv4, 6);
}

static void test_ipv4_snaplen(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x01};
    v4_opts(ok);
    /* 46 of 50 bytes kept by the snaplen: not an anomaly; UDP length 12
     * claims 4 bytes more than captured, which the wire had. */
    assert_int_equal(dec_snap(d, &p, LT_ETH, f, 46, 50), DECODE_OK);
    assert_int_equal(p.anomaly_count, 0);
    assert_int_equal(p.l3_len, 32);
    assert_int_equal(p.l4_len, 8);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.payload_len, 0);
    /* The wire frame itself (48) was shorter than the IP total length. */
    assert_int_equal(dec_snap(d, &p, LT_ETH, f, 46, 48), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_TRUNC_PKT, 16);
}

static void test_ipv4_tso_zero_length(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x01};
    v4_opts(ok);
    /* Total length 0 (a TSO send captured on the host): the frame's 36 IP
     * bytes are the datagram. */
    put16(f + 16, 0);
    assert_int_equal(dec(d, &p, LT_ETH, f, 50), DECODE_OK);
    assert_int_equal(p.l3_len, 36);
    assert_int_equal(p.payload_len, 4);
    assert_int_equal(p.anomaly_count, 0);
    /* With a snaplen, the wire length counts. */
    assert_int_equal(dec_snap(d, &p, LT_ETH, f, 46, 50), DECODE_OK);
    assert_int_equal(p.l3_len, 32);
    assert_int_equal(p.sport, 5000);
}

static void test_ipv4_trailer_cut(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x01};
    v4_opts(ok);
    /* Ethernet padding to 60 bytes plus a 4-byte FCS: l3_len stays 36 and
     * nothing of the trailer reaches the UDP payload. */
    memset(f + 50, 0xee, 14);
    assert_int_equal(dec(d, &p, LT_ETH, f, 64), DECODE_OK);
    assert_int_equal(p.l3_len, 36);
    assert_int_equal(p.l4_len, 12);
    assert_int_equal(p.payload_len, 4);
    assert_memory_equal(p.payload, "data", 4);
}

static void test_ipv4_other_proto(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    const uint8_t ok[4] = {0x01, 0x01, 0x01, 0x01};
    v4_opts(ok);
    f[14 + 9] = 47; /* GRE */
    assert_int_equal(dec(d, &p, LT_ETH, f, 50), DECODE_OK);
    assert_int_equal(p.ip_proto, 47);
    assert_ptr_equal(p.l4, f + 38);
    assert_int_equal(p.l4_len, 12);
    assert_int_equal(p.sport, 0);
    assert_null(p.payload);
    assert_int_equal(d->stats.other_ip, 1);
}

/* ---------------- IPv6 ---------------- */

/* IPv6 header 2001:db8::1 -> 2001:db8::2 with payload length plen and
 * first next header nh, written at f + 14. */
static void v6_hdr(uint16_t plen, uint8_t nh)
{
    memcpy(f, ETH_HDR_V6, 14);
    uint8_t *ip = f + 14;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    put16(ip + 4, plen);
    ip[6] = nh;
    ip[7] = 64;
    ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
    ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
}

/* TCP 1234 -> 443, seq 0x11223344, ack 0x55667788, PSH|ACK, window 512,
 * no options, payload "abcd". */
static const uint8_t TCP_ABCD[24] = {0x04, 0xd2, 0x01, 0xbb, 0x11, 0x22, 0x33, 0x44,
                                     0x55, 0x66, 0x77, 0x88, 0x50, 0x18, 0x02, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 'a',  'b',  'c',  'd'};

static void test_ipv6_hbh_dstopts_tcp(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    v6_hdr(8 + 8 + 24, 0);
    /* Hop-by-hop: next 60, length 0 (8 bytes), PadN of 4. */
    memcpy(f + 54, (const uint8_t[]){60, 0, 0x01, 0x04, 0, 0, 0, 0}, 8);
    /* Destination options: next TCP, Pad1, Pad1, PadN of 2. */
    memcpy(f + 62, (const uint8_t[]){6, 0, 0x00, 0x00, 0x01, 0x02, 0, 0}, 8);
    memcpy(f + 70, TCP_ABCD, 24);
    assert_int_equal(dec(d, &p, LT_ETH, f, 94), DECODE_OK);
    const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    assert_int_equal(p.ip_version, 6);
    assert_memory_equal(p.src.b, src, 16);
    assert_int_equal(p.dst.b[15], 2);
    assert_int_equal(p.ttl, 64);
    assert_ptr_equal(p.l3, f + 14);
    assert_int_equal(p.l3_len, 80);
    assert_int_equal(p.ip_proto, 6);
    assert_ptr_equal(p.l4, f + 70);
    assert_int_equal(p.l4_len, 24);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.dport, 443);
    assert_int_equal(p.tcp_seq, 0x11223344u);
    assert_int_equal(p.tcp_ack, 0x55667788u);
    assert_int_equal(p.tcp_flags, TH_PSH | TH_ACK);
    assert_int_equal(p.tcp_win, 512);
    assert_int_equal(p.payload_len, 4);
    assert_memory_equal(p.payload, "abcd", 4);
    assert_int_equal(p.anomaly_count, 0);
    assert_int_equal(d->stats.ipv6, 1);
    assert_int_equal(d->stats.tcp, 1);
}

static void test_ipv6_routing_ah_atomic_frag(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* Routing (8 bytes) -> AH (payload len 4: (4+2)*4 = 24 bytes) ->
     * atomic fragment header (offset 0, M=0) -> TCP. */
    v6_hdr(8 + 24 + 8 + 24, 43);
    memcpy(f + 54, (const uint8_t[]){51, 0, 0, 0, 0, 0, 0, 0}, 8);
    memset(f + 62, 0, 24);
    f[62] = 44, f[63] = 4;
    memcpy(f + 86, (const uint8_t[]){6, 0, 0, 0, 0, 0, 0, 9}, 8);
    memcpy(f + 94, TCP_ABCD, 24);
    assert_int_equal(dec(d, &p, LT_ETH, f, 118), DECODE_OK);
    assert_int_equal(p.ip_proto, 6);
    assert_ptr_equal(p.l4, f + 94);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.payload_len, 4);
    assert_int_equal(d->stats.frag_ipv6, 0); /* atomic: not a real fragment */
}

static void test_ipv6_esp_and_no_next(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    v6_hdr(16, 50); /* ESP: opaque from here */
    memset(f + 54, 0x77, 16);
    assert_int_equal(dec(d, &p, LT_ETH, f, 70), DECODE_OK);
    assert_int_equal(p.ip_proto, 50);
    assert_ptr_equal(p.l4, f + 54);
    assert_int_equal(p.l4_len, 16);
    assert_int_equal(p.sport, 0);

    /* Destination options then No Next Header (59). */
    v6_hdr(8, 60);
    memcpy(f + 54, (const uint8_t[]){59, 0, 0x01, 0x04, 0, 0, 0, 0}, 8);
    assert_int_equal(dec(d, &p, LT_ETH, f, 62), DECODE_OK);
    assert_int_equal(p.ip_proto, 59);
    assert_int_equal(p.l4_len, 0);
    assert_int_equal(d->stats.other_ip, 2);
}

/* n destination-options headers (8 bytes each) and a UDP header. */
static size_t v6_dstopts_chain(int n)
{
    v6_hdr((uint16_t)(n * 8 + 8), 60);
    uint8_t *h = f + 54;
    for (int i = 0; i < n; i++, h += 8)
        memcpy(h, (const uint8_t[]){i + 1 < n ? 60 : 17, 0, 0x01, 0x04, 0, 0, 0, 0}, 8);
    memcpy(h, (const uint8_t[]){0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}, 8);
    return 54 + (size_t)n * 8 + 8;
}

static void test_ipv6_too_many_ext(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    size_t n = v6_dstopts_chain(8); /* the cap: still fine */
    assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_OK);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.payload_len, 0);

    n = v6_dstopts_chain(9);
    assert_int_equal(dec(d, &p, LT_ETH, f, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_TOO_MANY, 54 + 64);
    assert_int_equal(p.ip_version, 6);
    assert_null(p.l4);
}

static void test_ipv6_ext_truncated(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* Hop-by-hop says 16 bytes; the payload has 8. */
    v6_hdr(8, 0);
    memcpy(f + 54, (const uint8_t[]){17, 1, 0x01, 0x04, 0, 0, 0, 0}, 8);
    assert_int_equal(dec(d, &p, LT_ETH, f, 62), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_TRUNC, 54);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.dst.b[15], 2);
    /* One byte of extension header. */
    v6_hdr(1, 60);
    f[54] = 17;
    assert_int_equal(dec(d, &p, LT_ETH, f, 55), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_TRUNC, 54);
    /* A fragment header needs 8 bytes. */
    v6_hdr(7, 44);
    memset(f + 54, 0, 7);
    assert_int_equal(dec(d, &p, LT_ETH, f, 61), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_TRUNC, 54);
}

static void test_ipv6_ext_bad_optlen(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* PadN of 5 needs 7 bytes; 6 are left in the header. */
    v6_hdr(8, 0);
    memcpy(f + 54, (const uint8_t[]){17, 0, 0x01, 0x05, 0, 0, 0, 0}, 8);
    assert_int_equal(dec(d, &p, LT_ETH, f, 62), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_BAD_OPTLEN, 54);
    /* An option type in the last byte, without its length. */
    memcpy(f + 54, (const uint8_t[]){17, 0, 0x01, 0x03, 0, 0, 0, 0x05}, 8);
    assert_int_equal(dec(d, &p, LT_ETH, f, 62), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_EXTHDR_BAD_OPTLEN, 54);
}

static void test_ipv6_bad_lengths(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    v6_hdr(8, 17);
    memcpy(f + 54, (const uint8_t[]){0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}, 8);
    assert_int_equal(dec(d, &p, LT_ETH, f, 14 + 39), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_TRUNC, 14);
    assert_int_equal(p.ip_version, 0);
    /* Payload length 8, frame holds 4 of it, captured whole: flagged, and
     * the UDP header left is too short. */
    assert_int_equal(dec(d, &p, LT_ETH, f, 58), DECODE_ANOMALY);
    assert_int_equal(p.anomaly_count, 2);
    assert_int_equal(p.anomalies[0].kind, ANOM_IPV6_TRUNC_PKT);
    assert_int_equal(p.anomalies[0].offset, 18);
    assert_int_equal(p.anomalies[1].kind, ANOM_UDP_TRUNC);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.l3_len, 44);
    assert_null(p.l4);
    /* Same bytes, but the snaplen cut them: UDP header short, ports unknown. */
    assert_int_equal(dec_snap(d, &p, LT_ETH, f, 58, 62), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_UDP_TRUNC, 54);
    /* And the snaplen after the UDP header: fine. */
    v6_hdr(12, 17);
    memcpy(f + 54, (const uint8_t[]){0x13, 0x88, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00}, 8);
    assert_int_equal(dec_snap(d, &p, LT_ETH, f, 62, 66), DECODE_OK);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.payload_len, 0);
    /* Version 4 under ethertype IPv6. */
    f[14] = 0x45;
    assert_int_equal(dec(d, &p, LT_ETH, f, 62), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_WRONG_VERSION, 14);
}

static void test_ipv6_trailer_cut(void **state)
{
    decoder_t *d = *state;
    packet_t p;
    /* 62-byte frame + 4 junk bytes after the IPv6 payload. */
    v6_hdr(8, 17);
    memcpy(f + 54, (const uint8_t[]){0x13, 0x88, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00}, 8);
    memset(f + 62, 0xee, 4);
    assert_int_equal(dec(d, &p, LT_ETH, f, 66), DECODE_OK);
    assert_int_equal(p.l3_len, 48);
    assert_int_equal(p.l4_len, 8);
    assert_int_equal(p.payload_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ipv4_options_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_options_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_max_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_bad_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_snaplen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_tso_zero_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_trailer_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv4_other_proto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_hbh_dstopts_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_routing_ah_atomic_frag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_esp_and_no_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_too_many_ext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_ext_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_ext_bad_optlen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_bad_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_trailer_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
