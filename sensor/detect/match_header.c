/* match_header.c -- a rule's header (protocol, addresses, ports) and the
 * checks that need no buffer (flow, dsize, flags, itype, icode, ip_proto,
 * tls.version). Semantics in match.h. */
#include <string.h>

#include "app/app_layer.h"
#include "detect/match.h"
#include "flow/flow.h"

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58
#define PROTO_SCTP   132

/* ---- filling match_pkt_t ---- */

bool match_flow_established(const struct flow *f)
{
    if (!f) return false;
    if (f->key.proto == PROTO_TCP) return f->tcp_state >= FLOW_TCP_ESTABLISHED;
    return f->pkts[DIR_TOSERVER] > 0 && f->pkts[DIR_TOCLIENT] > 0;
}

void match_pkt_fill(match_pkt_t *mp, const packet_t *p, const struct flow *f, int dir, bool stream)
{
    memset(mp, 0, sizeof *mp);
    mp->ip_version = p->ip_version;
    mp->ip_proto = p->ip_proto;
    mp->src = p->src;
    mp->dst = p->dst;
    mp->sport = p->sport;
    mp->dport = p->dport;
    mp->tcp_flags = p->tcp_flags;
    mp->icmp_type = p->icmp_type;
    mp->icmp_code = p->icmp_code;
    mp->payload_len = p->payload_len;
    mp->frag_rebuilt = p->reassembled;
    mp->stream = stream;
    if (f) {
        mp->has_flow = true;
        mp->to_server = dir == DIR_TOSERVER;
        mp->established = match_flow_established(f);
        mp->app_proto = f->app_proto;
        mp->tls_version = app_layer_tls_version(f);
    }
}

/* ---- protocol, addresses, ports ---- */

bool match_proto(const rule_t *r, uint8_t ip_proto)
{
    uint8_t bit;
    switch (ip_proto) {
    case PROTO_TCP: bit = RULE_IPPROTO_TCP; break;
    case PROTO_UDP: bit = RULE_IPPROTO_UDP; break;
    case PROTO_ICMP: bit = RULE_IPPROTO_ICMP4; break;
    case PROTO_ICMPV6: bit = RULE_IPPROTO_ICMP6; break;
    case PROTO_SCTP: bit = RULE_IPPROTO_SCTP; break;
    default: bit = RULE_IPPROTO_OTHER; break;
    }
    return (r->ipproto & bit) != 0;
}

static bool has_ports(uint8_t ip_proto)
{
    return ip_proto == PROTO_TCP || ip_proto == PROTO_UDP || ip_proto == PROTO_SCTP;
}

