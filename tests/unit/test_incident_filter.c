/* Unit tests for correlator/incidents/incident_filter.c: --since times,
 * --priority, --status and which incidents each filter lets through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "incidents/incident_filter.h"

#define SEC 1000000LL
#define NOW (1772353800LL * SEC) /* 2026-03-01T08:30:00Z */

static int64_t t_ok(const char *s)
{
    int64_t v = -1;
    char err[256] = "";
    if (!incident_parse_time(s, NOW, &v, err, sizeof(err))) fail_msg("'%s': %s", s, err);
    return v;
}

static void t_bad(const char *s)
{
    int64_t v = 0;
    char err[256] = "";
    if (incident_parse_time(s, NOW, &v, err, sizeof(err))) fail_msg("'%s' accepted", s);
    char want[256];
    snprintf(want, sizeof(want),
             "bad time '%s' (2026-03-01, 2026-03-01T08:30:00Z, @EPOCH, or 30m/2h/7d ago)", s);
    assert_string_equal(err, want);
}

static void test_times(void **state)
{
    (void)state;
    /* values from the calendar: 2026-03-01T00:00Z = 1772323200 */
    assert_int_equal(t_ok("2026-03-01"), 1772323200LL * SEC);
    assert_int_equal(t_ok("2026-03-01T08:30"), 1772353800LL * SEC);
    assert_int_equal(t_ok("2026-03-01T08:30:00Z"), 1772353800LL * SEC);
    assert_int_equal(t_ok("2026-03-01 08:30:00"), 1772353800LL * SEC);
    assert_int_equal(t_ok("2026-03-01T08:30:15+07:00"), 1772328615LL * SEC);
    assert_int_equal(t_ok("2026-03-01T08:30:15+0700"), 1772328615LL * SEC);
    assert_int_equal(t_ok("2026-03-01T01:30:15-00:00"), (1772328615LL) * SEC);
    assert_int_equal(t_ok("2024-02-29"), 1709164800LL * SEC); /* leap day */
    assert_int_equal(t_ok("@1772353800"), 1772353800LL * SEC);
    assert_int_equal(t_ok("@0"), 0);
    assert_int_equal(t_ok("90s"), NOW - 90 * SEC);
    assert_int_equal(t_ok("30m"), NOW - 1800 * SEC);
    assert_int_equal(t_ok("2h"), NOW - 7200 * SEC);
    assert_int_equal(t_ok("7d"), NOW - 604800 * SEC);
    assert_int_equal(t_ok("2w"), NOW - 1209600 * SEC);
    assert_int_equal(t_ok("0m"), NOW);
}

static void test_bad_times(void **state)
{
    (void)state;
    t_bad("");
    t_bad("yesterday");
    t_bad("30");
    t_bad("30x");
    t_bad("m");
    t_bad("-5m");
    t_bad("5mm");
    t_bad("@");
    t_bad("@12a");
    t_bad("@99999999999999999999");
    t_bad("2026-02-30"); /* no such day */
    t_bad("2026-13-01");
    t_bad("2026-03-01T25:00");
    t_bad("2026-03-01T08");
    t_bad("2026-03-01T08:30:00+7");
    t_bad("2026-03-01T08:30:00 Z");
    t_bad("2026-03-01x");
    t_bad("1969-12-31");
    t_bad("999999999999m");
}

static void test_priority(void **state)
{
    (void)state;
    int p = 0;
    assert_true(incident_parse_priority("1", &p));
    assert_int_equal(p, 1);
    assert_true(incident_parse_priority("P5", &p));
    assert_int_equal(p, 5);
    assert_true(incident_parse_priority("p3", &p));
    assert_int_equal(p, 3);
    assert_false(incident_parse_priority("0", &p));
    assert_false(incident_parse_priority("6", &p));
    assert_false(incident_parse_priority("P", &p));
    assert_false(incident_parse_priority("12", &p));
    assert_false(incident_parse_priority("", &p));
    assert_false(incident_parse_priority("P1 ", &p));
}

