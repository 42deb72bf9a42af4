/* stream.h -- TCP stream reassembly, per flow and per direction.
 *
 * A stream context (stream_ctx_t) holds the configuration, the statistics,
 * the memory budget and a scratch buffer; each TCP flow owns one
 * tcp_stream_t allocated from it (56 bytes while idle). The caller feeds
 * every TCP segment of the flow with stream_segment() and receives the
 * bytes of each direction in order, exactly once, through a sink:
 *
 *  - deliver(): in-order bytes. Without a window (the default) the pointer
 *    is the packet's own payload: nothing is copied for in-order data.
 *  - gap(): a stretch of the stream that will never be delivered (capture
 *    loss, holding limits, memcap). The next delivery starts after it.
 *
 * Sequence numbers:
 *  - A direction's stream starts at ISN+1 from its SYN or, for a flow picked
 *    up mid-stream, at the first data (or FIN) segment seen. Offsets count
 *    bytes from that start (delivered plus gap bytes).
 *  - Comparisons use 32-bit serial arithmetic: the stream may wrap 2^32.
 *  - A segment wholly before the next expected byte is a retransmission:
 *    dropped and counted. A segment starting before it is trimmed (overlap).
 *  - A segment starting after it is out of order: copied into a holding
 *    list (sorted, non-overlapping, at most max_ooo_segs per direction)
 *    and delivered when the hole before it fills.
 *
 * Overlap policy STREAM_POLICY_FIRST: bytes seen first stand. Bytes already
 * delivered are final; a later segment overlapping held bytes keeps the
 * held ones and only fills around them. When the overlapping bytes differ
 * (compared against held data; delivered data is not kept, so a differing
 * copy of already delivered bytes counts as a plain retransmission),
 * overlap_diff is counted: it is an evasion indicator.
 *
 * Gaps are declared (gap callback, then delivery continues with the held
 * data after the hole) when:
 *  - the holding list of a direction exceeds max_ooo_segs;
 *  - the peer ACKs beyond the next expected byte: the receiver got data the
 *    capture never saw. This is also what closes a hole before a FIN: a FIN
 *    alone does not, since a retransmission may still fill the hole;
 *  - a RST is seen, or stream_flush() is called at flow end.
 * A segment that cannot be held within the memcap is dropped (memcap_hits);
 * its bytes become part of a later gap.
 *
 * Ends of a direction (nothing more is delivered, held data is freed):
 *  - depth bytes of stream offset reached (depth_reached counted once);
 *  - all bytes up to its FIN delivered (data beyond a FIN is ignored);
 *  - RST in either direction (held data is flushed first; RST payload is
 *    ignored, as receivers discard it);
 *  - stream_dir_stop() by the consumer; stream_flush().
 *
 * Optional window (config.window > 0): each direction keeps the last
 * `window` delivered bytes, and deliver() gets them followed by the new
 * bytes as one contiguous span, so a pattern split across segments can be
 * matched with one scan. The window restarts empty after a gap. This copies
 * the data into the context's scratch buffer (long segments are delivered
 * in chunks of at most STREAM_CHUNK new bytes).
 *
 * Memory: tcp_stream_t, holding-list segments and windows are allocated
 * with malloc and counted against one memcap per context; nothing is
 * allocated for in-order segments. Not thread-safe: one context per thread.
 * Callbacks may call stream_dir_stop() and the read-only accessors, but must
 * not feed, flush or free the stream they are called for. */
#ifndef SOC_STREAM_H
#define SOC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_WINDOW_MAX 65536u     /* largest configurable window */
#define STREAM_CHUNK      65536u     /* most new bytes per deliver() when windowed */
#define STREAM_SEG_MAX    (1u << 30) /* longer segments are ignored */

typedef enum stream_policy {
    STREAM_POLICY_FIRST = 0, /* first bytes seen win (BSD-like, Suricata "first") */
} stream_policy_t;

