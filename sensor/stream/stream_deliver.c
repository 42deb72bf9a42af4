/* stream_deliver.c -- handing bytes and gaps to the sink, in order.
 *
 * Every advance of a direction (delivered bytes or a gap) goes through
 * stream_emit() or stream_gap(), which clip it at the depth and the FIN and
 * end the direction there. Callbacks may stop the direction, so loops check
 * SD_DONE after each one. */
#include <string.h>

#include "stream_int.h"

/* Bytes after next_seq that may still be delivered: up to depth and up to
 * the FIN. Never negative. */
int64_t stream_limit(const stream_ctx_t *c, const stream_dir_t *sd)
{
    int64_t lim = INT64_MAX;
    if (c->cfg.depth != 0) {
        uint64_t left = c->cfg.depth > sd->next_off ? c->cfg.depth - sd->next_off : 0;
        if (left < (uint64_t)INT64_MAX) lim = (int64_t)left;
    }
    if (sd->flags & SD_FIN) {
        int64_t f = seq_diff(sd->fin_seq, sd->next_seq);
        if (f < lim) lim = f;
    }
    return lim < 0 ? 0 : lim;
}

void stream_set_done(stream_ctx_t *c, tcp_stream_t *st, int dir)
{
    st->dir[dir].flags |= SD_DONE;
    stream_held_free(c, st, dir);
    if (st->ext) st->ext->dir[dir].wlen = 0;
}

void stream_check_end(stream_ctx_t *c, tcp_stream_t *st, int dir)
{
    stream_dir_t *sd = &st->dir[dir];
    if (sd->flags & SD_DONE) return;
    if (c->cfg.depth != 0 && sd->next_off >= c->cfg.depth) {
        c->st.depth_reached++;
        stream_set_done(c, st, dir);
    } else if ((sd->flags & SD_FIN) && seq_diff(sd->fin_seq, sd->next_seq) <= 0) {
        stream_set_done(c, st, dir);
    }
}

/* With a window: previous bytes then new ones, copied into the scratch
 * buffer chunk by chunk; the window keeps the tail of each span. */
static void deliver_windowed(stream_ctx_t *c, tcp_stream_t *st, int dir, const uint8_t *p,
                             uint64_t n, uint64_t off, const stream_sink_t *sink)
{
    uint32_t W = c->cfg.window;
    while (n > 0 && !(st->dir[dir].flags & SD_DONE)) {
        stream_ext_dir_t *ed = &st->ext->dir[dir];
        uint32_t w = ed->wlen;
        uint32_t k = n < STREAM_CHUNK ? (uint32_t)n : STREAM_CHUNK;
        memcpy(c->scratch, ed->win, w);
        memcpy(c->scratch + w, p, k);
        sink->deliver(sink->ud, dir, c->scratch, (size_t)w + k, w, off);
        if (st->dir[dir].flags & SD_DONE) return; /* stopped by the callback */
        uint32_t keep = w + k < W ? w + k : W;
        memcpy(ed->win, c->scratch + w + k - keep, keep);
        ed->wlen = keep;
        p += k;
        n -= k;
        off += k;
    }
}

static void deliver(stream_ctx_t *c, tcp_stream_t *st, int dir, const uint8_t *p, uint64_t n,
                    const stream_sink_t *sink)
{
    uint64_t off = st->dir[dir].next_off;
    if (sink == NULL || sink->deliver == NULL) return;
    if (c->cfg.window != 0 && stream_ext_get(c, st) != NULL) {
        deliver_windowed(c, st, dir, p, n, off, sink);
        return;
    }
    /* no window configured, or no memory for one: the payload as it is */
    sink->deliver(sink->ud, dir, p, (size_t)n, 0, off);
}

void stream_emit(stream_ctx_t *c, tcp_stream_t *st, int dir, const uint8_t *p, uint64_t n,
                 const stream_sink_t *sink)
{
    stream_dir_t *sd = &st->dir[dir];
    if (sd->flags & SD_DONE) return;
    int64_t lim = stream_limit(c, sd);
    if (n > (uint64_t)lim) n = (uint64_t)lim;
    if (n > 0) {
        deliver(c, st, dir, p, n, sink);
        /* positions advance only now: inside deliver() they name the first new byte */
        sd->next_seq += (uint32_t)n;
        sd->next_off += n;
        c->st.bytes += n;
    }
    stream_check_end(c, st, dir);
}

void stream_gap(stream_ctx_t *c, tcp_stream_t *st, int dir, uint64_t n, const stream_sink_t *sink)
{
    stream_dir_t *sd = &st->dir[dir];
    if (sd->flags & SD_DONE) return;
    int64_t lim = stream_limit(c, sd);
    if (n > (uint64_t)lim) n = (uint64_t)lim;
    if (n > 0) {
        uint64_t off = sd->next_off;
        if (st->ext) st->ext->dir[dir].wlen = 0; /* bytes after a hole do not follow the window */
        sd->next_seq += (uint32_t)n;
        sd->next_off += n;
        c->st.gaps++;
        c->st.gap_bytes += n;
        if (sink && sink->gap) sink->gap(sink->ud, dir, off, (uint32_t)n);
    }
    stream_check_end(c, st, dir);
}

/* Deliver held segments that now start at (or before) next_seq. Each is
 * unlinked before its callback so a stop inside it cannot free it twice. */
void stream_drain(stream_ctx_t *c, tcp_stream_t *st, int dir, const stream_sink_t *sink)
{
    stream_dir_t *sd = &st->dir[dir];
    while (!(sd->flags & SD_DONE) && st->ext && st->ext->dir[dir].head) {
        int64_t rel = seq_diff(st->ext->dir[dir].head->seq, sd->next_seq);
        if (rel > 0) break;
        stream_seg_t *s = stream_held_pop(st, dir);
        if (rel + (int64_t)s->len > 0) /* else stale: wholly delivered already */
            stream_emit(c, st, dir, s->data - rel, (uint64_t)((int64_t)s->len + rel), sink);
        stream_seg_free(c, s);
    }
}

/* Give up on the hole before the first held segment, then deliver on. */
void stream_skip_hole(stream_ctx_t *c, tcp_stream_t *st, int dir, const stream_sink_t *sink)
{
    if (st->ext == NULL || st->ext->dir[dir].head == NULL) return;
    int64_t rel = seq_diff(st->ext->dir[dir].head->seq, st->dir[dir].next_seq);
    if (rel > 0) stream_gap(c, st, dir, (uint64_t)rel, sink);
    stream_drain(c, st, dir, sink);
}
