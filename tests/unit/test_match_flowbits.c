/* test_match_flowbits.c -- the per-flow flowbit set and the flowbits keyword:
 * set / unset / toggle sequences, isset / isnotset with '&' (all) and '|'
 * (any) groups, growth and the FLOWBITS_MAX bound.
 *
 * Rules go through the real parser; expectations follow Suricata's
 * flowbits documentation: conditions are checked before a rule matches,
 * actions run after, in rule order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/match.h"
#include "detect/rule_set.h"

static rule_set_t *rs;
static uint32_t next_sid = 1;

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(NULL);
    if (!rs) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

static const rule_t *rule(const char *opts)
{
    char text[1024];
    snprintf(text, sizeof text, "alert tcp any any -> any any (%s sid:%u;)", opts, next_sid++);
    const rule_t *r = rule_set_add_rule(rs, text, "test", 1);
    if (!r) fail_msg("rule refused: %s -- %s", text, rule_set_last_error(rs));
    return r;
}

static uint32_t id(const char *name)
{
    int64_t v = rule_set_flowbit_id(rs, name);
    assert_true(v >= 0);
    return (uint32_t)v;
}

/* The engine's order for a rule that matched its other parts. */
static bool fire(const rule_t *r, flowbits_t **fb)
{
    if (!match_flowbits_check(r, *fb)) return false;
    assert_true(match_flowbits_apply(r, fb));
    return true;
}

static void test_set_isset_sequence(void **state)
{
    (void)state;
    const rule_t *login = rule("flowbits:set,fb.login; flowbits:noalert;");
    const rule_t *cmd = rule("flowbits:isset,fb.login;");
    const rule_t *logout = rule("flowbits:isset,fb.login; flowbits:unset,fb.login;");
    const rule_t *fresh = rule("flowbits:isnotset,fb.login;");
    assert_true(login->noalert);

    flowbits_t *fb = NULL; /* a new flow: nothing set */
    assert_false(fire(cmd, &fb));
    assert_true(fire(fresh, &fb));
    assert_true(fire(login, &fb));
    assert_non_null(fb);
    assert_true(flowbits_isset(fb, id("fb.login")));
    assert_true(fire(cmd, &fb));
    assert_false(fire(fresh, &fb));
    assert_true(fire(logout, &fb)); /* isset holds, then the bit goes */
    assert_false(fire(cmd, &fb));
    assert_false(fire(logout, &fb));
    assert_true(fire(fresh, &fb));
    assert_int_equal(flowbits_count(fb), 0);
    flowbits_free(fb);
}

static void test_toggle(void **state)
{
    (void)state;
    const rule_t *tog = rule("flowbits:toggle,fb.t;");
    const rule_t *is = rule("flowbits:isset,fb.t;");
    flowbits_t *fb = NULL;
    assert_false(fire(is, &fb));
    assert_true(fire(tog, &fb));
    assert_true(fire(is, &fb));
    assert_true(fire(tog, &fb));
    assert_false(fire(is, &fb));
    assert_true(fire(tog, &fb));
    assert_true(fire(is, &fb));
    flowbits_free(fb);
}

static void test_groups(void **state)
{
    (void)state;
    const rule_t *set_a = rule("flowbits:set,g.a;");
    const rule_t *set_b = rule("flowbits:set,g.b;");
    const rule_t *unset_a = rule("flowbits:unset,g.a;");
    const rule_t *any = rule("flowbits:isset,g.a|g.b;");
    const rule_t *all = rule("flowbits:isset,g.a&g.b;");
    const rule_t *not_any = rule("flowbits:isnotset,g.a|g.b;"); /* some unset */
    const rule_t *not_all = rule("flowbits:isnotset,g.a&g.b;"); /* all unset */

    flowbits_t *fb = NULL;
    /* none set */
    assert_false(match_flowbits_check(any, fb));
    assert_false(match_flowbits_check(all, fb));
    assert_true(match_flowbits_check(not_any, fb));
    assert_true(match_flowbits_check(not_all, fb));
    /* only b */
    assert_true(fire(set_b, &fb));
    assert_true(match_flowbits_check(any, fb));
    assert_false(match_flowbits_check(all, fb));
    assert_true(match_flowbits_check(not_any, fb));
    assert_false(match_flowbits_check(not_all, fb));
    /* a and b */
    assert_true(fire(set_a, &fb));
    assert_true(match_flowbits_check(any, fb));
    assert_true(match_flowbits_check(all, fb));
    assert_false(match_flowbits_check(not_any, fb));
    assert_false(match_flowbits_check(not_all, fb));
    /* only b again */
    assert_true(fire(unset_a, &fb));
    assert_true(match_flowbits_check(any, fb));
    assert_false(match_flowbits_check(all, fb));
    flowbits_free(fb);
}

