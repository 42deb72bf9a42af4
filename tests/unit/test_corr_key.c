/* test_corr_key.c -- group keys and value_count values: rendering (names
 * as written, escapes, numbers, long values cut with a hash, UTF-8 kept
 * whole), missing fields, buffer sizes, Sigma aliases per matched rule,
 * built-in aliases, detection rules' suppress key; event categories,
 * condition operators and the names of the enums. The hashes were worked
 * out separately (FNV-1a 64 in Python) from the values. */
#include <stdlib.h>

#include "test_corr_util.h"

static const char RULES[] =
    "title: a\nid: a\nlevel: low\nlogsource: {category: http}\n"
    "detection: {s: {dest_port: 80}, condition: s}\n"
    "---\n"
    "title: f\nid: f\nlevel: low\nlogsource: {category: flow}\n"
    "detection: {s: {proto: TCP}, condition: s}\n"
    "---\n"
    "title: k1\nid: k1\nlevel: low\n"
    "correlation: {type: event_count, rules: [a], group-by: [src_ip, dest_ip], timespan: 1m,\n"
    "              condition: {gt: 1}}\n"
    "---\n"
    "title: k2\nid: k2\nlevel: low\n"
    "correlation: {type: event_count, rules: [a], group-by: [http.url, hostname], timespan: 1m,\n"
    "              condition: {gt: 1}}\n"
    "---\n"
    "title: k3\nid: k3\nlevel: low\n"
    "correlation: {type: event_count, rules: [a, f], timespan: 1m, condition: {gt: 1}}\n"
    "---\n"
    "title: k4\nid: k4\nlevel: low\n"
    "correlation: {type: value_count, rules: [a, f], group-by: [src_ip], timespan: 1m,\n"
    "              condition: {gte: 5, field: dest_port}}\n"
    "---\n"
    "title: k5\nid: k5\nlevel: low\n"
    "correlation:\n"
    "  type: temporal\n"
    "  rules: [a, f]\n"
    "  aliases:\n"
    "    host: {a: dest_ip, f: src_ip}\n"
    "    port: {a: dest_port, f: flow.dest_port}\n"
    "  group-by: [host, proto]\n"
    "  timespan: 1m\n"
    "---\n"
    "title: k6\nid: k6\nlevel: low\n"
    "correlation: {type: value_count, rules: [a, f], group-by: [hostname, flow.alerted, nums,\n"
    "              none], timespan: 1m, condition: {gte: 5, field: port}, aliases: {port: {a: "
    "dest_port, f: flow.dest_port}}}\n";

static const char HTTP[] =
    "{\"event_type\":\"http\",\"src_ip\":\"89.160.20.128\",\"src_port\":39001,"
    "\"dest_ip\":\"10.20.0.10\",\"dest_port\":80,\"proto\":\"TCP\","
    "\"http\":{\"hostname\":\"dichvucong.cantho.gov.vn\",\"url\":\"/a\"}}";
static const char FLOW[] = "{\"event_type\":\"flow\",\"src_ip\":\"10.20.0.10\",\"src_port\":40000,"
                           "\"dest_ip\":\"203.0.113.9\",\"dest_port\":443,\"proto\":\"TCP\","
                           "\"flow\":{\"dest_port\":8443,\"alerted\":false}}";
static const char STATS[] = "{\"event_type\":\"stats\",\"stats\":{\"uptime\":1}}";

static corr_ruleset_t *rs;
static tevent_t tev;

static int setup(void **state)
{
    (void)state;
    rs = load_text("k.yml", RULES);
    for (int i = 0; i < n_diag; i++)
        print_message("%s\n", diag_line[i]);
    return corr_ruleset_loaded(rs) == 8 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    corr_ruleset_free(rs);
    return 0;
}

static const corr_rule_t *R(const char *id)
{
    return corr_ruleset_find(rs, id);
}

