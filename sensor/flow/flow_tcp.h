/* flow_tcp.h -- TCP state tracking of a flow (private to sensor/flow). */
#ifndef SOC_FLOW_TCP_H
#define SOC_FLOW_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* Advance f->tcp_state for one packet going in direction dir with the given
 * TCP flags. Call after the packet was counted in f->pkts and f->tcp_flags;
 * first is true for the packet that created the flow. */
void flow_tcp_update(flow_t *f, int dir, uint8_t flags, bool first);

#endif
