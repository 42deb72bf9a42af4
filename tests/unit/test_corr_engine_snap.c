/* test_corr_engine_snap.c -- checkpoints of the correlation engine.
 *
 * A restart from a snapshot must give exactly what an uninterrupted run
 * gives: a generated stream (every correlation type, suppression, LRU
 * eviction at a small cap, late events within and beyond the lateness) is
 * fed whole to one engine and, to another, in parts with a save and a
 * load into a fresh engine between them; the list of matches (ids,
 * counts, times, evidence) must be the same, and so must the final
 * snapshots, byte for byte. Then snapshots of a changed rule set, a
 * smaller cap, and broken bytes (each with its one line of error). */
#include <inttypes.h>

#include "engine/corr_window.h"
#include "test_corr_engine.h"

#define MIXED_RULES                                                                                \
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"                            \
    "detection: {s: {proto: TCP}, condition: s}\n"                                                 \
    "---\ntitle: a\nid: alert_any\nlevel: low\nlogsource: {category: alert}\n"                     \
    "detection: {s: {alert.severity|lte: 3}, condition: s}\n"                                      \
    "---\ntitle: s\nid: ssh_sup\nlevel: low\nsuppress: 20s\nlogsource: {category: flow}\n"         \
    "detection: {s: {dest_port: 22}, condition: s}\n"                                              \
    "---\ntitle: d\nid: dns_any\nlevel: low\nlogsource: {category: dns}\n"                         \
    "detection: {s: {dns.rrname: a.vn}, condition: s}\n"                                           \
    "---\ntitle: c\nid: cnt\nlevel: high\nsuppress: 30s\n"                                         \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"     \
    "  condition: {gte: 4}}\n"                                                                     \
    "---\ntitle: cb\nid: cntb\nlevel: high\n"                                                      \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [dest_ip], timespan: 5s,\n"     \
    "  condition: {gte: 10}}\n"                                                                    \
    "---\ntitle: v\nid: vc\nlevel: medium\nsuppress: 1m\n"                                         \
    "correlation: {type: value_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"     \
    "  condition: {gte: 5, field: dest_port}}\n"                                                   \
    "---\ntitle: t\nid: tmp\nlevel: high\n"                                                        \
    "correlation: {type: temporal, rules: [alert_any, flow_tcp], group-by: [src_ip],\n"            \
    "  timespan: 10s}\n"                                                                           \
    "---\ntitle: o\nid: ord\nlevel: critical\nsuppress: 10s\n"                                     \
    "correlation: {type: temporal_ordered, rules: [alert_any, flow_tcp], group-by: [host],\n"      \
    "  aliases: {host: {alert_any: dest_ip, flow_tcp: src_ip}}, timespan: 30s}\n"                  \
    "---\ntitle: e\nid: eq3\nlevel: low\n"                                                         \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 10s,\n"     \
    "  condition: {eq: 3}}\n"                                                                      \
    "---\ntitle: l\nid: vlt\nlevel: low\n"                                                         \
    "correlation: {type: value_count, rules: [flow_tcp], group-by: [dest_ip], timespan: 10s,\n"    \
    "  condition: {lt: 4, field: src_ip}}\n"                                                       \
    "---\ntitle: b\nid: big\nlevel: high\n"                                                        \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [proto], timespan: 5m,\n"       \
    "  condition: {gt: 1024}}\n"                                                                   \
    "---\ntitle: ch\nid: chain\nlevel: high\n"                                                     \
    "correlation: {type: event_count, rules: [cnt], group-by: [src_ip], timespan: 1m,\n"           \
    "  condition: {gte: 2}, generate: true}\n"

/* ---- a generated stream ------------------------------------------------------------ */

typedef struct gen {
    uint64_t s;
    int64_t t;
} gen_t;

static uint32_t rnd(gen_t *g, uint32_t n)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return (uint32_t)(g->s % n);
}

typedef struct gev {
    char json[400];
    char id[32];
    int64_t ts;
} gev_t;

