/* test_rule_set.c -- rule files and the set: comments, continuation lines,
 * duplicate sids, classification.config, variables from YAML, totals by
 * skip reason, and the ET Open load measurement.
 *
 * The ET Open test loads every emerging-*.rules of the snapshot in
 * $SOC_SHARED_DIR/rulesets/et-open/ (skipped when absent), checks that at
 * least 95% of the enabled rules load and that every skipped rule is
 * skipped for an unsupported keyword (no parse errors on real rules), and
 * prints the totals by reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glob.h>
#include <unistd.h>

#include "config.h"
#include "detect/rule_set.h"

#define MAX_LINES 64

static rule_set_t *rs;
static char lines[MAX_LINES][512];
static int n_lines;

static void capture(void *ud, const char *line)
{
    (void)ud;
    if (n_lines < MAX_LINES) snprintf(lines[n_lines++], sizeof(lines[0]), "%s", line);
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(&(rule_set_opts_t){.pcre_jit = false});
    if (rs == NULL) return -1;
    n_lines = 0;
    rule_set_set_diag(rs, capture, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

static int load(const char *name, const char *text)
{
    return rule_set_load_buffer(rs, name, text, strlen(text));
}

static void test_comments_and_continuations(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF# a comment\n"                                   /* 1 */
                       "\n"                                                          /* 2 */
                       "   # indented comment\n"                                     /* 3 */
                       "#alert tcp any any -> any any (sid:99;)\n"                   /* 4 */
                       "alert tcp any any -> any any (msg:\"one\"; sid:1;)\r\n"      /* 5 */
                       "alert tcp any any -> any any (msg:\"two\"; \\\n"             /* 6 */
                       "   content:\"ab\"; \\\n"                                     /* 7 */
                       "   sid:2;)\n"                                                /* 8 */
                       "  alert udp any any -> any 53 (msg:\"three\"; sid:3;)  \t\n" /* 9 */
                       "alert tcp any any -> any any (msg:\"last\"; sid:4;)";        /* 10 */
    assert_int_equal(load("c.rules", text), 4);
    assert_int_equal(rule_set_count(rs), 4);
    assert_int_equal(n_lines, 0);
    const rule_t *r = rule_set_find(rs, 1, 2);
    assert_non_null(r);
    assert_string_equal(r->msg, "two");
    assert_string_equal(r->file, "c.rules");
    assert_int_equal(r->line, 6);
    assert_int_equal(r->bufs[0].items[0].u.content.len, 2);
    assert_int_equal(rule_set_find(rs, 1, 3)->line, 9);
    assert_int_equal(rule_set_find(rs, 1, 4)->line, 10);
    assert_int_equal(rule_set_find(rs, 1, 1)->index, 0);
    assert_int_equal(rule_set_find(rs, 1, 4)->index, 3);
    assert_null(rule_set_find(rs, 1, 99));
    assert_null(rule_set_find(rs, 2, 1));
    const rule_set_stats_t *st = rule_set_stats(rs);
    assert_int_equal(st->loaded, 4);
    assert_int_equal(st->skipped, 0);
    assert_int_equal(st->files, 1);
    /* a continuation at the end of the file still ends the rule */
    assert_int_equal(load("d.rules", "alert tcp any any -> any any (sid:5;) \\"), 1);
}

