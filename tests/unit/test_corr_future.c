/* test_corr_future.c -- events stamped too far ahead of the clock
 * (ENGINE.md, "Time"): with cfg.max_future_usec and a clock set, such an
 * event is placed at the newest event time seen (at the clock before any
 * event), counted in future_clamped, and does not move the watermark; at
 * or within the bound, or without a clock, nothing changes. And the
 * correlator's `max-future` configuration key.
 *
 * Times: T0 = 2024-03-01T08:00:00Z = 1709280000 s; lateness is the
 * engine's default 5 s, so the watermark is the newest time - 5 s. The
 * rule counts 2 TCP flows of one src_ip within 1 minute; the match id
 * hash of "src_ip=1.1.1.1" is b8ae9d9b8d32a688 (see test_corr_engine.c). */
#include <stdio.h>
#include <unistd.h>

#include "daemon/corr_config.h"
#include "test_corr_engine.h"

#define T0   (1709280000ll * SEC)
#define MIN  (60 * SEC)
#define YEAR (365ll * 86400 * SEC)

#define RULES                                                                                      \
    "title: f\nid: flow_tcp\nlevel: low\nlogsource: {category: flow}\n"                            \
    "detection: {s: {proto: TCP}, condition: s}\n"                                                 \
    "---\ntitle: c\nid: cnt\nlevel: high\n"                                                        \
    "correlation: {type: event_count, rules: [flow_tcp], group-by: [src_ip], timespan: 1m,\n"      \
    "  condition: {gte: 2}}\n"

typedef struct fx {
    corr_ruleset_t *rs;
    corr_engine_t *e;
    recs_t R;
} fx_t;

static void fx_open(fx_t *f, int64_t max_future)
{
    memset(f, 0, sizeof(*f));
    f->rs = load_text("future.yml", RULES);
    corr_engine_config_t cfg;
    corr_engine_config_defaults(&cfg);
    cfg.max_future_usec = max_future;
    f->e = engine_for(f->rs, &f->R, &cfg);
}

static void fx_close(fx_t *f)
{
    corr_engine_free(f->e);
    recs_free(&f->R);
    corr_ruleset_free(f->rs);
}

static corr_engine_stats_t stats(const fx_t *f)
{
    corr_engine_stats_t st;
    corr_engine_stats(f->e, &st);
    return st;
}

static void flow(fx_t *f, const char *src, int64_t ts, const char *id)
{
    feed_ev(f->e, "flow", src, "10.0.0.1", 22, ts, id);
}

/* A year ahead: placed at the newest time, so it completes the window of
 * the first event at T0; the watermark stays; a later event is on time. */
static void test_clamped_to_newest(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 5 * MIN);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "1.1.1.1", T0 + YEAR, "e2");
    assert_int_equal(stats(&f).future_clamped, 1);
    assert_int_equal(corr_engine_watermark(f.e), T0 - 5 * SEC);
    assert_int_equal(f.R.n, 1);
    const rec_t *r = rec_of(&f.R, "cnt", 0);
    assert_non_null(r);
    assert_int_equal(r->count, 2);
    assert_int_equal(r->first, T0);
    assert_int_equal(r->last, T0);
    assert_string_equal(r->ids, "e1,e2");
    assert_string_equal(r->mid, "cnt/b8ae9d9b8d32a688/e2");
    flow(&f, "2.2.2.2", T0 + SEC, "e3");
    assert_int_equal(stats(&f).late_dropped, 0);
    assert_int_equal(corr_engine_watermark(f.e), T0 + SEC - 5 * SEC);
    fx_close(&f);
}

/* The same events without the bound: the year-ahead event moves the
 * watermark and the next event on time is late. */
static void test_unbounded_drags_time(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 0);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "1.1.1.1", T0 + YEAR, "e2");
    assert_int_equal(f.R.n, 0);
    assert_int_equal(corr_engine_watermark(f.e), T0 + YEAR - 5 * SEC);
    flow(&f, "2.2.2.2", T0 + SEC, "e3");
    assert_int_equal(stats(&f).late_dropped, 1);
    assert_int_equal(stats(&f).future_clamped, 0);
    fx_close(&f);
}

/* Exactly max_future ahead is allowed; one microsecond more is not. */
static void test_bound_is_inclusive(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 5 * MIN);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "2.2.2.2", T0 + 4 * MIN, "e2");
    assert_int_equal(stats(&f).future_clamped, 0);
    assert_int_equal(corr_engine_watermark(f.e), T0 + 4 * MIN - 5 * SEC);
    flow(&f, "3.3.3.3", T0 + 5 * MIN, "e3");
    assert_int_equal(stats(&f).future_clamped, 0);
    assert_int_equal(corr_engine_watermark(f.e), T0 + 5 * MIN - 5 * SEC);
    flow(&f, "4.4.4.4", T0 + 5 * MIN + 1, "e4");
    assert_int_equal(stats(&f).future_clamped, 1);
    assert_int_equal(corr_engine_watermark(f.e), T0 + 5 * MIN - 5 * SEC);
    assert_int_equal(f.R.n, 0);
    fx_close(&f);
}

