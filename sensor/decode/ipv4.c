/* ipv4.c -- IPv4 header: lengths, options, fragments. */
#include <string.h>

#include "decode_int.h"
#include "defrag.h"

#define IPV4_HLEN_MIN 20
#define IPV4_MF       0x2000
#define IPV4_OFFMASK  0x1fff

#define IPOPT_EOL 0
#define IPOPT_NOP 1

/* Walk the options: EOL ends them, NOP is one byte, every other option has a
 * length byte counting itself and the type, and must fit in the header. */
static decode_result_t check_options(dctx_t *c, const uint8_t *ip, uint32_t hlen)
{
    uint32_t o = IPV4_HLEN_MIN;
    while (o < hlen) {
        const uint8_t type = ip[o];
        if (type == IPOPT_EOL) break;
        if (type == IPOPT_NOP) {
            o++;
            continue;
        }
        if (o + 1 >= hlen) return dctx_anomaly(c, ANOM_IPV4_OPT_MALFORMED, ip + o);
        const uint8_t olen = ip[o + 1];
        if (olen < 2) return dctx_anomaly(c, ANOM_IPV4_OPT_INVALID, ip + o);
        if (o + olen > hlen) return dctx_anomaly(c, ANOM_IPV4_OPT_MALFORMED, ip + o);
        o += olen;
    }
    return DECODE_OK;
}

/* A fragment: hand it to the defragmenter. Held fragments keep their IP
 * fields (and ports when known) so the caller may still account for them. */
static decode_result_t fragment(dctx_t *c, const uint8_t *ip, uint32_t hlen, uint32_t total,
                                uint16_t frag)
{
    packet_t *p = c->p;
    const uint32_t offset = (uint32_t)(frag & IPV4_OFFMASK) * 8;
    const uint8_t *data = ip + hlen;
    c->d->stats.frag_ipv4++;
    /* A fragment cut by the snaplen cannot be rebuilt faithfully; nor can
     * any fragment with reassembly off. */
    if (!c->d->defrag || p->l3_len < total) {
        if (offset == 0) l4_peek(p, data, p->l3_len - hlen);
        return DECODE_HELD;
    }
    const frag_desc_t fd = {
        .version = 4,
        .proto = ip[9],
        .id = rd16(ip + 4),
        .offset = offset,
        .more = (frag & IPV4_MF) != 0,
        .hdr = ip,
        .hdr_len = hlen,
        .data = data,
        .data_len = total - hlen,
        .frame_off = c->base_off + (uint32_t)(ip - c->base),
    };
    return decode_fragment(c, &fd, decode_ipv4);
}

decode_result_t decode_ipv4(dctx_t *c, const uint8_t *ip, uint32_t avail)
{
    packet_t *p = c->p;
    if (!c->rebuilt) c->d->stats.ipv4++;
    if (avail < IPV4_HLEN_MIN) return dctx_anomaly(c, ANOM_IPV4_TRUNC, ip);
    if ((ip[0] >> 4) != 4) return dctx_anomaly(c, ANOM_IPV4_WRONG_VERSION, ip);
    const uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;
    if (hlen < IPV4_HLEN_MIN) return dctx_anomaly(c, ANOM_IPV4_HLEN_TOO_SMALL, ip);
    if (hlen > avail) return dctx_anomaly(c, ANOM_IPV4_TRUNC, ip);
    uint32_t total = rd16(ip + 2);
    /* 0 is what a host-side capture of a TSO/GSO send shows (the NIC fills
     * it in later): like Wireshark, read it as "the rest of the frame". */
    if (total == 0) total = avail + c->wire_extra;
    if (total < hlen) return dctx_anomaly(c, ANOM_IPV4_IPLEN_SMALLER_THAN_HLEN, ip + 2);

    /* The header holds together: the addresses are good from here on, even
     * if something below is not. Ethernet padding or an FCS past the total
     * length is cut off. */
    p->ip_version = 4;
    p->l3 = ip;
    p->l3_len = min_u32(total, avail);
    memcpy(p->src.b, ip + 12, 4);
    memcpy(p->dst.b, ip + 16, 4);
    p->ip_proto = ip[9];
    p->ttl = ip[8];
    /* Claiming more than the wire carried is an anomaly; more than the
     * snaplen kept is not. Either way what is there is decoded (as tshark
     * does), so the frame still reaches its flow. */
    if (total > avail + c->wire_extra) dctx_anomaly(c, ANOM_IPV4_TRUNC_PKT, ip + 2);
    if (hlen > IPV4_HLEN_MIN && check_options(c, ip, hlen) != DECODE_OK) return DECODE_ANOMALY;

    const uint16_t frag = rd16(ip + 6);
    if (frag & (IPV4_MF | IPV4_OFFMASK)) return fragment(c, ip, hlen, total, frag);
    return decode_l4(c, ip[9], ip + hlen, p->l3_len - hlen, total - hlen);
}
