/* corr_event.h -- one sensor event as the correlator's engine sees it.
 *
 * The EVE JSON text and its tokens (common/json_reader.h) stay owned by the
 * caller; the engine only reads them. `extra` holds the enrichment the
 * correlator adds ({"src_asset":{...},"dest_asset":{...},"intel":[{...}]}),
 * or has len 0. Field paths in rules are looked up in eve first, then in
 * extra. */
#ifndef SOC_CORR_EVENT_H
#define SOC_CORR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_reader.h"

typedef struct corr_doc {
    const char *s;
    size_t len;
    const json_tok_t *toks;
    int ntoks;
} corr_doc_t;

typedef struct corr_event {
    corr_doc_t eve;   /* the EVE event as received */
    corr_doc_t extra; /* enrichment the correlator adds: {"src_asset":{...},"dest_asset":{...},
                         "intel":[{...}]}, or len 0 */
    int64_t ts_usec;  /* event time (EVE timestamp) */
    const char *id;   /* "sensor:boot_id:seq" */
} corr_event_t;

/* ---- top-level members by name (corr_doc.c) ----------------------------------------
 *
 * One event's fields are looked up dozens of times (rules, enrichment,
 * group keys), nearly all of them starting at a top-level member. While a
 * document is indexed, those steps are a hash probe instead of a scan of
 * the members. The index is per thread and covers one document at a time:
 * corr_doc_index(d) builds it (true) unless it already covers d (false:
 * someone up the call chain built it and drops it); whoever built it
 * drops it with corr_doc_unindex() before d's tokens can change. Lookups
 * in any other document scan, exactly as json_object_find. */
#define CORR_DOC_INDEX_MAX 48 /* members indexed; a larger object is scanned */

bool corr_doc_index(const corr_doc_t *d);
void corr_doc_unindex(void);
/* FNV-1a of a member name, as the index hashes it (callers may keep it). */
uint32_t corr_doc_hash(const char *key, size_t len);
/* Index of the value of top-level member `key` of d, -1 when absent (as
 * json_object_find on token 0). corr_doc_member_h takes its hash. */
int corr_doc_member(const corr_doc_t *d, const char *key, size_t len);
int corr_doc_member_h(const corr_doc_t *d, const char *key, size_t len, uint32_t hash);
/* json_get for d, its first step through the index. */
const json_tok_t *corr_doc_get(const corr_doc_t *d, const char *path);

#endif
