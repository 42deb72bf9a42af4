/* link.c -- link layers: Ethernet (+ 802.1Q/802.1ad tags, PPPoE session),
 * Linux cooked v1/v2, BSD loopback and raw IP. Each finds where the IP
 * header starts. */
#include "decode_int.h"

/* DLT_ values as libpcap on Linux reports them. 14 is OpenBSD's DLT_RAW and
 * 101 the LINKTYPE_RAW of pcap files; both are raw IP. */
enum {
    DLT_NULL_ = 0,
    DLT_EN10MB_ = 1,
    DLT_RAW_ = 12,
    DLT_RAW_BSD_ = 14,
    LINKTYPE_RAW_ = 101,
    DLT_LOOP_ = 108,
    DLT_LINUX_SLL_ = 113,
    DLT_IPV4_ = 228,
    DLT_IPV6_ = 229,
    DLT_LINUX_SLL2_ = 276,
};

#define ETH_HLEN  14
#define SLL_HLEN  16
#define SLL2_HLEN 20
#define VLAN_HLEN 4

#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_VLAN      0x8100
#define ETHERTYPE_QINQ      0x88a8
#define ETHERTYPE_QINQ_9100 0x9100
#define ETHERTYPE_PPPOE     0x8864 /* session stage; discovery (0x8863) is not IP */

#define PPPOE_HLEN 6
#define PPP_IPV4   0x0021
#define PPP_IPV6   0x0057

int decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case DLT_NULL_:
    case DLT_EN10MB_:
    case DLT_RAW_:
    case DLT_RAW_BSD_:
    case LINKTYPE_RAW_:
    case DLT_LOOP_:
    case DLT_LINUX_SLL_:
    case DLT_IPV4_:
    case DLT_IPV6_:
    case DLT_LINUX_SLL2_: return 1;
    default: return 0;
    }
}

static inline int is_vlan_type(uint16_t type)
{
    return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_9100;
}

/* PPPoE session: version/type 0x11, code 0, session id, length; then the
 * PPP protocol (2 bytes, or 1 when compressed: an odd first byte). */
static decode_result_t decode_pppoe(dctx_t *c, const uint8_t *at, uint32_t avail)
{
    if (avail < PPPOE_HLEN + 1) return dctx_anomaly(c, ANOM_PPPOE_TRUNC, at);
    if (at[0] != 0x11 || at[1] != 0) return DECODE_NOT_IP;
    uint32_t hl = PPPOE_HLEN + 1;
    uint16_t proto = at[PPPOE_HLEN];
    if (!(proto & 1)) {
        if (avail < PPPOE_HLEN + 2) return dctx_anomaly(c, ANOM_PPPOE_TRUNC, at);
        proto = rd16(at + PPPOE_HLEN);
        hl++;
    }
    switch (proto) {
    case PPP_IPV4: return decode_ipv4(c, at + hl, avail - hl);
    case PPP_IPV6: return decode_ipv6(c, at + hl, avail - hl);
    default: return DECODE_NOT_IP; /* LCP, IPCP, CHAP ... */
    }
}

/* Ethertype dispatch shared by Ethernet and the cooked headers; peels up to
 * PKT_MAX_VLAN tags first. stats.vlan counts frames with a tag,
 * stats.vlan_qinq frames with two. */
static decode_result_t by_ethertype(dctx_t *c, uint16_t type, const uint8_t *at, uint32_t avail)
{
    packet_t *p = c->p;
    while (is_vlan_type(type)) {
        if (p->vlan_count == PKT_MAX_VLAN) return dctx_anomaly(c, ANOM_VLAN_TOO_MANY, at);
        if (avail < VLAN_HLEN) return dctx_anomaly(c, ANOM_VLAN_TRUNC, at);
        if (p->vlan_count == 0)
            c->d->stats.vlan++;
        else
            c->d->stats.vlan_qinq++;
        p->vlan[p->vlan_count++] = rd16(at) & 0x0fff;
        type = rd16(at + 2);
        at += VLAN_HLEN;
        avail -= VLAN_HLEN;
    }
    switch (type) {
    case ETHERTYPE_IPV4: return decode_ipv4(c, at, avail);
    case ETHERTYPE_IPV6: return decode_ipv6(c, at, avail);
    case ETHERTYPE_PPPOE: return decode_pppoe(c, at, avail);
    default: return DECODE_NOT_IP; /* ARP, LLDP, 802.3 length, MPLS ... */
    }
}