/* Group key of rule id for the event with matched rule m (NULL allowed). */
static const char *key(const char *id, const char *m, const char *eve)
{
    static char out[CORR_KEY_MAX];
    memset(out, 'X', sizeof(out));
    size_t n =
        corr_group_key_for(R(id), m ? R(m) : NULL, make_event(&tev, eve, NULL), out, sizeof(out));
    assert_int_equal(n, strlen(out));
    return out;
}

static void test_plain_keys(void **state)
{
    (void)state;
    assert_string_equal(key("k1", "a", HTTP), "src_ip=89.160.20.128|dest_ip=10.20.0.10");
    assert_string_equal(key("k1", NULL, HTTP), "src_ip=89.160.20.128|dest_ip=10.20.0.10");
    assert_string_equal(key("k1", NULL, STATS), ""); /* no src_ip: the rule does not apply */
    assert_string_equal(key("k2", "a", HTTP), "http.url=/a|hostname=dichvucong.cantho.gov.vn");
    assert_string_equal(key("k3", "a", HTTP), "*");
    assert_string_equal(key("k3", NULL, STATS), "*");
    /* Detection rules: their suppress key. */
    assert_string_equal(key("a", NULL, HTTP), "src_ip=89.160.20.128|dest_ip=10.20.0.10");
    assert_string_equal(key("a", NULL, STATS), "*");
    assert_string_equal(key("a", NULL, "{\"dest_ip\":\"10.0.0.1\"}"), "dest_ip=10.0.0.1");
    /* The inline form is corr_group_key_for with no matched rule. */
    char out[64];
    assert_int_equal(corr_group_key(R("k3"), make_event(&tev, HTTP, NULL), out, sizeof(out)), 1);
    assert_string_equal(out, "*");
}

static void test_value_kinds(void **state)
{
    (void)state;
    /* hostname (built-in alias), a boolean, the first of a list; null is missing. */
    const char *eve = "{\"tls\":{\"sni\":\"portal.cantho.gov.vn\"},\"flow\":{\"alerted\":false},"
                      "\"nums\":[null,22,333],\"none\":\"x\"}";
    assert_string_equal(key("k6", NULL, eve),
                        "hostname=portal.cantho.gov.vn|flow.alerted=false|nums=22|none=x");
    const char *nulls = "{\"tls\":{\"sni\":\"p\"},\"flow\":{\"alerted\":true},\"nums\":[1],"
                        "\"none\":null}";
    assert_string_equal(key("k6", NULL, nulls), "");
    const char *dns = "{\"dns\":{\"rrname\":\"q.example\"},\"flow\":{\"alerted\":1.5e3},\"nums\":"
                      "-7,\"none\":\"\"}";
    assert_string_equal(key("k6", NULL, dns),
                        "hostname=q.example|flow.alerted=1.5e3|nums=-7|none=");
    const char *obj =
        "{\"dns\":{\"rrname\":\"q\"},\"flow\":{\"alerted\":{}},\"nums\":1,\"none\":1}";
    assert_string_equal(key("k6", NULL, obj), ""); /* an object is no value */
}

