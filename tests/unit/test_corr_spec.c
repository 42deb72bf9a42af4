/* test_corr_spec.c -- correlation rules: every type parsed into its spec
 * (referenced rules as pointers, group-by, timespan in microseconds,
 * condition, aliases, generate, ordered), what the index and the reverse
 * links hold, and every error of a correlation block and of references
 * (unknown, skipped, itself, twice, cycles), each with its exact line. */
#include <stdlib.h>

#include "test_corr_util.h"

static const char RULES[] =
    "title: Web attack alert\n"                  /* 1 */
    "id: 11111111-0000-0000-0000-000000000001\n" /* 2 */
    "name: web_alert\n"                          /* 3 */
    "version: 3\n"                               /* 4 */
    "status: test\n"                             /* 5 */
    "description: d\n"                           /* 6 */
    "author: a\n"                                /* 7 */
    "level: medium\n"                            /* 8 */
    "tags: [attack.initial_access, attack.T1190, attack.t1110.001, attack.g0007,\n"
    "       attack.initial-access, city.egov]\n"             /* 10 */
    "falsepositives: [scanners]\n"                           /* 11 */
    "logsource: {category: alert, product: soc-sensor}\n"    /* 12 */
    "detection:\n"                                           /* 13 */
    "  sel: {classtype: Web Application Attack}\n"           /* 14 */
    "  condition: sel\n"                                     /* 15 */
    "suppress: 10m\n"                                        /* 16 */
    "---\n"                                                  /* 17 */
    "title: Outbound flow\n"                                 /* 18 */
    "id: out-flow\n"                                         /* 19 */
    "name: outbound\n"                                       /* 20 */
    "level: informational\n"                                 /* 21 */
    "logsource: {category: flow}\n"                          /* 22 */
    "detection: {sel: {proto: TCP}, condition: sel}\n"       /* 23 */
    "---\n"                                                  /* 24 */
    "title: DNS query\n"                                     /* 25 */
    "id: dns-q\n"                                            /* 26 */
    "level: low\n"                                           /* 27 */
    "logsource: {category: dns}\n"                           /* 28 */
    "detection: {s: {query|endswith: .xyz}, condition: s}\n" /* 29 */
    "---\n"                                                  /* 30 */
    "title: Many web alerts\n"                               /* 31 */
    "id: corr-count\n"                                       /* 32 */
    "level: high\n"                                          /* 33 */
    "correlation:\n"                                         /* 34 */
    "  type: event_count\n"                                  /* 35 */
    "  rules: web_alert\n"                                   /* 36 */
    "  group-by: [src_ip, dest_ip]\n"                        /* 37 */
    "  timespan: 5m\n"                                       /* 38 */
    "  condition: {gte: 10}\n"                               /* 39 */
    "---\n"                                                  /* 40 */
    "title: Port scan\n"                                     /* 41 */
    "id: corr-values\n"                                      /* 42 */
    "level: medium\n"                                        /* 43 */
    "correlation:\n"                                         /* 44 */
    "  type: value_count\n"                                  /* 45 */
    "  rules: [out-flow]\n"                                  /* 46 */
    "  group-by: [src_ip]\n"                                 /* 47 */
    "  timespan: 1m\n"                                       /* 48 */
    "  condition: {field: dest_port, gt: 20}\n"              /* 49 */
    "  generate: true\n"                                     /* 50 */
    "suppress: 1h\n"                                         /* 51 */
    "---\n"                                                  /* 52 */
    "title: Attack then callback\n"                          /* 53 */
    "id: corr-ordered\n"                                     /* 54 */
    "level: critical\n"                                      /* 55 */
    "tags: [attack.command_and_control]\n"                   /* 56 */
    "correlation:\n"                                         /* 57 */
    "  type: temporal_ordered\n"                             /* 58 */
    "  rules: [web_alert, outbound]\n"                       /* 59 */
    "  aliases:\n"                                           /* 60 */
    "    host:\n"                                            /* 61 */
    "      web_alert: dest_ip\n"                             /* 62 */
    "      outbound: src_ip\n"                               /* 63 */
    "  group-by: [host]\n"                                   /* 64 */
    "  timespan: 10m\n"                                      /* 65 */
    "---\n"                                                  /* 66 */
    "title: Chain\n"                                         /* 67 */
    "id: corr-temporal\n"                                    /* 68 */
    "level: high\n"                                          /* 69 */
    "generate: false\n"                                      /* 70 */
    "correlation:\n"                                         /* 71 */
    "  type: temporal\n"                                     /* 72 */
    "  ordered: true\n"                                      /* 73 */
    "  rules: [corr-count, dns-q]\n"                         /* 74 */
    "  group-by: [src_ip]\n"                                 /* 75 */
    "  timespan: 1h\n"                                       /* 76 */
    "---\n"                                                  /* 77 */
    "title: Global DNS burst\n"                              /* 78 */
    "id: corr-global\n"                                      /* 79 */
    "level: low\n"                                           /* 80 */
    "correlation: {type: event_count, rules: [dns-q], timespan: 1d, condition: {neq: 0}}\n";

