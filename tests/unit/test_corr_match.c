/* test_corr_match.c -- detection values and modifiers of correlation rules
 * over single events: equality and case, numbers against strings,
 * wildcards, contains/startswith/endswith, re (and i, m, s), cidr (IPv4,
 * IPv6, prefix boundaries, mapped addresses), gt/gte/lt/lte, all, exists,
 * null and missing fields, lists in events, enrichment lookups, built-in
 * aliases, escaped JSON strings; and every modifier error with its exact
 * line. Expected results follow the Sigma specification, worked out by
 * hand from the event text. */
#include <stdlib.h>

#include "test_corr_util.h"

/* The rule the helpers build: the entry under test is on line 8. */
#define RULE_HEAD                                                                                  \
    "title: t\n"                                                                                   \
    "id: t1\n"                                                                                     \
    "level: low\n"                                                                                 \
    "logsource:\n"                                                                                 \
    "  category: http\n"                                                                           \
    "detection:\n"

static const char HTTP[] =
    "{\"timestamp\":\"2024-03-01T10:40:00.384000+0000\",\"flow_id\":6162255867543565,"
    "\"event_type\":\"http\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,"
    "\"dest_ip\":\"10.20.0.10\",\"dest_port\":80,\"proto\":\"TCP\",\"app_proto\":\"http\","
    "\"http\":{\"hostname\":\"DichVuCong.CanTho.gov.vn\","
    "\"url\":\"/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-\","
    "\"http_user_agent\":\"sqlmap/1.7.2#stable (https://sqlmap.org)\",\"http_method\":\"GET\","
    "\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":0},"
    "\"sensor\":{\"name\":\"vm\",\"boot_id\":\"d501\",\"seq\":10}}";

static const char DNS[] =
    "{\"event_type\":\"dns\",\"src_ip\":\"10.20.0.2\",\"src_port\":53,\"dest_ip\":\"10.10.1.25\","
    "\"dest_port\":52000,\"proto\":\"UDP\",\"dns\":{\"type\":\"answer\",\"rrname\":\"lgsp.cantho."
    "gov.vn\","
    "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"lgsp.cantho.gov.vn\","
    "\"rrtype\":\"CNAME\",\"rdata\":\"lb.cantho.gov.vn\"},{\"rrname\":\"lb.cantho.gov.vn\","
    "\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"10.20.0.40\"}]}}";

static const char TLS[] =
    "{\"event_type\":\"tls\",\"src_ip\":\"2001:db8:0:1::25\",\"src_port\":51000,"
    "\"dest_ip\":\"::ffff:10.20.0.10\",\"dest_port\":443,\"proto\":\"TCP\","
    "\"tls\":{\"sni\":\"dichvucong.cantho.gov.vn\",\"version\":\"TLS 1.3\","
    "\"ja3\":{\"hash\":\"e5a177480afbfff910a9b41d878c988a\"},\"client_alpns\":[\"h2\",\"http/"
    "1.1\"]}}";

static const char ALERT[] =
    "{\"event_type\":\"alert\",\"src_ip\":\"89.160.20.128\",\"dest_ip\":\"10.20.0.10\","
    "\"alert\":{\"signature_id\":9100001,\"signature\":\"CANTHO SQL injection\","
    "\"category\":\"Web Application Attack\",\"severity\":1}}";

/* Odd values: escapes, a null, booleans, big integers, numbers as strings. */
static const char ODD[] =
    "{\"event_type\":\"http\",\"src_ip\":\"10.0.0.3\",\"flow_id\":9007199254740992,"
    "\"neg\":-5,\"ratio\":0.25,\"code\":\"200\",\"none\":null,\"yes\":true,\"no\":false,"
    "\"quote\":\"say \\\"hi\\\" C:\\\\temp\",\"cafe\":\"caf\\u00e9\",\"plain\":\"caf\xc3\xa9\","
    "\"lines\":\"first\\nsecond\",\"empty\":\"\",\"emptylist\":[],\"nums\":[1,22,333],"
    "\"obj\":{\"a\":1},\"nulip\":\"10.0.0.1\\u0000x\"}";

