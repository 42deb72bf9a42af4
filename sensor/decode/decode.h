/* decode.h -- frame to packet_t: link, network and transport layers.
 *
 * decode_packet() never reads past caplen and never allocates. A malformed
 * layer adds an anomaly to the packet and stops decoding there; what was
 * decoded before stays valid (so a frame with a broken TCP header still
 * counts towards its IP flow's anomalies). */
#ifndef SOC_DECODE_H
#define SOC_DECODE_H

#include <stdint.h>

#include "packet.h"

struct defrag;

typedef enum decode_result {
    DECODE_OK = 0,  /* IP packet decoded; l4 fields valid when ip_proto known */
    DECODE_NOT_IP,  /* well-formed frame without IP (ARP, LLDP ...) */
    DECODE_ANOMALY, /* malformed; see p->anomalies */
    DECODE_HELD,    /* IP fragment stored, datagram not complete yet */
} decode_result_t;

/* Per-capture counters kept by the decoder (stats events). */
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
    uint32_t memcap_bytes;   /* bytes held across all partial datagrams */
    uint32_t max_trackers;   /* partial datagrams at once */
    uint32_t timeout_sec;    /* a partial datagram older than this is dropped */
} defrag_config_t;

#define DEFRAG_DEFAULT_MEMCAP   (32u << 20)
#define DEFRAG_DEFAULT_TRACKERS 65535u
#define DEFRAG_DEFAULT_TIMEOUT  60u

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
