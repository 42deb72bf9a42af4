/* l4.c -- transport headers: TCP, UDP, ICMPv4, ICMPv6.
 *
 * p->l4 is set as soon as the fixed part of the transport header is there
 * (TCP 20 bytes, UDP 8, ICMP 8), with the ports/flags/ICMP type read from
 * it; a length problem found after that is an anomaly but leaves them set.
 * So p->l4 != NULL means "the L4 fields are real". For ICMPv4 and ICMPv6
 * alike the header is the 8 bytes type, code, checksum and the 4
 * type-specific bytes (echo id/seq, MTU, pointer, unused); the payload is
 * what follows. sport/dport stay 0 for ICMP. */
#include "decode_int.h"

#define TCP_HLEN_MIN 20
#define UDP_HLEN     8
#define ICMP_HLEN    8
#define SCTP_HLEN    12

enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ICMPV6 = 58, P_SCTP = 132 };

enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WS = 3,
    TCPOPT_SACKOK = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TS = 8,
};

/* Options with a fixed size must have exactly it; SACK is 2 + 8n, n 1..4. */
static int tcp_opt_len_ok(uint8_t kind, uint8_t len)
{
    switch (kind) {
    case TCPOPT_MSS: return len == 4;
    case TCPOPT_WS: return len == 3;
    case TCPOPT_SACKOK: return len == 2;
    case TCPOPT_SACK: return len >= 10 && len <= 34 && (len - 2) % 8 == 0;
    case TCPOPT_TS: return len == 10;
    default: return len >= 2;
    }
}

/* Walk options in [20, doff), reading only below avail (the snaplen may cut
 * them; what is cut is not judged). */
static decode_result_t tcp_options(dctx_t *c, const uint8_t *th, uint32_t doff, uint32_t avail)
{
    uint32_t o = TCP_HLEN_MIN;
    while (o < doff && o < avail) {
        const uint8_t kind = th[o];
        if (kind == TCPOPT_EOL) break;
        if (kind == TCPOPT_NOP) {
            o++;
            continue;
        }
        if (o + 1 >= doff) return dctx_anomaly(c, ANOM_TCP_OPT_INVALID_LEN, th + o);
        if (o + 1 >= avail) break;
        const uint8_t len = th[o + 1];
        if (!tcp_opt_len_ok(kind, len) || o + len > doff)
            return dctx_anomaly(c, ANOM_TCP_OPT_INVALID_LEN, th + o);
        o += len;
    }
    return DECODE_OK;
}

static decode_result_t decode_tcp(dctx_t *c, const uint8_t *th, uint32_t avail, uint32_t wire)
{
    packet_t *p = c->p;
    c->d->stats.tcp++;
    if (avail < TCP_HLEN_MIN) return dctx_anomaly(c, ANOM_TCP_TRUNC, th);
    p->l4 = th;
    p->l4_len = avail;
    p->sport = rd16(th);
    p->dport = rd16(th + 2);
    p->tcp_seq = rd32(th + 4);
    p->tcp_ack = rd32(th + 8);
    p->tcp_flags = th[13];
    p->tcp_win = rd16(th + 14);
    const uint32_t doff = (uint32_t)(th[12] >> 4) * 4;
    if (doff < TCP_HLEN_MIN) return dctx_anomaly(c, ANOM_TCP_HLEN_TOO_SMALL, th + 12);
    if (doff > wire) return dctx_anomaly(c, ANOM_TCP_TRUNC, th + 12);
    /* doff > avail only when the snaplen cut the options: no payload then. */
    const uint32_t hdr = min_u32(doff, avail);
    p->payload = th + hdr;
    p->payload_len = avail - hdr;
    if (doff > TCP_HLEN_MIN) return tcp_options(c, th, doff, avail);
    return DECODE_OK;
}

static decode_result_t decode_udp(dctx_t *c, const uint8_t *uh, uint32_t avail, uint32_t wire)
{
    packet_t *p = c->p;
    c->d->stats.udp++;
    if (avail < UDP_HLEN) return dctx_anomaly(c, ANOM_UDP_TRUNC, uh);
    p->l4 = uh;
    p->l4_len = avail;
    p->sport = rd16(uh);
    p->dport = rd16(uh + 2);
    const uint32_t ulen = rd16(uh + 4);
    if (ulen < UDP_HLEN) return dctx_anomaly(c, ANOM_UDP_HLEN_INVALID, uh + 4);
    if (ulen > wire) return dctx_anomaly(c, ANOM_UDP_TRUNC, uh + 4);
    /* Bytes past the UDP length (padding inside the IP payload) are cut. */
    p->payload = uh + UDP_HLEN;
    p->payload_len = min_u32(ulen, avail) - UDP_HLEN;
    return DECODE_OK;
}

/* SCTP: only the common header's ports, so flows are keyed like TCP/UDP;
 * chunks are carried as payload. */
static decode_result_t decode_sctp(dctx_t *c, const uint8_t *sh, uint32_t avail)
{
    packet_t *p = c->p;
    c->d->stats.other_ip++;
    if (avail < SCTP_HLEN) return dctx_anomaly(c, ANOM_SCTP_TRUNC, sh);
    p->l4 = sh;
    p->l4_len = avail;
    p->sport = rd16(sh);
    p->dport = rd16(sh + 2);
    p->payload = sh + SCTP_HLEN;
    p->payload_len = avail - SCTP_HLEN;
    return DECODE_OK;
}

static decode_result_t decode_icmp(dctx_t *c, const uint8_t *ih, uint32_t avail,
                                   anomaly_kind_t trunc)
{
    packet_t *p = c->p;
    if (avail < ICMP_HLEN) return dctx_anomaly(c, trunc, ih);
    p->l4 = ih;
    p->l4_len = avail;
    p->icmp_type = ih[0];
    p->icmp_code = ih[1];
    p->payload = ih + ICMP_HLEN;
    p->payload_len = avail - ICMP_HLEN;
    return DECODE_OK;
}

decode_result_t decode_l4(dctx_t *c, uint8_t proto, const uint8_t *l4, uint32_t avail,
                          uint32_t wire)
{
    c->p->ip_proto = proto;
    switch (proto) {
    case P_TCP: return decode_tcp(c, l4, avail, wire);
    case P_UDP: return decode_udp(c, l4, avail, wire);
    case P_ICMP: c->d->stats.icmpv4++; return decode_icmp(c, l4, avail, ANOM_ICMPV4_TRUNC);
    case P_ICMPV6: c->d->stats.icmpv6++; return decode_icmp(c, l4, avail, ANOM_ICMPV6_TRUNC);
    case P_SCTP: return decode_sctp(c, l4, avail);
    default:
        /* Other protocols (ESP, GRE, No Next Header ...) are carried
         * as they are: no ports, no payload split. */
        c->d->stats.other_ip++;
        c->p->l4 = l4;
        c->p->l4_len = avail;
        return DECODE_OK;
    }
}

void l4_peek(packet_t *p, const uint8_t *l4, uint32_t avail)
{
    switch (p->ip_proto) {
    case P_TCP:
    case P_UDP:
    case P_SCTP:
        if (avail >= 4) {
            p->sport = rd16(l4);
            p->dport = rd16(l4 + 2);
        }
        break;
    case P_ICMP:
    case P_ICMPV6:
        if (avail >= 2) {
            p->icmp_type = l4[0];
            p->icmp_code = l4[1];
        }
        break;
    default: break;
    }
}
