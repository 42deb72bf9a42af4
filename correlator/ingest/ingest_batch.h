/* ingest_batch.h -- one BATCH payload, checked and grouped by shard, ready
 * for the store. Pure: no I/O.
 *
 * ingest_batch_build checks the whole batch (frame_batch_open's line rules,
 * then every event with ingest_event_parse) before anything is stored, and
 * lists the events of each shard in batch order. Everything it points to is
 * the payload itself or memory the batch owns and reuses for the next one. */
#ifndef SOC_INGEST_BATCH_H
#define SOC_INGEST_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest_event.h"

/* Above this much memory, a batch frees it after use (ingest_batch_trim). */
#define INGEST_BATCH_KEEP_BYTES (1u << 20)

typedef struct ingest_batch {
    uint64_t seq;
    uint32_t count;
    uint32_t nshards;
    ingest_event_t *ev; /* count events in batch order */
    uint32_t ev_cap;
    uint32_t *order;       /* event indexes, grouped by shard, batch order within */
    uint32_t *shard_start; /* shard s: order[shard_start[s] .. shard_start[s + 1]) */
    uint32_t order_cap, start_cap;
    ingest_arena_t arena;
    ingest_parser_t parser;
    /* the last `stats` event of the batch, with rates against the one before */
    bool has_stats;
    ingest_stats_sample_t stats;
} ingest_batch_t;

/* Check and group a BATCH payload of sensor cn. prev is the previous stats
 * sample of this connection (may be NULL or invalid); rates of the batch's
 * stats events are computed in order from it. Returns INGEST_OK,
 * INGEST_E_MALFORMED (ERROR 1), INGEST_E_FOREIGN (ERROR 4) or
 * INGEST_E_NOMEM, with one line in err: "batch 7: line 3: sensor.seq is
 * missing", "batch 7: line 1: event for sensor b on connection of a". */
int ingest_batch_build(ingest_batch_t *b, const uint8_t *payload, size_t len, const char *cn,
                       uint32_t nshards, const ingest_stats_sample_t *prev, char *err,
                       size_t errlen);

/* Events of shard s: n of them, indexes into b->ev. */
static inline const uint32_t *ingest_batch_shard(const ingest_batch_t *b, uint32_t s, uint32_t *n)
{
    *n = b->shard_start[s + 1] - b->shard_start[s];
    return b->order + b->shard_start[s];
}

/* Free what is above INGEST_BATCH_KEEP_BYTES (call after a batch is done). */
void ingest_batch_trim(ingest_batch_t *b);
void ingest_batch_free(ingest_batch_t *b);

#endif
