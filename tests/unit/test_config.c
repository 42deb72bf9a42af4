/* Unit tests for common/config.c. Positions in expected messages are
 * counted by hand from the YAML text (1-based line:column). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static char err[512];

static cfg_t *load(const char *name, const char *text)
{
    err[0] = '\0';
    return cfg_load_buffer(name, text, strlen(text), err, sizeof(err));
}

/* Load text that must fail and compare the one-line message. */
static void expect_load_error(const char *name, const char *text, const char *expected)
{
    cfg_t *c = load(name, text);
    if (c) {
        cfg_free(c);
        fail_msg("loaded, expected error: %s", expected);
    }
    assert_string_equal(err, expected);
}

static const char sample[] = "sensor:\n"                  /* 1 */
                             "  name: edge-1\n"           /* 2 */
                             "  flow:\n"                  /* 3 */
                             "    max-flows: 100000\n"    /* 4 */
                             "    timeout: 5m\n"          /* 5 */
                             "    bad-int: abc\n"         /* 6 */
                             "  memcap: 64mb\n"           /* 7 */
                             "  enabled: yes\n"           /* 8 */
                             "  ports: [80, 443, 8080]\n" /* 9 */
                             "  home:\n"                  /* 10 */
                             "    - 10.0.0.0/8\n"         /* 11 */
                             "    - 192.168.0.0/16\n"     /* 12 */
                             "  empty:\n"                 /* 13 */
                             "  tilde: ~\n"               /* 14 */
                             "  quoted: \"yes\"\n"        /* 15 */
                             "  ratio: 0.25\n"            /* 16 */
                             "  offset: -42\n";           /* 17 */

static void test_tree_and_positions(void **state)
{
    (void)state;
    cfg_t *c = load("test.yaml", sample);
    assert_non_null(c);
    assert_string_equal(cfg_file(c), "test.yaml");
    assert_int_equal(cfg_doc_count(c), 1);
    const cfg_node_t *root = cfg_root(c);
    assert_non_null(root);
    assert_int_equal(root->type, CFG_MAP);
    assert_int_equal(root->count, 1);

    const cfg_node_t *n = cfg_get(c, "sensor.flow.max-flows");
    assert_non_null(n);
    assert_int_equal(n->type, CFG_SCALAR);
    assert_string_equal(n->str, "100000");
    assert_int_equal(n->len, 6);
    assert_int_equal(n->line, 4);
    assert_int_equal(n->col, 16);
    assert_int_equal(n->key_line, 4);
    assert_int_equal(n->key_col, 5);
    assert_string_equal(n->key, "max-flows");

    const cfg_node_t *flow = cfg_get(c, "sensor.flow");
    assert_int_equal(flow->type, CFG_MAP);
    assert_int_equal(flow->count, 3);
    assert_int_equal(flow->line, 4); /* a block mapping starts at its first key */
    assert_ptr_equal(cfg_node_get(flow, "max-flows"), n);
    assert_ptr_equal(cfg_node_child(flow, "max-flows"), n);
    assert_ptr_equal(cfg_node_get(flow, ""), flow);
    assert_null(cfg_node_get(NULL, "x"));
    assert_null(cfg_get(c, "sensor.flow.nope"));
    assert_null(cfg_get(c, "sensor.name.deeper"));

    const cfg_node_t *ports = cfg_get(c, "sensor.ports");
    assert_int_equal(ports->type, CFG_SEQ);
    assert_int_equal(ports->count, 3);
    assert_int_equal(ports->line, 9);
    assert_int_equal(ports->col, 10);
    assert_string_equal(cfg_get(c, "sensor.ports.2")->str, "8080");
    assert_int_equal(cfg_get(c, "sensor.ports.2")->col, 20);
    assert_null(cfg_get(c, "sensor.ports.3"));
    assert_string_equal(cfg_get(c, "sensor.home.1")->str, "192.168.0.0/16");

    char path[64];
    assert_int_equal(cfg_node_path(n, path, sizeof(path)), strlen("sensor.flow.max-flows"));
    assert_string_equal(path, "sensor.flow.max-flows");
    cfg_node_path(cfg_get(c, "sensor.home.1"), path, sizeof(path));
    assert_string_equal(path, "sensor.home[1]");
    char small[8];
    cfg_node_path(n, small, sizeof(small));
    assert_string_equal(small, "sensor.");

    assert_true(cfg_node_is_null(cfg_get(c, "sensor.empty")));
    assert_true(cfg_node_is_null(cfg_get(c, "sensor.tilde")));
    assert_false(cfg_node_is_null(cfg_get(c, "sensor.quoted")));
    assert_true(cfg_get(c, "sensor.quoted")->quoted);
    cfg_free(c);
}

