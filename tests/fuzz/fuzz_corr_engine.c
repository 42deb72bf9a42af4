/* fuzz_corr_engine.c -- the correlation engine fed arbitrary events.
 *
 * The input is lines:
 *   "MS JSON"  an event at base + MS milliseconds (MS may be negative)
 *   "JSON"     an event 1 s after the previous one
 *   "!MS"      corr_engine_advance(base + MS ms)
 *   "#"        a checkpoint
 * Two engines run the same lines: one straight through, the other saved
 * and loaded into a fresh engine at every checkpoint. Nothing may crash,
 * leak or hang, and both must report exactly the same matches (a restart
 * from a snapshot changes nothing). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/corr_engine.h"

static const char RULES[] =
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"
    "detection: {s: {proto: TCP}, condition: s}\n"
    "---\ntitle: a\nid: alert_any\nlevel: low\nlogsource: {category: alert}\n"
    "detection: {s: {alert.severity|lte: 3}, condition: s}\n"
    "---\ntitle: s\nid: ssh_sup\nlevel: low\nsuppress: 20s\nlogsource: {category: flow}\n"
    "detection: {s: {dest_port: 22}, condition: s}\n"
    "---\ntitle: d\nid: dns_any\nlevel: low\nlogsource: {category: dns}\n"
    "detection: {s: {dns.rrname|endswith: .vn}, condition: s}\n"
    "---\ntitle: c\nid: cnt\nlevel: high\nsuppress: 30s\n"
    "correlation: {type: event_count, rules: [flow_tcp, alert_any], group-by: [src_ip],\n"
    "  timespan: 10s, condition: {gte: 3}}\n"
    "---\ntitle: v\nid: vc\nlevel: medium\nsuppress: 1m\n"
    "correlation: {type: value_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"
    "  condition: {gte: 3, field: dest_port}}\n"
    "---\ntitle: t\nid: tmp\nlevel: high\n"
    "correlation: {type: temporal, rules: [alert_any, flow_tcp, dns_any], group-by: [src_ip],\n"
    "  timespan: 10s}\n"
    "---\ntitle: o\nid: ord\nlevel: critical\nsuppress: 10s\n"
    "correlation: {type: temporal_ordered, rules: [alert_any, flow_tcp], group-by: [host],\n"
    "  aliases: {host: {alert_any: dest_ip, flow_tcp: src_ip}}, timespan: 30s}\n"
    "---\ntitle: e\nid: eq3\nlevel: low\n"
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"
    "  condition: {neq: 3}}\n"
    "---\ntitle: l\nid: vlt\nlevel: low\n"
    "correlation: {type: value_count, rules: [flow_tcp, dns_any], group-by: [dest_ip],\n"
    "  timespan: 10s, condition: {lte: 2, field: src_ip}}\n"
    "---\ntitle: b\nid: big\nlevel: low\n"
    "correlation: {type: event_count, rules: [flow_tcp, dns_any], group-by: [dest_ip],\n"
    "  timespan: 20s, condition: {gte: 1025}}\n"
    "---\ntitle: ch\nid: chain\nlevel: high\n"
    "correlation: {type: event_count, rules: [cnt, tmp], timespan: 1m, condition: {gte: 2},\n"
    "  generate: true}\n";

#define MAX_TOKS 512

static corr_ruleset_t *rs;

/* Both engines' matches, folded into a running hash and a count. */
typedef struct digest {
    uint64_t h, n;
} digest_t;

static void mix(digest_t *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ull;
}