static const corr_rule_t *find(const corr_ruleset_t *rs, const char *id)
{
    const corr_rule_t *r = corr_ruleset_find(rs, id);
    if (!r) fail_msg("no rule %s", id);
    return r;
}

static void test_parsed(void **state)
{
    (void)state;
    corr_ruleset_t *rs = load_text("r.yml", RULES);
    for (int i = 0; i < n_diag; i++)
        print_message("%s\n", diag_line[i]);
    assert_int_equal(n_diag, 0);
    assert_int_equal(corr_ruleset_loaded(rs), 8);
    assert_int_equal(corr_ruleset_skipped(rs), 0);
    assert_int_equal(corr_ruleset_count(rs), 8);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(corr_ruleset_rule(rs, i)->index, i);
    assert_null(corr_ruleset_rule(rs, 8));

    const corr_rule_t *web = find(rs, "web_alert");
    assert_ptr_equal(find(rs, "11111111-0000-0000-0000-000000000001"), web);
    assert_string_equal(web->title, "Web attack alert");
    assert_string_equal(web->name, "web_alert");
    assert_int_equal(web->version, 3);
    assert_string_equal(web->status, "test");
    assert_string_equal(web->description, "d");
    assert_string_equal(web->author, "a");
    assert_int_equal(web->severity, CORR_LEVEL_MEDIUM);
    assert_int_equal(web->category, CORR_CAT_ALERT);
    assert_false(corr_rule_is_correlation(web));
    assert_int_equal(web->corr.type, CORR_TYPE_NONE);
    assert_int_equal(web->suppress_usec, 600000000ll);
    assert_int_equal(web->ntags, 6);
    assert_string_equal(web->tags[5], "city.egov");
    assert_int_equal(web->ntactics, 1); /* initial_access and initial-access are one */
    assert_string_equal(web->tactics[0], "initial-access");
    assert_int_equal(web->ntechniques, 2);
    assert_string_equal(web->techniques[0], "T1190");
    assert_string_equal(web->techniques[1], "T1110.001");
    assert_int_equal(web->nfalsepositives, 1);
    assert_string_equal(web->falsepositives[0], "scanners");
    assert_string_equal(web->file, "r.yml");
    assert_int_equal(web->line, 1);

    const corr_rule_t *out = find(rs, "outbound"), *dns = find(rs, "dns-q");
    assert_string_equal(out->id, "out-flow");
    assert_int_equal(out->version, 1);
    assert_string_equal(out->status, "");
    assert_int_equal(out->line, 18);
    assert_null(dns->name);

    const corr_rule_t *cnt = find(rs, "corr-count");
    assert_int_equal(cnt->corr.type, CORR_TYPE_EVENT_COUNT);
    assert_int_equal(cnt->category, CORR_CAT_NONE);
    assert_true(corr_rule_is_correlation(cnt));
    assert_int_equal(cnt->corr.nrules, 1);
    assert_ptr_equal(cnt->corr.rules[0], web);
    assert_int_equal(cnt->corr.ngroup_by, 2);
    assert_string_equal(cnt->corr.group_by[0], "src_ip");
    assert_string_equal(cnt->corr.group_by[1], "dest_ip");
    assert_int_equal(cnt->corr.timespan_usec, 300000000ll);
    assert_true(cnt->corr.has_condition);
    assert_int_equal(cnt->corr.op, CORR_OP_GTE);
    assert_int_equal(cnt->corr.threshold, 10);
    assert_null(cnt->corr.field);
    assert_false(cnt->corr.generate);
    assert_false(cnt->corr.ordered);
    assert_int_equal(cnt->severity, CORR_LEVEL_HIGH);
    assert_int_equal(cnt->suppress_usec, 0);

    const corr_rule_t *val = find(rs, "corr-values");
    assert_int_equal(val->corr.type, CORR_TYPE_VALUE_COUNT);
    assert_ptr_equal(val->corr.rules[0], out);
    assert_int_equal(val->corr.op, CORR_OP_GT);
    assert_int_equal(val->corr.threshold, 20);
    assert_string_equal(val->corr.field, "dest_port");
    assert_true(val->corr.generate);
    assert_int_equal(val->corr.timespan_usec, 60000000ll);
    assert_int_equal(val->suppress_usec, 3600000000ll);

    const corr_rule_t *ord = find(rs, "corr-ordered");
    assert_int_equal(ord->corr.type, CORR_TYPE_TEMPORAL_ORDERED);
    assert_true(ord->corr.ordered);
    assert_false(ord->corr.has_condition);
    assert_int_equal(ord->corr.nrules, 2);
    assert_ptr_equal(ord->corr.rules[0], web);
    assert_ptr_equal(ord->corr.rules[1], out);
    assert_int_equal(ord->corr.naliases, 1);
    assert_string_equal(ord->corr.aliases[0].name, "host");
    assert_string_equal(ord->corr.aliases[0].fields[0], "dest_ip");
    assert_string_equal(ord->corr.aliases[0].fields[1], "src_ip");
    assert_int_equal(ord->severity, CORR_LEVEL_CRITICAL);
    assert_int_equal(ord->ntactics, 1);
    assert_string_equal(ord->tactics[0], "command-and-control");

    const corr_rule_t *tmp = find(rs, "corr-temporal");
    assert_int_equal(tmp->corr.type, CORR_TYPE_TEMPORAL_ORDERED); /* ordered: true */
    assert_true(tmp->corr.ordered);
    assert_ptr_equal(tmp->corr.rules[0], cnt); /* a correlation of a correlation */
    assert_ptr_equal(tmp->corr.rules[1], dns);
    assert_int_equal(tmp->corr.timespan_usec, 3600000000ll);

    const corr_rule_t *glob = find(rs, "corr-global");
    assert_int_equal(glob->corr.ngroup_by, 0);
    assert_int_equal(glob->corr.op, CORR_OP_NEQ);
    assert_int_equal(glob->corr.threshold, 0);
    assert_int_equal(glob->corr.timespan_usec, 86400000000ll);

    /* Reverse links and Sigma's generate. */
    assert_int_equal(web->nused_by, 2);
    assert_ptr_equal(web->used_by[0], cnt);
    assert_ptr_equal(web->used_by[1], ord);
    assert_false(web->standalone); /* both users say generate: false */
    assert_int_equal(out->nused_by, 2);
    assert_true(out->standalone); /* corr-values says generate: true */
    assert_int_equal(dns->nused_by, 2);
    assert_false(dns->standalone);
    assert_false(cnt->standalone); /* used by corr-temporal */
    assert_true(val->standalone);
    assert_true(ord->standalone);
    assert_true(tmp->standalone);

    /* The index. */
    const corr_rule_t *const *list;
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_ALERT, &list), 1);
    assert_ptr_equal(list[0], web);
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_FLOW, &list), 1);
    assert_ptr_equal(list[0], out);
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_DNS, &list), 1);
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_HTTP, &list), 0);
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_NONE, &list), 0);
    assert_int_equal(corr_ruleset_detections(rs, CORR_CAT_COUNT, &list), 0);
    assert_int_equal(corr_ruleset_correlations(rs, &list), 5);
    assert_ptr_equal(list[0], cnt);
    assert_ptr_equal(list[4], glob);
    assert_null(corr_ruleset_find(rs, "nope"));
    assert_false(corr_rule_match(cnt, NULL));
    corr_ruleset_free(rs);
}