static void test_iteration(void **state)
{
    (void)state;
    cfg_t *c = load("test.yaml", sample);
    assert_non_null(c);
    uint64_t sum = 0, v;
    size_t i = 0;
    for (const cfg_node_t *p = cfg_get(c, "sensor.ports")->child; p; p = p->next, i++) {
        assert_null(p->key);
        assert_int_equal(p->index, i);
        assert_true(cfg_get_u64(p, NULL, 0, 1, 65535, 0, &v, err, sizeof(err)));
        sum += v;
    }
    assert_int_equal(i, 3);
    assert_int_equal(sum, 80 + 443 + 8080);
    static const char *const keys[] = {"max-flows", "timeout", "bad-int"};
    i = 0;
    for (const cfg_node_t *k = cfg_get(c, "sensor.flow")->child; k; k = k->next, i++)
        assert_string_equal(k->key, keys[i]);
    assert_int_equal(i, 3);
    cfg_free(c);
}

static void test_typed_getters(void **state)
{
    (void)state;
    cfg_t *c = load("test.yaml", sample);
    const cfg_node_t *r = cfg_root(c);
    uint64_t u;
    int64_t s;
    bool b;
    double d;
    const char *str;

    assert_true(cfg_get_u64(r, "sensor.flow.max-flows", 7, 1, 100000000, 0, &u, err, sizeof(err)));
    assert_int_equal(u, 100000);
    assert_true(cfg_get_u64(r, "sensor.flow.missing", 7, 1, 10, 0, &u, err, sizeof(err)));
    assert_int_equal(u, 7);
    assert_true(cfg_get_u64(NULL, "sensor.flow.max-flows", 9, 1, 10, 0, &u, err, sizeof(err)));
    assert_int_equal(u, 9);
    assert_true(cfg_get_u64(r, "sensor.empty", 5, 1, 10, 0, &u, err, sizeof(err)));
    assert_int_equal(u, 5);
    assert_true(cfg_get_u64(r, "sensor.tilde", 6, 1, 10, 0, &u, err, sizeof(err)));
    assert_int_equal(u, 6);
    assert_true(
        cfg_get_u64(r, "sensor.memcap", 0, 1, UINT64_MAX, CFG_U64_SIZE, &u, err, sizeof(err)));
    assert_int_equal(u, 64ull << 20);

    assert_true(cfg_get_duration_sec(r, "sensor.flow.timeout", 1, 1, 86400, &u, err, sizeof(err)));
    assert_int_equal(u, 300);
    assert_true(cfg_get_duration_sec(r, "sensor.flow.nope", 30, 1, 86400, &u, err, sizeof(err)));
    assert_int_equal(u, 30);

    assert_true(cfg_get_bool(r, "sensor.enabled", false, &b, err, sizeof(err)));
    assert_true(b);
    assert_true(cfg_get_bool(r, "sensor.quoted", false, &b, err, sizeof(err)));
    assert_true(b);
    assert_true(cfg_get_bool(r, "sensor.nope", true, &b, err, sizeof(err)));
    assert_true(b);

    assert_true(cfg_get_str(r, "sensor.name", "x", &str, err, sizeof(err)));
    assert_string_equal(str, "edge-1");
    assert_true(cfg_get_str(r, "sensor.nope", "dflt", &str, err, sizeof(err)));
    assert_string_equal(str, "dflt");
    assert_true(cfg_get_str(r, "sensor.quoted", NULL, &str, err, sizeof(err)));
    assert_string_equal(str, "yes");

    assert_true(cfg_get_double(r, "sensor.ratio", 1.0, 0.0, 1.0, &d, err, sizeof(err)));
    assert_true(d == 0.25);
    assert_true(cfg_get_i64(r, "sensor.offset", 0, -100, 100, &s, err, sizeof(err)));
    assert_int_equal(s, -42);

    const cfg_node_t *m;
    assert_true(cfg_get_map(r, "sensor.flow", &m, err, sizeof(err)));
    assert_ptr_equal(m, cfg_get(c, "sensor.flow"));
    assert_true(cfg_get_map(r, "sensor.nope", &m, err, sizeof(err)));
    assert_null(m);
    assert_true(cfg_get_seq(r, "sensor.home", &m, err, sizeof(err)));
    assert_int_equal(m->count, 2);
    cfg_free(c);
}

