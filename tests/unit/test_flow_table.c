/* test_flow_table.c -- flow table: keys, direction, counters, timeouts,
 * expiry order, eviction, flush, flow ids, entry reuse, hash stress.
 * Expected values are worked out by hand from the packets each test builds. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

#define SEC       1000000LL
#define MAX_ENDED 64

/* What the on_end callback saw, in order. */
typedef struct ended {
    int n;
    uint64_t id[MAX_ENDED];
    flow_end_reason_t reason[MAX_ENDED];
    uint64_t pkts[MAX_ENDED][2];
    int had_app;
} ended_t;

static void record_end(flow_t *f, flow_end_reason_t reason, void *ud)
{
    ended_t *e = ud;
    if (e->n < MAX_ENDED) {
        e->id[e->n] = f->flow_id;
        e->reason[e->n] = reason;
        e->pkts[e->n][0] = f->pkts[0];
        e->pkts[e->n][1] = f->pkts[1];
    }
    e->n++;
    if (f->app) {
        e->had_app++;
        free(f->app); /* the callback owns it */
    }
}

static soc_addr_t addr(const char *s)
{
    soc_addr_t a;
    memset(&a, 0, sizeof a);
    int ok = strchr(s, ':') ? inet_pton(AF_INET6, s, a.b) : inet_pton(AF_INET, s, a.b);
    assert_int_equal(ok, 1);
    return a;
}

/* A decoded packet as the decoder would hand it over. */
static packet_t pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto,
                    int64_t ts, uint32_t wirelen)
{
    packet_t p;
    memset(&p, 0, sizeof p);
    p.ip_version = strchr(src, ':') ? 6 : 4;
    p.src = addr(src);
    p.dst = addr(dst);
    p.sport = sport;
    p.dport = dport;
    p.ip_proto = proto;
    p.ts_usec = ts;
    p.wirelen = wirelen;
    return p;
}

static flow_table_t *table(uint32_t max_flows, uint32_t hash_size, ended_t *e)
{
    flow_config_t cfg;
    flow_config_defaults(&cfg);
    cfg.max_flows = max_flows;
    cfg.hash_size = hash_size;
    flow_table_t *ft = flow_table_new(&cfg, record_end, e);
    assert_non_null(ft);
    return ft;
}

static flow_t *feed(flow_table_t *ft, const packet_t *p, int want_dir)
{
    int dir = -1;
    flow_t *f = flow_table_packet(ft, p, &dir);
    assert_non_null(f);
    assert_int_equal(dir, want_dir);
    return f;
}

static void test_defaults(void **state)
{
    (void)state;
    flow_config_t c;
    memset(&c, 0xff, sizeof c);
    flow_config_defaults(&c);
    /* suricata.yaml flow-timeouts */
    const uint32_t want[FLOW_PROTO_COUNT][3] = {
        {60000, 600000, 60000}, {30000, 300000, 0}, {30000, 300000, 0}, {30000, 300000, 0}};
    for (int i = 0; i < FLOW_PROTO_COUNT; i++) {
        assert_int_equal(c.timeouts[i].new_ms, want[i][0]);
        assert_int_equal(c.timeouts[i].established_ms, want[i][1]);
        assert_int_equal(c.timeouts[i].closed_ms, want[i][2]);
    }
    assert_true(c.max_flows > 0);
    assert_int_equal(c.hash_size, 0);
    assert_int_equal(c.hash_seed, 0);
    assert_int_equal(flow_proto_class(6), FLOW_PROTO_TCP);
    assert_int_equal(flow_proto_class(17), FLOW_PROTO_UDP);
    assert_int_equal(flow_proto_class(1), FLOW_PROTO_ICMP);
    assert_int_equal(flow_proto_class(58), FLOW_PROTO_ICMP);
    assert_int_equal(flow_proto_class(47), FLOW_PROTO_OTHER);
    assert_int_equal(flow_proto_class(132), FLOW_PROTO_OTHER);
}

