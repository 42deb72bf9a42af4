/* Unit tests for correlator/incidents/incident_id.c: "INC-2026-000123". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "incidents/incident_id.h"

static void test_format(void **state)
{
    (void)state;
    char b[INCIDENT_ID_MAX];
    assert_true(incident_id_format(b, sizeof(b), 2026, 123));
    assert_string_equal(b, "INC-2026-000123");
    assert_true(incident_id_format(b, sizeof(b), 2026, 1));
    assert_string_equal(b, "INC-2026-000001");
    assert_true(incident_id_format(b, sizeof(b), 2026, 999999));
    assert_string_equal(b, "INC-2026-999999");
    assert_true(incident_id_format(b, sizeof(b), 2027, 1000000)); /* grows past six digits */
    assert_string_equal(b, "INC-2027-1000000");
    assert_true(incident_id_format(b, sizeof(b), 9999, UINT64_MAX));
    assert_string_equal(b, "INC-9999-18446744073709551615");
    assert_false(incident_id_format(b, sizeof(b), 2026, 0));
    assert_false(incident_id_format(b, sizeof(b), 1969, 1));
    assert_false(incident_id_format(b, sizeof(b), 10000, 1));
    char small[15]; /* "INC-2026-000123" needs 16 */
    assert_false(incident_id_format(small, sizeof(small), 2026, 123));
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(incident_id_valid("INC-2026-000123"));
    assert_true(incident_id_valid("INC-2027-1000000"));
    assert_true(incident_id_valid("INC-2026-1234567890123456789"));   /* 19 digits */
    assert_false(incident_id_valid("INC-2026-12345678901234567890")); /* 20 */
    assert_false(incident_id_valid("INC-2026-12345"));                /* 5 digits */
    assert_false(incident_id_valid("inc-2026-000123"));
    assert_false(incident_id_valid("INC-26-000123"));
    assert_false(incident_id_valid("INC-2026_000123"));
    assert_false(incident_id_valid("INC-2026-000123 "));
    assert_false(incident_id_valid("INC-2026-00012a"));
    assert_false(incident_id_valid("INC-20a6-000123"));
    assert_false(incident_id_valid("INC-2026-000123:timeline"));
    assert_false(incident_id_valid("INC-"));
    assert_false(incident_id_valid(""));
    assert_false(incident_id_valid(NULL));
}

static void test_year(void **state)
{
    (void)state;
    assert_int_equal(incident_id_year(1772353800LL * 1000000), 2026); /* 2026-03-01 08:30Z */
    assert_int_equal(incident_id_year(1767225599LL * 1000000), 2025); /* 2025-12-31 23:59:59Z */
    assert_int_equal(incident_id_year(1767225600LL * 1000000), 2026); /* one second later */
    assert_int_equal(incident_id_year(0), 1970);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
