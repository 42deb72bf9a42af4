/* Unit tests for correlator/forward/fwd_syslog.c: RFC 5424 messages framed
 * by octet counting (RFC 5425), written out and counted by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_syslog.h"
#include "test_fwd_doc.h"

static int fmt(const char *doc, const fwd_syslog_opts_t *o, char *out, size_t cap, char *err)
{
    return fwd_syslog_format(doc, strlen(doc), o, NULL, out, cap, err, 256);
}

static void test_minimal(void **state)
{
    (void)state;
    /* local0 (16) * 8 + notice (5, no severity) = 133; no time, no host,
     * no SD. Counted: "<133>1 - - soc-forwarder - incident - " is 38
     * bytes, the CEF line 137 (see test_fwd_cef.c), 175 in all. */
    fwd_syslog_opts_t o = {.facility = 16, .sd_id = ""};
    char out[FWD_SYSLOG_FRAME_MAX], err[256];
    assert_int_equal(fmt(FWD_MIN_DOC, &o, out, sizeof(out), err), 4 + 175);
    assert_string_equal(out,
                        "175 <133>1 - - soc-forwarder - incident - "
                        "CEF:0|soc-appliance|correlator|1.0|incident|INC-2026-000001|Unknown|"
                        "externalId=INC-2026-000001 act=created cn1Label=incidentVersion cn1=1");
}

#define FULL_MSG                                                                                   \
    "<107>1 2026-03-01T08:50:30.500000Z sensor-hq.cantho soc-forwarder - incident "                \
    "[incident@32473 id=\"INC-2026-000123\" version=\"3\" reason=\"escalated\"] "                  \
    "CEF:0|soc-appliance|correlator|1.0|city-ssh-bruteforce|SSH brute force \\| success|8|"        \
    "externalId=INC-2026-000123 act=escalated outcome=acknowledged rt=1772355030500 "              \
    "start=1772353815250 end=1772354700999 cnt=42 src=203.0.113.5 dst=10.20.0.10 "                 \
    "c6a3Label=destinationIPv6Address c6a3=2001:db8::10 cn1Label=incidentVersion cn1=3 "           \
    "cn2Label=priority cn2=1 cn3Label=assetLevel cn3=3 cs1Label=asset cs1=portal "                 \
    "cs6Label=groupKey cs6=src_ip\\=203.0.113.5 flexString1Label=assignee flexString1=lan "        \
    "cs2Label=tactics cs2=credential-access,inhibit-response-function cs3Label=techniques "        \
    "cs3=T1110,T1110.001,T0814 cs4Label=sourceAddresses cs4=10.20.0.7,203.0.113.5 "                \
    "cs5Label=destinationAddresses cs5=10.20.0.10,2001:db8::10"

static void test_full(void **state)
{
    (void)state;
    /* log audit (13) * 8 + err (3, our high) = 107; updated_at as the
     * timestamp; the default SD-ID */
    fwd_syslog_opts_t o = {.facility = 13, .hostname = "sensor-hq.cantho"};
    char out[FWD_SYSLOG_FRAME_MAX], want[FWD_SYSLOG_FRAME_MAX], err[256];
    int n = fmt(FWD_FULL_DOC, &o, out, sizeof(out), err);
    snprintf(want, sizeof(want), "%zu %s", strlen(FULL_MSG), FULL_MSG);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(out, want);
    char again[FWD_SYSLOG_FRAME_MAX];
    assert_int_equal(fmt(FWD_FULL_DOC, &o, again, sizeof(again), err), n);
    assert_memory_equal(out, again, (size_t)n);
}

static void test_pri(void **state)
{
    (void)state;
    static const int want[] = {6, 5, 4, 3, 2};
    for (int s = 0; s <= 4; s++)
        assert_int_equal(fwd_syslog_severity(s), want[s]);
    assert_int_equal(fwd_syslog_severity(7), 5);
    const char *crit = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":"
                       "\"INC-2026-000001\",\"severity\":4}}";
    const char *info = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":"
                       "\"INC-2026-000001\",\"severity\":0}}";
    char out[FWD_SYSLOG_FRAME_MAX], err[256];
    fwd_syslog_opts_t o = {.facility = 0};
    assert_true(fmt(crit, &o, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, " <2>1 - - ")); /* kern, crit */
    o.facility = 23;
    assert_true(fmt(info, &o, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, " <190>1 - - ")); /* local7 (23 * 8) + info (6) */
    /* no options: log audit (13 * 8) + crit (2) */
    assert_true(fwd_syslog_format(crit, strlen(crit), NULL, NULL, out, sizeof(out), err, 256) > 0);
    assert_non_null(strstr(out, " <106>1 - - "));
}

