/* eve_stats.h -- the `stats` event: every counter of every stage. */
#ifndef SOC_EVE_STATS_H
#define SOC_EVE_STATS_H

#include "../app/app_layer.h"
#include "../app/dpi.h"
#include "../capture/capture.h"
#include "../decode/decode.h"
#include "../flow/flow.h"
#include "eve.h"

typedef struct stats_sources {
    const decode_stats_t *decoder;
    const flow_stats_t *flow;
    uint64_t flow_capacity, active_max;
    const dpi_stats_t *dpi;
    const app_layer_stats_t *app;
    const uint64_t *app_flows; /* APP_PROTO_COUNT entries */
    capture_stats_t capture;
    int64_t uptime_sec;
    /* more sections from stages the output layer does not know (detect) */
    void (*extra)(jw_t *w, void *ud);
    void *extra_ud;
} stats_sources_t;

void eve_stats_event(eve_t *e, const stats_sources_t *s, int64_t ts_usec);

#endif