static tevent_t tev;

static bool match_det(const char *det, const char *eve, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof(text), RULE_HEAD "%s", det);
    corr_ruleset_t *rs = load_text("t.yml", text);
    if (corr_ruleset_loaded(rs) != 1) {
        corr_ruleset_free(rs);
        fail_msg("rule did not load: %s", n_diag ? diag_line[0] : "?");
    }
    bool r = corr_rule_match(corr_ruleset_rule(rs, 0), make_event(&tev, eve, extra));
    corr_ruleset_free(rs);
    return r;
}

/* One entry of selection s (YAML text after its indentation). */
static bool m(const char *entry, const char *eve)
{
    char det[2048];
    snprintf(det, sizeof(det), "  s:\n    %s\n  condition: s\n", entry);
    return match_det(det, eve, NULL);
}

static bool mx(const char *entry, const char *eve, const char *extra)
{
    char det[2048];
    snprintf(det, sizeof(det), "  s:\n    %s\n  condition: s\n", entry);
    return match_det(det, eve, extra);
}

/* The one error line of an entry that must not compile. */
static const char *entry_error(const char *entry)
{
    char text[4096];
    snprintf(text, sizeof(text), RULE_HEAD "  s:\n    %s\n  condition: s\n", entry);
    corr_ruleset_t *rs = load_text("t.yml", text);
    size_t loaded = corr_ruleset_loaded(rs), skipped = corr_ruleset_skipped(rs);
    corr_ruleset_free(rs);
    if (loaded != 0 || skipped != 1 || n_diag != 1)
        fail_msg("entry '%s': loaded %zu, skipped %zu, %d lines", entry, loaded, skipped, n_diag);
    return diag_line[0];
}

/* ---- equality ----------------------------------------------------------------- */

static void test_equal_case(void **state)
{
    (void)state;
    assert_true(m("http.http_method: GET", HTTP));
    assert_true(m("http.http_method: get", HTTP)); /* Sigma: no case by default */
    assert_false(m("http.http_method: GE", HTTP));
    assert_false(m("http.http_method: GETS", HTTP));
    assert_true(m("http.http_method|cased: GET", HTTP));
    assert_false(m("http.http_method|cased: get", HTTP));
    assert_true(m("http.hostname: dichvucong.cantho.gov.vn", HTTP));
    assert_true(m("proto: tcp", HTTP));
    assert_true(m("http.http_method: [POST, PUT, GET]", HTTP)); /* a list is an OR */
    assert_false(m("http.http_method: [POST, PUT]", HTTP));
    assert_true(m("empty: ''", ODD));
    assert_false(m("code: ''", ODD));
}

static void test_numbers(void **state)
{
    (void)state;
    assert_true(m("dest_port: 80", HTTP));
    assert_true(m("dest_port: '80'", HTTP)); /* quoted, still a number */
    assert_true(m("dest_port: 80.0", HTTP));
    assert_true(m("dest_port: 8e1", HTTP));
    assert_false(m("dest_port: 8", HTTP));
    assert_false(m("dest_port: 800", HTTP));
    assert_true(m("dest_port: 8*", HTTP)); /* wildcards read the number as written */
    assert_true(m("neg: -5", ODD));
    assert_true(m("ratio: 0.25", ODD));
    assert_true(m("ratio: .25", ODD));
    /* A string that holds a number compares as text. */
    assert_true(m("code: 200", ODD));
    assert_false(m("code: 200.0", ODD));
    /* 2^53 and 2^53 + 1 are one double; integers compare exactly. */
    assert_true(m("flow_id: 9007199254740992", ODD));
    assert_false(m("flow_id: 9007199254740993", ODD));
    /* Booleans are the words true and false. */
    assert_true(m("yes: true", ODD));
    assert_true(m("no: 'FALSE'", ODD));
    assert_false(m("no: true", ODD));
}