/* Two detection rules a and b (named bee), then correlation rule c whose
 * block (body) starts on line 18. */
#define BASE                                                                                       \
    "title: a\n"                                                                                   \
    "id: a\n"                                                                                      \
    "level: low\n"                                                                                 \
    "logsource: {category: flow}\n"                                                                \
    "detection: {s: {proto: TCP}, condition: s}\n"                                                 \
    "---\n"                                                                                        \
    "title: b\n"                                                                                   \
    "id: b\n"                                                                                      \
    "name: bee\n"                                                                                  \
    "level: low\n"                                                                                 \
    "logsource: {category: flow}\n"                                                                \
    "detection: {s: {proto: UDP}, condition: s}\n"                                                 \
    "---\n"                                                                                        \
    "title: c\n"                                                                                   \
    "id: c\n"                                                                                      \
    "level: high\n"                                                                                \
    "correlation:\n"

static const char *body_error(const char *body)
{
    char text[4096];
    snprintf(text, sizeof(text), BASE "%s", body);
    corr_ruleset_t *rs = load_text("c.yml", text);
    size_t loaded = corr_ruleset_loaded(rs), skipped = corr_ruleset_skipped(rs);
    corr_ruleset_free(rs);
    if (loaded != 2 || skipped != 1 || n_diag != 1)
        fail_msg("loaded %zu, skipped %zu, %d lines (%s)", loaded, skipped, n_diag,
                 n_diag ? diag_line[0] : "");
    return diag_line[0];
}