static decode_result_t decode_ethernet(dctx_t *c, const uint8_t *f, uint32_t len)
{
    c->d->stats.ethernet++;
    if (len < ETH_HLEN) return dctx_anomaly(c, ANOM_ETH_TRUNC, f);
    return by_ethertype(c, rd16(f + 12), f + ETH_HLEN, len - ETH_HLEN);
}

/* SLL: packet type, ARPHRD, address length, 8 address bytes, protocol. */
static decode_result_t decode_sll(dctx_t *c, const uint8_t *f, uint32_t len)
{
    c->d->stats.sll++;
    if (len < SLL_HLEN) return dctx_anomaly(c, ANOM_SLL_TRUNC, f);
    return by_ethertype(c, rd16(f + 14), f + SLL_HLEN, len - SLL_HLEN);
}

/* SLL2: protocol first, then reserved, ifindex, ARPHRD, type, address. */
static decode_result_t decode_sll2(dctx_t *c, const uint8_t *f, uint32_t len)
{
    c->d->stats.sll2++;
    if (len < SLL2_HLEN) return dctx_anomaly(c, ANOM_SLL2_TRUNC, f);
    return by_ethertype(c, rd16(f), f + SLL2_HLEN, len - SLL2_HLEN);
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte order
 * for DLT_NULL (so either order is accepted) and network order for
 * DLT_LOOP. AF_INET is 2 everywhere; AF_INET6 is 24 (Net/OpenBSD), 28
 * (FreeBSD) or 30 (macOS). */
static decode_result_t decode_null(dctx_t *c, const uint8_t *f, uint32_t len, int host_order)
{
    c->d->stats.null++;
    if (len < 4) return dctx_anomaly(c, ANOM_NULL_TRUNC, f);
    uint32_t fam = rd32(f);
    /* Families are small: a value in the high half means the other order. */
    if (host_order && (fam & 0xffff0000u))
        fam = (uint32_t)f[3] << 24 | (uint32_t)f[2] << 16 | (uint32_t)f[1] << 8 | f[0];
    switch (fam) {
    case 2: return decode_ipv4(c, f + 4, len - 4);
    case 24:
    case 28:
    case 30: return decode_ipv6(c, f + 4, len - 4);
    default: return dctx_anomaly(c, ANOM_NULL_UNKNOWN_FAMILY, f);
    }
}

/* Raw IP: the version nibble tells which. */
static decode_result_t decode_raw(dctx_t *c, const uint8_t *f, uint32_t len)
{
    c->d->stats.raw++;
    if (len == 0) return dctx_anomaly(c, ANOM_IPV4_TRUNC, f); /* as Suricata: too small */
    switch (f[0] >> 4) {
    case 4: return decode_ipv4(c, f, len);
    case 6: return decode_ipv6(c, f, len);
    default: return dctx_anomaly(c, ANOM_RAW_BAD_VERSION, f);
    }
}

decode_result_t decode_link(dctx_t *c)
{
    const uint8_t *f = c->p->frame;
    const uint32_t len = c->p->caplen;
    switch (c->p->linktype) {
    case DLT_EN10MB_: return decode_ethernet(c, f, len);
    case DLT_LINUX_SLL_: return decode_sll(c, f, len);
    case DLT_LINUX_SLL2_: return decode_sll2(c, f, len);
    case DLT_NULL_: return decode_null(c, f, len, 1);
    case DLT_LOOP_: return decode_null(c, f, len, 0);
    case DLT_RAW_:
    case DLT_RAW_BSD_:
    case LINKTYPE_RAW_: return decode_raw(c, f, len);
    case DLT_IPV4_: c->d->stats.raw++; return decode_ipv4(c, f, len);
    case DLT_IPV6_: c->d->stats.raw++; return decode_ipv6(c, f, len);
    default: return dctx_anomaly(c, ANOM_LINK_UNSUPPORTED, f);
    }
}
