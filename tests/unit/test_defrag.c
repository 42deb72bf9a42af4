/* test_defrag.c -- IPv4 and IPv6 fragment reassembly through decode_packet:
 * order, overlaps (first wins), duplicates, timeout, memory and tracker
 * bounds, size limits; and two public captures checked against tshark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "decode/defrag.h"
#include "test_decode_util.h"

#define SEC 1000000LL

/* The datagram payload every test cuts up: UDP 1000 -> 2000, length 40,
 * then 32 data bytes (i * 7 + 3 for i = 8..39). */
static uint8_t D[40];
static uint8_t fr[2048];

static void init_payload(void)
{
    const uint8_t udp[8] = {0x03, 0xe8, 0x07, 0xd0, 0x00, 0x28, 0x00, 0x00};
    memcpy(D, udp, 8);
    for (int i = 8; i < 40; i++)
        D[i] = (uint8_t)(i * 7 + 3);
}

static decoder_t *new_decoder(uint32_t memcap, uint32_t trackers, uint32_t timeout)
{
    static decoder_t d;
    defrag_config_t cfg = small_defrag(memcap, trackers, timeout);
    assert_int_equal(decoder_init(&d, &cfg), 0);
    init_payload();
    return &d;
}

static int teardown(void **state)
{
    (void)state;
    return 0;
}

/* IPv4 fragment [off, off+len) of D, datagram id, at time ts. */
static decode_result_t v4(decoder_t *d, packet_t *p, uint16_t id, uint32_t off, uint32_t len,
                          bool mf, int64_t ts)
{
    size_t n = mk_v4_frag(fr, id, 17, off, mf, D + off, len);
    return dec_at(d, p, LT_ETH, fr, n, ts);
}

static void usage_is(decoder_t *d, uint32_t trackers, uint32_t bytes)
{
    uint32_t t, b;
    defrag_usage(d->defrag, &t, &b);
    assert_int_equal(t, trackers);
    assert_int_equal(b, bytes);
}

/* One's-complement sum of the header including its checksum is 0xffff. */
static void assert_ipv4_checksum_ok(const uint8_t *h, unsigned hlen)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < hlen; i += 2)
        sum += (uint32_t)h[i] << 8 | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
}

/* The rebuilt D: IPv4 header of 20 with total length 60, MF/offset 0. */
static void assert_rebuilt_v4(const packet_t *p)
{
    const uint8_t src[16] = {10, 1, 1, 1}, dst[16] = {10, 2, 2, 2};
    assert_true(p->reassembled);
    assert_int_equal(p->ip_version, 4);
    assert_memory_equal(p->src.b, src, 16);
    assert_memory_equal(p->dst.b, dst, 16);
    assert_int_equal(p->l3_len, 60);
    assert_int_equal(p->l3[2] << 8 | p->l3[3], 60);
    assert_int_equal(p->l3[6], 0);
    assert_int_equal(p->l3[7], 0);
    assert_ipv4_checksum_ok(p->l3, 20);
    assert_ptr_equal(p->l4, p->l3 + 20);
    assert_int_equal(p->l4_len, 40);
    assert_int_equal(p->ip_proto, 17);
    assert_int_equal(p->sport, 1000);
    assert_int_equal(p->dport, 2000);
    assert_ptr_equal(p->payload, p->l3 + 28);
    assert_int_equal(p->payload_len, 32);
}

static void test_v4_in_order(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 7, 0, 16, true, SEC), DECODE_HELD);
    /* A held fragment still says who talks to whom, and the first one the
     * ports. */
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.src.b[0], 10);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.sport, 1000);
    assert_int_equal(p.dport, 2000);
    assert_null(p.l4);
    assert_false(p.reassembled);
    assert_int_equal(p.anomaly_count, 0);
    usage_is(d, 1, 2 * DEFRAG_PAGE_SIZE); /* header page + data page */

    assert_int_equal(v4(d, &p, 7, 16, 16, true, SEC), DECODE_HELD);
    assert_int_equal(p.sport, 1000); /* known from the first fragment */
    assert_int_equal(v4(d, &p, 7, 32, 8, false, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);
    assert_memory_equal(p.payload, D + 8, 32);
    assert_int_equal(p.anomaly_count, 0);
    usage_is(d, 0, 0);
    assert_int_equal(d->stats.frag_ipv4, 3);
    assert_int_equal(d->stats.reassembled, 1);
    assert_int_equal(d->stats.ipv4, 3);
    assert_int_equal(d->stats.udp, 1);
    decoder_free(d);
}