static void test_new_invalid(void **state)
{
    (void)state;
    flow_config_t c;
    flow_config_defaults(&c);
    c.max_flows = 0;
    assert_null(flow_table_new(&c, NULL, NULL));
    assert_null(flow_table_new(NULL, NULL, NULL));
    flow_table_free(NULL);
    c.max_flows = 3;
    c.hash_size = 5; /* rounded up, still works */
    flow_table_t *ft = flow_table_new(&c, NULL, NULL);
    assert_non_null(ft);
    assert_int_equal(flow_table_capacity(ft), 3);
    packet_t p = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17, SEC, 60);
    feed(ft, &p, DIR_TOSERVER);
    flow_table_flush(ft, FLOW_END_SHUTDOWN); /* NULL callback is allowed */
    assert_int_equal(flow_table_stats(ft)->shutdown, 1);
    flow_table_free(ft);
}

static void test_no_ip(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(8, 0, &e);
    packet_t p;
    memset(&p, 0, sizeof p);
    p.wirelen = 60;
    int dir = 7;
    assert_null(flow_table_packet(ft, &p, &dir));
    assert_int_equal(flow_table_stats(ft)->created, 0);
    assert_int_equal(flow_table_stats(ft)->active, 0);
    flow_table_free(ft);
}

static void test_bidirectional_udp(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    packet_t q1 = pkt("192.168.1.10", 51000, "8.8.8.8", 53, 17, 1 * SEC, 80);
    packet_t r1 = pkt("8.8.8.8", 53, "192.168.1.10", 51000, 17, 1 * SEC + 500000, 120);
    packet_t q2 = pkt("192.168.1.10", 51000, "8.8.8.8", 53, 17, 2 * SEC, 70);

    flow_t *f = feed(ft, &q1, DIR_TOSERVER);
    assert_memory_equal(f->key.addr[0].b, q1.src.b, 16);
    assert_memory_equal(f->key.addr[1].b, q1.dst.b, 16);
    assert_int_equal(f->key.port[0], 51000);
    assert_int_equal(f->key.port[1], 53);
    assert_int_equal(f->key.proto, 17);
    assert_int_equal(f->key.ip_version, 4);
    assert_int_equal(flow_eve_state(f), FLOW_STATE_NEW);

    assert_ptr_equal(feed(ft, &r1, DIR_TOCLIENT), f);
    assert_int_equal(flow_eve_state(f), FLOW_STATE_ESTABLISHED);
    assert_ptr_equal(feed(ft, &q2, DIR_TOSERVER), f);

    assert_int_equal(f->pkts[DIR_TOSERVER], 2);
    assert_int_equal(f->pkts[DIR_TOCLIENT], 1);
    assert_int_equal(f->bytes[DIR_TOSERVER], 150);
    assert_int_equal(f->bytes[DIR_TOCLIENT], 120);
    assert_int_equal(f->start_usec, 1 * SEC);
    assert_int_equal(f->last_usec, 2 * SEC);
    assert_int_equal(f->tcp_state, FLOW_TCP_NONE);
    assert_int_equal(f->tcp_flags[0] | f->tcp_flags[1], 0);
    assert_true(f->in_use);

    const flow_stats_t *st = flow_table_stats(ft);
    assert_int_equal(st->active, 1);
    assert_int_equal(st->created, 1);
    assert_int_equal(st->udp, 1);
    assert_int_equal(st->tcp + st->icmp + st->other, 0);
    assert_int_equal(e.n, 0);
    flow_table_free(ft);
}

/* A packet older than the flow's last one must not move last_usec back. */
static void test_last_usec_monotonic(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(4, 0, &e);
    packet_t a = pkt("10.0.0.1", 1000, "10.0.0.2", 2000, 17, 10 * SEC, 60);
    flow_t *f = feed(ft, &a, DIR_TOSERVER);
    a.ts_usec = 9 * SEC;
    feed(ft, &a, DIR_TOSERVER);
    assert_int_equal(f->start_usec, 10 * SEC);
    assert_int_equal(f->last_usec, 10 * SEC);
    flow_table_free(ft);
}