#define COUNT_OK "  type: event_count\n  rules: [a]\n  timespan: 1m\n"

static void test_block_errors(void **state)
{
    (void)state;
    assert_string_equal(body_error("  type: count\n  rules: [a]\n  timespan: 1m\n"),
                        "c.yml:18:9: rule c: correlation.type: unknown correlation type 'count' "
                        "(event_count, value_count, temporal, temporal_ordered)");
    assert_string_equal(body_error("  rules: [a]\n  timespan: 1m\n"),
                        "c.yml:18:3: rule c: correlation: missing 'type'");
    assert_string_equal(body_error("  type: event_count\n  timespan: 1m\n"),
                        "c.yml:18:3: rule c: correlation: missing 'rules'");
    assert_string_equal(body_error("  type: event_count\n  rules: {a: 1}\n"),
                        "c.yml:19:10: rule c: correlation.rules: expected a list of rule names or "
                        "ids, got a mapping");
    assert_string_equal(body_error("  type: event_count\n  rules: []\n"),
                        "c.yml:19:10: rule c: correlation.rules: expected 1..64 rule names or ids");
    assert_string_equal(body_error("  type: event_count\n  rules: [a, a]\n"),
                        "c.yml:19:14: rule c: correlation.rules[1]: rule 'a' listed twice");
    assert_string_equal(
        body_error("  type: event_count\n  rules: ['a b']\n"),
        "c.yml:19:11: rule c: correlation.rules[0]: 'a b' is not a rule name or id");
    assert_string_equal(
        body_error("  type: event_count\n  rules: [[a]]\n"),
        "c.yml:19:11: rule c: correlation.rules[0]: expected a rule name or id, got "
        "a sequence");
    assert_string_equal(body_error("  type: temporal\n  rules: [a]\n"),
                        "c.yml:19:10: rule c: correlation.rules: temporal needs at least 2 rules");
    assert_string_equal(body_error("  type: temporal\n  rules: [a, b]\n  timespan: 1m\n"),
                        "c.yml:18:3: rule c: correlation: temporal needs 'group-by' (events of one "
                        "group key)");
    assert_string_equal(body_error("  type: temporal_ordered\n  rules: [a, b]\n  group-by: []\n"),
                        "c.yml:20:13: rule c: correlation.group-by: temporal_ordered needs "
                        "'group-by' (events of one group key)");
    assert_string_equal(body_error(COUNT_OK "  group-by: {a: 1}\n"),
                        "c.yml:21:13: rule c: correlation.group-by: expected a list of fields, got "
                        "a mapping");
    assert_string_equal(
        body_error(COUNT_OK "  group-by: [src_ip, src_ip]\n"),
        "c.yml:21:22: rule c: correlation.group-by[1]: field 'src_ip' listed twice");
    assert_string_equal(body_error(COUNT_OK "  group-by: [a, b, c, d, e, f, g, h, i]\n"),
                        "c.yml:21:13: rule c: correlation.group-by: more than 8 group-by fields");
    assert_string_equal(body_error(COUNT_OK "  group-by: ['a|b']\n"),
                        "c.yml:21:14: rule c: correlation.group-by[0]: field name may not contain "
                        "'|'");
    assert_string_equal(body_error("  type: event_count\n  rules: [a]\n  condition: {gt: 1}\n"),
                        "c.yml:18:3: rule c: correlation: missing 'timespan'");
    const char *spans[] = {"5x", "0s", "31d", "5", "1h30m", "m", "-1m", "99999999999s"};
    for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
        char body[256], want[256];
        snprintf(body, sizeof(body), "  type: event_count\n  rules: [a]\n  timespan: %s\n",
                 spans[i]);
        snprintf(want, sizeof(want),
                 "c.yml:20:13: rule c: correlation.timespan: expected a duration like 30s, 5m, "
                 "1h, 1d (1s..30d), got '%s'",
                 spans[i]);
        assert_string_equal(body_error(body), want);
    }
    assert_string_equal(body_error("  type: event_count\n  rules: [a]\n  timespan: 30d\n"),
                        "c.yml:18:3: rule c: correlation: missing 'condition'");
    assert_string_equal(body_error("  type: event_count\n  rules: [a]\n  timespan: 1m\n"
                                   "  timespn: 1m\n"),
                        "c.yml:21:3: rule c: correlation: unknown key 'timespn' (did you mean "
                        "'timespan'?)");
}

