/* test_corr_engine.c -- the correlation engine's semantics, each value
 * worked out by hand from the rules of ENGINE.md:
 *   windows are (t - timespan, t], so events exactly timespan apart are
 *   not in one window; a sliding window fires on the event that completes
 *   it and takes the key's pending events up to its end; lt/lte/eq/neq
 *   windows are aligned buckets [k*span, (k+1)*span) judged when the
 *   watermark (newest time - lateness) passes their end.
 * Match ids are RULE/FNV-1a-64(group key)/EVENT; the hashes were computed
 * separately in Python: src_ip=1.1.1.1 b8ae9d9b8d32a688, src_ip=2.2.2.2
 * 12150b8a710c9a20, src_ip=3.3.3.3 49c3df70cdd9a788,
 * src_ip=1.1.1.1|dest_ip=10.0.0.1 c8e2c4f428c9106f, host=10.0.0.5
 * f1b6ad8643c6c382. */
#include "test_corr_engine.h"

#define FLOW_TCP                                                                                   \
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"                            \
    "detection: {s: {proto: TCP}, condition: s}\n"
#define ALERT_ANY                                                                                  \
    "title: a\nid: alert_any\nlevel: low\nlogsource: {category: alert}\n"                          \
    "detection: {s: {alert.severity|lte: 3}, condition: s}\n"

static corr_engine_config_t defaults(void)
{
    corr_engine_config_t c;
    corr_engine_config_defaults(&c);
    return c;
}

static void expect(const rec_t *r, uint64_t count, int64_t first, int64_t last, const char *ids,
                   const char *mid)
{
    assert_non_null(r);
    assert_int_equal(r->count, count);
    assert_int_equal(r->first, first);
    assert_int_equal(r->last, last);
    assert_string_equal(r->ids, ids);
    assert_string_equal(r->mid, mid);
}

/* ---- event_count ------------------------------------------------------------ */