static void test_escapes_and_length(void **state)
{
    (void)state;
    const char *esc = "{\"src_ip\":\"a|b\\\\c\\u0001d=e\",\"dest_ip\":\"\\u00e9\"}";
    assert_string_equal(key("k1", NULL, esc), "src_ip=a\\|b\\\\c\\x01d=e|dest_ip=\xc3\xa9");

    /* 300 x 'A': 239 of them, '#' and the hash of all 300. */
    static char eve[1024], want[1024];
    char *p = eve + sprintf(eve, "{\"src_ip\":\"");
    memset(p, 'A', 300);
    strcpy(p + 300, "\",\"dest_ip\":\"d\"}");
    p = want + sprintf(want, "src_ip=");
    memset(p, 'A', 239);
    strcpy(p + 239, "#d5e38f24e85d55e1|dest_ip=d");
    assert_string_equal(key("k1", NULL, eve), want);

    /* 238 x 'a', 'é', 100 x 'b': the cut falls inside 'é', which is left out whole. */
    p = eve + sprintf(eve, "{\"src_ip\":\"");
    memset(p, 'a', 238);
    p += 238;
    p += sprintf(p, "\xc3\xa9");
    memset(p, 'b', 100);
    strcpy(p + 100, "\",\"dest_ip\":\"d\"}");
    p = want + sprintf(want, "src_ip=");
    memset(p, 'a', 238);
    strcpy(p + 238, "#dc8182db6b3f29fb|dest_ip=d");
    assert_string_equal(key("k1", NULL, eve), want);

    /* Exactly 256 bytes rendered: kept as is. */
    p = eve + sprintf(eve, "{\"src_ip\":\"");
    memset(p, 'z', 254);
    strcpy(p + 254, "||\",\"dest_ip\":\"d\"}"); /* 254 + two escaped bars = 258: cut */
    const char *k = key("k1", NULL, eve);
    assert_int_equal(strlen(k), strlen("src_ip=") + 256 + strlen("|dest_ip=d"));
    assert_int_equal(k[strlen("src_ip=") + 239], '#');
    p = eve + sprintf(eve, "{\"src_ip\":\"");
    memset(p, 'z', 254);
    strcpy(p + 254, "|\",\"dest_ip\":\"d\"}"); /* 254 + 2 = 256: whole */
    k = key("k1", NULL, eve);
    assert_int_equal(strncmp(k + strlen("src_ip=") + 254, "\\||dest_ip=d", 12), 0);

    /* Buffer sizes: len + 1 is enough, len is not. */
    char out[64];
    const corr_event_t *ev = make_event(&tev, HTTP, NULL);
    size_t len = strlen("src_ip=89.160.20.128|dest_ip=10.20.0.10");
    assert_int_equal(corr_group_key_for(R("k1"), NULL, ev, out, len + 1), len);
    assert_int_equal(corr_group_key_for(R("k1"), NULL, ev, out, len), 0);
    assert_string_equal(out, "");
    assert_int_equal(corr_group_key_for(R("k1"), NULL, ev, out, 10), 0);
    assert_int_equal(corr_group_key_for(R("k3"), NULL, ev, out, 1), 0);
    assert_int_equal(corr_group_key_for(R("k1"), NULL, ev, out, 0), 0);
    assert_int_equal(corr_group_key_for(NULL, NULL, ev, out, sizeof(out)), 0);
}

static void test_aliases(void **state)
{
    (void)state;
    /* host is dest_ip in events of a, src_ip in events of f. */
    assert_string_equal(key("k5", "a", HTTP), "host=10.20.0.10|proto=TCP");
    assert_string_equal(key("k5", "f", FLOW), "host=10.20.0.10|proto=TCP");
    assert_string_equal(key("k5", "a", FLOW), "host=203.0.113.9|proto=TCP");
    /* Without the matched rule, host is looked up as a field: missing. */
    assert_string_equal(key("k5", NULL, HTTP), "");
    assert_string_equal(key("k5", "k1", HTTP), ""); /* not one of its rules */

    char out[64];
    assert_int_equal(corr_count_value(R("k4"), R("a"), make_event(&tev, HTTP, NULL), out, 64), 2);
    assert_string_equal(out, "80");
    assert_int_equal(corr_count_value(R("k4"), NULL, make_event(&tev, FLOW, NULL), out, 64), 3);
    assert_string_equal(out, "443");
    assert_int_equal(corr_count_value(R("k6"), R("f"), make_event(&tev, FLOW, NULL), out, 64), 4);
    assert_string_equal(out, "8443");
    assert_int_equal(corr_count_value(R("k6"), R("a"), make_event(&tev, FLOW, NULL), out, 64), 3);
    assert_string_equal(out, "443");
    assert_int_equal(corr_count_value(R("k6"), NULL, make_event(&tev, FLOW, NULL), out, 64), 0);
    assert_int_equal(corr_count_value(R("k1"), R("a"), make_event(&tev, HTTP, NULL), out, 64), 0);
    assert_int_equal(corr_count_value(R("a"), NULL, make_event(&tev, HTTP, NULL), out, 64), 0);
    assert_int_equal(corr_count_value(R("k4"), R("a"), make_event(&tev, STATS, NULL), out, 64), 0);
    assert_int_equal(corr_count_value(R("k4"), R("a"), make_event(&tev, HTTP, NULL), out, 2), 0);
}