static void test_condition_errors(void **state)
{
    (void)state;
    assert_string_equal(body_error(COUNT_OK "  condition: 5\n"),
                        "c.yml:21:14: rule c: correlation.condition: expected a mapping like {gte: "
                        "10}");
    assert_string_equal(body_error(COUNT_OK "  condition: {gte: 1, lt: 5}\n"),
                        "c.yml:21:23: rule c: correlation.condition.lt: give one of gt, gte, lt, "
                        "lte, eq, neq (already 'gte')");
    assert_string_equal(body_error(COUNT_OK "  condition: {}\n"),
                        "c.yml:21:14: rule c: correlation.condition: expected one of gt, gte, lt, "
                        "lte, eq, neq");
    assert_string_equal(body_error(COUNT_OK "  condition: {gte: x}\n"),
                        "c.yml:21:20: rule c: correlation.condition.gte: expected an integer "
                        "0..1000000000, got 'x'");
    assert_string_equal(body_error(COUNT_OK "  condition: {gte: 1000000001}\n"),
                        "c.yml:21:20: rule c: correlation.condition.gte: expected an integer "
                        "0..1000000000, got '1000000001'");
    assert_string_equal(body_error(COUNT_OK "  condition: {gte: -1}\n"),
                        "c.yml:21:20: rule c: correlation.condition.gte: expected an integer "
                        "0..1000000000, got '-1'");
    assert_string_equal(body_error(COUNT_OK "  condition: {gtee: 5}\n"),
                        "c.yml:21:15: rule c: correlation.condition: unknown key 'gtee' (did you "
                        "mean 'gte'?)");
    assert_string_equal(body_error("  type: value_count\n  rules: [a]\n  timespan: 1m\n"
                                   "  condition: {gte: 5}\n"),
                        "c.yml:21:14: rule c: correlation.condition: value_count needs 'field' "
                        "(the field whose distinct values count)");
    assert_string_equal(body_error("  type: value_count\n  rules: [a]\n  timespan: 1m\n"
                                   "  condition: {gte: 5, field: 'a b'}\n"),
                        "c.yml:21:30: rule c: correlation.condition.field: field name may not "
                        "contain 0x20");
    assert_string_equal(body_error(COUNT_OK "  condition: {gte: 5, field: dest_port}\n"),
                        "c.yml:21:23: rule c: correlation.condition.field: 'field' is only for "
                        "value_count");
    assert_string_equal(body_error("  type: temporal\n  rules: [a, b]\n  group-by: [src_ip]\n"
                                   "  timespan: 1m\n  condition: {gte: 2}\n"),
                        "c.yml:22:3: rule c: correlation.condition: temporal takes no condition "
                        "(every listed rule must match)");
}

