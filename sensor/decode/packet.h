/* packet.h -- one captured frame after decoding.
 *
 * A packet_t lives on the stack of the capture loop and is reused for every
 * frame: all pointers point into the capture buffer (or, for a reassembled
 * fragment, into the defragmenter's buffer) and are valid only until the next
 * packet. Nothing here is allocated. */
#ifndef SOC_PACKET_H
#define SOC_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"

#define PKT_MAX_VLAN      2 /* 802.1Q + QinQ; deeper stacks are an anomaly */
#define PKT_MAX_ANOMALIES 4

/* Address in network byte order. IPv4 uses the first 4 bytes, rest zero. */
typedef struct soc_addr {
    uint8_t b[16];
} soc_addr_t;

typedef struct packet {
    /* capture */
    int64_t ts_usec;      /* packet time, microseconds since the epoch */
    const uint8_t *frame; /* link-layer frame as captured */
    uint32_t caplen;      /* bytes captured */
    uint32_t wirelen;     /* bytes on the wire (pcap len) */
    int linktype;         /* DLT_* of the capture */

    /* link */
    uint16_t vlan[PKT_MAX_VLAN]; /* outer first */
    uint8_t vlan_count;

    /* network */
    uint8_t ip_version;    /* 4 or 6; 0 when the frame carried no IP */
    const uint8_t *l3;     /* IP header (or reassembled datagram) */
    uint32_t l3_len;       /* bytes from l3 to end of IP payload (trailer cut) */
    soc_addr_t src, dst;   /* network byte order */
    uint8_t ip_proto;      /* transport protocol (after IPv6 ext headers) */
    uint8_t ttl;           /* TTL / hop limit */
    bool reassembled;      /* l3 points at a datagram rebuilt from fragments */
    uint32_t frames;       /* frames this packet stands for: 1, or every */
    uint64_t frames_bytes; /* fragment of a rebuilt datagram; their wire bytes */

    /* transport */
    const uint8_t *l4;     /* transport header */
    uint32_t l4_len;       /* bytes from l4 to end of IP payload */
    uint16_t sport, dport; /* host order; ICMP: type/code stay in icmp_* */
    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack; /* host order */
    uint16_t tcp_win;
    uint8_t icmp_type, icmp_code;

    /* application payload (TCP/UDP data, ICMP body) */
    const uint8_t *payload;
    uint32_t payload_len;

    /* decoder findings, in the order met */
    anomaly_t anomalies[PKT_MAX_ANOMALIES];
    uint8_t anomaly_count;
} packet_t;

/* TCP flag bits as on the wire. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

#endif
