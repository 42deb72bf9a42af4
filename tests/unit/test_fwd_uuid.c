/* Unit tests for correlator/forward/fwd_uuid.c and the time and address
 * helpers of fwd_incdoc.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_incdoc.h"
#include "forward/fwd_uuid.h"

static void test_rfc_vector(void **state)
{
    (void)state;
    char u[FWD_UUID_STR];
    /* RFC 9562 appendix A.4: DNS namespace, "www.example.com" */
    assert_true(fwd_uuid_v5(fwd_uuid_ns_dns, "www.example.com", 15, u));
    assert_string_equal(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void test_namespaces(void **state)
{
    (void)state;
    char u[FWD_UUID_STR];
    fwd_uuid_format(fwd_uuid_ns_dns, u);
    assert_string_equal(u, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    fwd_uuid_format(fwd_uuid_ns_stix_sco, u);
    assert_string_equal(u, "00abedb4-aa42-466c-9c01-fed23315a9b7");
    fwd_uuid_format(fwd_uuid_ns_soc, u);
    assert_string_equal(u, "118169b5-6336-4196-949c-5819fab73815");
    /* STIX 2.1 SCO ids: UUIDv5 of {"value":...} in the SCO namespace
     * (worked out with Python's uuid.uuid5) */
    const char *name = "{\"value\":\"203.0.113.5\"}";
    assert_true(fwd_uuid_v5(fwd_uuid_ns_stix_sco, name, strlen(name), u));
    assert_string_equal(u, "826fe3cb-56b0-5620-9d30-4c17ed7b24e3");
    /* the fixed ids in fwd_stix.h */
    name = "extension-definition/soc-incident/1";
    assert_true(fwd_uuid_v5(fwd_uuid_ns_soc, name, strlen(name), u));
    assert_string_equal(u, "d626dfea-3f47-5ead-9560-66a32de29e3b");
    name = "identity/soc-appliance";
    assert_true(fwd_uuid_v5(fwd_uuid_ns_soc, name, strlen(name), u));
    assert_string_equal(u, "995a70dc-5adc-558a-a8bd-7357fa9df467");
}

static void test_shape(void **state)
{
    (void)state;
    char u[FWD_UUID_STR];
    assert_true(fwd_uuid_v5(fwd_uuid_ns_soc, "", 0, u));
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '5');           /* version */
    assert_non_null(strchr("89ab", u[19])); /* variant 10xx */
    char v[FWD_UUID_STR];
    assert_true(fwd_uuid_v5(fwd_uuid_ns_soc, "a", 1, v));
    assert_string_not_equal(u, v);
}

static void check_time(const char *s, int64_t want)
{
    int64_t got = -1;
    assert_true(fwd_time_parse(s, strlen(s), &got));
    assert_int_equal(got, want);
}

static void test_time_parse(void **state)
{
    (void)state;
    /* 2026-03-01T00:00:00Z = 1772323200 s */
    check_time("2026-03-01T08:30:15.000000+0000", (1772323200LL + 30615) * 1000000);
    check_time("2026-03-01T08:30:15.250000+0000", (1772323200LL + 30615) * 1000000 + 250000);
    check_time("2026-03-01T08:30:15Z", (1772323200LL + 30615) * 1000000);
    check_time("2026-03-01T08:30:15.5Z", (1772323200LL + 30615) * 1000000 + 500000);
    check_time("2026-03-01T08:30:15.123456789Z", (1772323200LL + 30615) * 1000000 + 123456);
    check_time("2026-03-01T15:30:15.000000+0700", (1772323200LL + 30615) * 1000000);
    check_time("2026-03-01T15:30:15+07:00", (1772323200LL + 30615) * 1000000);
    check_time("2026-02-28T23:30:15-09:00", (1772323200LL + 30615) * 1000000);
    check_time("1970-01-01T00:00:00.000000+0000", 0);
    check_time("2024-02-29T00:00:00Z", 1709164800LL * 1000000);
    int64_t t;
    const char *bad[] = {"",
                         "2026-03-01",
                         "2026-03-01T08:30:15",
                         "2026-03-01T08:30:15.+0000",
                         "2026-03-01T08:30:15.0000000000Z",
                         "2026-02-29T00:00:00Z",
                         "2026-13-01T00:00:00Z",
                         "2026-03-01T24:00:00Z",
                         "2026-03-01T08:60:00Z",
                         "2026-03-01T08:30:60Z",
                         "1969-12-31T23:59:59Z",
                         "1970-01-01T00:00:00+0100",
                         "2026-03-01T08:30:15+000",
                         "2026-03-01T08:30:15+00000",
                         "2026-03-01T08:30:15Zjunk",
                         "2026-03-01 08:30:15Z",
                         "yesterday"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(fwd_time_parse(bad[i], strlen(bad[i]), &t));
    /* a length cuts the text: no read past it */
    assert_false(fwd_time_parse("2026-03-01T08:30:15Z", 19, &t));
}

static void test_time_format(void **state)
{
    (void)state;
    char b[40];
    int64_t t = (1772323200LL + 30615) * 1000000 + 123456;
    assert_int_equal(fwd_time_stix(t, b), 24);
    assert_string_equal(b, "2026-03-01T08:30:15.123Z");
    assert_int_equal(fwd_time_rfc3339(t, b), 27);
    assert_string_equal(b, "2026-03-01T08:30:15.123456Z");
    fwd_time_stix(0, b);
    assert_string_equal(b, "1970-01-01T00:00:00.000Z");
    fwd_time_stix(951782400LL * 1000000, b); /* 2000-02-29: a leap day of a 400 year */
    assert_string_equal(b, "2000-02-29T00:00:00.000Z");
    fwd_time_rfc3339(253402300799LL * 1000000 + 999999, b);
    assert_string_equal(b, "9999-12-31T23:59:59.999999Z");
}

static void test_addresses(void **state)
{
    (void)state;
    assert_int_equal(fwd_ip_family("203.0.113.5"), 4);
    assert_int_equal(fwd_ip_family("2001:db8::1"), 6);
    assert_int_equal(fwd_ip_family("300.1.1.1"), 0);
    assert_int_equal(fwd_ip_family("evil.example"), 0);
    const char *internal[] = {"10.1.2.3",    "172.16.0.1",      "172.31.255.255",
                              "192.168.1.1", "127.0.0.1",       "169.254.1.1",
                              "100.64.0.1",  "100.127.255.255", "0.0.0.0",
                              "224.0.0.1",   "255.255.255.255", "::1",
                              "::",          "fd00::1",         "fe80::1",
                              "ff02::1",     "::ffff:10.0.0.1"};
    for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
        assert_true(fwd_ip_internal(internal[i]));
    const char *external[] = {"203.0.113.5",    "8.8.8.8",   "172.32.0.1",  "172.15.255.255",
                              "100.128.0.1",    "192.0.2.1", "2001:db8::1", "2400:cb00::1",
                              "::ffff:8.8.8.8", "not-an-ip"};
    for (size_t i = 0; i < sizeof(external) / sizeof(external[0]); i++)
        assert_false(fwd_ip_internal(external[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_vector),  cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_shape),       cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_format), cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
