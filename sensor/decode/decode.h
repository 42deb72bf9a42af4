/* decode.h -- frame to packet_t: link, network and transport layers.
 *
 * decode_packet() never reads past caplen and never allocates (reassembly
 * uses memory set aside by decoder_init). A malformed layer adds an anomaly
 * to the packet; what was decoded before stays valid (so a frame with a
 * broken TCP header still counts towards its IP flow's anomalies).
 *
 * What is valid after decoding, whatever the result:
 *   ip_version != 0  src, dst, ip_proto, ttl, l3, l3_len
 *   l4 != NULL       the transport's fixed header was there: ports, TCP
 *                    seq/ack/flags/win, ICMP type/code (sport/dport 0)
 *   payload != NULL  payload/payload_len (TCP/UDP data, ICMP body after the
 *                    8-byte header; UDP cut to the UDP length)
 *   anomaly_count    anomalies found, in order; log them for every result
 *
 * Lengths: l3_len = min(IP length, bytes captured). An IP length beyond what
 * the snaplen kept (caplen < wirelen) is normal; beyond what the wire
 * carried is IPV4_/IPV6_TRUNC_PKT, after which the captured bytes are still
 * decoded. An IPv4 total length of 0 (TSO send captured on the host) means
 * the rest of the frame, as in Wireshark.
 *
 * Fragments: a fragment that does not complete its datagram gives
 * DECODE_HELD with ip_version/src/dst/ip_proto set (IPv6: ip_proto is the
 * fragment header's next header) and sport/dport (or ICMP type/code) once
 * the datagram's first fragment has been seen; l4 stays NULL. The fragment
 * that completes it gives DECODE_OK (or ANOMALY) with reassembled = true and
 * l3 pointing at the rebuilt datagram (valid until the next decode_packet).
 *
 * For flows, count a frame iff p->l4 != NULL: held fragments are then not
 * counted and the completing frame counts once with its own wirelen. That is
 * what tshark -z conv,tcp / conv,udp report (checked on the public captures)
 * and what Suricata's flow counters do. */
#ifndef SOC_DECODE_H
#define SOC_DECODE_H

#include <stdint.h>

#include "packet.h"

struct defrag;

typedef enum decode_result {
    DECODE_OK = 0,  /* IP packet decoded, no anomaly */
    DECODE_NOT_IP,  /* well-formed frame without IP (ARP, LLDP, MPLS ...) */
    DECODE_ANOMALY, /* something was malformed; fields valid as far as set */
    DECODE_HELD,    /* IP fragment, datagram not complete (or not
                       reassembled: snaplen-cut, or reassembly off) */
} decode_result_t;

/* Per-capture counters kept by the decoder (stats events). Link and IP
 * counters count frames that claim the layer (decoded or not); vlan counts
 * frames with a tag, vlan_qinq frames with two; tcp/udp/icmp/other_ip count
 * transport headers looked at (a reassembled datagram once, its fragments
 * in frag_ipv4/6); anomalies[FRAG_MEMCAP] also counts partial datagrams
 * evicted for room, anomalies[FRAG_TIMEOUT] those expired. */
typedef struct decode_stats {
    uint64_t pkts, bytes;
    uint64_t ethernet, vlan, vlan_qinq, sll, sll2, null, raw;
    uint64_t ipv4, ipv6, tcp, udp, icmpv4, icmpv6, other_ip;
    uint64_t not_ip;
    uint64_t frag_ipv4, frag_ipv6, reassembled;
    uint64_t anomalies[ANOM_COUNT];
} decode_stats_t;

typedef struct decoder {
    struct defrag *defrag; /* owned; NULL disables reassembly */
    decode_stats_t stats;
} decoder_t;

/* Fragment reassembly bounds. */
typedef struct defrag_config {
    uint32_t memcap_bytes; /* bytes held across all partial datagrams */
    uint32_t max_trackers; /* partial datagrams at once */
    uint32_t timeout_sec;  /* a partial datagram older than this is dropped */
} defrag_config_t;

#define DEFRAG_DEFAULT_MEMCAP   (32u << 20)
#define DEFRAG_DEFAULT_TRACKERS 65535u
#define DEFRAG_DEFAULT_TIMEOUT  60u

/* cfg NULL = defaults; max_trackers or memcap_bytes 0 = no reassembly.
 * Returns 0, or -1 when the reassembly memory cannot be allocated. */
int decoder_init(decoder_t *d, const defrag_config_t *cfg);
void decoder_free(decoder_t *d);

/* Decode frame into p. p->ts_usec, frame, caplen, wirelen and linktype must be
 * set by the caller; every other field is reset here. */
decode_result_t decode_packet(decoder_t *d, packet_t *p);

/* Expire partial datagrams older than the timeout (packet time). */
void decoder_expire(decoder_t *d, int64_t now_usec);

/* Linktypes the decoder understands (DLT_ values). */
int decode_linktype_supported(int linktype);

#endif
