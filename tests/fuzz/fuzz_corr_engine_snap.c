/* fuzz_corr_engine_snap.c -- corr_engine_load on arbitrary bytes.
 *
 * The first byte chooses: odd, the rest is taken as it is (the checksum
 * must hold); even, the rest gets a valid checksum appended, so the
 * parser behind the checksum is what gets fuzzed. Loading must never
 * crash, leak or hang. An accepted snapshot must then run: a few events
 * and an advance go through it; and what it saves, loaded again, must
 * save to the same bytes (load and save agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine.h"
#include "engine/corr_window.h"

static const char RULES[] =
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"
    "detection: {s: {proto: TCP}, condition: s}\n"
    "---\ntitle: a\nid: alert_any\nlevel: low\nlogsource: {category: alert}\n"
    "detection: {s: {alert.severity|lte: 3}, condition: s}\n"
    "---\ntitle: s\nid: ssh_sup\nlevel: low\nsuppress: 20s\nlogsource: {category: flow}\n"
    "detection: {s: {dest_port: 22}, condition: s}\n"
    "---\ntitle: c\nid: cnt\nlevel: high\nsuppress: 30s\n"
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"
    "  condition: {gte: 4}}\n"
    "---\ntitle: v\nid: vc\nlevel: medium\nsuppress: 1m\n"
    "correlation: {type: value_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"
    "  condition: {gte: 5, field: dest_port}}\n"
    "---\ntitle: t\nid: tmp\nlevel: high\n"
    "correlation: {type: temporal, rules: [alert_any, flow_tcp], group-by: [src_ip],\n"
    "  timespan: 10s}\n"
    "---\ntitle: o\nid: ord\nlevel: critical\nsuppress: 10s\n"
    "correlation: {type: temporal_ordered, rules: [alert_any, flow_tcp], group-by: [host],\n"
    "  aliases: {host: {alert_any: dest_ip, flow_tcp: src_ip}}, timespan: 30s}\n"
    "---\ntitle: e\nid: eq3\nlevel: low\n"
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"
    "  condition: {eq: 3}}\n"
    "---\ntitle: b\nid: big\nlevel: low\n"
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [dest_ip], timespan: 20s,\n"
    "  condition: {gte: 1025}}\n"
    "---\ntitle: l\nid: vlt\nlevel: low\n"
    "correlation: {type: value_count, rules: [flow_tcp], group-by: [dest_ip], timespan: 10s,\n"
    "  condition: {lt: 4, field: src_ip}}\n";

static const char *const EVENTS[] = {
    "{\"event_type\":\"flow\",\"src_ip\":\"10.9.0.1\",\"dest_ip\":\"10.20.0.1\",\"dest_port\":22,"
    "\"proto\":\"TCP\"}",
    "{\"event_type\":\"alert\",\"src_ip\":\"10.9.0.1\",\"dest_ip\":\"10.9.0.1\",\"dest_port\":80,"
    "\"proto\":\"TCP\",\"alert\":{\"severity\":1}}",
    "{\"event_type\":\"flow\",\"src_ip\":\"10.9.0.2\",\"dest_ip\":\"10.20.0.1\",\"dest_port\":443,"
    "\"proto\":\"TCP\"}",
};

static const uint64_t snap_key[2] = {0x534f43434f525231ull, 0x736e617073686f74ull};

static corr_ruleset_t *rs;
static json_tok_t toks[3][64];
static corr_event_t evs[3];

static void init(void)
{
    if (rs) return;
    rs = corr_ruleset_load_buffer("fuzz.yml", RULES, strlen(RULES), NULL, NULL);
    if (!rs || corr_ruleset_skipped(rs)) abort();
    for (int i = 0; i < 3; i++) {
        int n = json_parse(EVENTS[i], strlen(EVENTS[i]), toks[i], 64, NULL, 0);
        if (n < 0) abort();
        evs[i].eve = (corr_doc_t){EVENTS[i], strlen(EVENTS[i]), toks[i], n};
        evs[i].id = i == 0 ? "s:b:1" : i == 1 ? "s:b:2" : "s:b:3";
    }
}

static void on_match(void *ud, const corr_match_t *m)
{
    (void)ud;
    if (!m->match_id || !m->group_key || m->n_event_ids > 8 || m->n_src > 4 || m->n_dest > 4)
        abort();
    for (size_t i = 0; i < m->n_event_ids; i++)
        if (strlen(m->event_ids[i]) >= CORR_EVENT_ID_MAX) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size < 1) return 0;
    corr_engine_config_t cfg;
    corr_engine_config_defaults(&cfg);
    cfg.max_keys_per_rule = 16;
    cfg.evidence_max = 8;
    cfg.ips_max = 4;
    cfg.values_max = 32;
    uint8_t *buf = malloc(size + 8);
    if (!buf) return 0;
    size_t len = size - 1;
    memcpy(buf, data + 1, len);
    if (!(data[0] & 1)) {
        uint64_t h = cw_siphash(snap_key, buf, len);
        for (int i = 0; i < 8; i++)
            buf[len + i] = (uint8_t)(h >> (8 * i));
        len += 8;
    }
    char err[256];
    corr_engine_t *e = corr_engine_load(rs, &cfg, on_match, NULL, buf, len, err, sizeof(err));
    free(buf);
    if (!e) {
        if (!err[0] || strchr(err, '\n') || strncmp(err, "snapshot: ", 10) != 0) abort();
        return 0;
    }
    corr_bytes_t s1 = {0}, s2 = {0};
    if (corr_engine_save(e, &s1) != 0) abort();
    corr_engine_t *e2 = corr_engine_load(rs, &cfg, on_match, NULL, s1.p, s1.len, err, sizeof(err));
    if (!e2 || corr_engine_save(e2, &s2) != 0) abort();
    if (s1.len != s2.len || memcmp(s1.p, s2.p, s1.len) != 0) abort();
    corr_engine_free(e2);
    int64_t wm = corr_engine_watermark(e);
    int64_t t = wm > 0 && wm < (1ll << 60) ? wm : 0;
    for (int i = 0; i < 6; i++) {
        evs[i % 3].ts_usec = t + i * 700000;
        corr_engine_event(e, &evs[i % 3]);
    }
    corr_engine_advance(e, t + 3600ll * 1000000);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    corr_engine_free(e);
    corr_bytes_free(&s1);
    corr_bytes_free(&s2);
    return 0;
}