#define TEMPORAL_OK "  type: temporal\n  rules: [a, b]\n  group-by: [ip]\n  timespan: 1m\n"

static void test_alias_and_flag_errors(void **state)
{
    (void)state;
    assert_string_equal(
        body_error(TEMPORAL_OK "  aliases: x\n"),
        "c.yml:22:12: rule c: correlation.aliases: expected a mapping ALIAS: {RULE: "
        "FIELD, ...}");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: x}\n"),
                        "c.yml:22:17: rule c: correlation.aliases.ip: expected a mapping of 1..64 "
                        "RULE: FIELD");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {'a b': {a: src_ip}}\n"),
                        "c.yml:22:13: rule c: correlation.aliases.a b: field name may not contain "
                        "0x20");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: {a: src_ip, 'b?': x}}\n"),
                        "c.yml:22:29: rule c: correlation.aliases.ip.b?: 'b?' is not a rule name "
                        "or id");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: {a: src_ip, b: 'x|y'}}\n"),
                        "c.yml:22:32: rule c: correlation.aliases.ip.b: field name may not contain "
                        "'|'");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: {a: src_ip, z: dest_ip}}\n"),
                        "c.yml:22:29: rule c: correlation.aliases.ip.z: rule 'z' is not in "
                        "correlation.rules");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: {a: src_ip}}\n"),
                        "c.yml:22:13: rule c: correlation.aliases.ip: alias 'ip' has no field for "
                        "rule 'b'");
    assert_string_equal(body_error(TEMPORAL_OK "  aliases: {ip: {a: src_ip, b: x, bee: y}}\n"),
                        "c.yml:22:35: rule c: correlation.aliases.ip.bee: rule 'bee' is mapped "
                        "twice");
    assert_string_equal(body_error(TEMPORAL_OK "  generate: maybe\n"),
                        "c.yml:22:13: rule c: correlation.generate: expected true or false, got "
                        "'maybe'");
    assert_string_equal(body_error(TEMPORAL_OK "  generate: true\ngenerate: false\n"),
                        "c.yml:23:1: rule c: generate: 'generate' given twice (here and in "
                        "correlation)");
    assert_string_equal(body_error(COUNT_OK "  condition: {gt: 1}\n  ordered: true\n"),
                        "c.yml:22:3: rule c: correlation.ordered: 'ordered' is only for temporal "
                        "correlations");
    assert_string_equal(body_error("  type: temporal_ordered\n  rules: [a, b]\n"
                                   "  group-by: [ip]\n  timespan: 1m\n  ordered: false\n"),
                        "c.yml:22:12: rule c: correlation.ordered: ordered: false contradicts type "
                        "temporal_ordered");
    assert_string_equal(body_error(TEMPORAL_OK "logsource: {category: flow}\n"),
                        "c.yml:22:1: rule c: logsource: correlation rules take no logsource");
    assert_string_equal(body_error(TEMPORAL_OK "detection: {s: {a: 1}, condition: s}\n"),
                        "c.yml:17:1: rule c: correlation: a rule has 'detection' or "
                        "'correlation', not both");
    assert_string_equal(body_error(" [a]\n"), "c.yml:18:2: rule c: correlation: expected a "
                                              "mapping");
}

