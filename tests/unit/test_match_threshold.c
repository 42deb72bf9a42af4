/* test_match_threshold.c -- threshold and detection_filter over sequences of
 * matches in packet time, per tracking mode, and the bounded table.
 *
 * Each expected answer is worked out from Suricata's ThresholdHandlePacket
 * (detect-engine-threshold.c, 7.x) as match.h restates it: a window opened
 * at t1 holds while now <= t1 + seconds; limit alerts on the first count
 * matches of a window; threshold on every count-th; both once, on the
 * count-th; detection_filter on every match after the count-th. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "detect/match.h"
#include "detect/rule_set.h"

#define SEC(x) ((int64_t)llround((x)*1e6))

static rule_set_t *rs;
static uint32_t next_sid = 1;

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(NULL);
    if (!rs) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

static const rule_t *rule(const char *opts)
{
    char text[1024];
    snprintf(text, sizeof text, "alert tcp any any -> any any (%s sid:%u;)", opts, next_sid++);
    const rule_t *r = rule_set_add_rule(rs, text, "test", 1);
    if (!r) fail_msg("rule refused: %s -- %s", text, rule_set_last_error(rs));
    return r;
}

static soc_addr_t A, B, C, V6;

static int setup_addrs(void)
{
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    memset(&C, 0, sizeof C);
    memset(&V6, 0, sizeof V6);
    inet_pton(AF_INET, "10.0.0.1", A.b);
    inet_pton(AF_INET, "10.0.0.2", B.b);
    inet_pton(AF_INET, "10.0.0.3", C.b);
    /* the same 16 bytes as A, read as IPv6 */
    memcpy(V6.b, A.b, 16);
    return 0;
}

typedef struct step {
    double t; /* seconds */
    const soc_addr_t *src, *dst;
    bool want;
} step_t;

static void run_steps(threshold_ctx_t *t, const rule_t *r, const step_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool got = threshold_allow(t, r, s[i].src, s[i].dst, 4, SEC(s[i].t));
        if (got != s[i].want)
            fail_msg("step %zu (t=%.6f): got %d, want %d", i, s[i].t, got, s[i].want);
    }
}

static void test_no_threshold(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(8);
    const rule_t *r = rule("content:\"x\";");
    for (int i = 0; i < 5; i++)
        assert_true(threshold_allow(t, r, &A, &B, 4, SEC(i)));
    threshold_stats_t st;
    threshold_get_stats(t, &st);
    assert_int_equal(st.entries, 0);
    assert_true(threshold_allow(NULL, r, &A, &B, 4, 0));
    threshold_free(t);
}

static void test_limit(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(64);
    const rule_t *r = rule("threshold: type limit, track by_src, count 2, seconds 60;");
    const step_t s[] = {
        {0, &A, &B, true},           /* opens the window at 0 */
        {1, &A, &B, true},           /* 2nd */
        {2, &A, &B, false},          /* 3rd: over the limit */
        {5, &B, &A, true},           /* another source: its own window */
        {59, &A, &B, false},         /* 4th */
        {60, &A, &B, false},         /* 60 <= 0 + 60: still inside */
        {60.000001, &A, &B, true},   /* past it: a new window, count 1 */
        {61, &A, &B, true},          /* 2nd */
        {62, &A, &C, false},         /* the destination does not matter */
        {120.000001, &A, &B, false}, /* 4th of the window 60.000001..120.000001 */
    };
    run_steps(t, r, s, sizeof s / sizeof s[0]);
    assert_true(threshold_allow(t, r, &A, &B, 4, SEC(120.000002))); /* now past it */
    threshold_free(t);
}