static void test_v4_out_of_order(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 8, 32, 8, false, SEC), DECODE_HELD);
    assert_int_equal(p.sport, 0); /* first fragment not seen yet */
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(v4(d, &p, 8, 16, 16, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 8, 0, 16, true, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);
    assert_memory_equal(p.payload, D + 8, 32);
    decoder_free(d);
}

static void test_v4_overlap_same_bytes(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 9, 0, 24, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 9, 16, 24, false, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);
    assert_memory_equal(p.payload, D + 8, 32);
    assert_int_equal(p.anomaly_count, 0);
    decoder_free(d);
}

static void test_v4_overlap_differs_first_wins(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 10, 0, 24, true, SEC), DECODE_HELD);
    /* A fragment inside what is held, with other bytes. */
    uint8_t evil[40];
    memcpy(evil, D, 40);
    memset(evil + 8, 0xee, 8);
    size_t n = mk_v4_frag(fr, 10, 17, 8, true, evil + 8, 8);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_HELD);
    assert_one_anomaly(&p, ANOM_IPV4_FRAG_OVERLAP, 14);
    /* The tail, overlapping 16..24 with other bytes. */
    memset(evil + 16, 0xdd, 24);
    n = mk_v4_frag(fr, 10, 17, 16, false, evil + 16, 24);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_FRAG_OVERLAP, 14);
    assert_rebuilt_v4(&p);
    /* 8..24 from the first fragment, 24..40 from the last. */
    assert_memory_equal(p.payload, D + 8, 16);
    assert_memory_equal(p.payload + 16, evil + 24, 16);
    assert_int_equal(d->stats.anomalies[ANOM_IPV4_FRAG_OVERLAP], 2);
    decoder_free(d);
}

static void test_v4_duplicate(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 11, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 11, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(p.anomaly_count, 0);
    assert_int_equal(v4(d, &p, 11, 16, 24, false, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);
    assert_int_equal(p.anomaly_count, 0);
    /* The datagram is gone once complete: a late duplicate starts anew. */
    assert_int_equal(v4(d, &p, 11, 16, 24, false, SEC), DECODE_HELD);
    usage_is(d, 1, DEFRAG_PAGE_SIZE);
    decoder_free(d);
}

static void test_v4_last_fragment_conflicts(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    /* Two different ends: the first (40) stands. */
    assert_int_equal(v4(d, &p, 12, 32, 8, false, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 12, 24, 8, false, SEC), DECODE_HELD);
    assert_one_anomaly(&p, ANOM_IPV4_FRAG_OVERLAP, 14);
    assert_int_equal(v4(d, &p, 12, 0, 24, true, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);

    /* An end (16) shorter than data already held (0..24): cut there. The
     * rebuilt datagram then has 16 payload bytes, so its UDP header (length
     * 40) is too long; that anomaly's offset is this frame's IP header (14)
     * plus 20 + 4 into the datagram. */
    assert_int_equal(v4(d, &p, 13, 0, 24, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 13, 8, 8, false, SEC), DECODE_ANOMALY);
    assert_true(p.reassembled);
    assert_int_equal(p.l3_len, 36);
    assert_int_equal(p.anomaly_count, 2);
    assert_int_equal(p.anomalies[0].kind, ANOM_IPV4_FRAG_OVERLAP);
    assert_int_equal(p.anomalies[0].offset, 14);
    assert_int_equal(p.anomalies[1].kind, ANOM_UDP_TRUNC);
    assert_int_equal(p.anomalies[1].offset, 38);
    assert_int_equal(p.sport, 1000);
    decoder_free(d);
}

static void test_v4_timeout(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 64, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 14, 0, 16, true, 1 * SEC), DECODE_HELD);
    decoder_expire(d, 31 * SEC); /* exactly 30 s old: kept */
    usage_is(d, 1, 2 * DEFRAG_PAGE_SIZE);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_TIMEOUT], 0);
    decoder_expire(d, 31 * SEC + 1);
    usage_is(d, 0, 0);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_TIMEOUT], 1);
    /* The rest comes too late: a new partial datagram, never complete. */
    assert_int_equal(v4(d, &p, 14, 16, 24, false, 32 * SEC), DECODE_HELD);
    assert_int_equal(p.anomaly_count, 0); /* timeouts are counted, not pinned on packets */
    /* Old trackers also go when a later fragment arrives. */
    assert_int_equal(v4(d, &p, 15, 0, 16, true, 40 * SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 16, 0, 16, true, 71 * SEC), DECODE_HELD);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_TIMEOUT], 3);
    usage_is(d, 1, 2 * DEFRAG_PAGE_SIZE);
    decoder_free(d);
}