static void test_vlan_distinct(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    packet_t base = pkt("10.1.1.1", 1234, "10.2.2.2", 80, 6, SEC, 60);
    base.tcp_flags = 0x02;
    packet_t v[5];
    for (int i = 0; i < 5; i++)
        v[i] = base;
    v[1].vlan_count = 1, v[1].vlan[0] = 10;
    v[2].vlan_count = 1, v[2].vlan[0] = 20;
    v[3].vlan_count = 2, v[3].vlan[0] = 10, v[3].vlan[1] = 20;
    v[4].vlan_count = 2, v[4].vlan[0] = 20, v[4].vlan[1] = 10;
    flow_t *f[5];
    for (int i = 0; i < 5; i++) {
        f[i] = feed(ft, &v[i], DIR_TOSERVER);
        for (int j = 0; j < i; j++)
            assert_ptr_not_equal(f[i], f[j]);
    }
    assert_int_equal(f[3]->key.vlan[0], 10);
    assert_int_equal(f[3]->key.vlan[1], 20);
    assert_int_equal(f[1]->key.vlan[1], 0);
    assert_int_equal(flow_table_stats(ft)->created, 5);

    /* reply on VLAN 10 joins the VLAN-10 flow; a stale second tag beyond
     * vlan_count is not part of the key */
    packet_t r = pkt("10.2.2.2", 80, "10.1.1.1", 1234, 6, 2 * SEC, 60);
    r.tcp_flags = 0x12;
    r.vlan_count = 1, r.vlan[0] = 10, r.vlan[1] = 99;
    assert_ptr_equal(feed(ft, &r, DIR_TOCLIENT), f[1]);
    r.vlan_count = 2, r.vlan[0] = 20, r.vlan[1] = 10;
    assert_ptr_equal(feed(ft, &r, DIR_TOCLIENT), f[4]);
    assert_int_equal(flow_table_stats(ft)->created, 5);
    flow_table_free(ft);
}

static void test_ipv6(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    packet_t a = pkt("2001:db8::1", 40000, "2001:db8:ffff::53", 53, 17, SEC, 90);
    packet_t b = pkt("2001:db8:ffff::53", 53, "2001:db8::1", 40000, 17, 2 * SEC, 150);
    flow_t *f = feed(ft, &a, DIR_TOSERVER);
    assert_int_equal(f->key.ip_version, 6);
    assert_int_equal(f->key.addr[1].b[5], 0xff);
    assert_ptr_equal(feed(ft, &b, DIR_TOCLIENT), f);
    assert_int_equal(f->bytes[0], 90);
    assert_int_equal(f->bytes[1], 150);

    /* 10.0.0.1 and 0a00:0001:: have the same 16 address bytes; the IP
     * version keeps them apart */
    packet_t v4 = pkt("10.0.0.1", 5, "10.0.0.2", 6, 17, SEC, 60);
    packet_t v6 = pkt("a00:1::", 5, "a00:2::", 6, 17, SEC, 60);
    assert_memory_equal(v4.src.b, v6.src.b, 16);
    flow_t *f4 = feed(ft, &v4, DIR_TOSERVER);
    flow_t *f6 = feed(ft, &v6, DIR_TOSERVER);
    assert_ptr_not_equal(f4, f6);
    assert_int_equal(flow_table_stats(ft)->created, 3);
    flow_table_free(ft);
}

static void test_icmp_no_ports(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    /* the ports are ignored even if a decoder left something in them */
    packet_t req = pkt("10.0.0.1", 8, "10.0.0.2", 0, 1, SEC, 98);
    packet_t rep = pkt("10.0.0.2", 0, "10.0.0.1", 0, 1, SEC + 300, 98);
    packet_t req2 = pkt("10.0.0.1", 8, "10.0.0.2", 77, 1, 2 * SEC, 98);
    flow_t *f = feed(ft, &req, DIR_TOSERVER);
    assert_int_equal(f->key.port[0], 0);
    assert_int_equal(f->key.port[1], 0);
    assert_ptr_equal(feed(ft, &rep, DIR_TOCLIENT), f);
    assert_ptr_equal(feed(ft, &req2, DIR_TOSERVER), f);
    assert_int_equal(f->pkts[0], 2);
    assert_int_equal(f->pkts[1], 1);

    packet_t r6 = pkt("fe80::1", 128, "fe80::2", 0, 58, SEC, 118);
    packet_t a6 = pkt("fe80::2", 129, "fe80::1", 0, 58, SEC, 118);
    flow_t *g = feed(ft, &r6, DIR_TOSERVER);
    assert_ptr_equal(feed(ft, &a6, DIR_TOCLIENT), g);
    assert_ptr_not_equal(f, g);
    assert_int_equal(flow_table_stats(ft)->icmp, 2);
    assert_int_equal(flow_table_stats(ft)->created, 2);
    flow_table_free(ft);
}