static void test_skips_and_reasons(void **state)
{
    (void)state;
    const char *text = "alert tcp any any -> any any (msg:\"a\"; sid:1;)\n"                  /* 1 */
                       "alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"                /* 2 */
                       "alert tcp any any -> any any (msg:\"gid\"; sid:1; gid:3;)\n"         /* 3 */
                       "alert tcp any any -> any any (xbits:set,a,track ip_src; sid:4;)\n"   /* 4 */
                       "alert tcp any any -> any any (content:\"x\"; tag:session; sid:5;)\n" /* 5 */
                       "alert tcp any any -> any any (xbits:isset,b,track ip_src; sid:6;)\n" /* 6 */
                       "alert tcp any any -> any any (content:\"abc; sid:7;)\n"              /* 7 */
                       "garbage\n"                                                           /* 8 */
                       "alert tcp any any -> any any (msg:\"\\\n"                            /* 9 */
                       "x\"; sid:9;)\n"; /* 10 */
    assert_int_equal(load("s.rules", text), 3);
    assert_string_equal(lines[0], "s.rules:2: sid 1: duplicate sid (first at s.rules:1)");
    assert_string_equal(lines[1], "s.rules:4: sid 4: unsupported keyword 'xbits'");
    assert_string_equal(lines[2], "s.rules:5: sid 5: unsupported keyword 'tag'");
    assert_string_equal(lines[3], "s.rules:6: sid 6: unsupported keyword 'xbits'");
    assert_string_equal(lines[4], "s.rules:7: sid 7: content: unterminated string");
    /* line 8 has no header; lines 9-10 are one rule whose msg is "x" */
    assert_int_equal(n_lines, 6);
    assert_string_equal(lines[5], "s.rules:8: sid ?: header: missing protocol");
    assert_string_equal(rule_set_last_error(rs), "s.rules:8: sid ?: header: missing protocol");
    assert_int_equal(rule_set_count(rs), 3);
    assert_string_equal(rule_set_find(rs, 1, 9)->msg, "x");
    assert_string_equal(rule_set_find(rs, 1, 1)->msg, "a");
    assert_string_equal(rule_set_find(rs, 3, 1)->msg, "gid");
    const rule_set_stats_t *st = rule_set_stats(rs);
    assert_int_equal(st->loaded, 3);
    assert_int_equal(st->skipped, 6);

    rule_skip_reason_t r[8];
    assert_int_equal(rule_set_skip_reasons(rs, r, 8), 5);
    assert_string_equal(r[0].reason, "unsupported keyword 'xbits'");
    assert_int_equal(r[0].count, 2);
    /* ties sort by text */
    assert_string_equal(r[1].reason, "duplicate sid");
    assert_string_equal(r[2].reason, "invalid 'content'");
    assert_string_equal(r[3].reason, "invalid header");
    assert_string_equal(r[4].reason, "unsupported keyword 'tag'");
    for (int i = 1; i < 5; i++)
        assert_int_equal(r[i].count, 1);
    /* a short output array still reports the total */
    assert_int_equal(rule_set_skip_reasons(rs, r, 1), 5);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    rule_set_print_summary(rs, out);
    fclose(out);
    const char *head = "rules: 3 loaded, 6 skipped (33.33% of 9 loaded) from 1 files in ";
    assert_memory_equal(buf, head, strlen(head));
    const char *table = " s\n"
                        "        2  unsupported keyword 'xbits'\n"
                        "        1  duplicate sid\n"
                        "        1  invalid 'content'\n"
                        "        1  invalid header\n"
                        "        1  unsupported keyword 'tag'\n";
    assert_non_null(strstr(buf, table));
    assert_string_equal(strstr(buf, table) + strlen(table), "");
    free(buf);
}

static void test_rule_too_long(void **state)
{
    (void)state;
    size_t n = RULE_MAX_LEN + 200;
    char *text = malloc(n + 1);
    char *p = text + sprintf(text, "alert tcp any any -> any any (msg:\"");
    memset(p, 'x', RULE_MAX_LEN);
    strcpy(p + RULE_MAX_LEN, "\"; sid:1;)\nalert tcp any any -> any any (sid:2;)\n");
    assert_int_equal(load("long.rules", text), 1);
    assert_int_equal(n_lines, 1);
    assert_string_equal(lines[0], "long.rules:1: sid ?: rule longer than 65536 bytes");
    assert_non_null(rule_set_find(rs, 1, 2));
    free(text);
}

static void test_rule_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_rule_set_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "alert tcp any any -> any any (msg:\"from file\"; sid:10;)\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(rule_set_load_file(rs, path), 1);
    assert_string_equal(rule_set_find(rs, 1, 10)->file, path);
    unlink(path);
    assert_int_equal(rule_set_load_file(rs, path), -1);
    char want[256];
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    assert_string_equal(lines[n_lines - 1], want);
    assert_int_equal(rule_set_load_file(rs, "/tmp"), -1);
    assert_string_equal(lines[n_lines - 1], "/tmp: not a regular file of at most 256 MiB");
}