/* Mostly in order; one in 25 up to 8 s back (beyond the 5 s lateness
 * half of the time). */
static void gen_events(gev_t *out, size_t n, uint64_t seed)
{
    static const int ports[] = {22, 80, 443, 3389, 8080, 21, 25, 53, 110, 143, 993, 995};
    static const char *const types[] = {"flow", "flow", "flow",  "flow",  "flow",
                                        "flow", "flow", "alert", "alert", "dns"};
    gen_t g = {seed, 1700000000 * SEC};
    for (size_t i = 0; i < n; i++) {
        g.t += rnd(&g, 400) * 1000;
        int64_t ts = rnd(&g, 25) == 0 ? g.t - (int64_t)rnd(&g, 8000) * 1000 : g.t;
        const char *type = types[rnd(&g, 10)];
        char src[32], dst[32];
        snprintf(src, sizeof(src), "10.9.0.%u", rnd(&g, 12));
        snprintf(dst, sizeof(dst), "10.20.0.%u", rnd(&g, 4));
        if (rnd(&g, 3) == 0) snprintf(src, sizeof(src), "%s", dst); /* servers talk too */
        snprintf(out[i].json, sizeof(out[i].json),
                 "{\"event_type\":\"%s\",\"src_ip\":\"%s\",\"dest_ip\":\"%s\",\"dest_port\":%d,"
                 "\"proto\":\"TCP\",\"alert\":{\"severity\":2},\"dns\":{\"rrname\":\"a.vn\"}}",
                 type, src, dst, ports[rnd(&g, 12)]);
        snprintf(out[i].id, sizeof(out[i].id), "s1:b:%zu", i);
        out[i].ts = ts;
    }
}

static corr_engine_config_t mixed_cfg(void)
{
    corr_engine_config_t c;
    corr_engine_config_defaults(&c);
    c.max_keys_per_rule = 6; /* evictions happen */
    c.evidence_max = 6;
    c.ips_max = 3;
    c.hash_seed[0] = 0x1234;
    c.hash_seed[1] = 0x5678;
    return c;
}

static void save_to(corr_engine_t *e, corr_bytes_t *b)
{
    b->len = 0;
    assert_int_equal(corr_engine_save(e, b), 0);
}

static void assert_same_matches(const recs_t *a, const recs_t *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const rec_t *x = &a->r[i], *y = &b->r[i];
        assert_string_equal(x->mid, y->mid);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->first, y->first);
        assert_int_equal(x->last, y->last);
        assert_string_equal(x->ids, y->ids);
        assert_string_equal(x->src, y->src);
        assert_string_equal(x->dst, y->dst);
        assert_int_equal(x->nsupp, y->nsupp);
        assert_int_equal(x->flush, y->flush);
    }
}

#define N_EVENTS 6000

