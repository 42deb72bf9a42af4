/* anomaly.h -- what the decoder found wrong with a packet.
 *
 * One X-macro table gives each kind its enum value, its layer and its event
 * name (Suricata's decoder event names where Suricata has the same notion),
 * so the `anomaly` events and the `stats` counters can never drift apart. */
#ifndef SOC_ANOMALY_H
#define SOC_ANOMALY_H

#include <stdint.h>

/*        enum suffix              layer       event name                 */
#define SOC_ANOMALY_LIST(X)                                                                        \
    X(LINK_UNSUPPORTED, "link", "link.unsupported_linktype")                                       \
    X(ETH_TRUNC, "ethernet", "ethernet.pkt_too_small")                                             \
    X(VLAN_TRUNC, "vlan", "vlan.header_too_small")                                                 \
    X(VLAN_TOO_MANY, "vlan", "vlan.too_many_layers")                                               \
    X(SLL_TRUNC, "sll", "sll.pkt_too_small")                                                       \
    X(SLL2_TRUNC, "sll2", "sll2.pkt_too_small")                                                    \
    X(PPPOE_TRUNC, "pppoe", "pppoe.pkt_too_small")                                                 \
    X(NULL_TRUNC, "null", "null.pkt_too_small")                                                    \
    X(NULL_UNKNOWN_FAMILY, "null", "null.unsupported_type")                                        \
    X(RAW_BAD_VERSION, "raw", "raw.invalid_ip_version")                                            \
    X(IPV4_TRUNC, "ipv4", "ipv4.pkt_too_small")                                                    \
    X(IPV4_HLEN_TOO_SMALL, "ipv4", "ipv4.hlen_too_small")                                          \
    X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4", "ipv4.iplen_smaller_than_hlen")                        \
    X(IPV4_TRUNC_PKT, "ipv4", "ipv4.trunc_pkt")                                                    \
    X(IPV4_WRONG_VERSION, "ipv4", "ipv4.wrong_ip_version")                                         \
    X(IPV4_OPT_INVALID, "ipv4", "ipv4.opt_invalid")                                                \
    X(IPV4_OPT_MALFORMED, "ipv4", "ipv4.opt_malformed")                                            \
    X(IPV4_FRAG_OVERLAP, "ipv4", "ipv4.frag_overlap")                                              \
    X(IPV4_FRAG_TOO_LARGE, "ipv4", "ipv4.frag_pkt_too_large")                                      \
    X(IPV6_TRUNC, "ipv6", "ipv6.pkt_too_small")                                                    \
    X(IPV6_TRUNC_PKT, "ipv6", "ipv6.trunc_pkt")                                                    \
    X(IPV6_WRONG_VERSION, "ipv6", "ipv6.wrong_ip_version")                                         \
    X(IPV6_EXTHDR_TRUNC, "ipv6", "ipv6.trunc_exthdr")                                              \
    X(IPV6_EXTHDR_TOO_MANY, "ipv6", "ipv6.exthdr_too_many")                                        \
    X(IPV6_EXTHDR_BAD_OPTLEN, "ipv6", "ipv6.exthdr_invalid_optlen")                                \
    X(IPV6_FRAG_OVERLAP, "ipv6", "ipv6.frag_overlap")                                              \
    X(IPV6_FRAG_TOO_LARGE, "ipv6", "ipv6.frag_pkt_too_large")                                      \
    X(FRAG_MEMCAP, "defrag", "defrag.memcap_reached")                                              \
    X(FRAG_TIMEOUT, "defrag", "defrag.timeout")                                                    \
    X(FRAG_TOO_MANY_RANGES, "defrag", "defrag.too_many_ranges")                                    \
    X(TCP_TRUNC, "tcp", "tcp.pkt_too_small")                                                       \
    X(TCP_HLEN_TOO_SMALL, "tcp", "tcp.hlen_too_small")                                             \
    X(TCP_OPT_INVALID_LEN, "tcp", "tcp.opt_invalid_len")                                           \
    X(UDP_TRUNC, "udp", "udp.pkt_too_small")                                                       \
    X(UDP_HLEN_INVALID, "udp", "udp.hlen_invalid")                                                 \
    X(ICMPV4_TRUNC, "icmpv4", "icmpv4.pkt_too_small")                                              \
    X(ICMPV6_TRUNC, "icmpv6", "icmpv6.pkt_too_small")                                              \
    X(SCTP_TRUNC, "sctp", "sctp.pkt_too_small")

typedef enum anomaly_kind {
#define SOC_ANOMALY_ENUM(name, layer, event) ANOM_##name,
    SOC_ANOMALY_LIST(SOC_ANOMALY_ENUM)
#undef SOC_ANOMALY_ENUM
        ANOM_COUNT
} anomaly_kind_t;

typedef struct anomaly {
    uint16_t kind;   /* anomaly_kind_t */
    uint16_t offset; /* byte offset in the frame where it was found */
} anomaly_t;

const char *anomaly_layer(anomaly_kind_t kind);
const char *anomaly_event(anomaly_kind_t kind);

#endif