static void test_classification(void **state)
{
    (void)state;
    const char *desc;
    uint8_t prio;
    /* the stock table is there from the start */
    assert_true(rule_set_classtype(rs, "trojan-activity", &desc, &prio));
    assert_string_equal(desc, "A Network Trojan was detected");
    assert_int_equal(prio, 1);
    assert_true(rule_set_classtype(rs, "command-and-control", &desc, &prio));
    assert_int_equal(prio, 1);
    assert_false(rule_set_classtype(rs, "local-thing", &desc, &prio));

    const char *text = "# Comment\n"                                                  /* 1 */
                       "config classification: local-thing,Local Thing Happened, 2\n" /* 2 */
                       "config classification: trojan-activity,Trojan (local),3\n"    /* 3 */
                       "config classification: no-priority,Missing\n"                 /* 4 */
                       "config classification: bad name,X,1\n"                        /* 5 */
                       "config classification: zero,Zero,0\n"                         /* 6 */
                       "config reference: url http://\n"                              /* 7 */
                       "   \n"                                                        /* 8 */
                       "config classification: spaced , Spaced Out ,  4  ";           /* 9 */
    assert_int_equal(rule_set_load_classification_buffer(rs, "c.config", text, strlen(text)), 4);
    assert_int_equal(n_lines, 4);
    assert_string_equal(lines[0], "c.config:4: classification: expected "
                                  "'shortname,description,priority'");
    assert_string_equal(lines[1], "c.config:5: classification: invalid shortname");
    assert_string_equal(lines[2], "c.config:6: classification: priority must be 1..255");
    assert_string_equal(lines[3], "c.config:7: classification: expected 'config classification: "
                                  "shortname,description,priority'");
    assert_true(rule_set_classtype(rs, "local-thing", &desc, &prio));
    assert_string_equal(desc, "Local Thing Happened");
    assert_int_equal(prio, 2);
    assert_true(rule_set_classtype(rs, "trojan-activity", &desc, &prio));
    assert_string_equal(desc, "Trojan (local)");
    assert_int_equal(prio, 3);
    assert_true(rule_set_classtype(rs, "spaced", &desc, &prio));
    assert_string_equal(desc, "Spaced Out");
    assert_int_equal(prio, 4);
    /* rules loaded afterwards use the new values */
    const rule_t *r = rule_set_add_rule(
        rs, "alert tcp any any -> any any (classtype:local-thing; sid:1;)", "t", 1);
    assert_non_null(r);
    assert_string_equal(r->category, "Local Thing Happened");
    assert_int_equal(r->severity, 2);

    assert_int_equal(rule_set_load_classification(rs, "/nonexistent/classification.config"), -1);
    assert_string_equal(lines[n_lines - 1],
                        "/nonexistent/classification.config: cannot open: No such file or "
                        "directory");
}

static void test_vars_from_yaml(void **state)
{
    (void)state;
    const char *yaml = "vars:\n"
                       "  address-groups:\n"
                       "    HOME_NET: \"[10.20.0.0/16]\"\n"
                       "    CAMERA_NET: \"[$HOME_NET,!10.20.5.0/24]\"\n"
                       "  port-groups:\n"
                       "    HTTP_PORTS: \"[80,8080]\"\n";
    char err[256];
    cfg_t *cfg = cfg_load_buffer("soc.yaml", yaml, strlen(yaml), err, sizeof(err));
    assert_non_null(cfg);
    assert_true(rule_set_load_vars(rs, cfg_get(cfg, "vars"), err, sizeof(err)));
    cfg_free(cfg);
    assert_string_equal(rule_set_var_address_get(rs, "CAMERA_NET"), "[$HOME_NET,!10.20.5.0/24]");
    assert_string_equal(rule_set_var_port_get(rs, "HTTP_PORTS"), "[80,8080]");
    const rule_t *r = rule_set_add_rule(
        rs, "alert tcp $CAMERA_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)", "t", 1);
    assert_non_null(r);
    assert_int_equal(r->src->n4, 2);
    assert_int_equal(r->src->v4[0].lo, 0x0a140000);
    assert_int_equal(r->src->v4[0].hi, 0x0a1404ff);
    assert_int_equal(r->src->v4[1].lo, 0x0a140600);
    assert_int_equal(r->dst->n4, 2); /* everything but 10.20.0.0/16 */
    assert_int_equal(r->dport->n, 2);

    const char *bad = "vars:\n"
                      "  address-groups:\n"
                      "    DMZ: \"[10.0.0.0/8\"\n";
    cfg = cfg_load_buffer("bad.yaml", bad, strlen(bad), err, sizeof(err));
    assert_non_null(cfg);
    assert_false(rule_set_load_vars(rs, cfg_get(cfg, "vars"), err, sizeof(err)));
    assert_string_equal(err, "bad.yaml:3:10: vars.address-groups.DMZ: DMZ '[10.0.0.0/8': "
                             "unbalanced '[' in '[10.0.0.0/8'");
    cfg_free(cfg);
    const char *typo = "vars:\n"
                       "  adress-groups: {}\n";
    cfg = cfg_load_buffer("typo.yaml", typo, strlen(typo), err, sizeof(err));
    assert_non_null(cfg);
    assert_false(rule_set_load_vars(rs, cfg_get(cfg, "vars"), err, sizeof(err)));
    assert_non_null(strstr(err, "typo.yaml:2:3"));
    cfg_free(cfg);
    assert_true(rule_set_load_vars(rs, NULL, err, sizeof(err)));
}

