/* test_corr_cond.c -- Sigma detection conditions: precedence (not > and >
 * or), parentheses, '1 of' / 'all of' with patterns and 'them' (which
 * leaves out names starting with '_'), lists of conditions, keywords in
 * any case; and every parse error with the exact line and column of the
 * offending token, counted by hand from the rule text. */
#include "test_corr_util.h"

/* Selections t1, t2 hold on the event, f1, f2 do not, _t does. The
 * condition is on line 12, its plain text starting at column 14. */
#define DET_HEAD                                                                                   \
    "title: t\n"                                                                                   \
    "id: c1\n"                                                                                     \
    "level: low\n"                                                                                 \
    "logsource:\n"                                                                                 \
    "  category: flow\n"                                                                           \
    "detection:\n"                                                                                 \
    "  t1: {dest_port: 80}\n"                                                                      \
    "  t2: {proto: TCP}\n"                                                                         \
    "  f1: {dest_port: 81}\n"                                                                      \
    "  f2: {proto: UDP}\n"                                                                         \
    "  _t: {dest_port: 80}\n"

static const char EVENT[] =
    "{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\","
    "\"dest_port\":80,\"proto\":\"TCP\"}";

static tevent_t tev;

/* The condition text (YAML after "condition: ") evaluated on EVENT. */
static bool cond(const char *c)
{
    char text[8192];
    snprintf(text, sizeof(text), DET_HEAD "  condition: %s\n", c);
    corr_ruleset_t *rs = load_text("c.yml", text);
    if (corr_ruleset_loaded(rs) != 1) {
        corr_ruleset_free(rs);
        fail_msg("condition '%s' did not load: %s", c, n_diag ? diag_line[0] : "?");
    }
    bool r = corr_rule_match(corr_ruleset_rule(rs, 0), make_event(&tev, EVENT, NULL));
    corr_ruleset_free(rs);
    return r;
}

/* The error line of a rule text that must be skipped. */
static const char *text_error(const char *text)
{
    corr_ruleset_t *rs = load_text("c.yml", text);
    size_t loaded = corr_ruleset_loaded(rs), skipped = corr_ruleset_skipped(rs);
    corr_ruleset_free(rs);
    if (loaded != 0 || skipped != 1 || n_diag != 1)
        fail_msg("loaded %zu, skipped %zu, %d lines (%s)", loaded, skipped, n_diag,
                 n_diag ? diag_line[0] : "");
    return diag_line[0];
}

static const char *cond_error(const char *c)
{
    static char text[8192];
    snprintf(text, sizeof(text), DET_HEAD "  condition: %s\n", c);
    return text_error(text);
}

static void test_single_and_not(void **state)
{
    (void)state;
    assert_true(cond("t1"));
    assert_false(cond("f1"));
    assert_true(cond("not f1"));
    assert_false(cond("not t1"));
    assert_true(cond("not not t1"));
    assert_true(cond("t1 and t2"));
    assert_false(cond("t1 and f1"));
    assert_true(cond("f1 or t1"));
    assert_false(cond("f1 or f2"));
}

static void test_precedence(void **state)
{
    (void)state;
    /* and binds tighter than or: t1 or (t2 and f1); left to right would
     * give (t1 or t2) and f1 = false. */
    assert_true(cond("t1 or t2 and f1"));
    assert_false(cond("(t1 or t2) and f1"));
    assert_false(cond("f1 and t1 or f2"));
    /* not binds tighter than and/or: (not t1) or t2. */
    assert_true(cond("not t1 or t2"));
    assert_false(cond("not (t1 or t2)"));
    assert_true(cond("not f1 and t1"));
    assert_false(cond("not (f1 or t1) and t1"));
    assert_true(cond("((t1))"));
    assert_true(cond("t1 and (f1 or (t2 and not f2))"));
    /* Keywords in any case; selection names keep theirs. */
    assert_true(cond("t1 AND Not f1"));
    assert_true(cond("f1 OR t2"));
}

static void test_of(void **state)
{
    (void)state;
    assert_true(cond("1 of t*"));
    assert_true(cond("all of t*"));
    assert_false(cond("1 of f*"));
    assert_false(cond("all of f*"));
    assert_true(cond("1 of *1"));    /* t1 or f1 */
    assert_false(cond("all of *1")); /* t1 and f1 */
    assert_true(cond("1 of them"));
    assert_false(cond("all of them")); /* t1 t2 f1 f2, not _t */
    assert_true(cond("all of _*"));
    assert_true(cond("all of t* and not 1 of f*"));
    assert_true(cond("ALL OF t1"));
    assert_true(cond("not all of *"));
}

