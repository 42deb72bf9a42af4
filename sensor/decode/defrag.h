/* defrag.h -- IPv4 and IPv6 fragment reassembly with a hard memory bound.
 *
 * Fragments are keyed like the kernel does (src, dst, id, proto; VLAN too).
 * All memory comes from one arena sized by memcap at creation; when it is
 * full the oldest partial datagram is dropped (counted as FRAG_MEMCAP). A
 * completed datagram is written, with a fixed-up IP header, into a buffer
 * owned by the defragmenter that stays valid until the next call. */
#ifndef SOC_DEFRAG_H
#define SOC_DEFRAG_H

#include <stdint.h>

#include "decode.h"

typedef struct defrag defrag_t;

defrag_t *defrag_new(const defrag_config_t *cfg);
void defrag_free(defrag_t *df);

typedef enum defrag_result {
    DEFRAG_HELD,     /* stored, waiting for more */
    DEFRAG_COMPLETE, /* *out/*out_len: whole IP datagram (header + payload) */
    DEFRAG_DROPPED,  /* bad or over a bound; anomaly set in p */
} defrag_result_t;

/* Feed one fragment. p->l3 / p->l3_len describe the fragment's IP packet;
 * frag_off is the payload offset in bytes, more is the MF bit, payload /
 * payload_len the fragment's data after all headers that precede the
 * fragment header (IPv6: the unfragmentable part is taken from the first
 * fragment). next_proto is the protocol of the reassembled payload. */
defrag_result_t defrag_ipv4(defrag_t *df, packet_t *p, uint16_t id, uint32_t frag_off, int more,
                            const uint8_t **out, uint32_t *out_len);
defrag_result_t defrag_ipv6(defrag_t *df, packet_t *p, uint32_t id, uint32_t frag_off, int more,
                            uint32_t unfrag_len, uint8_t next_proto, const uint8_t *frag_payload,
                            uint32_t frag_payload_len, const uint8_t **out, uint32_t *out_len);

void defrag_expire(defrag_t *df, int64_t now_usec, uint64_t *timed_out);

#endif