static void test_event_count_edges(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 3}}\n");
    assert_int_equal(corr_ruleset_loaded(rs), 2);
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    /* 0 and 10 s are exactly a timespan apart: (0, 10] holds 5 and 10 only */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "e1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 5 * SEC, "e2");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 10 * SEC, "e3");
    assert_int_equal(R.n, 0);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 10 * SEC + 1, "e4");
    assert_int_equal(R.n, 1);
    expect(&R.r[0], 3, 5 * SEC, 10 * SEC + 1, "e2,e3,e4", "cnt/b8ae9d9b8d32a688/e4");
    assert_string_equal(R.r[0].key, "src_ip=1.1.1.1");
    assert_string_equal(R.r[0].src, "1.1.1.1");
    assert_string_equal(R.r[0].dst, "10.0.0.1");
    assert_true(R.r[0].has_event);
    assert_false(R.r[0].flush);
    /* just inside: 9.999999 s apart */
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 22, 20 * SEC, "f1");
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.2", 22, 25 * SEC, "f2");
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 22, 30 * SEC - 1, "f3");
    assert_int_equal(R.n, 2);
    expect(&R.r[1], 3, 20 * SEC, 30 * SEC - 1, "f1,f2,f3", "cnt/12150b8a710c9a20/f3");
    assert_string_equal(R.r[1].dst, "10.0.0.1,10.0.0.2");
    /* the match took 1.1.1.1's events: two more are not enough */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 31 * SEC, "e5");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 32 * SEC, "e6");
    assert_int_equal(R.n, 2);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 33 * SEC, "e7");
    expect(&R.r[2], 3, 31 * SEC, 33 * SEC, "e5,e6,e7", "cnt/b8ae9d9b8d32a688/e7");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.events, 10);
    assert_int_equal(st.matches, 3);
    assert_int_equal(st.late_dropped, 0);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_out_of_order(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 3}}\n");
    recs_t R = {0};
    corr_engine_config_t cfg = defaults();
    cfg.lateness_usec = 20 * SEC;
    corr_engine_t *e = engine_for(rs, &R, &cfg);
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 10 * SEC, "g1");
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 18 * SEC, "g2");
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 30 * SEC, "g3");
    assert_int_equal(corr_engine_watermark(e), 10 * SEC);
    assert_int_equal(R.n, 0);
    /* 12 s is behind 30 s but not behind the watermark: (8, 18] holds 10, 12, 18 */
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 12 * SEC, "g4");
    assert_int_equal(R.n, 1);
    expect(&R.r[0], 3, 10 * SEC, 18 * SEC, "g1,g2,g4", "cnt/49c3df70cdd9a788/g4");
    /* behind the watermark: dropped and counted */
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 5 * SEC, "g5");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.late_dropped, 1);
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 31 * SEC, "g6");
    assert_int_equal(R.n, 1);
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 32 * SEC, "g7");
    assert_int_equal(R.n, 2);
    expect(&R.r[1], 3, 30 * SEC, 32 * SEC, "g3,g6,g7", "cnt/49c3df70cdd9a788/g7");
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_late_detections(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("t.yml", "title: s\nid: ssh\nlevel: low\n"
                                            "logsource: {category: flow}\n"
                                            "detection: {s: {dest_port: 22}, condition: s}\n");
    for (int late_ok = 0; late_ok < 2; late_ok++) {
        recs_t R = {0};
        corr_engine_config_t cfg = defaults();
        cfg.late_detections = late_ok;
        corr_engine_t *e = engine_for(rs, &R, &cfg);
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 100 * SEC, "h1");
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 90 * SEC, "h2");  /* watermark 95 s */
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 80, 101 * SEC, "h3"); /* no match */
        assert_int_equal(R.n, late_ok ? 2 : 1);
        expect(&R.r[0], 1, 100 * SEC, 100 * SEC, "h1", "ssh/c8e2c4f428c9106f/h1");
        assert_string_equal(R.r[0].key, "src_ip=1.1.1.1|dest_ip=10.0.0.1");
        if (late_ok) expect(&R.r[1], 1, 90 * SEC, 90 * SEC, "h2", "ssh/c8e2c4f428c9106f/h2");
        corr_engine_stats_t st;
        corr_engine_stats(e, &st);
        assert_int_equal(st.late_dropped, 1);
        assert_int_equal(st.keys, 0); /* no suppress: nothing to keep */
        corr_engine_free(e);
        recs_free(&R);
    }
    corr_ruleset_free(rs);
}

/* ---- suppression --------------------------------------------------------------- */