static void test_sd_escape(void **state)
{
    (void)state;
    char b[32];
    assert_int_equal(fwd_syslog_sd_escape("a\"b\\c]d", b, sizeof(b)), 10);
    assert_string_equal(b, "a\\\"b\\\\c\\]d");
    assert_int_equal(fwd_syslog_sd_escape("", b, sizeof(b)), 0);
    assert_string_equal(b, "");
    assert_int_equal(fwd_syslog_sd_escape("abc", b, 4), 3);
    assert_int_equal(fwd_syslog_sd_escape("abc", b, 3), -1);
    assert_int_equal(fwd_syslog_sd_escape("ab]", b, 4), -1); /* "ab\]" needs 5 */
}

static void test_options(void **state)
{
    (void)state;
    char err[256];
    fwd_syslog_opts_t o = {.facility = 24};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog facility 24: expected 0..23");
    o = (fwd_syslog_opts_t){.facility = -1};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    o = (fwd_syslog_opts_t){.hostname = "sensor hq"};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog hostname 'sensor hq': expected 1..255 printable ASCII "
                             "characters");
    char host[300];
    memset(host, 'h', 255);
    host[255] = '\0';
    o = (fwd_syslog_opts_t){.hostname = host};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), 0);
    host[255] = 'h';
    host[256] = '\0';
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    o = (fwd_syslog_opts_t){.hostname = "h\xc3\xa9"};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    const char *bad_sd[] = {
        "incident",     "inc ident@1", "incident@",        "@123",
        "incident@12a", "in=cident@1", "incident@32473\"", "abcdefghijklmnopqrstuvwxyz@123456"};
    for (size_t i = 0; i < sizeof(bad_sd) / sizeof(bad_sd[0]); i++) {
        o = (fwd_syslog_opts_t){.sd_id = bad_sd[i]};
        if (fwd_syslog_opts_check(&o, err, sizeof(err)) != -1) fail_msg("accepted '%s'", bad_sd[i]);
    }
    o = (fwd_syslog_opts_t){.sd_id = "abcdefghijklmnopqrstuvwxyz@12345"}; /* 32 */
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), 0);
    o = (fwd_syslog_opts_t){.max_len = 479};
    assert_int_equal(fwd_syslog_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "syslog max length 479: expected 480..1048576");
    char out[FWD_SYSLOG_FRAME_MAX];
    assert_int_equal(fmt(FWD_MIN_DOC, &o, out, sizeof(out), err), -1);
}

static void test_bounded(void **state)
{
    (void)state;
    /* 480 bytes: the CEF line loses fields from its end, whole */
    fwd_syslog_opts_t o = {.facility = 13, .hostname = "sensor-hq.cantho", .max_len = 480};
    char out[FWD_SYSLOG_FRAME_MAX], err[256];
    int n = fmt(FWD_FULL_DOC, &o, out, sizeof(out), err);
    assert_true(n > 0);
    char *sp = strchr(out, ' ');
    size_t len = (size_t)atoi(out);
    assert_int_equal(strlen(sp + 1), len);
    assert_true(len <= 480);
    assert_memory_equal(sp + 1, FULL_MSG, len);
    assert_int_equal(FULL_MSG[len], ' '); /* cut between two fields */
    /* the frame must fit the caller's buffer */
    o.max_len = 0;
    assert_int_equal(fmt(FWD_FULL_DOC, &o, out, 100, err), -1);
    /* the message is strlen(FULL_MSG) = 846 bytes, framed "846 " + 846 */
    assert_int_equal(strlen(FULL_MSG), 846);
    assert_string_equal(err, "syslog: INC-2026-000123: 850 bytes do not fit in 100");
}

static void test_bom(void **state)
{
    (void)state;
    const char *doc = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":"
                      "\"INC-2026-000001\",\"title\":\"Qu\xc3\xa9t\"}}";
    fwd_syslog_opts_t o = {.facility = 13, .sd_id = "", .bom = true};
    char out[FWD_SYSLOG_FRAME_MAX], err[256];
    assert_true(fmt(doc, &o, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, " incident - \xef\xbb\xbf"
                                "CEF:0|"));
    /* plain ASCII needs none (MSG-ANY) */
    assert_true(fmt(FWD_MIN_DOC, &o, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, " incident - CEF:0|"));
    o.bom = false;
    assert_true(fmt(doc, &o, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, " incident - CEF:0|"));
}

static void test_bad_documents(void **state)
{
    (void)state;
    fwd_syslog_opts_t o = {.facility = 13};
    char out[FWD_SYSLOG_FRAME_MAX], err[256];
    assert_int_equal(fmt("null", &o, out, sizeof(out), err), -1);
    assert_string_equal(err, "incident version: expected an object, found null");
    const char *doc = FWD_FULL_DOC;
    size_t len = strlen(doc);
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n ? n : 1);
        memcpy(cut, doc, n);
        assert_int_equal(fwd_syslog_format(cut, n, &o, NULL, out, sizeof(out), err, sizeof(err)),
                         -1);
        free(cut);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal), cmocka_unit_test(test_full),
        cmocka_unit_test(test_pri),     cmocka_unit_test(test_sd_escape),
        cmocka_unit_test(test_options), cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_bom),     cmocka_unit_test(test_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