static void test_compare(void **state)
{
    (void)state;
    assert_true(m("http.status|gt: 199", HTTP));
    assert_false(m("http.status|gt: 200", HTTP));
    assert_true(m("http.status|gte: 200", HTTP));
    assert_false(m("http.status|gte: 201", HTTP));
    assert_true(m("http.status|lt: 201", HTTP));
    assert_false(m("http.status|lt: 200", HTTP));
    assert_true(m("http.status|lte: 200", HTTP));
    assert_false(m("http.status|lte: 199", HTTP));
    assert_true(m("http.status|gt: 199.5", HTTP));
    assert_true(m("http.status|lt: 200.5", HTTP));
    assert_true(m("neg|lt: -4", ODD));
    assert_false(m("neg|lt: -5", ODD));
    assert_true(m("ratio|gt: 0.2", ODD));
    assert_true(m("flow_id|gt: 9007199254740991", ODD));
    assert_false(m("flow_id|gt: 9007199254740992", ODD));
    /* Only numbers compare: the string "200" does not. */
    assert_false(m("code|gte: 0", ODD));
    assert_false(m("http.hostname|gt: 0", HTTP));
    /* A list: any element. */
    assert_true(m("nums|gt: 300", ODD));
    assert_false(m("nums|gt: 333", ODD));
    assert_true(m("http.status|gt: [500, 100]", HTTP));
}

/* ---- strings -------------------------------------------------------------------- */

static void test_contains_starts_ends(void **state)
{
    (void)state;
    assert_true(m("http.http_user_agent|contains: SQLMAP", HTTP));
    assert_false(m("http.http_user_agent|contains|cased: SQLMAP", HTTP));
    assert_true(m("http.http_user_agent|contains|cased: sqlmap", HTTP));
    assert_true(m("http.http_user_agent|contains: 'sqlmap.org)'", HTTP));
    assert_false(m("http.http_user_agent|contains: 'sqlmap.org))'", HTTP));
    assert_true(m("http.http_user_agent|contains: ''", HTTP));
    assert_true(m("http.url|startswith: /TRACUU", HTTP));
    assert_false(m("http.url|startswith: tracuu", HTTP));
    assert_true(m("http.url|endswith: '--%20-'", HTTP));
    assert_false(m("http.url|endswith: '--%20'", HTTP));
    assert_true(m("http.url|startswith: '/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-'", HTTP));
    assert_false(m("http.url|startswith: '/tracuu?maHoSo=1%27%20AND%201234%3D1234--%20-x'", HTTP));
    assert_true(m("http.url|contains|all: [tracuu, 'AND%20', '%3d']", HTTP));
    assert_false(m("http.url|contains|all: [tracuu, 'OR%20']", HTTP));
    assert_true(m("http.url|contains: [nothing, 'and%20']", HTTP));
}

static void test_wildcards(void **state)
{
    (void)state;
    assert_true(m("http.url: '/tracuu*'", HTTP));
    assert_true(m("http.url: '*1234*'", HTTP));
    assert_true(m("http.url: '/tracuu?mahoso=1*'", HTTP)); /* '?' is one character */
    assert_false(m("http.url: '/tracuu??mahoso*'", HTTP));
    assert_true(m("http.hostname: '*.gov.vn'", HTTP));
    assert_false(m("http.hostname: '*.gov'", HTTP));
    assert_true(m("http.hostname: '*cantho*vn'", HTTP));
    assert_true(m("http.url|contains: 'AND*1234'", HTTP));
    assert_true(m("http.url|startswith: '/tra?uu'", HTTP));
    assert_true(m("http.url|endswith: '1234--*-'", HTTP));
    assert_true(m("plain: 'caf?'", ODD)); /* one UTF-8 character, two bytes */
    assert_false(m("plain: 'caf?\?'", ODD));
    assert_true(m("cafe: 'caf?'", ODD)); /* the same after \u00e9 is decoded */
    /* Escaped: the literal characters. */
    assert_true(m("http.url: '/tracu?*'", HTTP));
    assert_false(m("http.url: '/tracu\\?*'", HTTP)); /* a literal '?' where 'u' is */
    assert_true(m("quote: 'say \"hi\" C:\\temp'", ODD));
    assert_true(m("quote: 'say \"hi\" C:\\\\temp'", ODD)); /* \\ is one backslash */
    assert_true(m("quote|endswith: '\\temp'", ODD));
    assert_true(m("quote: '*\"hi\"*'", ODD));
    assert_false(m("quote: '\\*hi*'", ODD));
}