static void test_forms(void **state)
{
    (void)state;
    /* A list of conditions is their OR. */
    assert_true(cond("[f1, t1]"));
    assert_false(cond("[f1, f2 and t1]"));
    /* Block scalars and extra spaces. */
    assert_true(cond("|\n    t1\n    and t2"));
    assert_true(cond("'  t1\tand   t2  '"));
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(cond_error("t1 and"), "c.yml:12:20: rule c1: detection.condition: expected "
                                              "a selection, found end of condition");
    assert_string_equal(cond_error("t1 and nothere"),
                        "c.yml:12:21: rule c1: detection.condition: unknown selection 'nothere'");
    assert_string_equal(cond_error("(t1 or f1"),
                        "c.yml:12:23: rule c1: detection.condition: expected ')' for the '(' at "
                        "character 1, found end of condition");
    assert_string_equal(cond_error("t1 and (f1 or (t2) f2"),
                        "c.yml:12:33: rule c1: detection.condition: expected ')' for the '(' at "
                        "character 8, found 'f2'");
    assert_string_equal(cond_error("t1 or f1)"),
                        "c.yml:12:22: rule c1: detection.condition: unbalanced ')'");
    assert_string_equal(cond_error("t1 f1"), "c.yml:12:17: rule c1: detection.condition: expected "
                                             "'and', 'or' or the end, found 'f1'");
    assert_string_equal(cond_error("2 of t*"), "c.yml:12:14: rule c1: detection.condition: only '1 "
                                               "of' and 'all of' are supported");
    assert_string_equal(cond_error("1 t*"),
                        "c.yml:12:16: rule c1: detection.condition: expected 'of', found 't*'");
    assert_string_equal(cond_error("1 of"),
                        "c.yml:12:18: rule c1: detection.condition: expected a selection name, a "
                        "pattern or 'them', found end of condition");
    assert_string_equal(cond_error("1 of x*"),
                        "c.yml:12:19: rule c1: detection.condition: 'x*' matches no selection");
    assert_string_equal(cond_error("t*"), "c.yml:12:14: rule c1: detection.condition: pattern 't*' "
                                          "needs '1 of' or 'all of'");
    assert_string_equal(cond_error("t1 | count() > 5"),
                        "c.yml:12:17: rule c1: detection.condition: aggregations after '|' are not "
                        "supported (use a correlation rule)");
    assert_string_equal(cond_error("t1 and $x"), "c.yml:12:21: rule c1: detection.condition: "
                                                 "expected a selection, found '$'");
    assert_string_equal(cond_error("t1 and é"), "c.yml:12:21: rule c1: detection.condition: "
                                                "expected a selection, found 'é'");
    assert_string_equal(cond_error("and t1"), "c.yml:12:14: rule c1: detection.condition: expected "
                                              "a selection, found 'and'");
    assert_string_equal(cond_error("not"), "c.yml:12:17: rule c1: detection.condition: expected a "
                                           "selection, found end of condition");
    /* Quoted: the text starts one column after the quote. */
    assert_string_equal(cond_error("\"t1 and  nothere\""),
                        "c.yml:12:23: rule c1: detection.condition: unknown selection 'nothere'");
    assert_string_equal(cond_error("''"),
                        "c.yml:12:15: rule c1: detection.condition: empty condition");
    assert_string_equal(cond_error("~"), "c.yml:12:14: rule c1: detection.condition: expected a "
                                         "condition like 'selection and not filter'");
    assert_string_equal(cond_error("[]"),
                        "c.yml:12:14: rule c1: detection.condition: expected 1..512 conditions");
    assert_string_equal(cond_error("[t1, t1 or]"), "c.yml:12:24: rule c1: detection.condition[1]: "
                                                   "expected a selection, found end of condition");
    /* Over several lines the place is the scalar's, plus the character. */
    assert_string_equal(cond_error("|\n    t1 and\n    nothere"),
                        "c.yml:12:14: rule c1: detection.condition: unknown selection 'nothere' "
                        "(at character 8)");
}

static void test_several_in_one_file(void **state)
{
    (void)state;
    const char *text = "title: t\nid: x1\nlevel: low\nlogsource: {category: flow}\n" /* 1-4 */
                       "detection: {s: {a: 1}, condition: s or}\n"                   /* 5 */
                       "---\n"                                                       /* 6 */
                       "title: t\nid: x2\nlevel: low\nlogsource: {category: flow}\n" /* 7-10 */
                       "detection:\n  s: {a: 1}\n  condition: \"s and (s\"\n"        /* 11-13 */
                       "---\n"                                                       /* 14 */
                       "title: t\nid: x3\nlevel: low\nlogsource: {category: flow}\n" /* 15-18 */
                       "detection: {s: {a: 1}, condition: 'é and s'}\n";             /* 19 */
    corr_ruleset_t *rs = load_text("s.yml", text);
    assert_int_equal(corr_ruleset_skipped(rs), 3);
    assert_int_equal(n_diag, 3);
    assert_string_equal(diag_line[0], "s.yml:5:39: rule x1: detection.condition: expected a "
                                      "selection, found end of condition");
    assert_string_equal(diag_line[1], "s.yml:13:23: rule x2: detection.condition: expected ')' "
                                      "for the '(' at character 7, found end of condition");
    assert_string_equal(diag_line[2], "s.yml:19:36: rule x3: detection.condition: expected a "
                                      "selection, found 'é'");
    corr_ruleset_free(rs);
}

