/* fuzz_ingest_batch.c -- soc-ingest's per-event checks and field extraction
 * (ingest_batch_build -> ingest_event_parse) on arbitrary BATCH payloads.
 *
 * The first input byte picks the shard count (1..16) and whether a previous
 * stats sample is given; the rest is the payload as a sensor could send it.
 * Checks: nothing crashes, reads out of bounds or leaks; a refusal comes
 * with one line; an accepted batch has count events, each inside the
 * payload, with its shard below the shard count, every shard list in batch
 * order and together a permutation of the events, and an id that starts
 * with the sensor name and a ':'. The same batch object is reused for the
 * next input (as a connection reuses it) to exercise its memory reuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_batch.h"

#define CN "sensor-a"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ingest_batch_t batch;

static void check_accepted(const ingest_batch_t *b, const uint8_t *p, size_t len)
{
    uint32_t seen = 0;
    for (uint32_t i = 0; i < b->count; i++) {
        const ingest_event_t *e = &b->ev[i];
        if ((const uint8_t *)e->line < p || (const uint8_t *)e->line + e->len > p + len) abort();
        if (e->shard >= b->nshards) abort();
        if (e->id.len < sizeof(CN) || memcmp(e->id.p, CN ":", sizeof(CN)) != 0) abort();
        if (e->type.len > INGEST_FIELD_MAX || e->ts.len > INGEST_FIELD_MAX) abort();
    }
    for (uint32_t s = 0; s < b->nshards; s++) {
        uint32_t n;
        const uint32_t *idx = ingest_batch_shard(b, s, &n);
        for (uint32_t k = 0; k < n; k++) {
            if (idx[k] >= b->count || b->ev[idx[k]].shard != s) abort();
            if (k > 0 && idx[k] <= idx[k - 1]) abort();
        }
        seen += n;
    }
    if (seen != b->count) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint32_t shards = (data[0] & 0x0f) + 1;
    ingest_stats_sample_t prev = {.valid = true, .time_us = 1709289600000000LL, .packets = 10};
    memcpy(prev.boot_id, "b", 2);
    const ingest_stats_sample_t *pp = (data[0] & 0x10) ? &prev : NULL;
    char err[512];
    err[0] = '\0';
    int r = ingest_batch_build(&batch, data + 1, size - 1, CN, shards, pp, err, sizeof(err));
    if (r == INGEST_OK) {
        check_accepted(&batch, data + 1, size - 1);
    } else if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n') || err[0] == '\0') {
        abort();
    }
    ingest_batch_trim(&batch);
    return 0;
}