static void test_counters_exact(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(64, 0, &e);
    packet_t p[] = {
        pkt("10.0.0.1", 1000, "10.0.0.9", 80, 6, 1 * SEC, 74),   /* tcp A */
        pkt("10.0.0.9", 80, "10.0.0.1", 1000, 6, 2 * SEC, 74),   /* tcp A reply */
        pkt("10.0.0.1", 1001, "10.0.0.9", 80, 6, 3 * SEC, 66),   /* tcp B */
        pkt("10.0.0.1", 5000, "10.0.0.9", 53, 17, 4 * SEC, 100), /* udp */
        pkt("10.0.0.1", 0, "10.0.0.9", 0, 1, 5 * SEC, 98),       /* icmp */
        pkt("10.0.0.1", 0, "10.0.0.9", 0, 47, 6 * SEC, 200),     /* gre */
        pkt("10.0.0.9", 0, "10.0.0.1", 0, 47, 7 * SEC, 210),     /* gre reply */
        pkt("10.0.0.1", 0, "10.0.0.9", 0, 50, 8 * SEC, 300),     /* esp */
    };
    p[0].tcp_flags = 0x02;
    p[1].tcp_flags = 0x12;
    p[2].tcp_flags = 0x10;
    const int dirs[] = {0, 1, 0, 0, 0, 0, 1, 0};
    flow_t *f[8];
    for (int i = 0; i < 8; i++)
        f[i] = feed(ft, &p[i], dirs[i]);
    assert_ptr_equal(f[0], f[1]);
    assert_ptr_equal(f[5], f[6]);
    assert_int_equal(f[5]->bytes[0], 200);
    assert_int_equal(f[5]->bytes[1], 210);
    assert_int_equal(flow_eve_state(f[5]), FLOW_STATE_ESTABLISHED);
    assert_int_equal(flow_eve_state(f[7]), FLOW_STATE_NEW);

    const flow_stats_t *st = flow_table_stats(ft);
    assert_int_equal(st->created, 6);
    assert_int_equal(st->active, 6);
    assert_int_equal(st->tcp, 2);
    assert_int_equal(st->udp, 1);
    assert_int_equal(st->icmp, 1);
    assert_int_equal(st->other, 2);
    assert_int_equal(st->ended, 0);

    flow_table_flush(ft, FLOW_END_SHUTDOWN);
    assert_int_equal(e.n, 6);
    assert_int_equal(st->active, 0);
    assert_int_equal(st->ended, 6);
    assert_int_equal(st->shutdown, 6);
    assert_int_equal(st->timed_out + st->evicted + st->reused, 0);
    assert_int_equal(st->created, 6);
    flow_table_free(ft);
}

/* UDP: new 30 s, established 300 s, idle must exceed the timeout. */
static void test_timeouts_udp(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    packet_t one = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17, 100 * SEC, 60);
    packet_t q = pkt("10.0.0.3", 3, "10.0.0.4", 4, 17, 90 * SEC, 60);
    packet_t r = pkt("10.0.0.4", 4, "10.0.0.3", 3, 17, 100 * SEC, 60);
    uint64_t id_one = feed(ft, &one, DIR_TOSERVER)->flow_id;
    feed(ft, &q, DIR_TOSERVER);
    uint64_t id_two = feed(ft, &r, DIR_TOCLIENT)->flow_id;

    flow_table_expire(ft, 130 * SEC);
    assert_int_equal(e.n, 0);
    flow_table_expire(ft, 130 * SEC + 1);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.id[0], id_one);
    assert_int_equal(e.reason[0], FLOW_END_TIMEOUT);

    flow_table_expire(ft, 400 * SEC);
    assert_int_equal(e.n, 1);
    flow_table_expire(ft, 400 * SEC + 1);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.id[1], id_two);
    assert_int_equal(e.pkts[1][0], 1);
    assert_int_equal(e.pkts[1][1], 1);
    assert_int_equal(flow_table_stats(ft)->timed_out, 2);
    assert_int_equal(flow_table_stats(ft)->active, 0);
    flow_table_free(ft);
}

