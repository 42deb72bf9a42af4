/* sensor_detect.h -- the signature engine inside the sensor's pipeline:
 * rule loading, TCP reassembly for stream inspection, the packet and
 * transaction hooks, and the alert events. Absent (NULL) without rules. */
#ifndef SOC_SENSOR_DETECT_H
#define SOC_SENSOR_DETECT_H

#include "../app/app_layer.h"
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

/* App-layer hooks the loaded rules need, so the others stay off (SD_NEED_*). */
#define SD_NEED_HTTP               0x1 /* rules on HTTP buffers: request and response heads */
#define SD_NEED_HTTP_REQUEST_BODY  0x2 /* http.request_body, file.data to the server */
#define SD_NEED_HTTP_RESPONSE_BODY 0x4 /* http.response_body, file.data to the client */
#define SD_NEED_TLS                0x8 /* tls.sni, ja3.*, ja3s.* */
unsigned sensor_detect_app_needs(const sensor_detect_t *sd);

/* An HTTP message of the flow going in dir, from the app layer's hooks: a
 * head (its buffers: http.uri, http.method, http.stat_code ...), or with
 * m->has_body the same head with its body, where only rules on a body
 * buffer are tried so none alerts twice. p is the packet that completed the
 * message; NULL at flow end, where a packet made from the flow's tuple and
 * last time stands in (as Suricata's flow-end pseudo packets). */
void sensor_detect_http(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                        const app_http_msg_t *m);
/* A TLS hello: DIR_TOSERVER a ClientHello (tls.sni, ja3.hash, ja3.string),
 * DIR_TOCLIENT a ServerHello (ja3s.hash, ja3s.string), or, when t->certs is
 * set, the server's certificate chain alone (tls.cert_subject, tls.certs ...,
 * a pass of its own so the hello rules do not alert twice). p as above. */
void sensor_detect_tls(sensor_detect_t *sd, flow_t *f, int dir, const packet_t *p,
                       const tls_info_t *t);

/* Flow ends: flush its stream (inspecting what was held) and free state. */
void sensor_detect_flow_end(sensor_detect_t *sd, flow_t *f);

void sensor_detect_write_stats(sensor_detect_t *sd, jw_t *w);

/* soc-sensor --test-rules: parse, print totals by reason; 0 when every rule loaded. */
int sensor_detect_test_rules(const sensor_config_t *cfg);

#endif
