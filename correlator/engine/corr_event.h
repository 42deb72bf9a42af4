/* corr_event.h -- one sensor event as the correlator's engine sees it.
 *
 * The EVE JSON text and its tokens (common/json_reader.h) stay owned by the
 * caller; the engine only reads them. `extra` holds the enrichment the
 * correlator adds ({"src_asset":{...},"dest_asset":{...},"intel":[{...}]}),
 * or has len 0. Field paths in rules are looked up in eve first, then in
 * extra. */
#ifndef SOC_CORR_EVENT_H
#define SOC_CORR_EVENT_H

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

#endif
