/* test_decode_util.h -- small helpers shared by the decoder's unit tests.
 * Include after cmocka.h. */
#ifndef TEST_DECODE_UTIL_H
#define TEST_DECODE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

#define LT_NULL   0
#define LT_ETH    1
#define LT_RAW    12
#define LT_RAW14  14
#define LT_RAW101 101
#define LT_LOOP   108
#define LT_SLL    113
#define LT_IPV4   228
#define LT_IPV6   229
#define LT_SLL2   276

/* Decode buf as one frame captured whole at time ts_usec. */
static inline decode_result_t dec_at(decoder_t *d, packet_t *p, int lt, const uint8_t *buf,
                                     size_t len, int64_t ts_usec)
{
    memset(p, 0xA5, sizeof(*p)); /* garbage: decode_packet must reset it */
    p->ts_usec = ts_usec;
    p->frame = buf;
    p->caplen = (uint32_t)len;
    p->wirelen = (uint32_t)len;
    p->linktype = lt;
    return decode_packet(d, p);
}

static inline decode_result_t dec(decoder_t *d, packet_t *p, int lt, const uint8_t *buf, size_t len)
{
    return dec_at(d, p, lt, buf, len, 1000000);
}

/* As dec() but captured with a snaplen: caplen bytes kept of wirelen. */
static inline decode_result_t dec_snap(decoder_t *d, packet_t *p, int lt, const uint8_t *buf,
                                       size_t caplen, size_t wirelen)
{
    memset(p, 0xA5, sizeof(*p));
    p->ts_usec = 1000000;
    p->frame = buf;
    p->caplen = (uint32_t)caplen;
    p->wirelen = (uint32_t)wirelen;
    p->linktype = lt;
    return decode_packet(d, p);
}

/* Decode from a heap copy of exactly len bytes, so ASan catches any read
 * past the end. */
static inline decode_result_t dec_exact(decoder_t *d, packet_t *p, int lt, const uint8_t *buf,
                                        size_t len, size_t wirelen, uint8_t **keep)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, buf, len);
    *keep = copy;
    return dec_snap(d, p, lt, copy, len, wirelen);
}

static inline int anom_count(const packet_t *p, anomaly_kind_t k)
{
    int n = 0;
    for (int i = 0; i < p->anomaly_count; i++)
        n += p->anomalies[i].kind == k;
    return n;
}

/* The packet's only anomaly is k, at frame offset off. */
#define assert_one_anomaly(p, k, off)                                                              \
    do {                                                                                           \
        assert_int_equal((p)->anomaly_count, 1);                                                   \
        assert_int_equal((p)->anomalies[0].kind, (k));                                             \
        assert_int_equal((p)->anomalies[0].offset, (off));                                         \
    } while (0)

static inline void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static inline void put32(uint8_t *b, uint32_t v)
{
    put16(b, (uint16_t)(v >> 16));
    put16(b + 2, (uint16_t)v);
}

static const uint8_t ETH_HDR_V4[14] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                       0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00};
static const uint8_t ETH_HDR_V6[14] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                       0x77, 0x88, 0x99, 0xaa, 0xbb, 0x86, 0xdd};

/* Ethernet + IPv4 (20-byte header, 10.1.1.1 -> 10.2.2.2, TTL 64) carrying a
 * fragment of datagram `id`: `len` bytes at payload offset `off`. */
static inline size_t mk_v4_frag(uint8_t *f, uint16_t id, uint8_t proto, uint32_t off, bool mf,
                                const uint8_t *data, size_t len)
{
    memcpy(f, ETH_HDR_V4, 14);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + len));
    put16(ip + 4, id);
    put16(ip + 6, (uint16_t)((mf ? 0x2000 : 0) | (off / 8)));
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, (const uint8_t[]){10, 1, 1, 1}, 4);
    memcpy(ip + 16, (const uint8_t[]){10, 2, 2, 2}, 4);
    memcpy(ip + 20, data, len);
    return 14 + 20 + len;
}

/* Ethernet + IPv6 (2001:db8::1 -> 2001:db8::2, hop limit 64), optionally a
 * hop-by-hop header (8 bytes, PadN), then a fragment header of datagram `id`
 * announcing `proto`, then len bytes at payload offset off. */
static inline size_t mk_v6_frag(uint8_t *f, uint32_t id, uint8_t proto, uint32_t off, bool mf,
                                bool hbh, const uint8_t *data, size_t len)
{
    memcpy(f, ETH_HDR_V6, 14);
    uint8_t *ip = f + 14;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    const size_t ext = hbh ? 8 : 0;
    put16(ip + 4, (uint16_t)(ext + 8 + len));
    ip[6] = hbh ? 0 : 44;
    ip[7] = 64;
    ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
    ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
    uint8_t *h = ip + 40;
    if (hbh) {
        const uint8_t hop[8] = {44, 0, 1, 4, 0, 0, 0, 0};
        memcpy(h, hop, 8);
        h += 8;
    }
    h[0] = proto;
    h[1] = 0;
    put16(h + 2, (uint16_t)(off | (mf ? 1 : 0)));
    put32(h + 4, id);
    memcpy(h + 8, data, len);
    return 14 + 40 + ext + 8 + len;
}

static inline defrag_config_t small_defrag(uint32_t memcap, uint32_t trackers, uint32_t timeout)
{
    defrag_config_t c = {memcap, trackers, timeout};
    return c;
}

#endif