/* Before any event there is no newest time: the clock is the place. */
static void test_first_event_at_clock(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 5 * MIN);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0 + YEAR, "e1");
    assert_int_equal(stats(&f).future_clamped, 1);
    assert_int_equal(corr_engine_watermark(f.e), T0 - 5 * SEC);
    flow(&f, "1.1.1.1", T0 + SEC, "e2");
    assert_int_equal(f.R.n, 1);
    const rec_t *r = rec_of(&f.R, "cnt", 0);
    assert_non_null(r);
    assert_int_equal(r->first, T0);
    assert_int_equal(r->last, T0 + SEC);
    assert_string_equal(r->ids, "e1,e2");
    fx_close(&f);
}

/* No clock (or one out of 1970..9999): nothing is judged. */
static void test_needs_a_clock(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 5 * MIN);
    corr_engine_set_clock(f.e, -1);
    corr_engine_set_clock(f.e, 253402300800000000ll); /* 10000-01-01 */
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "1.1.1.1", T0 + YEAR, "e2");
    assert_int_equal(stats(&f).future_clamped, 0);
    assert_int_equal(corr_engine_watermark(f.e), T0 + YEAR - 5 * SEC);
    /* from a valid clock on, it is */
    corr_engine_set_clock(f.e, T0);
    flow(&f, "2.2.2.2", T0 + 3 * YEAR, "e3");
    assert_int_equal(stats(&f).future_clamped, 1);
    assert_int_equal(corr_engine_watermark(f.e), T0 + YEAR - 5 * SEC);
    fx_close(&f);
}

/* The bound is clamped into 0 .. one year (366 days). */
static void test_bound_limits(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 10 * YEAR);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "2.2.2.2", T0 + 366 * 86400 * SEC, "e2"); /* at the one-year bound */
    assert_int_equal(stats(&f).future_clamped, 0);
    flow(&f, "3.3.3.3", T0 + 2 * YEAR, "e3");
    assert_int_equal(stats(&f).future_clamped, 1);
    fx_close(&f);
    fx_open(&f, -5 * MIN); /* negative: off */
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0 + YEAR, "e1");
    assert_int_equal(stats(&f).future_clamped, 0);
    fx_close(&f);
}

/* A clamped event leaves the snapshot's time where it was. */
static void test_snapshot_keeps_time(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, 5 * MIN);
    corr_engine_set_clock(f.e, T0);
    flow(&f, "1.1.1.1", T0, "e1");
    flow(&f, "2.2.2.2", T0 + YEAR, "e2");
    corr_bytes_t snap = {0};
    assert_int_equal(corr_engine_save(f.e, &snap), 0);
    char err[256];
    corr_engine_t *b = corr_engine_load(f.rs, NULL, NULL, NULL, snap.p, snap.len, err, sizeof(err));
    assert_non_null(b);
    assert_int_equal(corr_engine_watermark(b), T0 - 5 * SEC);
    corr_engine_free(b);
    corr_bytes_free(&snap);
    fx_close(&f);
}

/* ---- correlator.max-future ------------------------------------------------------------------ */

static bool load_yaml(corr_config_t *c, const char *text, char *err, size_t errlen)
{
    char path[] = "/tmp/test_corr_future_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    corr_config_defaults(c);
    bool ok = corr_config_load(c, path, err, errlen);
    unlink(path);
    if (!ok) { /* the message names the file: keep what follows it */
        const char *p = strstr(err, path);
        if (p) memmove(err, p + strlen(path), strlen(p + strlen(path)) + 1);
    }
    return ok;
}

static void test_config_key(void **state)
{
    (void)state;
    corr_config_t c;
    char err[512];
    corr_config_defaults(&c);
    assert_int_equal(c.engine.max_future_usec, 5 * MIN);
    assert_true(load_yaml(&c, "correlator:\n  max-future: 30s\n", err, sizeof(err)));
    assert_int_equal(c.engine.max_future_usec, 30 * SEC);
    assert_true(load_yaml(&c, "correlator:\n  max-future: 0\n", err, sizeof(err)));
    assert_int_equal(c.engine.max_future_usec, 0);
    assert_false(load_yaml(&c, "correlator:\n  max-future: soon\n", err, sizeof(err)));
    /* "  max-future: soon": the value starts in column 15 of line 2 */
    assert_memory_equal(err, ":2:15: correlator.max-future:", 29);
    assert_false(load_yaml(&c, "correlator:\n  max-futur: 1m\n", err, sizeof(err)));
    assert_non_null(strstr(err, "max-futur"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clamped_to_newest),   cmocka_unit_test(test_unbounded_drags_time),
        cmocka_unit_test(test_bound_is_inclusive),  cmocka_unit_test(test_first_event_at_clock),
        cmocka_unit_test(test_needs_a_clock),       cmocka_unit_test(test_bound_limits),
        cmocka_unit_test(test_snapshot_keeps_time), cmocka_unit_test(test_config_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
