/* Unit tests for correlator/forward/fwd_cef.c: whole lines, written out by
 * hand from the documents in test_fwd_doc.h and the CEF specification. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "forward/fwd_cef.h"
#include "test_fwd_doc.h"

/* Header: the title's '|' escaped; severity 3 (high) is CEF 8. src is the
 * public source, dst the first destination; the IPv6 destination goes to
 * c6a3; '=' in the group key escaped. Times: see test_fwd_doc.h. */
#define FULL_HEAD                                                                                  \
    "CEF:0|soc-appliance|correlator|1.0|city-ssh-bruteforce|SSH brute force \\| success|8|"
#define FULL_EXT1                                                                                  \
    "externalId=INC-2026-000123 act=escalated outcome=acknowledged rt=1772355030500 "              \
    "start=1772353815250 end=1772354700999 cnt=42 src=203.0.113.5 dst=10.20.0.10 "                 \
    "c6a3Label=destinationIPv6Address c6a3=2001:db8::10 cn1Label=incidentVersion cn1=3 "           \
    "cn2Label=priority cn2=1 cn3Label=assetLevel cn3=3"
#define FULL_EXT2                                                                                  \
    " cs1Label=asset cs1=portal cs6Label=groupKey cs6=src_ip\\=203.0.113.5 "                       \
    "flexString1Label=assignee flexString1=lan cs2Label=tactics "                                  \
    "cs2=credential-access,inhibit-response-function cs3Label=techniques "                         \
    "cs3=T1110,T1110.001,T0814 cs4Label=sourceAddresses cs4=10.20.0.7,203.0.113.5 "                \
    "cs5Label=destinationAddresses cs5=10.20.0.10,2001:db8::10"
#define FULL_LINE FULL_HEAD FULL_EXT1 FULL_EXT2

static int cef(const char *doc, const fwd_cef_opts_t *o, char *out, size_t cap, char *err)
{
    return fwd_cef_format(doc, strlen(doc), o, out, cap, err, 256);
}

static void test_full(void **state)
{
    (void)state;
    char out[FWD_CEF_MAX], err[256];
    int n = cef(FWD_FULL_DOC, NULL, out, sizeof(out), err);
    assert_int_equal(n, (int)strlen(FULL_LINE));
    assert_string_equal(out, FULL_LINE);
    /* twice: the same bytes */
    char again[FWD_CEF_MAX];
    assert_int_equal(cef(FWD_FULL_DOC, NULL, again, sizeof(again), err), n);
    assert_memory_equal(out, again, (size_t)n);
}

static void test_minimal_and_odd(void **state)
{
    (void)state;
    char out[FWD_CEF_MAX], err[256];
    assert_true(cef(FWD_MIN_DOC, NULL, out, sizeof(out), err) > 0);
    assert_string_equal(out,
                        "CEF:0|soc-appliance|correlator|1.0|incident|INC-2026-000001|Unknown|"
                        "externalId=INC-2026-000001 act=created cn1Label=incidentVersion cn1=1");
    /* wrong types are left out; list elements that are not strings too;
     * a negative count is no count */
    assert_true(cef(FWD_ODD_DOC, NULL, out, sizeof(out), err) > 0);
    assert_string_equal(out, "CEF:0|soc-appliance|correlator|1.0|incident|INC-2026-000002|Unknown|"
                             "externalId=INC-2026-000002 act=closed cn1Label=incidentVersion cn1=2 "
                             "cs2Label=tactics cs2=Bad Tactic cs3Label=techniques cs3=T11,X1110 "
                             "cs4Label=sourceAddresses cs4=not-an-ip,300.1.1.1");
}

static void test_escaping(void **state)
{
    (void)state;
    /* title: | \ and a line break; rule id: a |; vendor option with | and \;
     * extension values: = \ LF CR, and a tab (becomes a space) */
    const char *doc =
        "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000005\","
        "\"title\":\"a|b\\\\c\\nd\",\"rule\":{\"id\":\"r|1\"},\"severity\":0,"
        "\"group_key\":\"k=v\\\\x\\ny\\rz\\tw\",\"assignee\":\"a b=c\"}}";
    fwd_cef_opts_t o = {.vendor = "Ven|dor\\", .product = "P", .version = "2"};
    char out[FWD_CEF_MAX], err[256];
    assert_true(cef(doc, &o, out, sizeof(out), err) > 0);
    assert_string_equal(out,
                        "CEF:0|Ven\\|dor\\\\|P|2|r\\|1|a\\|b\\\\c d|0|"
                        "externalId=INC-2026-000005 act=created cn1Label=incidentVersion cn1=1 "
                        "cs6Label=groupKey cs6=k\\=v\\\\x\\ny\\rz w "
                        "flexString1Label=assignee flexString1=a b\\=c");
    assert_null(strchr(out, '\n'));
}