static void test_v4_memcap(void **state)
{
    /* Room for 4 pages: two first fragments (header + data page each). */
    decoder_t *d = new_decoder(4 * DEFRAG_PAGE_SIZE, 16, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 1, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 2, 0, 16, true, SEC + 1), DECODE_HELD);
    usage_is(d, 2, 4 * DEFRAG_PAGE_SIZE);
    /* A third datagram pushes out the oldest (1). */
    assert_int_equal(v4(d, &p, 3, 0, 16, true, SEC + 2), DECODE_HELD);
    assert_int_equal(p.anomaly_count, 0);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_MEMCAP], 1);
    usage_is(d, 2, 4 * DEFRAG_PAGE_SIZE);
    /* 1's tail starts over (evicting 2) and cannot complete. */
    assert_int_equal(v4(d, &p, 1, 16, 24, false, SEC + 3), DECODE_HELD);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_MEMCAP], 2);
    usage_is(d, 2, 3 * DEFRAG_PAGE_SIZE);
    /* 3 is intact and completes. */
    assert_int_equal(v4(d, &p, 3, 16, 24, false, SEC + 4), DECODE_OK);
    assert_rebuilt_v4(&p);
    decoder_free(d);

    /* One page in all: a first fragment needs two, and there is nobody to
     * evict: the fragment is dropped. */
    d = new_decoder(DEFRAG_PAGE_SIZE, 16, 30);
    assert_int_equal(v4(d, &p, 1, 0, 16, true, SEC), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_FRAG_MEMCAP, 14);
    assert_int_equal(p.ip_version, 4);
    usage_is(d, 0, 0);
    decoder_free(d);
}

static void test_v4_trackers_exhausted(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 2, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v4(d, &p, 1, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 2, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(v4(d, &p, 3, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_MEMCAP], 1);
    assert_int_equal(v4(d, &p, 2, 16, 24, false, SEC), DECODE_OK);
    assert_rebuilt_v4(&p);
    assert_int_equal(v4(d, &p, 1, 16, 24, false, SEC), DECODE_HELD); /* 1 was evicted */
    decoder_free(d);
}

static void test_v4_too_large(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    uint8_t data[16] = {0};
    /* 65496 + 16 + 20-byte header = 65532: fits. */
    size_t n = mk_v4_frag(fr, 5, 17, 65496, true, data, 16);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_HELD);
    /* 65528 (largest offset) + 16 + 20 > 65535. */
    n = mk_v4_frag(fr, 5, 17, 65528, false, data, 16);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV4_FRAG_TOO_LARGE, 14);
    assert_int_equal(d->stats.anomalies[ANOM_IPV4_FRAG_TOO_LARGE], 1);
    decoder_free(d);
}

static void test_v4_too_many_ranges(void **state)
{
    decoder_t *d = new_decoder(256 * 1024, 16, 30);
    *state = d;
    packet_t p;
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* 16 islands with holes between them are accepted, the 17th is not. */
    for (uint32_t k = 0; k < 16; k++) {
        size_t n = mk_v4_frag(fr, 6, 17, k * 16, true, data, 8);
        assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_HELD);
    }
    size_t n = mk_v4_frag(fr, 6, 17, 16 * 16, true, data, 8);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_FRAG_TOO_MANY_RANGES, 14);
    usage_is(d, 0, 0); /* the datagram was dropped */
    decoder_free(d);
}

static void test_v4_spanning_pages(void **state)
{
    decoder_t *d = new_decoder(256 * 1024, 16, 30);
    *state = d;
    packet_t p;
    /* A 5000-byte UDP datagram in 1480-byte fragments (as a 1500 MTU cuts
     * it), last one first, so data crosses 2 KiB page edges both ways. */
    static uint8_t big[5000];
    for (int i = 0; i < 5000; i++)
        big[i] = (uint8_t)(i * 31 + 1);
    memcpy(big, (const uint8_t[]){0x03, 0xe8, 0x07, 0xd0, 0x13, 0x88, 0, 0}, 8);
    const uint32_t offs[4] = {4440, 1480, 2960, 0};
    for (int k = 0; k < 4; k++) {
        const uint32_t len = offs[k] == 4440 ? 560 : 1480;
        size_t n = mk_v4_frag(fr, 77, 17, offs[k], offs[k] != 4440, big + offs[k], len);
        decode_result_t r = dec(d, &p, LT_ETH, fr, n);
        assert_int_equal(r, k < 3 ? DECODE_HELD : DECODE_OK);
    }
    assert_int_equal(p.l3_len, 5020);
    assert_int_equal(p.payload_len, 4992);
    assert_memory_equal(p.payload, big + 8, 4992);
    decoder_free(d);
}

