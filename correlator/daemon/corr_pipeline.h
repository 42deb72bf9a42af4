/* corr_pipeline.h -- one event through the correlator: parse, enrich,
 * evaluate the rules, turn matches into incidents.
 *
 * Owns the rule set, the context (assets, threat intel) and the engine;
 * writes incidents through an incident store it is given. An event whose
 * incident could not be written leaves the pipeline "failed": the caller
 * then goes back to its last checkpoint (corr_stream.c) instead of
 * acknowledging anything after it. */
#ifndef SOC_CORR_PIPELINE_H
#define SOC_CORR_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/corr_config.h"
#include "engine/corr_engine.h"
#include "incidents/incident_store.h"

typedef struct corr_pipeline corr_pipeline_t;

typedef struct corr_pipeline_stats {
    uint64_t events, bad_events, matches;
    uint64_t incidents_created, incidents_updated, incidents_refused;
} corr_pipeline_stats_t;

/* Load rules and context from cfg; NULL with one line in err. The store
 * may be attached later (corr_pipeline_set_store). */
corr_pipeline_t *corr_pipeline_new(const corr_config_t *cfg, char *err, size_t errlen);
void corr_pipeline_free(corr_pipeline_t *p);
void corr_pipeline_set_store(corr_pipeline_t *p, incident_store_t *store);

/* Start over from a snapshot (len 0: from nothing). -1 with err when the
 * snapshot is unusable (then the engine starts empty, logged by caller). */
int corr_pipeline_restore(corr_pipeline_t *p, const void *snap, size_t len, char *err,
                          size_t errlen);
int corr_pipeline_snapshot(const corr_pipeline_t *p, corr_bytes_t *out);

/* One EVE line. id: the event's identity ("sensor:boot:seq"; NULL: taken
 * from the event's sensor object). 0 done (also for a bad event: counted,
 * err says why), -1 an incident could not be stored (err). */
int corr_pipeline_event(corr_pipeline_t *p, const char *line, size_t len, const char *id, char *err,
                        size_t errlen);

/* Rules and context read again (SIGHUP); the engine keeps the state of
 * rules that did not change. false (nothing changed) with err. */
bool corr_pipeline_reload(corr_pipeline_t *p, char *err, size_t errlen);

void corr_pipeline_stats(const corr_pipeline_t *p, corr_pipeline_stats_t *out);
const corr_engine_t *corr_pipeline_engine(const corr_pipeline_t *p);

#endif
