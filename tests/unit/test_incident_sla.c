/* Unit tests for correlator/incidents/incident_sla.c and incident_config.c:
 * SLA defaults per priority, deadlines, overdue at the edges, and the
 * correlator.incidents section with its exact error lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "incidents/incident_config.h"
#include "incidents/incident_sla.h"

#define SEC  1000000LL
#define T0   1772353800LL * SEC /* 2026-03-01T08:30:00Z */
#define MIN  60
#define HOUR 3600
#define DAY  86400

static void test_defaults(void **state)
{
    (void)state;
    incident_config_t c;
    incident_config_defaults(&c);
    /* P1 15m/4h, P2 1h/1d, P3 4h/3d, P4 1d/7d, P5 3d/30d */
    const uint64_t ack[5] = {15 * MIN, HOUR, 4 * HOUR, DAY, 3 * DAY};
    const uint64_t res[5] = {4 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(c.sla_ack_sec[i], ack[i]);
        assert_int_equal(c.sla_resolve_sec[i], res[i]);
    }
    assert_int_equal(c.evidence_max, 1000);
    assert_int_equal(c.samples_max, 10);
    assert_int_equal(c.ips_max, 1000);
    assert_int_equal(c.timeline_max, 10000);
    assert_int_equal(c.link_window_sec, HOUR);
    assert_int_equal(c.match_ttl_sec, 7 * DAY);
}

static void test_deadlines(void **state)
{
    (void)state;
    incident_config_t c;
    incident_config_defaults(&c);
    int64_t a, r;
    incident_sla_deadlines(&c, 1, T0, &a, &r);
    assert_int_equal(a, 1772354700LL * SEC); /* 08:45 */
    assert_int_equal(r, 1772368200LL * SEC); /* 12:30 */
    incident_sla_deadlines(&c, 3, T0, &a, &r);
    assert_int_equal(a, 1772368200LL * SEC);            /* +4h */
    assert_int_equal(r, (1772353800LL + 259200) * SEC); /* +3d */
    incident_sla_deadlines(&c, 5, T0, &a, &r);
    assert_int_equal(a, (1772353800LL + 259200) * SEC);  /* +3d */
    assert_int_equal(r, (1772353800LL + 2592000) * SEC); /* +30d */
    /* out of range: as P5 */
    int64_t a5 = a, r5 = r;
    incident_sla_deadlines(&c, 0, T0, &a, &r);
    assert_int_equal(a, a5);
    assert_int_equal(r, r5);
    incident_sla_deadlines(&c, 6, T0, &a, &r);
    assert_int_equal(a, a5);
    incident_sla_deadlines(&c, -3, T0, &a, &r);
    assert_int_equal(r, r5);
}

static void test_overdue(void **state)
{
    (void)state;
    int64_t ack = T0 + 900 * SEC, res = T0 + 4 * HOUR * SEC;
    incident_sla_state_t s = incident_sla_check(INCIDENT_NEW, ack, res, ack);
    assert_false(s.acknowledge_overdue); /* at the deadline: still on time */
    s = incident_sla_check(INCIDENT_NEW, ack, res, ack + 1);
    assert_true(s.acknowledge_overdue);
    assert_false(s.resolve_overdue);
    s = incident_sla_check(INCIDENT_ACKNOWLEDGED, ack, res, ack + 1);
    assert_false(s.acknowledge_overdue); /* acknowledged: that deadline is met or moot */
    s = incident_sla_check(INCIDENT_INVESTIGATING, ack, res, res);
    assert_false(s.resolve_overdue);
    s = incident_sla_check(INCIDENT_INVESTIGATING, ack, res, res + 1);
    assert_true(s.resolve_overdue);
    s = incident_sla_check(INCIDENT_NEW, ack, res, res + 1);
    assert_true(s.acknowledge_overdue);
    assert_true(s.resolve_overdue);
    for (incident_status_t st = INCIDENT_RESOLVED; st <= INCIDENT_CLOSED; st++) {
        s = incident_sla_check(st, ack, res, res + 1);
        assert_false(s.acknowledge_overdue);
        assert_false(s.resolve_overdue);
    }
    s = incident_sla_check(INCIDENT_NEW, 0, 0, res + 1); /* no deadlines */
    assert_false(s.acknowledge_overdue);
    assert_false(s.resolve_overdue);
}