static void test_v4_vlan_is_key(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    /* Same addresses and id, VLAN 10 vs VLAN 20: two datagrams. */
    uint8_t tagged[128];
    for (int v = 0; v < 2; v++) {
        const uint32_t off = v ? 16 : 0, len = v ? 24 : 16;
        size_t n = mk_v4_frag(fr, 3, 17, off, !v, D + off, len);
        memcpy(tagged, fr, 12);
        memcpy(tagged + 12, (const uint8_t[]){0x81, 0x00, 0x00, (uint8_t)(10 + 10 * v)}, 4);
        memcpy(tagged + 16, fr + 12, n - 12);
        assert_int_equal(dec(d, &p, LT_ETH, tagged, n + 4), DECODE_HELD);
    }
    usage_is(d, 2, 3 * DEFRAG_PAGE_SIZE);
    decoder_free(d);
}

static void test_v4_reassembly_off(void **state)
{
    decoder_t *d = new_decoder(0, 0, 30);
    *state = d;
    assert_null(d->defrag);
    packet_t p;
    assert_int_equal(v4(d, &p, 1, 0, 16, true, SEC), DECODE_HELD);
    assert_int_equal(p.sport, 1000);
    assert_int_equal(p.dport, 2000);
    assert_int_equal(v4(d, &p, 1, 16, 24, false, SEC), DECODE_HELD);
    assert_int_equal(p.sport, 0);
    assert_int_equal(d->stats.frag_ipv4, 2);
    decoder_expire(d, 100 * SEC); /* harmless */
    decoder_free(d);
}

static void test_v4_snaplen_fragment(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    size_t n = mk_v4_frag(fr, 1, 17, 0, true, D, 16);
    /* 4 bytes lost to the snaplen: held, but not stored (cannot be rebuilt). */
    assert_int_equal(dec_snap(d, &p, LT_ETH, fr, n - 4, n), DECODE_HELD);
    assert_int_equal(p.sport, 1000);
    assert_int_equal(p.anomaly_count, 0);
    usage_is(d, 0, 0);
    decoder_free(d);
}

/* ---------------- IPv6 ---------------- */

static decode_result_t v6(decoder_t *d, packet_t *p, uint32_t id, uint32_t off, uint32_t len,
                          bool mf, bool hbh)
{
    size_t n = mk_v6_frag(fr, id, 17, off, mf, hbh, D + off, len);
    return dec(d, p, LT_ETH, fr, n);
}

static void test_v6_fragments(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v6(d, &p, 0x01020304, 24, 16, false, false), DECODE_HELD);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.ip_proto, 17); /* from the fragment header */
    assert_int_equal(p.dst.b[15], 2);
    assert_int_equal(p.sport, 0);
    assert_int_equal(v6(d, &p, 0x01020304, 0, 24, true, false), DECODE_OK);
    assert_true(p.reassembled);
    assert_int_equal(p.l3_len, 80);
    assert_int_equal(p.l3[4] << 8 | p.l3[5], 40); /* payload length fixed */
    assert_int_equal(p.l3[6], 17);                /* fragment header gone */
    assert_ptr_equal(p.l4, p.l3 + 40);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.sport, 1000);
    assert_int_equal(p.dport, 2000);
    assert_int_equal(p.payload_len, 32);
    assert_memory_equal(p.payload, D + 8, 32);
    assert_int_equal(p.anomaly_count, 0);
    assert_int_equal(d->stats.frag_ipv6, 2);
    assert_int_equal(d->stats.reassembled, 1);
    assert_int_equal(d->stats.ipv6, 2);
    decoder_free(d);
}