static void test_reference_errors(void **state)
{
    (void)state;
    assert_string_equal(body_error("  type: event_count\n  rules: [a, nope]\n  timespan: 1m\n"
                                   "  condition: {gt: 1}\n"),
                        "c.yml:19:14: rule c: correlation.rules[1]: unknown rule 'nope'");
    assert_string_equal(body_error("  type: event_count\n  rules: c\n  timespan: 1m\n"
                                   "  condition: {gt: 1}\n"),
                        "c.yml:19:10: rule c: correlation.rules: a rule cannot refer to itself");
    assert_string_equal(body_error("  type: temporal\n  rules: [b, bee]\n  group-by: [x]\n"
                                   "  timespan: 1m\n"),
                        "c.yml:19:14: rule c: correlation.rules[1]: 'bee' is rule b again");

    /* A rule with an error, a correlation that uses it, one that uses
     * that one, and a cycle: each its own line, in file order. */
    const char *text = "title: bad\n"                                                   /* 1 */
                       "id: bad\n"                                                      /* 2 */
                       "level: low\n"                                                   /* 3 */
                       "logsource: {category: flow}\n"                                  /* 4 */
                       "detection: {s: {proto|nope: TCP}, condition: s}\n"              /* 5 */
                       "---\n"                                                          /* 6 */
                       "title: uses bad\n"                                              /* 7 */
                       "id: u1\n"                                                       /* 8 */
                       "level: low\n"                                                   /* 9 */
                       "correlation: {type: event_count, rules: [bad], timespan: 1m,\n" /* 10 */
                       "              condition: {gt: 1}}\n"                            /* 11 */
                       "---\n"                                                          /* 12 */
                       "title: uses u1\n"                                               /* 13 */
                       "id: u2\n"                                                       /* 14 */
                       "level: low\n"                                                   /* 15 */
                       "correlation: {type: event_count, rules: [u1], timespan: 1m,\n"  /* 16 */
                       "              condition: {gt: 1}}\n"                            /* 17 */
                       "---\n"                                                          /* 18 */
                       "title: cycle 1\n"                                               /* 19 */
                       "id: y1\n"                                                       /* 20 */
                       "level: low\n"                                                   /* 21 */
                       "correlation: {type: event_count, rules: [y2], timespan: 1m,\n"  /* 22 */
                       "              condition: {gt: 1}}\n"                            /* 23 */
                       "---\n"                                                          /* 24 */
                       "title: cycle 2\n"                                               /* 25 */
                       "id: y2\n"                                                       /* 26 */
                       "level: low\n"                                                   /* 27 */
                       "correlation: {type: event_count, rules: [y1], timespan: 1m,\n"  /* 28 */
                       "              condition: {gt: 1}}\n";                           /* 29 */
    corr_ruleset_t *rs = load_text("x.yml", text);
    assert_int_equal(corr_ruleset_loaded(rs), 0);
    assert_int_equal(corr_ruleset_skipped(rs), 5);
    assert_int_equal(n_diag, 5);
    assert_string_equal(diag_line[0],
                        "x.yml:5:17: rule bad: detection.s.proto|nope: unknown modifier 'nope'");
    assert_string_equal(diag_line[1], "x.yml:10:42: rule u1: correlation.rules[0]: rule 'bad' was "
                                      "skipped (see its error)");
    assert_string_equal(diag_line[2], "x.yml:16:42: rule u2: correlation.rules[0]: rule 'u1' was "
                                      "skipped (see its error)");
    assert_string_equal(diag_line[3],
                        "x.yml:22:42: rule y1: correlation.rules[0]: reference cycle through rule "
                        "'y2'");
    assert_string_equal(diag_line[4],
                        "x.yml:28:42: rule y2: correlation.rules[0]: reference cycle through rule "
                        "'y1'");
    corr_ruleset_free(rs);
}

