/* ipv6.c -- IPv6 header and the extension header chain. */
#include <string.h>

#include "decode_int.h"
#include "defrag.h"

#define IPV6_HLEN     40
#define IPV6_MAX_EXT  8 /* more than this in one packet is an anomaly */
#define FRAG_HLEN     8
#define IPV6_FRAG_OFF 0xfff8
#define IPV6_FRAG_MF  0x0001

enum {
    NH_HOPOPTS = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_ESP = 50,
    NH_AH = 51,
    NH_NONE = 59,
    NH_DSTOPTS = 60,
    NH_MOBILITY = 135,
    NH_HIP = 139,
    NH_SHIM6 = 140,
    NH_EXP1 = 253,
    NH_EXP2 = 254,
};

/* Hop-by-hop and destination options: Pad1 is one byte, every other option
 * is type, length, data and must end inside the header. */
static int options_ok(const uint8_t *b, uint32_t len)
{
    uint32_t o = 2;
    while (o < len) {
        if (b[o] == 0) {
            o++;
            continue;
        }
        if (o + 2 > len || o + 2 + (uint32_t)b[o + 1] > len) return 0;
        o += 2 + (uint32_t)b[o + 1];
    }
    return 1;
}

/* A non-atomic fragment header at off. */
static decode_result_t fragment(dctx_t *c, const uint8_t *ip, uint32_t off, uint32_t nh_off,
                                uint32_t total)
{
    packet_t *p = c->p;
    const uint8_t *fh = ip + off;
    const uint32_t offset = rd16(fh + 2) & IPV6_FRAG_OFF;
    const uint8_t *data = fh + FRAG_HLEN;
    const uint32_t data_len = p->l3_len - off - FRAG_HLEN;
    c->d->stats.frag_ipv6++;
    p->ip_proto = fh[0];
    if (!c->d->defrag || p->l3_len < total) {
        if (offset == 0) l4_peek(p, data, data_len);
        return DECODE_HELD;
    }
    const frag_desc_t fd = {
        .version = 6,
        .proto = fh[0],
        .nh_off = (uint16_t)nh_off,
        .id = rd32(fh + 4),
        .offset = offset,
        .more = (rd16(fh + 2) & IPV6_FRAG_MF) != 0,
        .hdr = ip,
        .hdr_len = off,
        .data = data,
        .data_len = data_len,
        .frame_off = c->base_off + (uint32_t)(ip - c->base),
    };
    return decode_fragment(c, &fd, decode_ipv6);
}

/* Length of the extension header at b (2 bytes known to be there). */
static inline uint32_t ext_len(uint8_t nh, const uint8_t *b)
{
    return nh == NH_AH ? ((uint32_t)b[1] + 2) * 4 : ((uint32_t)b[1] + 1) * 8;
}

/* Follow the next-header chain to the transport protocol. */
static decode_result_t walk(dctx_t *c, const uint8_t *ip, uint32_t total)
{
    packet_t *p = c->p;
    const uint32_t len = p->l3_len;
    uint32_t off = IPV6_HLEN, nh_off = 6, count = 0;
    uint8_t nh = ip[6];
    for (;;) {
        p->ip_proto = nh;
        switch (nh) {
        case NH_HOPOPTS:
        case NH_ROUTING:
        case NH_DSTOPTS:
        case NH_AH:
        case NH_MOBILITY:
        case NH_HIP:
        case NH_SHIM6:
        case NH_EXP1:
        case NH_EXP2: {
            if (++count > IPV6_MAX_EXT) return dctx_anomaly(c, ANOM_IPV6_EXTHDR_TOO_MANY, ip + off);
            if (off + 2 > len) return dctx_anomaly(c, ANOM_IPV6_EXTHDR_TRUNC, ip + off);
            const uint32_t hl = ext_len(nh, ip + off);
            if (off + hl > len) return dctx_anomaly(c, ANOM_IPV6_EXTHDR_TRUNC, ip + off);
            if ((nh == NH_HOPOPTS || nh == NH_DSTOPTS) && !options_ok(ip + off, hl))
                return dctx_anomaly(c, ANOM_IPV6_EXTHDR_BAD_OPTLEN, ip + off);
            nh_off = off;
            nh = ip[off];
            off += hl;
            break;
        }
        case NH_FRAGMENT: {
            if (++count > IPV6_MAX_EXT) return dctx_anomaly(c, ANOM_IPV6_EXTHDR_TOO_MANY, ip + off);
            if (off + FRAG_HLEN > len) return dctx_anomaly(c, ANOM_IPV6_EXTHDR_TRUNC, ip + off);
            const uint16_t fo = rd16(ip + off + 2);
            /* Atomic fragment (offset 0, no MF, RFC 6946): just skip it. A
             * fragment inside a rebuilt datagram is not reassembled twice;
             * it is left as an opaque payload. */
            if ((fo & (IPV6_FRAG_OFF | IPV6_FRAG_MF)) && !c->rebuilt)
                return fragment(c, ip, off, nh_off, total);
            if (fo & (IPV6_FRAG_OFF | IPV6_FRAG_MF)) goto transport;
            nh_off = off;
            nh = ip[off];
            off += FRAG_HLEN;
            break;
        }
        default: goto transport; /* ESP and No Next Header end here too */
        }
    }
transport:
    return decode_l4(c, nh, ip + off, len - off, total - off);
}

decode_result_t decode_ipv6(dctx_t *c, const uint8_t *ip, uint32_t avail)
{
    packet_t *p = c->p;
    if (!c->rebuilt) c->d->stats.ipv6++;
    if (avail < IPV6_HLEN) return dctx_anomaly(c, ANOM_IPV6_TRUNC, ip);
    if ((ip[0] >> 4) != 6) return dctx_anomaly(c, ANOM_IPV6_WRONG_VERSION, ip);
    const uint32_t total = IPV6_HLEN + rd16(ip + 4);

    p->ip_version = 6;
    p->l3 = ip;
    p->l3_len = min_u32(total, avail);
    memcpy(p->src.b, ip + 8, 16);
    memcpy(p->dst.b, ip + 24, 16);
    p->ip_proto = ip[6];
    p->ttl = ip[7];
    /* As for IPv4: flagged, then decoded as far as captured. */
    if (total > avail + c->wire_extra) dctx_anomaly(c, ANOM_IPV6_TRUNC_PKT, ip + 4);
    return walk(c, ip, total);
}
