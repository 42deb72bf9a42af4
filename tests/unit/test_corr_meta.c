/* test_corr_meta.c -- the top-level keys of a rule: id and name (format,
 * uniqueness), title, level, status, version, tags (ATT&CK techniques and
 * tactics, free tags), falsepositives, logsource, generate, suppress, the
 * document shapes; each error with its exact line, counted by hand. */
#include "test_corr_util.h"

#define LOGSRC "logsource: {category: http}\n"
#define DETECT "detection: {s: {a: 1}, condition: s}\n"

/* The one line of a text whose only rule is skipped. */
static const char *doc_error(const char *text)
{
    corr_ruleset_t *rs = load_text("m.yml", text);
    size_t loaded = corr_ruleset_loaded(rs), skipped = corr_ruleset_skipped(rs);
    corr_ruleset_free(rs);
    if (skipped != 1 || n_diag != 1)
        fail_msg("loaded %zu, skipped %zu, %d lines (%s)", loaded, skipped, n_diag,
                 n_diag ? diag_line[0] : "");
    return diag_line[0];
}

static corr_ruleset_t *load_ok(const char *text, size_t want)
{
    corr_ruleset_t *rs = load_text("m.yml", text);
    if (n_diag) fail_msg("unexpected: %s", diag_line[0]);
    assert_int_equal(corr_ruleset_loaded(rs), want);
    return rs;
}

