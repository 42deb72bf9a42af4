/* test_rule_address.c -- address and port groups of the rule header:
 * variables, nested lists, negation, ranges, CIDRs and netmasks, IPv6,
 * "any", and bad input. Expected ranges are worked out by hand from the
 * group text (IPv4 as host-order numbers, IPv6 as bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/rule_set.h"

static rule_set_t *rs;
static uint32_t next_sid = 1;

static void quiet(void *ud, const char *line)
{
    (void)ud, (void)line;
}

static int setup(void **state)
{
    (void)state;
    rs = rule_set_new(NULL);
    if (rs == NULL) return -1;
    rule_set_set_diag(rs, quiet, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rule_set_free(rs);
    return 0;
}

static const rule_t *with_src(const char *src)
{
    char text[1024];
    snprintf(text, sizeof(text), "alert ip %s any -> any any (sid:%u;)", src, next_sid++);
    return rule_set_add_rule(rs, text, "t", 1);
}

static const rule_addr_t *addr(const char *src)
{
    const rule_t *r = with_src(src);
    if (r == NULL) fail_msg("'%s' refused: %s", src, rule_set_last_error(rs));
    return r->src;
}

static const rule_ports_t *ports(const char *sport)
{
    char text[1024];
    snprintf(text, sizeof(text), "alert tcp any %s -> any any (sid:%u;)", sport, next_sid++);
    const rule_t *r = rule_set_add_rule(rs, text, "t", 1);
    if (r == NULL) fail_msg("'%s' refused: %s", sport, rule_set_last_error(rs));
    return r->sport;
}

/* The message after "t:1: sid N: ". */
static const char *detail(void)
{
    const char *e = rule_set_last_error(rs);
    const char *p = strstr(e, ": sid ");
    assert_non_null(p);
    p = strchr(p + 6, ':');
    assert_non_null(p);
    return p + 2;
}

static void addr_error(const char *src, const char *want)
{
    if (with_src(src)) fail_msg("'%s' accepted", src);
    assert_string_equal(detail(), want);
}

static void port_error(const char *sport, const char *want)
{
    char text[1024];
    snprintf(text, sizeof(text), "alert tcp any %s -> any any (sid:%u;)", sport, next_sid++);
    if (rule_set_add_rule(rs, text, "t", 1)) fail_msg("'%s' accepted", sport);
    assert_string_equal(detail(), want);
}

static void v4(const rule_addr_t *a, uint32_t i, uint32_t lo, uint32_t hi)
{
    assert_true(i < a->n4);
    assert_int_equal(a->v4[i].lo, lo);
    assert_int_equal(a->v4[i].hi, hi);
}

/* IPv6 range given as text, parsed by hand-written byte arrays below. */
static void v6(const rule_addr_t *a, uint32_t i, const uint8_t lo[16], const uint8_t hi[16])
{
    assert_true(i < a->n6);
    assert_memory_equal(a->v6[i].lo, lo, 16);
    assert_memory_equal(a->v6[i].hi, hi, 16);
}

