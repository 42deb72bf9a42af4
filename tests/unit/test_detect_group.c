/* Packet rule groups: which group a packet maps to and which rules each
 * group holds. Expected groups are worked out by hand from the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect_group.h"
#include "detect/match.h"
#include "detect/rule_set.h"

static rule_set_t *load(const char *text)
{
    rule_set_opts_t o = {.pcre_jit = false};
    rule_set_t *rs = rule_set_new(&o);
    assert_non_null(rs);
    assert_true(rule_set_load_buffer(rs, "t.rules", text, strlen(text)) >= 0);
    return rs;
}

static void build(detect_groups_t *dg, const rule_set_t *rs)
{
    const rule_t *rules[64];
    uint32_t n = (uint32_t)rule_set_count(rs);
    assert_true(n <= 64);
    for (uint32_t i = 0; i < n; i++)
        rules[i] = rule_set_rule(rs, i);
    detect_groups_build(dg, rules, n);
}

/* Four rules name port 445 going to the server: it gets a group; port 80,
 * named once, shares the catch-all. */
static const char RULES[] =
    "alert tcp any any -> any 445 (msg:\"a\"; content:\"aa\"; sid:1;)\n"
    "alert tcp any any -> any 445 (msg:\"b\"; content:\"bb\"; sid:2;)\n"
    "alert tcp any any -> any [139,445] (msg:\"c\"; content:\"cc\"; sid:3;)\n"
    "alert tcp any any -> any 445 (msg:\"d\"; content:\"dd\"; sid:4;)\n"
    "alert tcp any any -> any 80 (msg:\"e\"; content:\"ee\"; sid:5;)\n"
    "alert tcp any any -> any any (msg:\"f\"; flow:to_client; content:\"ff\"; sid:6;)\n"
    "alert udp any any -> any 53 (msg:\"g\"; content:\"gg\"; sid:7;)\n"
    "alert ip any any -> any any (msg:\"h\"; content:\"hh\"; sid:8;)\n"
    "alert tcp any 445 <> any any (msg:\"i\"; content:\"ii\"; sid:9;)\n";

/* sids of the rules in group gid, as a bit mask */
static unsigned members(const detect_groups_t *dg, const rule_set_t *rs, uint32_t gid)
{
    unsigned m = 0;
    for (uint32_t i = 0; i < rule_set_count(rs); i++) {
        const rule_t *r = rule_set_rule(rs, i);
        if (detect_groups_member(dg, gid, r)) m |= 1u << r->sid;
    }
    return m;
}

#define B(s) (1u << (s))

static void test_groups(void **state)
{
    (void)state;
    rule_set_t *rs = load(RULES);
    detect_groups_t *dg = malloc(sizeof(*dg));
    assert_non_null(dg);
    build(dg, rs);
    /* TCP to server: 445 has its own group, other ports share one */
    uint32_t g445 = detect_group_of(dg, 6, true, 50000, 445);
    uint32_t g80 = detect_group_of(dg, 6, true, 50000, 80);
    uint32_t g22 = detect_group_of(dg, 6, true, 50000, 22);
    assert_int_not_equal(g445, g80);
    assert_int_equal(g80, g22);
    assert_int_equal(dg->g[g445].port, 445);
    assert_int_equal(dg->g[g80].port, -1);
    assert_int_equal(members(dg, rs, g445), B(1) | B(2) | B(3) | B(4) | B(8) | B(9));
    /* 3 names 139 too, which has no group; 9 is bidirectional, any port */
    assert_int_equal(members(dg, rs, g80), B(3) | B(5) | B(8) | B(9));
    /* TCP to client, by the source (server) port: no port group */
    uint32_t tc = detect_group_of(dg, 6, false, 445, 50000);
    assert_int_equal(dg->g[tc].port, -1);
    assert_false(dg->g[tc].to_server);
    /* all TCP rules: 1-5 have no direction and any source port, so a reply
     * going to a client that happens to use port 445 may match them */
    assert_int_equal(members(dg, rs, tc), B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(9));
    /* UDP and other protocols */
    uint32_t udp = detect_group_of(dg, 17, true, 40000, 53);
    assert_int_equal(members(dg, rs, udp), B(7) | B(8));
    uint32_t icmp = detect_group_of(dg, 1, true, 0, 0);
    assert_int_equal(members(dg, rs, icmp), B(8));
    assert_int_equal(detect_group_of(dg, 1, false, 0, 0), dg->none[0]);
    free(dg);
    rule_set_free(rs);
}

/* Every rule is in the group of every packet it could match: try each
 * rule against packets on the ports it names and on others. */
static void test_no_rule_lost(void **state)
{
    (void)state;
    rule_set_t *rs = load(RULES);
    detect_groups_t *dg = malloc(sizeof(*dg));
    assert_non_null(dg);
    build(dg, rs);
    static const uint16_t ports[] = {22, 53, 80, 139, 445, 50000};
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 6; b++)
            for (int ts = 0; ts < 2; ts++)
                for (int proto = 6; proto <= 17; proto += 11) {
                    uint32_t g = detect_group_of(dg, (uint8_t)proto, ts, ports[a], ports[b]);
                    for (uint32_t i = 0; i < rule_set_count(rs); i++) {
                        const rule_t *r = rule_set_rule(rs, i);
                        bool proto_ok =
                            r->ipproto & (proto == 6 ? RULE_IPPROTO_TCP : RULE_IPPROTO_UDP);
                        bool dir_ok = !(r->flow & (ts ? RULE_FLOW_TOCLIENT : RULE_FLOW_TOSERVER));
                        bool fwd = match_port(r->sport, ports[a]) && match_port(r->dport, ports[b]);
                        bool rev = r->bidirectional && match_port(r->sport, ports[b]) &&
                                   match_port(r->dport, ports[a]);
                        if (proto_ok && dir_ok && (fwd || rev))
                            assert_true(detect_groups_member(dg, g, r));
                    }
                }
    free(dg);
    rule_set_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_no_rule_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