static void test_severity(void **state)
{
    (void)state;
    static const int want[] = {0, 3, 5, 8, 10};
    for (int s = 0; s <= 4; s++)
        assert_int_equal(fwd_cef_severity(s), want[s]);
    assert_int_equal(fwd_cef_severity(5), -1);
    assert_int_equal(fwd_cef_severity(-1), -1);
    const char *doc =
        "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000006\","
        "\"severity\":4}}";
    char out[FWD_CEF_MAX], err[256];
    assert_true(cef(doc, NULL, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, "|INC-2026-000006|10|externalId="));
    doc = "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000006\","
          "\"severity\":9}}";
    assert_true(cef(doc, NULL, out, sizeof(out), err) > 0);
    assert_non_null(strstr(out, "|INC-2026-000006|Unknown|externalId="));
}

static void test_bounded(void **state)
{
    (void)state;
    char out[FWD_CEF_MAX], err[256];
    /* room for the header and the first part only: the rest is dropped
     * whole, field by field */
    size_t cap = strlen(FULL_HEAD FULL_EXT1) + 1;
    assert_int_equal(cef(FWD_FULL_DOC, NULL, out, cap, err), (int)cap - 1);
    assert_string_equal(out, FULL_HEAD FULL_EXT1);
    /* one byte less: cn3 (with its label) goes */
    assert_true(cef(FWD_FULL_DOC, NULL, out, cap - 1, err) > 0);
    assert_string_equal(out, FULL_HEAD "externalId=INC-2026-000123 act=escalated "
                                       "outcome=acknowledged rt=1772355030500 start=1772353815250 "
                                       "end=1772354700999 cnt=42 src=203.0.113.5 dst=10.20.0.10 "
                                       "c6a3Label=destinationIPv6Address c6a3=2001:db8::10 "
                                       "cn1Label=incidentVersion cn1=3 cn2Label=priority cn2=1");
    assert_int_equal(cef(FWD_FULL_DOC, NULL, out, 20, err), -1);
    assert_string_equal(err, "CEF: INC-2026-000123: the header does not fit in 20 bytes");
    assert_string_equal(out, "");
}

static void test_long_values(void **state)
{
    (void)state;
    /* a title of 200 x U+1EC7 (3 bytes each): cut to 512 bytes would split
     * the 171st, so 170 characters = 510 bytes stay */
    size_t cap = 64 * 1024;
    char *doc = malloc(cap), *out = malloc(cap), err[256];
    size_t k = (size_t)snprintf(doc, cap,
                                "{\"version\":1,\"reason\":\"created\",\"incident\":{"
                                "\"id\":\"INC-2026-000007\",\"title\":\"");
    for (int i = 0; i < 200; i++)
        k += (size_t)snprintf(doc + k, cap - k, "\xe1\xbb\x87");
    k += (size_t)snprintf(doc + k, cap - k, "\",\"attack\":{\"techniques\":[");
    /* 150 x "T1110.001": 9 bytes + a comma each; 102 make 1019 bytes, the
     * 103rd would pass 1023 - 4, so ",..." ends the list at 1023 bytes */
    for (int i = 0; i < 150; i++)
        k += (size_t)snprintf(doc + k, cap - k, "%s\"T1110.001\"", i ? "," : "");
    snprintf(doc + k, cap - k, "]}}}");
    assert_true(fwd_cef_format(doc, strlen(doc), NULL, out, FWD_CEF_MAX, err, sizeof(err)) > 0);
    const char *name = strstr(out, "|incident|") + 10;
    const char *bar = strchr(name, '|');
    assert_int_equal(bar - name, 510);
    const char *cs3 = strstr(out, " cs3=") + 5;
    assert_int_equal(strlen(cs3), 1023);
    assert_string_equal(cs3 + 1019, ",...");
    assert_memory_equal(cs3, "T1110.001,T1110.001,", 20);
    free(doc);
    free(out);
}

static void test_options(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(fwd_cef_opts_check(NULL, err, sizeof(err)), 0);
    fwd_cef_opts_t o = {.vendor = ""};
    assert_int_equal(fwd_cef_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "CEF vendor: must be 1..63 bytes");
    o = (fwd_cef_opts_t){.product = "a\tb"};
    assert_int_equal(fwd_cef_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "CEF product: control character at byte 1");
    o = (fwd_cef_opts_t){.version = "0123456789012345678901234567890123"};
    assert_int_equal(fwd_cef_opts_check(&o, err, sizeof(err)), -1);
    assert_string_equal(err, "CEF version: must be 1..31 bytes");
    char out[FWD_CEF_MAX];
    assert_int_equal(cef(FWD_MIN_DOC, &o, out, sizeof(out), err), -1);
}

static void test_bad_documents(void **state)
{
    (void)state;
    char out[FWD_CEF_MAX], err[256];
    assert_int_equal(cef("{}", NULL, out, sizeof(out), err), -1);
    assert_string_equal(err, "incident version: \"version\" must be an integer >= 1");
    const char *doc = FWD_FULL_DOC;
    size_t len = strlen(doc);
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n ? n : 1);
        memcpy(cut, doc, n);
        assert_int_equal(fwd_cef_format(cut, n, NULL, out, sizeof(out), err, sizeof(err)), -1);
        free(cut);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),     cmocka_unit_test(test_minimal_and_odd),
        cmocka_unit_test(test_escaping), cmocka_unit_test(test_severity),
        cmocka_unit_test(test_bounded),  cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_options),  cmocka_unit_test(test_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
