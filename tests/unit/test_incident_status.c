/* Unit tests for correlator/incidents/incident_status.c: names, the whole
 * transition table against the workflow written out by hand, the allowed
 * lists in refusals, and the table string the Lua scripts receive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "incidents/incident_status.h"

enum { N = INCIDENT_STATUS_COUNT };

/* The workflow of issue 5, written out: new -> acknowledged -> investigating
 * -> resolved | false_positive -> closed, and reopen from resolved,
 * false_positive or closed to investigating. Rows: from; columns: to, in
 * the order new, acknowledged, investigating, resolved, false_positive,
 * closed. */
static const int want[N][N] = {
    /* new            */ {0, 1, 0, 0, 0, 0},
    /* acknowledged   */ {0, 0, 1, 0, 0, 0},
    /* investigating  */ {0, 0, 0, 1, 1, 0},
    /* resolved       */ {0, 0, 1, 0, 0, 1},
    /* false_positive */ {0, 0, 1, 0, 0, 1},
    /* closed         */ {0, 0, 1, 0, 0, 0},
};

static void test_names(void **state)
{
    (void)state;
    static const char *const names[N] = {"new",      "acknowledged",   "investigating",
                                         "resolved", "false_positive", "closed"};
    for (int i = 0; i < N; i++) {
        assert_string_equal(incident_status_name((incident_status_t)i), names[i]);
        incident_status_t s = INCIDENT_CLOSED;
        assert_true(incident_status_parse(names[i], &s));
        assert_int_equal(s, i);
    }
    assert_string_equal(incident_status_name(INCIDENT_STATUS_COUNT), "?");
    assert_string_equal(incident_status_name((incident_status_t)-1), "?");
    incident_status_t s;
    assert_false(incident_status_parse("New", &s));
    assert_false(incident_status_parse("false-positive", &s));
    assert_false(incident_status_parse("", &s));
    assert_false(incident_status_parse("open", &s));
    assert_false(incident_status_parse(NULL, &s));
}

static void test_open(void **state)
{
    (void)state;
    assert_true(incident_status_open(INCIDENT_NEW));
    assert_true(incident_status_open(INCIDENT_ACKNOWLEDGED));
    assert_true(incident_status_open(INCIDENT_INVESTIGATING));
    assert_false(incident_status_open(INCIDENT_RESOLVED));
    assert_false(incident_status_open(INCIDENT_FALSE_POSITIVE));
    assert_false(incident_status_open(INCIDENT_CLOSED));
}

static void test_matrix(void **state)
{
    (void)state;
    for (int f = 0; f < N; f++)
        for (int t = 0; t < N; t++)
            if (incident_transition_allowed((incident_status_t)f, (incident_status_t)t) !=
                (bool)want[f][t])
                fail_msg("%s -> %s", incident_status_name((incident_status_t)f),
                         incident_status_name((incident_status_t)t));
    assert_false(incident_transition_allowed(INCIDENT_STATUS_COUNT, INCIDENT_NEW));
    assert_false(incident_transition_allowed(INCIDENT_NEW, INCIDENT_STATUS_COUNT));
}

static void test_allowed_lists(void **state)
{
    (void)state;
    char b[128];
    assert_int_equal(incident_transitions_from(INCIDENT_NEW, b, sizeof(b)), 12);
    assert_string_equal(b, "acknowledged");
    incident_transitions_from(INCIDENT_INVESTIGATING, b, sizeof(b));
    assert_string_equal(b, "resolved, false_positive");
    incident_transitions_from(INCIDENT_RESOLVED, b, sizeof(b));
    assert_string_equal(b, "investigating, closed");
    incident_transitions_from(INCIDENT_CLOSED, b, sizeof(b));
    assert_string_equal(b, "investigating");
    incident_transitions_from(INCIDENT_STATUS_COUNT, b, sizeof(b));
    assert_string_equal(b, "none");
    /* cut to fit, still terminated */
    char small[9];
    assert_int_equal(incident_transitions_from(INCIDENT_INVESTIGATING, small, sizeof(small)), 8);
    assert_string_equal(small, "resolved");
}

/* The table string, parsed here on its own, says what `want` says. */
static void test_table_string(void **state)
{
    (void)state;
    const char *t = incident_transition_table();
    assert_string_equal(t, "new:acknowledged|acknowledged:investigating|"
                           "investigating:resolved,false_positive|resolved:investigating,closed|"
                           "false_positive:investigating,closed|closed:investigating");
    int got[N][N] = {{0}};
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", t);
    char *save = NULL;
    for (char *row = strtok_r(buf, "|", &save); row; row = strtok_r(NULL, "|", &save)) {
        char *colon = strchr(row, ':');
        assert_non_null(colon);
        *colon = '\0';
        incident_status_t from, to;
        assert_true(incident_status_parse(row, &from));
        char *save2 = NULL;
        for (char *x = strtok_r(colon + 1, ",", &save2); x; x = strtok_r(NULL, ",", &save2)) {
            assert_true(incident_status_parse(x, &to));
            got[from][to] = 1;
        }
    }
    assert_memory_equal(got, want, sizeof(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),        cmocka_unit_test(test_open),
        cmocka_unit_test(test_matrix),       cmocka_unit_test(test_allowed_lists),
        cmocka_unit_test(test_table_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