static void test_round_trip(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("mixed.yml", MIXED_RULES);
    assert_int_equal(corr_ruleset_loaded(rs), 13);
    gev_t *evs = calloc(N_EVENTS, sizeof(*evs));
    assert_non_null(evs);
    gen_events(evs, N_EVENTS, 0x9e3779b97f4a7c15ull);
    corr_engine_config_t cfg = mixed_cfg();

    recs_t RA = {0}, RB = {0};
    corr_engine_t *a = engine_for(rs, &RA, &cfg);
    for (size_t i = 0; i < N_EVENTS; i++)
        feed(a, evs[i].json, evs[i].ts, evs[i].id);
    corr_engine_advance(a, evs[N_EVENTS - 1].ts + 3600 * SEC); /* close everything */

    /* the same stream in parts, with a restart from a snapshot between */
    static const size_t cuts[] = {1, 777, 2500, 2501, 4999, N_EVENTS};
    corr_bytes_t snap = {0};
    corr_engine_t *b = engine_for(rs, &RB, &cfg);
    size_t at = 0;
    for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
        for (; at < cuts[c]; at++)
            feed(b, evs[at].json, evs[at].ts, evs[at].id);
        save_to(b, &snap);
        corr_engine_free(b);
        char err[256];
        corr_engine_config_t other = cfg;
        other.hash_seed[0] = other.hash_seed[1] = 0; /* the snapshot brings its seed */
        b = corr_engine_load(rs, &other, record_match, &RB, snap.p, snap.len, err, sizeof(err));
        if (!b) fail_msg("load: %s", err);
    }
    corr_engine_advance(b, evs[N_EVENTS - 1].ts + 3600 * SEC);
    assert_same_matches(&RA, &RB);

    corr_bytes_t sa = {0}, sb = {0};
    save_to(a, &sa);
    save_to(b, &sb);
    assert_int_equal(sa.len, sb.len);
    assert_memory_equal(sa.p, sb.p, sa.len);

    /* the run did exercise what it is meant to */
    corr_engine_stats_t st;
    corr_engine_stats(a, &st);
    static const char *const rules[] = {"ssh_sup", "dns_any", "cnt", "cntb", "vc",   "tmp",
                                        "ord",     "eq3",     "vlt", "big",  "chain"};
    printf("# %zu matches, %" PRIu64 " suppressed, %" PRIu64 " evictions, %" PRIu64
           " late; per rule:",
           RA.n, st.suppressed, st.evictions, st.late_dropped);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        printf(" %s %zu", rules[i], recs_count(&RA, rules[i]));
        assert_true(recs_count(&RA, rules[i]) > 0);
    }
    printf("\n");
    assert_true(st.suppressed > 0);
    assert_true(st.evictions > 0);
    assert_true(st.late_dropped > 0);
    size_t flushes = 0;
    for (size_t i = 0; i < RA.n; i++)
        flushes += RA.r[i].flush;
    assert_true(flushes > 0);
    assert_int_equal(st.keys, 0); /* everything closed after an hour */

    corr_bytes_free(&snap);
    corr_bytes_free(&sa);
    corr_bytes_free(&sb);
    corr_engine_free(a);
    corr_engine_free(b);
    recs_free(&RA);
    recs_free(&RB);
    free(evs);
    corr_ruleset_free(rs);
}

/* kill -9 after a snapshot: the engine went on past the snapshot (and its
 * matches may have reached Redis), then restarts from the snapshot and is
 * fed the events after it again: the same matches come out, with the same
 * ids, so applying them again changes nothing. */
static void test_replay_after_snapshot(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("mixed.yml", MIXED_RULES);
    gev_t *evs = calloc(N_EVENTS, sizeof(*evs));
    assert_non_null(evs);
    gen_events(evs, N_EVENTS, 42);
    corr_engine_config_t cfg = mixed_cfg();
    recs_t R1 = {0}, R2 = {0};
    corr_engine_t *e = engine_for(rs, &R1, &cfg);
    corr_bytes_t snap = {0};
    size_t pos = 3000, before = 0;
    for (size_t i = 0; i < N_EVENTS; i++) {
        if (i == pos) {
            save_to(e, &snap);
            before = R1.n;
        }
        feed(e, evs[i].json, evs[i].ts, evs[i].id);
    }
    corr_engine_free(e); /* "killed" */
    char err[256];
    e = corr_engine_load(rs, &cfg, record_match, &R2, snap.p, snap.len, err, sizeof(err));
    if (!e) fail_msg("load: %s", err);
    for (size_t i = pos; i < N_EVENTS; i++)
        feed(e, evs[i].json, evs[i].ts, evs[i].id);
    assert_true(R1.n - before > 50);
    assert_int_equal(R2.n, R1.n - before);
    recs_t tail = {R1.r + before, R1.n - before, 0};
    assert_same_matches(&tail, &R2);
    corr_engine_free(e);
    corr_bytes_free(&snap);
    recs_free(&R1);
    recs_free(&R2);
    free(evs);
    corr_ruleset_free(rs);
}