static void test_suppress_event_count(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt2\nlevel: high\nsuppress: 1m\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 2}}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    const char *K = "cnt2/b8ae9d9b8d32a688/";
    char mid[64];
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "a");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 1 * SEC, "b"); /* reported; quiet until 61 s */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 2 * SEC, "c");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 3 * SEC, "d"); /* folded */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 4 * SEC, "e");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 5 * SEC, "f"); /* folded */
    assert_int_equal(R.n, 1);
    snprintf(mid, sizeof(mid), "%sb", K);
    expect(&R.r[0], 2, 0, 1 * SEC, "a,b", mid);
    assert_int_equal(R.r[0].nsupp, 0);
    /* 62 s: watermark 57 s, the span is not over yet; 63 s completes a
     * match after it: reported with the four folded events */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 62 * SEC, "g");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 63 * SEC, "h");
    assert_int_equal(R.n, 2);
    snprintf(mid, sizeof(mid), "%sh", K);
    expect(&R.r[1], 6, 2 * SEC, 63 * SEC, "c,d,e,f,g,h", mid);
    assert_int_equal(R.r[1].nsupp, 2);
    assert_false(R.r[1].flush);
    /* folded again (quiet until 123 s); the span ends with no new match:
     * the watermark reports the folded one alone */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 64 * SEC, "i");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 65 * SEC, "j");
    assert_int_equal(R.n, 2);
    corr_engine_advance(e, 122 * SEC);
    assert_int_equal(R.n, 2);
    corr_engine_advance(e, 123 * SEC);
    assert_int_equal(R.n, 3);
    snprintf(mid, sizeof(mid), "%sj", K);
    expect(&R.r[2], 2, 64 * SEC, 65 * SEC, "i,j", mid);
    assert_int_equal(R.r[2].nsupp, 1);
    assert_true(R.r[2].flush);
    assert_false(R.r[2].has_event);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.suppressed, 3);
    assert_int_equal(st.matches, 3);
    assert_int_equal(st.keys, 0); /* nothing left once the span ended */
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_suppress_detection(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("t.yml", "title: s\nid: ssh_sup\nlevel: low\nsuppress: 30s\n"
                                            "logsource: {category: flow}\n"
                                            "detection: {s: {dest_port: 22}, condition: s}\n"
                                            "---\n"
                                            "title: d\nid: dns_any\nlevel: low\n"
                                            "logsource: {category: dns}\n"
                                            "detection: {s: {dns.rrname: a.vn}, condition: s}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "s1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 10 * SEC, "s2");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 20 * SEC, "s3");
    feed_ev(e, "dns", "1.1.1.1", "10.0.0.1", 53, 21 * SEC, "d1");
    feed_ev(e, "dns", "1.1.1.1", "10.0.0.1", 53, 22 * SEC, "d2");
    /* 40 s: the watermark (35 s) passes the end of the span (30 s) first */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 40 * SEC, "s4");
    assert_int_equal(R.n, 5);
    expect(rec_of(&R, "ssh_sup", 0), 1, 0, 0, "s1", "ssh_sup/c8e2c4f428c9106f/s1");
    const rec_t *f = rec_of(&R, "ssh_sup", 1);
    expect(f, 2, 10 * SEC, 20 * SEC, "s2,s3", "ssh_sup/c8e2c4f428c9106f/s3");
    assert_true(f->flush);
    assert_int_equal(f->nsupp, 2);
    expect(rec_of(&R, "ssh_sup", 2), 1, 40 * SEC, 40 * SEC, "s4", "ssh_sup/c8e2c4f428c9106f/s4");
    expect(rec_of(&R, "dns_any", 0), 1, 21 * SEC, 21 * SEC, "d1", "dns_any/c8e2c4f428c9106f/d1");
    expect(rec_of(&R, "dns_any", 1), 1, 22 * SEC, 22 * SEC, "d2", "dns_any/c8e2c4f428c9106f/d2");
    corr_rule_stats_t rst;
    assert_true(corr_engine_rule_stats(e, 0, &rst));
    assert_int_equal(rst.suppressed, 2);
    assert_int_equal(rst.matches, 2 + 1);
    assert_int_equal(rst.events, 4);
    assert_int_equal(rst.keys, 1);
    assert_false(corr_engine_rule_stats(e, 2, &rst));
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* ---- bounded state ---------------------------------------------------------------- */