/* ICMP and other protocols use their own class timeouts. */
static void test_timeouts_custom(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_config_t c;
    flow_config_defaults(&c);
    c.max_flows = 8;
    c.timeouts[FLOW_PROTO_ICMP] = (flow_timeouts_t){5000, 50000, 0};
    c.timeouts[FLOW_PROTO_OTHER] = (flow_timeouts_t){7000, 70000, 0};
    c.timeouts[FLOW_PROTO_UDP] = (flow_timeouts_t){9000, 90000, 0};
    flow_table_t *ft = flow_table_new(&c, record_end, &e);
    assert_non_null(ft);
    packet_t icmp = pkt("10.0.0.1", 0, "10.0.0.2", 0, 1, 0, 60);
    packet_t gre = pkt("10.0.0.1", 0, "10.0.0.2", 0, 47, 0, 60);
    packet_t udp = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, 60);
    uint64_t i1 = feed(ft, &icmp, 0)->flow_id;
    uint64_t g1 = feed(ft, &gre, 0)->flow_id;
    uint64_t u1 = feed(ft, &udp, 0)->flow_id;
    flow_table_expire(ft, 5 * SEC);
    assert_int_equal(e.n, 0);
    flow_table_expire(ft, 5 * SEC + 1);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.id[0], i1);
    flow_table_expire(ft, 7 * SEC + 1);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.id[1], g1);
    flow_table_expire(ft, 9 * SEC);
    assert_int_equal(e.n, 2);
    flow_table_expire(ft, 9 * SEC + 1);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.id[2], u1);
    flow_table_free(ft);
}

/* Flows end in the order their deadlines passed, across classes. */
static void test_expiry_order(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    packet_t x = pkt("10.0.0.1", 1, "10.0.0.2", 1, 17, 10 * SEC, 60); /* udp new: 40 s */
    packet_t y = pkt("10.0.0.1", 2, "10.0.0.2", 2, 6, 0, 60);         /* tcp new: 60 s */
    y.tcp_flags = 0x02;
    packet_t z1 = pkt("10.0.0.1", 3, "10.0.0.2", 3, 17, 4 * SEC, 60); /* udp est: 305 s */
    packet_t z2 = pkt("10.0.0.2", 3, "10.0.0.1", 3, 17, 5 * SEC, 60);
    packet_t w = pkt("10.0.0.1", 4, "10.0.0.2", 4, 17, 20 * SEC, 60); /* udp new: 50 s */
    packet_t v = pkt("10.0.0.1", 5, "10.0.0.2", 5, 47, 1 * SEC, 60);  /* other new: 31 s */
    uint64_t id[5];
    id[0] = feed(ft, &y, 0)->flow_id;
    id[1] = feed(ft, &v, 0)->flow_id;
    feed(ft, &z1, 0);
    id[2] = feed(ft, &z2, 1)->flow_id;
    id[3] = feed(ft, &x, 0)->flow_id;
    id[4] = feed(ft, &w, 0)->flow_id;

    flow_table_expire(ft, 55 * SEC);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.id[0], id[1]); /* v 31 */
    assert_int_equal(e.id[1], id[3]); /* x 40 */
    assert_int_equal(e.id[2], id[4]); /* w 50 */
    flow_table_expire(ft, 1000 * SEC);
    assert_int_equal(e.n, 5);
    assert_int_equal(e.id[3], id[0]); /* y 60 */
    assert_int_equal(e.id[4], id[2]); /* z 305 */
    for (int i = 0; i < 5; i++)
        assert_int_equal(e.reason[i], FLOW_END_TIMEOUT);
    flow_table_free(ft);
}

