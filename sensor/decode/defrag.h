/* defrag.h -- IPv4 and IPv6 fragment reassembly with a hard memory bound.
 *
 * Internal to the decoder. Fragments are keyed by (version, src, dst, id,
 * VLAN ids, and for IPv4 the protocol), like the kernel does.
 *
 * Memory: everything is allocated by defrag_new() and never again. Fragment
 * data lives in 2 KiB pages from one arena of memcap bytes; a datagram's
 * pages are indexed by payload position, so a fragment is copied once,
 * straight to where it belongs. The tracker table (max_trackers entries of
 * ~200 bytes) and the output buffer (~67 KiB) come on top of memcap. When
 * the pages or trackers run out, the oldest partial datagram is dropped
 * (counted as FRAG_MEMCAP in the stats).
 *
 * Policy: first wins. Bytes already held are never overwritten; a later
 * fragment that overlaps them with different bytes raises FRAG_OVERLAP
 * (IPv4_/IPV6_ kind). The first fragment with MF=0 fixes the datagram's end;
 * data past it (or a second, different end) is dropped, also as an overlap.
 * The IP header (IPv6: fixed header + unfragmentable extension headers) is
 * taken from the fragment at offset 0. Duplicates are silently absorbed.
 *
 * A partial datagram expires timeout_sec after its FIRST fragment (packet
 * time; like Linux, later fragments do not extend it). */
#ifndef SOC_DEFRAG_H
#define SOC_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

typedef struct defrag defrag_t;

#define DEFRAG_PAGE_SIZE 2048u
#define DEFRAG_HDR_MAX   DEFRAG_PAGE_SIZE /* IP header + unfragmentable part */

defrag_t *defrag_new(const defrag_config_t *cfg);
void defrag_free(defrag_t *df);

typedef enum defrag_result {
    DEFRAG_HELD,     /* stored, waiting for more */
    DEFRAG_COMPLETE, /* *out, *out_len: whole IP datagram (header + payload) */
    DEFRAG_DROPPED,  /* bad or over a bound; anomaly set in p */
} defrag_result_t;

/* One fragment as the IP decoders found it. */
typedef struct frag_desc {
    uint8_t version;    /* 4 or 6 */
    uint8_t proto;      /* protocol of the reassembled payload */
    uint16_t nh_off;    /* IPv6: offset in hdr of the next-header byte that
                           announced the fragment header */
    uint32_t id;        /* IPv4: 16-bit id; IPv6: 32-bit id */
    uint32_t offset;    /* payload offset in bytes */
    bool more;          /* MF */
    const uint8_t *hdr; /* IPv4 header / IPv6 header + unfragmentable part */
    uint32_t hdr_len;
    const uint8_t *data; /* fragment payload (after the fragment header) */
    uint32_t data_len;
    uint32_t frame_off; /* frame offset of hdr, for anomaly offsets */
} frag_desc_t;

/* Feed one fragment of p (p->src/dst/vlan/ts_usec are used as the key and
 * clock). On DEFRAG_COMPLETE *out points at the rebuilt datagram in a buffer
 * owned by df, valid until the next defrag_add(): IPv4 with MF/offset
 * cleared, total length and checksum fixed; IPv6 with the fragment header
 * removed and payload length fixed. On DEFRAG_HELD the ports (or ICMP
 * type/code) are filled in p when the datagram's first 4 payload bytes are
 * known. Anomalies go to p and st. */
defrag_result_t defrag_add(defrag_t *df, decode_stats_t *st, packet_t *p, const frag_desc_t *fd,
                           const uint8_t **out, uint32_t *out_len);

/* Drop partial datagrams older than the timeout; adds their number to
 * *timed_out. */
void defrag_expire(defrag_t *df, int64_t now_usec, uint64_t *timed_out);

/* Partial datagrams held and bytes of pages in use. */
void defrag_usage(const defrag_t *df, uint32_t *trackers, uint32_t *bytes);

#endif
