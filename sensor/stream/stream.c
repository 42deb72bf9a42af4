/* stream.c -- stream contexts, per-flow streams and the segment entry point.
 *
 * A segment is placed relative to its direction's next expected byte:
 * wholly before it is a retransmission, straddling it is trimmed, at it is
 * delivered straight from the packet (around any held bytes, which win),
 * after it is held. ACKs of the opposite direction reveal capture loss. */
#include <stdlib.h>
#include <string.h>

#include "../decode/packet.h"
#include "stream_int.h"

_Static_assert(sizeof(tcp_stream_t) <= 64, "an idle stream stays small");

void stream_config_defaults(stream_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->depth = 1u << 20;
    cfg->memcap = 256u << 20;
    cfg->max_ooo_segs = 256;
    cfg->window = 0;
    cfg->policy = STREAM_POLICY_FIRST;
}

stream_ctx_t *stream_ctx_new(const stream_config_t *cfg)
{
    if (cfg == NULL || cfg->window > STREAM_WINDOW_MAX || cfg->policy != STREAM_POLICY_FIRST)
        return NULL;
    stream_ctx_t *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->cfg = *cfg;
    if (cfg->window != 0) {
        c->scratch = malloc((size_t)cfg->window + STREAM_CHUNK);
        if (c->scratch == NULL) {
            free(c);
            return NULL;
        }
    }
    return c;
}

void stream_ctx_free(stream_ctx_t *ctx)
{
    if (ctx == NULL) return;
    free(ctx->scratch);
    free(ctx);
}

const stream_stats_t *stream_ctx_stats(const stream_ctx_t *ctx)
{
    return &ctx->st;
}

bool stream_mem_take(stream_ctx_t *c, uint64_t n)
{
    if (c->st.memuse + n > c->cfg.memcap) {
        c->st.memcap_hits++;
        return false;
    }
    c->st.memuse += n;
    if (c->st.memuse > c->st.memuse_max) c->st.memuse_max = c->st.memuse;
    return true;
}

void stream_mem_give(stream_ctx_t *c, uint64_t n)
{
    c->st.memuse -= n;
}

static uint64_t ext_size(const stream_ctx_t *c)
{
    return sizeof(stream_ext_t) + 2 * (uint64_t)c->cfg.window;
}

/* The part of a stream that exists only while it holds data or windows. */
stream_ext_t *stream_ext_get(stream_ctx_t *c, tcp_stream_t *st)
{
    if (st->ext) return st->ext;
    uint64_t n = ext_size(c);
    if (!stream_mem_take(c, n)) return NULL;
    stream_ext_t *e = calloc(1, n);
    if (e == NULL) {
        stream_mem_give(c, n);
        c->st.memcap_hits++;
        return NULL;
    }
    if (c->cfg.window != 0) {
        e->dir[0].win = e->winbuf;
        e->dir[1].win = e->winbuf + c->cfg.window;
    }
    st->ext = e;
    return e;
}

/* Free the ext once neither direction holds data nor needs its window. */
static void ext_release_idle(stream_ctx_t *c, tcp_stream_t *st)
{
    stream_ext_t *e = st->ext;
    if (e == NULL || e->dir[0].head || e->dir[1].head) return;
    if (c->cfg.window != 0 && !((st->dir[0].flags & st->dir[1].flags) & SD_DONE)) return;
    free(e);
    st->ext = NULL;
    stream_mem_give(c, ext_size(c));
}

tcp_stream_t *stream_new(stream_ctx_t *ctx)
{
    if (ctx == NULL || !stream_mem_take(ctx, sizeof(tcp_stream_t))) return NULL;
    tcp_stream_t *st = calloc(1, sizeof *st);
    if (st == NULL) {
        stream_mem_give(ctx, sizeof(tcp_stream_t));
        ctx->st.memcap_hits++;
        return NULL;
    }
    ctx->st.streams++;
    return st;
}

