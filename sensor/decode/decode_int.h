/* decode_int.h -- what the decoder's layer files share (not a public API).
 *
 * Each layer gets a pointer to its header and `avail`, the bytes captured
 * from there to the end of the enclosing layer, and checks every length
 * against it before reading. */
#ifndef SOC_DECODE_INT_H
#define SOC_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* State of one decode_packet() call. */
typedef struct dctx {
    decoder_t *d;
    packet_t *p;
    /* Anomaly offsets are frame offsets: base_off + (ptr - base). After
     * reassembly base is the rebuilt datagram and base_off the frame offset
     * of the fragment's IP header, so offsets read as "this frame's IP
     * header + position in the datagram". */
    const uint8_t *base;
    uint32_t base_off;
    /* Bytes the snaplen cut off the end of the frame (wirelen - caplen); 0
     * inside a rebuilt datagram. A length field may claim up to that much
     * beyond what was captured without being an anomaly. */
    uint32_t wire_extra;
    bool rebuilt; /* decoding a reassembled datagram */
} dctx_t;

static inline uint16_t rd16(const uint8_t *b)
{
    return (uint16_t)((uint16_t)b[0] << 8 | b[1]);
}

static inline uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Count kind in st and append it to p (offset clamped to 65535). */
void anomaly_add(packet_t *p, decode_stats_t *st, anomaly_kind_t kind, uint32_t offset);

static inline decode_result_t dctx_anomaly(dctx_t *c, anomaly_kind_t kind, const uint8_t *at)
{
    anomaly_add(c->p, &c->d->stats, kind, c->base_off + (uint32_t)(at - c->base));
    return DECODE_ANOMALY;
}

decode_result_t decode_link(dctx_t *c);
decode_result_t decode_ipv4(dctx_t *c, const uint8_t *ip, uint32_t avail);
decode_result_t decode_ipv6(dctx_t *c, const uint8_t *ip, uint32_t avail);

struct frag_desc;
/* Hand a fragment to the defragmenter; once its datagram is complete, decode
 * the rebuilt datagram with redecode as if it had come in this frame. */
decode_result_t decode_fragment(dctx_t *c, const struct frag_desc *fd,
                                decode_result_t (*redecode)(dctx_t *, const uint8_t *, uint32_t));
/* avail: captured transport bytes; wire: transport bytes the IP header
 * claims (>= avail; more only when the snaplen cut the frame). */
decode_result_t decode_l4(dctx_t *c, uint8_t proto, const uint8_t *l4, uint32_t avail,
                          uint32_t wire);
/* Ports (TCP/UDP) or ICMP type/code from the first bytes of a transport
 * header, for fragments whose header cannot be fully decoded yet. */
void l4_peek(packet_t *p, const uint8_t *l4, uint32_t avail);

#endif