static void test_regex(void **state)
{
    (void)state;
    assert_true(m("http.url|re: '^/tracuu\\?maHoSo=\\d+%27'", HTTP));
    assert_false(m("http.http_user_agent|re: '^SQLMAP'", HTTP)); /* re keeps case */
    assert_true(m("http.http_user_agent|re|i: '^SQLMAP'", HTTP));
    assert_false(m("lines|re: 'first.second'", ODD));
    assert_true(m("lines|re|s: 'first.second'", ODD));
    assert_false(m("lines|re: '^second'", ODD));
    assert_true(m("lines|re|m: '^second'", ODD));
    assert_true(m("dest_port|re: '^8\\d$'", HTTP)); /* numbers as written */
    assert_true(m("plain|re: '^caf.$'", ODD));      /* UTF-8 aware */
    assert_true(m("http.url|re: ['^x', 'AND']", HTTP));
    assert_false(m("none|re: '.*'", ODD));
}

/* ---- cidr ----------------------------------------------------------------------- */

static void test_cidr(void **state)
{
    (void)state;
    assert_true(m("dest_ip|cidr: 10.20.0.0/24", HTTP));
    assert_true(m("dest_ip|cidr: 10.20.0.10/32", HTTP));
    assert_true(m("dest_ip|cidr: 10.20.0.10", HTTP)); /* a host */
    assert_false(m("dest_ip|cidr: 10.20.0.11/32", HTTP));
    assert_false(m("dest_ip|cidr: 10.20.1.0/24", HTTP));
    assert_true(m("dest_ip|cidr: 0.0.0.0/0", HTTP));
    assert_true(m("dest_ip|cidr: 10.20.0.8/29", HTTP));  /* .8 .. .15 */
    assert_false(m("dest_ip|cidr: 10.20.0.0/29", HTTP)); /* .0 .. .7 */
    assert_true(m("dest_ip|cidr: 10.16.0.0/12", HTTP));  /* 10.16 .. 10.31 */
    assert_false(m("dest_ip|cidr: 10.32.0.0/12", HTTP));
    assert_true(m("src_ip|cidr: 10.0.0.2/31", ODD)); /* .2 and .3 */
    assert_false(m("src_ip|cidr: 10.0.0.4/31", ODD));
    assert_true(m("src_ip|cidr: [192.168.0.0/16, 89.160.0.0/16]", HTTP));
    assert_false(m("src_ip|cidr: [192.168.0.0/16, 172.16.0.0/12]", HTTP));
    /* IPv6, and IPv4-mapped IPv6 read as IPv4. */
    assert_true(m("src_ip|cidr: '2001:db8::/32'", TLS));
    assert_true(m("src_ip|cidr: '2001:db8:0:1::/64'", TLS));
    assert_false(m("src_ip|cidr: '2001:db8:0:2::/64'", TLS));
    assert_true(m("src_ip|cidr: '2001:db8:0:1::25/128'", TLS));
    assert_true(m("src_ip|cidr: '::/0'", TLS));
    assert_false(m("src_ip|cidr: 0.0.0.0/0", TLS));
    assert_true(m("dest_ip|cidr: 10.20.0.0/16", TLS));
    assert_false(m("dest_ip|cidr: '::/0'", TLS));
    /* Values that are not addresses never match. */
    assert_false(m("http.hostname|cidr: 0.0.0.0/0", HTTP));
    assert_false(m("dest_port|cidr: 0.0.0.0/0", HTTP));
    assert_true(m("answer|cidr: 10.20.0.0/24", DNS)); /* the second answer */
    assert_false(m("nulip|cidr: 10.0.0.0/8", ODD));   /* "10.0.0.1\0x" is no address */
}