static void test_id_title_name(void **state)
{
    (void)state;
    assert_string_equal(doc_error("title: t\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:1:1: rule #1: missing 'id'");
    assert_string_equal(doc_error("title: t\nid: 'a b'\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:2:5: rule #1: id: id 'a b' must be 1..128 letters, digits, '.', "
                        "'_', '-', ':'");
    assert_string_equal(doc_error("title: t\nid: [x]\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:2:5: rule #1: id: expected an id, got a sequence");
    assert_string_equal(doc_error("title: t\nid:\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:2:4: rule #1: id: expected an id, got nothing");
    assert_string_equal(doc_error("id: m1\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:1:1: rule m1: missing 'title'");
    assert_string_equal(doc_error("title: [x]\nid: m1\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:1:8: rule m1: title: expected a string, got a sequence");
    assert_string_equal(doc_error("title: t\nid: m1\nname: 'x y'\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:3:7: rule m1: name: name 'x y' must be 1..128 letters, digits, '.', "
                        "'_', '-', ':'");
    /* A rule's name may be its id; ids and names are unique otherwise. */
    corr_ruleset_t *rs = load_ok("title: t\nid: m1\nname: m1\nlevel: low\n" LOGSRC DETECT, 1);
    corr_ruleset_free(rs);
    const char *dup_id = "title: t\nid: m1\nlevel: low\n" LOGSRC DETECT /* 1-5 */
                         "---\n"                                        /* 6 */
                         "title: u\nid: m1\nlevel: low\n" LOGSRC DETECT;
    assert_string_equal(doc_error(dup_id),
                        "m.yml:8:5: rule m1: id: id 'm1' is already used by rule m1 at m.yml:1");
    const char *dup_name = "title: t\nid: m1\nlevel: low\n" LOGSRC DETECT /* 1-5 */
                           "---\n"                                        /* 6 */
                           "title: u\nid: m2\nname: m1\nlevel: low\n" LOGSRC DETECT;
    assert_string_equal(
        doc_error(dup_name),
        "m.yml:9:7: rule m2: name: name 'm1' is already used by rule m1 at m.yml:1");
    const char *name_then_id =
        "title: t\nid: m1\nname: shared\nlevel: low\n" LOGSRC DETECT "---\n" /* 7 */
        "title: u\nid: shared\nlevel: low\n" LOGSRC DETECT;
    assert_string_equal(doc_error(name_then_id),
                        "m.yml:9:5: rule shared: id: id 'shared' is already used by rule m1 at "
                        "m.yml:1");
}

static void test_level_status_version(void **state)
{
    (void)state;
    assert_string_equal(doc_error("title: t\nid: m1\n" LOGSRC DETECT),
                        "m.yml:1:1: rule m1: missing 'level' (informational, low, medium, high, "
                        "critical)");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: severe\n" LOGSRC DETECT),
                        "m.yml:3:8: rule m1: level: unknown level 'severe' (informational, low, "
                        "medium, high, critical)");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: High\n" LOGSRC DETECT),
                        "m.yml:3:8: rule m1: level: unknown level 'High' (informational, low, "
                        "medium, high, critical)");
    assert_string_equal(doc_error("title: t\nid: m1\nstatus: draft\nlevel: low\n" LOGSRC DETECT),
                        "m.yml:3:9: rule m1: status: unknown status 'draft' (stable, test, "
                        "experimental, deprecated, unsupported)");
    const char *bad_versions[] = {"0", "01", "1.5", "10000000", "-1", "x"};
    for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
        char text[512], want[256];
        snprintf(text, sizeof(text), "title: t\nid: m1\nversion: %s\nlevel: low\n" LOGSRC DETECT,
                 bad_versions[i]);
        snprintf(want, sizeof(want),
                 "m.yml:3:10: rule m1: version: expected an integer 1..9999999, got '%s'",
                 bad_versions[i]);
        assert_string_equal(doc_error(text), want);
    }
    corr_ruleset_t *rs = load_ok("title: t\nid: m1\nversion: 9999999\nstatus: deprecated\n"
                                 "level: informational\n" LOGSRC DETECT,
                                 1);
    const corr_rule_t *r = corr_ruleset_rule(rs, 0);
    assert_int_equal(r->version, 9999999);
    assert_string_equal(r->status, "deprecated");
    assert_int_equal(r->severity, CORR_LEVEL_INFORMATIONAL);
    assert_string_equal(r->description, "");
    assert_string_equal(r->author, "");
    assert_int_equal(r->ntags, 0);
    assert_int_equal(r->nfalsepositives, 0);
    assert_true(r->standalone);
    corr_ruleset_free(rs);
}

static void test_tags(void **state)
{
    (void)state;
    assert_string_equal(
        doc_error("title: t\nid: m1\nlevel: low\ntags: attack.t1190\n" LOGSRC DETECT),
        "m.yml:4:7: rule m1: tags: expected a list of tags");
    const char *bad[] = {"attack.t119",   "attack.t1110.1", "attack.foo", "attack.t1190.0012",
                         "attack.t11900", "attack.",        "ATTACK.x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[512], want[256];
        snprintf(text, sizeof(text), "title: t\nid: m1\nlevel: low\ntags: [%s]\n" LOGSRC DETECT,
                 bad[i]);
        snprintf(want, sizeof(want),
                 "m.yml:4:8: rule m1: tags[0]: unknown ATT&CK tag '%s' (techniques are "
                 "attack.tNNNN[.NNN], tactics like attack.initial-access)",
                 bad[i]);
        assert_string_equal(doc_error(text), want);
    }
    assert_string_equal(
        doc_error("title: t\nid: m1\nlevel: low\ntags: [ok, 'a b']\n" LOGSRC DETECT),
        "m.yml:4:12: rule m1: tags[1]: tag 'a b' must be 1..64 bytes without "
        "spaces");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\ntags: ['']\n" LOGSRC DETECT),
                        "m.yml:4:8: rule m1: tags[0]: empty tag");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\ntags: [{a: b}]\n" LOGSRC DETECT),
                        "m.yml:4:8: rule m1: tags[0]: expected a string, got a mapping");
    corr_ruleset_t *rs =
        load_ok("title: t\nid: m1\nlevel: low\n"
                "tags: [attack.s0001, attack.G0007, Attack.Lateral_Movement,\n"
                "       attack.t1021.002, custom.tag, attack.impact,\n"
                "       attack.lateral-movement, attack.T1021.002]\n" LOGSRC DETECT,
                1);
    const corr_rule_t *r = corr_ruleset_rule(rs, 0);
    assert_int_equal(r->ntags, 8);
    assert_string_equal(r->tags[2], "Attack.Lateral_Movement");
    assert_int_equal(r->ntactics, 2);
    assert_string_equal(r->tactics[0], "lateral-movement");
    assert_string_equal(r->tactics[1], "impact");
    assert_int_equal(r->ntechniques, 1);
    assert_string_equal(r->techniques[0], "T1021.002");
    corr_ruleset_free(rs);
}

static void test_logsource(void **state)
{
    (void)state;
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\n" DETECT),
                        "m.yml:1:1: rule m1: missing 'logsource'");
    assert_string_equal(
        doc_error("title: t\nid: m1\nlevel: low\nlogsource: {category: web}\n" DETECT),
        "m.yml:4:23: rule m1: logsource.category: unknown category 'web' (alert, "
        "flow, dns, http, tls, anomaly, stats, correlation)");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\nlogsource: {product: x}\n" DETECT),
                        "m.yml:4:12: rule m1: logsource: missing 'category' (alert, flow, dns, "
                        "http, tls, anomaly, stats, correlation)");
    assert_string_equal(
        doc_error("title: t\nid: m1\nlevel: low\nlogsource: {categry: http}\n" DETECT),
        "m.yml:4:13: rule m1: logsource: unknown key 'categry' (did you mean "
        "'category'?)");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\nlogsource: http\n" DETECT),
                        "m.yml:4:12: rule m1: logsource: expected a mapping {category: ...}");
    assert_string_equal(
        doc_error("title: t\nid: m1\nlevel: low\nlogsource: {category: [http]}\n" DETECT),
        "m.yml:4:23: rule m1: logsource.category: expected a string, got a "
        "sequence");
    const char *cats[] = {"alert", "flow", "dns", "http", "tls", "anomaly", "stats", "correlation"};
    for (int i = 0; i < 8; i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "title: t\nid: m1\nlevel: low\nlogsource: {category: %s, product: soc-sensor, "
                 "service: eve}\n" DETECT,
                 cats[i]);
        corr_ruleset_t *rs = load_ok(text, 1);
        assert_int_equal(corr_ruleset_rule(rs, 0)->category, i);
        assert_string_equal(corr_category_name(corr_ruleset_rule(rs, 0)->category), cats[i]);
        corr_ruleset_free(rs);
    }
}