static void test_v6_fragments_with_hbh(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    /* Hop-by-hop is unfragmentable: it stays, and now announces UDP. */
    assert_int_equal(v6(d, &p, 9, 0, 16, true, true), DECODE_HELD);
    assert_int_equal(p.sport, 1000);
    assert_int_equal(v6(d, &p, 9, 16, 24, false, true), DECODE_OK);
    assert_int_equal(p.l3_len, 88);
    assert_int_equal(p.l3[4] << 8 | p.l3[5], 48);
    assert_int_equal(p.l3[6], 0);   /* still hop-by-hop first */
    assert_int_equal(p.l3[40], 17); /* which now leads to UDP */
    assert_ptr_equal(p.l4, p.l3 + 48);
    assert_int_equal(p.payload_len, 32);
    assert_memory_equal(p.payload, D + 8, 32);
    decoder_free(d);
}

static void test_v6_overlap_and_too_large(void **state)
{
    decoder_t *d = new_decoder(64 * 1024, 16, 30);
    *state = d;
    packet_t p;
    assert_int_equal(v6(d, &p, 4, 0, 24, true, false), DECODE_HELD);
    uint8_t evil[24];
    memset(evil, 0x55, 24);
    size_t n = mk_v6_frag(fr, 4, 17, 16, false, false, evil, 24);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_FRAG_OVERLAP, 14);
    assert_true(p.reassembled);
    assert_memory_equal(p.payload, D + 8, 16); /* first wins */
    assert_memory_equal(p.payload + 16, evil + 8, 16);

    n = mk_v6_frag(fr, 5, 17, 65528, false, false, evil, 16);
    assert_int_equal(dec(d, &p, LT_ETH, fr, n), DECODE_ANOMALY);
    assert_one_anomaly(&p, ANOM_IPV6_FRAG_TOO_LARGE, 14);
    decoder_free(d);
}

/* ---------------- public captures ---------------- */

static pcap_t *open_shared(const char *rel)
{
    const char *shared = getenv("SOC_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", shared ? shared : "../shared", rel);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) print_message("skipping: %s not available (%s)\n", path, err);
    return pc;
}

/* Decode frame number `want` (1-based) onwards, one per call. */
static decode_result_t next_frame(decoder_t *d, pcap_t *pc, packet_t *p)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    assert_int_equal(pcap_next_ex(pc, &h, &data), 1);
    p->ts_usec = (int64_t)h->ts.tv_sec * SEC + h->ts.tv_usec;
    p->frame = data;
    p->caplen = h->caplen;
    p->wirelen = h->len;
    p->linktype = pcap_datalink(pc);
    return decode_packet(d, p);
}

/* zeek ipv4/fragmented-1.pcap: three fragments of one UDP datagram, the
 * third overlapping the first two and running past the end the second set.
 * Expected values from
 *   tshark -r fragmented-1.pcap -T fields -e ip.len -e ip.flags.mf
 *     -e ip.frag_offset -e udp.length -e ip.reassembled.length
 *     -e ip.fragment.overlap.conflict
 * ip.len 38/136/324, reassembled in frame 3, ip.reassembled.length 164,
 * udp.length 18, udp 123 -> 137, overlap conflict flagged. */
static void test_pcap_ipv4_fragmented(void **state)
{
    pcap_t *pc = open_shared("data/pcaps/zeek/ipv4/fragmented-1.pcap");
    if (!pc) skip();
    decoder_t *d = new_decoder(DEFRAG_DEFAULT_MEMCAP, 1024, 60);
    *state = d;
    packet_t p;
    assert_int_equal(next_frame(d, pc, &p), DECODE_HELD);
    assert_int_equal(p.l3_len, 38);
    assert_int_equal(p.sport, 123);
    assert_int_equal(p.dport, 137);
    assert_int_equal(next_frame(d, pc, &p), DECODE_HELD);
    assert_int_equal(p.l3_len, 136);
    assert_int_equal(next_frame(d, pc, &p), DECODE_ANOMALY);
    assert_int_equal(anom_count(&p, ANOM_IPV4_FRAG_OVERLAP), 1);
    assert_true(p.reassembled);
    assert_int_equal(p.l3_len, 20 + 164);
    assert_int_equal(p.ip_proto, 17);
    assert_int_equal(p.sport, 123);
    assert_int_equal(p.dport, 137);
    assert_int_equal(p.l4[4] << 8 | p.l4[5], 18);
    assert_int_equal(p.payload_len, 18 - 8);
    assert_int_equal(d->stats.reassembled, 1);
    pcap_close(pc);
    decoder_free(d);
}