static void test_threshold_type(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(64);
    const rule_t *r = rule("threshold: type threshold, track by_src, count 3, seconds 10;");
    const step_t s[] = {
        {0, &A, &B, false},    /* count 1 */
        {1, &A, &B, false},    /* 2 */
        {2, &A, &B, true},     /* 3: alert, count back to 0 */
        {3, &A, &B, false},    /* 1 */
        {4, &A, &B, false},    /* 2 */
        {5, &A, &B, true},     /* 3: alert (the window still opened at 0) */
        {6, &A, &B, false},    /* 1 */
        {10, &A, &B, false},   /* 2, 10 <= 0 + 10 */
        {10.5, &A, &B, false}, /* window over: new one at 10.5, count 1 */
        {11, &A, &B, false},   /* 2 */
        {12, &A, &B, true},    /* 3 */
        {12, &B, &A, false},   /* another source starts at 1 */
    };
    run_steps(t, r, s, sizeof s / sizeof s[0]);

    /* count 1: every match alerts, and no state is kept */
    const rule_t *one = rule("threshold: type threshold, track by_src, count 1, seconds 10;");
    threshold_stats_t before, after;
    threshold_get_stats(t, &before);
    for (int i = 0; i < 4; i++)
        assert_true(threshold_allow(t, one, &A, &B, 4, SEC(20 + i)));
    threshold_get_stats(t, &after);
    assert_int_equal(after.created, before.created);
    threshold_free(t);
}

static void test_both(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(64);
    const rule_t *r = rule("threshold: type both, track by_dst, count 3, seconds 10;");
    const step_t s[] = {
        {0, &A, &C, false},                       /* by_dst: C's count 1 */
        {1, &B, &C, false},                       /* 2, from another source, same destination */
        {2, &A, &C, true},                        /* 3: the one alert of this window */
        {3, &A, &C, false},                       /* 4 */
        {9, &A, &C, false},  {11, &A, &C, false}, /* window over: count 1 */
        {12, &A, &C, false},                      /* 2 */
        {13, &A, &C, true},                       /* 3 */
        {14, &A, &C, false}, {14, &A, &B, false}, /* destination B: count 1 */
    };
    run_steps(t, r, s, sizeof s / sizeof s[0]);

    const rule_t *one = rule("threshold: type both, track by_src, count 1, seconds 10;");
    const step_t s1[] = {
        {0, &A, &B, true},   /* count 1 == 1 */
        {1, &A, &B, false},  /* 2 */
        {10, &A, &B, false}, /* 3, still inside */
        {11, &A, &B, true},  /* new window */
    };
    run_steps(t, one, s1, sizeof s1 / sizeof s1[0]);
    threshold_free(t);
}

static void test_detection_filter(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(64);
    const rule_t *r = rule("detection_filter: track by_src, count 2, seconds 10;");
    const step_t s[] = {
        {0, &A, &B, false},         /* 1 */
        {1, &A, &B, false},         /* 2 */
        {2, &A, &B, true},          /* 3 > 2 */
        {3, &A, &B, true},          /* 4 */
        {10, &A, &B, true},         /* 5, 10 <= 0 + 10 */
        {10.000001, &A, &B, false}, /* new window: 1 */
        {11, &A, &B, false},        /* 2 */
        {12, &A, &B, true},         /* 3 */
        {12, &B, &A, false},        /* B: 1 */
    };
    run_steps(t, r, s, sizeof s / sizeof s[0]);
    threshold_free(t);
}

static void test_tracking(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(64);
    /* by_rule: every address shares one count */
    const rule_t *r = rule("threshold: type limit, track by_rule, count 2, seconds 60;");
    const step_t s[] = {
        {0, &A, &B, true},
        {1, &B, &C, true},
        {2, &C, &A, false},
    };
    run_steps(t, r, s, sizeof s / sizeof s[0]);

    /* by_both: the pair, in either direction */
    r = rule("threshold: type limit, track by_both, count 2, seconds 60;");
    const step_t s2[] = {
        {0, &A, &B, true},  {1, &B, &A, true}, /* the same pair */
        {2, &A, &B, false}, {3, &A, &C, true}, /* another pair */
        {4, &C, &B, true},
    };
    run_steps(t, r, s2, sizeof s2 / sizeof s2[0]);

    /* two rules keep separate counts for the same source */
    const rule_t *r1 = rule("threshold: type limit, track by_src, count 1, seconds 60;");
    const rule_t *r2 = rule("threshold: type limit, track by_src, count 1, seconds 60;");
    assert_true(threshold_allow(t, r1, &A, &B, 4, SEC(0)));
    assert_true(threshold_allow(t, r2, &A, &B, 4, SEC(0)));
    assert_false(threshold_allow(t, r1, &A, &B, 4, SEC(1)));
    assert_false(threshold_allow(t, r2, &A, &B, 4, SEC(1)));
    /* the same bytes as an IPv6 address are another source */
    assert_true(threshold_allow(t, r1, &V6, &B, 6, SEC(1)));
    /* a missing address counts as all zero, and does not crash */
    assert_true(threshold_allow(t, r1, NULL, NULL, 4, SEC(1)));
    assert_false(threshold_allow(t, r1, NULL, NULL, 4, SEC(2)));
    threshold_free(t);
}

