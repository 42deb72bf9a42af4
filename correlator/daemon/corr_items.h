/* corr_items.h -- the stream entries read and not yet evaluated.
 *
 * Entries of every shard's read are kept in arrival order; their strings
 * stay in the reply buffer they came in (corr_reply.h), which goes back
 * to a small pool once none of its entries is waiting any more. A read
 * then makes ready, in event-time order, the entries no newer than a
 * "safe" time, a shard's entries only up to its first newer one (so what
 * a shard has evaluated is always a prefix of its stream); the others are
 * held for the next read (corr_stream.c says why). */
#ifndef SOC_CORR_ITEMS_H
#define SOC_CORR_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/corr_reply.h"
#include "daemon/corr_sid.h"

#define CORR_ITEMS_SPARE 2 /* empty reply buffers kept for the next reads */

typedef struct corr_item {
    uint32_t shard;
    uint32_t buf;    /* slot of the reply buffer holding the strings */
    corr_sid_t id;   /* stream entry id */
    const char *eid; /* event identity; NULL with ev */
    const char *ev;  /* EVE line, NUL-terminated; NULL: only to be acknowledged */
    size_t evlen;
    int64_t ts; /* event time for the merge (0: none) */
    bool ready; /* set by corr_items_ready */
} corr_item_t;

typedef struct corr_items_slot {
    corr_rbuf_t *buf; /* NULL: free slot */
    size_t live;      /* entries still pointing into it */
} corr_items_slot_t;

typedef struct corr_items {
    corr_item_t *v; /* arrival order */
    size_t n, cap;
    size_t nready;              /* after corr_items_ready: entries made ready */
    uint32_t *ready;            /* their indices in v, in evaluation order */
    struct corr_items_ord *ord; /* scratch of the sort */
    size_t ready_cap;
    corr_items_slot_t *slots;
    size_t nslots;
    corr_rbuf_t *spare[CORR_ITEMS_SPARE];
    bool *holding; /* per shard, while marking */
    uint32_t nshards;
} corr_items_t;

/* false when out of memory. */
bool corr_items_init(corr_items_t *it, uint32_t nshards);
void corr_items_free(corr_items_t *it);
/* Every entry dropped, every buffer back to the pool. */
void corr_items_clear(corr_items_t *it);

/* An empty reply buffer for the next read and its slot; NULL when out of
 * memory. Give it back with corr_items_done_with if no entry was added. */
corr_rbuf_t *corr_items_buffer(corr_items_t *it, uint32_t *slot);
void corr_items_done_with(corr_items_t *it, uint32_t slot);
/* One entry whose strings are in buffer `slot`; false when out of memory. */
bool corr_items_add(corr_items_t *it, const corr_item_t *item);

/* Mark what may be evaluated now (see above) and list it in it->ready
 * (it->nready entries, indices into it->v): event time, then arrival.
 * false when out of memory. */
bool corr_items_ready(corr_items_t *it, int64_t safe);
/* Drop the ready entries; the held ones stay in arrival order. */
void corr_items_drop_ready(corr_items_t *it);

#endif