static void test_body_keys(void **state)
{
    (void)state;
    const char *head = "title: t\nid: m1\nlevel: low\n" LOGSRC DETECT; /* 5 lines */
    char text[1024];
    snprintf(text, sizeof(text), "%sgenerate: true\n", head);
    assert_string_equal(doc_error(text), "m.yml:6:1: rule m1: generate: 'generate' is for "
                                         "correlation rules (it says whether the rules they use "
                                         "raise incidents too)");
    snprintf(text, sizeof(text), "%ssuppress: 1w\n", head);
    assert_string_equal(doc_error(text), "m.yml:6:11: rule m1: suppress: expected a duration like "
                                         "30s, 5m, 1h, 1d (0s..30d), got '1w'");
    snprintf(text, sizeof(text), "%sfalsepositives: {a: b}\n", head);
    assert_string_equal(doc_error(text), "m.yml:6:17: rule m1: falsepositives: expected a list of "
                                         "strings, got a mapping");
    snprintf(text, sizeof(text), "%sdescription: [x]\n", head);
    assert_string_equal(doc_error(text),
                        "m.yml:6:14: rule m1: description: expected a string, got a sequence");
    snprintf(text, sizeof(text), "%slevle: low\n", head);
    assert_string_equal(doc_error(text),
                        "m.yml:6:1: rule m1: unknown key 'levle' (did you mean 'level'?)");
    snprintf(text, sizeof(text), "%saction: global\n", head);
    assert_string_equal(doc_error(text), "m.yml:6:1: rule m1: unknown key 'action'");
    assert_string_equal(doc_error("title: t\nid: m1\nlevel: low\n" LOGSRC),
                        "m.yml:1:1: rule m1: missing 'detection' or 'correlation'");
    assert_string_equal(doc_error("just text\n"),
                        "m.yml:1:1: rule #1: expected a mapping (a rule), got a scalar");

    /* A long description. */
    static char big[6000];
    snprintf(big, sizeof(big), "%sdescription: ", head);
    size_t n = strlen(big);
    memset(big + n, 'x', 4097);
    strcpy(big + n + 4097, "\n");
    assert_string_equal(doc_error(big), "m.yml:6:14: rule m1: description: longer than 4096 bytes");

    /* Sigma's descriptive keys are accepted; suppress 0s means none. */
    snprintf(text, sizeof(text),
             "%sdate: 2024/03/01\nmodified: 2024-03-02\nreferences: [https://example.org]\n"
             "license: DRL\nrelated: [{id: x, type: derived}]\nfields: [src_ip]\n"
             "taxonomy: soc\nscope: [server]\nsuppress: 0s\nfalsepositives: one\n"
             "description: |\n  two\n  lines\n",
             head);
    corr_ruleset_t *rs = load_ok(text, 1);
    const corr_rule_t *r = corr_ruleset_rule(rs, 0);
    assert_int_equal(r->suppress_usec, 0);
    assert_int_equal(r->nfalsepositives, 1);
    assert_string_equal(r->falsepositives[0], "one");
    assert_string_equal(r->description, "two\nlines\n");
    corr_ruleset_free(rs);
}

static void test_documents(void **state)
{
    (void)state;
    /* Empty documents are nothing; others count from 1 in messages. */
    const char *text = "---\n"                                        /* 1 */
                       "---\n"                                        /* 2 */
                       "title: t\nid: m1\nlevel: low\n" LOGSRC DETECT /* 3-7 */
                       "---\n"                                        /* 8 */
                       "title: u\nlevel: low\n"                       /* 9-10 */
                       "---\n";                                       /* 11 */
    corr_ruleset_t *rs = load_text("m.yml", text);
    assert_int_equal(corr_ruleset_loaded(rs), 1);
    assert_int_equal(corr_ruleset_skipped(rs), 1);
    assert_int_equal(n_diag, 1);
    assert_string_equal(diag_line[0], "m.yml:9:1: rule #3: missing 'id'");
    corr_ruleset_free(rs);

    /* A file that is not YAML is one skipped entry, named by the loader. */
    rs = load_text("m.yml", "title: [x\nid: y\n");
    assert_int_equal(corr_ruleset_loaded(rs), 0);
    assert_int_equal(corr_ruleset_skipped(rs), 1);
    assert_int_equal(n_diag, 1);
    assert_int_equal(strncmp(diag_line[0], "m.yml:", 6), 0);
    corr_ruleset_free(rs);

    rs = load_text("m.yml", "");
    assert_int_equal(corr_ruleset_loaded(rs), 0);
    assert_int_equal(corr_ruleset_skipped(rs), 0);
    assert_int_equal(n_diag, 0);
    corr_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_title_name), cmocka_unit_test(test_level_status_version),
        cmocka_unit_test(test_tags),          cmocka_unit_test(test_logsource),
        cmocka_unit_test(test_body_keys),     cmocka_unit_test(test_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