static void test_categories_and_names(void **state)
{
    (void)state;
    const char *types[] = {"alert", "flow",    "dns",   "http",
                           "tls",   "anomaly", "stats", "correlation"};
    for (int i = 0; i < 8; i++) {
        char eve[128];
        snprintf(eve, sizeof(eve), "{\"src_ip\":\"1.2.3.4\",\"event_type\":\"%s\"}", types[i]);
        assert_int_equal(corr_event_category(make_event(&tev, eve, NULL)), i);
        assert_string_equal(corr_category_name(i), types[i]);
    }
    assert_int_equal(corr_event_category(make_event(&tev, "{\"event_type\":\"smtp\"}", NULL)),
                     CORR_CAT_NONE);
    assert_int_equal(corr_event_category(make_event(&tev, "{\"event_type\":\"Alert\"}", NULL)),
                     CORR_CAT_NONE);
    assert_int_equal(corr_event_category(make_event(&tev, "{\"event_type\":7}", NULL)),
                     CORR_CAT_NONE);
    assert_int_equal(corr_event_category(make_event(&tev, "{\"x\":1}", NULL)), CORR_CAT_NONE);
    assert_int_equal(corr_event_category(make_event(&tev, "[\"event_type\"]", NULL)),
                     CORR_CAT_NONE);
    assert_int_equal(corr_event_category(make_event(&tev, "{\"event_type\":\"fl\\u006fw\"}", NULL)),
                     CORR_CAT_FLOW);
    corr_event_t empty = {0};
    assert_int_equal(corr_event_category(&empty), CORR_CAT_NONE);
    assert_false(corr_rule_match(R("a"), &empty));
    assert_string_equal(corr_category_name(CORR_CAT_NONE), "?");
    assert_string_equal(corr_category_name(CORR_CAT_COUNT), "?");

    const char *levels[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(corr_level_name(i), levels[i]);
    assert_string_equal(corr_level_name(5), "?");
    assert_string_equal(corr_level_name(-1), "?");
    assert_string_equal(corr_type_name(CORR_TYPE_NONE), "detection");
    assert_string_equal(corr_type_name(CORR_TYPE_EVENT_COUNT), "event_count");
    assert_string_equal(corr_type_name(CORR_TYPE_VALUE_COUNT), "value_count");
    assert_string_equal(corr_type_name(CORR_TYPE_TEMPORAL), "temporal");
    assert_string_equal(corr_type_name(CORR_TYPE_TEMPORAL_ORDERED), "temporal_ordered");
    const char *ops[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    for (int i = 0; i < 6; i++)
        assert_string_equal(corr_op_name((corr_op_t)i), ops[i]);
    assert_string_equal(corr_op_name((corr_op_t)6), "?");

    /* count OP threshold, for counts 9, 10, 11 against 10. */
    static const bool want[6][3] = {
        {false, false, true}, /* gt */
        {false, true, true},  /* gte */
        {true, false, false}, /* lt */
        {true, true, false},  /* lte */
        {false, true, false}, /* eq */
        {true, false, true},  /* neq */
    };
    for (int op = 0; op < 6; op++)
        for (int c = 0; c < 3; c++)
            assert_int_equal(corr_op_holds((corr_op_t)op, (uint64_t)(9 + c), 10), want[op][c]);
    assert_false(corr_op_holds((corr_op_t)6, 1, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_keys),           cmocka_unit_test(test_value_kinds),
        cmocka_unit_test(test_escapes_and_length),   cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_categories_and_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
