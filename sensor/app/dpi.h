/* dpi.h -- nDPI classification per flow, until detection is done.
 *
 * nDPI's per-flow state (~700 bytes plus what nDPI allocates inside) exists
 * only while a flow is being classified: it comes from a bounded pool at the
 * flow's first packet and goes back as soon as nDPI has decided, or gave up
 * after max_packets. The flow keeps only the verdict (ids, category, risks). */
#ifndef SOC_DPI_H
#define SOC_DPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../flow/flow.h"
#include "app_proto.h"

typedef struct dpi dpi_t;

typedef struct dpi_config {
    uint32_t max_detecting;   /* nDPI flow states at once (pool size) */
    uint16_t max_tcp_packets; /* give up after this many packets (ndpiReader: 80) */
    uint16_t max_udp_packets; /* (ndpiReader: 24) */
} dpi_config_t;

typedef struct dpi_stats {
    uint64_t detecting;     /* states in use now */
    uint64_t detecting_max; /* high-water mark */
    uint64_t detected, given_up, pool_exhausted;
} dpi_stats_t;

void dpi_config_defaults(dpi_config_t *cfg);
dpi_t *dpi_new(const dpi_config_t *cfg, char *err, size_t errlen);
void dpi_free(dpi_t *d);

/* Every decoded packet of a flow that is still being classified. */
void dpi_packet(dpi_t *d, flow_t *f, int dir, const packet_t *p);
/* Flow ends: settle an undecided flow (nDPI's guess) and free its state. */
void dpi_flow_end(dpi_t *d, flow_t *f);

const char *dpi_proto_name(dpi_t *d, uint16_t ndpi_id);
const char *dpi_category_name(dpi_t *d, uint16_t category);
/* "master.app" as ndpiReader prints it ("DNS.Google", "TLS", "Unknown"). */
void dpi_protocol_label(dpi_t *d, const flow_t *f, char *out, size_t outlen);
/* Risk bit -> name; NULL when the bit is not a known risk. */
const char *dpi_risk_name(unsigned bit);
/* Our app_proto for an nDPI verdict (APP_UNKNOWN when no Suricata name fits). */
app_proto_t dpi_app_proto(uint16_t master, uint16_t app);
const dpi_stats_t *dpi_get_stats(const dpi_t *d);

#endif