void stream_free(stream_ctx_t *ctx, tcp_stream_t *st)
{
    if (st == NULL) return;
    stream_held_free(ctx, st, 0);
    stream_held_free(ctx, st, 1);
    if (st->ext) {
        free(st->ext);
        stream_mem_give(ctx, ext_size(ctx));
    }
    free(st);
    stream_mem_give(ctx, sizeof(tcp_stream_t));
    ctx->st.streams--;
}

/* In-order bytes p[0..n) at next_seq. Where held segments lie inside them
 * the held bytes are delivered instead (first wins); the rest comes straight
 * from the packet. */
static void deliver_inorder(stream_ctx_t *c, tcp_stream_t *st, int dir, const uint8_t *p,
                            uint64_t n, const stream_sink_t *sink, bool *overlap, bool *diff)
{
    stream_dir_t *sd = &st->dir[dir];
    while (n > 0 && !(sd->flags & SD_DONE)) {
        stream_seg_t *h = st->ext ? st->ext->dir[dir].head : NULL;
        int64_t hs = h ? seq_diff(h->seq, sd->next_seq) : INT64_MAX;
        if (hs > 0) {
            uint64_t k = (uint64_t)hs < n ? (uint64_t)hs : n;
            stream_emit(c, st, dir, p, k, sink);
            p += k;
            n -= k;
            continue;
        }
        h = stream_held_pop(st, dir);
        int64_t hl = (int64_t)h->len + hs; /* held bytes from next_seq on */
        if (hl > 0) {
            uint64_t ov = (uint64_t)hl < n ? (uint64_t)hl : n;
            *overlap = true;
            if (memcmp(h->data - hs, p, ov) != 0) *diff = true;
            stream_emit(c, st, dir, h->data - hs, (uint64_t)hl, sink);
            p += ov;
            n -= ov;
        }
        stream_seg_free(c, h);
    }
    stream_drain(c, st, dir, sink);
}

static void enforce_hold_bound(stream_ctx_t *c, tcp_stream_t *st, int dir,
                               const stream_sink_t *sink)
{
    while (st->ext && st->ext->dir[dir].nsegs > c->cfg.max_ooo_segs &&
           !(st->dir[dir].flags & SD_DONE))
        stream_skip_hole(c, st, dir, sink);
}

static void data_segment(stream_ctx_t *c, tcp_stream_t *st, int dir, uint32_t seq, const uint8_t *p,
                         uint32_t len, const stream_sink_t *sink)
{
    stream_dir_t *sd = &st->dir[dir];
    int64_t start = seq_diff(seq, sd->next_seq), end = start + len;
    if (end <= 0) {
        c->st.retransmissions++;
        return;
    }
    int64_t lim = stream_limit(c, sd);
    if (end > lim) end = lim;
    bool overlap = false, diff = false;
    if (start < 0) { /* the head was delivered already */
        overlap = true;
        p -= start;
        start = 0;
    }
    if (end <= start) return; /* wholly past the FIN or the depth */
    if (start == 0) {
        deliver_inorder(c, st, dir, p, (uint64_t)end, sink, &overlap, &diff);
    } else {
        c->st.out_of_order++;
        held_result_t r =
            stream_held_insert(c, st, dir, start, p, (uint32_t)(end - start), &overlap, &diff);
        if (r == HELD_DUP) {
            c->st.retransmissions++;
            overlap = false; /* counted as a retransmission, not as an overlap */
        }
        enforce_hold_bound(c, st, dir, sink);
    }
    if (overlap) c->st.overlaps++;
    if (diff) c->st.overlap_diff++;
}

/* The peer acknowledged bytes up to ack: whatever of them was not seen is
 * lost to the capture. Held segments below ack are delivered on the way. */
static void ack_gap(stream_ctx_t *c, tcp_stream_t *st, int dir, uint32_t ack,
                    const stream_sink_t *sink)
{
    stream_dir_t *sd = &st->dir[dir];
    if (!(sd->flags & SD_BASE)) return;
    uint32_t target = ack;
    if ((sd->flags & SD_FIN) && seq_diff(ack, sd->fin_seq) > 0)
        target = sd->fin_seq; /* FIN's own number */
    while (!(sd->flags & SD_DONE) && seq_diff(target, sd->next_seq) > 0) {
        stream_seg_t *h = st->ext ? st->ext->dir[dir].head : NULL;
        if (h && seq_diff(h->seq, target) < 0)
            stream_skip_hole(c, st, dir, sink);
        else
            stream_gap(c, st, dir, (uint64_t)seq_diff(target, sd->next_seq), sink);
    }
}

