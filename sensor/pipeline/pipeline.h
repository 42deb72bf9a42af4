/* pipeline.h -- one packet's path through the sensor, forward only:
 * decode -> flow table -> nDPI -> app-layer parsers -> EVE events.
 * Flows end (timeout, eviction, end of capture) through one callback that
 * settles DPI, flushes app-layer transactions and writes the flow event. */
#ifndef SOC_PIPELINE_H
#define SOC_PIPELINE_H

#include "../capture/capture.h"
#include "../output/eve.h"
#include "sensor_config.h"

typedef struct pipeline pipeline_t;

pipeline_t *pipeline_new(const sensor_config_t *cfg, eve_t *eve, int linktype, char *err,
                         size_t errlen);
void pipeline_free(pipeline_t *pl);
/* The packet source, for capture counters in stats events; a live source
 * also makes every timer tick flush the EVE output. */
void pipeline_attach_capture(pipeline_t *pl, capture_t *cap);

void pipeline_packet(pipeline_t *pl, const capture_frame_t *frame);
/* Timers at time now (packet time offline, wall clock live): flow and
 * fragment expiry, periodic stats. Cheap when nothing is due. */
void pipeline_tick(pipeline_t *pl, int64_t now_usec);
/* End of capture: end every flow, write the final stats event. */
void pipeline_finish(pipeline_t *pl);
void pipeline_write_stats(pipeline_t *pl, int64_t now_usec);

uint64_t pipeline_packets(const pipeline_t *pl);
int64_t pipeline_last_ts(const pipeline_t *pl);

#endif