static bool in_v4(const rule_addr_t *g, uint32_t a)
{
    /* ranges are sorted and disjoint: binary search for the last lo <= a */
    uint32_t lo = 0, hi = g->n4;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->v4[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && a <= g->v4[lo - 1].hi;
}

static bool in_v6(const rule_addr_t *g, const uint8_t a[16])
{
    uint32_t lo = 0, hi = g->n6;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (memcmp(g->v6[mid].lo, a, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && memcmp(a, g->v6[lo - 1].hi, 16) <= 0;
}

bool match_addr(const rule_addr_t *g, int ip_version, const soc_addr_t *a)
{
    if (!g || g->any) return true;
    if (ip_version == 4) {
        if (!g->v4) return false;
        uint32_t v =
            (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 | (uint32_t)a->b[2] << 8 | a->b[3];
        return in_v4(g, v);
    }
    if (ip_version == 6) return g->v6 && in_v6(g, a->b);
    return false;
}

bool match_port(const rule_ports_t *g, uint16_t port)
{
    if (!g || g->any) return true;
    if (!g->r) return false;
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->r[mid].lo <= port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && port <= g->r[lo - 1].hi;
}

static bool ports_any(const rule_ports_t *g)
{
    return !g || g->any;
}

/* One orientation: src/sport of the rule against (a, ap), dst against (b, bp). */
static bool match_ends(const rule_t *r, const match_pkt_t *mp, const soc_addr_t *a, uint16_t ap,
                       const soc_addr_t *b, uint16_t bp)
{
    if (!match_addr(r->src, mp->ip_version, a) || !match_addr(r->dst, mp->ip_version, b))
        return false;
    if (ports_any(r->sport) && ports_any(r->dport)) return true;
    /* Suricata: a port-less protocol or a fragment never matches a rule
     * that names ports */
    if (!has_ports(mp->ip_proto) || mp->is_fragment) return false;
    return match_port(r->sport, ap) && match_port(r->dport, bp);
}

static bool match_endpoints(const rule_t *r, const match_pkt_t *mp)
{
    if (match_ends(r, mp, &mp->src, mp->sport, &mp->dst, mp->dport)) return true;
    return r->bidirectional && match_ends(r, mp, &mp->dst, mp->dport, &mp->src, mp->sport);
}

/* ---- checks ---- */

bool match_flow_kw(const rule_t *r, const match_pkt_t *mp)
{
    const uint16_t f = r->flow;
    if ((f & RULE_FLOW_TOSERVER) && !(mp->has_flow && mp->to_server)) return false;
    if ((f & RULE_FLOW_TOCLIENT) && !(mp->has_flow && !mp->to_server)) return false;
    if ((f & RULE_FLOW_ESTABLISHED) && !mp->established) return false;
    if ((f & RULE_FLOW_NOT_ESTABLISHED) && mp->established) return false;
    if ((f & RULE_FLOW_ONLY_FRAG) && !mp->frag_rebuilt) return false;
    if ((f & RULE_FLOW_NO_FRAG) && mp->frag_rebuilt) return false;
    const bool only_stream = (f & RULE_FLOW_ONLY_STREAM) || r->stream_mode == RULE_STREAM_ONLY;
    const bool no_stream = (f & RULE_FLOW_NO_STREAM) || r->stream_mode == RULE_STREAM_PKT;
    if (only_stream && !mp->stream) return false;
    if (no_stream && mp->stream) return false;
    return true; /* stateless: always */
}

bool match_tcpflags(const rule_tcpflags_t *f, uint8_t pkt_flags)
{
    const uint8_t v = pkt_flags & (uint8_t)~f->ignore;
    switch (f->mode) {
    case RULE_TCPF_EXACT: return v == f->flags;
    case RULE_TCPF_PLUS: return (v & f->flags) == f->flags;
    case RULE_TCPF_ANY: return (v & f->flags) != 0;
    case RULE_TCPF_NOT: return (v & f->flags) != f->flags;
    default: return false;
    }
}

static bool is_icmp(const match_pkt_t *mp)
{
    return (mp->ip_version == 4 && mp->ip_proto == PROTO_ICMP) ||
           (mp->ip_version == 6 && mp->ip_proto == PROTO_ICMPV6);
}

static bool match_checks(const rule_t *r, const match_pkt_t *mp)
{
    const uint8_t ck = r->checks;
    if ((ck & RULE_CHECK_DSIZE) && (mp->stream || !rule_cmp_match(&r->dsize, mp->payload_len)))
        return false;
    if ((ck & RULE_CHECK_TCPFLAGS) &&
        (mp->ip_proto != PROTO_TCP || !match_tcpflags(&r->tcpflags, mp->tcp_flags)))
        return false;
    if ((ck & (RULE_CHECK_ITYPE | RULE_CHECK_ICODE)) && !is_icmp(mp)) return false;
    if ((ck & RULE_CHECK_ITYPE) && !rule_cmp_match(&r->itype, mp->icmp_type)) return false;
    if ((ck & RULE_CHECK_ICODE) && !rule_cmp_match(&r->icode, mp->icmp_code)) return false;
    if ((ck & RULE_CHECK_IP_PROTO) && !rule_cmp_match(&r->ip_proto, mp->ip_proto)) return false;
    if (ck & RULE_CHECK_TLS_VERSION) {
        if (mp->tls_version == 0) return false;
        if ((mp->tls_version == r->tls_version) == r->tls_version_neg) return false;
    }
    return true;
}

bool match_header(const rule_t *r, const match_pkt_t *mp)
{
    if (!r || !mp || (mp->ip_version != 4 && mp->ip_version != 6)) return false;
    if (!match_proto(r, mp->ip_proto)) return false;
    if (r->app != APP_UNKNOWN && mp->app_proto != (uint16_t)r->app) return false;
    if (!match_endpoints(r, mp)) return false;
    if (!match_flow_kw(r, mp)) return false;
    return match_checks(r, mp);
}