static void test_chains(void **state)
{
    (void)state;
    /* 1000 rules, each using the next, the last a detection rule: listed
     * first to last, so each waits on one not yet resolved. */
    size_t cap = 1000 * 160;
    char *text = malloc(cap), *p = text;
    for (int i = 0; i < 999; i++)
        p += snprintf(p, cap - (size_t)(p - text),
                      "title: c\nid: c%d\nlevel: low\ncorrelation: {type: event_count, rules: "
                      "[c%d], timespan: 1m, condition: {gt: 1}}\n---\n",
                      i, i + 1);
    snprintf(p, cap - (size_t)(p - text),
             "title: d\nid: c999\nlevel: low\nlogsource: {category: dns}\n"
             "detection: {s: {query: x}, condition: s}\n");
    corr_ruleset_t *rs = load_text("chain.yml", text);
    free(text);
    assert_int_equal(n_diag, 0);
    assert_int_equal(corr_ruleset_loaded(rs), 1000);
    const corr_rule_t *c0 = corr_ruleset_find(rs, "c0");
    assert_ptr_equal(c0->corr.rules[0], corr_ruleset_find(rs, "c1"));
    assert_ptr_equal(corr_ruleset_find(rs, "c998")->corr.rules[0], corr_ruleset_find(rs, "c999"));
    corr_ruleset_free(rs);

    /* d uses a, which is in a cycle with b: d is skipped because of a. */
    const char *cyc = "title: d\nid: d\nlevel: low\n"                                /* 1-3 */
                      "correlation: {type: event_count, rules: [a], timespan: 1m,\n" /* 4 */
                      "              condition: {gt: 1}}\n"                          /* 5 */
                      "---\n"                                                        /* 6 */
                      "title: a\nid: a\nlevel: low\n"                                /* 7-9 */
                      "correlation: {type: event_count, rules: [b], timespan: 1m,\n" /* 10 */
                      "              condition: {gt: 1}}\n"                          /* 11 */
                      "---\n"                                                        /* 12 */
                      "title: b\nid: b\nlevel: low\n"                                /* 13-15 */
                      "correlation: {type: event_count, rules: [a], timespan: 1m,\n" /* 16 */
                      "              condition: {gt: 1}}\n";                         /* 17 */
    rs = load_text("cyc.yml", cyc);
    assert_int_equal(corr_ruleset_loaded(rs), 0);
    assert_int_equal(n_diag, 3);
    assert_string_equal(diag_line[0], "cyc.yml:4:42: rule d: correlation.rules[0]: rule 'a' was "
                                      "skipped (see its error)");
    assert_string_equal(diag_line[1], "cyc.yml:10:42: rule a: correlation.rules[0]: reference "
                                      "cycle through rule 'b'");
    assert_string_equal(diag_line[2], "cyc.yml:16:42: rule b: correlation.rules[0]: reference "
                                      "cycle through rule 'a'");
    corr_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsed),           cmocka_unit_test(test_block_errors),
        cmocka_unit_test(test_condition_errors), cmocka_unit_test(test_alias_and_flag_errors),
        cmocka_unit_test(test_reference_errors), cmocka_unit_test(test_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
