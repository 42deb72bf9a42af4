/* enrich.h -- the context of one event, as the "extra" JSON object that
 * rules read after the EVE fields:
 *
 *   {"src_asset":{"name":"...","level":4,"criticality":"high","owner":"...","tags":[...]},
 *    "dest_asset":{...},
 *    "intel":[{"type":"domain","value":"evil.example","source":"...","confidence":70,
 *              "field":"dns.rrname"}]}
 *
 * Members that do not apply are left out; an event with no asset and no
 * hit has no extra at all (nothing is written). */
#ifndef SOC_ENRICH_H
#define SOC_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/corr_event.h"
#include "context.h"
#include "json_writer.h"

#define CORR_ENRICH_MAX_HITS 32

typedef struct corr_enrichment {
    const asset_t *src, *dest; /* NULL when the address belongs to no asset */
    intel_hit_t hits[CORR_ENRICH_MAX_HITS];
    size_t nhits;
} corr_enrichment_t;

/* Look up the event's addresses and indicators (ts_usec: event time, for
 * indicator expiry). ctx may be NULL (nothing found). */
void corr_enrich_lookup(const corr_context_t *ctx, const corr_doc_t *eve, int64_t ts_usec,
                        corr_enrichment_t *out);
/* Write the extra object as a JSON value into w (at top level or where a
 * value may go). Returns false, writing nothing, when there is nothing. */
bool corr_enrich_write(const corr_enrichment_t *en, jw_t *w);
/* Both, for ev->eve at ev->ts_usec; out may be NULL. */
bool corr_enrich_event(const corr_context_t *ctx, const corr_event_t *ev, jw_t *w,
                       corr_enrichment_t *out);

#endif