static void flush_dir(stream_ctx_t *c, tcp_stream_t *st, int dir, const stream_sink_t *sink)
{
    while (!(st->dir[dir].flags & SD_DONE) && st->ext && st->ext->dir[dir].head)
        stream_skip_hole(c, st, dir, sink);
    stream_set_done(c, st, dir);
}

static void record_fin(stream_ctx_t *c, tcp_stream_t *st, int dir, uint32_t fin_seq)
{
    stream_dir_t *sd = &st->dir[dir];
    if (sd->flags & (SD_FIN | SD_DONE)) return;      /* the first FIN stands */
    if (seq_diff(fin_seq, sd->next_seq) < 0) return; /* before delivered data: not valid */
    sd->fin_seq = fin_seq;
    sd->flags |= SD_FIN;
    stream_check_end(c, st, dir);
}

void stream_segment(stream_ctx_t *ctx, tcp_stream_t *st, int dir, uint8_t tcp_flags, uint32_t seq,
                    uint32_t ack, const uint8_t *payload, uint32_t len, const stream_sink_t *sink)
{
    if (ctx == NULL || st == NULL || (dir != 0 && dir != 1)) return;
    if (payload == NULL) len = 0;
    if (len > STREAM_SEG_MAX) return; /* no packet is that long; keeps offsets in int32 range */
    if (len > 0) ctx->st.segments++;
    if (tcp_flags & TH_ACK) ack_gap(ctx, st, 1 - dir, ack, sink);
    if (tcp_flags & TH_RST) { /* both ends abort: deliver what is held, then stop */
        flush_dir(ctx, st, 0, sink);
        flush_dir(ctx, st, 1, sink);
        ext_release_idle(ctx, st);
        return;
    }
    stream_dir_t *sd = &st->dir[dir];
    if (tcp_flags & TH_SYN) {
        seq += 1; /* the SYN takes one number; data starts after it */
        if (!(sd->flags & SD_BASE)) {
            sd->next_seq = seq;
            sd->flags |= SD_BASE;
        }
    }
    if (!(sd->flags & SD_BASE) && (len > 0 || (tcp_flags & TH_FIN))) {
        sd->next_seq = seq; /* picked up mid-stream */
        sd->flags |= SD_BASE;
    }
    if ((sd->flags & SD_BASE) && !(sd->flags & SD_DONE)) {
        if (len > 0) data_segment(ctx, st, dir, seq, payload, len, sink);
        if (tcp_flags & TH_FIN) record_fin(ctx, st, dir, seq + len);
    }
    ext_release_idle(ctx, st);
}

void stream_flush(stream_ctx_t *ctx, tcp_stream_t *st, const stream_sink_t *sink)
{
    if (ctx == NULL || st == NULL) return;
    flush_dir(ctx, st, 0, sink);
    flush_dir(ctx, st, 1, sink);
    ext_release_idle(ctx, st);
}

void stream_dir_stop(stream_ctx_t *ctx, tcp_stream_t *st, int dir)
{
    if (ctx == NULL || st == NULL || (dir != 0 && dir != 1)) return;
    stream_set_done(ctx, st, dir);
}

bool stream_dir_done(const tcp_stream_t *st, int dir)
{
    return st && (dir == 0 || dir == 1) && (st->dir[dir].flags & SD_DONE);
}

bool stream_dir_position(const tcp_stream_t *st, int dir, uint32_t *next_seq, uint64_t *offset)
{
    if (st == NULL || (dir != 0 && dir != 1) || !(st->dir[dir].flags & SD_BASE)) return false;
    if (next_seq) *next_seq = st->dir[dir].next_seq;
    if (offset) *offset = st->dir[dir].next_off;
    return true;
}