/* Parse one value "v: TEXT" with a getter and return its result. */
static cfg_t *one(const char *text)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "v: %s\n", text);
    cfg_t *c = load("v.yaml", buf);
    assert_non_null(c);
    return c;
}

static void expect_u64(const char *text, unsigned flags, uint64_t want)
{
    cfg_t *c = one(text);
    uint64_t v = 0;
    if (!cfg_get_u64(cfg_root(c), "v", 0, 0, UINT64_MAX, flags, &v, err, sizeof(err)))
        fail_msg("'%s': %s", text, err);
    assert_int_equal(v, want);
    cfg_free(c);
}

static void expect_u64_bad(const char *text, unsigned flags)
{
    cfg_t *c = one(text);
    uint64_t v = 0;
    assert_false(cfg_get_u64(cfg_root(c), "v", 0, 0, UINT64_MAX, flags, &v, err, sizeof(err)));
    cfg_free(c);
}

static void expect_dur(const char *text, uint64_t want)
{
    cfg_t *c = one(text);
    uint64_t v = 0;
    if (!cfg_get_duration_sec(cfg_root(c), "v", 0, 0, UINT64_MAX, &v, err, sizeof(err)))
        fail_msg("'%s': %s", text, err);
    assert_int_equal(v, want);
    cfg_free(c);
}

static void expect_dur_bad(const char *text)
{
    cfg_t *c = one(text);
    uint64_t v = 0;
    assert_false(cfg_get_duration_sec(cfg_root(c), "v", 0, 0, UINT64_MAX, &v, err, sizeof(err)));
    cfg_free(c);
}

static void expect_bool(const char *text, int want)
{
    cfg_t *c = one(text);
    bool v = false;
    bool ok = cfg_get_bool(cfg_root(c), "v", false, &v, err, sizeof(err));
    if (want < 0)
        assert_false(ok);
    else
        assert_true(ok && v == (want == 1));
    cfg_free(c);
}

static void test_numbers_sizes(void **state)
{
    (void)state;
    expect_u64("0", 0, 0);
    expect_u64("18446744073709551615", 0, UINT64_MAX);
    expect_u64_bad("18446744073709551616", 0);
    expect_u64_bad("-1", 0);
    expect_u64_bad("1kb", 0); /* suffixes only where asked */
    expect_u64_bad("0x10", 0);
    expect_u64_bad("\"\"", 0);
    expect_u64_bad("1 2", 0);
    expect_u64("1kb", CFG_U64_SIZE, 1024);
    expect_u64("1KB", CFG_U64_SIZE, 1024);
    expect_u64("2k", CFG_U64_SIZE, 2048);
    expect_u64("3kib", CFG_U64_SIZE, 3072);
    expect_u64("64mb", CFG_U64_SIZE, 67108864);
    expect_u64("64 MB", CFG_U64_SIZE, 67108864);
    expect_u64("2gb", CFG_U64_SIZE, 2147483648u);
    expect_u64("512", CFG_U64_SIZE, 512);
    expect_u64("17179869183gb", CFG_U64_SIZE, 17179869183ull << 30);
    expect_u64_bad("17179869184gb", CFG_U64_SIZE); /* 2^64: overflow */
    expect_u64_bad("1tb", CFG_U64_SIZE);
    expect_u64_bad("mb", CFG_U64_SIZE);
    expect_u64_bad("1.5mb", CFG_U64_SIZE);
}

static void test_durations_bools(void **state)
{
    (void)state;
    expect_dur("30", 30);
    expect_dur("30s", 30);
    expect_dur("5m", 300);
    expect_dur("1h", 3600);
    expect_dur("2d", 172800);
    expect_dur("0", 0);
    expect_dur_bad("5x");
    expect_dur_bad("1hh");
    expect_dur_bad("h");
    expect_dur_bad("-5s");
    expect_dur_bad("1.5h");
    expect_dur_bad("213503982334602d"); /* overflows 64 bits of seconds */
    expect_bool("yes", 1);
    expect_bool("Yes", 1);
    expect_bool("TRUE", 1);
    expect_bool("on", 1);
    expect_bool("no", 0);
    expect_bool("false", 0);
    expect_bool("Off", 0);
    expect_bool("maybe", -1);
    expect_bool("1", -1);
    expect_bool("[yes]", -1);
}