static const uint8_t V6_ZERO[16] = {0};
static const uint8_t V6_MAX[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void full_v6(const rule_addr_t *a)
{
    assert_int_equal(a->n6, 1);
    v6(a, 0, V6_ZERO, V6_MAX);
}

static void test_any(void **state)
{
    (void)state;
    const rule_addr_t *a = addr("any");
    assert_true(a->any);
    assert_int_equal(a->n4, 1);
    v4(a, 0, 0, 0xffffffff);
    full_v6(a);
    const rule_ports_t *p = ports("any");
    assert_true(p->any);
    assert_int_equal(p->n, 1);
    assert_int_equal(p->r[0].lo, 0);
    assert_int_equal(p->r[0].hi, 65535);
}

static void test_single_cidr_mask_range(void **state)
{
    (void)state;
    const rule_addr_t *a = addr("1.2.3.4");
    assert_false(a->any);
    assert_int_equal(a->n4, 1);
    assert_int_equal(a->n6, 0);
    v4(a, 0, 0x01020304, 0x01020304);
    /* host bits are cleared, as Suricata does */
    v4(addr("1.2.3.77/24"), 0, 0x01020300, 0x010203ff);
    v4(addr("10.0.0.0/255.255.0.0"), 0, 0x0a000000, 0x0a00ffff);
    v4(addr("1.2.3.4-1.2.3.9"), 0, 0x01020304, 0x01020309);
    v4(addr("0.0.0.0/0"), 0, 0, 0xffffffff);
    assert_int_equal(addr("0.0.0.0/0")->n6, 0);
    v4(addr("255.255.255.255/32"), 0, 0xffffffff, 0xffffffff);
}

static void test_lists_merge_and_nest(void **state)
{
    (void)state;
    /* adjacent /24s merge into one range */
    const rule_addr_t *a = addr("[1.2.3.0/24,1.2.4.0/24]");
    assert_int_equal(a->n4, 1);
    v4(a, 0, 0x01020300, 0x010204ff);
    a = addr("[ [3.3.3.3, [1.1.1.1]] , 2.2.2.2 ]");
    assert_int_equal(a->n4, 3);
    v4(a, 0, 0x01010101, 0x01010101);
    v4(a, 1, 0x02020202, 0x02020202);
    v4(a, 2, 0x03030303, 0x03030303);
    /* overlapping ranges */
    a = addr("[10.0.0.0/8,10.1.2.3,9.255.255.255]");
    assert_int_equal(a->n4, 1);
    v4(a, 0, 0x09ffffff, 0x0affffff);
}

static void test_negation(void **state)
{
    (void)state;
    const rule_addr_t *a = addr("[10.0.0.0/8,!10.1.0.0/16]");
    assert_int_equal(a->n4, 2);
    assert_int_equal(a->n6, 0);
    v4(a, 0, 0x0a000000, 0x0a00ffff);
    v4(a, 1, 0x0a020000, 0x0affffff);
    /* a pure negation starts from every IPv4 and IPv6 address */
    a = addr("!1.2.3.4");
    assert_int_equal(a->n4, 2);
    v4(a, 0, 0, 0x01020303);
    v4(a, 1, 0x01020305, 0xffffffff);
    full_v6(a);
    /* parity: 1.1.1.1 negated once, 1.1.1.0/24 twice */
    a = addr("![1.1.1.1,!1.1.1.0/24]");
    assert_int_equal(a->n4, 2);
    assert_int_equal(a->n6, 0);
    v4(a, 0, 0x01010100, 0x01010100);
    v4(a, 1, 0x01010102, 0x010101ff);
    /* "!!" cancels */
    v4(addr("!!5.5.5.5"), 0, 0x05050505, 0x05050505);
}

static void test_default_variables(void **state)
{
    (void)state;
    const rule_addr_t *a = addr("$HOME_NET");
    assert_int_equal(a->n4, 3);
    assert_int_equal(a->n6, 0);
    v4(a, 0, 0x0a000000, 0x0affffff); /* 10.0.0.0/8 */
    v4(a, 1, 0xac100000, 0xac1fffff); /* 172.16.0.0/12 */
    v4(a, 2, 0xc0a80000, 0xc0a8ffff); /* 192.168.0.0/16 */
    a = addr("$EXTERNAL_NET");
    assert_int_equal(a->n4, 4);
    v4(a, 0, 0x00000000, 0x09ffffff);
    v4(a, 1, 0x0b000000, 0xac0fffff);
    v4(a, 2, 0xac200000, 0xc0a7ffff);
    v4(a, 3, 0xc0a90000, 0xffffffff);
    full_v6(a);
    assert_false(a->any);
    /* !$EXTERNAL_NET is $HOME_NET again */
    a = addr("!$EXTERNAL_NET");
    assert_int_equal(a->n4, 3);
    assert_int_equal(a->n6, 0);
    v4(addr("$HTTP_SERVERS"), 2, 0xc0a80000, 0xc0a8ffff);
    assert_int_equal(addr("$AIM_SERVERS")->n4, 4); /* stock: $EXTERNAL_NET */
    for (const char *const *v =
             (const char *const[]){"SMTP_SERVERS", "SQL_SERVERS", "DNS_SERVERS", "TELNET_SERVERS",
                                   "DC_SERVERS", "DNP3_SERVER", "DNP3_CLIENT", "MODBUS_CLIENT",
                                   "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER", NULL};
         *v; v++)
        assert_string_equal(rule_set_var_address_get(rs, *v), "$HOME_NET");
    assert_string_equal(rule_set_var_address_get(rs, "HOME_NET"),
                        "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    assert_string_equal(rule_set_var_address_get(rs, "EXTERNAL_NET"), "!$HOME_NET");
}

static void test_ipv6(void **state)
{
    (void)state;
    const uint8_t db8_lo[16] = {0x20, 0x01, 0x0d, 0xb8};
    const uint8_t db8_hi[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const rule_addr_t *a = addr("2001:db8::/32");
    assert_int_equal(a->n4, 0);
    assert_int_equal(a->n6, 1);
    v6(a, 0, db8_lo, db8_hi);
    const uint8_t one[16] = {[15] = 1}, two[16] = {[15] = 2};
    a = addr("[::2,::1]");
    assert_int_equal(a->n6, 1);
    v6(a, 0, one, two);
    const uint8_t r_lo[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
    const uint8_t r_hi[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0xff};
    v6(addr("2001:db8::1-2001:db8::ff"), 0, r_lo, r_hi);
    const uint8_t ll_lo[16] = {0xfe, 0x80};
    const uint8_t ll_hi[16] = {0xfe, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    v6(addr("fe80::1/10"), 0, ll_lo, ll_hi);
    a = addr("::/0");
    assert_int_equal(a->n4, 0);
    full_v6(a);
    assert_false(a->any);
    /* /65 splits the second 64-bit half */
    const uint8_t h_lo[16] = {0x20, 0x01, 0x0d, 0xb8, [8] = 0x80};
    const uint8_t h_hi[16] = {0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,
                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    v6(addr("2001:db8::8000:0:0:1/65"), 0, h_lo, h_hi);
    /* mixed families in one list */
    a = addr("[1.2.3.4,::1]");
    assert_int_equal(a->n4, 1);
    assert_int_equal(a->n6, 1);
    v6(a, 0, one, one);
}

static void test_override_variables(void **state)
{
    (void)state;
    char err[256];
    assert_true(
        rule_set_var_address(rs, "HOME_NET", "[192.168.1.0/24, 2001:db8::/64]", err, sizeof(err)));
    const rule_addr_t *a = addr("$EXTERNAL_NET");
    assert_int_equal(a->n4, 2);
    v4(a, 0, 0, 0xc0a800ff);
    v4(a, 1, 0xc0a80200, 0xffffffff);
    assert_int_equal(a->n6, 2);
    const uint8_t lo1[16] = {0x20, 0x01, 0x0d, 0xb7, 0xff, 0xff, 0xff, 0xff,
                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t hi2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1};
    v6(a, 0, V6_ZERO, lo1);
    v6(a, 1, hi2, V6_MAX);
    /* a new variable, used in a list */
    assert_true(rule_set_var_address(rs, "DMZ", "10.9.0.0/16", err, sizeof(err)));
    a = addr("[$DMZ,$HOME_NET]");
    assert_int_equal(a->n4, 2);
    v4(a, 0, 0x0a090000, 0x0a09ffff);
    /* refused values leave the variable as it was */
    assert_false(rule_set_var_address(rs, "HOME_NET", "1.2.3", err, sizeof(err)));
    assert_string_equal(err, "HOME_NET '1.2.3': invalid address '1.2.3'");
    assert_string_equal(rule_set_var_address_get(rs, "HOME_NET"),
                        "[192.168.1.0/24, 2001:db8::/64]");
    assert_false(rule_set_var_address(rs, "LOOP", "[1.1.1.1,$LOOP]", err, sizeof(err)));
    assert_null(rule_set_var_address_get(rs, "LOOP"));
    assert_false(rule_set_var_address(rs, "bad name", "1.1.1.1", err, sizeof(err)));
    assert_string_equal(err, "invalid variable name 'bad name'");
    /* port variables are a separate table */
    assert_true(rule_set_var_port(rs, "HTTP_PORTS", "[80,8080]", err, sizeof(err)));
    const rule_ports_t *p = ports("$FILE_DATA_PORTS");
    assert_int_equal(p->n, 4);
    assert_int_equal(p->r[1].lo, 110);
    assert_int_equal(p->r[3].lo, 8080);
}

static void test_address_errors(void **state)
{
    (void)state;
    addr_error("1.2.3", "source address '1.2.3': invalid address '1.2.3'");
    addr_error("1.2.3.256", "source address '1.2.3.256': invalid address '1.2.3.256'");
    addr_error("01.2.3.4.5", "source address '01.2.3.4.5': invalid address '01.2.3.4.5'");
    addr_error("1.2.3.4/33", "source address '1.2.3.4/33': invalid prefix length in '1.2.3.4/33'");
    addr_error("1.2.3.0/255.0.255.0",
               "source address '1.2.3.0/255.0.255.0': invalid netmask in '1.2.3.0/255.0.255.0'");
    addr_error("1.2.3.9-1.2.3.4", "source address '1.2.3.9-1.2.3.4': address range ends before "
                                  "it starts: '1.2.3.9-1.2.3.4'");
    addr_error("$NOPE", "source address '$NOPE': undefined variable '$NOPE'");
    addr_error("!any", "source address '!any': negates every address");
    addr_error("[1.1.1.1,!1.1.1.1]", "source address '[1.1.1.1,!1.1.1.1]': matches no address");
    addr_error("[]", "source address '[]': empty element");
    addr_error("[1.1.1.1,,2.2.2.2]", "source address '[1.1.1.1,,2.2.2.2]': empty element");
    addr_error("1.1.1.1]", "source address '1.1.1.1]': invalid element '1.1.1.1]'");
    addr_error("[1.1.1.1]]", "source address '[1.1.1.1]]': unbalanced ']' in '[1.1.1.1]]'");
    addr_error("::g", "source address '::g': invalid address '::g'");
    addr_error("2001:db8::/129", "source address '2001:db8::/129': invalid prefix length in "
                                 "'2001:db8::/129'");
    addr_error("$HTTP_PORTS", "source address '$HTTP_PORTS': undefined variable '$HTTP_PORTS'");
    /* an unbalanced '[' swallows the rest of the header */
    if (rule_set_add_rule(rs, "alert ip [1.1.1.1 any -> any any (sid:999;)", "t", 1))
        fail_msg("accepted");
    assert_string_equal(rule_set_last_error(rs), "t:1: sid 999: header: missing source port");
}

static void test_ports(void **state)
{
    (void)state;
    const rule_ports_t *p = ports("80");
    assert_false(p->any);
    assert_int_equal(p->n, 1);
    assert_int_equal(p->r[0].lo, 80);
    assert_int_equal(p->r[0].hi, 80);
    p = ports("1024:");
    assert_int_equal(p->r[0].lo, 1024);
    assert_int_equal(p->r[0].hi, 65535);
    p = ports(":1023");
    assert_int_equal(p->r[0].lo, 0);
    assert_int_equal(p->r[0].hi, 1023);
    p = ports("[8000:8080, 443,80]");
    assert_int_equal(p->n, 3);
    assert_int_equal(p->r[0].lo, 80);
    assert_int_equal(p->r[1].lo, 443);
    assert_int_equal(p->r[2].lo, 8000);
    assert_int_equal(p->r[2].hi, 8080);
    p = ports("!80");
    assert_int_equal(p->n, 2);
    assert_int_equal(p->r[0].hi, 79);
    assert_int_equal(p->r[1].lo, 81);
    assert_int_equal(p->r[1].hi, 65535);
    p = ports("$HTTP_PORTS");
    assert_int_equal(p->n, 1);
    assert_int_equal(p->r[0].lo, 80);
    p = ports("$FILE_DATA_PORTS");
    assert_int_equal(p->n, 3);
    assert_int_equal(p->r[0].lo, 80);
    assert_int_equal(p->r[1].lo, 110);
    assert_int_equal(p->r[2].lo, 143);
    p = ports("[1:10,5:20]");
    assert_int_equal(p->n, 1);
    assert_int_equal(p->r[0].lo, 1);
    assert_int_equal(p->r[0].hi, 20);
    p = ports("[$HTTP_PORTS,!80,81]");
    assert_int_equal(p->n, 1);
    assert_int_equal(p->r[0].lo, 81);
    p = ports("$SHELLCODE_PORTS");
    assert_int_equal(p->n, 2);
    p = ports("![80,443]");
    assert_int_equal(p->n, 3);
    assert_int_equal(p->r[1].lo, 81);
    assert_int_equal(p->r[1].hi, 442);
    assert_int_equal(p->r[2].lo, 444);
    assert_int_equal(ports("$SSH_PORTS")->r[0].lo, 22);
    assert_int_equal(ports("$ORACLE_PORTS")->r[0].lo, 1521);
    assert_int_equal(ports("$DNP3_PORTS")->r[0].lo, 20000);
    assert_int_equal(ports("$MODBUS_PORTS")->r[0].lo, 502);
    assert_int_equal(ports("$FTP_PORTS")->r[0].lo, 21);
    assert_int_equal(ports("$GENEVE_PORTS")->r[0].lo, 6081);
    assert_int_equal(ports("$VXLAN_PORTS")->r[0].lo, 4789);
    assert_int_equal(ports("$TEREDO_PORTS")->r[0].lo, 3544);
}

static void test_port_errors(void **state)
{
    (void)state;
    port_error("65536", "source port '65536': invalid port '65536'");
    port_error("10:5", "source port '10:5': port range ends before it starts: '10:5'");
    port_error(":", "source port ':': invalid port range ':'");
    port_error("!any", "source port '!any': negates every port");
    port_error("$HOME_NET", "source port '$HOME_NET': undefined variable '$HOME_NET'");
    port_error("abc", "source port 'abc': invalid port 'abc'");
    port_error("[80,!80]", "source port '[80,!80]': matches no port");
    port_error("-1", "source port '-1': invalid port '-1'");
}

static void test_cache_follows_variables(void **state)
{
    (void)state;
    char err[256];
    const rule_addr_t *before = addr("$HOME_NET");
    assert_int_equal(before->n4, 3);
    assert_true(rule_set_var_address(rs, "HOME_NET", "10.0.0.0/8", err, sizeof(err)));
    const rule_addr_t *after = addr("$HOME_NET");
    assert_int_equal(after->n4, 1);
    /* rules loaded earlier keep their group */
    assert_int_equal(before->n4, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_any, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_cidr_mask_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists_merge_and_nest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_follows_variables, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