/* ---- a changed rule set ----------------------------------------------------------------- */

#define CNT(id, extra, by, span)                                                                   \
    "---\ntitle: " id "\nid: " id "\nlevel: high\n" extra                                          \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [" by "], timespan: " span      \
    ",\n  condition: {gte: 3}}\n"
#define FLOW_TCP                                                                                   \
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"                            \
    "detection: {s: {proto: TCP}, condition: s}\n"

static void test_changed_ruleset(void **state)
{
    (void)state;
    corr_ruleset_t *rs1 =
        load_text("r1.yml", FLOW_TCP CNT("cnta", "", "src_ip", "1m")
                                CNT("cntb", "", "dest_ip", "1m") CNT("cntt", "", "src_ip", "1m"));
    corr_ruleset_t *rs2 =
        load_text("r2.yml", FLOW_TCP CNT("cnta", "version: 2\n", "src_ip", "1m")
                                CNT("cntb", "", "dest_ip", "1m") CNT("cntt", "", "src_ip", "2m")
                                    CNT("cntc", "", "src_ip", "1m"));
    corr_ruleset_t *rs3 = load_text("r3.yml", FLOW_TCP CNT("cntc", "", "src_ip", "1m"));
    assert_int_equal(corr_ruleset_loaded(rs1), 4);
    assert_int_equal(corr_ruleset_loaded(rs2), 5);
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs1, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "e1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 1 * SEC, "e2");
    corr_bytes_t snap = {0};
    save_to(e, &snap);
    corr_engine_free(e);

    char err[256];
    e = corr_engine_load(rs2, NULL, record_match, &R, snap.p, snap.len, err, sizeof(err));
    assert_non_null(e);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.snapshot_rules_dropped, 2); /* cnta: version; cntt: timespan */
    assert_int_equal(st.snapshot_keys_dropped, 2);
    assert_int_equal(st.keys, 1);
    assert_int_equal(st.events, 2); /* the counters go on */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 2 * SEC, "e3");
    assert_int_equal(R.n, 1); /* only cntb had two events kept */
    assert_string_equal(R.r[0].rule, "cntb");
    assert_string_equal(R.r[0].ids, "e1,e2,e3");
    assert_int_equal(R.r[0].count, 3);
    corr_engine_free(e);

    e = corr_engine_load(rs3, NULL, record_match, &R, snap.p, snap.len, err, sizeof(err));
    assert_non_null(e);
    corr_engine_stats(e, &st);
    assert_int_equal(st.snapshot_rules_dropped, 3);
    assert_int_equal(st.snapshot_keys_dropped, 3);
    assert_int_equal(st.keys, 0);
    corr_engine_free(e);
    corr_bytes_free(&snap);
    recs_free(&R);
    corr_ruleset_free(rs1);
    corr_ruleset_free(rs2);
    corr_ruleset_free(rs3);
}

/* A smaller cap at load keeps the most recently used keys. */
static void test_load_smaller_cap(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("r.yml", FLOW_TCP CNT("cnta", "", "src_ip", "1m"));
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 0, "a1");
    feed_ev(e, "flow", "1.0.0.2", "10.0.0.1", 22, 1 * SEC, "b1");
    feed_ev(e, "flow", "1.0.0.3", "10.0.0.1", 22, 2 * SEC, "c1");
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 3 * SEC, "a2"); /* A most recent */
    corr_bytes_t snap = {0};
    save_to(e, &snap);
    corr_engine_free(e);
    corr_engine_config_t cfg;
    corr_engine_config_defaults(&cfg);
    cfg.max_keys_per_rule = 1;
    char err[256];
    e = corr_engine_load(rs, &cfg, record_match, &R, snap.p, snap.len, err, sizeof(err));
    assert_non_null(e);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.keys, 1);
    assert_int_equal(st.snapshot_keys_dropped, 2);
    assert_int_equal(st.snapshot_rules_dropped, 0);
    assert_int_equal(st.evictions, 0);
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 4 * SEC, "a3");
    assert_int_equal(R.n, 1);
    assert_string_equal(R.r[0].ids, "a1,a2,a3");
    corr_engine_free(e);
    corr_bytes_free(&snap);
    recs_free(&R);
    corr_ruleset_free(rs);
}