static void test_limits(void **state)
{
    (void)state;
    /* 33 nested parentheses: the 33rd '(' is at character 33, column 46. */
    char c[8192] = "";
    for (int i = 0; i < 33; i++)
        strcat(c, "(");
    strcat(c, "t1");
    for (int i = 0; i < 33; i++)
        strcat(c, ")");
    assert_string_equal(cond_error(c), "c.yml:12:46: rule c1: detection.condition: condition "
                                       "nested deeper than 32");
    c[0] = '\0';
    for (int i = 0; i < 32; i++)
        strcat(c, "(");
    strcat(c, "t1");
    for (int i = 0; i < 32; i++)
        strcat(c, ")");
    assert_true(cond(c));
    /* 300 terms joined by or: more than 512 nodes. */
    c[0] = '\0';
    for (int i = 0; i < 300; i++)
        strcat(c, i ? " or t1" : "t1");
    assert_non_null(strstr(cond_error(c), "condition has more than 512 terms"));
    /* A condition longer than 4096 bytes. */
    c[0] = '\0';
    for (int i = 0; i < 700; i++)
        strcat(c, i ? " or t1" : "t1");
    assert_string_equal(cond_error(c),
                        "c.yml:12:14: rule c1: detection.condition: condition longer "
                        "than 4096 bytes");
}

static void test_detection_errors(void **state)
{
    (void)state;
    const char *head = "title: t\nid: c1\nlevel: low\nlogsource: {category: flow}\n";
    char text[2048];
    snprintf(text, sizeof(text), "%sdetection:\n  1bad: {a: 1}\n  condition: 1bad\n", head);
    assert_string_equal(text_error(text), "c.yml:6:3: rule c1: detection.1bad: selection name "
                                          "'1bad' must be 1..64 letters, digits and '_', not "
                                          "starting with a digit");
    snprintf(text, sizeof(text), "%sdetection:\n  sel-x: {a: 1}\n  condition: sel\n", head);
    assert_string_equal(text_error(text), "c.yml:6:3: rule c1: detection.sel-x: selection name "
                                          "'sel-x' must be 1..64 letters, digits and '_', not "
                                          "starting with a digit");
    snprintf(text, sizeof(text), "%sdetection:\n  Not: {a: 1}\n  condition: Not\n", head);
    assert_string_equal(text_error(text),
                        "c.yml:6:3: rule c1: detection.Not: selection name 'Not' is a condition "
                        "keyword");
    snprintf(text, sizeof(text), "%sdetection:\n  s: {a: 1}\n  timeframe: 5m\n  condition: s\n",
             head);
    assert_string_equal(text_error(text), "c.yml:7:3: rule c1: detection.timeframe: timeframe is "
                                          "not supported (use a correlation rule)");
    snprintf(text, sizeof(text), "%sdetection:\n  s: x\n  condition: s\n", head);
    assert_string_equal(text_error(text), "c.yml:6:6: rule c1: detection.s: expected a mapping of "
                                          "field: value, or a list of them");
    snprintf(text, sizeof(text), "%sdetection:\n  s: [a, b]\n  condition: s\n", head);
    assert_string_equal(text_error(text),
                        "c.yml:6:7: rule c1: detection.s[0]: expected a mapping of field: value "
                        "(plain keyword lists are not supported)");
    snprintf(text, sizeof(text), "%sdetection:\n  s: {}\n  condition: s\n", head);
    assert_string_equal(text_error(text), "c.yml:6:6: rule c1: detection.s: empty selection");
    snprintf(text, sizeof(text), "%sdetection:\n  s: []\n  condition: s\n", head);
    assert_string_equal(text_error(text), "c.yml:6:6: rule c1: detection.s: empty selection");
    snprintf(text, sizeof(text), "%sdetection:\n  s: [{a: 1}, {}]\n  condition: s\n", head);
    assert_string_equal(text_error(text), "c.yml:6:15: rule c1: detection.s[1]: empty selection");
    snprintf(text, sizeof(text), "%sdetection:\n  s: {a: 1}\n", head);
    assert_string_equal(text_error(text), "c.yml:6:3: rule c1: detection: missing 'condition'");
    snprintf(text, sizeof(text), "%sdetection:\n  condition: s\n", head);
    assert_string_equal(text_error(text), "c.yml:6:3: rule c1: detection: no selections");
    snprintf(text, sizeof(text), "%sdetection: [s]\n", head);
    assert_string_equal(text_error(text), "c.yml:5:12: rule c1: detection: expected a mapping of "
                                          "selections and a condition");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_and_not),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_of),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_several_in_one_file),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_detection_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