static void on_match(void *ud, const corr_match_t *m)
{
    digest_t *d = ud;
    d->n++;
    mix(d, m->match_id, strlen(m->match_id) + 1);
    mix(d, &m->count, sizeof(m->count));
    mix(d, &m->first_usec, sizeof(m->first_usec));
    mix(d, &m->last_usec, sizeof(m->last_usec));
    mix(d, &m->n_suppressed, sizeof(m->n_suppressed));
    for (size_t i = 0; i < m->n_event_ids; i++)
        mix(d, m->event_ids[i], strlen(m->event_ids[i]) + 1);
    for (size_t i = 0; i < m->n_src; i++)
        mix(d, m->src_ips[i], strlen(m->src_ips[i]) + 1);
    for (size_t i = 0; i < m->n_dest; i++)
        mix(d, m->dest_ips[i], strlen(m->dest_ips[i]) + 1);
}

static corr_engine_config_t config(void)
{
    corr_engine_config_t c;
    corr_engine_config_defaults(&c);
    c.max_keys_per_rule = 4;
    c.evidence_max = 5;
    c.ips_max = 2;
    c.values_max = 3;
    c.lateness_usec = 3000000;
    c.hash_seed[0] = 1;
    c.hash_seed[1] = 2;
    return c;
}

/* "-123 rest": the number and where the rest starts; false without one. */
static bool leading_ms(const char *s, size_t n, int64_t *ms, size_t *rest)
{
    size_t i = 0;
    bool neg = i < n && s[i] == '-';
    i += neg;
    size_t d0 = i;
    int64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - d0 < 12)
        v = v * 10 + (s[i++] - '0');
    if (i == d0) return false;
    *ms = neg ? -v : v;
    *rest = i < n && s[i] == ' ' ? i + 1 : i;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rs) {
        rs = corr_ruleset_load_buffer("fuzz.yml", RULES, strlen(RULES), NULL, NULL);
        if (!rs || corr_ruleset_skipped(rs)) abort();
    }
    if (size > 1 << 16) return 0;
    static json_tok_t toks[MAX_TOKS];
    corr_engine_config_t cfg = config();
    digest_t da = {0xcbf29ce484222325ull, 0}, db = da;
    corr_engine_t *a = corr_engine_new(rs, &cfg, on_match, &da);
    corr_engine_t *b = corr_engine_new(rs, &cfg, on_match, &db);
    if (!a || !b) abort();
    const int64_t base = 1700000000ll * 1000000;
    int64_t last = base;
    const char *s = (const char *)data;
    size_t off = 0, seq = 0;
    while (off < size) {
        const char *line = s + off;
        const char *nl = memchr(line, '\n', size - off);
        size_t len = nl ? (size_t)(nl - line) : size - off;
        off += len + 1;
        int64_t ms;
        size_t rest = 0;
        if (len == 1 && line[0] == '#') {
            corr_bytes_t snap = {0};
            char err[256];
            if (corr_engine_save(b, &snap) != 0) abort();
            corr_engine_free(b);
            b = corr_engine_load(rs, &cfg, on_match, &db, snap.p, snap.len, err, sizeof(err));
            if (!b) abort();
            corr_bytes_free(&snap);
            continue;
        }
        if (len > 1 && line[0] == '!' && leading_ms(line + 1, len - 1, &ms, &rest)) {
            corr_engine_advance(a, base + ms * 1000);
            corr_engine_advance(b, base + ms * 1000);
            continue;
        }
        int64_t ts = leading_ms(line, len, &ms, &rest) ? base + ms * 1000 : last + 1000000;
        last = ts;
        int n = json_parse(line + rest, len - rest, toks, MAX_TOKS, NULL, 0);
        if (n < 0) continue;
        char id[32];
        snprintf(id, sizeof(id), "f:b:%zu", seq++);
        corr_event_t ev = {.eve = {line + rest, len - rest, toks, n}, .ts_usec = ts, .id = id};
        corr_engine_event(a, &ev);
        corr_engine_event(b, &ev);
        if (da.n != db.n || da.h != db.h) abort();
    }
    corr_engine_advance(a, last + 7200ll * 1000000);
    corr_engine_advance(b, last + 7200ll * 1000000);
    if (da.n != db.n || da.h != db.h) abort();
    corr_engine_free(a);
    corr_engine_free(b);
    return 0;
}