static void test_lru_eviction(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt_lru\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 2}}\n");
    recs_t R = {0};
    corr_engine_config_t cfg = defaults();
    cfg.max_keys_per_rule = 2;
    corr_engine_t *e = engine_for(rs, &R, &cfg);
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 0, "a1");
    feed_ev(e, "flow", "1.0.0.2", "10.0.0.1", 22, 1 * SEC, "b1");
    feed_ev(e, "flow", "1.0.0.3", "10.0.0.1", 22, 2 * SEC, "c1"); /* evicts A */
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 3 * SEC, "a2"); /* evicts B; A starts over */
    feed_ev(e, "flow", "1.0.0.3", "10.0.0.1", 22, 4 * SEC, "c2"); /* C fires, then is empty */
    feed_ev(e, "flow", "1.0.0.1", "10.0.0.1", 22, 5 * SEC, "a3"); /* C gone; A fires */
    feed_ev(e, "flow", "1.0.0.2", "10.0.0.1", 22, 6 * SEC, "b2"); /* A gone: no eviction */
    assert_int_equal(R.n, 2);
    assert_string_equal(R.r[0].key, "src_ip=1.0.0.3");
    assert_int_equal(R.r[0].count, 2);
    assert_int_equal(R.r[0].first, 2 * SEC);
    assert_string_equal(R.r[0].ids, "c1,c2");
    assert_string_equal(R.r[1].key, "src_ip=1.0.0.1");
    assert_int_equal(R.r[1].first, 3 * SEC);
    assert_string_equal(R.r[1].ids, "a2,a3");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.evictions, 2);
    assert_int_equal(st.keys, 1);
    corr_rule_stats_t rst;
    assert_true(corr_engine_rule_stats(e, 1, &rst));
    assert_int_equal(rst.evictions, 2);
    assert_int_equal(rst.keys, 1);
    assert_int_equal(rst.events, 7);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_evidence_cap(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 1m, condition: {gte: 7}}\n");
    recs_t R = {0};
    corr_engine_config_t cfg = defaults();
    cfg.evidence_max = 4;
    cfg.ips_max = 2;
    corr_engine_t *e = engine_for(rs, &R, &cfg);
    const char *dst[7] = {"10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3",
                          "10.0.0.4", "10.0.0.1", "10.0.0.2"};
    for (int i = 0; i < 7; i++) {
        char id[8];
        snprintf(id, sizeof(id), "x%d", i + 1);
        feed_ev(e, "flow", "1.1.1.1", dst[i], 22, i * SEC, id);
    }
    assert_int_equal(R.n, 1);
    /* the first two and the latest two of seven */
    assert_string_equal(R.r[0].ids, "x1,x2,x6,x7");
    assert_int_equal(R.r[0].count, 7);
    assert_string_equal(R.r[0].dst, "10.0.0.1,10.0.0.2");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.evidence_dropped, 3);
    assert_int_equal(st.ips_dropped, 2); /* 10.0.0.3 and 10.0.0.4 */
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* Thresholds above 1024 count per slot of timespan/256 (here 1 s). */
static void test_coarse_count(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: b\nid: big\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 256s, "
                                    "condition: {gte: 2000}}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    char id[32];
    for (int i = 0; i < 2000; i++) { /* slots 0 .. 199 */
        snprintf(id, sizeof(id), "a%d", i);
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, i * SEC / 10, id);
        assert_int_equal(R.n, i == 1999 ? 1 : 0);
    }
    assert_int_equal(R.r[0].count, 2000);
    assert_int_equal(R.r[0].first, 0);
    assert_int_equal(R.r[0].last, 199 * SEC + 9 * SEC / 10);
    assert_string_equal(R.r[0].mid, "big/b8ae9d9b8d32a688/a1999");
    /* slot 300 and slot 556 are 256 slots apart: not one window */
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "b%d", i);
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 300 * SEC + i * 1000, id);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "c%d", i);
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 556 * SEC + i * 1000, id);
    }
    assert_int_equal(R.n, 1);
    for (int i = 0; i < 1000; i++) { /* slot 557: (301, 557] holds 2000 */
        snprintf(id, sizeof(id), "d%d", i);
        feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 557 * SEC + i * 1000, id);
        assert_int_equal(R.n, i == 999 ? 2 : 1);
    }
    assert_int_equal(R.r[1].count, 2000);
    assert_int_equal(R.r[1].first, 556 * SEC);
    assert_int_equal(R.r[1].last, 557 * SEC + 999 * 1000);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.keys, 1);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* ---- value_count ---------------------------------------------------------------------- */

#define VC_RULES                                                                                   \
    FLOW_TCP "---\ntitle: v\nid: vc\nlevel: medium\n"                                              \
             "correlation: {type: value_count, rules: [flow_tcp], group-by: [src_ip], "            \
             "timespan: 10s, condition: {gte: 3, field: dest_port}}\n"

