/* corr_stream.h -- soc-correlator's life on the event streams.
 *
 * The correlator reads soc:events:{0..shards-1} as consumer `consumer` of
 * group `group`, and acknowledges an event only once its effects are
 * safe: every checkpoint-interval it stores a snapshot of the engine with
 * the last stream id it processed per shard (key soc:corr:checkpoint:
 * CONSUMER), and only then XACKs the events the snapshot covers. When the
 * streams go quiet with events unacknowledged it checkpoints early, as
 * often as the snapshot's own cost allows (corr_stream.c): a caught-up
 * correlator leaves nothing pending for long. After a
 * restart (or kill -9, or a Redis failure) it loads the snapshot and feeds
 * the events still pending for it: those at or below the snapshot's ids
 * are only acknowledged, the others are processed again. Incidents are
 * applied with deterministic match ids, so a match seen twice changes
 * nothing: the result equals an uninterrupted run. */
#ifndef SOC_CORR_STREAM_H
#define SOC_CORR_STREAM_H

#include <signal.h>

#include "daemon/corr_config.h"
#include "daemon/corr_pipeline.h"

/* Run until *stop becomes non-zero; *reload non-zero asks for a rule and
 * context reload (cleared here). Returns 0 after a clean stop (with a last
 * checkpoint), 1 on a configuration error. Redis failures are retried. */
int corr_stream_run(const corr_config_t *cfg, corr_pipeline_t *p, volatile sig_atomic_t *stop,
                    volatile sig_atomic_t *reload);

#endif