static void test_getter_errors(void **state)
{
    (void)state;
    cfg_t *c = load("test.yaml", sample);
    const cfg_node_t *r = cfg_root(c);
    uint64_t u;
    bool b;
    int64_t s;
    double d;
    const char *str;

    assert_false(cfg_get_u64(r, "sensor.flow.bad-int", 1, 1, 100000000, 0, &u, err, sizeof(err)));
    assert_string_equal(
        err, "test.yaml:6:14: sensor.flow.bad-int: expected an integer 1..100000000, got 'abc'");
    assert_false(cfg_get_u64(r, "sensor.flow.max-flows", 1, 1, 1000, 0, &u, err, sizeof(err)));
    assert_string_equal(
        err, "test.yaml:4:16: sensor.flow.max-flows: expected an integer 1..1000, got '100000'");
    assert_false(cfg_get_u64(r, "sensor.memcap", 0, 1, 1024, CFG_U64_SIZE, &u, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:7:11: sensor.memcap: expected a size 1..1024 (bytes, or "
                             "with kb/mb/gb), got '64mb'");
    assert_false(cfg_get_u64(r, "sensor.flow", 1, 1, 10, 0, &u, err, sizeof(err)));
    assert_string_equal(err,
                        "test.yaml:4:5: sensor.flow: expected an integer 1..10, got a mapping");
    assert_false(cfg_get_u64(r, "sensor.name.deeper", 1, 1, 10, 0, &u, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:2:9: sensor.name: expected a mapping, got a scalar");
    assert_false(cfg_get_duration_sec(r, "sensor.flow.timeout", 1, 1, 60, &u, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:5:14: sensor.flow.timeout: expected a duration 1..60 "
                             "seconds (like 30s, 5m, 1h, 1d), got '5m'");
    assert_false(cfg_get_bool(r, "sensor.name", false, &b, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:2:9: sensor.name: expected a boolean (yes/no, true/false, "
                             "on/off), got 'edge-1'");
    assert_false(cfg_get_str(r, "sensor.ports", NULL, &str, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:9:10: sensor.ports: expected a string, got a sequence");
    assert_false(cfg_get_i64(r, "sensor.offset", 0, 0, 100, &s, err, sizeof(err)));
    assert_string_equal(err,
                        "test.yaml:17:11: sensor.offset: expected an integer 0..100, got '-42'");
    assert_false(cfg_get_double(r, "sensor.ratio", 0, 0.5, 1, &d, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:16:10: sensor.ratio: expected a number 0.5..1, got '0.25'");
    assert_false(cfg_get_map(r, "sensor.home", &r, err, sizeof(err)));
    assert_string_equal(err, "test.yaml:11:5: sensor.home: expected a mapping, got a sequence");
    assert_false(cfg_get_u64(cfg_get(c, "sensor.home"), "0", 0, 0, 10, 0, &u, err, sizeof(err)));
    assert_string_equal(
        err, "test.yaml:11:7: sensor.home[0]: expected an integer 0..10, got '10.0.0.0/8'");

    cfg_node_error(cfg_get(c, "sensor.name"), err, sizeof(err), "name '%s' is taken", "edge-1");
    assert_string_equal(err, "test.yaml:2:9: sensor.name: name 'edge-1' is taken");
    /* a truncated err buffer still ends in NUL */
    char tiny[12];
    cfg_node_error(cfg_get(c, "sensor.name"), tiny, sizeof(tiny), "x");
    assert_string_equal(tiny, "test.yaml:2");
    cfg_free(c);
}

static void test_long_value_cut_in_message(void **state)
{
    (void)state;
    /* 60 x's: the message quotes the first 48 and "..." */
    char text[80], want[160];
    snprintf(text, sizeof(text), "v: %.60s\n",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    cfg_t *c = load("v.yaml", text);
    uint64_t u;
    assert_false(cfg_get_u64(cfg_root(c), "v", 0, 0, 10, 0, &u, err, sizeof(err)));
    snprintf(want, sizeof(want), "v.yaml:1:4: v: expected an integer 0..10, got '%.48s...'",
             text + 3);
    assert_string_equal(err, want);
    cfg_free(c);
    /* a cut never splits a UTF-8 sequence: 47 x's then a 2-byte letter */
    snprintf(text, sizeof(text), "v: %.47s\xc3\xa9yyyy\n",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    c = load("v.yaml", text);
    assert_false(cfg_get_u64(cfg_root(c), "v", 0, 0, 10, 0, &u, err, sizeof(err)));
    snprintf(want, sizeof(want), "v.yaml:1:4: v: expected an integer 0..10, got '%.47s...'",
             text + 3);
    assert_string_equal(err, want);
    cfg_free(c);
}

static void test_sequence_paths_in_errors(void **state)
{
    (void)state;
    cfg_t *c = load("rules.yaml", "rules:\n"
                                  "  - name: a\n"
                                  "    count: 3\n"
                                  "  - name: b\n"
                                  "    count: lots\n");
    assert_non_null(c);
    const cfg_node_t *rules;
    assert_true(cfg_get_seq(cfg_root(c), "rules", &rules, err, sizeof(err)));
    uint64_t v = 0;
    const cfg_node_t *r0 = rules->child, *r1 = r0->next;
    assert_true(cfg_get_u64(r0, "count", 1, 1, 100, 0, &v, err, sizeof(err)));
    assert_int_equal(v, 3);
    assert_false(cfg_get_u64(r1, "count", 1, 1, 100, 0, &v, err, sizeof(err)));
    assert_string_equal(err,
                        "rules.yaml:5:12: rules[1].count: expected an integer 1..100, got 'lots'");
    cfg_free(c);
}

static void test_check_keys(void **state)
{
    (void)state;
    cfg_t *c = load("k.yaml", "flow:\n"
                              "  max-flows: 1\n"
                              "  max-flow: 2\n"
                              "  zzz: 3\n");
    assert_non_null(c);
    static const char *const known[] = {"max-flows", "timeout", NULL};
    static const char *const all[] = {"max-flows", "max-flow", "zzz", NULL};
    static const char *const top[] = {"flow", NULL};
    const cfg_node_t *flow = cfg_get(c, "flow");
    assert_false(cfg_check_keys(flow, known, err, sizeof(err)));
    assert_string_equal(err,
                        "k.yaml:3:3: flow: unknown key 'max-flow' (did you mean 'max-flows'?)");
    assert_true(cfg_check_keys(flow, all, err, sizeof(err)));
    assert_true(cfg_check_keys(cfg_root(c), top, err, sizeof(err)));
    assert_true(cfg_check_keys(NULL, known, err, sizeof(err)));
    assert_false(cfg_check_keys(cfg_get(c, "flow.zzz"), known, err, sizeof(err)));
    assert_string_equal(err, "k.yaml:4:8: flow.zzz: expected a mapping, got a scalar");
    static const char *const other[] = {"max-flows", "max-flow", NULL};
    assert_false(cfg_check_keys(flow, other, err, sizeof(err)));
    assert_string_equal(err, "k.yaml:4:3: flow: unknown key 'zzz'");
    static const char *const top2[] = {"sensor", NULL};
    assert_false(cfg_check_keys(cfg_root(c), top2, err, sizeof(err)));
    assert_string_equal(err, "k.yaml:1:1: unknown key 'flow'");
    cfg_free(c);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    expect_load_error("dup.yaml",
                      "a: 1\n"
                      "b:\n"
                      "  c: 1\n"
                      "  d: 2\n"
                      "  c: 3\n",
                      "dup.yaml:5:3: duplicate key 'c' (first at line 3)");
    expect_load_error("dup.yaml", "{x: 1, y: 2, x: 3}",
                      "dup.yaml:1:14: duplicate key 'x' (first at line 1)");
    /* the same key in different maps is fine */
    cfg_t *c = load("ok.yaml", "a: {c: 1}\nb: {c: 2}\nl: [{c: 1}, {c: 2}]\n");
    assert_non_null(c);
    assert_string_equal(cfg_get(c, "l.1.c")->str, "2");
    cfg_free(c);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    /* "2\n  c" continues the plain scalar; its ':' is then illegal */
    expect_load_error("s.yaml", "a: 1\nb: 2\n  c: 3\n",
                      "s.yaml:3:4: mapping values are not allowed in this context");
    expect_load_error("s.yaml", "a:\n\tb: 1\n",
                      "s.yaml:2:1: found character that cannot start any token (while scanning "
                      "for the next token at 2:1)");
    expect_load_error("s.yaml", "a: \"abc\n",
                      "s.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar "
                      "at 1:4)");
    /* "2\nb" is one plain scalar, so the parser meets ":" at 2:2 */
    expect_load_error("s.yaml", "a: [1, 2\nb: 3\n",
                      "s.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence "
                      "at 1:4)");
    expect_load_error("s.yaml", "a: \xff\n", "s.yaml:1:4: invalid leading UTF-8 octet (byte 0xff)");
}

static void test_nul_in_buffer(void **state)
{
    (void)state;
    static const char text[] = "a: b\0c\n";
    cfg_t *c = cfg_load_buffer("n.yaml", text, sizeof(text) - 1, err, sizeof(err));
    assert_null(c);
    assert_string_equal(err, "n.yaml:1:5: control characters are not allowed (byte 0x00)");
}

static void test_structure_errors(void **state)
{
    (void)state;
    expect_load_error("s.yaml", "? [a, b]\n: 1\n", "s.yaml:1:3: mapping keys must be scalars");
    expect_load_error("s.yaml", "a: *nope\n", "s.yaml:1:4: undefined alias 'nope'");
    expect_load_error("s.yaml", "a: &x [1, *x]\n",
                      "s.yaml:1:11: alias 'x' refers to its own enclosing node");
}

static void test_aliases(void **state)
{
    (void)state;
    cfg_t *c = load("a.yaml", "base: &b {x: 1, y: [2, 3]}\n"
                              "use: *b\n"
                              "s: &s hello\n"
                              "t: *s\n"
                              "*s : keyed\n");
    assert_non_null(c);
    const cfg_node_t *x = cfg_get(c, "use.x");
    assert_non_null(x);
    assert_string_equal(x->str, "1");
    assert_string_equal(cfg_get(c, "use.y.1")->str, "3");
    char path[64];
    cfg_node_path(cfg_get(c, "use.y.1"), path, sizeof(path));
    assert_string_equal(path, "use.y[1]");
    assert_string_equal(cfg_get(c, "t")->str, "hello");
    assert_string_equal(cfg_get(c, "hello")->str, "keyed");
    cfg_free(c);
}

static void test_depth_bomb(void **state)
{
    (void)state;
    char text[256];
    memset(text, '[', 100);
    memset(text + 100, ']', 100);
    text[200] = 0;
    expect_load_error("bomb.yaml", text, "bomb.yaml:1:65: nesting deeper than 64");
    /* 64 levels are fine */
    memset(text, '[', 64);
    memset(text + 64, ']', 64);
    text[128] = 0;
    cfg_t *c = load("ok.yaml", text);
    assert_non_null(c);
    cfg_free(c);
    /* block style: each level one more indent */
    char *deep = malloc(70 * 80);
    size_t k = 0;
    for (int i = 0; i < 70; i++) {
        memset(deep + k, ' ', (size_t)i);
        k += (size_t)i;
        k += (size_t)sprintf(deep + k, "k:\n");
    }
    deep[k] = 0;
    expect_load_error("deep.yaml", deep, "deep.yaml:65:65: nesting deeper than 64");
    free(deep);
}

static void test_alias_bomb(void **state)
{
    (void)state;
    /* Billion laughs: each level repeats the previous one ten times. Copies
     * made: b 10*11, c 10*111 (1220 in all), then d's copies of c (1111
     * nodes each) pass 10000 within the 8th "*c", at column 8 + 7*4. */
    expect_load_error("lol.yaml",
                      "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
                      "lol.yaml:4:36: aliases expand to more than 10000 nodes");
    /* an alias of a deep container placed deep again exceeds the depth cap */
    char text[512];
    size_t k = (size_t)sprintf(text, "a: &d ");
    memset(text + k, '[', 40);
    memset(text + k + 40, ']', 40);
    k += 80;
    k += (size_t)sprintf(text + k, "\nb: ");
    memset(text + k, '[', 30);
    k += 30;
    k += (size_t)sprintf(text + k, "*d");
    memset(text + k, ']', 30);
    text[k + 30] = 0;
    expect_load_error("ad.yaml", text, "ad.yaml:2:34: nesting deeper than 64 (through an alias)");
}

static void test_node_cap(void **state)
{
    (void)state;
    size_t n = CFG_MAX_NODES + 10;
    char *text = malloc(n * 2 + 3);
    size_t k = 0;
    text[k++] = '[';
    for (size_t i = 0; i < n; i++) {
        text[k++] = '1';
        text[k++] = ',';
    }
    text[k - 1] = ']';
    text[k] = 0;
    cfg_t *c = load("many.yaml", text);
    assert_null(c);
    /* the root sequence is node 1, so item 199999 (0-based) is refused at
     * column 2 + 2 * 199999 */
    assert_string_equal(err, "many.yaml:1:400000: too many nodes (limit 200000)");
    free(text);
}

static void test_size_cap(void **state)
{
    (void)state;
    size_t n = CFG_MAX_FILE_SIZE + 1;
    char *text = malloc(n);
    memset(text, '#', n);
    assert_null(cfg_load_buffer("big.yaml", text, n, err, sizeof(err)));
    assert_string_equal(err, "big.yaml: file too large (4194305 bytes, limit 4194304)");
    /* exactly at the cap is accepted (one big comment) */
    cfg_t *c = cfg_load_buffer("big.yaml", text, n - 1, err, sizeof(err));
    assert_non_null(c);
    assert_null(cfg_root(c));
    cfg_free(c);
    free(text);
}

static void test_empty_and_multi_doc(void **state)
{
    (void)state;
    cfg_t *c = load("e.yaml", "");
    assert_non_null(c);
    assert_null(cfg_root(c));
    assert_int_equal(cfg_doc_count(c), 0);
    uint64_t v;
    assert_true(cfg_get_u64(cfg_root(c), "a.b", 5, 0, 10, 0, &v, err, sizeof(err)));
    assert_int_equal(v, 5);
    assert_null(cfg_get(c, "a"));
    cfg_free(c);

    c = load("m.yaml", "title: one\n---\ntitle: two\n---\n- x\n");
    assert_non_null(c);
    assert_int_equal(cfg_doc_count(c), 3);
    assert_string_equal(cfg_node_get(cfg_doc(c, 0), "title")->str, "one");
    assert_string_equal(cfg_node_get(cfg_doc(c, 1), "title")->str, "two");
    assert_int_equal(cfg_doc(c, 2)->type, CFG_SEQ);
    assert_int_equal(cfg_doc(c, 1)->line, 3);
    assert_null(cfg_doc(c, 3));
    cfg_free(c);
}

static void test_load_file(void **state)
{
    (void)state;
    assert_null(cfg_load_file("/nonexistent/soc.yaml", err, sizeof(err)));
    assert_string_equal(err, "/nonexistent/soc.yaml: cannot open: No such file or directory");
    assert_null(cfg_load_file("/", err, sizeof(err)));
    assert_string_equal(err, "/: is a directory");

    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "sensor:\n  name: x\n  flow: {max-flows: oops}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    cfg_t *c = cfg_load_file(path, err, sizeof(err));
    assert_non_null(c);
    uint64_t v;
    assert_false(
        cfg_get_u64(cfg_root(c), "sensor.flow.max-flows", 1, 1, 10, 0, &v, err, sizeof(err)));
    char want[256];
    snprintf(want, sizeof(want),
             "%s:3:21: sensor.flow.max-flows: expected an integer 1..10, got 'oops'", path);
    assert_string_equal(err, want);
    cfg_free(c);
    unlink(path);
    cfg_free(NULL);
}

static void test_no_err_buffer(void **state)
{
    (void)state;
    /* err may be NULL: failures are still reported by the return value */
    assert_null(cfg_load_buffer("x", "[", 1, NULL, 0));
    cfg_t *c = cfg_load_buffer("x", "a: b", 4, NULL, 0);
    uint64_t v;
    assert_false(cfg_get_u64(cfg_root(c), "a", 0, 0, 1, 0, &v, NULL, 0));
    cfg_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_and_positions),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_numbers_sizes),
        cmocka_unit_test(test_durations_bools),
        cmocka_unit_test(test_getter_errors),
        cmocka_unit_test(test_long_value_cut_in_message),
        cmocka_unit_test(test_sequence_paths_in_errors),
        cmocka_unit_test(test_check_keys),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_nul_in_buffer),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_depth_bomb),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_node_cap),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_empty_and_multi_doc),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_no_err_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