/* Full table: the least recently seen flow of all classes makes room. */
static void test_eviction(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(4, 0, &e);
    packet_t f1 = pkt("10.0.0.1", 1, "10.0.0.9", 9, 17, 1 * SEC, 60);
    packet_t f2 = pkt("10.0.0.2", 2, "10.0.0.9", 9, 6, 2 * SEC, 60);
    f2.tcp_flags = 0x02;
    packet_t f3 = pkt("10.0.0.3", 3, "10.0.0.9", 9, 17, 3 * SEC, 60);
    packet_t f3r = pkt("10.0.0.9", 9, "10.0.0.3", 3, 17, 3 * SEC + 500000, 60);
    packet_t f4 = pkt("10.0.0.4", 0, "10.0.0.9", 0, 1, 4 * SEC, 60);
    uint64_t id1 = feed(ft, &f1, 0)->flow_id;
    uint64_t id2 = feed(ft, &f2, 0)->flow_id;
    feed(ft, &f3, 0);
    uint64_t id3 = feed(ft, &f3r, 1)->flow_id;
    uint64_t id4 = feed(ft, &f4, 0)->flow_id;
    f1.ts_usec = 5 * SEC;
    feed(ft, &f1, 0); /* f1 is now the most recent */
    assert_int_equal(e.n, 0);

    packet_t n5 = pkt("10.0.0.5", 5, "10.0.0.9", 9, 17, 6 * SEC, 60);
    packet_t n6 = pkt("10.0.0.6", 6, "10.0.0.9", 9, 17, 7 * SEC, 60);
    packet_t n7 = pkt("10.0.0.7", 7, "10.0.0.9", 9, 17, 8 * SEC, 60);
    packet_t n8 = pkt("10.0.0.8", 8, "10.0.0.9", 9, 17, 9 * SEC, 60);
    flow_t *g5 = feed(ft, &n5, 0);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.id[0], id2); /* last seen 2 s */
    assert_int_equal(e.reason[0], FLOW_END_EVICTED);
    assert_int_equal(g5->pkts[0], 1);
    assert_int_equal(g5->start_usec, 6 * SEC);
    feed(ft, &n6, 0);
    assert_int_equal(e.id[1], id3); /* 3.5 s */
    assert_int_equal(e.pkts[1][0], 1);
    assert_int_equal(e.pkts[1][1], 1);
    feed(ft, &n7, 0);
    assert_int_equal(e.id[2], id4); /* 4 s */
    feed(ft, &n8, 0);
    assert_int_equal(e.id[3], id1); /* 5 s */
    assert_int_equal(e.pkts[3][0], 2);

    const flow_stats_t *st = flow_table_stats(ft);
    assert_int_equal(st->evicted, 4);
    assert_int_equal(st->ended, 4);
    assert_int_equal(st->created, 8);
    assert_int_equal(st->active, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(e.reason[i], FLOW_END_EVICTED);

    /* an evicted tuple comes back as a new flow */
    f2.ts_usec = 10 * SEC;
    flow_t *again = feed(ft, &f2, 0);
    assert_int_not_equal(again->flow_id, id2);
    assert_int_equal(again->pkts[0], 1);
    assert_int_equal(e.n, 5);
    assert_int_equal(st->active, 4);
    flow_table_free(ft);
}

static void test_flush_order(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(16, 0, &e);
    /* created in one order, last seen in another, spread over classes */
    packet_t a = pkt("10.0.0.1", 1, "10.0.0.2", 1, 17, 1 * SEC, 60);
    packet_t b = pkt("10.0.0.1", 2, "10.0.0.2", 2, 6, 2 * SEC, 60);
    b.tcp_flags = 0x02;
    packet_t c = pkt("10.0.0.1", 0, "10.0.0.2", 0, 1, 3 * SEC, 60);
    packet_t d = pkt("10.0.0.2", 1, "10.0.0.1", 1, 17, 4 * SEC, 60); /* a's reply */
    packet_t g = pkt("10.0.0.1", 0, "10.0.0.2", 0, 47, 5 * SEC, 60);
    uint64_t ida = feed(ft, &a, 0)->flow_id;
    uint64_t idb = feed(ft, &b, 0)->flow_id;
    uint64_t idc = feed(ft, &c, 0)->flow_id;
    feed(ft, &d, 1);
    uint64_t idg = feed(ft, &g, 0)->flow_id;
    b.ts_usec = 6 * SEC;
    feed(ft, &b, 0);
    /* last seen: c 3, a 4, g 5, b 6 */
    flow_table_flush(ft, FLOW_END_SHUTDOWN);
    assert_int_equal(e.n, 4);
    assert_int_equal(e.id[0], idc);
    assert_int_equal(e.id[1], ida);
    assert_int_equal(e.id[2], idg);
    assert_int_equal(e.id[3], idb);
    for (int i = 0; i < 4; i++)
        assert_int_equal(e.reason[i], FLOW_END_SHUTDOWN);
    assert_int_equal(flow_table_stats(ft)->shutdown, 4);
    assert_int_equal(flow_table_stats(ft)->active, 0);

    /* the table is usable after a flush and nothing expires twice */
    flow_table_expire(ft, 100000 * SEC);
    assert_int_equal(e.n, 4);
    flow_t *n = feed(ft, &a, 0);
    assert_int_equal(n->pkts[0], 1);
    assert_int_equal(n->pkts[1], 0);
    flow_table_flush(ft, FLOW_END_SHUTDOWN);
    assert_int_equal(e.n, 5);
    flow_table_free(ft);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Ids stay unique even when one tuple starts over and over. */
static void test_flow_id_unique(void **state)
{
    (void)state;
    enum { N = 3000 };
    ended_t e = {0};
    flow_table_t *ft = table(64, 0, &e);
    uint64_t *ids = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        /* 10 tuples, each restarted after it timed out */
        packet_t p = pkt("10.0.0.1", (uint16_t)(i % 10), "10.0.0.2", 53, 17, i * 31 * SEC, 60);
        flow_table_expire(ft, p.ts_usec);
        ids[i] = feed(ft, &p, 0)->flow_id;
        assert_true(ids[i] > 0);
        assert_true(ids[i] < (1ULL << 53));
    }
    assert_int_equal(flow_table_stats(ft)->created, N);
    qsort(ids, N, sizeof *ids, cmp_u64);
    for (int i = 1; i < N; i++)
        assert_true(ids[i] != ids[i - 1]);
    free(ids);
    flow_table_free(ft);
}

