/* test_corr_load.c -- rule files from disk: the project's own
 * rules/correlation/ loads whole; tests/data/correlation/ (broken files,
 * see its README.md) gives exactly the expected error lines in file order;
 * several paths, missing paths; and `socctl rules check` on both, with its
 * output and exit codes. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "socctl/rules.h"
#include "test_corr_util.h"

static char src_dir[1024], rules_dir[1100], data_dir[1100];

static int setup(void **state)
{
    (void)state;
    const char *s = getenv("SOC_SOURCE_DIR");
    snprintf(src_dir, sizeof(src_dir), "%s", s ? s : ".");
    snprintf(rules_dir, sizeof(rules_dir), "%s/rules/correlation", src_dir);
    snprintf(data_dir, sizeof(data_dir), "%s/tests/data/correlation", src_dir);
    return 0;
}

/* The lines test data gives, after the directory prefix. */
static const char *const data_lines[] = {
    "/bad-rules.yml:9:5: rule bad-modifier: detection.sel.http.url|contain: unknown modifier "
    "'contain'",
    "/bad-rules.yml:14:8: rule bad-level: level: unknown level 'urgent' (informational, low, "
    "medium, high, critical)",
    "/bad-rules.yml:25:28: rule bad-condition: detection.condition: unknown selection 'fliter'",
    "/bad-rules.yml:27:1: rule #4: missing 'id'",
    "/bad-rules.yml:39:13: rule bad-timespan: correlation.timespan: expected a duration like 30s, "
    "5m, 1h, 1d (1s..30d), got '10 minutes'",
    "/bad-rules.yml:46:3: rule bad-group: correlation: temporal needs 'group-by' (events of one "
    "group key)",
    /* libyaml's own words for the syntax error, at the stray '}' */
    "/bad-yaml.yml:7:19: did not find expected ',' or ']' (while parsing a flow sequence at 7:14)",
    "/refs.yml:16:22: rule uses-skipped: correlation.rules[1]: rule 'bad_mod' was skipped (see "
    "its error)",
    "/refs.yml:25:17: rule uses-unknown: correlation.rules[1]: unknown rule 'missing_rule'",
};
#define N_DATA_LINES (sizeof(data_lines) / sizeof(data_lines[0]))

static void test_project_rules(void **state)
{
    (void)state;
    const char *paths[] = {rules_dir};
    n_diag = 0;
    corr_ruleset_t *rs = corr_ruleset_load(paths, 1, diag_capture, NULL);
    assert_non_null(rs);
    for (int i = 0; i < n_diag; i++)
        print_message("%s\n", diag_line[i]);
    assert_int_equal(n_diag, 0);
    assert_int_equal(corr_ruleset_skipped(rs), 0);
    assert_int_equal(corr_ruleset_loaded(rs), 52); /* the "id:" lines of rules/correlation */
    /* Every correlation rule's references point at loaded rules that
     * list it among their users. */
    const corr_rule_t *const *corrs;
    size_t n = corr_ruleset_correlations(rs, &corrs);
    assert_int_equal(n, 25); /* the "correlation:" blocks */
    for (size_t i = 0; i < n; i++) {
        const corr_rule_t *c = corrs[i];
        assert_true(c->corr.nrules >= 1);
        assert_true(c->corr.timespan_usec >= 1000000);
        for (size_t k = 0; k < c->corr.nrules; k++) {
            const corr_rule_t *t = c->corr.rules[k];
            assert_ptr_equal(corr_ruleset_rule(rs, t->index), t);
            bool listed = false;
            for (size_t u = 0; u < t->nused_by; u++)
                listed |= t->used_by[u] == c;
            assert_true(listed);
        }
    }
    const corr_rule_t *scan = corr_ruleset_find(rs, "0c5e8d1e-2b51-4c3a-8f77-5d6e7f809102");
    assert_non_null(scan);
    assert_int_equal(scan->corr.type, CORR_TYPE_VALUE_COUNT);
    assert_string_equal(scan->corr.field, "dest_port");
    const corr_rule_t *callback = corr_ruleset_find(rs, "5d2a9c77-81f0-4e0b-b0a4-6f7a8b9c0d03");
    assert_non_null(callback);
    assert_int_equal(callback->corr.type, CORR_TYPE_TEMPORAL_ORDERED);
    assert_int_equal(callback->severity, CORR_LEVEL_CRITICAL);
    corr_ruleset_free(rs);
}