static void test_value_count(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("t.yml", VC_RULES);
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "v1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 1 * SEC, "v2"); /* the same port again */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 80, 2 * SEC, "v3");
    assert_int_equal(R.n, 0);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 443, 3 * SEC, "v4");
    assert_int_equal(R.n, 1);
    /* first: the earliest last-seen of the values (22 at 1 s) */
    expect(&R.r[0], 3, 1 * SEC, 3 * SEC, "v1,v2,v3,v4", "vc/b8ae9d9b8d32a688/v4");
    /* edges: 22 at 20 s is out of (20, 30], in again with (20.5, 30.5] no */
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 22, 20 * SEC, "w1");
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 80, 25 * SEC, "w2");
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 443, 30 * SEC, "w3");
    assert_int_equal(R.n, 1);
    feed_ev(e, "flow", "2.2.2.2", "10.0.0.1", 8080, 30 * SEC + SEC / 2, "w4");
    assert_int_equal(R.n, 2);
    expect(&R.r[1], 3, 25 * SEC, 30 * SEC + SEC / 2, "w2,w3,w4", "vc/12150b8a710c9a20/w4");
    corr_engine_free(e);
    recs_free(&R);

    /* at most two values per key: the third is not tracked, so no match */
    corr_engine_config_t cfg = defaults();
    cfg.values_max = 2;
    e = engine_for(rs, &R, &cfg);
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 0, "x1");
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 80, 1 * SEC, "x2");
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 443, 2 * SEC, "x3");
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 22, 3 * SEC, "x4");
    assert_int_equal(R.n, 0);
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.values_dropped, 1);
    /* once 22 and 80 leave the window (14 s: horizon 4 s) there is room */
    feed_ev(e, "flow", "3.3.3.3", "10.0.0.1", 8080, 14 * SEC, "x5");
    corr_engine_stats(e, &st);
    assert_int_equal(st.values_dropped, 1);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* ---- temporal ------------------------------------------------------------------------------ */

static void test_temporal_vs_ordered(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text(
        "t.yml", FLOW_TCP "---\n" ALERT_ANY "---\n"
                          "title: t\nid: tmp\nlevel: high\n"
                          "correlation: {type: temporal, rules: [alert_any, flow_tcp], "
                          "group-by: [src_ip], timespan: 10s}\n"
                          "---\n"
                          "title: o\nid: ord\nlevel: high\n"
                          "correlation: {type: temporal_ordered, rules: [alert_any, flow_tcp], "
                          "group-by: [src_ip], timespan: 10s}\n");
    assert_int_equal(corr_ruleset_loaded(rs), 4);
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "t1");
    feed_ev(e, "alert", "1.1.1.1", "10.0.0.1", 22, 5 * SEC, "t2"); /* tmp: both, any order */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 8 * SEC, "t3");  /* ord: alert then flow */
    feed_ev(e, "alert", "1.1.1.1", "10.0.0.1", 22, 20 * SEC, "t4");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 30 * SEC, "t5"); /* a timespan apart: no */
    feed_ev(e, "alert", "1.1.1.1", "10.0.0.1", 22, 40 * SEC, "t6");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 50 * SEC - 1, "t7");
    assert_int_equal(recs_count(&R, "tmp"), 2);
    assert_int_equal(recs_count(&R, "ord"), 2);
    assert_int_equal(recs_count(&R, "flow_tcp") + recs_count(&R, "alert_any"), 0);
    expect(rec_of(&R, "tmp", 0), 2, 0, 5 * SEC, "t1,t2", "tmp/b8ae9d9b8d32a688/t2");
    expect(rec_of(&R, "tmp", 1), 2, 40 * SEC, 50 * SEC - 1, "t6,t7", "tmp/b8ae9d9b8d32a688/t7");
    expect(rec_of(&R, "ord", 0), 2, 5 * SEC, 8 * SEC, "t2,t3", "ord/b8ae9d9b8d32a688/t3");
    expect(rec_of(&R, "ord", 1), 2, 40 * SEC, 50 * SEC - 1, "t6,t7", "ord/b8ae9d9b8d32a688/t7");
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_aliases(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text(
        "t.yml", ALERT_ANY "---\n"
                           "title: o\nid: flow_out\nlevel: low\nlogsource: {category: flow}\n"
                           "detection: {s: {proto: TCP}, condition: s}\n"
                           "---\n"
                           "title: c\nid: ord_alias\nlevel: critical\n"
                           "correlation:\n"
                           "  type: temporal_ordered\n"
                           "  rules: [alert_any, flow_out]\n"
                           "  aliases: {host: {alert_any: dest_ip, flow_out: src_ip}}\n"
                           "  group-by: [host]\n"
                           "  timespan: 10m\n");
    assert_int_equal(corr_ruleset_loaded(rs), 3);
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "alert", "89.160.20.128", "10.0.0.5", 80, 0, "al1");
    feed_ev(e, "flow", "10.0.0.9", "8.8.8.8", 443, 1 * SEC, "fl1"); /* another host */
    assert_int_equal(R.n, 0);
    feed_ev(e, "flow", "10.0.0.5", "8.8.8.8", 443, 2 * SEC, "fl2");
    assert_int_equal(R.n, 1);
    expect(&R.r[0], 2, 0, 2 * SEC, "al1,fl2", "ord_alias/f1b6ad8643c6c382/fl2");
    assert_string_equal(R.r[0].key, "host=10.0.0.5");
    assert_string_equal(R.r[0].src, "89.160.20.128,10.0.0.5");
    assert_string_equal(R.r[0].dst, "10.0.0.5,8.8.8.8");
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* ---- tumbling windows, chains ------------------------------------------------------------------
 */

