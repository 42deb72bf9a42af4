/* sensor_detect.h -- the signature engine inside the sensor's pipeline:
 * rule loading, TCP reassembly for stream inspection, the packet and
 * transaction hooks, and the alert events. Absent (NULL) without rules. */
#ifndef SOC_SENSOR_DETECT_H
#define SOC_SENSOR_DETECT_H

#include "../app/dns.h"
#include "../output/eve.h"
#include "sensor_config.h"

typedef struct sensor_detect sensor_detect_t;

/* Loads the configured rule files; logs the loaded/skipped totals. NULL
 * with an error when the engine cannot be built; a rule that cannot be
 * used is skipped, never fatal. */
sensor_detect_t *sensor_detect_new(const sensor_config_t *cfg, eve_t *eve, char *err,
                                   size_t errlen);
void sensor_detect_free(sensor_detect_t *sd);

/* Every decoded packet of a flow (f may be NULL for packets without one). */
void sensor_detect_packet(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p);
/* A DNS message of the flow, seen in packet p. */
void sensor_detect_dns(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                       const dns_msg_t *m);
/* Flow ends: flush its stream (inspecting what was held) and free state. */
void sensor_detect_flow_end(sensor_detect_t *sd, flow_t *f);

void sensor_detect_write_stats(sensor_detect_t *sd, jw_t *w);

/* soc-sensor --test-rules: parse, print totals by reason; 0 when every rule loaded. */
int sensor_detect_test_rules(const char *classification, char *const files[], int nfiles);

#endif
