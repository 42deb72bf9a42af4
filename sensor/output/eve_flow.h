/* eve_flow.h -- the `flow` event written when a flow ends, and the
 * `anomaly` event for a decoder finding. */
#ifndef SOC_EVE_FLOW_H
#define SOC_EVE_FLOW_H

#include "../app/dpi.h"
#include "../flow/flow.h"
#include "eve.h"

void eve_flow_event(eve_t *e, dpi_t *d, const flow_t *f, flow_end_reason_t reason);
void eve_anomaly_event(eve_t *e, const packet_t *p, const flow_t *f, const anomaly_t *a);
/* "1b" style hex of TCP flags, as Suricata prints them. */
void eve_tcp_flags_hex(uint8_t flags, char out[3]);

#endif
