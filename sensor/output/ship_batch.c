/* ship_batch.c -- the packet thread's half of shipping: EVE lines into
 * batches, closed by size, event count or age. Adding a line costs a memcpy;
 * the clock is read only by the caller of ship_batcher_poll. */
#include "ship.h"

#include <string.h>

#define NS_PER_MS 1000000LL

void ship_batcher_init(struct ship_batcher *b, uint32_t max_events, uint32_t max_bytes,
                       uint32_t flush_ms, ship_emit_fn emit, void *ud)
{
    memset(b, 0, sizeof(*b));
    /* The writer's seq is a placeholder: the spool numbers batches. */
    frame_batch_writer_init(&b->w, 1, max_bytes);
    b->max_events = max_events ? max_events : 1;
    b->flush_ns = (int64_t)flush_ms * NS_PER_MS;
    b->emit = emit;
    b->ud = ud;
}

void ship_batcher_free(struct ship_batcher *b)
{
    frame_batch_writer_free(&b->w);
}

uint32_t ship_batcher_pending(const struct ship_batcher *b)
{
    return b->w.count;
}

void ship_batcher_close(struct ship_batcher *b)
{
    if (b->w.count == 0) return;
    /* The spool holds the lines only; the shipper writes the 20-byte
     * prefix (frame_batch_prefix_encode) with the spool's seq. */
    b->emit(b->ud, b->w.buf + FRAME_BATCH_PREFIX_LEN, b->w.len - FRAME_BATCH_PREFIX_LEN,
            b->w.count);
    frame_batch_writer_reset(&b->w, 1);
    b->opened_ns = 0;
}

void ship_batcher_add(struct ship_batcher *b, const char *line, size_t len)
{
    int r = frame_batch_writer_append_line(&b->w, line, len);
    if (r == FRAME_E_FULL) {
        ship_batcher_close(b);
        r = frame_batch_writer_append_line(&b->w, line, len);
    }
    if (r == FRAME_E_TOO_LARGE) {
        b->too_large++;
        return;
    }
    if (r != FRAME_OK) { /* malformed (never from the EVE writer) or no memory */
        b->failed++;
        return;
    }
    if (b->w.count >= b->max_events) ship_batcher_close(b);
}

void ship_batcher_poll(struct ship_batcher *b, int64_t now_ns)
{
    if (b->w.count == 0) return;
    if (b->opened_ns == 0) {
        b->opened_ns = now_ns ? now_ns : 1;
        if (b->flush_ns > 0) return;
    }
    if (now_ns - b->opened_ns >= b->flush_ns) ship_batcher_close(b);
}