/* zeek ipv6-fragmented-dns.pcap. From
 *   tshark -r ipv6-fragmented-dns.pcap -T fields -e frame.number -e ipv6.plen
 *     -e ipv6.fraghdr.offset -e ipv6.fraghdr.more -e ipv6.fraghdr.ident
 *     -e udp.length -e udp.srcport -e udp.dstport -e ipv6.reassembled.length
 * frames 1,2,3,5: plain UDP, udp.length 81, 331, 82, 82;
 * frame 4: lone last fragment of ident 1 (never completes);
 * frames 6,7,8: ident 2 at offsets 0, 1432, 2864 (units of 8: 0, 179, 358),
 * reassembled in frame 8: 3238 bytes, udp.length 3238, 53 -> 51851. */
static void test_pcap_ipv6_fragmented_dns(void **state)
{
    pcap_t *pc = open_shared("data/pcaps/zeek/ipv6-fragmented-dns.pcap");
    if (!pc) skip();
    decoder_t *d = new_decoder(DEFRAG_DEFAULT_MEMCAP, 1024, 60);
    *state = d;
    packet_t p;
    const uint16_t plain_udp_len[4] = {81, 331, 82, 82};
    int plain = 0;
    for (int fno = 1; fno <= 8; fno++) {
        decode_result_t r = next_frame(d, pc, &p);
        if (fno == 4 || fno == 6 || fno == 7) {
            assert_int_equal(r, DECODE_HELD);
            assert_int_equal(p.ip_proto, 17);
            /* ports known once the first fragment (frame 6) is in */
            assert_int_equal(p.sport, fno == 4 ? 0 : 53);
        } else if (fno == 8) {
            assert_int_equal(r, DECODE_OK);
            assert_true(p.reassembled);
            assert_int_equal(p.l3_len, 40 + 3238);
            assert_int_equal(p.l4[4] << 8 | p.l4[5], 3238);
            assert_int_equal(p.sport, 53);
            assert_int_equal(p.dport, 51851);
            assert_int_equal(p.payload_len, 3238 - 8);
        } else {
            assert_int_equal(r, DECODE_OK);
            assert_false(p.reassembled);
            assert_int_equal(p.l3_len, 40 + plain_udp_len[plain]);
            assert_int_equal(p.l4[4] << 8 | p.l4[5], plain_udp_len[plain]);
            plain++;
        }
        assert_int_equal(p.anomaly_count, 0);
    }
    assert_int_equal(d->stats.frag_ipv6, 4);
    assert_int_equal(d->stats.reassembled, 1);
    usage_is(d, 1, DEFRAG_PAGE_SIZE); /* frame 4's bytes 2896..3238: one page */
    decoder_expire(d, p.ts_usec + 61 * SEC);
    usage_is(d, 0, 0);
    assert_int_equal(d->stats.anomalies[ANOM_FRAG_TIMEOUT], 1);
    pcap_close(pc);
    decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_v4_in_order, teardown),
        cmocka_unit_test_teardown(test_v4_out_of_order, teardown),
        cmocka_unit_test_teardown(test_v4_overlap_same_bytes, teardown),
        cmocka_unit_test_teardown(test_v4_overlap_differs_first_wins, teardown),
        cmocka_unit_test_teardown(test_v4_duplicate, teardown),
        cmocka_unit_test_teardown(test_v4_last_fragment_conflicts, teardown),
        cmocka_unit_test_teardown(test_v4_timeout, teardown),
        cmocka_unit_test_teardown(test_v4_memcap, teardown),
        cmocka_unit_test_teardown(test_v4_trackers_exhausted, teardown),
        cmocka_unit_test_teardown(test_v4_too_large, teardown),
        cmocka_unit_test_teardown(test_v4_too_many_ranges, teardown),
        cmocka_unit_test_teardown(test_v4_spanning_pages, teardown),
        cmocka_unit_test_teardown(test_v4_vlan_is_key, teardown),
        cmocka_unit_test_teardown(test_v4_reassembly_off, teardown),
        cmocka_unit_test_teardown(test_v4_snaplen_fragment, teardown),
        cmocka_unit_test_teardown(test_v6_fragments, teardown),
        cmocka_unit_test_teardown(test_v6_fragments_with_hbh, teardown),
        cmocka_unit_test_teardown(test_v6_overlap_and_too_large, teardown),
        cmocka_unit_test_teardown(test_pcap_ipv4_fragmented, teardown),
        cmocka_unit_test_teardown(test_pcap_ipv6_fragmented_dns, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