static void test_tumbling(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: e\nid: eq2\nlevel: low\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {eq: 2}}\n"
                                    "---\n"
                                    "title: l\nid: lt3\nlevel: low\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {lt: 3}}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 1 * SEC, "q1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 10 * SEC - 1, "q2");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 10 * SEC, "q3"); /* the next bucket */
    assert_int_equal(R.n, 0);
    corr_engine_advance(e, 10 * SEC - 1);
    assert_int_equal(R.n, 0);
    corr_engine_advance(e, 10 * SEC); /* [0, 10 s) is closed */
    assert_int_equal(R.n, 2);
    expect(rec_of(&R, "eq2", 0), 2, 1 * SEC, 10 * SEC - 1, "q1,q2", "eq2/b8ae9d9b8d32a688/q2");
    expect(rec_of(&R, "lt3", 0), 2, 1 * SEC, 10 * SEC - 1, "q1,q2", "lt3/b8ae9d9b8d32a688/q2");
    assert_false(R.r[0].has_event);
    corr_engine_advance(e, 20 * SEC);
    assert_int_equal(R.n, 3); /* one event: lt 3 holds, eq 2 does not */
    expect(rec_of(&R, "lt3", 1), 1, 10 * SEC, 10 * SEC, "q3", "lt3/b8ae9d9b8d32a688/q3");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.keys, 0);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

static void test_chain(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c1\nid: c1\nlevel: low\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 2}}\n"
                                    "---\n"
                                    "title: c2\nid: c2\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [c1], "
                                    "group-by: [src_ip], timespan: 1m, condition: {gte: 2}}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "k1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 1 * SEC, "k2"); /* c1 (not reported) */
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 2 * SEC, "k3");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 3 * SEC, "k4"); /* c1 again: c2 */
    assert_int_equal(R.n, 1);
    expect(&R.r[0], 2, 1 * SEC, 3 * SEC, "k2,k4", "c2/b8ae9d9b8d32a688/k4");
    corr_rule_stats_t rst;
    assert_true(corr_engine_rule_stats(e, 1, &rst));
    assert_int_equal(rst.matches, 0);
    assert_int_equal(rst.events, 4);
    assert_true(corr_engine_rule_stats(e, 2, &rst));
    assert_int_equal(rst.events, 2);
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* An event matching two referenced rules counts once for event_count and
 * brings both steps for temporal. */
static void test_one_event_two_rules(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("t.yml", FLOW_TCP
                                   "---\n"
                                   "title: p\nid: port22\nlevel: low\nlogsource: {category: flow}\n"
                                   "detection: {s: {dest_port: 22}, condition: s}\n"
                                   "---\n"
                                   "title: c\nid: both\nlevel: low\n"
                                   "correlation: {type: event_count, rules: [flow_tcp, port22], "
                                   "group-by: [src_ip], timespan: 10s, condition: {gte: 2}}\n"
                                   "---\n"
                                   "title: t\nid: tboth\nlevel: low\n"
                                   "correlation: {type: temporal, rules: [flow_tcp, port22], "
                                   "group-by: [src_ip], timespan: 10s}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 0, "m1");
    assert_int_equal(recs_count(&R, "both"), 0);
    expect(rec_of(&R, "tboth", 0), 2, 0, 0, "m1", "tboth/b8ae9d9b8d32a688/m1");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 80, 1 * SEC, "m2");
    expect(rec_of(&R, "both", 0), 2, 0, 1 * SEC, "m1,m2", "both/b8ae9d9b8d32a688/m2");
    corr_engine_free(e);
    corr_ruleset_free(rs);
    recs_free(&R);
}