typedef struct stream_config {
    uint64_t depth;        /* stream bytes reassembled per direction; 0 = no limit */
    uint64_t memcap;       /* bytes for streams, held segments and windows */
    uint32_t max_ooo_segs; /* held segments per direction before a gap; 0 = hold none */
    uint32_t window;       /* bytes of context given before new data; 0 = off */
    stream_policy_t policy;
} stream_config_t;

typedef struct stream_stats {
    uint64_t streams;         /* tcp_stream_t alive */
    uint64_t segments;        /* segments with payload given to stream_segment() */
    uint64_t bytes;           /* new bytes delivered */
    uint64_t retransmissions; /* data segments wholly already seen (dropped) */
    uint64_t overlaps;        /* data segments partially overlapping seen data */
    uint64_t overlap_diff;    /* segments whose overlapping bytes differ from held ones */
    uint64_t out_of_order;    /* data segments arriving ahead of a hole */
    uint64_t gaps, gap_bytes; /* gap callbacks and the bytes they skipped */
    uint64_t depth_reached;   /* directions stopped by depth */
    uint64_t memcap_hits;     /* allocations refused by the memcap */
    uint64_t memuse, memuse_max;
} stream_stats_t;

/* Sink of one direction's data; any callback may be NULL. For deliver(),
 * data[0..seen) is the window of bytes delivered before (seen <= window)
 * and data[seen..len) the new bytes, whose first byte is at stream_offset.
 * A scan of the span should report only matches that end past `seen`. */
typedef struct stream_sink {
    void (*deliver)(void *ud, int dir, const uint8_t *data, size_t len, size_t seen,
                    uint64_t stream_offset);
    void (*gap)(void *ud, int dir, uint64_t stream_offset, uint32_t len);
    void *ud;
} stream_sink_t;

typedef struct stream_ctx stream_ctx_t;
typedef struct tcp_stream tcp_stream_t;

/* depth 1 MiB, memcap 256 MiB, 256 held segments per direction, no window. */
void stream_config_defaults(stream_config_t *cfg);
/* NULL when out of memory or the config is invalid (window above
 * STREAM_WINDOW_MAX, unknown policy). */
stream_ctx_t *stream_ctx_new(const stream_config_t *cfg);
/* Every stream must have been freed before. */
void stream_ctx_free(stream_ctx_t *ctx);
const stream_stats_t *stream_ctx_stats(const stream_ctx_t *ctx);

/* NULL when the memcap is reached (counted) or out of memory. */
tcp_stream_t *stream_new(stream_ctx_t *ctx);
/* Frees held data without delivering it; st may be NULL. */
void stream_free(stream_ctx_t *ctx, tcp_stream_t *st);

/* One TCP segment of the flow going in direction dir (0 or 1, e.g.
 * DIR_TOSERVER/DIR_TOCLIENT): flags as on the wire (TH_*), seq and ack in
 * host order, payload of len bytes (may be NULL when len is 0). The ACK
 * field is used when TH_ACK is set, for the opposite direction. */
void stream_segment(stream_ctx_t *ctx, tcp_stream_t *st, int dir, uint8_t tcp_flags, uint32_t seq,
                    uint32_t ack, const uint8_t *payload, uint32_t len, const stream_sink_t *sink);

/* Flow end: in both directions, deliver held data with a gap before each
 * hole, then end both directions and free their held data and windows. */
void stream_flush(stream_ctx_t *ctx, tcp_stream_t *st, const stream_sink_t *sink);

/* Stop reassembling one direction (e.g. the consumer lost interest); frees
 * its held data. Safe inside a callback. */
void stream_dir_stop(stream_ctx_t *ctx, tcp_stream_t *st, int dir);

/* True once the direction ended (depth, FIN, RST, stop or flush). */
bool stream_dir_done(const tcp_stream_t *st, int dir);
/* Next expected sequence number and its stream offset; false while the
 * direction has not started. Inside deliver() they are those of the first
 * new byte. */
bool stream_dir_position(const tcp_stream_t *st, int dir, uint32_t *next_seq, uint64_t *offset);

#endif