static bool apply(incident_config_t *c, const char *yaml, char *err, size_t errlen)
{
    incident_config_defaults(c);
    cfg_t *cfg = cfg_load_buffer("t.yaml", yaml, strlen(yaml), err, errlen);
    assert_non_null(cfg);
    bool ok = incident_config_apply(c, cfg, err, errlen);
    cfg_free(cfg);
    return ok;
}

static void test_config(void **state)
{
    (void)state;
    incident_config_t c;
    char err[512] = "";
    assert_true(apply(&c,
                      "correlator:\n"
                      "  incidents:\n"
                      "    evidence-max: 4\n"
                      "    samples-max: 0\n"
                      "    ips-max: 3\n"
                      "    link-window: 10m\n"
                      "    match-ttl: 2d\n"
                      "    timeline-max: 500\n"
                      "    sla:\n"
                      "      p1: {acknowledge: 5m, resolve: 1h}\n"
                      "      p4: {resolve: 14d}\n",
                      err, sizeof(err)));
    assert_int_equal(c.evidence_max, 4);
    assert_int_equal(c.samples_max, 0);
    assert_int_equal(c.ips_max, 3);
    assert_int_equal(c.link_window_sec, 600);
    assert_int_equal(c.match_ttl_sec, 2 * DAY);
    assert_int_equal(c.timeline_max, 500);
    assert_int_equal(c.sla_ack_sec[0], 300);
    assert_int_equal(c.sla_resolve_sec[0], 3600);
    assert_int_equal(c.sla_ack_sec[3], DAY); /* untouched: the default */
    assert_int_equal(c.sla_resolve_sec[3], 14 * DAY);
    assert_int_equal(c.sla_resolve_sec[4], 30 * DAY);
    /* no section, other sections: defaults */
    assert_true(apply(&c, "ingest:\n  shards: 2\n", err, sizeof(err)));
    assert_int_equal(c.evidence_max, 1000);
    assert_true(apply(&c, "correlator:\n  other: 1\n", err, sizeof(err)));
    assert_int_equal(c.sla_ack_sec[0], 900);
}

static void expect_error(const char *yaml, const char *want)
{
    incident_config_t c;
    char err[512] = "";
    assert_false(apply(&c, yaml, err, sizeof(err)));
    assert_string_equal(err, want);
    /* nothing changed */
    incident_config_t d;
    incident_config_defaults(&d);
    assert_memory_equal(&c, &d, sizeof(c));
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("correlator:\n  incidents:\n    evidence-max: 0\n",
                 "t.yaml:3:19: correlator.incidents.evidence-max: expected an integer "
                 "1..100000, got '0'");
    expect_error("correlator:\n  incidents:\n    evidence-mx: 5\n",
                 "t.yaml:3:5: correlator.incidents: unknown key 'evidence-mx' (did you mean "
                 "'evidence-max'?)");
    expect_error("correlator:\n  incidents:\n    sla:\n      p6: {acknowledge: 1h}\n",
                 "t.yaml:4:7: correlator.incidents.sla: unknown key 'p6' (did you mean 'p1'?)");
    expect_error("correlator:\n  incidents:\n    sla:\n      p2: {acknowledge: 2d}\n",
                 "t.yaml:4:11: correlator.incidents.sla.p2: resolve (86400s) is shorter than "
                 "acknowledge (172800s)");
    expect_error("correlator:\n  incidents:\n    sla:\n      p1: {acknowledge: 10s}\n",
                 "t.yaml:4:25: correlator.incidents.sla.p1.acknowledge: expected a duration "
                 "60..31536000 seconds (like 30s, 5m, 1h, 1d), got '10s'");
    expect_error("correlator:\n  incidents: 5\n",
                 "t.yaml:2:14: correlator.incidents: expected a mapping, got a scalar");
    expect_error("correlator:\n  incidents:\n    match-ttl: 30m\n",
                 "t.yaml:3:16: correlator.incidents.match-ttl: expected a duration "
                 "3600..31536000 seconds (like 30s, 5m, 1h, 1d), got '30m'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_overdue),       cmocka_unit_test(test_config),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