/* ---- presence --------------------------------------------------------------------- */

static void test_missing_null_exists(void **state)
{
    (void)state;
    assert_false(m("http.nothere: x", HTTP));
    assert_false(m("http.nothere|contains: ''", HTTP));
    assert_true(m("http.nothere: null", HTTP));
    assert_true(m("http.nothere: ~", HTTP));
    assert_true(m("http.nothere:", HTTP));
    assert_false(m("http.url: null", HTTP));
    assert_true(m("none: null", ODD));
    assert_false(m("none: ''", ODD));
    assert_true(m("http.nothere: [x, null]", HTTP));
    assert_true(m("emptylist: null", ODD)); /* no value at all */
    assert_true(m("http.url|exists: true", HTTP));
    assert_false(m("http.url|exists: false", HTTP));
    assert_true(m("http.nothere|exists: false", HTTP));
    assert_false(m("none|exists: true", ODD)); /* null is not a value */
    assert_false(m("emptylist|exists: true", ODD));
    assert_true(m("obj|exists: true", ODD));
    assert_false(m("obj: 1", ODD)); /* an object is no value */
    assert_true(m("obj.a: 1", ODD));
    assert_false(m("http.url.deeper: x", HTTP)); /* path through a string */
    /* Negation of a missing field matches. */
    assert_true(match_det("  s:\n    http.nothere: x\n  condition: not s\n", HTTP, NULL));
}

static void test_lists_in_events(void **state)
{
    (void)state;
    assert_true(m("dns.answers.rdata: 10.20.0.40", DNS));
    assert_true(m("dns.answers.rdata: lb.cantho.gov.vn", DNS));
    assert_false(m("dns.answers.rdata: 10.20.0.41", DNS));
    assert_true(m("dns.answers.ttl|gte: 300", DNS));
    assert_true(m("dns.answers.rrtype|all: [a, cname]", DNS)); /* each by some element */
    assert_false(m("dns.answers.rrtype|all: [a, aaaa]", DNS));
    assert_true(m("tls.client_alpns: h2", TLS));
    assert_true(m("tls.client_alpns|all: [h2, http/1.1]", TLS));
    assert_false(m("tls.client_alpns: h3", TLS));
    assert_true(m("nums: 22", ODD));
    /* AND across keys of one selection: each may be met by another element. */
    assert_true(m("dns.answers.rrtype: CNAME\n    dns.answers.rdata: 10.20.0.40", DNS));
}

static void test_selection_forms(void **state)
{
    (void)state;
    /* A mapping is an AND. */
    assert_true(m("http.http_method: GET\n    dest_port: 80", HTTP));
    assert_false(m("http.http_method: GET\n    dest_port: 443", HTTP));
    /* A list of mappings is an OR of ANDs. */
    const char *or_of_ands = "  s:\n"
                             "    - http.http_method: POST\n"
                             "      dest_port: 80\n"
                             "    - http.http_method: GET\n"
                             "      dest_port: 80\n"
                             "  condition: s\n";
    assert_true(match_det(or_of_ands, HTTP, NULL));
    const char *none = "  s:\n"
                       "    - http.http_method: POST\n"
                       "    - dest_port: 443\n"
                       "  condition: s\n";
    assert_false(match_det(none, HTTP, NULL));
    /* Block list of values. */
    assert_true(match_det("  s:\n    http.http_method:\n      - PUT\n      - get\n  condition: s\n",
                          HTTP, NULL));
}

/* ---- where values come from ---------------------------------------------------------- */