/* A reused entry starts zeroed; the callback frees what the upper layers hung on it. */
static void test_entry_reset(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(1, 0, &e);
    packet_t p = pkt("10.0.0.1", 1, "10.0.0.2", 2, 6, SEC, 60);
    p.tcp_flags = 0x02;
    flow_t *f = feed(ft, &p, 0);
    f->app_proto = 5;
    f->ndpi_master = 7;
    f->ndpi_app = 8;
    f->ndpi_category = 9;
    f->dpi_pkts = 3;
    f->ndpi_risk = 0xffff;
    f->anomalies = 2;
    f->flags |= FLOW_F_DPI_DONE | FLOW_F_ALERTED;
    f->app = malloc(32);
    assert_non_null(f->app);

    /* a second tuple in a one-entry table evicts the first */
    packet_t q = pkt("10.0.0.3", 1, "10.0.0.4", 2, 17, 2 * SEC, 70);
    flow_t *g = feed(ft, &q, 0);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.had_app, 1);
    assert_ptr_equal(g, f); /* same entry */
    assert_null(g->app);
    assert_null(g->ndpi);
    assert_int_equal(g->app_proto, 0);
    assert_int_equal(g->ndpi_master | g->ndpi_app | g->ndpi_category | g->dpi_pkts, 0);
    assert_int_equal(g->ndpi_risk, 0);
    assert_int_equal(g->anomalies, 0);
    assert_int_equal(g->flags, 0);
    assert_int_equal(g->tcp_state, FLOW_TCP_NONE);
    assert_int_equal(g->tcp_flags[0] | g->tcp_flags[1], 0);
    assert_int_equal(g->bytes[0], 70);
    assert_int_equal(g->key.proto, 17);
    flow_table_flush(ft, FLOW_END_SHUTDOWN);
    flow_table_free(ft);
}