static incident_t make(incident_status_t st, int prio, const char *asset, const char *who,
                       int64_t last)
{
    incident_t i;
    memset(&i, 0, sizeof(i));
    i.id = i.title = i.rule_id = i.group_key = i.merged_into = "";
    i.status = st;
    i.priority = prio;
    i.asset_name = asset;
    i.assignee = who;
    i.last_seen = last;
    i.created_at = NOW - 3600 * SEC;
    i.sla_acknowledge_by = NOW - 2700 * SEC; /* 15 minutes after creation: passed */
    i.sla_resolve_by = NOW + 3 * 3600 * SEC; /* not yet */
    return i;
}

static void test_status_filter(void **state)
{
    (void)state;
    incident_filter_t f;
    char err[256];
    incident_filter_init(&f, NOW);
    assert_int_equal(f.select, INCIDENT_SELECT_OPEN);
    incident_t inc[INCIDENT_STATUS_COUNT];
    for (int s = 0; s < INCIDENT_STATUS_COUNT; s++)
        inc[s] = make((incident_status_t)s, 2, "", "", NOW);
    /* default: the open ones */
    const bool open[] = {true, true, true, false, false, false};
    for (int s = 0; s < INCIDENT_STATUS_COUNT; s++)
        assert_int_equal(incident_filter_match(&f, &inc[s]), open[s]);
    assert_true(incident_filter_set_status(&f, "all", err, sizeof(err)));
    for (int s = 0; s < INCIDENT_STATUS_COUNT; s++)
        assert_true(incident_filter_match(&f, &inc[s]));
    assert_true(incident_filter_set_status(&f, "false_positive", err, sizeof(err)));
    for (int s = 0; s < INCIDENT_STATUS_COUNT; s++)
        assert_int_equal(incident_filter_match(&f, &inc[s]), s == INCIDENT_FALSE_POSITIVE);
    assert_true(incident_filter_set_status(&f, "open", err, sizeof(err)));
    assert_false(incident_filter_match(&f, &inc[INCIDENT_CLOSED]));
    assert_false(incident_filter_set_status(&f, "done", err, sizeof(err)));
    assert_string_equal(err, "unknown status 'done' (open, all, new, acknowledged, "
                             "investigating, resolved, false_positive, closed)");
}

static void test_field_filters(void **state)
{
    (void)state;
    incident_filter_t f;
    incident_filter_init(&f, NOW);
    incident_t a = make(INCIDENT_NEW, 1, "portal", "alice", NOW - 600 * SEC);
    incident_t b = make(INCIDENT_INVESTIGATING, 3, "", "", NOW - 7200 * SEC);
    assert_true(incident_filter_match(&f, &a));
    assert_true(incident_filter_match(&f, &b));
    f.priority = 1;
    assert_true(incident_filter_match(&f, &a));
    assert_false(incident_filter_match(&f, &b));
    f.priority = 0;
    f.asset = "portal";
    assert_true(incident_filter_match(&f, &a));
    assert_false(incident_filter_match(&f, &b));
    f.asset = "port";
    assert_false(incident_filter_match(&f, &a)); /* exact, not a prefix */
    f.asset = NULL;
    f.assignee = "alice";
    assert_true(incident_filter_match(&f, &a));
    assert_false(incident_filter_match(&f, &b));
    f.assignee = NULL;
    f.since_usec = NOW - 3600 * SEC;
    assert_true(incident_filter_match(&f, &a));
    assert_false(incident_filter_match(&f, &b));
    f.since_usec = a.last_seen; /* at the time: included */
    assert_true(incident_filter_match(&f, &a));
    f.since_usec = 0;
    /* overdue: a is new past its acknowledge deadline; b is acknowledged
     * and before its resolve deadline */
    f.overdue = true;
    assert_true(incident_filter_match(&f, &a));
    assert_false(incident_filter_match(&f, &b));
    f.now_usec = NOW + 4 * 3600 * SEC; /* b past its resolve deadline */
    assert_true(incident_filter_match(&f, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),         cmocka_unit_test(test_bad_times),
        cmocka_unit_test(test_priority),      cmocka_unit_test(test_status_filter),
        cmocka_unit_test(test_field_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