static void test_enrichment_and_aliases(void **state)
{
    (void)state;
    const char *extra = "{\"dest_asset\":{\"name\":\"dichvucong\",\"level\":4,\"tags\":[\"public\","
                        "\"egov\"]},\"intel\":[{\"type\":\"ip\",\"source\":\"feed-a\"}],"
                        "\"src_ip\":\"1.1.1.1\"}";
    assert_true(mx("dest_asset.level|gte: 3", HTTP, extra));
    assert_false(mx("dest_asset.level|gte: 5", HTTP, extra));
    assert_true(mx("dest_asset.tags: egov", HTTP, extra));
    assert_true(mx("intel.type: ip", HTTP, extra));
    assert_true(mx("intel|exists: true", HTTP, extra));
    assert_false(mx("intel|exists: true", HTTP, NULL));
    /* eve first: its src_ip hides the enrichment's. */
    assert_true(mx("src_ip: 89.160.20.128", HTTP, extra));
    assert_false(mx("src_ip: 1.1.1.1", HTTP, extra));
    /* Built-in aliases, one name over event types. */
    assert_true(m("hostname: dichvucong.cantho.gov.vn", HTTP));
    assert_true(m("hostname: dichvucong.cantho.gov.vn", TLS));
    assert_true(m("hostname: lgsp.cantho.gov.vn", DNS));
    assert_true(m("query: lgsp.cantho.gov.vn", DNS));
    assert_true(m("answer: 10.20.0.40", DNS));
    assert_true(m("url|startswith: /tracuu", HTTP));
    assert_true(m("user_agent|contains: sqlmap", HTTP));
    assert_true(m("http_method: get", HTTP));
    assert_true(m("http_status: 200", HTTP));
    assert_true(m("sid: 9100001", ALERT));
    assert_true(m("signature|contains: sql injection", ALERT));
    assert_true(m("classtype: web application attack", ALERT));
    assert_true(m("ja3: e5a177480afbfff910a9b41d878c988a", TLS));
    assert_false(m("hostname|exists: true", ALERT));
}

static void test_escaped_strings(void **state)
{
    (void)state;
    assert_true(m("quote|contains: '\"hi\"'", ODD));
    assert_true(m("quote|endswith: 'c:\\temp'", ODD));
    assert_true(m("cafe: café", ODD));
    assert_true(m("cafe|re: '^caf\\x{e9}$'", ODD));
    assert_true(m("lines|contains: \"t\\ns\"", ODD)); /* YAML "\n" is a newline */
}

/* ---- errors ----------------------------------------------------------------------- */

