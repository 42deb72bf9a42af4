/* ingest_batch.c -- see ingest_batch.h. */
#include "ingest_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

/* Grow *p (elements of size sz) to at least want; false when out of memory. */
static bool reserve(void **p, uint32_t *cap, size_t want, size_t sz)
{
    if (*cap >= want) return true;
    if (want > UINT32_MAX) return false;
    size_t n = *cap ? *cap : 64;
    while (n < want)
        n *= 2;
    if (n > UINT32_MAX) n = want;
    void *q = realloc(*p, n * sz);
    if (!q) return false;
    *p = q;
    *cap = (uint32_t)n;
    return true;
}

static bool arena_reserve(ingest_arena_t *a, size_t want)
{
    a->len = 0;
    if (a->cap >= want) return true;
    char *q = realloc(a->buf, want);
    if (!q) return false;
    a->buf = q;
    a->cap = want;
    return true;
}

/* Stable counting sort of the events by shard. */
static bool group(ingest_batch_t *b)
{
    if (!reserve((void **)&b->order, &b->order_cap, b->count, sizeof(uint32_t)) ||
        !reserve((void **)&b->shard_start, &b->start_cap, (size_t)b->nshards + 1, sizeof(uint32_t)))
        return false;
    uint32_t *start = b->shard_start;
    memset(start, 0, ((size_t)b->nshards + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < b->count; i++)
        start[b->ev[i].shard + 1]++;
    for (uint32_t s = 0; s < b->nshards; s++)
        start[s + 1] += start[s];
    /* fill using start[s] as the cursor, then shift the cursors back */
    for (uint32_t i = 0; i < b->count; i++)
        b->order[start[b->ev[i].shard]++] = i;
    for (uint32_t s = b->nshards; s > 0; s--)
        start[s] = start[s - 1];
    start[0] = 0;
    return true;
}

int ingest_batch_build(ingest_batch_t *b, const uint8_t *payload, size_t len, const char *cn,
                       uint32_t nshards, const ingest_stats_sample_t *prev, char *err,
                       size_t errlen)
{
    struct frame_batch_iter it;
    b->count = 0;
    b->has_stats = false;
    b->nshards = nshards ? nshards : 1;
    uint64_t seq;
    uint32_t count;
    if (frame_batch_open(payload, len, &seq, &count, &it, err, errlen) != FRAME_OK)
        return INGEST_E_MALFORMED;
    b->seq = seq;
    /* A valid event line is longer than INGEST_EVENT_MIN_BYTES, so a batch
     * holds at most len / that many of them: memory follows the payload
     * size, not the claimed count (more lines than that fail to parse). */
    size_t most = len / INGEST_EVENT_MIN_BYTES + 1;
    if (most > count) most = count;
    if (!reserve((void **)&b->ev, &b->ev_cap, most, sizeof(ingest_event_t)) ||
        !arena_reserve(&b->arena, len + most * INGEST_ARENA_PER_EVENT))
        goto nomem;
    ingest_stats_sample_t last = {0}, cur;
    if (prev) last = *prev;
    const char *line;
    size_t linelen;
    char why[256];
    while (frame_batch_next(&it, &line, &linelen)) {
        if (!reserve((void **)&b->ev, &b->ev_cap, (size_t)b->count + 1, sizeof(ingest_event_t)))
            goto nomem;
        ingest_event_t *ev = &b->ev[b->count];
        int r = ingest_event_parse(&b->parser, line, linelen, cn, b->nshards, &b->arena, ev, &cur,
                                   why, sizeof(why));
        if (r == INGEST_E_NOMEM) goto nomem;
        if (r != INGEST_OK) {
            if (err && errlen)
                snprintf(err, errlen, "batch %llu: line %u: %s", (unsigned long long)seq,
                         b->count + 1, why);
            b->count = 0;
            return r;
        }
        if (cur.valid) {
            ingest_stats_rates(&last, &cur);
            last = cur;
            b->stats = cur;
            b->has_stats = true;
        }
        b->count++;
    }
    if (b->count != count || !group(b)) goto nomem; /* count was checked by frame_batch_open */
    return INGEST_OK;
nomem:
    if (err && errlen)
        snprintf(err, errlen, "batch %llu: out of memory", (unsigned long long)b->seq);
    b->count = 0;
    return INGEST_E_NOMEM;
}

void ingest_batch_trim(ingest_batch_t *b)
{
    ingest_parser_trim(&b->parser);
    if (b->arena.cap > INGEST_BATCH_KEEP_BYTES) {
        free(b->arena.buf);
        b->arena = (ingest_arena_t){0};
    }
    if ((size_t)b->ev_cap * sizeof(ingest_event_t) > INGEST_BATCH_KEEP_BYTES) {
        free(b->ev);
        b->ev = NULL;
        b->ev_cap = 0;
    }
    if ((size_t)b->order_cap * sizeof(uint32_t) > INGEST_BATCH_KEEP_BYTES) {
        free(b->order);
        b->order = NULL;
        b->order_cap = 0;
    }
}

void ingest_batch_free(ingest_batch_t *b)
{
    ingest_parser_free(&b->parser);
    free(b->arena.buf);
    free(b->ev);
    free(b->order);
    free(b->shard_start);
    memset(b, 0, sizeof(*b));
}