static void test_broken_data(void **state)
{
    (void)state;
    const char *paths[] = {data_dir};
    n_diag = 0;
    corr_ruleset_t *rs = corr_ruleset_load(paths, 1, diag_capture, NULL);
    assert_non_null(rs);
    assert_int_equal(n_diag, N_DATA_LINES);
    for (size_t i = 0; i < N_DATA_LINES; i++) {
        char want[1200];
        snprintf(want, sizeof(want), "%s%s", data_dir, data_lines[i]);
        assert_string_equal(diag_line[i], want);
    }
    assert_int_equal(corr_ruleset_loaded(rs), 3);
    assert_int_equal(corr_ruleset_skipped(rs), 9);
    assert_non_null(corr_ruleset_find(rs, "fine"));
    assert_non_null(corr_ruleset_find(rs, "good_http"));
    const corr_rule_t *probe = corr_ruleset_find(rs, "probe-admin");
    assert_non_null(probe);
    assert_ptr_equal(probe->corr.rules[0], corr_ruleset_find(rs, "good_http")); /* across files */
    assert_null(corr_ruleset_find(rs, "bad-level"));
    corr_ruleset_free(rs);
}

static void test_paths(void **state)
{
    (void)state;
    char good[1200], missing[1200], slash[1200];
    snprintf(good, sizeof(good), "%s/good.yml", data_dir);
    snprintf(missing, sizeof(missing), "%s/no-such.yml", data_dir);
    snprintf(slash, sizeof(slash), "%s/", rules_dir);
    const char *paths[] = {slash, good, missing};
    n_diag = 0;
    corr_ruleset_t *rs = corr_ruleset_load(paths, 3, diag_capture, NULL);
    assert_int_equal(corr_ruleset_loaded(rs), 53);
    assert_int_equal(corr_ruleset_skipped(rs), 1);
    assert_int_equal(n_diag, 1);
    char want[4096];
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", missing);
    assert_string_equal(diag_line[0], want);
    /* Files of a directory are named through it, without a double slash. */
    const corr_rule_t *r = corr_ruleset_find(rs, "web_sqli_tool");
    snprintf(want, sizeof(want), "%s/web-attacks.yml", rules_dir);
    assert_string_equal(r->file, want);
    corr_ruleset_free(rs);

    /* The same file twice: its ids are taken the second time. */
    const char *twice[] = {good, good};
    n_diag = 0;
    rs = corr_ruleset_load(twice, 2, diag_capture, NULL);
    assert_int_equal(corr_ruleset_loaded(rs), 1);
    assert_int_equal(corr_ruleset_skipped(rs), 1);
    snprintf(want, sizeof(want),
             "%s:2:5: rule 3e7c1a90-0d4f-4b8e-a1c2-5f6e7d8c9b01: id: id "
             "'3e7c1a90-0d4f-4b8e-a1c2-5f6e7d8c9b01' is already used by rule "
             "3e7c1a90-0d4f-4b8e-a1c2-5f6e7d8c9b01 at %s:1",
             good, good);
    assert_string_equal(diag_line[0], want);
    corr_ruleset_free(rs);

    rs = corr_ruleset_load(NULL, 0, diag_capture, NULL);
    assert_int_equal(corr_ruleset_loaded(rs), 0);
    assert_int_equal(corr_ruleset_skipped(rs), 0);
    corr_ruleset_free(rs);
}

/* rules_main with stdout captured into out. */
static int socctl(int argc, const char *const *argv, char *out, size_t cap)
{
    char path[] = "/tmp/test_corr_loadXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = rules_main(argc, (char **)argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    return rc;
}

static void test_socctl_rules_check(void **state)
{
    (void)state;
    static char out[16384], want[16384];
    const char *ok[] = {"rules", "check", rules_dir, NULL};
    assert_int_equal(socctl(3, ok, out, sizeof(out)), 0);
    assert_string_equal(out, "52 rules loaded, 0 skipped\n");

    const char *bad[] = {"rules", "check", data_dir, NULL};
    assert_int_equal(socctl(3, bad, out, sizeof(out)), 1);
    want[0] = '\0';
    for (size_t i = 0; i < N_DATA_LINES; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s\n", data_dir,
                 data_lines[i]);
    strcat(want, "3 rules loaded, 9 skipped\n");
    assert_string_equal(out, want);

    const char *usage[] = {"rules", NULL};
    assert_int_equal(socctl(1, usage, out, sizeof(out)), 2);
    const char *unknown[] = {"rules", "list", NULL};
    assert_int_equal(socctl(2, unknown, out, sizeof(out)), 2);
    const char *option[] = {"rules", "check", "--bogus", NULL};
    assert_int_equal(socctl(3, option, out, sizeof(out)), 2);
    const char *help[] = {"rules", "--help", NULL};
    assert_int_equal(socctl(2, help, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "usage: socctl rules check [PATH...]"));

    /* Without a path: the installed rules, else ./rules/correlation. */
    struct stat st;
    if (stat("/etc/soc/rules/correlation", &st) != 0) {
        char cwd[4096];
        assert_non_null(getcwd(cwd, sizeof(cwd)));
        assert_int_equal(chdir(src_dir), 0);
        const char *dflt[] = {"rules", "check", NULL};
        int rc = socctl(2, dflt, out, sizeof(out));
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(rc, 0);
        assert_string_equal(out, "52 rules loaded, 0 skipped\n");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project_rules),
        cmocka_unit_test(test_broken_data),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_socctl_rules_check),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