/* Ports swapped between the two sides are a different flow. */
static void test_swapped_ports(void **state)
{
    (void)state;
    ended_t e = {0};
    flow_table_t *ft = table(8, 0, &e);
    packet_t a = pkt("10.0.0.1", 1000, "10.0.0.2", 2000, 17, SEC, 60);
    packet_t b = pkt("10.0.0.1", 2000, "10.0.0.2", 1000, 17, SEC, 60);
    packet_t ar = pkt("10.0.0.2", 2000, "10.0.0.1", 1000, 17, SEC, 60);
    packet_t br = pkt("10.0.0.2", 1000, "10.0.0.1", 2000, 17, SEC, 60);
    flow_t *fa = feed(ft, &a, 0), *fb = feed(ft, &b, 0);
    assert_ptr_not_equal(fa, fb);
    assert_ptr_equal(feed(ft, &ar, 1), fa);
    assert_ptr_equal(feed(ft, &br, 1), fb);
    /* same address and port on both sides: every packet goes to the server */
    packet_t self = pkt("10.0.0.5", 7, "10.0.0.5", 7, 17, SEC, 60);
    flow_t *fs = feed(ft, &self, 0);
    assert_ptr_equal(feed(ft, &self, 0), fs);
    assert_int_equal(fs->pkts[0], 2);
    assert_int_equal(flow_table_stats(ft)->created, 3);
    flow_table_free(ft);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

/* n distinct tuples fill the table; every one is found again from the
 * reply side, with no duplicate and no eviction. */
static void stress(uint32_t n, uint32_t hash_size)
{
    ended_t e = {0};
    flow_table_t *ft = table(n, hash_size, &e);
    flow_t **seen = calloc(n, sizeof *seen);
    assert_non_null(seen);
    packet_t p = pkt("10.0.0.1", 0, "10.0.0.2", 0, 17, SEC, 60);
    for (uint32_t i = 0; i < n; i++) {
        /* structured tuples: ports and the low address bytes walk together */
        p.sport = (uint16_t)(i & 0xffff);
        p.dport = (uint16_t)(1 + (i >> 16));
        p.src.b[3] = (uint8_t)(i % 7);
        p.dst.b[2] = (uint8_t)(i % 3);
        seen[i] = feed(ft, &p, DIR_TOSERVER);
        assert_int_equal(seen[i]->pkts[0], 1);
    }
    for (uint32_t i = 0; i < n; i++) {
        packet_t r = pkt("10.0.0.2", 0, "10.0.0.1", 0, 17, 2 * SEC, 60);
        r.dport = (uint16_t)(i & 0xffff);
        r.sport = (uint16_t)(1 + (i >> 16));
        r.dst.b[3] = (uint8_t)(i % 7);
        r.src.b[2] = (uint8_t)(i % 3);
        flow_t *f = feed(ft, &r, DIR_TOCLIENT);
        assert_ptr_equal(f, seen[i]);
        assert_int_equal(f->pkts[0], 1);
        assert_int_equal(f->pkts[1], 1);
    }
    const flow_stats_t *st = flow_table_stats(ft);
    assert_int_equal(st->created, n);
    assert_int_equal(st->active, n);
    assert_int_equal(st->evicted, 0);
    qsort(seen, n, sizeof *seen, cmp_ptr);
    for (uint32_t i = 1; i < n; i++)
        assert_ptr_not_equal(seen[i], seen[i - 1]);
    flow_table_flush(ft, FLOW_END_SHUTDOWN);
    assert_int_equal(e.n, n);
    assert_int_equal(st->active, 0);
    free(seen);
    flow_table_free(ft);
}

static void test_stress_100k(void **state)
{
    (void)state;
    stress(100000, 0);
}

static void test_stress_long_chains(void **state)
{
    (void)state;
    stress(20000, 64);
}

static void test_end_reason_names(void **state)
{
    (void)state;
    assert_string_equal(flow_end_reason_name(FLOW_END_TIMEOUT), "timeout");
    assert_string_equal(flow_end_reason_name(FLOW_END_EVICTED), "evicted");
    assert_string_equal(flow_end_reason_name(FLOW_END_SHUTDOWN), "shutdown");
    assert_string_equal(flow_end_reason_name(FLOW_END_REUSED), "forced");
    assert_string_equal(flow_end_reason_name((flow_end_reason_t)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_new_invalid),
        cmocka_unit_test(test_no_ip),
        cmocka_unit_test(test_bidirectional_udp),
        cmocka_unit_test(test_last_usec_monotonic),
        cmocka_unit_test(test_vlan_distinct),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_icmp_no_ports),
        cmocka_unit_test(test_counters_exact),
        cmocka_unit_test(test_timeouts_udp),
        cmocka_unit_test(test_timeouts_custom),
        cmocka_unit_test(test_expiry_order),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_flush_order),
        cmocka_unit_test(test_flow_id_unique),
        cmocka_unit_test(test_entry_reset),
        cmocka_unit_test(test_swapped_ports),
        cmocka_unit_test(test_stress_100k),
        cmocka_unit_test(test_stress_long_chains),
        cmocka_unit_test(test_end_reason_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