/* The table never grows past its bound: ended windows go first, then the
 * least recently used live one. */
static void test_bounded_table(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(2);
    const rule_t *r = rule("threshold: type limit, track by_src, count 1, seconds 60;");
    threshold_stats_t st;
    assert_true(threshold_allow(t, r, &A, &B, 4, SEC(0)));
    assert_true(threshold_allow(t, r, &B, &A, 4, SEC(1)));
    assert_false(threshold_allow(t, r, &A, &B, 4, SEC(2))); /* A is used again: B is older */
    assert_true(threshold_allow(t, r, &C, &A, 4, SEC(3)));  /* full: B's live window goes */
    threshold_get_stats(t, &st);
    assert_int_equal(st.entries, 2);
    assert_int_equal(st.max_entries, 2);
    assert_int_equal(st.evicted_active, 1);
    assert_false(threshold_allow(t, r, &A, &B, 4, SEC(4))); /* A kept its state */
    assert_true(threshold_allow(t, r, &B, &A, 4, SEC(5)));  /* B starts over; C goes */
    threshold_get_stats(t, &st);
    assert_int_equal(st.evicted_active, 2);
    assert_int_equal(st.created, 4);

    /* ended windows are dropped before live ones */
    const rule_t *r1 = rule("threshold: type limit, track by_src, count 1, seconds 1;");
    threshold_free(t);
    t = threshold_new(2);
    assert_true(threshold_allow(t, r1, &A, &B, 4, SEC(0)));
    assert_true(threshold_allow(t, r1, &B, &A, 4, SEC(0)));
    assert_true(threshold_allow(t, r1, &C, &A, 4, SEC(5)));
    threshold_get_stats(t, &st);
    assert_int_equal(st.evicted_active, 0);
    assert_int_equal(st.expired, 2);
    assert_int_equal(st.entries, 1);
    threshold_free(t);

    /* 0 is taken as 1 */
    t = threshold_new(0);
    assert_true(threshold_allow(t, r, &A, &B, 4, SEC(0)));
    assert_true(threshold_allow(t, r, &B, &A, 4, SEC(0)));
    assert_true(threshold_allow(t, r, &A, &B, 4, SEC(0))); /* A was pushed out */
    threshold_get_stats(t, &st);
    assert_int_equal(st.entries, 1);
    threshold_free(t);
}

/* Many sources through a small table: bounded, and every lookup still
 * answers like a fresh window for sources that were pushed out. */
static void test_many_sources(void **state)
{
    (void)state;
    threshold_ctx_t *t = threshold_new(100);
    const rule_t *r = rule("threshold: type limit, track by_src, count 1, seconds 3600;");
    soc_addr_t a;
    memset(&a, 0, sizeof a);
    for (uint32_t i = 0; i < 10000; i++) {
        a.b[0] = 10;
        a.b[1] = (uint8_t)(i >> 16);
        a.b[2] = (uint8_t)(i >> 8);
        a.b[3] = (uint8_t)i;
        assert_true(threshold_allow(t, r, &a, &B, 4, SEC(i)));
        assert_false(threshold_allow(t, r, &a, &B, 4, SEC(i)));
    }
    threshold_stats_t st;
    threshold_get_stats(t, &st);
    assert_int_equal(st.entries, 100);
    assert_int_equal(st.created, 10000);
    assert_int_equal(st.evicted_active, 9900);
    threshold_free(t);
}

int main(void)
{
    setup_addrs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_threshold),     cmocka_unit_test(test_limit),
        cmocka_unit_test(test_threshold_type),   cmocka_unit_test(test_both),
        cmocka_unit_test(test_detection_filter), cmocka_unit_test(test_tracking),
        cmocka_unit_test(test_bounded_table),    cmocka_unit_test(test_many_sources),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