static void test_several_keywords(void **state)
{
    (void)state;
    /* conditions are ANDed; actions run in rule order */
    const rule_t *r = rule("flowbits:isset,k.a; flowbits:isnotset,k.b; flowbits:set,k.b; "
                           "flowbits:unset,k.a;");
    const rule_t *set_a = rule("flowbits:set,k.a;");
    flowbits_t *fb = NULL;
    assert_false(fire(r, &fb));
    assert_true(fire(set_a, &fb));
    assert_true(fire(r, &fb));
    assert_false(flowbits_isset(fb, id("k.a")));
    assert_true(flowbits_isset(fb, id("k.b")));
    assert_false(fire(r, &fb)); /* k.a gone, k.b set */
    flowbits_free(fb);
}

/* A rule without flowbits passes the check and changes nothing. */
static void test_no_flowbits(void **state)
{
    (void)state;
    const rule_t *r = rule("content:\"x\";");
    flowbits_t *fb = NULL;
    assert_true(match_flowbits_check(r, fb));
    assert_true(match_flowbits_apply(r, &fb));
    assert_null(fb);
    flowbits_free(NULL);
}

/* The storage itself: ids in any order stay findable, growth keeps them. */
static void test_storage(void **state)
{
    (void)state;
    flowbits_t *fb = NULL;
    assert_false(flowbits_isset(NULL, 0));
    assert_int_equal(flowbits_count(NULL), 0);
    flowbits_unset(NULL, 3); /* harmless */
    const uint32_t ids[] = {50, 3, 1000000, 7, 0, 49, 51, 4, 8, 2, UINT32_MAX};
    const size_t n = sizeof ids / sizeof ids[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(flowbits_set(&fb, ids[i]));
        assert_true(flowbits_set(&fb, ids[i])); /* twice: still one */
    }
    assert_int_equal(flowbits_count(fb), n);
    for (size_t i = 0; i < n; i++)
        assert_true(flowbits_isset(fb, ids[i]));
    assert_false(flowbits_isset(fb, 1));
    assert_false(flowbits_isset(fb, 52));
    flowbits_unset(fb, 7);
    flowbits_unset(fb, 7);
    flowbits_unset(fb, 6); /* not set */
    assert_int_equal(flowbits_count(fb), n - 1);
    assert_false(flowbits_isset(fb, 7));
    assert_true(flowbits_isset(fb, 8));
    assert_true(flowbits_isset(fb, 4));
    assert_true(flowbits_toggle(&fb, 7));
    assert_true(flowbits_isset(fb, 7));
    flowbits_free(fb);
}

static void test_bound(void **state)
{
    (void)state;
    flowbits_t *fb = NULL;
    for (uint32_t i = 0; i < FLOWBITS_MAX; i++)
        assert_true(flowbits_set(&fb, i * 3));
    assert_int_equal(flowbits_count(fb), FLOWBITS_MAX);
    assert_false(flowbits_set(&fb, 1));    /* one too many */
    assert_false(flowbits_toggle(&fb, 1)); /* same */
    assert_true(flowbits_set(&fb, 3));     /* already there: fine */
    assert_false(flowbits_isset(fb, 1));
    assert_true(flowbits_toggle(&fb, 3)); /* unsetting makes room */
    assert_true(flowbits_set(&fb, 1));
    assert_true(flowbits_isset(fb, (FLOWBITS_MAX - 1) * 3));
    flowbits_free(fb);

    /* an action that cannot store its bit reports it; the others still run */
    rule_flowbit_t acts[2];
    uint32_t full_id = 1, other = 0;
    acts[0] = (rule_flowbit_t){.cmd = RULE_FB_SET, .n = 1, .ids = &full_id};
    acts[1] = (rule_flowbit_t){.cmd = RULE_FB_UNSET, .n = 1, .ids = &other};
    rule_t r;
    memset(&r, 0, sizeof r);
    r.n_flowbits = 2;
    r.flowbits = acts;
    fb = NULL;
    for (uint32_t i = 0; i < FLOWBITS_MAX; i++)
        assert_true(flowbits_set(&fb, 100 + i));
    assert_true(flowbits_set(&fb, 0) == false); /* full */
    flowbits_unset(fb, 100);
    assert_true(flowbits_set(&fb, 0));           /* id 0 back in, full again */
    assert_false(match_flowbits_apply(&r, &fb)); /* id 1 does not fit */
    assert_false(flowbits_isset(fb, 1));
    assert_false(flowbits_isset(fb, 0)); /* the unset ran */
    flowbits_free(fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_isset_sequence),
        cmocka_unit_test(test_toggle),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_several_keywords),
        cmocka_unit_test(test_no_flowbits),
        cmocka_unit_test(test_storage),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
