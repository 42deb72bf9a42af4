/* fuzz_stream.c -- TCP stream reassembly driven by arbitrary segments.
 *
 * Input: one config byte, then 7-byte records, one segment each:
 *   flags, dir/mode, seq offset (2, big-endian), length, ack offset (2).
 * Sequence and ack offsets are added to per-direction ISNs near 2^32, so
 * segments land anywhere in a 64 KiB span that wraps. In "clean" mode the
 * byte at sequence number s is always pat(s), so every delivered byte can be
 * checked; otherwise records may carry differing (junk) bytes.
 *
 * Checked: deliveries and gaps tile each direction exactly (offsets never go
 * back or skip), nothing passes the depth, the window repeats exactly the
 * last bytes delivered since the last gap, clean bytes are right, memory
 * stays within the memcap and is all returned. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream/stream.h"

#define WMAX 300

typedef struct fz {
    stream_ctx_t *ctx;
    tcp_stream_t *st;
    stream_config_t cfg;
    int clean;
    uint64_t next_off[2], since_gap[2];
    uint8_t last[2][WMAX]; /* last bytes delivered, newest at the end */
} fz_t;

static uint8_t pat(uint32_t s)
{
    return (uint8_t)((s * 2654435761u) >> 24);
}

static void remember(uint8_t *last, const uint8_t *p, size_t n)
{
    if (n >= WMAX) {
        memcpy(last, p + n - WMAX, WMAX);
        return;
    }
    memmove(last, last + n, WMAX - n);
    memcpy(last + WMAX - n, p, n);
}

static void on_deliver(void *ud, int dir, const uint8_t *data, size_t len, size_t seen,
                       uint64_t off)
{
    fz_t *z = ud;
    if (dir != 0 && dir != 1) abort();
    if (seen >= len || seen > z->cfg.window || seen > z->since_gap[dir]) abort();
    if (off != z->next_off[dir]) abort();
    size_t n = len - seen;
    if (z->cfg.depth && off + n > z->cfg.depth) abort();
    if (seen && memcmp(data, z->last[dir] + WMAX - seen, seen) != 0) abort();
    uint32_t seq;
    uint64_t pos;
    if (!stream_dir_position(z->st, dir, &seq, &pos) || pos != off) abort();
    if (z->clean)
        for (size_t i = 0; i < n; i++)
            if (data[seen + i] != pat(seq + (uint32_t)i)) abort();
    remember(z->last[dir], data + seen, n);
    z->next_off[dir] += n;
    z->since_gap[dir] += n;
}

static void on_gap(void *ud, int dir, uint64_t off, uint32_t len)
{
    fz_t *z = ud;
    if (dir != 0 && dir != 1) abort();
    if (len == 0 || off != z->next_off[dir]) abort();
    if (z->cfg.depth && off + len > z->cfg.depth) abort();
    z->next_off[dir] += len;
    z->since_gap[dir] = 0;
}

static void config(fz_t *z, uint8_t b)
{
    static const uint64_t depths[4] = {0, 64, 1000, 4096};
    static const uint32_t windows[4] = {0, 0, 16, WMAX};
    static const uint32_t holds[4] = {0, 1, 4, 64};
    stream_config_defaults(&z->cfg);
    z->cfg.depth = depths[b & 3];
    z->cfg.window = windows[(b >> 2) & 3];
    z->cfg.max_ooo_segs = holds[(b >> 4) & 3];
    z->cfg.memcap = (b & 0x40) ? 1500 : 1u << 20;
    z->clean = !(b & 0x80);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fz_t z;
    static uint8_t payload[256];
    if (size < 1) return 0;
    memset(&z, 0, sizeof z);
    config(&z, data[0]);
    z.ctx = stream_ctx_new(&z.cfg);
    if (z.ctx == NULL) abort();
    z.st = stream_new(z.ctx);
    if (z.st == NULL) abort();
    const uint32_t isn[2] = {0xFFFFF000u, 0x7FFFFF00u};
    stream_sink_t sink = {on_deliver, on_gap, &z};
    for (size_t i = 1; i + 7 <= size; i += 7) {
        const uint8_t *r = data + i;
        uint8_t flags = r[0];
        int dir = r[1] & 1;
        uint32_t seq = isn[dir] + (uint32_t)(r[2] << 8 | r[3]);
        uint32_t len = r[4];
        uint32_t ack = isn[1 - dir] + (uint32_t)(r[5] << 8 | r[6]);
        uint32_t first = seq + ((flags & 0x02) ? 1u : 0u); /* SYN: data after it */
        for (uint32_t k = 0; k < len; k++)
            payload[k] = (!z.clean && (r[1] & 2)) ? (uint8_t)(r[1] ^ k) : pat(first + k);
        if (r[1] & 0x80) stream_dir_stop(z.ctx, z.st, dir);
        stream_segment(z.ctx, z.st, dir, flags, seq, ack, payload, len, &sink);
        if (stream_ctx_stats(z.ctx)->memuse > z.cfg.memcap) abort();
    }
    stream_flush(z.ctx, z.st, &sink);
    stream_free(z.ctx, z.st);
    const stream_stats_t *s = stream_ctx_stats(z.ctx);
    if (s->memuse != 0 || s->streams != 0 || s->memuse_max > z.cfg.memcap) abort();
    stream_ctx_free(z.ctx);
    return 0;
}