static void test_modifier_errors(void **state)
{
    (void)state;
    assert_string_equal(entry_error("http.url|foo: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|foo: unknown modifier 'foo'");
    assert_string_equal(entry_error("http.url|base64: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|base64: modifier 'base64' is "
                        "not supported");
    assert_string_equal(entry_error("http.url|: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|: empty modifier");
    assert_string_equal(entry_error("http.url|contains|: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|contains|: empty modifier");
    assert_string_equal(entry_error("http.url|contains|contains: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|contains|contains: modifier "
                        "'contains' given twice");
    assert_string_equal(entry_error("http.url|contains|re: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|contains|re: modifiers "
                        "'contains' and 're' cannot be combined");
    assert_string_equal(entry_error("dest_port|gt|lt: 1"),
                        "t.yml:8:5: rule t1: detection.s.dest_port|gt|lt: modifiers 'gt' and 'lt' "
                        "cannot be combined");
    assert_string_equal(entry_error("http.url|i: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|i: modifier 'i' needs 're'");
    assert_string_equal(entry_error("http.url|re|cased: x"),
                        "t.yml:8:5: rule t1: detection.s.http.url|re|cased: modifier 'cased' does "
                        "not apply to 're'");
    assert_string_equal(entry_error("http.url|exists|all: true"),
                        "t.yml:8:5: rule t1: detection.s.http.url|exists|all: modifier 'all' does "
                        "not apply to 'exists'");
    assert_string_equal(entry_error("http.url|exists: maybe"),
                        "t.yml:8:22: rule t1: detection.s.http.url|exists: 'exists' takes true or "
                        "false");
    assert_string_equal(entry_error("http.url|exists: [true]"),
                        "t.yml:8:22: rule t1: detection.s.http.url|exists: 'exists' takes true or "
                        "false");
    assert_string_equal(entry_error("dest_port|gt: eighty"),
                        "t.yml:8:19: rule t1: detection.s.dest_port|gt: expected a number, got "
                        "'eighty'");
    assert_string_equal(entry_error("dest_port|gte: [1, 0x10]"),
                        "t.yml:8:24: rule t1: detection.s.dest_port|gte[1]: expected a number, got "
                        "'0x10'");
    assert_string_equal(entry_error("http.url|contains: null"),
                        "t.yml:8:24: rule t1: detection.s.http.url|contains: null cannot be used "
                        "with modifier 'contains'");
    assert_string_equal(entry_error("http.url: []"),
                        "t.yml:8:15: rule t1: detection.s.http.url: empty list of values");
    assert_string_equal(entry_error("http.url: {a: b}"),
                        "t.yml:8:15: rule t1: detection.s.http.url: expected a value or a list of "
                        "values, got a mapping");
    assert_string_equal(entry_error("http.url: [a, [b]]"),
                        "t.yml:8:19: rule t1: detection.s.http.url[1]: expected a value, got a "
                        "sequence");
    assert_string_equal(entry_error("http..url: x"),
                        "t.yml:8:5: rule t1: detection.s.http..url: empty segment in field name");
    assert_string_equal(
        entry_error("'http url': x"),
        "t.yml:8:5: rule t1: detection.s.http url: field name may not contain 0x20");
    assert_string_equal(entry_error("a.b.c.d.e.f.g.h.i: x"),
                        "t.yml:8:5: rule t1: detection.s.a.b.c.d.e.f.g.h.i: field name has more "
                        "than 8 segments");
}

static void test_value_errors(void **state)
{
    (void)state;
    assert_string_equal(entry_error("src_ip|cidr: 10.0.0.1/8"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: '10.0.0.1/8' has host bits "
                        "set");
    assert_string_equal(entry_error("src_ip|cidr: 10.0.0.0/33"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: bad prefix length in "
                        "'10.0.0.0/33' (0..32)");
    assert_string_equal(entry_error("src_ip|cidr: 10.0.0.0/08"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: bad prefix length in "
                        "'10.0.0.0/08' (0..32)");
    assert_string_equal(entry_error("src_ip|cidr: 10.0.0.0/"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: bad prefix length in "
                        "'10.0.0.0/' (0..32)");
    assert_string_equal(entry_error("src_ip|cidr: '2001:db8::/129'"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: bad prefix length in "
                        "'2001:db8::/129' (0..128)");
    assert_string_equal(entry_error("src_ip|cidr: [10.0.0.0/8, 300.1.1.1]"),
                        "t.yml:8:31: rule t1: detection.s.src_ip|cidr[1]: expected an IPv4 or IPv6 "
                        "network like 10.0.0.0/8, got '300.1.1.1'");
    assert_string_equal(entry_error("src_ip|cidr: 'fe80::1%eth0/64'"),
                        "t.yml:8:18: rule t1: detection.s.src_ip|cidr: expected an IPv4 or IPv6 "
                        "network like 10.0.0.0/8, got 'fe80::1%eth0/64'");
    assert_string_equal(entry_error("http.url|re: 'a(b'"),
                        "t.yml:8:18: rule t1: detection.s.http.url|re: bad regular expression at "
                        "offset 3: missing closing parenthesis");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_case),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_contains_starts_ends),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_missing_null_exists),
        cmocka_unit_test(test_lists_in_events),
        cmocka_unit_test(test_selection_forms),
        cmocka_unit_test(test_enrichment_and_aliases),
        cmocka_unit_test(test_escaped_strings),
        cmocka_unit_test(test_modifier_errors),
        cmocka_unit_test(test_value_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