/* Match ids do not depend on the engine's hash seed. */
static void test_match_id_determinism(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("t.yml", VC_RULES);
    recs_t R[2] = {{0}, {0}};
    for (int run = 0; run < 2; run++) {
        corr_engine_config_t cfg = defaults();
        cfg.hash_seed[0] = (uint64_t)run * 77 + 1;
        cfg.hash_seed[1] = (uint64_t)run * 13 + 5;
        corr_engine_t *e = engine_for(rs, &R[run], &cfg);
        for (int i = 0; i < 400; i++) {
            char src[32], id[16];
            snprintf(src, sizeof(src), "10.1.%d.%d", i % 7, i % 5);
            snprintf(id, sizeof(id), "s:b:%d", i);
            feed_ev(e, "flow", src, "10.0.0.1", 1000 + i % 11, i * SEC / 20, id);
        }
        corr_engine_free(e);
    }
    assert_true(R[0].n > 10);
    assert_int_equal(R[0].n, R[1].n);
    for (size_t i = 0; i < R[0].n; i++)
        assert_string_equal(R[0].r[i].mid, R[1].r[i].mid);
    recs_free(&R[0]);
    recs_free(&R[1]);
    corr_ruleset_free(rs);
}

static void test_bad_input(void **state)
{
    (void)state;
    corr_ruleset_t *rs =
        load_text("t.yml", FLOW_TCP "---\n"
                                    "title: c\nid: cnt\nlevel: high\n"
                                    "correlation: {type: event_count, rules: [flow_tcp], "
                                    "group-by: [src_ip], timespan: 10s, condition: {gte: 1}}\n");
    recs_t R = {0};
    corr_engine_t *e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, -1, "neg");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, INT64_MAX, "huge");
    /* no src_ip: the rule does not apply; a NULL id counts as "" */
    feed(e, "{\"event_type\":\"flow\",\"proto\":\"TCP\"}", 1 * SEC, "nokey");
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 2 * SEC, NULL);
    corr_engine_event(e, NULL);
    corr_engine_event(NULL, &feed_tev.ev);
    corr_engine_advance(NULL, 0);
    corr_engine_advance(e, INT64_MAX);
    assert_int_equal(R.n, 1);
    assert_string_equal(R.r[0].mid, "cnt/b8ae9d9b8d32a688/");
    corr_engine_stats_t st;
    corr_engine_stats(e, &st);
    assert_int_equal(st.bad_time, 2);
    assert_int_equal(st.events, 4);
    /* a very long id is cut and hashed */
    char longid[400];
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    corr_engine_free(e);
    e = engine_for(rs, &R, NULL);
    feed_ev(e, "flow", "1.1.1.1", "10.0.0.1", 22, 2 * SEC, longid);
    assert_int_equal(R.n, 2);
    assert_int_equal(strlen(R.r[1].ids), CORR_EVENT_ID_MAX - 1);
    assert_int_equal(R.r[1].ids[CORR_EVENT_ID_MAX - 18], '#');
    corr_engine_stats(e, &st);
    assert_true(st.bytes > sizeof(st));
    corr_engine_free(e);
    assert_null(corr_engine_new(NULL, NULL, NULL, NULL));
    corr_engine_free(NULL);
    corr_ruleset_free(rs);
    recs_free(&R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_count_edges),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_late_detections),
        cmocka_unit_test(test_suppress_event_count),
        cmocka_unit_test(test_suppress_detection),
        cmocka_unit_test(test_lru_eviction),
        cmocka_unit_test(test_evidence_cap),
        cmocka_unit_test(test_coarse_count),
        cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_temporal_vs_ordered),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_tumbling),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_one_event_two_rules),
        cmocka_unit_test(test_match_id_determinism),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