/* ---- broken bytes --------------------------------------------------------------------------- */

static const uint64_t snap_key[2] = {0x534f43434f525231ull, 0x736e617073686f74ull};

/* Re-seal bytes [0, len) with a valid checksum (so the parser sees them). */
static void reseal(uint8_t *p, size_t len)
{
    uint64_t h = cw_siphash(snap_key, p, len);
    for (int i = 0; i < 8; i++)
        p[len + i] = (uint8_t)(h >> (8 * i));
}

static void expect_refused(const corr_ruleset_t *rs, const uint8_t *p, size_t len, const char *want)
{
    char err[256] = "x";
    assert_null(corr_engine_load(rs, NULL, NULL, NULL, p, len, err, sizeof(err)));
    assert_string_equal(err, want);
}

static void test_broken_snapshots(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("r.yml", FLOW_TCP CNT("cnta", "", "src_ip", "1m"));
    corr_engine_t *e = corr_engine_new(rs, NULL, NULL, NULL);
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 0, "a1");
    corr_bytes_t snap = {0};
    save_to(e, &snap);
    corr_engine_free(e);
    size_t n = snap.len;
    uint8_t *p = malloc(n + 16);
    assert_non_null(p);

    expect_refused(rs, snap.p, 3, "snapshot: 3 bytes, too short");
    expect_refused(rs, NULL, 100, "snapshot: 100 bytes, too short");
    memcpy(p, snap.p, n);
    p[n / 2] ^= 1;
    expect_refused(rs, p, n, "snapshot: checksum mismatch (torn or altered)");
    expect_refused(rs, snap.p, n - 1, "snapshot: checksum mismatch (torn or altered)");

    memcpy(p, snap.p, n);
    p[0] = 'X';
    reseal(p, n - 8);
    expect_refused(rs, p, n, "snapshot: byte 0: not a snapshot");
    memcpy(p, snap.p, n);
    p[8] = 2; /* format 2 */
    reseal(p, n - 8);
    expect_refused(rs, p, n, "snapshot: byte 12: format 2 (this is 1)");
    memcpy(p, snap.p, n);
    memset(p + 136, 0xff, 4); /* the rule count */
    reseal(p, n - 8);
    expect_refused(rs, p, n, "snapshot: byte 140: count 4294967295 exceeds the snapshot");
    memcpy(p, snap.p, n - 8);
    p[n - 8] = 0; /* one byte more before the checksum */
    reseal(p, n - 7);
    char want[64];
    snprintf(want, sizeof(want), "snapshot: byte %zu: trailing bytes", n - 8);
    expect_refused(rs, p, n + 1, want);
    /* max_ts out of range */
    memcpy(p, snap.p, n);
    memset(p + 28, 0x7f, 8);
    reseal(p, n - 8);
    expect_refused(rs, p, n, "snapshot: byte 36: time 9187201950435737471 out of range");

    /* an empty engine saves and loads */
    e = corr_engine_new(rs, NULL, NULL, NULL);
    save_to(e, &snap);
    corr_engine_free(e);
    char err[64];
    e = corr_engine_load(rs, NULL, NULL, NULL, snap.p, snap.len, err, sizeof(err));
    assert_non_null(e);
    assert_int_equal(corr_engine_watermark(e), INT64_MIN);
    assert_int_equal(corr_engine_save(NULL, &snap), -1);
    corr_engine_free(e);
    free(p);
    corr_bytes_free(&snap);
    corr_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_replay_after_snapshot),
        cmocka_unit_test(test_changed_ruleset),  cmocka_unit_test(test_load_smaller_cap),
        cmocka_unit_test(test_broken_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