/* Enabled rules counted independently of the parser: lines that start
 * with an action. */
static uint32_t count_enabled(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1 << 16];
    uint32_t n = 0;
    if (f == NULL) return 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "alert ", 6) == 0 || strncmp(line, "drop ", 5) == 0 ||
            strncmp(line, "pass ", 5) == 0 || strncmp(line, "reject ", 7) == 0)
            n++;
    fclose(f);
    return n;
}

static void quiet(void *ud, const char *line)
{
    (void)ud, (void)line;
}

static void test_et_open_load(void **state)
{
    (void)state;
    const char *shared = getenv("SOC_SHARED_DIR");
    char pattern[1024], cls[1024];
    snprintf(pattern, sizeof(pattern), "%s/rulesets/et-open/emerging-*.rules",
             shared ? shared : "../shared");
    snprintf(cls, sizeof(cls), "%s/rulesets/et-open/classification.config",
             shared ? shared : "../shared");
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0) {
        print_message("ET Open snapshot not found (%s): skipped\n", pattern);
        skip();
    }
    /* a real sensor loads with JIT; measure that */
    rule_set_t *et = rule_set_new(NULL);
    assert_non_null(et);
    rule_set_set_diag(et, quiet, NULL);
    assert_int_equal(rule_set_load_classification(et, cls), 0);
    uint32_t enabled = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        enabled += count_enabled(g.gl_pathv[i]);
        assert_true(rule_set_load_file(et, g.gl_pathv[i]) >= 0);
    }
    const rule_set_stats_t *st = rule_set_stats(et);
    rule_set_print_summary(et, stdout);
    assert_int_equal(st->files, g.gl_pathc);
    assert_int_equal(st->loaded + st->skipped, enabled);
    assert_true((double)st->loaded >= 0.95 * enabled);
    assert_int_equal(st->unknown_class, 0);
    /* real rules fail only for keywords the engine does not run */
    rule_skip_reason_t r[512];
    size_t n = rule_set_skip_reasons(et, r, 512);
    for (size_t i = 0; i < n && i < 512; i++)
        if (strncmp(r[i].reason, "unsupported keyword '", 21) != 0)
            fail_msg("ET rule skipped for '%s'", r[i].reason);
    /* every loaded rule with content has a fast pattern */
    for (size_t i = 0; i < rule_set_count(et); i++) {
        const rule_t *rl = rule_set_rule(et, i);
        bool has_content = false;
        for (uint8_t b = 0; b < rl->n_bufs; b++)
            for (uint16_t k = 0; k < rl->bufs[b].n_items; k++)
                has_content |= rl->bufs[b].items[k].type == RULE_ITEM_CONTENT;
        assert_int_equal(rl->fp.present, has_content);
    }
    print_message("ET Open: %u of %u enabled rules loaded (%.2f%%) in %.2f s\n", st->loaded,
                  enabled, 100.0 * st->loaded / enabled, st->load_sec);
    rule_set_free(et);
    globfree(&g);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_comments_and_continuations),
        T(test_skips_and_reasons),
        T(test_rule_too_long),
        T(test_rule_file),
        T(test_classification),
        T(test_vars_from_yaml),
        T(test_et_open_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
