/* detect.h -- the signature engine: prefilter, verify, alert.
 *
 * Built once from a rule set. Inspection comes in two kinds, as Suricata's:
 * packet data (a packet's payload, or a span of reassembled TCP stream) for
 * rules that only look at the payload or at headers, and transactions (an
 * HTTP request or response, a DNS query, a TLS hello) for rules with
 * app-layer buffers. For each, the multi-pattern prefilter names candidate
 * rules, each candidate is verified in full (header, flow, flowbits, every
 * buffer), and matches become alerts through the caller's callback after
 * pass rules and thresholds had their say. */
#ifndef SOC_DETECT_H
#define SOC_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "../flow/flow.h"
#include "rule.h"
#include "rule_set.h"

typedef struct detect_engine detect_engine_t;

typedef struct detect_config {
    uint32_t threshold_entries; /* bound of threshold/detection_filter state */
    const char *cache_dir;      /* compiled prefilter databases; NULL = no cache */
} detect_config_t;

typedef struct detect_stats {
    uint64_t packets_inspected, txs_inspected;
    uint64_t candidates, verified_matches, alerts, suppressed, passed;
    uint32_t cache_hits, cache_misses, cache_rejected; /* prefilter databases */
} detect_stats_t;

/* What is being inspected: the packet (for its header and direction) and
 * the flow it belongs to. */
typedef struct detect_input {
    const packet_t *p;
    flow_t *f;
    int dir;     /* DIR_TOSERVER / DIR_TOCLIENT */
    bool stream; /* payload is reassembled stream data, not the packet's */
    /* packet pass of a TCP packet whose payload is inspected as stream:
     * payload rules wait for the stream, except "tcp-pkt" ones */
    bool payload_in_stream;
    const uint8_t *payload;
    uint32_t payload_len;
    uint32_t payload_seen; /* stream: leading bytes already inspected before */
    /* transactions: one span per rule_buf_t (len 0 / NULL = absent) */
    const uint8_t *const *buf;
    const uint32_t *buf_len;
    const void *tx; /* the protocol's transaction, handed back to on_alert */
    /* transactions: a message's second look, once its body is there (the
     * head was inspected alone before): only rules on a body buffer
     * (http.request_body, http.response_body, file.data) are tried, so the
     * others do not alert twice */
    bool body_pass;
    /* transactions: try the rules without any buffer (tls.version alone)
     * in this pass; one pass per transaction sets it, so they alert once */
    bool bufferless;
} detect_input_t;

typedef void (*detect_alert_fn)(void *ud, const rule_t *r, const detect_input_t *in);

detect_engine_t *detect_engine_new(const rule_set_t *rs, const detect_config_t *cfg,
                                   detect_alert_fn on_alert, void *ud, char *err, size_t errlen);
void detect_engine_free(detect_engine_t *de);

void detect_packet(detect_engine_t *de, const detect_input_t *in);
void detect_tx(detect_engine_t *de, const detect_input_t *in);

const detect_stats_t *detect_get_stats(const detect_engine_t *de);
uint32_t detect_pattern_count(const detect_engine_t *de);

#endif
